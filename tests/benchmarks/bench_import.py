"""Import benchmark: time and peak memory of read → check → store for three real-sized files.

* the real Stuttgart Stadtteile (152 polygons, EPSG:25832; ../shared/data),
* a 200,000-row housing CSV (cp1252, ";", decimal commas, Rechtswert/Hochwert in EPSG:25832),
* a 50,000-cell Zensus 2022 grid CSV (``GITTER_ID_100m;x_mp_100m;y_mp_100m;Einwohner`` with "–").

Each case runs in its own process (``--case``), so its peak memory (``ru_maxrss``) is its own;
the parent prints one table. Run: ``.venv/bin/python tests/benchmarks/bench_import.py``.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from dashboard.ingest import importflow, readers  # noqa: E402
from dashboard.model.roles import Role, User  # noqa: E402
from dashboard.model.workspace import LayerMeta  # noqa: E402
from dashboard.store import gpkgfile
from dashboard.store.base import open_store  # noqa: E402

STADTTEILE = ROOT.parent / "shared" / "data" / "stuttgart-stadtteile" / "Stgt_Stadtteile_EPSG25832.geojson"
BEZIRKE = (
    ROOT.parent / "shared" / "data" / "stuttgart-stadtbezirke-derived" / "Stgt_Stadtbezirke_dissolved_EPSG25832.geojson"
)
EDITOR = User("benchmark", Role.EDITOR, "benchmark")


def housing_csv(path: Path, rows: int = 200_000) -> None:
    """Estates scattered over the demo city (EPSG:25832), written the way a housing company's export looks."""
    rng = np.random.default_rng(7)
    demo = gpkgfile.read_geopackage(gpkgfile.DEMO_PATH).areas.to_crs("EPSG:25832").total_bounds
    x = rng.uniform(demo[0], demo[2], rows)
    y = rng.uniform(demo[1], demo[3], rows)
    owners = np.array(["Genossenschaft", "kommunal", "privat"])[rng.integers(0, 3, rows)]
    dwellings = rng.integers(1, 120, rows)
    subsidised = (dwellings * rng.uniform(0, 0.6, rows)).astype(int)
    lines = ["Objekt-Nr;Eigentümerart;Wohnungen;geförderte Wohnungen;Baujahr;Sozialmanagement;Rechtswert;Hochwert"]
    lines += [
        f"W{i:06d};{o};{d};{s};{1900 + i % 120};{'ja' if i % 7 == 0 else 'nein'};{xx:.2f};{yy:.2f}".replace(".", ",")
        for i, (o, d, s, xx, yy) in enumerate(zip(owners, dwellings, subsidised, x, y, strict=False))
    ]
    path.write_bytes("\n".join(lines).encode("cp1252"))


def zensus_csv(path: Path, cells: int = 50_000) -> None:
    """A block of 100 m cells in EPSG:3035 with residents; every 50th cell suppressed ("–")."""
    side = int(np.ceil(np.sqrt(cells)))
    rng = np.random.default_rng(11)
    lines = ["GITTER_ID_100m;x_mp_100m;y_mp_100m;Einwohner;werterlaeuternde_Zeichen"]
    for i in range(cells):
        east, north = 4_200_000 + (i % side) * 100, 2_900_000 + (i // side) * 100
        value = "–" if i % 50 == 0 else str(int(rng.integers(0, 90)))
        lines.append(f"CRS3035RES100mN{north}E{east};{east + 50};{north + 50};{value};")
    path.write_text("\n".join(lines), encoding="utf-8")


def run_case(case: str, folder: Path) -> dict:
    """Import one file into a store in ``folder``; seconds per step (peak memory: the process's RSS)."""
    data_store = open_store(folder / "quartiersatlas.gpkg")
    if case == "stadtteile":
        source, target = STADTTEILE, "quartiere"
        _load(data_store, BEZIRKE, "bezirke")  # the Bezirke the Stadtteile refer to (not timed)
    elif case == "housing":
        shutil.copy(gpkgfile.DEMO_PATH, data_store.path)
        source, target = folder / "wohnungen.csv", "housing"
        housing_csv(source)
    else:
        source, target = folder / "zensus.csv", "population"
        zensus_csv(source)
    times = {}
    start = time.perf_counter()
    raw = readers.read_file(source)
    if raw.coordinates is not None and not hasattr(raw.frame, "crs"):
        raw, _ = readers.with_geometry(raw, raw.coordinates, raw.coordinates.crs_candidates[0])
    times["read"] = time.perf_counter() - start
    start = time.perf_counter()
    mapping, _ = importflow.first_mapping(data_store, raw, target)
    plan = importflow.plan(data_store, raw, mapping)
    times["check"] = time.perf_counter() - start
    start = time.perf_counter()
    importflow.store_plan(data_store, EDITOR, raw, mapping, plan, meta=LayerMeta(source.name), mode="replace")
    times["store"] = time.perf_counter() - start
    return {
        "case": case,
        "rows": plan.counts.read,
        "valid": plan.counts.valid,
        **times,
        "total": sum(times.values()),
        "file_mb": source.stat().st_size / 2**20,
    }


def _load(data_store, path: Path, target: str) -> None:
    raw = readers.read_file(path)
    mapping, _ = importflow.first_mapping(data_store, raw, target)
    importflow.store_plan(
        data_store,
        EDITOR,
        raw,
        mapping,
        importflow.plan(data_store, raw, mapping),
        meta=LayerMeta(path.name),
        mode="replace",
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--case", choices=("stadtteile", "housing", "zensus"))
    args = parser.parse_args()
    if args.case:
        with tempfile.TemporaryDirectory() as folder:
            result = run_case(args.case, Path(folder))
        result["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return
    cases = ("stadtteile", "housing", "zensus") if STADTTEILE.exists() else ("housing", "zensus")
    print(
        f"{'case':<11}{'rows':>9}{'valid':>9}{'file MB':>9}{'read s':>8}"
        f"{'check s':>9}{'store s':>9}{'total s':>9}{'peak RSS MB':>13}"
    )
    for case in cases:
        line = (
            subprocess.run([sys.executable, __file__, "--case", case], capture_output=True, text=True, check=True)
            .stdout.strip()
            .splitlines()[-1]
        )
        r = json.loads(line)
        print(
            f"{r['case']:<11}{r['rows']:>9,}{r['valid']:>9,}{r['file_mb']:>9.1f}{r['read']:>8.2f}{r['check']:>9.2f}"
            f"{r['store']:>9.2f}{r['total']:>9.2f}{r['max_rss_mb']:>13.0f}"
        )


if __name__ == "__main__":
    main()
