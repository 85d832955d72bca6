"""The profile's small map: fitted to the area itself, a Quartier or a whole Stadtbezirk."""

import folium
import pytest

from dashboard.analysis.city import prepare
from dashboard.analysis.profile import resolve
from dashboard.maps.area_map import area_shape, interactive_map
from dashboard.maps.karte import prepare_map_data
from dashboard.model import schema
from dashboard.store.settings import Settings
from tests.support.factories import tiny_workspace

NO_TILES = Settings(None, tile_url=None, tile_attribution="")


@pytest.mark.parametrize("area_id", ["0101", "0102", "01", "02"])
def test_the_map_is_fitted_to_the_areas_own_polygon(area_id):
    city = prepare(tiny_workspace())
    area = resolve(city, area_id)
    west, south, east, north = area_shape(city, area).to_crs(schema.WEB_CRS).total_bounds
    fmap = interactive_map(prepare_map_data(city), city, area, NO_TILES, "de")
    fitted = [child for child in fmap._children.values() if isinstance(child, folium.map.FitBounds)]
    assert fitted[-1].bounds == [[south, west], [north, east]]  # the last fit counts (the base map fits its Bezirk)
