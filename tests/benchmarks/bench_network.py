"""Benchmark of Akteure & Netzwerk: search latency and page build for 5,000 actors and 20,000 cooperations.

Run as ``.venv/bin/python tests/benchmarks/bench_network.py``. The synthetic city (fixed seed) takes
the areas and population of ``bench_gaps`` (550 Quartiere in 12 Bezirke) and adds 5,000 actors
with invented names, 10,000 offers, 2,000 housing estates (a third with Sozialmanagement) and
20,000 cooperations, most of them between neighbours. Prints the core functions, then AppTest runs
of the page on the city written to a temporary GeoPackage (``QUARTIERSATLAS_WORKSPACE``).
Informative only: the exit code is 0 unless something crashed.
"""

import logging
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from streamlit.runtime.scriptrunner_utils import script_run_context  # noqa: E402
from streamlit.runtime.state import session_state_proxy  # noqa: E402

for _noisy in (script_run_context, session_state_proxy):
    logging.getLogger(_noisy.__name__).disabled = True

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from scipy.spatial import cKDTree  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from dashboard.analysis import directory, network, opportunities  # noqa: E402
from dashboard.analysis.city import prepare  # noqa: E402
from dashboard.model import schema
from dashboard.model.workspace import Workspace  # noqa: E402
from dashboard.store.gpkgfile import write_geopackage  # noqa: E402
from tests.benchmarks import bench_gaps  # noqa: E402
from tests.benchmarks.bench_gaps import check, row  # noqa: E402
from tests.benchmarks.timing import RUNS, median_s  # noqa: E402

SEED = 2016
N_ACTORS, N_OFFERS, N_COOPERATIONS, N_HOUSING = 5_000, 10_000, 20_000, 2_000
SEARCH_TARGET_S, PAGE_TARGET_S = 0.2, 1.5
KINDS = {
    "zivilgesellschaft": [
        "Bürgerverein",
        "Nachbarschaftshilfe",
        "Initiative",
        "Kulturverein",
        "Sportverein",
        "Elterninitiative",
    ],
    "wohlfahrtspflege": ["Diakonie", "Caritas-Zentrum", "AWO-Seniorenzentrum", "Familienzentrum", "Sozialstation"],
    "kommune": ["Bürgerbüro", "Stadtteilbibliothek", "Jugendhaus", "Grundschule"],
    "wohnungswirtschaft": ["Wohnungsbaugenossenschaft", "Hausverwaltung", "Stadtbau"],
}
PLACES = [
    "Mühlenstraße",
    "Am Bach",
    "Lindenhöhe",
    "Schäferbühl",
    "Gänsewiese",
    "Rosenau",
    "Brückenstraße",
    "Ölberg",
    "Fuchsgraben",
]
QUERIES = {
    "umlauts written out: 'Muehlenstrasse'": "Muehlenstrasse",
    "two words: 'Seniorenzentrum Lindenhöhe'": "Seniorenzentrum Lindenhöhe",
    "many hits: 'verein'": "verein",
    "no hit: 'xyzzy'": "xyzzy",
}


def synthetic_workspace() -> Workspace:
    """bench_gaps' areas and population with this benchmark's actors, offers, housing and cooperations."""
    rng = np.random.default_rng(SEED)
    bench_gaps.N_ACTORS, bench_gaps.N_OFFERS = N_ACTORS, N_OFFERS  # its generators read these
    areas, population = bench_gaps.synthetic_areas(rng), bench_gaps.synthetic_population(rng)
    actors = bench_gaps.synthetic_actors(rng, population)
    kinds = [rng.choice(KINDS[s]) for s in actors["sector"]]
    actors["kind"] = kinds
    actors["name"] = [f"{k} {rng.choice(PLACES)} {i}" for i, k in enumerate(kinds)]
    quartiere = areas.loc[areas["level"] == "quartier", "area_id"].to_numpy()
    actors["quartiere"] = [
        schema.LIST_SEP.join(rng.choice(quartiere, rng.integers(0, 4), replace=False)) for _ in range(N_ACTORS)
    ]
    offers = bench_gaps.synthetic_offers(rng, population)
    housing = synthetic_housing(rng, actors, population)
    layers = {"areas": areas, "population": population, "actors": actors, "offers": offers, "housing": housing,
              "cooperations": synthetic_cooperations(rng, actors)}  # fmt: skip
    return Workspace(city="Synthetische Großstadt", layers=layers)


def synthetic_housing(
    rng: np.random.Generator, actors: gpd.GeoDataFrame, population: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    owners = actors.loc[actors["sector"] == "wohnungswirtschaft", "actor_id"].to_numpy()
    frame = {
        "housing_id": [f"h{i}" for i in range(N_HOUSING)], "owner_actor_id": rng.choice(owners, N_HOUSING),
        "owner_type": rng.choice(schema.OWNER_TYPES, N_HOUSING), "dwellings": rng.integers(6, 120, N_HOUSING),
        "subsidised": 0, "barrier_free": 0, "year_built": rng.integers(1900, 2024, N_HOUSING),
        "sozialmanagement": rng.random(N_HOUSING) < 1 / 3, **bench_gaps.SOURCE,
    }  # fmt: skip
    return gpd.GeoDataFrame(frame, geometry=bench_gaps.near_people(rng, population, N_HOUSING), crs=schema.ANALYSIS_CRS)


def synthetic_cooperations(rng: np.random.Generator, actors: gpd.GeoDataFrame) -> pd.DataFrame:
    """80 % between one of an actor's 30 nearest neighbours, 20 % across the city; no pair twice."""
    xy = np.column_stack([actors.geometry.x, actors.geometry.y])
    neighbours = cKDTree(xy).query(xy, k=31)[1][:, 1:]
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < N_COOPERATIONS:
        a = int(rng.integers(N_ACTORS))
        b = int(neighbours[a, rng.integers(30)]) if rng.random() < 0.8 else int(rng.integers(N_ACTORS))
        if a != b:
            pairs.add((min(a, b), max(a, b)))
    a, b = np.array(sorted(pairs)).T
    ids = actors["actor_id"].to_numpy()
    return pd.DataFrame({
        "coop_id": [f"k{i}" for i in range(len(a))], "actor_a": ids[a], "actor_b": ids[b],
        "kind": rng.choice(schema.COOPERATION_KINDS, len(a)), "since": rng.integers(1990, 2026, len(a)),
    })  # fmt: skip


def network_view(net: network.Network, area: str | None) -> int:
    """What the page computes for one area: graph, centrality, bridges, drawn subset, layout, chart spec."""
    graph = network.area_graph(net, area)
    table = network.centrality(graph)
    network.bridges(table)
    drawn = network.shown(graph, table)
    return len(network.chart(drawn, table, network.layout(drawn), "de").to_dict()["layer"])


def core(workspace: Workspace) -> list[str]:
    city = prepare(workspace)
    coops = workspace.cooperations
    build_s, index = median_s(lambda: directory.build(city, coops), runs=3)
    lines = [row("directory.build (once per data version)", build_s)]
    for label, query in QUERIES.items():
        search_s, hits = median_s(lambda query=query: directory.search(index, query, {}))
        lines.append(row(f"search {label}", search_s, f"{len(hits.rows):,} hits; {check(search_s, SEARCH_TARGET_S)}"))
    facet_s, hits = median_s(
        lambda: directory.search(index, "verein", {"sector": ["zivilgesellschaft"], "bezirk": ["03"]})
    )
    lines.append(
        row(
            "search 'verein' + sector + Bezirk facets",
            facet_s,
            f"{len(hits.rows):,} hits; {check(facet_s, SEARCH_TARGET_S)}",
        )
    )
    everything = directory.search(index, "", {})
    frame_s, _ = median_s(lambda: directory.hits_frame(index, everything, "de"))
    lines.append(row(f"hits_frame of all {len(everything.rows):,} entries (the table)", frame_s))
    net_s, net = median_s(lambda: network.build_network(city, coops), runs=3)
    table_s, _ = median_s(lambda: network.area_table(net), runs=3)
    chances_s, chances = median_s(lambda: opportunities.find(city, coops), runs=3)
    bezirk = city.bezirke["area_id"].iloc[0]
    quartier = city.units.loc[city.units["parent_id"] == bezirk, "area_id"].iloc[0]
    lines += [
        row(
            "network.build_network (once per data version)",
            net_s,
            f"{net.graph.number_of_nodes():,} actors, {net.graph.number_of_edges():,} links",
        ),
        row("network.area_table (once per version)", table_s),
        row("opportunities.find, 500 m (once per version)", chances_s, f"{len(chances):,} chances"),
        row(
            "opportunities.within + list_html (top 10)",
            median_s(
                lambda: opportunities.list_html(
                    opportunities.within(chances, net.members[bezirk], schema.SECTORS), "de"
                )
            )[0],
        ),
    ]
    for label, area in (("whole city", None), (f"Bezirk {bezirk}", bezirk), (f"Quartier {quartier}", quartier)):
        graph = network.area_graph(net, area)
        pivots = network.pivots(graph)
        view_s, _ = median_s(lambda area=area: network_view(net, area), runs=3)
        how = "exact" if pivots is None else f"estimated from {pivots} start points"
        lines.append(
            row(
                f"network view, {label}",
                view_s,
                f"{len(graph):,} actors, {graph.number_of_edges():,} links; betweenness {how}",
            )
        )
    return lines


def timed_run(at: AppTest) -> float:
    start = time.perf_counter()
    at.run()
    seconds = time.perf_counter() - start
    assert not at.exception, at.exception
    return seconds


def page(workspace: Workspace) -> list[str]:
    """AppTest runs of the page; the data is loaded (and the Karte built) before any timing."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "gross.gpkg"
        write_geopackage(workspace, path)
        os.environ["QUARTIERSATLAS_WORKSPACE"] = str(path)
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
        at.run()
        at.switch_page("pages/akteure.py")
        cold_dir = timed_run(at)
        warm_dir = timed_run(at)
        at.text_input(key="actors_query").set_value("Muehlenstrasse")
        search_dir = timed_run(at)
        at.segmented_control(key="actors_view").set_value("network")
        cold_net = timed_run(at)
        bezirk = at.sidebar.selectbox(key="net_bezirk").options[1]
        at.sidebar.selectbox(key="net_bezirk").select_index(1)
        new_bezirk = timed_run(at)
        at.sidebar.selectbox(key="net_quartier").select_index(1)
        new_quartier = timed_run(at)
        warm_net = timed_run(at)
    return [
        row("page, directory: first run (builds the index)", cold_dir),
        row("page, directory: rerun", warm_dir, check(warm_dir, PAGE_TARGET_S)),
        row("page, directory: a search typed", search_dir, check(search_dir, PAGE_TARGET_S)),
        row(
            "page, network: first run, whole city",
            cold_net,
            f"graph, area table, chances built; {check(cold_net, PAGE_TARGET_S)}",
        ),
        row(f"page, network: {bezirk} chosen", new_bezirk, check(new_bezirk, PAGE_TARGET_S)),
        row("page, network: a Quartier chosen", new_quartier, check(new_quartier, PAGE_TARGET_S)),
        row("page, network: rerun (all cached)", warm_net, check(warm_net, PAGE_TARGET_S)),
    ]


def main() -> int:
    print(
        f"Machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}, "
        f"Python {platform.python_version()}, {platform.platform()}"
    )
    start = time.perf_counter()
    workspace = synthetic_workspace()
    print(
        f"Synthetic city generated in {time.perf_counter() - start:.1f} s (seed {SEED}): "
        f"{len(workspace.actors):,} actors, {len(workspace.offers):,} offers, "
        f"{len(workspace.cooperations):,} cooperations, {len(workspace.housing):,} housing points, "
        f"{(workspace.areas['level'] == 'quartier').sum()} Quartiere. "
        f"Core: median of {RUNS} (or 3) after a warm-up; page: single runs.\n"
    )
    print(f"| {'measure':<50} | {'median':>12} | note\n|{'-' * 52}|{'-' * 14}|{'-' * 40}")
    print("\n".join(core(workspace)))
    print("\n".join(page(workspace)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
