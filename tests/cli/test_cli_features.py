"""``python -m dashboard features``: the tiny city with a saved gap view served as OGC API – Features on a free
port, read as a GIS reads it – every collection paged through with limit/offset, bbox, ``crs`` and
``bbox-crs``, GDAL's OAPIF driver (what QGIS uses) – never a private field, never a write. A store that is
missing, empty or unreachable, or a port taken, ends in a German message and exit code 2."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pyogrio
import pytest
from pyproj import Transformer

from dashboard import cli
from dashboard.model import schema
from dashboard.service import layers
from dashboard.store.base import open_store
from dashboard.store.gpkgfile import write_geopackage, write_layers
from tests.support.factories import EDITOR, X0, Y0, tiny_workspace
from tests.support.paths import ROOT
from tests.support.serving import free_port, healthy, stop

PRIVATE = {f.name for spec in schema.LAYERS.values() for f in spec.fields if f.private}
SECRET_VALUE = "geheim@beispiel.invalid"  # the tiny city's contact data
STARTUP_TIMEOUT_S = 60
READY = "/collections?f=json"
EPSG = "http://www.opengis.net/def/crs/EPSG/0/"
TO_UTM = Transformer.from_crs(3035, 25832, always_xy=True)
TO_LONLAT = Transformer.from_crs(3035, 4326, always_xy=True)
#: What each collection may hold besides its id: the schema's public fields or the sums per Quartier.
ALLOWED = {
    "gebiete": set(schema.AREAS.public_field_names),
    "angebote": set(schema.OFFERS.public_field_names),
    "akteure": set(schema.ACTORS.public_field_names),
    "wohnungsbestand": {"area_id", "name", "parent_id", *layers.HOUSING_COLUMNS},
}
GAPS = {
    "area_id", "name", "parent_id", *layers.GAP_COLUMNS,
    "gap_class", "suppressed", "sectors_missing", "target_group", "threshold_m",
}  # fmt: skip


def _get(url: str) -> tuple[int, dict, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def _json(url: str) -> dict:
    status, _, body = _get(url)
    assert status == 200, body[:300]
    return json.loads(body)


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    """The service on the tiny city with one saved Lückenanalyse view; stopped by its own handle afterwards."""
    path = tmp_path_factory.mktemp("features") / "kleinstadt.gpkg"
    write_geopackage(tiny_workspace(), path)
    view = open_store(path).save_view(
        EDITOR,
        title="Alle im Bezirk 01",
        note="",
        page="luecken",
        query="v=1&p=luecken&g=alle&t=500&b=01",
        data_stand="",
    )
    log = path.parent / "features.log"
    for _ in range(3):  # another test's server may take the port between choosing and binding
        port = free_port()
        command = [sys.executable, "-m", "dashboard", "features", "--workspace", str(path), "--port", str(port)]
        with open(log, "wb") as out:
            process = subprocess.Popen(
                command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while process.poll() is None and not healthy(url, READY) and time.monotonic() < deadline:
            time.sleep(0.1)  # polling: the server answers as soon as it is ready
        if process.poll() is None and healthy(url, READY):
            break
        stop(process)
    else:
        pytest.fail(log.read_text(encoding="utf-8"))
    try:
        yield url, f"luecken-{view.view_id}", log
    finally:
        stop(process)


def _all_items(url: str, collection: str, limit: int = 2) -> tuple[list[dict], int]:
    """Every feature, a page of ``limit`` at a time, and the number the service says matched."""
    features, offset = [], 0
    while True:
        page = _json(f"{url}/collections/{collection}/items?f=json&limit={limit}&offset={offset}")
        assert page["numberReturned"] == len(page["features"]) <= limit
        features += page["features"]
        if len(page["features"]) < limit:
            return features, page["numberMatched"]
        offset += limit


def test_the_collections_are_the_public_layers_and_the_saved_view(service):
    url, gaps, log = service
    names = [c["id"] for c in _json(f"{url}/collections?f=json")["collections"]]
    assert names == ["gebiete", "angebote", "akteure", "wohnungsbestand", gaps]
    assert "Sammlungen: gebiete, angebote, akteure, wohnungsbestand" in log.read_text(encoding="utf-8")


def test_every_item_of_every_collection_paged_through_holds_no_private_field(service):
    url, gaps, _ = service
    expected = {"gebiete": 6, "angebote": 2, "akteure": 3, "wohnungsbestand": 4, gaps: 2}
    for collection, count in expected.items():
        features, matched = _all_items(url, collection)
        assert matched == count and len({f["id"] for f in features}) == count
        for feature in features:
            assert PRIVATE.isdisjoint(feature["properties"])
            assert set(feature["properties"]) <= ALLOWED.get(collection, GAPS)
            assert SECRET_VALUE not in json.dumps(feature)
        for feature in features:  # one by one too
            single = _get(f"{url}/collections/{collection}/items/{feature['id']}?f=json")[2].decode()
            assert SECRET_VALUE not in single and '"contact"' not in single


def test_paging_limit_and_offset(service):
    url = service[0]
    first = _json(f"{url}/collections/gebiete/items?f=json&limit=4")
    rest = _json(f"{url}/collections/gebiete/items?f=json&limit=4&offset=4")
    assert [f["id"] for f in first["features"]] == ["01", "02", "0101", "0102"]
    assert [f["id"] for f in rest["features"]] == ["0201", "0202"]
    assert any(link["rel"] == "next" for link in first["links"])


def test_properties_filter_and_sort(service):
    url = service[0]
    quartiere = _json(f"{url}/collections/gebiete/items?f=json&level=quartier&sortby=-name")
    assert [f["properties"]["name"] for f in quartiere["features"]] == ["Wald", "Mühlenviertel", "Höhe", "Am Bach"]
    names = _json(f"{url}/collections/angebote/items?f=json&properties=name&skipGeometry=true")["features"]
    assert [(f["properties"], f["geometry"]) for f in names] == [
        ({"name": "Nachbarschaftstreff <b>Am Bach</b>"}, None),
        ({"name": "Bürgerbüro"}, None),
    ]
    assert _json(f"{url}/collections/angebote/items?f=json&resulttype=hits")["numberMatched"] == 2


def test_bbox_in_lon_lat_and_in_utm(service):
    url = service[0]
    west, south = TO_LONLAT.transform(X0 + 400, Y0 + 400)  # inside Quartier 0101 and Bezirk 01 only
    east, north = TO_LONLAT.transform(X0 + 600, Y0 + 600)
    found = _json(f"{url}/collections/gebiete/items?f=json&bbox={west},{south},{east},{north}")
    assert sorted(f["id"] for f in found["features"]) == ["01", "0101"]
    (x0, x1), (y0, y1) = TO_UTM.transform([X0 + 1400, X0 + 1500], [Y0 + 400, Y0 + 500])
    bbox_crs = f"{EPSG}25832"
    near = _json(f"{url}/collections/angebote/items?f=json&bbox={x0},{y0},{x1},{y1}&bbox-crs={bbox_crs}")
    assert [f["id"] for f in near["features"]] == ["o2"]  # the Bürgerbüro at (1450, 450)


def test_output_in_utm32_or_lat_lon_on_request(service):
    url = service[0]
    status, headers, body = _get(f"{url}/collections/angebote/items/o1?f=json&crs={EPSG}25832")
    assert status == 200 and headers["content-crs"] == f"<{EPSG}25832>"
    assert json.loads(body)["geometry"]["coordinates"] == pytest.approx(TO_UTM.transform(X0 + 250, Y0 + 250), abs=0.01)
    lon, lat = TO_LONLAT.transform(X0 + 250, Y0 + 250)
    in_4326 = _json(f"{url}/collections/angebote/items/o1?f=json&crs={EPSG}4326")
    assert in_4326["geometry"]["coordinates"] == pytest.approx([lat, lon], abs=1e-7)  # EPSG:4326 is latitude first
    default = _json(f"{url}/collections/angebote/items/o1?f=json")
    assert default["geometry"]["coordinates"] == pytest.approx([lon, lat], abs=1e-7)  # CRS84, as GeoJSON wants


def test_nothing_can_be_written_and_filters_it_cannot_apply_are_refused(service):
    url = service[0]
    feature = json.dumps({"type": "Feature", "properties": {"offer_id": "neu", "name": "x"}, "geometry": None})
    for method, path in (("POST", "/collections/angebote/items"), ("PUT", "/collections/angebote/items/o1")):
        request = urllib.request.Request(
            url + path, data=feature.encode(), method=method, headers={"Content-Type": "application/geo+json"}
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=30)
        assert 400 <= refused.value.code < 500
    request = urllib.request.Request(url + "/collections/angebote/items/o1", method="DELETE")
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(request, timeout=30)
    assert _json(f"{url}/collections/angebote/items?f=json")["numberMatched"] == 2
    assert _get(f"{url}/collections/angebote/items?f=json&filter=name%3D%27x%27")[0] == 400


def test_html_pages_load_nothing_from_other_servers(service):
    url = service[0]
    request = urllib.request.Request(f"{url}/collections/angebote/items", headers={"Accept": "text/html"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.headers["content-type"].startswith("text/html")
        policy = response.headers["content-security-policy"]
        page = response.read().decode()
    assert "default-src 'self'" in policy and "unpkg.com" in page  # pygeoapi's page names a CDN the policy blocks
    assert SECRET_VALUE not in page


def test_gdal_reads_a_collection_through_its_oapif_driver_as_qgis_does(service):
    """pyogrio's own GDAL has the OAPIF driver QGIS uses, so no system GDAL is needed."""
    url = service[0]
    assert "OAPIF" in pyogrio.list_drivers()
    names = [name for name, _ in pyogrio.list_layers(f"OAPIF:{url}")]
    assert names[:4] == ["gebiete", "angebote", "akteure", "wohnungsbestand"]
    housing = pyogrio.read_dataframe(f"OAPIF:{url}", layer="wohnungsbestand")
    assert housing.crs == "EPSG:25832"
    assert housing.set_index("area_id").loc["0101", "dwellings"] == 40
    offers = pyogrio.read_dataframe(f"OAPIF:{url}", layer="angebote")
    assert sorted(offers["offer_id"]) == ["o1", "o2"] and PRIVATE.isdisjoint(offers.columns)


def _closed_port_url(secret: str) -> str:
    with socket.socket() as probe:  # a port just freed: nobody listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"postgresql://planer:{secret}@127.0.0.1:{port}/quartier"


def test_an_unreachable_database_says_so_without_its_password(capsys):
    assert cli.main(["features", "--workspace", _closed_port_url("Geheim-0815"), "--port", str(free_port())]) == 2
    out = capsys.readouterr()
    assert "nicht erreichbar" in out.err and "Geheim-0815" not in out.err + out.out
    assert "Traceback" not in out.err


def test_a_missing_or_empty_store_and_a_taken_port_end_in_exit_code_2(tmp_path, capsys):
    assert cli.main(["features", "--workspace", str(tmp_path / "fehlt.gpkg")]) == 2
    assert "gibt es nicht" in capsys.readouterr().err
    empty = tmp_path / "leer.gpkg"
    write_layers(empty, {"offers": tiny_workspace().offers})
    assert cli.main(["features", "--workspace", str(empty)]) == 2
    assert "keine Gebiete" in capsys.readouterr().err
    city = tmp_path / "kleinstadt.gpkg"
    write_geopackage(tiny_workspace(), city)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert cli.main(["features", "--workspace", str(city), "--port", str(port)]) == 2
    assert f"127.0.0.1:{port}" in capsys.readouterr().err
