"""Start a Streamlit script on a free loopback port and stop it again (browser tests, benchmarks)."""

from __future__ import annotations

import contextlib
import html
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar
from urllib.parse import parse_qs, urlsplit

from tests.support.paths import ROOT

STARTUP_TIMEOUT_S = 60
CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium keeps dialling Google's hosts.
CHROMIUM_ARGS = [  # headless is added where wanted
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
#: How long a browser test waits for what it needs. Generous, because CI's 2 cores may be busy; a test
#: never waits a fixed time, so a fast machine is not slowed down by it.
BROWSER_TIMEOUT_MS = 90_000
T = TypeVar("T")


def wait_idle(page) -> None:
    """Streamlit's script run is over (reruns after a click, a URL update, a map report included)."""
    from playwright.sync_api import expect

    expect(page.get_by_test_id("stApp")).to_have_attribute("data-test-script-state", "notRunning")


#: How long a widget change may take to start its run before the test counts it as lost (see ``choose_radio``).
RUN_START_MS = 15_000


def _started_run(page, action: Callable[[], object]) -> bool:
    """Do ``action`` (a widget change) on the idle app; whether it started a run, which is then awaited.

    ``wait_idle`` right after a click may find the app still idle, before the click's run has begun, and what the
    test does next would meet that run half-way; so the script state's first change after the action is awaited.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    wait_idle(page)
    page.evaluate(
        """() => {
            const app = document.querySelector('[data-testid=stApp]');
            window.__qaRunStarted = false;
            const seen = new MutationObserver(() => { window.__qaRunStarted = true; seen.disconnect(); });
            seen.observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
        }"""
    )
    action()
    try:
        page.wait_for_function("() => window.__qaRunStarted", timeout=RUN_START_MS)
    except PlaywrightTimeout:
        return False
    wait_idle(page)
    return True


def choose_radio(page, option: str, other: str) -> None:
    """Choose ``option`` of a radio group and wait for the run it starts.

    On a busy machine (CI's two cores, a second browser test beside) a radio change has been seen, about once in
    thirty, to show as chosen in the browser and start no run, so the map click that followed chose a Quartier
    instead of placing an offer. The test then does what a reader would: it chooses ``other`` and ``option`` again.
    """
    group = page.get_by_test_id("stRadioGroup").filter(has_text=option)
    for _ in range(3):
        if _started_run(page, group.get_by_text(option, exact=True).click):
            return
        _started_run(page, group.get_by_text(other, exact=True).click)
    raise AssertionError(f"„{option}“ gewählt, aber die App hat dreimal keinen Lauf begonnen")


def click_map(page, fx: float = 0.5, fy: float = 0.5) -> None:
    """Click the map at a fraction of its frame once the app is idle, and wait until the map has reported a click
    on one of its shapes to the app (a click on nothing reports nothing; the test would wait in vain for its
    effect)."""
    wait_idle(page)
    iframe = page.locator(MAP_IFRAME)
    iframe.wait_for(state="visible")
    frame = iframe.element_handle().content_frame()
    before = frame.evaluate("() => window.__GLOBAL_DATA__.last_object_clicked_count")
    box = iframe.bounding_box()
    page.mouse.click(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)
    frame.wait_for_function(
        "before => window.__GLOBAL_DATA__.last_object_clicked_count > before"
        " && window.__GLOBAL_DATA__.previous_data.last_object_clicked === window.__GLOBAL_DATA__.last_object_clicked",
        arg=before,
    )


def page_whole(page) -> None:
    """The page is drawn whole and the run is over: a link's first run draws a map page down to its map, and the
    map's first report brings the rest, its navigation among it (an embed has neither)."""
    if "view=embed" not in page.url:
        page.locator(".st-key-app_nav [data-testid=stPageLink]").first.wait_for(state="attached")
    wait_idle(page)


def map_settled(page, frame) -> None:
    """The map in ``frame`` has reported its view to the app and the run that caused is over."""
    frame.wait_for_function("() => window.__GLOBAL_DATA__.previous_data.center !== undefined")
    wait_idle(page)


def outside_event_loop(work: Callable[[], T]) -> T:
    """Run ``work`` in a thread of its own: a browser test earlier on this worker leaves pytest-playwright's
    asyncio loop running in the main thread, where Playwright's sync API and asyncio.run() refuse to start."""
    results: dict = {}

    def run() -> None:
        try:
            results["value"] = work()
        except BaseException as err:  # noqa: BLE001 - re-raised in the test's thread
            results["error"] = err

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in results:
        raise results["error"]
    return results.get("value")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def healthy(url: str, path: str = "/_stcore/health") -> bool:
    """The server at ``url`` answers ``path`` (Streamlit's health check by default) with 200."""
    try:
        with urllib.request.urlopen(f"{url}{path}", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def start_streamlit(
    script: Path, log_path: Path, env: dict[str, str] | None = None, port: int | None = None
) -> tuple[subprocess.Popen, str]:
    """Start ``script`` and wait until it answers; without a ``port``, another free port if the chosen one was
    taken meanwhile (another test's server, e.g. a PostgreSQL, may grab it between choosing and binding).

    The app's server (``SERVER``) runs from the project folder, as in production (its settings are in
    ``.streamlit/`` there); a throwaway script from its own folder.
    """
    cwd = ROOT if script.is_relative_to(ROOT) else script.parent
    for attempt in range(3):
        chosen = port or free_port()
        url = f"http://127.0.0.1:{chosen}"
        command = [
            sys.executable, "-m", "streamlit", "run", str(script.relative_to(cwd)),
            "--server.headless", "true",
            "--server.port", str(chosen),
            "--server.address", "127.0.0.1",
            "--browser.gatherUsageStats", "false",
        ]  # fmt: skip
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                command,
                cwd=cwd,
                env={**os.environ, **(env or {})},
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not healthy(url):
            if process.poll() is not None or time.monotonic() > deadline:
                stop(process)
                tail = log_path.read_text(errors="replace")[-3000:]
                if "already in use" in tail and attempt < 2:
                    break
                raise RuntimeError(f"Streamlit kam nicht hoch ({url}); Log {log_path}:\n{tail}")
            time.sleep(0.2)
        else:
            return process, url
    raise AssertionError("unreachable")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextlib.contextmanager
def running_streamlit(script: Path, log_path: Path, env: dict[str, str] | None = None) -> Iterator[str]:
    """``script`` under Streamlit until the block ends; yields the base URL."""
    process, url = start_streamlit(script, log_path, env)
    try:
        yield url
    finally:
        stop(process)


#: The editor account of the browser tests (a secrets file of their own, never the project's).
EDITOR_NAME = "anna"
EDITOR_PASSWORD = "Korrekt Pferd Batterie"


def editor_secrets(path: Path) -> Path:
    """A Streamlit secrets file at ``path`` with the editor account (cheap bcrypt rounds: tests only)."""
    import bcrypt

    password_hash = bcrypt.hashpw(EDITOR_PASSWORD.encode(), bcrypt.gensalt(rounds=4)).decode()
    path.write_text(
        f'[auth.accounts.{EDITOR_NAME}]\npassword_hash = "{password_hash}"\nrole = "editor"\n', encoding="utf-8"
    )
    return path


def sign_in(page, url: str) -> None:
    """Sign the editor in on the Anmelden page, as a person does, and wait until the app says so."""
    from playwright.sync_api import expect

    page.goto(f"{url}/anmelden")
    page.get_by_label("Benutzername").fill(EDITOR_NAME)
    page.get_by_label("Passwort").fill(EDITOR_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_text(f"Angemeldet als {EDITOR_NAME} (Bearbeitung)").first).to_be_visible()


def link_query(url: str) -> dict[str, list[str]]:
    """The query parameters of a URL, for comparing links."""
    return parse_qs(urlsplit(url).query)


def open_fresh(browser, url: str, wait_for_map):
    """The link in a new browser context, map loaded."""
    context = browser.new_context(viewport={"width": 1400, "height": 1100})
    page = context.new_page()
    page.goto(url)
    wait_for_map(page)
    return context, page


def shared_link(page, attempts: int = 5) -> str:
    """The link from the "Link teilen" box; it must match the address bar.

    The map reports its position after it is drawn, which starts one more run that writes the URL;
    a box opened in between shows the link of the run before. So the box is read again after each
    run until both agree (each attempt waits for the app to be idle, never for a fixed time).
    """
    for _ in range(attempts):
        wait_idle(page)
        page.get_by_test_id("stSidebar").get_by_role("button", name=re.compile("Link teilen")).click()
        codes = page.get_by_test_id("stCode")
        link = codes.filter(has_not_text="<iframe").last.inner_text().strip()
        if link_query(link) == link_query(page.url):
            break
        page.keyboard.press("Escape")
    else:
        raise AssertionError(f"shared link {link} differs from the address {page.url}")
    snippet = codes.filter(has_text="<iframe").last.inner_text().strip()  # the map pages offer the embed code too
    assert html.unescape(snippet).startswith(f'<iframe src="{link}&embed=true&view=embed"')
    page.keyboard.press("Escape")
    return link
