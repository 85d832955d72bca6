"""The Lückenanalyse of one view as files: the ranked Quartiere, the 100 m cells and the scenario.

The Quartier table has the page's columns and figures (``gap_figures.ranking_values``): as XLSX
with numbers as numbers and a sheet naming settings, data Stand and method, and as CSV for German
Excel (``gap_export.csv_bytes``). The cells go to a GeoPackage in the store's and the grid's CRS,
EPSG:3035, where they are exact 100 m squares, with the map's distance classes as QGIS style
(``gis_export``); the scenario to GeoJSON (RFC 7946, EPSG:4326).
Text that a spreadsheet would run as a formula is neutralised in both tables. Only the fields
named here are written, so no contact field can reach a file.
"""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from openpyxl import Workbook
from openpyxl.styles import Font

from dashboard.analysis.city import City
from dashboard.analysis.gaps import GapResult
from dashboard.i18n import fmt_date, t
from dashboard.model import grid, schema
from dashboard.model.projection import to_crs
from dashboard.reports import gap_export, gis_export
from dashboard.reports.gap_figures import RANKING_COLUMNS, method_text, ranking_values, settings_text
from dashboard.store import gpkgfile

#: Per kind of figure (see ``RANKING_COLUMNS``): decimals in the CSV (None: text) and the XLSX number format.
KINDS: dict[str, tuple[int | None, str | None]] = {
    "order": (0, "0"),
    "count": (0, "#,##0"),
    "index": (0, "0"),
    "share": (4, "0%"),
    "rate": (1, "#,##0.0"),
    "text": (None, None),
}
CELL_LAYER = "zellen"
PLANNED, SWITCHED_OFF = "geplant", "abgeschaltet"
MIME = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".csv": "text/csv",
    ".gpkg": "application/geopackage+sqlite3",
    ".geojson": "application/geo+json",
}
_ASCII = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def file_name(city: str, group: str, day: date, suffix: str) -> str:
    """``luecken-kleinstadt-senioren-2026-12-03.xlsx``: a file says which city, group and day it holds."""
    return f"luecken-{slug(f'{city}-{group}')}-{day.isoformat()}{suffix}"


def slug(text: str) -> str:
    """``text`` for a file name: lower case ASCII letters and digits joined by dashes."""
    return re.sub(r"[^0-9a-z]+", "-", text.lower().translate(_ASCII)).strip("-")


def quartier_csv(result: GapResult, lang: str, area_ids=None) -> bytes:
    """The ranked Quartiere as the page lists them, for German Excel (BOM, ``;``, decimal comma, CRLF)."""
    values = ranking_values(result, lang, area_ids)
    header = [t(key, lang) for _, key, _ in RANKING_COLUMNS]
    layout = tuple((field, KINDS[kind][0]) for field, _, kind in RANKING_COLUMNS)
    return gap_export.csv_bytes([header, *gap_export.cell_rows(values, layout)])


def _xlsx_value(value: Any, kind: str) -> object:
    if kind == "text":
        return gap_export.neutralise(str(value)) if isinstance(value, str) else value
    return None if pd.isna(value) else float(value)


def about_lines(result: GapResult, city: City, lang: str, today: date) -> list[str]:
    """What the figures are: city, day, data Stand, settings and the method, one paragraph a line."""
    stand = fmt_date(city.data_date, lang) if city.data_date else "–"
    method = method_text(result, city.data_date, lang).replace("**", "")
    return [
        t("gap.heading", lang, city=city.name),
        t("rep.created", lang, date=fmt_date(today.isoformat(), lang)),
        t("rep.data_date", lang, date=stand),
        t("rep.settings", lang, settings=settings_text(result, lang)),
        *method.split("\n\n"),
    ]


def quartier_xlsx(result: GapResult, city: City, lang: str, today: date, area_ids=None) -> bytes:
    """The ranked Quartiere as an Excel workbook: bold frozen header, numbers as numbers, a sheet about them."""
    book = Workbook()
    table = book.active
    assert table is not None  # a new workbook has one sheet
    table.title = t("gap.export.sheet.table", lang)
    table.append([t(key, lang) for _, key, _ in RANKING_COLUMNS])
    for cell in table[1]:
        cell.font = Font(bold=True)
        table.column_dimensions[cell.column_letter].width = min(12 + len(str(cell.value)) // 2, 40)
    table.freeze_panes = "A2"
    values = ranking_values(result, lang, area_ids)
    for record in values.to_dict("records"):
        table.append([_xlsx_value(record[field], kind) for field, _, kind in RANKING_COLUMNS])
    for column, (_, _, kind) in zip(table.iter_cols(min_row=2), RANKING_COLUMNS, strict=False):
        for cell in column:
            cell.number_format = KINDS[kind][1] or "@"
    about = book.create_sheet(t("gap.export.sheet.about", lang))
    for line in about_lines(result, city, lang, today):
        about.append([gap_export.neutralise(line)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def cell_ids(xy: np.ndarray) -> list[str]:
    """The 100 m grid cell of each point (x, y in EPSG:3035)."""
    corner = np.floor(xy / grid.CELL_SIZE) * grid.CELL_SIZE
    return [grid.cell_id(north, east) for east, north in corner]


def cell_frame(result: GapResult, area_ids=None) -> gpd.GeoDataFrame:
    """Each inhabited 100 m cell as a square: its Quartier, residents, target group, distance to the nearest
    qualifying offer (empty where none is reachable) and whether that is within the threshold."""
    cells = result.cells if area_ids is None else result.cells[result.cells["area_id"].isin(area_ids)]
    xy = cells[["x", "y"]].to_numpy(dtype=float)
    half = grid.CELL_SIZE / 2
    distance = cells["distance"].to_numpy(dtype=float)
    frame = pd.DataFrame(
        {
            "cell_id": cell_ids(xy),
            "area_id": cells["area_id"].to_numpy(dtype=object),
            "area_name": cells["area_id"].map(result.units["name"]).to_numpy(dtype=object),
            "residents": cells["residents"].to_numpy(dtype=float),
            "target_residents": cells["demand"].to_numpy(dtype=float),
            "distance_m": np.where(np.isfinite(distance), distance.round(1), np.nan),
            "covered": cells["covered"].to_numpy(dtype=bool),
        }
    )
    squares = shapely.box(xy[:, 0] - half, xy[:, 1] - half, xy[:, 0] + half, xy[:, 1] + half)
    return gpd.GeoDataFrame(frame, geometry=squares, crs=schema.ANALYSIS_CRS)


def _cell_styles(result: GapResult, lang: str):
    """Gives a new cells file the distance classes of the map as QGIS's default style."""
    return lambda path: gis_export.add_styles(
        path, {CELL_LAYER: gis_export.cell_style(result.params.threshold, lang)}, lang
    )


def cells_gpkg(result: GapResult, lang: str, area_ids=None) -> bytes:
    """``cell_frame`` as a GeoPackage with one layer ``zellen``, styled for QGIS like the map's grid."""
    return gap_export.gpkg_bytes({CELL_LAYER: cell_frame(result, area_ids)}, _cell_styles(result, lang))


def scenario_frame(result: GapResult, city: City) -> gpd.GeoDataFrame:
    """Planned offers with their properties, then switched-off offers with id and name, in EPSG:4326."""
    scenario = result.scenario
    parts = []
    if scenario.added:
        planned = city.planned_offers(scenario)
        fields = ["offer_id", "name", "category", "target_groups", "level", "capacity", "area_id"]
        parts.append(
            gpd.GeoDataFrame(
                planned[fields].assign(change=PLANNED),
                geometry=gpd.points_from_xy(planned["lon"], planned["lat"]),
                crs=schema.WEB_CRS,
            )
        )
    if scenario.disabled:
        offers = city.offers.set_index("offer_id").reindex(list(scenario.disabled))
        known = offers["x"].notna().to_numpy()  # an id the data no longer has keeps its place in the list, unlocated
        points = gpd.points_from_xy(offers["x"], offers["y"])
        off = gpd.GeoDataFrame(
            {"offer_id": offers.index.to_numpy(dtype=object), "name": offers["name"].to_numpy(dtype=object)},
            geometry=[point if ok else None for point, ok in zip(points, known, strict=True)],
            crs=schema.ANALYSIS_CRS,
        )
        parts.append(to_crs(off.assign(change=SWITCHED_OFF), schema.WEB_CRS))
    columns = ["change", "offer_id", "name", "category", "target_groups", "level", "capacity", "area_id"]
    if not parts:
        return gpd.GeoDataFrame(columns=[*columns, "geometry"], geometry="geometry", crs=schema.WEB_CRS)
    combined = pd.concat(parts, ignore_index=True)
    return gpd.GeoDataFrame(combined.reindex(columns=[*columns, "geometry"]), crs=schema.WEB_CRS)


def scenario_geojson(result: GapResult, city: City) -> bytes:
    """The scenario as GeoJSON (RFC 7946: EPSG:4326, longitude first)."""
    return scenario_frame(result, city).to_json(drop_id=True, ensure_ascii=False, na="null").encode("utf-8")


def write(result: GapResult, city: City, path: str | Path, lang: str, today: date, area_ids=None) -> int:
    """The command line's ``--out``: ``.xlsx`` the ranked Quartiere, ``.gpkg`` the cells, else the data
    team's CSV (``gap_export.write_csv``), atomically; ``area_ids`` as a view of one Stadtbezirk limits them.
    Returns the number of rows written."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        gap_export.write_atomic(path, quartier_xlsx(result, city, lang, today, area_ids))
        return len(ranking_values(result, lang, area_ids))
    if suffix == ".gpkg":
        cells = cell_frame(result, area_ids)
        gpkgfile.write_layers(path, {CELL_LAYER: cells}, finish=_cell_styles(result, lang))
        return len(cells)
    return gap_export.write_csv(result, path, area_ids)
