"""Network measures on a tiny hand-made graph whose figures are computed by hand.

Six actors in the factory's four Quartiere, cooperations forming a tree:

    b1 (Zivilgesellschaft, 0101) — b2 (Wohnungswirtschaft, 0101, also works in 0102) — b3 (Kommune, 0102)
                                    |
                                    b4 (Zivilgesellschaft, 0102) — b5 (Wohlfahrt, 0201) — b6 (Wohlfahrt, 0201)

Betweenness (pairs whose only shortest path runs through the actor, of (6-1)(6-2)/2 = 10):
b2 on 7 pairs (b1b3 b1b4 b1b5 b1b6 b3b4 b3b5 b3b6) → 0.7; b4 on 6 → 0.6; b5 on 4 → 0.4.
Density 5 links / 15 possible; b5–b6 is the only link within one sector.
"""

import geopandas as gpd
import pandas as pd
import pytest

from dashboard.analysis import network
from dashboard.analysis.city import prepare
from tests.support.factories import CRS, _at, tiny_workspace

ACTORS = [  # id, sector, x, y, quartiere worked in
    ("b1", "zivilgesellschaft", 200, 200, "0101"),
    ("b2", "wohnungswirtschaft", 600, 600, "0101;0102"),
    ("b3", "kommune", 1200, 200, ""),
    ("b4", "zivilgesellschaft", 1700, 700, ""),
    ("b5", "wohlfahrtspflege", 300, 1300, ""),
    ("b6", "wohlfahrtspflege", 700, 1700, "0201"),
]
LINKS = [("b1", "b2", "netzwerk"), ("b3", "b2", "vertrag"), ("b2", "b4", "projekt"), ("b4", "b5", "netzwerk"),
         ("b5", "b6", "projekt"), ("b2", "b1", "projekt")]  # fmt: skip  # the last repeats b1–b2 the other way round


def hand_made_workspace():
    actors = gpd.GeoDataFrame(
        {
            "actor_id": [a[0] for a in ACTORS], "name": [f"Akteur {a[0]}" for a in ACTORS],
            "sector": [a[1] for a in ACTORS], "kind": "Verein", "quartiere": [a[4] for a in ACTORS], "website": "",
            "contact": "geheim@beispiel.invalid",
            "source": "Test", "stand": "2026-01-01",
        },
        geometry=[_at(a[2], a[3]) for a in ACTORS],
        crs=CRS,
    )  # fmt: skip
    cooperations = pd.DataFrame(
        {"coop_id": [f"k{i}" for i in range(len(LINKS))], "actor_a": [link[0] for link in LINKS],
         "actor_b": [link[1] for link in LINKS], "kind": [link[2] for link in LINKS],
         "since": [2010 + i for i in range(len(LINKS))]}
    )  # fmt: skip
    empty = tiny_workspace().offers.iloc[0:0]
    return tiny_workspace(
        actors=actors, cooperations=cooperations, offers=empty, housing=tiny_workspace().housing.iloc[0:0]
    )


@pytest.fixture(scope="module")
def net():
    workspace = hand_made_workspace()
    return network.build_network(prepare(workspace), workspace.cooperations)


def test_degree_betweenness_density_and_cross_sector_links(net):
    graph = network.area_graph(net)
    table = network.centrality(graph)
    assert table["degree"].to_dict() == {"b1": 1, "b2": 3, "b3": 1, "b4": 2, "b5": 2, "b6": 1}
    assert table["betweenness"].round(9).to_dict() == {"b1": 0, "b2": 0.7, "b3": 0, "b4": 0.6, "b5": 0.4, "b6": 0}
    figures = network.figures(graph)
    assert (figures.actors, figures.links, figures.cross_links) == (6, 5, 4)
    assert figures.density == pytest.approx(5 / 15)
    assert figures.sectors == ("wohnungswirtschaft", "wohlfahrtspflege", "kommune", "zivilgesellschaft")


def test_repeated_cooperation_is_one_link_with_both_kinds(net):
    link = net.graph.edges["b1", "b2"]
    assert link["kinds"] == ("netzwerk", "projekt") and link["since"] == 2010


def test_bridging_actors_need_betweenness_and_two_other_sectors(net):
    table = network.centrality(network.area_graph(net))
    assert table.loc["b2", "other_sectors"] == ("kommune", "zivilgesellschaft")
    assert table.loc["b5", "other_sectors"] == ("zivilgesellschaft",)  # one other sector: not a bridge
    assert list(network.bridges(table).index) == ["b2", "b4"]


def test_area_filter_counts_seat_and_quartiere_worked_in(net):
    assert net.members["0102"] == {"b2", "b3", "b4"}  # b2 sits in 0101 but works in 0102
    quartier = network.figures(network.area_graph(net, "0102"))
    assert (quartier.actors, quartier.links, quartier.cross_links) == (3, 2, 2)
    assert quartier.density == pytest.approx(2 / 3)
    bezirk = network.figures(network.area_graph(net, "01"))
    assert (bezirk.actors, bezirk.links, bezirk.cross_links, bezirk.density) == (4, 3, 3, 0.5)
    assert network.figures(network.area_graph(net, "0202")) == network.Figures(0, 0, 0, 0.0, ())


def test_sector_filter(net):
    graph = network.area_graph(net, None, ("zivilgesellschaft", "wohnungswirtschaft"))
    assert sorted(graph.nodes) == ["b1", "b2", "b4"] and graph.number_of_edges() == 2


def test_quartiere_without_civil_society_or_cross_sector_link(net):
    table = network.area_table(net)
    assert table.loc["0201", ["actors", "links", "cross_links"]].tolist() == [2, 1, 0]
    lacking = network.lacking(table)
    assert list(lacking["name"]) == ["Höhe", "Wald"]  # 0201: welfare only, one link within it; 0202: nobody
    assert list(network.lacking(table, "01")["name"]) == []
    frame = network.lacking_frame(lacking, "de")
    assert frame.iloc[0]["fehlt"] == "Zivilgesellschaft, sektorübergreifende Kooperation"


def test_layout_chart_and_display_limit(net):
    graph = network.area_graph(net)
    table = network.centrality(graph)
    assert network.layout(graph, "map")["b1"] == (4_300_200.0, 2_800_200.0)
    assert network.layout(graph) == network.layout(graph)  # seeded: the picture does not jump between reruns
    apart = network.layout(network.area_graph(net, None, ("kommune", "wohlfahrtspflege")))
    assert apart["b3"][1] < -1 <= min(apart["b5"][1], apart["b6"][1])  # b3 has no link here: the row below
    few = network.shown(graph, table, limit=2)
    assert sorted(few.nodes) == ["b2", "b4"]  # the best linked
    spec = network.chart(graph, table, network.layout(graph), "de").to_dict()
    nodes, edges = (spec["datasets"][layer["data"]["name"]] for layer in reversed(spec["layer"]))
    assert len(nodes) == 6 and len(edges) == 5
    assert {n["name"]: n["degree"] for n in nodes}["Akteur b2"] == 3
    assert sum(e["cross"] == "sektorübergreifend" for e in edges) == 4
    assert "geheim" not in repr(spec) and "geheim" not in repr(net.graph.nodes(data=True))
