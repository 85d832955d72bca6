"""Download buttons shared by the pages: the council report as PDF and HTML, the gap analysis as data files,
the map of a view as PDF and PNG."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial

import streamlit as st

from dashboard.analysis.city import City
from dashboard.analysis.gaps import GapResult
from dashboard.i18n import t
from dashboard.maps.print_map import PAGES_MM
from dashboard.reports import analysis_export, council, map_export


def report_buttons(context: Callable[[], council.ReportContext], area_id: str, key: str, lang: str) -> None:
    """PDF and HTML of ``area_id``'s report; built only when clicked (a report takes about a second), and so
    is its ``context`` where a page has not made it anyway (a tenth of a second for a new Lückenanalyse view)."""
    st.download_button(
        t("pf.download.pdf", lang),
        lambda: council.to_pdf(council.build(context(), area_id)),
        file_name=council.file_name(area_id),
        mime="application/pdf",
        on_click="ignore",
        icon=":material/picture_as_pdf:",
        key=f"{key}_pdf",
    )
    st.download_button(
        t("pf.download.html", lang),
        lambda: council.to_html(council.build(context(), area_id)),
        file_name=council.file_name(area_id, ".html"),
        mime="text/html",
        on_click="ignore",
        icon=":material/html:",
        key=f"{key}_html",
    )


def analysis_buttons(city: City, result: GapResult, area_ids: set[str], lang: str) -> None:
    """The ranked Quartiere (XLSX, CSV), the cells (GeoPackage) and the scenario (GeoJSON) of this view.

    Each file is built only when its button is clicked; the scenario's button waits for a scenario.
    """
    today = date.today()
    files = (
        ("gap.data.xlsx", ".xlsx", lambda: analysis_export.quartier_xlsx(result, city, lang, today, area_ids), "table"),
        ("gap.data.csv", ".csv", lambda: analysis_export.quartier_csv(result, lang, area_ids), "csv"),
        ("gap.data.gpkg", ".gpkg", lambda: analysis_export.cells_gpkg(result, lang, area_ids), "layers"),
        ("gap.data.geojson", ".geojson", lambda: analysis_export.scenario_geojson(result, city), "map"),
    )
    for column, (label, suffix, build, icon) in zip(st.columns(len(files)), files, strict=True):
        column.download_button(
            t(label, lang),
            build,
            file_name=analysis_export.file_name(city.name, result.params.target_group, today, suffix),
            mime=analysis_export.MIME[suffix],
            on_click="ignore",
            icon=f":material/{icon}:",
            key=f"gap_data_{suffix[1:]}",
            disabled=suffix == ".geojson" and result.scenario.is_empty,
        )


def map_buttons(build: Callable[[], map_export.MapSheet], name: Callable[[str, str], str], lang: str, key: str) -> None:
    """The page's map as PDF and PNG on A4 or A3 landscape; drawn only when a button is clicked.

    ``build`` makes the sheet of the view, ``name(page, suffix)`` its file name.
    """
    st.caption(t("mapx.caption", lang))
    page = (
        st.segmented_control(
            t("mapx.page", lang), tuple(PAGES_MM), format_func=str.upper, default="a4", key=f"{key}_page"
        )
        or "a4"
    )
    files = (
        ("mapx.download.pdf", map_export.to_pdf, ".pdf", "application/pdf", "map"),
        ("mapx.download.png", map_export.to_png, ".png", "image/png", "image"),
    )
    for column, (label, render, suffix, mime, icon) in zip(st.columns(len(files)), files, strict=True):
        with column:
            st.download_button(
                t(label, lang),
                partial(_drawn, render, build, page),
                file_name=name(page, suffix),
                mime=mime,
                on_click="ignore",
                icon=f":material/{icon}:",
                key=f"{key}{suffix.replace('.', '_')}",
            )


def _drawn(
    render: Callable[[map_export.MapSheet, str], bytes], build: Callable[[], map_export.MapSheet], page: str
) -> bytes:
    """The map file, drawn when its button is clicked (Streamlit calls it), never on an ordinary page run."""
    return render(build(), page)
