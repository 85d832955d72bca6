"""The work-around for Streamlit's legacy pages-folder mode rests on a private attribute: this test
fails when a Streamlit upgrade moves or renames it, before any page silently stops routing."""

from streamlit.runtime.pages_manager import PagesManager

from dashboard.web import entry


def test_the_private_flag_the_entry_relies_on_still_exists():
    assert isinstance(PagesManager.uses_pages_directory, bool | None)
    assert entry.APP.name == "app.py" and entry.APP.exists()
