"""The data model of Quartiersatlas: layers, their fields and the allowed codes.

Everything that reads, validates, stores or shows data takes its field names and
code lists from here, so a new field or category is added in one place.
Codes are stored lowercase and stable; what a person reads comes from the
catalog in ``i18n.py`` (key ``code.<name>``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

#: CRS in which every analysis runs: metric, equal-area, and the CRS of the
#: Zensus/INSPIRE 100 m grid, so grid cells need no reprojection.
ANALYSIS_CRS = "EPSG:3035"
#: CRS of everything sent to the browser (Leaflet).
WEB_CRS = "EPSG:4326"

SECTORS = ("wohnungswirtschaft", "wohlfahrtspflege", "kommune", "zivilgesellschaft")

CATEGORIES = (
    "begegnung",
    "beratung",
    "bildung",
    "kinder",
    "jugend",
    "senioren",
    "pflege",
    "kultur",
    "sport",
    "gesundheit",
    "verwaltung",
)

TARGET_GROUPS = ("kinder", "jugendliche", "familien", "erwachsene", "senioren", "alle")

#: Participation levels in ascending order ("Versorgung" → "Selbstorganisation").
LEVELS = (
    "versorgung",
    "information",
    "konsultation",
    "mitwirkung",
    "mitentscheidung",
    "selbstorganisation",
)
#: An offer at this level or above is a participation offer (Mitwirkungsangebot).
DEFAULT_PARTICIPATION_LEVEL = "mitwirkung"

OWNER_TYPES = ("genossenschaftlich", "kommunal", "privat")

COOPERATION_KINDS = ("netzwerk", "projekt", "vertrag")

AREA_LEVELS = ("stadtbezirk", "quartier")

AGE_BANDS = ("age_0_5", "age_6_17", "age_18_64", "age_65_79", "age_80_plus")

#: Separator of multi-valued text fields (target groups, Quartiere of an actor).
LIST_SEP = ";"


def level_rank(level: str) -> int:
    """Position of a participation level (0 = Versorgung); unknown → -1."""
    return LEVELS.index(level) if level in LEVELS else -1


def split_list(value: object) -> list[str]:
    """Split a ``;``-joined field into its parts; empty or missing → []."""
    if not isinstance(value, str):
        return []
    return [part.strip() for part in value.split(LIST_SEP) if part.strip()]


def per_distinct(values: pd.Series, answer: Callable[[object], bool]) -> np.ndarray:
    """``answer`` for each of ``values`` (a missing one as None), asked once per distinct value: a layer's list
    fields repeat few distinct lists, and asking row by row was most of the time of filtering by them."""
    codes, distinct = pd.factorize(values)
    answers = np.array([answer(value) for value in distinct] + [answer(None)], dtype=bool)
    return answers[codes]  # a missing value has code -1: the last answer


@dataclass(frozen=True)
class Field:
    """One attribute of a layer.

    ``kind`` is one of: id, text, int, float, bool, date, code, codes (a
    ``;``-joined list of codes), ref (id of a row in another layer).
    ``private`` fields (contact data) never reach a viewer.
    """

    name: str
    kind: str
    required: bool = False
    codes: tuple[str, ...] = ()
    private: bool = False
    min_value: float | None = None


@dataclass(frozen=True)
class Layer:
    """A layer of the workspace: its fields and the geometry types it may hold."""

    name: str
    id_field: str
    fields: tuple[Field, ...]
    geometry_types: tuple[str, ...] = ()  # empty: a plain table without geometry

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    @property
    def public_field_names(self) -> list[str]:
        return [f.name for f in self.fields if not f.private]

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


_SOURCE = (Field("source", "text"), Field("stand", "date"))
_POLYGONS = ("Polygon", "MultiPolygon")

AREAS = Layer(
    "areas",
    "area_id",
    (
        Field("area_id", "id", required=True),
        Field("name", "text", required=True),
        Field("level", "code", required=True, codes=AREA_LEVELS),
        Field("parent_id", "ref"),
    ),
    _POLYGONS,
)

POPULATION = Layer(
    "population",
    "cell_id",
    (
        Field("cell_id", "id", required=True),
        Field("residents", "int", required=True, min_value=0),
        *(Field(band, "int", min_value=0) for band in AGE_BANDS),
    ),
    ("Point",),
)

ACTORS = Layer(
    "actors",
    "actor_id",
    (
        Field("actor_id", "id", required=True),
        Field("name", "text", required=True),
        Field("sector", "code", required=True, codes=SECTORS),
        Field("kind", "text"),
        Field("quartiere", "text"),
        Field("website", "text"),
        Field("contact", "text", private=True),
        *_SOURCE,
    ),
    ("Point",),
)

HOUSING = Layer(
    "housing",
    "housing_id",
    (
        Field("housing_id", "id", required=True),
        Field("owner_actor_id", "ref"),
        Field("owner_type", "code", required=True, codes=OWNER_TYPES),
        Field("dwellings", "int", required=True, min_value=0),
        Field("subsidised", "int", min_value=0),
        Field("barrier_free", "int", min_value=0),
        Field("year_built", "int", min_value=1000),
        Field("sozialmanagement", "bool"),
        *_SOURCE,
    ),
    ("Point", *_POLYGONS),
)

OFFERS = Layer(
    "offers",
    "offer_id",
    (
        Field("offer_id", "id", required=True),
        Field("name", "text", required=True),
        Field("category", "code", required=True, codes=CATEGORIES),
        Field("target_groups", "codes", required=True, codes=TARGET_GROUPS),
        Field("level", "code", required=True, codes=LEVELS),
        Field("operator_actor_id", "ref"),
        Field("capacity", "int", min_value=0),
        Field("barrier_free", "bool"),
        Field("opening_hours", "text"),
        Field("contact", "text", private=True),
        *_SOURCE,
    ),
    ("Point",),
)

COOPERATIONS = Layer(
    "cooperations",
    "coop_id",
    (
        Field("coop_id", "id", required=True),
        Field("actor_a", "ref", required=True),
        Field("actor_b", "ref", required=True),
        Field("kind", "code", required=True, codes=COOPERATION_KINDS),
        Field("since", "int", min_value=1800),
    ),
)

#: The walking network: streets and paths people may walk along (any line layer, e.g. from OpenStreetMap).
PATHS = Layer(
    "paths",
    "path_id",
    (
        Field("path_id", "id", required=True),
        Field("highway", "text"),
    ),
    ("LineString", "MultiLineString"),
)

LAYERS: dict[str, Layer] = {
    layer.name: layer for layer in (AREAS, POPULATION, ACTORS, HOUSING, OFFERS, COOPERATIONS, PATHS)
}
