"""The work-around for Streamlit's legacy pages-folder mode rests on a private attribute, and the renaming of
Streamlit's English texts on its words: these tests fail when a Streamlit upgrade moves, renames or stops flipping
it, or words them differently, before any page silently stops routing or speaks English."""

from pathlib import Path

import streamlit
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from dashboard.web import entry
from tests.support.paths import APP


def test_the_private_flag_the_entry_relies_on_still_exists():
    assert isinstance(PagesManager.uses_pages_directory, bool | None)
    assert entry.APP.name == "app.py" and entry.APP.exists()


def test_pages_folder_turns_legacy_mode_on_and_st_navigation_turns_it_off(monkeypatch):
    """The flag starts as "pages/ exists" (True here); app.py's st.navigation clears it (the work-around's premise)."""
    monkeypatch.setattr(PagesManager, "uses_pages_directory", None)
    PagesManager(str(APP))
    assert PagesManager.uses_pages_directory is True
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()  # AppTest resets the flag and creates its own PagesManager, as a new server would
    assert not at.exception
    assert PagesManager.uses_pages_directory is False


def test_the_app_draws_its_navigation_without_editor_pages_for_viewers():
    """Streamlit's navigation is hidden (config), so the sidebar's page links are the app's own."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    labels = [link.proto.label for link in at.sidebar.get("page_link")]
    assert labels[:2] == ["Karte", "Lückenanalyse"] and "Anmelden" in labels
    assert "Daten laden" not in labels and "Einträge pflegen" not in labels


def test_every_english_text_the_page_renames_is_still_one_of_streamlits():
    """The page puts Streamlit's English labels and texts into the UI language by matching them exactly: a Streamlit
    whose frontend words them differently would leave them English without a sound, unless this fails."""
    bundles = "".join(
        path.read_text(encoding="utf-8") for path in (Path(streamlit.__file__).parent / "static").rglob("*.js")
    )
    words = {label for _, _, label, _ in entry._STREAMLIT_LABELS} | {text for _, text, _ in entry._STREAMLIT_TEXTS}
    quoted = {f"`{word}`" for word in words} | {
        f"`{label.format(label='${')}" for label, _ in entry._STREAMLIT_LABEL_PREFIXES
    }
    quoted |= {"`over 1000`", " result${", " of ${"}  # the table search's counts (_STREAMLIT_COUNTS)
    missing = sorted(text for text in quoted if text not in bundles and text.replace("`", '"') not in bundles)
    assert not missing, f"Streamlits Oberfläche enthält diese Texte nicht mehr: {missing}"
