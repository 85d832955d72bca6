"""The map builder: few objects, escaped texts, no third-party URLs, filters honoured."""

import json
import re

import folium
import pytest

from dashboard.analysis.city import prepare
from dashboard.analysis.classify import classify
from dashboard.analysis.indicators import unit_table
from dashboard.maps.karte import build_map, entry_places, prepare_map_data, tooltip_html
from dashboard.model.view import LAYER_KEYS, MapView
from dashboard.model.workspace import LayerMeta
from dashboard.store.settings import Settings
from tests.support.factories import tiny_workspace
from tests.support.maplayers import as_the_browser_joins

NO_TILES = Settings(None, tile_url=None, tile_attribution="")


@pytest.fixture(scope="module")
def city():
    return prepare(tiny_workspace())


def _render(city, view, settings=NO_TILES):
    data = prepare_map_data(city)
    table = unit_table(city, view)
    fmap, groups = build_map(data, city, table, classify(table[view.measure]), view, settings)
    for group in groups:
        group.add_to(fmap)
    return fmap, groups, fmap.get_root().render()


def _geojson_layers(element):
    found = [element] if isinstance(element, folium.GeoJson) else []
    for child in element._children.values():
        found.extend(_geojson_layers(child))
    return found


def test_every_layer_is_one_geojson_object(city):
    fmap, groups, _ = _render(city, MapView(layers=frozenset(LAYER_KEYS), selected="0101"))
    names = sorted(layer.layer_name for layer in _geojson_layers(fmap))
    assert names == ["actors", "bezirke", "housing", "offers", "quartiere", "selection"]
    assert len(groups) == 4  # housing, actors, offers, selection: toggled without reloading the map


def test_housing_is_aggregated_per_quartier(city):
    fmap, _, _ = _render(city, MapView(layers=frozenset({"housing"})))
    housing = next(layer for layer in _geojson_layers(fmap) if layer.layer_name == "housing")
    assert len(housing.data["features"]) == 3  # one circle for each Quartier with dwellings
    assert "40" in housing.data["features"][0]["properties"].values()


def test_data_texts_are_escaped(city):
    fmap, _, html = _render(city, MapView(layers=frozenset(LAYER_KEYS)))
    assert "<script>alert(1)" not in html
    tips = " ".join(
        str(v) for layer in _geojson_layers(fmap) for f in layer.data["features"] for v in f["properties"].values()
    )
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in tips
    assert "&lt;b&gt;Am Bach&lt;/b&gt;" in tips
    assert "<script" not in tips and "<b>Am Bach" not in tips


def test_no_third_party_urls_without_configured_tiles(city):
    _, _, html = _render(city, MapView(layers=frozenset(LAYER_KEYS)))
    assert re.findall(r"https?://[^\s\"'<>]+", html) == []


def test_configured_tiles_are_used_and_attributed(city):
    tiles = Settings(None, tile_url="https://tiles.example.invalid/{z}/{x}/{y}.png", tile_attribution="© Kachel <GmbH>")
    fmap, _, html = _render(city, MapView(), tiles)
    assert "tiles.example.invalid" in html
    tile_layer = next(c for c in fmap._children.values() if isinstance(c, folium.TileLayer))
    assert tile_layer.options["attribution"] == "© Kachel &lt;GmbH&gt;"


def test_bezirk_filter_limits_points(city):
    fmap, _, _ = _render(city, MapView(layers=frozenset({"actors"}), bezirk="02"))
    actors = next(layer for layer in _geojson_layers(fmap) if layer.layer_name == "actors")
    assert [f["properties"]["f0"] for f in actors.data["features"]] == ["Baugenossenschaft Höhe eG"]


def test_sector_filter_and_demo_attribution(city):
    fmap, _, html = _render(city, MapView(layers=frozenset({"actors"}), sectors=("kommune",)))
    actors = next(layer for layer in _geojson_layers(fmap) if layer.layer_name == "actors")
    assert len(actors.data["features"]) == 1
    assert "Demodaten" not in html  # the tiny city is not demo data


def test_tooltip_escapes_labels_and_values():
    assert tooltip_html("<i>", [("a&b", "<img src=x onerror=alert(1)>")]) == (
        "<b>&lt;i&gt;</b><table><tr><th>a&amp;b</th><td>&lt;img src=x onerror=alert(1)&gt;</td></tr></table>"
    )


def test_choropleth_colours_follow_classes(city):
    fmap, _, _ = _render(city, MapView())
    quartiere = next(layer for layer in _geojson_layers(fmap) if layer.layer_name == "quartiere")
    fills = {f["id"]: quartiere.styles[f["properties"]["s"]]["fillColor"] for f in quartiere.data["features"]}
    assert fills["0201"] == fills["0202"] == "#d9d9d9"  # suppressed: no data colour
    assert fills["0101"] != fills["0102"]
    sent = as_the_browser_joins(quartiere)  # as sent to the browser: geometries and names apart, then joined
    assert sent == json.loads(json.dumps(quartiere.data))


def test_a_quartier_tooltip_is_its_escaped_name_and_rows_of_labels_sent_once():
    workspace = tiny_workspace()
    areas = workspace.layers["areas"]
    workspace.layers["areas"] = areas.assign(name=areas["name"].replace("Am Bach", "<img src=x onerror=alert(1)>"))
    city = prepare(workspace)
    fmap, _, html = _render(city, MapView())
    quartiere = next(layer for layer in _geojson_layers(fmap) if layer.layer_name == "quartiere")
    assert quartiere.tip_title == "Quartier " and quartiere.labels == ["Einwohner", "Anteil ohne Angebot in 500 m"]
    joined = {f["id"]: f["properties"] for f in as_the_browser_joins(quartiere)["features"]}
    assert joined["0101"]["n"] == "&lt;img src=x onerror=alert(1)&gt;"
    assert joined["0101"]["r"] == [[0, "300"], [1, "67\xa0%"]]  # 200 of 300 live 848 m from the one Mitwirkung offer
    assert "<img" not in html and "<img" not in quartiere.shared.text


def test_every_map_names_the_data_sources_escaped_once_each():
    workspace = tiny_workspace()
    workspace.meta["offers"] = LayerMeta("angebote.csv", "dl-de/by-2-0", "<b>Stadt</b> Kleinstadt", "2026-02-01")
    workspace.record_import("offers", LayerMeta("neu.csv", "ODbL 1.0", "", "2026-03-01"), "update", ["o1"])
    workspace.meta["housing"] = LayerMeta("wohnen.csv", "", "Testdaten (CC0)", "2026-01-01")
    city = prepare(workspace)
    assert city.credits == (
        "Testdaten (CC0)",
        "<b>Stadt</b> Kleinstadt (dl-de/by-2-0)",
        "neu.csv (ODbL 1.0)",
    )
    html = _render(city, MapView(layers=frozenset({"offers"})))[2]
    line = "Daten: Testdaten (CC0); &lt;b&gt;Stadt&lt;/b&gt; Kleinstadt (dl-de/by-2-0); neu.csv (ODbL 1.0)"
    assert f'addAttribution("{line}")'.replace("&", "\\u0026") in html and "<b>Stadt" not in html  # tojson
    # small, as Leaflet has it (folium sets 1rem), and beside the scale bar, not over it
    assert ".leaflet-control-attribution { font-size: 0.75rem; max-width: 65%; }" in html


@pytest.mark.parametrize(
    ("lang", "hint"),
    [("de", "Mit zwei Fingern verschieben Sie die Karte."), ("en", "Use two fingers to move the map.")],
)
def test_one_finger_scrolls_the_page_past_the_map_and_the_hint_speaks_the_readers_language(city, lang, hint):
    view = MapView()
    table = unit_table(city, view)
    fmap, _ = build_map(prepare_map_data(city), city, table, classify(table[view.measure]), view, NO_TILES, lang)
    html = fmap.get_root().render()
    assert '<script src="/app/static/vendor/leaflet-gesture-handling/dist/leaflet-gesture-handling.min.js">' in html
    assert f"{fmap.get_name()}.gestureHandling.enable();" in html
    assert f'"touch": "{hint}"' in html
    assert 'matchMedia("(hover: none) and (pointer: coarse)")' in html  # a mouse keeps dragging and wheel zoom
    assert 'element.setAttribute("tabindex", "-1")' in html  # the map is one Tab stop, not one per area


def test_entry_places_are_the_offers_and_actors_by_name_with_their_map_point(city):
    places = entry_places(prepare_map_data(city))
    assert list(places.index) == ["actor:a3", "offer:o2", "actor:a1", "offer:o1", "actor:a2"]
    assert places.loc["offer:o1", ["kind", "lon", "lat"]].tolist() == ["offer", 9.72036, 48.3154]  # X0 + 250, Y0 + 250
