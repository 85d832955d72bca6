"""Grid cells as one picture: 100 m cells drawn as a PNG image overlay.

Tens of thousands of cells as vector squares would be megabytes of GeoJSON;
one image of the classified grid costs tens of kilobytes. The image is built
in Web Mercator, the projection Leaflet stretches overlays in, by looking up
for each pixel the EPSG:3035 grid cell under its centre, so cells land where
they belong. It is embedded as a data URL: no server involved.
"""

from __future__ import annotations

import base64
import functools
import io
import threading
from dataclasses import dataclass

import numpy as np
from PIL import Image

from dashboard.model import schema
from dashboard.model.grid import CELL_SIZE
from dashboard.model.projection import MERCATOR, transform

PIXEL_M = 50.0  # Web Mercator metres per pixel (~33 m on the ground in Germany): each cell ≥ 3×3 px
#: zlib level of the picture: 1 compresses a city's grid in 40 % of the time of Pillow's default 6, 23 % larger
#: (a Lückenanalyse view nobody had opened waited for it; the picture is tens of kilobytes either way)
PNG_LEVEL = 1


def _hex_to_rgba(colour: str, alpha: int) -> tuple[int, int, int, int]:
    colour = colour.lstrip("#")
    return int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16), alpha


def class_grid(x: np.ndarray, y: np.ndarray, classes: np.ndarray) -> tuple[np.ndarray, float, float]:
    """The cells' classes as a 2-D array (row 0 = southmost, -1 = no cell) and the column and row of its
    south-west cell in the grid of ``CELL_SIZE``; ``x``, ``y`` are cell centres in the analysis CRS."""
    half = CELL_SIZE / 2
    col0, row0 = np.floor((x.min() - half) / CELL_SIZE), np.floor((y.min() - half) / CELL_SIZE)
    cols = np.floor((x - half) / CELL_SIZE - col0).astype(int)
    rows = np.floor((y - half) / CELL_SIZE - row0).astype(int)
    lookup = np.full((rows.max() + 1, cols.max() + 1), -1, dtype=int)
    lookup[rows, cols] = classes
    return lookup, float(col0), float(row0)


#: Pixels between the points the projection is computed for in ``pixel_centres``.
LATTICE_STEP = 8


def _linear_weights(at: np.ndarray, nodes: np.ndarray) -> np.ndarray:
    """(len(nodes), len(at)) weights that interpolate values at ``nodes`` linearly to ``at``."""
    return np.array([np.interp(at, nodes, unit) for unit in np.eye(len(nodes))])


def pixel_centres(west: float, north: float, width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
    """Analysis-CRS coordinates of the centres of a Web Mercator image's pixels, row by row.

    Projecting every pixel was most of the time of a new gap map. Over 8 pixels (400 m) both
    projections are so close to linear that computing them on a lattice and interpolating between
    is off by millimetres, against 100 m cells.
    """
    cols, rows = np.arange(width) + 0.5, np.arange(height) + 0.5
    node_cols = np.unique(np.r_[cols[::LATTICE_STEP], cols[-1]])
    node_rows = np.unique(np.r_[rows[::LATTICE_STEP], rows[-1]])
    mx, my = np.meshgrid(west + node_cols * PIXEL_M, north - node_rows * PIXEL_M)
    nx, ny = transform(MERCATOR, schema.ANALYSIS_CRS, mx, my)
    along_rows, along_cols = _linear_weights(rows, node_rows).T, _linear_weights(cols, node_cols)
    return (along_rows @ np.asarray(nx) @ along_cols).ravel(), (along_rows @ np.asarray(ny) @ along_cols).ravel()


def cells_image(
    x: np.ndarray, y: np.ndarray, classes: np.ndarray, colours: list[str], alpha: int = 190
) -> tuple[str, list[list[float]]]:
    """PNG data URL and [[south, west], [north, east]] of cells coloured by class (-1 = not drawn).

    ``x``, ``y`` are cell centres in ``schema.ANALYSIS_CRS``.
    """
    x, y, classes = np.asarray(x, float), np.asarray(y, float), np.asarray(classes, int)
    if len(x) == 0:
        return "", [[0.0, 0.0], [0.0, 0.0]]
    pixels = pixels_of(x, y)
    # a palette image (one byte per pixel, the last entry transparent): a quarter of the RGBA data to compress.
    # Each cell's palette entry, then one lookup per pixel – a pixel outside the cells (-1) takes the last, clear
    # one: no temporary the size of the picture but the picture itself.
    lookup = class_grid(x, y, classes)[0].ravel()
    entry = np.append(np.where(lookup >= 0, lookup, len(colours)), len(colours)).astype(np.uint8)
    index = entry[pixels.cell].reshape(pixels.shape)
    image = Image.fromarray(index, "P")
    image.putpalette([value for c in colours for value in _hex_to_rgba(c, alpha)[:3]] + [0, 0, 0])
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", transparency=bytes([alpha] * len(colours) + [0]), compress_level=PNG_LEVEL)
    data_url = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
    return data_url, [list(corner) for corner in pixels.bounds]


@dataclass(frozen=True)
class _Pixels:
    shape: tuple[int, int]  # the picture's rows and columns
    cell: np.ndarray  # per pixel, row by row: its cell's place in ``class_grid``'s array (flat), -1 = none
    bounds: list[list[float]]  # [[south, west], [north, east]] of the picture


_PIXELS_MADE = threading.Lock()


def pixels_of(x: np.ndarray, y: np.ndarray) -> _Pixels:
    """Which cell lies under each pixel of the picture of the cells centred at ``x``, ``y``: kept per extent, so
    every picture of a city's grid shares it, and the server can work it out at its start (a page that asks
    meanwhile waits for it rather than working it out twice)."""
    with _PIXELS_MADE:
        return _pixel_cells(float(np.min(x)), float(np.max(x)), float(np.min(y)), float(np.max(y)))


@functools.lru_cache(maxsize=4)
def _pixel_cells(x_min: float, x_max: float, y_min: float, y_max: float) -> _Pixels:
    """Which cell lies under each pixel of the picture of cells spanning these centres: the same for every
    picture of a city's grid, so it is worked out once (half the time of a picture)."""
    half = CELL_SIZE / 2
    corners_x, corners_y = transform(
        schema.ANALYSIS_CRS,
        MERCATOR,
        np.array([x_min - half, x_max + half, x_min - half, x_max + half]),
        np.array([y_min - half, y_min - half, y_max + half, y_max + half]),
    )
    west, east, south, north = min(corners_x), max(corners_x), min(corners_y), max(corners_y)
    width, height = int(np.ceil((east - west) / PIXEL_M)), int(np.ceil((north - south) / PIXEL_M))
    gx, gy = pixel_centres(west, north, width, height)

    extent, col0, row0 = class_grid(np.array([x_min, x_max]), np.array([y_min, y_max]), np.zeros(2, int))
    pc = np.floor(np.asarray(gx) / CELL_SIZE - col0).astype(int)
    pr = np.floor(np.asarray(gy) / CELL_SIZE - row0).astype(int)
    inside = (pc >= 0) & (pr >= 0) & (pc < extent.shape[1]) & (pr < extent.shape[0])
    cell = np.where(inside, pr * extent.shape[1] + pc, -1)
    cell.flags.writeable = False  # shared by every picture of the grid
    # the image spans whole pixels: its true east and south edges
    (lon_w, lon_e), (lat_s, lat_n) = transform(
        MERCATOR, schema.WEB_CRS, [west, west + width * PIXEL_M], [north - height * PIXEL_M, north]
    )
    return _Pixels((height, width), cell, [[float(lat_s), float(lon_w)], [float(lat_n), float(lon_e)]])
