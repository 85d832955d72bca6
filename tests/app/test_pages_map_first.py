"""A link's first screen draws its map first (dashboard/web/map_first.py, ``map_first``): the page down to its map,
no sidebar widgets, no side column; once the map has reported, the page whole, with the map where it was.

AppTest has no browser, so its sessions get the page whole at once; here the session is told it has one. That the
map's first report brings the rest, and that the map is not drawn twice, the browser tests check.
"""

from __future__ import annotations

import time

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.store.gpkgfile import write_geopackage
from dashboard.web import karte_widgets, map_first
from tests.app.test_pages_standorte import into_the_scenario
from tests.support.apptree import texts
from tests.support.factories import tiny_workspace
from tests.support.paths import APP


@pytest.fixture
def browser_session(monkeypatch):
    monkeypatch.setattr(map_first, "_browser", lambda: True)


def _map_paths(block, prefix: tuple[int, ...] = ()) -> list[tuple[int, ...]]:
    """Where the page's maps are in its tree (their delta paths: the browser keeps an element whose path stays)."""
    found = []
    for index, child in getattr(block, "children", {}).items():
        if getattr(child, "type", None) == "component_instance":
            found.append((*prefix, index))
        found += _map_paths(child, (*prefix, index))
    return found


def _keys(at) -> set[str]:
    return {w.key for kind in ("selectbox", "checkbox", "radio", "number_input") for w in at.sidebar.get(kind)}


@pytest.mark.parametrize(
    ("params", "widget_key", "after_map"),
    [
        ({}, "layer_offers", "Quartiere mit der größten Lücke"),
        ({"p": "luecken", "g": "senioren", "t": "400"}, "gap_target_group", "Rangliste: größte Lücke zuerst"),
        ({"p": "profil", "gebiet": "0101"}, None, "Grafiken"),
    ],
    ids=["karte", "luecken", "profil"],
)
def test_a_link_opens_map_first_then_the_page_whole(browser_session, open_link, params, widget_key, after_map):
    at = open_link(**params)
    assert at.session_state[map_first.MAP_FIRST] == map_first.PENDING
    (first_map,) = _map_paths(at.main)
    assert _keys(at) == set()  # no navigation, language or view widgets yet
    assert not at.sidebar.get("popover")  # the share box comes with the rest
    assert after_map not in texts(at)

    at.session_state[map_first.MAP_FIRST] = map_first.SHOWN  # what the map's first report does
    at.run()
    assert not at.exception
    assert after_map in texts(at)
    assert "lang_choice" in _keys(at)
    assert widget_key is None or widget_key in _keys(at)
    assert _map_paths(at.main) == [first_map]  # the map keeps its place: the browser does not draw it anew


def test_a_gap_link_without_age_bands_for_its_group_shows_the_page_whole(browser_session, tmp_path, monkeypatch):
    """No map on that page: the widgets to choose another group come at once."""
    population = tiny_workspace().layers["population"].assign(age_0_5=None, age_6_17=None)
    write_geopackage(tiny_workspace(population=population), tmp_path / "ohne-alter.gpkg")
    monkeypatch.setenv("QUARTIERSATLAS_WORKSPACE", str(tmp_path / "ohne-alter.gpkg"))
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(p="luecken", g="kinder")
    at.run()
    assert not at.exception
    assert "Kinder" in at.warning[-1].value  # the page's message: no age bands for the group
    assert at.session_state[map_first.MAP_FIRST] == map_first.SHOWN
    assert "gap_target_group" in _keys(at)

    at.button(key="gap_all_residents").click().run()  # the way out beside the message (the sidebar is folded on phones)
    assert not at.exception
    assert at.session_state["gap_target_group"] == "alle"
    assert not [w for w in at.warning if "Kinder" in w.value]
    assert at.metric  # the analysis for all residents, headline figures first
    assert "g" not in at.query_params  # the link follows: the default group is left out


def test_only_a_link_to_a_map_page_opens_map_first_and_only_its_first_page(browser_session, open_link):
    """Widgets a run leaves out lose their values: a page after the first must come whole, or it would lose the
    choices made on the page before (the Standortplanung's target group on the Lückenanalyse)."""
    at = open_link(p="standorte")
    assert map_first.MAP_FIRST not in at.session_state
    into_the_scenario(at)

    at = open_link()  # a Karte link, map-first, and another page before its map has reported
    at.switch_page("pages/quellen.py").run()
    assert at.session_state[map_first.MAP_FIRST] == map_first.SHOWN
    at.switch_page("pages/karte.py").run()
    assert "layer_offers" in _keys(at)


def test_a_page_that_fails_above_its_map_still_offers_the_navigation(browser_session, tmp_path, monkeypatch):
    """No map would report: the reader needs the way to the other pages at once."""

    def broken(*args):
        raise RuntimeError("kaputt")

    write_geopackage(tiny_workspace(), tmp_path / "kleinstadt.gpkg")
    monkeypatch.setenv("QUARTIERSATLAS_WORKSPACE", str(tmp_path / "kleinstadt.gpkg"))
    monkeypatch.setattr(karte_widgets, "unit_table", broken)
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert at.exception
    assert at.session_state[map_first.MAP_FIRST] == map_first.SHOWN
    assert "lang_choice" in _keys(at)
    assert at.sidebar.get("page_link")


def test_without_a_browser_the_page_comes_whole_at_once(open_link):
    at = open_link()
    assert map_first.MAP_FIRST not in at.session_state
    assert "layer_offers" in _keys(at)


def test_an_embed_is_never_map_first(browser_session, open_link):
    at = open_link(view="embed")
    assert map_first.MAP_FIRST not in at.session_state
    assert len(_map_paths(at.main)) == 1


def test_a_map_that_never_reports_still_lets_the_rest_come(browser_session, open_link):
    """Its script blocked, a browser too old for it: the map-first screen's timer shows the page whole anyway."""
    at = open_link(p="luecken", g="senioren", t="400")
    at.run()  # a rerun before the time is up (the timer's own, say) still waits for the map
    assert at.session_state[map_first.MAP_FIRST] == map_first.PENDING
    assert _keys(at) == set()

    at.session_state[map_first.SINCE] = time.monotonic() - map_first.GIVE_UP_S
    at.run()  # the timer's run once the time is up
    assert not at.exception
    assert at.session_state[map_first.MAP_FIRST] == map_first.SHOWN
    assert "gap_target_group" in _keys(at)
    assert "Rangliste: größte Lücke zuerst" in texts(at)
