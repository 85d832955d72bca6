"""Maps of the gap analysis: grid image, escaped texts, scenario markers, need × gap."""

import json
import re

import folium
import numpy as np
import pandas as pd
import pytest

from dashboard.analysis.bivariate import PALETTE, cross, need_values, terciles
from dashboard.analysis.city import prepare
from dashboard.analysis.gaps import GapParams, analyse, with_scenario
from dashboard.maps import gap_map, karte
from dashboard.maps.feature_layer import FeatureLayer
from dashboard.maps.gap_map import build_bivariate_map, build_gap_map, distance_classes
from dashboard.maps.karte import point_layer, prepare_map_data
from dashboard.model.scenario import NewOffer, Scenario
from dashboard.store.settings import Settings
from dashboard.web import luecken_widgets
from tests.support.factories import tiny_workspace
from tests.support.maplayers import as_the_browser_joins

NO_TILES = Settings(None, tile_url=None, tile_attribution="")
ALL = frozenset({"grid", "index", "offers"})


@pytest.fixture(scope="module")
def city():
    return prepare(tiny_workspace())


def _layers(element, kind):
    found = [element] if isinstance(element, kind) else []
    for child in element._children.values():
        found.extend(_layers(child, kind))
    return found


def _render(fmap, groups):
    for group in groups:
        group.add_to(fmap)
    return fmap.get_root().render()


def test_distance_classes_are_relative_to_the_threshold():
    assert distance_classes(np.array([0, 250, 251, 500, 749, 1000, 1001, np.inf]), 500).tolist() == [
        0,
        0,
        1,
        1,
        2,
        3,
        4,
        4,
    ]


def test_gap_map_has_grid_image_escaped_offers_and_no_foreign_urls(city):
    data = prepare_map_data(city)
    fmap, groups = build_gap_map(data, city, analyse(city, GapParams()), ALL, NO_TILES, "de")
    html = _render(fmap, groups)
    overlay = _layers(fmap, folium.raster_layers.ImageOverlay)
    assert len(overlay) == 1 and overlay[0].url.startswith("data:image/png;base64,")
    offers = next(layer for layer in _layers(fmap, folium.GeoJson) if layer.layer_name == "offers")
    names = [f["properties"]["f0"] for f in offers.data["features"]]
    assert names == ["Nachbarschaftstreff &lt;b&gt;Am Bach&lt;/b&gt;"]  # the information offer does not count
    assert re.findall(r"https?://[^\s\"'<>]+", html) == []


def test_scenario_markers_show_planned_and_switched_off_offers(city):
    data = prepare_map_data(city)
    base = analyse(city, GapParams())
    lon, lat = data.unit_points.loc["0102", ["lon", "lat"]]
    result = with_scenario(city, base, Scenario(added=(NewOffer(lon, lat, name="Treff <i>neu</i>"),), disabled=("o1",)))
    fmap, groups = build_gap_map(data, city, result, frozenset({"offers"}), NO_TILES, "de")
    offers = next(layer for layer in _layers(groups[0], folium.GeoJson) if layer.layer_name == "offers")
    status = {f["properties"]["f0"]: f["properties"]["f4"] for f in offers.data["features"]}
    assert status == {
        "Nachbarschaftstreff &lt;b&gt;Am Bach&lt;/b&gt;": "im Szenario abgeschaltet",
        "Treff &lt;i&gt;neu&lt;/i&gt;": "geplant (Szenario)",
    }


def test_the_double_need_table_lists_the_largest_gap_first_by_its_figure():
    """Sorted by the index's text, 9 came before 100 (and 1.200 people read as 1.2)."""
    double = pd.DataFrame(
        {
            "name": ["A", "B", "C"],
            "need": [0.2, 0.3, 0.4],
            "gap_index": [9.4, 100.0, 95.5],
            "uncovered_residents": [1200.4, 30, 2.5],
        }
    )
    frame = luecken_widgets.double_need_frame(double, "uncovered_share")
    assert list(frame["Quartier"]) == ["B", "C", "A"]
    assert list(frame["Lückenindex"]) == [100, 96, 9] and list(frame["ohne Angebot (Personen)"]) == [30, 2, 1200]


def test_terciles_and_double_need():
    values = pd.Series([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, np.nan], index=list("abcdefg"))
    assert terciles(values).tolist() == [0, 0, 1, 1, 2, 2, -1]
    crossed = cross(values, pd.Series([6.0, 5, 4, 3, 2, 1, 1], index=list("abcdefg")))
    assert crossed.loc["a", "class"] == 0 * 3 + 2 and crossed.loc["f", "class"] == 2 * 3 + 0
    assert crossed.loc["a", "colour"] == PALETTE[2] and pd.isna(crossed.loc["g", "colour"])
    assert not crossed["double_need"].any()


def test_need_values_from_age_bands_and_housing(city):
    older = need_values(city, "share_65_plus")
    assert older["0101"] == pytest.approx((30 + 10 + 60 + 20) / 300)
    subsidised = need_values(city, "share_subsidised")
    assert subsidised["0101"] == pytest.approx(10 / 40) and np.isnan(subsidised["0202"])


def test_bivariate_map_builds_with_its_tooltips(city):
    data = prepare_map_data(city)
    result = analyse(city, GapParams(min_residents=10))
    crossed = cross(need_values(city, "share_65_plus"), result.units["gap_index"])
    fmap = build_bivariate_map(data, city, crossed, "share_65_plus", NO_TILES, "de")
    (layer,) = [layer for layer in _layers(fmap, FeatureLayer) if layer.layer_name == "bivariate"]
    assert layer.tip_title == "Quartier "
    joined = {f["id"]: f["properties"] for f in as_the_browser_joins(layer)["features"]}
    assert joined["0101"]["n"] == "Am Bach"
    assert [layer.labels[k] for k, _ in joined["0101"]["r"]][:2] == ["Bedarf", "Lückenindex"]


def test_a_kept_grid_picture_is_drawn_as_given_and_kept_per_data_version(city, monkeypatch):
    result = analyse(city, GapParams())
    picture = gap_map.grid_picture(result)
    assert picture is not None and picture[0].startswith("data:image/png;base64,")
    monkeypatch.setattr(gap_map, "cells_image", lambda *a, **k: pytest.fail("the kept picture is drawn again"))
    fmap, _ = build_gap_map(prepare_map_data(city), city, result, ALL, NO_TILES, "de", grid=picture)
    assert [o.url for o in _layers(fmap, folium.raster_layers.ImageOverlay)] == [picture[0]]

    monkeypatch.undo()
    drawn = []
    monkeypatch.setattr(luecken_widgets, "grid_picture", lambda r: drawn.append(r) or picture)
    kept = luecken_widgets._grid_picture("v1:viewer", result.params, result.scenario, result)
    assert luecken_widgets._grid_picture("v1:viewer", result.params, result.scenario, result) is kept
    luecken_widgets._grid_picture("v2:viewer", result.params, result.scenario, result)
    assert len(drawn) == 2  # once per data version


def test_the_offers_layer_from_kept_texts_is_the_layer_of_the_offers_shown(city, monkeypatch):
    data = prepare_map_data(city)
    lon, lat = data.unit_points.loc["0102", ["lon", "lat"]]
    scenario = Scenario(added=(NewOffer(lon, lat, name="Treff <i>neu</i>"),), disabled=("o1",))
    for result in (analyse(city, GapParams()), with_scenario(city, analyse(city, GapParams()), scenario)):
        for lang in ("de", "en"):
            shown, status = gap_map.shown_offers(result, data.offers)
            new = city.planned_offers(result.scenario)
            at = dict(zip(new["offer_id"], zip(new["lon"], new["lat"], strict=True), strict=True)) if len(new) else {}
            for k, column in enumerate(("lon", "lat")):  # a planned offer's place is the scenario's
                ids = shown["offer_id"]
                shown[column] = [at[o][k] if o in at else v for o, v in zip(ids, shown[column], strict=True)]
            named = [gap_map.t(f"gap.offer.{s}", lang) for s in status]
            columns = {**gap_map.offer_columns(shown, lang), gap_map.t("fig.status", lang): named}
            styles = [gap_map._OFFER_STYLES[s] for s in status]
            expected = point_layer("offers", shown, columns, styles, radius=5)
            layer = gap_map._offer_points(data, city, result, lang)
            assert json.loads(json.dumps(layer.data)) == json.loads(expected.encoded), lang
            assert as_the_browser_joins(layer) == json.loads(expected.encoded), lang
            own = [f for f in json.loads(layer.encoded)["features"] if "shared" in f]  # the city's offers
            assert own and all(set(f["properties"]) == {"s", "f4"} and "geometry" not in f for f in own), lang
    written = []
    monkeypatch.setattr(karte, "offer_columns", lambda offers, lang: written.append(len(offers)) or {})
    gap_map._offer_points(data, city, analyse(city, GapParams(threshold_m=300)), "de")
    assert written == []  # the city's offers' texts were kept per language
