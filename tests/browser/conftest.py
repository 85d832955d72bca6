"""Real-browser tests: the app under Streamlit, driven by Debian's Chromium through Playwright.

Every test in this folder is marked ``browser`` (tests/conftest.py) and fails if the page asked any host other than
this machine for anything (the app must work in networks without internet). Usage::

    def test_karte(app_server, page, wait_for_map, save_artifact, requests_made):
        page.goto(app_server)
        frame = wait_for_map(page)          # the Leaflet iframe, once vector layers exist
        save_artifact(page, "karte")        # -> test-artifacts/karte.png
        assert any("/app/static/vendor/leaflet/" in url for url in requests_made)

``page`` and ``context`` are pytest-playwright's (a new context per test); only the launch
options are set here, because ``playwright install`` cannot download a browser on our machines.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from dashboard.store import gpkgfile
from tests.support.paths import SERVER
from tests.support.serving import (
    BROWSER_TIMEOUT_MS,
    CHROMIUM,
    CHROMIUM_ARGS,
    MAP_IFRAME,
    editor_secrets,
    page_whole,
    running_streamlit,
)

ROOT = Path(__file__).resolve().parents[2]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
MAP_TIMEOUT_MS = BROWSER_TIMEOUT_MS
expect.set_options(timeout=BROWSER_TIMEOUT_MS)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """Launch Debian's Chromium; skip without it, except in CI, where it must be installed."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} fehlt: `make browser-deps` installiert Debians Chromium"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    headless = browser_type_launch_args.get("headless", True)
    args = (["--headless"] if headless else []) + CHROMIUM_ARGS
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": args}


def running_app(log_path: Path):
    """app.py under Streamlit on a free port until the block ends; yields its base URL."""
    return running_streamlit(SERVER, log_path)


@pytest.fixture(scope="session")
def app_server(artifacts_dir: Path, worker_id: str) -> Iterator[str]:
    """One app per xdist worker, shared by the tests that do not care what ran before."""
    with running_app(artifacts_dir / f"streamlit-{worker_id}.log") as url:
        yield url


@pytest.fixture(scope="module")
def fresh_app_server(artifacts_dir: Path, request) -> Iterator[str]:
    """An app no session has opened yet (the first request after a restart behaves differently)."""
    with running_app(artifacts_dir / f"streamlit-{request.module.__name__}.log") as url:
        yield url


@pytest.fixture(scope="module")
def store_path(tmp_path_factory, request) -> Path:
    """A copy of the demo city as the store of the module's ``editing_app``."""
    path = tmp_path_factory.mktemp(request.module.__name__.rpartition(".")[2]) / "quartiersatlas.gpkg"
    shutil.copy(gpkgfile.DEMO_PATH, path)
    return path


@pytest.fixture(scope="module")
def editing_app(store_path: Path, artifacts_dir: Path, request) -> Iterator[str]:
    """The app on that store, with one editor account in a secrets file of its own (never the project's)."""
    secrets = editor_secrets(store_path.parent / "secrets.toml")
    env = {"QUARTIERSATLAS_WORKSPACE": str(store_path), "STREAMLIT_SECRETS_FILES": str(secrets)}
    with running_streamlit(SERVER, artifacts_dir / f"streamlit-{request.module.__name__}.log", env) as url:
        yield url


@pytest.fixture
def context(context):
    """pytest-playwright's context, with the waits of a busy CI machine (see ``BROWSER_TIMEOUT_MS``)."""
    context.set_default_timeout(BROWSER_TIMEOUT_MS)
    context.set_default_navigation_timeout(BROWSER_TIMEOUT_MS)
    return context


@pytest.fixture(autouse=True)
def requests_made(context) -> Iterator[list[str]]:
    """Every URL the browser asked for in this test; afterwards, none may leave this machine."""
    urls: list[str] = []
    context.on("request", lambda request: urls.append(request.url))
    yield urls
    foreign = [url for url in urls if urlsplit(url).hostname not in LOCAL_HOSTS | {None}]
    assert not foreign, f"Anfragen an fremde Hosts: {foreign}"


def _wait_for_map(page, selector: str = "path.leaflet-interactive"):
    """The map's frame once its vector layers exist and the iframe has a height, and the page is whole (a link's
    map comes first, the rest of the page after it).

    Layers are awaited "attached", as the iframe is 0 px high while loading; it stays 0 px if the
    map script failed after drawing (e.g. MarkerCluster on a map without maxZoom), hence the
    visibility check. ``prefer_canvas=True`` maps draw no paths: pass ``".leaflet-overlay-pane canvas"``.
    """
    iframe = page.locator(MAP_IFRAME).first
    page.frame_locator(MAP_IFRAME).first.locator(selector).first.wait_for(state="attached", timeout=MAP_TIMEOUT_MS)
    iframe.wait_for(state="visible", timeout=MAP_TIMEOUT_MS)
    page_whole(page)
    return iframe.element_handle().content_frame()


@pytest.fixture
def wait_for_map() -> Callable:
    return _wait_for_map


@pytest.fixture
def save_artifact(artifacts_dir: Path) -> Callable:
    """``save_artifact(page, name)`` writes a full-page screenshot to test-artifacts/<name>.png (with
    ``full_page=False`` only what the viewport shows, e.g. a phone's first screen)."""

    def save(page, name: str, full_page: bool = True) -> Path:
        path = artifacts_dir / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return save
