"""Where should the next offer go? Maximal coverage siting, its capacity-aware variant, and closures.

The gap analysis shows where members of a target group live beyond the threshold of every
qualifying offer. The planner's next question is which few places would reach most of them: the
maximal covering location problem (MCLP). Choose N sites among candidates so that the target-group
residents who are not yet covered, and lie within the threshold of a chosen site, are as many as
possible. Cells that existing offers already cover do not count: a new site there helps nobody.

A site covers a cell exactly when the analysis' own ``DistanceMethod`` (straight line × detour, or
the walking network) puts it within the threshold, so "covered" means here what it means on the
map after the site is added as a scenario offer.

- ``greedy``: add the site that newly covers the most, N times. Instant and nested (its first k
  sites are its answer for k sites, so one run gives the marginal curve), and coverage being
  submodular it never falls below 1 − 1/e ≈ 63 % of the optimum; in practice it is usually at or
  near the optimum, and ``exact`` tells how near.
- ``exact``: the same problem as a mixed-integer programme, solved by HiGHS (``scipy.optimize.milp``)
  with a time limit; a flag says whether optimality was proven.
- ``capacitated``: each site serves at most its capacity, so a small site among many people counts
  for its places, not for everyone in reach.
- ``closures_exact`` / ``closures_greedy``: the reverse question — which k existing offers could
  close while leaving the fewest residents uncovered — and ``sole_coverage``, whom each offer alone
  reaches.

Candidates are the populated 100 m cell centres of the city or one Stadtbezirk (``candidate_cells``)
or a list from elsewhere (``candidate_table``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from dashboard.analysis.city import City
from dashboard.analysis.distance import Pairs
from dashboard.analysis.filters import in_bezirk
from dashboard.analysis.gaps import GapParams, GapResult
from dashboard.model import schema, share_state
from dashboard.model.areas import assign_points
from dashboard.model.projection import transform
from dashboard.model.scenario import NewOffer

#: ``reason`` code of a candidate made from a populated cell, and of a listed one that gives no reason.
POPULATED_CELL = "bewohnte_zelle"
LISTED = "vorgeschlagen"
#: Ids of candidates made from populated cells (+ the cell's position in ``City.cells``) and of listed ones without id.
CELL_PREFIX = "zelle-"
SITE_PREFIX = "standort-"
#: Columns of every candidate table; ``capacity`` may be NaN (``coverage`` fills it).
CANDIDATE_COLUMNS = ["site_id", "name", "reason", "capacity", "x", "y", "area_id"]
#: HiGHS status "optimal" as ``scipy.optimize.milp`` reports it.
_OPTIMAL = 0
#: Columns per sparse product when looking for dominated sites (memory grows with it).
_BLOCK = 2_000


@dataclass(frozen=True)
class SitingParams:
    """How many sites to choose and how long the exact solver may search; hashable, so results can be cached.

    ``mip_rel_gap`` 0 makes "optimal" mean proven optimal; a larger gap lets HiGHS stop once its
    solution is provably within that share of the optimum (then ``proven_optimal`` means "within the gap").
    HiGHS does not check the time limit inside its presolve, so a run with presolve (``capacitated``)
    can overrun it.
    """

    sites: int = 5
    time_limit_s: float = 60.0
    mip_rel_gap: float = 0.0


@dataclass(frozen=True, eq=False)
class Coverage:
    """Which demand cells each site reaches within the threshold: the one input of every solver here.

    ``matrix`` has one row per cell with demand (target-group residents) and one column per site, 1
    where the site lies within the threshold; ``cells`` names each row's position in the cell table
    it came from (``GapResult.cells``), ``sites`` each column (``CANDIDATE_COLUMNS``).
    """

    matrix: sparse.csr_array
    demand: np.ndarray
    cells: np.ndarray
    sites: pd.DataFrame

    @cached_property
    def by_site(self) -> sparse.csr_array:
        """The transpose, one row per site: the cells each site reaches, read as a slice."""
        return self.matrix.T.tocsr()

    @property
    def reachable(self) -> float:
        """Demand of the rows, reached by a site or not: all there is to cover."""
        return float(self.demand.sum())


@dataclass(frozen=True)
class ModelSize:
    """Size and run of one mixed-integer programme, for the method note and the benchmarks."""

    variables: int
    integers: int
    constraints: int
    nonzeros: int
    seconds: float
    message: str


@dataclass(frozen=True, eq=False)
class SitingResult:
    """Chosen sites in rank order with the residents each newly covers, and how the answer was found.

    ``sites``: ``rank``, the candidate columns, ``gain`` (residents newly covered by this site given
    the ones ranked before it; residents assigned to it in the capacity-aware variant) and ``cumulative``.
    ``served``: residents newly covered (assigned) per cell, indexed by the cell's position.
    ``bound``: the best objective the MILP could not rule out (equal to ``objective`` when optimal).
    ``ratio_to_optimum``: greedy objective / exact objective, once both are known (``with_optimum``).
    """

    method: str
    sites: pd.DataFrame
    objective: float
    reachable: float
    served: pd.Series
    seconds: float
    proven_optimal: bool | None = None
    bound: float | None = None
    model: ModelSize | None = None
    ratio_to_optimum: float | None = None


@dataclass(frozen=True, eq=False)
class ClosureResult:
    """The offers that could close at the least loss, in removal order, and the residents they leave uncovered.

    ``offers``: ``rank``, the site columns, ``lost`` (residents newly uncovered when this offer closes
    after the ones ranked before it), ``cumulative`` and ``alone`` (residents only this offer reaches today).
    """

    method: str
    offers: pd.DataFrame
    lost: float
    seconds: float
    proven_optimal: bool | None = None
    bound: float | None = None
    model: ModelSize | None = None


# --- candidates --------------------------------------------------------------------------------------------------


def candidate_cells(city: City, bezirk: str | None = None) -> pd.DataFrame:
    """Every populated 100 m cell centre of the city or of Stadtbezirk ``bezirk``: the default candidates.

    Where people live a site can be reached by many; whether a room is free there is for the planner
    to find out, so the reason says only that people live in the cell.
    """
    cells = city.cells
    keep = np.flatnonzero(in_bezirk(cells, city.units, bezirk) & (cells["residents"].fillna(0).to_numpy() > 0))
    return pd.DataFrame(
        {
            "site_id": [f"{CELL_PREFIX}{i}" for i in keep],
            "name": "",
            "reason": POPULATED_CELL,
            "capacity": np.nan,
            "x": cells["x"].to_numpy(dtype=float)[keep],
            "y": cells["y"].to_numpy(dtype=float)[keep],
            "area_id": cells["area_id"].to_numpy(dtype=object)[keep],
        },
        columns=CANDIDATE_COLUMNS,
    )


def with_places(candidates: pd.DataFrame, places: int) -> pd.DataFrame:
    """The candidates with ``places`` as the capacity of every one that names none of its own (for
    ``capacitated``): a planned Treff of 40 places serves at most 40 residents, a listed room its own number."""
    return candidates.assign(capacity=pd.to_numeric(candidates["capacity"], errors="coerce").fillna(float(places)))


def candidate_table(points: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """Candidates from elsewhere (free rooms, a council list) in the form of ``candidate_cells``.

    ``points`` is a GeoDataFrame of points in any CRS (areas are assigned from ``units``, a layer in
    ``schema.ANALYSIS_CRS`` such as ``City.units``), or a plain table with ``x``/``y`` in
    ``schema.ANALYSIS_CRS`` (``area_id`` taken from the table when it has one). Optional columns
    ``site_id``, ``name``, ``reason``, ``capacity``; a missing reason becomes ``LISTED``.
    """
    n = len(points)
    if hasattr(points, "to_crs"):
        if points.crs is None:
            raise ValueError("candidate points without a coordinate reference system")
        located = points.to_crs(schema.ANALYSIS_CRS).geometry
        located = located if (located.geom_type == "Point").all() else located.representative_point()
        x, y = located.x.to_numpy(dtype=float), located.y.to_numpy(dtype=float)
        area = assign_points(located, units).to_numpy(dtype=object)
    else:
        x, y = points["x"].to_numpy(dtype=float), points["y"].to_numpy(dtype=float)
        area = points["area_id"].to_numpy(dtype=object) if "area_id" in points else np.full(n, None, dtype=object)
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise ValueError("candidate points need finite coordinates")

    def text(name: str, default: str) -> np.ndarray:
        if name not in points:
            return np.full(n, default, dtype=object)
        values = points[name].astype("string").str.strip()
        return values.mask(values.fillna("") == "", default).to_numpy(dtype=object)

    ids = text("site_id", "")
    ids[ids == ""] = [f"{SITE_PREFIX}{i + 1}" for i in np.flatnonzero(ids == "")]
    capacity = (
        pd.to_numeric(points["capacity"], errors="coerce") if "capacity" in points else pd.Series(np.nan, range(n))
    )
    return pd.DataFrame(
        {
            "site_id": ids,
            "name": text("name", ""),
            "reason": text("reason", LISTED),
            "capacity": capacity.to_numpy(dtype=float),
            "x": x,
            "y": y,
            "area_id": area,
        },
        columns=CANDIDATE_COLUMNS,
    )


# --- coverage ----------------------------------------------------------------------------------------------------


def from_pairs(pairs: Pairs, demand: np.ndarray, sites: pd.DataFrame, cells: np.ndarray | None = None) -> Coverage:
    """Coverage from origin–site pairs within the threshold; origins without demand are left out.

    ``demand`` has one value per origin; ``cells`` the origins' positions in the caller's cell table
    (``0..n-1`` when None). The building block of ``coverage`` and of comparisons with other solvers.
    """
    demand = np.asarray(demand, dtype=float).reshape(-1)
    cells = np.arange(len(demand)) if cells is None else np.asarray(cells)
    keep = demand > 0
    row = np.full(len(demand), -1, dtype=np.intp)
    row[keep] = np.arange(int(keep.sum()))
    inside = keep[pairs.origin]
    matrix = sparse.csr_array(
        (np.ones(int(inside.sum())), (row[pairs.origin[inside]], pairs.target[inside])),
        shape=(int(keep.sum()), len(sites)),
    )
    matrix.sum_duplicates()
    matrix.data[:] = 1.0
    return Coverage(matrix, demand[keep], cells[keep], sites.reset_index(drop=True))


def coverage(result: GapResult, candidates: pd.DataFrame) -> Coverage:
    """Which uncovered members of the target group each candidate would reach, by the result's distance method.

    Only cells the existing qualifying offers leave uncovered count. A candidate without capacity
    gets the median supply of the qualifying offers (1 without any): the capacity ``gaps`` gives an
    offer whose capacity is unknown.
    """
    cells = result.cells
    open_ = np.flatnonzero(~cells["covered"].to_numpy(dtype=bool) & (cells["demand"].to_numpy() > 0))
    xy = cells[["x", "y"]].to_numpy(dtype=float)[open_]
    pairs = result.method.within(xy, candidates[["x", "y"]].to_numpy(dtype=float), result.params.threshold)
    supply = result.offers["supply"] if len(result.offers) else pd.Series(dtype=float)
    fallback = float(supply.median()) if supply.notna().any() else 1.0
    sites = candidates[CANDIDATE_COLUMNS].assign(capacity=candidates["capacity"].astype(float).fillna(fallback))
    return from_pairs(pairs, cells["demand"].to_numpy(dtype=float)[open_], sites, open_)


def offer_coverage(result: GapResult) -> Coverage:
    """Which members of the target group each existing qualifying offer reaches: the input of closures.

    Columns are ``result.offers`` (site id = offer id, reason = category, capacity = 2SFCA supply).
    """
    cells, offers = result.cells, result.offers
    with_demand = np.flatnonzero(cells["demand"].to_numpy() > 0)
    xy = cells[["x", "y"]].to_numpy(dtype=float)[with_demand]
    pairs = result.method.within(xy, offers[["x", "y"]].to_numpy(dtype=float), result.params.threshold)
    sites = pd.DataFrame(
        {
            "site_id": offers["offer_id"].to_numpy(dtype=object),
            "name": offers["name"].to_numpy(dtype=object),
            "reason": offers["category"].to_numpy(dtype=object),
            "capacity": offers["supply"].to_numpy(dtype=float),
            "x": offers["x"].to_numpy(dtype=float),
            "y": offers["y"].to_numpy(dtype=float),
            "area_id": offers["area_id"].to_numpy(dtype=object),
        },
        columns=CANDIDATE_COLUMNS,
    )
    return from_pairs(pairs, cells["demand"].to_numpy(dtype=float)[with_demand], sites, with_demand)


# --- maximal coverage --------------------------------------------------------------------------------------------


def greedy(cov: Coverage, params: SitingParams = SitingParams()) -> SitingResult:
    """Up to ``params.sites`` sites, each the one that newly covers the most given those before it.

    Gains are kept for all candidates at once and lowered only where a pick covered new cells, so a
    step costs the cells it covers, not a pass over the matrix. Stops early when no candidate adds
    anyone (then every reachable cell is covered). Ties go to the candidate listed first.
    """
    start = time.perf_counter()
    order, gains = _greedy_order(cov, np.arange(cov.matrix.shape[1]), params.sites)
    return _result(cov, "greedy", order, gains, time.perf_counter() - start)


def exact(cov: Coverage, params: SitingParams = SitingParams()) -> SitingResult:
    """The sites that together newly cover the most, as a mixed-integer programme (HiGHS).

    Maximise ``Σ demand_i · z_i`` subject to ``z_i ≤ Σ_{j reaches i} y_j`` per cell, ``Σ y_j ≤ N``,
    ``y_j ∈ {0, 1}`` (site chosen), ``0 ≤ z_i ≤ 1`` (cell covered; integral at the optimum, so it need
    not be declared integer). Only cells with demand that some candidate reaches, and candidates that
    reach one and that no other candidate dominates, enter; cells reaching the same candidates are
    merged. The sites are then ranked by marginal gain. Without any solution within the time limit,
    the greedy sites are returned, flagged as not proven optimal.
    """
    start = time.perf_counter()
    rows, cols = _useful(cov)
    reach = cov.matrix[rows][:, cols]
    kept = _undominated(reach, np.zeros(len(cols)), 1)
    cols = cols[kept]
    merged, demand, _ = _merged_rows(reach[:, kept], cov.demand[rows])
    n, m = merged.shape
    if n == 0:
        return _result(cov, "exact", np.zeros(0, np.intp), np.zeros(0), time.perf_counter() - start, True, 0.0)
    constraints = sparse.block_array(
        [
            [-merged, sparse.eye_array(n)],  # z_i − Σ_j y_j ≤ 0
            [_ones(m), None],  # Σ y_j ≤ N
        ],
        format="csr",
    )
    upper = np.concatenate([np.zeros(n), [params.sites]])
    solved, size = _solve(
        np.concatenate([np.zeros(m), -demand]),
        np.concatenate([np.ones(m), np.zeros(n)]),
        Bounds(0, 1),
        LinearConstraint(constraints, -np.inf, upper),
        params,
    )
    if solved.x is None:
        fallback = greedy(cov, params)
        return replace(fallback, method="exact", proven_optimal=False, model=size, seconds=time.perf_counter() - start)
    order, gains = _greedy_order(cov, cols[solved.x[:m] > 0.5], params.sites)
    optimal, bound = _verdict(solved, sign=-1.0)
    found = _result(cov, "exact", order, gains, time.perf_counter() - start, optimal, bound, size)
    if not optimal and (quick := greedy(cov, params)).objective > found.objective:
        # stopped at the time limit with less than greedy has: the better answer, still not proven
        return replace(quick, method="exact", proven_optimal=False, bound=bound, model=size, seconds=found.seconds)
    return found


def with_optimum(greedy_result: SitingResult, exact_result: SitingResult) -> SitingResult:
    """The greedy result with its ratio to the exact one (1 = greedy found an optimum; above 1 only when the
    exact run stopped at its time limit before catching up)."""
    best = exact_result.objective
    return replace(greedy_result, ratio_to_optimum=greedy_result.objective / best if best > 0 else 1.0)


def marginal_curve(cov: Coverage, params: SitingParams = SitingParams(), with_exact: bool = False) -> pd.DataFrame:
    """Residents newly covered with 1, 2, … new sites: when does one more stop paying off?

    One greedy run gives the whole curve, because greedy is nested. With ``with_exact`` the optimum
    for each k is solved too (k MILPs; the optimal sites for k + 1 need not contain those for k), with
    the greedy/exact ratio. Rows end where greedy stops, i.e. where every reachable cell is covered.
    """
    result = greedy(cov, params)
    table = pd.DataFrame(
        {
            "sites": result.sites["rank"].to_numpy(),
            "site_id": result.sites["site_id"].to_numpy(),
            "gain": result.sites["gain"].to_numpy(),
            "greedy": result.sites["cumulative"].to_numpy(),
        }
    )
    if with_exact:
        optima = [exact(cov, replace(params, sites=int(k))) for k in table["sites"]]
        table["exact"] = [o.objective for o in optima]
        table["proven_optimal"] = [o.proven_optimal for o in optima]
        table["ratio"] = table["greedy"] / table["exact"].where(table["exact"] > 0)
    return table


def capacitated(cov: Coverage, params: SitingParams = SitingParams()) -> SitingResult:
    """Sites where each serves at most its capacity (``sites["capacity"]``, residents), as a MILP (HiGHS).

    Maximise ``Σ z_ij`` (residents of cell i assigned to site j, only for pairs within the threshold)
    subject to ``Σ_i z_ij ≤ capacity_j · y_j`` per site, ``Σ_j z_ij ≤ demand_i`` per cell,
    ``z_ij ≤ demand_i · y_j`` where ``demand_i < capacity_j`` (implied elsewhere; redundant for the
    integer problem, but it tightens the relaxation a lot), ``Σ y_j ≤ N`` and ``y_j ∈ {0, 1}``. A
    candidate that N others dominate (same cells or more, capacity as large) is left out. Sites are
    ranked by the residents assigned to them. A greedy assignment comes first: when it fills the N
    largest capacities or serves everyone, it is optimal and no MILP is solved. When the time limit
    ends the search with less than the greedy assignment serves (or with nothing), the greedy sites
    are returned, flagged as not proven.

    How it relates to the 2SFCA of ``gaps`` (supply = capacity): the 2SFCA spreads a site's
    capacity over everyone in its catchment, ``R_j = S_j / D_j``, and serves nobody in particular;
    this model assigns the places to residents. A chosen site whose catchment no other chosen site
    shares serves ``min(S_j, D_j) = D_j · min(1, R_j)`` residents — its 2SFCA ratio, capped at one
    place per resident. Where catchments overlap, the 2SFCA splits a cell's demand among its sites
    in proportion, the model in the split that serves the most. Without binding capacities it is
    the plain maximal coverage problem of ``exact``.
    """
    start = time.perf_counter()
    capacity = cov.sites["capacity"].to_numpy(dtype=float)
    if not (np.isfinite(capacity).all() and (capacity >= 0).all()):
        raise ValueError("every site needs a finite, non-negative capacity")
    quick = _capacitated_greedy(cov, capacity, params.sites)
    ceiling = min(cov.reachable, float(np.sort(capacity)[::-1][: params.sites].sum()))
    if quick.objective >= ceiling * (1 - 1e-9):  # every place filled, or everyone served: nothing can do better
        return replace(quick, proven_optimal=True, bound=ceiling, seconds=time.perf_counter() - start)
    rows, cols = _useful(cov, capacity > 0)
    reach = cov.matrix[rows][:, cols]
    kept = _undominated(reach, capacity[cols], params.sites)
    cols = cols[kept]
    merged, demand, group = _merged_rows(reach[:, kept], cov.demand[rows])
    cap = capacity[cols]
    n, m = merged.shape
    if n == 0:
        return _result(cov, "capacitated", np.zeros(0, np.intp), np.zeros(0), time.perf_counter() - start, True, 0.0)
    pairs = merged.tocoo()
    cell, site, p = pairs.row, pairs.col, len(pairs.row)
    z = np.arange(p)
    to_site = sparse.csr_array((np.ones(p), (site, z)), shape=(m, p))
    from_cell = sparse.csr_array((np.ones(p), (cell, z)), shape=(n, p))
    tight = np.flatnonzero(demand[cell] < cap[site])  # elsewhere z_ij ≤ capacity_j · y_j already follows
    q = len(tight)
    opened = sparse.csr_array((demand[cell[tight]], (np.arange(q), site[tight])), shape=(q, m))
    picked = sparse.csr_array((np.ones(q), (np.arange(q), tight)), shape=(q, p))
    constraints = sparse.block_array(
        [
            [-sparse.diags_array(cap), to_site],  # Σ_i z_ij − capacity_j · y_j ≤ 0
            [None, from_cell],  # Σ_j z_ij ≤ demand_i
            [-opened, picked],  # z_ij − demand_i · y_j ≤ 0
            [_ones(m), None],  # Σ y_j ≤ N
        ],
        format="csr",
    )
    upper = np.concatenate([np.zeros(m), demand, np.zeros(q), [params.sites]])
    solved, size = _solve(
        np.concatenate([np.zeros(m), -np.ones(p)]),
        np.concatenate([np.ones(m), np.zeros(p)]),
        Bounds(0, np.concatenate([np.ones(m), demand[cell]])),
        LinearConstraint(constraints, -np.inf, upper),
        params,
        presolve=True,  # shrinks this model a lot: Berlin-size Bezirk 16–27 s instead of 100 s or beyond the limit
    )
    if solved.x is None:
        return replace(quick, proven_optimal=False, model=size, seconds=time.perf_counter() - start)
    chosen = solved.x[:m] > 0.5
    assigned = np.where(chosen[site], np.clip(solved.x[m:], 0, None), 0.0)
    per_site = np.bincount(site, weights=assigned, minlength=m)
    order = np.flatnonzero(chosen & (per_site > 1e-9))
    order = order[np.argsort(-per_site[order], kind="stable")]
    per_group = np.bincount(cell, weights=assigned, minlength=n)
    served = cov.demand[rows] * (per_group / demand)[group]  # a group's residents shared in proportion to demand
    optimal, bound = _verdict(solved, sign=-1.0)
    if not optimal and quick.objective > per_site[order].sum():
        # stopped at the time limit with less than the greedy assignment: the better answer, still not proven
        return replace(quick, proven_optimal=False, bound=bound, model=size, seconds=time.perf_counter() - start)
    return SitingResult(
        method="capacitated",
        sites=_ranked(cov.sites.iloc[cols[order]], per_site[order]),
        objective=float(per_site[order].sum()),
        reachable=cov.reachable,
        served=pd.Series(served, index=cov.cells[rows]),
        seconds=time.perf_counter() - start,
        proven_optimal=optimal,
        bound=bound,
        model=size,
    )


def _capacitated_greedy(cov: Coverage, capacity: np.ndarray, sites: int) -> SitingResult:
    """Each step the site that serves the most of the residents still unserved in its reach, up to its
    capacity, taking the same share of every reached cell: a feasible answer to ``capacitated``'s model
    in milliseconds, returned when the MILP finds nothing better within its time limit."""
    start = time.perf_counter()
    by_site, remaining = cov.by_site, cov.demand.astype(float).copy()
    order: list[int] = []
    gains: list[float] = []
    tolerance = 1e-9 * max(1.0, float(remaining.sum()))
    for _ in range(min(sites, len(capacity))):
        available = by_site @ remaining
        gain = np.minimum(available, capacity)
        gain[order] = -np.inf
        j = int(np.argmax(gain))
        if gain[j] <= tolerance:
            break
        reached = by_site.indices[by_site.indptr[j] : by_site.indptr[j + 1]]
        remaining[reached] *= 1 - gain[j] / available[j]
        order.append(j)
        gains.append(float(gain[j]))
    return SitingResult(
        method="capacitated",
        sites=_ranked(cov.sites.iloc[order], np.asarray(gains)),
        objective=float(sum(gains)),
        reachable=cov.reachable,
        served=pd.Series(cov.demand - remaining, index=cov.cells),
        seconds=time.perf_counter() - start,
        proven_optimal=None,
    )


# --- closures ----------------------------------------------------------------------------------------------------


def sole_coverage(cov: Coverage) -> pd.Series:
    """Residents each site alone reaches (no other site within the threshold), by site id.

    Closing an offer leaves exactly these uncovered; its other residents have another offer in reach.
    """
    return pd.Series(
        _alone(cov.matrix, cov.demand, np.ones(cov.matrix.shape[1], dtype=bool)), index=cov.sites["site_id"]
    )


def closures_greedy(cov: Coverage, k: int) -> ClosureResult:
    """``k`` offers closed one at a time, each the one whose closing now leaves the fewest newly uncovered.

    Closing one offer can make another the last in reach of some cells, so losses are recomputed after
    each step. Fast for any k; ``closures_exact`` says how far from the least possible loss it is.
    """
    start = time.perf_counter()
    order, losses = _closing_order(cov, np.arange(cov.matrix.shape[1]), k)
    return _closure_result(cov, "greedy", order, losses, time.perf_counter() - start)


def closures_exact(cov: Coverage, k: int, params: SitingParams = SitingParams()) -> ClosureResult:
    """The ``k`` offers whose closing together leaves the fewest residents uncovered, as a MILP (HiGHS).

    A cell is lost when every offer in its reach closes. With ``x_j`` = 1 for a closed offer and
    ``u_i`` = 1 for a lost cell: minimise ``Σ demand_i · u_i`` subject to
    ``Σ_{j reaches i} x_j − u_i ≤ c_i − 1`` (``c_i`` offers reach cell i) and ``Σ x_j = k``. Only cells
    with at most k offers in reach can be lost, so only they enter (cells reaching the same offers
    merged). ``params.sites`` is not used; the time limit and gap are.
    """
    start = time.perf_counter()
    m = cov.matrix.shape[1]
    if not 0 <= k <= m:
        raise ValueError(f"cannot close {k} of {m} offers")
    reach = np.diff(cov.matrix.indptr)
    rows = (reach >= 1) & (reach <= k) & (cov.demand > 0)
    merged, demand, _ = _merged_rows(cov.matrix[rows], cov.demand[rows])
    n = merged.shape[0]
    if n == 0:  # no cell has so few offers in reach that k closures could take them all
        order, losses = _closing_order(cov, np.arange(m), k)
        return _closure_result(cov, "exact", order, losses, time.perf_counter() - start, True, 0.0)
    constraints = sparse.block_array(
        [
            [merged, -sparse.eye_array(n)],  # Σ_j x_j − u_i ≤ c_i − 1
            [_ones(m), None],  # Σ x_j = k
        ],
        format="csr",
    )
    limits = np.concatenate([np.diff(merged.indptr) - 1.0, [k]])
    solved, size = _solve(
        np.concatenate([np.zeros(m), demand]),
        np.concatenate([np.ones(m), np.zeros(n)]),
        Bounds(0, 1),
        LinearConstraint(constraints, np.concatenate([np.full(n, -np.inf), [k]]), limits),
        params,
    )
    if solved.x is None:
        fallback = closures_greedy(cov, k)
        return replace(fallback, method="exact", proven_optimal=False, model=size, seconds=time.perf_counter() - start)
    order, losses = _closing_order(cov, np.flatnonzero(solved.x[:m] > 0.5), k)
    optimal, bound = _verdict(solved, sign=1.0)
    return _closure_result(cov, "exact", order, losses, time.perf_counter() - start, optimal, bound, size)


# --- shared steps ------------------------------------------------------------------------------------------------


def _greedy_order(cov: Coverage, allowed: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Columns of ``allowed`` in greedy order with each one's newly covered demand, at most ``count``.

    The ranking of an exact solution uses it too: the sites in the order in which they add most.
    """
    by_site, demand = cov.by_site, cov.demand
    gain = np.full(cov.matrix.shape[1], -np.inf)
    gain[allowed] = by_site[allowed] @ demand if len(allowed) else 0.0
    covered = np.zeros(len(demand), dtype=bool)
    order: list[int] = []
    gains: list[float] = []
    tolerance = 1e-9 * max(1.0, float(demand.sum()))
    for _ in range(min(count, len(allowed))):
        j = int(np.argmax(gain))
        rows = by_site.indices[by_site.indptr[j] : by_site.indptr[j + 1]]
        new = rows[~covered[rows]]
        added = float(demand[new].sum())
        if added <= tolerance:
            break
        covered[new] = True
        order.append(j)
        gains.append(added)
        reached = cov.matrix[new]
        gain -= np.bincount(
            reached.indices, weights=np.repeat(demand[new], np.diff(reached.indptr)), minlength=len(gain)
        )
        gain[j] = -np.inf
    return np.asarray(order, dtype=np.intp), np.asarray(gains, dtype=float)


def _closing_order(cov: Coverage, allowed: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Columns of ``allowed`` closed one by one, each time the one losing the least, with each one's loss."""
    m = cov.matrix.shape[1]
    if not 0 <= count <= len(allowed):
        raise ValueError(f"cannot close {count} of {len(allowed)} offers")
    open_ = np.ones(m, dtype=bool)
    order: list[int] = []
    losses: list[float] = []
    candidates = np.zeros(m, dtype=bool)
    candidates[allowed] = True
    for _ in range(count):
        loss = np.where(candidates & open_, _alone(cov.matrix, cov.demand, open_), np.inf)
        j = int(np.argmin(loss))
        order.append(j)
        losses.append(float(loss[j]))
        open_[j] = False
    return np.asarray(order, dtype=np.intp), np.asarray(losses, dtype=float)


def _alone(matrix: sparse.csr_array, demand: np.ndarray, open_: np.ndarray) -> np.ndarray:
    """Per column: demand of the rows that no other open column reaches (0 for closed columns)."""
    reached = matrix[:, open_] if not open_.all() else matrix
    columns = np.flatnonzero(open_)
    only = np.diff(reached.indptr) == 1
    last = reached.indices[reached.indptr[:-1][only]]
    alone = np.zeros(matrix.shape[1])
    alone[columns] = np.bincount(last, weights=demand[only], minlength=len(columns))
    return alone


def _useful(cov: Coverage, sites: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Rows with demand that an allowed site reaches, and allowed sites that reach one of them (positions)."""
    allowed = np.ones(cov.matrix.shape[1], dtype=bool) if sites is None else sites
    reach = cov.matrix[:, allowed] if not allowed.all() else cov.matrix
    rows = np.flatnonzero((np.diff(reach.indptr) > 0) & (cov.demand > 0))
    used = np.zeros(cov.matrix.shape[1], dtype=bool)
    used[np.unique(cov.matrix[rows].indices)] = True
    return rows, np.flatnonzero(used & allowed)


def _undominated(matrix: sparse.csr_array, capacity: np.ndarray, needed: int) -> np.ndarray:
    """Columns that fewer than ``needed`` other columns dominate, i.e. reach every row of it with at least its
    capacity (and more rows, more capacity, or the same and listed earlier).

    Some optimum needs no column that ``needed`` = N others dominate: of N dominators of a chosen site
    at least one is not chosen, and swapping them loses nothing (it reaches the same people and has
    room for them); a chain of swaps ends, as dominance is a strict order. Without capacities one
    dominator is enough, since a site beside its dominator adds nobody. 100 m cells next to each other
    reach nearly the same cells, so most candidates go. Overlaps are counted as sparse products, a
    block of columns at a time.
    """
    by_column = matrix.T.tocsr()
    size = np.diff(by_column.indptr)
    dominators = np.zeros(matrix.shape[1], dtype=np.intp)
    for start in range(0, matrix.shape[1], _BLOCK):
        block = np.arange(start, min(start + _BLOCK, matrix.shape[1]))
        overlap = (by_column[block] @ matrix).tocoo()
        j, k = block[overlap.row], overlap.col
        better = (size[k] > size[j]) | (capacity[k] > capacity[j]) | (k < j)
        hit = (overlap.data == size[j]) & (k != j) & (capacity[k] >= capacity[j]) & better
        dominators += np.bincount(j[hit], minlength=matrix.shape[1])
    return np.flatnonzero(dominators < needed)


def _merged_rows(matrix: sparse.csr_array, demand: np.ndarray) -> tuple[sparse.csr_array, np.ndarray, np.ndarray]:
    """Rows reaching the same columns merged into one with their demand summed: a smaller model, the same optimum.

    Returns the merged rows, their demand and each original row's group.
    """
    matrix = matrix.tocsr()
    matrix.sort_indices()
    keys = [matrix.indices[a:b].tobytes() for a, b in zip(matrix.indptr[:-1], matrix.indptr[1:], strict=True)]
    codes, _ = pd.factorize(pd.Series(keys, dtype=object))
    first = np.unique(codes, return_index=True)[1]
    return matrix[first], np.bincount(codes, weights=demand, minlength=len(first)), codes


def _solve(c, integrality, bounds, constraints, params: SitingParams, presolve: bool = False):
    """One HiGHS run with the time limit and gap of ``params``, and the size of what it solved.

    Presolve is off unless asked for: after the reductions here it removes next to nothing from the
    coverage and closure models, yet took 20 s to minutes on the synthetic Berlin-size city
    (``tests/benchmarks/bench_siting.py``), beyond any time limit.
    """
    start = time.perf_counter()
    solved = milp(
        c,
        integrality=integrality,
        bounds=bounds,
        constraints=constraints,
        options={
            "time_limit": params.time_limit_s,
            "mip_rel_gap": params.mip_rel_gap,
            "disp": False,
            "presolve": presolve,
        },
    )
    size = ModelSize(
        variables=len(c),
        integers=int(np.count_nonzero(integrality)),
        constraints=constraints.A.shape[0],
        nonzeros=int(constraints.A.nnz),
        seconds=time.perf_counter() - start,
        message=str(solved.message),
    )
    return solved, size


def _ones(m: int) -> sparse.csr_array:
    """A row of ones: the constraint that counts chosen (or closed) sites."""
    return sparse.csr_array(np.ones((1, m)))


def _verdict(solved, sign: float) -> tuple[bool, float | None]:
    """Whether HiGHS proved optimality (within the gap), and the bound in the objective's own sense."""
    bound = getattr(solved, "mip_dual_bound", None)
    if bound is None or not np.isfinite(bound):
        return solved.status == _OPTIMAL, None
    return solved.status == _OPTIMAL, float(sign * bound)


def _ranked(sites: pd.DataFrame, gains: np.ndarray) -> pd.DataFrame:
    table = sites.reset_index(drop=True)
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    table["gain"] = gains
    table["cumulative"] = np.cumsum(gains)
    return table


def _result(
    cov: Coverage,
    method: str,
    order: np.ndarray,
    gains: np.ndarray,
    seconds: float,
    optimal: bool | None = None,
    bound: float | None = None,
    size: ModelSize | None = None,
) -> SitingResult:
    """A maximal-coverage result from the ranked site columns: who is newly covered, in which order."""
    newly = np.zeros(len(cov.demand), dtype=bool)
    if len(order):
        newly[np.unique(cov.by_site[order].indices)] = True
    return SitingResult(
        method=method,
        sites=_ranked(cov.sites.iloc[order], gains),
        objective=float(gains.sum()),
        reachable=cov.reachable,
        served=pd.Series(np.where(newly, cov.demand, 0.0), index=cov.cells),
        seconds=seconds,
        proven_optimal=optimal,
        bound=bound,
        model=size,
    )


def _closure_result(
    cov: Coverage,
    method: str,
    order: np.ndarray,
    losses: np.ndarray,
    seconds: float,
    optimal: bool | None = None,
    bound: float | None = None,
    size: ModelSize | None = None,
) -> ClosureResult:
    offers = _ranked(cov.sites.iloc[order], losses).rename(columns={"gain": "lost"})
    offers["alone"] = sole_coverage(cov).to_numpy()[order]
    return ClosureResult(method, offers, float(losses.sum()), seconds, optimal, bound, size)


# --- into the scenario -------------------------------------------------------------------------------------------


def planned_offers(found: SitingResult, params: GapParams, candidates: pd.DataFrame) -> tuple[NewOffer, ...]:
    """The chosen sites as planned offers that count for ``params``, placed exactly as a link keeps them.

    Each serves the analysed target group at the lowest level that counts, with the capacity the
    candidate list gives (none where it gives none: the analysis' stand-in is not a fact to pass
    on); the position is rounded like every placed offer (``share_state.place``), so a shared link
    reproduces the figures.
    """
    known = candidates.set_index("site_id")["capacity"]
    lons, lats = transform(
        schema.ANALYSIS_CRS, schema.WEB_CRS, found.sites["x"].to_numpy(float), found.sites["y"].to_numpy(float)
    )
    category = NewOffer.category if NewOffer.category in params.categories else params.categories[0]
    offers = []
    capacities = found.sites["site_id"].map(known).astype(float)
    for lon, lat, capacity in zip(np.atleast_1d(lons), np.atleast_1d(lats), capacities, strict=False):
        lon, lat = share_state.place(float(lon), float(lat))
        offers.append(
            NewOffer(
                lon=lon,
                lat=lat,
                category=category,
                target_groups=(params.target_group,),
                level=params.min_level,
                capacity=int(capacity) if np.isfinite(capacity) and capacity > 0 else None,
            )
        )
    return tuple(offers)
