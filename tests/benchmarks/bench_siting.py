"""Benchmark of siting (maximal coverage, capacity, closures) on the synthetic Berlin-size city of ``bench_gaps``.

Run as ``.venv/bin/python tests/benchmarks/bench_siting.py [--spopt]``. The city (fixed seed; ~87,000
populated cells, 3.7 M residents, 6,000 offers) is analysed with straight lines; five sites are then
chosen among the populated cells of one Stadtbezirk, among 2,000 cells drawn city-wide, and among every
populated cell of the city, by ``greedy`` and by ``exact`` (HiGHS); then the capacity-aware variant in
the Stadtbezirk and closures city-wide; then the Stadtbezirk and the 2,000 cells by walking route on a
street grid over the whole city (``bench_walknet``'s ~152,000 junctions, 10 % of the links missing).
Beside them: the bare sparse product that scores every candidate once (the floor of a greedy step)
and, with ``--spopt`` and spopt installed, PySAL spopt's MCLP (PuLP + CBC, dense) on the
2,000-candidate instance. Informative only: the exit code is 0 unless something crashed.
"""

import os
import platform
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import shapely  # noqa: E402

from dashboard.analysis import gaps, siting  # noqa: E402
from dashboard.analysis.city import prepare  # noqa: E402
from dashboard.analysis.siting import SitingParams  # noqa: E402
from dashboard.model import schema  # noqa: E402
from tests.benchmarks.bench_gaps import synthetic_workspace  # noqa: E402
from tests.benchmarks.bench_walknet import street_grid  # noqa: E402
from tests.benchmarks.timing import median_s  # noqa: E402

SITES, BEZIRK, SAMPLE, CLOSE, SEED = 5, "08", 2_000, 3, 3035
ROOMY = 2_000  # places per site that no single catchment fills: the MILP has to assign
PARAMS = SitingParams(sites=SITES, time_limit_s=120.0)


def row(measure: str, seconds: float, note: str = "") -> str:
    return f"| {measure:<72} | {seconds * 1000:>10,.1f} ms | {note}"


def size(result) -> str:
    m = result.model
    proven = "proven optimal" if result.proven_optimal else "NOT proven optimal"
    if m is None:
        return f"no MILP: the greedy assignment fills every place; {proven}"
    return (
        f"{m.variables:,} variables ({m.integers:,} integer), {m.constraints:,} constraints, "
        f"{m.nonzeros:,} nonzeros; {proven}"
    )


def instance(label: str, result: gaps.GapResult, candidates: pd.DataFrame) -> list[str]:
    """Coverage, greedy and exact for one candidate set, and how close greedy came."""
    cov_s, cov = median_s(lambda: siting.coverage(result, candidates), runs=3)
    greedy_s, greedy = median_s(lambda: siting.greedy(cov, PARAMS), runs=3)
    floor_s, _ = median_s(lambda: cov.by_site @ cov.demand, runs=3)
    exact = siting.exact(cov, PARAMS)
    compared = siting.with_optimum(greedy, exact)
    print(
        f"{label}: {len(candidates):,} candidates, {cov.matrix.shape[0]:,} uncovered cells with "
        f"{cov.reachable:,.0f} residents, {cov.matrix.nnz:,} cell-candidate pairs; greedy covers "
        f"{greedy.objective:,.0f}, exact {exact.objective:,.0f} (greedy/exact {compared.ratio_to_optimum:.4f})"
    )
    return [
        row(f"{label}: coverage (within-pairs, sparse matrix)", cov_s),
        row(f"{label}: greedy, {SITES} sites", greedy_s),
        row(f"{label}: floor: one sparse product scoring all", floor_s),
        row(f"{label}: exact (HiGHS), {SITES} sites", exact.seconds, size(exact)),
        row(f"{label}: of which MILP solve", exact.model.seconds),
    ]


def spopt_peer(result: gaps.GapResult, candidates: pd.DataFrame) -> list[str]:
    """PySAL spopt's MCLP (PuLP + CBC) on the same cells and candidates, if it is installed."""
    try:
        import pulp
        from spopt.locate import MCLP
    except ImportError:
        return [row("spopt MCLP: not installed", 0.0)]
    cov = siting.coverage(result, candidates)
    reached = np.diff(cov.matrix.indptr) > 0  # the cells and candidates that enter our model, too
    reach = cov.matrix[reached]
    reach = reach[:, np.unique(reach.indices)]
    cost = np.where(reach.toarray() > 0, 0.0, 1.0)  # reached ⇔ cost 0 ≤ radius 0.5
    start = time.perf_counter()
    model = MCLP.from_cost_matrix(cost, cov.demand[reached], 0.5, SITES)
    built = time.perf_counter() - start
    model.solve(pulp.PULP_CBC_CMD(msg=False))
    solved = time.perf_counter() - start - built
    return [
        row(f"spopt MCLP: build ({cost.shape[0]:,} cells x {cost.shape[1]:,} sites, dense)", built),
        row("spopt MCLP: solve (CBC)", solved, f"objective {model.problem.objective.value():,.0f}"),
    ]


def capacity_and_closures(result: gaps.GapResult, candidates: pd.DataFrame) -> list[str]:
    cov = siting.coverage(result, candidates)
    capacitated = siting.capacitated(cov, PARAMS)
    roomy = siting.capacitated(siting.coverage(result, siting.with_places(candidates, ROOMY)), PARAMS)
    offers = siting.offer_coverage(result)
    greedy_s, closed = median_s(lambda: siting.closures_greedy(offers, CLOSE), runs=3)
    exact = siting.closures_exact(offers, CLOSE, PARAMS)
    print(
        f"capacity ({cov.sites['capacity'].iloc[0]:.0f} places per site): "
        f"{capacitated.objective:,.0f} residents served; with {ROOMY:,} places: {roomy.objective:,.0f}; "
        f"closing {CLOSE} of {len(result.offers):,} offers: greedy loses {closed.lost:,.0f}, exact {exact.lost:,.0f}"
    )
    return [
        row(f"capacitated, {SITES} sites, Bezirk {BEZIRK}", capacitated.seconds, size(capacitated)),
        row(f"capacitated, {ROOMY:,} places per site", roomy.seconds, size(roomy)),
        row(f"closures greedy, {CLOSE} of {len(result.offers):,} offers", greedy_s),
        row(f"closures exact, {CLOSE} offers", exact.seconds, size(exact)),
    ]


def main() -> int:
    print(f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}")
    start = time.perf_counter()
    city = prepare(synthetic_workspace())
    everyone = gaps.analyse(city, gaps.GapParams())
    seniors = gaps.analyse(city, gaps.GapParams(target_group="senioren"))
    print(f"Synthetic city prepared and analysed in {time.perf_counter() - start:.1f} s; medians of 3 after a warm-up")
    start = time.perf_counter()
    links = shapely.linestrings(street_grid(np.random.default_rng(2026)))
    walkable = replace(city, paths=gpd.GeoSeries(links, crs=schema.ANALYSIS_CRS))
    on_foot = gaps.analyse(walkable, gaps.GapParams(distance="fussweg"))
    print(
        f"Walking network of {walkable.network.node_count:,} junctions built and the city analysed on foot "
        f"in {time.perf_counter() - start:.1f} s"
    )
    bezirk = siting.candidate_cells(city, BEZIRK)
    every = siting.candidate_cells(city)
    sample = every.iloc[np.sort(np.random.default_rng(SEED).choice(len(every), SAMPLE, replace=False))]
    lines = [
        *instance(f'"alle" 500 m, Bezirk {BEZIRK}', everyone, bezirk),
        *instance(f'"alle" 500 m, {SAMPLE:,} cells city-wide', everyone, sample),
        *instance('"alle" 500 m, every populated cell', everyone, every),
        *instance('"senioren" 400 m, every populated cell', seniors, every),
        *instance(f'"alle" 500 m on foot, Bezirk {BEZIRK}', on_foot, bezirk),
        *instance(f'"alle" 500 m on foot, {SAMPLE:,} cells city-wide', on_foot, sample),
        *(spopt_peer(everyone, sample) if "--spopt" in sys.argv else []),
        *capacity_and_closures(everyone, bezirk),
    ]
    print(f"\n| {'measure':<72} | {'time':>13} | note\n|{'-' * 74}|{'-' * 15}|{'-' * 40}")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
