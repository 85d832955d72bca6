"""The map of a page's view as a sheet for the meeting: a tagged PDF or a PNG, A4 or A3 landscape.

A sheet carries what a printed map needs to be read without the app: title,
the view's settings line, the data Stand, legend, scale bar, north arrow and
the credits of the data and basemap. In the PDF the texts are text (searchable,
read aloud) and the map is a figure with a description in words; the PNG is
the whole sheet as one picture, for slides.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

import pandas as pd

from dashboard.analysis.city import City
from dashboard.analysis.classify import Classes
from dashboard.analysis.filters import in_bezirk
from dashboard.analysis.gaps import GapResult, ranked
from dashboard.analysis.indicators import ranking
from dashboard.i18n import code_label, fmt_date, fmt_int, fmt_num, t, tn
from dashboard.maps import gap_map, karte, print_map
from dashboard.maps.area_map import report_attribution
from dashboard.model.view import MapView
from dashboard.reports import pdfdoc
from dashboard.reports.analysis_export import slug
from dashboard.reports.gap_figures import map_view_settings_text, settings_text
from dashboard.store.settings import Settings

#: How many Quartiere the map's description names.
TOP_NAMED = 3
MARGIN_MM = 10


@dataclass(frozen=True)
class MapSheet:
    """Everything on one printed map; texts are plain (unescaped)."""

    title: str
    lines: tuple[str, ...]  # settings, data Stand, created, demo notice
    attribution: str
    alt: str  # what the map shows, in words
    view: print_map.ViewMap
    lang: str


def attribution(city: City, settings: Settings, lang: str) -> str:
    """The credits under the map: its maker and the data sources, as on every map, and a configured basemap –
    named, though the sheet does not draw it (no tile is fetched for print)."""
    basemaps = [settings.tile_attribution or "–"] if settings.tile_url else []
    if settings.wms is not None:
        basemaps.append(settings.wms.attribution or "–")
    named = (t("mapx.attribution.basemap", lang, attribution=a) for a in basemaps)
    return " · ".join((report_attribution(city, lang), *named))


def _place(city: City, bezirk: str | None) -> str:
    names = dict(zip(city.bezirke["area_id"], city.bezirke["name"], strict=False))
    return names.get(bezirk, city.name) if bezirk else city.name


def _lines(city: City, settings_line: str, today: date, lang: str) -> tuple[str, ...]:
    stand = fmt_date(city.data_date, lang) if city.data_date else "–"
    lines = (
        t("rep.settings", lang, settings=settings_line),
        t("rep.data_date", lang, date=stand) + " · " + t("rep.created", lang, date=fmt_date(today.isoformat(), lang)),
    )
    return (*lines, t("rep.demo", lang)) if city.is_demo else lines


def _named(rows: pd.DataFrame, text) -> str:
    """The first ``TOP_NAMED`` rows as "name (figure), …"; a dash when none is rated."""
    return ", ".join(f"{row['name']} ({text(row)})" for _, row in rows.iterrows()) or "–"


def karte_sheet(
    city: City,
    table: pd.DataFrame,
    classes: Classes,
    view: MapView,
    settings: Settings,
    lang: str,
    today: date,
) -> MapSheet:
    """The Karte's map as the page shows it: Quartiere coloured by the measure, with the layers switched on."""
    measure = t(f"map.measure.{view.measure}", lang, threshold=view.threshold_m)
    place = _place(city, view.bezirk)
    shown = ranking(table[in_bezirk(table.reset_index(), city.units, view.bezirk)], view.measure).head(TOP_NAMED)
    fmt = karte.measure_format(view.measure, lang)
    line = map_view_settings_text(view, lang)
    return MapSheet(
        title=t("mapx.title.karte", lang, measure=measure, place=place),
        lines=_lines(city, line, today, lang),
        attribution=attribution(city, settings, lang),
        alt=t(
            "mapx.alt.karte",
            lang,
            place=place,
            measure=measure,
            k=len(classes.bounds),
            top=_named(shown, lambda row: fmt(row[view.measure])),
        ),
        view=karte.print_view(city, table, classes, view, lang),
        lang=lang,
    )


def gap_sheet(
    city: City,
    result: GapResult,
    layers: frozenset[str],
    settings: Settings,
    lang: str,
    today: date,
    bezirk: str | None = None,
    selected: str | None = None,
) -> MapSheet:
    """The Lückenanalyse's map as the page shows it: distance grid, gap index, offers and the scenario."""
    p = result.params
    place, group = _place(city, bezirk), code_label(p.target_group, lang)
    rows = ranked(result)
    rows = rows[in_bezirk(rows.reset_index(), city.units, bezirk)].head(TOP_NAMED)
    parts = [t("mapx.alt.luecken", lang, place=place, group=group)]
    if "grid" in layers:
        parts.append(t("mapx.alt.grid", lang, threshold=fmt_int(p.threshold, lang)))
    if "index" in layers:
        parts.append(t("mapx.alt.index", lang))
    top = _named(rows, lambda row: t("mapx.alt.index_value", lang, index=fmt_num(row["gap_index"], lang, 0)))
    parts.append(t("mapx.alt.top", lang, top=top))  # the ranking beside the map, drawn or not
    if not result.scenario.is_empty:
        added, disabled = len(result.scenario.added), len(result.scenario.disabled)
        parts.append(tn("gap.scenario.changes", added, lang, added=added, disabled=disabled))
    return MapSheet(
        title=t("mapx.title.luecken", lang, group=group, place=place),
        lines=_lines(city, settings_text(result, lang), today, lang),
        attribution=attribution(city, settings, lang),
        alt=" ".join(parts),
        view=gap_map.print_view(city, result, layers, lang, selected, bezirk),
        lang=lang,
    )


def to_png(sheet: MapSheet, page: str) -> bytes:
    """The whole sheet as one picture (``page``: "a4" or "a3", landscape)."""
    return print_map.page_png(sheet.view, sheet.title, list(sheet.lines), sheet.attribution, page, sheet.lang)


def to_pdf(sheet: MapSheet, page: str) -> bytes:
    """One landscape page: title (heading), settings and Stand as text, the map as a described figure, credits."""
    pdf = pdfdoc.document(sheet.title, sheet.lang, page=page.upper(), orientation="landscape")
    pdf.set_margins(MARGIN_MM, MARGIN_MM)
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdfdoc.heading(pdf, sheet.title, 1, 16)
    pdf.set_font(pdfdoc.FONT, size=8.5)
    for line in sheet.lines:
        pdf.multi_cell(0, 4.2, line, new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.ln(2)
    footer = 8.0
    size = (pdf.epw, pdf.h - MARGIN_MM - footer - pdf.get_y())
    picture = print_map.map_png(sheet.view, size, sheet.lang)
    pdf.image(io.BytesIO(picture), w=size[0], h=size[1], alt_text=sheet.alt)
    pdf.set_y(pdf.h - MARGIN_MM - footer + 2)
    pdf.set_font(pdfdoc.FONT, size=7)
    pdf.multi_cell(0, 3.2, sheet.attribution, new_x="LMARGIN", new_y="NEXT", align="L")
    return bytes(pdf.output())


def file_name(page_key: str, city: City, bezirk: str | None, page: str, suffix: str) -> str:
    """``karte-unterstadt-a4.pdf``: which page's map, of where, on which paper."""
    return f"{page_key}-{slug(_place(city, bezirk))}-{page}{suffix}"
