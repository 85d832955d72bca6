"""Tables of figures that the browser writes and sorts: a figure sent as text sorts as text ("2.261" before "238",
and "1.040" read as one point zero four), so a table that can be sorted gets its figures as numbers and a format.

The browser writes them in the UI's locale, which ``entry.page_setup`` gives Streamlit's table formats: the same
text as ours for figures rounded as ours are (``gap_figures.SHOWN_DIGITS``, ``i18n.rounded``). The table Streamlit
keeps for screen readers holds the bare number ("0.98" for 98 %); the page script writes those of the tables shown
here (``FIGURES_KEY``) with ``figure_formats``."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from dashboard.reports.gap_figures import SHOWN_DIGITS, figure_kinds

#: The start of the key of the container a figure table stands in: the page script finds its tables by it.
FIGURES_KEY = "qa_figures"


def figure_table(where: Any, frame: pd.DataFrame, lang: str, name: str, **options: Any) -> None:
    """``frame`` as a table whose figure columns (``gap_figures.figure_kinds``) are written by the browser, a missing
    figure as "–" (Streamlit writes "None"); ``name`` tells the tables of a page apart."""
    kinds = figure_kinds(lang)
    columns = {
        column: st.column_config.NumberColumn(format=_streamlit_format(kinds[column]), step=_step(kinds[column]))
        for column in frame.columns
        if column in kinds
    }
    where.container(key=f"{FIGURES_KEY}_{name}").dataframe(
        frame, hide_index=True, width="stretch", column_config=columns, placeholder="–", **options
    )


def figure_formats(lang: str) -> dict[str, dict[str, Any]]:
    """The options of ``Intl.NumberFormat`` that write a figure column's numbers as Streamlit does, by heading in
    ``lang``: for the screen readers' tables of ``figure_table``."""
    return {column: _intl_options(kind) for column, kind in figure_kinds(lang).items()}


def _streamlit_format(kind: str) -> str:
    return "percent" if kind == "share" else "localized"


def _step(kind: str) -> float:
    return 10.0 ** -SHOWN_DIGITS[kind]


def _intl_options(kind: str) -> dict[str, Any]:
    """Streamlit's: "percent" with the step's decimals less two, "localized" with the step's decimals."""
    if kind == "share":
        digits = SHOWN_DIGITS[kind] - 2
        return {"style": "percent", "minimumFractionDigits": digits, "maximumFractionDigits": digits}
    return {"minimumFractionDigits": SHOWN_DIGITS[kind], "maximumFractionDigits": SHOWN_DIGITS[kind]}
