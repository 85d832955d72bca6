"""Benchmark of the Karte page against a bare 25-polygon map (`make bench`).

Prints server times, the map data sent to the browser and the time to "map ready" in headless
Chromium, for the configured workspace (the demo city by default) and for a throwaway Streamlit
app that shows 25 simple polygons. Informative only: the exit code is 0 unless something crashed.
"""

import base64
import gzip
import json
import logging
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from streamlit.runtime.scriptrunner_utils import script_run_context  # noqa: E402
from streamlit.runtime.state import session_state_proxy  # noqa: E402

# Bare-mode calls (importing streamlit_folium, AppTest's setup, widget formatting) warn each time.
for _noisy in (script_run_context, session_state_proxy):
    logging.getLogger(_noisy.__name__).disabled = True

import folium  # noqa: E402
import streamlit_folium  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from shapely.geometry import box, mapping  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from dashboard.analysis import indicators  # noqa: E402
from dashboard.analysis.city import prepare  # noqa: E402
from dashboard.analysis.classify import classify  # noqa: E402
from dashboard.maps import karte
from dashboard.maps.assets import localize  # noqa: E402
from dashboard.model.view import LAYER_KEYS, MapView  # noqa: E402
from dashboard.store import gpkgfile
from dashboard.store.gpkgfile import DEMO_PATH  # noqa: E402
from dashboard.store.settings import load_settings  # noqa: E402
from tests.benchmarks.timing import RUNS, median_s  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, MAP_IFRAME  # noqa: E402
from tests.support.paths import SERVER  # noqa: E402
from tests.support.serving import running_streamlit  # noqa: E402

BROWSER_RUNS = 3
MB = 1_000_000
MAX_SENT_MB = 1.5
MAX_READY_RATIO = 1.5
MAP_PARTS = ("script", "html", "header", "feature_group", "css_links", "js_links")
VIEWS = {"default": MapView(), "all": MapView(layers=frozenset(LAYER_KEYS))}
BARE_APP = """import streamlit as st
from streamlit_folium import st_folium
from tests.benchmarks.bench_karte import bare_map

st.title("Bare map")
st_folium(bare_map(), key="bare", height=560, use_container_width=True, returned_objects=["last_object_clicked"])
"""
BARE_CONFIG = "[browser]\ngatherUsageStats = false\n\n[server]\nenableStaticServing = true\n"


def bare_map() -> folium.Map:
    """25 simple squares (a 5 x 5 grid) as one GeoJson layer, localized like the Karte."""
    squares = [
        box(9.1 + i % 5 * 0.01, 48.7 + i // 5 * 0.01, 9.11 + i % 5 * 0.01, 48.71 + i // 5 * 0.01) for i in range(25)
    ]
    features = [
        {"type": "Feature", "id": str(i), "properties": {}, "geometry": mapping(sq)} for i, sq in enumerate(squares)
    ]
    fmap = folium.Map(tiles=None, max_zoom=18)
    folium.GeoJson({"type": "FeatureCollection", "features": features}, name="felder").add_to(fmap)
    fmap.fit_bounds([[48.7, 9.1], [48.75, 9.15]])
    return localize(fmap)


def folium_args(fmap: folium.Map, groups: list | None = None) -> dict:
    """The arguments st_folium sends to its component, captured instead of sent (bare mode)."""
    captured: dict = {}

    def capture(**kwargs):
        captured.update(kwargs)
        return kwargs["default"]

    with mock.patch.object(streamlit_folium, "_component_func", capture):
        options = {"height": 560, "use_container_width": True, "returned_objects": ["last_object_clicked"]}
        streamlit_folium.st_folium(fmap, key="karte", feature_group_to_add=groups, **options)
    return captured


def map_bytes(args: dict) -> dict[str, int]:
    """JSON size of each map argument (as in the component's json_args), their total, and gzipped."""
    sizes = {part: len(json.dumps(args[part]).encode()) for part in MAP_PARTS}
    blob = json.dumps([args[part] for part in MAP_PARTS]).encode()
    return {**sizes, "total": sum(sizes.values()), "gzip": len(gzip.compress(blob))}


def load_city(path: Path) -> tuple:
    """What the Karte's cold load does: read the GeoPackage, prepare the city and its map data."""
    workspace = gpkgfile.read_geopackage(path)
    city = prepare(workspace)
    return workspace, city, karte.prepare_map_data(city)


def warm_rerun(build: Callable[[], tuple]) -> dict:
    """Times of ``build`` (-> map, feature groups) and of st_folium's serialisation; the map bytes."""
    build_s, _ = median_s(build)
    folium_s, args = median_s(folium_args, make=build)
    return {"build": build_s, "folium": folium_s, "bytes": map_bytes(args)}


def karte_server_side(path: Path) -> dict:
    """Cold load, then warm reruns per view, as pages/karte.py builds the map."""
    cold, (workspace, city, data) = median_s(lambda: load_city(path))
    settings, results = load_settings(), {"workspace": workspace, "cold": cold}
    for name, view in VIEWS.items():

        def build(view=view):
            table = indicators.unit_table(city, view)
            classes = classify(
                table[view.measure], view.classification, view.classes, reverse=view.measure == "offers_per_1000"
            )
            return karte.build_map(data, city, table, classes, view, settings, "de")

        results[name] = warm_rerun(build)
    return results


def apptest_rerun_s(script: Path) -> float:
    """Median seconds of a warm AppTest rerun of a whole Streamlit script."""
    at = AppTest.from_file(str(script), default_timeout=180)
    at.run()
    if at.exception:
        raise RuntimeError(f"{script.name}: {at.exception[0].message}")
    return median_s(at.run)[0]


def _frame_bytes(response: dict) -> int:
    """Payload length of a websocket frame (binary frames arrive base64-encoded)."""
    data = response["payloadData"]
    return len(base64.b64decode(data)) if response["opcode"] == 2 else len(data.encode())


def map_ready(browser, url: str) -> tuple[float, float]:
    """Median seconds from goto until a Leaflet path exists, and median websocket bytes received.

    Each run uses a fresh browser context; one unmeasured run first warms the server's caches.
    """
    times, received = [], []
    for _ in range(BROWSER_RUNS + 1):
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        frames: list[int] = []
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.on(
            "Network.webSocketFrameReceived",
            lambda event, frames=frames: frames.append(_frame_bytes(event["response"])),
        )
        start = time.perf_counter()
        page.goto(url)
        page.frame_locator(MAP_IFRAME).locator("path.leaflet-interactive").first.wait_for(
            state="attached", timeout=120_000
        )
        times.append(time.perf_counter() - start)
        page.wait_for_timeout(1000)  # frames after the first path (none seen so far) count too
        received.append(sum(frames))
        context.close()
    return statistics.median(times[1:]), statistics.median(received[1:])


def browser_side(bare_script: Path, tmp: Path) -> dict:
    """Map-ready times and websocket bytes of the Karte app and of the bare app."""
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--headless", *CHROMIUM_ARGS])
        try:
            with running_streamlit(SERVER, tmp / "karte.log", env={"PYTHONPATH": str(ROOT)}) as url:
                karte = map_ready(browser, url)
            with running_streamlit(bare_script, tmp / "bare.log", env={"PYTHONPATH": str(ROOT)}) as url:
                bare = map_ready(browser, url)
        finally:
            browser.close()
    return {"karte": karte, "bare": bare}


#: The bare app behind the same web server as the app (dashboard/web/server.py): a second baseline that
#: shows what is left once both serve the browser files alike.
BARE_SERVER = """from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware

from dashboard.web.frontend_files import FrontendFiles

HERE = Path(__file__).parent
app = st.App(HERE / "bare_app.py", middleware=[Middleware(FrontendFiles, app_static=HERE / "static")])
"""


def write_bare_server(tmp: Path) -> Path:
    """``write_bare_app``'s app behind the app's own web server (call ``write_bare_app`` first)."""
    script = tmp / "bare_server.py"
    script.write_text(BARE_SERVER, encoding="utf-8")
    return script


def write_bare_app(tmp: Path) -> Path:
    """The throwaway bare-map app, with the repo's static folder and static serving on."""
    (tmp / "static").symlink_to(ROOT / "static", target_is_directory=True)
    (tmp / ".streamlit").mkdir()
    (tmp / ".streamlit" / "config.toml").write_text(BARE_CONFIG, encoding="utf-8")
    script = tmp / "bare_app.py"
    script.write_text(BARE_APP, encoding="utf-8")
    return script


def layer_counts(workspace) -> str:
    """Rows per layer; areas split by level."""
    levels = ", ".join(f"{n} {level}" for level, n in workspace.areas["level"].value_counts().items())
    others = [f"{name} {len(frame)}" for name, frame in workspace.layers.items() if name != "areas"]
    return ", ".join([f"areas {len(workspace.areas)} ({levels})", *others])


def _row(measure: str, karte: float, bare: float | None, unit: str, check: str = "") -> str:
    """One table line; ``check`` is "MB" (absolute target) or "ratio" (target relative to the bare map)."""
    fmt = {
        "ms": lambda v: f"{v * 1000:,.{0 if v >= 0.01 else 1}f} ms",
        "MB": lambda v: f"{v / MB:.3f} MB",
        "s": lambda v: f"{v:.2f} s",
    }[unit]
    ratio = karte / bare if bare else None
    text = "" if ratio is None else f"{ratio:.{2 if ratio < 10 else 0}f} x"
    if check == "MB":
        text += f"   target <= {MAX_SENT_MB} MB sent: {'PASS' if karte / MB <= MAX_SENT_MB else 'MISS'}"
    elif check == "ratio":
        text += f"   target <= {MAX_READY_RATIO} x bare: {'PASS' if ratio <= MAX_READY_RATIO else 'MISS'}"
    return f"| {measure:<46} | {fmt(karte):>10} | {fmt(bare) if bare else '–':>10} | {text}"


def report(karte: dict, bare: dict, apptest: tuple[float, float], browser: dict) -> None:
    """Print the comparison table and the Karte's map data per part."""
    default, every = karte["default"], karte["all"]
    rows = [
        _row("cold load: read gpkg + prepare + map data", karte["cold"], None, "ms"),
        _row("warm: unit_table + classify + build_map", default["build"], bare["build"], "ms"),
        _row("warm: st_folium serialisation", default["folium"], bare["folium"], "ms"),
        _row(
            "warm, all layers: build + st_folium",
            every["build"] + every["folium"],
            bare["build"] + bare["folium"],
            "ms",
        ),
        _row("AppTest warm rerun of the whole page", apptest[0], apptest[1], "ms"),
        _row("map data sent, default layers", default["bytes"]["total"], bare["bytes"]["total"], "MB", "MB"),
        _row("map data sent, all layers (housing too)", every["bytes"]["total"], bare["bytes"]["total"], "MB", "MB"),
        _row("  same, gzipped (websocket compression)", every["bytes"]["gzip"], bare["bytes"]["gzip"], "MB"),
        _row("websocket bytes received per page load", browser["karte"][1], browser["bare"][1], "MB"),
        _row("map ready in Chromium (goto -> leaflet path)", browser["karte"][0], browser["bare"][0], "s", "ratio"),
    ]
    print(f"Server: median of {RUNS}; browser: median of {BROWSER_RUNS} fresh contexts after one warm-up load.\n")
    print(f"| {'measure':<46} | {'Karte':>10} | {'bare map':>10} | ratio Karte / bare, target")
    print(f"|{'-' * 48}|{'-' * 12}|{'-' * 12}|{'-' * 40}")
    print("\n".join(rows))
    for name in VIEWS:
        parts = ", ".join(f"{part} {karte[name]['bytes'][part] / 1000:,.1f} kB" for part in MAP_PARTS)
        print(f"Karte map data, {name} layers: {parts}")


def main() -> int:
    settings = load_settings()
    path = DEMO_PATH if settings.uses_demo else settings.store_path
    print(f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}")
    karte, bare = karte_server_side(path), warm_rerun(lambda: (bare_map(), None))
    print(f"Workspace: {karte['workspace'].city} ({path})\nLayers: {layer_counts(karte['workspace'])}")
    with tempfile.TemporaryDirectory(prefix="bench-karte-") as tmp_name:
        tmp = Path(tmp_name)
        bare_script = write_bare_app(tmp)
        apptest = (apptest_rerun_s(ROOT / "app.py"), apptest_rerun_s(bare_script))
        browser = browser_side(bare_script, tmp)
    report(karte, bare, apptest, browser)
    return 0


if __name__ == "__main__":
    sys.exit(main())
