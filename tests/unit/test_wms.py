"""A city's own WMS as basemap: read from QUARTIERSATLAS_WMS_*, checked (a wrong setting leaves it out with a
German message), drawn as a Leaflet WMS layer with its credits escaped, and absent when nothing is set."""

from __future__ import annotations

import json
import re

import pytest

from dashboard.analysis.city import prepare
from dashboard.analysis.classify import classify
from dashboard.analysis.indicators import unit_table
from dashboard.i18n import t
from dashboard.maps.karte import build_map, prepare_map_data
from dashboard.model.view import LAYER_KEYS, MapView
from dashboard.reports.sources import basemap_text
from dashboard.store.settings import Settings, Wms, load_settings
from tests.support.factories import tiny_workspace

CITY_WMS = {
    "QUARTIERSATLAS_WMS_URL": "https://geo.stadt.example/wms?map=basis",
    "QUARTIERSATLAS_WMS_LAYERS": "stadtplan,gebaeude",
    "QUARTIERSATLAS_WMS_ATTRIBUTION": "© Stadt <Vermessung> & Co",
}


@pytest.fixture(scope="module")
def city():
    return prepare(tiny_workspace())


def _html(city, settings: Settings) -> str:
    view = MapView(layers=frozenset(LAYER_KEYS))
    table = unit_table(city, view)
    fmap, _ = build_map(prepare_map_data(city), city, table, classify(table[view.measure]), view, settings)
    return fmap.get_root().render()


def test_settings_read_the_wms_with_png_and_wms_1_3_0_by_default():
    settings = load_settings(CITY_WMS)
    assert settings.wms == Wms(
        "https://geo.stadt.example/wms?map=basis",
        "stadtplan,gebaeude",
        "© Stadt <Vermessung> & Co",
        "image/png",
        "1.3.0",
    )
    assert settings.problems == ()
    older = load_settings(
        {**CITY_WMS, "QUARTIERSATLAS_WMS_FORMAT": "image/jpeg", "QUARTIERSATLAS_WMS_VERSION": "1.1.1"}
    )
    assert older.wms is not None and (older.wms.fmt, older.wms.version) == ("image/jpeg", "1.1.1")


def test_nothing_set_means_no_wms_and_nothing_to_report():
    assert load_settings({}).wms is None and load_settings({}).problems == ()


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"QUARTIERSATLAS_WMS_URL": "ftp://geo.stadt.example/wms"}, "settings.wms.bad_url"),
        ({"QUARTIERSATLAS_WMS_URL": "javascript:alert(1)"}, "settings.wms.bad_url"),
        ({"QUARTIERSATLAS_WMS_URL": "https://"}, "settings.wms.bad_url"),
        ({"QUARTIERSATLAS_WMS_URL": "geo.stadt.example/wms"}, "settings.wms.bad_url"),
        ({"QUARTIERSATLAS_WMS_URL": "https://gis:Geheim-1@geo.stadt.example/wms"}, "settings.wms.bad_url"),
        ({"QUARTIERSATLAS_WMS_URL": "https://geo.stadt.example:wms/"}, "settings.wms.bad_url"),
        ({"QUARTIERSATLAS_WMS_LAYERS": " "}, "settings.wms.no_layers"),
        ({"QUARTIERSATLAS_WMS_FORMAT": "text/html"}, "settings.wms.bad_format"),
        ({"QUARTIERSATLAS_WMS_VERSION": "2.0"}, "settings.wms.bad_version"),
    ],
)
def test_a_wrong_setting_leaves_the_wms_out_with_a_german_message(city, change, problem):
    settings = load_settings({**CITY_WMS, **change})
    assert settings.wms is None and settings.problems == (problem,)
    text = basemap_text(settings, "de")
    assert "die WMS-Hintergrundkarte bleibt aus" in text and "Geheim-1" not in text
    assert "tileLayer.wms" not in _html(city, settings)


def test_the_map_draws_the_configured_wms_with_escaped_credits(city):
    html = _html(city, load_settings(CITY_WMS))
    call = re.search(r"L\.tileLayer\.wms\(\s*(\"[^\"]*\"),\s*(\{.*?\})\s*\)", html, re.S)
    assert call is not None
    assert json.loads(call.group(1)) == "https://geo.stadt.example/wms?map=basis"
    options = json.loads(call.group(2))
    assert options["layers"] == "stadtplan,gebaeude"
    assert (options["format"], options["version"], options["transparent"]) == ("image/png", "1.3.0", False)
    assert options["attribution"] == "© Stadt &lt;Vermessung&gt; &amp; Co"
    assert "<Vermessung>" not in html
    assert basemap_text(load_settings(CITY_WMS), "de") == t(
        "sources.basemap.wms",
        "de",
        url=CITY_WMS["QUARTIERSATLAS_WMS_URL"],
        layers="stadtplan,gebaeude",
        attribution="© Stadt <Vermessung> & Co",
    )


def test_without_a_wms_the_map_asks_no_server(city):
    html = _html(city, load_settings({}))
    assert "tileLayer.wms" not in html
    assert re.findall(r"https?://[^\s\"'<>]+", html) == []
