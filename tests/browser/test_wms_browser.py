"""The city's own WMS as basemap in a real browser: a WMS stub on this machine (started here) gets GetMap
requests for the configured layer, the map credits it, and the browser asks no other server."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.support.paths import SERVER
from tests.support.serving import running_streamlit

ATTRIBUTION = "© Vermessungsamt Teststadt"


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (256, 256), (200, 220, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def wms() -> Iterator[tuple[str, list[dict[str, list[str]]]]]:
    """A WMS on a free local port answering every request with one green tile; yields its URL and the
    query of every request it got (parameter names in lower case, as WMS reads them)."""
    tile, queries = _png(), []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            queries.append({k.lower(): v for k, v in parse_qs(urlsplit(self.path).query).items()})
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(tile)))
            self.end_headers()
            self.wfile.write(tile)

        def log_message(self, *args):  # quiet test output
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/wms", queries
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def wms_app(wms, artifacts_dir: Path) -> Iterator[str]:
    url, _ = wms
    env = {
        "QUARTIERSATLAS_WMS_URL": url,
        "QUARTIERSATLAS_WMS_LAYERS": "stadtplan",
        "QUARTIERSATLAS_WMS_ATTRIBUTION": ATTRIBUTION,
    }
    with running_streamlit(SERVER, artifacts_dir / "streamlit-wms.log", env) as app_url:
        yield app_url


def test_the_map_draws_the_citys_wms_and_asks_nobody_else(wms_app, wms, page, wait_for_map, requests_made):
    url, queries = wms
    page.goto(wms_app)
    frame = wait_for_map(page)
    frame.locator(f'img.leaflet-tile-loaded[src^="{url}"]').first.wait_for(state="attached")
    expect(frame.get_by_text(ATTRIBUTION)).to_be_visible()
    assert queries, "the WMS stub got no request"
    assert {q["request"][0] for q in queries} == {"GetMap"}
    assert {(q["layers"][0], q["crs"][0], q["version"][0], q["format"][0]) for q in queries} == {
        ("stadtplan", "EPSG:3857", "1.3.0", "image/png")
    }
    assert any(u.startswith(url) for u in requests_made)  # the browser itself asked the stub
