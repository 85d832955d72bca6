"""Walking distances along a path network instead of straight lines.

Why: a railway, a river or a large block can turn an offer 200 m away as the
crow flies into a 900 m walk; circles overstate coverage. A ``Network`` is
built from OpenStreetMap ways (GeoJSON/GeoPackage lines with ``highway`` tags
or an .osm.pbf through pyrosm) or from any line layer; ``WalkingDistance``
plugs it into the gap analysis as a ``DistanceMethod``.

Every line vertex becomes a node (coordinates rounded to 0.1 m in
``schema.ANALYSIS_CRS``, so lines that meet share a node) and every segment an
undirected edge weighted by its length in metres. Points reach the network at
their nearest node; that straight access distance is added at both ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import sparse
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from dashboard.analysis.distance import Pairs
from dashboard.model import schema

#: Node coordinates are rounded to this many metres, so endpoints that meet become one node.
SNAP = 0.1
#: OSM ``highway`` values people may walk along (main roads are assumed to have sidewalks).
WALKABLE = frozenset(
    {
        "footway", "path", "pedestrian", "living_street", "residential", "service", "unclassified", "road",
        "tertiary", "tertiary_link", "secondary", "secondary_link", "primary", "primary_link", "steps",
        "track", "cycleway", "crossing", "bridleway", "corridor", "elevator", "platform",
    }
)  # fmt: skip
#: ``foot``/``access`` values that close a way to pedestrians, and ``foot`` values that reopen it.
_CLOSED = frozenset({"no", "private", "use_sidepath"})
_OPEN = frozenset({"yes", "designated", "permissive"})
#: Targets in one square of this size (metres) share one batched catchment search
#: (larger: fewer searches, each on a larger piece of the network; 3–5 km is fastest at Berlin size).
_TILE = 4_000.0
#: Half the width of the corridor drawn around reached paths in an isochrone (metres).
ISOCHRONE_WIDTH = 25.0
DEFAULT_CUTOFF = 3_000.0
#: Paths are cut into pieces of at most this length: points join within 12.5 m of the nearest path point.
MAX_SEGMENT_M = 25.0


@dataclass(frozen=True, eq=False)
class Network:
    """Nodes (``xy``, metres in ``schema.ANALYSIS_CRS``) and undirected edges ``(u, v)`` with ``length``."""

    xy: np.ndarray
    edges: np.ndarray
    length: np.ndarray

    @property
    def node_count(self) -> int:
        return len(self.xy)

    @cached_property
    def graph(self) -> sparse.csr_matrix:
        """Both directions of every edge, as scipy's shortest-path routines take them."""
        u, v = self.edges[:, 0], self.edges[:, 1]
        n = self.node_count
        return sparse.csr_matrix(
            (np.concatenate([self.length, self.length]), (np.concatenate([u, v]), np.concatenate([v, u]))), shape=(n, n)
        )

    @cached_property
    def tree(self) -> cKDTree:
        return cKDTree(self.xy)

    def attach(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Nearest node of each point and the straight access distance to it."""
        access, node = self.tree.query(np.asarray(points, dtype=float).reshape(-1, 2), k=1)
        return node.astype(np.intp), access


def from_lines(geometry: gpd.GeoSeries, max_segment_m: float = MAX_SEGMENT_M) -> Network:
    """A network from any lines (every line walkable), split at every vertex.

    Lines are first cut into pieces of at most ``max_segment_m``, so a home or
    an offer joins the network near the closest point of the nearest path
    (within half that length), not at a junction far along the street.
    """
    lines = gpd.GeoSeries(geometry).to_crs(schema.ANALYSIS_CRS)
    parts = shapely.get_parts(lines.values[~lines.is_empty & lines.notna()])
    parts = parts[np.isin(shapely.get_type_id(parts), [1, 2])]  # LineString, LinearRing
    if max_segment_m:
        parts = shapely.segmentize(parts, max_segment_m)
    coords, line = shapely.get_coordinates(parts, return_index=True)
    return _from_vertices(coords, line)


def _from_vertices(coords: np.ndarray, line: np.ndarray) -> Network:
    """Snap vertices to shared nodes and link consecutive vertices of a line; parallel edges keep the shortest."""
    if len(coords) == 0:
        return Network(np.zeros((0, 2)), np.zeros((0, 2), dtype=np.intp), np.zeros(0))
    grid = np.round(coords / SNAP).astype(np.int64)
    base = grid.min(axis=0)
    grid -= base
    key = grid[:, 0] * (int(grid[:, 1].max()) + 1) + grid[:, 1]
    unique, first, node = np.unique(key, return_index=True, return_inverse=True)
    xy = (grid[first] + base) * SNAP
    same_line = line[1:] == line[:-1]
    u, v = node[:-1][same_line], node[1:][same_line]
    u, v = np.minimum(u, v), np.maximum(u, v)
    keep = u != v
    u, v = u[keep], v[keep]
    length = np.hypot(*(xy[v] - xy[u]).T)
    order = np.lexsort((length, v, u))
    pair = u[order].astype(np.int64) * len(unique) + v[order]
    once = np.concatenate([[True], pair[1:] != pair[:-1]])
    chosen = order[once]
    return Network(xy, np.column_stack([u[chosen], v[chosen]]).astype(np.intp), length[chosen])


def walkable(frame: pd.DataFrame) -> np.ndarray:
    """Ways a pedestrian may use: a walkable ``highway`` not closed by ``foot`` or ``access``."""

    def tag(name: str) -> pd.Series:
        return (
            frame[name].astype("string").str.lower()
            if name in frame
            else pd.Series(pd.NA, index=frame.index, dtype="string")
        )

    highway, foot, access = tag("highway"), tag("foot"), tag("access")
    closed = foot.isin(_CLOSED) | (access.isin(_CLOSED) & ~foot.isin(_OPEN))
    return (highway.isin(WALKABLE) & ~closed.fillna(False)).fillna(False).to_numpy(dtype=bool)


def osm_paths(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The walkable ways of OSM features (mixed geometries allowed) as a ``paths`` layer."""
    return _paths_layer(frame, walkable(frame))


def _paths_layer(frame: gpd.GeoDataFrame, keep: np.ndarray) -> gpd.GeoDataFrame:
    """The kept line features as a ``paths`` layer with fresh ids."""
    lines = frame[frame.geom_type.isin(["LineString", "MultiLineString"]).to_numpy() & keep]
    highway = lines["highway"].astype(str).to_numpy() if "highway" in lines else ""
    return gpd.GeoDataFrame(
        {"path_id": [f"P{i:06d}" for i in range(1, len(lines) + 1)], "highway": highway},
        geometry=lines.geometry.to_numpy(),
        crs=frame.crs,
    )


def _osm_xml_lines(path: Path) -> gpd.GeoDataFrame:
    """The ways of an .osm XML file (GDAL's OSM driver), with ``foot`` and ``access`` taken out of
    GDAL's ``other_tags`` so that the walking filter sees them."""
    lines = gpd.read_file(path, layer="lines")
    other = lines["other_tags"].fillna("") if "other_tags" in lines else pd.Series("", index=lines.index)
    for key in ("foot", "access"):
        lines[key] = other.str.extract(rf'"{key}"=>"([^"]*)"', expand=False)
    return lines


def read_pbf(path: str) -> gpd.GeoDataFrame:
    """The walkable ways of an .osm.pbf file as a ``paths`` layer (needs pyrosm)."""
    from pyrosm import OSM  # optional: only needed for .osm.pbf input

    ways = OSM(str(path)).get_network(network_type="walking")
    return osm_paths(ways if ways is not None else gpd.GeoDataFrame(geometry=[], crs=schema.WEB_CRS))


def _origin_distances(distance_at_node: np.ndarray, network: Network, origins: np.ndarray, cutoff: float) -> np.ndarray:
    node, access = network.attach(origins)
    total = distance_at_node[node] + access
    return np.where(total <= cutoff, total, np.inf)


@dataclass(frozen=True, eq=False)
class WalkingDistance:
    """Shortest walking routes on a ``Network``; beyond ``cutoff`` metres a place counts as unreachable (inf)."""

    network: Network
    cutoff: float = DEFAULT_CUTOFF
    label_key: str = "distance.walking"

    def nearest(self, origins: np.ndarray, targets: np.ndarray) -> np.ndarray:
        """One Dijkstra pass from a virtual source linked to every target's node by that target's access distance."""
        origins = np.asarray(origins, dtype=float).reshape(-1, 2)
        targets = np.asarray(targets, dtype=float).reshape(-1, 2)
        n = self.network.node_count
        if len(targets) == 0 or n == 0:
            return np.full(len(origins), np.inf)
        node, access = self.network.attach(targets)
        order = np.lexsort((access, node))
        first = np.concatenate([[True], node[order][1:] != node[order][:-1]])
        start, cost = node[order][first], access[order][first]  # several targets on one node: the closest counts
        streets = self.network.graph.tocoo()
        graph = sparse.csr_matrix(
            (
                np.concatenate([streets.data, cost]),
                (np.concatenate([streets.row, np.full(len(start), n)]), np.concatenate([streets.col, start])),
            ),
            shape=(n + 1, n + 1),
        )
        reached = dijkstra(graph, directed=True, indices=n, limit=self.cutoff)[:n]
        return _origin_distances(reached, self.network, origins, self.cutoff)

    def within(self, origins: np.ndarray, targets: np.ndarray, max_distance: float) -> Pairs:
        """Catchments of all targets, searched tile by tile on the part of the network they can reach.

        A walk is never shorter than the straight line, so a tile's targets only
        need the nodes within ``max_distance`` of their nodes; the dense result of
        the batched search then stays small however large the city is.
        """
        origins = np.asarray(origins, dtype=float).reshape(-1, 2)
        targets = np.asarray(targets, dtype=float).reshape(-1, 2)
        empty = Pairs(np.zeros(0, np.intp), np.zeros(0, np.intp), np.zeros(0))
        if len(origins) == 0 or len(targets) == 0 or self.network.node_count == 0:
            return empty
        net = self.network
        o_node, o_access = net.attach(origins)
        t_node, t_access = net.attach(targets)
        by_node = np.argsort(o_node, kind="stable")
        starts = np.searchsorted(o_node[by_node], np.arange(net.node_count + 1))
        by_x = np.argsort(net.xy[:, 0], kind="stable")
        sorted_x = net.xy[by_x, 0]
        tile = np.floor(targets / _TILE).astype(np.int64)
        _, tile_of = np.unique(tile, axis=0, return_inverse=True)
        found = []
        for members in pd.Series(np.arange(len(targets))).groupby(tile_of.ravel()).indices.values():
            starts_xy = net.xy[t_node[members]]  # the box around the targets' nodes holds every node they reach
            low, high = starts_xy.min(axis=0) - max_distance, starts_xy.max(axis=0) + max_distance
            band = by_x[np.searchsorted(sorted_x, low[0]) : np.searchsorted(sorted_x, high[0], side="right")]
            y = net.xy[band, 1]
            sub = np.sort(band[(y >= low[1]) & (y <= high[1])])
            reached = dijkstra(
                net.graph[sub][:, sub], directed=True, indices=np.searchsorted(sub, t_node[members]), limit=max_distance
            )
            row, col = np.nonzero(reached + t_access[members, None] <= max_distance)
            nodes = sub[col]
            count = starts[nodes + 1] - starts[nodes]
            origin = by_node[np.repeat(starts[nodes], count) + _ranges(count)]
            target = np.repeat(members[row], count)
            distance = np.repeat(reached[row, col] + t_access[members[row]], count) + o_access[origin]
            ok = distance <= max_distance
            found.append((origin[ok], target[ok], distance[ok]))
        origin, target, distance = (np.concatenate(parts) for parts in zip(*found, strict=False))
        return Pairs(origin.astype(np.intp), target.astype(np.intp), distance)

    def reach(self, origins: np.ndarray, targets: np.ndarray, max_distance: float) -> tuple[np.ndarray, Pairs]:
        """Two searches: the nearest needs the whole network, the catchments only the tiles around targets."""
        return self.nearest(origins, targets), self.within(origins, targets, max_distance)

    def isochrone(self, point_xy, distances=(300, 500, 1000)) -> gpd.GeoDataFrame:
        """Areas reachable on foot from one point within each distance: reached path pieces widened and merged."""
        net = self.network
        (node,), (access,) = net.attach(point_xy)
        reached = dijkstra(net.graph, directed=True, indices=node, limit=max(distances) - access) + access
        near = np.flatnonzero(np.minimum(reached[net.edges[:, 0]], reached[net.edges[:, 1]]) <= max(distances))
        u, v, length = net.edges[near, 0], net.edges[near, 1], net.length[near]
        start = shapely.points(np.asarray(point_xy, dtype=float).reshape(2)).buffer(ISOCHRONE_WIDTH)
        shapes = []
        for d in sorted(distances):
            from_u, from_v = d - reached[u], d - reached[v]
            whole = from_u + from_v >= length  # walked from both ends until the budgets meet
            segments = np.concatenate(
                [
                    np.stack([net.xy[u[whole]], net.xy[v[whole]]], axis=1),
                    _partial(net.xy[u], net.xy[v], np.where(whole, 0, from_u), length),
                    _partial(net.xy[v], net.xy[u], np.where(whole, 0, from_v), length),
                ]
            )
            paths = (
                shapely.get_parts(shapely.line_merge(shapely.multilinestrings(shapely.linestrings(segments))))
                if len(segments)
                else []
            )
            shapes.append(shapely.union_all([start, *shapely.buffer(paths, ISOCHRONE_WIDTH, quad_segs=2)]))
        return gpd.GeoDataFrame({"distance": sorted(distances)}, geometry=shapes, crs=schema.ANALYSIS_CRS)


def _partial(a: np.ndarray, b: np.ndarray, budget: np.ndarray, length: np.ndarray) -> np.ndarray:
    """Segments from ``a`` towards ``b`` as far as the remaining budget at ``a`` reaches, shape (k, 2, 2)."""
    go = budget > 0
    share = np.clip(budget[go] / length[go], 0, 1)[:, None]
    return np.stack([a[go], a[go] + share * (b[go] - a[go])], axis=1)


def _ranges(count: np.ndarray) -> np.ndarray:
    """0..c-1 for each c in ``count``, concatenated."""
    ends = np.cumsum(count)
    return np.arange(ends[-1] if len(ends) else 0) - np.repeat(ends - count, count)


def paths_from_file(path: str | Path) -> gpd.GeoDataFrame:
    """A ``paths`` layer from an OpenStreetMap extract or any line layer.

    .osm.pbf is read with pyrosm; a vector file with a ``highway`` column
    (e.g. an Overpass GeoJSON export) keeps only its walkable ways; a line
    layer without OSM tags counts as walkable throughout.
    """
    path = Path(path)
    if path.name.endswith(".osm.pbf"):
        return read_pbf(str(path))
    if path.suffix == ".osm":
        return osm_paths(_osm_xml_lines(path))
    frame = gpd.read_file(path)
    return osm_paths(frame) if "highway" in frame else _paths_layer(frame, np.ones(len(frame), dtype=bool))
