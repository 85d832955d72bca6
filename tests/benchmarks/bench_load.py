"""Load figures for a city-wide deployment (`make bench`): many editors on one store, 30 viewers on one app.

Editors: ``tests/loadtest.editors_run`` for 60 s, 2 app instances (processes) x 10 editor threads
saving +1 on 10 hot offers, on a throwaway PostGIS (``tests/support/pg.py``) and on a GeoPackage store,
each next to a single uncontended editor for reference. Viewers: ``tests/loadtest.viewers_run``
with 30 Chromium sessions against one app instance on the demo city (GeoPackage, and the same
city in PostGIS), next to a single session: all 30 at once without pauses (worst case), and
arriving over 30 s with ~5 s between clicks. Everything on 127.0.0.1; browser and app share this
machine's cores, so viewer latencies include the browser's own rendering work (the CPU column
shows how the time splits).

Informative only: the exit code is 0 unless something crashed.

    .venv/bin/python tests/benchmarks/bench_load.py [--seconds 60] [--sessions 30] [--skip-editors] [--skip-viewers]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from dashboard.store import gpkgfile  # noqa: E402
from dashboard.store.base import open_store  # noqa: E402
from dashboard.store.migrate import migrate  # noqa: E402
from tests.support.loadtest import CpuTime, editors_run, viewers_run  # noqa: E402
from tests.support.paths import SERVER  # noqa: E402
from tests.support.serving import running_streamlit  # noqa: E402


def _ms(stats: dict) -> str:
    if stats["p50_ms"] is None:
        return "–"
    return f"{stats['p50_ms']:,.0f} / {stats['p95_ms']:,.0f}"


def _errors(errors: dict) -> str:
    if not errors:
        return "0"
    top = max(errors, key=errors.get)
    return f"{sum(errors.values())} (most: {top[:70]}…)"


@contextmanager
def _postgis():
    """A throwaway PostGIS server, or None with the reason printed (tests/support/pg.py skips without PostGIS)."""
    from tests.support.pg import running_server

    try:
        with running_server() as server:
            yield server
    except BaseException as err:  # pytest's Skipped is a BaseException
        if type(err).__name__ != "Skipped":
            raise
        print(f"PostGIS skipped: {err}")
        yield None


def editors(server, seconds: float, tmp: Path) -> None:
    rows = []
    for editors_, instances, secs in ((20, 2, seconds), (1, 1, min(seconds, 15))):
        if server is not None:
            url = server.store_url()
            migrate(open_store(gpkgfile.DEMO_PATH), open_store(url))
            rows.append(editors_run(url, secs, editors=editors_, instances=instances))
        path = tmp / f"editors-{editors_}.gpkg"
        shutil.copy(gpkgfile.DEMO_PATH, path)
        rows.append(editors_run(path, secs, editors=editors_, instances=instances))
    print("\nEditors: each saves +1 on one of 10 hot offers, re-reads and retries on a conflict.\n")
    print(
        "| store | instances x editors | s | saves | conflicts | lost updates | history rows = saves | errors | "
        "saves/s | save p50 / p95 ms | open p50 / p95 ms |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['store']} | {r['instances']} x {r['editors'] // r['instances']} | {r['elapsed_s']:.0f} | "
            f"{r['saves']:,} | {r['conflicts']:,} | {r['lost_updates']} | "
            f"{'yes' if r['history_rows_added'] == r['saves'] else 'NO: ' + str(r['history_rows_added'])} | "
            f"{_errors(r['errors'])} | {r['saves_per_s']:.1f} | {_ms(r['save'])} | {_ms(r['open'])} |"
        )


#: Viewer runs per app: (sessions, seconds, ramp-up s, think s). One session alone; all at once, every
#: click at once (the worst case: a link sent to everyone); arriving over 30 s and looking ~5 s between clicks.
VIEWER_RUNS = ((1, 20, 0, 0), ("N", "T", 0, 0), ("N", "T", 30, 5))


def viewers(server, seconds: float, sessions: int, tmp: Path) -> None:
    apps = [("GeoPackage (demo file)", {"QUARTIERSATLAS_WORKSPACE": str(gpkgfile.DEMO_PATH)}, VIEWER_RUNS)]
    if server is not None:
        url = server.store_url("viewers")
        migrate(open_store(gpkgfile.DEMO_PATH), open_store(url))
        apps.append(
            (
                "PostGIS",
                {"QUARTIER_DATABASE_URL": url, "QUARTIER_DATABASE_VIEWER_URL": ""},
                (VIEWER_RUNS[0], VIEWER_RUNS[2]),
            )
        )
    secrets = tmp / "secrets.toml"
    secrets.write_text("", encoding="utf-8")
    rows = []
    for name, env, runs in apps:
        env = {**env, "STREAMLIT_SECRETS_FILES": str(secrets), "PYTHONPATH": str(ROOT)}
        for count, secs, ramp, think in runs:
            count, secs = (sessions if count == "N" else count), (seconds if secs == "T" else min(seconds, secs))
            with (
                running_streamlit(SERVER, tmp / f"viewers-{len(rows)}.log", env) as app_url,
                CpuTime() as cpu,
            ):  # a fresh instance per run
                result = viewers_run(app_url, sessions=count, seconds=secs, ramp_s=ramp, think_s=think)
            rows.append((name, result, cpu.seconds))
    print(
        "\nViewers: Chromium sessions on one app instance (a fresh one per run, warmed by one page load); "
        "page = navigation until Leaflet has drawn, rerun = layer checkbox click until Streamlit is idle again. "
        "CPU s: app server / browser+driver / other processes on the machine meanwhile.\n"
    )
    print(
        "| app store | sessions | ramp s | think s | run s | page loads | reruns | errors | first load (cold app) ms | "
        "page p50 / p95 ms | rerun p50 / p95 ms | CPU s app / browser / others | foreign hosts |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name, r, cpu in rows:
        print(
            f"| {name} | {r['sessions']} | {r['ramp_s']:.0f} | {r['think_s']:.0f} | {r['elapsed_s']:.0f} | "
            f"{r['page_loads']} | {r['reruns']} | {_errors(r['errors'])} | "
            f"{r['cold_page_ms']:,.0f} | {_ms(r['page'])} | {_ms(r['rerun'])} | "
            f"{cpu.get('app', 0):.0f} / {cpu.get('browser', 0):.0f} / {cpu.get('others', 0):.0f} | "
            f"{len(r['foreign_hosts'])} |"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--skip-editors", action="store_true")
    parser.add_argument("--skip-viewers", action="store_true")
    args = parser.parse_args()
    print(f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}")
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-load-")))
        server = stack.enter_context(_postgis())
        if not args.skip_editors:
            started = time.perf_counter()
            editors(server, args.seconds, tmp)
            print(f"\n(editor runs: {time.perf_counter() - started:.0f} s)")
        if not args.skip_viewers:
            started = time.perf_counter()
            viewers(server, args.seconds, args.sessions, tmp)
            print(f"\n(viewer runs: {time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
