"""Maps of the gap analysis: the distance grid, the gap index, need × gap, offers and the scenario.

Built from the same pieces as the Karte (``mapview``): one base map, one
GeoJson layer per kind of thing, points and scenario markers as feature groups
so that placing an offer does not reset the view.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from dashboard.analysis.bivariate import need_text
from dashboard.analysis.city import City
from dashboard.analysis.classify import NO_DATA_COLOUR
from dashboard.analysis.gaps import GapResult
from dashboard.i18n import fmt_int, fmt_num, fmt_share, t, tn
from dashboard.maps import bulk_data
from dashboard.maps.assets import localize
from dashboard.maps.karte import (
    AreaTips,
    MapData,
    area_layer,
    area_tips,
    base_map,
    bezirk_outlines,
    escaped_point_layer,
    escaped_rows,
    feature_group,
    offer_columns,
    offer_parts,
    offer_texts,
    selection_layer,
)
from dashboard.maps.print_map import LegendItem, Points, ViewMap, view_bounds
from dashboard.maps.raster import cells_image, pixels_of
from dashboard.model.projection import to_crs
from dashboard.model.scenario import SCENARIO_PREFIX
from dashboard.model.schema import WEB_CRS
from dashboard.store.settings import Settings

#: Distance classes as multiples of the threshold; ColorBrewer RdYlBu (colour-blind safe):
#: blue = covered, warm = beyond the threshold ("uncovered").
DISTANCE_STEPS = (0.5, 1.0, 1.5, 2.0)
DISTANCE_COLOURS = ("#4575b4", "#91bfdb", "#fee090", "#fc8d59", "#d73027")
CELL_ALPHA = 190  # of 255: the Quartiere and outlines show through the grid
GRID_OPACITY = 0.85  # of the grid picture on the map, on top of CELL_ALPHA
NEW_OFFER_COLOUR = "#00a651"
DISABLED_COLOUR = "#9e9e9e"
OFFER_COLOUR = "#1b4f72"


def distance_classes(distance: np.ndarray, threshold: float) -> np.ndarray:
    """Class 0–4 of each cell's distance relative to the threshold (4 = more than twice as far)."""
    return np.searchsorted(np.asarray(DISTANCE_STEPS) * threshold, distance, side="left")


def index_opacity(layers: frozenset[str]) -> float:
    """How opaque the gap-index fill is: fainter over the grid, so the grid shows through."""
    return (0.35 if "grid" in layers else 0.75) if "index" in layers else 0.0


def grid_labels(threshold: float, lang: str) -> list[str]:
    """The legend's text for each distance class."""
    steps = [int(s * threshold) for s in DISTANCE_STEPS]
    return [t("gap.legend.grid.up_to", lang, m=m) for m in steps] + [t("gap.legend.grid.beyond", lang, m=steps[-1])]


#: The distance grid as one picture: PNG data URL and [[south, west], [north, east]] (see ``cells_image``).
GridPicture = tuple[str, list[list[float]]]


def grid_picture(result: GapResult) -> GridPicture | None:
    """The distance grid of ``result`` as a picture (None without demand); the costliest part of the gap
    map, so the page keeps it per data version, parameters and scenario. Cells without demand stay clear
    but span the picture: every picture of a city then shares where its cells lie (``prepare_grid``)."""
    cells = result.cells
    demand = cells["demand"].to_numpy() > 0
    if not demand.any():
        return None
    classes = np.where(demand, distance_classes(cells["distance"].to_numpy(), result.params.threshold), -1)
    return cells_image(cells["x"].to_numpy(), cells["y"].to_numpy(), classes, list(DISTANCE_COLOURS), alpha=CELL_ALPHA)


def prepare_grid(city: City) -> None:
    """Work out where the city's cells lie in its grid pictures now (the server's start), not in the first
    Lückenanalyse a visitor opens); a city without residents yet has no grid to picture."""
    if len(city.cells):
        pixels_of(city.cells["x"].to_numpy(), city.cells["y"].to_numpy())


def _index_tips(data: MapData, result: GapResult, lang: str) -> AreaTips:
    min_residents = result.params.min_residents
    suppressed = [(t("fig.residents", lang), tn("fig.suppressed", min_residents, lang, min_residents=min_residents))]
    labels = [t(key, lang) for key in ("gap.col.target_residents", "gap.col.uncovered", "gap.col.uncovered_share")]
    index_label = t("gap.col.index", lang)  # the labels once, not per Quartier

    def rows(row: Mapping[str, Any]) -> list[tuple[str, str]]:
        if row["suppressed"]:
            return suppressed
        return [
            (labels[0], fmt_int(row["target_residents"], lang)),
            (labels[1], fmt_int(row["uncovered_residents"], lang)),
            (labels[2], fmt_share(row["uncovered_share"], lang)),
            (index_label, fmt_num(row["gap_index"], lang, 0)),
        ]

    columns = ["suppressed", "target_residents", "uncovered_residents", "uncovered_share", "gap_index"]
    return area_tips(data, result.units[columns], rows, lang)  # the rows' columns only: a row per Quartier as a dict


def offer_status(result: GapResult, offer_ids: Iterable[str]) -> list[str | None]:
    """How the gap map shows each of a city's offers: "on" (it counts), "off" (the scenario switches it off) or
    None (it does not count for this analysis). The scenario's planned offers (``planned``) are "new"."""
    disabled = set(result.scenario.disabled)
    used = {i for i in result.offers["offer_id"] if not i.startswith(SCENARIO_PREFIX)}
    return ["off" if i in disabled else "on" if i in used else None for i in offer_ids]


def planned(result: GapResult) -> pd.DataFrame:
    """The scenario's planned offers that count for ``result``."""
    return result.offers[result.offers["offer_id"].str.startswith(SCENARIO_PREFIX)]


def shown_offers(result: GapResult, offers: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The offers the gap map shows – those that count, those the scenario switches off, the planned
    ones – taken from ``offers`` (the city's or the map's), each with its status "on", "off" or "new"."""
    status = offer_status(result, offers["offer_id"])
    shown = offers[[s is not None for s in status]]
    new = planned(result)
    if len(new):
        shown = pd.concat([shown, new], ignore_index=True)
    return shown, [s for s in status if s is not None] + ["new"] * len(new)


def _offer_points(data: MapData, city: City, result: GapResult, lang: str) -> folium.GeoJson:
    """Offers that count (dark), switched-off offers (grey), planned offers of the scenario (green); the city's
    offers' texts as the page keeps them (``offer_texts``), only the planned ones' are written here."""
    labels, texts = offer_texts(data, lang)
    status = offer_status(result, data.offers["offer_id"])
    rows = [k for k, s in enumerate(status) if s is not None]
    new = city.planned_offers(result.scenario)
    new = new[new["offer_id"].isin(set(planned(result)["offer_id"]))] if len(new) else new  # those that count
    named = {s: html.escape(t(f"gap.offer.{s}", lang)) for s in _OFFER_STYLES}
    shown = [s for s in status if s is not None] + ["new"] * len(new)
    lon, lat = data.offers["lon"].to_numpy(), data.offers["lat"].to_numpy()
    points = [(float(lon[k]), float(lat[k])) for k in rows]
    rows_texts = [texts[k] for k in rows]
    if len(new):  # planned offers: their places and texts are the scenario's
        points += list(zip(new["lon"], new["lat"], strict=True))
        rows_texts += escaped_rows(offer_columns(new, lang))
    return escaped_point_layer(
        "offers",
        points,
        [*labels, t("fig.status", lang)],
        [(*row, named[s]) for row, s in zip(rows_texts, shown, strict=True)],
        [_OFFER_STYLES[s] for s in shown],
        radius=5,
        shared=offer_parts(data, lang),  # the city's offers' places and texts; the planned ones' are here
        shared_rows=[*rows, *[None] * len(new)],
    )


_OFFER_STYLES = {
    "on": {"fillColor": OFFER_COLOUR, "color": "#ffffff", "weight": 2, "radius": 5},
    "off": {"fillColor": DISABLED_COLOUR, "color": "#000000", "weight": 2, "radius": 5},
    "new": {"fillColor": NEW_OFFER_COLOUR, "color": "#000000", "weight": 2, "radius": 8},
}


ISOCHRONE_STYLE = {300: ("#08306b", 0.35), 500: ("#2171b5", 0.25), 1000: ("#6baed6", 0.15)}


def isochrone_layer(isochrones: gpd.GeoDataFrame, lang: str) -> folium.GeoJson:
    """Walking catchments as nested polygons, largest first so the smaller ones stay visible."""
    shapes = to_crs(isochrones.sort_values("distance", ascending=False), WEB_CRS)
    shapes["geometry"] = shapes.geometry.simplify(0.00005)
    shapes["tip"] = [html.escape(t("gap.isochrone.tip", lang, m=int(d))) for d in shapes["distance"]]
    style = {int(d): ISOCHRONE_STYLE.get(int(d), ("#2171b5", 0.2)) for d in shapes["distance"]}
    return folium.GeoJson(
        shapes.__geo_interface__,
        name="isochrones",
        style_function=lambda f: {
            "color": style[int(f["properties"]["distance"])][0],
            "fillColor": style[int(f["properties"]["distance"])][0],
            "fillOpacity": style[int(f["properties"]["distance"])][1],
            "weight": 1.5,
        },
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
    )


class GridOverlay(folium.raster_layers.ImageOverlay):
    """The grid picture as an image layer whose picture, a data URL, is bulk data (``bulk_data``); folium writes
    the URL as JSON, which is the URL itself between quotes when it holds only characters JSON leaves alone."""

    @property
    def url(self) -> str:
        return bulk_data.inline(self.picture) if PLAIN_URL.fullmatch(self.picture) else self.picture

    @url.setter
    def url(self, value: str) -> None:
        self.picture = value


#: A URL JSON writes as it is (no quote, backslash, control character, nor ``<``, ``>``, ``&``, ``'``).
PLAIN_URL = re.compile(r"[A-Za-z0-9+/=:;,.\-]*")


def build_gap_map(
    data: MapData,
    city: City,
    result: GapResult,
    layers: frozenset[str],
    settings: Settings,
    lang: str,
    selected: str | None = None,
    bezirk: str | None = None,
    isochrones: gpd.GeoDataFrame | None = None,
    grid: GridPicture | None = None,
) -> tuple[folium.Map, list[folium.FeatureGroup]]:
    """Distance grid and/or gap-index choropleth, with offers, scenario markers and walking
    catchments as feature groups; ``grid`` is ``grid_picture(result)`` if the caller kept it."""
    fmap = base_map(data, city, settings, bezirk, lang)
    fills = {
        area: result.classes.colour_of(int(i))
        for area, i in zip(result.units.index, result.classes.index, strict=False)
    }
    area_layer(data, fills, _index_tips(data, result, lang), "index", index_opacity(layers)).add_to(fmap)
    if "grid" in layers and (picture := grid or grid_picture(result)) is not None:
        url, bounds = picture
        GridOverlay(url, bounds=bounds, name="grid", opacity=GRID_OPACITY, interactive=False).add_to(fmap)
    bezirk_outlines(data).add_to(fmap)
    groups = [feature_group("offers", _offer_points(data, city, result, lang))] if "offers" in layers else []
    if isochrones is not None and len(isochrones):
        groups.insert(0, feature_group("isochrones", isochrone_layer(isochrones, lang)))
    if selected:
        groups.append(feature_group("selection", selection_layer(data, selected)))
    localize(fmap)
    return fmap, groups


def build_bivariate_map(
    data: MapData,
    city: City,
    crossed: pd.DataFrame,
    indicator: str,
    settings: Settings,
    lang: str,
    bezirk: str | None = None,
) -> folium.Map:
    """Need × gap in nine colours; Quartiere with double need for action outlined."""
    fmap = base_map(data, city, settings, bezirk, lang)
    fills = {area: colour for area, colour in crossed["colour"].items() if pd.notna(colour)}
    tips = area_tips(
        data,
        crossed,
        lambda row: [
            (t("gap.need", lang), need_text(row["need"], indicator, lang)),
            (t("gap.col.index", lang), fmt_num(row["gap_index"], lang, 0)),
            *([("", t("gap.double_need", lang))] if row["double_need"] else []),  # no empty row: a gap when stacked
        ],
        lang,
    )
    area_layer(data, fills, tips, "bivariate", 0.85).add_to(fmap)
    bezirk_outlines(data).add_to(fmap)
    localize(fmap)
    return fmap


def print_view(
    city: City, result: GapResult, layers: frozenset[str], lang: str, selected: str | None, bezirk: str | None
) -> ViewMap:
    """The gap map's view for print: the same grid, index classes, offers and extent as ``build_gap_map``."""
    p = result.params
    fills = {
        area: result.classes.colour_of(int(i)) for area, i in zip(result.units.index, result.classes.index, strict=True)
    }
    units = city.units.assign(fill=[fills.get(a, NO_DATA_COLOUR) for a in city.units["area_id"]])
    legend: list[LegendItem] = []
    cells = None
    if "grid" in layers:
        cells = result.cells[result.cells["demand"] > 0]
        cells = cells.assign(**{"class": distance_classes(cells["distance"].to_numpy(), p.threshold)})
        method = t(result.method.label_key, lang, detour=fmt_num(p.detour, lang, 2))
        legend += [
            t("gap.legend.grid", lang, method=method),
            *zip(DISTANCE_COLOURS, grid_labels(p.threshold, lang), strict=True),
        ]
    if "index" in layers:
        labels = result.classes.labels(lambda v: fmt_num(v, lang, 0))
        legend += [
            t("gap.legend.index", lang, method=t(f"classify.{p.classification}", lang)),
            *zip(result.classes.colours, labels, strict=True),
            (NO_DATA_COLOUR, t("map.legend.no_data", lang)),
        ]
    points: list[Points] = []
    if "offers" in layers:
        shown, status = shown_offers(result, city.offers)
        kinds = np.asarray(status)
        points = [
            Points.styled(shown[kinds == s], t(f"gap.offer.{s}", lang), _OFFER_STYLES[s], 5)
            for s in ("on", "off", "new")
            if (kinds == s).any()
        ]
        legend += points
    return ViewMap(
        bounds=view_bounds(city, bezirk),
        units=units,
        fill_alpha=index_opacity(layers),
        legend=tuple(legend),
        outlines=city.bezirke,
        selected=city.units[city.units["area_id"] == selected] if selected else None,
        cells=cells,
        cell_colours=DISTANCE_COLOURS,
        cell_alpha=CELL_ALPHA / 255 * GRID_OPACITY,
        points=tuple(points),
    )
