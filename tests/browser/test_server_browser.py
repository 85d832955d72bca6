"""The app as deployed (dashboard/web/server.py): the browser files a new visitor fetches come gzipped from memory,
and the city is prepared at the start."""

from __future__ import annotations

import gzip
import re
import time
import urllib.error
import urllib.request

from dashboard.web.frontend_files import IMMUTABLE
from tests.support.loadtest import process_cpu_s
from tests.support.paths import SERVER
from tests.support.serving import start_streamlit, stop

#: The server counts as done with its start when it used at most 10 ms of CPU in 0.3 s.
QUIET_S, QUIET_CPU_S, START_TIMEOUT_S = 0.3, 0.01, 120


def fetch(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={k.replace("_", "-"): v for k, v in headers.items()})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()


def test_the_frontend_bundle_comes_gzipped_and_cached_for_a_year(app_server):
    page = fetch(f"{app_server}/")[2].decode()
    bundle = re.search(r'src="\.?/?(static/js/index\.[^"]+\.js)"', page)
    assert bundle, "Streamlit's page names its bundle"
    status, headers, body = fetch(f"{app_server}/{bundle.group(1)}", Accept_Encoding="gzip")
    assert status == 200 and headers["content-encoding"] == "gzip" and headers["cache-control"] == IMMUTABLE
    assert len(gzip.decompress(body)) > 3 * len(body)
    assert "content-encoding" not in fetch(f"{app_server}/{bundle.group(1)}")[1]  # a client without gzip


def test_leaflet_comes_with_an_etag_and_the_page_stays_uncached(app_server):
    status, headers, _ = fetch(f"{app_server}/app/static/vendor/leaflet/dist/leaflet.js", Accept_Encoding="gzip")
    assert status == 200 and headers["etag"] and headers["cache-control"] == "no-cache"
    try:
        fetch(f"{app_server}/app/static/vendor/leaflet/dist/leaflet.js", If_None_Match=headers["etag"])
        raise AssertionError("an unchanged file is answered with 304")
    except urllib.error.HTTPError as not_modified:
        assert not_modified.code == 304
    assert "immutable" not in fetch(f"{app_server}/")[1].get("cache-control", "")


def test_the_start_prepares_the_city_without_a_word_in_the_log(tmp_path):
    """The preparation runs beside the server (startup.warm); Streamlit warns when its caches or components are
    touched before its runtime exists or outside a script run – none of that may reach the operator's log."""
    log = tmp_path / "server.log"
    process, _ = start_streamlit(SERVER, log)
    try:
        deadline, last = time.monotonic() + START_TIMEOUT_S, process_cpu_s(process.pid)
        while time.monotonic() < deadline:  # until the start's work is done
            time.sleep(QUIET_S)
            now = process_cpu_s(process.pid)
            if now - last <= QUIET_CPU_S:
                break
            last = now
    finally:
        stop(process)
    text = log.read_text(errors="replace")
    for noise in ("No runtime found", "missing ScriptRunContext", "Traceback", "WARNING", "Vorbereitung"):
        assert noise not in text, text
