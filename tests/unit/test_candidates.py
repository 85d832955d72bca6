"""Candidate files read like any import: positions from points or coordinate columns, named columns recognised."""

from __future__ import annotations

import json

import pytest

from dashboard.ingest.candidates import read_candidates
from dashboard.ingest.readers import LayerFileError
from dashboard.ingest.validation import ERROR


def test_a_table_with_coordinates_and_german_column_names(tmp_path):
    path = tmp_path / "leerstand.csv"
    path.write_text("Bezeichnung;Begründung;Plätze;lon;lat\nLaden 1;Leerstand;25;9,18;48,78\nLaden 2;;;9,19;48,77\n")
    points, problems = read_candidates(path, upload_limit_mb=5)
    assert problems == []
    assert list(points["name"]) == ["Laden 1", "Laden 2"] and points["reason"].iloc[0] == "Leerstand"
    assert points.crs.to_epsg() == 4326 and points.geometry.x.round(2).tolist() == [9.18, 9.19]
    assert points["capacity"].iloc[0] == "25"


def test_a_feature_without_a_shape_is_an_error_of_its_row(tmp_path):
    features = [
        {
            "type": "Feature",
            "properties": {"name": "Haus"},
            "geometry": {"type": "Point", "coordinates": [9.18, 48.78]},
        },
        {"type": "Feature", "properties": {"name": "Ohne Ort"}, "geometry": None},
    ]
    path = tmp_path / "orte.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    points, problems = read_candidates(path, upload_limit_mb=5)
    assert list(points["name"]) == ["Haus"]
    assert [(p.row, p.severity, p.text()) for p in problems] == [(2, ERROR, "Geometrie fehlt")]


def test_a_list_without_positions_is_refused(tmp_path):
    path = tmp_path / "namen.csv"
    path.write_text("Name;Grund\nHaus;frei\n")
    with pytest.raises(LayerFileError, match="keine Positionen"):
        read_candidates(path, upload_limit_mb=5)
