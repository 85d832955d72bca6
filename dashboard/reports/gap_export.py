"""Participation gaps per Quartier as a CSV file for data teams, and a short summary (German by default).

The file is meant to open correctly in German Excel by double-click: UTF-8
with BOM (else umlauts break), ``;`` as separator and a decimal comma. Text
cells that Excel would run as a formula (``=HYPERLINK(…)`` as a Quartier
name) get a leading apostrophe. The file is written to a temporary file first
and renamed, so a failed run never leaves half a table behind.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Callable, Collection, Mapping
from pathlib import Path

import pandas as pd

from dashboard import i18n
from dashboard.analysis.gaps import GapResult
from dashboard.store import gpkgfile

ENCODING = "utf-8-sig"
SEPARATOR = ";"
#: Characters that make Excel or LibreOffice read a cell as a formula (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

#: Output columns: (name, decimals); None = text, 0 = whole number.
COLUMNS: tuple[tuple[str, int | None], ...] = (
    ("area_id", None),
    ("name", None),
    ("parent_id", None),
    ("residents", 0),
    ("target_residents", 0),
    ("covered_residents", 0),
    ("covered_share", 4),
    ("uncovered_residents", 0),
    ("participation_offers", 0),
    ("offers_per_1000", 2),
    ("fca_per_1000", 2),
    ("uncovered_share", 4),
    ("supply_deficit", 4),
    ("sector_gap", 4),
    ("sectors_missing", None),
    ("gap_index", 2),
    ("class", None),
    ("suppressed", None),
)


def neutralise(text: str) -> str:
    """Text that no spreadsheet runs as a formula."""
    return "'" + text if text.startswith(FORMULA_START) else text


def number(value: float | None, decimals: int) -> str:
    """A number with a decimal comma and no thousands separator; missing → empty cell."""
    if value is None or pd.isna(value):
        return ""
    rounded = round(float(value), decimals) + 0.0  # + 0.0 turns -0.0 into 0.0
    return f"{rounded:.{decimals}f}".replace(".", ",")


def _text(value: object) -> str:
    return "" if value is None or pd.isna(value) else neutralise(str(value))


def cell_rows(frame: pd.DataFrame, columns: tuple[tuple[str, int | None], ...]) -> list[list[str]]:
    """Rows of ``frame`` as CSV cells: text neutralised, numbers with ``decimals`` (None = text)."""
    return [
        [_text(record[c]) if decimals is None else number(record[c], decimals) for c, decimals in columns]
        for record in frame.to_dict("records")
    ]


def table_rows(result: GapResult, area_ids: Collection[str] | None = None) -> list[list[str]]:
    """One row per analysed area (Quartier), in the order of the areas file; header first.

    ``area_ids``: only these areas, as a view limited to one Stadtbezirk lists them.
    """
    units = result.units.assign(
        sectors_missing=result.units["sectors_missing"].map(";".join),
        **{"class": [str(i + 1) if i >= 0 else "" for i in result.classes.index]},
        suppressed=result.units["suppressed"].map({True: "ja", False: "nein"}),
    ).reset_index()
    if area_ids is not None:
        units = units[units["area_id"].isin(area_ids)]
    return [[name for name, _ in COLUMNS], *cell_rows(units, COLUMNS)]


def csv_bytes(rows: list[list[str]]) -> bytes:
    """Rows as a CSV file German Excel opens by double-click (UTF-8 with BOM, ``;``)."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=SEPARATOR).writerows(rows)
    return buffer.getvalue().encode(ENCODING)


def write_atomic(path: str | Path, data: bytes) -> None:
    """Write ``data`` to a temp file beside ``path`` and rename it: never half a file."""
    path = Path(path)
    fd, tmp_name = tempfile.mkstemp(suffix=path.suffix, prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)


def gpkg_bytes(layers: Mapping[str, pd.DataFrame], finish: Callable[[str], None] | None = None) -> bytes:
    """Tables as one GeoPackage file's bytes, for a download (GDAL writes only to a path); ``finish`` as in
    ``gpkgfile.write_layers``."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.gpkg"
        gpkgfile.write_layers(path, layers, finish=finish)
        return path.read_bytes()


def write_csv(result: GapResult, path: str | Path, area_ids: Collection[str] | None = None) -> int:
    """Write the table atomically (temp file + rename); returns the number of data rows."""
    rows = table_rows(result, area_ids)
    write_atomic(path, csv_bytes(rows))
    return len(rows) - 1


def summary(result: GapResult, path: str | Path, rows: int, lang: str = i18n.DEFAULT_LANGUAGE) -> str:
    """What was computed, by which method, and where the table went (a few lines in ``lang``)."""
    p, city, units = result.params, result.city, result.units
    bounds = " | ".join(
        i18n.t("cli.gaps.bound", lang, value=i18n.fmt_num(b, lang, digits=1)) for b in result.classes.bounds
    )
    return i18n.t(
        "cli.gaps.summary",
        lang,
        group=i18n.code_label(p.target_group, lang),
        areas=len(units),
        suppressed=int(units["suppressed"].sum()),
        min_residents=p.min_residents,
        residents=i18n.fmt_int(city["residents"], lang),
        target=i18n.fmt_int(city["target_residents"], lang),
        covered_share=i18n.fmt_share(city["covered_share"], lang),
        covered=i18n.fmt_int(city["covered_residents"], lang),
        threshold=p.threshold,
        method=i18n.t(result.method.label_key, lang, detour=i18n.fmt_num(p.detour, lang, digits=2)),
        min_level=i18n.code_label(p.min_level, lang),
        classification=i18n.t("classify." + p.classification, lang),
        bounds=bounds or "–",
        rows=rows,
        path=path,
    )
