"""Ids and centres of the 100 m INSPIRE grid that Zensus 2022 publishes its counts on.

A cell id names the cell's south-west corner in EPSG:3035 metres, e.g.
``CRS3035RES100mN2691700E4341100``; the centre lies 50 m north and east of it.
Readers of Zensus files and the demo city build and parse ids only here, so
every module agrees on the format.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np

#: Edge length of a grid cell in metres.
CELL_SIZE = 100
_PREFIX = "CRS3035RES100m"
_ID = re.compile(r"^CRS3035RES100mN(\d+)E(\d+)$")


def cell_id(north: float, east: float) -> str:
    """The id of the cell whose south-west corner is at (east, north) in EPSG:3035."""
    return f"{_PREFIX}N{_corner(north)}E{_corner(east)}"


def parse_cell_id(cell_id: str) -> tuple[int, int]:
    """(north, east) of a cell's south-west corner; ValueError for anything but a 100 m cell id."""
    match = _ID.match(cell_id) if isinstance(cell_id, str) else None
    if match is None:
        raise ValueError(f"not a 100 m grid cell id: {cell_id!r}")
    north, east = int(match.group(1)), int(match.group(2))
    if north % CELL_SIZE or east % CELL_SIZE:
        raise ValueError(f"corner of {cell_id!r} is not on the 100 m grid")
    return north, east


def cell_centres(cell_ids: Iterable[str]) -> np.ndarray:
    """Cell centres as an (n, 2) array of x (east), y (north) in EPSG:3035."""
    corners = [parse_cell_id(value) for value in cell_ids]
    if not corners:
        return np.empty((0, 2))
    north_east = np.asarray(corners, dtype=float)
    return north_east[:, ::-1] + CELL_SIZE / 2


def _corner(value: float) -> int:
    """A corner coordinate as int; it must be a non-negative multiple of the cell size."""
    corner = int(value)
    if corner != value or corner < 0 or corner % CELL_SIZE:
        raise ValueError(f"{value!r} is not a corner of the 100 m grid")
    return corner
