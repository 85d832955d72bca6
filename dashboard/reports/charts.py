"""Charts drawn in the browser by Vega-Lite, with numbers in the reader's format.

Vega formats axis numbers itself (English by default: "50,000"); the locale travels with each
chart as an embed option, so a German reader sees "50.000" as everywhere else in the app.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from dashboard.i18n import fmt_int, number_symbols, t


def in_locale(chart: alt.Chart, lang: str) -> alt.Chart:
    """``chart`` with the reader's decimal and thousands separators for every number Vega writes."""
    decimal, group = number_symbols(lang)
    locale = {"decimal": decimal, "thousands": group, "grouping": [3], "currency": ["", " €"]}
    return chart.properties(usermeta={"embedOptions": {"formatLocale": locale}})


def marginal_curve(curve: pd.DataFrame, lang: str) -> alt.Chart:
    """Residents newly reached with 1, 2, … sites (``siting.marginal_curve``): where another site adds little."""
    data = pd.DataFrame({"sites": curve["sites"].to_numpy(), "residents": curve["greedy"].to_numpy()})
    sites, residents = t("sites.curve.sites", lang), t("sites.curve.residents", lang)
    chart = (
        alt.Chart(data)
        .mark_line(point=True, color="#08519c")
        .encode(
            x=alt.X("sites:Q", title=sites, axis=alt.Axis(tickMinStep=1, format="d")),
            y=alt.Y("residents:Q", title=residents, axis=alt.Axis(format=",d")),
            tooltip=[alt.Tooltip("sites:Q", title=sites), alt.Tooltip("residents:Q", title=residents, format=",d")],
        )
    )
    return in_locale(chart, lang)


def marginal_table(curve: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The figures of ``marginal_curve`` as a table beside it: what the chart shows, for screen readers and for
    reading exact values."""
    return pd.DataFrame(
        {
            t("sites.curve.sites", lang): curve["sites"].astype(int).to_numpy(),
            t("sites.curve.residents", lang): [fmt_int(v, lang) for v in curve["greedy"]],
            t("sites.curve.gained", lang): [fmt_int(v, lang) for v in curve["gain"]],
        }
    )
