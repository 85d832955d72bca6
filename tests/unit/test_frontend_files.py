"""The browser files from memory (dashboard/web/frontend_files.py): what is answered, how, and what goes on."""

from __future__ import annotations

import asyncio
import gzip
import hashlib
from pathlib import Path

import pytest

from dashboard.web import frontend_files
from dashboard.web.frontend_files import IMMUTABLE, STREAMLIT_BUILD, FrontendFiles
from tests.support.serving import outside_event_loop

BUNDLE = min((STREAMLIT_BUILD / "static" / "js").glob("*.js"), key=lambda p: -p.stat().st_size)
BUNDLE_PATH = f"/static/js/{BUNDLE.name}"


class Downstream:
    """Streamlit's own stack, as far as the middleware can tell: it records what reached it."""

    def __init__(self) -> None:
        self.paths: list[str] = []

    async def __call__(self, scope, receive, send) -> None:
        self.paths.append(scope["path"])
        await send({"type": "http.response.start", "status": 299, "headers": []})
        await send({"type": "http.response.body", "body": b"streamlit"})


def request(app, path: str, method: str = "GET", **headers: str) -> tuple[int, dict[str, str], bytes]:
    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "headers": [(k.replace("_", "-").lower().encode(), v.encode()) for k, v in headers.items()],
    }
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b""}

    async def send(message) -> None:
        sent.append(message)

    outside_event_loop(lambda: asyncio.run(app(scope, receive, send)))
    start, body = sent[0], b"".join(m.get("body", b"") for m in sent[1:])
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}, body


@pytest.fixture(autouse=True)
def no_server_yet(monkeypatch):
    """Each test makes its own ``FrontendFiles``; none is left serving for the tests after it."""
    monkeypatch.setattr(frontend_files, "_SERVING", [])
    monkeypatch.setattr(frontend_files, "_PUBLISHED", type(frontend_files._PUBLISHED)())


@pytest.fixture
def vendor(tmp_path: Path) -> Path:
    """An app's static folder with one vendored library."""
    (tmp_path / "vendor" / "leaflet").mkdir(parents=True)
    (tmp_path / "vendor" / "leaflet" / "leaflet.js").write_text("var L = {};\n" * 200, encoding="utf-8")
    (tmp_path / "secret.txt").write_text("not for the web", encoding="utf-8")
    return tmp_path


@pytest.fixture
def served(vendor: Path) -> tuple[FrontendFiles, Downstream]:
    downstream = Downstream()
    return FrontendFiles(downstream, app_static=vendor, base_url=""), downstream


def test_a_hashed_streamlit_bundle_comes_gzipped_from_memory_and_is_cached_for_a_year(served):
    app, downstream = served
    status, headers, body = request(app, BUNDLE_PATH, accept_encoding="gzip, deflate, br")
    assert status == 200 and downstream.paths == []
    assert headers["content-encoding"] == "gzip" and gzip.decompress(body) == BUNDLE.read_bytes()
    assert headers["content-length"] == str(len(body))
    assert headers["cache-control"] == IMMUTABLE
    assert headers["content-type"] == "application/javascript; charset=utf-8"
    assert headers["x-content-type-options"] == "nosniff" and headers["vary"] == "Accept-Encoding"


def test_a_browser_that_does_not_take_gzip_gets_the_plain_file(served):
    app, _ = served
    status, headers, body = request(app, BUNDLE_PATH)
    assert status == 200 and "content-encoding" not in headers and body == BUNDLE.read_bytes()


def test_a_file_is_read_once(served, vendor):
    app, _ = served
    first = request(app, "/app/static/vendor/leaflet/leaflet.js")[2]
    (vendor / "vendor" / "leaflet" / "leaflet.js").write_text("changed", encoding="utf-8")
    assert request(app, "/app/static/vendor/leaflet/leaflet.js")[2] == first


def test_vendored_files_are_revalidated_by_their_etag(served):
    app, downstream = served
    status, headers, body = request(app, "/app/static/vendor/leaflet/leaflet.js")
    assert status == 200 and headers["cache-control"] == "no-cache" and body.startswith(b"var L")
    again = request(app, "/app/static/vendor/leaflet/leaflet.js", if_none_match=f'W/"x", {headers["etag"]}')
    assert again[0] == 304 and again[2] == b"" and again[1]["etag"] == headers["etag"]
    assert request(app, "/app/static/vendor/leaflet/leaflet.js", if_none_match='"other"')[0] == 200
    assert downstream.paths == []


def test_head_gets_the_headers_without_the_body(served):
    app, _ = served
    status, headers, body = request(app, BUNDLE_PATH, method="HEAD")
    assert status == 200 and body == b"" and headers["content-length"] == str(BUNDLE.stat().st_size)


@pytest.mark.parametrize(
    "path",
    [
        "/luecken",  # a page's own address: Streamlit answers it with the app's page
        "/static/index.html",  # not a hashed folder
        "/static/js/../../index.html",
        "/static/js/no-such-bundle.js",
        "/app/static/vendor/../secret.txt",  # the app's static folder outside vendor/
        "/app/static/secret.txt",
        "/app/static/vendor/leaflet",  # a folder
        "/_stcore/health",
        "/component/unknown.component/static/js/main.js",
    ],
)
def test_anything_else_goes_on_to_streamlit(served, path):
    app, downstream = served
    assert request(app, path)[0] == 299 and downstream.paths == [path]


def test_only_files_are_kept_not_the_addresses_that_name_none(served):
    app, _ = served
    for n in range(50):
        request(app, f"/static/js/no-such-bundle-{n}.js")
    request(app, BUNDLE_PATH)
    assert list(app.kept) == [BUNDLE_PATH]


def test_ranges_and_other_methods_go_on_to_streamlit(served):
    app, downstream = served
    assert request(app, BUNDLE_PATH, range="bytes=0-10")[0] == 299
    assert request(app, BUNDLE_PATH, method="POST")[0] == 299
    assert downstream.paths == [BUNDLE_PATH, BUNDLE_PATH]


def test_under_a_base_path_only_that_path_is_answered(vendor):
    downstream = Downstream()
    app = FrontendFiles(downstream, app_static=vendor, base_url="/quartiersatlas/")
    assert request(app, f"/quartiersatlas{BUNDLE_PATH}")[0] == 200
    assert request(app, BUNDLE_PATH)[0] == 299 and downstream.paths == [BUNDLE_PATH]


@pytest.mark.parametrize("path", ["/", "/index.html", "/favicon.png"])
def test_the_page_every_link_opens_comes_from_memory_and_is_revalidated_each_time(served, path):
    app, downstream = served
    status, headers, body = request(app, path, accept_encoding="gzip")
    assert status == 200 and headers["cache-control"] == "no-cache" and downstream.paths == []
    name = "favicon.png" if path.endswith(".png") else "index.html"
    plain = (STREAMLIT_BUILD / name).read_bytes()
    assert (gzip.decompress(body) if headers.get("content-encoding") == "gzip" else body) == plain
    assert request(app, path, if_none_match=headers["etag"])[0] == 304


def test_a_components_build_and_page_are_answered(served, tmp_path, monkeypatch):
    app, downstream = served
    build = tmp_path / "build"
    (build / "static" / "js").mkdir(parents=True)
    (build / "static" / "js" / "main.abc123.js").write_text("console.log(1);\n" * 100, encoding="utf-8")
    (build / "index.html").write_text("<html></html>", encoding="utf-8")
    monkeypatch.setattr(frontend_files, "component_root", lambda name: build if name == "karte.map" else None)
    status, headers, _ = request(app, "/component/karte.map/static/js/main.abc123.js")
    assert status == 200 and headers["cache-control"] == IMMUTABLE
    status, headers, body = request(app, "/component/karte.map/index.html")
    assert status == 200 and headers["cache-control"] == "no-cache" and body == b"<html></html>"
    assert request(app, "/component/karte.map/static/js/../../index.html")[0] == 299
    assert request(app, "/component/karte.map/other.html")[0] == 299


def test_the_bundles_prepared_at_the_start_are_answered_without_reading_them_again(monkeypatch):
    small = min((STREAMLIT_BUILD / "static" / "js").glob("*.js"), key=lambda p: p.stat().st_size)
    assert frontend_files.prepare() > 100  # Streamlit's scripts and styles up to a megabyte
    assert BUNDLE.resolve() not in frontend_files._PREPARED  # the largest (Plotly) only when a page asks for it
    monkeypatch.setattr(frontend_files, "keep", lambda *a: pytest.fail(f"read again: {a[0]}"))
    status, headers, body = request(FrontendFiles(Downstream(), Path("/nowhere")), f"/static/js/{small.name}")
    assert status == 200 and body == small.read_bytes() and headers["cache-control"] == IMMUTABLE


GEOMETRY = '[{"type": "Polygon", "coordinates": [[[8.7, 50.5], [8.8, 50.5], [8.8, 50.6], [8.7, 50.5]]]}]' * 40


def test_without_a_server_answering_nothing_is_published_and_the_map_keeps_its_data():
    assert frontend_files.publish(GEOMETRY) is None


def test_published_data_is_answered_gzipped_kept_by_the_browser_only_and_under_the_base_path(vendor):
    downstream = Downstream()
    app = FrontendFiles(downstream, app_static=vendor, base_url="/quartiersatlas/")
    address = frontend_files.publish(GEOMETRY)
    assert address is not None and address.startswith("/quartiersatlas/qa-data/") and address.endswith(".json")
    assert frontend_files.publish(GEOMETRY) == address  # the same text, the same address
    status, headers, body = request(app, address, accept_encoding="gzip")
    assert status == 200 and gzip.decompress(body).decode() == GEOMETRY
    assert headers["content-type"] == "application/json; charset=utf-8" and headers["content-encoding"] == "gzip"
    assert headers["cache-control"] == "private, immutable, max-age=31536000"
    assert request(app, address, if_none_match=headers["etag"])[0] == 304
    assert request(app, address.removeprefix("/quartiersatlas"))[0] == 299  # not under the base path: Streamlit's


def test_a_published_address_cannot_be_worked_out_from_the_data(served):
    app, _ = served
    address = frontend_files.publish(GEOMETRY)
    other = frontend_files.publish(GEOMETRY + " ")
    assert address != other
    name = address.rsplit("/", 1)[1].removesuffix(".json")
    assert name not in {hashlib.sha256(GEOMETRY.encode()).hexdigest()[:40], hashlib.sha1(GEOMETRY.encode()).hexdigest()}
    assert request(app, address.replace(name, "0" * len(name)))[0] == 299  # an unknown name: Streamlit's 404


def test_the_latest_published_texts_are_kept_and_the_oldest_forgotten(served, monkeypatch):
    app, _ = served
    monkeypatch.setattr(frontend_files, "PUBLISHED_KEPT", 2)
    first, second = frontend_files.publish("[1]"), frontend_files.publish("[2]")
    assert request(app, first)[0] == 200  # fetched: now the latest
    frontend_files.publish("[3]")
    assert request(app, first)[0] == 200 and request(app, second)[0] == 299
