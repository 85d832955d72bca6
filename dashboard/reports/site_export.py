"""Chosen sites and closable offers as a file for a GIS or a spreadsheet: one row each, in EPSG:4326.

A planner hands the answer of "where should the next offers go?" to colleagues who work in QGIS or
Excel, so the file says per row which site, where (longitude/latitude and the 100 m grid cell), in
which Quartier, and how many residents of the target group it newly reaches – or, for an offer that
could close, how many it leaves uncovered and how many only it reaches today.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from dashboard.analysis.city import City
from dashboard.analysis.siting import ClosureResult, SitingResult
from dashboard.model import schema
from dashboard.model.projection import to_crs
from dashboard.reports.analysis_export import cell_ids
from dashboard.reports.gap_export import cell_rows, csv_bytes, write_atomic
from dashboard.store import gpkgfile

NEW_SITE, CLOSURE = "new_site", "closure"
#: Columns of the file with the decimals of their numbers (None: text).
COLUMNS: tuple[tuple[str, int | None], ...] = (
    ("kind", None),
    ("rank", 0),
    ("site_id", None),
    ("name", None),
    ("reason", None),
    ("lon", 6),
    ("lat", 6),
    ("cell_id", None),
    ("area_id", None),
    ("area_name", None),
    ("residents_new", 0),
    ("residents_cumulative", 0),
    ("residents_alone", 0),
)
#: GeoPackage layers, one per kind of row.
LAYERS = {NEW_SITE: "new_sites", CLOSURE: "closures"}


def _rows(kind: str, table: pd.DataFrame, city: City, change: str, alone: pd.Series | None) -> gpd.GeoDataFrame:
    points = gpd.GeoSeries(gpd.points_from_xy(table["x"], table["y"]), crs=schema.ANALYSIS_CRS)
    lonlat = to_crs(points, schema.WEB_CRS)
    names = city.units.set_index("area_id")["name"]
    frame = pd.DataFrame(
        {
            "kind": kind,
            "rank": table["rank"].to_numpy(),
            "site_id": table["site_id"].to_numpy(dtype=object),
            "name": table["name"].to_numpy(dtype=object),
            "reason": table["reason"].to_numpy(dtype=object),
            "lon": lonlat.x.to_numpy(),
            "lat": lonlat.y.to_numpy(),
            "cell_id": cell_ids(table[["x", "y"]].to_numpy(dtype=float)),
            "area_id": table["area_id"].to_numpy(dtype=object),
            "area_name": table["area_id"].map(names).to_numpy(dtype=object),
            "residents_new": table[change].to_numpy(dtype=float),
            "residents_cumulative": table["cumulative"].to_numpy(dtype=float),
            "residents_alone": alone.to_numpy(dtype=float) if alone is not None else np.nan,
        }
    )
    return gpd.GeoDataFrame(frame, geometry=lonlat.to_numpy(), crs="EPSG:4326")


def site_rows(result: SitingResult, city: City, closures: ClosureResult | None = None) -> gpd.GeoDataFrame:
    """The chosen sites in rank order, then (with ``closures``) the offers that could close at least loss."""
    parts = [_rows(NEW_SITE, result.sites, city, "gain", None)]
    if closures is not None:
        parts.append(_rows(CLOSURE, closures.offers, city, "lost", closures.offers["alone"]))
    return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs="EPSG:4326")


def write(rows: gpd.GeoDataFrame, path: str | Path) -> None:
    """``.csv`` (German Excel: UTF-8 with BOM, ``;``) or ``.gpkg`` (one layer per kind), atomically."""
    path = Path(path)
    if path.suffix.lower() == ".csv":
        header = [name for name, _ in COLUMNS]
        write_atomic(path, csv_bytes([header, *cell_rows(pd.DataFrame(rows.drop(columns="geometry")), COLUMNS)]))
        return
    parts = {layer: rows[rows["kind"] == kind].drop(columns="kind") for kind, layer in LAYERS.items()}
    gpkgfile.write_layers(
        path, {layer: part for layer, part in parts.items() if len(part) or layer == LAYERS[NEW_SITE]}
    )
