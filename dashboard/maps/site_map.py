"""The answer of the site planning on a map: numbered sites, their catchments, the cells they newly reach.

Few objects: the sites are at most a few dozen numbered markers; catchments and newly reached cells
travel as one GeoJSON layer each, however many cells there are.
"""

from __future__ import annotations

import html

import folium
import geopandas as gpd
import numpy as np
import shapely
from branca.element import Figure

from dashboard.analysis.city import City
from dashboard.analysis.distance import StraightLine
from dashboard.analysis.gaps import GapResult
from dashboard.analysis.siting import SitingResult
from dashboard.i18n import fmt_int, t
from dashboard.maps.assets import localize
from dashboard.maps.karte import MapData, base_map, bezirk_outlines
from dashboard.model import grid, schema
from dashboard.model.projection import to_crs
from dashboard.store.settings import Settings

SITE_COLOUR = "#6a1b9a"
CELL_COLOUR = "#f57c00"


def _shapes(geometry: np.ndarray, tips: list[str], name: str, style: dict) -> folium.GeoJson:
    frame = to_crs(gpd.GeoDataFrame({"tip": tips}, geometry=geometry, crs=schema.ANALYSIS_CRS), schema.WEB_CRS)
    return folium.GeoJson(
        frame.__geo_interface__,
        name=name,
        style_function=lambda f: style,
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False) if len(frame) else None,
    )


def reached_cells(result: GapResult, found: SitingResult, lang: str) -> folium.GeoJson:
    """The 100 m cells the new sites newly reach, as squares with their residents of the target group."""
    served = found.served[found.served > 0]
    xy = result.cells[["x", "y"]].to_numpy(dtype=float)[served.index.to_numpy(dtype=int)]
    half = grid.CELL_SIZE / 2
    squares = shapely.box(xy[:, 0] - half, xy[:, 1] - half, xy[:, 0] + half, xy[:, 1] + half)
    tips = [html.escape(t("sites.map.cell_tip", lang, residents=fmt_int(v, lang))) for v in served]
    style = {"color": CELL_COLOUR, "fillColor": CELL_COLOUR, "fillOpacity": 0.55, "weight": 0}
    return _shapes(squares, tips, "reached_cells", style)


def catchments(result: GapResult, found: SitingResult, lang: str) -> folium.GeoJson | None:
    """Straight-line catchments (threshold ÷ detour around each site); walking ones show as their cells."""
    if not isinstance(result.method, StraightLine):
        return None
    radius = result.params.threshold / result.params.detour
    sites = found.sites
    circles = shapely.buffer(shapely.points(sites["x"].to_numpy(float), sites["y"].to_numpy(float)), radius)
    tips = [html.escape(t("sites.map.catchment_tip", lang, rank=r, m=round(radius))) for r in sites["rank"]]
    style = {"color": SITE_COLOUR, "fill": False, "weight": 2, "dashArray": "6 4"}
    return _shapes(circles, tips, "catchments", style)


def site_markers(found: SitingResult, lang: str) -> list[folium.Marker]:
    """One numbered marker per site; the number is also its accessible name and tooltip."""
    points = to_crs(
        gpd.GeoSeries(gpd.points_from_xy(found.sites["x"], found.sites["y"]), crs=schema.ANALYSIS_CRS), schema.WEB_CRS
    )
    markers = []
    for rank, gain, point in zip(found.sites["rank"], found.sites["gain"], points, strict=False):
        label = html.escape(t("sites.map.site_tip", lang, rank=int(rank), residents=fmt_int(gain, lang)))
        icon = folium.DivIcon(
            html=f'<div class="qa-site" role="img" aria-label="{label}">{int(rank)}</div>',
            icon_size=(26, 26),
            icon_anchor=(13, 13),
        )
        markers.append(folium.Marker([point.y, point.x], icon=icon, tooltip=label))
    return markers


SITE_CSS = (
    "<style>.qa-site{width:26px;height:26px;border-radius:50%;background:" + SITE_COLOUR + ";color:#fff;"
    "font:bold 14px/26px sans-serif;text-align:center;border:2px solid #fff;box-shadow:0 0 3px #000}</style>"
)


def build_site_map(
    data: MapData,
    city: City,
    result: GapResult,
    found: SitingResult,
    settings: Settings,
    lang: str,
    bezirk: str | None = None,
) -> folium.Map:
    """Bezirk outlines, newly reached cells, catchments and numbered sites over the configured background."""
    fmap = base_map(data, city, settings, bezirk, lang)
    if isinstance(root := fmap.get_root(), Figure):
        root.header.add_child(folium.Element(SITE_CSS))
    bezirk_outlines(data).add_to(fmap)
    reached_cells(result, found, lang).add_to(fmap)
    if (circles := catchments(result, found, lang)) is not None:
        circles.add_to(fmap)
    for marker in site_markers(found, lang):
        marker.add_to(fmap)
    localize(fmap)
    return fmap
