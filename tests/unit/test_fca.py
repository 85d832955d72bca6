"""2SFCA against hand-computed values, the PySAL ``access`` peer and the supply-conservation identity."""

import warnings

import numpy as np
import pandas as pd
import pytest

from dashboard.analysis.distance import Pairs, StraightLine
from dashboard.analysis.fca import accessibility, two_step_fca

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from access import Access


def pysal_2sfca(demand, supply, origin, dest, cost, max_cost):
    """PySAL's raw 2SFCA (``normalize=False``) per demand location, in input order."""
    demand_df = pd.DataFrame({"cell": np.arange(len(demand)), "residents": demand})
    supply_df = pd.DataFrame({"offer": np.arange(len(supply)), "places": supply})
    cost_df = pd.DataFrame({"origin": origin, "dest": dest, "cost": cost})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas 3 deprecations inside access
        peer = Access(
            demand_df=demand_df,
            demand_index="cell",
            demand_value="residents",
            supply_df=supply_df,
            supply_index="offer",
            supply_value="places",
            cost_df=cost_df,
            cost_origin="origin",
            cost_dest="dest",
            cost_name="cost",
        ).two_stage_fca(name="peer", max_cost=max_cost, normalize=False)
    return peer["peer_places"].reindex(np.arange(len(demand))).to_numpy(dtype=float)


def reached(pairs: Pairs, n_origins: int) -> np.ndarray:
    return np.bincount(pairs.origin, minlength=n_origins) > 0


def test_hand_computed_three_cells_two_offers():
    """Cells on a line at x = 0, 400, 1000 m with 100, 200, 300 residents;
    offer A at x = 200 (30 places), offer B at x = 900 (10 places); catchment 500 m.

    In reach: A <- cells 0 (200 m), 1 (200 m); B <- cells 1 (exactly 500 m, inclusive), 2 (100 m).
    R_A = 30 / (100 + 200) = 0.1      R_B = 10 / (200 + 300) = 0.02
    A_0 = R_A = 0.1   A_1 = R_A + R_B = 0.12   A_2 = R_B = 0.02
    i.e. 100, 120 and 20 places per 1,000 residents.
    """
    cells = [[0, 0], [400, 0], [1000, 0]]
    offers = [[200, 0], [900, 0]]
    scores = accessibility(cells, [100, 200, 300], offers, [30, 10], StraightLine(), 500)
    assert scores == pytest.approx([0.1, 0.12, 0.02], rel=1e-12)
    assert scores * 1000 == pytest.approx([100, 120, 20], rel=1e-12)


def test_nothing_in_reach_scores_zero_and_bad_input_is_refused():
    no_offers = accessibility([[0, 0], [5, 5]], [10, 20], np.zeros((0, 2)), [], StraightLine(), 500)
    assert no_offers.tolist() == [0, 0]
    assert accessibility([[0, 0]], [10], [[900, 0]], [5], StraightLine(), 500).tolist() == [0.0]
    with pytest.raises(ValueError):
        accessibility([[0, 0]], [np.nan], [[0, 0]], [5], StraightLine(), 500)
    with pytest.raises(ValueError):
        accessibility([[0, 0]], [10], [[0, 0]], [-1], StraightLine(), 500)
    with pytest.raises(ValueError):
        accessibility([[0, 0], [1, 1]], [10], [[0, 0]], [5], StraightLine(), 500)


def test_detour_factor_shrinks_the_catchment():
    """Offers at 300 m and 400 m straight line; with detour 1.5 they are 450 m and 600 m away."""
    cell, offers, places = [[0, 0]], [[300, 0], [0, 400]], [1, 2]
    assert accessibility(cell, [10], offers, places, StraightLine(detour=1.0), 500) == pytest.approx([0.3])
    assert accessibility(cell, [10], offers, places, StraightLine(detour=1.5), 500) == pytest.approx([0.1])


def random_city(seed, n_cells=2000, n_offers=60, size_m=5000):
    rng = np.random.default_rng(seed)
    cells = rng.uniform(0, size_m, (n_cells, 2))
    offers = rng.uniform(0, size_m, (n_offers, 2))
    demand = rng.integers(1, 300, n_cells).astype(float)
    supply = rng.uniform(5, 80, n_offers)
    return cells, demand, offers, supply


def test_matches_pysal_on_a_random_city_with_all_pairs_as_costs():
    cells, demand, offers, supply = random_city(seed=2016)
    method, catchment = StraightLine(detour=1.3), 500.0
    everything = method.within(cells, offers, 1e9)
    assert len(everything.origin) == len(cells) * len(offers)

    ours = accessibility(cells, demand, offers, supply, method, catchment)
    theirs = pysal_2sfca(demand, supply, everything.origin, everything.target, everything.distance, catchment)

    inside = reached(method.within(cells, offers, catchment), len(cells))
    assert 0 < inside.sum() < len(cells)
    assert np.isnan(theirs[~inside]).all() and (ours[~inside] == 0).all()
    np.testing.assert_allclose(ours[inside], theirs[inside], rtol=1e-9)


def test_matches_pysal_with_zero_supply_zero_demand_and_cells_out_of_reach():
    """A town with zero-demand cells and zero-capacity offers, a hamlet without residents
    around one offer (PySAL: inf there), and outskirts with residents but no offer (PySAL: NaN)."""
    rng = np.random.default_rng(7)
    town = rng.uniform(0, 2000, (400, 2))
    town_demand = rng.integers(1, 200, 400).astype(float) * (rng.random(400) > 0.3)
    town_offers = rng.uniform(0, 2000, (15, 2))
    town_supply = rng.uniform(1, 50, 15)
    town_supply[[0, 3, 7, 11]] = 0.0
    hamlet = rng.uniform(-150, 150, (6, 2)) + 8000
    outskirts = rng.uniform(-150, 150, (6, 2)) + [0, 9000]

    cells = np.vstack([town, hamlet, outskirts])
    demand = np.concatenate([town_demand, np.zeros(6), [40, 12, 7, 90, 3, 25]])
    offers = np.vstack([town_offers, [[8000, 8000]]])
    supply = np.append(town_supply, 20.0)
    method, catchment = StraightLine(detour=1.2), 400.0
    pairs = method.within(cells, offers, catchment)

    ours = two_step_fca(demand, supply, pairs)
    theirs = pysal_2sfca(demand, supply, pairs.origin, pairs.target, pairs.distance, catchment)

    in_hamlet = np.zeros(len(cells), dtype=bool)
    in_hamlet[400:406] = True
    inside = reached(pairs, len(cells))
    assert np.isin([0, 3, 7, 11], pairs.target).any(), "a zero-capacity offer must be in someone's reach"
    assert np.any((demand == 0) & (ours > 0)), "zero-demand cells share offers with residents"
    assert not inside[406:].any() and inside[400:406].all()

    assert np.isnan(theirs[~inside]).all() and (ours[~inside] == 0).all()
    assert np.isposinf(theirs[in_hamlet]).all() and (ours[in_hamlet] == 0).all()
    defined = inside & ~in_hamlet
    assert np.isfinite(theirs[defined]).all()
    np.testing.assert_allclose(ours[defined], theirs[defined], rtol=1e-9)

    # Our rule equals PySAL once the offer that reaches no residents has no capacity.
    supply_without_hamlet = np.append(town_supply, 0.0)
    theirs = pysal_2sfca(demand, supply_without_hamlet, pairs.origin, pairs.target, pairs.distance, catchment)
    np.testing.assert_array_equal(two_step_fca(demand, supply_without_hamlet, pairs), ours)
    np.testing.assert_allclose(ours[inside], theirs[inside], rtol=1e-9)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_residents_times_score_adds_up_to_the_supply_that_reaches_residents(seed):
    """sum_i D_i * A_i = sum of S_j over offers with any demand in reach (a 2SFCA identity).

    Beside the town: an offer reached by one cell without residents, and one reached by nobody.
    """
    cells, demand, offers, supply = random_city(seed, n_cells=800, n_offers=40, size_m=4000)
    demand[::5] = 0.0
    cells, demand = np.vstack([cells, [[10050, 10000]]]), np.append(demand, 0.0)
    offers, supply = np.vstack([offers, [[10000, 10000], [20000, 0]]]), np.append(supply, [15.0, 9.0])
    pairs = StraightLine(detour=1.2).within(cells, offers, 400)
    scores = two_step_fca(demand, supply, pairs)

    serves_residents = np.zeros(len(offers), dtype=bool)
    serves_residents[pairs.target[demand[pairs.origin] > 0]] = True
    assert serves_residents[:40].all() and not serves_residents[40:].any()
    assert (demand * scores).sum() == pytest.approx(supply[serves_residents].sum(), rel=1e-9)
