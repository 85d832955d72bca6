"""Column mapping: suggestions from real column names, reading cells as schema values, the mapping's JSON."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from dashboard import i18n
from dashboard.ingest import columnmap, readers, validation
from dashboard.ingest.columnmap import (
    ColumnMapping,
    apply,
    convert,
    normalise,
    source_key,
    suggest,
)
from dashboard.ingest.readers import RawTable, read_file
from dashboard.model import schema
from tests.support.paths import SHARED_DATA

DATA = SHARED_DATA


def raw(frame: pd.DataFrame, name: str = "datei.csv", file_format: str = "csv") -> RawTable:
    """A table as a reader hands it over."""
    return RawTable(frame, name, file_format)


def text_table(**columns) -> pd.DataFrame:
    """A table as a CSV reader hands it over: every cell str or None."""
    return pd.DataFrame({name: pd.Series(values, dtype=object) for name, values in columns.items()})


def real(relative: str) -> Path:
    path = DATA / relative
    if not path.exists():
        pytest.skip(f"real data {relative} not found under {DATA} (shared data folder absent)")
    return path


def run(values, kind, *, codes=(), required=False, column="Spalte"):
    spec = schema.Field("feld", kind, required=required, codes=codes)
    return convert(pd.Series(values, dtype=object), "offers", spec, column)


# --- names ---


@pytest.mark.parametrize(
    ("name", "normalised"),
    [
        ("Stadtteil Nr.", "stadtteilnr"),
        ("Öffnungszeiten", "oeffnungszeiten"),
        ("Straße", "strasse"),
        ("E-Mail", "email"),
        ("STT_ID", "sttid"),
        ("80 und älter", "80undaelter"),
        ("tags/name", "tagsname"),
    ],
)
def test_names_are_compared_without_case_umlauts_and_separators(name, normalised):
    assert normalise(name) == normalised


@pytest.mark.parametrize(
    ("layer", "column", "field_name"),
    [
        *(("offers", c, "name") for c in ("Name", "Bezeichnung", "Titel", "Einrichtung", "name_de", "BEZEICHNUNG")),
        *(
            ("areas", c, "area_id")
            for c in (
                "ID",
                "Nummer",
                "Schlüssel",
                "schluessel",
                "STT_ID",
                "Stadtteil-Nr",
                "code",
                "STADTTEILNR",
                "STT_NR",
                "Stadtteil Nr.",
            )
        ),
        *(
            ("areas", c, "parent_id")
            for c in (
                "Stadtbezirk",
                "Bezirk",
                "Bezirksnummer",
                "STADTBEZIRK",
                "parent",
                "STADTBEZIRKNR",
                "Stadtbezirk Nr.",
            )
        ),
        *(("offers", c, "operator_actor_id") for c in ("Träger", "TRAEGER", "Betreiber", "operator")),
        *(
            ("population", c, "residents")
            for c in ("Einwohner", "EW", "Bevölkerung", "population", "insgesamt", "inhabitants")
        ),
        ("population", "unter 6", "age_0_5"),
        ("population", "E_U6", "age_0_5"),
        ("population", "6 bis unter 18", "age_6_17"),
        ("population", "18 bis unter 65", "age_18_64"),
        ("population", "65 bis unter 80", "age_65_79"),
        ("population", "80 und älter", "age_80_plus"),
        ("population", "GITTER_ID_100m", "cell_id"),
        *(("housing", c, "dwellings") for c in ("Wohnungen", "WE", "Wohneinheiten", "apartments")),
        *(
            ("housing", c, "subsidised")
            for c in ("gefördert", "Sozialwohnungen", "Sozialmietwohnungen", "Anz_Sozialmietwohnungen")
        ),
        ("housing", "Baujahr", "year_built"),
        *(("offers", c, "opening_hours") for c in ("Öffnungszeiten", "opening_hours")),
        *(("actors", c, "website") for c in ("Internet", "Homepage", "URL", "Webseite")),
        *(("offers", c, "contact") for c in ("Kontakt", "Telefon", "E-Mail", "phone", "email")),
        *(("actors", c, "stand") for c in ("Stand", "Datum", "date")),
        ("offers", "BARRIEREFREI", "barrier_free"),
        ("offers", "LEISTUNGEN", "category"),
        ("offers", "Zielgruppe", "target_groups"),
        ("actors", "Sektor", "sector"),
        ("housing", "barrierefreie Wohnungen", "barrier_free"),
    ],
)
def test_a_synonym_suggests_its_field(layer, column, field_name):
    beside = ["Quartiersnummer"] if field_name == "parent_id" else []  # a Bezirk column alone would be the area id
    assert suggest([*beside, column], layer)[field_name] == column


@pytest.mark.parametrize(
    ("columns", "expected"),
    [
        (  # Stuttgart Stadtteile
            ["STADTBEZIRKNAME", "STADTBEZIRKNR", "STADTTEILNAME", "STADTTEILNR", "SE_ANNO_CAD_DATA"],
            {"area_id": "STADTTEILNR", "name": "STADTTEILNAME", "level": None, "parent_id": "STADTBEZIRKNR"},
        ),
        (  # Stuttgart social housing CSV (cp1252)
            ["Stadtteil Nr.", "Stadtteil", "Stadtbezirk Nr.", "Stadtbezirk", "Anz_Sozialmietwohnungen"],
            {"area_id": "Stadtteil Nr.", "name": "Stadtteil", "level": None, "parent_id": "Stadtbezirk Nr."},
        ),
        (["STT_NR", "STT_NAME", "SHAPE_AREA", "SHAPE_LEN"], {"area_id": "STT_NR", "name": "STT_NAME"}),  # Köln
        # files of Stadtbezirke alone: the Bezirk number is the area id
        (["STB_NR", "STB_NAME", "SHAPE_AREA"], {"area_id": "STB_NR", "name": "STB_NAME", "parent_id": None}),
        (["X", "Y", "SB_NUMMER", "NAME", "FLAECHE_QM", "SHAPE_AREA"], {"area_id": "SB_NUMMER", "name": "NAME"}),
        (
            ["STADTBEZIRKNR", "STADTBEZIRKNAME", "STADTTEILE_ANZAHL"],
            {"area_id": "STADTBEZIRKNR", "name": "STADTBEZIRKNAME"},
        ),
        (["id", "name", "area", "bounding_box"], {"area_id": "id", "name": "name", "parent_id": None}),  # Berlin LOR
    ],
)
def test_suggestions_hit_the_real_area_files(columns, expected):
    assert suggest(columns, "areas").items() >= expected.items()


def test_suggestions_for_chemnitz_kitas_and_osm_tables():
    chemnitz = [
        "OBJECTID",
        "ID",
        "TRAEGER",
        "BEZEICHNUNG",
        "KURZBEZEICHNUNG",
        "STRASSE",
        "PLZ",
        "ORT",
        "HORT",
        "KITA",
        "URL",
        "BARRIEREFREI",
        "INTEGRATIV",
    ]
    assert suggest(chemnitz, "offers") == {
        "offer_id": "ID",
        "name": "BEZEICHNUNG",
        "category": None,
        "target_groups": None,
        "level": None,
        "operator_actor_id": "TRAEGER",
        "capacity": None,
        "barrier_free": "BARRIEREFREI",
        "opening_hours": None,
        "contact": None,
        "source": None,
        "stand": None,
    }
    osm = ["category", "target_groups", "level", "sector", "kind", "name", "osm_id"]
    assert (
        suggest(osm, "offers").items()
        >= {
            "offer_id": "osm_id",
            "name": "name",
            "category": "category",
            "target_groups": "target_groups",
            "level": "level",
        }.items()
    )
    assert suggest(osm, "actors").items() >= {"actor_id": "osm_id", "sector": "sector", "kind": "kind"}.items()


def test_zensus_and_population_columns():
    zensus = ["GITTER_ID_100m", "x_mp_100m", "y_mp_100m", "Einwohner", "werterlaeuternde_Zeichen"]
    assert suggest(zensus, "population") == {
        "cell_id": "GITTER_ID_100m",
        "residents": "Einwohner",
        **dict.fromkeys(schema.AGE_BANDS),
    }


def test_the_exact_schema_name_wins_and_each_column_is_used_once():
    assert suggest(["Bezeichnung", "name"], "offers")["name"] == "name"
    # "ID" would fit area_id and (via "code"-like names) nothing else: used once only
    chosen = suggest(["ID", "Nummer"], "areas")
    assert chosen["area_id"] == "ID" and list(chosen.values()).count("ID") == 1


def test_every_layer_and_field_has_a_synonym_entry():
    for name, layer in schema.LAYERS.items():
        assert set(columnmap.SYNONYMS[name]) == set(layer.field_names)


# --- the mapping and its key ---


def test_mapping_json_round_trip_is_stable():
    mapping = ColumnMapping("areas", {"area_id": "STT_NR", "name": "STT_NAME"}, {"level": "quartier"}, parent_prefix=1)
    text = mapping.to_json()
    assert ColumnMapping.from_json(text) == mapping
    assert ColumnMapping.from_json(text).to_json() == text
    assert text.startswith('{"columns": {"area_id": "STT_NR", "name": "STT_NAME"}, "constants": {"level": "quartier"}')
    umlaut = ColumnMapping("offers", {"opening_hours": "Öffnungszeiten"})
    assert "Öffnungszeiten" in umlaut.to_json() and ColumnMapping.from_json(umlaut.to_json()) == umlaut


@pytest.mark.parametrize(
    "make",
    [
        lambda: ColumnMapping("gebiete"),
        lambda: ColumnMapping("areas", {"residents": "EW"}),
        lambda: ColumnMapping("areas", {"level": "Ebene"}, {"level": "quartier"}),
        lambda: ColumnMapping("offers", parent_prefix=1),
        lambda: ColumnMapping("areas", {"parent_id": "Bezirk"}, parent_prefix=1),
        lambda: ColumnMapping.from_json('{"format": 99, "layer": "areas", "columns": {}, "constants": {}}'),
    ],
)
def test_mappings_that_cannot_work_are_refused(make):
    with pytest.raises(ValueError):
        make()


def test_source_key_survives_a_new_year_but_not_new_columns():
    columns = {"Stadtteil": ["a"], "Einwohner": ["1"]}
    this_year = raw(text_table(**columns), name="daten/Einwohner_2023.csv")
    next_year = raw(text_table(**dict(reversed(columns.items()))), name="einwohner-2024.csv")
    other = raw(text_table(Stadtteil=["a"], EW=["1"]), name="einwohner_2023.csv")
    assert source_key(this_year) == source_key(next_year)
    assert source_key(this_year) != source_key(other)
    assert source_key(this_year).startswith("einwohner-")


# --- reading cells ---


def test_numbers_with_decimal_comma_thousands_dots_scientific_notation_and_missing_markers():
    values, problems = run(
        [
            "1.234,5",
            "12,5",
            "1.2E+05",
            "1,2E+05",
            "4.47256010000e+06",
            "1 234",
            "NA",
            "n/a",
            "–",
            "-",
            ".",
            "k. A.",
            "x",
            "",
            None,
            "-3",
        ],
        "float",
    )
    assert values.tolist()[:6] == [1234.5, 12.5, 120000.0, 120000.0, 4472560.1, 1234.0]
    assert values.iloc[6:15].isna().all() and values.iat[15] == -3.0
    assert problems == [] and values.dtype == float


def test_a_column_decides_its_decimal_mark():
    assert run(["1.234", "2,5"], "float")[0].tolist() == [1234.0, 2.5]  # German: dots group thousands
    assert run(["1.234", "2.5"], "float")[0].tolist() == [1.234, 2.5]  # English file: dot is the decimal mark
    assert run(["1,234", "100.5"], "float")[0].tolist() == [1234.0, 100.5]
    assert run(["1.234"], "float")[0].tolist() == [1234.0]  # undecided: the German reading


def test_a_value_that_is_no_number_is_reported_with_its_column_and_left_empty():
    values, problems = run(["12", "zwölf", "1.2.3"], "float", column="Plätze")
    assert values.isna().tolist() == [False, True, True]
    assert [(p.row, p.field, p.key, p.severity) for p in problems] == [
        (2, "feld", "map.value.not_a_number", validation.WARNING),
        (3, "feld", "map.value.not_a_number", validation.WARNING),
    ]
    assert problems[0].text() == "„zwölf“ in Spalte „Plätze“ ist keine Zahl – bleibt leer"
    assert "column “Plätze”" in problems[0].text("en")


def test_counts_must_be_whole_and_a_required_field_makes_it_an_error():
    values, problems = run(["12", "1.234", "1,5", "1.2E+05", 7.0, 3], "int", required=True)
    assert values.dtype == "Int64"
    assert values.tolist()[:2] == [12, 1234] and values.tolist()[3:] == [120000, 7, 3] and values.isna().iat[2]
    assert [(p.row, p.key, p.severity) for p in problems] == [(3, "map.value.not_whole", validation.ERROR)]


def test_yes_no_words():
    values, problems = run(
        [
            "ja",
            "Nein",
            "j",
            "n",
            "x",
            "wahr",
            "FALSCH",
            "true",
            "false",
            "1",
            "0",
            "yes",
            "no",
            1,
            0,
            1.0,
            True,
            "",
            "NA",
            "vielleicht",
        ],
        "bool",
    )
    assert values.dtype == "boolean"
    assert values.tolist()[:17] == [
        True,
        False,
        True,
        False,
        True,
        True,
        False,
        True,
        False,
        True,
        False,
        True,
        False,
        True,
        False,
        True,
        True,
    ]
    assert values.iloc[17:].isna().all()
    assert [(p.row, p.key) for p in problems] == [(20, "map.value.not_yes_no")]


def test_dates_keep_the_precision_the_source_gives():
    values, problems = run(
        [
            "31.12.2023",
            "2023-12-31",
            "1.2.2024",
            "2023-12-31 00:00:00",
            "2023/12/31",
            "12/2023",
            "12.2023",
            "2023-12",
            "2023",
            2023.0,
            "31.12.23",
            pd.Timestamp("2020-01-05 13:00"),
            "",
            "k.A.",
            "31.02.2023",
            "gestern",
        ],
        "date",
    )
    assert values.tolist()[:14] == [
        "2023-12-31",
        "2023-12-31",
        "2024-02-01",
        "2023-12-31",
        "2023-12-31",
        "2023-12",
        "2023-12",
        "2023-12",
        "2023",
        "2023",
        "2023-12-31",
        "2020-01-05",
        None,
        None,
    ]
    assert values.iloc[14:].isna().all()
    assert [(p.row, p.key) for p in problems] == [(15, "map.value.not_a_date"), (16, "map.value.not_a_date")]
    # what comes out is what validation accepts
    checked = validation.validate_layer("actors", pd.DataFrame({"stand": values}))
    assert not [p for p in checked if p.field == "stand"]


@pytest.mark.parametrize(
    ("label", "codes", "code"),
    [
        ("Freie Wohlfahrtspflege", schema.SECTORS, "wohlfahrtspflege"),
        ("Wohlfahrt", schema.SECTORS, "wohlfahrtspflege"),
        ("Caritas", schema.SECTORS, "wohlfahrtspflege"),
        ("Stadt/Kommune", schema.SECTORS, "kommune"),
        ("Welfare associations", schema.SECTORS, "wohlfahrtspflege"),
        ("Verein", schema.SECTORS, "zivilgesellschaft"),
        ("Begegnung/Nachbarschaftstreff", schema.CATEGORIES, "begegnung"),
        ("Nachbarschaftstreff", schema.CATEGORIES, "begegnung"),
        ("community_centre", schema.CATEGORIES, "begegnung"),
        ("Kita", schema.CATEGORIES, "kinder"),
        ("Schulsozialarbeit", schema.CATEGORIES, "jugend"),
        ("arbeitsweltbezogene Jugendsozialarbeit", schema.CATEGORIES, "jugend"),
        ("Bürgeramt", schema.CATEGORIES, "verwaltung"),
        ("Genossenschaft", schema.OWNER_TYPES, "genossenschaftlich"),
        ("städtisch", schema.OWNER_TYPES, "kommunal"),
        ("Mitwirkung", schema.LEVELS, "mitwirkung"),
        ("Mitbestimmung", schema.LEVELS, "mitentscheidung"),
        ("Stadtteil", schema.AREA_LEVELS, "quartier"),
        ("Stadtbezirk", schema.AREA_LEVELS, "stadtbezirk"),
        ("  QUARTIER ", schema.AREA_LEVELS, "quartier"),
        ("Kooperationsvertrag", schema.COOPERATION_KINDS, "vertrag"),
    ],
)
def test_codes_are_found_by_label_and_synonym(label, codes, code):
    values, problems = run([label], "code", codes=codes)
    assert (values.tolist(), problems) == ([code], [])


def test_an_unknown_code_names_the_allowed_ones():
    values, problems = run(["Kneipe", "NA"], "code", codes=schema.CATEGORIES, required=True, column="Art")
    assert values.isna().all()
    assert [(p.row, p.key, p.severity) for p in problems] == [(1, "map.value.unknown_code", validation.ERROR)]
    assert "„Kneipe“ in Spalte „Art“" in problems[0].text() and "begegnung, beratung" in problems[0].text()


def test_code_lists_split_on_separators_and_und():
    values, problems = run(
        [
            "Kinder und Jugendliche",
            "Kinder, Familien",
            "Senioren; alle",
            "Familien/Kinder | Erwachsene",
            "Kinder & Kinder",
            "Jugend",
            "Kinder, Katzen",
        ],
        "codes",
        codes=schema.TARGET_GROUPS,
    )
    assert values.tolist() == [
        "kinder;jugendliche",
        "kinder;familien",
        "senioren;alle",
        "familien;kinder;erwachsene",
        "kinder",
        "jugendliche",
        None,
    ]
    assert [(p.row, p.key) for p in problems] == [(7, "map.value.unknown_code")]


def test_ids_are_text_with_their_leading_zeros():
    values, problems = run(["0101", " 02 ", 1.0, 12, "NA", None], "id")
    assert values.tolist() == ["0101", "02", "1", "12", None, None] and values.dtype == object
    assert problems == []


def test_numeric_id_columns_warn_about_lost_zeros_unless_all_ids_are_equally_long():
    spec = schema.AREAS.field("area_id")
    _, problems = convert(pd.Series([1, 12, 123]), "areas", spec, "NR")
    assert [(p.row, p.field, p.key, p.severity) for p in problems] == [
        (None, "area_id", "map.ids.number_column", validation.WARNING)
    ]
    values, problems = convert(pd.Series([10.0, 12.0, None]), "areas", spec, "NR")
    assert values.tolist() == ["10", "12", None] and problems == []


def test_text_is_kept_verbatim_apart_from_surrounding_spaces():
    values, problems = run(
        [
            "  <script>alert(1)</script> ",
            '=HYPERLINK("http://x";"y")',
            "Regenbogenbus e. V. ",
            "",
            "NA",
            5.5,
            "Tel. 1\nTel. 2",
        ],
        "text",
    )
    assert values.tolist() == [
        "<script>alert(1)</script>",
        '=HYPERLINK("http://x";"y")',
        "Regenbogenbus e. V.",
        None,
        "NA",
        "5.5",
        "Tel. 1\nTel. 2",
    ]
    assert problems == []


# --- the whole table ---


def test_apply_gives_the_mapped_fields_in_schema_order_with_constants():
    table = text_table(
        Titel=["Treff", "Beratung"],
        Nr=["001", "002"],
        Zielgruppe=["alle", "Senioren"],
        Plätze=["20", "ca. 5"],
        Sonstiges=["a", "b"],
    )
    mapping = ColumnMapping(
        "offers",
        {"name": "Titel", "offer_id": "Nr", "target_groups": "Zielgruppe", "capacity": "Plätze"},
        {"category": "Begegnung", "level": "Mitwirkung", "stand": "1.3.2024"},
    )
    frame, problems = apply(raw(table), mapping)
    assert list(frame.columns) == ["offer_id", "name", "category", "target_groups", "level", "capacity", "stand"]
    assert frame["offer_id"].tolist() == ["001", "002"]
    assert frame["category"].tolist() == ["begegnung"] * 2 and frame["stand"].tolist() == ["2024-03-01"] * 2
    assert frame["capacity"].dtype == "Int64" and frame["capacity"].isna().tolist() == [False, True]
    assert [(p.row, p.field, p.severity, dict(p.values)["column"]) for p in problems] == [
        (2, "capacity", validation.WARNING, "Plätze")
    ]
    assert not isinstance(frame, gpd.GeoDataFrame)  # no geometry in the file: validation will say so


def test_a_missing_column_or_a_constant_that_does_not_fit_is_a_layer_error():
    mapping = ColumnMapping("areas", {"area_id": "Nummer", "name": "Name"}, {"level": "Kontinent"})
    frame, problems = apply(raw(text_table(Name=["A"])), mapping)
    assert list(frame.columns) == ["name"]
    assert [(p.row, p.field, p.key, p.severity) for p in problems] == [
        (None, "area_id", "map.column.missing", validation.ERROR),
        (None, "level", "map.constant.invalid", validation.ERROR),
    ]
    assert problems[0].text() == "Spalte „Nummer“ gibt es in der Datei nicht"


def test_parent_prefix_takes_the_bezirk_from_the_area_id():
    table = text_table(STT_NR=["101", "909", "1"], STT_NAME=["Altstadt/Süd", "Flittard", "Innenstadt"])
    mapping = ColumnMapping("areas", {"area_id": "STT_NR", "name": "STT_NAME"}, {"level": "quartier"}, parent_prefix=1)
    frame, _ = apply(raw(table), mapping)
    assert frame["parent_id"].tolist() == ["1", "9", None]


def test_geometry_and_crs_are_kept():
    table = gpd.GeoDataFrame(
        {"ID": [1, 2], "Bezeichnung": ["A", "B"]},
        geometry=[Point(513000, 5403000), Point(514000, 5404000)],
        crs="EPSG:25832",
    )
    mapping = ColumnMapping("offers", {"offer_id": "ID", "name": "Bezeichnung"})
    frame, _ = apply(raw(table, file_format="geojson"), mapping)
    assert isinstance(frame, gpd.GeoDataFrame) and frame.crs == "EPSG:25832"
    assert frame.geometry.x.tolist() == [513000, 514000] and frame["offer_id"].tolist() == ["1", "2"]


def test_apply_types_columns_like_read_layer(tmp_path):
    """validation sees an imported file exactly like one read by readers.read_layer."""
    source = gpd.GeoDataFrame(
        {
            "offer_id": ["001", "002"],
            "name": ["A", "B"],
            "category": ["kinder", "jugend"],
            "target_groups": ["kinder", "alle"],
            "level": ["mitwirkung", "information"],
            "capacity": [12, None],
            "barrier_free": [True, False],
            "stand": ["2024-01-01", None],
        },
        geometry=[Point(9.18, 48.78), Point(9.19, 48.79)],
        crs="EPSG:4326",
    )
    path = tmp_path / "offers.geojson"
    source.to_file(path)
    by_read_layer = readers.read_layer(path, "offers")
    mapping = ColumnMapping("offers", {name: name for name in source.columns if name != "geometry"})
    frame, problems = apply(raw(gpd.read_file(path), file_format="geojson"), mapping)
    assert problems == []
    assert frame.dtypes.astype(str).to_dict() == by_read_layer.dtypes.astype(str).to_dict()
    pd.testing.assert_frame_equal(
        pd.DataFrame(frame.drop(columns="geometry")), pd.DataFrame(by_read_layer.drop(columns="geometry"))
    )


def test_every_message_key_is_in_both_languages_with_the_same_placeholders():
    import re
    import string

    text = Path(columnmap.__file__).read_text(encoding="utf-8")
    keys = set(re.findall(r"\"(map\.[a-z_.]+)\"", text))
    assert "map.value.not_a_number" in keys
    for key in keys:
        german, english = ("".join(i18n.messages(lang)[key]) for lang in ("de", "en"))  # plural forms joined
        names = [sorted({n for _, n, _, _ in string.Formatter().parse(t) if n}) for t in (german, english)]
        assert names[0] == names[1], key


# --- real files ---


@pytest.mark.real_data
def test_muenchen_numbers_stored_as_strings_in_scientific_notation():
    table = read_file(real("muenchen-stadtbezirke/stadtbezirke.geojson"))
    areas = table.frame
    area, problems = convert(areas["FLAECHE_QM"], "areas", schema.Field("flaeche", "float"), "FLAECHE_QM")
    assert problems == [] and area.notna().all()
    measured = areas.to_crs(schema.ANALYSIS_CRS).area
    assert ((area - measured).abs() / measured).max() < 0.02  # the stated m² match the polygons
    mapping = ColumnMapping(
        "areas", {k: v for k, v in suggest(list(areas.columns), "areas").items() if v}, {"level": "stadtbezirk"}
    )
    frame, problems = apply(table, mapping)
    assert problems == [] and len(frame) == 25
    assert sorted(frame["area_id"]) == [f"{n:02d}" for n in range(1, 26)]
    assert "Thalkirchen-Obersendling-Forstenried-Fürstenried-Solln" in set(frame["name"])


@pytest.mark.real_data
def test_stuttgart_cp1252_csv_with_decimal_commas_empty_counts_and_na():
    table = read_file(real("stuttgart-sozialwohnungen/sozialmietwohnungen_2023_sst.csv")).frame
    counts, problems = convert(
        table["Anz_Sozialmietwohnungen"], "housing", schema.HOUSING.field("subsidised"), "Anz_Sozialmietwohnungen"
    )
    assert problems == [] and counts.dtype == "Int64" and counts.isna().sum() == 40 and len(counts) == 152
    shares, problems = convert(
        table["AntSozmietwohnungen_am_Wohnungsbestand"],
        "housing",
        schema.Field("anteil", "float"),
        "AntSozmietwohnungen_am_Wohnungsbestand",
    )
    # the city's file holds one spreadsheet error cell: reported, left empty, the row stays
    assert [(p.row, p.severity, dict(p.values)["value"]) for p in problems] == [(120, validation.WARNING, "#DIV/0!")]
    assert shares.iat[1] == 11.8 and shares.notna().sum() == 151
    ids, _ = convert(table["Stadtbezirk Nr."], "areas", schema.AREAS.field("parent_id"), "Stadtbezirk Nr.")
    assert ids.iat[0] == "01"

    series = read_file(real("stuttgart-sozialwohnungen/geforderte_wohnungen_stuttgart_seit_1991.csv")).frame
    column = "Anteil_geförderte_Wohnungen_am_Gesamtwohnungsbestand_in_Prozent"
    values, problems = convert(series[column], "housing", schema.Field("anteil", "float"), column)
    assert problems == [] and values.iat[0] == 10.7 and series[column].iat[-1] == "NA" and pd.isna(values.iat[-1])
    years, _ = convert(series["Jahr"], "housing", schema.HOUSING.field("year_built"), "Jahr")
    assert years.tolist() == list(range(1991, 2023))
