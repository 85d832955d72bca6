"""Totals per area onto the 100 m grid: exact per area, following dwellings where known.

Hand-made city in EPSG:3035 metres from (X0, Y0):

    "01" x 0–1000, y 0–1000: housing with 30 and 10 dwellings → residents 3 : 1
    "02" x 1000–2000, y 0–1000: no housing → evenly over its 100 cells
"""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from dashboard.ingest.population import BY_DWELLINGS, EVEN, spread_totals
from dashboard.ingest.validation import validate_layer
from dashboard.model import grid, schema
from dashboard.model.areas import assign_points

X0, Y0 = 4_300_000.0, 2_800_000.0
CRS = "EPSG:3035"
BANDS = list(schema.AGE_BANDS)


def _areas(border: float = 1000) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"area_id": ["01", "02"]},
        geometry=[box(X0, Y0, X0 + border, Y0 + 1000), box(X0 + border, Y0, X0 + 2000, Y0 + 1000)],
        crs=CRS,
    )


def _housing(*points: tuple[float, float, int]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"dwellings": [d for _, _, d in points]}, geometry=[Point(X0 + x, Y0 + y) for x, y, _ in points], crs=CRS
    )


TOTALS = pd.DataFrame(
    {
        "area_id": ["01", "02"],
        "residents": [1000, 1234],
        "age_0_5": [52, 101],
        "age_6_17": [100, 150],
        "age_18_64": [601, 700],
        "age_65_79": [197, 200],
        "age_80_plus": [50, 83],
    }
)
HOUSING = _housing((250, 250, 30), (750, 750, 10), (420, 610, 0))


@pytest.fixture(scope="module")
def spread():
    return spread_totals(_areas(), TOTALS, HOUSING)


def _per_area(layer: gpd.GeoDataFrame, areas: gpd.GeoDataFrame) -> pd.DataFrame:
    return layer[["residents", *BANDS]].astype(int).groupby(assign_points(layer.geometry, areas).to_numpy()).sum()


def test_totals_and_age_bands_exact_per_area(spread):
    layer, _ = spread
    expected = TOTALS.set_index("area_id")[["residents", *BANDS]]
    pd.testing.assert_frame_equal(_per_area(layer, _areas()), expected, check_names=False)


def test_residents_follow_dwellings(spread):
    layer, _ = spread
    housed = layer.set_index("cell_id").loc[[grid.cell_id(Y0 + 200, X0 + 200), grid.cell_id(Y0 + 700, X0 + 700)]]
    assert housed["residents"].tolist() == [750, 250]
    for band in BANDS:  # same weights, up to one person of rounding
        expected = TOTALS.loc[0, band] * np.array([0.75, 0.25])
        assert np.abs(housed[band].to_numpy(float) - expected).max() <= 1
    assert grid.cell_id(Y0 + 600, X0 + 400) not in set(layer["cell_id"])  # no dwellings, no residents


def test_area_without_housing_spread_evenly(spread):
    layer, _ = spread
    even = layer[layer.geometry.x > X0 + 1000]
    assert len(even) == 100
    assert set(even["residents"]) == {12, 13}
    assert (even[BANDS].sum(axis=1) == even["residents"]).all()
    # the 34 extra residents are spread over the area, not piled into its southern rows
    extra_rows = even.loc[even["residents"] == 13].geometry.y
    assert extra_rows.nunique() >= 8


def test_layer_follows_the_schema(spread):
    layer, _ = spread
    assert list(layer.columns) == [*schema.POPULATION.field_names, "geometry"]
    assert layer.crs == CRS and (layer.geom_type == "Point").all()
    assert layer["cell_id"].is_unique
    centres = grid.cell_centres(layer["cell_id"])  # raises for an invalid id
    np.testing.assert_array_equal(centres, np.column_stack([layer.geometry.x, layer.geometry.y]))
    assert (layer.geometry.distance(_areas().union_all()) <= 71).all()
    assert (layer[BANDS].sum(axis=1) == layer["residents"]).all()
    assert [p for p in validate_layer("population", layer) if p.severity == "error"] == []


def test_method_text_names_both_methods(spread):
    _, text = spread
    assert BY_DWELLINGS in text and EVEN in text
    assert "in 1 Gebiet (01) nach Wohnungen" in text and "in 1 Gebiet (02) gleichmäßig" in text


def test_cell_on_a_border_merged_and_totals_kept():
    areas = _areas(border=1030)  # the cell x 1000–1100 has its centre in "02", a home of "01" lies in it
    layer, _ = spread_totals(areas, TOTALS, _housing((250, 250, 30), (1010, 520, 10)))
    assert layer["cell_id"].is_unique
    shared = layer.set_index("cell_id").loc[grid.cell_id(Y0 + 500, X0 + 1000), "residents"]
    assert shared in (250 + 12, 250 + 13)
    assert layer["residents"].sum() == TOTALS["residents"].sum()
    for band in BANDS:
        assert layer[band].sum() == TOTALS[band].sum()


def test_tiny_area_gets_the_cell_of_its_representative_point():
    areas = gpd.GeoDataFrame({"area_id": ["0301"]}, geometry=[box(X0 + 10, Y0 + 10, X0 + 30, Y0 + 30)], crs=CRS)
    layer, text = spread_totals(areas, pd.DataFrame({"area_id": ["0301"], "residents": [7]}))
    assert layer["cell_id"].tolist() == [grid.cell_id(Y0, X0)] and layer["residents"].tolist() == [7]
    assert layer[BANDS].isna().all().all()  # no age bands given: unknown, not zero
    assert EVEN in text and BY_DWELLINGS not in text


def test_any_crs_and_missing_bands_stay_missing():
    totals = TOTALS.drop(columns=["age_65_79", "age_80_plus"]).astype({"residents": float})  # 1000.0 from a CSV
    layer, _ = spread_totals(_areas().to_crs("EPSG:4326"), totals, HOUSING.to_crs("EPSG:25832"))
    assert layer.crs == CRS
    assert layer["residents"].sum() == 2234 and layer["age_18_64"].sum() == 1301
    assert layer["age_65_79"].isna().all() and layer["age_80_plus"].isna().all()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"area_id": ["01", "99"]}, "ohne Fläche: Gebiet 99"),
        ({"residents": [1000, 12.5]}, "keine ganze Zahl"),
        ({"residents": [1000, 1000]}, "mehr als Einwohner: Gebiet 02"),
        ({"area_id": ["01", "01"]}, "mehrfach"),
    ],
)
def test_totals_that_cannot_be_kept_exact_are_refused(change, message):
    with pytest.raises(ValueError, match=message):
        spread_totals(_areas(), TOTALS.assign(**change))
