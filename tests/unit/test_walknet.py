"""Walking network and distances: equal to networkx's Dijkstra, barriers respected, OSM filtered, real data loads."""

from __future__ import annotations

from dataclasses import replace

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, Point

from dashboard.analysis import gaps, walknet
from dashboard.analysis.distance import StraightLine
from dashboard.analysis.walknet import WalkingDistance
from dashboard.model import schema
from dashboard.model.scenario import NewOffer, Scenario
from dashboard.reports.gap_figures import method_text
from tests.support.paths import SHARED_DATA

HAMBURG = SHARED_DATA / "hamburg-eimsbuettel-osm" / "hamburg-eimsbuettel-1km2.geojson"
ORIGIN = np.array([4_321_000.0, 3_210_000.0])  # somewhere in EPSG:3035


def _network(segments, max_segment_m: float = 0) -> walknet.Network:
    """The lines as drawn (no extra vertices), so node counts and attachments are the hand-computed ones."""
    lines = [LineString(np.asarray(s, dtype=float) + ORIGIN) for s in segments]
    return walknet.from_lines(gpd.GeoSeries(lines, crs=schema.ANALYSIS_CRS), max_segment_m=max_segment_m)


def _peer(network: walknet.Network) -> nx.Graph:
    graph = nx.Graph()
    graph.add_nodes_from(range(network.node_count))
    graph.add_weighted_edges_from(
        zip(network.edges[:, 0].tolist(), network.edges[:, 1].tolist(), network.length.tolist(), strict=False)
    )
    return graph


def _peer_nearest(network, origins, targets, cutoff=np.inf) -> np.ndarray:
    """networkx: access + shortest path + access, minimised over the targets."""
    graph = _peer(network)
    o_node, o_access = network.attach(origins)
    t_node, t_access = network.attach(targets)
    best = np.full(len(origins), np.inf)
    for node, access in zip(t_node.tolist(), t_access.tolist(), strict=False):
        lengths = nx.single_source_dijkstra_path_length(graph, node)
        path = np.array([lengths.get(n, np.inf) for n in o_node.tolist()])
        best = np.minimum(best, access + path + o_access)
    return np.where(best <= cutoff, best, np.inf)


def _jittered_grid(rng, side: int, spacing: float, offset=(0.0, 0.0), drop: float = 0.15) -> list:
    x, y = np.meshgrid(np.arange(side) * spacing, np.arange(side) * spacing)
    xy = np.stack([x, y], axis=-1) + rng.uniform(-0.3, 0.3, (side, side, 2)) * spacing + offset
    segments = [(xy[i, j], xy[i, j + 1]) for i in range(side) for j in range(side - 1)]
    segments += [(xy[i, j], xy[i + 1, j]) for i in range(side - 1) for j in range(side)]
    return [s for s in segments if rng.random() > drop]


# --- building the network -----------------------------------------------------------------------


def test_lines_meeting_at_a_vertex_share_a_node_and_are_split_there():
    network = _network(
        [[(0, 0), (100, 0), (200, 0)], [(100, 0.04), (100, 100)], [(0, 0), (100, 0)], [(150, -50), (150, 50)]]
    )
    assert network.node_count == 6  # crossing without a shared vertex: a bridge, not a junction
    assert len(network.edges) == 4  # the repeated segment (0,0)–(100,0) is one edge
    assert sorted(network.length.tolist()) == pytest.approx([100.0] * 4)


def test_points_join_the_nearest_path_not_a_far_junction():
    """A 1 km street without vertices between its ends: homes 100 m apart along it are 120 m apart on foot."""
    home, offer = ORIGIN + (600.0, 10.0), ORIGIN + (500.0, 10.0)
    cut = WalkingDistance(_network([[(0, 0), (1_000, 0)]], max_segment_m=walknet.MAX_SEGMENT_M))
    assert cut.nearest(home[None], offer[None]) == pytest.approx([120.0])
    as_drawn = WalkingDistance(_network([[(0, 0), (1_000, 0)]]))
    assert as_drawn.nearest(home[None], offer[None])[0] > 500  # both would walk to a street end


def test_distances_equal_networkx_on_a_small_graph():
    #  a square with a diagonal shortcut and a dead end; a separate island far away
    segments = [[(0, 0), (300, 0)], [(300, 0), (300, 400)], [(300, 400), (0, 400)], [(0, 400), (0, 0)],
                [(0, 0), (300, 400)], [(300, 400), (300, 700)], [(5_000, 0), (5_100, 0)]]  # fmt: skip
    network = _network(segments)
    targets = ORIGIN + np.array([[0.0, 0.0], [310.0, 10.0]])
    origins = ORIGIN + np.array([[0.0, 0.0], [300, 700], [20, 400], [150, 200], [5_050, 5], [280, -30]])
    method = WalkingDistance(network)
    got = method.nearest(origins, targets)
    np.testing.assert_allclose(got, _peer_nearest(network, origins, targets), rtol=0, atol=1e-9)
    assert got[0] == 0.0 and got[1] == pytest.approx(700 + np.hypot(10, 10))
    assert np.isinf(got[4])  # the island is unreachable: not covered, no error
    graph = _peer(network)
    t_node, _ = network.attach(targets[:1])
    exact = nx.multi_source_dijkstra_path_length(graph, set(t_node.tolist()))
    nodes = np.arange(network.node_count)
    np.testing.assert_allclose(
        method.nearest(network.xy, targets[:1]), [exact.get(n, np.inf) for n in nodes], rtol=0, atol=1e-9
    )


def test_several_targets_on_one_node_count_the_closest():
    network = _network([[(0, 0), (100, 0)]])
    targets = ORIGIN + np.array([[0.0, 30.0], [0.0, 5.0], [0.0, 20.0]])
    got = WalkingDistance(network).nearest(ORIGIN + np.array([[100.0, 0.0]]), targets)
    assert got[0] == pytest.approx(105.0)


@pytest.fixture(scope="module")
def medium():
    """A jittered 45 × 45 grid (~2,000 nodes) with 15 % of the streets missing, and an island."""
    rng = np.random.default_rng(8)
    segments = _jittered_grid(rng, 45, 60.0) + _jittered_grid(rng, 4, 60.0, offset=(6_000.0, 0.0), drop=0.0)
    network = _network(segments)
    origins = ORIGIN + rng.uniform(-100, 2_800, (400, 2))
    origins[:5] = ORIGIN + (6_050.0, 50.0) + rng.uniform(0, 100, (5, 2))  # on the island
    targets = ORIGIN + rng.uniform(0, 2_600, (25, 2))
    return network, origins, targets


def test_nearest_equals_networkx_on_a_medium_random_graph(medium):
    network, origins, targets = medium
    assert 1_800 <= network.node_count <= 2_200
    peer = _peer_nearest(network, origins, targets, cutoff=1_500.0)
    got = WalkingDistance(network, cutoff=1_500.0).nearest(origins, targets)
    np.testing.assert_allclose(got, peer, rtol=0, atol=1e-9)
    assert np.isinf(got[:5]).all() and np.isfinite(got).sum() > 300


def test_within_equals_networkx_on_a_medium_random_graph(medium):
    network, origins, targets = medium
    graph = _peer(network)
    o_node, o_access = network.attach(origins)
    t_node, t_access = network.attach(targets)
    expected = {}
    for t, (node, access) in enumerate(zip(t_node.tolist(), t_access.tolist(), strict=False)):
        lengths = nx.single_source_dijkstra_path_length(graph, node, cutoff=400.0)
        for o, (onode, oaccess) in enumerate(zip(o_node.tolist(), o_access.tolist(), strict=False)):
            total = access + lengths.get(onode, np.inf) + oaccess
            if total <= 400.0:
                expected[(o, t)] = total
    pairs = WalkingDistance(network).within(origins, targets, 400.0)
    got = dict(
        zip(zip(pairs.origin.tolist(), pairs.target.tolist(), strict=False), pairs.distance.tolist(), strict=False)
    )
    assert got.keys() == expected.keys() and len(got) > 50
    np.testing.assert_allclose([got[k] for k in expected], list(expected.values()), rtol=0, atol=1e-9)


def test_walking_is_never_shorter_than_the_straight_line(medium):
    network, origins, targets = medium
    walking = WalkingDistance(network).within(origins, targets, 800.0)
    straight = np.hypot(*(origins[walking.origin] - targets[walking.target]).T)
    assert (walking.distance >= straight - 1e-9).all()
    assert len(StraightLine().within(origins, targets, 800.0).origin) > len(walking.origin)


def test_a_river_with_one_bridge_makes_200_m_a_long_walk():
    # streets on both banks (y = 0 and y = 200), the river between them, one bridge at x = 500;
    # as in OSM, ways are connected where they share a vertex
    junctions = (-1_000, -600, 0, 500, 600, 1_000)
    banks = [[(x, 0) for x in junctions], [(x, 200) for x in junctions], [(500, 0), (500, 200)]]
    lanes = [[(x, 0), (x, -300)] for x in (-600, 0, 600)] + [[(x, 200), (x, 500)] for x in (-600, 0, 600)]
    network = _network(banks + lanes)
    home, offer = ORIGIN + np.array([[0.0, 205.0]]), ORIGIN + np.array([[0.0, -5.0]])
    assert StraightLine().nearest(home, offer)[0] == pytest.approx(210.0)
    walking = WalkingDistance(network)
    assert (
        walking.nearest(home, offer)[0] == pytest.approx(5 + 500 + 200 + 500 + 5)
        and walking.nearest(home, offer)[0] > 900
    )
    assert len(walking.within(home, offer, 500.0).origin) == 0
    bands = walking.isochrone(offer[0], (300, 500, 1_300))
    assert bands["distance"].tolist() == [300, 500, 1_300]
    areas = bands.geometry.values
    assert shapely.contains(areas[1], areas[0]) and shapely.contains(areas[2], areas[1])
    assert areas[0].contains(Point(offer[0])) and not areas[1].contains(Point(home[0]))
    assert areas[2].contains(Point(home[0]))
    assert shapely.within(areas[0], Point(offer[0]).buffer(300 + walknet.ISOCHRONE_WIDTH + 1))


# --- OpenStreetMap input ---------------------------------------------------------------------------


def test_osm_filter_keeps_walkable_ways_only():
    line = LineString([(9.95, 53.57), (9.951, 53.571)])
    frame = gpd.GeoDataFrame(
        {
            "highway": [
                "motorway",
                "footway",
                "footway",
                "residential",
                "residential",
                "trunk",
                "steps",
                None,
                "bus_stop",
            ],
            "foot": [None, "no", None, None, "yes", None, None, None, None],
            "access": [None, None, None, "private", "private", None, "no", None, None],
        },
        geometry=[line] * 8 + [Point(9.95, 53.57)],
        crs=schema.WEB_CRS,
    )
    paths = walknet.osm_paths(frame)
    assert paths["highway"].tolist() == ["footway", "residential"]
    assert paths["path_id"].is_unique and paths.crs == frame.crs


@pytest.fixture(scope="module")
def hamburg() -> gpd.GeoDataFrame:
    if not HAMBURG.exists():
        pytest.skip(f"real Hamburg extract not available at {HAMBURG}")
    return gpd.read_file(HAMBURG).to_crs(schema.ANALYSIS_CRS)


@pytest.mark.real_data
def test_hamburg_extract_gives_plausible_catchments(hamburg):
    paths = walknet.osm_paths(hamburg)
    assert 400 <= len(paths) <= 582 and "motorway" not in set(paths["highway"])
    network = walknet.from_lines(paths.geometry)
    assert network.node_count > 1_000
    pois = hamburg[hamburg["amenity"].isin(["kindergarten", "community_centre", "social_facility", "school"])]
    targets = shapely.get_coordinates(pois.geometry.representative_point().values)
    homes = hamburg[hamburg["building"].notna() & hamburg.geom_type.isin(["Polygon", "MultiPolygon"])]
    origins = shapely.get_coordinates(homes.geometry.representative_point().values)
    method = WalkingDistance(network)
    pairs = method.within(origins, targets, 500.0)
    straight = np.hypot(*(origins[pairs.origin] - targets[pairs.target]).T)
    assert len(pairs.origin) > 1_000
    assert (pairs.distance >= straight - 1e-9).all()
    assert np.median(pairs.distance / np.maximum(straight, 1.0)) > 1.1  # streets detour
    nearest = method.nearest(origins, targets)
    assert np.isfinite(nearest).mean() > 0.9
    best = np.full(len(origins), np.inf)
    np.minimum.at(best, pairs.origin, pairs.distance)
    np.testing.assert_allclose(nearest[np.isfinite(best)], best[np.isfinite(best)], rtol=0, atol=1e-9)


def test_pyrosm_test_pbf_loads_into_a_network():
    pyrosm = pytest.importorskip("pyrosm")
    paths = walknet.read_pbf(pyrosm.get_data("test_pbf"))
    assert len(paths) > 200 and set(paths["highway"]) <= walknet.WALKABLE
    network = walknet.from_lines(paths.geometry)
    assert network.node_count > 200 and (network.length > 0).all()
    assert np.isfinite(WalkingDistance(network).nearest(network.xy[:50], network.xy[:1])).any()


# --- the gap analysis on the demo city ---------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_city():
    from dashboard.analysis.city import prepare
    from dashboard.demo import musterstadt

    return prepare(musterstadt.generate(2016))


def test_fussweg_on_the_demo_city_covers_fewer_residents_than_luftlinie(demo_city):
    straight = gaps.analyse(demo_city, gaps.GapParams(threshold_m=500))
    walking = gaps.analyse(demo_city, gaps.GapParams(threshold_m=500, distance="fussweg"))
    assert walking.method.label_key == "distance.walking" and straight.method.label_key == "distance.straight_line"
    assert "Fußweg im Wegenetz" in method_text(walking, demo_city.data_date, "de")
    assert (walking.cells["distance"] >= straight.cells["distance"] - 1e-6).all()
    lost = straight.cells["covered"] & ~walking.cells["covered"]
    assert 0.1 * straight.city["covered_residents"] < straight.cells.loc[lost, "residents"].sum()
    assert walking.city["covered_residents"] < straight.city["covered_residents"]
    assert np.isfinite(walking.cells["distance"]).any()


def test_a_scenario_with_walking_distances_equals_a_full_run(demo_city):
    params = gaps.GapParams(threshold_m=500, distance="fussweg")
    base = gaps.analyse(demo_city, params)
    scenario = Scenario().add(NewOffer(lon=8.894, lat=50.574, capacity=30))
    scenario = scenario.toggle(base.offers["offer_id"].iloc[0])
    incremental, full = gaps.with_scenario(demo_city, base, scenario), gaps.analyse(demo_city, params, scenario)
    np.testing.assert_allclose(incremental.cells["distance"], full.cells["distance"])
    np.testing.assert_allclose(incremental.cells["access"], full.cells["access"], atol=1e-9)


def test_without_a_network_fussweg_falls_back_to_the_straight_line(demo_city):
    city = replace(demo_city, paths=None)
    result = gaps.analyse(city, gaps.GapParams(distance="fussweg", detour=1.3))
    assert result.method == StraightLine(1.3)


def test_a_target_far_from_every_path_reaches_nobody_without_error():
    network = _network([[(x, 0) for x in range(0, 1_001, 100)]])
    targets = ORIGIN + np.array([[500.0, 2_000.0], [0.0, 10.0]])
    pairs = WalkingDistance(network).within(ORIGIN + np.array([[300.0, 5.0]]), targets, 500.0)
    assert pairs.target.tolist() == [1] and pairs.distance.tolist() == pytest.approx([315.0])
