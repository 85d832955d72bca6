"""Coordinate transformations on their own thread (dashboard/model/projection.py)."""

from __future__ import annotations

import multiprocessing
import os
import threading

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import Point, Polygon

from dashboard.model import projection, schema


def test_the_laea_origin_lands_on_its_false_easting_and_northing():
    """ETRS89-LAEA (EPSG:3035) is centred at 10° E, 52° N, with x0 = 4,321,000 m and y0 = 3,210,000 m."""
    x, y = projection.transform(schema.WEB_CRS, schema.ANALYSIS_CRS, [10.0], [52.0])
    assert x == pytest.approx([4_321_000.0], abs=0.01)
    assert y == pytest.approx([3_210_000.0], abs=0.01)
    lon, lat = projection.transform(schema.ANALYSIS_CRS, schema.WEB_CRS, x, y)
    assert (lon[0], lat[0]) == pytest.approx((10.0, 52.0), abs=1e-9)


def test_each_transformation_is_made_once_whatever_thread_asks():
    """Streamlit runs every script run in a new thread: the transformation must not be made again in each."""
    source, target = schema.ANALYSIS_CRS, projection.MERCATOR
    projection.transform(source, target, [4_321_000.0], [3_210_000.0])
    made = projection._transformer.cache_info().misses
    results = []

    def run() -> None:
        results.append(projection.transform(source, target, np.array([4_321_000.0]), np.array([3_210_000.0])))

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert projection._transformer.cache_info().misses == made
    assert len(results) == 4
    assert all(np.allclose(r, results[0]) for r in results)
    assert results[0][0] == pytest.approx([1_113_194.9], abs=0.1)  # 10° E on Web Mercator: 10/360 of 40,075,016.7 m


def _in_child(_: int) -> float:
    return float(projection.transform(schema.WEB_CRS, schema.ANALYSIS_CRS, [10.0], [52.0])[0][0])


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is a POSIX call")
def test_a_forked_worker_projects_after_its_parent_did():
    """``report --all`` forks its workers after the parent has projected: the child needs a thread of its own."""
    projection.transform(schema.WEB_CRS, schema.ANALYSIS_CRS, [10.0], [52.0])
    with multiprocessing.get_context("fork").Pool(2) as pool:
        assert pool.map_async(_in_child, range(2)).get(timeout=60) == pytest.approx([4_321_000.0] * 2, abs=0.01)


def test_prepare_makes_every_transformation_the_app_uses_so_no_page_run_makes_one():
    projection.prepare().result(timeout=60)
    made = projection._transformer.cache_info().misses
    for source in projection.APP_CRS:
        for target in projection.APP_CRS:
            if source != target:
                projection.transform(source, target, [4_321_000.0], [3_210_000.0])
    assert projection._transformer.cache_info().misses == made


def test_to_crs_moves_frames_and_series_as_geopandas_does():
    shapes = gpd.GeoDataFrame(
        {"name": ["Punkt", "Fläche"]},
        geometry=[
            Point(4_321_000, 3_210_000),
            Polygon([(4_321_000, 3_210_000), (4_330_000, 3_210_000), (4_321_000, 3_220_000)]),
        ],
        crs=schema.ANALYSIS_CRS,
        index=["a", "b"],
    ).rename_geometry("geom")
    moved = projection.to_crs(shapes, schema.WEB_CRS)
    expected = shapes.to_crs(schema.WEB_CRS)
    assert list(moved.columns) == ["name", "geom"] and moved.geometry.name == "geom"
    assert moved.crs == expected.crs and list(moved.index) == ["a", "b"]
    assert moved.geom_equals_exact(expected.geometry, tolerance=1e-9).all()
    assert shapes.crs == schema.ANALYSIS_CRS  # the input is left as it was
    series = projection.to_crs(shapes.geometry, schema.WEB_CRS)
    assert isinstance(series, gpd.GeoSeries) and series.name == "geom"
    assert series.geom_equals_exact(expected.geometry, tolerance=1e-9).all()


def test_to_crs_keeps_empty_and_missing_shapes_and_refuses_shapes_without_a_crs():
    shapes = gpd.GeoSeries([None, Point(4_321_000, 3_210_000)], crs=schema.ANALYSIS_CRS)
    moved = projection.to_crs(shapes, schema.WEB_CRS)
    assert moved.iloc[0] is None and moved.iloc[1].coords[0] == pytest.approx((10.0, 52.0))
    assert len(projection.to_crs(shapes.iloc[:0], schema.WEB_CRS)) == 0
    heights = projection.to_crs(
        gpd.GeoSeries([Point(4_321_000, 3_210_000, 87.5)], crs=schema.ANALYSIS_CRS), "EPSG:4326"
    )
    assert heights.iloc[0].has_z and heights.iloc[0].coords[0] == pytest.approx((10.0, 52.0, 87.5))
    with pytest.raises(ValueError, match="naive"):
        projection.to_crs(gpd.GeoSeries([Point(0, 0)]), schema.WEB_CRS)
