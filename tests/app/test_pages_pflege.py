"""The page "Einträge pflegen" in Streamlit's AppTest, on a copy of the demo city as the store.

Map clicks cannot happen in AppTest; the tests open entries through the search box and put a
clicked spot into the session the way the page's click handling does (the browser test clicks).
"""

import re
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.model.roles import Role, User
from dashboard.store import gpkgfile
from dashboard.store.base import open_store
from dashboard.web import edits, signin
from tests.support.apptree import everything
from tests.support.factories import EDITOR
from tests.support.paths import APP

CONTACT = re.compile(r"@beispiel\.invalid|\b0000 \d{6}\b")  # the demo's fictional contact data


@pytest.fixture
def store_path(demo_store, monkeypatch) -> Path:
    monkeypatch.setenv("QUARTIERSATLAS_WORKSPACE", str(demo_store))
    return demo_store


def _page(user: User | None = EDITOR) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    if user is not None:
        at.session_state[signin._USER_KEY] = user
    at.run()
    at.switch_page("pages/pflege.py").run()
    assert not at.exception
    return at


def _run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception
    return at


def _open(at: AppTest, entry_id: str, layer: str = "offers") -> AppTest:
    at.selectbox(key=f"pf_pick_{layer}").set_value(entry_id)
    return _run(at)


def _form_key(at: AppTest, entry_id: str) -> str:
    """The open form's key prefix: layer, entry and the version it was opened at."""
    key = next(
        b.key
        for b in at.button
        if b.key and b.key.startswith(f"pf_form_offers_{entry_id}_") and b.key.endswith("_save")
    )
    return key.removesuffix("_save")


def _save(at: AppTest, form: str, **values: str) -> AppTest:
    for name, value in values.items():
        at.text_input(key=f"{form}_{name}").input(value)
    at.button(key=f"{form}_save").click()
    return _run(at)


def _stored(path: Path, entry_id: str, layer: str = "offers"):
    entries = open_store(path).entries(layer)
    return entries.set_index(entries.columns[0]).loc[entry_id]


def test_viewer_gets_an_explanation_and_nothing_else(store_path):
    at = _page(user=None)
    assert [t.value for t in at.title] == ["Einträge pflegen"]
    assert "angemeldet" in at.info[0].value
    assert not at.text_input and not at.number_input and not at.button
    assert not at.get("component_instance") and not at.dataframe  # no map, no history
    assert not CONTACT.search(everything(at))
    assert at.get("page_link")[0].proto.page.endswith("anmelden")


def test_editor_changes_opening_hours_and_the_history_says_so(store_path):
    at = _page()
    assert "Angemeldet als anna (Bearbeitung)" in [c.value for c in at.sidebar.caption]
    assert len(at.get("component_instance")) == 1  # the map
    _open(at, "O0001")
    form = _form_key(at, "O0001")
    assert at.text_input(key=f"{form}_contact").value == "0000 687864"  # editors see and keep contact data
    assert at.text_input(key=f"{form}_offer_id").disabled
    _save(at, form, opening_hours="Mo 9–12 Uhr")
    assert [s.value for s in at.success] == ["Gespeichert: O0001."]
    stored = _stored(store_path, "O0001")
    assert stored["opening_hours"] == "Mo 9–12 Uhr" and stored["row_version"] == 2
    assert stored["contact"] == "0000 687864"  # untouched fields stay as they were
    [change] = open_store(store_path).history(entry_id="O0001")
    assert (change.user, change.action, change.after["opening_hours"]) == ("anna", "update", "Mo 9–12 Uhr")
    history = at.dataframe[0].value
    assert history.iloc[0]["Wer"] == "anna" and "→ Mo 9–12 Uhr" in history.iloc[0]["Änderung (vorher → nachher)"]


def test_a_change_made_meanwhile_is_a_conflict_not_an_overwrite(store_path):
    at = _page()
    _open(at, "O0002")
    form = _form_key(at, "O0002")
    open_store(store_path).update(User("ben", Role.EDITOR), "offers", "O0002", 1, {"opening_hours": "Bens Zeiten"})
    _save(at, form, opening_hours="Annas Zeiten")
    assert "von ben geändert" in at.error[0].value and "nicht gespeichert" in at.error[0].value
    assert _stored(store_path, "O0002")["opening_hours"] == "Bens Zeiten"
    assert [c.user for c in open_store(store_path).history(entry_id="O0002")] == ["ben"]
    current = at.dataframe[0].value.set_index("Feld")["Wert"]
    assert current["Öffnungszeiten"] == "Bens Zeiten"
    at.button(key="pf_reload").click()
    _run(at)
    form = _form_key(at, "O0002")
    assert form.endswith("_2") and at.text_input(key=f"{form}_opening_hours").value == "Bens Zeiten"
    _save(at, form, opening_hours="Annas Zeiten")
    assert _stored(store_path, "O0002")["opening_hours"] == "Annas Zeiten"


def test_undo_restores_the_previous_value(store_path):
    at = _page()
    _open(at, "O0003")
    before = _stored(store_path, "O0003")["name"]
    _save(at, _form_key(at, "O0003"), name="Neuer Name")
    assert _stored(store_path, "O0003")["name"] == "Neuer Name"
    at.button(key="pf_undo").click()
    _run(at)
    assert _stored(store_path, "O0003")["name"] == before
    assert at.success[0].value.startswith("Rückgängig gemacht")
    assert at.text_input(key=f"{_form_key(at, 'O0003')}_name").value == before  # the form shows the restored entry
    at.button(key="pf_undo").click()  # then nothing of anna's is left to undo
    _run(at)
    assert "keine eigene Änderung" in at.error[0].value


def test_problems_are_shown_per_field_and_nothing_is_written(store_path):
    at = _page()
    _open(at, "O0004")
    version = open_store(store_path).version()
    _save(at, _form_key(at, "O0004"), name=" ", stand="31.02.2026")
    errors = [e.value for e in at.error]
    assert errors[0].startswith("Bitte prüfen Sie die markierten Angaben")
    assert errors[1:] == [
        "Pflichtangabe fehlt",
        "Datum „2026-02-31“ gibt es nicht",
    ]  # under the name and the Stand field
    assert open_store(store_path).version() == version


def test_a_new_offer_at_a_clicked_spot(store_path):
    at = _page()
    at.session_state["pf_spot"] = (8.91, 50.58)  # what a click on empty map space leaves
    at.session_state["pf_new"] = True
    _run(at)
    form = "pf_new_offers_0"
    assert at.text_input(key=f"{form}_offer_id").value == "O0892"
    at.text_input(key=f"{form}_name").input("<b>Erzählcafé</b>")
    at.selectbox(key=f"{form}_category").set_value("begegnung")
    at.multiselect(key=f"{form}_target_groups").select("senioren")
    at.selectbox(key=f"{form}_level").set_value("mitwirkung")
    at.number_input(key=f"{form}_capacity").set_value(15)
    at.button(key=f"{form}_save").click()
    _run(at)
    assert [s.value for s in at.success] == ["Neuer Eintrag O0892 gespeichert."]
    stored = _stored(store_path, "O0892")
    assert (stored["name"], stored["target_groups"], stored["capacity"], stored["stand"]) == (
        "<b>Erzählcafé</b>",
        "senioren",
        15,
        date.today().isoformat(),
    )
    assert stored.geometry.distance(_stored(store_path, "O0001").geometry) < 5000
    assert at.subheader[0].value == edits.as_markdown(
        "<b>Erzählcafé</b> (O0892)"
    )  # opened after saving, shown as typed


def test_a_spot_by_keyboard_starts_a_new_entry_where_a_click_would(store_path):
    at = _page()
    at.radio(key="pf_place_by").set_value("coordinates")
    _run(at)
    at.number_input(key="pf_place_lat").set_value(50.58)
    at.number_input(key="pf_place_lon").set_value(8.91)
    at.button(key="pf_place_add").click()
    _run(at)
    assert at.session_state["pf_spot"] == (8.91, 50.58) and at.session_state["pf_new"]
    assert at.text_input(key="pf_new_offers_0_offer_id").value == "O0892"  # the new entry's form is open


def test_a_spot_by_keyboard_moves_the_open_entry_and_a_spot_outside_is_refused(store_path):
    at = _open(_page(), "O0005")
    at.radio(key="pf_place_by").set_value("coordinates")
    _run(at)
    at.number_input(key="pf_place_lat").set_value(8.91)  # latitude and longitude swapped: far outside
    at.number_input(key="pf_place_lon").set_value(50.58)
    at.button(key="pf_place_add").click()
    _run(at)
    assert "pf_spot" not in at.session_state or at.session_state["pf_spot"] is None
    assert any("außerhalb" in e.value and "Es wurde keine Stelle gewählt" in e.value for e in at.error)
    at.radio(key="pf_place_by").set_value("area")
    _run(at)
    at.selectbox(key="pf_place_area").set_value("0101")
    at.button(key="pf_place_add").click()
    _run(at)
    assert at.session_state["pf_spot"] is not None and not at.session_state["pf_new"]  # the open entry stays open
    at.button(key="pf_move").click()
    _run(at)
    moved = _stored(store_path, "O0005").geometry
    assert moved.distance(_stored(store_path, "O0001").geometry) < 5000


def test_retiring_keeps_the_entry_and_takes_it_off_the_map(store_path):
    at = _page()
    _open(at, "O0005")
    at.button(key="pf_retire").click()
    _run(at)
    assert _stored(store_path, "O0005")["retired_on"] == date.today().isoformat()
    assert "O0005" not in set(gpkgfile.read_geopackage(store_path).offers["offer_id"])
    assert any("890 Einträge auf der Karte" in c.value for c in at.caption)
    assert "ausgeschieden" in at.warning[0].value
    at.button(key="pf_reactivate").click()
    _run(at)
    assert _stored(store_path, "O0005")["retired_on"] is None


def test_cooperations_have_no_map_but_can_be_added(store_path):
    at = _page()
    at.radio(key="pf_layer").set_value("cooperations")
    _run(at)
    assert not at.get("component_instance")
    at.button(key="pf_new_entry").click()
    _run(at)
    form = "pf_new_cooperations_0"
    at.selectbox(key=f"{form}_actor_a").set_value("A0001")
    at.selectbox(key=f"{form}_actor_b").set_value("A0002")
    at.selectbox(key=f"{form}_kind").set_value("projekt")
    at.button(key=f"{form}_save").click()
    _run(at)
    stored = _stored(store_path, "K0481", "cooperations")
    assert (stored["actor_a"], stored["actor_b"], stored["kind"]) == ("A0001", "A0002", "projekt")


def test_while_the_demo_shows_it_can_be_adopted(tmp_path, monkeypatch):
    monkeypatch.delenv("QUARTIERSATLAS_WORKSPACE", raising=False)
    monkeypatch.setenv("QUARTIERSATLAS_DATA_DIR", str(tmp_path))
    at = _page()
    assert "Demo-Stadt" in at.info[0].value and "Daten laden" in at.caption[0].value
    assert not at.radio
    at.button(key="pf_adopt").click()
    _run(at)
    assert (tmp_path / "quartiersatlas.gpkg").read_bytes() == gpkgfile.DEMO_PATH.read_bytes()
    assert at.radio(key="pf_layer").value == "offers"
    assert "Demo-Stadt ist jetzt in Ihrem Datenspeicher" in at.success[0].value
