"""The cell image puts each 100 m cell where it belongs and stays small."""

import base64
import io

import numpy as np
from PIL import Image
from pyproj import Transformer

from dashboard.maps import raster
from dashboard.maps.raster import PIXEL_M, cells_image, pixel_centres

X0, Y0 = 4_300_050.0, 2_800_050.0  # a cell centre in EPSG:3035


def _decode(data_url: str) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(data_url.split(",", 1)[1]))).convert("RGBA"))


def test_cells_land_at_their_place_in_web_mercator():
    x = np.array([X0, X0 + 1000, X0 + 500])
    y = np.array([Y0, Y0 + 1000, Y0 + 2000])
    url, ((south, west), (north, east)) = cells_image(x, y, np.array([0, 1, -1]), ["#ff0000", "#0000ff"])
    image = _decode(url)
    to_merc = Transformer.from_crs(4326, 3857, always_xy=True)
    (mw, me), (ms, mn) = to_merc.transform([west, east], [south, north])
    assert image.shape[1] == round((me - mw) / PIXEL_M) and image.shape[0] == round((mn - ms) / PIXEL_M)
    cell_to_merc = Transformer.from_crs(3035, 3857, always_xy=True)
    for cx, cy, rgba in [(X0, Y0, (255, 0, 0)), (X0 + 1000, Y0 + 1000, (0, 0, 255))]:
        px, py = cell_to_merc.transform(cx, cy)
        pixel = image[int((mn - py) / PIXEL_M), int((px - mw) / PIXEL_M)]
        assert tuple(pixel[:3]) == rgba and pixel[3] > 0
    px, py = cell_to_merc.transform(X0 + 500, Y0 + 2000)  # class -1: transparent
    assert image[int((mn - py) / PIXEL_M), int((px - mw) / PIXEL_M)][3] == 0


def test_a_city_of_cells_is_a_small_image():
    rng = np.random.default_rng(0)
    cols, rows = rng.integers(0, 200, 20_000), rng.integers(0, 200, 20_000)
    url, _ = cells_image(
        X0 + cols * 100, Y0 + rows * 100, rng.integers(0, 4, 20_000), ["#111111", "#222222", "#333333", "#444444"]
    )
    assert len(url) < 400_000


def test_no_cells_no_image():
    assert cells_image(np.array([]), np.array([]), np.array([]), ["#000000"])[0] == ""


def test_pixel_centres_match_projecting_every_pixel():
    """The lattice-and-interpolate shortcut against the exact projection, over a city of 30 × 25 km."""
    to_merc = Transformer.from_crs(3035, 3857, always_xy=True)
    west, north = to_merc.transform(X0, Y0 + 25_000)
    width, height = 613, 517  # not multiples of the lattice step
    gx, gy = pixel_centres(west, north, width, height)
    px, py = np.meshgrid(west + (np.arange(width) + 0.5) * PIXEL_M, north - (np.arange(height) + 0.5) * PIXEL_M)
    ex, ey = Transformer.from_crs(3857, 3035, always_xy=True).transform(px.ravel(), py.ravel())
    assert np.abs(gx - ex).max() < 0.01 and np.abs(gy - ey).max() < 0.01  # metres


def test_pictures_of_one_grid_share_where_its_cells_lie_and_stay_as_drawn_alone():
    """A new view colours the same cells anew: only the colours are worked out again, the picture is the same."""
    rng = np.random.default_rng(7)
    x = X0 + 100.0 * rng.integers(0, 40, 300)
    y = Y0 + 100.0 * rng.integers(0, 30, 300)
    colours = ["#ff0000", "#00ff00", "#0000ff"]
    first, second = rng.integers(-1, 3, 300), rng.integers(-1, 3, 300)
    raster._pixel_cells.cache_clear()
    cells_image(x, y, first, colours)
    shared = cells_image(x, y, second, colours)
    assert raster._pixel_cells.cache_info().hits == 1
    raster._pixel_cells.cache_clear()
    assert cells_image(x, y, second, colours) == shared
