"""The server's start prepares what every first open would otherwise pay once per data version."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
import threading
from datetime import date

import pytest

from dashboard.analysis import gaps, profile
from dashboard.maps import gap_map, raster
from dashboard.model.roles import Role
from dashboard.reports import council
from dashboard.store.base import StoreUnavailable
from dashboard.store.gpkgfile import write_geopackage
from dashboard.web import luecken_widgets, server, session, startup
from tests.support.factories import tiny_workspace
from tests.support.paths import ROOT
from tests.support.serving import outside_event_loop


@pytest.fixture(params=["with residents"])
def tiny_store(tmp_path, monkeypatch, request):
    workspace = tiny_workspace()
    if request.param == "no residents yet":
        del workspace.layers["population"]
    path = tmp_path / "kleinstadt.gpkg"
    write_geopackage(workspace, path)
    monkeypatch.setenv("QUARTIERSATLAS_WORKSPACE", str(path))
    caches = (session._load, luecken_widgets._status_quo, luecken_widgets._report_context)
    for cache in caches:
        cache.clear()
    raster._pixel_cells.cache_clear()
    yield
    for cache in caches:
        cache.clear()


def test_the_start_reads_the_city_as_a_viewer_and_places_its_grid_for_every_picture(tiny_store):
    startup.warm()
    loaded = session.load_as(Role.VIEWER)
    assert session.load_as(Role.VIEWER) is loaded  # read once: the first visitor finds it
    assert raster._pixel_cells.cache_info().currsize == 1
    for group, threshold in (("alle", 300), ("kinder", 800)):  # any group, any threshold: the same pixels
        result = gaps.analyse(loaded.city, gaps.GapParams(target_group=group, threshold_m=threshold))
        assert gap_map.grid_picture(result) is not None
    assert raster._pixel_cells.cache_info().misses == 1


def test_the_start_makes_the_default_analysis_and_its_report_context_every_profile_shows(tiny_store, monkeypatch):
    startup.warm()
    loaded = session.load_as(Role.VIEWER)
    monkeypatch.setattr(gaps, "analyse", lambda *a: pytest.fail("the default analysis is made again"))
    monkeypatch.setattr(council, "from_results", lambda *a: pytest.fail("the report context is made again"))
    result = luecken_widgets._status_quo(loaded.version, gaps.GapParams(), loaded.city)
    context = luecken_widgets.report_context(loaded, result, result, "de", date.today())
    assert context.result is result and context.today == date.today()


def test_the_start_makes_the_profile_charts_in_the_default_language(tiny_store):
    profile._chart_spec.cache_clear()
    startup.warm()
    assert profile._chart_spec.cache_info().currsize == len(profile.CHARTS)


def test_the_start_never_imports_streamlit_folium():
    """It declares its map component when imported; outside a script run the component is never registered, and
    no page could show a map."""
    check = "import sys, dashboard.web.startup; sys.exit('streamlit_folium' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", check], cwd=ROOT, capture_output=True).returncode == 0


@pytest.mark.parametrize(
    ("error", "logged"),
    [
        (StoreUnavailable("Verbindung abgelehnt"), []),  # the first page says it, in the reader's language
        (ValueError("postgresql://planer:geheim@db/stadt"), ["Vorbereitung beim Start nicht möglich: ValueError"]),
    ],
)
def test_a_start_that_cannot_prepare_leaves_it_to_the_first_page(tiny_store, monkeypatch, caplog, error, logged):
    def failing(role):
        raise error

    monkeypatch.setattr(session, "load_as", failing)
    with caplog.at_level(logging.WARNING):
        startup.warm()
    assert [r.getMessage() for r in caplog.records] == logged
    assert all(r.exc_info is None for r in caplog.records)  # no stack, no error text (it may hold a secret)


@pytest.mark.parametrize("tiny_store", ["no residents yet"], indirect=True)
def test_a_city_without_residents_yet_is_prepared_without_a_word(tiny_store, caplog):
    """Areas imported, the population not yet: there is no grid to picture, and nothing to warn about."""
    with caplog.at_level(logging.WARNING):
        startup.warm()
    assert not caplog.records
    assert raster._pixel_cells.cache_info().currsize == 0
    assert luecken_widgets._status_quo(session.load_as(Role.VIEWER).version, gaps.GapParams(), None) is not None


def test_the_server_starts_the_preparation_beside_itself(monkeypatch):
    started = threading.Event()
    monkeypatch.setattr(startup, "warm", started.set)
    monkeypatch.setattr(server.projection, "prepare", lambda: None)

    async def start() -> None:
        async with server._lifespan(server.app):
            pass

    outside_event_loop(lambda: asyncio.run(start()))
    assert started.wait(timeout=30)
