"""Fixtures shared by all tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.analysis.city import prepare
from dashboard.store.gpkgfile import DEMO_PATH, read_geopackage

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """test-artifacts/ at the repo root (gitignored): screenshots and logs to look at after a run."""
    path = ROOT / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture(scope="session")
def postgis():
    """A throwaway PostgreSQL + PostGIS server for the session (``tests/pg.py``); skips without the binaries."""
    from tests.pg import running_server

    with running_server() as server:
        yield server


@pytest.fixture(scope="session")
def demo_city():
    """The committed demo city, prepared for analysis (once per test session)."""
    return prepare(read_geopackage(DEMO_PATH))
