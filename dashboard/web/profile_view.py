"""The Quartiersprofil's content, made once per data version, area, language and day.

A profile link is opened again and again, and making its figures, tables and charts anew on every
open was most of the server's time for it. The charts are not validated against the Vega-Lite schema here
(two thirds of altair's conversion): their test does it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
import streamlit as st

from dashboard.analysis import profile as pf
from dashboard.reports.council import ReportContext
from dashboard.web.session import Loaded


@dataclass(frozen=True)
class ProfileView:
    """What the page shows of one area; read only (kept and shared by every session)."""

    profile: pf.Profile
    sections: list[tuple[str, pd.DataFrame]]
    charts: list[dict]  # Vega-Lite specifications
    lists: list[tuple[str, int, pd.DataFrame]]  # message key, count, the list as shown


@st.cache_resource(show_spinner=False, max_entries=64)
def _made(version: str, area_id: str, lang: str, today: date, _loaded: Loaded, _report: ReportContext) -> ProfileView:
    profile = pf.profile(_loaded.city, _report.result, _report.counts, area_id, today)
    lists = [
        (key, len(table), pf.list_frame(table, columns, lang))
        for key, table, columns in (
            ("pf.actors", profile.actors, pf.ACTOR_COLUMNS),
            ("pf.offers", profile.offers, pf.OFFER_COLUMNS),
        )
    ]
    return ProfileView(
        profile,
        pf.profile_sections(profile, lang),
        pf.charts(profile, lang),
        lists,
    )


def profile_view(loaded: Loaded, report: ReportContext, area_id: str, lang: str, today: date) -> ProfileView:
    """The profile of ``area_id`` from the status quo ``report`` (made from ``loaded`` for ``today``)."""
    return _made(loaded.version, area_id, lang, today, loaded, report)


@st.cache_resource(show_spinner=False, max_entries=16)
def _labels(version: str, lang: str, _loaded: Loaded) -> dict[str, str]:
    return pf.choice_labels(_loaded.city, lang)


def area_labels(loaded: Loaded, lang: str) -> dict[str, str]:
    """Every selectable area in list order → its label, once per data version and language (read only)."""
    return _labels(loaded.version, lang, loaded)
