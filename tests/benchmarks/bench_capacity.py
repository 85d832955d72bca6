"""Capacity benchmark (`make bench`, issue 15 item 8): how many shared-link opens per second the app sustains.

One instance, and two instances behind Debian's nginx with the shipped site configuration
(``tests/support/proxy.py``), on the demo city and on the Berlin-size synthetic city of ``bench_gaps``
(written to a GeoPackage). Each instance is warmed by one open of its own; then ``--workers`` headless
Chromium contexts open the Karte link of ``bench_shared_link`` again and again (a fresh context per
open, until the map is drawn) for ``--seconds``. Prints the observed opens per second and, from the
per-process CPU of the run (``CpuTime``: the Streamlit servers apart from Chromium and the rest), the
app's CPU seconds per open and the rate that CPU allows when the app has the cores to itself. On a
machine where browsers and servers share the cores the observed rate is the lower bound; the CPU
rate is what a server of the city gets. Informative only: the exit code is 0 unless something crashed.

    .venv/bin/python tests/benchmarks/bench_capacity.py [--seconds 30] [--workers 4]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from dashboard.store.gpkgfile import DEMO_PATH, write_geopackage  # noqa: E402
from tests.benchmarks.bench_gaps import synthetic_workspace  # noqa: E402
from tests.benchmarks.bench_shared_link import LINKS  # noqa: E402
from tests.support.loadtest import HEADLESS_ARGS, CpuTime, open_map, process_cpu_s  # noqa: E402
from tests.support.paths import SERVER  # noqa: E402
from tests.support.proxy import NGINX, running_nginx  # noqa: E402
from tests.support.serving import CHROMIUM, start_streamlit, stop  # noqa: E402

LINK = f"/?{urlencode(LINKS['Karte'], safe=',')}"


@contextlib.contextmanager
def running_instances(count: int, workspace: Path, tmp: Path) -> Iterator[tuple[str, list[tuple[str, int]]]]:
    """``count`` app instances on ``workspace`` (behind nginx when more than one); yields the URL to load and
    each instance's (URL, pid)."""
    secrets = tmp / "secrets.toml"
    secrets.write_text("", encoding="utf-8")
    env = {"PYTHONPATH": str(ROOT), "STREAMLIT_SECRETS_FILES": str(secrets), "QUARTIERSATLAS_WORKSPACE": str(workspace)}
    with contextlib.ExitStack() as stack:
        instances = []
        for n in range(count):
            process, url = start_streamlit(SERVER, tmp / f"{workspace.stem}-{count}-{n}.log", env)
            stack.callback(stop, process)
            instances.append((url, process.pid))
        if count == 1:
            yield instances[0][0], instances
            return
        ports = tuple(int(url.rsplit(":", 1)[1]) for url, _ in instances)
        yield stack.enter_context(running_nginx(tmp / f"nginx-{workspace.stem}", ports)), instances


async def _worker(browser, url: str, deadline: float, out: dict) -> None:
    """Fresh context, open until drawn, close; again until time is up (the open in flight is finished)."""
    while time.monotonic() < deadline:
        context = await browser.new_context(viewport={"width": 1400, "height": 1000})
        try:
            out["drawn_s"].append(await open_map(await context.new_page(), url))
        except Exception as err:  # a timeout under load is a result, not a crash of the run
            out["errors"][type(err).__name__] += 1
        finally:
            await context.close()


async def _load(url: str, instances: list[tuple[str, int]], seconds: float, workers: int) -> dict:
    from playwright.async_api import async_playwright

    out: dict = {"drawn_s": [], "errors": Counter()}
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=HEADLESS_ARGS)
        try:
            for instance_url, _ in instances:  # each instance reads and prepares the city once, untimed
                context = await browser.new_context()
                out.setdefault("warm_s", []).append(await open_map(await context.new_page(), instance_url + LINK))
                await context.close()
            before = [process_cpu_s(pid) for _, pid in instances]
            with CpuTime() as cpu:
                began = time.monotonic()
                await asyncio.gather(*(_worker(browser, url + LINK, began + seconds, out) for _ in range(workers)))
                out["elapsed_s"] = time.monotonic() - began
            out["cpu"] = cpu.seconds
            out["per_instance"] = [process_cpu_s(pid) - b for (_, pid), b in zip(instances, before, strict=True)]
        finally:
            await browser.close()
    return out


def capacity(city: str, workspace: Path, count: int, seconds: float, workers: int, tmp: Path) -> dict:
    with running_instances(count, workspace, tmp) as (url, instances):
        out = asyncio.run(_load(url, instances, seconds, workers))
    opens = len(out["drawn_s"])
    app = out["cpu"].get("app", 0.0)
    per_open = app / opens if opens else float("nan")
    return {
        "city": city,
        "instances": count,
        "opens": opens,
        "errors": dict(out["errors"]),
        "rate": opens / out["elapsed_s"],
        "app_cpu_per_open": per_open,
        "browser_cpu_per_open": out["cpu"].get("browser", 0.0) / opens if opens else float("nan"),
        "cpu": out["cpu"],
        "elapsed_s": out["elapsed_s"],
        "per_instance": out["per_instance"],
        "drawn_median_s": sorted(out["drawn_s"])[opens // 2] if opens else float("nan"),
        "warm_s": out["warm_s"],
        # One instance is one Python process: it uses one core at most (the GIL), so k instances use min(k, cores).
        "cpu_rate": min(count, os.cpu_count() or 1) / per_open if opens else float("nan"),
    }


def report(rows: list[dict], workers: int) -> None:
    cores = os.cpu_count()
    print(
        f"\n{workers} browser contexts opening the Karte link ({LINK}) in a loop. On {cores} cores browsers and "
        "servers compete: the observed rate is a lower bound; 'rate by app CPU' = min(instances, cores) / app CPU "
        "s per open, the rate when the app has the cores to itself.\n"
    )
    print(
        "| city | instances | run s | opens | errors | opens/s observed | map drawn p50 s | app CPU s per open "
        "| app CPU s per instance | browser CPU s per open | CPU s app / browser / rest / others | opens/s by app CPU |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        cpu = r["cpu"]
        print(
            f"| {r['city']} | {r['instances']} | {r['elapsed_s']:.0f} | {r['opens']} | "
            f"{sum(r['errors'].values())} | {r['rate']:.2f} | {r['drawn_median_s']:.1f} | "
            f"{r['app_cpu_per_open']:.2f} | {' + '.join(f'{c:.0f}' for c in r['per_instance'])} | "
            f"{r['browser_cpu_per_open']:.2f} | {cpu.get('app', 0):.0f} / {cpu.get('browser', 0):.0f} / "
            f"{cpu.get('client', 0):.0f} / {cpu.get('others', 0):.0f} | {r['cpu_rate']:.2f} |"
        )
    print("\nFirst open per instance (reads and prepares the city): " + "; ".join(
        f"{r['city']} x{r['instances']}: " + ", ".join(f"{s:.0f} s" for s in r["warm_s"]) for r in rows
    ))  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    for needed, how in ((CHROMIUM, "browser-deps"), (NGINX, "proxy-deps")):
        if not needed.exists():
            print(f"{needed} fehlt: `make {how}` installiert es")
            return 1
    print(
        f"Machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f} at start, Python {platform.python_version()}"
    )
    started = time.perf_counter()
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-capacity-") as tmp_name:
        tmp = Path(tmp_name)
        berlin = tmp / "synthetisch.gpkg"
        write_geopackage(synthetic_workspace(), berlin)
        for city, workspace in (("Demostadt", DEMO_PATH), ("synthetisches Berlin", berlin)):
            for count in (1, 2):
                rows.append(capacity(city, workspace, count, args.seconds, args.workers, tmp))
    report(rows, args.workers)
    print(f"\n(run: {time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
