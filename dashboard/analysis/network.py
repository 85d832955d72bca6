"""Who works with whom: the cooperation network, its figures per area and the actors that bridge sectors.

Why: Quartier development needs the housing industry, welfare associations, the city and civil
society at one table, and civil society is the sector most often missing (origin text). A
planner sees here which Quartiere lack civil society or any cooperation across sectors, and
which actors already link sectors and can open doors. An actor belongs to an area when it sits
there or names it among the Quartiere it works in. Measures come from networkx; the graph is
drawn with Altair/Vega-Lite, which Streamlit serves itself (no third-party request).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import altair as alt
import networkx as nx
import numpy as np
import pandas as pd

from dashboard.analysis.city import City
from dashboard.analysis.classify import SECTOR_COLOURS
from dashboard.i18n import code_label, fmt_int, fmt_num, t, tn
from dashboard.model import schema

#: Betweenness walks the graph once per start point. It is exact while that stays under WORK_LIMIT
#: node and link visits; beyond, networkx estimates it from as many seeded start points as fit
#: (at least MIN_PIVOTS) – exact takes minutes for thousands of actors.
WORK_LIMIT = 600_000
MIN_PIVOTS = 24
SEED = 2016
#: The graph drawn shows at most this many actors (the best linked); figures use all of them.
DISPLAY_LIMIT = 250
BRIDGES_SHOWN = 10
LAYOUTS = ("network", "map")
ALONE_PER_ROW = 20


@dataclass(frozen=True)
class Network:
    """All actors (nodes: name, sector, kind, x, y) and cooperations (edges: kinds, since) of a city."""

    graph: nx.Graph
    members: dict[str, frozenset[str]]  # area id (Quartier or Stadtbezirk) → actors sitting or working there
    area_names: dict[str, str]
    parents: dict[str, str | None]  # Quartier → Stadtbezirk


def build_network(city: City, cooperations: pd.DataFrame) -> Network:
    """One graph per data version; several cooperations of one pair become one edge (kinds joined, earliest year)."""
    actors = city.actors
    graph = nx.Graph()
    for row in actors.itertuples():
        graph.add_node(
            row.actor_id,
            name=str(row.name),
            sector=row.sector,
            kind=row.kind if isinstance(row.kind, str) else "",
            x=row.x,
            y=row.y,
        )
    kinds: dict[tuple[str, str], set[str]] = defaultdict(set)
    first: dict[tuple[str, str], float] = {}
    for a, b, kind, since in zip(
        cooperations["actor_a"],
        cooperations["actor_b"],
        cooperations["kind"],
        pd.to_numeric(cooperations["since"]),
        strict=False,
    ):
        if a != b and a in graph and b in graph:
            pair = (min(a, b), max(a, b))
            kinds[pair].add(kind)
            first[pair] = np.fmin(first.get(pair, np.nan), since)
    graph.add_edges_from((a, b, {"kinds": tuple(sorted(k)), "since": first[a, b]}) for (a, b), k in kinds.items())
    parents = dict(zip(city.units["area_id"], city.units["parent_id"], strict=False))
    members: dict[str, set[str]] = defaultdict(set)
    for actor, located, works in zip(actors["actor_id"], actors["area_id"], actors["quartiere"], strict=False):
        for unit in {located, *schema.split_list(works)} & parents.keys():
            members[unit].add(actor)
            if isinstance(parents[unit], str):
                members[parents[unit]].add(actor)
    names = {
        **dict(zip(city.bezirke["area_id"], city.bezirke["name"], strict=False)),
        **dict(zip(city.units["area_id"], city.units["name"], strict=False)),
    }
    return Network(graph, {a: frozenset(m) for a, m in members.items()}, names, parents)


def area_graph(network: Network, area: str | None = None, sectors=schema.SECTORS) -> nx.Graph:
    """The actors of an area (None = whole city) and sectors, with the cooperations among them."""
    graph = network.graph
    nodes = graph.nodes if area is None else network.members.get(area, frozenset())
    keep = [n for n in nodes if graph.nodes[n]["sector"] in sectors]
    return graph if len(keep) == len(graph) else graph.subgraph(keep).copy()  # a copy: views are slow to walk


@dataclass(frozen=True)
class Figures:
    """Per-area figures: density = links present / links possible."""

    actors: int
    links: int
    cross_links: int
    density: float
    sectors: tuple[str, ...]


def quartiere_in(network: Network, bezirk: str | None) -> list[str]:
    """The Quartiere of a Stadtbezirk (None = all), by name."""
    return sorted(
        (a for a, p in network.parents.items() if bezirk is None or p == bezirk), key=network.area_names.__getitem__
    )


def figures(graph: nx.Graph) -> Figures:
    sector = nx.get_node_attributes(graph, "sector")
    cross = sum(1 for a, b in graph.edges if sector[a] != sector[b])
    present = set(sector.values())
    density = nx.density(graph) if graph.number_of_nodes() > 1 else 0.0
    return Figures(
        graph.number_of_nodes(),
        graph.number_of_edges(),
        cross,
        density,
        tuple(s for s in schema.SECTORS if s in present),
    )


def pivots(graph: nx.Graph) -> int | None:
    """Start points for the betweenness estimate; None = exact (every actor is a start point)."""
    n = graph.number_of_nodes()
    k = max(MIN_PIVOTS, WORK_LIMIT // max(n + graph.number_of_edges(), 1))
    return None if k >= n else k


def method_text(graph: nx.Graph, lang: str) -> str:
    """The network method in plain words, and whether this view's betweenness is exact or estimated."""
    k = pivots(graph)
    return (
        t("net.method.text", lang)
        + " "
        + (t("net.method.exact", lang) if k is None else tn("net.method.estimated", k, lang, pivots=k))
    )


def centrality(graph: nx.Graph) -> pd.DataFrame:
    """Per actor: degree, betweenness (normalised 0–1) and the other sectors it has cooperations with."""
    between = nx.betweenness_centrality(graph, k=pivots(graph), seed=SEED)
    nodes = graph.nodes
    rows = [
        {
            "actor_id": actor,
            "name": nodes[actor]["name"],
            "sector": nodes[actor]["sector"],
            "degree": graph.degree(actor),
            "betweenness": between[actor],
            "other_sectors": tuple(
                s
                for s in schema.SECTORS
                if s != nodes[actor]["sector"] and any(nodes[p]["sector"] == s for p in graph[actor])
            ),
        }
        for actor in graph.nodes
    ]
    columns = ["actor_id", "name", "sector", "degree", "betweenness", "other_sectors"]
    return pd.DataFrame(rows, columns=columns).set_index("actor_id", drop=False)


def bridges(table: pd.DataFrame, most: int = BRIDGES_SHOWN) -> pd.DataFrame:
    """Bridging actors: on shortest paths between others (betweenness > 0) and linked into ≥ 2 other sectors."""
    bridging = table[(table["betweenness"] > 0) & (table["other_sectors"].map(len) >= 2)]
    return bridging.sort_values(["betweenness", "degree", "name"], ascending=[False, False, True]).head(most)


def area_table(network: Network) -> pd.DataFrame:
    """Figures of every Quartier (index area_id): actors, sectors, links, cross-sector links, density."""
    rows = []
    for area in network.parents:
        f = figures(area_graph(network, area))
        rows.append({
            "area_id": area, "name": network.area_names[area], "bezirk": network.parents[area], "actors": f.actors,
            "sectors": f.sectors, "links": f.links, "cross_links": f.cross_links, "density": f.density,
        })  # fmt: skip
    table = pd.DataFrame(
        rows, columns=["area_id", "name", "bezirk", "actors", "sectors", "links", "cross_links", "density"]
    )
    return table.set_index("area_id")


def lacking(table: pd.DataFrame, bezirk: str | None = None) -> pd.DataFrame:
    """Quartiere without a civil-society actor or without any cooperation across sectors."""
    rows = table if bezirk is None else table[table["bezirk"] == bezirk]
    no_civil = ~rows["sectors"].map(lambda s: "zivilgesellschaft" in s)
    return rows[no_civil | (rows["cross_links"] == 0)].sort_values("name")


def shown(graph: nx.Graph, table: pd.DataFrame, limit: int = DISPLAY_LIMIT) -> nx.Graph:
    """The ``limit`` best-linked actors (degree, then betweenness) and the links among them."""
    if graph.number_of_nodes() <= limit:
        return graph
    best = table.sort_values(["degree", "betweenness", "name"], ascending=[False, False, True]).index[:limit]
    return graph.subgraph(best)


def layout(graph: nx.Graph, how: str = "network") -> dict[str, tuple[float, float]]:
    """Node positions: "map" = where the actors sit; "network" = a seeded spring layout of the linked
    actors started from where they sit (stable between reruns), actors without a link in rows below.

    Spring layouts fling unlinked actors to the rim, which shrinks everything else to a dot.
    """
    where = {n: (d["x"], d["y"]) for n, d in graph.nodes(data=True)}
    if how == "map":
        return where
    linked = [n for n in graph if graph.degree(n)]
    positions = {}
    if linked:
        xy = np.array([where[n] for n in linked], dtype=float)
        start = dict(zip(linked, (xy - xy.min(axis=0)) / (np.ptp(xy, axis=0).max() or 1.0), strict=False))
        spring = nx.spring_layout(graph.subgraph(linked), pos=start, seed=SEED)
        positions = {n: (float(x), float(y)) for n, (x, y) in spring.items()}
    alone = sorted((n for n in graph if not graph.degree(n)), key=lambda n: graph.nodes[n]["name"])
    for i, actor in enumerate(alone):
        row, col = divmod(i, ALONE_PER_ROW)
        positions[actor] = (-1 + 2 * col / (ALONE_PER_ROW - 1), -1.3 - 0.15 * row)
    return positions


def chart(graph: nx.Graph, table: pd.DataFrame, positions: dict[str, tuple[float, float]], lang: str) -> alt.LayerChart:
    """Nodes coloured by sector and sized by links, cooperations as lines; zoom, pan and tooltips.

    Tooltip texts go to Vega as data: vega-tooltip escapes them before they reach the page.
    """
    sector, name = nx.get_node_attributes(graph, "sector"), nx.get_node_attributes(graph, "name")
    nodes = pd.DataFrame(
        {
            "x": [positions[n][0] for n in graph.nodes],
            "y": [positions[n][1] for n in graph.nodes],
            "name": [name[n] for n in graph.nodes],
            "sector": [code_label(sector[n], lang) for n in graph.nodes],
            "kind": [graph.nodes[n]["kind"] for n in graph.nodes],
            "degree": [int(table.at[n, "degree"]) for n in graph.nodes],
            "betweenness": [fmt_num(table.at[n, "betweenness"], lang, 3) for n in graph.nodes],
        }
    )
    edges = pd.DataFrame(
        {
            "x": [positions[a][0] for a, b in graph.edges],
            "y": [positions[a][1] for a, b in graph.edges],
            "x2": [positions[b][0] for a, b in graph.edges],
            "y2": [positions[b][1] for a, b in graph.edges],
            "pair": [f"{name[a]} – {name[b]}" for a, b in graph.edges],
            "kind": [", ".join(code_label(k, lang) for k in d["kinds"]) for _, _, d in graph.edges(data=True)],
            "since": [str(int(d["since"])) if pd.notna(d["since"]) else "–" for _, _, d in graph.edges(data=True)],
            "cross": [t("net.edge.cross" if sector[a] != sector[b] else "net.edge.same", lang) for a, b in graph.edges],
        },
        columns=["x", "y", "x2", "y2", "pair", "kind", "since", "cross"],
    )
    x = alt.X("x:Q", axis=None, scale=alt.Scale(zero=False, nice=False, padding=24))  # padding: no node cut at the rim
    y = alt.Y("y:Q", axis=None, scale=alt.Scale(zero=False, nice=False, padding=24))
    cross_label, same_label = t("net.edge.cross", lang), t("net.edge.same", lang)
    links = (
        alt.Chart(edges)
        .mark_rule()
        .encode(
            x=x, y=y, x2="x2:Q", y2="y2:Q",
            color=alt.Color("cross:N", scale=alt.Scale(domain=[cross_label, same_label], range=["#444444", "#bbbbbb"]),
                            title=t("net.edges", lang)),
            tooltip=[alt.Tooltip("pair:N", title=t("net.edge", lang)),
                     alt.Tooltip("kind:N", title=t("actors.card.coop_kind", lang)),
                     alt.Tooltip("since:N", title=t("actors.card.since", lang))],
        )
    )  # fmt: skip
    labels = [code_label(s, lang) for s in schema.SECTORS]
    points = (
        alt.Chart(nodes)
        .mark_circle(opacity=0.95, stroke="#ffffff", strokeWidth=1)
        .encode(
            x=x, y=y,
            size=alt.Size("degree:Q", scale=alt.Scale(domainMin=0, range=[60, 800]), title=t("net.degree", lang),
                          legend=alt.Legend(format="d", tickMinStep=1)),
            color=alt.Color("sector:N",
                            scale=alt.Scale(domain=labels, range=[SECTOR_COLOURS[s] for s in schema.SECTORS]),
                            title=t("fig.sector", lang)),
            tooltip=[alt.Tooltip("name:N", title=t("map.tooltip.actor", lang)),
                     alt.Tooltip("sector:N", title=t("fig.sector", lang)),
                     alt.Tooltip("kind:N", title=t("fig.kind", lang)),
                     alt.Tooltip("degree:Q", title=t("net.degree", lang)),
                     alt.Tooltip("betweenness:N", title=t("net.betweenness", lang))],
        )
    )  # fmt: skip
    return alt.layer(links, points).resolve_scale(color="independent").properties(height=540).interactive()


def figure_rows(f: Figures, lang: str) -> list[tuple[str, str]]:
    """The per-area figures as (label, value) for a row of metrics."""
    return [
        (t("fig.actors", lang), fmt_int(f.actors, lang)),
        (t("net.links", lang), fmt_int(f.links, lang)),
        (t("net.cross_links", lang), fmt_int(f.cross_links, lang)),
        (t("net.density", lang), fmt_num(f.density, lang, 3)),
    ]


def _sectors_text(sectors, lang: str) -> str:
    return ", ".join(code_label(s, lang) for s in sectors) or t("fig.none", lang)


def bridges_frame(bridging: pd.DataFrame, lang: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t("map.tooltip.actor", lang): bridging["name"].to_numpy(),
            t("fig.sector", lang): [code_label(s, lang) for s in bridging["sector"]],
            t("net.degree", lang): bridging["degree"].to_numpy(),
            t("net.betweenness", lang): [fmt_num(v, lang, 3) for v in bridging["betweenness"]],
            t("net.links_into", lang): [_sectors_text(s, lang) for s in bridging["other_sectors"]],
        }
    )


def lacking_frame(rows: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The Quartiere of ``lacking`` with what they lack, in plain words."""

    def missing(row) -> str:
        parts = [t("net.lacks.civil", lang)] if "zivilgesellschaft" not in row["sectors"] else []
        return ", ".join([*parts, *([t("net.lacks.cross", lang)] if row["cross_links"] == 0 else [])])

    return pd.DataFrame(
        {
            t("fig.area", lang): rows["name"].to_numpy(),
            t("fig.actors", lang): rows["actors"].to_numpy(),
            t("fig.sectors_present", lang): [_sectors_text(s, lang) for s in rows["sectors"]],
            t("net.cross_links", lang): rows["cross_links"].to_numpy(),
            t("net.lacks", lang): [missing(row) for _, row in rows.iterrows()],
        }
    )
