"""The shared import steps: generated ids, remembered mappings, what "replace" would take out."""

from __future__ import annotations

import pandas as pd

from dashboard.ingest import importflow
from dashboard.ingest.columnmap import ColumnMapping
from dashboard.ingest.readers import RawTable
from tests.support.factories import tiny_workspace


def _raw(frame: pd.DataFrame, name: str = "Begegnungsstätten 2025.xlsx") -> RawTable:
    return RawTable(frame=frame, source_name=name, format="xlsx")


def test_rows_without_ids_get_ids_from_file_name_and_row():
    raw, mapping = importflow.with_generated_ids(
        _raw(pd.DataFrame({"Name": ["A", "B"]})), ColumnMapping("offers", {"name": "Name"})
    )
    assert raw.frame[importflow.GENERATED_ID].tolist() == ["begegnungsstaetten20-0001", "begegnungsstaetten20-0002"]
    assert mapping.columns["offer_id"] == importflow.GENERATED_ID


def test_an_id_column_without_any_value_counts_as_none_but_real_ids_stay():
    empty = _raw(pd.DataFrame({"osm_id": [None, None], "name": ["A", "B"]}), "osm.geojson")
    raw, mapping = importflow.with_generated_ids(empty, ColumnMapping("offers", {"offer_id": "osm_id"}))
    assert mapping.columns["offer_id"] == importflow.GENERATED_ID and raw.frame[importflow.GENERATED_ID].tolist() == [
        "osm-0001",
        "osm-0002",
    ]
    given = _raw(pd.DataFrame({"Nr": ["007", None]}))
    assert (
        importflow.with_generated_ids(given, ColumnMapping("offers", {"offer_id": "Nr"}))[1].columns["offer_id"] == "Nr"
    )


def test_replace_counts_only_the_level_it_replaces():
    workspace = tiny_workspace()
    assert importflow.existing_entries(workspace, "bezirke") == 2
    assert importflow.existing_entries(workspace, "quartiere") == 4
    assert importflow.existing_entries(workspace, "offers") == len(workspace.offers)
    assert importflow.existing_entries(None, "offers") == 0


def test_preview_shows_text_and_geometry_type():
    table = importflow.preview(
        _raw(pd.DataFrame({"Name": ["<b>x</b>", None], "Zahl": [1.5, float("nan")]})), "Geometrie"
    )
    assert table.to_dict("list") == {"Name": ["<b>x</b>", ""], "Zahl": ["1.5", ""]}
