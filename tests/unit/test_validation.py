"""Tests of the import checks: each rule fires on a bad row and spares the good ones.

Every rule case starts from a valid frame of its layer (see ``VALID``), breaks one
row and expects exactly that row (or, for layer-wide problems, no row at all)
to be reported, with the right field and a telling word in the message.
"""

from __future__ import annotations

from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString, Point, Polygon, box

from dashboard.ingest import validation
from dashboard.ingest.validation import (
    Problem,
    invalid_rows,
    problems_frame,
    validate_layer,
    validate_workspace,
)
from dashboard.model import schema
from tests.support.factories import tiny_workspace

TODAY = date(2025, 6, 1)
REFERENCES = {"actors": {"a1", "a2", "a3", "007"}}
# Stuttgart in EPSG:25832 (metres) and in the INSPIRE grid (EPSG:3035).
X, Y = 513_000, 5_403_000
GRID_N, GRID_E = 2_805_000, 4_261_000


def _cell(north: int, east: int) -> str:
    return f"CRS3035RES100mN{north}E{east}"


def _points(n: int) -> gpd.GeoSeries:
    return gpd.GeoSeries([Point(X + 100 * i, Y) for i in range(n)], crs="EPSG:25832")


def _areas() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "area_id": ["0101", "0102", "0103", "01"],
            "name": ["Nord", "Süd", "Ost", "Mitte"],
            "level": ["quartier", "quartier", "quartier", "stadtbezirk"],
            "parent_id": ["01", "01", "01", None],
        },
        geometry=[box(X + 1000 * i, Y, X + 1000 * i + 900, Y + 900) for i in range(3)]
        + [box(X, Y, X + 3000, Y + 1000)],
        crs="EPSG:25832",
    )


def _population() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "cell_id": [_cell(GRID_N, GRID_E), _cell(GRID_N + 100, GRID_E)],
            "residents": [10, 20],
            "age_0_5": [1, 2],
            "age_6_17": [2, 3],
            "age_18_64": [4, 10],
            "age_65_79": [2, 4],
            "age_80_plus": [1, 1],
        },
        geometry=[Point(GRID_E + 50, GRID_N + 50), Point(GRID_E + 50, GRID_N + 150)],
        crs="EPSG:3035",
    )


def _actors() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "actor_id": ["a1", "a2"],
            "name": ["Caritas Stuttgart", "Bürgerverein Ost"],
            "sector": ["wohlfahrtspflege", "zivilgesellschaft"],
            "kind": ["Verband", None],
            "quartiere": ["0101;0102", "0103"],
            "website": ["https://example.org", None],
            "contact": [None, "info@example.org"],
            "source": ["Umfrage", "Umfrage"],
            "stand": ["2024-05-01", "2024"],
        },
        geometry=_points(2),
    )


def _housing() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "housing_id": ["h1", "h2"],
            "owner_actor_id": ["a1", None],
            "owner_type": ["genossenschaftlich", "privat"],
            "dwellings": [10, 24],
            "subsidised": [2.0, np.nan],
            "barrier_free": [3, 0],
            "year_built": [1960, 2001],
            "sozialmanagement": [True, False],
            "source": ["Bestandsliste", None],
            "stand": ["2024-01", None],
        },
        geometry=[Point(X, Y), box(X, Y, X + 20, Y + 30)],
        crs="EPSG:25832",
    )


def _offers() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "offer_id": ["o1", "o2"],
            "name": ["Nachbarschaftstreff", "Seniorenberatung"],
            "category": ["begegnung", "beratung"],
            "target_groups": ["senioren;alle", "senioren"],
            "level": ["mitwirkung", "versorgung"],
            "operator_actor_id": ["a1", "a2"],
            "capacity": ["20", None],
            "barrier_free": ["ja", "nein"],
            "opening_hours": ["Mo-Fr 9-17", None],
            "contact": [None, None],
            "source": ["Umfrage", "Umfrage"],
            "stand": ["2024-05-01", "2024-05-01"],
        },
        geometry=[Point(9.18, 48.78), Point(9.19, 48.79)],
        crs="EPSG:4326",
    )


def _cooperations() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "coop_id": ["c1", "c2"],
            "actor_a": ["a1", "a2"],
            "actor_b": ["a2", "a3"],
            "kind": ["netzwerk", "projekt"],
            "since": [2018, 2020],
        }
    )


VALID = {
    "areas": _areas,
    "population": _population,
    "actors": _actors,
    "housing": _housing,
    "offers": _offers,
    "cooperations": _cooperations,
}


def _validate(layer: str, frame: pd.DataFrame) -> list[Problem]:
    return validate_layer(layer, frame, references=REFERENCES, today=TODAY)


def _with(layer: str, row: int, column: str, value: object) -> pd.DataFrame:
    """The valid frame of ``layer`` with one cell (1-based row) replaced."""
    frame = VALID[layer]()
    if column == "geometry":
        frame = frame.set_geometry([value if i == row - 1 else g for i, g in enumerate(frame.geometry)])
    else:
        frame[column] = frame[column].astype(object)
        frame.at[row - 1, column] = value
    return frame


def _assert_only(problems: list[Problem], layer, row, field, word, severity="error"):
    """Exactly the expected row is hit, and one of its problems matches."""
    assert {p.row for p in problems} == {row}, problems
    assert any(
        p.layer == layer and p.field == field and word in p.message and p.severity == severity for p in problems
    ), problems


@pytest.mark.parametrize("layer", VALID)
def test_valid_layer_has_no_problems(layer):
    """Clean data must pass silently, or planners learn to ignore the list."""
    assert _validate(layer, VALID[layer]()) == []


#: A figure eight: its loops cancel to area 0, yet it is self-intersecting, not flat.
BOWTIE = Polygon([(X, Y), (X + 9, Y + 9), (X + 9, Y), (X, Y + 9)])

# (layer, row, column, bad value, expected field, key word, severity)
CELL_CASES = [
    ("actors", 2, "name", None, "name", "Pflichtangabe", "error"),
    ("actors", 2, "name", "   ", "name", "Pflichtangabe", "error"),
    ("actors", 2, "name", np.nan, "name", "Pflichtangabe", "error"),
    ("actors", 2, "sector", "Wirtschaft", "sector", "„Wirtschaft“ – erlaubt: wohnungswirtschaft", "error"),
    ("actors", 2, "sector", "Kommune", "sector", "klein geschrieben: „kommune“", "error"),
    ("actors", 2, "sector", 3, "sector", "Unbekannter Wert „3“", "error"),
    ("offers", 2, "target_groups", "senioren;Rentner", "target_groups", "„Rentner“", "error"),
    ("offers", 2, "target_groups", ";", "target_groups", "Pflichtangabe", "error"),
    ("housing", 2, "dwellings", "viele", "dwellings", "keine Zahl", "error"),
    ("housing", 2, "dwellings", -3, "dwellings", "kleiner als 0", "error"),
    ("housing", 2, "dwellings", 2.5, "dwellings", "keine ganze Zahl", "error"),
    ("housing", 2, "dwellings", "2,5", "dwellings", "keine ganze Zahl", "error"),
    ("housing", 2, "year_built", 960, "year_built", "kleiner als 1000", "error"),
    ("actors", 2, "stand", "31.12.2023", "stand", "Format", "error"),
    ("actors", 2, "stand", "2023-02-30", "stand", "gibt es nicht", "error"),
    ("actors", 2, "stand", "2025-07", "stand", "Zukunft", "warning"),
    ("offers", 2, "barrier_free", "vielleicht", "barrier_free", "Ja/Nein", "error"),
    ("housing", 2, "sozialmanagement", 2, "sozialmanagement", "Ja/Nein", "error"),
    ("actors", 2, "actor_id", "a1", "actor_id", "schon in Zeile 1", "error"),
    ("areas", 2, "area_id", "102", "area_id", "Führende Nullen", "warning"),
    ("housing", 2, "owner_actor_id", "a9", "owner_actor_id", "Akteur „a9“ nicht gefunden", "error"),
    ("housing", 2, "owner_actor_id", "7", "owner_actor_id", "gemeint „007“", "error"),
    ("offers", 2, "operator_actor_id", "a9", "operator_actor_id", "nicht gefunden", "error"),
    ("cooperations", 2, "actor_a", "a9", "actor_a", "nicht gefunden", "error"),
    ("areas", 2, "parent_id", None, "parent_id", "ohne Stadtbezirk", "error"),
    ("areas", 2, "parent_id", "02", "parent_id", "Stadtbezirk „02“ nicht gefunden", "error"),
    ("areas", 2, "parent_id", "1", "parent_id", "gemeint „01“", "error"),
    ("areas", 2, "parent_id", "0101", "parent_id", "ist ein Quartier", "error"),
    ("areas", 4, "parent_id", "00", "parent_id", "keinen übergeordneten", "error"),
    ("cooperations", 2, "actor_b", "a2", "actor_b", "mit sich selbst", "error"),
    ("population", 2, "cell_id", "N2805100E4261000", "cell_id", "INSPIRE", "error"),
    ("population", 2, "cell_id", _cell(GRID_N + 150, GRID_E), "cell_id", "INSPIRE", "error"),
    ("population", 2, "age_18_64", 15, "residents", "mehr als Einwohner", "error"),
    ("population", 2, "age_18_64", 5, "residents", "sollten gleich sein", "warning"),
    ("housing", 2, "subsidised", 30, "subsidised", "mehr als Wohnungen", "error"),
    ("housing", 2, "barrier_free", 25, "barrier_free", "mehr als Wohnungen", "error"),
    ("actors", 2, "geometry", None, "geometry", "Geometrie fehlt", "error"),
    ("actors", 2, "geometry", Point(), "geometry", "leer", "error"),
    ("actors", 2, "geometry", LineString([(X, Y), (X + 1, Y)]), "geometry", "Geometrietyp LineString", "error"),
    ("areas", 2, "geometry", BOWTIE, "geometry", "schneidet sich", "error"),
    ("areas", 2, "geometry", Polygon([(X, Y), (X + 5, Y), (X + 9, Y)]), "geometry", "Fläche ist 0", "error"),
    ("actors", 2, "geometry", Point(0, 0), "geometry", "nicht in Deutschland", "error"),
]


@pytest.mark.parametrize(("layer", "row", "column", "value", "field", "word", "severity"), CELL_CASES)
def test_bad_cell_is_reported(layer, row, column, value, field, word, severity):
    """One broken cell is reported on its own row and field, naming what was found."""
    _assert_only(_validate(layer, _with(layer, row, column, value)), layer, row, field, word, severity)


def test_duplicate_cooperation_pair_is_a_warning_naming_the_first_row():
    """A–B and B–A are the same link; it may be a second project, so only warn."""
    frame = _cooperations()
    frame.loc[1, ["actor_a", "actor_b"]] = ["a2", "a1"]
    _assert_only(_validate("cooperations", frame), "cooperations", 2, None, "schon in Zeile 1", "warning")


@pytest.mark.parametrize(
    ("layer", "value"),
    [
        ("actors", "2023"),
        ("actors", "2023-05"),
        ("actors", pd.Timestamp("2023-05-01")),
        ("housing", 1),
        ("housing", "ja"),
        ("housing", "Nein"),
        ("housing", "true"),
        ("housing", 0.0),
    ],
)
def test_accepted_spellings(layer, value):
    """Dates may be partial; yes/no comes from spreadsheets in many spellings."""
    column = "stand" if layer == "actors" else "sozialmanagement"
    assert _validate(layer, _with(layer, 2, column, value)) == []


def _drop(column):
    return lambda frame: frame.drop(columns=column)


def _crs(crs):
    return lambda frame: frame.set_crs(crs, allow_override=True)


#: A site plan's local metres: no way to lon/lat.
LOCAL_CRS = (
    'ENGCRS["Baustelle",EDATUM["lokal"],CS[Cartesian,2],'
    'AXIS["x",east,LENGTHUNIT["metre",1]],AXIS["y",north,LENGTHUNIT["metre",1]]]'
)

# (layer, change of the whole frame, expected field, key word, severity)
LAYER_CASES = [
    ("actors", _drop("name"), "name", "Pflichtspalte „name“ fehlt", "error"),
    ("actors", lambda f: pd.concat([f, f[["name"]]], axis=1), "name", "mehrfach", "warning"),
    ("areas", _drop("parent_id"), "parent_id", "braucht seinen Stadtbezirk", "error"),
    ("actors", lambda f: pd.DataFrame(f.drop(columns="geometry")), "geometry", "Geometrie fehlt", "error"),
    ("actors", _crs(None), "geometry", "Kein Koordinatensystem", "error"),
    ("actors", _crs("EPSG:4326"), "geometry", "keine Längen/Breiten", "error"),
    ("actors", _crs(LOCAL_CRS), "geometry", "Baustelle lässt sich nicht", "error"),
    ("offers", lambda f: f.set_geometry(f.geometry.translate(-7, 0)), "geometry", "nicht in Deutschland", "error"),
    ("offers", lambda f: f.set_geometry(f.geometry.map(lambda p: Point(p.y, p.x))), "geometry", "vertauscht", "error"),
    ("housing", lambda f: f.assign(housing_id=[1, 2]), "housing_id", "Führende Nullen", "warning"),
    (
        "areas",
        lambda f: f.assign(area_id=[101, 102, 103, 1], parent_id=[1.0, 1.0, 1.0, np.nan]),
        "area_id",
        "als Zahl gespeichert",
        "error",
    ),
]


@pytest.mark.parametrize(("layer", "change", "field", "word", "severity"), LAYER_CASES)
def test_layer_problem_has_no_row(layer, change, field, word, severity):
    """Problems of the whole file (columns, CRS) are reported once, not on every row."""
    _assert_only(_validate(layer, change(VALID[layer]())), layer, None, field, word, severity)


def test_refs_are_not_checked_without_references():
    """Without the actors' ids nothing can be said about an actor ref."""
    assert validate_layer("housing", _with("housing", 2, "owner_actor_id", "a9"), today=TODAY) == []


def test_future_date_uses_today_by_default():
    """Without ``today`` the real date decides."""
    problems = validate_layer("actors", _with("actors", 2, "stand", "2999-01-01"))
    assert [(p.row, p.severity) for p in problems] == [(2, "warning")]


@pytest.mark.parametrize("layer", VALID)
def test_validate_layer_dispatches_to_the_layer_function(layer):
    """validate_layer(name) and validate_<name> are the same check."""
    frame = VALID[layer]().drop(columns=schema.LAYERS[layer].id_field)
    problems = getattr(validation, f"validate_{layer}")(frame, references=REFERENCES, today=TODAY)
    assert problems == _validate(layer, frame)
    assert problems[0].layer == layer and problems[0].row is None


def test_every_schema_layer_has_a_validator():
    """A workspace holds every schema layer; none may crash its validation."""
    assert set(validation.VALIDATORS) == set(schema.LAYERS)


def test_problems_frame_and_invalid_rows():
    """The UI table speaks German by default; only errors keep rows out of the import."""
    problems = [
        Problem("actors", None, "geometry", "val.no_crs"),
        Problem("actors", 2, "sector", "val.unknown_code", values=(("value", "X"), ("allowed", "a"), ("hint", ""))),
        Problem("actors", 3, "stand", "val.future_date", "warning", (("value", "2999"),)),
    ]
    table = problems_frame(problems)
    assert list(table.columns) == ["Ebene", "Zeile", "Feld", "Problem", "Schwere"]
    assert table["Ebene"].tolist() == ["Akteure"] * 3
    assert table["Zeile"].isna().tolist() == [True, False, False]
    assert table["Problem"].tolist()[1:] == ["Unbekannter Wert „X“ – erlaubt: a", "Datum 2999 liegt in der Zukunft"]
    assert table["Schwere"].tolist() == ["Fehler", "Fehler", "Warnung"]
    assert invalid_rows(problems) == {2}
    assert problems_frame([]).empty


def test_problems_frame_in_english():
    """The same table for an English reader: columns, labels and messages."""
    problems = _validate("actors", _with("actors", 2, "stand", "2025-07"))
    table = problems_frame(problems, "en")
    assert list(table.columns) == ["Layer", "Row", "Field", "Problem", "Severity"]
    assert table.iloc[0].tolist() == ["Actors", 2, "stand", "Date 2025-07 lies in the future", "Warning"]


def test_a_problem_renders_in_german_and_english():
    """A problem keeps key and values, so each reader gets it in their language."""
    (problem,) = _validate("actors", _with("actors", 2, "sector", "Kommune"))
    allowed = ", ".join(schema.SECTORS)
    assert problem.key == "val.unknown_code"
    german = f"Unbekannter Wert „Kommune“ – erlaubt: {allowed} (klein geschrieben: „kommune“)"
    assert problem.message == problem.text("de") == german
    assert problem.text("en") == f"Unknown value “Kommune” – allowed: {allowed} (in lower case: “kommune”)"
    assert hash(problem) == hash(Problem(**vars(problem)))


@pytest.mark.parametrize(
    ("layer", "change", "german", "english"),
    [
        (
            "housing",
            lambda f: _with("housing", 2, "owner_actor_id", "7"),
            "Akteur „7“ nicht gefunden – gemeint „007“? (führende Null verloren)",
            "Actor “7” not found – did you mean “007”? (leading zero lost)",
        ),
        (
            "areas",
            lambda f: _with("areas", 2, "geometry", BOWTIE),
            "Ungültige Geometrie: Rand schneidet sich selbst bei ",
            "Invalid geometry: boundary intersects itself at ",
        ),
        (
            "offers",
            lambda f: f.set_geometry(gpd.GeoSeries([Point(48.5, 9.2), Point(48.9, 9.6)], crs="EPSG:4326")),
            "(Länge 48.5 bis 48.9, Breite 9.2 bis 9.6) – falsches Koordinatensystem? Länge und Breite vertauscht?",
            "(longitude 48.5 to 48.9, latitude 9.2 to 9.6) – wrong coordinate reference system? Longitude and",
        ),
        (
            "housing",
            lambda f: _with("housing", 2, "subsidised", 30),
            "Geförderte Wohnungen 30 – mehr als Wohnungen (24)",
            "Subsidised dwellings 30 – more than the dwellings (24)",
        ),
    ],
)
def test_parts_of_a_message_follow_its_language(layer, change, german, english):
    """Hints, labels and reasons inside a message are translated with it."""
    (problem,) = _validate(layer, change(VALID[layer]()))
    assert german in problem.text("de") and english in problem.text("en")


GARBAGE = [None, np.nan, ["a", 1], {"k": "v"}, 3.7, -1, True, b"\xff", pd.NaT, "", " ?? ", object(), float("inf")]


@pytest.mark.parametrize("layer", VALID)
def test_garbage_does_not_raise(layer):
    """Whatever a file holds, the planner gets a list of problems, not a crash."""
    n = len(GARBAGE)
    columns = {f.name: (GARBAGE * 2)[i : i + n] for i, f in enumerate(schema.LAYERS[layer].fields)}
    frame = pd.DataFrame(columns, index=[0] * n)  # a non-unique index, too
    frame["extra"] = frame.iloc[:, 0]
    if schema.LAYERS[layer].geometry_types:
        shapes = [None, Point(), LineString([(0, 0), (1, 1)]), Point(np.nan, np.nan), box(0, 0, 0, 0)]
        frame = gpd.GeoDataFrame(frame, geometry=(shapes * n)[:n], crs="EPSG:25832")
    frame = pd.concat([frame, frame.iloc[:, :1]], axis=1)  # a repeated column name
    problems = validate_layer(layer, frame, references=REFERENCES)
    assert invalid_rows(problems)
    assert all(isinstance(p.message, str) and p.message for p in problems)


@pytest.mark.slow
def test_200k_housing_rows_report_exactly_the_bad_codes():
    """A large city's housing layer: every row with the capitalised code is found, no other row."""
    n = 200_000
    rng = np.random.default_rng(1)
    frame = gpd.GeoDataFrame(
        {
            "housing_id": [f"h{i}" for i in range(n)],
            "owner_actor_id": rng.choice(["a1", "a2", None], n),
            "owner_type": rng.choice(["kommunal", "privat", "Privat"], n),
            "dwellings": rng.integers(1, 100, n),
            "subsidised": rng.integers(0, 10, n).astype(float),
            "barrier_free": rng.integers(0, 10, n),
            "year_built": rng.integers(1900, 2020, n),
            "sozialmanagement": rng.choice([True, False], n),
            "source": "Kataster",
            "stand": "2024-01-01",
        },
        geometry=gpd.points_from_xy(X + rng.uniform(0, 10_000, n), Y + rng.uniform(0, 10_000, n)),
        crs="EPSG:25832",
    )
    problems = validate_layer("housing", frame, references=REFERENCES)
    expected = set(np.flatnonzero(frame["owner_type"].to_numpy() == "Privat") + 1)
    assert invalid_rows([p for p in problems if p.field == "owner_type"]) == expected


def test_workspace_validation_checks_refs_across_layers():
    """The hand-made test city is clean; a housing record owned by an unknown actor is caught."""
    workspace = tiny_workspace()
    assert [p for p in validate_workspace(workspace) if p.severity == "error"] == []
    workspace.layers["housing"].loc[1, "owner_actor_id"] = "a99"
    problems = validate_workspace(workspace)
    assert [(p.layer, p.row, p.field) for p in problems if p.severity == "error"] == [("housing", 2, "owner_actor_id")]
