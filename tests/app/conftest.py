"""Fixtures of the page tests: app.py in Streamlit's AppTest on the tiny hand-made city."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.store.gpkgfile import write_geopackage
from tests.support.factories import tiny_workspace
from tests.support.paths import APP


@pytest.fixture
def open_link(tmp_path, monkeypatch):
    """``open_link(p="profil", gebiet="02")``: a new session on the tiny city, opened with these URL parameters."""
    path = tmp_path / "kleinstadt.gpkg"
    write_geopackage(tiny_workspace(), path)
    monkeypatch.setenv("QUARTIERSATLAS_WORKSPACE", str(path))

    def open_(**params: str) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=60)
        for key, value in params.items():
            at.query_params[key] = value
        at.run()
        assert not at.exception
        return at

    return open_


@pytest.fixture
def app(open_link):
    return open_link()
