"""Printed maps: the map furniture every static map shares, and a page's view drawn on A4 or A3 landscape.

Drawn with matplotlib in the metric analysis CRS (so the scale bar is true),
with the classes and colours of the interactive map (``karte``, ``gap_map``).
No basemap tiles are fetched – printing makes no request to anyone; the
caller names a configured basemap in the attribution instead.
"""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from dashboard.analysis.city import City
from dashboard.i18n import t
from dashboard.maps.raster import class_grid
from dashboard.model.grid import CELL_SIZE

#: Scale-bar lengths to choose from (metres): the one nearest a quarter of the map width.
SCALE_STEPS = (50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000)
#: Paper sizes offered, landscape, in millimetres.
PAGES_MM = {"a4": (297.0, 210.0), "a3": (420.0, 297.0)}
PAGE_DPI = 150
MM_PER_INCH = 25.4
LEGEND_CHARS = 36  # a legend line's length: the legend takes the right quarter of an A4 sheet


def scale_length(width_m: float) -> int:
    """A round scale-bar length near a quarter of the map width."""
    return min(SCALE_STEPS, key=lambda step: abs(step - width_m / 4))


def scale_bar(ax, xmin: float, ymin: float, width: float, height: float, lang: str) -> None:
    """Two-segment black/white bar in the lower left, labelled in metres."""
    length = scale_length(width)
    x, y, bar = xmin + width * 0.04, ymin + height * 0.05, height * 0.015
    for i, colour in enumerate(("black", "white")):
        ax.add_patch(
            Rectangle(
                (x + i * length / 2, y), length / 2, bar, facecolor=colour, edgecolor="black", linewidth=0.8, zorder=6
            )
        )
    ax.text(x, y + bar * 1.8, "0", fontsize=6.5, ha="center", zorder=6)
    ax.text(x + length, y + bar * 1.8, t("rep.scale", lang, m=length), fontsize=6.5, ha="center", zorder=6)


def north_arrow(ax, lang: str) -> None:
    ax.annotate(
        t("rep.north", lang),
        xy=(0.95, 0.95),
        xytext=(0.95, 0.81),
        xycoords="axes fraction",
        ha="center",
        va="center",
        fontsize=10,
        fontweight="bold",
        arrowprops={"facecolor": "black", "edgecolor": "black", "width": 3, "headwidth": 9, "headlength": 8},
        zorder=7,
    )


def symbol(marker: str, face: str, edge: str, size: float, label: str) -> Line2D:
    """A legend entry for a point symbol."""
    return Line2D(
        [], [], marker=marker, linestyle="", markerfacecolor=face, markeredgecolor=edge, markersize=size, label=label
    )


def fit_extent(
    bounds: tuple[float, float, float, float], aspect: float, pad_share: float = 0.05
) -> tuple[float, float, float, float]:
    """``bounds`` padded and widened to the ``aspect`` (width / height) of the map frame, centred, not stretched."""
    xmin, ymin, xmax, ymax = bounds
    pad = max(xmax - xmin, ymax - ymin, 200.0) * pad_share
    xmin, ymin, xmax, ymax = xmin - pad, ymin - pad, xmax + pad, ymax + pad
    width, height = xmax - xmin, ymax - ymin
    if width / height < aspect:
        xmin, xmax = xmin - (height * aspect - width) / 2, xmax + (height * aspect - width) / 2
    else:
        ymin, ymax = ymin - (width / aspect - height) / 2, ymax + (width / aspect - height) / 2
    return xmin, ymin, xmax, ymax


def png_bytes(fig: Figure, dpi: int) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


# --- a page's view ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Points:
    """Points of one kind (x, y in the analysis CRS) drawn with one symbol and one legend entry."""

    frame: pd.DataFrame
    label: str
    face: str
    edge: str
    size: float = 5.0  # marker diameter in points
    marker: str = "o"
    sizes: np.ndarray | None = None  # per point, e.g. housing circles by dwellings

    @classmethod
    def styled(cls, frame: pd.DataFrame, label: str, style: dict, radius: float) -> Points:
        """Points in a marker style of the interactive map (``fillColor``, ``color``, ``radius`` in pixels)."""
        return cls(frame, label, style["fillColor"], style["color"], 1.2 * style.get("radius", radius))


#: One line of a legend, in order: a section title, a swatch (colour, label), or a kind of points.
LegendItem = str | tuple[str, str] | Points


@dataclass(frozen=True)
class ViewMap:
    """What a page's map shows, ready to draw: filled Quartiere, grid cells, outlines, points, legend."""

    bounds: tuple[float, float, float, float]  # what must be seen: the Stadtbezirk or the city
    units: gpd.GeoDataFrame  # the Quartiere, with a ``fill`` colour each
    fill_alpha: float
    legend: tuple[LegendItem, ...]
    outlines: gpd.GeoDataFrame | None = None  # Stadtbezirke
    selected: gpd.GeoDataFrame | None = None
    cells: pd.DataFrame | None = None  # x, y, class (index into ``cell_colours``)
    cell_colours: tuple[str, ...] = ()
    cell_alpha: float = 0.75
    points: tuple[Points, ...] = field(default_factory=tuple)


def view_bounds(city: City, bezirk: str | None) -> tuple[float, float, float, float]:
    """The extent the interactive map is fitted to: the Stadtbezirk's Quartiere, else the whole city."""
    shape = city.units
    if bezirk:
        members = city.units[city.units["parent_id"] == bezirk]
        shape = members if len(members) else city.bezirke[city.bezirke["area_id"] == bezirk]
    xmin, ymin, xmax, ymax = shape.total_bounds
    return float(xmin), float(ymin), float(xmax), float(ymax)


def _draw_cells(ax, view: ViewMap) -> None:
    cells = view.cells
    if cells is None or len(cells) == 0:
        return
    lookup, col0, row0 = class_grid(cells["x"].to_numpy(), cells["y"].to_numpy(), cells["class"].to_numpy())
    palette = np.array([to_rgba(c, view.cell_alpha) for c in view.cell_colours] + [(0.0, 0.0, 0.0, 0.0)])
    rgba = palette[np.where(lookup >= 0, lookup, len(view.cell_colours))]
    rows, cols = lookup.shape
    extent = (col0 * CELL_SIZE, (col0 + cols) * CELL_SIZE, row0 * CELL_SIZE, (row0 + rows) * CELL_SIZE)
    ax.imshow(rgba, extent=extent, origin="lower", interpolation="nearest", zorder=3)


def _legend(view: ViewMap) -> list:
    """Legend entries; a section title is an entry without symbol, set in bold."""
    handles: list = []
    for item in view.legend:
        if isinstance(item, str):
            handles.append(Patch(visible=False, label=textwrap.fill(item, LEGEND_CHARS)))
        elif isinstance(item, Points):
            label = textwrap.fill(item.label, LEGEND_CHARS)
            handles.append(symbol(item.marker, item.face, item.edge, item.size, label))
        else:
            handles.append(Patch(facecolor=item[0], edgecolor="#555555", label=textwrap.fill(item[1], LEGEND_CHARS)))
    return handles


def _draw(fig: Figure, view: ViewMap, frame: tuple[float, float, float, float], lang: str) -> None:
    """The map in ``frame`` (figure fractions: left, bottom, width, height) and its legend to the right."""
    map_frame = (frame[0], frame[1], frame[2] * 0.76, frame[3])
    width_in, height_in = fig.get_size_inches()
    aspect = (map_frame[2] * width_in) / (map_frame[3] * height_in)
    xmin, ymin, xmax, ymax = fit_extent(view.bounds, aspect)
    ax = fig.add_axes(map_frame)
    view.units.plot(ax=ax, facecolor="white", edgecolor="none", zorder=1)
    fills = [to_rgba(c, view.fill_alpha) for c in view.units["fill"]]
    view.units.plot(ax=ax, facecolor=fills, edgecolor="#333333", linewidth=0.5, zorder=2)
    _draw_cells(ax, view)  # over the Quartiere, as on the page's map
    if view.outlines is not None:
        view.outlines.plot(ax=ax, facecolor="none", edgecolor="#333333", linewidth=1.6, zorder=4)
    if view.selected is not None:
        view.selected.plot(ax=ax, facecolor="none", edgecolor="black", linewidth=2.5, zorder=4)
    for points in view.points:
        sizes = points.sizes if points.sizes is not None else points.size**2
        ax.scatter(
            points.frame["x"],
            points.frame["y"],
            s=sizes,
            marker=points.marker,
            facecolor=points.face,
            edgecolor=points.edge,
            linewidth=0.7,
            zorder=5,
        )
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(ymin, ymax)
    ax.set_aspect("equal")
    ax.set(xticks=[], yticks=[], xlabel="", ylabel="")
    north_arrow(ax, lang)
    scale_bar(ax, xmin, ymin, xmax - xmin, ymax - ymin, lang)
    legend = fig.legend(
        handles=_legend(view),
        loc="upper left",
        bbox_to_anchor=(frame[0] + frame[2] * 0.775, frame[1] + frame[3]),
        fontsize=7,
        frameon=False,
        handlelength=1.4,
        alignment="left",
    )
    for text, handle in zip(legend.get_texts(), legend.legend_handles, strict=False):
        if handle is not None and not handle.get_visible():
            text.set_fontweight("bold")


def map_png(view: ViewMap, size_mm: tuple[float, float], lang: str, dpi: int = PAGE_DPI) -> bytes:
    """The map with its legend, scale bar and north arrow only – for a page whose texts are set around it."""
    fig = Figure(figsize=(size_mm[0] / MM_PER_INCH, size_mm[1] / MM_PER_INCH), dpi=dpi)
    FigureCanvasAgg(fig)
    _draw(fig, view, (0.0, 0.0, 1.0, 1.0), lang)
    return png_bytes(fig, dpi)


def page_png(
    view: ViewMap, title: str, lines: list[str], attribution: str, page: str, lang: str, dpi: int = PAGE_DPI
) -> bytes:
    """The whole sheet as one picture: title, ``lines`` (settings, data date …), the map and the attribution."""
    width_mm, height_mm = PAGES_MM[page]
    fig = Figure(figsize=(width_mm / MM_PER_INCH, height_mm / MM_PER_INCH), dpi=dpi)
    FigureCanvasAgg(fig)
    margin = 10 / width_mm
    top = 1 - 10 / height_mm
    fig.text(margin, top, title, fontsize=16, fontweight="bold", va="top")
    for i, line in enumerate(lines):
        fig.text(margin, top - (9 + 5 * i) / height_mm, line, fontsize=8.5, va="top")
    header = (14 + 5 * len(lines)) / height_mm
    bottom = 12 / height_mm
    _draw(fig, view, (margin, bottom, 1 - 2 * margin, top - header - bottom), lang)
    fig.text(margin, 6 / height_mm, attribution, fontsize=7, va="bottom", color="#333333")
    return png_bytes(fig, dpi)
