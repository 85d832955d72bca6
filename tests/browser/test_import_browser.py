"""Daten laden in a real browser: an editor builds a new city from real files, hostile names stay text,
a broken file is refused.

Each test starts its own server on a data directory of its own (``QUARTIERSATLAS_DATA_DIR``), with one
editor account in a secrets file of its own (never the project's).
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from dashboard.store import gpkgfile
from dashboard.store.base import open_store
from tests.browser.conftest import MAP_IFRAME, ROOT
from tests.support.paths import SERVER
from tests.support.serving import (
    BROWSER_TIMEOUT_MS,
    editor_secrets,
    map_settled,
    running_streamlit,
    sign_in,
    wait_idle,
)

DATA = ROOT.parent / "shared" / "data"
BEZIRKE = DATA / "stuttgart-stadtbezirke-derived" / "Stgt_Stadtbezirke_dissolved_EPSG25832.geojson"
STADTTEILE = DATA / "stuttgart-stadtteile" / "Stgt_Stadtteile_EPSG25832.geojson"
EINWOHNER = DATA / "stuttgart-einwohner" / "population_by_district.csv"
SCRIPT_NAME = "<script>window.__pwned=1</script>"
IMG_NAME = '<img src=x onerror="window.__pwned=2">'
SLOW = 2 * BROWSER_TIMEOUT_MS  # an import, or a first map of a new city, on a busy two-core machine


@contextlib.contextmanager
def _editing_app(data_dir: Path, log: Path) -> Iterator[str]:
    """The app on ``data_dir`` (store ``quartiersatlas.gpkg`` there), editor ``anna`` in a temporary secrets file."""
    secrets = editor_secrets(data_dir.parent / f"{data_dir.name}-secrets.toml")
    env = {
        "QUARTIERSATLAS_DATA_DIR": str(data_dir),
        "QUARTIERSATLAS_WORKSPACE": "",  # else it would win over the data dir
        "QUARTIER_DATABASE_URL": "",
        "STREAMLIT_SECRETS_FILES": str(secrets),
    }
    with running_streamlit(SERVER, log, env) as url:
        yield url


@pytest.fixture
def empty_dir(tmp_path: Path) -> Path:
    path = tmp_path / "daten"
    path.mkdir()
    return path


@pytest.fixture
def empty_app(empty_dir: Path, artifacts_dir: Path, request) -> Iterator[str]:
    with _editing_app(empty_dir, artifacts_dir / f"streamlit-import-{request.node.name}.log") as url:
        yield url


@pytest.fixture
def demo_dir(tmp_path: Path) -> Path:
    path = tmp_path / "demo"
    path.mkdir()
    shutil.copy(gpkgfile.DEMO_PATH, path / "quartiersatlas.gpkg")
    return path


@pytest.fixture
def demo_app(demo_dir: Path, artifacts_dir: Path) -> Iterator[str]:
    with _editing_app(demo_dir, artifacts_dir / "streamlit-import-demo.log") as url:
        yield url


def _sign_in_and_open_loading(page, url: str) -> None:
    page.set_viewport_size({"width": 1400, "height": 1000})
    sign_in(page, url)
    _open(page, "Daten laden")
    expect(page.get_by_role("heading", name="Eigene Daten laden")).to_be_visible()


def _open(page, nav_label: str) -> None:
    page.get_by_test_id("stSidebar").locator(".st-key-app_nav").get_by_text(nav_label, exact=True).click()


def _choose(page, label: str, option: str) -> None:
    """Pick ``option`` in the select box labelled ``label``: once the app is idle, type to narrow, then Enter
    (clicking the option could meet it mid-animation after a rerun)."""
    wait_idle(page)
    box = page.get_by_test_id("stSelectbox").filter(has_text=label)
    box.get_by_role("combobox").click()
    page.keyboard.type(option)
    expect(page.get_by_role("option", name=option, exact=True)).to_have_count(1)
    page.keyboard.press("Enter")
    expect(box.get_by_role("combobox")).to_have_value(option)


def _upload(page, target_label: str, file) -> None:
    """Say what the file holds, then – once that choice's run is over, so the uploader is not redrawn under
    it – give the file to the uploader (a path, or a dict name/mimeType/buffer)."""
    _choose(page, "Was enthält die Datei?", target_label)
    wait_idle(page)
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(file)


def _scroll_to(locator) -> None:
    """Scroll Streamlit's main container so ``locator`` is at the top (a full-page screenshot does not reach
    below it)."""
    locator.evaluate("element => element.scrollIntoView({block: 'start'})")


def _metric(page, label: str):
    return page.get_by_test_id("stMetric").filter(has_text=label).get_by_test_id("stMetricValue")


def _import(page, rows: int, what: str) -> None:
    """Press "N gültige Zeilen laden" and wait for the page to say it loaded them."""
    page.get_by_role("button", name=f"{rows} gültige Zeilen laden").click()
    expect(page.get_by_text(f"Geladen: {rows} Zeilen – {what}")).to_be_visible(timeout=SLOW)


def _assert_not_pwned(page) -> None:
    for frame in page.frames:  # the page and every iframe, the map's included
        assert frame.evaluate("typeof window.__pwned") == "undefined", frame.url


@pytest.mark.skipif(
    not (BEZIRKE.exists() and STADTTEILE.exists() and EINWOHNER.exists()),
    reason=f"real Stuttgart data not present under {DATA}",
)
def test_editor_builds_stuttgart_from_real_files(
    empty_app, empty_dir, page, wait_for_map, save_artifact, requests_made
):
    store_file = empty_dir / "quartiersatlas.gpkg"
    _sign_in_and_open_loading(page, empty_app)
    expect(page.get_by_text("enthält noch keine Gebiete; angezeigt wird die Demo-Stadt")).to_be_visible()

    _upload(page, "Gebiete: Stadtbezirke", BEZIRKE)
    city = page.get_by_label("Name der Stadt")
    expect(city).to_be_visible(timeout=SLOW)
    city.fill("Stuttgart")
    city.press("Enter")
    page.get_by_label("Lizenz (z. B. dl-de/by-2-0, CC BY 4.0)").fill("dl-de/by-2-0")
    page.get_by_label("Lizenz (z. B. dl-de/by-2-0, CC BY 4.0)").press("Enter")
    expect(_metric(page, "gelesen")).to_have_text("23", timeout=SLOW)
    expect(_metric(page, "gültig")).to_have_text("23")
    expect(_metric(page, "abgelehnt")).to_have_text("0")
    expect(page.get_by_role("button", name="23 gültige Zeilen laden")).to_be_visible()
    wait_idle(page)  # the city name's rerun is over before the picture and the click
    _scroll_to(page.get_by_role("heading", name="Herkunft der Daten"))  # metadata, check report and buttons in one view
    save_artifact(page, "import-bericht")
    assert not store_file.exists()  # checked and shown, nothing written
    _import(page, 23, "Gebiete: Stadtbezirke")
    workspace = open_store(store_file).read()
    assert workspace.city == "Stuttgart" and len(workspace.bezirke()) == 23

    _upload(page, "Gebiete: Quartiere / Stadtteile", STADTTEILE)
    expect(_metric(page, "gültig")).to_have_text("152", timeout=SLOW)
    expect(_metric(page, "abgelehnt")).to_have_text("0")
    _scroll_to(page.get_by_role("heading", name="Prüfbericht"))
    save_artifact(page, "import-bericht-quartiere")
    _import(page, 152, "Gebiete: Quartiere / Stadtteile")

    totals = "Bevölkerung: Summen je Gebiet (werden auf 100-m-Zellen verteilt)"
    _upload(page, totals, EINWOHNER)
    expect(
        page.get_by_test_id("stSelectbox").filter(has_text="Spalte mit Kennung oder Name des Gebiets")
    ).to_be_visible(timeout=SLOW)
    _choose(page, "Spalte mit Kennung oder Name des Gebiets", "district")
    _choose(page, "Spalte mit der Einwohnerzahl", "pop")
    expect(_metric(page, "gültig")).to_have_text("23", timeout=SLOW)
    expect(page.get_by_text("gleichmäßig über die Fläche verteilt")).to_be_visible()
    expect(page.get_by_text("Choose options")).to_have_count(0)  # the age bands' empty pickers speak German too
    _scroll_to(page.get_by_role("heading", name="Prüfbericht"))
    save_artifact(page, "import-bericht-einwohner")
    _import(page, 23, totals)

    workspace = open_store(store_file).read()
    assert len(workspace.quartiere()) == 152 and len(workspace.bezirke()) == 23
    assert open_store(store_file).import_log()["rows_imported"].tolist()[:3] == [23, 152, 23]

    _open(page, "Karte")
    expect(page.get_by_role("heading", name="Karte: Stuttgart")).to_be_visible(timeout=SLOW)
    frame = wait_for_map(page)
    assert frame.locator("path.leaflet-interactive").count() >= 152  # the Quartiere, at least
    expect(page.get_by_text("Demodaten – fiktive Stadt")).to_have_count(0)
    assert any("/app/static/vendor/leaflet/" in url for url in requests_made)
    map_settled(page, frame)  # the map's first report has run the map's part again
    save_artifact(page, "import-stuttgart-karte")
    # requests_made fails the test afterwards on any request that left this machine


def _hostile_csv() -> bytes:
    rows = [
        "Name;Kategorie;Zielgruppen;Beteiligung;Breite;Länge",
        f"{SCRIPT_NAME};Begegnung;alle;Mitwirkung;50,58;8,91",
        f"{IMG_NAME};Kultur;alle;Mitentscheidung;50,575;8,925",
    ]
    return ("\r\n".join(rows) + "\r\n").encode("cp1252")


def _hover_offer(page, marker: str) -> str:
    """Move the mouse onto the offer whose (escaped) tooltip text contains ``marker``; returns the tooltip's text."""
    frame = page.locator(MAP_IFRAME).first.element_handle().content_frame()
    point = frame.evaluate(
        """(marker) => {
            let hit = null;
            window.map.eachLayer(layer => {
                const props = layer.feature && layer.feature.properties;
                if (props && layer.getLatLng && Object.values(props).some(v => String(v).includes(marker))) hit = layer;
            });
            if (!hit) return null;
            hit.bringToFront();
            const p = window.map.latLngToContainerPoint(hit.getLatLng());
            const size = window.map.getSize();
            return {x: p.x, y: p.y, inside: p.x > 0 && p.y > 0 && p.x < size.x && p.y < size.y};
        }""",
        marker,
    )
    assert point and point["inside"], f"offer {marker!r} not on the map: {point}"
    box = page.locator(MAP_IFRAME).first.bounding_box()
    page.mouse.move(box["x"] + point["x"], box["y"] + point["y"])
    tooltip = frame.locator(".leaflet-tooltip").filter(has_text="Angebot")
    expect(tooltip).to_be_visible(timeout=10_000)
    assert tooltip.locator("script, img").count() == 0  # the name is text inside the tooltip, no element
    return tooltip.inner_text()


def test_hostile_names_are_shown_as_text(demo_app, demo_dir, page, wait_for_map, save_artifact, requests_made):
    store_file = demo_dir / "quartiersatlas.gpkg"
    version = open_store(store_file).version()
    _sign_in_and_open_loading(page, demo_app)
    _upload(page, "Angebote", {"name": "angebote.csv", "mimeType": "text/csv", "buffer": _hostile_csv()})
    confirm = page.get_by_text("Ja, die Koordinaten sind in EPSG:4326.")
    expect(confirm).to_be_visible(timeout=SLOW)
    confirm.click()
    expect(_metric(page, "gültig")).to_have_text("2", timeout=SLOW)
    expect(_metric(page, "abgelehnt")).to_have_text("0")
    assert open_store(store_file).version() == version  # nothing written while checking
    _assert_not_pwned(page)
    _import(page, 2, "Angebote")
    offers = open_store(store_file).read().offers.set_index("offer_id")
    assert offers.loc[["angebote-0001", "angebote-0002"], "name"].tolist() == [SCRIPT_NAME, IMG_NAME]

    _open(page, "Karte")
    frame = wait_for_map(page)
    map_settled(page, frame)  # the map's first report has run the map's part again
    expect(page.get_by_test_id("stSidebar").get_by_role("checkbox", name="Angebote", exact=True)).to_be_checked()
    assert SCRIPT_NAME in _hover_offer(page, "&lt;script&gt;")
    save_artifact(page, "import-feindlich-tooltip")
    assert IMG_NAME in _hover_offer(page, "&lt;img")
    assert frame.locator("script:has-text('__pwned'), img[src='x']").count() == 0
    _assert_not_pwned(page)

    _open(page, "Einträge pflegen")
    expect(page.get_by_role("heading", name="Einträge pflegen")).to_be_visible(timeout=SLOW)
    picker = page.get_by_test_id("stSelectbox").filter(has_text="Eintrag suchen").get_by_role("combobox")
    picker.click()
    page.keyboard.type("angebote-0002")
    page.get_by_role("option", name="angebote-0002").click()
    expect(page.get_by_role("heading", name=f"{IMG_NAME} (angebote-0002)")).to_be_visible(
        timeout=SLOW
    )  # as text, not markup
    picker.click()
    page.keyboard.type("angebote-0001")
    page.get_by_role("option", name="angebote-0001").click()
    expect(page.get_by_role("heading", name=f"{SCRIPT_NAME} (angebote-0001)")).to_be_visible(timeout=SLOW)
    name_field = page.get_by_label("Name *", exact=True)
    expect(name_field).to_have_count(1, timeout=SLOW)  # the previous entry's form goes when the rerun ends
    expect(name_field).to_have_value(SCRIPT_NAME)
    save_artifact(page, "import-feindlich-pflege")
    _assert_not_pwned(page)
    assert not [url for url in requests_made if url.rstrip("/").endswith("/x")]  # the <img src=x> never became an image


def test_broken_file_gives_a_german_message_and_no_import_button(empty_app, empty_dir, page, save_artifact):
    _sign_in_and_open_loading(page, empty_app)
    _upload(
        page,
        "Angebote",
        {"name": "angebote.geojson", "mimeType": "application/geo+json", "buffer": b"\x00\x01PK garbage \xff\xfe" * 20},
    )
    error = page.get_by_test_id("stAlertContentError")
    expect(error).to_be_visible(timeout=SLOW)
    expect(error).to_contain_text("angebote.geojson lässt sich nicht als GeoJSON lesen")
    save_artifact(page, "import-kaputt")
    expect(page.get_by_role("button", name="gültige Zeilen laden")).to_have_count(0)
    expect(page.get_by_test_id("stMetric")).to_have_count(0)
    assert not (empty_dir / "quartiersatlas.gpkg").exists()
