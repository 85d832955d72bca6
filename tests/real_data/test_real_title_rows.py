"""The title-row detection on every real CSV of ../shared/data: none of them has a title above its
header, so none may lose its header row (the real files are the false-alarm check; no city here
publishes a spreadsheet with a title row, the unit tests build those as the programs write them)."""

from __future__ import annotations

import pytest

from dashboard.ingest import readers
from tests.support.paths import SHARED_DATA

CSV_FILES = sorted(SHARED_DATA.rglob("*.csv")) if SHARED_DATA.is_dir() else []


@pytest.mark.skipif(not CSV_FILES, reason=f"no real CSV files found under {SHARED_DATA}")
@pytest.mark.parametrize("path", CSV_FILES, ids=[p.name for p in CSV_FILES])
def test_real_csv_keeps_its_first_row_as_header(path):
    table = readers.read_file(path)
    assert (table.header_row, table.title_rows) == (1, 0)
    assert readers.TITLE_NOTE not in [note.key for note in table.notes]
    with path.open(encoding=table.encoding or "utf-8") as text:
        first = text.readline().removeprefix("\ufeff").rstrip("\r\n")
    assert str(table.frame.columns[0]) in first
