"""Which point lies in which area (dashboard/model/areas.py): one rule, with and without reference systems."""

from __future__ import annotations

import threading

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely
from shapely.geometry import box

from dashboard.model import projection, schema
from dashboard.model.areas import area_at, areas_under, assign_points
from dashboard.model.scenario import NewOffer, Scenario, new_offers_frame
from tests.support.factories import X0 as TINY_X0
from tests.support.factories import Y0 as TINY_Y0
from tests.support.factories import tiny_workspace

X0, Y0 = 4_321_000.0, 3_210_000.0


@pytest.fixture
def overlapping():
    """Two areas sharing the strip 1000–1500 m east: a point there goes to the first in the layer's order."""
    return gpd.GeoDataFrame(
        {"area_id": ["west", "east"]},
        geometry=[box(X0, Y0, X0 + 1500, Y0 + 1000), box(X0 + 1000, Y0, X0 + 2500, Y0 + 1000)],
        crs=schema.ANALYSIS_CRS,
    )


def test_a_point_goes_to_the_first_area_it_lies_in_and_outside_all_to_none(overlapping):
    points = shapely.points([X0 + 500, X0 + 1200, X0 + 2000, X0 + 9000], [Y0 + 500] * 4)
    assert areas_under(points, overlapping).tolist() == ["west", "west", "east", None]
    assert areas_under(points, overlapping.iloc[::-1]).tolist() == ["west", "east", "east", None]
    assert areas_under(points[:0], overlapping).tolist() == []
    assert areas_under(points, overlapping[:0]).tolist() == [None] * 4


def test_assign_points_follows_the_same_rule_after_moving_points_into_the_areas_reference_system(overlapping):
    points = gpd.GeoSeries(shapely.points([X0 + 1200, X0 + 2000], [Y0 + 500] * 2), crs=schema.ANALYSIS_CRS)
    in_lon_lat = projection.to_crs(points, schema.WEB_CRS).set_axis(["a", "b"])
    assigned = assign_points(in_lon_lat, overlapping)
    assert assigned.to_dict() == {"a": "west", "b": "east"}
    lon, lat = in_lon_lat.iloc[1].x, in_lon_lat.iloc[1].y
    assert area_at(overlapping, lon, lat) == "east"
    assert area_at(overlapping, 0.0, 0.0) is None


def test_a_click_and_a_planned_offer_are_placed_without_a_reference_system_in_the_pages_thread(monkeypatch):
    """pyproj looks a reference system up anew in every thread, and each of Streamlit's script runs is a new one:
    placing a click or a planned offer must leave that to the projection thread, which keeps its own."""
    units = tiny_workspace().areas.pipe(lambda a: a[a["level"] == "quartier"]).reset_index(drop=True)
    units = projection.to_crs(units, schema.ANALYSIS_CRS)
    lon, lat = projection.transform(schema.ANALYSIS_CRS, schema.WEB_CRS, [TINY_X0 + 1500], [TINY_Y0 + 500])
    lon, lat = float(lon[0]), float(lat[0])
    expected = area_at(units, lon, lat)
    scenario = Scenario(added=(NewOffer(lon, lat, name="Treff"),))
    frame = new_offers_frame(scenario, units)

    def no_reference_system(*args, **kwargs):
        raise AssertionError("a reference system was made in the page's thread")

    results: list = []

    def page_run() -> None:
        try:
            results.append((area_at(units, lon, lat), new_offers_frame(scenario, units)))
        except AssertionError as err:
            results.append(err)

    monkeypatch.setattr(pyproj.CRS, "__init__", no_reference_system)
    thread = threading.Thread(target=page_run)
    thread.start()
    thread.join()
    monkeypatch.undo()
    assert not isinstance(results[0], AssertionError), results[0]
    area, offers = results[0]
    assert area == expected == "0102"
    assert offers.equals(frame)
    assert offers["area_id"].tolist() == [expected]
    np.testing.assert_allclose(offers[["x", "y"]].to_numpy(), [[TINY_X0 + 1500, TINY_Y0 + 500]], atol=1e-6)
