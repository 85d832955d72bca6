"""Import plans: conversion + repair + validation + reprojection, merging into a workspace, population from totals."""

from __future__ import annotations

import re
import string
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyproj
import pytest
from shapely.geometry import Point, Polygon, box

from dashboard import i18n
from dashboard.ingest import importer, validation
from dashboard.ingest.columnmap import ColumnMapping, suggest
from dashboard.ingest.importer import merge, plan_import, plan_population_totals
from dashboard.ingest.readers import RawTable, read_file
from dashboard.model import grid, schema
from dashboard.model.workspace import Workspace
from tests.support.factories import X0, Y0, tiny_workspace
from tests.support.paths import SHARED_DATA

DATA = SHARED_DATA
STUTTGART = (9.18, 48.78)  # lon/lat of a point in Stuttgart
STUTTGART_BEZIRKE = "stuttgart-stadtbezirke-derived/Stgt_Stadtbezirke_dissolved_EPSG25832.geojson"


def raw(frame: pd.DataFrame, name: str = "datei.csv", file_format: str = "csv") -> RawTable:
    """A table as a reader hands it over."""
    return RawTable(frame, name, file_format)


def real(relative: str) -> Path:
    path = DATA / relative
    if not path.exists():
        pytest.skip(f"real data {relative} not found under {DATA} (shared data folder absent)")
    return path


def offers_table(**changes) -> gpd.GeoDataFrame:
    """Three offers as a city might publish them: German labels, text cells, lon/lat points."""
    columns = {
        "Nr": ["1", "2", "3"],
        "Bezeichnung": ["Stadtteiltreff", "Seniorenberatung", "Jugendhaus"],
        "Art": ["Begegnung", "Beratung", "Jugendhaus"],
        "Zielgruppe": ["alle", "Senioren", "Jugendliche"],
        "Beteiligung": ["Mitwirkung", "Information", "Selbstorganisation"],
        "Plätze": ["20", "", "40"],
    }
    columns.update(changes)
    points = [Point(STUTTGART[0] + i / 100, STUTTGART[1]) for i in range(3)]
    return gpd.GeoDataFrame({k: pd.Series(v, dtype=object) for k, v in columns.items()}, geometry=points, crs=4326)


OFFERS = ColumnMapping(
    "offers",
    {
        "offer_id": "Nr",
        "name": "Bezeichnung",
        "category": "Art",
        "target_groups": "Zielgruppe",
        "level": "Beteiligung",
        "capacity": "Plätze",
    },
)


def quartiere(ids, parents, crs=schema.ANALYSIS_CRS, shapes=None) -> gpd.GeoDataFrame:
    """Quartiere inside the tiny workspace's square (metres in EPSG:3035)."""
    shapes = shapes or [box(X0 + 100 * i, Y0, X0 + 100 * i + 90, Y0 + 90) for i in range(len(ids))]
    return gpd.GeoDataFrame(
        {
            "Nr": pd.Series(ids, dtype=object),
            "Name": [f"Q {i}" for i in ids],
            "Bezirk": pd.Series(parents, dtype=object),
        },
        geometry=shapes,
        crs=crs,
    )


AREAS = ColumnMapping("areas", {"area_id": "Nr", "name": "Name", "parent_id": "Bezirk"}, {"level": "quartier"})


# --- plan_import ---


def test_valid_rows_come_in_and_the_plan_is_in_the_analysis_crs():
    plan = plan_import(raw(offers_table(), file_format="geojson"), OFFERS)
    assert not plan.blocked and plan.problems == []
    assert plan.counts == importer.ImportCounts(read=3, valid=3, rejected=0, warnings=0)
    assert plan.frame.crs == schema.ANALYSIS_CRS
    x, y = pyproj.Transformer.from_crs(4326, 3035, always_xy=True).transform(*STUTTGART)
    assert plan.frame.geometry.iat[0].distance(Point(x, y)) < 0.01
    assert plan.valid["category"].tolist() == ["begegnung", "beratung", "jugend"]
    assert plan.valid["level"].tolist() == ["mitwirkung", "information", "selbstorganisation"]
    assert plan.valid["capacity"].tolist()[0] == 20 and plan.valid["capacity"].isna().iat[1]


def test_rows_with_errors_are_rejected_and_warnings_only_shown():
    table = offers_table(Art=["Begegnung", "Kneipe", "Jugendhaus"], Plätze=["20", "ca. 5", "-4"])
    plan = plan_import(raw(table), OFFERS)
    assert not plan.blocked
    assert [(p.row, p.field, p.key, p.severity) for p in plan.problems] == [
        (2, "category", "map.value.unknown_code", validation.ERROR),  # required: the row cannot come in
        (2, "capacity", "map.value.not_a_number", validation.WARNING),  # optional: comes in without it
        (3, "capacity", "val.below_min", validation.ERROR),
    ]
    assert plan.valid.index.tolist() == [0]  # index = row - 1
    assert plan.counts == importer.ImportCounts(read=3, valid=1, rejected=2, warnings=1)


def test_a_layer_wide_error_blocks_the_whole_import():
    mapping = ColumnMapping("offers", {k: v for k, v in OFFERS.columns.items() if k != "name"})
    plan = plan_import(raw(offers_table()), mapping)
    assert plan.blocked and plan.valid.empty and plan.counts.valid == 0 and plan.counts.rejected == 3
    assert (plan.problems[0].row, plan.problems[0].key) == (None, "val.missing_column")
    with pytest.raises(ValueError, match="blocked"):
        merge(tiny_workspace(), plan, "replace")


def test_a_file_without_crs_is_blocked_and_not_reprojected():
    table = offers_table().set_crs(None, allow_override=True)
    plan = plan_import(raw(table), OFFERS)
    assert plan.blocked and plan.frame.crs is None
    assert "val.no_crs" in {p.key for p in plan.problems}


def test_problems_are_sorted_layer_wide_first_then_by_row():
    table = offers_table(Art=["Begegnung", "Begegnung", "Kneipe"], Nr=[1, 22, 333], Plätze=["-4", "", ""])
    table["Nr"] = table["Nr"].astype(int)
    plan = plan_import(raw(table), OFFERS)
    assert [(p.row, p.key) for p in plan.problems] == [
        (None, "map.ids.number_column"),  # found by the conversion …
        (1, "val.below_min"),  # … by validation …
        (3, "map.value.unknown_code"),  # … and by the conversion again
    ]


def test_an_invalid_polygon_is_repaired_with_a_warning_and_a_flat_one_rejected():
    bow_tie = Polygon([(X0, Y0), (X0 + 100, Y0 + 100), (X0 + 100, Y0), (X0, Y0 + 100)])
    flat = Polygon([(X0, Y0), (X0 + 100, Y0), (X0 + 200, Y0)])
    table = quartiere(
        ["0103", "0104", "0105"], ["01", "01", "01"], shapes=[box(X0, Y0, X0 + 50, Y0 + 50), bow_tie, flat]
    )
    plan = plan_import(raw(table), AREAS, workspace=tiny_workspace())
    assert [(p.row, p.field, p.key, p.severity) for p in plan.problems] == [
        (2, "geometry", "imp.geometry_repaired", validation.WARNING),
        (3, "geometry", "val.zero_area", validation.ERROR),
    ]
    assert plan.problems[0].text() == (
        "Ungültige Fläche (Rand schneidet sich selbst bei 4300050 2800050) automatisch repariert"
        " – bitte die Grenze prüfen"
    )
    repaired = plan.frame.geometry.iat[1]
    assert repaired.is_valid and repaired.geom_type == "MultiPolygon" and repaired.area == pytest.approx(5000)
    assert plan.valid["area_id"].tolist() == ["0103", "0104"]


def test_quartiere_may_hang_below_the_workspace_bezirke_or_their_own():
    table = quartiere(["0103", "0301", "0302"], ["01", "03", "09"])
    own_bezirk = gpd.GeoDataFrame(
        {"Nr": ["03"], "Name": ["Neustadt"], "Bezirk": [None], "Ebene": ["Stadtbezirk"]},
        geometry=[box(X0, Y0 + 2000, X0 + 1000, Y0 + 3000)],
        crs=schema.ANALYSIS_CRS,
    )
    table["Ebene"] = "Quartier"
    both = pd.concat([table, own_bezirk], ignore_index=True)
    mapping = ColumnMapping("areas", {"area_id": "Nr", "name": "Name", "parent_id": "Bezirk", "level": "Ebene"})
    plan = plan_import(raw(both), mapping, workspace=tiny_workspace())
    assert [(p.row, p.field, p.key) for p in plan.problems] == [(3, "parent_id", "val.unknown_ref")]
    assert plan.valid["area_id"].tolist() == ["0103", "0301", "03"]
    # without a workspace only the file's own Stadtbezirke count
    alone = plan_import(raw(both), mapping)
    assert {p.row for p in alone.problems} == {1, 3}


def test_operators_given_by_name_become_actor_ids_and_unknown_ones_are_errors():
    table = offers_table(Träger=["Stadt", "a1", "Unbekannter Verein"])
    mapping = ColumnMapping("offers", {**OFFERS.columns, "operator_actor_id": "Träger"})
    plan = plan_import(raw(table), mapping, workspace=tiny_workspace())
    assert plan.frame["operator_actor_id"].tolist() == ["a2", "a1", "Unbekannter Verein"]
    assert [(p.row, p.key) for p in plan.problems] == [(3, "val.unknown_ref")]


def test_a_cooperation_table_without_geometry():
    table = pd.DataFrame(
        {
            "A": ["a1", "a1"],
            "B": ["a2", "a9"],
            "Art": ["Netzwerk", "Vertrag"],
            "Nr": ["k1", "k2"],
            "seit": ["2019", "2020,0"],
        },
        dtype=object,
    )
    mapping = ColumnMapping(
        "cooperations", {"coop_id": "Nr", "actor_a": "A", "actor_b": "B", "kind": "Art", "since": "seit"}
    )
    plan = plan_import(raw(table), mapping, workspace=tiny_workspace())
    assert not isinstance(plan.frame, gpd.GeoDataFrame)
    assert plan.valid["kind"].tolist() == ["netzwerk"] and plan.valid["since"].tolist() == [2019]
    assert [(p.row, p.key) for p in plan.problems] == [(2, "val.unknown_ref")]


# --- merge ---


def test_replacing_areas_replaces_only_the_imported_level():
    workspace = tiny_workspace()
    plan = plan_import(raw(quartiere(["0103", "0203"], ["01", "02"])), AREAS, workspace=workspace)
    merged = merge(workspace, plan, "replace")
    assert merged["area_id"].tolist() == ["01", "02", "0103", "0203"]
    assert list(merged.columns) == [*schema.AREAS.field_names, "geometry"] and merged.crs == schema.ANALYSIS_CRS


def test_replacing_another_layer_keeps_nothing_of_it():
    workspace = tiny_workspace()
    x, y = pyproj.Transformer.from_crs(3035, 4326, always_xy=True).transform(X0 + 100, Y0 + 100)
    table = offers_table()
    table.geometry = [Point(x, y)] * 3
    merged = merge(workspace, plan_import(raw(table), OFFERS, workspace=workspace), "replace")
    assert merged["offer_id"].tolist() == ["1", "2", "3"]
    assert list(merged.columns) == [*schema.OFFERS.field_names, "geometry"]
    assert merged["capacity"].dtype == "Int64" and merged.crs == schema.ANALYSIS_CRS


def test_update_replaces_rows_in_place_adds_new_ids_and_keeps_the_rest():
    workspace = tiny_workspace()
    table = offers_table(Nr=["o2", "o9", "o8"])
    merged = merge(workspace, plan_import(raw(table), OFFERS, workspace=workspace), "update")
    assert merged["offer_id"].tolist() == ["o1", "o2", "o9", "o8"]
    assert merged["name"].tolist() == [
        "Nachbarschaftstreff <b>Am Bach</b>",
        "Stadtteiltreff",
        "Seniorenberatung",
        "Jugendhaus",
    ]
    assert merged.loc[1, "operator_actor_id"] is None  # a replaced row is replaced as a whole
    assert merged["barrier_free"].dtype == "boolean" and merged.loc[0, "barrier_free"]


def test_merge_refuses_an_unknown_mode():
    workspace = tiny_workspace()
    with pytest.raises(ValueError, match="mode"):
        merge(workspace, plan_import(raw(offers_table()), OFFERS), "append")


def test_merging_into_an_empty_workspace():
    plan = plan_import(raw(offers_table()), OFFERS)
    merged = merge(Workspace("Neu", {}), plan, "update")
    assert merged["offer_id"].tolist() == ["1", "2", "3"]


# --- population ---


def zensus_file(tmp_path: Path, counts: list[str]) -> RawTable:
    """A Zensus 2022 grid CSV (";"-separated, cell centres in x_mp/y_mp) as the reader reads it."""
    lines = ["GITTER_ID_100m;x_mp_100m;y_mp_100m;Einwohner;werterlaeuternde_Zeichen"]
    for i, count in enumerate(counts):
        north, east = int(Y0) + 100 * i, int(X0)
        lines.append(f"{grid.cell_id(north, east)};{east + 50};{north + 50};{count};")
    path = tmp_path / "Zensus2022_Bevoelkerungszahl_100m-Gitter.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    table = read_file(path)
    assert table.format == "zensus"
    return table


def test_a_zensus_grid_becomes_the_population_layer_and_suppressed_cells_are_counted(tmp_path):
    table = zensus_file(tmp_path, ["12", "x", "–", "7", ""])
    mapping = suggested(table.frame, "population", {})
    assert mapping.columns == {"cell_id": "GITTER_ID_100m", "residents": "Einwohner"}
    plan = plan_import(table, mapping)
    assert [(p.row, p.key, p.severity, dict(p.values)) for p in plan.problems] == [
        (None, "imp.population.no_count", validation.WARNING, {"count": 3})
    ]
    assert plan.problems[0].text() == "3 Zellen ohne Einwohnerzahl (leer oder geheim gehalten) werden nicht übernommen"
    ids = table.frame["GITTER_ID_100m"]
    assert plan.valid["cell_id"].tolist() == [ids[0], ids[3]] and plan.valid["residents"].tolist() == [12, 7]
    assert plan.counts == importer.ImportCounts(read=5, valid=2, rejected=3, warnings=1)
    assert plan.valid.crs == schema.ANALYSIS_CRS
    assert (plan.valid.geometry.iat[0].x, plan.valid.geometry.iat[0].y) == (X0 + 50, Y0 + 50)
    merged = merge(tiny_workspace(), plan, "replace")
    assert merged["residents"].sum() == 19 and validation.validate_layer("population", merged) == []


def test_a_zensus_count_that_cannot_be_read_is_one_error_not_two(tmp_path):
    table = zensus_file(tmp_path, ["zwölf"])
    plan = plan_import(table, ColumnMapping("population", {"cell_id": "GITTER_ID_100m", "residents": "Einwohner"}))
    assert [(p.row, p.key) for p in plan.problems] == [(1, "map.value.not_a_number")]
    assert plan.valid.empty and not plan.blocked


def totals_table(**columns) -> RawTable:
    return raw(pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in columns.items()}), "einwohner.csv")


def test_totals_per_area_are_spread_onto_cells_exactly():
    raw = totals_table(
        Gebiet=["0101", "Mühlenviertel", "0201"],
        EW=["1.000", "500", "77"],
        u6=["100", "20", "7"],
        a=["10", "5", "1"],
        b=["20", "5", "2"],
    )
    plan = plan_population_totals(raw, "Gebiet", "EW", {"age_0_5": "u6", "age_6_17": ["a", "b"]}, tiny_workspace())
    assert plan.problems == [] and not plan.blocked
    assert plan.counts == importer.ImportCounts(read=3, valid=3, rejected=0, warnings=0)
    assert plan.frame["residents"].sum() == 1577 and plan.frame["age_0_5"].sum() == 127
    assert plan.frame["age_6_17"].sum() == 43 and plan.frame["age_80_plus"].isna().all()
    assert plan.frame.crs == schema.ANALYSIS_CRS and plan.valid is plan.frame
    assert plan.notes and plan.notes[0].startswith("Einwohner liegen nur als Summen je Gebiet vor")
    assert validation.validate_layer("population", plan.frame) == []
    assert merge(tiny_workspace(), plan, "replace")["residents"].sum() == 1577


def test_totals_rows_that_cannot_be_used_are_rejected():
    raw = totals_table(
        Gebiet=["0101", "0999", "0101", "0102", "0201", "Höhe"],
        EW=["100", "5", "7", "x", "9", "5"],
        u6=["200", "1", "1", "1", "1", "1"],
    )
    plan = plan_population_totals(raw, "Gebiet", "EW", {"age_0_5": "u6"}, tiny_workspace())
    assert [(p.row, p.field, p.key) for p in plan.problems] == [
        (1, "residents", "val.age_sum_exceeds"),
        (2, "area_id", "imp.totals.unknown_area"),
        (3, "area_id", "imp.totals.duplicate_area"),
        (4, "residents", "val.empty_required"),
        (6, "area_id", "imp.totals.duplicate_area"),  # "Höhe" is the name of 0201
    ]
    assert plan.counts == importer.ImportCounts(read=6, valid=1, rejected=5, warnings=0)
    assert plan.frame["residents"].sum() == 9


def test_totals_need_areas_and_their_columns():
    raw = totals_table(Gebiet=["0101"], EW=["10"])
    empty = plan_population_totals(raw, "Gebiet", "EW", {}, Workspace("Neu", {}))
    assert empty.blocked and empty.frame.empty and [p.key for p in empty.problems] == ["imp.totals.no_areas"]
    missing = plan_population_totals(raw, "Gebiet", "Einwohner", {}, tiny_workspace())
    assert missing.blocked and [(p.row, p.key) for p in missing.problems] == [(None, "map.column.missing")]


def test_totals_refuse_an_unknown_age_band():
    with pytest.raises(ValueError, match="age bands"):
        plan_population_totals(
            totals_table(Gebiet=["0101"], EW=["10"]), "Gebiet", "EW", {"age_0_9": "EW"}, tiny_workspace()
        )


def test_every_message_key_is_in_both_languages_with_the_same_placeholders():
    text = Path(importer.__file__).read_text(encoding="utf-8")
    keys = set(re.findall(r"\"((?:imp|map)\.[a-z_.]+)\"", text))
    assert "imp.geometry_repaired" in keys
    for key in keys:
        german, english = ("".join(i18n.messages(lang)[key]) for lang in ("de", "en"))  # plural forms joined
        names = [sorted({n for _, n, _, _ in string.Formatter().parse(t) if n}) for t in (german, english)]
        assert names[0] == names[1], key


# --- real files ---


def suggested(frame: pd.DataFrame, layer: str, constants: dict, **options) -> ColumnMapping:
    columns = {k: v for k, v in suggest([c for c in frame.columns if c != "geometry"], layer).items() if v}
    return ColumnMapping(layer, columns, constants, **options)


def areas_workspace(city: str, bezirke_path: str) -> Workspace:
    bezirke = read_file(real(bezirke_path))
    plan = plan_import(bezirke, suggested(bezirke.frame, "areas", {"level": "stadtbezirk"}))
    assert not plan.blocked and plan.counts.rejected == 0
    return Workspace(city, {"areas": merge(Workspace(city, {}), plan, "replace")})


@pytest.mark.real_data
def test_stuttgart_stadtteile_become_152_quartiere_below_their_bezirke():
    workspace = areas_workspace("Stuttgart", STUTTGART_BEZIRKE)
    stadtteile = read_file(real("stuttgart-stadtteile/Stgt_Stadtteile_EPSG25832.geojson"))
    mapping = suggested(stadtteile.frame, "areas", {"level": "quartier"})
    assert mapping.columns == {"area_id": "STADTTEILNR", "name": "STADTTEILNAME", "parent_id": "STADTBEZIRKNR"}
    plan = plan_import(stadtteile, mapping, workspace=workspace)
    assert plan.problems == [] and plan.counts.valid == 152
    assert plan.valid["parent_id"].str.fullmatch(r"\d\d").all() and plan.valid["parent_id"].nunique() == 23
    merged = merge(workspace, plan, "replace")
    assert merged["level"].value_counts().to_dict() == {"quartier": 152, "stadtbezirk": 23}
    assert merged[merged["level"] == "quartier"].area.sum() == pytest.approx(207.24e6, rel=0.01)


@pytest.mark.real_data
def test_koeln_stadtteile_in_a_crs_without_epsg_code_with_one_repair():
    workspace = areas_workspace("Köln", "koeln-stadtteile-shp/Stadtbezirk.shp")
    stadtteile = read_file(real("koeln-stadtteile-shp/Stadtteil.shp"))
    assert stadtteile.frame.crs.to_epsg() is None
    mapping = suggested(stadtteile.frame, "areas", {"level": "quartier"}, parent_prefix=1)
    plan = plan_import(stadtteile, mapping, workspace=workspace)
    assert [(p.key, p.severity) for p in plan.problems] == [("imp.geometry_repaired", validation.WARNING)]
    repaired_row = plan.problems[0].row
    assert plan.frame["area_id"].iat[repaired_row - 1] == "202"  # Marienburg
    assert plan.counts == importer.ImportCounts(read=86, valid=86, rejected=0, warnings=1)
    centre = plan.frame.union_all().centroid
    lon, lat = pyproj.Transformer.from_crs(3035, 4326, always_xy=True).transform(centre.x, centre.y)
    assert 6.8 < lon < 7.1 and 50.85 < lat < 51.05  # Köln, so the custom projection was used
    assert (plan.valid["parent_id"] == plan.valid["area_id"].str[0]).all()


@pytest.mark.real_data
def test_berlin_population_totals_over_the_lor_areas_equal_the_csv_exactly():
    workspace = areas_workspace("Berlin", "berlin-lor/berlin-lor-districts.geojson")
    forecast = read_file(real("berlin-lor/berlin-lor-forecast-areas-from-2021.geojson"))
    plan = plan_import(
        forecast, suggested(forecast.frame, "areas", {"level": "quartier"}, parent_prefix=2), workspace=workspace
    )
    assert plan.problems == [] and plan.counts.valid == 58
    workspace = Workspace("Berlin", {"areas": merge(workspace, plan, "replace")})
    raw_table = read_file(real("berlin-einwohner/berlin-lor-population-2024-02-t2-forecast-areas.csv"))
    table = raw_table.frame
    bands = {
        "age_0_5": "inhabitants_age_below_6",
        "age_6_17": ["inhabitants_age_6_15", "inhabitants_age_15_18"],
        "age_18_64": [
            "inhabitants_age_18_27",
            "inhabitants_age_27_45",
            "inhabitants_age_45_55",
            "inhabitants_age_55_65",
        ],
    }
    population = plan_population_totals(raw_table, "id", "inhabitants", bands, workspace)
    assert population.problems == [] and population.counts.valid == 58
    assert population.frame["residents"].sum() == table["inhabitants"].astype(int).sum() == 3_897_145
    assert population.frame["age_0_5"].sum() == table["inhabitants_age_below_6"].astype(int).sum()
    assert population.frame["age_65_79"].isna().all()  # Berlin's 65+ does not split into our bands
    assert validation.validate_layer("population", population.frame) == []


@pytest.mark.real_data
def test_stuttgart_totals_by_bezirk_name():
    workspace = areas_workspace("Stuttgart", STUTTGART_BEZIRKE)
    table = read_file(real("stuttgart-einwohner/population_by_district.csv"))
    plan = plan_population_totals(table, "district", "pop", {}, workspace)
    assert plan.problems == [] and plan.frame["residents"].sum() == 610_392
