"""Benchmark of the gap-analysis engine on a synthetic Berlin-size city.

Run as ``.venv/bin/python tests/benchmarks/bench_gaps.py``. The city is generated
deterministically (fixed seed) in EPSG:3035: ~550 Quartiere in 12 Bezirke over
30 km x 30 km, ~88,000 populated 100 m cells with 3.7 M residents (denser centre),
6,000 offers and 1,000 actors. Prints prepare, full recompute, scenario deltas,
PySAL ``access`` on the same 2SFCA inputs, a bare KD-tree floor and the split of
``analyse``. Informative only: the exit code is 0 unless something crashed.
"""

import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import shapely  # noqa: E402
from access import Access  # noqa: E402
from pyproj import Transformer  # noqa: E402
from scipy.spatial import cKDTree  # noqa: E402

from dashboard.analysis import fca, gaps  # noqa: E402
from dashboard.analysis.city import City, prepare  # noqa: E402
from dashboard.analysis.distance import StraightLine  # noqa: E402
from dashboard.model import grid, schema
from dashboard.model.scenario import NewOffer, Scenario  # noqa: E402
from dashboard.model.targets import group_residents  # noqa: E402
from dashboard.model.workspace import Workspace  # noqa: E402
from tests.benchmarks.timing import RUNS, median_s  # noqa: E402

SEED = 3035
X0, Y0, SIZE = 4_535_000.0, 3_255_000.0, 30_000.0  # south-west corner and edge of the region
CENTRE = np.array([X0 + SIZE / 2, Y0 + SIZE / 2])
N_QUARTIERE, N_BEZIRKE, N_RESIDENTS, N_OFFERS, N_ACTORS = 550, 12, 3_700_000, 6_000, 1_000
AGE_SHARES = np.array([0.055, 0.105, 0.63, 0.14, 0.07])  # schema.AGE_BANDS, roughly Berlin
LEVEL_SHARES = (0.08, 0.10, 0.07, 0.45, 0.20, 0.10)  # schema.LEVELS: most offers are participation
FULL_TARGET_S, DELTA_TARGET_S, FLOOR_RATIO_TARGET = 0.5, 0.02, 2.0
CATCHMENT_M = 500
SOURCE = {"source": "synthetisch", "stand": "2026-01-01"}


def synthetic_areas(rng: np.random.Generator) -> gpd.GeoDataFrame:
    """Voronoi Quartiere (smaller towards the centre) clipped to the region, and Bezirke dissolved from them."""
    region = shapely.box(X0, Y0, X0 + SIZE, Y0 + SIZE)
    central = rng.normal(CENTRE, SIZE / 6, size=(N_QUARTIERE, 2))
    seeds = np.where(
        rng.random((N_QUARTIERE, 1)) < 0.5, central, rng.uniform((X0, Y0), (X0 + SIZE, Y0 + SIZE), (N_QUARTIERE, 2))
    )
    seeds = np.clip(seeds, (X0 + 1, Y0 + 1), (X0 + SIZE - 1, Y0 + SIZE - 1))
    cells = shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=region, ordered=True)
    quartiere = shapely.intersection(shapely.get_parts(cells), region)
    parent = cKDTree(seeds[rng.choice(N_QUARTIERE, N_BEZIRKE, replace=False)]).query(seeds)[1]
    bezirk_ids = [f"{b + 1:02d}" for b in range(N_BEZIRKE)]
    bezirke = [shapely.union_all(quartiere[parent == b]) for b in range(N_BEZIRKE)]
    return gpd.GeoDataFrame(
        {
            "area_id": bezirk_ids + [f"{bezirk_ids[p]}{q:03d}" for q, p in enumerate(parent)],
            "name": [f"Bezirk {b}" for b in bezirk_ids] + [f"Quartier {q}" for q in range(N_QUARTIERE)],
            "level": ["stadtbezirk"] * N_BEZIRKE + ["quartier"] * N_QUARTIERE,
            "parent_id": [None] * N_BEZIRKE + [bezirk_ids[p] for p in parent],
        },
        geometry=[*bezirke, *quartiere],
        crs=schema.ANALYSIS_CRS,
    )


def synthetic_population(rng: np.random.Generator) -> gpd.GeoDataFrame:
    """100 m cells (3 % left empty), residents falling off from the centre, multinomial age bands."""
    east, north = (g.ravel() for g in np.meshgrid(np.arange(X0, X0 + SIZE, 100), np.arange(Y0, Y0 + SIZE, 100)))
    keep = rng.random(len(east)) > 0.03
    east, north = east[keep], north[keep]
    r = np.hypot(east + 50 - CENTRE[0], north + 50 - CENTRE[1])
    weight = np.exp(-r / 7_000) * rng.lognormal(0, 0.5, len(r))
    residents = 1 + rng.multinomial(N_RESIDENTS - len(r), weight / weight.sum())
    bands = rng.multinomial(residents, rng.dirichlet(AGE_SHARES * 60, len(r)))
    frame = pd.DataFrame(
        {
            "cell_id": [grid.cell_id(n, e) for n, e in zip(north.tolist(), east.tolist(), strict=False)],
            "residents": residents,
        }
    )
    frame[list(schema.AGE_BANDS)] = bands
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(east + 50, north + 50), crs=schema.ANALYSIS_CRS)


def near_people(rng: np.random.Generator, population: gpd.GeoDataFrame, n: int) -> gpd.array.GeometryArray:
    """``n`` points in cells drawn in proportion to their residents, jittered within the cell."""
    p = population["residents"].to_numpy(float)
    pick = rng.choice(len(p), n, p=p / p.sum())
    xy = shapely.get_coordinates(population.geometry.to_numpy()[pick]) + rng.uniform(-50, 50, (n, 2))
    return gpd.points_from_xy(xy[:, 0], xy[:, 1])


def synthetic_offers(rng: np.random.Generator, population: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Offers near people; 40 % for "alle", else one or two groups; 15 % without capacity."""
    groups = [g for g in schema.TARGET_GROUPS if g != "alle"]
    targets = [
        "alle" if rng.random() < 0.4 else schema.LIST_SEP.join(rng.choice(groups, rng.integers(1, 3), replace=False))
        for _ in range(N_OFFERS)
    ]
    capacity = pd.array(rng.integers(10, 150, N_OFFERS), dtype="Int64")
    capacity[rng.random(N_OFFERS) < 0.15] = pd.NA
    frame = {
        "offer_id": [f"o{i}" for i in range(N_OFFERS)],
        "name": [f"Angebot {i}" for i in range(N_OFFERS)],
        "category": rng.choice(schema.CATEGORIES, N_OFFERS),
        "target_groups": targets,
        "level": rng.choice(schema.LEVELS, N_OFFERS, p=LEVEL_SHARES),
        "operator_actor_id": [f"a{i}" for i in rng.integers(0, N_ACTORS, N_OFFERS)],
        "capacity": capacity,
        "barrier_free": rng.random(N_OFFERS) < 0.5,
        "opening_hours": "",
        "contact": "",
        **SOURCE,
    }
    return gpd.GeoDataFrame(frame, geometry=near_people(rng, population, N_OFFERS), crs=schema.ANALYSIS_CRS)


def synthetic_actors(rng: np.random.Generator, population: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Actors near people, spread over the four sectors."""
    frame = {
        "actor_id": [f"a{i}" for i in range(N_ACTORS)],
        "name": [f"Akteur {i}" for i in range(N_ACTORS)],
        "sector": rng.choice(schema.SECTORS, N_ACTORS),
        "kind": "Verein",
        "quartiere": "",
        "website": "",
        "contact": "",
        **SOURCE,
    }
    return gpd.GeoDataFrame(frame, geometry=near_people(rng, population, N_ACTORS), crs=schema.ANALYSIS_CRS)


def synthetic_workspace(seed: int = SEED) -> Workspace:
    """The whole synthetic city; every layer has exactly the schema's columns plus geometry."""
    rng = np.random.default_rng(seed)
    population = synthetic_population(rng)
    layers = {
        "areas": synthetic_areas(rng),
        "population": population,
        "offers": synthetic_offers(rng, population),
        "actors": synthetic_actors(rng, population),
    }
    for name, frame in layers.items():
        assert list(frame.columns) == [*schema.LAYERS[name].field_names, "geometry"], name
    return Workspace(city="Synthetisches Berlin", layers=layers)


def scenarios(city: City, base: gaps.GapResult) -> tuple[Scenario, Scenario]:
    """A new offer (capacity 40) at the populated cell farthest from any offer; the offer nearest the centre
    switched off."""
    cells = base.cells[base.cells["residents"] >= 20]
    x, y = cells.loc[cells["distance"].idxmax(), ["x", "y"]]
    lon, lat = Transformer.from_crs(schema.ANALYSIS_CRS, schema.WEB_CRS, always_xy=True).transform(x, y)
    nearest = np.argmin(np.hypot(*(base.offers[["x", "y"]].to_numpy() - CENTRE).T))
    return Scenario(added=(NewOffer(lon, lat, capacity=40),)), Scenario(
        disabled=(base.offers["offer_id"].iloc[nearest],)
    )


def pysal_vs_ours(base: gaps.GapResult) -> dict:
    """PySAL 2SFCA (construction and call timed apart) against fca.two_step_fca on the same pairs."""
    demand, supply = base.cells["demand"].to_numpy(), base.offers["supply"].to_numpy()
    pairs = StraightLine().within(base.cells[["x", "y"]].to_numpy(), base.offers[["x", "y"]].to_numpy(), CATCHMENT_M)
    demand_df = pd.DataFrame({"cell": np.arange(len(demand)), "demand": demand})
    supply_df = pd.DataFrame({"offer": np.arange(len(supply)), "supply": supply})
    cost_df = pd.DataFrame({"origin": pairs.origin, "dest": pairs.target, "cost": pairs.distance})

    def build() -> Access:
        return Access(
            demand_df=demand_df,
            demand_index="cell",
            demand_value="demand",
            supply_df=supply_df,
            supply_index="offer",
            supply_value="supply",
            cost_df=cost_df,
            cost_origin="origin",
            cost_dest="dest",
            cost_name="cost",
        )

    construct, _ = median_s(build)
    call, theirs = median_s(
        lambda a: a.two_stage_fca(name="fca", max_cost=CATCHMENT_M, normalize=False), make=lambda: (build(),)
    )
    ours_s, ours = median_s(fca.two_step_fca, make=lambda: (demand, supply, pairs))
    theirs = theirs["fca_supply"].reindex(np.arange(len(demand))).to_numpy()
    finite = np.isfinite(theirs)
    equal = bool(np.allclose(ours[finite], theirs[finite], rtol=1e-9, atol=0))
    return {
        "construct": construct,
        "call": call,
        "ours": ours_s,
        "equal": equal,
        "pairs": len(pairs.origin),
        "finite": int(finite.sum()),
    }


def kd_floor(base: gaps.GapResult) -> float:
    """Bare scipy: build a KD-tree of the qualifying offers and query the nearest for every cell."""
    xy, offer_xy = base.cells[["x", "y"]].to_numpy(), base.offers[["x", "y"]].to_numpy()
    return median_s(lambda: cKDTree(offer_xy).query(xy, k=1))[0]


def split(city: City, base: gaps.GapResult) -> dict[str, float]:
    """The building blocks of ``analyse`` timed one by one (the same calls, in the same order)."""
    params, method, scenario = base.params, base.method, base.scenario
    xy, offer_xy = base.cells[["x", "y"]].to_numpy(), base.offers[["x", "y"]].to_numpy()
    demand, supply = base.cells["demand"].to_numpy(), base.offers["supply"].to_numpy()
    pairs = method.within(xy, offer_xy, params.threshold)

    def fca_step():
        ratio = fca.supply_ratios(demand, supply, pairs)
        return np.bincount(pairs.origin, weights=ratio[pairs.target], minlength=len(demand))

    return {
        "offer selection (gaps._offers)": median_s(lambda: gaps._offers(city, params, scenario))[0],
        "target residents: group_residents": median_s(lambda: group_residents(city.cells, params.target_group))[0],
        "distance: StraightLine.nearest": median_s(lambda: method.nearest(xy, offer_xy))[0],
        "within-pairs: StraightLine.within": median_s(lambda: method.within(xy, offer_xy, params.threshold))[0],
        "2SFCA: supply_ratios + bincount": median_s(fca_step)[0],
        "aggregation: gaps._finish": median_s(
            lambda: gaps._finish(city, params, scenario, method, base.cells, base.offers)
        )[0],
    }


def row(measure: str, seconds: float, note: str = "") -> str:
    """One table line, milliseconds."""
    return f"| {measure:<50} | {seconds * 1000:>9,.1f} ms | {note}"


def check(seconds: float, target: float) -> str:
    """PASS/MISS against a target in seconds."""
    return f"target <= {target * 1000:,.0f} ms: {'PASS' if seconds <= target else 'MISS'}"


def main() -> int:
    print(f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}")
    start = time.perf_counter()
    workspace = synthetic_workspace()
    print(
        f"Synthetic city generated in {time.perf_counter() - start:.1f} s (seed {SEED}); "
        f"median of {RUNS} after a warm-up."
    )
    prepare_s, city = median_s(lambda: prepare(workspace))
    full_s, base = median_s(lambda: gaps.analyse(city, gaps.GapParams()))
    seniors_s, seniors = median_s(lambda: gaps.analyse(city, gaps.GapParams(target_group="senioren")))
    added, disabled = scenarios(city, base)
    add_s, after = median_s(lambda: gaps.with_scenario(city, base, added))
    off_s, _ = median_s(lambda: gaps.with_scenario(city, base, disabled))
    add_full_s, _ = median_s(lambda: gaps.analyse(city, gaps.GapParams(), added))
    pysal, floor_s, parts = pysal_vs_ours(base), kd_floor(base), split(city, base)
    print(
        f"City: {len(city.units)} Quartiere in {len(city.bezirke)} Bezirke, {len(city.cells):,} cells, "
        f"{city.cells['residents'].sum():,.0f} residents, {len(city.offers):,} offers "
        f'({len(base.offers):,} qualify for "alle", {len(seniors.offers):,} for "senioren"), '
        f"{len(city.actors):,} actors; "
        f"{pysal['pairs']:,} cell-offer pairs within {CATCHMENT_M} m; new offer covers "
        f"{after.city['covered_residents'] - base.city['covered_residents']:,.0f} more residents.\n"
    )
    print(f"| {'measure':<50} | {'median':>12} | note\n|{'-' * 52}|{'-' * 14}|{'-' * 40}")
    lines = [
        row("prepare(workspace) -> City", prepare_s),
        row('analyse, target group "alle" (full recompute)', full_s, check(full_s, FULL_TARGET_S)),
        row('analyse, target group "senioren" (400 m)', seniors_s, check(seniors_s, FULL_TARGET_S)),
        row("with_scenario: one new offer (delta)", add_s, check(add_s, DELTA_TARGET_S)),
        row("with_scenario: one offer switched off (delta)", off_s, check(off_s, DELTA_TARGET_S)),
        row("analyse with the new offer (full, reference)", add_full_s),
        row("PySAL Access(...) construction", pysal["construct"]),
        row("PySAL two_stage_fca call", pysal["call"]),
        row(
            "fca.two_step_fca on the same Pairs",
            pysal["ours"],
            f"equal: {'yes' if pysal['equal'] else 'no'} ({pysal['finite']:,} finite cells, rtol 1e-9)",
        ),
        row("floor: cKDTree build + nearest query", floor_s),
        *(row(f"split: {name}", seconds) for name, seconds in parts.items()),
        row(
            "split: sum of the parts (timed one by one)", sum(parts.values()), f"full analyse: {full_s * 1000:,.1f} ms"
        ),
    ]
    print("\n".join(lines))
    print(
        f"\nfull recompute / KD-tree floor: {full_s / floor_s:.1f} x "
        f"(target <= {FLOOR_RATIO_TARGET:.1f} x: {'PASS' if full_s / floor_s <= FLOOR_RATIO_TARGET else 'MISS'})\n"
        f"scenario delta / full recompute: {add_s / full_s:.2f} x (new offer), {off_s / full_s:.2f} x (switched off)\n"
        f"our 2SFCA / PySAL 2SFCA: {pysal['ours'] / pysal['call']:.4f} x (PySAL incl. construction: "
        f"{pysal['ours'] / (pysal['call'] + pysal['construct']):.4f} x)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
