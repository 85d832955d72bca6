"""The page "Daten laden" in Streamlit's AppTest: a new city from real files, nothing written before confirming."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.model.roles import User
from dashboard.store import gpkgfile
from dashboard.store.base import open_store
from dashboard.web import signin
from tests.support.factories import EDITOR
from tests.support.officefiles import write_ods
from tests.support.paths import APP, SHARED_DATA

DATA = SHARED_DATA
BEZIRKE = DATA / "stuttgart-stadtbezirke-derived" / "Stgt_Stadtbezirke_dissolved_EPSG25832.geojson"
STADTTEILE = DATA / "stuttgart-stadtteile" / "Stgt_Stadtteile_EPSG25832.geojson"
needs_stuttgart = pytest.mark.skipif(not STADTTEILE.exists(), reason=f"real Stuttgart data not present: {STADTTEILE}")


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    monkeypatch.delenv("QUARTIERSATLAS_WORKSPACE", raising=False)
    monkeypatch.setenv("QUARTIERSATLAS_DATA_DIR", str(tmp_path))
    return tmp_path


def _page(user: User | None = EDITOR) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    if user is not None:
        at.session_state[signin._USER_KEY] = user
    at.run()
    at.switch_page("pages/daten.py").run()
    assert not at.exception
    return at


def _run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, at.exception
    return at


def _upload(at: AppTest, target: str, path_or_name, content: bytes | None = None) -> AppTest:
    at.selectbox(key="load_target").set_value(target)
    name = Path(path_or_name).name
    data = Path(path_or_name).read_bytes() if content is None else content
    next(u for u in at.file_uploader if u.key.startswith("load_files")).set_value(
        (name, data, "application/octet-stream")
    )
    return _run(at)


def _store(data_dir: Path):
    return open_store(data_dir / "quartiersatlas.gpkg")


def test_viewers_are_sent_to_sign_in(data_dir):
    at = _page(user=None)
    assert any("angemeldete Bearbeiter" in i.value for i in at.info)
    assert not at.file_uploader and not at.button


@pytest.mark.real_data
@needs_stuttgart
def test_a_new_city_from_real_files_and_nothing_before_confirming(data_dir):
    at = _page()
    assert any("angezeigt wird die Demo-Stadt" in c.value for c in at.caption)
    at = _upload(at, "bezirke", BEZIRKE)
    at.text_input(key="load_city").input("Stuttgart")
    at.text_input(key="load_licence").input("dl-de/by-2-0")
    at = _run(at)
    assert [m.value for m in at.metric][:3] == ["23", "23", "0"]
    assert not (data_dir / "quartiersatlas.gpkg").exists()  # checked, shown, not written
    at.button(key="load_go").click()
    at = _run(at)
    assert "23" in at.success[0].value
    workspace = _store(data_dir).read()
    assert workspace.city == "Stuttgart" and len(workspace.bezirke()) == 23
    assert workspace.layer_meta("areas").licence == "dl-de/by-2-0"

    at = _upload(at, "quartiere", STADTTEILE)
    assert at.selectbox(key="load_map_quartiere_parent_id").value == "STADTBEZIRKNR"
    assert [m.value for m in at.metric][:3] == ["152", "152", "0"]
    at.button(key="load_go").click()
    at = _run(at)
    workspace = _store(data_dir).read()
    assert len(workspace.quartiere()) == 152 and len(workspace.bezirke()) == 23
    log = _store(data_dir).import_log()
    assert log["user_name"].tolist() == ["anna", "anna"] and log["rows_imported"].tolist() == [152, 23]
    at.switch_page("pages/karte.py").run()
    assert not at.exception and "Stuttgart" in at.title[0].value


def test_broken_file_gives_a_message_and_changes_nothing(data_dir):
    at = _page()
    at = _upload(at, "offers", "angebote.geojson", b"\x00\x01PK garbage \xff\xfe")
    assert at.error and "angebote.geojson" in at.error[0].value
    assert "load_go" not in [b.key for b in at.button]
    assert not (data_dir / "quartiersatlas.gpkg").exists()


def test_table_with_coordinates_bad_rows_and_hostile_text(data_dir, tmp_path):
    gpkgfile.write_geopackage(gpkgfile.read_geopackage(gpkgfile.DEMO_PATH), data_dir / "quartiersatlas.gpkg")
    version = _store(data_dir).version()
    rows = [
        "Name;Kategorie;Zielgruppen;Beteiligung;Breite;Länge;Plätze",
        "<script>alert(1)</script>;Begegnung;alle;Mitwirkung;50,58;8,91;12",
        '=HYPERLINK("http://x");Beratung;Senioren;Information;50,57;8,92;',
        "<img src=x onerror=alert(2)>;Kultur;Familien;Mitentscheidung;50,575;8,915;zwölf",
        "Ohne Kategorie;;alle;Mitwirkung;50,576;8,916;5",
    ]
    content = "\n".join(rows).encode("cp1252")
    at = _page()
    at = _upload(at, "offers", "angebote.csv", content)
    assert at.selectbox(key="load_crs").value == "EPSG:4326"
    at.checkbox(key="load_crs_ok").check()
    at = _run(at)
    assert at.selectbox(key="load_map_offers_name").value == "Name"
    assert [m.value for m in at.metric][:3] == ["4", "3", "1"]  # no category in row 4
    assert _store(data_dir).version() == version  # nothing written while checking
    assert "3" in at.warning[0].value
    at.button(key="load_go").click()
    at = _run(at)
    offers = _store(data_dir).read().offers.set_index("offer_id")
    new = offers.loc[["angebote-0001", "angebote-0002", "angebote-0003"]]
    assert new["name"].tolist() == [
        "<script>alert(1)</script>",
        '=HYPERLINK("http://x")',
        "<img src=x onerror=alert(2)>",
    ]
    assert new["category"].tolist() == ["begegnung", "beratung", "kultur"]
    assert "angebote-0004" not in offers.index


def test_an_ods_list_with_a_title_row_offers_to_skip_it(data_dir, tmp_path):
    """LibreOffice list of Begegnungsstätten under a statistics-office title: the header row is detected,
    shown and changeable by keyboard (a number field); the serial dates of its Stand column come in as dates."""
    gpkgfile.write_geopackage(gpkgfile.read_geopackage(gpkgfile.DEMO_PATH), data_dir / "quartiersatlas.gpkg")
    rows = [
        ["Tabelle 3: Begegnungsstätten, Stand 31.12.2023"],
        [],
        ["Name", "Kategorie", "Zielgruppen", "Beteiligung", "Stand", "Breite", "Länge"],
        ["Treff am Markt", "Begegnung", "alle", "Mitwirkung", 45292, 50.58, 8.91],
        ["Seniorencafé", "Begegnung", "Senioren", "Selbstorganisation", 45366, 50.57, 8.92],
    ]
    path = write_ods(tmp_path / "begegnungsstaetten.ods", {"Tabelle1": rows})
    at = _upload(_page(), "offers", path)
    assert any("Die ersten 2 Zeilen sehen wie ein Titel aus" in i.value for i in at.info)
    assert at.number_input(key="load_header_row").value == 3
    at.number_input(key="load_header_row").set_value(1)
    at = _run(at)
    assert not any("Titel" in i.value for i in at.info)
    assert at.number_input(key="load_header_row").value == 1  # still there to choose again
    assert "Tabelle 3: Begegnungsstätten, Stand 31.12.2023" in at.selectbox(key="load_map_offers_name").options
    at.number_input(key="load_header_row").set_value(2)  # a blank row: a message, and the field to correct it
    at = _run(at)
    assert "Zeile 2 ist leer" in at.error[0].value and at.number_input(key="load_header_row").value == 2
    at.number_input(key="load_header_row").set_value(3)
    at = _run(at)
    at.checkbox(key="load_crs_ok").check()
    at = _run(at)
    assert at.selectbox(key="load_map_offers_name").value == "Name"
    assert at.selectbox(key="load_map_offers_stand").value == "Stand"
    assert [m.value for m in at.metric][:3] == ["2", "2", "0"]
    assert "2 fünfstellige Zahlen als Datum gelesen" in at.dataframe[-1].value.to_string()
    at.button(key="load_go").click()
    at = _run(at)
    offers = _store(data_dir).read().offers.set_index("name")
    assert offers.loc[["Treff am Markt", "Seniorencafé"], "stand"].tolist() == ["2024-01-01", "2024-03-15"]
