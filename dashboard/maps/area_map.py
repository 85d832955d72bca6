"""Maps of one area: a small interactive map for the profile page and a printable image for the report.

The interactive map is built from the Karte's building blocks (``mapview``),
so it loads nothing from third-party hosts. The report image is drawn on the
server with matplotlib in the metric analysis CRS (so the scale bar is true):
black, white and greys with hatching, readable when printed in greyscale,
with legend, north arrow, scale bar and attribution.
"""

from __future__ import annotations

import folium
import geopandas as gpd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from dashboard.analysis.city import City
from dashboard.analysis.classify import NO_DATA_COLOUR
from dashboard.analysis.profile import Area
from dashboard.i18n import t
from dashboard.maps.assets import localize
from dashboard.maps.karte import (
    OUTLINE,
    PARTICIPATION_COLOUR,
    AreaTips,
    MapData,
    area_layer,
    base_map,
    data_credits,
    offer_columns,
    point_layer,
)
from dashboard.maps.print_map import fit_extent, north_arrow, png_bytes, scale_bar, symbol
from dashboard.model import schema
from dashboard.model.scenario import Scenario
from dashboard.store.settings import Settings

AREA_FILL = "#1f5f7a"
MAP_SIZE_IN = (6.7, 4.4)
MAP_DPI = 150


def area_shape(city: City, area: Area) -> gpd.GeoDataFrame:
    """The area's polygon(s) in the analysis CRS: the Stadtbezirk itself, else its Quartiere."""
    bezirk = city.bezirke[city.bezirke["area_id"] == area.area_id]
    if len(bezirk):
        return bezirk
    return city.units[city.units["area_id"].isin(area.members)]


def interactive_map(data: MapData, city: City, area: Area, settings: Settings, lang: str) -> folium.Map:
    """The area highlighted among its neighbours, with its offers; fitted to the area."""
    fmap = base_map(data, city, settings, area.parent_id, lang)
    members = set(area.members)
    fills = {a: AREA_FILL for a in members}
    area_layer(data, fills, AreaTips(), "quartiere", 0.35).add_to(fmap)  # each Quartier's name alone
    outline = [f for f in (*data.units["features"], *data.bezirke["features"]) if f["id"] == area.area_id]
    folium.GeoJson(
        {"type": "FeatureCollection", "features": outline},
        name="selection",
        style_function=lambda f: {"fill": False, "color": OUTLINE, "weight": 4},
        interactive=False,
    ).add_to(fmap)
    offers = data.offers[data.offers["area_id"].isin(members)]
    min_rank = schema.level_rank(schema.DEFAULT_PARTICIPATION_LEVEL)
    styles = [
        {"fillColor": PARTICIPATION_COLOUR if rank >= min_rank else "#ffffff", "color": "#333333", "weight": 1.5}
        for rank in offers["level_rank"]
    ]
    point_layer("offers", offers, offer_columns(offers, lang), styles, radius=5).add_to(fmap)
    fmap.fit_bounds(data.area_bounds[area.area_id], padding=(12, 12))
    localize(fmap)
    return fmap


def report_map_png(city: City, area: Area, attribution: str, lang: str, scenario: Scenario = Scenario()) -> bytes:
    """The report's map image (PNG): the hatched area, neighbours, offers and actors, with map furniture –
    and the scenario: planned offers as numbered stars (the numbers of the report's table), offers it
    switches off crossed out."""
    shape = area_shape(city, area)
    xmin, ymin, xmax, ymax = fit_extent(tuple(shape.total_bounds), MAP_SIZE_IN[0] / (MAP_SIZE_IN[1] - 0.3), 0.12)
    width, height = xmax - xmin, ymax - ymin

    fig = Figure(figsize=MAP_SIZE_IN, dpi=MAP_DPI)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0.07, 1, 0.93))
    neighbours = city.units.cx[xmin:xmax, ymin:ymax]
    neighbours.plot(ax=ax, facecolor="white", edgecolor="#8c8c8c", linewidth=0.6)
    shape.plot(ax=ax, facecolor=NO_DATA_COLOUR, edgecolor="black", linewidth=1.8, hatch="///")
    members = set(area.members)
    offers = city.offers[city.offers["area_id"].isin(members)]
    participation = offers["level_rank"].to_numpy() >= schema.level_rank(schema.DEFAULT_PARTICIPATION_LEVEL)
    actors = city.actors[city.actors["area_id"].isin(members)]
    ax.scatter(
        actors["x"], actors["y"], marker="^", s=22, facecolor="#737373", edgecolor="black", linewidth=0.5, zorder=4
    )
    ax.scatter(
        offers["x"][~participation],
        offers["y"][~participation],
        s=16,
        facecolor="white",
        edgecolor="black",
        linewidth=0.8,
        zorder=5,
    )
    ax.scatter(
        offers["x"][participation],
        offers["y"][participation],
        s=30,
        facecolor="black",
        edgecolor="white",
        linewidth=0.6,
        zorder=5,
    )
    planned = city.planned_offers(scenario).assign(number=range(1, len(scenario.added) + 1))
    off = city.offers[city.offers["offer_id"].isin(scenario.disabled)]
    planned, off = (
        points[points["x"].between(xmin, xmax) & points["y"].between(ymin, ymax)] for points in (planned, off)
    )
    ax.scatter(planned["x"], planned["y"], marker="*", s=120, facecolor="white", edgecolor="black", zorder=6)
    for number, x, y in zip(planned["number"], planned["x"], planned["y"], strict=False):
        ax.annotate(str(number), (x, y), xytext=(5, 4), textcoords="offset points", fontsize=7, weight="bold")
    ax.scatter(off["x"], off["y"], marker="x", s=60, color="black", linewidth=1.4, zorder=7)
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(ymin, ymax)
    ax.set_aspect("equal")
    ax.set_axis_off()
    north_arrow(ax, lang)
    scale_bar(ax, xmin, ymin, width, height, lang)
    handles = [
        Patch(facecolor=NO_DATA_COLOUR, edgecolor="black", hatch="///", label=t("rep.legend.area", lang)),
        Patch(facecolor="white", edgecolor="#8c8c8c", label=t("rep.legend.others", lang)),
        symbol("o", "black", "white", 6, t("rep.legend.participation", lang)),
        symbol("o", "white", "black", 5, t("rep.legend.offer", lang)),
        symbol("^", "#737373", "black", 5, t("rep.legend.actor", lang)),
    ]
    if len(planned):
        handles.append(symbol("*", "white", "black", 9, t("rep.legend.planned", lang)))
    if len(off):
        handles.append(symbol("x", "black", "black", 6, t("rep.legend.disabled", lang)))
    ax.legend(handles=handles, loc="upper left", fontsize=6.5, framealpha=0.95, edgecolor="black", fancybox=False)
    fig.text(0.99, 0.02, attribution, fontsize=6, ha="right", va="bottom", color="#333333")
    fig.add_artist(Rectangle((0, 0), 1, 1, transform=fig.transFigure, fill=False, edgecolor="black", linewidth=1))
    return png_bytes(fig, MAP_DPI)


def report_attribution(city: City, lang: str) -> str:
    """The credit line under the report map: the map's maker, and the data sources as on the interactive map."""
    return " ".join(part for part in (t("rep.attribution", lang), data_credits(city, lang)) if part)
