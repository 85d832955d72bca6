"""Load runs against a city's store and a running app, for ``tests/store/test_load.py`` and
``tests/benchmarks/bench_load.py``.

``editors_run(location, seconds)``
    Simulated editors hammer a few hot entries of one store (a ``postgresql://`` URL or a
    GeoPackage path: ``open_store`` takes both). ``instances`` app instances are separate OS
    processes (multiprocessing, spawn), each running ``editors / instances`` editor threads.
    An editor opens an entry (reads its row version and an int field from ``entries``),
    saves the field + 1 with the row version it opened, and on a ``ConflictError`` reads
    afresh and tries again. Afterwards every successful save must show in the store:
    ``lost_updates`` = Σ over entries (successful saves − (final value − initial value)),
    and the history must have grown by exactly the number of saves.

``viewers_run(base_url, sessions, seconds)``
    Viewer sessions in one headless Chromium (Debian's, as the browser tests launch it), one
    browser context each, driven concurrently by asyncio. A session opens the Karte page
    (page latency: navigation until the st_folium frame paints its vector paths, by its own clock)
    and toggles a sidebar layer checkbox (rerun latency: click until Streamlit's script state
    is ``notRunning`` again and stays so for ``SETTLE_MS``, so a follow-up rerun that st_folium
    triggers is included); it reloads the page every ``TOGGLES_PER_LOAD`` toggles.

Everything runs on this machine only (127.0.0.1); both functions return plain dicts of counts
and milliseconds. No pytest in here.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import multiprocessing as mp
import os
import queue
import random
import re
import threading
import time
import weakref
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np

from tests.support.serving import CHROMIUM, CHROMIUM_ARGS, MAP_IFRAME

HEADLESS_ARGS = ["--headless", *CHROMIUM_ARGS]
MAP_DRAWN = "path.leaflet-interactive"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", None}

LAYER = "offers"
FIELD = "capacity"
HOT_ENTRIES = 10
START_TIMEOUT_S = 180  # spawned instances import geopandas & co. before they report ready

TOGGLE_LABEL = "Stadtbezirke (Grenzen)"  # a light layer of the Karte sidebar (German UI, the default)
TOGGLES_PER_LOAD = 3
SETTLE_MS = 500
PAGE_TIMEOUT_MS = 180_000


def percentiles(values_s: list[float]) -> dict[str, float | None]:
    """p50 and p95 in milliseconds (None without samples)."""
    if not values_s:
        return {"p50_ms": None, "p95_ms": None}
    p50, p95 = np.percentile(np.asarray(values_s) * 1000, [50, 95])
    return {"p50_ms": round(float(p50), 1), "p95_ms": round(float(p95), 1)}


class CpuTime:
    """CPU seconds spent while the block ran, by kind (Linux /proc): ``app`` (a ``streamlit run``),
    ``browser`` (Chromium, Playwright's driver) and ``client`` (the rest), all started by this
    process, and ``others``: whatever else ran on the machine meanwhile (other people's tests).

    Sampled every half second, so a process that ends early (a closed context's renderer) counts
    with what it had used at its last sample::

        with CpuTime() as cpu:
            viewers_run(...)
        cpu.seconds  # {"app": 41.2, "browser": 230.5, "client": 3.1, "others": 12.0}
    """

    TICK = 100  # os.sysconf("SC_CLK_TCK") on Linux

    def __init__(self, interval_s: float = 0.5):
        self.interval_s, self.seconds = interval_s, {}
        self._me = os.getpid()
        self._start: dict[int, float] = {}
        self._last: dict[int, tuple[str, float]] = {}
        self._stop = threading.Event()

    @staticmethod
    def _stat(pid: int) -> list[str] | None:
        try:
            return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            return None

    def _kind(self, pid: int) -> str | None:
        ancestor, steps = pid, 0
        while ancestor not in (self._me, 0, 1) and steps < 64:
            fields = self._stat(ancestor)
            if fields is None:
                return None
            ancestor, steps = int(fields[1]), steps + 1
        if ancestor != self._me:
            return "others"
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            return None
        if "streamlit" in command and " run " in command:
            return "app"
        if "chromium" in command or "playwright" in command:
            return "browser"
        return "client"

    def _sample(self) -> dict[int, float]:
        out = {}
        for name in Path("/proc").iterdir():
            if name.name.isdigit() and (fields := self._stat(int(name.name))) is not None:
                out[int(name.name)] = (int(fields[11]) + int(fields[12])) / self.TICK  # utime + stime
        return out

    def _poll(self) -> None:
        while not self._stop.wait(self.interval_s):
            for pid, used in self._sample().items():
                kind = self._last[pid][0] if pid in self._last else self._kind(pid)
                if kind is not None:
                    self._last[pid] = (kind, used)

    def __enter__(self) -> CpuTime:
        self._start = self._sample()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        for pid, used in self._sample().items():
            if pid in self._last:
                self._last[pid] = (self._last[pid][0], used)
        totals: dict[str, float] = {}
        for pid, (kind, used) in self._last.items():
            totals[kind] = totals.get(kind, 0.0) + used - self._start.get(pid, 0.0)
        self.seconds = {kind: round(value, 1) for kind, value in sorted(totals.items())}


def process_cpu_s(pid: int) -> float:
    """CPU seconds ``pid`` and its descendants have used so far (ended children included): the cost of one page
    open to one server, which ``CpuTime``'s half-second sampling of every process is too coarse for. A live
    process is read from its kernel CPU clock, which counts in nanoseconds and includes its ended threads
    (Streamlit runs every script in a new one); ``/proc``'s utime + stime count in 10 ms ticks, the size of the
    differences a benchmark judges, and are the fallback. Ended children count in ticks, once reaped (a server
    starts none per open)."""
    total, pending = 0.0, [pid]
    while pending:
        current = pending.pop()
        fields = CpuTime._stat(current)
        if fields is None:
            continue
        ended_children = sum(int(value) for value in fields[13:15]) / CpuTime.TICK
        total += _process_clock_s(current, fields) + ended_children
        for task in Path(f"/proc/{current}/task").glob("*"):
            with contextlib.suppress(OSError):
                pending += [int(child) for child in (task / "children").read_text().split()]
    return total


#: Linux's clock id of a process's CPU clock, as clock_getcpuclockid(3) makes it: ``~pid << 3 | CPUCLOCK_SCHED``.
CPUCLOCK_SCHED, CPUCLOCK_SHIFT = 2, 3


def _process_clock_s(pid: int, fields: list[str]) -> float:
    """The process's CPU clock, else (the process has ended meanwhile, another system) its ticks."""
    try:
        return time.clock_gettime_ns((~pid << CPUCLOCK_SHIFT) | CPUCLOCK_SCHED) / 1e9
    except OSError:
        return sum(int(value) for value in fields[11:13]) / CpuTime.TICK


# ---------------------------------------------------------------- editors


def hot_entries(location, count: int = HOT_ENTRIES) -> dict[str, int]:
    """``count`` active entries whose field holds a number, with that number (the start values)."""
    from dashboard.store.base import open_store

    entries = open_store(location).entries(LAYER)
    active = entries[entries["retired_on"].isna() & entries[FIELD].notna()].head(count)
    if len(active) < count:
        raise ValueError(f"only {len(active)} {LAYER} with a {FIELD} in {location}")
    return {str(row.offer_id): int(getattr(row, FIELD)) for row in active.itertuples()}


def _values(location, ids) -> dict[str, tuple[int, int]]:
    """(field value, row version) of each id."""
    from dashboard.store.base import open_store

    entries = open_store(location).entries(LAYER).set_index("offer_id")
    return {i: (int(entries.loc[i, FIELD]), int(entries.loc[i, "row_version"])) for i in ids}


def _history_count(location, ids) -> int:
    from dashboard.store.base import open_store

    data_store = open_store(location)
    return sum(len(data_store.history(layer=LAYER, entry_id=i, limit=1_000_000)) for i in ids)


def _editor(location, ids: list[str], name: str, deadline: float, seed: int) -> dict:
    """One simulated editor until ``deadline``: open, +1, save; on a conflict read afresh and retry."""
    from dashboard.model.roles import Role, User
    from dashboard.store.base import ConflictError, open_store

    data_store, user, rnd = open_store(location), User(name, Role.EDITOR, "loadtest"), random.Random(seed)
    out = {"saves": Counter(), "conflicts": 0, "errors": Counter(), "save_s": [], "open_s": []}
    while time.monotonic() < deadline:
        entry_id = rnd.choice(ids)
        while time.monotonic() < deadline:  # this entry until saved (or time is up)
            try:
                started = time.perf_counter()
                entries = data_store.entries(LAYER)
                row = entries[entries["offer_id"] == entry_id].iloc[0]
                value, version = int(row[FIELD]), int(row["row_version"])
                opened = time.perf_counter()
                out["open_s"].append(opened - started)
                data_store.update(user, LAYER, entry_id, version, {FIELD: value + 1})
                out["save_s"].append(time.perf_counter() - opened)
                out["saves"][entry_id] += 1
                break
            except ConflictError:
                out["conflicts"] += 1
            except Exception as err:  # counted, not hidden: a load run must show none (StoreError or worse)
                out["errors"][type(err).__name__ + ": " + str(err).splitlines()[0][:120]] += 1
                time.sleep(0.05)
    return out


def _instance(location, ids: list[str], editors: int, seconds: float, index: int, ready, start, results) -> None:
    """One app instance (its own process): ``editors`` threads, started together on ``start``."""
    try:
        from dashboard.store.base import open_store

        open_store(location).entries(LAYER)  # imports and first connection before the clock runs
        ready.put(index)
        start.wait()
        deadline = time.monotonic() + seconds
        outs: list[dict] = [{} for _ in range(editors)]

        def run(n: int) -> None:
            outs[n] = _editor(location, ids, f"last-{index}-{n}", deadline, seed=index * 1000 + n)

        threads = [threading.Thread(target=run, args=(n,)) for n in range(editors)]
        began = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        merged = {
            "saves": Counter(),
            "conflicts": 0,
            "errors": Counter(),
            "save_s": [],
            "open_s": [],
            "elapsed_s": time.monotonic() - began,
        }
        for out in outs:
            merged["saves"].update(out["saves"])
            merged["errors"].update(out["errors"])
            merged["conflicts"] += out["conflicts"]
            merged["save_s"] += out["save_s"]
            merged["open_s"] += out["open_s"]
        results.put((index, merged))
    except BaseException as err:  # the parent must not wait for a result that never comes
        results.put((index, {"crash": repr(err)}))
        raise


def _collect(channel, processes, count: int, timeout_s: float, finishing: bool = False) -> list:
    """``count`` messages from ``channel``; fails at once when an instance died without sending one."""
    got, deadline = [], time.monotonic() + timeout_s
    while len(got) < count:
        try:
            got.append(channel.get(timeout=0.5))
        except queue.Empty:
            if not finishing and any(p.exitcode is not None for p in processes):
                raise RuntimeError(
                    f"an app instance exited before it was ready (exit codes {[p.exitcode for p in processes]})"
                ) from None
            if finishing and all(p.exitcode is not None for p in processes) and channel.empty():
                raise RuntimeError(
                    f"app instances exited without results (exit codes {[p.exitcode for p in processes]})"
                ) from None
            if time.monotonic() > deadline:
                raise RuntimeError("an app instance did not report in time") from None
    return got


def editors_run(location, seconds: float, editors: int = 20, instances: int = 2, hot: int = HOT_ENTRIES) -> dict:
    """``editors`` simulated editors in ``instances`` processes on ``hot`` entries of ``location`` for ``seconds``.

    Returns saves, conflicts, errors, lost_updates, history_rows_added, saves_per_s, p50/p95 of
    save and open latency (ms), the run's wall time and per-entry saves.
    """
    location = str(location)
    if editors % instances:
        raise ValueError("editors must split evenly over the instances")
    initial = hot_entries(location, hot)
    ids = list(initial)
    history_before = _history_count(location, ids)

    ctx = mp.get_context("spawn")
    ready, results, start = ctx.Queue(), ctx.Queue(), ctx.Event()
    processes = [
        ctx.Process(
            target=_instance, args=(location, ids, editors // instances, seconds, i, ready, start, results), daemon=True
        )
        for i in range(instances)
    ]
    for process in processes:
        process.start()
    try:
        _collect(ready, processes, len(processes), START_TIMEOUT_S)
        start.set()
        began = time.monotonic()
        parts = {}
        for index, part in _collect(results, processes, len(processes), seconds + 120, finishing=True):
            if "crash" in part:
                raise RuntimeError(f"instance {index} crashed: {part['crash']}")
            parts[index] = part
        wall = time.monotonic() - began
    finally:
        for process in processes:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
                process.join()

    saves, errors, save_s, open_s, conflicts = Counter(), Counter(), [], [], 0
    for part in parts.values():
        saves.update(part["saves"])
        errors.update(part["errors"])
        save_s += part["save_s"]
        open_s += part["open_s"]
        conflicts += part["conflicts"]
    final = _values(location, ids)
    per_entry = {i: {"saves": saves[i], "delta": final[i][0] - initial[i]} for i in ids}
    total = sum(saves.values())
    elapsed = max(part["elapsed_s"] for part in parts.values())
    return {
        "store": "PostGIS" if location.startswith(("postgresql://", "postgres://")) else "GeoPackage",
        "seconds": seconds,
        "editors": editors,
        "instances": instances,
        "hot_entries": hot,
        "saves": total,
        "conflicts": conflicts,
        "errors": dict(errors),
        "lost_updates": sum(e["saves"] - e["delta"] for e in per_entry.values()),
        "history_rows_added": _history_count(location, ids) - history_before,
        "saves_per_s": round(total / elapsed, 1) if elapsed else 0.0,
        "save": percentiles(save_s),
        "open": percentiles(open_s),
        "elapsed_s": round(elapsed, 1),
        "wall_s": round(wall, 1),
        "per_entry": per_entry,
    }


# ---------------------------------------------------------------- viewers

RERUN_WATCH = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  const w = window;
  if (w.__lt_obs) w.__lt_obs.disconnect();
  w.__lt_ran = false; w.__lt_changed = performance.now(); w.__lt_idle = null;
  w.__lt_obs = new MutationObserver(records => {
    const now = performance.now(), state = app.getAttribute('data-test-script-state');
    for (const r of records) if (r.oldValue === 'running' || state === 'running') w.__lt_ran = true;
    w.__lt_changed = now;
    if (state === 'notRunning') w.__lt_idle = now;
  });
  w.__lt_obs.observe(app, {attributes: true, attributeFilter: ['data-test-script-state'], attributeOldValue: true});
  return performance.now();
}"""
RERUN_SETTLED = """(settle) => {
  const state = document.querySelector('[data-testid="stApp"]').getAttribute('data-test-script-state');
  return window.__lt_ran && state === 'notRunning' && performance.now() - window.__lt_changed > settle;
}"""
_IDLE = (
    """() => document.querySelector('[data-testid="stApp"]')?.getAttribute('data-test-script-state') === 'notRunning'"""
)


#: In the map's frame: when it first paints with the map's vector layers (epoch ms, the frame's own clock, at the
#: animation frame that draws them). Looked for from outside, the map was found only once the page's thread was
#: free again: a page that draws more after its map was seen up to 0.4 s after its map was painted.
DRAWN_CLOCK = """(() => {
  if (window === window.top || window.__qaDrawnAt !== undefined) return;
  window.__qaDrawnAt = null;  // set up in the frame's first, blank document: its timers outlive it, not its frames
  const look = () => {
    if (document.querySelector(SELECTOR)) {
      requestAnimationFrame(() => { window.__qaDrawnAt = performance.timeOrigin + performance.now(); });
    } else {
      setTimeout(look, 4);
    }
  };
  look();
})();""".replace("SELECTOR", json.dumps(MAP_DRAWN))
_CLOCKED: weakref.WeakSet = weakref.WeakSet()


async def open_map(page, base_url: str) -> float:
    """Seconds from navigation until the st_folium frame paints the map's vector layers (``DRAWN_CLOCK``)."""
    if page not in _CLOCKED:
        await page.add_init_script(DRAWN_CLOCK)
        _CLOCKED.add(page)
    started = time.time()
    await page.goto(base_url, timeout=PAGE_TIMEOUT_MS)
    frame = await (await page.locator(MAP_IFRAME).first.element_handle(timeout=PAGE_TIMEOUT_MS)).content_frame()
    painted = await frame.wait_for_function("() => window.__qaDrawnAt", timeout=PAGE_TIMEOUT_MS)
    return await painted.json_value() / 1000 - started


async def _toggle(page, checkbox) -> float:
    """Seconds from the click until Streamlit has run and is idle again (in the page's own clock)."""
    clicked = await page.evaluate(RERUN_WATCH)
    await checkbox.set_checked(not await checkbox.is_checked(), force=True, timeout=PAGE_TIMEOUT_MS)
    await page.wait_for_function(RERUN_SETTLED, arg=SETTLE_MS, timeout=PAGE_TIMEOUT_MS, polling=50)
    idle = await page.evaluate("() => window.__lt_idle")
    return (idle - clicked) / 1000


async def _session(
    browser, base_url: str, deadline: float, out: dict, start_delay: float, think_s: float, seed: int
) -> None:
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    context.on("request", lambda request: out["hosts"].add(urlsplit(request.url).hostname))
    page = await context.new_page()
    checkbox = (
        page.get_by_test_id("stSidebar")
        .get_by_test_id("stCheckbox")
        .filter(has_text=re.compile(f"^{re.escape(TOGGLE_LABEL)}$"))
        .locator("input")
    )
    rnd = random.Random(seed)

    async def think() -> None:  # a person looking at the map before the next click
        if think_s:
            await asyncio.sleep(rnd.uniform(0.5, 1.5) * think_s)

    await asyncio.sleep(start_delay)
    reruns = failures = 0
    try:
        while time.monotonic() < deadline or (
            not reruns and failures < 3
        ):  # every session: one load and one rerun at least
            try:
                out["page_s"].append(await open_map(page, base_url))
                await page.wait_for_function(_IDLE, timeout=PAGE_TIMEOUT_MS, polling=100)
                for _ in range(TOGGLES_PER_LOAD):
                    await think()
                    if time.monotonic() >= deadline and reruns:
                        break
                    out["rerun_s"].append(await _toggle(page, checkbox))
                    reruns += 1
                await think()
            except Exception as err:  # a timeout under load is a result, not a crash of the run
                failures += 1
                out["errors"][type(err).__name__ + ": " + str(err).splitlines()[0][:120]] += 1
    finally:
        await context.close()


async def _viewers(base_url: str, sessions: int, seconds: float, ramp_s: float, think_s: float, warm_up: bool) -> dict:
    from playwright.async_api import async_playwright

    out = {"page_s": [], "rerun_s": [], "errors": Counter(), "hosts": set(), "cold_page_s": None}
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=HEADLESS_ARGS)
        try:
            if warm_up:  # the app's first run reads and prepares the city: timed apart from the sessions
                context = await browser.new_context(viewport={"width": 1400, "height": 1000})
                out["cold_page_s"] = await open_map(await context.new_page(), base_url)
                await context.close()
            began = time.monotonic()
            deadline = began + seconds
            await asyncio.gather(
                *(
                    _session(browser, base_url, deadline, out, ramp_s * n / sessions, think_s, n)
                    for n in range(sessions)
                )
            )
            out["elapsed_s"] = time.monotonic() - began
        finally:
            await browser.close()
    return out


def viewers_run(
    base_url: str,
    sessions: int = 30,
    seconds: float = 60,
    ramp_s: float = 0.0,
    think_s: float = 0.0,
    warm_up: bool = True,
) -> dict:
    """``sessions`` concurrent viewer sessions on the app at ``base_url`` for about ``seconds``.

    ``warm_up``: one page load before the sessions start (the app's first run reads and prepares the
    city), reported as ``cold_page_ms``. ``ramp_s`` spreads the sessions' first page loads over
    that many seconds (0: all at once). ``think_s``: a pause of 0.5–1.5 x that many seconds after
    each page load and each rerun, as a person looks at the map (0: the next click at once).
    Every session finishes the step it is in when time is up, so the run can last longer; each
    session loads the page once and reruns it once at least.
    Returns page loads, reruns, errors, p50/p95 of page and rerun latency (ms), and the hosts
    the browser asked (must all be this machine).
    """
    if not CHROMIUM.exists():
        raise FileNotFoundError(f"{CHROMIUM} missing: `make browser-deps` installs Debian's Chromium")
    out = asyncio.run(_viewers(base_url, sessions, seconds, ramp_s, think_s, warm_up))
    return {
        "sessions": sessions,
        "seconds": seconds,
        "ramp_s": ramp_s,
        "think_s": think_s,
        "page_loads": len(out["page_s"]),
        "reruns": len(out["rerun_s"]),
        "errors": dict(out["errors"]),
        "cold_page_ms": None if out["cold_page_s"] is None else round(out["cold_page_s"] * 1000, 1),
        "page": percentiles(out["page_s"]),
        "rerun": percentiles(out["rerun_s"]),
        "elapsed_s": round(out["elapsed_s"], 1),
        "foreign_hosts": sorted(h for h in out["hosts"] if h not in LOCAL_HOSTS),
    }
