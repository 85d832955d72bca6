"""Areas at two levels: which point lies in which Quartier, and Bezirke built from Quartiere.

Many cities publish one file of Stadtteile that names each Stadtteil's
Stadtbezirk in a column (Stuttgart: STADTBEZIRKNR); ``two_levels`` turns such
a file into the two levels of the data model.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from dashboard.model import schema
from dashboard.model.projection import transform


def assign_points(points: gpd.GeoSeries, areas: gpd.GeoDataFrame) -> pd.Series:
    """Id of the area each point lies in (None outside all areas), index as ``points``.

    Polygons are reduced to a point inside them first, so buildings given as
    footprints are counted once. A point on a shared border goes to one area.
    """
    if len(points) == 0 or len(areas) == 0:
        return pd.Series([None] * len(points), index=points.index, dtype=object)
    geoms = points.to_crs(areas.crs) if points.crs != areas.crs else points
    if not (geoms.geom_type == "Point").all():
        geoms = geoms.representative_point()
    return pd.Series(areas_under(geoms.to_numpy(), areas), index=points.index, dtype=object)


def areas_under(points: np.ndarray, areas: gpd.GeoDataFrame) -> np.ndarray:
    """``assign_points`` for shapely points already in the areas' reference system, as an array: it touches no
    reference system, which pyproj looks up anew in every thread (each of Streamlit's script runs is a new one;
    a GeoSeries made there cost about 2 ms)."""
    ids = np.full(len(points), None, dtype=object)
    if len(points) == 0 or len(areas) == 0:
        return ids
    point_idx, area_idx = areas.sindex.query(points, predicate="intersects")
    order = np.lexsort((area_idx, point_idx))  # per point, the first area in the layer's order
    point_idx, area_idx = point_idx[order], area_idx[order]
    first = np.unique(point_idx, return_index=True)[1]
    ids[point_idx[first]] = areas["area_id"].to_numpy(dtype=object)[area_idx[first]]
    return ids


def two_levels(
    flat: gpd.GeoDataFrame,
    *,
    quartier_id: str,
    quartier_name: str,
    bezirk_id: str,
    bezirk_name: str,
) -> gpd.GeoDataFrame:
    """Areas layer with Quartiere from ``flat`` and Stadtbezirke dissolved from them.

    Ids are kept as text so that leading zeros ("02") survive.
    """
    quartiere = gpd.GeoDataFrame(
        {
            "area_id": flat[quartier_id].astype(str).to_numpy(),
            "name": flat[quartier_name].astype(str).to_numpy(),
            "level": "quartier",
            "parent_id": flat[bezirk_id].astype(str).to_numpy(),
        },
        geometry=flat.geometry.to_numpy(),
        crs=flat.crs,
    )
    bezirke = (
        gpd.GeoDataFrame(
            {"area_id": flat[bezirk_id].astype(str).to_numpy(), "name": flat[bezirk_name].astype(str).to_numpy()},
            geometry=flat.geometry.to_numpy(),
            crs=flat.crs,
        )
        .dissolve(by="area_id", aggfunc="first", as_index=False)
        .assign(level="stadtbezirk", parent_id=None)
    )
    columns = [*schema.AREAS.field_names, "geometry"]
    return gpd.GeoDataFrame(pd.concat([bezirke[columns], quartiere[columns]], ignore_index=True), crs=flat.crs)


def area_at(areas: gpd.GeoDataFrame, lon: float, lat: float) -> str | None:
    """Id of the area under a clicked point given in lon/lat (None outside all areas); ``areas`` in the analysis
    reference system, as a City holds them."""
    x, y = transform(schema.WEB_CRS, schema.ANALYSIS_CRS, [lon], [lat])
    return areas_under(shapely.points(x, y), areas)[0]
