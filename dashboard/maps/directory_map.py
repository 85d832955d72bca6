"""The directory's hits on a map: one point layer, actors filled and offers as rings, coloured by sector."""

from __future__ import annotations

import html

import folium

from dashboard.analysis.city import City
from dashboard.analysis.classify import SECTOR_COLOURS
from dashboard.analysis.directory import Directory, Hits
from dashboard.i18n import code_label, t
from dashboard.maps.assets import localize
from dashboard.maps.karte import NO_SECTOR_COLOUR, MapData, base_map, bezirk_outlines, point_layer
from dashboard.model import schema
from dashboard.store.settings import Settings

#: At most this many hits are drawn on the map (the table lists all); more would slow the browser.
MAP_LIMIT = 2_000


def hits_map(
    directory: Directory, hits: Hits, data: MapData, city: City, settings: Settings, bezirk: str | None, lang: str
) -> folium.Map:
    """The first ``MAP_LIMIT`` hits as ONE point layer: actors filled (drawn last, on top), offers as rings,
    by sector."""
    rows = directory.entries.iloc[hits.rows[:MAP_LIMIT]].sort_values(
        "entry", ascending=False, kind="stable"
    )  # actors on top
    columns = {
        t("actors.col.name", lang): rows["name"].tolist(),
        t("actors.col.entry", lang): [t(f"actors.entry.{e}", lang) for e in rows["entry"]],
        t("fig.sector", lang): [code_label(s, lang) if isinstance(s, str) else "–" for s in rows["sector"]],
    }
    styles = [
        {"fillColor": colour, "color": "#ffffff", "weight": 1, "radius": 6}
        if entry == "actor"
        else {"fillColor": "#ffffff", "color": colour, "weight": 2.5, "radius": 4}
        for entry, colour in zip(
            rows["entry"], rows["sector"].map(SECTOR_COLOURS).fillna(NO_SECTOR_COLOUR), strict=False
        )
    ]
    fmap = base_map(data, city, settings, bezirk, lang)
    bezirk_outlines(data).add_to(fmap)
    point_layer("hits", rows, columns, styles, radius=5).add_to(fmap)
    return localize(fmap)


def sector_legend_html(lang: str) -> str:
    """Sector colours of the map and the graph (labels escaped)."""
    swatch = '<span style="color:{}">●</span> {}'
    parts = [swatch.format(SECTOR_COLOURS[s], html.escape(code_label(s, lang))) for s in schema.SECTORS]
    return " &nbsp; ".join([*parts, html.escape(t("actors.legend.offers", lang))])
