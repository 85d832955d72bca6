"""The Lückenanalyse's "Daten herunterladen" panel: four files of the view, none built before it is clicked."""

from __future__ import annotations

import pytest

from dashboard.reports import analysis_export

LABELS = ["Quartiere als Excel (XLSX)", "Quartiere als CSV", "100-m-Zellen (GeoPackage)", "Szenario (GeoJSON)"]


@pytest.fixture
def built(monkeypatch) -> list[str]:
    """Names of the file builders a page run called (none may be: a file is made only when clicked)."""
    calls: list[str] = []
    for name in ("quartier_xlsx", "quartier_csv", "cells_gpkg", "scenario_geojson"):
        monkeypatch.setattr(analysis_export, name, lambda *_, _name=name, **__: calls.append(_name) or b"")
    return calls


def _buttons(at) -> dict:
    return {b.proto.label: b.proto for b in at.get("download_button")}


def test_panel_offers_the_four_files_of_the_view_without_building_them(app, built):
    at = app.switch_page("pages/luecken.py").run()
    assert not at.exception
    headings = [s.value for s in at.subheader]
    assert headings.index("Daten herunterladen") == headings.index("Bericht für die Sitzung") + 1
    buttons = _buttons(at)
    assert list(buttons)[-4:] == LABELS
    assert not buttons["Quartiere als CSV"].disabled
    assert buttons["Szenario (GeoJSON)"].disabled  # no scenario yet
    assert any("GeoPackage, EPSG:3035" in c.value for c in at.caption)
    at.selectbox(key="gap_toggle_offer").set_value("o1").run()
    next(b for b in at.button if b.label == "Umschalten").click().run()
    assert not _buttons(at)["Szenario (GeoJSON)"].disabled
    assert built == []


def test_panel_in_english(app, built):
    app.sidebar.selectbox(key="lang_choice").set_value("en").run()
    at = app.switch_page("pages/luecken.py").run()
    assert not at.exception
    assert "Download the data" in [s.value for s in at.subheader]
    assert list(_buttons(at))[-4:] == [
        "Neighbourhoods as Excel (XLSX)",
        "Neighbourhoods as CSV",
        "100 m cells (GeoPackage)",
        "Scenario (GeoJSON)",
    ]
    assert built == []
