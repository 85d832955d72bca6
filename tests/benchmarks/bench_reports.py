"""Benchmark of the council report on the demo city (Musterstadt, 127 Quartiere).

Run as ``.venv/bin/python tests/benchmarks/bench_reports.py``. Prints the shared
preparation (read, prepare, analyse, counts), one report split into content
(profile + map image), PDF and HTML, and all Quartiere's PDFs with 1 and 2
worker processes, beside the targets (one ≤ 2 s, all ≤ 2 min on 2 cores).
Informative only: the exit code is 0 unless something crashed.
"""

import os
import platform
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from dashboard.reports import council  # noqa: E402
from dashboard.store.gpkgfile import DEMO_PATH, read_geopackage  # noqa: E402
from tests.benchmarks.timing import RUNS, median_s  # noqa: E402

AREA = "0101"


def _all(ctx: council.ReportContext, jobs: int) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        written = council.write_all(ctx, Path(folder), jobs=jobs, progress=False)
        return time.perf_counter() - start, len(written)


def main() -> None:
    print(f"Python {platform.python_version()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
    start = time.perf_counter()
    workspace = read_geopackage(DEMO_PATH)
    read_s = time.perf_counter() - start
    prepare_s, ctx = median_s(lambda: council.context(workspace, today=date(2026, 7, 1)), runs=3)
    print(f"shared: read {read_s:.2f} s, prepare + analyse + counts {prepare_s:.2f} s (once for all reports)")

    build_s, content = median_s(council.build, lambda: (ctx, AREA))
    pdf_s, pdf = median_s(council.to_pdf, lambda: (content,))
    html_s, page = median_s(council.to_html, lambda: (content,))
    one = build_s + pdf_s
    print(
        f"one report ({AREA}, median of {RUNS}): content {build_s:.2f} s + PDF {pdf_s:.2f} s = {one:.2f} s "
        f"(target ≤ 2 s: {'ok' if one <= 2 else 'MISSED'}); HTML {html_s:.2f} s; "
        f"PDF {len(pdf) / 1e3:.0f} kB, HTML {len(page.encode()) / 1e3:.0f} kB"
    )
    for jobs in (1, 2):
        seconds, files = _all(ctx, jobs)
        verdict = "ok" if seconds <= 120 else "MISSED"
        print(
            f"all Quartiere, {jobs} process(es): {files} PDFs in {seconds:.1f} s "
            f"({seconds / files:.2f} s each; target ≤ 120 s: {verdict})"
        )


if __name__ == "__main__":
    main()
