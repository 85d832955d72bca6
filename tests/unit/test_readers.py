"""The file readers: every format as read (text stays text), what was assumed said in notes, coordinates guessed."""

from __future__ import annotations

import json
import re
import string
import zipfile
from datetime import date, datetime
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from dashboard import i18n
from dashboard.ingest import readers
from dashboard.ingest.readers import (
    CoordinateGuess,
    LayerFileError,
    RawTable,
    guess_coordinates,
    read_file,
    read_layer,
    read_layers,
    split_source,
    with_geometry,
)
from tests.support.factories import tiny_workspace
from tests.support.paths import ROOT

pytestmark = pytest.mark.filterwarnings(
    "ignore:Column names longer than 10:UserWarning",
    "ignore:Normalized/laundered field name:RuntimeWarning",
    "ignore:'crs' was not provided:UserWarning",
)


def _note_keys(table: RawTable) -> list[str]:
    return [note.key for note in table.notes]


def _geojson(path: Path, features: list[dict], **extra) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", **extra, "features": features}), encoding="utf-8")
    return path


def _point(properties: dict, xy=(9.18, 48.78)) -> dict:
    return {"type": "Feature", "properties": properties, "geometry": {"type": "Point", "coordinates": list(xy)}}


# --- the message catalog ---


def test_every_read_key_is_in_both_languages_with_the_same_placeholders():
    texts = [
        (ROOT / "dashboard" / name).read_text(encoding="utf-8") for name in ("ingest/readers.py", "ingest/osmimport.py")
    ]
    used = {key for text in texts for key in re.findall(r"\"(read\.[a-z0-9_.]+)\"", text)}
    assert {
        "read.empty_file",
        "read.too_large",
        "read.zip_without_shp",
        "read.not_geojson",
        "read.encoding_cp1252",
    } <= used

    def placeholders(text):  # a message with a count has its plural forms
        text = text if isinstance(text, str) else "".join(text)
        return sorted({name for _, name, _, _ in string.Formatter().parse(text) if name})

    for key in used:
        assert i18n.has(key), key
        assert placeholders(i18n.messages("de")[key]) == placeholders(i18n.messages("en")[key]), key


# --- CSV ---


def test_csv_cp1252_semicolon_decimal_comma_and_na_stay_text(tmp_path):
    path = tmp_path / "wohnungen.csv"
    path.write_bytes("Nr;Stadtteil;Anteil;Anzahl\n01;Universität;11,8;NA\n0102;Süd;–;\n".encode("cp1252"))
    table = read_file(path)
    assert (table.format, table.encoding, table.separator) == ("csv", "cp1252", ";")
    assert table.frame.to_dict("records") == [
        {"Nr": "01", "Stadtteil": "Universität", "Anteil": "11,8", "Anzahl": "NA"},
        {"Nr": "0102", "Stadtteil": "Süd", "Anteil": "–", "Anzahl": None},
    ]
    assert all(table.frame[c].dtype == object for c in table.frame.columns)
    assert _note_keys(table) == ["read.csv_format", "read.encoding_cp1252"]
    assert "Windows-1252" in table.notes[0].text() and "Semikolon" in table.notes[0].text()
    assert "semicolon" in table.notes[0].text("en")


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("id,name\n01,Mühle\n".encode(), "utf-8"),
        ("\ufeffid,name\n01,Mühle\n".encode(), "utf-8"),
        ("id\tname\n01\tMühle\n".encode("utf-16"), "utf-16"),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-excel"],
)
def test_csv_encodings(tmp_path, data, encoding):
    path = tmp_path / "a.csv"
    path.write_bytes(data)
    table = read_file(path)
    assert table.encoding == encoding
    assert list(table.frame.columns) == ["id", "name"]  # no BOM glued to the first name
    assert table.frame.iloc[0].tolist() == ["01", "Mühle"]


def test_csv_given_encoding_and_separator_win(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes("a|b\nä|1\n".encode("latin-1"))
    table = read_file(path, encoding="latin-1", separator="|")
    assert table.frame.to_dict("records") == [{"a": "ä", "b": "1"}]
    assert table.notes[0].text() == "Gelesen mit Zeichenkodierung latin-1, Trennzeichen „|“."
    with pytest.raises(LayerFileError) as caught:
        read_file(path, encoding="keine-kodierung")
    assert caught.value.key == "read.encoding_failed"


@pytest.mark.parametrize(
    ("text", "separator"),
    [
        ("a;b;c\n1,5;2;3\n", ";"),
        ("a,b,c\n1.5,2,3\n", ","),
        ("a\tb\tc\n1,5\t2\t3\n", "\t"),
        ('name,"x;y"\n"Müller; Hans",2\n', ","),
    ],
)
def test_separator_is_sniffed(tmp_path, text, separator):
    path = tmp_path / "a.csv"
    path.write_text(text, encoding="utf-8")
    table = read_file(path)
    assert table.separator == separator
    assert len(table.frame.columns) in (2, 3)


def test_excel_separator_hint_line(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("sep=,\r\nname,wert\r\nA;B,1\r\n", encoding="utf-8")
    table = read_file(path)
    assert table.separator == "," and table.frame.to_dict("records") == [{"name": "A;B", "wert": "1"}]


def test_csv_quotes_blank_lines_short_rows_trailing_separators(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text('a;b;c;;\n"x;1";"er sagte ""hallo""";3;;7\n\n4;5\n;;;;\n', encoding="utf-8")
    frame = read_file(path).frame
    assert frame.to_dict("records") == [
        {"a": "x;1", "b": 'er sagte "hallo"', "c": "3", "Spalte 5": "7"},
        {"a": "4", "b": "5", "c": None, "Spalte 5": None},
    ]  # the empty 4th column without a name is dropped, the 5th has values


def test_csv_one_column_and_repeated_headers(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("Name\nMüller, Hans\n", encoding="utf-8")
    table = read_file(path)
    assert table.separator is None and table.frame["Name"].tolist() == ["Müller, Hans"]
    path.write_text("id;id; \n1;2;3\n", encoding="utf-8")
    assert list(read_file(path).frame.columns) == ["id", "id_2", "Spalte 3"]


def test_csv_formula_cells_stay_text_and_are_counted(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text('name;wert\n=HYPERLINK("http://x","klick");=1+2\n@SUM(A1);-5\n', encoding="utf-8")
    table = read_file(path)
    assert table.frame.iloc[0].tolist() == ['=HYPERLINK("http://x","klick")', "=1+2"]
    assert table.frame.iloc[1].tolist() == ["@SUM(A1)", "-5"]
    formulas = [n for n in table.notes if n.key == "read.formula_cells"]
    assert formulas and dict(formulas[0].values)["count"] == 2


def test_csv_row_with_extra_values_names_the_line(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("a;b\n1;2\n3;4;5\n", encoding="utf-8")
    with pytest.raises(LayerFileError) as caught:
        read_file(path)
    assert caught.value.key == "read.csv_bad_line"
    assert "Zeile 3" in str(caught.value) and "3 Werte statt 2" in str(caught.value)


def test_csv_without_rows(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("a;b;c\n\n", encoding="utf-8")
    with pytest.raises(LayerFileError) as caught:
        read_file(path)
    assert caught.value.key == "read.no_rows"


# --- coordinates in tables ---


def test_csv_with_lat_lon_decimal_commas_becomes_points(tmp_path):
    path = tmp_path / "treffs.csv"
    path.write_text("Name;Breite;Länge\nA;48,78;9,18\nB;48,80;\nC;x;9,2\nD;48,7;9,1\nE;48,71;9,11\n", encoding="utf-8")
    table = read_file(path)
    assert table.coordinates == CoordinateGuess("lonlat", ("Länge", "Breite"), ("EPSG:4326",))
    assert "read.coordinates_found" in _note_keys(table)
    located, problems = with_geometry(table, table.coordinates, "EPSG:4326")
    assert isinstance(located.frame, gpd.GeoDataFrame) and located.frame.crs == "EPSG:4326"
    assert located.frame.geometry.iloc[0].equals(shapely.Point(9.18, 48.78))
    assert located.frame.geometry.iloc[1:3].isna().all() and len(located.frame) == 5  # rows kept
    assert [(p.row, p.field, p.key) for p in problems] == [
        (2, "Länge", "read.coordinate_missing"),
        (3, "Breite", "read.coordinate_not_number"),
    ]
    assert "„x“" in problems[1].text() and problems[0].layer == "treffs.csv"
    assert located.frame["Breite"].tolist()[:3] == ["48,78", "48,80", "x"]  # the text stays for the mapper


@pytest.mark.parametrize(
    ("columns", "values", "expected"),
    [
        (("Rechtswert", "Hochwert"), [("3513000", "5403000"), ("3514000,5", "5404000")], ("EPSG:31467",)),
        (("RW", "HW"), [("4468000", "5332000")], ("EPSG:31468",)),
        (("x_mp_100m", "y_mp_100m"), [("4337050", "2689150")], ("EPSG:3035",)),
        (("lon", "lat"), [("9.18", "48.78")], ("EPSG:4326",)),
        (("ost", "nord"), [("513000", "5403000")], ("EPSG:25832", "EPSG:25833")),
    ],
)
def test_coordinate_systems_are_told_apart_by_their_ranges(columns, values, expected):
    frame = pd.DataFrame(values, columns=list(columns), dtype=object)
    guess = guess_coordinates(frame)
    assert guess is not None and guess.columns == columns
    assert guess.crs_candidates[: len(expected)] == expected
    assert guess.kind == ("lonlat" if expected[0] == "EPSG:4326" else "xy")


def test_utm_zone_ranked_by_where_the_points_land():
    stuttgart = pd.DataFrame({"a": ["513000", "514000"], "b": ["5403000", "5404000"]}, dtype=object)
    assert guess_coordinates(stuttgart).crs_candidates == ("EPSG:25832", "EPSG:25833")  # zone 33 would be Austria
    dresden_33 = pd.DataFrame({"x": ["411000", "412000"], "y": ["5655000", "5656000"]}, dtype=object)
    assert guess_coordinates(dresden_33).crs_candidates == ("EPSG:25832", "EPSG:25833")  # both in Germany: usual order
    assert guess_coordinates(dresden_33, hint="dresden_UTM33.csv").crs_candidates[0] == "EPSG:25833"
    named = pd.DataFrame({"x_25833": ["411000"], "y_25833": ["5655000"]}, dtype=object)
    assert guess_coordinates(named).crs_candidates[0] == "EPSG:25833"


def test_swapped_lat_lon_names_are_corrected_by_the_values():
    frame = pd.DataFrame({"lat": ["9.18", "9.2"], "lon": ["48.78", "48.8"]}, dtype=object)
    assert guess_coordinates(frame).columns == ("lat", "lon")  # x = the column holding longitudes


def test_no_guess_for_shares_or_counts_that_merely_fit_lon_lat():
    frame = pd.DataFrame({"anteil_kinder": ["7,5", "9,1"], "anteil_frauen": ["50,2", "51,0"], "name": ["a", "b"]})
    assert guess_coordinates(frame) is None
    assert guess_coordinates(pd.DataFrame({"name": ["a"], "einwohner": ["1200"]})) is None


def test_wkt_column_with_srid_and_bad_values(tmp_path):
    path = tmp_path / "orte.csv"
    path.write_text('name;geom\nA;"SRID=25833;POINT (411000 5655000)"\nB;POLYGON((1 2, 3\nC;\n', encoding="utf-8")
    table = read_file(path)
    assert table.coordinates.kind == "wkt" and table.coordinates.columns == ("geom",)
    assert table.coordinates.crs_candidates[0] == "EPSG:25833"  # the SRID wins over the usual order
    located, problems = with_geometry(table, table.coordinates, "EPSG:25833")
    assert located.frame.geometry.iloc[0].equals(shapely.Point(411000, 5655000))
    assert [(p.row, p.key) for p in problems] == [(2, "read.wkt_invalid"), (3, "read.wkt_missing")]


def test_a_text_column_called_geometry_is_renamed_not_lost():
    table = RawTable(pd.DataFrame({"geometry": ["POINT (9 48)"], "name": ["a"]}, dtype=object), "a.csv", "csv")
    guess = guess_coordinates(table.frame)
    located, problems = with_geometry(table, guess, guess.crs_candidates[0])
    assert problems == [] and located.frame["geometry_text"].tolist() == ["POINT (9 48)"]
    assert located.coordinates.columns == ("geometry_text",)
    assert located.frame.geometry.iloc[0].equals(shapely.Point(9, 48))


def test_with_geometry_refuses_unknown_columns_and_crs():
    table = RawTable(pd.DataFrame({"x": ["1"], "y": ["2"]}, dtype=object), "a.csv", "csv")
    with pytest.raises(LayerFileError) as caught:
        with_geometry(table, CoordinateGuess("xy", ("x", "z"), ()), "EPSG:25832")
    assert caught.value.key == "read.column_not_found"
    with pytest.raises(LayerFileError) as caught:
        with_geometry(table, CoordinateGuess("xy", ("x", "y"), ()), "EPSG:999999")
    assert caught.value.key == "read.unknown_crs"


def test_parse_numbers_german_and_english_writing():
    values = pd.Series(["9,18", "3.512.345,6", "1,234.5", "4.47e+06", " 12 ", None, "NA", "inf", "1 200"], dtype=object)
    parsed = readers.parse_numbers(values).tolist()
    assert parsed[:5] == [9.18, 3512345.6, 1234.5, 4470000.0, 12.0]
    assert np.isnan(parsed[5:8]).all() and parsed[8] == 1200.0


def test_germany_outline_is_valid_and_holds_border_towns_but_not_neighbours():
    outline = readers._germany()
    assert shapely.Polygon(readers.GERMANY_OUTLINE).is_valid
    inside = [(6.08, 50.78), (14.99, 51.15), (13.46, 48.57), (9.17, 47.66), (9.43, 54.78), (8.3, 55.0),
              (14.1, 53.95), (13.0, 47.63), (10.28, 47.41), (7.0, 49.23), (7.85, 47.99), (5.87, 51.05)]  # fmt: skip
    outside = [(14.42, 50.08), (16.37, 48.21), (14.29, 48.31), (15.1, 48.7), (4.9, 52.37), (8.54, 47.37), (4.35, 50.85)]
    assert shapely.contains_xy(outline, *np.array(inside).T).all()
    assert not shapely.contains_xy(outline, *np.array(outside).T).any()


# --- Zensus 2022 grid ---


def test_zensus_grid_csv_points_in_3035_and_dashes_stay(tmp_path):
    path = tmp_path / "Zensus2022_Bevoelkerungszahl_100m-Gitter.csv"
    path.write_text(
        "GITTER_ID_100m;x_mp_100m;y_mp_100m;Einwohner;werterlaeuternde_Zeichen\n"
        "CRS3035RES100mN2689100E4337000;4337050;2689150;4;\n"
        "CRS3035RES100mN2689100E4337100;4337150;2689150;–;KLAMMERN\n"
        "CRS3035RES100mN2689200E4337100;;;3;\n",
        encoding="utf-8",
    )
    table = read_file(path)
    assert table.format == "zensus" and table.frame.crs == "EPSG:3035"
    assert table.frame["Einwohner"].tolist() == ["4", "–", "3"]
    assert table.frame["GITTER_ID_100m"].iloc[0] == "CRS3035RES100mN2689100E4337000"
    assert table.frame.geometry.iloc[0].equals(shapely.Point(4337050, 2689150))
    assert table.frame.geometry.iloc[2] is None
    assert {"read.zensus", "read.zensus_without_point"} <= set(_note_keys(table))


def test_zensus_without_centre_columns_uses_the_cell_id(tmp_path):
    path = tmp_path / "z.csv"
    path.write_text("GITTER_ID_100m;Einwohner\nCRS3035RES100mN2689100E4337000;4\nkaputt;5\n", encoding="utf-8")
    table = read_file(path)
    assert table.frame.geometry.iloc[0].equals(shapely.Point(4337050, 2689150))
    assert table.frame.geometry.iloc[1] is None and "read.zensus_without_point" in _note_keys(table)


# --- Excel ---


def _workbook(path: Path) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    first = book.active
    first.title = "Hinweise"
    second = book.create_sheet("Angebote")
    second.append(["id", "name", "plaetze", "anteil", "seit", "offen", None, "rechts", "hoch"])
    second.append(
        ["0101", "Treff <img src=x onerror=alert(1)>", 12, 0.25, datetime(2023, 5, 1), True, None, 513000, 5403000]
    )
    second.append(["0102", "=1+2", 12.0, None, date(2020, 1, 31), False, None, 513100.5, 5403100])
    second.append([None] * 9)
    book.create_sheet("Leer")
    book.save(path)
    return path


def test_xlsx_picks_the_first_sheet_with_data_and_lists_all(tmp_path):
    table = read_file(_workbook(tmp_path / "angebote.xlsx"))
    assert table.format == "xlsx" and table.layers == ("Hinweise", "Angebote", "Leer")
    assert table.layer == "Angebote" and "read.several_sheets" in _note_keys(table)
    assert table.frame.to_dict("records")[0] == {
        "id": "0101", "name": "Treff <img src=x onerror=alert(1)>", "plaetze": "12", "anteil": "0.25",
        "seit": "2023-05-01", "offen": "true", "rechts": "513000", "hoch": "5403000",
    }  # fmt: skip
    second = table.frame.iloc[1]
    assert second["plaetze"] == "12" and second["seit"] == "2020-01-31" and second["anteil"] is None
    assert second["name"] is None  # a formula without a stored result is not calculated
    assert len(table.frame) == 2  # the empty row is gone
    assert table.coordinates.columns == ("rechts", "hoch") and table.coordinates.crs_candidates[0] == "EPSG:25832"


def test_xlsx_named_sheet_and_unknown_sheet(tmp_path):
    path = _workbook(tmp_path / "a.xlsx")
    with pytest.raises(LayerFileError) as caught:
        read_file(path, layer="Gibtsnicht")
    assert caught.value.key == "read.layer_not_found" and "Angebote" in str(caught.value)
    with pytest.raises(LayerFileError) as caught:
        read_file(path, layer="Leer")
    assert caught.value.key == "read.no_rows"


# --- GeoJSON, GeoPackage, Shapefile ---


def test_geojson_values_as_gdal_types_them_lists_joined(tmp_path):
    path = _geojson(
        tmp_path / "gebiete.geojson",
        [
            _point({"id": "01", "flaeche": 12, "bbox": [13.2, 52.5], "code": 5}),
            _point({"id": "02", "flaeche": 14, "bbox": None, "code": None}),
        ],
    )
    table = read_file(path)
    assert table.format == "geojson" and table.frame.crs == "EPSG:4326" and table.notes == []
    assert table.frame["id"].tolist() == ["01", "02"] and table.frame["id"].dtype == object
    assert table.frame["bbox"].tolist() == ["13.2;52.5", None]
    assert table.frame["flaeche"].tolist() == [12, 14]
    assert str(table.frame["code"].dtype) == "Int64"


def test_geojson_metre_values_declared_as_lon_lat(tmp_path):
    path = _geojson(tmp_path / "a.geojson", [_point({"n": 1}, xy=(513000, 5403000))])
    table = read_file(path)
    assert table.frame.crs is None and table.crs_candidates == ("EPSG:25832", "EPSG:25833")
    assert _note_keys(table) == ["read.crs_not_lonlat"] and "EPSG:25832" in table.notes[0].text()


def test_geojson_property_named_geometry_survives(tmp_path):
    path = _geojson(tmp_path / "a.geojson", [_point({"geometry": "Punkt", "name": "a"})])
    table = read_file(path)
    assert table.frame["geometry_text"].tolist() == ["Punkt"]
    assert table.frame.geometry.iloc[0].equals(shapely.Point(9.18, 48.78))


def test_empty_feature_collection(tmp_path):
    with pytest.raises(LayerFileError) as caught:
        read_file(_geojson(tmp_path / "a.geojson", []))
    assert caught.value.key == "read.no_rows"


def _gpkg(path: Path) -> Path:
    points = gpd.GeoDataFrame({"name": ["a"]}, geometry=[shapely.Point(513000, 5403000)], crs="EPSG:25832")
    points.to_file(path, layer="angebote")
    points.assign(name="b").to_file(path, layer="akteure")
    return path


def test_gpkg_first_layer_by_default_all_listed(tmp_path):
    path = _gpkg(tmp_path / "stadt.gpkg")
    table = read_file(path)
    assert table.format == "gpkg" and table.layers == ("angebote", "akteure") and table.layer == "angebote"
    assert "read.several_layers" in _note_keys(table) and table.frame.crs == "EPSG:25832"
    assert read_file(path, layer="akteure").frame["name"].tolist() == ["b"]
    with pytest.raises(LayerFileError) as caught:
        read_file(path, layer="wohnungen")
    assert caught.value.key == "read.layer_not_found"


def test_gpkg_table_without_geometry_gets_a_coordinate_guess(tmp_path):
    path = tmp_path / "t.gpkg"
    pd_frame = gpd.GeoDataFrame({"name": ["a"], "rechtswert": [513000.0], "hochwert": [5403000.0]})
    pd_frame.to_file(path, layer="tabelle")
    table = read_file(path)
    assert not isinstance(table.frame, gpd.GeoDataFrame)
    assert table.coordinates.columns == ("rechtswert", "hochwert")


def _shapefile(folder: Path, crs: str | None = "EPSG:25832", name: str = "quartiere") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    frame = gpd.GeoDataFrame({"QNR": ["01", "02"]}, geometry=[shapely.Point(513000, 5403000)] * 2, crs=crs)
    frame.to_file(folder / f"{name}.shp")
    return folder / f"{name}.shp"


def test_shapefile_with_siblings_and_without_prj(tmp_path):
    table = read_file(_shapefile(tmp_path / "a"))
    assert table.format == "shapefile" and table.frame["QNR"].tolist() == ["01", "02"]
    assert table.frame.crs == "EPSG:25832"
    bare = read_file(_shapefile(tmp_path / "b", crs=None))
    assert bare.frame.crs is None and bare.crs_candidates[0] == "EPSG:25832"
    assert _note_keys(bare) == ["read.no_crs"]


def test_shapefile_missing_parts(tmp_path):
    shp = _shapefile(tmp_path / "a")
    shp.with_suffix(".dbf").unlink()
    with pytest.raises(LayerFileError) as caught:
        read_file(shp)
    assert caught.value.key == "read.shp_incomplete" and ".dbf" in str(caught.value)
    with pytest.raises(LayerFileError) as caught:
        read_file(shp.with_suffix(".shx"))
    assert caught.value.key == "read.shp_part"


def _zip(path: Path, files: dict[str, Path | bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, content in files.items():
            if isinstance(content, Path):
                archive.write(content, member)
            else:
                archive.writestr(member, content)
    return path


def test_zipped_shapefiles_are_layers(tmp_path):
    one = _shapefile(tmp_path / "src", name="stadtteile")
    two = _shapefile(tmp_path / "src", name="bezirke")
    members = {f"daten/{p.name}": p for p in sorted(tmp_path.joinpath("src").iterdir())}
    members["__MACOSX/daten/._stadtteile.shp"] = b"junk"
    path = _zip(tmp_path / "gebiete.zip", members)
    table = read_file(path)
    assert table.format == "shapefile" and set(table.layers) == {"stadtteile", "bezirke"}
    assert table.layer == table.layers[0] and "read.several_layers" in _note_keys(table)
    assert read_file(path, layer="bezirke").layer == "bezirke"
    assert one.exists() and two.exists()


def test_zip_with_a_geojson_inside(tmp_path):
    inner = _geojson(tmp_path / "punkte.geojson", [_point({"name": "a"})])
    table = read_file(_zip(tmp_path / "a.zip", {"punkte.geojson": inner}))
    assert table.format == "geojson" and len(table.frame) == 1


def test_zip_without_shapefile_lists_what_it_holds(tmp_path):
    path = _zip(tmp_path / "daten.zip", {"liesmich.txt": b"hallo", "tabelle.csv": b"a;b\n1;2\n"})
    with pytest.raises(LayerFileError) as caught:
        read_file(path)
    assert caught.value.key == "read.zip_without_shp"
    assert "liesmich.txt" in str(caught.value) and "keine Shapefile" in str(caught.value)


# --- limits and formats ---


def test_size_limit_is_checked_before_reading(tmp_path, monkeypatch):
    path = tmp_path / "gross.geojson"
    path.write_bytes(b"x" * 5000)  # not even GeoJSON: the size is refused first
    monkeypatch.setattr(readers.pyogrio, "list_layers", lambda *_: pytest.fail("read despite the limit"))
    with pytest.raises(LayerFileError) as caught:
        read_file(path, max_bytes=1000)
    assert caught.value.key == "read.too_large"
    assert str(caught.value).startswith("gross.geojson ist 5 kB groß; erlaubt sind höchstens 1 kB")


def test_zip_that_unpacks_beyond_the_limit(tmp_path):
    path = _zip(tmp_path / "bombe.zip", {"a.shp": b"\0" * 2_000_000})
    assert path.stat().st_size < 100_000
    with pytest.raises(LayerFileError) as caught:
        read_file(path, max_bytes=1_000_000)
    assert caught.value.key == "read.too_large_unpacked"


def test_size_text_never_shows_the_limit_for_a_larger_file():
    assert readers._size_text(50_000_001, up=True) == "51 MB" and readers._size_text(50_000_000) == "50 MB"
    assert readers._size_text(1_500, up=True) == "2 kB" and readers._size_text(200) == "1 kB"


@pytest.mark.parametrize(
    ("name", "key"),
    [("tabelle.numbers", "read.unknown_format"), ("karte.kml", "read.unknown_format"),
     ("stadtteile.dbf", "read.shp_part"), ("ohne_endung", "read.unknown_format")],
)  # fmt: skip
def test_formats_we_do_not_read_say_what_to_do(tmp_path, name, key):
    path = tmp_path / name
    path.write_bytes(b"irgendwas")
    with pytest.raises(LayerFileError) as caught:
        read_file(path)
    assert caught.value.key == key


def test_the_upload_name_decides_the_format_and_appears_in_messages(tmp_path):
    path = tmp_path / "upload-1234.tmp"
    path.write_text("a;b\n1;2\n", encoding="utf-8")
    table = read_file(path, name="Treffs Süd.csv")
    assert table.source_name == "Treffs Süd.csv" and table.format == "csv"
    missing = tmp_path / "weg.csv"
    with pytest.raises(LayerFileError) as caught:
        read_file(missing, name="Treffs.csv")
    assert caught.value.key == "file.not_found" and "Treffs.csv" in str(caught.value)


# --- files whose columns carry the schema's names (read_layer, the gaps command) ---


def _feature_collection(path: Path, properties: list[dict]) -> Path:
    features = [
        {"type": "Feature", "properties": props, "geometry": {"type": "Point", "coordinates": [9.2, 48.8]}}
        for props in properties
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return path


def test_geojson_text_keeps_leading_zeros_and_numbers_stay_numbers(tmp_path):
    path = _feature_collection(
        tmp_path / "offers.geojson",
        [
            {"offer_id": "0101", "capacity": "12", "operator_actor_id": 7, "barrier_free": True},
            {"offer_id": 102, "capacity": None, "operator_actor_id": 8, "barrier_free": None},
        ],
    )
    frame = read_layer(path, "offers")
    assert frame["offer_id"].tolist() == ["0101", "102"]  # mixed JSON types: GDAL's text, never re-parsed
    assert str(frame["capacity"].dtype) == "Int64" and frame["capacity"].iloc[0] == 12
    assert str(frame["operator_actor_id"].dtype) == "Int64"  # numbers stay numbers: validation warns
    assert str(frame["barrier_free"].dtype) == "boolean"
    assert frame.crs == "EPSG:4326"


def test_counts_that_are_not_whole_numbers_stay_text_for_validation(tmp_path):
    path = _feature_collection(tmp_path / "offers.geojson", [{"capacity": "2,5"}, {"capacity": "3"}])
    assert read_layer(path, "offers")["capacity"].tolist() == ["2,5", "3"]


def test_only_schema_columns_any_case(tmp_path):
    path = _feature_collection(tmp_path / "areas.geojson", [{"AREA_ID": "01", "Name": "Mitte", "extra": 1}])
    assert list(read_layer(path, "areas").columns) == ["area_id", "name", "geometry"]


def test_zipped_shapefile_with_cut_field_names(tmp_path):
    offers = tiny_workspace().offers
    offers.to_file(tmp_path / "offers.shp")
    with zipfile.ZipFile(tmp_path / "offers.zip", "w") as archive:
        for part in tmp_path.glob("offers.*"):
            if part.suffix != ".zip":
                archive.write(part, part.name)
    frame = read_layer(tmp_path / "offers.zip", "offers")
    assert frame["target_groups"].tolist() == ["alle", "erwachsene"]
    assert frame["operator_actor_id"].tolist() == ["a1", "a2"]
    assert frame.crs == "EPSG:3035"


def test_geopackage_layer_by_schema_name_or_given(tmp_path):
    path = tmp_path / "stadt.gpkg"
    ws = tiny_workspace()
    ws.areas.to_file(path, layer="gebiete")
    ws.offers.to_file(path, layer="offers")
    assert len(read_layer(path, "offers")) == 2
    assert len(read_layer(f"{path}:gebiete", "areas")) == 6
    with pytest.raises(LayerFileError, match="mehrere Ebenen .*gebiete.*stadt.gpkg:EBENE"):
        read_layer(path, "areas")
    with pytest.raises(LayerFileError, match="„quartiere“ gibt es in .* nicht – vorhanden: gebiete, offers"):
        read_layer(f"{path}:quartiere", "areas")


def test_split_source():
    assert split_source("x.gpkg") == (Path("x.gpkg"), None)
    assert split_source(__file__ + ":ebene") == (Path(__file__), "ebene")


def test_table_without_geometry(tmp_path):
    path = tmp_path / "coops.gpkg"
    coops = {"coop_id": ["k1"], "actor_a": ["a1"], "actor_b": ["a2"], "kind": ["netzwerk"], "since": [2020]}
    gpd.GeoDataFrame(pd.DataFrame(coops)).to_file(path, layer="cooperations")
    frame = read_layer(path, "cooperations")
    assert not isinstance(frame, gpd.GeoDataFrame)
    assert frame["since"].tolist() == [2020]
    _, problems = read_layers({"areas": path})
    assert any("Geometrie fehlt" in p.message for p in problems)


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "Datei nicht gefunden"), ("kein json", "keine lesbare Geodatei"), ("{}", "keine lesbare Geodatei")],
)
def test_unreadable_files(tmp_path, content, message):
    path = tmp_path / "areas.geojson"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(LayerFileError, match=message):
        read_layer(path, "areas")


def test_read_layers_checks_references_and_crs(tmp_path):
    ws = tiny_workspace()
    ws.actors.to_file(tmp_path / "actors.gpkg")
    offers = ws.offers.copy()
    offers.loc[1, "operator_actor_id"] = "a9"
    offers.set_crs(None, allow_override=True).to_file(tmp_path / "offers.shp")
    _, problems = read_layers({"actors": tmp_path / "actors.gpkg", "offers": tmp_path / "offers.shp"})
    messages = {(p.layer, p.row, p.message) for p in problems}
    assert ("offers", 2, "Akteur „a9“ nicht gefunden") in messages
    assert ("offers", None, "Kein Koordinatensystem (CRS) angegeben") in messages


def test_file_errors_render_in_english_too(tmp_path):
    """The error keeps key and values: German as ``str()``, English on request, led by the layer's name."""
    missing = tmp_path / "fehlt.geojson"
    with pytest.raises(LayerFileError) as caught:
        read_layers({"areas": missing})
    assert str(caught.value) == f"Gebiete: Datei nicht gefunden: {missing}"
    assert caught.value.text("en") == f"Areas: File not found: {missing}"
    assert caught.value.key == "file.in_layer"
