"""One layer of a city as GeoJSON or CSV, for other tools and for the records.

GeoJSON in EPSG:4326 (RFC 7946), CSV the way German Excel opens it (see
``gapexport.csv_bytes``: UTF-8 with BOM, ``;``, formulas neutralised) with
points as ``lon``/``lat`` columns and other shapes as WKT, both in EPSG:4326.
What is exported is what the caller passes: a viewer's workspace has no
contact fields, so neither has its export.
"""

from __future__ import annotations

import pandas as pd

from dashboard.model import schema
from dashboard.model.projection import to_crs
from dashboard.reports.gap_export import cell_rows, csv_bytes

FORMATS = ("geojson", "csv")


def _schema_columns(frame: pd.DataFrame, layer: str) -> list[str]:
    return [name for name in schema.LAYERS[layer].field_names if name in frame.columns]


def layer_geojson(frame: pd.DataFrame, layer: str) -> bytes:
    columns = _schema_columns(frame, layer)
    if not schema.LAYERS[layer].geometry_types:
        raise ValueError(f"{layer} has no geometry; export it as CSV")
    web = to_crs(frame[[*columns, "geometry"]], schema.WEB_CRS)
    return web.to_json(drop_id=True, ensure_ascii=False, na="null").encode("utf-8")


def layer_csv(frame: pd.DataFrame, layer: str) -> bytes:
    columns = _schema_columns(frame, layer)
    table = pd.DataFrame(frame[columns]).copy()
    layout: list[tuple[str, int | None]] = [(name, None) for name in columns]
    if schema.LAYERS[layer].geometry_types and len(frame):
        web = to_crs(frame.geometry, schema.WEB_CRS)
        if (web.geom_type == "Point").all():
            table["lon"], table["lat"] = web.x.to_numpy(), web.y.to_numpy()
            layout += [("lon", 6), ("lat", 6)]
        else:
            table["wkt"] = web.to_wkt(rounding_precision=6).to_numpy()
            layout.append(("wkt", None))
    for name in columns:  # whole numbers stay whole ("12", not "12.0"); yes/no as the importer reads it back
        if pd.api.types.is_float_dtype(table[name]) and table[name].dropna().mod(1).eq(0).all():
            table[name] = table[name].astype("Int64")
        elif schema.LAYERS[layer].field(name).kind == "bool":
            table[name] = table[name].map(lambda v: None if pd.isna(v) else ("ja" if v else "nein"))
    return csv_bytes([[name for name, _ in layout], *cell_rows(table, tuple(layout))])


def layer_bytes(frame: pd.DataFrame, layer: str, fmt: str) -> bytes:
    """``frame`` (a stored layer) as a file of format ``fmt`` (geojson or csv)."""
    return layer_geojson(frame, layer) if fmt == "geojson" else layer_csv(frame, layer)
