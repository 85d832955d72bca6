"""Areas side by side and every Quartier with every figure, as a table and as files.

The figures are the profile's (``profile.values``), so the comparison, the
profile and the report never disagree. Downloads: CSV for Excel (the
gap export's writer: UTF-8 with BOM, ``;``, decimal comma, formula cells
neutralised) with the labels a person reads, and GeoPackage / GeoJSON
(EPSG:4326) for GIS with stable field names and shares as 0–1.
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import pandas as pd

from dashboard.analysis.city import City
from dashboard.analysis.gaps import GapResult
from dashboard.analysis.profile import Figure, figures, group_counts, resolve, values
from dashboard.i18n import code_label, t
from dashboard.maps.area_map import area_shape
from dashboard.model import schema
from dashboard.model.projection import to_crs
from dashboard.reports import gap_export

#: Decimals of each kind of figure in the table and the CSV (shares in per cent).
DECIMALS = {"int": 0, "share": 1, "num": 1, "index": 0, "text": None}
GPKG_LAYER = "vergleich"


def area_values(city: City, result: GapResult, counts: pd.DataFrame, area_ids: Sequence[str]) -> pd.DataFrame:
    """Every figure of the given Quartiere or Stadtbezirke (index area_id, in the given order)."""
    groups = {area_id: resolve(city, area_id).members for area_id in area_ids}
    return values(group_counts(counts, groups, city), result.params.min_residents)


def all_quartiere(city: City, result: GapResult, counts: pd.DataFrame) -> pd.DataFrame:
    """Every figure of every Quartier (index area_id)."""
    return values(counts, result.params.min_residents)


def _identity(table: pd.DataFrame, city: City) -> pd.DataFrame:
    """Id, name, level and Stadtbezirk id of each row of ``table``."""
    areas = [resolve(city, area_id) for area_id in table.index]
    return pd.DataFrame(
        {
            "area_id": [a.area_id for a in areas],
            "name": [a.name for a in areas],
            "level": [a.level for a in areas],
            "parent_id": [a.parent_id for a in areas],
            "parent_name": [a.parent_name for a in areas],
        },
        index=table.index,
    )


def _readable(table: pd.DataFrame, figure: Figure, lang: str) -> pd.Series:
    """One figure as a table column: shares in per cent, missing sectors as labels."""
    column = table[figure.column]
    if figure.kind == "text":
        return column.map(lambda codes: ", ".join(code_label(c, lang) for c in codes))
    numbers = (column.astype(float) * (100 if figure.kind == "share" else 1)).round(DECIMALS[figure.kind])
    return numbers.astype("Int64") if DECIMALS[figure.kind] == 0 else numbers


def _header(figure: Figure, lang: str) -> str:
    return t("cmp.share_unit", lang, label=figure.label(lang)) if figure.kind == "share" else figure.label(lang)


def indicator_table(table: pd.DataFrame, city: City, lang: str) -> pd.DataFrame:
    """The rows of ``table`` with every figure as a number column (sortable), labelled for people."""
    ids = _identity(table, city)
    frame = pd.DataFrame(
        {
            t("cmp.col.id", lang): ids["area_id"],
            t("pf.col.name", lang): ids["name"],
            t("cmp.col.level", lang): ids["level"].map(lambda c: code_label(c, lang)),
            t("cmp.col.parent", lang): ids["parent_name"].fillna(""),
        }
    )
    for figure in figures(city):
        frame[_header(figure, lang)] = _readable(table, figure, lang)
    return frame.reset_index(drop=True)


def csv_export(table: pd.DataFrame, city: City, lang: str) -> bytes:
    """The indicator table as CSV for German Excel (BOM, ``;``, decimal comma, no formulas)."""
    readable = indicator_table(table, city, lang)
    kinds = [None] * 4 + [DECIMALS[f.kind] for f in figures(city)]
    columns = tuple(zip(readable.columns, kinds, strict=False))
    header = [gap_export.neutralise(c) for c in readable.columns]
    return gap_export.csv_bytes([header, *gap_export.cell_rows(readable, columns)])


def geo_frame(table: pd.DataFrame, city: City) -> gpd.GeoDataFrame:
    """Geometry and every figure with its stable field name (shares 0–1), in the analysis CRS."""
    ids = _identity(table, city).drop(columns="parent_name")
    data = table[[f.column for f in figures(city)]].copy()
    data["sectors_missing"] = data["sectors_missing"].map(schema.LIST_SEP.join)
    data["suppressed"] = table["suppressed"].astype(bool)
    shapes = [area_shape(city, resolve(city, area_id)).geometry.union_all() for area_id in table.index]
    return gpd.GeoDataFrame(
        pd.concat([ids, data], axis=1).reset_index(drop=True), geometry=shapes, crs=schema.ANALYSIS_CRS
    )


def gpkg_export(table: pd.DataFrame, city: City) -> bytes:
    """The areas with their figures as a GeoPackage (one layer ``vergleich``)."""
    return gap_export.gpkg_bytes({GPKG_LAYER: geo_frame(table, city)})


def geojson_export(table: pd.DataFrame, city: City) -> bytes:
    """The areas with their figures as GeoJSON in EPSG:4326 (what web maps and RFC 7946 expect)."""
    return to_crs(geo_frame(table, city), schema.WEB_CRS).to_json(drop_id=True, ensure_ascii=False).encode("utf-8")
