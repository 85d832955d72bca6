"""Download buttons shared by the pages: the council report as PDF and HTML."""

from __future__ import annotations

import streamlit as st

from dashboard.i18n import t
from dashboard.reports import council


def report_buttons(ctx: council.ReportContext, area_id: str, key: str) -> None:
    """PDF and HTML of ``area_id``'s report; built only when clicked (a report takes about a second)."""
    lang = ctx.lang
    st.download_button(
        t("pf.download.pdf", lang),
        lambda: council.to_pdf(council.build(ctx, area_id)),
        file_name=council.file_name(area_id),
        mime="application/pdf",
        on_click="ignore",
        icon=":material/picture_as_pdf:",
        key=f"{key}_pdf",
    )
    st.download_button(
        t("pf.download.html", lang),
        lambda: council.to_html(council.build(ctx, area_id)),
        file_name=council.file_name(area_id, ".html"),
        mime="text/html",
        on_click="ignore",
        icon=":material/html:",
        key=f"{key}_html",
    )
