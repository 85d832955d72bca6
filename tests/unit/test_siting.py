"""Siting (maximal coverage, its capacity-aware variant, closures) against cases solved by hand and brute force.

The line that most cases use, threshold 500 m, straight line (detour 1):

    cells      p (2)           q (3)                       r (3)           s (2)
    x          0               600                         1400            2000
    sites             L 300                 M 1000                 R 1700

L reaches p (300 m) and q (300 m); M reaches q (400 m) and r (400 m); R reaches r (300 m) and
s (300 m); every other distance is 1000 m or more. So L covers 2 + 3 = 5, M 3 + 3 = 6, R 3 + 2 = 5.
Greedy with two sites takes M (6), then L (adds p: 2; R would add s: 2, the tie goes to L) = 8.
The optimum is L + R = 10 (all four cells), so greedy/exact = 0.8.
"""

from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer
from scipy import sparse
from scipy.optimize import linprog
from shapely.geometry import LineString, Point

from dashboard import i18n
from dashboard.analysis import siting
from dashboard.analysis.city import prepare
from dashboard.analysis.distance import Pairs, StraightLine
from dashboard.analysis.fca import supply_ratios
from dashboard.analysis.gaps import GapParams, analyse
from dashboard.analysis.siting import SitingParams
from dashboard.analysis.walknet import WalkingDistance, from_lines
from dashboard.model import schema
from dashboard.model.scenario import NewOffer, Scenario
from tests.support.factories import X0, Y0, tiny_workspace

LINE_CELLS = np.array([[0.0, 0.0], [600.0, 0.0], [1400.0, 0.0], [2000.0, 0.0]])
LINE_DEMAND = np.array([2.0, 3.0, 3.0, 2.0])
LINE_SITES = pd.DataFrame({"site_id": ["L", "M", "R"], "x": [300.0, 1000.0, 1700.0], "y": [0.0, 0.0, 0.0]})


def _coverage(cells, demand, sites: pd.DataFrame, threshold: float, capacity=None) -> siting.Coverage:
    table = siting.candidate_table(sites if capacity is None else sites.assign(capacity=capacity), None)
    pairs = StraightLine().within(cells, table[["x", "y"]].to_numpy(), threshold)
    return siting.from_pairs(pairs, demand, table)


@pytest.fixture
def line() -> siting.Coverage:
    return _coverage(LINE_CELLS, LINE_DEMAND, LINE_SITES, 500.0)


# --- maximal coverage by hand ------------------------------------------------------------------------------------


def test_the_line_reaches_what_the_drawing_says(line):
    assert line.matrix.toarray().tolist() == [[1, 0, 0], [1, 1, 0], [0, 1, 1], [0, 0, 1]]
    assert line.reachable == 10


def test_greedy_takes_the_biggest_first_and_is_suboptimal_on_the_line(line):
    result = siting.greedy(line, SitingParams(sites=2))
    assert result.sites["site_id"].tolist() == ["M", "L"]
    assert result.sites["gain"].tolist() == [6, 2] and result.sites["cumulative"].tolist() == [6, 8]
    assert result.objective == 8 and result.proven_optimal is None and result.model is None
    assert result.served.tolist() == [2, 3, 3, 0]  # s stays uncovered


def test_exact_finds_the_two_ends_and_reports_its_model(line):
    result = siting.exact(line, SitingParams(sites=2))
    assert result.sites["site_id"].tolist() == ["L", "R"]  # 5 each; the tie in rank goes to the first listed
    assert result.sites["gain"].tolist() == [5, 5] and result.objective == 10
    assert result.proven_optimal and result.bound == pytest.approx(10)
    # 3 site variables y (integer) + 4 cell variables z (no two cells reach the same sites);
    # 4 rows z_i − Σ y_j ≤ 0 (2 nonzeros each + 1) and Σ y_j ≤ 2 (3 nonzeros): 4 · 3 − 2 + 3 = 13
    size = result.model
    assert (size.variables, size.integers, size.constraints, size.nonzeros) == (7, 3, 5, 13)
    assert result.served.tolist() == [2, 3, 3, 2]


def test_a_candidate_another_covers_at_least_as_well_stays_out_of_the_model():
    # M2 (x 1050) reaches q and r like M, listed later; P (x 100) reaches p alone, which L reaches too.
    sites = pd.concat([LINE_SITES, pd.DataFrame({"site_id": ["M2", "P"], "x": [1050.0, 100.0], "y": [0.0, 0.0]})])
    cov = _coverage(LINE_CELLS, LINE_DEMAND, sites, 500.0)
    result = siting.exact(cov, SitingParams(sites=2))
    assert result.model.integers == 3 and result.objective == 10


def test_greedy_reports_its_ratio_to_the_optimum(line):
    params = SitingParams(sites=2)
    compared = siting.with_optimum(siting.greedy(line, params), siting.exact(line, params))
    assert compared.ratio_to_optimum == pytest.approx(0.8)


def test_marginal_curve_greedy_and_exact_per_k(line):
    # greedy: M 6, L +2, R +2 → 6, 8, 10; optimum per k: M 6 | L + R 10 | 10
    curve = siting.marginal_curve(line, SitingParams(sites=3), with_exact=True)
    assert curve["sites"].tolist() == [1, 2, 3] and curve["site_id"].tolist() == ["M", "L", "R"]
    assert curve["greedy"].tolist() == [6, 8, 10] and curve["exact"].tolist() == [6, 10, 10]
    assert curve["ratio"].tolist() == pytest.approx([1, 0.8, 1]) and curve["proven_optimal"].all()
    assert "exact" not in siting.marginal_curve(line, SitingParams(sites=3)).columns


def test_greedy_stops_when_no_site_adds_anyone(line):
    result = siting.greedy(line, SitingParams(sites=5))
    assert result.sites["site_id"].tolist() == ["M", "L", "R"] and result.objective == 10
    assert siting.exact(line, SitingParams(sites=5)).objective == 10


def test_no_demand_left_gives_an_empty_answer():
    cov = _coverage(LINE_CELLS, np.zeros(4), LINE_SITES, 500.0)
    for solve in (siting.greedy, siting.exact, siting.capacitated):
        result = solve(siting.Coverage(cov.matrix, cov.demand, cov.cells, cov.sites.assign(capacity=1.0)))
        assert result.objective == 0 and len(result.sites) == 0


def test_without_a_solution_in_time_the_exact_run_says_so_and_falls_back_to_greedy():
    cov = _random_coverage(np.random.default_rng(7), cells=2_000, sites=300, size=5_000, threshold=600)
    result = siting.exact(cov, SitingParams(sites=8, time_limit_s=0.0))
    assert result.proven_optimal is False and "Time limit" in result.model.message
    assert result.objective == siting.greedy(cov, SitingParams(sites=8)).objective


# --- the analysis: existing coverage, walking routes, candidates --------------------------------------------------
# The tiny city (tests/support/factories.py) at 750 m: offer o1 at c1 (250, 250) covers c1 only (c2 is 848.5 m
# away). Uncovered: c2 (850, 850) 200, c3 (1450, 450) 400, c4 (450, 1450) 50 residents. c2 lies 721.1 m from
# c3 and from c4, so a site at c2 covers all three (650); c3 and c4 are 1414 m apart.


@pytest.fixture(scope="module")
def tiny():
    return prepare(tiny_workspace())


def test_candidates_are_the_populated_cells_of_the_area(tiny):
    everywhere = siting.candidate_cells(tiny)
    assert list(everywhere.columns) == siting.CANDIDATE_COLUMNS
    assert everywhere["site_id"].tolist() == ["zelle-0", "zelle-1", "zelle-2", "zelle-3"]
    assert (everywhere["reason"] == siting.POPULATED_CELL).all()
    assert i18n.code_label(siting.POPULATED_CELL, "en") == "populated 100 m cell"
    assert everywhere[["x", "y"]].to_numpy() - [X0, Y0] == pytest.approx(
        np.array([[250, 250], [850, 850], [1450, 450], [450, 1450]])
    )
    assert siting.candidate_cells(tiny, "02")["site_id"].tolist() == ["zelle-3"]  # 0202 has nobody
    assert siting.candidate_cells(tiny, "01")["area_id"].tolist() == ["0101", "0101", "0102"]


def test_cells_already_covered_do_not_count(tiny):
    result = analyse(tiny, GapParams(threshold_m=750))
    cov = siting.coverage(result, siting.candidate_cells(tiny))
    assert cov.cells.tolist() == [1, 2, 3] and cov.demand.tolist() == [200, 400, 50]
    chosen = siting.greedy(cov, SitingParams(sites=2))
    assert chosen.sites["site_id"].tolist() == ["zelle-1"] and chosen.objective == 650  # then nothing is left
    assert siting.exact(cov, SitingParams(sites=1)).objective == 650
    only_02 = siting.coverage(result, siting.candidate_cells(tiny, "02"))
    assert siting.greedy(only_02, SitingParams(sites=1)).objective == 250  # c4 reaches c4 and c2 (721 m)


def test_a_candidate_without_capacity_gets_the_offers_median(tiny):
    result = analyse(tiny, GapParams(threshold_m=750))
    cov = siting.coverage(result, siting.candidate_cells(tiny))
    assert cov.sites["capacity"].tolist() == [30, 30, 30, 30]  # o1, the only qualifying offer, has 30 places


def test_walking_routes_cover_less_than_straight_lines(tiny):
    # Paths: c2 → (1450, 850) → c3 and c2 → (450, 850) → c4, each 1000 m; a stub at c1 where o1 stands.
    # On foot within 750 m every site reaches only its own cell: c3 400, c2 200, c4 50.
    lines = [[(850, 850), (1450, 850), (1450, 450)], [(850, 850), (450, 850), (450, 1450)], [(250, 250), (250, 300)]]
    network = from_lines(gpd.GeoSeries([LineString(np.add(line, [X0, Y0])) for line in lines], crs=3035))
    result = analyse(tiny, GapParams(threshold_m=750), method=WalkingDistance(network))
    assert result.cells["covered"].tolist() == [True, False, False, False]
    cov = siting.coverage(result, siting.candidate_cells(tiny))
    chosen = siting.greedy(cov, SitingParams(sites=2))
    assert chosen.sites["site_id"].tolist() == ["zelle-2", "zelle-1"] and chosen.sites["gain"].tolist() == [400, 200]
    assert siting.exact(cov, SitingParams(sites=2)).objective == 600


def test_a_candidate_list_from_elsewhere_is_located_and_completed(tiny):
    lon, lat = Transformer.from_crs(3035, 4326, always_xy=True).transform([X0 + 1450, X0 + 450], [Y0 + 450, Y0 + 1450])
    listed = gpd.GeoDataFrame(
        {"name": ["Gemeindesaal", None], "capacity": ["20", ""], "reason": ["leer seit 2025", " "]},
        geometry=[Point(xy) for xy in zip(lon, lat, strict=True)],
        crs=schema.WEB_CRS,
    )
    table = siting.candidate_table(listed, tiny.units)
    assert table["site_id"].tolist() == ["standort-1", "standort-2"]
    assert table["name"].tolist() == ["Gemeindesaal", ""]
    assert table["reason"].tolist() == ["leer seit 2025", siting.LISTED]
    assert table["area_id"].tolist() == ["0102", "0201"]
    assert table["capacity"].iloc[0] == 20 and np.isnan(table["capacity"].iloc[1])
    assert table[["x", "y"]].to_numpy() - [X0, Y0] == pytest.approx(np.array([[1450, 450], [450, 1450]]), abs=1e-3)
    with pytest.raises(ValueError, match="coordinate reference system"):
        siting.candidate_table(listed.set_crs(None, allow_override=True), tiny.units)


# --- capacity ---------------------------------------------------------------------------------------------------
# Three cells of 100 at x = 0, 400, 800; site P at 200 (capacity 60) reaches a and b, Q at 600 (capacity 150)
# reaches b and c (threshold 250). Without capacities both cover 200 and greedy takes P, the first listed.
# With them: P alone serves 60, Q alone 150 → one site: Q. Both: P 60 (from a) + Q 150 (b and c) = 210.

CAP_CELLS = np.array([[0.0, 0.0], [400.0, 0.0], [800.0, 0.0]])
CAP_SITES = pd.DataFrame({"site_id": ["P", "Q"], "x": [200.0, 600.0], "y": [0.0, 0.0]})


def test_capacity_changes_the_choice():
    cov = _coverage(CAP_CELLS, np.full(3, 100.0), CAP_SITES, 250.0, capacity=[60, 150])
    assert siting.greedy(cov, SitingParams(sites=1)).sites["site_id"].tolist() == ["P"]
    one = siting.capacitated(cov, SitingParams(sites=1))
    assert one.sites["site_id"].tolist() == ["Q"] and one.objective == pytest.approx(150) and one.proven_optimal
    two = siting.capacitated(cov, SitingParams(sites=2))
    assert two.sites["site_id"].tolist() == ["Q", "P"] and two.sites["gain"].tolist() == pytest.approx([150, 60])
    assert two.objective == pytest.approx(210) and two.served.sum() == pytest.approx(210)
    assert (two.served.to_numpy() <= 100 + 1e-9).all()


def test_without_binding_capacities_it_is_the_plain_maximal_coverage(line):
    roomy = siting.Coverage(line.matrix, line.demand, line.cells, line.sites.assign(capacity=1_000.0))
    for k in (1, 2, 3):
        params = SitingParams(sites=k)
        assert siting.capacitated(roomy, params).objective == pytest.approx(siting.exact(line, params).objective)


def test_a_site_alone_in_its_catchment_serves_its_2sfca_share():
    # P reaches a (100) alone with 60 places, Q reaches c (30) alone with 150 places:
    # 2SFCA ratios R = 60/100 = 0.6 and 150/30 = 5 → served D · min(1, R) = 60 and 30.
    cells, demand = np.array([[0.0, 0.0], [800.0, 0.0]]), np.array([100.0, 30.0])
    sites = pd.DataFrame({"site_id": ["P", "Q"], "x": [100.0, 700.0], "y": [0.0, 0.0]})
    cov = _coverage(cells, demand, sites, 250.0, capacity=[60, 150])
    pairs = StraightLine().within(cells, sites[["x", "y"]].to_numpy(), 250.0)
    ratio = supply_ratios(demand, np.array([60.0, 150.0]), pairs)
    catchment = np.bincount(pairs.target, weights=demand[pairs.origin], minlength=2)
    result = siting.capacitated(cov, SitingParams(sites=2)).sites.set_index("site_id")
    assert result.loc[["P", "Q"], "gain"].tolist() == pytest.approx(catchment * np.minimum(1, ratio))
    assert result.loc[["P", "Q"], "gain"].tolist() == pytest.approx([60, 30])


def test_two_rooms_side_by_side_are_both_kept_when_both_are_needed():
    # One cell of 100 and two identical sites of 50 places each: only both together serve all 100.
    cov = _coverage(np.array([[0.0, 0.0]]), np.array([100.0]), CAP_SITES.iloc[:1], 250.0, capacity=[50])
    twins = siting.Coverage(
        sparse.hstack([cov.matrix, cov.matrix], format="csr"),
        cov.demand,
        cov.cells,
        pd.concat([cov.sites, cov.sites.assign(site_id="P2")], ignore_index=True),
    )
    assert siting.capacitated(twins, SitingParams(sites=2)).objective == pytest.approx(100)
    assert siting.capacitated(twins, SitingParams(sites=1)).objective == pytest.approx(50)


def _best_assignment(reach: np.ndarray, demand: np.ndarray, capacity: np.ndarray, chosen: tuple[int, ...]) -> float:
    """Most residents the chosen sites can serve: a small transport LP."""
    cells, sites = np.nonzero(reach[:, list(chosen)])
    if len(cells) == 0:
        return 0.0
    rows = [np.eye(len(cells))[sites == s].sum(axis=0) for s in range(len(chosen))]
    rows += [np.eye(len(cells))[cells == c].sum(axis=0) for c in range(len(demand))]
    limits = [*capacity[list(chosen)], *demand]
    return -linprog(-np.ones(len(cells)), A_ub=np.array(rows), b_ub=limits, bounds=(0, None)).fun


@pytest.mark.parametrize("seed", range(5))
def test_capacitated_equals_brute_force_on_small_random_cities(seed):
    rng = np.random.default_rng(200 + seed)
    cov = _random_coverage(rng, cells=14, sites=7, size=1_500, threshold=500)
    capacity = rng.integers(20, 150, 7).astype(float)
    cov = siting.Coverage(cov.matrix, cov.demand, cov.cells, cov.sites.assign(capacity=capacity))
    reach = cov.matrix.toarray() > 0
    for k in (1, 2, 3):
        best = max(_best_assignment(reach, cov.demand, capacity, s) for s in itertools.combinations(range(7), k))
        result = siting.capacitated(cov, SitingParams(sites=k))
        assert result.objective == pytest.approx(best, abs=1e-6) and result.proven_optimal
        assert result.served.sum() == pytest.approx(best, abs=1e-6)


@pytest.mark.parametrize("seed", range(3))
def test_capacitated_without_time_returns_a_feasible_greedy_assignment(seed):
    """With no time for HiGHS the answer is the greedy assignment: never above the optimum, every site within its
    capacity, every cell within its residents, flagged as not proven."""
    rng = np.random.default_rng(300 + seed)
    cov = _random_coverage(rng, cells=14, sites=7, size=1_500, threshold=500)
    capacity = rng.integers(20, 150, 7).astype(float)
    cov = siting.Coverage(cov.matrix, cov.demand, cov.cells, cov.sites.assign(capacity=capacity))
    reach = cov.matrix.toarray() > 0
    best = max(_best_assignment(reach, cov.demand, capacity, s) for s in itertools.combinations(range(7), 2))
    quick = siting.capacitated(cov, SitingParams(sites=2, time_limit_s=0.0))
    assert quick.proven_optimal is False and quick.method == "capacitated"
    assert 0 < quick.objective <= best + 1e-6 and len(quick.sites) <= 2
    caps = cov.sites.set_index("site_id")["capacity"]
    assert (quick.sites["gain"].to_numpy() <= caps[quick.sites["site_id"]].to_numpy() + 1e-9).all()
    assert (quick.served.to_numpy() <= cov.demand + 1e-9).all()
    assert quick.served.sum() == pytest.approx(quick.objective)


def test_capacities_must_be_known():
    cov = _coverage(CAP_CELLS, np.full(3, 100.0), CAP_SITES, 250.0)
    with pytest.raises(ValueError, match="capacity"):
        siting.capacitated(cov)


# --- closures ----------------------------------------------------------------------------------------------------


def test_closures_on_the_line(line):
    # L, M, R read as existing offers. Alone: L reaches p (2), R reaches s (2), M nobody alone.
    assert siting.sole_coverage(line).to_dict() == {"L": 2, "M": 0, "R": 2}
    one = siting.closures_exact(line, 1)
    assert one.offers["site_id"].tolist() == ["M"] and one.lost == 0 and one.proven_optimal
    # Two: L + R lose p and s (4); M + L lose p and q (5), M + R lose r and s (5). Greedy closes M first
    # (loses nobody), after which L or R loses 5.
    two = siting.closures_exact(line, 2)
    assert sorted(two.offers["site_id"]) == ["L", "R"] and two.lost == 4
    assert two.offers["lost"].tolist() == [2, 2] and two.offers["alone"].tolist() == [2, 2]
    greedy = siting.closures_greedy(line, 2)
    assert greedy.offers["site_id"].tolist() == ["M", "L"] and greedy.lost == 5
    assert greedy.offers["cumulative"].tolist() == [0, 5]
    assert siting.closures_exact(line, 3).lost == 10
    with pytest.raises(ValueError):
        siting.closures_exact(line, 4)


def test_closures_of_the_tiny_citys_offers(tiny):
    # At 500 m only o1 (at c1) qualifies and reaches c1 (100 residents) alone. A planned second offer
    # 100 m east of it reaches c1 too: then closing either loses nobody, closing both loses c1.
    alone = siting.offer_coverage(analyse(tiny, GapParams()))
    assert alone.demand.tolist() == [100, 200, 400, 50] and siting.sole_coverage(alone).to_dict() == {"o1": 100}
    assert siting.closures_exact(alone, 1).lost == 100
    lon, lat = Transformer.from_crs(3035, 4326, always_xy=True).transform(X0 + 350, Y0 + 250)
    twice = siting.offer_coverage(analyse(tiny, GapParams(), Scenario().add(NewOffer(lon, lat))))
    assert siting.sole_coverage(twice).to_dict() == {"o1": 0, "szenario-1": 0}
    assert siting.closures_exact(twice, 1).lost == 0 and siting.closures_greedy(twice, 1).lost == 0
    assert siting.closures_exact(twice, 2).lost == 100
    assert twice.sites["capacity"].tolist() == [30, 30]  # the planned offer has the median capacity


def _brute_force_loss(reach: np.ndarray, demand: np.ndarray, closed: tuple[int, ...]) -> float:
    open_ = np.ones(reach.shape[1], dtype=bool)
    open_[list(closed)] = False
    lost = reach.any(axis=1) & ~reach[:, open_].any(axis=1)
    return float(demand[lost].sum())


@pytest.mark.parametrize("seed", range(6))
def test_closures_equal_brute_force_on_small_random_cities(seed):
    cov = _random_coverage(np.random.default_rng(seed), cells=40, sites=9, size=2_000, threshold=500)
    reach = cov.matrix.toarray() > 0
    for k in (1, 2, 3, 4):
        best = min(_brute_force_loss(reach, cov.demand, s) for s in itertools.combinations(range(9), k))
        exact = siting.closures_exact(cov, k)
        assert exact.lost == pytest.approx(best) and exact.proven_optimal
        chosen = tuple(cov.sites.index[cov.sites["site_id"].isin(exact.offers["site_id"])])
        assert _brute_force_loss(reach, cov.demand, chosen) == pytest.approx(best)
        greedy = siting.closures_greedy(cov, k)
        assert greedy.lost >= best - 1e-9
        picked = tuple(cov.sites.index[cov.sites["site_id"].isin(greedy.offers["site_id"])])
        assert greedy.lost == pytest.approx(_brute_force_loss(reach, cov.demand, picked))


@pytest.mark.parametrize("seed", range(6))
def test_exact_equals_brute_force_and_greedy_keeps_its_guarantee(seed):
    cov = _random_coverage(np.random.default_rng(100 + seed), cells=60, sites=10, size=2_000, threshold=450)
    reach = cov.matrix.toarray() > 0
    for k in (1, 2, 3):
        best = max(cov.demand[reach[:, list(s)].any(axis=1)].sum() for s in itertools.combinations(range(10), k))
        exact = siting.exact(cov, SitingParams(sites=k))
        greedy = siting.greedy(cov, SitingParams(sites=k))
        assert exact.objective == pytest.approx(best) and exact.proven_optimal
        assert (1 - 1 / np.e) * best - 1e-9 <= greedy.objective <= best + 1e-9
        assert exact.sites["gain"].is_monotonic_decreasing  # ranked by marginal gain


def test_the_greedy_curve_rises_ever_more_slowly():
    cov = _random_coverage(np.random.default_rng(11), cells=3_000, sites=400, size=6_000, threshold=500)
    curve = siting.marginal_curve(cov, SitingParams(sites=25))
    assert len(curve) == 25
    assert curve["greedy"].is_monotonic_increasing and (curve["gain"] > 0).all()
    assert curve["gain"].is_monotonic_decreasing  # coverage is submodular: each site adds no more than the last
    assert curve["greedy"].iloc[-1] <= cov.reachable


def test_served_cells_point_back_into_the_cell_table():
    pairs = Pairs(np.array([0, 2, 3]), np.array([0, 0, 1]), np.array([10.0, 20.0, 30.0]))
    sites = siting.candidate_table(pd.DataFrame({"x": [0.0, 1.0], "y": [0.0, 0.0]}), None)
    cov = siting.from_pairs(pairs, np.array([5.0, 0.0, 7.0, 1.0]), sites, cells=np.array([10, 11, 12, 13]))
    assert cov.cells.tolist() == [10, 12, 13]  # cell 11 has no demand
    result = siting.greedy(cov, SitingParams(sites=1))
    assert result.served.to_dict() == {10: 5, 12: 7, 13: 0}


def _random_coverage(rng, cells: int, sites: int, size: float, threshold: float) -> siting.Coverage:
    xy = rng.uniform(0, size, (cells, 2))
    demand = rng.integers(1, 60, cells).astype(float)
    table = siting.candidate_table(
        pd.DataFrame({"x": rng.uniform(0, size, sites), "y": rng.uniform(0, size, sites)}), None
    )
    return siting.from_pairs(StraightLine().within(xy, table[["x", "y"]].to_numpy(), threshold), demand, table)


# --- PySAL spopt as the peer -------------------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # PuLP 3.3 announces its 4.0 API on every variable
@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("distances", ["straight_line", "cost_matrix"])
def test_exact_equals_spopt_mclp(seed, distances):
    """spopt's MCLP (PuLP + CBC) and ``exact`` (HiGHS) reach the same optimum on a few hundred points."""
    locate = pytest.importorskip("spopt.locate", reason="spopt (PySAL) is not installed: pip install spopt==0.7.0")
    pulp = pytest.importorskip("pulp", reason="pulp comes with spopt")
    rng = np.random.default_rng(seed)
    demand_xy, site_xy = rng.uniform(0, 5_000, (300, 2)), rng.uniform(0, 5_000, (50, 2))
    weights, radius, p = rng.integers(1, 100, 300).astype(float), 700.0, 5
    sites = siting.candidate_table(pd.DataFrame({"x": site_xy[:, 0], "y": site_xy[:, 1]}), None)
    if distances == "straight_line":
        demand = gpd.GeoDataFrame({"w": weights}, geometry=gpd.points_from_xy(*demand_xy.T), crs=3035)
        facilities = gpd.GeoDataFrame({"id": range(50)}, geometry=gpd.points_from_xy(*site_xy.T), crs=3035)
        peer = locate.MCLP.from_geodataframe(demand, facilities, "geometry", "geometry", "w", radius, p)
        pairs = StraightLine().within(demand_xy, site_xy, radius)
    else:  # e.g. walking distances from elsewhere: straight line times a detour drawn per pair
        cost = np.hypot(*(demand_xy[:, None, :] - site_xy[None, :, :]).transpose(2, 0, 1)) * rng.uniform(
            1, 1.6, (300, 50)
        )
        peer = locate.MCLP.from_cost_matrix(cost, weights, radius, p)
        origin, target = np.nonzero(cost <= radius)
        pairs = Pairs(origin, target, cost[origin, target])
    peer.solve(pulp.PULP_CBC_CMD(msg=False))
    ours = siting.exact(siting.from_pairs(pairs, weights, sites), SitingParams(sites=p))
    assert ours.proven_optimal
    assert ours.objective == pytest.approx(peer.problem.objective.value())


def test_sites_taken_into_the_scenario_reach_whom_the_engine_said_and_survive_a_link():
    """The planned offers count for the analysis and, placed as a link keeps them, cover the promised residents."""
    from dashboard.analysis.gaps import with_scenario
    from dashboard.model import share_state

    city = prepare(tiny_workspace())
    params = GapParams(target_group="senioren", threshold_m=400)
    before = analyse(city, params)
    candidates = siting.candidate_cells(city)
    found = siting.exact(siting.coverage(before, candidates), SitingParams(sites=2))
    planned = siting.planned_offers(found, params, candidates)
    assert all(o.capacity is None for o in planned)  # cells have no known capacity
    assert len(planned) == len(found.sites) and all(o.target_groups == ("senioren",) for o in planned)
    after = with_scenario(city, before, Scenario(planned))
    newly = float(
        (after.cells["demand"] * after.cells["covered"]).sum()
        - (before.cells["demand"] * before.cells["covered"]).sum()
    )
    assert newly == pytest.approx(found.objective)
    state = share_state.ViewState("luecken", fields={"scenario": Scenario(planned)})
    again, notices = share_state.decode(share_state.encode(state))
    assert notices == [] and again.get("scenario").added == planned


def test_places_fill_only_candidates_without_their_own():
    listed = pd.DataFrame({"site_id": ["a", "b", "c"], "capacity": [25.0, None, "?"]})
    assert list(siting.with_places(listed, 40)["capacity"]) == [25.0, 40.0, 40.0]
