"""Every real file in ../shared/data read as a city would upload it: counts, key fields, and the caveats
in SOURCE.txt."""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from dashboard.ingest.readers import read_file
from dashboard.model import schema
from tests.support.paths import SHARED_DATA

DATA = SHARED_DATA


def _folder(name: str) -> Path:
    folder = DATA / name
    if not folder.is_dir():
        pytest.skip(f"real data not present: {folder} (../shared/data beside the repo)")
    return folder


def _lonlat_bounds(frame: gpd.GeoDataFrame) -> tuple[float, float, float, float]:
    return tuple(frame.to_crs(schema.WEB_CRS).total_bounds)


def _all_text(series: pd.Series) -> bool:
    return series.dtype == object and series.map(lambda v: v is None or isinstance(v, str)).all()


# --- areas ---


@pytest.mark.parametrize(
    ("file", "crs"), [("Stgt_Stadtteile_EPSG25832.geojson", "EPSG:25832"), ("Stgt_Stadtteile_WGS84.json", "EPSG:4326")]
)
def test_stuttgart_stadtteile_both_files(file, crs):
    table = read_file(_folder("stuttgart-stadtteile") / file)
    frame = table.frame
    assert (table.format, len(frame), frame.crs) == ("geojson", 152, crs)  # .json without crs member → WGS84
    assert list(frame.columns) == [
        "STADTBEZIRKNAME",
        "STADTBEZIRKNR",
        "STADTTEILNAME",
        "STADTTEILNR",
        "SE_ANNO_CAD_DATA",
        "geometry",
    ]
    assert table.notes == [] and table.crs_candidates == ()
    assert _all_text(frame["STADTBEZIRKNR"]) and "02" in set(frame["STADTBEZIRKNR"])
    assert frame["STADTBEZIRKNR"].nunique() == 23 and frame["STADTTEILNR"].is_unique
    assert frame["SE_ANNO_CAD_DATA"].isna().all()
    assert {"Lemberg/Föhrich", "Zuffenhausen-Schützenbühl", "Möhringen-Nord"} <= set(frame["STADTTEILNAME"])
    assert (frame.geom_type == "MultiPolygon").all()
    if crs == "EPSG:25832":
        assert frame.total_bounds == pytest.approx([502856, 5393247, 523199, 5412619], abs=1)
        assert frame.area.sum() / 1e6 == pytest.approx(207.24, abs=0.01)


def test_stuttgart_derived_bezirke():
    frame = read_file(_folder("stuttgart-stadtbezirke-derived") / "Stgt_Stadtbezirke_dissolved_EPSG25832.geojson").frame
    assert len(frame) == 23 and frame.crs == "EPSG:25832"
    assert sorted(frame["STADTBEZIRKNR"]) == [f"{i:02d}" for i in range(1, 24)]
    assert frame["STADTTEILE_ANZAHL"].sum() == 152
    assert frame.set_index("STADTBEZIRKNAME").loc["Mitte", "STADTTEILE_ANZAHL"] == 10
    assert (frame.geom_type == "Polygon").all()


def _check_koeln(table, count: int, id_column: str) -> None:
    frame = table.frame
    assert (table.format, len(frame)) == ("shapefile", count)
    assert frame.crs is not None and frame.crs.to_epsg() is None  # the custom TM, honoured as it is
    params = {p.name: p.value for p in frame.crs.coordinate_operation.params}
    assert params["False easting"] == 2500000 and params["Longitude of natural origin"] == 9
    assert [n.key for n in table.notes if n.key != "read.several_layers"] == ["read.crs_without_code"]
    lon_min, lat_min, lon_max, lat_max = _lonlat_bounds(frame)
    assert 6.76 < lon_min < lon_max < 7.17 and 50.82 < lat_min < lat_max < 51.09
    assert _all_text(frame[id_column])


def test_koeln_shapefiles_with_a_projection_without_epsg_code():
    folder = _folder("koeln-stadtteile-shp")
    stadtteile = read_file(folder / "Stadtteil.shp")
    _check_koeln(stadtteile, 86, "STT_NR")
    frame = stadtteile.frame
    assert frame.set_index("STT_NR").loc["909", "STT_NAME"] == "Flittard"
    assert {"Altstadt/Süd", "Bocklemünd/Mengenich", "Weiß"} <= set(frame["STT_NAME"])
    invalid = frame.loc[~frame.is_valid, "STT_NAME"].tolist()
    assert invalid == ["Marienburg"]  # the reader keeps it as the city drew it; validation reports it
    bezirke = read_file(folder / "Stadtbezirk.shp")
    _check_koeln(bezirke, 9, "STB_NR")
    assert bezirke.frame.set_index("STB_NR").loc["7", "STB_NAME"] == "Porz"
    assert set(frame["STT_NR"].str[0]) == set(bezirke.frame["STB_NR"])  # a Stadtteil's Bezirk = first digit


def test_koeln_shapefiles_zipped_as_a_city_would_send_them(tmp_path):
    folder = _folder("koeln-stadtteile-shp")
    path = tmp_path / "koeln_gebiete.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for part in sorted(folder.glob("Stadt*.*")):
            archive.write(part, f"Gebiete Köln/{part.name}")
    table = read_file(path, max_bytes=5_000_000)
    assert table.layers == ("Stadtbezirk", "Stadtteil") and table.layer == "Stadtbezirk"
    _check_koeln(table, 9, "STB_NR")
    _check_koeln(read_file(path, layer="Stadtteil"), 86, "STT_NR")


def test_muenchen_all_attributes_stay_strings():
    table = read_file(_folder("muenchen-stadtbezirke") / "stadtbezirke.geojson")
    frame = table.frame
    assert (len(frame), frame.crs) == (25, "EPSG:4326")
    assert list(frame.columns) == ["X", "Y", "SB_NUMMER", "NAME", "FLAECHE_QM", "SHAPE_AREA", "SHAPE_LEN", "geometry"]
    for column in frame.columns.drop("geometry"):
        assert _all_text(frame[column]) and frame[column].notna().all(), column
    assert sorted(frame["SB_NUMMER"]) == [f"{i:02d}" for i in range(1, 26)]
    berg = frame.set_index("NAME").loc["Berg am Laim"]
    assert (berg["X"], berg["SB_NUMMER"], berg["SHAPE_AREA"]) == ("4.47256010000e+06", "14", "0.00000000000e+00")
    assert "Thalkirchen-Obersendling-Forstenried-Fürstenried-Solln" in set(frame["NAME"])
    assert frame.geom_type.value_counts().to_dict() == {"Polygon": 23, "MultiPolygon": 2}


@pytest.mark.parametrize(
    ("file", "count", "sample_id", "sample_name"),
    [
        ("berlin-lor-districts.geojson", 12, "12", "Reinickendorf"),
        ("berlin-lor-forecast-areas-from-2021.geojson", 58, "0930", "Treptow-Köpenick 3"),
    ],
)
def test_berlin_lor_ids_stay_zero_padded(file, count, sample_id, sample_name):
    frame = read_file(_folder("berlin-lor") / file).frame
    assert (len(frame), frame.crs) == (count, "EPSG:4326")  # CRS84 and the EPSG::4326 URN alike
    assert _all_text(frame["id"]) and frame["id"].str.len().nunique() == 1
    assert frame.set_index("id").loc[sample_id, "name"] == sample_name
    assert frame["bounding_box"].str.split(";").map(len).eq(4).all()  # the JSON array property, joined
    assert (frame.geom_type == "MultiPolygon").all()


def test_berlin_planungsraeume_until_2020():
    frame = read_file(_folder("berlin-wohnungsbestand") / "berlin-lor-planning-areas-until-2020.geojson").frame
    assert len(frame) == 448 and frame["id"].str.fullmatch(r"\d{8}").all()
    assert frame.set_index("id").loc["01011101", "name"] == "Stülerstraße"
    twice = frame[frame["id"].duplicated(keep=False)]  # not in SOURCE.txt: one Planungsraum comes twice
    assert (twice["id"].tolist(), twice.index.tolist(), twice["name"].iloc[0]) == (
        ["06010102"] * 2,
        [123, 204],
        "Schloßstraße",
    )


# --- points ---


@pytest.mark.parametrize(
    ("file", "count", "service"),
    [("Schulsozialarbeit.geojson", 51, "Schulsozialarbeit"),
     ("Jugendberufshilfen.geojson", 10, "arbeitsweltbezogene Jugendsozialarbeit"),
     ("Kindertageseinrichtungen.geojson", 176, None)],
)  # fmt: skip
def test_chemnitz_points(file, count, service):
    """241 Kitas in the city's file; SOURCE.txt: the 65 childminder rows were dropped before keeping it, 176 remain."""
    table = read_file(_folder("chemnitz-sozialeinrichtungen") / file)
    frame = table.frame
    assert (table.format, len(frame), frame.crs) == ("geojson", count, "EPSG:4326")  # not mistaken for OSM
    assert (frame.geom_type == "Point").all() and "TELEFON" not in frame
    assert _all_text(frame["PLZ"]) and frame["PLZ"].str.startswith("09").all()
    assert frame["TRAEGER"].notna().all()
    if service:  # these services have no name of their own: BEZEICHNUNG is null throughout
        assert set(frame["LEISTUNGEN"]) == {service} and frame["BEZEICHNUNG"].isna().all()
    else:
        assert frame["BEZEICHNUNG"].notna().all()
        assert set(frame["KITA"]) <= {0, 1} and set(frame["BARRIEREFREI"]) <= {0, 1}
    if file == "Schulsozialarbeit.geojson":
        assert "Regenbogenbus e. V. " in set(frame["TRAEGER"])  # the trailing space is the city's, kept


@pytest.mark.parametrize(
    ("file", "count", "amenity", "category"),
    [
        ("berlin-points-of-interest-community-centers-details.geojson", 416, "community_centre", "begegnung"),
        ("berlin-points-of-interest-libraries-details.geojson", 105, "library", "bildung"),
        ("berlin-points-of-interest-places-of-worship-details.geojson", 190, "place_of_worship", "begegnung"),
        ("berlin-points-of-interest-childcare-details.geojson", 102, "childcare", "kinder"),
    ],
)
def test_berlin_osm_points_category_from_the_file_name(file, count, amenity, category):
    table = read_file(_folder("berlin-poi-osm") / file)
    frame = table.frame
    assert (table.format, len(frame)) == ("osm", count)
    assert set(frame["amenity"]) == {amenity} and set(frame["category"]) == {category}
    assert [n.key for n in table.notes] == ["read.osm_detected", "read.osm_from_file_name", "read.osm_licence"]
    assert frame["osm_id"].str.fullmatch(r"\d+").all()  # bare ids: node or way is not said
    assert frame["level"].isin(schema.LEVELS).all() and frame["target_groups"].notna().all()
    assert frame["name"].notna().mean() > 0.9 and "street" in frame
    if amenity == "community_centre":
        assert frame.set_index("osm_id").loc["266630320", "name"] == "Buergeramt Mahlsdorf"
        assert frame.set_index("osm_id").loc["266630320", "zip-code"] == "12623"  # a JSON number, as text


@pytest.mark.parametrize(
    ("file", "count", "category", "blank_names"),
    [("amenity_social_facility.geojson", 25, "beratung", 9), ("amenity_community_centre.geojson", 8, "begegnung", 0),
     ("amenity_youth_centre.geojson", 8, "jugend", 2), ("amenity_townhall.geojson", 7, "verwaltung", 1),
     ("amenity_library.geojson", 68, "bildung", 6), ("amenity_place_of_worship.geojson", 213, "begegnung", 23)],
)  # fmt: skip
def test_koeln_osm_nodes_name_from_tags_slash_name(file, count, category, blank_names):
    """Every feature has a "tags/name" (SOURCE.txt), but some are "" – those become None."""
    table = read_file(_folder("koeln-poi-osm") / file)
    frame = table.frame
    assert (table.format, len(frame), frame.crs) == ("osm", count, "EPSG:4326")
    assert set(frame["category"]) == {category}
    assert frame["name"].isna().sum() == blank_names
    assert frame["osm_id"].str.fullmatch(r"\d+").all() and frame["osm_id"].is_unique  # the Feature "id"
    lon_min, lat_min, lon_max, lat_max = frame.total_bounds
    assert 6.7 < lon_min and lon_max < 7.2 and 50.8 < lat_min and lat_max < 51.1


def test_a_city_file_named_like_a_category_stays_the_citys_table(tmp_path):
    """Chemnitz's Kitas, uploaded as "Kindergarten.geojson", keep all their columns: the name alone does not
    make OSM."""
    source = _folder("chemnitz-sozialeinrichtungen") / "Kindertageseinrichtungen.geojson"
    renamed = tmp_path / "Kindergarten.geojson"
    renamed.write_bytes(source.read_bytes())
    table = read_file(renamed)
    assert table.format == "geojson" and "TRAEGER" in table.frame


def test_koeln_sample_node():
    frame = read_file(_folder("koeln-poi-osm") / "amenity_library.geojson").frame
    assert frame.set_index("osm_id").loc["35434203", "name"] == "Stadbücherei Monheim"


def test_hamburg_extract_mixed_geometries_deduplicated():
    table = read_file(_folder("hamburg-eimsbuettel-osm") / "hamburg-eimsbuettel-1km2.geojson")
    frame = table.frame
    assert table.format == "osm" and (frame.geom_type == "Point").all()
    notes = {n.key: dict(n.values) for n in table.notes}
    assert notes["read.osm_duplicates"]["count"] == 20  # closed ways as outline and as area
    assert notes["read.osm_unmatched"]["count"] == 6177 - 20 - len(frame)
    assert frame["osm_id"].isna().all()  # the extract carries no ids
    counts = frame["amenity"].value_counts()
    assert (counts["community_centre"], counts["kindergarten"], counts["place_of_worship"]) == (9, 18, 2)
    assert (frame["name"] == "Jugendclub Eimsbüttel").sum() == 1 and (frame["name"] == "Clubheim HEBC").sum() == 1
    jugendclub = frame.set_index("name").loc["Jugendclub Eimsbüttel"]
    assert (jugendclub["category"], jugendclub["sector"]) == ("jugend", "kommune")
    assert frame.set_index("name").loc["Kinderladen 100 Blumen", "wheelchair"] == "limited"
    assert frame["category"].isin(schema.CATEGORIES).all()
    lon_min, lat_min, lon_max, lat_max = frame.total_bounds
    assert 9.9482 <= lon_min and lon_max <= 9.9634 and 53.5715 <= lat_min and lat_max <= 53.5805


def test_hamburg_points_lie_inside_their_buildings():
    folder = _folder("hamburg-eimsbuettel-osm")
    raw = gpd.read_file(folder / "hamburg-eimsbuettel-1km2.geojson")
    area = raw[(raw["name"] == "Hamburg-Haus Eimsbüttel") & (raw.geom_type == "Polygon")].geometry.iloc[0]
    frame = read_file(folder / "hamburg-eimsbuettel-1km2.geojson").frame
    assert area.contains(frame.set_index("name").loc["Hamburg-Haus Eimsbüttel", "geometry"])


# --- tables ---


def test_stuttgart_social_housing_cp1252_decimal_commas():
    folder = _folder("stuttgart-sozialwohnungen")
    table = read_file(folder / "sozialmietwohnungen_2023_sst.csv")
    frame = table.frame
    assert (table.format, table.encoding, table.separator, len(frame)) == ("csv", "cp1252", ";", 152)
    assert list(frame.columns) == ["Stadtteil Nr.", "Stadtteil", "Stadtbezirk Nr.", "Stadtbezirk",
                                   "Anz_Sozialmietwohnungen", "AntSozmietwohnungen_am_Wohnungsbestand"]  # fmt: skip
    assert all(_all_text(frame[c]) for c in frame.columns)
    assert frame.iloc[0].tolist() == ["101", "Oberer Schlossgarten", "01", "Mitte", None, "0,0"]
    assert frame["Anz_Sozialmietwohnungen"].isna().sum() == 40
    assert frame["AntSozmietwohnungen_am_Wohnungsbestand"].str.contains(",").any()
    assert any("Universität" in name for name in frame["Stadtteil"])
    assert table.coordinates is None and "read.encoding_cp1252" in [n.key for n in table.notes]
    stadtteile = _folder("stuttgart-stadtteile") / "Stgt_Stadtteile_EPSG25832.geojson"
    assert set(frame["Stadtteil Nr."]) == set(read_file(stadtteile).frame["STADTTEILNR"])  # 152/152, text to text


def test_stuttgart_subsidised_housing_header_quote_and_na():
    table = read_file(_folder("stuttgart-sozialwohnungen") / "geforderte_wohnungen_stuttgart_seit_1991.csv")
    frame = table.frame
    assert (table.encoding, table.separator, len(frame)) == ("cp1252", ";", 32)
    assert 'darunter_Sozialmietwohnungen_aus_dem_Bündnis_für_Wohnen"_(Ziffer VII)' in frame.columns
    assert "Geförderte_Wohnungen_insgesamt" in frame.columns
    assert frame.iloc[0].tolist() == ["1991", "28902", "10,7", "27570", "10,2", "0", "0", "1332"]
    last = frame.iloc[-1]
    assert last["Jahr"] == "2022" and (last == "NA").sum() == 2


def test_stuttgart_population_per_bezirk():
    table = read_file(_folder("stuttgart-einwohner") / "population_by_district.csv")
    frame = table.frame
    assert (table.encoding, table.separator, list(frame.columns), len(frame)) == (
        "utf-8",
        ",",
        ["district", "year", "pop"],
        23,
    )
    assert frame["pop"].astype(int).sum() == 610392 and set(frame["year"]) == {"2023"}
    bezirke = read_file(_folder("stuttgart-stadtteile") / "Stgt_Stadtteile_WGS84.json").frame["STADTBEZIRKNAME"]
    assert set(frame["district"]) == set(bezirke)


@pytest.mark.parametrize(
    ("file", "count", "lor"),
    [("berlin-lor-population-2024-02-t2-districts.csv", 12, "berlin-lor-districts.geojson"),
     ("berlin-lor-population-2024-02-t2-forecast-areas.csv", 58, "berlin-lor-forecast-areas-from-2021.geojson")],
)  # fmt: skip
def test_berlin_population_csv_ids_join_as_text(file, count, lor):
    table = read_file(_folder("berlin-einwohner") / file)
    frame = table.frame
    assert (table.encoding, table.separator, len(frame), len(frame.columns)) == ("utf-8", ",", count, 23)
    assert frame["id"].iloc[0] == "01" or frame["id"].str.startswith("0").any()
    assert table.coordinates is None  # shares between 5 and 55 are no lon/lat
    areas = read_file(_folder("berlin-lor") / lor).frame
    assert set(frame["id"]) == set(areas["id"])


def test_berlin_housing_stock_csv():
    table = read_file(_folder("berlin-wohnungsbestand") / "berlin-lor-housing-stock-2022-00.csv")
    frame = table.frame
    assert (len(frame), len(frame.columns)) == (435, 22) and frame["id"].str.fullmatch(r"\d{8}").all()
    assert frame.iloc[0, :3].tolist() == ["01011102", "183", "108"]
    polygons = read_file(_folder("berlin-wohnungsbestand") / "berlin-lor-planning-areas-until-2020.geojson").frame
    assert len(set(frame["id"]) & set(polygons["id"])) == 434 and "04030417" not in set(polygons["id"])
    assert table.coordinates is None


def test_every_real_file_reads():
    """Nothing in ../shared/data raises: the data team's folder is the smallest 'city' we must load."""
    folder = DATA if DATA.is_dir() else _folder("stuttgart-stadtteile")
    readable = [p for p in sorted(folder.glob("*/*")) if p.suffix in (".geojson", ".json", ".shp", ".csv")]
    assert len(readable) >= 29
    for path in readable:
        table = read_file(path)
        assert len(table.frame) > 0, path
        if isinstance(table.frame, gpd.GeoDataFrame):
            assert not shapely.is_missing(table.frame.geometry.to_numpy()).all(), path
