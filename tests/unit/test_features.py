"""The layers of the feature service on the tiny city (tests/support/factories.py), checked by hand.

Housing: h1 (40 dwellings, cooperative, 10 subsidised, 4 barrier-free, Sozialmanagement) lies in 0101,
h2 (10, private) in 0102, h3 (20, cooperative, 5 subsidised, 2 barrier-free) in 0201, nothing in 0202.
The gap view (all residents, 500 m, Stadtbezirk 01) has the figures of tests/unit/test_gaps.py:
0101 300 residents, 100 covered, 100 places per 1,000, index 48.33; 0102 400, none, 0, index 95.
"""

from __future__ import annotations

import pytest
from shapely.geometry import Point

from dashboard.analysis.city import prepare
from dashboard.model import schema
from dashboard.model.roles import Role, workspace_for
from dashboard.service import features, layers
from dashboard.store.base import SavedView, open_store
from dashboard.store.gpkgfile import write_geopackage
from tests.support.factories import EDITOR, X0, Y0, tiny_workspace

GAP_QUERY = "v=1&p=luecken&g=alle&t=500&b=01"
SECRET = "geheim@beispiel.invalid"
PRIVATE = {f.name for spec in schema.LAYERS.values() for f in spec.fields if f.private}


def _view(page: str = "luecken", query: str = GAP_QUERY, title: str = "Alle im Bezirk 01") -> SavedView:
    return SavedView("abc12345", title, "Vorlage ${HOME}", page, query, "anna", "2026-12-01T10:00:00", "2026-01-01", 0)


@pytest.fixture(scope="module")
def city():
    return prepare(tiny_workspace())


def test_public_layers_carry_the_viewer_fields_only_in_utm32():
    workspace = tiny_workspace()
    for layer in layers.PUBLIC_LAYERS:
        frame = layers.public_layer(workspace, layer)
        assert [c for c in frame.columns if c != "geometry"] == schema.LAYERS[layer].public_field_names
        assert frame.crs == layers.GIS_CRS and len(frame) == len(workspace.layer(layer))
    offers = layers.public_layer(workspace, "offers")
    assert "contact" not in offers.columns and SECRET not in offers.to_json()


def test_housing_is_summed_per_quartier_and_keeps_no_building(city):
    frame = layers.housing_per_quartier(city).set_index("area_id")
    assert frame.loc["0101", list(layers.HOUSING_COLUMNS)].tolist() == [40, 40, 0, 0, 10, 4, 1]
    assert frame.loc["0102", list(layers.HOUSING_COLUMNS)].tolist() == [10, 0, 0, 10, 0, 0, 0]
    assert frame.loc["0201", list(layers.HOUSING_COLUMNS)].tolist() == [20, 20, 0, 0, 5, 2, 0]
    assert frame.loc["0202", list(layers.HOUSING_COLUMNS)].tolist() == [0] * 7
    assert frame.loc["0201", ["name", "parent_id"]].tolist() == ["Höhe", "02"]
    assert "housing_id" not in frame.columns and frame.crs == layers.GIS_CRS


def test_a_saved_gap_view_per_quartier_of_its_bezirk(city):
    gaps = layers.gap_layer(_view(), city)
    assert gaps is not None
    frame = gaps.frame.set_index("area_id")
    assert frame.index.tolist() == ["0101", "0102"]  # the view's Stadtbezirk only, as the page shows it
    assert frame.loc["0101", ["residents", "covered_residents", "uncovered_residents"]].tolist() == [300, 100, 200]
    assert frame.loc["0101", "fca_per_1000"] == pytest.approx(100)
    assert frame.loc["0101", "gap_index"] == pytest.approx(48.333, abs=0.01)
    assert frame.loc["0102", ["covered_residents", "fca_per_1000"]].tolist() == [0, 0]
    assert frame.loc["0102", "gap_index"] == pytest.approx(95)
    assert frame.loc["0102", "sectors_missing"] == "wohnungswirtschaft;wohlfahrtspflege;zivilgesellschaft"
    assert frame["gap_class"].tolist() == [1, 2]  # the page's classes, counted from 1 (smallest gap)
    assert set(frame["target_group"]) == {"alle"} and set(frame["threshold_m"]) == {500}


def test_a_view_of_the_whole_city_leaves_suppressed_quartiere_without_figures(city):
    gaps = layers.gap_layer(_view(query="v=1&p=luecken&g=alle&t=500"), city)
    assert gaps is not None
    frame = gaps.frame.set_index("area_id")
    assert frame["suppressed"].tolist() == [False, False, True, True]  # 0201: 50 residents, 0202: none
    assert (
        frame.loc[["0201", "0202"], "gap_index"].isna().all() and frame.loc[["0201", "0202"], "gap_class"].isna().all()
    )


def test_views_of_other_pages_are_no_gap_layers(city):
    assert layers.gap_layer(_view(page="karte", query="v=1&p=karte"), city) is None
    assert [g.view.page for g in layers.gap_layers([_view(page="karte"), _view()], city)] == ["luecken"]


def test_every_collection_from_a_store_read_as_a_viewer_has_no_private_field(tmp_path):
    path = tmp_path / "kleinstadt.gpkg"
    write_geopackage(tiny_workspace(), path)
    data_store = open_store(path)
    view = data_store.save_view(
        EDITOR, title="Alle im Bezirk 01", note="", page="luecken", query=GAP_QUERY, data_stand=""
    )
    workspace, views = features.read(data_store)
    assert workspace.layer("offers").columns.intersection(list(PRIVATE)).empty
    served = features.collections(workspace, views)
    assert list(served) == ["gebiete", "angebote", "akteure", "wohnungsbestand", f"luecken-{view.view_id}"]
    for collection in served.values():
        assert PRIVATE.isdisjoint(collection.frame.columns)
        assert SECRET not in collection.frame.to_json()
    assert served[f"luecken-{view.view_id}"].title == {
        "de": "Lückenanalyse: Alle im Bezirk 01",
        "en": "Gap analysis: Alle im Bezirk 01",
    }


def test_the_configuration_names_every_collection_crs_and_no_environment_variable(city):
    workspace = workspace_for(tiny_workspace(), Role.VIEWER)
    served = features.collections(workspace, [_view(title="Kosten ${SECRET}")])
    settings = features.config(served, "http://127.0.0.1:5000/", "127.0.0.1", 5000, "Kleinstadt")
    assert settings["server"]["url"] == "http://127.0.0.1:5000"
    assert list(settings["resources"]) == list(served)
    provider = settings["resources"]["angebote"]["providers"][0]
    assert provider["storage_crs"] == "http://www.opengis.net/def/crs/EPSG/0/25832"
    assert "http://www.opengis.net/def/crs/EPSG/0/4326" in provider["crs"]
    assert provider["name"] == "dashboard.service.features.StoreProvider" and not provider.get("editable")
    west, south, east, north = settings["resources"]["gebiete"]["extents"]["spatial"]["bbox"]
    assert -180 < west < east < 180 and -90 < south < north < 90
    gaps = settings["resources"]["luecken-abc12345"]
    assert "${" not in gaps["title"]["de"] and "${" not in gaps["description"]["de"]
    # each collection names its data sources, as every map does (the tiny city's areas: "Testdaten", CC0)
    assert settings["resources"]["gebiete"]["description"]["de"].endswith("Daten: Testdaten (CC0)")
    assert settings["resources"]["wohnungsbestand"]["description"]["en"].endswith("Data: Testdaten (CC0)")
    assert "Daten:" not in settings["resources"]["angebote"]["description"]["de"]  # no provenance recorded


def test_an_edit_shows_at_the_next_request_and_a_deleted_view_serves_nothing(tmp_path):
    path = tmp_path / "kleinstadt.gpkg"
    write_geopackage(tiny_workspace(), path)
    data_store = open_store(path)
    view = data_store.save_view(EDITOR, title="Alle", note="", page="luecken", query=GAP_QUERY, data_stand="")
    version = data_store.version()
    features.publish(data_store, version, features.collections(*features.read(data_store)))
    gaps = f"luecken-{view.view_id}"
    assert len(features.published("angebote").frame) == 2 and len(features.published(gaps).frame) == 2
    values = {"offer_id": "o3", "name": "Erzählcafé", "category": "begegnung", "target_groups": "senioren"}
    data_store.add(EDITOR, "offers", {**values, "level": "mitwirkung", "contact": SECRET}, Point(X0 + 1500, Y0 + 500))
    offers = features.published("angebote").frame
    assert sorted(offers["offer_id"]) == ["o1", "o2", "o3"] and "contact" not in offers.columns
    data_store.delete_view(EDITOR, view.view_id, view.row_version)
    assert len(features.published(gaps).frame) == 0 and list(features.published(gaps).frame.columns)
