"""Tests of the demo city Musterstadt: deterministic, complete, small, and holding its patterns.

The city is generated once per module; the pattern tests check each deliberate situation
from the data itself (as an analysis would find it), not from the generator's own records.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal
from scipy.spatial import cKDTree

from dashboard.demo import musterstadt
from dashboard.model import grid, schema
from dashboard.model.workspace import Workspace
from dashboard.store import gpkgfile

SEED = 2016
#: The Quartiere named in the module docstring of ``dashboard.demo`` for seed 2016.
DOCUMENTED = musterstadt.TruePatterns(
    participation_gaps=("0201", "0703", "1206", "1502"),
    without_civil_society=("0304", "0306", "0502", "1207", "1305", "1803"),
    cooperative_with_sozialmanagement=("0206", "0207", "1401", "1402", "2001", "2002"),
    cooperative_without_sozialmanagement=("0301", "0303", "0501", "0504", "0901", "0904", "1101", "1605", "1606"),
    old_age_few_senior_offers=("1807",),
)
MAX_GPKG_BYTES = 5_000_000
STAND = date.fromisoformat(musterstadt.STAND)


@pytest.fixture(scope="module")
def built() -> tuple[Workspace, musterstadt.TruePatterns]:
    return musterstadt.build(SEED)


@pytest.fixture(scope="module")
def workspace(built) -> Workspace:
    return built[0]


@pytest.fixture(scope="module")
def patterns(built) -> musterstadt.TruePatterns:
    return built[1]


@pytest.fixture(scope="module")
def quartiere(workspace) -> gpd.GeoDataFrame:
    return workspace.quartiere()[["area_id", "name", "parent_id", "geometry"]]


@pytest.fixture(scope="module")
def cells(workspace, quartiere) -> gpd.GeoDataFrame:
    """Population cells with their centre in the city CRS and the Quartier it lies in."""
    points = workspace.population.to_crs(musterstadt.CITY_CRS)
    return gpd.sjoin(points, quartiere[["area_id", "geometry"]], predicate="within").drop(columns="index_right")


@pytest.fixture(scope="module")
def stats(cells, quartiere) -> pd.DataFrame:
    """Residents, density and share aged 65+ per Quartier."""
    sums = cells.groupby("area_id")[["residents", "age_65_79", "age_80_plus"]].sum()
    table = quartiere.set_index("area_id").join(sums).fillna(0)
    table["density"] = table["residents"] / table.geometry.area * 1e6
    table["old_share"] = (table["age_65_79"] + table["age_80_plus"]) / table["residents"].where(table["residents"] > 0)
    return table


def _located_in(points: gpd.GeoDataFrame, quartiere: gpd.GeoDataFrame) -> pd.Series:
    """The Quartier each point lies in (index of ``points``)."""
    joined = gpd.sjoin(points, quartiere[["area_id", "geometry"]], predicate="within")
    return joined["area_id"].reindex(points.index)


def _participation(offers: pd.DataFrame) -> pd.Series:
    return offers["level"].map(schema.level_rank) >= schema.level_rank(schema.DEFAULT_PARTICIPATION_LEVEL)


def _senior(offers: pd.DataFrame) -> pd.Series:
    return offers["target_groups"].map(lambda v: "senioren" in schema.split_list(v)) | offers["category"].isin(
        ["senioren", "pflege"]
    )


# --- determinism, speed, file -------------------------------------------------------------------


@pytest.mark.slow
def test_the_same_seed_gives_the_same_data(workspace):
    again = musterstadt.generate(SEED)
    assert again.city == workspace.city and again.is_demo == workspace.is_demo and again.meta == workspace.meta
    assert again.layers.keys() == workspace.layers.keys()
    for name, frame in workspace.layers.items():
        if isinstance(frame, gpd.GeoDataFrame):
            assert_geodataframe_equal(again.layers[name], frame)
        else:
            pd.testing.assert_frame_equal(again.layers[name], frame)


@pytest.mark.slow
def test_another_seed_gives_another_city(workspace):
    other = musterstadt.generate(SEED + 1)
    assert not shapely.equals_exact(other.bezirke().geometry.values, workspace.bezirke().geometry.values, 1.0).all()
    assert set(other.population["cell_id"]) != set(workspace.population["cell_id"])
    assert other.actors["name"].tolist() != workspace.actors["name"].tolist()


def test_the_committed_geopackage_is_generate_2016(workspace):
    stored = gpkgfile.read_geopackage(gpkgfile.DEMO_PATH)
    assert (stored.city, stored.is_demo, stored.meta) == (workspace.city, workspace.is_demo, workspace.meta)
    assert stored.layers.keys() == workspace.layers.keys()
    for name, layer in schema.LAYERS.items():
        expected, actual = workspace.layers[name], stored.layers[name]
        assert len(actual) == len(expected), name
        for spec in layer.fields:
            want, got = expected[spec.name], actual[spec.name]
            if spec.kind in ("int", "float"):
                want, got = pd.array(want, dtype="Float64"), pd.array(got, dtype="Float64")
                pd.testing.assert_extension_array_equal(got, want)
            elif spec.kind == "bool":
                assert got.astype(bool).tolist() == want.tolist(), (name, spec.name)
            else:
                assert got.tolist() == want.tolist(), (name, spec.name)
        if layer.geometry_types:
            assert actual.crs == expected.crs
            assert actual.geometry.geom_equals_exact(expected.geometry, tolerance=0.01).all(), name


def test_the_committed_geopackage_is_small():
    assert gpkgfile.DEMO_PATH.stat().st_size < MAX_GPKG_BYTES


# --- the layers -----------------------------------------------------------------------------------


def test_every_layer_has_exactly_the_schema_columns_and_types(workspace):
    for name, layer in schema.LAYERS.items():
        frame = workspace.layers[name]
        geometry = ["geometry"] if layer.geometry_types else []
        assert list(frame.columns) == layer.field_names + geometry, name
        for spec in layer.fields:
            column = frame[spec.name]
            if spec.kind in ("id", "ref", "text", "code", "codes", "date"):
                assert column.dtype == object and column.map(lambda v: v is None or type(v) is str).all(), spec.name
            elif spec.kind == "int":
                assert str(column.dtype) in ("int64", "Int64"), spec.name
            elif spec.kind == "bool":
                assert column.dtype == bool, spec.name
        assert frame[layer.id_field].is_unique, name
        for spec in layer.fields:
            if spec.codes:
                values = frame[spec.name].map(schema.split_list).explode().dropna()
                assert set(values) <= set(spec.codes), spec.name
            if spec.required:
                assert frame[spec.name].notna().all(), spec.name


def test_workspace_is_marked_as_demo_with_provenance_for_every_layer(workspace):
    assert workspace.city == "Musterstadt" and workspace.is_demo
    for name in schema.LAYERS:
        meta = workspace.layer_meta(name)
        assert meta.source == "Demodaten – fiktive Stadt (erzeugt mit python -m dashboard demo)"
        assert meta.licence == "CC0 – frei erfunden"
        assert (meta.attribution, meta.stand) == ("Demodaten – fiktive Stadt", "2026-06-30")


def test_layers_lie_where_the_city_is(workspace):
    for name in ("areas", "actors", "housing", "offers", "paths"):
        frame = workspace.layers[name]
        assert frame.crs.to_epsg() == 25832, name
        minx, miny, maxx, maxy = frame.total_bounds
        assert 480_000 <= minx and maxx <= 505_000 and 5_590_000 <= miny and maxy <= 5_615_000, name
    assert workspace.population.crs.to_epsg() == 3035


def test_areas_are_twenty_bezirke_tiled_by_quartiere(workspace, quartiere):
    areas = workspace.areas
    bezirke = workspace.bezirke()
    assert bezirke["area_id"].tolist() == [f"{i:02d}" for i in range(1, 21)]
    assert bezirke["parent_id"].isna().all()
    assert 100 <= len(quartiere) <= 140
    assert all(re.fullmatch(r"\d{4}", q) for q in quartiere["area_id"])
    assert (quartiere["area_id"].str[:2] == quartiere["parent_id"]).all()
    assert areas["name"].is_unique
    assert areas["name"].str.contains("[äöüß]").any()
    assert shapely.is_valid(areas.geometry.values).all()
    for bezirk in bezirke.itertuples():
        members = quartiere[quartiere["parent_id"] == bezirk.area_id].geometry
        assert len(members) >= 2
        assert abs(members.area.sum() - shapely.union_all(members.values).area) < 1.0  # no overlaps
        assert shapely.symmetric_difference(shapely.union_all(members.values), bezirk.geometry).area < 1.0  # no gaps
    assert abs(bezirke.area.sum() - shapely.union_all(bezirke.geometry.values).area) < 1.0


def test_quartiere_have_no_slivers_and_the_city_is_not_a_rectangle(workspace, quartiere):
    area = quartiere.geometry.area
    compactness = 4 * np.pi * area / quartiere.geometry.length**2
    assert area.min() > 250_000 and compactness.min() > 0.25
    city = shapely.union_all(workspace.bezirke().geometry.values)
    assert city.geom_type == "Polygon"
    assert city.area / city.envelope.area < 0.85
    assert city.area / city.convex_hull.area < 0.97


@pytest.fixture(scope="module")
def river_and_railway() -> tuple[shapely.LineString, shapely.LineString, shapely.Polygon]:
    """The lines the city was built around: outline, river and railway are its first draws."""
    rng = np.random.default_rng(SEED)
    outline = musterstadt._outline(rng)
    river, _ = musterstadt._river_and_banks(rng, outline)
    return river, musterstadt._railway(rng), outline


def test_bezirk_borders_follow_the_river(workspace, river_and_railway):
    river, _, outline = river_and_railway
    borders = shapely.union_all(workspace.bezirke().boundary.values)
    inside = river.intersection(outline)
    assert inside.length > 15_000
    assert inside.difference(borders.buffer(0.5)).length < 1.0


def test_nobody_lives_in_the_river_or_on_the_railway(cells, river_and_railway):
    river, railway, outline = river_and_railway
    assert railway.intersection(outline).length > 15_000
    centres = cells.geometry.values
    assert shapely.distance(centres, river).min() > 50
    assert shapely.distance(centres, railway).min() > 25


def test_population_cells_sit_on_the_inspire_grid_inside_the_city(workspace, cells):
    population = workspace.population
    assert 20_000 <= len(population) <= 30_000
    assert len(cells) == len(population)  # every centre lies in a Quartier
    np.testing.assert_array_equal(
        grid.cell_centres(population["cell_id"]), shapely.get_coordinates(population.geometry.values)
    )
    assert (population["residents"] > 0).all()
    assert (population[list(schema.AGE_BANDS)].sum(axis=1) == population["residents"]).all()
    assert 360_000 <= population["residents"].sum() <= 440_000


def test_the_centre_is_denser_than_the_edge(cells):
    to_centre = np.hypot(cells.geometry.x - 492_500, cells.geometry.y - 5_602_500)
    assert cells["residents"][to_centre < 3_000].mean() > 4 * cells["residents"][to_centre > 8_000].mean()


def test_age_structure_varies_between_quartiere(cells, stats):
    young = cells.groupby("area_id")[["age_0_5", "age_6_17"]].sum().sum(axis=1) / stats["residents"]
    rated = stats["residents"] >= 1_000
    assert (stats.loc[rated, "old_share"] >= 0.30).sum() >= 5
    assert (young[rated] >= 0.22).sum() >= 5


def test_actors_of_all_four_sectors_with_fictional_details(workspace):
    actors = workspace.actors
    assert len(actors) >= 300
    assert set(actors["sector"]) == set(schema.SECTORS)
    assert actors["name"].is_unique
    assert actors["kind"].notna().all()
    names = " ".join(actors["name"])
    for word in ("Caritas", "Diakonie", "AWO", "DRK", "Bürgerbüro", "Jugendamt", "eG", "Stadtteilvernetzer"):
        assert word in names
    known = set(workspace.quartiere()["area_id"])
    assert actors["quartiere"].map(lambda v: set(schema.split_list(v)) <= known).all()
    assert actors["website"].dropna().str.startswith("https://beispiel.invalid/").all()
    contact = actors["contact"].dropna()
    assert contact.map(lambda v: "@beispiel.invalid" in v or "0000 " in v).all()
    assert (actors["source"] == musterstadt.SOURCE).all()
    assert 0.1 < _outdated_share(actors["stand"]) < 0.5


def _outdated_share(stand: pd.Series) -> float:
    dates = stand.map(date.fromisoformat)
    assert (dates <= STAND).all()
    return float((dates < STAND - timedelta(days=730)).mean())


def test_housing_stock_fits_the_residents(workspace):
    housing = workspace.housing
    assert len(housing) >= 10_000
    assert set(housing["owner_type"]) == set(schema.OWNER_TYPES)
    assert (housing["dwellings"] >= 1).all()
    assert (housing["subsidised"] <= housing["dwellings"]).all()
    assert (housing["barrier_free"] <= housing["dwellings"]).all()
    assert housing["year_built"].between(1850, 2026).all()
    assert 170_000 <= housing["dwellings"].sum() <= 240_000
    assert not housing.loc[housing["owner_type"] == "privat", "sozialmanagement"].any()
    assert housing.loc[housing["owner_type"] != "privat", "sozialmanagement"].any()


def test_housing_owners_are_housing_actors(workspace):
    housing, actors = workspace.housing, workspace.actors.set_index("actor_id")
    company = housing["owner_type"] != "privat"
    assert housing.loc[company, "owner_actor_id"].notna().all()
    owners = actors.loc[housing["owner_actor_id"].dropna(), ["sector", "kind"]]
    assert (owners["sector"] == "wohnungswirtschaft").all()
    kinds = actors.loc[housing.loc[company, "owner_actor_id"], "kind"].set_axis(housing.index[company])
    kommunal = housing.loc[company, "owner_type"] == "kommunal"
    assert (kinds[kommunal] == "kommunale Wohnungsgesellschaft").all()
    assert (kinds[~kommunal] == "Wohnungsbaugenossenschaft").all()


def test_housing_lies_in_populated_cells(workspace):
    xy = shapely.get_coordinates(workspace.housing.to_crs(schema.ANALYSIS_CRS).geometry.values)
    corners = np.floor(xy / grid.CELL_SIZE).astype(np.int64) * grid.CELL_SIZE
    ids = {grid.cell_id(north, east) for east, north in corners.tolist()}
    assert ids <= set(workspace.population["cell_id"])


def test_offers_cover_every_category_and_level(workspace):
    offers, actors = workspace.offers, workspace.actors
    assert len(offers) >= 800
    assert set(offers["category"]) == set(schema.CATEGORIES)
    assert set(offers["level"]) == set(schema.LEVELS)
    assert set(offers["target_groups"].map(schema.split_list).explode()) == set(schema.TARGET_GROUPS)
    assert set(offers["operator_actor_id"]) <= set(actors["actor_id"])
    capacity = offers["capacity"]
    assert str(capacity.dtype) == "Int64" and capacity.isna().any() and (capacity.dropna() > 0).all()
    assert offers["barrier_free"].any() and not offers["barrier_free"].all()
    assert offers["opening_hours"].notna().mean() > 0.9
    assert offers["contact"].dropna().map(lambda v: "@beispiel.invalid" in v or "0000 " in v).all()
    assert (offers["source"] == musterstadt.SOURCE).all()
    assert 0.1 < _outdated_share(offers["stand"]) < 0.5


def test_cooperations_link_distinct_actors_once(workspace):
    coops = workspace.cooperations
    assert len(coops) >= 400
    known = set(workspace.actors["actor_id"])
    assert set(coops["actor_a"]) <= known and set(coops["actor_b"]) <= known
    assert (coops["actor_a"] != coops["actor_b"]).all()
    pairs = {frozenset(pair) for pair in zip(coops["actor_a"], coops["actor_b"], strict=False)}
    assert len(pairs) == len(coops)
    assert set(coops["kind"]) == set(schema.COOPERATION_KINDS)
    assert coops["since"].between(1990, 2026).all()


def test_streets_cross_river_and_railway_only_at_a_few_places(workspace):
    from scipy.sparse.csgraph import connected_components

    from dashboard.analysis import walknet

    paths = workspace.layers["paths"]
    assert set(paths["highway"]) <= walknet.WALKABLE and len(paths) > 1_000
    coords, line = shapely.get_coordinates(paths.geometry.values, return_index=True)
    same = line[1:] == line[:-1]
    pieces = shapely.linestrings(np.stack([coords[:-1][same], coords[1:][same]], axis=1))
    city = musterstadt._city(np.random.default_rng(SEED))
    assert shapely.intersects(pieces, city.river).sum() == musterstadt._BRIDGES
    assert shapely.intersects(pieces, city.railway).sum() == musterstadt._UNDERPASSES
    network = walknet.from_lines(paths.geometry)
    _, component = connected_components(network.graph, directed=False)
    assert np.bincount(component).max() > 0.95 * network.node_count  # one walkable city, a few loose ends


# --- the true patterns ------------------------------------------------------------------------------


def test_the_documented_patterns_are_the_generated_ones(patterns):
    assert patterns == DOCUMENTED
    for field in DOCUMENTED.__dataclass_fields__:
        for area_id in getattr(DOCUMENTED, field):
            assert area_id in musterstadt.__doc__


def test_dense_quartiere_without_participation_offers_nearby(workspace, patterns, cells, stats, quartiere):
    offers = workspace.offers
    participation = offers[_participation(offers)]
    tree = cKDTree(shapely.get_coordinates(participation.geometry.values))
    distance, _ = tree.query(shapely.get_coordinates(cells.geometry.values))
    covered = (cells["residents"] * (distance <= 500)).groupby(cells["area_id"]).sum() / stats["residents"]
    offers_in = _located_in(offers, quartiere)
    assert len(patterns.participation_gaps) >= 3
    for area_id in patterns.participation_gaps:
        assert stats.at[area_id, "residents"] >= stats["residents"].median()
        assert stats.at[area_id, "density"] >= stats["density"].median()
        assert covered[area_id] < 0.15, area_id
        assert not (_participation(offers) & (offers_in == area_id)).any()
        assert (offers_in == area_id).any()  # it has offers, just none to take part in


def test_quartiere_without_civil_society(workspace, patterns, stats, quartiere):
    actors = workspace.actors
    civil = actors[actors["sector"] == "zivilgesellschaft"]
    civil_in = set(_located_in(civil, quartiere).dropna())
    works_in = set(civil["quartiere"].map(schema.split_list).explode())
    institutions_in = set(_located_in(actors[actors["sector"].isin(["kommune", "wohlfahrtspflege"])], quartiere))
    assert len(patterns.without_civil_society) >= 5
    for area_id in patterns.without_civil_society:
        assert area_id not in civil_in and area_id not in works_in
        assert area_id in institutions_in
        assert stats.at[area_id, "residents"] >= 1_000
    lacking = set(stats.index) - civil_in
    assert lacking - set(patterns.without_civil_society) <= set(stats.index[stats["residents"] < 300])


def test_cooperative_estates_with_and_without_sozialmanagement(workspace, patterns, quartiere):
    housing, offers = workspace.housing, workspace.offers
    cooperative = housing[housing["owner_type"] == "genossenschaftlich"]
    where = _located_in(cooperative, quartiere)
    managed = cooperative["sozialmanagement"]
    assert tuple(sorted(set(where[managed]))) == patterns.cooperative_with_sozialmanagement
    assert tuple(sorted(set(where[~managed]))) == patterns.cooperative_without_sozialmanagement
    assert len(set(where)) <= 20  # clustered in a few Quartiere
    assert (cooperative.groupby("owner_actor_id")["sozialmanagement"].nunique() == 2).any()
    offers_in = _located_in(offers, quartiere)
    for area_id in patterns.cooperative_with_sozialmanagement:
        runners = set(cooperative.loc[managed & (where == area_id), "owner_actor_id"])
        run_here = offers[(offers_in == area_id) & _participation(offers)]["operator_actor_id"]
        assert runners & set(run_here), area_id


def test_old_age_quartier_with_few_senior_offers(workspace, patterns, stats, quartiere):
    offers = workspace.offers
    senior = offers[_senior(offers)]
    senior_in = _located_in(senior, quartiere)
    (area_id,) = patterns.old_age_few_senior_offers
    assert stats.at[area_id, "old_share"] >= 0.30
    here = senior[senior_in == area_id]
    assert len(here) <= 1 and not _participation(here).any()
    near = quartiere.set_index("area_id").geometry[area_id].buffer(250)
    assert shapely.contains(near, senior.geometry.values).sum() == len(here)
    old_age = stats.index[(stats["old_share"] >= 0.30) & (stats["residents"] >= 1_000)].drop(area_id)
    assert senior_in.value_counts().reindex(old_age, fill_value=0).median() >= 2
