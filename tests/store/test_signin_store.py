"""Failed sign-ins kept in the store (both backends), so every app instance counts them together; the data
version stays, old records go, and the addresses never leave the store in an export."""

from __future__ import annotations

import shutil

import pyogrio
import pytest

from dashboard.model import auth
from dashboard.store import gpkgfile
from dashboard.store.base import open_store
from dashboard.store.migrate import migrate


@pytest.fixture(params=["geopackage", "postgis"])
def location(request, tmp_path) -> str:
    """Where a store with the demo city lives: a GeoPackage file, or a fresh schema of the session's PostGIS."""
    path = tmp_path / "quartiersatlas.gpkg"
    shutil.copy(gpkgfile.DEMO_PATH, path)
    if request.param == "geopackage":
        return str(path)
    url = request.getfixturevalue("postgis").store_url()
    migrate(open_store(path), open_store(url))
    return url


class Clock:
    def __init__(self):
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def test_records_are_written_read_deleted_and_forgotten_without_a_data_change(location):
    store = open_store(location)
    store.record_signin_attempts(
        {"a": auth.Attempts(1, 0, 0.0, 100.0), "b": auth.Attempts(5, 1, 900.0, 200.0)}, forget_before=50.0
    )
    version = store.version()
    assert store.signin_attempts(["a", "b", "c"]) == {
        "a": auth.Attempts(1, 0, 0.0, 100.0),
        "b": auth.Attempts(5, 1, 900.0, 200.0),
    }
    store.record_signin_attempts({"a": None}, forget_before=50.0)
    assert set(store.signin_attempts(["a", "b"])) == {"b"}
    store.record_signin_attempts({}, forget_before=500.0)  # b's last failure is older, but its lockout is not over
    assert set(store.signin_attempts(["b"])) == {"b"}
    store.record_signin_attempts({}, forget_before=1000.0)
    assert store.signin_attempts(["b"]) == {}
    assert store.version() == version


def test_two_instances_count_together_and_a_guesser_locks_only_themselves(location):
    clock = Clock()
    instances = [auth.RateLimiter(open_store(location), clock=clock) for _ in range(2)]
    for attempt in range(5):
        instances[attempt % 2].failed("anna", "203.0.113.7")
    assert all(limiter.wait("anna", "203.0.113.7") == 60 for limiter in instances)
    assert all(limiter.wait("anna", "10.0.0.1") == 0 for limiter in instances)


def test_an_export_carries_no_addresses(tmp_path):
    path = tmp_path / "quartiersatlas.gpkg"
    shutil.copy(gpkgfile.DEMO_PATH, path)
    store = open_store(path)
    store.record_signin_attempts({"addr:203.0.113.7": auth.Attempts(1, 0, 0.0, 1e12)}, forget_before=0.0)
    store.export_geopackage(tmp_path / "export.gpkg")
    assert store.signin_attempts(["addr:203.0.113.7"])
    assert open_store(tmp_path / "export.gpkg").signin_attempts(["addr:203.0.113.7"]) == {}
    assert "signin_attempts" not in {name for name, _ in pyogrio.list_layers(path)}  # QGIS does not list it
