"""``export`` writes a GeoPackage QGIS opens styled like the app (table ``layer_styles``), and with ``--crs``
every layer in the city's CRS; a CRS that is unknown or made for elsewhere ends in German, exit 2, no file."""

from __future__ import annotations

import sqlite3
import xml.etree.ElementTree as ET
from contextlib import closing
from pathlib import Path

import pyogrio
import pytest

from dashboard import cli
from dashboard.store.gpkgfile import read_geopackage, write_geopackage
from tests.support.factories import tiny_workspace

STYLE_COLUMNS = [
    "f_table_catalog",
    "f_table_schema",
    "f_table_name",
    "f_geometry_column",
    "styleName",
    "styleQML",
    "styleSLD",
    "useAsDefault",
    "description",
    "owner",
    "ui",
    "update_time",
]


@pytest.fixture(scope="module")
def city(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("gis") / "kleinstadt.gpkg"
    write_geopackage(tiny_workspace(), path)
    return path


def _styles(path: Path) -> dict[str, dict]:
    with closing(sqlite3.connect(path)) as connection:
        connection.row_factory = sqlite3.Row
        rows = connection.execute("SELECT * FROM layer_styles").fetchall()
    return {row["f_table_name"]: dict(row) for row in rows}


def _symbols(qml: str) -> dict[str, tuple[str, str]]:
    """Category value (or rule filter) → (fill colour, outline colour) as QGIS's ``r,g,b,a``."""
    root = ET.fromstring(qml)
    renderer = root.find("renderer-v2")
    assert renderer is not None
    props = {
        symbol.get("name"): {p.get("k"): p.get("v") for p in symbol.iter("prop")} for symbol in renderer.iter("symbol")
    }
    items = renderer.iter("category") if renderer.get("type") == "categorizedSymbol" else renderer.iter("rule")
    return {
        item.get("value", item.get("filter")): (
            props[item.get("symbol")]["color"],
            props[item.get("symbol")].get("outline_color"),
        )
        for item in items
    }


def test_export_carries_qgis_default_styles_in_the_apps_sector_and_level_colours(city, tmp_path, capsys):
    out = tmp_path / "atlas.gpkg"
    assert cli.main(["export", "--workspace", str(city), "--out", str(out)]) == 0
    assert "Geschrieben" in capsys.readouterr().out
    with closing(sqlite3.connect(out)) as connection:
        columns = [row[1] for row in connection.execute("PRAGMA table_info(layer_styles)")]
        registered = connection.execute("SELECT data_type FROM gpkg_contents WHERE table_name = 'layer_styles'")
        assert registered.fetchone() == ("attributes",)
    assert set(STYLE_COLUMNS) <= set(columns)
    styles = _styles(out)
    assert set(styles) == {"actors", "offers"}
    for layer, row in styles.items():
        assert row["useAsDefault"] == 1 and row["f_table_schema"] == "" and row["styleName"] == "Quartiersatlas"
        assert row["f_geometry_column"] == pyogrio.read_info(out, layer=layer)["geometry_name"]
    actors = _symbols(styles["actors"]["styleQML"])
    assert actors == {  # Okabe–Ito as on the Karte (#E69F00, #0072B2, #009E73, #CC79A7), unknown grey #999999
        "wohnungswirtschaft": ("230,159,0,230", "255,255,255,255"),
        "wohlfahrtspflege": ("0,114,178,230", "255,255,255,255"),
        "kommune": ("0,158,115,230", "255,255,255,255"),
        "zivilgesellschaft": ("204,121,167,230", "255,255,255,255"),
        "": ("153,153,153,230", "255,255,255,255"),
    }
    offers = _symbols(styles["offers"]["styleQML"])
    dark, ring = ("27,79,114,230", "255,255,255,255"), ("255,255,255,230", "127,140,141,255")  # #1b4f72; #7f8c8d
    assert offers["mitwirkung"] == offers["selbstorganisation"] == dark
    assert offers["versorgung"] == offers["konsultation"] == offers[""] == ring
    assert "Mitwirkung" in styles["offers"]["styleQML"]  # labels as the app names the codes
    assert len(read_geopackage(out).offers) == 2  # the store's layers are untouched


def test_export_crs_moves_every_layer_and_keeps_the_data(city, tmp_path):
    out = tmp_path / "utm.gpkg"
    assert cli.main(["export", "--workspace", str(city), "--out", str(out), "--crs", "EPSG:25832"]) == 0
    spatial = [name for name, kind in pyogrio.list_layers(out) if kind is not None]
    assert set(spatial) == {"areas", "population", "actors", "offers", "housing"}
    assert {pyogrio.read_info(out, layer=name)["crs"] for name in spatial} == {"EPSG:25832"}
    offers = pyogrio.read_dataframe(out, layer="offers")
    # offer o1 at (4 300 250, 2 800 250) in EPSG:3035, moved by pyproj into ETRS89 / UTM 32N
    first = offers.set_index("offer_id").geometry["o1"]
    assert (first.x, first.y) == pytest.approx((553_407.04, 5_351_607.30), abs=0.01)
    assert (
        pyogrio.read_info(out, layer="offers")["dtypes"].tolist()
        == pyogrio.read_info(city, layer="offers")["dtypes"].tolist()
    )
    within = pyogrio.read_dataframe(out, layer="offers", bbox=(553_400, 5_351_600, 553_410, 5_351_610))
    assert within["offer_id"].tolist() == ["o1"]  # the spatial index follows the move
    assert set(_styles(out)) == {"actors", "offers"}


@pytest.mark.parametrize(
    ("crs", "says"),
    [
        ("EPSG:99999", "„EPSG:99999“ ist kein Koordinatenbezugssystem"),
        ("Gauss-Krüger", "„Gauss-Krüger“ ist kein Koordinatenbezugssystem"),
        ("EPSG:4978", "ist kein Koordinatenbezugssystem"),  # geocentric, three axes
    ],
)
def test_an_unknown_crs_is_refused_in_german_and_nothing_is_written(city, tmp_path, capsys, crs, says):
    out = tmp_path / "x.gpkg"
    with pytest.raises(SystemExit) as stop:
        cli.main(["export", "--workspace", str(city), "--out", str(out), "--crs", crs])
    assert stop.value.code == 2
    assert says in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_a_crs_of_another_continent_is_refused_and_nothing_is_written(city, tmp_path, capsys):
    out = tmp_path / "x.gpkg"
    assert cli.main(["export", "--workspace", str(city), "--out", str(out), "--crs", "EPSG:2193"]) == 2
    err = capsys.readouterr().err
    assert "außerhalb des Gebiets, für das EPSG:2193 gilt" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_crs_with_one_layer_is_refused(city, tmp_path, capsys):
    out = tmp_path / "angebote.geojson"
    assert (
        cli.main(["export", "--workspace", str(city), "--layer", "offers", "--out", str(out), "--crs", "EPSG:25832"])
        == 2
    )
    assert "--crs gilt nur für das ganze GeoPackage" in capsys.readouterr().err
    assert not out.exists()
