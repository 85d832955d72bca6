"""Benchmark of walking distances on a synthetic Berlin-size path network.

Run as ``.venv/bin/python tests/benchmarks/bench_walknet.py``. Deterministic (fixed
seed), in EPSG:3035: a jittered street grid of ~152,000 junctions over 30 km x 30 km
with 10 % of the links missing, ~90,000 populated cells and 6,000 offers. Prints the
full distance pass (nearest offer for every cell), the 500 m catchments (2SFCA pairs),
one isochrone, the same passes by straight line (KD-tree), and the build of a network
from a line set of OSM-extract size (~1.4 M vertices in ~270,000 curved ways, the order
of the walking ways of a ~50 MB .osm.pbf) with its time and peak memory. Informative only.
"""

import platform
import resource
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
import shapely  # noqa: E402

from dashboard.analysis import walknet  # noqa: E402
from dashboard.analysis.distance import StraightLine  # noqa: E402
from dashboard.analysis.walknet import WalkingDistance  # noqa: E402
from dashboard.model import schema
from tests.benchmarks.timing import median_s  # noqa: E402

SIDE = 390  # junctions per row and column: 152,100
SPACING = 77.0  # metres: 30 km x 30 km
CELLS = 90_000
OFFERS = 6_000
BENDS = 3  # extra vertices per link (curved streets), as OSM ways have them


def street_grid(rng: np.random.Generator, bends: int = 0) -> np.ndarray:
    """Links of a jittered grid as vertex sequences, shape (links, bends + 2, 2); 10 % of the links dropped."""
    x, y = np.meshgrid(np.arange(SIDE) * SPACING, np.arange(SIDE) * SPACING)
    nodes = np.stack([x, y], axis=-1) + rng.uniform(-0.3, 0.3, (SIDE, SIDE, 2)) * SPACING + (4_530_000.0, 3_260_000.0)
    start = np.concatenate([nodes[:, :-1].reshape(-1, 2), nodes[:-1, :].reshape(-1, 2)])
    end = np.concatenate([nodes[:, 1:].reshape(-1, 2), nodes[1:, :].reshape(-1, 2)])
    keep = rng.random(len(start)) > 0.1
    start, end = start[keep], end[keep]
    share = np.linspace(0, 1, bends + 2)[None, :, None]
    wiggle = rng.normal(0, 2.0, (len(start), bends + 2, 2)) * (share * (1 - share) > 0)
    return start[:, None] + share * (end - start)[:, None] + wiggle


def main() -> None:
    rng = np.random.default_rng(2026)
    print(f"Python {platform.python_version()}, {platform.machine()}")
    links = street_grid(rng)
    network = walknet.from_lines(gpd.GeoSeries(shapely.linestrings(links), crs=schema.ANALYSIS_CRS))
    print(f"network: {network.node_count:,} nodes, {len(network.edges):,} edges")
    low, high = network.xy.min(axis=0), network.xy.max(axis=0)
    cells = rng.uniform(low, high, (CELLS, 2))
    offers = rng.uniform(low, high, (OFFERS, 2))
    walking, straight = WalkingDistance(network), StraightLine()
    _ = network.graph, network.tree  # built once per data version in the app, not per pass

    t, distance = median_s(walking.nearest, lambda: (cells, offers))
    print(f"full distance pass, walking ({CELLS:,} cells, {OFFERS:,} offers): {t * 1000:.0f} ms (target <= 1,000 ms); "
          f"reachable within the {walking.cutoff:,.0f} m cut-off: {np.isfinite(distance).mean():.1%}")  # fmt: skip
    t_line, line = median_s(straight.nearest, lambda: (cells, offers))
    print(f"full distance pass, straight line (KD-tree): {t_line * 1000:.0f} ms; "
          f"median walking / straight: {np.median(distance / np.maximum(line, 1.0)):.2f}")  # fmt: skip
    t, pairs = median_s(walking.within, lambda: (cells, offers, 500.0), runs=3)
    t_line, line_pairs = median_s(straight.within, lambda: (cells, offers, 500.0), runs=3)
    print(f"500 m catchments: walking {t * 1000:.0f} ms ({len(pairs.origin):,} pairs), "
          f"straight line {t_line * 1000:.0f} ms ({len(line_pairs.origin):,} pairs)")  # fmt: skip
    centre = (low + high) / 2
    t, bands = median_s(walking.isochrone, lambda: (centre, (300, 500, 1_000)))
    print(f"isochrone 300/500/1,000 m: {t * 1000:.0f} ms (target <= 100 ms); areas "
          + ", ".join(f"{a / 1e6:.2f} km²" for a in bands.area))  # fmt: skip

    lines = gpd.GeoSeries(shapely.linestrings(street_grid(np.random.default_rng(7), BENDS)), crs=schema.ANALYSIS_CRS)
    vertices = shapely.get_num_coordinates(lines.values).sum()
    tracemalloc.start()
    start = time.perf_counter()
    built = walknet.from_lines(lines)
    _ = built.graph
    seconds = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"build from {len(lines):,} ways / {vertices:,} vertices: {seconds:.2f} s, "
          f"{built.node_count:,} nodes, {len(built.edges):,} edges; peak traced memory {peak / 1e6:.0f} MB, "
          f"process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3:.0f} MB")  # fmt: skip


if __name__ == "__main__":
    main()
