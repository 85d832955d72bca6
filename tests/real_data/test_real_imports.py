"""Every folder of ../shared/data goes through the whole import (read → mapping → check → store)
into a fresh store, with the counts its SOURCE.txt states and fields the app can use."""

from __future__ import annotations

import shutil
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from dashboard.analysis.city import prepare
from dashboard.analysis.gaps import GapParams, analyse
from dashboard.ingest import importer, importflow, readers
from dashboard.ingest.columnmap import ColumnMapping
from dashboard.model.roles import Role, User
from dashboard.model.workspace import LayerMeta
from dashboard.store.base import open_store
from tests.support.paths import SHARED_DATA

DATA = SHARED_DATA
EDITOR = User("planer", Role.EDITOR, "password")


def _need(*parts: str) -> Path:
    path = DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real data not present: {path}")
    return path


@pytest.fixture
def data_store(tmp_path):
    return open_store(tmp_path / "quartiersatlas.gpkg")


def load(data_store, path: Path, target: str, *, city: str = "", parent_prefix: int | None = None, **columns: str):
    """Import one file as a person would: the proposed mapping (with ``columns`` overriding), valid rows, replace."""
    raw = readers.read_file(path)
    if raw.coordinates is not None and raw.frame.__class__.__name__ == "DataFrame":
        raw, _ = readers.with_geometry(raw, raw.coordinates, raw.coordinates.crs_candidates[0])
    mapping, _ = importflow.first_mapping(data_store, raw, target)
    mapping = replace(mapping, columns={**mapping.columns, **columns}, parent_prefix=parent_prefix)
    plan = importflow.plan(data_store, raw, mapping)
    assert not plan.blocked, [p.text() for p in plan.problems[:5]]
    importflow.store_plan(data_store, EDITOR, raw, mapping, plan, meta=LayerMeta(path.name), mode="update", city=city)
    return plan


def test_stuttgart_whole_city_from_its_files(data_store):
    bezirke = load(
        data_store,
        _need("stuttgart-stadtbezirke-derived", "Stgt_Stadtbezirke_dissolved_EPSG25832.geojson"),
        "bezirke",
        city="Stuttgart",
    )
    quartiere = load(data_store, _need("stuttgart-stadtteile", "Stgt_Stadtteile_EPSG25832.geojson"), "quartiere")
    assert (bezirke.counts.valid, quartiere.counts.valid) == (23, 152)
    raw = readers.read_file(_need("stuttgart-einwohner", "population_by_district.csv"))
    plan = importer.plan_population_totals(raw, "district", "pop", {}, importflow.current_workspace(data_store))
    assert plan.counts.valid == 23 and not plan.blocked
    importflow.store_plan(
        data_store,
        EDITOR,
        raw,
        ColumnMapping("population", {"residents": "pop"}),
        plan,
        meta=LayerMeta("Einwohner"),
        mode="replace",
    )
    workspace = data_store.read()
    assert workspace.city == "Stuttgart"
    assert int(workspace.population["residents"].sum()) == 610_392
    assert set(workspace.quartiere()["parent_id"]) <= set(workspace.bezirke()["area_id"])
    assert len(data_store.import_log()) == 3


def test_stuttgart_wgs84_file_without_crs_member_lands_on_the_same_places(tmp_path):
    a, b = open_store(tmp_path / "a.gpkg"), open_store(tmp_path / "b.gpkg")
    for each in (a, b):
        load(each, _need("stuttgart-stadtbezirke-derived", "Stgt_Stadtbezirke_dissolved_EPSG25832.geojson"), "bezirke")
    load(a, _need("stuttgart-stadtteile", "Stgt_Stadtteile_EPSG25832.geojson"), "quartiere")
    load(b, _need("stuttgart-stadtteile", "Stgt_Stadtteile_WGS84.json"), "quartiere")
    left, right = (store.entries("areas").query("level == 'quartier'").set_index("area_id") for store in (a, b))
    assert len(left) == len(right) == 152
    shift = left.geometry.centroid.distance(right.loc[left.index].geometry.centroid)
    assert shift.max() < 5  # metres


def test_koeln_shapefiles_custom_projection_zipped_and_self_intersection(data_store, tmp_path):
    folder = _need("koeln-stadtteile-shp")
    zipped = tmp_path / "koeln.zip"
    with zipfile.ZipFile(zipped, "w") as archive:
        for part in folder.glob("Stadtteil.*"):
            archive.write(part, part.name)
    load(data_store, folder / "Stadtbezirk.shp", "bezirke", city="Köln")
    plan = load(data_store, zipped, "quartiere", parent_prefix=1)
    assert plan.counts.valid == 86
    assert any(p.severity == "warning" and p.row is not None for p in plan.problems)  # the repaired polygon
    workspace = data_store.read()
    assert len(workspace.bezirke()) == 9 and len(workspace.quartiere()) == 86
    assert workspace.areas.geometry.is_valid.all()
    assert 6.7 < workspace.areas.geometry.centroid.to_crs(4326).x.mean() < 7.2  # Köln, not somewhere else


def test_muenchen_strings_and_scientific_notation(data_store):
    plan = load(data_store, _need("muenchen-stadtbezirke", "stadtbezirke.geojson"), "bezirke", city="München")
    assert plan.counts.valid == 25
    assert sorted(data_store.read().bezirke()["area_id"])[:3] == ["01", "02", "03"]  # zero padding kept


def test_berlin_two_id_schemes_zero_padding_population_and_osm(tmp_path):
    data_store = open_store(tmp_path / "berlin.gpkg")
    load(data_store, _need("berlin-lor", "berlin-lor-districts.geojson"), "bezirke", city="Berlin")
    load(data_store, _need("berlin-lor", "berlin-lor-forecast-areas-from-2021.geojson"), "quartiere", parent_prefix=2)
    workspace = data_store.read()
    assert len(workspace.bezirke()) == 12 and len(workspace.quartiere()) == 58
    assert "0110" in set(workspace.quartiere()["area_id"])  # zero padding survived
    raw = readers.read_file(_need("berlin-einwohner", "berlin-lor-population-2024-02-t2-forecast-areas.csv"))
    plan = importer.plan_population_totals(raw, "id", "inhabitants", {}, workspace)
    importflow.store_plan(
        data_store,
        EDITOR,
        raw,
        ColumnMapping("population", {"residents": "inhabitants"}),
        plan,
        meta=LayerMeta("EW"),
        mode="replace",
    )
    assert int(data_store.read().population["residents"].sum()) == 3_897_145
    offers = load(
        data_store, _need("berlin-poi-osm", "berlin-points-of-interest-community-centers-details.geojson"), "offers"
    )
    assert (offers.counts.valid, offers.counts.rejected) == (411, 5)  # five centres have no name in OSM
    assert {(p.field, p.key) for p in offers.problems if p.severity == "error"} == {("name", "val.empty_required")}
    result = analyse(prepare(data_store.read()), GapParams())
    assert 0 < result.city["covered_share"] < 1
    # the older Planungsraum scheme (448 areas) loads into its own store
    old = open_store(tmp_path / "planungsraeume.gpkg")
    load(old, _need("berlin-lor", "berlin-lor-districts.geojson"), "bezirke")
    plan = load(
        old,
        _need("berlin-wohnungsbestand", "berlin-lor-planning-areas-until-2020.geojson"),
        "quartiere",
        parent_prefix=2,
    )
    assert (plan.counts.read, plan.counts.valid) == (448, 447)  # the file has id 06010102 twice (rows 124 and 205)
    assert [(p.row, p.field) for p in plan.problems if p.severity == "error"] == [(205, "area_id")]


@pytest.mark.parametrize(
    "name, count",
    [("Schulsozialarbeit.geojson", 51), ("Jugendberufshilfen.geojson", 10), ("Kindertageseinrichtungen.geojson", 176)],
)
def test_chemnitz_points_as_offers(data_store, name, count):
    path = _need("chemnitz-sozialeinrichtungen", name)
    raw = readers.read_file(path)
    mapping, _ = importflow.first_mapping(data_store, raw, "offers")
    fixed = {
        "category": "kinder" if "Kinder" in name else "jugend",
        "target_groups": "kinder" if "Kinder" in name else "jugendliche",
        "level": "versorgung",
    }
    named = {"name": "BEZEICHNUNG" if "Kinder" in name else "TRAEGER"}  # school social work is named by its Träger
    mapping = replace(
        mapping, columns={**{k: v for k, v in mapping.columns.items() if k not in fixed}, **named}, constants=fixed
    )
    plan = importflow.plan(data_store, raw, mapping)
    assert plan.counts.valid == count and not plan.blocked
    importflow.store_plan(data_store, EDITOR, raw, mapping, plan, meta=LayerMeta(name, "dl-de/by-2-0"), mode="replace")
    offers = data_store.read().offers
    assert len(offers) == count and offers["name"].notna().all()
    assert offers.to_crs(4326).geometry.y.between(50.7, 50.9).all()  # Chemnitz


def test_hamburg_osm_extract_mixed_geometries_and_closed_ways_twice(data_store):
    plan = load(data_store, _need("hamburg-eimsbuettel-osm", "hamburg-eimsbuettel-1km2.geojson"), "offers")
    offers = data_store.read().offers
    assert plan.counts.valid == len(offers) > 0
    assert offers["offer_id"].is_unique and (offers.geom_type == "Point").all()


@pytest.mark.parametrize(
    "name",
    [
        "amenity_community_centre.geojson",
        "amenity_social_facility.geojson",
        "amenity_library.geojson",
        "amenity_youth_centre.geojson",
    ],
)
def test_koeln_osm_pois(data_store, name):
    plan = load(data_store, _need("koeln-poi-osm", name), "offers")
    offers = data_store.read().offers
    assert plan.counts.valid == len(offers) > 0 and offers["category"].notna().all()


def test_stuttgart_cp1252_csv_reads_with_decimal_commas_and_na():
    raw = readers.read_file(_need("stuttgart-sozialwohnungen", "sozialmietwohnungen_2023_sst.csv"))
    assert raw.encoding == "cp1252" and raw.separator == ";"
    assert len(raw.frame) > 100 and raw.frame.map(lambda v: isinstance(v, str) and "," in v).any().any()


def test_reimporting_a_source_reuses_the_mapping_a_person_confirmed(data_store, tmp_path):
    source = _need("stuttgart-stadtbezirke-derived", "Stgt_Stadtbezirke_dissolved_EPSG25832.geojson")
    raw = readers.read_file(source)
    mapping, remembered = importflow.first_mapping(data_store, raw, "bezirke")
    assert not remembered
    mapping = replace(mapping, columns={**mapping.columns, "name": "STADTBEZIRKNR"})  # a person's own choice
    plan = importflow.plan(data_store, raw, mapping)
    importflow.store_plan(data_store, EDITOR, raw, mapping, plan, meta=LayerMeta("x"), mode="replace")
    copy = tmp_path / "Stgt_Stadtbezirke_dissolved_EPSG25832_2025.geojson"
    shutil.copy(source, copy)
    again, remembered = importflow.first_mapping(data_store, readers.read_file(copy), "bezirke")
    assert remembered and again.columns["name"] == "STADTBEZIRKNR"
