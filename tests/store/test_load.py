"""Load and fault tests, bounded in time and count, on this machine only (``tests/support/loadtest.py`` does the work).

* 20 simulated editors in 2 app instances (processes) save +1 on 10 hot entries for ~15 s
  (PostGIS) and ~10 s (GeoPackage): conflicts happen, and no save is lost.
* A few viewer sessions in Chromium on an app instance that reads a PostGIS store.
* The database server stopped (``pg_ctl stop -m immediate``) while a save is in flight: nothing
  of it is written, the app says "Datenbank nicht erreichbar" instead of failing, and it shows the
  map again once the server is back, without a restart of the app.

Marked ``browser`` (the project's marker for slow tests; pytest.ini registers no other). The full
figures come from ``tests/benchmarks/bench_load.py``.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from pathlib import Path

import psycopg
import pytest

from dashboard.model.roles import Role, User
from dashboard.store import gpkgfile
from dashboard.store.base import StoreUnavailable, open_store
from dashboard.store.migrate import migrate
from tests.support import loadtest
from tests.support.paths import SERVER
from tests.support.serving import outside_event_loop, running_streamlit

pytestmark = pytest.mark.browser

EDITOR = User("ausfall", Role.EDITOR, "password")
UNREACHABLE = "Datenbank nicht erreichbar"


def _chromium() -> None:
    if not loadtest.CHROMIUM.exists():
        message = f"{loadtest.CHROMIUM} fehlt: `make browser-deps` installiert Debians Chromium"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


def _demo_in(url_or_path) -> None:
    migrate(open_store(gpkgfile.DEMO_PATH), open_store(url_or_path))


# ---------------------------------------------------------------- editors


def test_postgis_editors_in_two_instances_lose_no_update(postgis):
    url = postgis.store_url()
    _demo_in(url)
    result = loadtest.editors_run(url, seconds=15, editors=20, instances=2)
    print({k: v for k, v in result.items() if k != "per_entry"})
    assert result["saves"] > 0 and result["conflicts"] > 0
    assert result["lost_updates"] == 0, result["per_entry"]
    assert result["history_rows_added"] == result["saves"]  # every save recorded once, no record without its save
    assert result["errors"] == {}


@pytest.fixture(scope="module")
def geopackage_run(tmp_path_factory) -> dict:
    path = tmp_path_factory.mktemp("load-gpkg") / "quartiersatlas.gpkg"
    shutil.copy(gpkgfile.DEMO_PATH, path)
    result = loadtest.editors_run(path, seconds=10, editors=20, instances=2)
    print({k: v for k, v in result.items() if k != "per_entry"})
    return result


def test_geopackage_editors_in_two_instances_lose_no_update(geopackage_run):
    assert geopackage_run["saves"] > 0 and geopackage_run["conflicts"] > 0
    assert geopackage_run["lost_updates"] == 0, geopackage_run["per_entry"]
    assert geopackage_run["history_rows_added"] == geopackage_run["saves"]


def test_geopackage_reads_do_not_fail_while_the_same_instance_saves(geopackage_run):
    """GDAL's own SQLite and Python's sqlite3 in one process: the store serialises them (gpkgstore._process_lock)."""
    assert geopackage_run["errors"] == {}


# ---------------------------------------------------------------- an app on PostGIS: viewers, then an outage


@pytest.fixture(scope="module")
def outage_db():
    """A server of this module's own (it gets stopped) with the demo city in schema ``stadt``."""
    from tests.support.pg import running_server

    with running_server() as server:
        url = server.store_url("stadt")
        _demo_in(url)
        yield server, url


@pytest.fixture(scope="module")
def db_app(outage_db, artifacts_dir: Path, tmp_path_factory):
    """app.py with QUARTIER_DATABASE_URL on that store (no viewer URL, no project secrets)."""
    _chromium()
    _, url = outage_db
    secrets = tmp_path_factory.mktemp("load-app") / "secrets.toml"
    secrets.write_text("", encoding="utf-8")
    env = {"QUARTIER_DATABASE_URL": url, "QUARTIER_DATABASE_VIEWER_URL": "", "STREAMLIT_SECRETS_FILES": str(secrets)}
    with running_streamlit(SERVER, artifacts_dir / "streamlit-load.log", env) as app_url:
        yield app_url


def test_viewer_sessions_on_a_postgis_app(db_app):
    result = outside_event_loop(lambda: loadtest.viewers_run(db_app, sessions=3, seconds=5))
    print(result)
    assert result["errors"] == {} and result["foreign_hosts"] == []
    assert result["page_loads"] >= 3 and result["reruns"] >= 3
    assert result["page"]["p50_ms"] > 0 and result["rerun"]["p50_ms"] > 0


def _offer_state(data_store, entry_id: str) -> tuple:
    entries = data_store.entries("offers").set_index("offer_id")
    return entries.loc[entry_id, "capacity"], int(entries.loc[entry_id, "row_version"])


def test_database_stopped_mid_save_nothing_written_app_reports_and_recovers(outage_db, db_app, artifacts_dir):
    from playwright.sync_api import expect, sync_playwright

    server, url = outage_db
    data_store = open_store(url)
    entry_id = next(iter(loadtest.hot_entries(url, 1)))
    version, state, history = data_store.version(), _offer_state(data_store, entry_id), data_store.history(limit=1000)

    # a save in flight: offer row updated and data version raised, inside its open transaction, waiting to write
    # its history record, when the server goes down hard
    holder = server.hold_history("stadt")
    outcome: dict = {}

    def save() -> None:
        try:
            outcome["change"] = data_store.update(EDITOR, "offers", entry_id, state[1], {"capacity": int(state[0]) + 1})
        except Exception as err:  # noqa: BLE001 - inspected below
            outcome["error"] = err

    saver = threading.Thread(target=save)
    saver.start()
    try:
        server.wait_for_blocked_save()
        server.stop()
        saver.join(timeout=30)
    finally:
        try:
            holder.close()
        except psycopg.Error:
            pass
    assert not saver.is_alive() and "change" not in outcome
    assert isinstance(outcome.get("error"), StoreUnavailable) and UNREACHABLE in outcome["error"].text()

    def in_browser() -> None:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(loadtest.CHROMIUM), args=loadtest.HEADLESS_ARGS)
            try:
                # (ii) a page opened while the database is down: the app's message, no traceback
                page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
                page.goto(db_app)
                alert = page.get_by_test_id("stAlert").filter(has_text=UNREACHABLE)
                expect(alert).to_be_visible(timeout=60_000)
                expect(page.get_by_test_id("stApp")).to_have_attribute(
                    "data-test-script-state", "notRunning", timeout=30_000
                )
                assert page.get_by_test_id("stException").count() == 0
                assert not re.search(r"Traceback|psycopg|postgresql://|geheim", page.content())
                page.screenshot(path=str(artifacts_dir / "load-db-down.png"), full_page=True)

                # (iii) the server back: the same app shows the map again (no app restart)
                server.start()
                page.reload()
                page.frame_locator(loadtest.MAP_IFRAME).first.locator(loadtest.MAP_DRAWN).first.wait_for(
                    state="attached", timeout=120_000
                )
                expect(page.get_by_test_id("stAlert").filter(has_text=UNREACHABLE)).to_have_count(0)
                page.screenshot(path=str(artifacts_dir / "load-db-back.png"), full_page=True)
            finally:
                browser.close()

    outside_event_loop(in_browser)

    # (i) nothing of the interrupted save is in the store: same data version, same values, no history record
    assert data_store.version() == version
    assert _offer_state(data_store, entry_id) == state
    assert data_store.history(limit=1000) == history
    # and the store takes the same save now
    data_store.update(EDITOR, "offers", entry_id, state[1], {"capacity": int(state[0]) + 1})
    assert _offer_state(data_store, entry_id) == (int(state[0]) + 1, state[1] + 1)
