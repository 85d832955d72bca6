"""Which column of a city's file holds which schema field, and reading its cells as schema values.

Cities never use our field names ("STADTTEILNR", "Einwohner", "Träger") nor our
value forms ("1.234,5", "ja", "31.12.2023", "Freie Wohlfahrtspflege").
``suggest`` proposes a column per field from the column names, a person
confirms or corrects it as a ``ColumnMapping``, and ``apply`` turns the raw
table into the layer's frame, typed as ``readers.read_layer`` types a file
(ids, codes, dates and text as ``str``/None, counts as ``Int64``, yes/no as
``boolean``), so that ``validation.py`` judges an imported file exactly like a
hand-made one.

A value that cannot be read becomes a ``Problem`` naming the file's column and
leaves the cell empty: an ERROR in a required field (the row cannot be
imported), a WARNING otherwise (the row comes in without that value).

Decisions a planner may ask about:
- Missing markers ("", NA, n/a, –, -, ., k. A., x, …) are missing, never 0 –
  also "–", which official statistics use for "nothing" but many files for
  "unknown"; Zensus marks suppressed counts so.
- Numbers: each column decides once whether "," or "." is its decimal mark,
  from the values that can be read only one way ("12,5", "1.234,5"); when none
  decides, the German reading wins ("1.234" = 1234). Scientific notation
  ("1.2E+05", "1,2E+05") is read as such.
- Dates become ISO text at the precision the source gives: 31.12.2023 →
  2023-12-31, 12/2023 → 2023-12, 2023 → 2023 (validation accepts all three;
  padding to 2023-01-01 would claim a day nobody gave). Two-digit years
  (31.12.23) count as 20xx unless that lies in the future, then 19xx.
  A five-digit whole number in a date field is a spreadsheet's serial day
  number (45292 = 2024-01-01), counted from the file's day 0 (Excel's 1900
  or 1904 system), and reported once per column so a person can check it.
- Codes are matched on their German and English labels of the catalog
  (``code.<name>``, also the parts of "Begegnung/Nachbarschaftstreff") and
  on ``CODE_SYNONYMS``; code lists are split on ; , / | + & "und" "and".
- Text is kept verbatim apart from surrounding spaces: "<script>" or
  "=HYPERLINK(…)" stay plain text; escaping is the renderer's job.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd

from dashboard import i18n
from dashboard.i18n import nphrase, phrase
from dashboard.ingest.validation import ERROR, WARNING, Problem, cell_text
from dashboard.model import schema

if TYPE_CHECKING:
    from dashboard.ingest.readers import RawTable

# --- column names ---

#: Synonyms of a field's column name, whatever the layer (German and English, as cities name them).
_COMMON: dict[str, tuple[str, ...]] = {
    "name": (
        "Name",
        "Bezeichnung",
        "Titel",
        "Einrichtung",
        "name_de",
        "Einrichtungsname",
        "Name der Einrichtung",
        "tags/name",
        "Kurzbezeichnung",
        "title",
        "label",
    ),
    "kind": ("Art", "Typ", "Trägerart", "Rechtsform", "type"),
    "website": (
        "Internet",
        "Homepage",
        "URL",
        "Webseite",
        "Website",
        "Internetadresse",
        "Web",
        "Link",
        "contact:website",
    ),
    "contact": ("Kontakt", "Telefon", "Tel", "E-Mail", "Email", "Mail", "phone", "contact", "Ansprechpartner"),
    "source": ("Quelle", "Datenquelle", "Herkunft", "source"),
    "stand": ("Stand", "Datum", "Datenstand", "Stichtag", "Aktualisierung", "date", "Stand der Daten"),
    "barrier_free": ("barrierefrei", "Barrierefreiheit", "rollstuhlgerecht", "wheelchair", "accessible"),
}
_IDS = ("ID", "Nummer", "Nr", "Kennung", "Schlüssel", "osm_id", "OBJECTID", "FID", "fid", "code")
_AGE_BANDS = {
    "age_0_5": (
        "unter 6",
        "0 bis unter 6",
        "0 bis 5",
        "0-5",
        "unter 6 Jahre",
        "u6",
        "E_U6",
        "age_below_6",
        "inhabitants_age_below_6",
        "Alter 0 bis 5",
    ),
    "age_6_17": ("6 bis unter 18", "6 bis 17", "6-17", "6 bis unter 18 Jahre", "E_6_U18", "age_6_17", "Alter 6 bis 17"),
    "age_18_64": (
        "18 bis unter 65",
        "18 bis 64",
        "18-64",
        "18 bis unter 65 Jahre",
        "E_18_U65",
        "age_18_64",
        "Alter 18 bis 64",
    ),
    "age_65_79": (
        "65 bis unter 80",
        "65 bis 79",
        "65-79",
        "65 bis unter 80 Jahre",
        "E_65_U80",
        "age_65_79",
        "Alter 65 bis 79",
    ),
    "age_80_plus": (
        "80 und älter",
        "80 Jahre und älter",
        "80 und mehr",
        "ab 80",
        "über 80",
        "80+",
        "E_80U",
        "E_80_U",
        "age_80_plus",
        "Alter 80 und älter",
    ),
}
_LAYER_SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "areas": {
        "area_id": (
            "Stadtteil-Nr",
            "Stadtteilnummer",
            "STADTTEILNR",
            "STT_NR",
            "STT_ID",
            "Quartier-Nr",
            "Quartiersnummer",
            "Gebiets-Nr",
            "Gebietsnummer",
            "Gebiets-ID",
            "Kennziffer",
            "PLR_ID",
            "Planungsraum-Nr",
            *_IDS,
        ),
        "name": (
            "Stadtteilname",
            "STT_NAME",
            "Quartiersname",
            "Gebietsname",
            *_COMMON["name"],
            "Stadtteil",
            "Quartier",
            "Gebiet",
            "Ortsteil",
            "Stadtbezirkname",
            "STB_NAME",
            "Bezirksname",
        ),
        "level": ("Ebene", "Gliederungsebene", "Gebietsebene", "Typ", "Art"),
        # a file of Stadtbezirke alone names its ids so: ``suggest`` then takes them as area_id
        "parent_id": (
            "Stadtbezirk-Nr",
            "Stadtbezirknummer",
            "Stadtbezirksnummer",
            "STADTBEZIRKNR",
            "STB_NR",
            "SB_NUMMER",
            "Bezirksnummer",
            "Bezirk-Nr",
            "BEZ_ID",
            "BEZ_NR",
            "parent",
            "Oberbezirk",
            "Stadtbezirk",
            "Bezirk",
            "STADTBEZIRK",
        ),
    },
    "population": {
        "cell_id": ("GITTER_ID_100m", "Gitter_ID", "GitterID", "Gitterzelle", "grid_id", "cell", "CELLCODE"),
        "residents": (
            "Einwohner",
            "EW",
            "Einwohnerzahl",
            "Einwohner insgesamt",
            "Bevölkerung",
            "population",
            "pop",
            "inhabitants",
            "insgesamt",
            "Anzahl Einwohner",
            "Personen",
        ),
        **_AGE_BANDS,
    },
    "actors": {
        "actor_id": ("Akteur-ID", "Akteursnummer", "Träger-ID", *_IDS),
        "sector": ("Sektor", "Bereich", "Sektor des Akteurs"),
        "quartiere": ("Quartiere", "Quartier", "Stadtteile", "Stadtteil", "Wirkungsbereich", "Einsatzgebiet", "areas"),
    },
    "housing": {
        "housing_id": ("Objekt-Nr", "Objektnummer", "Gebäude-ID", "Wirtschaftseinheit", "building_id", *_IDS),
        "owner_actor_id": ("Eigentümer", "Eigentümer-ID", "Vermieter", "Wohnungsunternehmen", "owner", "owner_id"),
        "owner_type": ("Eigentümerart", "Eigentümertyp", "Eigentumsform", "Eigentümergruppe", "owner type"),
        "dwellings": ("Wohnungen", "WE", "Wohneinheiten", "Anzahl Wohnungen", "Anzahl WE", "apartments", "units"),
        "subsidised": (
            "gefördert",
            "geförderte Wohnungen",
            "Geförderte_Wohnungen_insgesamt",
            "Sozialwohnungen",
            "Sozialmietwohnungen",
            "Anz_Sozialmietwohnungen",
            "mietpreisgebunden",
            "subsidized",
            "social housing",
        ),
        "barrier_free": (
            "barrierefreie Wohnungen",
            "barrierefreie WE",
            "Anzahl barrierefrei",
            *_COMMON["barrier_free"],
        ),
        "year_built": ("Baujahr", "Bj", "Baujahr von", "Errichtungsjahr", "construction year", "year"),
        "sozialmanagement": ("Sozialmanagement", "Quartiersarbeit", "social management"),
    },
    "offers": {
        "offer_id": ("Angebots-ID", "Angebotsnummer", "Einrichtungs-Nr", *_IDS),
        "category": (
            "Kategorie",
            "Angebotsart",
            "Art",
            "Typ",
            "Bereich",
            "Leistungen",
            "Leistung",
            "Angebot",
            "Einrichtungsart",
            "type",
            "amenity",
        ),
        "target_groups": ("Zielgruppen", "Zielgruppe", "für", "target group", "audience"),
        "level": ("Beteiligungsstufe", "Stufe", "Beteiligung", "Beteiligungsform", "Partizipation", "participation"),
        "operator_actor_id": ("Träger", "Betreiber", "Trägerschaft", "Anbieter", "operator", "operator_id"),
        "capacity": ("Kapazität", "Plätze", "Platzzahl", "Anzahl Plätze", "capacity", "places"),
        "opening_hours": ("Öffnungszeiten", "Sprechzeiten", "Zeiten", "opening hours"),
    },
    "cooperations": {
        "coop_id": ("Kooperations-ID", *_IDS),
        "actor_a": ("Akteur A", "Akteur 1", "Partner A", "Partner 1", "von", "from"),
        "actor_b": ("Akteur B", "Akteur 2", "Partner B", "Partner 2", "mit", "to"),
        "kind": ("Art", "Kooperationsart", "Form", "Typ", "type"),
        "since": ("seit", "Beginn", "Jahr", "Startjahr", "since"),
    },
    "paths": {"path_id": (*_IDS,), "highway": ("highway", "Wegeart", "Straßenart")},
}
#: Column-name synonyms per layer and field, best first; the field's own name always wins.
SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    name: {f: _LAYER_SYNONYMS.get(name, {}).get(f, _COMMON.get(f, ())) for f in layer.field_names}
    for name, layer in schema.LAYERS.items()
}

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})


def normalise(name: object) -> str:
    """A name as compared: lower case, ä→ae, ß→ss, no accents, separators ("Stadtteil Nr." → "stadtteilnr")."""
    text = str(name).casefold().translate(_UMLAUTS)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", text)


def suggest(columns: list[str], layer: str) -> dict[str, str | None]:
    """The best source column for each field of ``layer`` (None: none fits); each column used once.

    A column named exactly like the field wins, then the synonyms in their
    order. A file of areas whose only id column names a Stadtbezirk
    ("STB_NR", "SB_NUMMER") holds Stadtbezirke: that column becomes area_id.
    """
    spec = schema.LAYERS[layer]
    candidates = []
    for field_index, spec_field in enumerate(spec.fields):
        wanted = [normalise(name) for name in (spec_field.name, *SYNONYMS[layer][spec_field.name])]
        for position, column in enumerate(columns):
            key = normalise(column)
            if key in wanted:
                rank = -1 if column == spec_field.name else wanted.index(key)
                candidates.append((rank, field_index, position, spec_field.name, column))
    chosen: dict[str, str | None] = dict.fromkeys(spec.field_names)
    used: set[str] = set()
    for *_, field_name, column in sorted(candidates):
        if chosen[field_name] is None and column not in used:
            chosen[field_name] = column
            used.add(column)
    if layer == "areas" and chosen["area_id"] is None:
        chosen["area_id"], chosen["parent_id"] = chosen["parent_id"], None
    return chosen


#: Shapefiles (dBASE) cut field names to 10 characters ("target_groups" → "target_gro").
SHAPEFILE_NAME_LENGTH = 10


def schema_column(name: str, columns: list[str]) -> int | None:
    """Position of the column holding schema field ``name`` in a file that uses the schema's names.

    Exact name first, then ignoring case (Shapefiles often say AREA_ID), then
    the name cut to the 10 characters a Shapefile keeps.
    """
    for candidate in dict.fromkeys((name, name[:SHAPEFILE_NAME_LENGTH])):
        if candidate in columns:
            return columns.index(candidate)
        folded = [i for i, column in enumerate(columns) if column.casefold() == candidate.casefold()]
        if len(folded) == 1:
            return folded[0]
    return None


# --- the mapping a person confirmed ---

#: Version of the JSON form of a mapping; ``from_json`` refuses others.
MAPPING_FORMAT = 1


@dataclass(frozen=True)
class ColumnMapping:
    """Where each field of ``layer`` comes from: a source column, or one value for every row.

    ``columns``: field → source column; ``constants``: field → value as a
    person types it (level="quartier", category="Begegnung", stand="2024-01-01"),
    read like a cell. ``parent_prefix`` (areas only): parent_id is the first
    that many characters of area_id, for files that carry no Bezirk column
    (Köln: Stadtteil 101 → Bezirk 1; Berlin: Prognoseraum 0110 → Bezirk 01).
    """

    layer: str
    columns: dict[str, str] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)
    parent_prefix: int | None = None

    def __post_init__(self) -> None:
        if self.layer not in schema.LAYERS:
            raise ValueError(f"unknown layer {self.layer!r}")
        unknown = (set(self.columns) | set(self.constants)) - set(schema.LAYERS[self.layer].field_names)
        if unknown:
            raise ValueError(f"fields {sorted(unknown)} are not in layer {self.layer!r}")
        if set(self.columns) & set(self.constants):
            raise ValueError(f"fields {sorted(set(self.columns) & set(self.constants))} have a column and a constant")
        if self.parent_prefix is not None and not (
            self.layer == "areas" and self.parent_prefix > 0 and "parent_id" not in {*self.columns, *self.constants}
        ):
            raise ValueError("parent_prefix needs the areas layer, a positive length and no other parent_id")

    def to_json(self) -> str:
        """Stable JSON (sorted keys, UTF-8 text): {"format": 1, "layer", "columns", "constants", "parent_prefix"}."""
        return json.dumps(
            {
                "format": MAPPING_FORMAT,
                "layer": self.layer,
                "columns": self.columns,
                "constants": self.constants,
                "parent_prefix": self.parent_prefix,
            },
            ensure_ascii=False,
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> ColumnMapping:
        """The mapping ``to_json`` wrote; ValueError for another format or fields the layer lacks."""
        data = json.loads(text)
        if data.get("format") != MAPPING_FORMAT:
            raise ValueError(f"unknown mapping format {data.get('format')!r}")
        return cls(data["layer"], dict(data["columns"]), dict(data["constants"]), data.get("parent_prefix"))


def source_key(raw: RawTable) -> str:
    """What makes a file "the same source" next time, to remember its mapping.

    The file name without digits (next year's "einwohner_2025.csv" is the same
    source as "einwohner_2024.csv"), plus a hash of format, layer and the
    sorted column names: a file whose columns changed needs a new mapping.
    """
    stem = re.sub(r"\d", "", normalise(Path(raw.source_name).stem)) or "datei"
    geometry = raw.frame.active_geometry_name if isinstance(raw.frame, gpd.GeoDataFrame) else None
    columns = sorted(normalise(c) for c in raw.frame.columns if c != geometry)
    digest = hashlib.sha256("\n".join([raw.format, raw.layer or "", *columns]).encode()).hexdigest()
    return f"{stem}-{digest[:16]}"


# --- reading cells ---

#: Cells that mean "no value" (compared lower case without spaces).
MISSING = frozenset(
    {"", "na", "n/a", "n.a.", "nan", "null", "none", "-", "–", "—", ".", "..", "...", "k.a.", "ka", "x", "/", "*"}
)
TRUE_WORDS = frozenset({"ja", "j", "x", "wahr", "true", "yes", "y", "1"})
FALSE_WORDS = frozenset({"nein", "n", "falsch", "false", "no", "0"})
#: More names of codes than the catalog labels ("Wohlfahrt" → wohlfahrtspflege); per field only its own codes count.
CODE_SYNONYMS: dict[str, tuple[str, ...]] = {
    # sectors
    "wohnungswirtschaft": (
        "Wohnungsunternehmen",
        "Wohnungsbaugesellschaft",
        "Wohnungsgenossenschaft",
        "Wohnungsbau",
        "Vermieter",
        "housing",
        "housing company",
    ),
    "wohlfahrtspflege": (
        "Wohlfahrt",
        "Wohlfahrtsverband",
        "Wohlfahrtsverbände",
        "freier Träger",
        "freie Träger",
        "Caritas",
        "Diakonie",
        "AWO",
        "Paritätischer",
        "DRK",
        "welfare",
    ),
    "kommune": (
        "Stadt",
        "Stadtverwaltung",
        "Gemeinde",
        "Amt",
        "öffentlich",
        "öffentlicher Träger",
        "municipality",
        "city",
    ),
    "zivilgesellschaft": (
        "Verein",
        "Initiative",
        "Bürgerinitiative",
        "Ehrenamt",
        "bürgerschaftlich",
        "Bürgerschaft",
        "civil society",
        "NGO",
    ),
    # categories
    "begegnung": (
        "Nachbarschaftstreff",
        "Begegnungsstätte",
        "Begegnungszentrum",
        "Stadtteiltreff",
        "Stadtteilzentrum",
        "Nachbarschaftszentrum",
        "Bürgerhaus",
        "Bürgerzentrum",
        "Treff",
        "Gemeinschaftszentrum",
        "community centre",
        "community center",
        "community_centre",
    ),
    "beratung": ("Beratungsstelle", "Sozialberatung", "counselling", "counseling", "social_facility"),
    "bildung": (
        "Bibliothek",
        "Bücherei",
        "Stadtbibliothek",
        "Volkshochschule",
        "VHS",
        "Schule",
        "library",
        "education",
    ),
    "kinder": (
        "Kita",
        "Kindertagesstätte",
        "Kindertageseinrichtung",
        "Kindergarten",
        "Krippe",
        "Hort",
        "Kinderbetreuung",
        "childcare",
        "children",
    ),
    "jugend": (
        "Jugendhaus",
        "Jugendzentrum",
        "Jugendtreff",
        "Jugendclub",
        "Jugendarbeit",
        "Jugendsozialarbeit",
        "arbeitsweltbezogene Jugendsozialarbeit",
        "Schulsozialarbeit",
        "Jugendberufshilfe",
        "youth_centre",
        "youth centre",
        "Jugendliche",
    ),
    "senioren": (
        "Seniorentreff",
        "Seniorenbegegnungsstätte",
        "Altenhilfe",
        "Ältere",
        "ältere Menschen",
        "Seniorinnen und Senioren",
        "elderly",
        "older people",
    ),
    "pflege": ("Pflegedienst", "Pflegeheim", "Pflegestützpunkt", "Tagespflege", "nursing", "nursing_home"),
    "kultur": ("Kulturzentrum", "Kulturhaus", "Theater", "Museum", "arts_centre", "arts centre", "culture"),
    "sport": ("Sportverein", "Sportplatz", "Sporthalle", "sports"),
    "gesundheit": ("Gesundheitszentrum", "Arzt", "Ärztin", "health", "healthcare"),
    "verwaltung": (
        "Bürgeramt",
        "Bürgerbüro",
        "Bürgerservice",
        "Rathaus",
        "Bezirksamt",
        "Bezirksrathaus",
        "townhall",
        "administration",
    ),
    # target groups
    "jugendliche": ("Jugend", "Jugendliche", "junge Menschen", "youth", "teenagers"),
    "familien": ("Familie", "Eltern", "Eltern mit Kindern", "families", "parents"),
    "erwachsene": ("Erwachsener", "adults"),
    "alle": ("Alle Generationen", "generationsübergreifend", "Jung und Alt", "Bürger", "all", "everyone", "all ages"),
    # participation levels
    "versorgung": ("Dienstleistung", "Angebot für", "service", "provision"),
    "information": ("Info", "Informieren", "informing"),
    "konsultation": ("Anhörung", "Befragung", "consultation"),
    "mitwirkung": ("Mitmachen", "Mitgestaltung", "mitwirken", "participation"),
    "mitentscheidung": ("Mitbestimmung", "mitentscheiden", "co-decision", "codecision"),
    "selbstorganisation": (
        "selbstorganisiert",
        "selbst organisiert",
        "Selbsthilfe",
        "self-organised",
        "self-organized",
    ),
    # owner types
    "genossenschaftlich": ("Genossenschaft", "eG", "Wohnungsgenossenschaft", "Baugenossenschaft", "cooperative"),
    "kommunal": ("städtisch", "Stadt", "kommunales Wohnungsunternehmen", "öffentlich", "municipal", "public"),
    "privat": ("private", "Privateigentum", "privater Vermieter", "Einzeleigentümer", "privately owned"),
    # area levels
    "stadtbezirk": ("Bezirk", "Stadtbezirke", "Ortsbezirk", "Bezirksregion", "district", "borough"),
    "quartier": (
        "Stadtteil",
        "Quartiere",
        "Ortsteil",
        "Planungsraum",
        "Prognoseraum",
        "Sozialraum",
        "neighbourhood",
        "neighborhood",
    ),
    # cooperation kinds
    "vertrag": ("Kooperationsvertrag", "Vereinbarung", "Kooperationsvereinbarung", "contract", "agreement"),
    "netzwerk": ("Arbeitskreis", "Runder Tisch", "network"),
    "projekt": ("gemeinsames Projekt", "project"),
}
_LIST_SPLIT = re.compile(r"\s*(?:[;,/|+&]|\bund\b|\band\b)\s*", re.IGNORECASE)
_SCIENTIFIC = re.compile(r"[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+")
_DIGITS = re.compile(r"[+-]?\d+(?:[.,]\d+)*")
_GROUPED = re.compile(r"[+-]?[1-9]\d{0,2}[.,]\d{3}")
_SPACE_IN_NUMBER = re.compile(r"(?<=\d)[\s\u00a0\u202f'](?=\d{3}(?!\d))")
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"  # a time after a date is dropped
_GERMAN_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})" + _TIME)
_ISO_DATE = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})" + _TIME)
_MONTH = re.compile(r"(?:(\d{4})-(\d{1,2})|(\d{1,2})[./](\d{4}))")
_YEAR = re.compile(r"\d{4}")
#: Serial day numbers read as dates: five digits (1927–2173 in Excel's 1900 system). Four digits are a year;
#: serials below 61 never qualify, so Excel's 29 February 1900 (serial 60, a day that never was) cannot arise.
_SERIAL = re.compile(r"\d{5}")
#: Day 0 of Excel's 1900 date system (and LibreOffice's default): 30 December 1899, because Excel counts
#: 1900 as a leap year; from serial 61 (1 March 1900) on, day n is this day + n.
EXCEL_1900 = date(1899, 12, 30)
#: Day 0 of the 1904 date system (old Excel for Mac workbooks).
EXCEL_1904 = date(1904, 1, 1)


@functools.cache
def _code_lookup(codes: tuple[str, ...]) -> dict[str, str]:
    """Normalised name → code of one field: the codes, then catalog labels (also their parts), then synonyms."""
    labels = {
        code: [i18n.t(f"code.{code}", lang) if i18n.has(f"code.{code}") else "" for lang in i18n.LANGUAGES]
        for code in codes
    }
    names = [
        *((code, code) for code in codes),
        *((label, code) for code in codes for label in labels[code]),
        *((part, code) for code in codes for label in labels[code] for part in label.split("/")),
        *((synonym, code) for code in codes for synonym in CODE_SYNONYMS.get(code, ())),
    ]
    lookup: dict[str, str] = {}
    for name, code in names:
        if normalise(name):
            lookup.setdefault(normalise(name), code)
    return lookup


def _separator_vote(text: str) -> str | None:
    """The decimal mark a number text can only be read with ("12,5" → ","); None when both readings work."""
    if _SCIENTIFIC.fullmatch(text) or not _DIGITS.fullmatch(text):
        return None
    last = max(text.rfind(","), text.rfind("."))
    if last < 0:
        return None
    mark = text[last]
    other = "." if mark == "," else ","
    if text.count(mark) > 1:
        return other  # "1.234.567": the dots group thousands
    if other in text:
        return mark  # "1.234,5"
    return None if _GROUPED.fullmatch(text) else mark  # "1.234" may be either


def _decimal_mark(texts: list[str]) -> str:
    """The column's decimal mark: the one more values can only be read with; German when none decides."""
    votes = Counter(vote for vote in map(_separator_vote, texts) if vote)
    return "." if votes["."] > votes[","] else ","


def _number(text: str, decimal: str) -> float | None:
    """A number text as float, reading ``decimal`` as decimal mark unless the text says otherwise."""
    text = _SPACE_IN_NUMBER.sub("", text)
    if _SCIENTIFIC.fullmatch(text):
        return float(text.replace(",", "."))
    if not _DIGITS.fullmatch(text):
        return None
    mark = _separator_vote(text) or decimal
    thousands = "." if mark == "," else ","
    grouping = rf"[+-]?\d{{1,3}}(?:\{thousands}\d{{3}})+(?:\{mark}\d+)?"
    if text.count(mark) > 1 or (thousands in text and not re.fullmatch(grouping, text)):
        return None
    return float(text.replace(thousands, "").replace(mark, "."))


def _date(value: object, today: date) -> str | None:
    """ISO text of a date at the precision found; None when it is no date."""
    if isinstance(value, (datetime, date)):
        return (value.date() if isinstance(value, datetime) else value).isoformat()
    text = cell_text(value)
    assert text is not None  # callers skip missing cells
    parts: tuple[int, ...]
    if match := _GERMAN_DATE.fullmatch(text):
        day, month, year = (int(g) for g in match.groups())
        if len(match.group(3)) == 2:
            year += 2000 if 2000 + year <= today.year else 1900
        parts = (year, month, day)
    elif match := _ISO_DATE.fullmatch(text):
        parts = tuple(int(g) for g in match.groups())
    elif match := _MONTH.fullmatch(text):
        year_text, month_text = (match.group(1), match.group(2)) if match.group(1) else (match.group(4), match.group(3))
        parts = (int(year_text), int(month_text))
    elif _YEAR.fullmatch(text):
        return text
    else:
        return None
    try:
        day_found = date(*parts, *(1,) * (3 - len(parts)))
    except ValueError:
        return None
    return day_found.isoformat()[: 3 * len(parts) + 1]  # YYYY-MM-DD or YYYY-MM


def serial_date(value: object, origin: date = EXCEL_1900) -> str | None:
    """ISO text of a spreadsheet serial day number (five digits) counted from ``origin``; None for anything else."""
    text = cell_text(value)
    if text is None or not _SERIAL.fullmatch(text):
        return None
    return (origin + timedelta(days=int(text))).isoformat()


def _problem(layer: str, position: int, spec: schema.Field, key: str, **values: object) -> Problem:
    message = phrase(key, **values)
    return Problem(layer, position + 1, spec.name, message.key, ERROR if spec.required else WARNING, message.values)


def convert(
    values: pd.Series, layer: str, spec: schema.Field, column: str, date_origin: date = EXCEL_1900
) -> tuple[pd.Series, list[Problem]]:
    """The cells of source ``column`` as values of field ``spec``, typed as ``readers.read_layer`` types them.

    Each cell that cannot be read is left missing and reported (row 1-based,
    field = the schema field, the source column and the cell in the message).
    ``date_origin`` is day 0 of serial day numbers in a date field (the file's date system).
    """
    cells = values.to_numpy(dtype=object)
    texts = [cell.strip() if isinstance(cell, str) else cell for cell in cells]
    problems: list[Problem] = []
    shown = {"column": column}

    def each(read) -> list:
        """``read(cell)`` → (value, catalog key of the problem or None), once per distinct cell."""
        seen: dict = {}
        out = []
        for position, cell in enumerate(texts):
            key = (type(cell), cell) if _hashable(cell) else None
            result = seen[key] if key in seen else read(cell)
            if key is not None:
                seen[key] = result
            value, problem = result
            if problem:
                problems.append(_problem(layer, position, spec, problem, value=cell_text(cell), **shown))
            out.append(value)
        return out

    kind = spec.kind
    if kind in ("int", "float"):
        decimal = _decimal_mark([t for t in texts if isinstance(t, str)])

        def read_number(cell):
            if _is_missing_cell(cell):
                return None, None
            number = _as_number(cell, decimal)
            if number is None or not math.isfinite(number):
                return None, "map.value.not_a_number"
            if kind == "int" and not number.is_integer():
                return None, "map.value.not_whole"
            return number, None

        numbers = pd.Series(each(read_number), index=values.index, dtype=float)
        return (numbers.astype("Int64") if kind == "int" else numbers), problems
    if kind == "bool":
        return pd.Series(each(_as_bool), index=values.index, dtype="boolean"), problems
    if kind == "date":
        today = date.today()

        def read_date(cell):
            if _is_missing_cell(cell):
                return None, None
            iso = _date(cell, today) or serial_date(cell, date_origin)
            return iso, None if iso else "map.value.not_a_date"

        dates = _text_series(each(read_date), values.index)
        if serials := [cell for cell in texts if serial_date(cell, date_origin)]:
            first = serials[0]
            message = nphrase("map.value.serial_dates", len(serials), count=len(serials), column=column,
                              value=cell_text(first), date=serial_date(first, date_origin))  # fmt: skip
            problems.append(Problem(layer, None, spec.name, message.key, WARNING, message.values, message.count))
        return dates, problems
    if kind in ("code", "codes"):
        lookup = _code_lookup(spec.codes)
        shown["allowed"] = ", ".join(spec.codes)
        split = kind == "codes"
        return _text_series(each(lambda cell: _as_codes(cell, lookup, split)), values.index), problems
    if kind in ("id", "ref"):
        ids = _text_series(each(lambda cell: (None if _is_missing_cell(cell) else cell_text(cell), None)), values.index)
        lengths = ids.dropna().str.len()
        numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
        if numeric and lengths.nunique() > 1:
            message = phrase("map.ids.number_column", **shown)
            problems.append(Problem(layer, None, spec.name, message.key, WARNING, message.values))
        return ids, problems
    return _text_series(each(lambda cell: (cell_text(cell), None)), values.index), problems


def _hashable(cell: object) -> bool:
    return isinstance(cell, (str, int, float, bool, np.integer, np.floating, np.bool_)) or cell is None


def _is_missing_cell(cell: object, markers: frozenset[str] = MISSING) -> bool:
    text = cell_text(cell)
    return text is None or text.casefold().replace(" ", "") in markers


def _as_number(cell: object, decimal: str) -> float | None:
    """A present cell as float; None when it is no number."""
    if isinstance(cell, (bool, np.bool_)):
        return None
    if isinstance(cell, (int, float, np.integer, np.floating)):
        return float(cell)
    return _number(str(cell), decimal)


def _as_bool(cell: object) -> tuple[bool | None, str | None]:
    if isinstance(cell, (bool, np.bool_)):
        return bool(cell), None
    if _is_missing_cell(cell, MISSING - {"x"}):
        return None, None
    word = (cell_text(cell) or "").casefold()  # not missing, so never None
    if word in TRUE_WORDS or word in FALSE_WORDS:
        return word in TRUE_WORDS, None
    return None, "map.value.not_yes_no"


def _as_codes(cell: object, lookup: dict[str, str], split: bool) -> tuple[str | None, str | None]:
    if _is_missing_cell(cell):
        return None, None
    text = cell_text(cell)
    assert text is not None  # not missing
    parts = [part for part in (_LIST_SPLIT.split(text) if split else [text]) if part]
    codes = [lookup.get(normalise(part)) for part in parts]
    if not parts or None in codes:
        return None, "map.value.unknown_code"
    return schema.LIST_SEP.join(dict.fromkeys(c for c in codes if c is not None)), None


def _text_series(values: list, index: pd.Index) -> pd.Series:
    return pd.Series(values, index=index, dtype=object)


# --- the whole table ---


def apply(raw: RawTable, mapping: ColumnMapping) -> tuple[pd.DataFrame, list[Problem]]:
    """The layer frame of ``raw`` under ``mapping`` and what could not be read.

    Only the mapped fields, in schema order (a required field nobody mapped
    stays absent, so validation names the missing column once); rows keep
    their order (row n of a problem = n-th data record). Geometry and its CRS
    are kept as the reader made them (Zensus cells: their centres; table
    coordinates: ``readers.with_geometry``). A mapped column the file lacks is
    a layer-wide error.
    """
    spec = schema.LAYERS[mapping.layer]
    source = raw.frame.reset_index(drop=True)
    names = {str(column): column for column in source.columns}
    columns: dict[str, pd.Series] = {}
    problems: list[Problem] = []
    for spec_field in spec.fields:
        name = spec_field.name
        if name in mapping.columns:
            column = mapping.columns[name]
            if column not in names:
                message = phrase("map.column.missing", column=column)
                problems.append(Problem(spec.name, None, name, message.key, ERROR, message.values))
                continue
            columns[name], found = convert(source[names[column]], spec.name, spec_field, column, raw.date_origin)
            problems += found
        elif name in mapping.constants:
            value = mapping.constants[name]
            converted, found = convert(pd.Series([value], dtype=object), spec.name, spec_field, "")
            if found or converted.isna().all():
                message = phrase("map.constant.invalid", value=value)
                problems.append(Problem(spec.name, None, name, message.key, ERROR, message.values))
                continue
            columns[name] = pd.Series([converted.iat[0]] * len(source), dtype=converted.dtype)
        elif name == "parent_id" and mapping.parent_prefix and "area_id" in columns:
            ids = columns["area_id"]
            prefix = ids.where(ids.str.len() > mapping.parent_prefix).str[: mapping.parent_prefix]
            columns[name] = prefix.astype(object).where(prefix.notna(), None)
    frame = pd.DataFrame(columns, index=pd.RangeIndex(len(source)))
    if not spec.geometry_types:
        return frame, problems
    if isinstance(source, gpd.GeoDataFrame) and source.active_geometry_name in source.columns:
        return gpd.GeoDataFrame(frame, geometry=source.geometry.to_numpy(), crs=source.crs), problems
    return frame, problems
