"""The city's setup, for real: the shipped nginx configuration in front of two app instances on one PostGIS.

A shared link through the proxy shows the map; an edit saved through instance A reaches a session on B at
its next rerun; an instance that dies in the middle of a save writes nothing, and the browser carries on
through the other instance with its view restored from the URL; the proxy sends no one to a dead instance.
"""

from __future__ import annotations

import re
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from dashboard.store import gpkgfile
from dashboard.store.base import open_store
from dashboard.store.migrate import migrate
from tests.browser.conftest import MAP_IFRAME
from tests.support.paths import SERVER
from tests.support.proxy import NGINX, established, running_nginx
from tests.support.serving import (
    EDITOR_NAME,
    EDITOR_PASSWORD,
    editor_secrets,
    free_port,
    sign_in,
    start_streamlit,
    stop,
    wait_idle,
)

SCHEMA = "proxy"
LINK = "luecken?g=senioren&t=400"


@dataclass
class Cluster:
    """Two app instances (A, B) on one store, and nginx in front; an instance can be killed and started again."""

    store_url: str
    env: dict[str, str]
    logs: Path
    ports: dict[str, int] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    proxy: str = ""

    def start(self, name: str) -> None:
        log = self.logs / f"streamlit-proxy-{name}.log"
        self.processes[name], _ = start_streamlit(SERVER, log, self.env, port=self.ports[name])

    def kill(self, name: str) -> None:
        """As a crash does: no chance to finish anything."""
        self.processes[name].kill()
        self.processes[name].wait()

    def direct(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def serving(self, before: dict[str, int]) -> str:
        """The instance that got a new websocket since ``before`` (a snapshot of ``connections()``)."""
        grown = [name for name, count in self.connections().items() if count > before[name]]
        assert len(grown) == 1, (before, self.connections())
        return grown[0]

    def connections(self) -> dict[str, int]:
        return {name: established(port) for name, port in self.ports.items()}


@pytest.fixture(scope="module")
def cluster(postgis, artifacts_dir: Path, tmp_path_factory) -> Iterator[Cluster]:
    if not NGINX.exists():
        pytest.fail(f"{NGINX} fehlt: `make proxy-deps` installiert Debians nginx")
    url = postgis.store_url(SCHEMA)
    migrate(open_store(gpkgfile.DEMO_PATH), open_store(url))
    root = tmp_path_factory.mktemp("proxy")
    secrets = editor_secrets(root / "secrets.toml")
    env = {"QUARTIER_DATABASE_URL": url, "QUARTIER_DATABASE_VIEWER_URL": "", "STREAMLIT_SECRETS_FILES": str(secrets)}
    cluster = Cluster(url, env, artifacts_dir, {"A": free_port(), "B": free_port()})
    try:
        cluster.start("A")
        cluster.start("B")
        with running_nginx(root / "nginx", (cluster.ports["A"], cluster.ports["B"])) as proxy:
            cluster.proxy = proxy
            yield cluster
    finally:
        for process in cluster.processes.values():
            stop(process)


def _shows_the_view(page) -> None:
    """The link's settings are on the page: group Senioren, threshold 400 m."""
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_role("combobox", name="Zielgruppe")).to_have_value("Senioren")
    expect(sidebar.get_by_role("spinbutton", name="Entfernungsschwelle (m)")).to_have_value("400")


def _pflege(page, base: str):
    """The editor's Einträge pflegen page with the offers drawn; returns the map frame."""
    sign_in(page, base)
    page.get_by_test_id("stSidebar").locator(".st-key-app_nav").get_by_text("Einträge pflegen").click()
    frame = page.frame_locator(MAP_IFRAME).first
    expect(frame.locator("path.leaflet-interactive").first).to_be_attached()
    wait_idle(page)
    return frame


def _new_offer(page, name: str, left: int) -> None:
    """Click an empty spot ``left`` pixels from the map's top right corner (each test its own: an offer added
    before is at its spot) and fill in a new offer (not saved yet)."""
    heading = page.get_by_role("heading", name="Neuer Eintrag: Angebote")
    for _ in range(3):  # a click while the map frame is still being redrawn is lost: click again once idle
        wait_idle(page)
        box = page.locator(MAP_IFRAME).first.bounding_box()
        page.mouse.click(box["x"] + box["width"] - left, box["y"] + 60)
        try:
            heading.wait_for(state="visible", timeout=20_000)
            break
        except PlaywrightTimeout:
            continue
    expect(heading).to_be_visible()
    page.get_by_label("Name *", exact=True).fill(name)
    for label, option in (("Kategorie", "Begegnung/Nachbarschaftstreff"), ("Beteiligungsstufe", "Mitwirkung")):
        page.get_by_test_id("stSelectbox").filter(has_text=label).get_by_role("combobox").click()
        page.keyboard.type(option)
        page.get_by_role("option", name=option, exact=True).click()
    page.get_by_test_id("stMultiSelect").filter(has_text="Zielgruppen").get_by_role("combobox").click()
    page.keyboard.type("Senioren")
    page.get_by_role("option", name="Senioren", exact=True).click()
    page.keyboard.press("Escape")


def test_a_shared_link_through_the_proxy_shows_the_map_and_static_files_are_cached(cluster, page, wait_for_map):
    page.goto(f"{cluster.proxy}/{LINK}")
    wait_for_map(page)
    _shows_the_view(page)
    assert [c["name"] for c in page.context.cookies() if c["name"] == "qa_instanz"] == ["qa_instanz"]
    script = page.locator("script[src*='/static/js/']").first.get_attribute("src")
    answer = page.request.get(f"{cluster.proxy}/{script.lstrip('./')}")
    assert answer.ok and "immutable" in answer.headers["cache-control"]
    with urllib.request.urlopen(f"{cluster.proxy}/_stcore/health", timeout=10) as health:
        assert health.read() == b"ok"


def test_an_edit_saved_through_one_instance_reaches_a_session_on_the_other(cluster, browser):
    contexts = [browser.new_context(viewport={"width": 1500, "height": 1200}) for _ in range(2)]
    try:
        on_a, on_b = (context.new_page() for context in contexts)
        frame_b = _pflege(on_b, cluster.direct("B"))
        before = frame_b.locator("path.leaflet-interactive").count()
        _pflege(on_a, cluster.direct("A"))
        _new_offer(on_a, "Treff über Instanz A", left=60)
        on_a.get_by_role("button", name="Speichern").click()
        expect(on_a.get_by_text(re.compile(r"Neuer Eintrag O\d+ gespeichert\."))).to_be_visible()

        on_b.get_by_test_id("stSidebar").locator(".st-key-app_nav").get_by_text("Einträge pflegen").click()  # a rerun
        expect(frame_b.locator("path.leaflet-interactive")).to_have_count(before + 1)
    finally:
        for context in contexts:
            context.close()


def _attempt(page, base: str, password: str) -> None:
    """One sign-in on the Anmelden page; waits for the app's answer."""
    page.goto(f"{base}/anmelden")
    page.get_by_label("Benutzername").fill(EDITOR_NAME)
    page.get_by_label("Passwort").fill(password)
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_test_id("stAlert").first).to_be_visible()


def test_wrong_passwords_through_the_proxy_lock_out_the_guesser_on_every_instance_but_no_one_else(cluster, browser):
    """The reproduction: behind the proxy every client was "unbekannt", so five wrong passwords for a name locked
    every editor out, and each instance counted alone. Clients here differ by the address the proxy forwards."""

    def person(address: str):
        return browser.new_context(extra_http_headers={"X-Forwarded-For": address}).new_page()

    guesser, editor = person("203.0.113.7"), person("198.51.100.2")
    try:
        for attempt in range(5):  # alternately straight to A and to B: the instances count together
            _attempt(guesser, cluster.direct("AB"[attempt % 2]), "falsch")
        expect(guesser.get_by_text("Zu viele Fehlversuche").first).to_be_visible()
        _attempt(guesser, cluster.proxy, EDITOR_PASSWORD)
        expect(guesser.get_by_text("Zu viele Fehlversuche").first).to_be_visible()
        _attempt(editor, cluster.proxy, EDITOR_PASSWORD)
        expect(editor.get_by_text(f"Angemeldet als {EDITOR_NAME} (Bearbeitung)").first).to_be_visible()
    finally:
        guesser.context.close()
        editor.context.close()


def test_an_instance_dying_mid_save_writes_nothing_and_the_browser_goes_on_through_the_other(
    cluster, postgis, browser, save_artifact
):
    store = open_store(cluster.store_url)
    version, history = store.version(), store.history(limit=1000)
    context = browser.new_context(viewport={"width": 1500, "height": 1200})
    holder, dead = None, None
    try:
        page = context.new_page()
        before = cluster.connections()
        _pflege(page, cluster.proxy)
        name = cluster.serving(before)
        shared = context.new_page()  # the same browser: the same instance (its cookie)
        shared.goto(f"{cluster.proxy}/{LINK}")
        _shows_the_view(shared)
        other = next(n for n in cluster.ports if n != name)
        on_other = cluster.connections()[other]

        page.bring_to_front()
        wait_idle(page)
        _new_offer(page, "Halb gespeichert", left=140)
        holder = postgis.hold_history(SCHEMA)
        page.get_by_role("button", name="Speichern").click()
        postgis.wait_for_blocked_save()
        cluster.kill(name)
        dead = name
        holder.close()
        holder = None
        assert store.version() == version and store.history(limit=1000) == history
        assert "Halb gespeichert" not in set(store.entries("offers")["name"])

        # both pages reconnect through the proxy to the other instance; the link's page gets its view from the URL
        _until(lambda: cluster.connections()[other] >= on_other + 2)
        wait_idle(shared)
        expect(shared.frame_locator(MAP_IFRAME).first.locator("path.leaflet-interactive").first).to_be_attached()
        _shows_the_view(shared)
        save_artifact(shared, "proxy-nach-ausfall")

        # a new visitor is not sent to the dead instance
        fresh = browser.new_context()
        try:
            fresh_page = fresh.new_page()
            fresh_page.goto(f"{cluster.proxy}/{LINK}")
            _shows_the_view(fresh_page)
        finally:
            fresh.close()
    finally:
        if holder is not None:
            holder.close()
        context.close()
        if dead:
            cluster.start(dead)  # for whatever runs after


def _until(condition, timeout_s: float = 90) -> None:
    """Wait for ``condition`` (checked every 0.1 s) or fail after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.1)
