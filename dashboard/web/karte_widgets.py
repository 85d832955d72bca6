"""The Karte page's sidebar widgets, its cached per-Quartier table and its map clicks."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pandas as pd
import streamlit as st

from dashboard.analysis import indicators
from dashboard.analysis.city import City
from dashboard.analysis.classify import Classes
from dashboard.analysis.filters import in_bezirk
from dashboard.i18n import t
from dashboard.model import viewspec
from dashboard.model.view import CLASSIFICATIONS, LAYER_KEYS, MEASURES, MapView
from dashboard.reports import map_export
from dashboard.web import downloads
from dashboard.web.cache_keys import HASH_FUNCS
from dashboard.web.controls import codes_picker, level_slider, number_input
from dashboard.web.links import view_state
from dashboard.web.session import Loaded, embedded, lang, settings


def map_view_controls(city: City, controls: bool = True) -> MapView:
    """Sidebar widgets → the view of the Karte page (embedded, or without ``controls``: no widgets, the link's
    view)."""
    if controls and not embedded():
        _map_widgets(city)
    state = view_state("karte")
    return MapView(
        layers=state.get("layers"),
        bezirk=state.get("bezirk"),
        sectors=state.get("sectors"),
        categories=state.get("categories"),
        target_groups=state.get("target_groups"),
        min_level=state.get("min_level"),
        measure=state.get("measure"),
        threshold_m=int(state.get("threshold_m")),
        classification=state.get("classification"),
        selected=state.get("selected"),
    )


def _map_widgets(city: City) -> None:
    lg = lang()
    side = st.sidebar
    bezirk_picker(city, "bezirk")
    side.subheader(t("map.layers", lg))
    for key in LAYER_KEYS:
        side.checkbox(t(f"map.layer.{key}", lg), value=key in MapView().layers, key=f"layer_{key}")
    side.radio(
        t("map.measure", lg),
        MEASURES,
        format_func=lambda m: t(
            f"map.measure.short.{m}", lg, threshold=st.session_state.get("threshold_m", viewspec.THRESHOLD.default)
        ),
        key="measure",
    )
    side.subheader(t("map.filters", lg))
    for setting in (viewspec.SECTORS, viewspec.CATEGORIES, viewspec.TARGET_GROUPS):
        codes_picker(side, setting, setting.name)
    level_slider(side, viewspec.MIN_LEVEL, "min_level")
    number_input(side, viewspec.THRESHOLD, "threshold_m")
    side.selectbox(
        t("map.filter.classification", lg),
        CLASSIFICATIONS,
        format_func=lambda c: t(f"classify.{c}", lg),
        key="classification",
    )


def figures_frame(rows: list[tuple[str, str, str, str]]) -> pd.DataFrame:
    """Key figures with comparison columns, as a table councillors can read."""
    lg = lang()
    return pd.DataFrame(rows, columns=["", t("fig.area", lg), t("fig.bezirk", lg), t("fig.city_value", lg)]).set_index(
        ""
    )


@st.cache_data(show_spinner=False, max_entries=64, hash_funcs=HASH_FUNCS)
def _unit_table(version: str, view: MapView, _city: City) -> pd.DataFrame:
    return indicators.unit_table(_city, view)


def unit_table(version: str, city: City, view: MapView) -> pd.DataFrame:
    """Key figures per Quartier, cached per data version and view."""
    return _unit_table(
        version,
        replace(
            view,
            selected=None,
            bezirk=None,
            layers=frozenset(),
            sectors=(),
            classification=viewspec.CLASSIFICATION.default,
            measure=viewspec.MEASURE.default,
        ),
        city,
    )


def in_view(table: pd.DataFrame, city: City, view: MapView):
    """Rows of the table inside the selected Stadtbezirk."""
    return in_bezirk(table.reset_index(), city.units, view.bezirk)


def take_click(result: dict | None, map_key: str) -> dict | None:
    """The click once per new map click (a rerun repeats the last click; it must not act again)."""
    click = (result or {}).get("last_object_clicked")
    if not click or click == st.session_state.get(f"_last_click_{map_key}"):
        return None
    st.session_state[f"_last_click_{map_key}"] = click
    return click


def quartier_names(city: City) -> dict[str, str]:
    """Quartier id → name, in the order of the names: how a list of Quartiere reads."""
    pairs = sorted(zip(city.units["area_id"], city.units["name"], strict=False), key=lambda p: (p[1], p[0]))
    return dict(pairs)


def area_choice(city: City, state_key: str) -> None:
    """The Quartiere as a list searchable by typing: the keyboard's and screen reader's map click.

    The list sets ``state_key`` as a click does (so the URL and the map's highlight follow), and it
    shows what the map last chose: before the widget exists, its value is set from ``state_key``.
    """
    s = st.session_state
    names = quartier_names(city)
    widget = f"{state_key}_choice"
    s[widget] = s.get(state_key) if s.get(state_key) in names else None
    st.selectbox(
        t("map.choose_area", lang()),
        list(names),
        index=None,
        format_func=names.__getitem__,
        placeholder=t("map.choose_area.placeholder", lang()),
        key=widget,
        on_change=lambda: s.update({state_key: s[widget]}),
    )


def bezirk_picker(city: City, key: str, controls: bool = True) -> str | None:
    """Sidebar choice of one Stadtbezirk (None = whole city; embedded, or without ``controls``: the link's)."""
    if embedded() or not controls:
        return st.session_state.get(key)
    lg = lang()
    bezirke = dict(zip(city.bezirke["area_id"], city.bezirke["name"], strict=False))
    return st.sidebar.selectbox(
        t("map.filter.bezirk", lg),
        [None, *sorted(bezirke, key=lambda b: bezirke[b])],
        format_func=lambda b: t("map.filter.all_bezirke", lg) if b is None else bezirke[b],
        key=key,
    )


def map_download(loaded: Loaded, table: pd.DataFrame, classes: Classes, view: MapView) -> None:
    """The Karte as it is shown, as PDF or PNG for the meeting (below the map: nothing moves the map)."""
    lg, city = lang(), loaded.city
    downloads.map_buttons(
        lambda: map_export.karte_sheet(city, table, classes, view, settings(), lg, date.today()),
        lambda page, suffix: map_export.file_name("karte", city, view.bezirk, page, suffix),
        lg,
        "karte_map",
    )
