"""The store tests' fixture: every backend runs the same tests."""

from __future__ import annotations

import shutil

import pytest

from dashboard.store import gpkgfile
from dashboard.store.base import open_store
from dashboard.store.migrate import migrate


@pytest.fixture(params=["geopackage", "postgis"])
def backend_store(request, tmp_path):
    """The demo city in a GeoPackage store, or migrated into a fresh schema of the session's PostGIS server."""
    path = tmp_path / "daten" / "quartiersatlas.gpkg"
    path.parent.mkdir()
    shutil.copy(gpkgfile.DEMO_PATH, path)
    if request.param == "geopackage":
        return open_store(path)
    database = open_store(request.getfixturevalue("postgis").store_url())
    migrate(open_store(path), database)
    return database
