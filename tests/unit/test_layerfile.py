"""Reading layer files: text stays text, whole numbers become Int64, and unreadable files say why in German."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from dashboard.ingest.layerfile import (
    LayerFileError,
    read_layer,
    read_layers,
    split_source,
)
from tests.support.factories import tiny_workspace

# Some tests write Shapefiles (cut names) and files without CRS on purpose.
pytestmark = pytest.mark.filterwarnings(
    "ignore:Column names longer than 10:UserWarning",
    "ignore:Normalized/laundered field name:RuntimeWarning",
    "ignore:'crs' was not provided:UserWarning",
)


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
