"""``Workspace.record_import`` and ``layer_sources``: the one rule both stores keep provenance by."""

from __future__ import annotations

from dashboard.model.workspace import LayerMeta
from tests.support.factories import tiny_workspace

BEZIRKE = LayerMeta("bezirke.shp", "dl-de/by-2-0", "Stadt", "2025-01-01")
QUARTIERE = LayerMeta("quartiere.shp", "CC0", "", "2026-01-01")
FIX = LayerMeta("korrektur.csv", "", "", "2026-02-01")


def _shares(workspace):
    return [(s.meta.source, s.entries) for s in workspace.layer_sources("areas")]


def test_replacing_one_level_of_areas_keeps_the_other_levels_source():
    workspace = tiny_workspace()  # 2 Bezirke 01, 02 and 4 Quartiere
    workspace.meta["areas"] = BEZIRKE
    workspace.record_import("areas", QUARTIERE, "replace", ["0101", "0102", "0201", "0202"])
    assert workspace.meta["areas"] == QUARTIERE and workspace.updates["areas"] == (BEZIRKE,)
    assert workspace.entry_sources["areas"] == {"01": "bezirke.shp", "02": "bezirke.shp"}
    assert _shares(workspace) == [("quartiere.shp", 4), ("bezirke.shp", 2)]

    workspace.record_import("areas", FIX, "update", ["0101"])  # a correction of one Quartier
    assert _shares(workspace) == [("quartiere.shp", 3), ("bezirke.shp", 2), ("korrektur.csv", 1)]
    workspace.record_import("areas", QUARTIERE, "update", ["0101"])  # its own list again: back to the base
    assert _shares(workspace) == [("quartiere.shp", 4), ("bezirke.shp", 2)]
    assert workspace.entry_sources["areas"] == {"01": "bezirke.shp", "02": "bezirke.shp"}

    workspace.record_import("areas", BEZIRKE, "replace", [*workspace.areas["area_id"]])  # everything anew
    assert _shares(workspace) == [("bezirke.shp", 6)] and "areas" not in workspace.updates
    assert "areas" not in workspace.entry_sources


def test_the_first_import_of_a_layer_is_its_base_even_as_an_update():
    workspace = tiny_workspace()
    workspace.record_import("offers", FIX, "update", ["o1"])
    assert workspace.meta["offers"] == FIX and "offers" not in workspace.updates
    assert [(s.meta.source, s.entries) for s in workspace.layer_sources("offers")] == [("korrektur.csv", 2)]
    assert workspace.data_date() == "2026-02-01"
