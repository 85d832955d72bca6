"""Saved views in Streamlit's AppTest on the tiny city: saving beside the share link, opening ``?ansicht=``,
and the page "Gespeicherte Ansichten" for viewers and editors."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.model.roles import User
from dashboard.store.base import StoreUnavailable, open_store
from dashboard.store.gpkg import GeoPackageStore
from dashboard.store.gpkgfile import write_geopackage
from dashboard.web import signin
from tests.support.factories import EDITOR, tiny_workspace
from tests.support.paths import APP

NOTE = "Vorlage 2027/113 *fett* <b>x</b>"
UNKNOWN = "Diese gespeicherte Ansicht gibt es nicht (mehr). Es wird die Standardansicht gezeigt."


@pytest.fixture
def store_path(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "kleinstadt.gpkg"
    write_geopackage(tiny_workspace(), path)
    monkeypatch.setenv("QUARTIERSATLAS_WORKSPACE", str(path))
    return path


def _run(user: User | None = None, page: str | None = None, **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if user is not None:
        at.session_state[signin._USER_KEY] = user
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception
    return at


def _saved(path: Path, query: str = "v=1&p=luecken&g=senioren"):
    return open_store(path).save_view(
        EDITOR, title="Seniorentreffs im Norden", note=NOTE, page="luecken", query=query, data_stand="2026-01-01"
    )


def test_an_editor_saves_the_current_view_beside_the_share_link(store_path):
    at = _run(EDITOR, p="luecken", g="senioren")
    at.text_input(key="views_title").input("Seniorentreffs im Norden")
    at.text_area(key="views_note").input(NOTE)
    at.button(key="views_save").click().run()
    [view] = open_store(store_path).saved_views()
    assert (view.title, view.note, view.page, view.query, view.author) == (
        "Seniorentreffs im Norden",
        NOTE,
        "luecken",
        "v=1&p=luecken&g=senioren",
        "anna",
    )
    assert [s.value for s in at.success] == ["Ansicht „Seniorentreffs im Norden“ gespeichert. Ihr kurzer Link:"]
    assert at.code[-1].value == f"/?ansicht={view.view_id}"


def test_without_a_title_nothing_is_saved_and_the_form_says_why(store_path):
    at = _run(EDITOR, p="luecken")
    at.text_area(key="views_note").input("nur eine Notiz")
    at.button(key="views_save").click().run()
    assert [e.value for e in at.error] == ["Bitte geben Sie der Ansicht einen Titel."]
    assert open_store(store_path).saved_views() == []


def test_viewers_get_no_save_form(store_path):
    at = _run(p="luecken")
    assert not [w for w in at.text_input if w.key == "views_title"]


def test_a_short_link_opens_the_saved_page_and_settings_with_title_note_and_stand(store_path):
    view = _saved(store_path)
    at = _run(ansicht=view.view_id)
    assert at.title[0].value.startswith("Lückenanalyse")
    assert at.session_state["gap_target_group"] == "senioren"
    assert at.query_params["g"] == "senioren" and "ansicht" not in at.query_params
    markdown = [m.value for m in at.markdown]
    assert "**Seniorentreffs im Norden**" in markdown
    assert r"Vorlage 2027/113 \*fett\* \<b\>x\</b\>" in markdown  # shown as typed: neither markdown nor HTML
    shown = [c.value.replace("\\", "") for c in at.caption]  # markdown escapes removed, as the reader sees it
    assert any(c.startswith("Gespeichert am ") and c.endswith("von anna, Datenstand 01.01.2026") for c in shown)
    assert not [i for i in at.info if "seit dem Speichern" in i.value]
    assert not at.warning


def test_after_a_data_change_the_view_says_the_figures_may_differ(store_path):
    view = _saved(store_path)
    data_store = open_store(store_path)
    offer = data_store.entries("offers").iloc[0]
    data_store.update(EDITOR, "offers", offer["offer_id"], int(offer["row_version"]), {"name": "Neu"})
    at = _run(ansicht=view.view_id)
    assert [i.value for i in at.info if "seit dem Speichern" in i.value] == [
        "Die Daten wurden seit dem Speichern geändert (Stand 01.01.2026); die Zahlen können abweichen."
    ]


def test_a_tampered_stored_query_goes_through_the_link_checks(store_path):
    view = _saved(store_path, query="p=luecken&g=<script>&t=999999&ansicht=AAAAAAAA")
    at = _run(ansicht=view.view_id)
    assert at.session_state["gap_target_group"] == "alle"
    assert [w.value for w in at.warning] == [
        "Einige Angaben im Link waren unbekannt oder ungültig und wurden ignoriert oder angepasst: `g`, `t`, `ansicht`"
    ]


@pytest.mark.parametrize("view_id", ["zzzzzzzz", "<b>kaputt</b>"])
def test_an_unknown_id_gets_a_notice_and_the_default_view(store_path, view_id):
    at = _run(ansicht=view_id)
    assert at.title[0].value.startswith("Karte")
    assert [w.value for w in at.warning] == [UNKNOWN]


def test_the_list_shows_views_to_viewers_without_edit_controls(store_path):
    view = _saved(store_path)
    at = _run(page="pages/ansichten.py")
    assert [s.value for s in at.subheader] == ["Seniorentreffs im Norden"]
    assert any(c.value.startswith("Seite: Lückenanalyse · Gespeichert am ") for c in at.caption)
    assert [c.value for c in at.code] == [f"/?ansicht={view.view_id}"]
    assert not at.expander and not at.button


def test_an_editor_renames_then_deletes_a_view(store_path):
    view = _saved(store_path)
    at = _run(EDITOR, page="pages/ansichten.py")
    at.text_input[0].set_value("Treffs Nord")
    at.button[0].click().run()  # the form's submit button
    assert open_store(store_path).saved_view(view.view_id).title == "Treffs Nord"
    assert [s.value for s in at.success] == ["Titel und Notiz gespeichert."]
    assert at.button(key=f"views_delete_{view.view_id}").disabled
    at.checkbox(key=f"views_sure_{view.view_id}").check().run()
    at.button(key=f"views_delete_{view.view_id}").click().run()
    assert open_store(store_path).saved_views() == []
    assert [s.value for s in at.success] == ["Die Ansicht „Treffs Nord“ wurde gelöscht."]
    assert [i.value for i in at.info][0].startswith("Noch keine Ansicht gespeichert.")


def test_a_store_that_cannot_read_views_opens_the_default_and_the_list_says_why(store_path, monkeypatch):
    def refuse(self):
        raise StoreUnavailable("keine Berechtigung für diese Änderung in der Datenbank")

    monkeypatch.setattr(GeoPackageStore, "saved_views", refuse)
    at = _run(ansicht="Ab3_x-9Z")
    assert at.title[0].value.startswith("Karte") and [w.value for w in at.warning] == [UNKNOWN]
    at = _run(page="pages/ansichten.py")
    assert len(at.error) == 1 and "keine Berechtigung" in at.error[0].value
