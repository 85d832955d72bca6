"""Coordinate transformations, done on one thread of their own.

A pyproj ``Transformer`` keeps its PROJ object per thread and makes it anew in every new thread; that
costs 0.04–0.15 s per pair of reference systems, as PROJ looks the operation up in its database. Streamlit
runs each script run in a new thread, so every run that projected a point paid it again: a third of the
server's time for a Lückenanalyse view opened for the first time (its planned offer, the 100 m grid
picture). Here each transformation is made once per process, on the one thread that does all projecting,
and the web server has the app's own ones made at its start (``prepare``), not in a councillor's first open.
"""

from __future__ import annotations

import functools
import itertools
import os
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import ArrayLike
from pyproj import Transformer

from dashboard.model import schema

#: Web Mercator, the grid of the web map's tiles (the 100 m grid picture is drawn in it).
MERCATOR = "EPSG:3857"
#: The reference systems the app itself moves between: the data's, the analysis's, the map's.
APP_CRS = (schema.WEB_CRS, schema.ANALYSIS_CRS, MERCATOR)

Geo = TypeVar("Geo", gpd.GeoSeries, gpd.GeoDataFrame)

_THREAD: ThreadPoolExecutor


def _start() -> None:
    """A new projection thread: at import, and in a forked child (``report --all`` forks workers), which
    inherits the executor but not its thread and would wait for it for ever."""
    global _THREAD
    _THREAD = ThreadPoolExecutor(max_workers=1, thread_name_prefix="projection")


_start()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_start)


def transform(source: str, target: str, x: ArrayLike, y: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """``x``, ``y`` (easting/longitude first) from ``source`` to ``target``, as arrays of their shape."""
    return _THREAD.submit(_project, source, target, x, y).result()


def to_crs(shapes: Geo, target: str) -> Geo:
    """``shapes.to_crs(target)``, with the transformation made once: geopandas makes it anew on every call."""
    if shapes.crs is None:
        raise ValueError("Cannot transform naive geometries. Please set a crs on the object first.")
    source: str = shapes.crs.to_string()

    def move(xyz: np.ndarray) -> np.ndarray:
        x, y = transform(source, target, xyz[:, 0], xyz[:, 1])
        return np.column_stack([x, y, xyz[:, 2:]])  # heights are kept, as geopandas keeps them

    moved = gpd.GeoSeries(
        shapely.transform(np.asarray(shapes.geometry.array), move, include_z=None),
        index=shapes.index,
        crs=target,
    )
    if isinstance(shapes, gpd.GeoSeries):
        return moved.rename(shapes.name)
    out = shapes.copy()
    out[shapes.geometry.name] = moved
    return out


def prepare() -> Future:
    """Make the transformations between the app's reference systems now, on the projection thread (0.5 s
    altogether), and return at once: callers queue behind them instead of paying for them in a page run."""
    return _THREAD.submit(lambda: [_transformer(s, t) for s, t in itertools.permutations(APP_CRS, 2)])


@functools.cache
def _transformer(source: str, target: str) -> Transformer:
    """Made, and used, on the projection thread only."""
    return Transformer.from_crs(source, target, always_xy=True)


def _project(source: str, target: str, x: ArrayLike, y: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    nx, ny = _transformer(source, target).transform(x, y)
    return np.asarray(nx), np.asarray(ny)
