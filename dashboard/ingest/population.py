"""Population totals per area put onto the 100 m grid, so the gap analysis can work from cells.

Many cities publish residents (often by age band) only per area, but walking
distances need to know where people live. ``spread_totals`` estimates that
from housing points (by dwellings) or, where an area has none, evenly over its
surface. Every area keeps its published totals exactly, so tables per area
still match the source; the returned sentence tells the reader it is an estimate.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from dashboard.model import grid, schema
from dashboard.model.areas import assign_points

BY_DWELLINGS = "nach Wohnungen verteilt"
EVEN = "gleichmäßig über die Fläche verteilt"
_CELL = grid.CELL_SIZE
#: Spreads the rounding extras of equal remainders over an area instead of its southern rows.
_GOLDEN = (np.sqrt(5) - 1) / 2


def spread_totals(
    areas: gpd.GeoDataFrame, totals: pd.DataFrame, housing: gpd.GeoDataFrame | None = None
) -> tuple[gpd.GeoDataFrame, str]:
    """A population layer (schema.POPULATION, EPSG:3035) from residents per area, and how it was made.

    ``totals`` has ``area_id``, ``residents`` and optionally the age bands of
    ``schema.AGE_BANDS``; a band missing for an area stays missing in its cells.
    Residents go to the cells of an area's housing points in proportion to
    their dwellings, else evenly to the cells whose centre lies in the area.
    Largest-remainder rounding keeps each area's residents and age bands exact;
    a cell shared by two areas holds the sum of both.
    """
    table = _checked_totals(totals)
    shapes = _shapes(areas, table["area_id"])
    housed = _housing_cells(shapes, table["area_id"], housing)
    by_dwellings = np.zeros(len(table), dtype=bool)
    by_dwellings[housed[:, 0]] = True
    rows, weight = _unique_cells(np.concatenate([housed, _even_cells(shapes, ~by_dwellings)]))
    group = rows[:, 0]
    tie = _tie_breaker(group)

    residents = _apportion(group, weight, table["residents"].to_numpy(np.int64), tie)
    capacity, bands = residents.copy(), {}
    for band in schema.AGE_BANDS:  # each band over what the earlier ones left: bands never exceed residents
        known = table[band].notna().to_numpy()
        counts = _apportion(group, capacity, table[band].fillna(0).to_numpy(np.int64), tie)
        capacity -= counts
        bands[band] = np.where(known[group], counts, np.nan)
    layer = _merged_layer(rows[:, 1], rows[:, 2], residents, bands)
    return layer, _method_text(table["area_id"], by_dwellings)


def _checked_totals(totals: pd.DataFrame) -> pd.DataFrame:
    """area_id as text, residents as int, bands as float (NaN = unknown); ValueError for what cannot be kept exact."""
    if len(totals) == 0:
        raise ValueError("Keine Einwohnerzahlen")
    ids = totals["area_id"].astype(str).str.strip().reset_index(drop=True)
    table = pd.DataFrame({"area_id": ids})
    for column in ("residents", *schema.AGE_BANDS):
        given = totals[column] if column in totals else pd.Series(np.nan, index=totals.index)
        values = pd.to_numeric(given, errors="coerce").astype(float).reset_index(drop=True)
        _require(values.isna() & given.notna().to_numpy(), ids, f"„{column}“ ist keine Zahl")
        _require((values < 0) | (values % 1 > 0), ids, f"„{column}“ ist keine ganze Zahl ≥ 0")
        table[column] = values
    _require(table["residents"].isna(), ids, "Einwohnerzahl fehlt")
    _require(ids.duplicated(), ids, "Gebiet mehrfach in den Einwohnerzahlen")
    too_old = table[list(schema.AGE_BANDS)].sum(axis=1) > table["residents"]
    _require(too_old, ids, "Altersgruppen zusammen mehr als Einwohner")
    table["residents"] = table["residents"].astype(np.int64)
    return table


def _require(bad: pd.Series, ids: pd.Series, message: str) -> None:
    if bad.any():
        raise ValueError(f"{message}: Gebiet {', '.join(ids[bad.to_numpy()].head(10))}")


def _shapes(areas: gpd.GeoDataFrame, ids: pd.Series) -> np.ndarray:
    """Geometries in EPSG:3035, one per row of the totals."""
    if areas.crs is None:
        raise ValueError("Gebiete ohne Koordinatensystem")
    area_ids = areas["area_id"].astype(str).str.strip().to_numpy()
    used = np.isin(area_ids, ids)
    wanted_ids = pd.Series(area_ids[used])
    _require(wanted_ids.duplicated(), wanted_ids, "Gebiet mehrfach in den Flächen")
    geometries = np.append(areas[used].to_crs(schema.ANALYSIS_CRS).geometry.to_numpy(), None)  # type: ignore[call-overload]  # numpy stubs: no None
    shapes = geometries[pd.Index(wanted_ids).get_indexer(ids)]  # -1 (no such area) picks the None
    no_shape = pd.Series(shapely.is_missing(shapes) | shapely.is_empty(shapes))
    _require(no_shape, ids, "Einwohnerzahlen für ein Gebiet ohne Fläche")
    shapely.prepare(shapes)
    return shapes


def _housing_cells(shapes: np.ndarray, ids: pd.Series, housing: gpd.GeoDataFrame | None) -> np.ndarray:
    """Rows (area, north, east, dwellings) for the cells of housing with dwellings, per area it lies in."""
    if housing is None or len(housing) == 0:
        return np.empty((0, 4), dtype=np.int64)
    if housing.crs is None:
        raise ValueError("Wohnungsbestand ohne Koordinatensystem")
    points = housing.geometry.to_crs(schema.ANALYSIS_CRS)
    areas = gpd.GeoDataFrame({"area_id": ids.to_numpy()}, geometry=shapes, crs=schema.ANALYSIS_CRS)
    group = pd.Index(ids).get_indexer(assign_points(points, areas).to_numpy())
    dwellings = np.rint(pd.to_numeric(housing["dwellings"], errors="coerce").fillna(0).clip(lower=0).to_numpy(float))
    points = points if (points.geom_type == "Point").all() else points.representative_point()
    keep = (group >= 0) & (dwellings > 0)
    north = np.floor(points.y.to_numpy()[keep] / _CELL) * _CELL
    east = np.floor(points.x.to_numpy()[keep] / _CELL) * _CELL
    return np.column_stack([group[keep], north, east, dwellings[keep]]).astype(np.int64)


def _even_cells(shapes: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Rows (area, north, east, 1) for every cell whose centre lies in a wanted area.

    An area too small to hold a cell centre gets the cell of its representative point.
    """
    bounds = shapely.bounds(shapes)
    west, south = (np.floor(bounds[:, :2] / _CELL) * _CELL).T
    columns = np.maximum(np.ceil((bounds[:, 2] - west) / _CELL), 1).astype(np.int64)
    lines = np.maximum(np.ceil((bounds[:, 3] - south) / _CELL), 1).astype(np.int64)
    counts = np.where(wanted, columns * lines, 0)
    group = np.repeat(np.arange(len(shapes)), counts)
    offset = np.arange(len(group)) - np.repeat(np.cumsum(counts) - counts, counts)
    line, column = np.divmod(offset, columns[group])
    north, east = south[group] + line * _CELL, west[group] + column * _CELL
    inside = shapely.intersects_xy(shapes[group], east + _CELL / 2, north + _CELL / 2)
    group, north, east = group[inside], north[inside], east[inside]

    empty = np.flatnonzero(wanted & (np.bincount(group, minlength=len(shapes)) == 0))
    anchor = shapely.get_coordinates(shapely.point_on_surface(shapes[empty]))
    group = np.concatenate([group, empty])
    north = np.concatenate([north, np.floor(anchor[:, 1] / _CELL) * _CELL])
    east = np.concatenate([east, np.floor(anchor[:, 0] / _CELL) * _CELL])
    return np.column_stack([group, north, east, np.ones_like(group)]).astype(np.int64)


def _unique_cells(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One row per (area, north, east), sorted so, with the weights summed."""
    cells, inverse = np.unique(rows[:, :3], axis=0, return_inverse=True)
    weight = np.zeros(len(cells), dtype=np.int64)
    np.add.at(weight, inverse.ravel(), rows[:, 3])
    return cells, weight


def _tie_breaker(group: np.ndarray) -> np.ndarray:
    """A well-spread order of the cells within each (sorted) group, to break equal remainders."""
    position = np.arange(len(group)) - np.searchsorted(group, group)
    return (position * _GOLDEN) % 1.0


def _apportion(group: np.ndarray, weight: np.ndarray, totals: np.ndarray, tie: np.ndarray) -> np.ndarray:
    """Integer shares of each group's total in proportion to the weights, summing to it exactly.

    Largest-remainder rounding in integer arithmetic: every share is the floor
    or ceiling of its exact value, so it never exceeds a weight that is a count.
    """
    weight_sum = np.zeros(len(totals), dtype=np.int64)
    np.add.at(weight_sum, group, weight)
    share, remainder = np.divmod(totals[group] * weight, np.maximum(weight_sum[group], 1))
    given = np.zeros(len(totals), dtype=np.int64)
    np.add.at(given, group, share)
    order = np.lexsort((tie, -remainder, group))
    ranked = group[order]
    rank = np.arange(len(order)) - np.searchsorted(ranked, ranked)
    extra = np.zeros(len(group), dtype=np.int64)
    extra[order] = rank < (totals - given)[ranked]
    return share + extra


def _merged_layer(
    north: np.ndarray, east: np.ndarray, residents: np.ndarray, bands: dict[str, np.ndarray]
) -> gpd.GeoDataFrame:
    """Cells summed over the areas they serve; NaN in a band stays missing (NaN + n = NaN)."""
    key = (north // _CELL) << 32 | (east // _CELL)
    keys, inverse = np.unique(key, return_inverse=True)
    summed = {
        name: np.bincount(inverse, weights=values, minlength=len(keys))
        for name, values in {"residents": residents, **bands}.items()
    }
    populated = summed["residents"] > 0
    north, east = (keys[populated] >> 32) * _CELL, (keys[populated] & 0xFFFFFFFF) * _CELL
    frame = pd.DataFrame({"cell_id": [grid.cell_id(n, e) for n, e in zip(north.tolist(), east.tolist(), strict=False)]})
    frame["residents"] = summed["residents"][populated].astype(np.int64)
    for band in schema.AGE_BANDS:
        frame[band] = pd.array(summed[band][populated], dtype="Int64")  # NaN → <NA>
    centres = gpd.points_from_xy(east + _CELL / 2, north + _CELL / 2)
    return gpd.GeoDataFrame(frame, geometry=centres, crs=schema.ANALYSIS_CRS)


def _method_text(ids: pd.Series, by_dwellings: np.ndarray) -> str:
    """German sentence naming the method used in each area, for display beside every result."""
    parts = [
        f"in {_areas_phrase(ids[mask])} {method}"
        for method, mask in ((BY_DWELLINGS, by_dwellings), (EVEN, ~by_dwellings))
        if mask.any()
    ]
    return (
        "Einwohner liegen nur als Summen je Gebiet vor und sind auf 100-m-Zellen geschätzt: " + ", ".join(parts) + "."
    )


def _areas_phrase(ids: pd.Series) -> str:
    noun = "Gebiet" if len(ids) == 1 else "Gebieten"
    return f"{len(ids)} {noun} ({', '.join(ids)})"
