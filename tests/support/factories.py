"""A tiny hand-made city whose figures can be computed by hand (see test_indicators.py).

Four 1 km square Quartiere in two Stadtbezirke, in EPSG:3035 metres:

    0201 (Bezirk 02) | 0202 (Bezirk 02)        y 1000–2000
    0101 (Bezirk 01) | 0102 (Bezirk 01)        y    0–1000
        x 0–1000        x 1000–2000

Cells: 0101 has 100 residents at (250, 250) and 200 at (850, 850);
0102 has 400 at (1450, 450); 0201 has 50 at (450, 1450); 0202 nobody.
Offers: a participation offer (Mitwirkung) at (250, 250) in 0101 and an
information offer at (1450, 450) in 0102.
"""

from __future__ import annotations

import geopandas as gpd
from shapely.geometry import Point, box

from dashboard.model.grid import cell_id
from dashboard.model.roles import Role, User
from dashboard.model.workspace import LayerMeta, Workspace

X0, Y0 = 4_300_000.0, 2_800_000.0
CRS = "EPSG:3035"
CELLS = [(250, 250), (850, 850), (1450, 450), (450, 1450)]  # cell centres, metres from (X0, Y0)


def _at(x: float, y: float) -> Point:
    return Point(X0 + x, Y0 + y)


def _square(col: int, row: int):
    return box(X0 + col * 1000, Y0 + row * 1000, X0 + (col + 1) * 1000, Y0 + (row + 1) * 1000)


def tiny_workspace(**overrides) -> Workspace:
    areas = gpd.GeoDataFrame(
        {
            "area_id": ["01", "02", "0101", "0102", "0201", "0202"],
            "name": ["Unterstadt", "Oberstadt", "Am Bach", "Mühlenviertel", "Höhe", "Wald"],
            "level": ["stadtbezirk", "stadtbezirk", "quartier", "quartier", "quartier", "quartier"],
            "parent_id": [None, None, "01", "01", "02", "02"],
        },
        geometry=[
            box(X0, Y0, X0 + 2000, Y0 + 1000),
            box(X0, Y0 + 1000, X0 + 2000, Y0 + 2000),
            _square(0, 0),
            _square(1, 0),
            _square(0, 1),
            _square(1, 1),
        ],
        crs=CRS,
    )
    population = gpd.GeoDataFrame(
        {
            "cell_id": [cell_id(Y0 + y - 50, X0 + x - 50) for x, y in CELLS],
            "residents": [100, 200, 400, 50],
            "age_0_5": [10, 0, 40, 0],
            "age_6_17": [10, 20, 60, 0],
            "age_18_64": [40, 100, 250, 20],
            "age_65_79": [30, 60, 40, 20],
            "age_80_plus": [10, 20, 10, 10],
        },
        geometry=[_at(x, y) for x, y in CELLS],
        crs=CRS,
    )
    offers = gpd.GeoDataFrame(
        {
            "offer_id": ["o1", "o2"],
            "name": ["Nachbarschaftstreff <b>Am Bach</b>", "Bürgerbüro"],
            "category": ["begegnung", "verwaltung"],
            "target_groups": ["alle", "erwachsene"],
            "level": ["mitwirkung", "information"],
            "operator_actor_id": ["a1", "a2"],
            "capacity": [30, None],
            "barrier_free": [True, False],
            "opening_hours": ["Mo 10–12", ""],
            "contact": ["geheim@beispiel.invalid", ""],
            "source": ["Test", "Test"],
            "stand": ["2026-01-01", "2026-01-01"],
        },
        geometry=[_at(250, 250), _at(1450, 450)],
        crs=CRS,
    )
    actors = gpd.GeoDataFrame(
        {
            "actor_id": ["a1", "a2", "a3"],
            "name": ["Initiative <script>alert(1)</script>", "Stadt", "Baugenossenschaft Höhe eG"],
            "sector": ["zivilgesellschaft", "kommune", "wohnungswirtschaft"],
            "kind": ["Initiative", "Amt", "Genossenschaft"],
            "quartiere": ["0101", "0102", "0201"],
            "website": ["", "", ""],
            "contact": ["geheim@beispiel.invalid", "", ""],
            "source": ["Test"] * 3,
            "stand": ["2026-01-01"] * 3,
        },
        geometry=[_at(300, 300), _at(1500, 500), _at(500, 1500)],
        crs=CRS,
    )
    housing = gpd.GeoDataFrame(
        {
            "housing_id": ["h1", "h2", "h3"],
            "owner_actor_id": ["a3", None, "a3"],
            "owner_type": ["genossenschaftlich", "privat", "genossenschaftlich"],
            "dwellings": [40, 10, 20],
            "subsidised": [10, 0, 5],
            "barrier_free": [4, 0, 2],
            "year_built": [1960, 1990, 1975],
            "sozialmanagement": [True, False, False],
            "source": ["Test"] * 3,
            "stand": ["2026-01-01"] * 3,
        },
        geometry=[_at(200, 200), _at(1200, 300), _at(400, 1400)],
        crs=CRS,
    )
    layers = {"areas": areas, "population": population, "offers": offers, "actors": actors, "housing": housing}
    layers.update(overrides)
    return Workspace(
        city="Kleinstadt", layers=layers, meta={"areas": LayerMeta("Test", "CC0", "Testdaten", "2026-01-01")}
    )


#: The editor of the store and page tests.
EDITOR = User("anna", Role.EDITOR, "password")
