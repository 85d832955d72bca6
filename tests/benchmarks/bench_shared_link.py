"""Shared-link benchmark (`make bench`, issue 14 item 1): what opening a link costs, beside a bare one-map app.

One run, one app instance on the demo city (behind its own web server, dashboard/web/server.py, as deployed)
and the bare one-map app of ``bench_karte`` (same vendored Leaflet, same production server settings) – plain, as
the issue's baseline, and behind the same web server, which shows what is left once both serve the browser
files alike –, opened in turns in fresh headless Chromium contexts: a Karte link, a
Lückenanalyse link with a group, a threshold and a planned offer, a Profil link, and the bare app. Per open:
the server process's own CPU seconds (its kernel CPU clock, until the server is quiet again, so the map's follow-up
rerun counts) and the time until the map's frame paints Leaflet's vector layers, by the frame's own clock
(``loadtest.DRAWN_CLOCK``: seen from outside, a page busy drawing what follows its map hid it for up to 0.4 s).
"first" is the median of the opens of views the server had not built yet, after it was warmed by one open of its
start page: the link itself in the first round, then in each round the same link with another threshold or
Quartier (``unseen_view``); "again" the median of the link's later opens. One changed widget on the
Lückenanalyse (the threshold) is timed as well. Prints the issue's targets with PASS/MISS. Informative only: the
exit code is 0 unless something crashed.

    .venv/bin/python tests/benchmarks/bench_shared_link.py [--rounds 4]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from dashboard.store.gpkgfile import DEMO_PATH  # noqa: E402
from tests.benchmarks.bench_karte import write_bare_app, write_bare_server  # noqa: E402
from tests.support.loadtest import (  # noqa: E402
    HEADLESS_ARGS,
    PAGE_TIMEOUT_MS,
    RERUN_SETTLED,
    RERUN_WATCH,
    SETTLE_MS,
    open_map,
    process_cpu_s,
)
from tests.support.paths import SERVER  # noqa: E402
from tests.support.serving import CHROMIUM, start_streamlit, stop  # noqa: E402

#: The app's production server settings (.streamlit/config.toml), given to the bare app too: a fair baseline.
SERVER_ENV = {
    "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none",
    "STREAMLIT_SERVER_RUN_ON_SAVE": "false",
    "STREAMLIT_SERVER_ENABLE_WEBSOCKET_COMPRESSION": "true",
    "STREAMLIT_RUNNER_POST_SCRIPT_GC": "false",
    "STREAMLIT_RUNNER_MAGIC_ENABLED": "false",
}
PLANNED_OFFER = "8.88914,50.57643,begegnung,senioren,mitwirkung,30"  # in Altstadt (0101) of the demo city
LINKS = {
    "Karte": {"v": "1", "p": "karte", "b": "01"},
    "Lückenanalyse": {"v": "1", "p": "luecken", "g": "senioren", "t": "400", "s": PLANNED_OFFER},
    "Profil": {"v": "1", "p": "profil", "gebiet": "0101"},
}
#: Quartiere of the demo city for profiles nobody has opened (one per round; the link's own is 0101).
OTHER_AREAS = ("0102", "0103", "0104", "0105", "0106", "0201", "0202", "0203", "0204", "0205", "0206", "0207")


def unseen_view(name: str, round_: int) -> dict[str, str]:
    """The link ``name`` changed so that the server has built its view in no round before: another threshold
    (never the one the widget test types) and, on the Lückenanalyse, the planned offer 50 m further north each
    round (a new scenario: nothing of the view is kept from before), or another Quartier. A first open is one
    sample per view; these make it a median like the others."""
    query = dict(LINKS[name])
    if name == "Profil":
        query["gebiet"] = OTHER_AREAS[(round_ - 1) % len(OTHER_AREAS)]
    elif name == "Karte":
        query["t"] = str(500 + 10 * round_)
    else:
        query["t"] = str(int(query["t"]) - 10 * round_)
        lon, lat, *rest = query["s"].split(",")
        query["s"] = ",".join([lon, f"{float(lat) + 0.00045 * round_:.5f}", *rest])
    return query


BARE = "bare app"
BARE_SERVED = "bare app, same web server"
CHANGED_THRESHOLD = "450"
THRESHOLD_LABEL = "Entfernungsschwelle (m)"
QUIET_S, QUIET_CPU_S = 0.3, 0.01  # the server counts as done when it used at most 10 ms in 0.3 s
CPU_RATIO, CPU_RATIO_AGAIN, DRAWN_RATIO, RERUN_TARGET_S = 1.3, 1.1, 1.3, 0.5


async def quiet_cpu_s(pid: int) -> float:
    """The server's CPU seconds once it has stopped working (polled, no fixed wait)."""
    last = process_cpu_s(pid)
    while True:
        await asyncio.sleep(QUIET_S)
        now = process_cpu_s(pid)
        if now - last <= QUIET_CPU_S:
            return now
        last = now


async def open_link(browser, url: str, pid: int, change_threshold: bool = False) -> dict:
    """One open in a fresh context: server CPU and time to the drawn map; optionally one widget changed after."""
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = await context.new_page()
        before = await quiet_cpu_s(pid)
        drawn = await open_map(page, url)
        opened = await quiet_cpu_s(pid)
        out = {"cpu": opened - before, "drawn": drawn}
        if change_threshold:
            box = page.get_by_test_id("stSidebar").get_by_label(THRESHOLD_LABEL)
            clicked = await page.evaluate(RERUN_WATCH)
            await box.fill(CHANGED_THRESHOLD, timeout=PAGE_TIMEOUT_MS)
            await box.press("Enter")
            await page.wait_for_function(RERUN_SETTLED, arg=SETTLE_MS, timeout=PAGE_TIMEOUT_MS, polling=50)
            out["rerun_wall"] = (await page.evaluate("() => window.__lt_idle") - clicked) / 1000
            out["rerun_cpu"] = await quiet_cpu_s(pid) - opened
        return out
    finally:
        await context.close()


async def measure(app: tuple[str, int], bare: tuple[str, int], served: tuple[str, int], rounds: int) -> dict:
    """Warm-up opens, then ``rounds + 1`` rounds over every link in a rotating order (round 0: the first opens)."""
    from playwright.async_api import async_playwright

    targets = {name: (f"{app[0]}/?{urlencode(query, safe=',')}", app[1]) for name, query in LINKS.items()}
    targets[BARE] = (bare[0], bare[1])
    targets[BARE_SERVED] = (served[0], served[1])
    results: dict[str, list[dict]] = {name: [] for name in targets}
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=HEADLESS_ARGS)
        try:
            warm = {
                name: await open_link(browser, *server)
                for name, server in (("app", app), (BARE, bare), (BARE_SERVED, served))
            }
            names = list(targets)
            unseen: dict[str, list[dict]] = {name: [] for name in LINKS}
            for round_ in range(rounds + 1):
                for name in names[round_ % len(names) :] + names[: round_ % len(names)]:
                    url, pid = targets[name]
                    change = name == "Lückenanalyse" and round_ > 0
                    results[name].append(await open_link(browser, url, pid, change_threshold=change))
                    if name in LINKS and round_ > 0:
                        other = f"{app[0]}/?{urlencode(unseen_view(name, round_), safe=',')}"
                        unseen[name].append(await open_link(browser, other, pid))
        finally:
            await browser.close()
    return {"warm": warm, "opens": results, "unseen": unseen}


def _check(value: float, limit: float) -> str:
    return f"<= {limit:g}: {'PASS' if value <= limit else 'MISS'}"


def report(figures: dict, rounds: int) -> None:
    opens, warm = figures["opens"], figures["warm"]
    bare_cpu = statistics.median(o["cpu"] for o in opens[BARE])
    bare_drawn = statistics.median(o["drawn"] for o in opens[BARE])
    served_cpu = statistics.median(o["cpu"] for o in opens[BARE_SERVED])
    print(
        f"\nServer warm-up (first open of the start page): app {warm['app']['cpu']:.2f} s CPU, "
        f"map drawn {warm['app']['drawn']:.1f} s; bare {warm[BARE]['cpu']:.2f} s CPU, {warm[BARE]['drawn']:.1f} s."
    )
    print(
        f"Opens in fresh contexts; 'again' = median of {rounds} later opens, bare = median of {rounds + 1}; "
        f"'first' = median of {rounds + 1} opens of views the server had not built: the link in the first round, "
        "then the same link with another threshold (Karte; Lückenanalyse: and its planned offer moved) or Quartier "
        "(Profil), one per round."
    )
    print(f"Targets are against the plain bare app; the last column is against the {BARE_SERVED!r}.\n")
    print("| link | server CPU s first / again | x bare first / again | target CPU | map drawn s first / again "
          "| x bare (again) | target drawn | CPU x bare with same server, first / again |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    for name, rows in opens.items():
        firsts, again = [rows[0], *figures["unseen"].get(name, [])], rows[1:]
        first = {key: statistics.median(o[key] for o in firsts) for key in ("cpu", "drawn")}
        cpu_again = statistics.median(o["cpu"] for o in again)
        drawn_again = statistics.median(o["drawn"] for o in again)
        ratio_first, ratio_again, ratio_drawn = first["cpu"] / bare_cpu, cpu_again / bare_cpu, drawn_again / bare_drawn
        baseline = name in (BARE, BARE_SERVED)
        cpu_target = (
            "–" if baseline else f"first {_check(ratio_first, CPU_RATIO)}; again {_check(ratio_again, CPU_RATIO_AGAIN)}"
        )
        print(
            f"| {name} | {first['cpu']:.3f} / {cpu_again:.3f} | {ratio_first:.2f} / {ratio_again:.2f} | {cpu_target} | "
            f"{first['drawn']:.1f} / {drawn_again:.1f} | {ratio_drawn:.1f} | "
            f"{'–' if baseline else _check(ratio_drawn, DRAWN_RATIO)} | "
            f"{first['cpu'] / served_cpu:.1f} / {cpu_again / served_cpu:.1f} |"
        )
    own = ", ".join(f"{name} {opens[name][0]['cpu']:.2f} s" for name in LINKS)
    print(f"\nServer CPU of the first open of each link itself (the first round, one sample each): {own}.")
    changes = [o for o in opens["Lückenanalyse"] if "rerun_cpu" in o]
    cpu = statistics.median(o["rerun_cpu"] for o in changes)
    wall = statistics.median(o["rerun_wall"] for o in changes)
    print(
        f"\nLückenanalyse, threshold changed to {CHANGED_THRESHOLD} m (median of {len(changes)}): "
        f"server CPU {cpu:.2f} s, change until idle {wall:.2f} s; target server s {_check(cpu, RERUN_TARGET_S)}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    if not CHROMIUM.exists():
        print(f"{CHROMIUM} fehlt: `make browser-deps` installiert Debians Chromium")
        return 1
    load = os.getloadavg()[0]
    print(f"Machine: {os.cpu_count()} cores, load {load:.1f} at start, Python {platform.python_version()}")
    print("Browser and servers share these cores; CPU seconds are the server process's own, map times are not.")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-link-") as tmp_name:
        tmp = Path(tmp_name)
        secrets = tmp / "secrets.toml"
        secrets.write_text("", encoding="utf-8")
        env = {**SERVER_ENV, "PYTHONPATH": str(ROOT), "STREAMLIT_SECRETS_FILES": str(secrets)}
        app_env = {**env, "QUARTIERSATLAS_WORKSPACE": str(DEMO_PATH)}
        app, app_url = start_streamlit(SERVER, tmp / "app.log", app_env)
        try:
            bare, bare_url = start_streamlit(write_bare_app(tmp), tmp / "bare.log", env)
            served, served_url = start_streamlit(write_bare_server(tmp), tmp / "bare-served.log", env)
            try:
                figures = asyncio.run(
                    measure((app_url, app.pid), (bare_url, bare.pid), (served_url, served.pid), args.rounds)
                )
            finally:
                stop(bare)
                stop(served)
        finally:
            stop(app)
    report(figures, args.rounds)
    print(f"\n(run: {time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
