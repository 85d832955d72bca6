"""What a shared link shows first on a phone or tablet: its headline figures and the settings behind them.

Wide screens show the figures beside the map and the settings in the sidebar, so there the summary is hidden by
a media query, together with its element container (no gap remains, the map keeps its place).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

import streamlit as st

from dashboard.i18n import t

#: Screens at least this wide show the page's own layout (Streamlit stacks columns below 640 px and
#: collapses the sidebar on tablets).
WIDE_PX = 900
CLASS = "qa-first-screen"
_CSS = (
    f"@media (min-width: {WIDE_PX}px) {{ [data-testid='stElementContainer']:has(.{CLASS}) {{ display: none; }} }}"
    f" .{CLASS} dl {{ display: flex; flex-wrap: wrap; gap: 0.25rem 1.25rem; margin: 0; padding: 0; }}"
    f" .{CLASS} dt {{ font-size: 0.875rem; }}"
    f" .{CLASS} dd {{ margin: 0; font-size: 1.5rem; font-weight: 600; line-height: 1.2; }}"
    f" .{CLASS} p {{ margin: 0.25rem 0 0; font-size: 0.875rem; }}"
)


def summary_html(
    figures: Sequence[tuple[str, str, str | None]], settings: str, lang: str, title: str | None = None
) -> str:
    """The figures (label, value, exact value) as a list under an optional title (what they are of) and the
    settings as one line, all text escaped."""
    head = "" if title is None else f"<p><strong>{escape(title)}</strong></p>"
    items = "".join(
        f'<div><dt>{escape(label)}</dt><dd title="{escape(exact or value)}">{escape(value)}</dd></div>'
        for label, value, exact in figures
    )
    listed = f"<dl>{items}</dl>" if items else ""
    line = escape(t("rep.settings", lang, settings=settings))
    return f'<style>{_CSS}</style><section class="{CLASS}">{head}{listed}<p>{line}</p></section>'


def phone_summary(
    figures: Sequence[tuple[str, str, str | None]], settings: str, lang: str, title: str | None = None
) -> None:
    st.html(summary_html(figures, settings, lang, title))
