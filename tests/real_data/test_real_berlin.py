"""Real Berlin data (files nobody here wrote) through the whole gap analysis.

Areas: 12 Bezirke and 58 LOR Prognoseräume (2021 scheme). Population: residents
per Prognoseraum (Einwohnerregister, end of 2024), spread evenly onto the 100 m
grid because these files hold no housing. Offers: OpenStreetMap community centres.

Mapping decisions, all forced by what the sources hold:
- Age bands: Berlin publishes <6, 6–15, 15–18, 18–27, 27–45, 45–55, 55–65, 65+.
  They map exactly to age_0_5, age_6_17 and age_18_64; the source has no 80+
  split, so the whole 65+ count goes into age_65_79 and age_80_plus stays
  missing (not 0). Analyses of 65+ are right; 65–79 or 80+ alone are not
  possible for Berlin with this data.
- Participation level: OSM says nothing about it. Every community centre is
  taken as ``mitwirkung`` with target group ``alle`` – an assumption; the OSM
  category also holds Bürgerämter and church halls (see SOURCE.txt).
"""

from dataclasses import replace

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer
from streamlit.testing.v1 import AppTest

from dashboard.analysis.city import prepare
from dashboard.analysis.gaps import GapParams, analyse, ranked, with_scenario
from dashboard.analysis.indicators import total_row, unit_table
from dashboard.ingest.population import EVEN, spread_totals
from dashboard.ingest.validation import validate_layer
from dashboard.model import schema
from dashboard.model.areas import assign_points
from dashboard.model.scenario import NewOffer, Scenario
from dashboard.model.view import MapView
from dashboard.model.workspace import LayerMeta, Workspace
from dashboard.store.gpkgfile import write_geopackage
from tests.support.paths import ROOT, SHARED_DATA

DATA = SHARED_DATA
LOR = DATA / "berlin-lor"
EINWOHNER = DATA / "berlin-einwohner"
POI = DATA / "berlin-poi-osm"
COMMUNITY_CENTRES = POI / "berlin-points-of-interest-community-centers-details.geojson"

pytestmark = pytest.mark.skipif(
    not all(folder.is_dir() for folder in (LOR, EINWOHNER, POI)),
    reason=f"real Berlin data not present: {LOR}, {EINWOHNER} or {POI} (../shared/data beside the repo)",
)

#: Our age bands as sums of Berlin's columns (inhabitants_age_<band>).
AGE_COLUMNS = {
    "age_0_5": ["below_6"],
    "age_6_17": ["6_15", "15_18"],
    "age_18_64": ["18_27", "27_45", "45_55", "55_65"],
    "age_65_79": ["above_65"],  # all of 65+: the source has no 80+ split
}
POPULATION_CSV = "berlin-lor-population-2024-02-t2-{level}.csv"


# --- loaders: Berlin's files as the layers of the data model ---


def read_lor(name: str) -> gpd.GeoDataFrame:
    """One LOR file with ids as text; ``bounding_box`` (a JSON array) is not read."""
    frame = gpd.read_file(LOR / name, columns=["id", "name"])
    if not pd.api.types.is_string_dtype(frame["id"]):
        raise TypeError(f"{name}: ids not read as text ({frame['id'].dtype})")
    return frame


def read_areas() -> gpd.GeoDataFrame:
    """Bezirke (level stadtbezirk) and Prognoseräume (level quartier, parent = first two id characters)."""
    bezirke = read_lor("berlin-lor-districts.geojson").assign(level="stadtbezirk", parent_id=None)
    quartiere = read_lor("berlin-lor-forecast-areas-from-2021.geojson")
    quartiere = quartiere.assign(level="quartier", parent_id=quartiere["id"].str[:2])
    areas = pd.concat([bezirke, quartiere], ignore_index=True).rename(columns={"id": "area_id"})
    return gpd.GeoDataFrame(areas[[*schema.AREAS.field_names, "geometry"]], crs=bezirke.crs)


def read_population_csv(level: str) -> pd.DataFrame:
    """``level`` is "districts" or "forecast-areas"; ids are zero-padded text ("0110")."""
    return pd.read_csv(EINWOHNER / POPULATION_CSV.format(level=level), dtype={"id": str})


def population_totals(csv: pd.DataFrame) -> pd.DataFrame:
    """Residents and our age bands per area; age_80_plus is left out (unknown)."""
    totals = pd.DataFrame({"area_id": csv["id"], "residents": csv["inhabitants"]})
    for band, parts in AGE_COLUMNS.items():
        totals[band] = csv[[f"inhabitants_age_{part}" for part in parts]].sum(axis=1)
    return totals


def read_offers() -> gpd.GeoDataFrame:
    """OSM community centres as participation offers for everyone (level assumed, see module doc)."""
    raw = gpd.read_file(COMMUNITY_CENTRES, columns=["id", "name"])
    name = (
        raw["name"].astype(object).where(raw["name"].notna() & (raw["name"].str.strip() != ""), "Gemeinschaftszentrum")
    )
    offers = pd.DataFrame({field: None for field in schema.OFFERS.field_names}, index=raw.index)
    offers = offers.assign(
        offer_id=raw["id"],
        name=name,
        category="begegnung",
        target_groups="alle",
        level="mitwirkung",
        source="OpenStreetMap (ODbL)",
        stand="2025-08-10",  # last data change of the copied product; SOURCE.txt also names a "2025-09" snapshot
    )
    return gpd.GeoDataFrame(offers, geometry=raw.geometry, crs=raw.crs)


#: Provenance per layer as SOURCE.txt gives it: source, licence, attribution, Stand.
META = {
    "areas": LayerMeta(
        "LOR Bezirke und Prognoseräume 2021",
        "CC BY 4.0 (Quelle CC BY 3.0 DE)",
        "Amt für Statistik Berlin-Brandenburg (LOR), Geoportal Berlin; aufbereitet von Open Data Product, CC BY 4.0",
        "2025-08-04",
    ),
    "population": LayerMeta(
        "Einwohnerregisterstatistik 2. Halbjahr 2024 je Prognoseraum",
        "CC BY 4.0 (Quelle CC BY 3.0 DE)",
        "Amt für Statistik Berlin-Brandenburg, Einwohnerregisterstatistik; "
        "aufbereitet von Open Data Product, CC BY 4.0",
        "2024-12-31",
    ),
    "offers": LayerMeta(
        "OpenStreetMap, amenity=community_centre",
        "ODbL 1.0 (Aufbereitung CC BY 4.0)",
        "© OpenStreetMap-Mitwirkende (ODbL); aufbereitet von Open Lifeworlds, CC BY 4.0",
        "2025-08-10",
    ),
}


@pytest.fixture(scope="module")
def berlin():
    """The Berlin workspace, its prepared city, the Prognoseraum CSV and the method text."""
    areas = read_areas()
    csv = read_population_csv("forecast-areas")
    population, method = spread_totals(areas, population_totals(csv))
    meta = {**META, "population": replace(META["population"], source=f"{META['population'].source}. {method}")}
    layers = {"areas": areas, "population": population, "offers": read_offers()}
    workspace = Workspace(city="Berlin", layers=layers, meta=meta)
    return workspace, prepare(workspace), csv, method


@pytest.fixture(scope="module")
def table(berlin):
    _, city, *_ = berlin
    return unit_table(city, MapView())


def test_two_levels_with_zero_padded_text_ids(berlin):
    areas = berlin[0].areas
    bezirke, quartiere = areas[areas["level"] == "stadtbezirk"], areas[areas["level"] == "quartier"]
    assert len(bezirke) == 12 and len(quartiere) == 58
    assert "01" in set(bezirke["area_id"]) and "0110" in set(quartiere["area_id"])
    assert (bezirke["area_id"].str.len() == 2).all() and (quartiere["area_id"].str.len() == 4).all()
    # parent = first two characters holds geometrically: each Prognoseraum lies in that Bezirk
    located = assign_points(quartiere.geometry.representative_point(), bezirke)
    assert (located == quartiere["parent_id"]).all()


def test_residents_exact_city_wide_and_per_prognoseraum(berlin, table):
    workspace, _, csv, method = berlin
    population = workspace.population
    districts = read_population_csv("districts")
    assert population["residents"].sum() == csv["inhabitants"].sum() == districts["inhabitants"].sum()
    assert population["cell_id"].is_unique
    per_area = table["residents"].astype(int)
    assert per_area.to_dict() == csv.set_index("id")["inhabitants"].to_dict()
    by_bezirk = table.groupby("parent_id")["residents"].sum().astype(int)
    assert by_bezirk.to_dict() == districts.set_index("id")["inhabitants"].to_dict()
    assert table["age_65_plus"].astype(int).to_dict() == csv.set_index("id")["inhabitants_age_above_65"].to_dict()
    assert population["age_80_plus"].isna().all()  # unknown in Berlin's data, not zero
    assert EVEN in method and "58 Gebieten" in method


def test_residents_assigned_to_prognoseraeume(berlin):
    _, city, csv, *_ = berlin
    cells = city.cells
    assigned = cells.loc[cells["area_id"].notna(), "residents"].sum()
    assert assigned >= 0.995 * csv["inhabitants"].sum()


def test_unit_table_plausible(berlin, table):
    workspace, city, *_ = berlin
    assert len(table) == 58 and not table["suppressed"].any()
    assert table["uncovered_share"].between(0, 1).all()
    assert np.isfinite(table["offers_per_1000"]).all()
    assert 0.05 < total_row(table)["uncovered_share"] < 0.95
    berlin_outline = workspace.bezirke().to_crs(schema.ANALYSIS_CRS).union_all()
    inside = workspace.offers.to_crs(schema.ANALYSIS_CRS).within(berlin_outline).sum()
    assert table["participation_offers"].sum() == table["offers"].sum() == inside


def test_osm_planning_area_matches_point_in_polygon(berlin):
    """The source's own LOR key (a number that lost its zeros) agrees with where the points lie."""
    _, city, *_ = berlin
    raw = gpd.read_file(COMMUNITY_CENTRES, columns=["id", "planning-area-id"])
    prognoseraum = raw["planning-area-id"].astype(str).str.zfill(8).str[:4]
    assert (prognoseraum.to_numpy() == city.offers["area_id"].to_numpy()).all()


@pytest.mark.parametrize("layer", ["areas", "population", "offers"])
def test_layers_validate_without_errors(berlin, layer):
    errors = [p for p in validate_layer(layer, berlin[0].layer(layer)) if p.severity == "error"]
    assert errors == []


def test_gap_analysis_for_seniors_and_a_planned_offer(berlin):
    _, city, csv, _ = berlin
    result = analyse(city, GapParams(target_group="senioren"))
    units = result.units
    assert result.city["target_residents"] == csv["inhabitants_age_above_65"].sum()
    assert len(units) == 58 and units["gap_index"].between(0, 100).all()
    assert 0 < result.city["covered_share"] < 1
    worst = ranked(result).index[0]
    cells = result.cells[(result.cells["area_id"] == worst) & ~result.cells["covered"]]
    spot = cells.loc[cells["demand"].idxmax()]
    lon, lat = Transformer.from_crs(schema.ANALYSIS_CRS, schema.WEB_CRS, always_xy=True).transform(spot["x"], spot["y"])
    after = with_scenario(city, result, Scenario(added=(NewOffer(lon, lat, capacity=40),)))
    assert after.units.loc[worst, "covered_residents"] > units.loc[worst, "covered_residents"]
    assert after.units.loc[worst, "gap_index"] < units.loc[worst, "gap_index"]


def test_lueckenanalyse_page_on_berlin(berlin, tmp_path, monkeypatch):
    path = tmp_path / "berlin.gpkg"
    write_geopackage(berlin[0], path)
    monkeypatch.setenv("QUARTIERSATLAS_WORKSPACE", str(path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.switch_page("pages/luecken.py").run()
    assert not at.exception
    assert at.title[0].value == "Lückenanalyse: Berlin"
    assert len(at.dataframe[0].value) == 58
