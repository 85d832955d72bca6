"""Fixtures and markers shared by all tests.

Markers come from where a test lives and what it uses, so nobody has to remember them:
``browser`` (tests/browser, real Chromium), ``postgis`` (uses the throwaway PostGIS server),
``real_data`` (tests/real_data, the open data of six cities beside the repository; a test
elsewhere that reads one real file is marked by hand), ``slow`` (set by hand on tests that take
more than a few seconds). ``make test-fast`` leaves out all four.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dashboard.analysis.city import prepare
from dashboard.model.roles import User
from dashboard.store.gpkgfile import DEMO_PATH, read_geopackage
from tests.support.factories import EDITOR
from tests.support.paths import ROOT, real_file

_FOLDER_MARKERS = {"browser": "browser", "real_data": "real_data"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        folder = item.path.relative_to(ROOT / "tests").parts[0]
        if folder in _FOLDER_MARKERS:
            item.add_marker(_FOLDER_MARKERS[folder])
        callspec = getattr(item, "callspec", None)
        if "postgis" in getattr(item, "fixturenames", ()) or (callspec and "postgis" in callspec.id):
            item.add_marker("postgis")


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """test-artifacts/ at the repo root (gitignored): screenshots and logs to look at after a run."""
    path = ROOT / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture(scope="session")
def postgis():
    """A throwaway PostgreSQL + PostGIS server for the session (``tests/support/pg.py``); skips without the binaries."""
    from tests.support.pg import running_server

    with running_server() as server:
        yield server


@pytest.fixture(scope="session")
def demo_city():
    """The committed demo city, prepared for analysis (once per test session)."""
    return prepare(read_geopackage(DEMO_PATH))


@pytest.fixture
def editor() -> User:
    """A signed-in editor, as the store and the role checks see one."""
    return EDITOR


@pytest.fixture
def demo_store(tmp_path) -> Path:
    """A copy of the demo city as a GeoPackage store (``daten/quartiersatlas.gpkg``) a test may change."""
    path = tmp_path / "daten" / "quartiersatlas.gpkg"
    path.parent.mkdir()
    shutil.copy(DEMO_PATH, path)
    return path


@pytest.fixture
def shared_file():
    """``shared_file("stuttgart-stadtteile/…geojson")``: a real file beside the repository, or a skip naming it."""
    return real_file
