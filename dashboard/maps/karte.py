"""The Karte: a folium map built from prepared data, small enough for any browser.

Geometry is simplified and reprojected once per data version (``MapData``);
each rerun only styles it. Every layer is ONE GeoJson object, never thousands
of folium markers; housing is aggregated per Quartier. Every text that comes
from data is HTML-escaped here, because folium's tooltips insert it as HTML.
The base map (areas and choropleth) is separate from the point layers so that
toggling points does not reset the map view (streamlit-folium's dynamic
feature groups).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import folium
import jinja2
import numpy as np
import pandas as pd
import shapely
from folium.elements import JSCSSMixin
from jinja2.utils import htmlsafe_json_dumps

from dashboard import i18n
from dashboard.analysis.city import City
from dashboard.analysis.classify import NO_DATA_COLOUR, SECTOR_COLOURS, Classes
from dashboard.analysis.filters import actors_mask, in_bezirk, offers_mask
from dashboard.i18n import code_label, fmt_int, fmt_share, t, tn
from dashboard.maps.assets import localize
from dashboard.maps.feature_layer import FeatureLayer, SharedParts, style_indices
from dashboard.maps.print_map import LegendItem, Points, ViewMap, view_bounds
from dashboard.model import schema
from dashboard.model.projection import to_crs
from dashboard.model.view import MapView
from dashboard.store.settings import Settings

SIMPLIFY_M = 5.0
COORD_DIGITS = 5  # ~1 m in lon/lat
OUTLINE = "#333333"
SELECTED = "#000000"
PARTICIPATION_COLOUR = "#1b4f72"
OTHER_OFFER_COLOUR = "#7f8c8d"
NO_SECTOR_COLOUR = "#999999"
ACTOR_RADIUS = 6


@dataclass(frozen=True)
class MapData:
    """Browser-ready geometry of a city: simplified polygons and lon/lat points."""

    units: dict  # GeoJSON FeatureCollection, feature id = area_id
    unit_parts: SharedParts  # the Quartiere's geometry and names, once for every view's layers (``FeatureLayer``)
    bezirke: dict
    unit_points: pd.DataFrame  # area_id → lon, lat of a point inside the area
    actors: pd.DataFrame  # lon, lat + fields
    offers: pd.DataFrame
    bounds: dict  # bezirk id (or "" for the city) → [[south, west], [north, east]] of its Quartiere
    area_bounds: dict  # area id (Quartier or Stadtbezirk) → [[south, west], [north, east]] of its own polygon
    made: dict = field(default_factory=dict, compare=False, repr=False)  # what is kept per data version (read only)


def _features(frame) -> dict:
    """Simplified FeatureCollection in lon/lat with only ``area_id`` and ``name``."""
    if len(frame) == 0:
        return {"type": "FeatureCollection", "features": []}
    simple = frame[["area_id", "name", "geometry"]].copy()
    simple["geometry"] = simple.geometry.simplify(SIMPLIFY_M, preserve_topology=True)
    simple = to_crs(simple, schema.WEB_CRS)
    simple["geometry"] = simple.geometry.set_precision(10**-COORD_DIGITS)
    collection = simple.__geo_interface__
    for feature in collection["features"]:
        feature["id"] = feature["properties"]["area_id"]
        feature.pop("bbox", None)
    collection.pop("bbox", None)
    return collection


def _lonlat(frame) -> pd.DataFrame:
    if len(frame) == 0:
        return pd.DataFrame(columns=[*frame.columns.drop("geometry", errors="ignore"), "lon", "lat"])
    web = to_crs(frame, schema.WEB_CRS)
    points = web.geometry if (web.geom_type == "Point").all() else web.geometry.representative_point()
    out = pd.DataFrame(frame.drop(columns="geometry"))
    out["lon"] = points.x.round(COORD_DIGITS).to_numpy()
    out["lat"] = points.y.round(COORD_DIGITS).to_numpy()
    return out


def _bounds(frame) -> list[list[float]]:
    west, south, east, north = to_crs(frame, schema.WEB_CRS).total_bounds
    return [[float(south), float(west)], [float(north), float(east)]]


def _each_bounds(frame) -> dict[str, list[list[float]]]:
    corners = shapely.bounds(to_crs(frame, schema.WEB_CRS).geometry.to_numpy())
    return {
        area_id: [[float(south), float(west)], [float(north), float(east)]]
        for area_id, (west, south, east, north) in zip(frame["area_id"], corners, strict=True)
    }


def _unit_parts(features: dict) -> SharedParts:
    """Each Quartier's geometry and escaped name (``n``, its tooltip's title), once for every map's layers."""
    rows = [
        {"geometry": f["geometry"], "properties": {"n": html.escape(f["properties"]["name"])}}
        for f in features["features"]
    ]
    return SharedParts(str(htmlsafe_json_dumps(rows)), ("n",))


def prepare_map_data(city: City) -> MapData:
    """Simplify and reproject once; the result is reused on every rerun."""
    units = city.units
    bounds = {"": _bounds(units)} if len(units) else {"": [[47.3, 5.9], [55.1, 15.0]]}
    for bezirk in city.bezirke.itertuples():
        members = units[units["parent_id"] == bezirk.area_id]
        bounds[bezirk.area_id] = _bounds(
            members if len(members) else city.bezirke[city.bezirke["area_id"] == bezirk.area_id]
        )
    unit_points = _lonlat(units.assign(geometry=units.geometry.representative_point())[["area_id", "geometry"]])
    features = _features(units)
    return MapData(
        units=features,
        unit_parts=_unit_parts(features),
        bezirke=_features(city.bezirke),
        unit_points=unit_points.set_index("area_id"),
        actors=_lonlat(city.actors),
        offers=_lonlat(city.offers),
        bounds=bounds,
        area_bounds=_each_bounds(city.bezirke) | _each_bounds(units),
    )


def entry_places(data: MapData) -> pd.DataFrame:
    """Offers and actors with their map point, sorted by name, indexed ``offer:<id>`` / ``actor:<id>``:
    the places a planned offer can be put at without the map."""
    parts = [
        pd.DataFrame(
            {
                "kind": kind,
                "name": frame["name"].to_numpy(),
                "lon": frame["lon"].to_numpy(),
                "lat": frame["lat"].to_numpy(),
            },
            index=(kind + ":" + frame[f"{kind}_id"].astype(str)).to_numpy(),
        )
        for kind, frame in (("offer", data.offers), ("actor", data.actors))
    ]
    return pd.concat(parts).sort_values(["name", "kind"], kind="stable")


def tooltip_html(title: str, rows: list[tuple[str, str]]) -> str:
    """A small tooltip table; title, labels and values are escaped."""
    body = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in rows)
    return f"<b>{html.escape(title)}</b><table>{body}</table>"


def _collection(features: list[dict]) -> dict:
    return {"type": "FeatureCollection", "features": features}


def point_layer(
    name: str, frame: pd.DataFrame, columns: dict[str, list[str]], styles: list[dict], radius: float
) -> FeatureLayer:
    """One layer of circle markers; the tooltip shows ``columns`` (label → one text per point).

    Only the escaped texts travel with each point; labels and the few distinct styles are sent once
    (``FeatureLayer``). This halves what the browser receives compared with HTML per point.
    """
    points = list(zip(frame["lon"], frame["lat"], strict=True))
    return escaped_point_layer(name, points, list(columns), escaped_rows(columns) or [()] * len(points), styles, radius)


def escaped_rows(columns: Mapping[str, Sequence[object]]) -> list[tuple[str, ...]]:
    """Per point, the texts of ``columns`` (label → one value per point), HTML-escaped."""
    return [tuple(html.escape(str(value)) for value in row) for row in zip(*columns.values(), strict=True)]


def escaped_point_layer(
    name: str,
    points: Sequence[tuple[float, float]],
    labels: Sequence[str],
    texts: Sequence[tuple[str, ...]],
    styles: Sequence[dict],
    radius: float,
    shared: SharedParts | None = None,
    shared_rows: Sequence[int | None] = (),
) -> FeatureLayer:
    """``point_layer`` from lon/lat ``points`` and, per point, its tooltip's texts escaped already (a page keeps
    those of a city's offers, ``offer_texts``); ``shared``, ``shared_rows``: where the browser finds a point and
    its texts once per data version (``offer_parts``), see ``FeatureLayer``."""
    kept, indices = style_indices([{"fillOpacity": 0.9, "radius": radius, "fill": True, **style} for style in styles])
    features = [
        {
            "type": "Feature",
            "id": str(i),
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {"s": indices[i], **{f"f{j}": text for j, text in enumerate(row)}},
        }
        for i, ((lon, lat), row) in enumerate(zip(points, texts, strict=True))
    ]
    return FeatureLayer(
        _collection(features),
        name=name,
        styles=kept,
        radius=radius,
        labels=[html.escape(label) for label in labels],
        shared=shared,
        shared_rows=shared_rows,
    )


def area_layer(data: MapData, fills: dict[str, str], tips: AreaTips, name: str, fill_opacity: float) -> FeatureLayer:
    """The Quartiere as one layer, each filled with ``fills[area]`` and with its tooltip (``AreaTips``)."""
    colours = [fills.get(f["id"], NO_DATA_COLOUR) for f in data.units["features"]]
    kept, indices = style_indices(
        [{"fillColor": c, "fillOpacity": fill_opacity, "color": OUTLINE, "weight": 0.6} for c in colours]
    )
    features = [
        {
            **f,
            "properties": {
                "area_id": f["id"],
                "n": html.escape(f["properties"]["name"]),  # from the shared parts in the browser
                "r": tips.rows.get(f["id"], []),
                "s": i,
            },
        }
        for f, i in zip(data.units["features"], indices, strict=True)
    ]
    return FeatureLayer(
        _collection(features),
        name=name,
        styles=kept,
        tip_title=tips.title,
        labels=tips.labels,
        highlight={"weight": 2.5, "color": SELECTED},
        shared=data.unit_parts,
        shared_rows=range(len(features)),
        beneath=True,
    )


@dataclass(frozen=True)
class AreaTips:
    """The Quartiere's tooltips as the browser writes them (``FeatureLayer``): ``title`` before each Quartier's
    name, the ``labels`` once, and per Quartier its rows as (the label's place in ``labels``, the value), all
    HTML-escaped. Written out as HTML per Quartier they were half of what a map sent with each view."""

    title: str = ""
    labels: tuple[str, ...] = ()
    rows: Mapping[str, list[tuple[int, str]]] = field(default_factory=dict)


def area_tips(
    data: MapData, table: pd.DataFrame, rows_of: Callable[[Mapping[str, Any]], list[tuple[str, str]]], lang: str
) -> AreaTips:
    """Tooltip per Quartier: "Quartier" and its name, and the rows ``rows_of(table_row)`` gives as (label, value)
    (none outside the table).

    The rows come as dicts: a pandas row per Quartier cost more than all the formatting."""
    records = table.to_dict("index")
    labels: dict[str, int] = {}
    rows = {}
    for feature in data.units["features"]:
        area = feature["id"]
        if area in records:
            shown = rows_of(records[area])
            rows[area] = [(labels.setdefault(label, len(labels)), html.escape(value)) for label, value in shown]
    return AreaTips(f"{html.escape(t('map.tooltip.quartier', lang))} ", tuple(map(html.escape, labels)), rows)


def _choropleth(data: MapData, table: pd.DataFrame, classes: Classes, view: MapView, lang: str) -> folium.GeoJson:
    measure_label = t(f"map.measure.short.{view.measure}", lang, threshold=view.threshold_m)
    tips = area_tips(
        data,
        table,
        lambda row: [
            (t("fig.residents", lang), fmt_int(row["residents"], lang)),
            (measure_label, _measure_text(row, view, lang)),
        ],
        lang,
    )
    fills = {area: classes.colour_of(int(i)) for area, i in zip(table.index, classes.index, strict=False)}
    return area_layer(data, fills, tips, "quartiere", 0.75 if "choropleth" in view.layers else 0.05)


def _measure_text(row: Mapping[str, Any], view: MapView, lang: str) -> str:
    if row["suppressed"]:
        return tn("fig.suppressed", view.min_residents, lang, min_residents=view.min_residents)
    return measure_format(view.measure, lang)(row[view.measure])


def actor_style(sector: object) -> dict:
    """An actor's marker: filled in its sector's colour (the Karte's rule, also for QGIS styles)."""
    return {"fillColor": SECTOR_COLOURS.get(str(sector), NO_SECTOR_COLOUR), "color": "#ffffff", "weight": 1}


def offer_style(participation: bool) -> dict:
    """An offer's marker: participation offers dark and larger, the others as small grey rings."""
    if participation:
        return {"fillColor": PARTICIPATION_COLOUR, "color": "#ffffff", "weight": 2, "radius": 5}
    return {"fillColor": "#ffffff", "color": OTHER_OFFER_COLOUR, "weight": 1.5, "radius": 3}


def _actors_layer(data: MapData, view: MapView, units: pd.DataFrame, lang: str) -> folium.GeoJson:
    actors = data.actors[actors_mask(data.actors, view) & in_bezirk(data.actors, units, view.bezirk)]
    columns = {
        t("map.tooltip.actor", lang): actors["name"].tolist(),
        t("fig.sector", lang): [code_label(s, lang) for s in actors["sector"]],
        t("fig.kind", lang): actors["kind"].fillna("").tolist(),
    }
    return point_layer("actors", actors, columns, [actor_style(s) for s in actors["sector"]], radius=ACTOR_RADIUS)


def offer_columns(offers: pd.DataFrame, lang: str) -> dict[str, list[str]]:
    """Tooltip texts of offers: name, category, target groups, participation level."""
    return {
        t("map.tooltip.offer", lang): offers["name"].tolist(),
        t("fig.category", lang): [code_label(c, lang) for c in offers["category"]],
        t("fig.target_groups", lang): [
            ", ".join(code_label(g, lang) for g in schema.split_list(v)) for v in offers["target_groups"]
        ],
        t("fig.level", lang): [code_label(v, lang) for v in offers["level"]],
    }


def offer_texts(data: MapData, lang: str) -> tuple[list[str], list[tuple[str, ...]]]:
    """The labels of an offer's tooltip (``offer_columns``) and, per row of ``data.offers``, its texts escaped: once
    per data version and language (read only) – the gap map of every new view showed them anew."""
    key = ("offer_texts", lang)
    texts = data.made.get(key)
    if texts is None:
        columns = offer_columns(data.offers, lang)
        texts = data.made[key] = (list(columns), escaped_rows(columns))
    return texts


def offer_parts(data: MapData, lang: str) -> SharedParts:
    """Per row of ``data.offers``, its point and tooltip texts (``offer_texts``) as the parts every gap map of a
    data version and language shares (``FeatureLayer``): once per data version and language."""
    key = ("offer_parts", lang)
    parts = data.made.get(key)
    if parts is None:
        labels, texts = offer_texts(data, lang)
        lon, lat = data.offers["lon"].to_numpy(dtype=float), data.offers["lat"].to_numpy(dtype=float)
        rows = [
            {
                "geometry": {"type": "Point", "coordinates": [float(x), float(y)]},
                "properties": {f"f{j}": text for j, text in enumerate(row)},
            }
            for x, y, row in zip(lon, lat, texts, strict=True)
        ]
        parts = data.made[key] = SharedParts(str(htmlsafe_json_dumps(rows)), tuple(f"f{j}" for j in range(len(labels))))
    return parts


def _offers_layer(data: MapData, view: MapView, units: pd.DataFrame, lang: str) -> folium.GeoJson:
    offers = data.offers[offers_mask(data.offers, view) & in_bezirk(data.offers, units, view.bezirk)]
    min_rank = schema.level_rank(view.min_level)
    styles = [offer_style(rank >= min_rank) for rank in offers["level_rank"]]
    return point_layer("offers", offers, offer_columns(offers, lang), styles, radius=4)


def measure_format(measure: str, lang: str) -> Callable[[float], str]:
    """How the Karte writes a value of ``measure``: a share in per cent, a rate as a number."""
    if measure == "uncovered_share":
        return lambda v: fmt_share(v, lang)
    return lambda v: i18n.fmt_num(v, lang)


def housing_tones(rows: pd.DataFrame) -> np.ndarray:
    """Grey tone per Quartier for its share of subsidised dwellings: dark from 20 %, middle from 5 %."""
    share = (rows["subsidised"] / rows["dwellings"]).fillna(0)
    return np.select([share >= 0.2, share >= 0.05], ["#252525", "#737373"], "#d9d9d9")


def _housing_layer(data: MapData, table: pd.DataFrame, view: MapView, lang: str) -> folium.GeoJson:
    """One circle per Quartier: area ∝ dwellings, grey tone = share of subsidised dwellings."""
    rows = table[(table["dwellings"] > 0) & in_bezirk(table.reset_index(), table.reset_index(), view.bezirk)]
    rows = rows.join(data.unit_points, how="inner")
    biggest = float(rows["dwellings"].max()) if len(rows) else 1.0
    greys = housing_tones(rows)
    columns = {
        t("map.tooltip.quartier", lang): rows["name"].tolist(),
        t("fig.dwellings", lang): [fmt_int(v, lang) for v in rows["dwellings"]],
        t("fig.subsidised", lang): [fmt_int(v, lang) for v in rows["subsidised"]],
        t("fig.sozialmanagement", lang): [fmt_int(v, lang) for v in rows["sozialmanagement"]],
    }
    styles = [
        {"fillColor": g, "color": "#000000", "weight": 1, "radius": round(4 + 14 * float(np.sqrt(d / biggest)), 1)}
        for g, d in zip(greys, rows["dwellings"], strict=False)
    ]
    return point_layer("housing", rows, columns, styles, radius=6)


def _outline_layer(features: list[dict], name: str, style: dict) -> FeatureLayer:
    """Outlines only: no fill, no tooltip, not clickable."""
    plain = [{**f, "properties": {"s": 0}} for f in features]
    return FeatureLayer(_collection(plain), name=name, styles=[{"fill": False, **style}], interactive=False)


def selection_layer(data: MapData, selected: str) -> FeatureLayer:
    features = [f for f in data.units["features"] if f["id"] == selected]
    return _outline_layer(features, "selection", {"color": SELECTED, "weight": 4})


class _Attribution(folium.MacroElement):
    """Adds an (escaped) text to Leaflet's attribution line, e.g. the demo-data notice.

    The line keeps Leaflet's small type (0.75rem): folium sets the whole map to 1rem, and a city's source
    files then took three lines over the bottom of the map. It leaves the scale bar its corner: a long list of
    sources wraps beside it instead of covering it.
    """

    _template = jinja2.Template(
        """{% macro header(this, kwargs) %}
        <style>.leaflet-container .leaflet-control-attribution { font-size: 0.75rem; max-width: 65%; }</style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        {% if this.text %}{{ this._parent.get_name() }}.attributionControl"""
        """.addAttribution({{ this.text|tojson }});{% endif %}
        {% endmacro %}"""
    )

    def __init__(self, text: str):
        super().__init__()
        self.text = html.escape(text)


class _TooltipFit(folium.MacroElement):
    """Tooltips less than half the map wide (padding and border included), their lines wrapped, and on a narrow
    map (a phone, a page's column) each label above its value: Leaflet opens a tooltip towards the map's middle,
    so it then always fits (a wide offer tooltip at a point right of the middle ran off the map's left edge on a
    phone)."""

    _template = jinja2.Template(
        """{% macro header(this, kwargs) %}
        <style>.leaflet-tooltip.foliumtooltip {
          white-space: normal; width: max-content; box-sizing: border-box; max-width: calc(50vw - 1.5rem);
        }
        .foliumtooltip th { text-align: left; padding-right: 0.5rem; }
        @media (max-width: 40rem) {
          .leaflet-tooltip.foliumtooltip { font-size: 0.875rem; overflow-wrap: anywhere; }
          .foliumtooltip th, .foliumtooltip td { display: block; padding: 0; }
          .foliumtooltip td { padding-bottom: 0.25rem; }
        }</style>
        {% endmacro %}"""
    )


class _GestureHandling(JSCSSMixin, folium.MacroElement):
    """On phones and tablets one finger scrolls the page past the map and two fingers move it, with a hint in
    the reader's language (Leaflet.GestureHandling). Only where touch is the main input: with a mouse the
    plugin would leave dragging off when the pointer enters over an area (all our maps are covered by areas),
    and its Ctrl + wheel rule would change the desktop. Keyboard and mouse work as before."""

    _template = jinja2.Template(
        """{% macro script(this, kwargs) %}
        if (window.matchMedia("(hover: none) and (pointer: coarse)").matches) {
            {{ this._parent.get_name() }}.options.gestureHandlingOptions = {{ this.options|tojson }};
            {{ this._parent.get_name() }}.gestureHandling.enable();
        }
        {% endmacro %}"""
    )
    #: the names ``localize`` serves from the app's own copy
    default_js = [("gesturehandlingjs", "leaflet-gesture-handling.min.js")]
    default_css = [("gesturehandlingcss", "leaflet-gesture-handling.min.css")]

    def __init__(self, lang: str):
        super().__init__()
        text = {
            "touch": t("map.gesture.touch", lang),
            "scroll": t("map.gesture.scroll", lang),
            "scrollMac": t("map.gesture.scroll_mac", lang),
        }
        self.options = {"text": text, "duration": 1000}


class _OneTabStop(folium.MacroElement):
    """The map is one stop of the Tab key (arrows pan, + and - zoom). Leaflet makes each area and point
    with a tooltip a stop of its own in Chromium, hundreds before the page goes on; the lists and tables
    beside the map hold the same Quartiere, offers and figures."""

    _template = jinja2.Template(
        """{% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.on("layeradd", function (e) {
            var element = e.layer.getElement && e.layer.getElement();
            if (element && element.tagName === "path") { element.setAttribute("tabindex", "-1"); }
        });
        {% endmacro %}"""
    )


class SetView(folium.MacroElement):
    """Opens the map at a centre and zoom (a shared link's position) instead of where it was fitted."""

    _template = jinja2.Template(
        """{% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.setView({{ this.center|tojson }}, {{ this.zoom|tojson }});
        {% endmacro %}"""
    )

    def __init__(self, lat: float, lon: float, zoom: float):
        super().__init__()
        self.center, self.zoom = [float(lat), float(lon)], float(zoom)


def base_map(data: MapData, city: City, settings: Settings, bezirk: str | None, lang: str) -> folium.Map:
    """An empty map fitted to the city or a Stadtbezirk: configured tiles and WMS (if any), credits."""
    fmap = folium.Map(tiles=None, max_zoom=18, zoom_snap=0.25, control_scale=True)
    if settings.tile_url:
        folium.TileLayer(settings.tile_url, attr=html.escape(settings.tile_attribution), max_zoom=18).add_to(fmap)
    if settings.wms is not None:
        wms = settings.wms
        folium.WmsTileLayer(
            wms.url,
            layers=wms.layers,
            fmt=wms.fmt,
            version=wms.version,
            attr=html.escape(wms.attribution),
            name="wms",
            overlay=False,
            control=False,
            max_zoom=18,
        ).add_to(fmap)
    fmap.fit_bounds(data.bounds.get(bezirk or "", data.bounds[""]))
    _GestureHandling(lang).add_to(fmap)
    _OneTabStop().add_to(fmap)
    _Attribution(data_credits(city, lang)).add_to(fmap)
    _TooltipFit().add_to(fmap)
    return fmap


def data_credits(city: City, lang: str) -> str:
    """The data sources every map names beside the basemap's credit, with the demo notice where it applies."""
    demo = t("app.demo_short", lang) if city.is_demo else ""
    credits = [c for c in city.credits if not demo or demo not in c]
    text = t("map.credits", lang, sources="; ".join(credits)) if credits else ""
    return " · ".join(part for part in (demo, text) if part)


def bezirk_outlines(data: MapData) -> FeatureLayer:
    return _outline_layer(data.bezirke["features"], "bezirke", {"color": OUTLINE, "weight": 2.5})


def feature_group(name: str, *layers: folium.Element) -> folium.FeatureGroup:
    """Layers that streamlit-folium adds and removes without reloading the map (keeps the view)."""
    group = folium.FeatureGroup(name=name)
    for layer in layers:
        layer.add_to(group)
    return group


def build_map(
    data: MapData,
    city: City,
    table: pd.DataFrame,
    classes: Classes,
    view: MapView,
    settings: Settings,
    lang: str = i18n.DEFAULT_LANGUAGE,
) -> tuple[folium.Map, list[folium.FeatureGroup]]:
    """The Karte: base map (areas, choropleth) and the point layers as separate feature groups."""
    fmap = base_map(data, city, settings, view.bezirk, lang)
    _choropleth(data, table, classes, view, lang).add_to(fmap)
    if "bezirke" in view.layers:
        bezirk_outlines(data).add_to(fmap)
    builders = {
        "housing": lambda: _housing_layer(data, table, view, lang),
        "actors": lambda: _actors_layer(data, view, city.units, lang),
        "offers": lambda: _offers_layer(data, view, city.units, lang),
    }
    groups = [feature_group(key, build()) for key, build in builders.items() if key in view.layers]
    if view.selected:
        groups.append(feature_group("selection", selection_layer(data, view.selected)))
    localize(fmap)
    return fmap, groups


def print_view(city: City, table: pd.DataFrame, classes: Classes, view: MapView, lang: str) -> ViewMap:
    """The Karte's view for print: the same classes, colours, layers, filters and extent as ``build_map``."""
    fills = {area: classes.colour_of(int(i)) for area, i in zip(table.index, classes.index, strict=False)}
    units = city.units.assign(fill=[fills.get(a, NO_DATA_COLOUR) for a in city.units["area_id"]])
    labels = classes.labels(measure_format(view.measure, lang))
    legend: list[LegendItem] = [
        t(f"map.measure.{view.measure}", lang, threshold=view.threshold_m),
        *zip(classes.colours, labels, strict=True),
        (NO_DATA_COLOUR, t("map.legend.no_data", lang)),
    ]
    points: list[Points] = []
    if "housing" in view.layers:
        rows = table[(table["dwellings"] > 0) & in_bezirk(table.reset_index(), table.reset_index(), view.bezirk)]
        at = city.units.set_index("area_id").geometry.representative_point()
        rows = rows.assign(x=at.x.reindex(rows.index).to_numpy(), y=at.y.reindex(rows.index).to_numpy())
        biggest = float(rows["dwellings"].max()) if len(rows) else 1.0
        diameters = 2 * (4 + 14 * np.sqrt(rows["dwellings"].to_numpy(dtype=float) / biggest))
        tones = housing_tones(rows)
        points += [
            Points(rows[tones == tone], "", tone, "#000000", sizes=diameters[tones == tone] ** 2)
            for tone in ("#d9d9d9", "#737373", "#252525")
        ]
        legend.append(t("map.legend.housing", lang))
    if "actors" in view.layers:
        actors = city.actors[actors_mask(city.actors, view) & in_bezirk(city.actors, city.units, view.bezirk)]
        legend.append(t("map.legend.sectors", lang))
        by_sector = [
            Points.styled(actors[actors["sector"] == s], code_label(s, lang), actor_style(s), ACTOR_RADIUS)
            for s in schema.SECTORS
        ]
        points += by_sector
        legend += by_sector
    if "offers" in view.layers:
        offers = city.offers[offers_mask(city.offers, view) & in_bezirk(city.offers, city.units, view.bezirk)]
        participation = (offers["level_rank"] >= schema.level_rank(view.min_level)).to_numpy()
        kinds = [
            Points.styled(offers[~participation], t("rep.legend.offer", lang), offer_style(False), 4),
            Points.styled(offers[participation], t("map.legend.offers", lang), offer_style(True), 4),
        ]
        points += kinds
        legend += kinds
    return ViewMap(
        bounds=view_bounds(city, view.bezirk),
        units=units,
        fill_alpha=0.75 if "choropleth" in view.layers else 0.05,
        legend=tuple(legend),
        outlines=city.bezirke if "bezirke" in view.layers else None,
        selected=city.units[city.units["area_id"] == view.selected] if view.selected else None,
        points=tuple(points),
    )
