"""Real Stuttgart Stadtteile (files nobody here wrote) as the two area levels of the Karte."""

import geopandas as gpd
import pytest

from dashboard.analysis.city import prepare
from dashboard.analysis.classify import classify
from dashboard.analysis.indicators import unit_table
from dashboard.ingest.validation import validate_layer
from dashboard.maps.karte import build_map, prepare_map_data
from dashboard.model.areas import two_levels
from dashboard.model.view import MapView
from dashboard.model.workspace import Workspace
from dashboard.store.settings import Settings
from tests.support.paths import SHARED_DATA

DATA = SHARED_DATA / "stuttgart-stadtteile"
FILES = ["Stgt_Stadtteile_EPSG25832.geojson", "Stgt_Stadtteile_WGS84.json"]

pytestmark = pytest.mark.skipif(
    not DATA.is_dir(), reason=f"real data not present: {DATA} (../shared/data beside the repo)"
)


@pytest.fixture(scope="module", params=FILES)
def areas(request):
    flat = gpd.read_file(DATA / request.param)
    return two_levels(
        flat,
        quartier_id="STADTTEILNR",
        quartier_name="STADTTEILNAME",
        bezirk_id="STADTBEZIRKNR",
        bezirk_name="STADTBEZIRKNAME",
    )


def test_two_levels_from_stadtbezirknr(areas):
    assert (areas["level"] == "quartier").sum() == 152
    assert (areas["level"] == "stadtbezirk").sum() == 23
    bezirke = set(areas.loc[areas["level"] == "stadtbezirk", "area_id"])
    assert "02" in bezirke  # leading zero kept
    assert set(areas.loc[areas["level"] == "quartier", "parent_id"]) == bezirke
    assert "Lemberg/Föhrich" in set(areas["name"])


def test_real_areas_validate_without_errors(areas):
    errors = [p for p in validate_layer("areas", areas) if p.severity == "error"]
    assert errors == []


def test_karte_map_builds_small_for_stuttgart(areas):
    city = prepare(Workspace(city="Stuttgart", layers={"areas": areas}))
    data = prepare_map_data(city)
    view = MapView()
    table = unit_table(city, view)
    fmap, groups = build_map(data, city, table, classify(table[view.measure]), view, Settings(None, None, ""))
    html = fmap.get_root().render()
    assert len(data.units["features"]) == 152 and len(data.bezirke["features"]) == 23
    assert len(html) < 1_500_000  # simplified polygons, not the 0.96 MB source at full detail
    assert "Feuerbach-Mitte" in html
    west_south, east_north = data.bounds[""]
    assert 48.6 < west_south[0] < east_north[0] < 48.9 and 9.0 < west_south[1] < east_north[1] < 9.4
