"""The Karte and the Lückenanalyse offer the map of their view as PDF and PNG, drawn only when clicked."""

from __future__ import annotations

import io

import pytest
import streamlit as st
from pypdf import PdfReader

from dashboard.reports import map_export

LABELS = ["Karte als PDF", "Karte als PNG"]


@pytest.fixture
def downloads(monkeypatch) -> dict:
    """What each download button of a run would hand out, by label (a callable until clicked)."""
    data: dict = {}
    real = st.download_button

    def recording(label, content, *args, **kwargs):
        data[label] = content
        return real(label, content, *args, **kwargs)

    monkeypatch.setattr(st, "download_button", recording)
    return data


@pytest.fixture
def drawn(monkeypatch) -> list[str]:
    """Sheets built during a run (none may be: a map is drawn only when its button is clicked)."""
    calls: list[str] = []
    for name in ("karte_sheet", "gap_sheet"):
        real = getattr(map_export, name)
        monkeypatch.setattr(
            map_export, name, lambda *a, _real=real, _name=name, **k: calls.append(_name) or _real(*a, **k)
        )
    return calls


def _pdf_text(data: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_karte_offers_its_map_below_the_map(app, downloads, drawn):
    at = app.sidebar.selectbox(key="bezirk").set_value("01").run()
    assert not at.exception
    assert set(LABELS) <= set(downloads) and drawn == []
    assert at.segmented_control(key="karte_map_page").value == "a4"
    pdf, png = downloads["Karte als PDF"](), downloads["Karte als PNG"]()
    assert drawn == ["karte_sheet", "karte_sheet"]
    text = _pdf_text(pdf)
    assert "– Unterstadt" in text and "Einstellungen der Ansicht:" in text and "Datenstand: 01.01.2026" in text
    assert png.startswith(b"\x89PNG")


def test_lueckenanalyse_offers_its_map_with_the_scenario_in_a3(app, downloads, drawn):
    at = app.switch_page("pages/luecken.py").run()
    at.selectbox(key="gap_toggle_offer").set_value("o1").run()
    next(b for b in at.button if b.label == "Umschalten").click().run()
    at.segmented_control(key="gap_map_file_page").set_value("a3").run()
    assert not at.exception
    assert set(LABELS) <= set(downloads) and drawn == []
    pdf = downloads["Karte als PDF"]()
    reader = PdfReader(io.BytesIO(pdf))
    assert float(reader.pages[0].mediabox.width) == pytest.approx(1190.55, abs=0.5)  # A3 landscape: 420 mm
    text = _pdf_text(pdf)
    assert "Lückenanalyse Kleinstadt: alle" in text and "Szenario: 0 geplante Angebote, 1 abgeschaltet" in text


def test_need_view_and_embedded_map_offer_no_map_file(app, open_link, downloads):
    at = app.switch_page("pages/luecken.py").run()
    at.segmented_control(key="gap_view").set_value("need").run()
    assert not at.exception and not set(LABELS) & {b.label for b in at.get("download_button")}
    embedded = open_link(view="embed", p="karte")
    assert not set(LABELS) & {b.label for b in embedded.get("download_button")}
