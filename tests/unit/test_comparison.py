"""Vergleich: the table of all Quartiere and the downloads (CSV for Excel, GeoPackage, GeoJSON)."""

import csv
import io
import json

import geopandas as gpd
import pytest

from dashboard.analysis import profile as pf
from dashboard.analysis.city import prepare
from dashboard.analysis.gaps import GapParams, analyse
from dashboard.reports import comparison as cmp
from dashboard.reports import gap_export
from tests.support.factories import tiny_workspace


def _setup(workspace):
    city = prepare(workspace)
    result = analyse(city, GapParams())
    return city, result, pf.unit_counts(city, result)


@pytest.fixture(scope="module")
def tiny():
    return _setup(tiny_workspace())


@pytest.fixture(scope="module")
def hostile():
    """Names a spreadsheet would run as formulas, beside umlauts."""
    workspace = tiny_workspace()
    workspace.layers["areas"]["name"] = [
        "Unterstadt",
        "Oberstadt",
        '=HYPERLINK("http://x")',
        "+Mühle",
        "@Höhe",
        "-Wald",
    ]
    return _setup(workspace)


def _csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def test_all_quartiere_table_is_numeric_and_sortable(tiny):
    city, result, counts = tiny
    table = cmp.indicator_table(cmp.all_quartiere(city, result, counts), city, "de")
    assert list(table["Name"]) == ["Am Bach", "Mühlenviertel", "Höhe", "Wald"]
    assert list(table["Stadtbezirk"]) == ["Unterstadt", "Unterstadt", "Oberstadt", "Oberstadt"]
    assert table["Einwohner"].tolist() == [300, 400, 50, 0]
    assert table["Lückenindex"].sort_values(ascending=False).dropna().tolist() == [95, 48]
    assert table["Anteil 65–79 Jahre (%)"].tolist()[0] == 30.0
    assert table["Fehlende Sektoren"].iloc[0] == "Wohnungswirtschaft, Freie Wohlfahrtspflege, Stadt/Kommune"


def test_side_by_side_values_of_a_quartier_and_a_bezirk(tiny):
    city, result, counts = tiny
    values = cmp.area_values(city, result, counts, ["0102", "01"])
    assert list(values.index) == ["0102", "01"]
    assert values["residents"].tolist() == [400, 700]
    assert values["gap_index"].tolist() == pytest.approx([95, 75])


def test_csv_opens_in_german_excel(hostile):
    city, result, counts = hostile
    data = cmp.csv_export(cmp.all_quartiere(city, result, counts), city, "de")
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8 umlauts
    rows = _csv(data)
    header = rows[0]
    assert header[:5] == ["Kennung", "Name", "Ebene", "Stadtbezirk", "Einwohner"]
    names = [row[1] for row in rows[1:]]
    assert names == ['\'=HYPERLINK("http://x")', "'+Mühle", "'@Höhe", "'-Wald"]
    by_name = {row[1]: dict(zip(header, row, strict=False)) for row in rows[1:]}
    assert by_name["'+Mühle"]["Lückenindex"] == "95"
    assert by_name['\'=HYPERLINK("http://x")']["Anteil 65–79 Jahre (%)"] == "30,0"  # decimal comma
    assert by_name["'@Höhe"]["Lückenindex"] == ""  # withheld: empty, not zero
    assert all(not cell.startswith(gap_export.FORMULA_START) for row in rows for cell in row)


def test_geopackage_and_geojson_hold_geometry_and_figures(tiny, tmp_path):
    city, result, counts = tiny
    selection = cmp.area_values(city, result, counts, ["0101", "02"])
    path = tmp_path / "vergleich.gpkg"
    path.write_bytes(cmp.gpkg_export(selection, city))
    layer = gpd.read_file(path, layer=cmp.GPKG_LAYER)
    assert list(layer["area_id"]) == ["0101", "02"]  # ids stay text
    assert layer["residents"].tolist() == [300, 50]
    assert layer.loc[0, "sectors_missing"] == "wohnungswirtschaft;wohlfahrtspflege;kommune"
    assert layer.crs.to_epsg() == 3035 and layer.geometry.area.round().tolist() == [1_000_000, 2_000_000]

    collection = json.loads(cmp.geojson_export(selection, city))
    feature = collection["features"][0]
    assert feature["properties"]["name"] == "Am Bach" and feature["properties"]["gap_index"] == pytest.approx(
        48.333, abs=1e-3
    )
    lon, lat = feature["geometry"]["coordinates"][0][0]
    assert 5 < lon < 16 and 47 < lat < 56  # EPSG:4326
    assert collection["features"][1]["properties"]["uncovered_residents"] is None  # withheld → null
