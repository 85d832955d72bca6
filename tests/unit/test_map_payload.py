"""The kept map payload: the same as st_folium sends, one build per view key, nothing private for viewers."""

import json
import re

import pytest
import streamlit_folium as sf

from dashboard.analysis.city import prepare
from dashboard.analysis.classify import classify
from dashboard.analysis.gaps import GapParams, analyse, with_scenario
from dashboard.analysis.indicators import unit_table
from dashboard.maps.gap_map import build_gap_map
from dashboard.maps.karte import build_map, prepare_map_data
from dashboard.model.roles import Role, workspace_for
from dashboard.model.scenario import NewOffer, Scenario
from dashboard.model.view import LAYER_KEYS, MapView
from dashboard.store.settings import Settings
from dashboard.web import map_payload
from tests.support.factories import tiny_workspace

NO_TILES = Settings(None, tile_url=None, tile_attribution="")
EVERYTHING = MapView(layers=frozenset(LAYER_KEYS), selected="0101")
RETURNED = ("last_object_clicked", "center", "zoom")


def _karte(workspace, view=EVERYTHING):
    city = prepare(workspace)
    table = unit_table(city, view)
    return build_map(prepare_map_data(city), city, table, classify(table[view.measure]), view, NO_TILES)


def _no_ids(text: str) -> str:
    return re.sub(r"_[0-9a-f]{32}", "_ID", text)  # folium's random element ids


def _gap_map(workspace):
    city = prepare(workspace)
    data = prepare_map_data(city)
    lon, lat = data.unit_points.loc["0102", ["lon", "lat"]]
    scenario = Scenario(added=(NewOffer(lon, lat, name="Treff <i>neu</i> QaBulk0X"),), disabled=("o1",))
    result = with_scenario(city, analyse(city, GapParams()), scenario)
    return build_gap_map(data, city, result, frozenset({"grid", "index", "offers"}), NO_TILES, "de", "0101")


@pytest.mark.parametrize("make", [_karte, _gap_map], ids=["karte", "luecken"])
def test_payload_is_what_st_folium_sends(monkeypatch, make):
    sent = {}
    monkeypatch.setattr(sf, "_component_func", lambda **kwargs: sent.update(kwargs))
    fmap, groups = make(tiny_workspace())
    sf.st_folium(fmap, key="karte", returned_objects=list(RETURNED), feature_group_to_add=groups)
    kept = map_payload.payload(*make(tiny_workspace()), RETURNED)
    assert set(kept) < set(sent)
    for name, value in kept.items():
        assert (_no_ids(value) if isinstance(value, str) else value) == (
            _no_ids(sent[name]) if isinstance(sent[name], str) else sent[name]
        ), name
    assert sf.generate_js_hash(kept["script"], "karte") == sent["key"]


def test_a_gap_maps_data_is_in_place_in_its_payload():
    kept = map_payload.payload(*_gap_map(tiny_workspace()), RETURNED)
    assert "data:image/png;base64," in kept["script"]  # the grid picture
    planned = "Treff &lt;i&gt;neu&lt;/i&gt; QaBulk0X".replace("&", "\\u0026")  # escaped for HTML, then for a script
    assert planned in kept["feature_group"]
    assert not re.search(r"QaBulk[0-9a-f]{12}X", kept["script"] + kept["feature_group"])  # no placeholder left


def test_the_quartiere_geometry_leaves_the_payload_for_a_file_the_browser_fetches_once():
    addresses: dict[str, str] = {}

    def publish(text: str) -> str:
        return addresses.setdefault(text, f"/qa-data/{len(addresses)}.json")

    city = prepare(tiny_workspace())
    shapes = prepare_map_data(city).unit_parts.text
    karte = map_payload.payload(*_karte(tiny_workspace()), RETURNED, publish)
    gaps = map_payload.payload(*_gap_map(tiny_workspace()), RETURNED, publish)
    assert list(addresses)[0] == shapes  # one file for both maps (the gap map's offers have their own)
    for kept in (karte, gaps):
        assert '"/qa-data/0.json"' in kept["script"]
        assert json.dumps(json.loads(shapes)[0]["geometry"]["coordinates"]) not in kept["script"]  # no outline
    in_place = map_payload.payload(*_gap_map(tiny_workspace()), RETURNED)["script"]  # no server: in the script
    assert json.dumps(json.loads(shapes)[0]["geometry"]["coordinates"]) in in_place and "/qa-data/" not in in_place


def test_a_viewers_payload_has_no_contact_data():
    workspace = tiny_workspace()
    assert "geheim@beispiel.invalid" in set(workspace.actors["contact"])  # shown on the map: offers and actors
    viewer = map_payload.payload(*_karte(workspace_for(workspace, Role.VIEWER)), RETURNED)
    assert "geheim@beispiel.invalid" not in str(viewer)


def test_the_payload_is_built_once_per_view_key_and_anew_for_a_new_data_version():
    builds = []

    def build():
        builds.append(1)
        return _karte(tiny_workspace())

    first = map_payload._kept(("v1:viewer", EVERYTHING), "karte", RETURNED, build)
    assert map_payload._kept(("v1:viewer", EVERYTHING), "karte", RETURNED, build) is first
    assert len(builds) == 1
    assert first[1] == sf.generate_js_hash(first[0]["script"], "karte")  # st_folium's widget key for it
    map_payload._kept(("v2:viewer", EVERYTHING), "karte", RETURNED, build)
    map_payload._kept(("v1:editor", EVERYTHING), "karte", RETURNED, build)
    assert len(builds) == 3
