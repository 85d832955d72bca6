"""Participation gaps per Quartier as a CSV file for data teams, and a short German summary.

The file is meant to open correctly in German Excel by double-click: UTF-8
with BOM (else umlauts break), ``;`` as separator and a decimal comma. Text
cells that Excel would run as a formula (``=HYPERLINK(…)`` as a Quartier
name) get a leading apostrophe. The file is written to a temporary file first
and renamed, so a failed run never leaves half a table behind.
"""

from __future__ import annotations

import csv
import os
import tempfile
from pathlib import Path

import pandas as pd

from dashboard import i18n
from dashboard.gaps import GapResult

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


def number(value: object, decimals: int) -> str:
    """A number with a decimal comma and no thousands separator; missing → empty cell."""
    if value is None or pd.isna(value):
        return ""
    rounded = round(float(value), decimals) + 0.0  # + 0.0 turns -0.0 into 0.0
    return f"{rounded:.{decimals}f}".replace(".", ",")


def _text(value: object) -> str:
    return "" if value is None or pd.isna(value) else neutralise(str(value))


def table_rows(result: GapResult) -> list[list[str]]:
    """One row per analysed area (Quartier), in the order of the areas file; header first."""
    units = result.units.assign(
        sectors_missing=result.units["sectors_missing"].map(";".join),
        **{"class": [str(i + 1) if i >= 0 else "" for i in result.classes.index]},
        suppressed=result.units["suppressed"].map({True: "ja", False: "nein"}),
    ).reset_index()
    rows = [[name for name, _ in COLUMNS]]
    for record in units.to_dict("records"):
        rows.append([_text(record[c]) if decimals is None else number(record[c], decimals) for c, decimals in COLUMNS])
    return rows


def write_csv(result: GapResult, path: str | Path) -> int:
    """Write the table atomically (temp file + rename); returns the number of data rows."""
    path = Path(path)
    rows = table_rows(result)
    fd, tmp_name = tempfile.mkstemp(suffix=".csv", prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding=ENCODING, newline="") as handle:
            csv.writer(handle, delimiter=SEPARATOR).writerows(rows)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
    return len(rows) - 1


def summary(result: GapResult, path: str | Path, rows: int) -> str:
    """What was computed, by which method, and where the table went (German, a few lines)."""
    p, city, units = result.params, result.city, result.units
    suppressed = int(units["suppressed"].sum())
    bounds = " | ".join(f"bis {i18n.fmt_num(b, digits=1)}" for b in result.classes.bounds) or "–"
    method = i18n.t(result.method.label_key, detour=i18n.fmt_num(p.detour, digits=2))
    return "\n".join(
        (
            f"Lückenanalyse für Zielgruppe „{i18n.code_label(p.target_group)}“",
            f"Gebiete: {len(units)} (davon {suppressed} unter {p.min_residents} Einwohnern – nicht bewertet)",
            f"Einwohner: {i18n.fmt_int(city['residents'])}, davon Zielgruppe: {i18n.fmt_int(city['target_residents'])}",
            f"Versorgt stadtweit: {i18n.fmt_share(city['covered_share'])} "
            f"({i18n.fmt_int(city['covered_residents'])} Personen höchstens {p.threshold} m entfernt)",
            f"Methode: {method}; Schwelle {p.threshold} m; Angebote ab Stufe „{i18n.code_label(p.min_level)}“",
            f"Klassen ({i18n.t('classify.' + p.classification)}): {bounds}",
            f"{rows} Datenzeilen geschrieben: {path}",
        )
    )
