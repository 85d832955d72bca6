"""GeoPackage store vs PostGIS store on Berlin-size data (`make bench`).

* read: the synthetic Berlin-size city of ``bench_gaps`` (550 Quartiere, ~87,000 populated cells,
  6,000 offers, 5,000 actors) read back from each store, then the gap analysis on it;
* import: 200,000 housing records (the CSV of ``bench_import``) through the whole import
  (read → check → store) into each store.

PostGIS is a throwaway server on 127.0.0.1 (``tests/support/pg.py``); without PostgreSQL/PostGIS only the
GeoPackage column is printed. Medians of 3 reads.

    .venv/bin/python tests/benchmarks/bench_stores.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from dashboard.analysis.city import prepare  # noqa: E402
from dashboard.analysis.gaps import GapParams, analyse  # noqa: E402
from dashboard.ingest import importflow, readers  # noqa: E402
from dashboard.model.roles import Role, User  # noqa: E402
from dashboard.model.workspace import LayerMeta  # noqa: E402
from dashboard.store import gpkgfile
from dashboard.store.base import open_store  # noqa: E402
from dashboard.store.migrate import migrate  # noqa: E402
from tests.benchmarks.bench_gaps import synthetic_workspace  # noqa: E402
from tests.benchmarks.bench_import import housing_csv  # noqa: E402

EDITOR = User("benchmark", Role.EDITOR, "benchmark")


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def read_and_analyse(data_store) -> dict:
    reads = []
    for _ in range(3):
        seconds, workspace = timed(data_store.read)
        reads.append(seconds)
    analysis, _ = timed(lambda: analyse(prepare(workspace), GapParams()))
    return {"read": statistics.median(reads), "analysis": analysis, "cells": len(workspace.population)}


def import_housing(data_store, csv: Path) -> dict:
    times = {}
    times["read"], raw = timed(lambda: readers.read_file(csv))
    raw, _ = readers.with_geometry(raw, raw.coordinates, raw.coordinates.crs_candidates[0])
    mapping, _ = importflow.first_mapping(data_store, raw, "housing")
    times["check"], plan = timed(lambda: importflow.plan(data_store, raw, mapping))
    times["store"], _ = timed(
        lambda: importflow.store_plan(data_store, EDITOR, raw, mapping, plan, meta=LayerMeta(csv.name), mode="replace")
    )
    times["rows"] = plan.counts.valid
    return times


def main() -> None:
    from tests.support.pg import running_server

    with tempfile.TemporaryDirectory(prefix="bench-stores-") as folder:
        tmp = Path(folder)
        berlin = tmp / "berlin.gpkg"
        gpkgfile.write_geopackage(synthetic_workspace(), berlin)
        csv = tmp / "wohnungen.csv"
        housing_csv(csv)
        stores = {"GeoPackage": open_store(berlin)}
        try:
            with running_server() as server:
                url = server.store_url("berlin")
                migrate(stores["GeoPackage"], open_store(url))
                stores["PostGIS"] = open_store(url)
                report(stores, csv, tmp)
        except BaseException as err:  # pytest's Skipped (no PostGIS here) is a BaseException
            if stores.get("PostGIS") is not None:
                raise
            print(f"PostGIS not available ({err}); GeoPackage only")
            report(stores, csv, tmp)


def report(stores: dict, csv: Path, tmp: Path) -> None:
    print(
        f"{'store':<11}{'cells':>9}{'read s':>9}{'gap analysis s':>16}"
        f"{'| 200k housing:':>16}{'read s':>8}{'check s':>9}{'store s':>9}"
    )
    for name, data_store in stores.items():
        figures = read_and_analyse(data_store)
        housing = import_housing(data_store, csv)
        print(
            f"{name:<11}{figures['cells']:>9,}{figures['read']:>9.2f}{figures['analysis']:>16.2f}{'':>16}"
            f"{housing['read']:>8.2f}{housing['check']:>9.2f}{housing['store']:>9.2f}"
        )


if __name__ == "__main__":
    main()
