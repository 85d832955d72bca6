"""Musterstadt: the fictional demo city of Quartiersatlas, generated deterministically.

Why: the app must be tried, tested and shown without any real city's data, and the
demo must hold the situations planners look for, put there on purpose, so every
analysis has something true to find and tests can check that it finds it.

Everything comes from one ``numpy.random.default_rng(seed)`` and fixed dates (the
Stand is 2026-06-30); the same seed gives the same city. About 400,000 residents
live in an irregular, lobed city of ~300 km² around E 492 500 / N 5 602 500
(EPSG:25832, like real German city data). A river crosses it from west to east and
the Stadtbezirke end at its banks; a railway runs south-west to north-east through
the main station. About 125 Quartiere (warped Voronoi cells, small in the dense
centre) are grouped into 20 Stadtbezirke of neighbouring Quartiere on one bank.
Population lives on the 100 m INSPIRE grid (EPSG:3035 cell centres), none in the
river, parks, the city forest or industrial land. Names of places, actors and web
or e-mail addresses (``beispiel.invalid``) and phone numbers (``0000 …``) are invented.

True patterns for the default seed 2016 (``build(seed)`` returns them for any seed):

(a) Participation gaps: the dense Quartiere 0201 Mönchsweiler-Süd, 0703 Rosenau-Mitte,
    1206 Grünhöfen-Ost and 1502 Haselrain (4,000–12,000 residents each, all among the
    densest half) have no participation offer (Mitwirkung or above) in them or within
    400 m; only 0–10 % of their residents live within 500 m (straight line) of one.
    Each still has offers of lower levels. 0703 is a 1960s municipal Großsiedlung
    without Sozialmanagement.
(b) No civil society: no zivilgesellschaft actor is located in, or works in, 0304, 0306,
    0502, 1207, 1305 and 1803 (each 1,000+ residents and seat of an actor of the city
    or of a welfare association). Apart from these only Quartiere with fewer than 300
    residents lack civil society.
(c) Cooperative estates with Sozialmanagement (each with a Nachbarschaftstreff of the
    cooperative) in 0206, 0207, 1401, 1402, 2001, 2002; cooperative estates without it
    in 0301, 0303, 0501, 0504, 0901, 0904, 1101, 1605, 1606 (one cooperative has both:
    0207 with, 0301 and 0303 without). Four of the ten municipal estates have
    Sozialmanagement too.
(d) Old age, few senior offers: 1807 Weidenau-West (about 7,000 residents, 34 % aged
    65+) has a single offer for older people, an ambulant care service (Versorgung);
    no other senior offer lies in it or within 250 m. Its 1960s municipal estate has
    Sozialmanagement, but that Nachbarschaftstreff is for all ages. Most other old-age
    Quartiere (30 %+ aged 65+) have several senior offers.
Also: about a quarter of the actors and offers have a Stand older than two years, and
housing rows leave ``source`` empty (the layer's provenance names it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from itertools import combinations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from scipy.spatial import cKDTree
from shapely import affinity
from shapely.geometry import LineString, MultiPoint, Point, Polygon

from dashboard.model import grid, schema
from dashboard.model.workspace import LayerMeta, Workspace

CITY = "Musterstadt"
CITY_CRS = "EPSG:25832"
SOURCE = "Demodaten – fiktive Stadt"
STAND = "2026-06-30"
META = LayerMeta(
    source="Demodaten – fiktive Stadt (erzeugt mit python -m dashboard demo)",
    licence="CC0 – frei erfunden",
    attribution=SOURCE,
    stand=STAND,
)

_CENTRE = np.array([492_500.0, 5_602_500.0])
_MAX_RADIUS = 12_000.0  # keeps the city inside E 480 000–505 000, N 5 590 000–5 615 000
_CITY_AREA = 300e6  # m²
_QUARTIER_SEEDS = 115
_BEZIRKE = 20
_PRECISION = 0.1  # metres; coordinates are rounded to it, which also keeps the GeoPackage small
_RESIDENTS = 400_000
_HOUSING_POINTS = 10_200
_COOPERATIONS = 480


@dataclass(frozen=True)
class TruePatterns:
    """Quartier ids of the situations built into the demo on purpose (see the module docstring)."""

    participation_gaps: tuple[str, ...]
    without_civil_society: tuple[str, ...]
    cooperative_with_sozialmanagement: tuple[str, ...]
    cooperative_without_sozialmanagement: tuple[str, ...]
    old_age_few_senior_offers: tuple[str, ...]


def generate(seed: int = 2016) -> Workspace:
    """Musterstadt as a workspace; the same seed always gives the same data."""
    return build(seed)[0]


def build(seed: int = 2016) -> tuple[Workspace, TruePatterns]:
    """Musterstadt and the Quartiere that carry its deliberate patterns."""
    rng = np.random.default_rng(seed)
    city = _city(rng)
    estates = _estates(rng, city)
    profiles, age_kinds = _age_profiles(rng, city)
    cells = _population(rng, city, estates, profiles)
    plan = _plan(city, cells, estates, age_kinds)
    actors = _actors(rng, city, cells, estates, plan)
    housing = _housing(rng, city, cells, estates, actors)
    layers = {
        "areas": _areas_frame(city),
        "population": _population_frame(cells),
        "actors": _actors_frame(rng, city, actors),
        "housing": housing,
        "offers": _offers(rng, city, cells, actors, estates, plan),
        "cooperations": _cooperations(rng, actors),
        "paths": _streets(rng, city),  # drawn last, so the streets leave every other layer as it was
    }
    workspace = Workspace(city=CITY, layers=layers, meta={name: replace(META) for name in layers}, is_demo=True)
    return workspace, _true_patterns(city, estates, plan)


def _true_patterns(city: _City, estates: list[_Estate], plan: _Plan) -> TruePatterns:
    ids = city.quartier_ids

    def as_ids(quartiere) -> tuple[str, ...]:
        return tuple(sorted({ids[q] for q in quartiere}))

    cooperative = [e for e in estates if e.owner > 0]
    return TruePatterns(
        participation_gaps=as_ids(plan.gaps),
        without_civil_society=as_ids(plan.without_civil_society),
        cooperative_with_sozialmanagement=as_ids(e.quartier for e in cooperative if e.sozialmanagement),
        cooperative_without_sozialmanagement=as_ids(e.quartier for e in cooperative if not e.sozialmanagement),
        old_age_few_senior_offers=as_ids([plan.old_age]),
    )


# --- the shape of the city --------------------------------------------------------------------


def _outline(rng: np.random.Generator) -> Polygon:
    """An irregular city boundary: a circle bent into lobes by low harmonics, with fine noise."""
    theta = np.linspace(0.0, 2 * np.pi, 480, endpoint=False)
    radius = np.ones_like(theta)
    for k in range(2, 16):
        amplitude = {2: 0.10, 3: 0.15, 4: 0.08, 5: 0.06}.get(k, 0.25 / k**1.5)
        radius += amplitude * rng.uniform(0.5, 1.0) * np.cos(k * theta + rng.uniform(0, 2 * np.pi))
    radius = np.maximum(radius, 0.45)
    scale = min(np.sqrt(_CITY_AREA / (np.pi * np.mean(radius**2))), _MAX_RADIUS / radius.max())
    return _polygon(scale * radius * np.cos(theta), scale * radius * np.sin(theta))


def _river(rng: np.random.Generator) -> LineString:
    """A meandering river crossing the city from west to east, a little south of the centre."""
    x = np.arange(-16_000.0, 16_000.1, 100.0)
    y = rng.uniform(-900, -400) + rng.uniform(-0.2, 0.2) * x
    meanders = ((rng.uniform(5_000, 7_500), rng.uniform(300, 550)), (rng.uniform(1_800, 2_600), rng.uniform(80, 180)))
    for wavelength, amplitude in meanders:
        y += amplitude * np.sin(2 * np.pi * x / wavelength + rng.uniform(0, 2 * np.pi))
    return _line(x, y)


def _railway(rng: np.random.Generator) -> LineString:
    """A slightly curved railway from south-west to north-east through a main station north of the centre."""
    angle = rng.uniform(0.6, 1.3)
    direction = np.array([np.cos(angle), np.sin(angle)])
    normal = np.array([-direction[1], direction[0]])
    t = np.arange(-16_000.0, 16_000.1, 200.0)
    bend = rng.uniform(-1, 1) * 1_000 * (t / 12_000) ** 2
    station = np.array([rng.uniform(-300, 300), rng.uniform(400, 900)])
    xy = station + t[:, None] * direction + bend[:, None] * normal
    return _line(xy[:, 0], xy[:, 1])


def _polygon(dx: np.ndarray, dy: np.ndarray) -> Polygon:
    """A polygon from offsets to the centre, on the coordinate grid."""
    return shapely.set_precision(Polygon(np.column_stack([dx, dy]) + _CENTRE), _PRECISION)


def _line(dx: np.ndarray, dy: np.ndarray) -> LineString:
    """A line from offsets to the centre, on the coordinate grid."""
    return shapely.set_precision(LineString(np.column_stack([dx, dy]) + _CENTRE), _PRECISION)


def _river_and_banks(rng: np.random.Generator, outline: Polygon) -> tuple[LineString, list[Polygon]]:
    """Draw rivers until one cuts the city into exactly two banks of comparable size."""
    while True:
        river = _river(rng)
        banks = [face for face in _faces([outline.exterior, river]) if outline.contains(face.point_on_surface())]
        if len(banks) == 2 and min(bank.area for bank in banks) > 0.3 * outline.area:
            return river, banks


def _faces(lines: list) -> np.ndarray:
    """The polygons enclosed by lines, noded on the coordinate grid so neighbours share exact edges."""
    noded = shapely.union_all(lines, grid_size=_PRECISION)
    return shapely.get_parts(shapely.polygonize(shapely.get_parts(noded)))


def _quartier_seeds(rng: np.random.Generator, outline: Polygon) -> np.ndarray:
    """Seed points of the Quartiere: denser near the centre (small Quartiere), never too close."""
    minx, miny, maxx, maxy = outline.bounds
    seeds: list[np.ndarray] = []
    while len(seeds) < _QUARTIER_SEEDS:
        point = rng.uniform((minx, miny), (maxx, maxy))
        spacing = 650 + 1_300 * min(np.hypot(*(point - _CENTRE)) / 8_000, 1.0)
        if rng.random() > (650 / spacing) ** 2 or not shapely.contains_xy(outline, *point):
            continue
        if seeds and np.min(np.hypot(*(np.array(seeds) - point).T)) < 0.6 * spacing:
            continue
        seeds.append(point)
    return np.array(seeds)


def _quartier_polygons(
    rng: np.random.Generator, outline: Polygon, river: LineString, banks: list[Polygon]
) -> tuple[list[Polygon], np.ndarray]:
    """Quartiere as warped Voronoi cells of the seeds, cut by river and boundary; tiny or thin pieces merged away.

    All edges are noded together, so neighbouring Quartiere share exactly the same border.
    A face belongs to the seed nearest to a point inside it; faces of one seed and bank are united.
    """
    seeds = _quartier_seeds(rng, outline)
    edges = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=outline.buffer(3_000), only_edges=True)
    faces = _faces([_warp(rng, edges), outline.exterior, river])
    inner = shapely.get_coordinates(shapely.point_on_surface(faces))
    inside = shapely.contains_xy(outline, inner[:, 0], inner[:, 1])
    faces, inner = faces[inside], inner[inside]
    seed_of = cKDTree(seeds).query(inner)[1]
    bank_of = np.full(len(inner), -1)
    for i, bank in enumerate(banks):
        bank_of[shapely.contains_xy(bank, inner[:, 0], inner[:, 1])] = i
    units, unit_banks = [], []
    for bank, seed in sorted(set(zip(bank_of.tolist(), seed_of.tolist(), strict=False))):
        union = shapely.union_all(faces[(bank_of == bank) & (seed_of == seed)], grid_size=_PRECISION)
        for part in shapely.get_parts(union):
            units.append(part)
            unit_banks.append(bank)
    return _merge_small(units, unit_banks)


def _warp(rng: np.random.Generator, lines: shapely.Geometry) -> shapely.Geometry:
    """Bend straight Voronoi edges into gentle curves, like borders that follow streets.

    A smooth displacement field (a few long sine waves) moves every vertex; shared
    vertices move alike and the field is too gentle to make edges cross.
    """
    waves = []
    for _ in range(6):
        wavevector = rng.normal(size=2) / np.sqrt(2) * 2 * np.pi / rng.uniform(1_200, 2_400)
        waves.append((wavevector, rng.uniform(0, 2 * np.pi), rng.uniform(40, 80)))

    def displace(xy: np.ndarray) -> np.ndarray:
        shift = np.zeros_like(xy)
        for i, (wavevector, phase, amplitude) in enumerate(waves):
            shift[:, i % 2] += amplitude * np.sin(xy @ wavevector + phase)
        return xy + shift

    return shapely.transform(shapely.segmentize(lines, 200.0), displace)


def _merge_small(
    units: list[Polygon], banks: list[int], min_area: float = 300_000.0, min_compactness: float = 0.3
) -> tuple[list[Polygon], np.ndarray]:
    """Merge tiny or sliver-shaped pieces into the neighbour on the same bank that shares the longest border."""
    units, banks = list(units), list(banks)
    while True:
        geoms = np.array(units, dtype=object)
        area = shapely.area(geoms)
        compactness = 4 * np.pi * area / shapely.length(geoms) ** 2
        bad = np.flatnonzero((area < min_area) | (compactness < min_compactness))
        merge = None
        for i in bad[np.argsort(area[bad], kind="stable")]:
            shared = shapely.length(shapely.intersection(shapely.boundary(geoms), units[i].boundary))
            shared[i] = 0.0
            shared[np.array(banks) != banks[i]] = 0.0
            if shared.max() > 0:
                merge = (int(i), int(np.argmax(shared)))
                break
        if merge is None:
            return units, np.array(banks)
        i, j = merge
        units[j] = shapely.union(units[j], units[i], grid_size=_PRECISION)
        del units[i], banks[i]


def _neighbours(polygons: np.ndarray) -> list[list[int]]:
    """For each polygon the polygons sharing a border with it (touching at a corner does not count)."""
    left, right = shapely.STRtree(polygons).query(polygons, predicate="intersects")
    keep = left != right
    left, right = left[keep], right[keep]
    shared = shapely.length(shapely.intersection(shapely.boundary(polygons[left]), shapely.boundary(polygons[right])))
    result: list[list[int]] = [[] for _ in polygons]
    for a, b in zip(left[shared > 1.0].tolist(), right[shared > 1.0].tolist(), strict=False):
        result[a].append(b)
    return result


def _bezirk_groups(
    rng: np.random.Generator, anchors: np.ndarray, neighbours: list[list[int]], banks: np.ndarray
) -> np.ndarray:
    """Group neighbouring Quartiere of one river bank into compact Bezirke of similar size."""
    group = np.full(len(banks), -1)
    first = 0
    for bank, k in enumerate(_quotas(np.bincount(banks), _BEZIRKE)):
        members = np.flatnonzero(banks == bank)
        centres = _kmeans(rng, anchors[members], k)
        _grow_groups(members, centres, neighbours, anchors, group, first)
        first += k
    return group


def _quotas(sizes: np.ndarray, total: int) -> np.ndarray:
    """Split ``total`` in proportion to sizes (largest remainder), at least 1 each."""
    exact = sizes / sizes.sum() * total
    quotas = np.maximum(np.floor(exact).astype(int), 1)
    for i in np.argsort(-(exact - np.floor(exact)), kind="stable")[: total - quotas.sum()]:
        quotas[i] += 1
    return quotas


def _kmeans(rng: np.random.Generator, points: np.ndarray, k: int, rounds: int = 20) -> np.ndarray:
    """Centres of k clusters of points (Lloyd's algorithm from k random points)."""
    centres = points[rng.choice(len(points), k, replace=False)]
    for _ in range(rounds):
        nearest = cKDTree(centres).query(points)[1]
        centres = np.array(
            [points[nearest == c].mean(axis=0) if np.any(nearest == c) else centres[c] for c in range(k)]
        )
    return centres


def _grow_groups(
    members: np.ndarray,
    centres: np.ndarray,
    neighbours: list[list[int]],
    anchors: np.ndarray,
    group: np.ndarray,
    first: int,
) -> None:
    """Start each group at the member nearest its centre; then repeatedly add the cheapest neighbour.

    The cost grows with the distance to the group's centre and with its size, which keeps
    Bezirke compact and similar in size; growing only along shared borders keeps them contiguous.
    """
    member_set = set(members.tolist())
    size = np.zeros(len(centres), dtype=int)
    for g, centre in enumerate(centres):
        free = [m for m in members.tolist() if group[m] < 0]
        start = min(free, key=lambda m: float(np.hypot(*(anchors[m] - centre))))
        group[start] = first + g
        size[g] = 1
    remaining = sorted(m for m in member_set if group[m] < 0)
    while remaining:
        options = []
        for m in remaining:
            for g in {int(group[n]) - first for n in neighbours[m] if n in member_set and group[n] >= 0}:
                options.append((float(np.hypot(*(anchors[m] - centres[g]))) + 1_500.0 * size[g], m, g))
        _, m, g = min(options)
        group[m] = first + g
        size[g] += 1
        remaining.remove(m)


def _bezirk_order(bezirke: np.ndarray, centre_bezirk: int) -> np.ndarray:
    """Bezirk 01 holds the city centre; the others follow clockwise from north."""
    offset = shapely.get_coordinates(shapely.point_on_surface(bezirke)) - _CENTRE
    angle = np.mod(np.arctan2(offset[:, 0], offset[:, 1]), 2 * np.pi)
    angle[centre_bezirk] = -1.0
    return np.argsort(angle, kind="stable")


@dataclass
class _City:
    """Musterstadt's geometry in EPSG:25832; Quartiere and Bezirke sorted by their ids."""

    outline: Polygon
    river: LineString
    railway: LineString
    quartiere: np.ndarray
    quartier_bezirk: np.ndarray
    bezirke: np.ndarray
    bezirk_names: list[str]
    neighbours: list[list[int]]
    anchors: np.ndarray  # a point inside each Quartier
    rho: np.ndarray  # where a Quartier lies: 0 at the centre, 1 at the city boundary
    quartier_names: list[str] = field(default_factory=list)

    @property
    def quartier_ids(self) -> list[str]:
        """Bezirk id plus the Quartier's number within it, e.g. "0703"."""
        ids, count = [], np.zeros(len(self.bezirke), dtype=int)
        for b in self.quartier_bezirk.tolist():
            count[b] += 1
            ids.append(f"{b + 1:02d}{count[b]:02d}")
        return ids

    @property
    def bezirk_ids(self) -> list[str]:
        return [f"{b + 1:02d}" for b in range(len(self.bezirke))]


def _city(rng: np.random.Generator) -> _City:
    """Outline, river, railway, Quartiere and the Bezirke they are grouped into, with names.

    Within a Bezirk, Quartiere are numbered from the one nearest the city centre outwards,
    so Quartier 0101 holds the centre (the Altstadt).
    """
    outline = _outline(rng)
    river, banks = _river_and_banks(rng, outline)
    railway = _railway(rng)
    units, unit_banks = _quartier_polygons(rng, outline, river, banks)
    polygons = np.array(units, dtype=object)
    anchors = shapely.get_coordinates(shapely.point_on_surface(polygons))
    groups = _bezirk_groups(rng, anchors, _neighbours(polygons), unit_banks)
    bezirke = np.array(
        [shapely.union_all(polygons[groups == g], grid_size=_PRECISION) for g in range(groups.max() + 1)], dtype=object
    )
    to_centre = shapely.distance(polygons, Point(_CENTRE))
    order = _bezirk_order(bezirke, int(groups[np.argmin(to_centre)]))
    quartier_bezirk = np.argsort(order)[groups]
    q_order = np.lexsort((np.hypot(*(anchors - _CENTRE).T), to_centre, quartier_bezirk))
    polygons, anchors = polygons[q_order], anchors[q_order]
    to_middle = np.hypot(*(anchors - _CENTRE).T)
    to_edge = shapely.distance(shapely.points(anchors), outline.exterior)
    city = _City(
        outline=outline,
        river=river,
        railway=railway,
        quartiere=polygons,
        quartier_bezirk=quartier_bezirk[q_order],
        bezirke=bezirke[order],
        bezirk_names=["Mitte", *(str(name) for name in rng.permutation(_BEZIRK_NAMES)[: len(bezirke) - 1])],
        neighbours=_neighbours(polygons),
        anchors=anchors,
        rho=to_middle / (to_middle + to_edge),
    )
    station = railway.interpolate(railway.project(Point(_CENTRE)))
    city.quartier_names = _quartier_names(rng, city, 1 + int(np.argmin(shapely.distance(polygons[1:], station))))
    return city


# --- names ------------------------------------------------------------------------------------

_BEZIRK_NAMES = (
    "Lindenhöhe",
    "Mühlbachtal",
    "Eichenried",
    "Hohenfeld",
    "Rosenau",
    "Kastanienhain",
    "Schlossberg",
    "Sonnenhang",
    "Tannenbühl",
    "Wiesengrund",
    "Grünhöfen",
    "Hasenbühl",
    "Kirchheide",
    "Lerchenfeld",
    "Ahornsberg",
    "Weidenau",
    "Fuchsgraben",
    "Brunnenstein",
    "Erlenbruch",
    "Holderbach",
    "Steinäcker",
    "Mönchsweiler",
    "Gänsewiese",
    "Flößerau",
)
_CENTRAL_NAMES = (
    "Schlossviertel",
    "Neustadt",
    "Marktviertel",
    "Universitätsviertel",
    "Gerberviertel",
    "Theaterviertel",
    "Domviertel",
    "Kronenviertel",
    "Musikerviertel",
    "Färberviertel",
    "Zollhof",
    "Hafenviertel",
)
_NAME_STEMS = (
    "Linden",
    "Kastanien",
    "Mühl",
    "Birken",
    "Eichen",
    "Ahorn",
    "Rosen",
    "Tannen",
    "Buchen",
    "Erlen",
    "Weiden",
    "Holunder",
    "Sonnen",
    "Wiesen",
    "Brunnen",
    "Kirch",
    "Hasel",
    "Lerchen",
    "Finken",
    "Fuchs",
    "Hirsch",
    "Heide",
    "Flieder",
    "Mohn",
    "Gänse",
    "Kreuz",
    "Schlehen",
    "Rüben",
    "Löwen",
    "Bären",
    "Falken",
    "Eschen",
    "Kirsch",
    "Apfel",
    "Hopfen",
    "Glocken",
    "Schäfer",
    "Wein",
    "Flößer",
    "Grün",
    "Weiß",
    "Sand",
    "Lehm",
    "Stein",
)
_NAME_ENDINGS = (
    "höhe",
    "hof",
    "grund",
    "feld",
    "au",
    "berg",
    "tal",
    "garten",
    "wiese",
    "hain",
    "rain",
    "bühl",
    "äcker",
    "weiler",
    "winkel",
    "graben",
    "halde",
    "steig",
)
_NAME_PHRASES = (
    "Am Mühlbach",
    "Am Kirchberg",
    "An der Lindenallee",
    "Im Wiesengrund",
    "Auf der Höhe",
    "Unterm Schlossberg",
    "Am Weinberg",
    "An den Gärten",
    "Am Schäferhof",
    "Im Grünen Winkel",
    "Am Stadtpark",
    "An der Alten Ziegelei",
    "Am Brunnenplatz",
    "Hinter den Höfen",
    "Am Gänseanger",
    "Im Rosengarten",
    "An der Flößerwiese",
)
_COMPASS = ("Nord", "Ost", "Süd", "West")


def _quartier_names(rng: np.random.Generator, city: _City, station: int) -> list[str]:
    """German-sounding names: Altstadt (0101) and a Bahnhofsviertel by the station, "<Bezirk>-Mitte"
    for each Bezirk's core, some "<Bezirk>-Nord/Ost/Süd/West", the rest invented like "Lindenhöhe"."""
    names = {0: "Altstadt", station: "Bahnhofsviertel"}
    used = set(city.bezirk_names) | set(names.values())
    central = [str(name) for name in rng.permutation(_CENTRAL_NAMES)]
    bezirk_anchors = shapely.get_coordinates(shapely.point_on_surface(city.bezirke))
    for b, bezirk_name in enumerate(city.bezirk_names):
        members = np.flatnonzero(city.quartier_bezirk == b)
        offset = city.anchors[members] - bezirk_anchors[b]
        core = members[np.argmin(np.hypot(offset[:, 0], offset[:, 1]))]
        for q, (dx, dy) in zip(members.tolist(), offset, strict=False):
            if q in names:
                continue
            compass = f"{bezirk_name}-{_COMPASS[int(np.mod(np.degrees(np.arctan2(dx, dy)) + 45, 360) // 90)]}"
            if b == 0 and central:
                names[q] = central.pop()
            elif q == core and b > 0:
                names[q] = f"{bezirk_name}-Mitte"
            elif b > 0 and compass not in used and rng.random() < 0.4:
                names[q] = compass
            else:
                names[q] = _invented_name(rng, used)
            used.add(names[q])
    return [names[q] for q in range(len(city.quartier_bezirk))]


def _invented_name(rng: np.random.Generator, used: set[str]) -> str:
    """A compound like "Kastanienhof" or a phrase like "Am Mühlbach" that is not taken yet."""
    while True:
        if rng.random() < 0.15:
            name = str(rng.choice(_NAME_PHRASES))
        else:
            name = str(rng.choice(_NAME_STEMS)) + str(rng.choice(_NAME_ENDINGS))
        if name not in used:
            return name


def _slug(name: str) -> str:
    """An ASCII form of a name for fictional web and e-mail addresses."""
    text = name.lower()
    for umlaut, ascii_ in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(umlaut, ascii_)
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


# --- housing estates and open space -------------------------------------------------------------

_COOPERATIVES = 6
_MUNICIPAL_ESTATES = 10
_MUNICIPAL_STAND = "2026-03-31"


@dataclass(frozen=True)
class _Estate:
    """A housing estate of the municipal company (owner 0) or of cooperative ``owner`` (1..6)."""

    owner: int
    quartier: int
    centre: np.ndarray
    sozialmanagement: bool
    year: int


def _estates(rng: np.random.Generator, city: _City) -> list[_Estate]:
    """Cooperative estates in small clusters of neighbouring Quartiere, municipal ones further out.

    Cooperatives 1 and 2 run Sozialmanagement in all their estates, cooperative 3 in its
    first estate only, cooperatives 4–6 in none; the municipal company in four of its ten estates.
    """
    free = np.ones(len(city.quartiere), dtype=bool)
    free[0] = False  # the Altstadt has no estates
    estates = []
    for owner in range(1, _COOPERATIVES + 1):
        first = int(rng.choice(np.flatnonzero(free & (city.rho >= 0.15) & (city.rho <= 0.7))))
        nearby = [q for q in city.neighbours[first] if free[q]]
        cluster = [first, *(int(q) for q in rng.permutation(nearby)[: rng.integers(1, 3)])]
        year = int(rng.integers(1922, 1972))
        for i, q in enumerate(cluster):
            free[q] = False
            managed = owner <= 2 or (owner == 3 and i == 0)
            centre = _inner_point(rng, city.quartiere[q])
            estates.append(_Estate(owner, q, centre, managed, year + 5 * i + int(rng.integers(0, 4))))
    outer = rng.permutation(np.flatnonzero(free & (city.rho >= 0.35)))[:_MUNICIPAL_ESTATES]
    for i, q in enumerate(outer.tolist()):
        year = int(rng.integers(2008, 2023)) if i >= _MUNICIPAL_ESTATES - 2 else int(rng.integers(1958, 1983))
        estates.append(_Estate(0, q, _inner_point(rng, city.quartiere[q]), i < 4, year))
    return estates


def _inner_point(rng: np.random.Generator, polygon: Polygon, margin: float = 200.0) -> np.ndarray:
    """A random point at least ``margin`` inside the polygon (anywhere inside if it is too small)."""
    core = polygon.buffer(-margin)
    target = polygon if core.is_empty else core
    minx, miny, maxx, maxy = target.bounds
    while True:
        point = rng.uniform((minx, miny), (maxx, maxy))
        if shapely.contains_xy(target, *point):
            return point


def _open_spaces(rng: np.random.Generator, city: _City, estates: list[_Estate]) -> shapely.Geometry:
    """Parks, a city forest at the edge and industrial land by the railway: where nobody lives.

    Kept clear of the housing estates and the old town, which stay densely built.
    """
    blobs = [_blob(rng, _inner_point(rng, city.outline, 0.0), rng.uniform(150, 500)) for _ in range(16)]
    for _ in range(2):
        edge = city.outline.exterior.interpolate(rng.uniform(), normalized=True)
        blobs.append(_blob(rng, np.array(edge.coords[0]), rng.uniform(1_200, 2_200)))
    railway_inside = city.railway.intersection(city.outline)
    for _ in range(5):
        spot = np.array(railway_inside.interpolate(rng.uniform(0.1, 0.9), normalized=True).coords[0])
        blobs.append(_blob(rng, spot, rng.uniform(250, 600)))
    keep_clear = shapely.union_all([Point(e.centre).buffer(450) for e in estates] + [Point(_CENTRE).buffer(700)])
    return shapely.difference(shapely.union_all(blobs), keep_clear)


def _blob(rng: np.random.Generator, centre: np.ndarray, radius: float) -> Polygon:
    """A randomly squashed and rotated ellipse."""
    ellipse = affinity.scale(Point(centre).buffer(radius, 8), 1.0, rng.uniform(0.45, 1.0))
    return affinity.rotate(ellipse, rng.uniform(0, 180))


# --- population -------------------------------------------------------------------------------

#: Shares of the age bands (0–5, 6–17, 18–64, 65–79, 80+) by kind of Quartier.
_AGE_PROFILES = {
    "zentrum": (0.040, 0.070, 0.740, 0.100, 0.050),
    "familie": (0.085, 0.170, 0.600, 0.100, 0.045),
    "alt": (0.035, 0.075, 0.565, 0.210, 0.115),
    "gemischt": (0.055, 0.105, 0.630, 0.145, 0.065),
}


@dataclass
class _Cells:
    """The populated 100 m cells: south-west corners in EPSG:3035, centres in the city CRS."""

    north: np.ndarray
    east: np.ndarray
    x: np.ndarray
    y: np.ndarray
    quartier: np.ndarray
    residents: np.ndarray
    ages: np.ndarray  # (n, 5) residents per age band

    def of(self, quartiere) -> np.ndarray:
        """Indices of the cells in the given Quartiere."""
        return np.flatnonzero(np.isin(self.quartier, list(quartiere)))

    def per_quartier(self, values: np.ndarray, count: int) -> np.ndarray:
        """Sums of a per-cell value for each of ``count`` Quartiere."""
        return np.bincount(self.quartier, weights=values, minlength=count)


def _age_profiles(rng: np.random.Generator, city: _City) -> tuple[np.ndarray, list[str]]:
    """An age profile per Quartier: young adults in the centre, old-age and family Quartiere further out."""
    kinds = ["zentrum" if rho < 0.3 and rng.random() < 0.5 else "gemischt" for rho in city.rho]
    outer = rng.permutation(np.flatnonzero(city.rho >= 0.3)).tolist()
    for q in outer[:16]:
        kinds[q] = "alt"
    for q in outer[16:34]:
        kinds[q] = "familie"
    profiles = np.array([rng.dirichlet(400 * np.array(_AGE_PROFILES[kind])) for kind in kinds])
    return profiles, kinds


def _population(rng: np.random.Generator, city: _City, estates: list[_Estate], profiles: np.ndarray) -> _Cells:
    """Residents per 100 m cell: dense centre, village cores and estates, thin edges, nobody in open space."""
    north, east, x, y, quartier = _city_cells(city)
    points = shapely.points(x, y)
    to_centre = np.hypot(x - _CENTRE[0], y - _CENTRE[1])
    to_edge = shapely.distance(points, city.outline.exterior)
    rho = to_centre / (to_centre + to_edge)
    intensity = 6 + 140 * np.exp(-to_centre / 2_200)
    for _ in range(6):  # old village cores, now part of the city
        core = _inner_point(rng, city.outline, 0.0)
        while not 3_500 < np.hypot(*(core - _CENTRE)) < 8_000:
            core = _inner_point(rng, city.outline, 0.0)
        intensity += 45 * np.exp(-((np.hypot(x - core[0], y - core[1]) / 650) ** 2))
    for estate in estates:  # municipal estates are high-rise Großsiedlungen
        boost = 2.0 if estate.owner else 6.0
        intensity *= 1 + boost * np.exp(-((np.hypot(x - estate.centre[0], y - estate.centre[1]) / 400) ** 2))
    intensity *= rng.lognormal(0, 0.3, len(city.quartiere))[quartier]
    intensity *= np.clip(to_edge / 800, 0.2, 1.0) * rng.lognormal(0, 0.5, len(x))
    open_space = _open_spaces(rng, city, estates)
    settled = (
        ~shapely.contains_xy(open_space, x, y)
        & (shapely.distance(points, city.river) > 50)
        & (shapely.distance(points, city.railway) > 25)
        & (rng.random(len(x)) > 0.06 + 0.6 * rho**4)  # fields and gaps, more towards the edge
    )
    expected = np.where(settled, intensity, 0.0)
    residents = rng.poisson(expected * _RESIDENTS / expected.sum())
    keep = residents > 0
    ages = _age_bands(rng, residents[keep], profiles[quartier[keep]])
    return _Cells(north[keep], east[keep], x[keep], y[keep], quartier[keep], residents[keep], ages)


def _city_cells(city: _City) -> tuple[np.ndarray, ...]:
    """All grid cells whose centre lies in a Quartier: corners (EPSG:3035), centres (city CRS), Quartier."""
    to_grid = Transformer.from_crs(CITY_CRS, schema.ANALYSIS_CRS, always_xy=True)
    gx, gy = to_grid.transform(*np.asarray(city.outline.exterior.coords).T)
    size = grid.CELL_SIZE
    east: np.ndarray
    north: np.ndarray
    east, north = np.meshgrid(
        np.arange(np.floor(gx.min() / size) * size, gx.max(), size),
        np.arange(np.floor(gy.min() / size) * size, gy.max(), size),
    )
    east, north = east.ravel(), north.ravel()
    x, y = to_grid.transform(east + size / 2, north + size / 2, direction="INVERSE")
    cell, quartier = shapely.STRtree(city.quartiere).query(shapely.points(x, y), predicate="within")
    cell, first = np.unique(cell, return_index=True)
    return north[cell].astype(np.int64), east[cell].astype(np.int64), x[cell], y[cell], quartier[first]


def _age_bands(rng: np.random.Generator, residents: np.ndarray, profiles: np.ndarray) -> np.ndarray:
    """Split each cell's residents into age bands around its Quartier's profile; rows sum exactly."""
    shares = rng.gamma(60 * profiles)
    return rng.multinomial(residents, shares / shares.sum(axis=1, keepdims=True))


# --- the true patterns --------------------------------------------------------------------------

_MIN_RESIDENTS = 300  # Quartiere with fewer residents get no Bürgerverein (social monitoring suppresses them)
_GAP_BUFFER = 400.0  # metres around a participation-gap Quartier without any participation offer
_OLD_AGE_BUFFER = 250.0  # metres around the old-age Quartier without senior offers


@dataclass
class _Plan:
    """Which Quartiere carry a pattern, and the zones that offers must avoid because of it.

    The Quartiere without civil society are chosen only once the other actors are placed.
    """

    gaps: list[int]
    old_age: int
    old_age_quartiere: set[int]
    gap_zone: shapely.Geometry
    old_age_zone: shapely.Geometry
    without_civil_society: list[int] = field(default_factory=list)

    def allows(self, offer: _OfferKind, x, y) -> np.ndarray:
        """Whether an offer may lie at (x, y) without spoiling a pattern."""
        ok = np.ones(np.shape(x), dtype=bool)
        if schema.level_rank(offer.level) >= schema.level_rank(schema.DEFAULT_PARTICIPATION_LEVEL):
            ok &= ~shapely.contains_xy(self.gap_zone, x, y)
        if offer.is_senior:
            ok &= ~shapely.contains_xy(self.old_age_zone, x, y)
        return ok


def _plan(city: _City, cells: _Cells, estates: list[_Estate], age_kinds: list[str]) -> _Plan:
    """The participation gaps, and as old-age Quartier with few senior offers the most populous one."""
    residents = cells.per_quartier(cells.residents, len(city.quartiere))
    gaps = _pick_gaps(city, residents, estates)
    old_share = cells.per_quartier(cells.ages[:, 3:].sum(axis=1), len(residents)) / np.maximum(residents, 1)
    old_age_quartiere = {q for q, kind in enumerate(age_kinds) if kind == "alt" and old_share[q] >= 0.3}
    old_age = max(old_age_quartiere - set(gaps), key=lambda q: (old_share[q] >= 0.31, residents[q]))
    return _Plan(
        gaps=gaps,
        old_age=old_age,
        old_age_quartiere=old_age_quartiere,
        gap_zone=shapely.union_all(city.quartiere[gaps]).buffer(_GAP_BUFFER),
        old_age_zone=city.quartiere[old_age].buffer(_OLD_AGE_BUFFER),
    )


def _pick_gaps(city: _City, residents: np.ndarray, estates: list[_Estate], count: int = 4) -> list[int]:
    """The most populous dense Quartiere of the middle ring, not adjacent to each other, away from
    the Altstadt and from estates with Sozialmanagement (which run participation offers)."""
    density = residents / shapely.area(city.quartiere)
    managed = {e.quartier for e in estates if e.sozialmanagement}
    excluded = {0, *managed, *(n for q in managed for n in city.neighbours[q])}
    picks: list[int] = []
    for q in np.argsort(-residents, kind="stable").tolist():
        middle_ring = 0.15 <= city.rho[q] <= 0.7 and density[q] >= np.median(density)
        if middle_ring and q not in excluded and not set(city.neighbours[q]) & set(picks):
            picks.append(q)
        if len(picks) == count:
            break
    return sorted(picks)


def _pick_without_civil_society(
    rng: np.random.Generator, city: _City, residents: np.ndarray, plan: _Plan, actors: list[_Actor]
) -> list[int]:
    """Six inhabited Quartiere, three in the outer ring and three closer in, where city or welfare
    actors are present: there, civil society is the sector missing from the table."""
    institutions = {a.home for a in actors if a.sector in ("kommune", "wohlfahrtspflege")}
    candidates = [q for q in sorted(institutions) if q not in {0, plan.old_age, *plan.gaps} and residents[q] >= 1_000]
    outer = [q for q in candidates if city.rho[q] > 0.55]
    middle = [q for q in candidates if 0.25 < city.rho[q] <= 0.55]
    return sorted(int(q) for q in [*rng.choice(outer, 3, replace=False), *rng.choice(middle, 3, replace=False)])


# --- actors and their offers ----------------------------------------------------------------------


@dataclass(frozen=True)
class _OfferKind:
    """A kind of offer; each offer is named "<label> <Quartier>"."""

    label: str
    category: str
    targets: str
    level: str
    capacity: tuple[int, int] | None
    hours: str  # key of _HOURS

    @property
    def is_senior(self) -> bool:
        """For older people: their target group, or a senior or care category."""
        return "senioren" in self.targets.split(schema.LIST_SEP) or self.category in ("senioren", "pflege")


_OFFER_KINDS = {
    key: _OfferKind(*spec)
    for key, spec in {
        # Kommune
        "buergerservice": ("Bürgerservice", "verwaltung", "alle", "versorgung", None, "office"),
        "fragestunde": (
            "Bürgerfragestunde des Bezirksbeirats",
            "verwaltung",
            "erwachsene",
            "konsultation",
            None,
            "monthly",
        ),
        "buergerwerkstatt": (
            "Bürgerwerkstatt Quartiersentwicklung",
            "verwaltung",
            "alle",
            "mitentscheidung",
            (20, 60),
            "quarterly",
        ),
        "medien": ("Medienausleihe", "bildung", "alle", "versorgung", None, "office"),
        "vorlesen": ("Vorlesestunde", "kinder", "kinder;familien", "information", (10, 25), "weekly"),
        "leseclub": ("Leseclub", "bildung", "kinder;jugendliche", "mitwirkung", (8, 20), "weekly"),
        "lesecafe": ("Lesecafé für Ältere", "kultur", "senioren", "mitwirkung", (10, 25), "weekly"),
        "kita": ("Kindertagesbetreuung", "kinder", "kinder;familien", "versorgung", (40, 120), "kita"),
        "elterncafe": ("Elterncafé", "begegnung", "familien", "mitwirkung", (10, 30), "weekly"),
        "elternbeirat": ("Elternbeirat", "kinder", "familien", "mitentscheidung", None, "monthly"),
        "ganztag": ("Ganztagsbetreuung", "bildung", "kinder", "versorgung", (50, 200), "kita"),
        "schuelerrat": ("Schülerrat", "bildung", "kinder", "mitentscheidung", None, "monthly"),
        "erziehungsberatung": ("Erziehungsberatung", "beratung", "familien", "information", None, "appointment"),
        "jugendforum": ("Jugendforum", "jugend", "jugendliche", "konsultation", (20, 80), "quarterly"),
        "jugendtreff": ("Offener Jugendtreff", "jugend", "jugendliche", "mitwirkung", (20, 80), "youth"),
        "jugendrat": ("Jugendrat", "jugend", "jugendliche", "mitentscheidung", None, "monthly"),
        "ferienprogramm": ("Ferienprogramm", "kinder", "kinder;jugendliche", "versorgung", (20, 60), "appointment"),
        "seniorenberatung": ("Seniorenberatung", "beratung", "senioren", "information", None, "office"),
        "wohnberatung": ("Wohnberatung im Alter", "beratung", "senioren;familien", "information", None, "appointment"),
        "seniorenforum": ("Seniorenforum", "senioren", "senioren", "konsultation", (20, 80), "quarterly"),
        "qm_sprechstunde": ("Sprechstunde im Quartiersbüro", "beratung", "alle", "information", None, "weekly"),
        "quartiersrat": ("Quartiersrat", "begegnung", "alle", "mitentscheidung", (10, 25), "monthly"),
        "verfuegungsfonds": ("Verfügungsfonds-Jury", "verwaltung", "alle", "mitentscheidung", None, "quarterly"),
        "gesundheitsberatung": ("Gesundheitsberatung", "gesundheit", "alle", "information", None, "office"),
        "bewegungstreff": (
            "Bewegungstreff im Park",
            "gesundheit",
            "erwachsene;senioren",
            "mitwirkung",
            (10, 30),
            "weekly",
        ),
        # Freie Wohlfahrtspflege
        "sozialberatung": ("Allgemeine Sozialberatung", "beratung", "erwachsene", "information", None, "office"),
        "schuldnerberatung": ("Schuldnerberatung", "beratung", "erwachsene", "information", None, "appointment"),
        "migrationsberatung": ("Migrationsberatung", "beratung", "erwachsene;familien", "information", None, "office"),
        "sprachcafe": ("Sprachcafé", "bildung", "erwachsene", "mitwirkung", (8, 25), "weekly"),
        "ambulante_pflege": ("Ambulante Pflege", "pflege", "senioren", "versorgung", None, "care"),
        "pflegeberatung": ("Pflegeberatung", "pflege", "senioren;familien", "information", None, "appointment"),
        "angehoerige": (
            "Gesprächskreis pflegende Angehörige",
            "pflege",
            "erwachsene",
            "selbstorganisation",
            (6, 15),
            "monthly",
        ),
        "stationaer": ("Stationäre Pflege", "pflege", "senioren", "versorgung", (60, 140), "care"),
        "seniorentreff": ("Seniorentreff", "senioren", "senioren", "mitwirkung", (15, 40), "weekly"),
        "mittagstisch": ("Mittagstisch", "begegnung", "senioren", "versorgung", (20, 60), "lunch"),
        "sitzgymnastik": ("Sitzgymnastik", "sport", "senioren", "mitwirkung", (8, 20), "weekly"),
        "erzaehlcafe": ("Erzählcafé", "kultur", "senioren", "mitwirkung", (10, 25), "monthly"),
        "bewohnerbeirat": ("Bewohnerbeirat", "pflege", "senioren", "mitentscheidung", None, "monthly"),
        "tagespflege": ("Tagespflege", "pflege", "senioren", "versorgung", (12, 24), "daycare"),
        "offener_treff": ("Offener Treff", "begegnung", "alle", "mitwirkung", (15, 50), "weekly"),
        "seniorennachmittag": ("Seniorennachmittag", "senioren", "senioren", "selbstorganisation", (15, 40), "weekly"),
        "familiencafe": ("Familiencafé", "begegnung", "familien", "mitwirkung", (10, 30), "weekly"),
        "eltern_kind": ("Eltern-Kind-Gruppe", "kinder", "familien", "selbstorganisation", (6, 15), "weekly"),
        "familienberatung": ("Familienberatung", "beratung", "familien", "information", None, "appointment"),
        "hebamme": ("Hebammensprechstunde", "gesundheit", "familien", "versorgung", None, "weekly"),
        "erste_hilfe": ("Erste-Hilfe-Kurs", "gesundheit", "erwachsene;jugendliche", "information", (10, 20), "monthly"),
        "mitgliederversammlung": (
            "Mitgliederversammlung",
            "begegnung",
            "erwachsene",
            "mitentscheidung",
            None,
            "quarterly",
        ),
        "generationencafe": ("Generationencafé", "begegnung", "alle", "selbstorganisation", (15, 40), "weekly"),
        "hausaufgabenhilfe": ("Hausaufgabenhilfe", "bildung", "kinder", "mitwirkung", (8, 25), "afternoon"),
        "computerkurs": ("Computerkurs für Ältere", "bildung", "senioren", "information", (6, 12), "weekly"),
        "mobile_jugendarbeit": ("Mobile Jugendarbeit", "jugend", "jugendliche", "versorgung", None, "youth"),
        "jugendberatung": ("Jugendberatung", "beratung", "jugendliche", "information", None, "appointment"),
        # Zivilgesellschaft
        "stammtisch": ("Bürgerstammtisch", "begegnung", "erwachsene", "selbstorganisation", (10, 30), "monthly"),
        "stadtteilfest": ("Stadtteilfest", "kultur", "alle", "selbstorganisation", None, "yearly"),
        "rundgang": ("Stadtteilrundgang", "kultur", "alle", "mitwirkung", (10, 30), "monthly"),
        "kinderturnen": ("Kinderturnen", "sport", "kinder", "mitwirkung", (12, 30), "weekly"),
        "jugendfussball": ("Jugendfußball", "sport", "jugendliche", "mitwirkung", (20, 60), "weekly"),
        "gesundheitssport": ("Gesundheitssport", "sport", "erwachsene;senioren", "mitwirkung", (10, 25), "weekly"),
        "gemeinschaftsgarten": ("Gemeinschaftsgarten", "begegnung", "alle", "selbstorganisation", (10, 40), "weekly"),
        "gartenberatung": ("Gartenfachberatung", "bildung", "erwachsene", "information", None, "monthly"),
        "nachbarschaftstreff": ("Nachbarschaftstreff", "begegnung", "alle", "selbstorganisation", (15, 50), "weekly"),
        "nachbarschaftshilfe": (
            "Nachbarschaftshilfe",
            "begegnung",
            "senioren;familien",
            "selbstorganisation",
            None,
            "appointment",
        ),
        "einkaufshilfe": ("Einkaufshilfe", "senioren", "senioren", "versorgung", None, "appointment"),
        "stadtteilrunde": ("Stadtteilrunde", "begegnung", "alle", "mitentscheidung", (10, 30), "monthly"),
        "quartiersspaziergang": ("Quartiersspaziergang", "begegnung", "alle", "mitwirkung", (10, 30), "monthly"),
        "initiativtreffen": (
            "Offenes Initiativtreffen",
            "begegnung",
            "erwachsene",
            "selbstorganisation",
            (8, 25),
            "monthly",
        ),
        "spielplatzplanung": (
            "Spielplatz-Planung mit Kindern",
            "kinder",
            "kinder;familien",
            "mitentscheidung",
            (10, 30),
            "quarterly",
        ),
        "gemeindecafe": ("Gemeindecafé", "begegnung", "alle", "mitwirkung", (15, 40), "weekly"),
        "seniorenkreis": ("Seniorenkreis", "senioren", "senioren", "selbstorganisation", (10, 30), "weekly"),
        "krabbelgruppe": ("Krabbelgruppe", "kinder", "familien", "selbstorganisation", (6, 15), "weekly"),
        "jugendgruppe": ("Jugendgruppe", "jugend", "jugendliche", "selbstorganisation", (8, 25), "weekly"),
        "schulgarten": ("Schulgarten-AG", "bildung", "kinder", "mitwirkung", (8, 20), "weekly"),
        "krabbelstube": ("Krabbelstube", "kinder", "kinder;familien", "selbstorganisation", (10, 20), "kita"),
        "chor": ("Chor", "kultur", "erwachsene;senioren", "mitwirkung", (15, 50), "weekly"),
        "kindermusik": ("Musikgruppe für Kinder", "kultur", "kinder", "mitwirkung", (8, 20), "weekly"),
        "heimatstube": ("Heimatstube", "kultur", "alle", "information", None, "monthly"),
        "repaircafe": ("Repair-Café", "begegnung", "alle", "selbstorganisation", (10, 40), "monthly"),
        "sprachtandem": ("Sprachtandem", "bildung", "erwachsene", "selbstorganisation", (6, 20), "weekly"),
        "fruehstueck": (
            "Interkulturelles Frühstück",
            "begegnung",
            "erwachsene;familien",
            "mitwirkung",
            (10, 30),
            "monthly",
        ),
        # Wohnungswirtschaft (run in the estates)
        "quartierstreff": ("Nachbarschaftstreff", "begegnung", "alle", "mitwirkung", (15, 40), "weekly"),
        "mieterbeirat": ("Mieterbeirat", "begegnung", "erwachsene", "mitentscheidung", None, "monthly"),
        "mieterberatung": (
            "Sozialberatung für Mieterinnen und Mieter",
            "beratung",
            "alle",
            "information",
            None,
            "appointment",
        ),
        "mietersprechstunde": ("Mietersprechstunde", "beratung", "erwachsene", "information", None, "weekly"),
        "kundencenter": ("Kundencenter", "verwaltung", "alle", "versorgung", None, "office"),
    }.items()
}

_HOURS = {
    "office": ("Mo–Fr 9–17 Uhr", "Mo–Do 8–16 Uhr, Fr 8–12 Uhr", "Mo, Mi, Fr 9–12 Uhr", "Di und Do 14–18 Uhr"),
    "weekly": ("Mo 15–17 Uhr", "Di 18–20 Uhr", "Mi 15–17 Uhr", "Do 10–12 Uhr", "Fr 16–18 Uhr", "Sa 10–13 Uhr"),
    "monthly": (
        "jeden 1. Montag im Monat, 18–20 Uhr",
        "jeden 2. Donnerstag im Monat, 19 Uhr",
        "jeden letzten Samstag im Monat, 10–14 Uhr",
    ),
    "quarterly": ("vierteljährlich, Termine auf der Website", "zweimal im Jahr, Termine im Amtsblatt"),
    "yearly": ("einmal im Jahr (Juni)", "einmal im Jahr (September)"),
    "appointment": ("nach Vereinbarung", "Sprechstunde nach Vereinbarung"),
    "kita": ("Mo–Fr 7–17 Uhr", "Mo–Fr 7.30–16.30 Uhr"),
    "care": ("rund um die Uhr", "Mo–So 6–21 Uhr"),
    "daycare": ("Mo–Fr 8–16 Uhr",),
    "youth": ("Mo–Fr 14–20 Uhr", "Di–Sa 15–21 Uhr"),
    "afternoon": ("Mo–Do 14–16 Uhr",),
    "lunch": ("Mo–Fr 12–14 Uhr",),
}


@dataclass(frozen=True)
class _ActorKind:
    """A kind of actor: how many, how it is named, where it works and which offers it may run.

    ``count`` is "bezirk" for one per Bezirk, "quartier" for one per Quartier with at least
    _MIN_RESIDENTS residents, else a number. ``focus`` keeps the actor's seat out of the pattern
    Quartiere its offers would spoil ("participation": the gaps; "senior": the old-age Quartier,
    and favours the other old-age Quartiere). Name patterns use {q} (Quartier), {b} (Bezirk),
    {saint} and {year}.
    """

    sector: str
    kind: str
    count: int | str
    reach: str  # "quartier" (its own and maybe a neighbour or two) or "bezirk" (all Quartiere of its Bezirk)
    names: tuple[str, ...]
    offers: tuple[tuple[str, float], ...]  # offer kind and the chance that the actor runs it
    focus: str = ""


_ACTOR_KINDS = (
    _ActorKind(
        "kommune",
        "Bürgerbüro",
        "bezirk",
        "bezirk",
        ("Bürgerbüro {b}",),
        (("buergerservice", 1), ("fragestunde", 0.8), ("buergerwerkstatt", 0.35)),
    ),
    _ActorKind(
        "kommune",
        "Stadtteilbibliothek",
        14,
        "quartier",
        ("Stadtteilbibliothek {q}",),
        (("medien", 1), ("vorlesen", 0.8), ("leseclub", 0.5), ("lesecafe", 0.3)),
    ),
    _ActorKind(
        "kommune",
        "Jugendamt-Außenstelle",
        6,
        "bezirk",
        ("Jugendamt – Außenstelle {b}",),
        (("erziehungsberatung", 1), ("jugendforum", 0.5)),
    ),
    _ActorKind(
        "kommune",
        "Kindertagesstätte",
        30,
        "quartier",
        ("Städtische Kita {q}", "Kinderhaus {q}"),
        (("kita", 1), ("elterncafe", 0.3), ("elternbeirat", 0.4)),
    ),
    _ActorKind(
        "kommune",
        "Grundschule",
        22,
        "quartier",
        ("Grundschule {q}",),
        (("ganztag", 1), ("schuelerrat", 0.5), ("hausaufgabenhilfe", 0.3)),
    ),
    _ActorKind(
        "kommune",
        "Quartiersmanagement",
        6,
        "quartier",
        ("Quartiersbüro {q}",),
        (("qm_sprechstunde", 1), ("quartiersrat", 0.8), ("verfuegungsfonds", 0.5)),
        "participation",
    ),
    _ActorKind(
        "kommune",
        "Seniorenberatung",
        5,
        "bezirk",
        ("Städtische Seniorenberatung {b}",),
        (("seniorenberatung", 1), ("wohnberatung", 0.6), ("seniorenforum", 0.5)),
        "senior",
    ),
    _ActorKind(
        "kommune",
        "Jugendhaus",
        10,
        "quartier",
        ("Jugendhaus {q}", "Jugendtreff {q}"),
        (("jugendtreff", 1), ("jugendrat", 0.4), ("ferienprogramm", 0.6)),
        "participation",
    ),
    _ActorKind(
        "kommune",
        "Gesundheitskiosk",
        3,
        "bezirk",
        ("Gesundheitskiosk {b}",),
        (("gesundheitsberatung", 1), ("bewegungstreff", 0.6)),
    ),
    _ActorKind(
        "wohlfahrtspflege",
        "Beratungszentrum",
        7,
        "bezirk",
        ("Caritas-Zentrum {q}",),
        (("sozialberatung", 1), ("schuldnerberatung", 0.6), ("migrationsberatung", 0.5), ("sprachcafe", 0.4)),
    ),
    _ActorKind(
        "wohlfahrtspflege",
        "Beratungsstelle",
        5,
        "quartier",
        ("Diakonie – Beratungsstelle {q}",),
        (("sozialberatung", 1), ("schuldnerberatung", 0.5), ("familienberatung", 0.4)),
    ),
    _ActorKind(
        "wohlfahrtspflege",
        "Sozialstation",
        13,
        "bezirk",
        ("Caritas-Sozialstation {q}", "Diakoniestation {q}"),
        (("ambulante_pflege", 1), ("pflegeberatung", 0.7), ("angehoerige", 0.4)),
        "senior",
    ),
    _ActorKind(
        "wohlfahrtspflege",
        "Begegnungsstätte",
        6,
        "quartier",
        ("Diakonie – Begegnungsstätte {q}",),
        (("offener_treff", 1), ("seniorennachmittag", 0.6), ("mittagstisch", 0.5)),
        "participation",
    ),
    _ActorKind(
        "wohlfahrtspflege",
        "Ortsverein",
        15,
        "quartier",
        ("AWO Ortsverein {q}", "DRK-Ortsverein {q}"),
        (("seniorennachmittag", 0.6), ("mitgliederversammlung", 0.7), ("erste_hilfe", 0.4)),
    ),
    _ActorKind(
        "wohlfahrtspflege",
        "Seniorenzentrum",
        8,
        "quartier",
        ("AWO-Seniorenzentrum {q}", "Seniorenstift {q}"),
        (
            ("stationaer", 1),
            ("seniorentreff", 0.7),
            ("mittagstisch", 0.5),
            ("sitzgymnastik", 0.5),
            ("erzaehlcafe", 0.4),
            ("bewohnerbeirat", 0.6),
        ),
        "senior",
    ),
    _ActorKind(
        "wohlfahrtspflege", "Tagespflege", 5, "quartier", ("DRK-Tagespflege {q}",), (("tagespflege", 1),), "senior"
    ),
    _ActorKind(
        "wohlfahrtspflege",
        "Familienzentrum",
        8,
        "quartier",
        ("Familienzentrum {q} e.V.", "Caritas-Familientreff {q}"),
        (("familiencafe", 1), ("eltern_kind", 0.7), ("familienberatung", 0.6), ("hebamme", 0.4)),
    ),
    _ActorKind(
        "wohlfahrtspflege",
        "Mehrgenerationenhaus",
        4,
        "quartier",
        ("Mehrgenerationenhaus {q}",),
        (("generationencafe", 1), ("hausaufgabenhilfe", 0.6), ("computerkurs", 0.5), ("repaircafe", 0.4)),
        "participation",
    ),
    _ActorKind(
        "wohlfahrtspflege",
        "Jugendhilfe",
        5,
        "bezirk",
        ("Mobile Jugendarbeit {b}",),
        (("mobile_jugendarbeit", 1), ("jugendberatung", 0.6)),
    ),
    _ActorKind(
        "zivilgesellschaft",
        "Bürgerverein",
        "quartier",
        "quartier",
        ("Bürgerverein {q} e.V.",),
        (("stammtisch", 0.9), ("stadtteilfest", 0.7), ("rundgang", 0.5)),
    ),
    _ActorKind(
        "zivilgesellschaft",
        "Sportverein",
        26,
        "quartier",
        ("TSV {q} {year} e.V.", "SV {q} e.V.", "Turnverein {q} {year}"),
        (("kinderturnen", 0.7), ("jugendfussball", 0.6), ("gesundheitssport", 0.6)),
    ),
    _ActorKind(
        "zivilgesellschaft",
        "Kleingartenverein",
        10,
        "quartier",
        ("Kleingartenverein {q} e.V.",),
        (("gemeinschaftsgarten", 0.7), ("gartenberatung", 0.5)),
    ),
    _ActorKind(
        "zivilgesellschaft",
        "Nachbarschaftsnetzwerk",
        18,
        "quartier",
        ("Nachbarschaftsnetzwerk {q}", "Nachbarschaftshilfe {q} e.V."),
        (("nachbarschaftstreff", 1), ("nachbarschaftshilfe", 0.6), ("einkaufshilfe", 0.4)),
    ),
    _ActorKind(
        "zivilgesellschaft",
        "Stadtteilvernetzer",
        8,
        "quartier",
        ("Stadtteilvernetzer {q}",),
        (("stadtteilrunde", 1), ("quartiersspaziergang", 0.6)),
    ),
    _ActorKind(
        "zivilgesellschaft",
        "Initiative",
        10,
        "quartier",
        ("Initiative Lebendiges {q}", "Bürgerinitiative {q}", "Zukunftswerkstatt {q}"),
        (("initiativtreffen", 1), ("spielplatzplanung", 0.4)),
    ),
    _ActorKind(
        "zivilgesellschaft",
        "Kirchengemeinde",
        24,
        "quartier",
        ("Ev. Kirchengemeinde {q}", "Kath. Kirchengemeinde {saint}, {q}"),
        (("gemeindecafe", 0.7), ("seniorenkreis", 0.6), ("krabbelgruppe", 0.5), ("jugendgruppe", 0.5)),
    ),
    _ActorKind(
        "zivilgesellschaft",
        "Förderverein",
        8,
        "quartier",
        ("Förderverein Grundschule {q} e.V.",),
        (("schulgarten", 0.8), ("hausaufgabenhilfe", 0.4)),
    ),
    _ActorKind(
        "zivilgesellschaft",
        "Elterninitiative",
        8,
        "quartier",
        ("Elterninitiative Krabbelstube {q} e.V.",),
        (("krabbelstube", 1),),
    ),
    _ActorKind(
        "zivilgesellschaft",
        "Kulturverein",
        10,
        "quartier",
        ("Kulturverein {q} e.V.", "Musikverein {q} e.V.", "Heimatverein {q} e.V."),
        (("chor", 0.6), ("kindermusik", 0.4), ("heimatstube", 0.3)),
    ),
    _ActorKind(
        "zivilgesellschaft", "Repair-Café-Initiative", 6, "quartier", ("Repair-Café {q}",), (("repaircafe", 1),)
    ),
    _ActorKind(
        "zivilgesellschaft",
        "Interkultureller Verein",
        6,
        "quartier",
        ("Interkultureller Verein {q} e.V.",),
        (("sprachtandem", 0.8), ("fruehstueck", 0.6)),
    ),
)

_SAINTS = (
    "St. Michael",
    "St. Josef",
    "St. Elisabeth",
    "St. Maria",
    "St. Konrad",
    "St. Barbara",
    "St. Martin",
    "St. Antonius",
    "Heilig Kreuz",
    "St. Georg",
)
_COOPERATIVE_NAMES = (
    "Baugenossenschaft {b} eG",
    "Wohnungsbaugenossenschaft {b} eG",
    "Bau- und Sparverein {b} eG",
    "Familienheim {b} eG",
    "Heimstätten-Genossenschaft {b} eG",
    "Eisenbahner-Baugenossenschaft Musterstadt eG",
)
_SURNAMES = (
    "Brückner",
    "Kessler",
    "Lorenz",
    "Hartmann",
    "Seidel",
    "Vogt",
    "Winkler",
    "Albrecht",
    "Roth",
    "Franke",
    "Böhm",
    "Krämer",
    "Engel",
    "Sauer",
    "Haas",
    "Busch",
    "Pohl",
    "Graf",
    "Ludwig",
    "Brandt",
    "Kühn",
    "Jäger",
    "Voß",
    "Götz",
)
_LANDLORD_NAMES = (
    "{s} Immobilien GmbH",
    "Hausverwaltung {s}",
    "{s} Wohnbau GmbH & Co. KG",
    "Grundstücksgemeinschaft {s}",
    "{s} & {t} Hausverwaltung",
)
_LANDLORDS = 24


@dataclass
class _Actor:
    """An actor while the city is built; ``reach`` becomes its ``quartiere`` field."""

    name: str
    sector: str
    kind: str
    home: int  # the Quartier the actor is located in
    xy: np.ndarray
    reach: list[int]  # the Quartiere it works in
    offers: tuple[tuple[str, float], ...] = ()
    actor_id: str = ""


def _actors(rng: np.random.Generator, city: _City, cells: _Cells, estates: list[_Estate], plan: _Plan) -> list[_Actor]:
    """Housing companies, landlords and the institutions of city and welfare first; civil society
    last, once the Quartiere it stays out of are chosen (this completes the plan)."""
    actors = _housing_companies(rng, city, cells, estates) + _landlords(rng, city, cells)
    residents = cells.per_quartier(cells.residents, len(city.quartiere))
    for kind in _ACTOR_KINDS:
        if kind.sector != "zivilgesellschaft":
            actors += _actors_of_kind(rng, city, cells, residents, kind, plan)
    plan.without_civil_society = _pick_without_civil_society(rng, city, residents, plan, actors)
    for kind in _ACTOR_KINDS:
        if kind.sector == "zivilgesellschaft":
            actors += _actors_of_kind(rng, city, cells, residents, kind, plan)
    for number, actor in enumerate(actors, start=1):
        actor.actor_id = f"A{number:04d}"
    return actors


def _actors_of_kind(
    rng: np.random.Generator, city: _City, cells: _Cells, residents: np.ndarray, kind: _ActorKind, plan: _Plan
) -> list[_Actor]:
    """The actors of one kind, kept out of (and not working in) the Quartiere a pattern reserves."""
    banned = set(plan.without_civil_society) if kind.sector == "zivilgesellschaft" else set()
    banned |= {"participation": set(plan.gaps), "senior": {plan.old_age}}.get(kind.focus, set())
    actors = []
    for home in _homes(rng, city, residents, kind, banned, plan.old_age_quartiere):
        name = str(rng.choice(kind.names)).format(
            q=city.quartier_names[home],
            b=city.bezirk_names[city.quartier_bezirk[home]],
            saint=rng.choice(_SAINTS),
            year=rng.integers(1860, 1990),
        )
        xy = _spots(rng, city, cells, cells.of([home]), 1)[0][0]
        reach = _reach(rng, city, kind, home, banned)
        actors.append(_Actor(name, kind.sector, kind.kind, home, xy, reach, kind.offers))
    return actors


def _homes(
    rng: np.random.Generator, city: _City, residents: np.ndarray, kind: _ActorKind, banned: set[int], old_age: set[int]
) -> list[int]:
    """Seats of the actors of one kind in distinct Quartiere (or Bezirke), more where more people live."""
    allowed = np.array([q not in banned for q in range(len(residents))])
    favoured = np.array([kind.focus == "senior" and q in old_age for q in range(len(residents))])
    weight = residents**0.8 * allowed * np.where(favoured, 20.0, 1.0)
    if kind.count == "quartier":
        return np.flatnonzero(allowed & (residents >= _MIN_RESIDENTS)).tolist()
    if "{b}" not in " ".join(kind.names):
        assert isinstance(kind.count, int)  # "bezirk" kinds name their Bezirk
        return [int(q) for q in rng.choice(len(weight), kind.count, replace=False, p=weight / weight.sum())]
    if kind.count == "bezirk":
        bezirke: range | list[int] = range(len(city.bezirke))
    else:
        assert isinstance(kind.count, int)
        bezirke = sorted(rng.choice(len(city.bezirke), kind.count, replace=False).tolist())
    homes = []
    for b in bezirke:
        members = np.flatnonzero(city.quartier_bezirk == b)
        homes.append(int(rng.choice(members, p=weight[members] / weight[members].sum())))
    return homes


def _reach(rng: np.random.Generator, city: _City, kind: _ActorKind, home: int, banned: set[int]) -> list[int]:
    """The Quartiere an actor works in: its Bezirk, or its own Quartier and perhaps a neighbour or two."""
    if kind.reach == "bezirk":
        return np.flatnonzero(city.quartier_bezirk == city.quartier_bezirk[home]).tolist()
    extra = [n for n in city.neighbours[home] if n not in banned and rng.random() < 0.25][:2]
    return sorted([home, *extra])


def _housing_companies(rng: np.random.Generator, city: _City, cells: _Cells, estates: list[_Estate]) -> list[_Actor]:
    """The municipal housing company (seated in the Altstadt) and the cooperatives (at their first
    estate); where they work follows from the housing they own."""
    companies = []
    patterns = rng.permutation(_COOPERATIVE_NAMES)
    for owner in range(_COOPERATIVES + 1):
        if owner == 0:
            name, kind, home = "Stadtbau Musterstadt GmbH", "kommunale Wohnungsgesellschaft", 0
        else:
            home = next(e.quartier for e in estates if e.owner == owner)
            name = str(patterns[owner - 1]).format(b=city.bezirk_names[city.quartier_bezirk[home]])
            kind = "Wohnungsbaugenossenschaft"
        xy = _spots(rng, city, cells, cells.of([home]), 1)[0][0]
        companies.append(_Actor(name, "wohnungswirtschaft", kind, home, xy, []))
    return companies


def _landlords(rng: np.random.Generator, city: _City, cells: _Cells) -> list[_Actor]:
    """Private landlords and property managers; where they work follows from the housing they own."""
    names: list[str] = []
    while len(names) < _LANDLORDS:
        first, second = rng.choice(_SURNAMES, 2, replace=False)
        name = str(rng.choice(_LANDLORD_NAMES)).format(s=first, t=second)
        if name not in names:
            names.append(name)
    landlords = []
    for name in names:
        xy, quartier = _spots(rng, city, cells, np.arange(len(cells.residents)), 1)
        landlords.append(_Actor(name, "wohnungswirtschaft", "privater Vermieter", int(quartier[0]), xy[0], []))
    return landlords


def _spots(
    rng: np.random.Generator, city: _City, cells: _Cells, members: np.ndarray, count: int
) -> tuple[np.ndarray, np.ndarray]:
    """Points in populated cells chosen by residents, jittered but kept inside the cell's Quartier."""
    weight = cells.residents[members].astype(float)
    chosen = rng.choice(members, count, p=weight / weight.sum())
    return _jitter_inside(rng, city, cells, chosen), cells.quartier[chosen]


def _jitter_inside(rng: np.random.Generator, city: _City, cells: _Cells, chosen: np.ndarray) -> np.ndarray:
    """Points up to 40 m from the chosen cell centres, at the centre where that would leave the Quartier."""
    centres = np.round(np.column_stack([cells.x[chosen], cells.y[chosen]]), 1)
    xy = np.round(centres + rng.uniform(-40, 40, centres.shape), 1)
    inside = shapely.contains(city.quartiere[cells.quartier[chosen]], shapely.points(xy))
    xy[~inside] = centres[~inside]
    return xy


def _stands(rng: np.random.Generator, count: int, outdated_share: float) -> list[str]:
    """ISO dates of the last update: mostly within 20 months before STAND, some older than two years."""
    days = np.where(rng.random(count) < outdated_share, rng.integers(760, 2_200, count), rng.integers(0, 600, count))
    return (np.datetime64(STAND) - days.astype("timedelta64[D]")).astype(str).tolist()


def _contact(rng: np.random.Generator, name: str) -> str:
    """A fictional e-mail address (under the reserved .invalid domain), phone number, or both."""
    local = ""
    for word in _slug(name).split("-"):
        if len(local) + len(word) >= 30:
            break
        local = f"{local}-{word}" if local else word
    email = f"{local or 'kontakt'}@beispiel.invalid"
    phone = f"0000 {rng.integers(100_000, 1_000_000)}"
    return [email, phone, f"{email}, Tel. {phone}"][rng.integers(3)]


def _offers(
    rng: np.random.Generator, city: _City, cells: _Cells, actors: list[_Actor], estates: list[_Estate], plan: _Plan
) -> gpd.GeoDataFrame:
    """The offers of every actor; housing companies run theirs in their estates, Sozialmanagement
    includes a Nachbarschaftstreff. The old-age Quartier gets just one care service."""
    placed: list[tuple[_Actor, _OfferKind, np.ndarray, int]] = []
    for actor in actors:
        for key, chance in actor.offers:
            offer = _OFFER_KINDS[key]
            if rng.random() < chance and (place := _offer_place(rng, city, cells, actor, offer, plan)):
                placed.append((actor, offer, *place))
    for estate in estates:
        owner = actors[estate.owner]
        if estate.sozialmanagement:
            keys = [("quartierstreff", 1.0), ("mieterbeirat", 0.7), ("mieterberatung", 0.5)]
        else:
            keys = [("mietersprechstunde", 0.5)]
        for key, chance in keys:
            spot = np.round(estate.centre, 1)
            if rng.random() < chance and plan.allows(_OFFER_KINDS[key], *spot):
                placed.append((owner, _OFFER_KINDS[key], spot, estate.quartier))
    placed.append((actors[0], _OFFER_KINDS["kundencenter"], actors[0].xy, actors[0].home))
    stations = [a for a in actors if a.kind == "Sozialstation"]
    care = min(stations, key=lambda a: float(np.hypot(*(a.xy - city.anchors[plan.old_age]))))
    xy, _ = _spots(rng, city, cells, cells.of([plan.old_age]), 1)
    placed.append((care, _OFFER_KINDS["ambulante_pflege"], xy[0], plan.old_age))
    return _offers_frame(rng, city, placed)


def _offer_place(
    rng: np.random.Generator, city: _City, cells: _Cells, actor: _Actor, offer: _OfferKind, plan: _Plan
) -> tuple[np.ndarray, int] | None:
    """At the operator's seat if no pattern forbids it, else somewhere in the Quartiere it works in."""
    if plan.allows(offer, *actor.xy):
        return actor.xy, actor.home
    members = cells.of(actor.reach)
    members = members[plan.allows(offer, cells.x[members], cells.y[members])]
    if not len(members):
        return None
    xy, quartier = _spots(rng, city, cells, members, 1)
    return xy[0], int(quartier[0])


# --- housing stock ------------------------------------------------------------------------------


def _housing(
    rng: np.random.Generator, city: _City, cells: _Cells, estates: list[_Estate], actors: list[_Actor]
) -> gpd.GeoDataFrame:
    """Estates of the housing companies first; other buildings share out the remaining dwellings.

    Each cell needs about residents / household size dwellings. Other buildings are drawn by the
    square root of what a cell still needs, so the outskirts get many small buildings and the
    centre fewer, larger ones, while the expected total stays right. Housing companies and
    landlords work in the Quartiere where their buildings are. Rows carry no source of their
    own (the layer's provenance names it), which keeps the GeoPackage under 5 MB.
    """
    household = np.clip(1.75 + 0.5 * city.rho[cells.quartier] + rng.normal(0, 0.1, len(cells.residents)), 1.5, 2.8)
    need = cells.residents / household
    left = need.copy()
    parts = []
    for estate in estates:
        part = _estate_buildings(rng, cells, need, estate, actors[estate.owner].actor_id)
        np.subtract.at(left, part["cell"], part["dwellings"])
        parts.append(part)
    left = np.maximum(left, 0.0)
    left *= (need.sum() - sum(p["dwellings"].sum() for p in parts)) / left.sum()
    parts.append(_scattered_buildings(rng, city, cells, left, _HOUSING_POINTS - sum(len(p) for p in parts), actors))
    frame = pd.concat(parts, ignore_index=True)
    cell = frame.pop("cell").to_numpy()
    owners = frame["owner_actor_id"].to_numpy()
    for actor in actors:
        if actor.sector == "wohnungswirtschaft":
            actor.reach = sorted(set(cells.quartier[cell[owners == actor.actor_id]].tolist()))
    frame.insert(0, "housing_id", [f"W{i:05d}" for i in range(1, len(frame) + 1)])
    return _geoframe(frame, shapely.points(_jitter_inside(rng, city, cells, cell)), CITY_CRS)


def _estate_buildings(
    rng: np.random.Generator, cells: _Cells, need: np.ndarray, estate: _Estate, owner_id: str
) -> pd.DataFrame:
    """The buildings of one estate in the populated cells of its Quartier within 450 m of its centre,
    holding about 85 % of the dwellings those cells need."""
    members = cells.of([estate.quartier])
    distance = np.hypot(cells.x[members] - estate.centre[0], cells.y[members] - estate.centre[1])
    near = members[distance < 450] if np.sum(distance < 450) >= 5 else members[np.argsort(distance)[:12]]
    cooperative = estate.owner > 0
    low, high = (6, 30) if cooperative else (8, 64)
    count = int(np.clip(round(0.85 * need[near].sum() / ((low + high) / 2)), 8, 120))
    cell = rng.choice(near, count, p=cells.residents[near] / cells.residents[near].sum())
    dwellings = rng.integers(low, high + 1, count)
    year = estate.year + rng.integers(0, 4, count)
    subsidised_share = rng.uniform(0.0, 0.35) if cooperative else rng.uniform(0.3, 0.8)
    return pd.DataFrame(
        {
            "cell": cell,
            "owner_actor_id": owner_id,
            "owner_type": "genossenschaftlich" if cooperative else "kommunal",
            "dwellings": dwellings.astype(np.int64),
            "subsidised": rng.binomial(dwellings, subsidised_share).astype(np.int64),
            "barrier_free": _barrier_free(rng, dwellings, year),
            "year_built": year.astype(np.int64),
            "sozialmanagement": np.full(count, estate.sozialmanagement),
            "source": None,
            "stand": str(rng.choice(["2025-06-30", "2025-12-31"])) if cooperative else _MUNICIPAL_STAND,
        }
    )


def _scattered_buildings(
    rng: np.random.Generator, city: _City, cells: _Cells, need: np.ndarray, count: int, actors: list[_Actor]
) -> pd.DataFrame:
    """Buildings outside the estates: mostly private (larger ones sometimes of a landlord of the
    same Bezirk), some post-war blocks of the municipal company."""
    weight = np.sqrt(need)
    probability = weight / weight.sum()
    cell = rng.choice(len(need), count, p=probability)
    expected = need[cell] / (count * probability[cell])
    dwellings = np.maximum(1, np.round(expected * rng.lognormal(-0.06, 0.35, count))).astype(np.int64)
    era = rng.random(count)
    old_share = 0.45 - 0.35 * city.rho[cells.quartier[cell]]
    year = np.where(
        era < old_share,
        rng.integers(1870, 1940, count),
        np.where(era < old_share + 0.35, rng.integers(1950, 1980, count), rng.integers(1980, 2025, count)),
    )
    municipal = (dwellings >= 6) & (year >= 1950) & (year < 1995) & (rng.random(count) < 0.15)
    funded = municipal | ((year >= 1990) & (rng.random(count) < 0.15))
    landlords = [a for a in actors if a.kind == "privater Vermieter"]
    bezirk = city.quartier_bezirk[cells.quartier[cell]]
    owner: list[str | None] = []
    for public, b, d in zip(municipal.tolist(), bezirk.tolist(), dwellings.tolist(), strict=False):
        if public:
            owner.append(actors[0].actor_id)
        elif d >= 6 and rng.random() < 0.3:
            owner.append(_landlord_in(rng, landlords, city, b))
        else:
            owner.append(None)
    return pd.DataFrame(
        {
            "cell": cell,
            "owner_actor_id": owner,
            "owner_type": np.where(municipal, "kommunal", "privat"),
            "dwellings": dwellings,
            "subsidised": np.where(funded, rng.binomial(dwellings, rng.uniform(0.2, 0.5, count)), 0).astype(np.int64),
            "barrier_free": _barrier_free(rng, dwellings, year),
            "year_built": year.astype(np.int64),
            "sozialmanagement": np.zeros(count, dtype=bool),
            "source": None,
            "stand": np.where(municipal, _MUNICIPAL_STAND, "2024-12-31"),
        }
    )


def _landlord_in(rng: np.random.Generator, landlords: list[_Actor], city: _City, bezirk: int) -> str | None:
    """A landlord seated in the Bezirk, so each landlord's stock stays local."""
    local = [a.actor_id for a in landlords if city.quartier_bezirk[a.home] == bezirk]
    return str(rng.choice(local)) if local else None


def _barrier_free(rng: np.random.Generator, dwellings: np.ndarray, year: np.ndarray) -> np.ndarray:
    """Barrier-free dwellings: most in new buildings, few in old ones."""
    share = np.where(year >= 2000, 0.75, np.where(year >= 1980, 0.12, 0.03))
    return rng.binomial(dwellings, share).astype(np.int64)


# --- cooperations -------------------------------------------------------------------------------

_NETWORKERS = {"Stadtteilvernetzer", "Nachbarschaftsnetzwerk", "Quartiersmanagement", "Bürgerbüro"}
_LINK_WEIGHTS: dict[tuple[str, ...], float] = {
    ("kommune", "wohlfahrtspflege"): 3.0,
    ("wohlfahrtspflege", "wohnungswirtschaft"): 2.5,
    ("kommune", "wohnungswirtschaft"): 2.0,
    ("wohlfahrtspflege", "wohlfahrtspflege"): 2.0,
    ("kommune", "kommune"): 1.5,
    ("kommune", "zivilgesellschaft"): 1.0,
    ("wohlfahrtspflege", "zivilgesellschaft"): 1.0,
    ("zivilgesellschaft", "zivilgesellschaft"): 0.8,
    ("wohnungswirtschaft", "zivilgesellschaft"): 0.3,
    ("wohnungswirtschaft", "wohnungswirtschaft"): 0.3,
}
_SINCE = {"vertrag": (1995, 2025), "projekt": (2012, 2027), "netzwerk": (2003, 2027)}


def _cooperations(rng: np.random.Generator, actors: list[_Actor]) -> pd.DataFrame:
    """Links between actors working in a common Quartier: contracts between city, welfare and housing,
    networks around the Stadtteilvernetzer and Quartiersmanagement, few links to civil society."""
    working_in: dict[int, list[int]] = {}
    for index, actor in enumerate(actors):
        for q in actor.reach:
            working_in.setdefault(q, []).append(index)
    pairs = sorted({pair for members in working_in.values() for pair in combinations(sorted(members), 2)})
    weight = np.array([_link_weight(actors[a], actors[b]) for a, b in pairs])
    chosen = [pairs[i] for i in np.sort(rng.choice(len(pairs), _COOPERATIONS, replace=False, p=weight / weight.sum()))]
    kinds = [_link_kind(rng, actors[a], actors[b]) for a, b in chosen]
    frame = pd.DataFrame(
        {
            "coop_id": [f"K{i:04d}" for i in range(1, len(chosen) + 1)],
            "actor_a": [actors[a].actor_id for a, _ in chosen],
            "actor_b": [actors[b].actor_id for _, b in chosen],
            "kind": kinds,
            "since": np.array([rng.integers(*_SINCE[kind]) for kind in kinds], dtype=np.int64),
        }
    )
    return _text_as_object(frame)


def _link_weight(a: _Actor, b: _Actor) -> float:
    """How likely two actors cooperate: by their sectors, more with networkers, little with landlords."""
    weight = _LINK_WEIGHTS[tuple(sorted((a.sector, b.sector)))]
    weight *= 4.0 if {a.kind, b.kind} & _NETWORKERS else 1.0
    return weight * (0.2 if "privater Vermieter" in (a.kind, b.kind) else 1.0)


def _link_kind(rng: np.random.Generator, a: _Actor, b: _Actor) -> str:
    """Networks around networkers, contracts where city or housing pay welfare, else mostly projects."""
    if {a.kind, b.kind} & _NETWORKERS:
        shares = {"netzwerk": 0.7, "projekt": 0.3, "vertrag": 0.0}
    elif {a.sector, b.sector} in ({"kommune", "wohlfahrtspflege"}, {"wohlfahrtspflege", "wohnungswirtschaft"}):
        shares = {"netzwerk": 0.2, "projekt": 0.35, "vertrag": 0.45}
    else:
        shares = {"netzwerk": 0.45, "projekt": 0.45, "vertrag": 0.1}
    return str(rng.choice(list(shares), p=list(shares.values())))


# --- streets -------------------------------------------------------------------------------------

_STREET_SPACING = 160.0  # metres between the streets of the jittered grid
_BRIDGES = 7  # river crossings inside the city
_UNDERPASSES = 10  # railway crossings inside the city


def _streets(rng: np.random.Generator, city: _City) -> gpd.GeoDataFrame:
    """A walking network: a jittered street grid with missing links, crossing river and railway only at a
    few bridges and underpasses, so walks and straight lines differ where those barriers lie between.

    Streets are stored as long lines along the grid rows and columns; they meet at shared vertices.
    """
    minx, miny, maxx, maxy = city.outline.buffer(_STREET_SPACING).bounds
    gx, gy = np.meshgrid(np.arange(minx, maxx, _STREET_SPACING), np.arange(miny, maxy, _STREET_SPACING))
    nodes = np.stack([gx, gy], axis=-1) + rng.uniform(-0.3, 0.3, (*gx.shape, 2)) * _STREET_SPACING
    nodes = np.round(nodes / _PRECISION) * _PRECISION
    rows, columns = nodes, nodes.transpose(1, 0, 2)
    start = np.concatenate([rows[:, :-1].reshape(-1, 2), columns[:, :-1].reshape(-1, 2)])
    end = np.concatenate([rows[:, 1:].reshape(-1, 2), columns[:, 1:].reshape(-1, 2)])
    segments = shapely.linestrings(np.stack([start, end], axis=1))
    middle = (start + end) / 2
    keep = shapely.contains_xy(city.outline, *middle.T) & (rng.random(len(segments)) > 0.08)
    for barrier, count in ((city.river, _BRIDGES), (city.railway, _UNDERPASSES)):
        crossing = np.flatnonzero(shapely.intersects(segments, barrier))
        keep[crossing] = False
        inside = barrier.intersection(city.outline)
        for i in range(count):
            spot = shapely.get_coordinates(inside.interpolate((i + rng.uniform(0.3, 0.7)) / count, normalized=True))
            keep[crossing[np.argmin(np.hypot(*(middle[crossing] - spot).T))]] = True
    split = rows.shape[0] * (rows.shape[1] - 1)
    lines, highway = [], []
    for grid_nodes, kept in ((rows, keep[:split]), (columns, keep[split:])):
        for row, (points, row_kept) in enumerate(zip(grid_nodes, kept.reshape(len(grid_nodes), -1), strict=False)):
            for first, last in _true_runs(row_kept):
                lines.append(LineString(points[first : last + 2]))
                highway.append("tertiary" if row % 6 == 0 else "residential")
    frame = pd.DataFrame({"path_id": [f"S{i:05d}" for i in range(1, len(lines) + 1)], "highway": highway})
    return _geoframe(frame, lines, CITY_CRS)


def _true_runs(kept: np.ndarray) -> list[tuple[int, int]]:
    """First and last index of each run of True values."""
    edges = np.diff(np.concatenate([[0], kept.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(edges == 1).tolist(), (np.flatnonzero(edges == -1) - 1).tolist(), strict=False))


# --- layer frames -------------------------------------------------------------------------------


def _areas_frame(city: _City) -> gpd.GeoDataFrame:
    bezirke = pd.DataFrame(
        {"area_id": city.bezirk_ids, "name": city.bezirk_names, "level": "stadtbezirk", "parent_id": None}
    )
    quartiere = pd.DataFrame(
        {
            "area_id": city.quartier_ids,
            "name": city.quartier_names,
            "level": "quartier",
            "parent_id": [city.bezirk_ids[b] for b in city.quartier_bezirk],
        }
    )
    frame = pd.concat([bezirke, quartiere], ignore_index=True)
    return _geoframe(frame, [*city.bezirke, *city.quartiere], CITY_CRS)


def _population_frame(cells: _Cells) -> gpd.GeoDataFrame:
    cell_ids = [grid.cell_id(n, e) for n, e in zip(cells.north.tolist(), cells.east.tolist(), strict=False)]
    frame = pd.DataFrame({"cell_id": cell_ids, "residents": cells.residents.astype(np.int64)})
    for i, band in enumerate(schema.AGE_BANDS):
        frame[band] = cells.ages[:, i].astype(np.int64)
    return _geoframe(frame, shapely.points(grid.cell_centres(cell_ids)), schema.ANALYSIS_CRS)


def _actors_frame(rng: np.random.Generator, city: _City, actors: list[_Actor]) -> gpd.GeoDataFrame:
    civil = np.array([a.sector == "zivilgesellschaft" for a in actors])
    has_website = rng.random(len(actors)) < np.where(civil, 0.6, 0.95)
    has_contact = rng.random(len(actors)) < np.where(civil, 0.75, 0.95)
    ids = city.quartier_ids
    frame = pd.DataFrame(
        {
            "actor_id": [a.actor_id for a in actors],
            "name": [a.name for a in actors],
            "sector": [a.sector for a in actors],
            "kind": [a.kind for a in actors],
            "quartiere": [schema.LIST_SEP.join(ids[q] for q in a.reach) or None for a in actors],
            "website": [
                f"https://beispiel.invalid/{_slug(a.name)}" if ok else None
                for a, ok in zip(actors, has_website, strict=False)
            ],
            "contact": [_contact(rng, a.name) if ok else None for a, ok in zip(actors, has_contact, strict=False)],
            "source": SOURCE,
            "stand": _stands(rng, len(actors), 0.25),
        }
    )
    return _geoframe(frame, shapely.points([a.xy for a in actors]), CITY_CRS)


def _offers_frame(
    rng: np.random.Generator, city: _City, placed: list[tuple[_Actor, _OfferKind, np.ndarray, int]]
) -> gpd.GeoDataFrame:
    """One row per placed offer, named after the offer and its Quartier (plus the operator if taken)."""
    names: list[str] = []
    for actor, offer, _, quartier in placed:
        name = f"{offer.label} {city.quartier_names[quartier]}"
        names.append(name if name not in names else f"{name} ({actor.name})")
    capacity = [
        None if offer.capacity is None or rng.random() < 0.15 else int(rng.integers(*offer.capacity, endpoint=True))
        for _, offer, _, _ in placed
    ]
    barrier_free_share = {"kommune": 0.8, "wohlfahrtspflege": 0.65, "wohnungswirtschaft": 0.5, "zivilgesellschaft": 0.4}
    frame = pd.DataFrame(
        {
            "offer_id": [f"O{i:04d}" for i in range(1, len(placed) + 1)],
            "name": names,
            "category": [offer.category for _, offer, _, _ in placed],
            "target_groups": [offer.targets for _, offer, _, _ in placed],
            "level": [offer.level for _, offer, _, _ in placed],
            "operator_actor_id": [actor.actor_id for actor, _, _, _ in placed],
            "capacity": pd.array(capacity, dtype="Int64"),
            "barrier_free": np.array([rng.random() < barrier_free_share[actor.sector] for actor, _, _, _ in placed]),
            "opening_hours": [
                None if rng.random() < 0.06 else str(rng.choice(_HOURS[offer.hours])) for _, offer, _, _ in placed
            ],
            "contact": [_contact(rng, actor.name) if rng.random() < 0.9 else None for actor, _, _, _ in placed],
            "source": SOURCE,
            "stand": _stands(rng, len(placed), 0.3),
        }
    )
    return _geoframe(frame, shapely.points([xy for _, _, xy, _ in placed]), CITY_CRS)


def _geoframe(frame: pd.DataFrame, geometry, crs: str) -> gpd.GeoDataFrame:
    """A layer frame with its geometry column last, as the schema's field order expects."""
    return gpd.GeoDataFrame(_text_as_object(frame), geometry=gpd.GeoSeries(list(geometry), crs=crs, index=frame.index))


def _text_as_object(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns as Python str objects with None for missing, as ``store.read_geopackage`` returns them."""
    for column in frame.columns:
        if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column]):
            values = [None if pd.isna(v) else str(v) for v in frame[column]]
            frame[column] = pd.Series(values, index=frame.index, dtype=object)
    return frame
