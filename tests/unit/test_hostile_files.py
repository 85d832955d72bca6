"""Broken, odd and malicious uploads: each one reads, or raises LayerFileError with a clear German message –
nothing else.

The corpus is built from bytes in tmp_path, so no binary file is committed.
"""

from __future__ import annotations

import io
import json
import random
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from dashboard.ingest import readers
from dashboard.ingest.readers import CoordinateGuess, LayerFileError, RawTable, read_file, with_geometry

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning", "ignore::UserWarning")

XSS_NAMES = ["<script>alert('x')</script>", '<img src=x onerror="alert(1)">', 'Treff & Café "Mitte" \' ; --']
GERMAN_WORDS = ("nicht", "kein", "Kein", "leer", "enthält", "fehlen", "erlaubt", "bitte", "Bitte", "passt", "statt")


def _noise(size: int, seed: int = 7, nul: bool = True) -> bytes:
    rng = random.Random(seed)
    data = bytes(rng.randrange(256) for _ in range(size))
    return data if nul else data.replace(b"\x00", b"\x01")


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _encrypted(data: bytes) -> bytes:
    """A zip whose central directory says "encrypted" (the stdlib cannot write real encryption)."""
    data = bytearray(data)
    at = data.find(b"PK\x01\x02")
    data[at + 8] |= 0x01
    return bytes(data)


def _feature_collection(features: list[dict]) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def _point(properties: dict, coordinates=(9.18, 48.78)) -> dict:
    return {
        "type": "Feature",
        "properties": properties,
        "geometry": {"type": "Point", "coordinates": list(coordinates)},
    }


def _xlsx_with_text_inside() -> bytes:
    return _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<kaputt"})


def _broken_shapefile_zip() -> bytes:
    return _zip({"a.shp": _noise(300), "a.shx": _noise(100, 2), "a.dbf": _noise(200, 3)})


def _deep_json(depth: int = 100_000) -> bytes:
    return b'{"type":"FeatureCollection","features":[' + b"[" * depth + b"]" * depth + b"]}"


OSM_EMPTY = b'<?xml version="1.0"?><osm version="0.6"></osm>'
OSM_BENCHES = (
    b'<?xml version="1.0"?><osm version="0.6"><node id="1" lat="48.7" lon="9.1">'
    b'<tag k="amenity" v="bench"/></node></osm>'
)

# (upload name, content, expected: a LayerFileError key, or None when the file must read)
CORPUS: list[tuple[str, bytes, str | None]] = [
    ("leer.geojson", b"", "read.empty_file"),
    ("leer.csv", b"", "read.empty_file"),
    ("leer.xlsx", b"", "read.empty_file"),
    ("leer.zip", b"", "read.empty_file"),
    ("abgeschnitten.geojson", _feature_collection([_point({"a": 1})] * 3)[:-25], "read.not_geojson"),
    ("rauschen.geojson", _noise(4000), "read.not_geojson"),
    ("rauschen.json", _noise(4000, nul=False), "read.not_geojson"),
    ("liste.geojson", b"[1, 2, 3]", "read.not_geojson"),
    ("zahl.geojson", b"42", "read.not_geojson"),
    ("csv-statt-geojson.geojson", b"a;b\n1;2\n", "read.not_geojson"),
    ("tief.geojson", _deep_json(), "read.not_geojson"),
    ("rauschen.gpkg", _noise(8000), "read.not_gpkg"),
    ("rauschen.zip", _noise(3000), "read.zip_broken"),
    ("rauschen.xlsx", _noise(3000), "read.not_spreadsheet"),
    ("falscher-inhalt.xlsx", _xlsx_with_text_inside(), "read.not_spreadsheet"),
    ("rauschen.ods", _noise(3000), "read.not_spreadsheet"),
    ("kein-zip.ods", b"<office:document-content/>", "read.not_spreadsheet"),
    ("rauschen.osm.pbf", _noise(3000), "read.not_pbf"),
    ("kein.osm", b"<html><body>Das ist keine OSM-Datei</body></html>", "read.not_osm"),
    ("leer.osm", OSM_EMPTY, "read.no_rows"),
    ("baenke.osm", OSM_BENCHES, "read.osm_nothing_matched"),
    ("rauschen.csv", _noise(3000), "read.not_text"),
    ("utf16-ohne-bom.csv", "a;b\n1;2\n".encode("utf-16-le"), "read.not_text"),
    ("ohne-shp.zip", _zip({"liesmich.txt": b"Hallo", "daten.csv": b"a;b\n1;2\n"}), "read.zip_without_shp"),
    ("nur-shp.zip", _zip({"quartiere.shp": _noise(500)}), "read.shp_incomplete"),
    ("kaputte-shp.zip", _broken_shapefile_zip(), "read.not_shapefile"),
    ("verschluesselt.zip", _encrypted(_zip({"a.shp": b"x", "a.shx": b"x", "a.dbf": b"x"})), "read.zip_encrypted"),
    ("nur-kopf.csv", b"name;wert\n", "read.no_rows"),
    ("nur-leerzeichen.csv", b"   \n \n\t\n", "read.no_rows"),
    ("zu-viele-werte.csv", b"a;b\n1;2;3\n", "read.csv_bad_line"),
    ("riesenfeld.csv", b"a;b\n" + b"x" * 200_000 + b";1\n", "read.csv_unreadable"),
    ("leere-sammlung.geojson", _feature_collection([]), "read.no_rows"),
    ("alte-tabelle.xls", b"\xd0\xcf\x11\xe0" + _noise(500), "read.not_spreadsheet"),
    ("rauschen.xls", _noise(3000), "read.not_spreadsheet"),
    ("skript.exe", b"MZ" + _noise(500), "read.unknown_format"),
    # odd files: most of them must read
    ("offener-quote.csv", b'a;b\n"x;1\n2;3\n', None),
    ("nur-cr.csv", b"a;b\r1;2\r3;4\r", None),
    ("formeln.csv", b"name;wert\n=cmd|' /C calc'!A0;=1+2\n+SUM(A1);@A1\n", None),
    ("xss.csv", ("name;ort\n" + "\n".join(f'"{n.replace(chr(34), chr(34) * 2)}";x' for n in XSS_NAMES)).encode(), None),
    ("xss.geojson", _feature_collection([_point({"name": n}) for n in XSS_NAMES]), None),
    ("feature.json", json.dumps(_point({"name": "nur eins"})).encode(), None),
    (
        "geometrie-null.geojson",
        _feature_collection([{"type": "Feature", "properties": {"a": 1}, "geometry": None}]),
        None,
    ),
    (
        "riesenzahl.geojson",
        b'{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"n":1e400},'
        b'"geometry":{"type":"Point","coordinates":[9.1,48.7]}}]}',
        "read.not_geojson",
    ),  # fmt: skip
    (
        "unbekanntes-crs.geojson",
        json.dumps(
            {
                "type": "FeatureCollection",
                "crs": {"type": "name", "properties": {"name": "EPSG:999999"}},
                "features": [_point({"a": 1})],
            }
        ).encode(),
        None,
    ),  # fmt: skip
    ("Straße & <b>Sonderzeichen</b>.csv", "name\nä\n".encode(), None),
]


@pytest.mark.parametrize(("name", "content", "expected"), CORPUS, ids=[c[0] for c in CORPUS])
def test_reads_or_says_why_in_german(tmp_path, name, content, expected):
    path = tmp_path / "upload.bin"
    path.write_bytes(content)
    try:
        table = read_file(path, name=name, max_bytes=10_000_000)
    except LayerFileError as err:
        german, english = err.text("de"), err.text("en")
        assert err.key == expected, f"{name}: {err.key} – {german}"
        assert german and english and german != english
        assert any(word in german for word in GERMAN_WORDS), german
        assert "{" not in german and "/tmp/" not in german  # filled in, no temporary path shown
        return
    assert expected is None, f"{name} read, but {expected} was expected"
    assert isinstance(table, RawTable) and len(table.frame) > 0
    for note in table.notes:
        assert note.text("de") and note.text("en")


def test_names_with_markup_are_kept_verbatim_as_text(tmp_path):
    for name, content in [c[:2] for c in CORPUS if c[0].startswith("xss.")]:
        path = tmp_path / name
        path.write_bytes(content)
        frame = read_file(path).frame
        assert frame["name"].tolist() == XSS_NAMES  # not escaped, not stripped: escaping is the page's job


def test_formula_cells_are_text_never_evaluated(tmp_path):
    path = tmp_path / "formeln.csv"
    path.write_bytes(next(c[1] for c in CORPUS if c[0] == "formeln.csv"))
    table = read_file(path)
    assert table.frame.iloc[0].tolist() == ["=cmd|' /C calc'!A0", "=1+2"]
    assert table.frame.iloc[1].tolist() == ["+SUM(A1)", "@A1"]
    assert "read.formula_cells" in [n.key for n in table.notes]


@pytest.mark.parametrize(
    "name", ["gross.geojson", "gross.csv", "gross.zip", "gross.xlsx", "gross.gpkg", "gross.osm.pbf", "gross.osm"]
)
def test_size_is_refused_before_anything_is_parsed(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(_noise(20_000))
    with pytest.raises(LayerFileError) as caught:
        read_file(path, max_bytes=10_000)
    assert caught.value.key == "read.too_large" and name in str(caught.value)


def test_zip_bomb_is_refused_by_its_unpacked_size(tmp_path):
    path = tmp_path / "bombe.zip"
    path.write_bytes(_zip({"a.shp": b"\0" * 30_000_000, "a.shx": b"\0", "a.dbf": b"\0"}))
    assert path.stat().st_size < 100_000
    with pytest.raises(LayerFileError) as caught:
        read_file(path, max_bytes=5_000_000)
    assert caught.value.key == "read.too_large_unpacked"
    xlsx = tmp_path / "bombe.xlsx"
    xlsx.write_bytes(_zip({"xl/worksheets/sheet1.xml": b" " * 30_000_000}))
    with pytest.raises(LayerFileError) as caught:
        read_file(xlsx, max_bytes=5_000_000)
    assert caught.value.key == "read.too_large_unpacked"


def test_a_file_that_may_not_be_read(tmp_path, monkeypatch):
    path = tmp_path / "a.csv"
    path.write_text("a;b\n1;2\n", encoding="utf-8")

    def refuse(self):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", refuse)
    with pytest.raises(LayerFileError) as caught:
        read_file(path)
    assert caught.value.key == "read.os_error" and "Permission denied" in str(caught.value)


def test_unreadable_shapefile_prj_just_leaves_the_crs_open(tmp_path):
    frame = gpd.GeoDataFrame({"n": ["1"]}, geometry=[shapely.Point(513000, 5403000)], crs="EPSG:25832")
    frame.to_file(tmp_path / "a.shp")
    (tmp_path / "a.prj").write_text("das ist kein WKT", encoding="utf-8")
    table = read_file(tmp_path / "a.shp")
    assert table.frame.crs is None and table.crs_candidates[0] == "EPSG:25832"


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        ({"x": ["1e400", "nan", "-inf", "513000"], "y": ["5403000", "5403000", "5403000", "9" * 400]}, "xy"),
        (
            {"wkt": ["POINT (1e400 1)", "POLYGON ((0 0, 1 1))", "LINESTRING EMPTY", "GEOMETRYCOLLECTION (POINT (1 2)"]},
            "wkt",
        ),
        ({"wkt": ["POINT (" + "1 " * 100_000 + ")", "POINT Z (1 2 3)", "\x00", "MULTIPOINT ((1 2), (3 4))"]}, "wkt"),
    ],
)
def test_with_geometry_on_hostile_values_reports_instead_of_raising(values, kind):
    frame = pd.DataFrame(values, dtype=object)
    table = RawTable(frame, "x.csv", "csv")
    located, problems = with_geometry(table, CoordinateGuess(kind, tuple(values), ("EPSG:25832",)), "EPSG:25832")
    assert len(located.frame) == len(frame)
    assert all(p.row and p.field in values and p.text() for p in problems)
    assert readers.guess_coordinates(frame) is None or readers.guess_coordinates(frame).kind in ("xy", "wkt")
