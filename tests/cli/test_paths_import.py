"""A city's own OpenStreetMap extract becomes the walking network of its workspace."""

import geopandas as gpd
import pytest
from shapely.geometry import LineString

from dashboard import cli
from dashboard.analysis.city import prepare
from dashboard.analysis.gaps import GapParams, analyse
from dashboard.analysis.walknet import WalkingDistance, paths_from_file
from dashboard.model.roles import Role, User
from dashboard.model.workspace import LayerMeta
from dashboard.store.base import open_store
from dashboard.store.gpkgfile import read_geopackage, write_geopackage
from tests.support.factories import X0, Y0, tiny_workspace
from tests.support.paths import SHARED_DATA

HAMBURG = SHARED_DATA / "hamburg-eimsbuettel-osm" / "hamburg-eimsbuettel-1km2.geojson"
OSM_META = LayerMeta("OpenStreetMap", "ODbL 1.0", "© OpenStreetMap-Mitwirkende", "2025-01-01")


@pytest.mark.real_data
@pytest.mark.skipif(not HAMBURG.exists(), reason=f"real OSM extract not present: {HAMBURG}")
def test_osm_extract_keeps_walkable_ways_only():
    paths = paths_from_file(HAMBURG)
    raw = gpd.read_file(HAMBURG)
    assert 0 < len(paths) < (raw["highway"].notna()).sum() + 1
    assert set(paths.geom_type) <= {"LineString", "MultiLineString"}
    assert "motorway" not in set(paths["highway"])
    assert paths["path_id"].is_unique


def test_plain_line_layer_counts_as_walkable(tmp_path):
    lines = gpd.GeoDataFrame(
        {"name": ["Weg A", "Weg B"]},
        geometry=[LineString([(X0, Y0), (X0 + 2000, Y0)]), LineString([(X0 + 1000, Y0), (X0 + 1000, Y0 + 2000)])],
        crs="EPSG:3035",
    )
    source = tmp_path / "wege.geojson"
    lines.to_file(source)
    paths = paths_from_file(source)
    assert list(paths["path_id"]) == ["P000001", "P000002"] and len(paths) == 2


def test_paths_land_in_the_workspace_and_switch_on_walking_distances(tmp_path):
    workspace_file = tmp_path / "stadt.gpkg"
    write_geopackage(tiny_workspace(), workspace_file)
    # a street along y = 250 (with vertices at o1 and at the junction, as OSM has them) and a
    # footway north along x = 1450; lines connect where they share a vertex
    street = LineString([(X0, Y0 + 250), (X0 + 250, Y0 + 250), (X0 + 1450, Y0 + 250), (X0 + 2000, Y0 + 250)])
    lines = gpd.GeoDataFrame(
        {"highway": ["residential", "footway"]},
        geometry=[street, LineString([(X0 + 1450, Y0 + 250), (X0 + 1450, Y0 + 1000)])],
        crs="EPSG:3035",
    )
    source = tmp_path / "osm.geojson"
    lines.to_file(source)
    paths = paths_from_file(source)
    open_store(workspace_file).import_layer(
        User("planer", Role.EDITOR), "paths", paths, OSM_META, source="osm.geojson", mode="replace", counts={}
    )
    workspace = read_geopackage(workspace_file)
    assert len(workspace.layer("paths")) == 2 and workspace.layer_meta("paths").licence == "ODbL 1.0"
    city = prepare(workspace)
    result = analyse(city, GapParams(distance="fussweg", threshold_m=2000))
    assert isinstance(result.method, WalkingDistance)
    # c3 at (1450, 450): 1200 m along the street from o1, plus 200 m from the junction node
    assert result.cells["distance"].iloc[2] == pytest.approx(1400)


def test_paths_command_line(tmp_path, capsys):
    workspace_file = tmp_path / "stadt.gpkg"
    write_geopackage(tiny_workspace(), workspace_file)
    source = tmp_path / "osm.geojson"
    gpd.GeoDataFrame(
        {"highway": ["footway", "motorway"]},
        geometry=[LineString([(X0, Y0), (X0 + 500, Y0)]), LineString([(X0, Y0 + 10), (X0 + 900, Y0 + 10)])],
        crs="EPSG:3035",
    ).to_file(source)
    out = tmp_path / "mit-wegen.gpkg"
    assert (
        cli.main(["paths", str(source), "--workspace", str(workspace_file), "--out", str(out), "--stand", "2025-08-10"])
        == 0
    )
    assert "1 Weg übernommen" in capsys.readouterr().out
    written = read_geopackage(out)
    assert list(written.layer("paths")["highway"]) == ["footway"] and written.layer_meta("paths").stand == "2025-08-10"
    assert len(read_geopackage(workspace_file).layer("paths")) == 0  # the source workspace is untouched
    assert cli.main(["paths", str(tmp_path / "fehlt.geojson"), "--workspace", str(workspace_file)]) == 2


OSM_XML = """<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="hand">
  <node id="1" lat="53.5700" lon="9.9500"/><node id="2" lat="53.5700" lon="9.9530"/>
  <node id="3" lat="53.5710" lon="9.9500"/><node id="4" lat="53.5710" lon="9.9530"/>
  <node id="5" lat="53.5720" lon="9.9500"/><node id="6" lat="53.5720" lon="9.9530"/>
  <way id="10"><nd ref="1"/><nd ref="2"/><tag k="highway" v="footway"/></way>
  <way id="11"><nd ref="3"/><nd ref="4"/><tag k="highway" v="service"/><tag k="access" v="private"/></way>
  <way id="12"><nd ref="5"/><nd ref="6"/><tag k="highway" v="residential"/><tag k="foot" v="no"/></way>
</osm>
"""


def test_osm_xml_extract_respects_foot_and_access(tmp_path):
    source = tmp_path / "auszug.osm"
    source.write_text(OSM_XML, encoding="utf-8")
    paths = paths_from_file(source)
    assert list(paths["highway"]) == ["footway"]  # private service road and foot=no street dropped
