"""The Lückenanalyse page's widgets, its cached gap results and the scenario panel."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import streamlit as st

from dashboard import i18n
from dashboard.analysis import gaps
from dashboard.analysis.bivariate import (
    need_text,
)
from dashboard.analysis.city import City
from dashboard.analysis.classify import (
    parse_breaks,
)
from dashboard.analysis.gaps import GapParams
from dashboard.analysis.walknet import WalkingDistance
from dashboard.i18n import code_label, t, tn
from dashboard.maps.gap_map import GridPicture, grid_picture
from dashboard.model import schema, share_state, viewspec
from dashboard.model.scenario import SCENARIO_PREFIX, NewOffer, Scenario
from dashboard.model.targets import DEFAULT_THRESHOLD_M
from dashboard.reports import council, gap_figures, map_export
from dashboard.web import downloads, places
from dashboard.web.cache_keys import HASH_FUNCS
from dashboard.web.controls import code_choice, level_slider, number_input, slider
from dashboard.web.links import view_state
from dashboard.web.session import Loaded, embedded, lang, settings
from dashboard.web.tables import figure_table

GAP = viewspec.GAP_PREFIX


def gap_controls(city: City, controls: bool = True) -> GapParams:
    """Sidebar widgets → the parameters of the gap analysis (each target group keeps its own threshold).

    Walking routes are offered only where the city has a path network; otherwise the sidebar says
    that distances are straight lines times the detour factor. Embedded, or without ``controls``: the link's.
    """
    if controls and not embedded():
        _gap_widgets(city)
    return gaps.params_from_view(view_state("luecken"), has_network=city.paths is not None)


def stop_without_age_bands(group: str) -> None:
    """The population has no age bands for ``group``: say so, offer the whole population and stop the page.

    A shared link keeps its group on a city that counts residents only in totals; the group's choice sits in the
    sidebar, folded away on a phone, so the way out is offered beside the message.
    """
    lg = lang()
    st.warning(t("gap.no_age_bands", lg, group=code_label(group, lg)))
    st.button(t("gap.no_age_bands.all", lg), key="gap_all_residents", on_click=_choose_all_residents)
    st.stop()


def _choose_all_residents() -> None:
    st.session_state[GAP + viewspec.TARGET_GROUP.name] = "alle"


def _gap_widgets(city: City) -> None:
    lg = lang()
    side = st.sidebar
    spec = viewspec
    group = code_choice(side, spec.TARGET_GROUP, GAP + spec.TARGET_GROUP.name)
    # each target group keeps its own threshold, starting at the group's default
    number_input(side, spec.THRESHOLD, f"{GAP}{spec.THRESHOLD.name}_{group}", default=DEFAULT_THRESHOLD_M[group])
    distance = spec.DISTANCE.default
    if city.paths is None:
        side.caption(t("gap.distance.no_network", lg))
    else:
        distance = side.radio(
            t(spec.DISTANCE.label_key, lg),
            spec.DISTANCE.options,
            format_func=lambda d: t(f"gap.distance.{d}", lg),
            horizontal=True,
            key=GAP + spec.DISTANCE.name,
        )
    slider(side, spec.DETOUR, GAP + spec.DETOUR.name, disabled=distance == "fussweg")
    level_slider(side, spec.MIN_LEVEL, GAP + spec.MIN_LEVEL.name)
    with side.expander(t(spec.WEIGHTS.label_key, lg)):
        w = spec.WEIGHTS
        for c, default in zip(spec.COMPONENTS, w.default, strict=True):
            st.slider(t(f"gap.component.{c}", lg), w.low, w.high, default, w.step, key=f"gap_weight_{c}")
    number_input(side, spec.MIN_RESIDENTS, GAP + spec.MIN_RESIDENTS.name)
    classification = side.selectbox(
        t(spec.CLASSIFICATION.label_key, lg),
        spec.CLASSIFICATION.options,
        format_func=lambda c: t(f"classify.{c}", lg),
        key=GAP + spec.CLASSIFICATION.name,
    )
    if classification == "user":
        default_breaks = ", ".join(f"{b:g}" for b in spec.BREAKS.default)
        text = side.text_input(t(spec.BREAKS.label_key, lg), default_breaks, key=GAP + spec.BREAKS.name)
        if parse_breaks(text) is None:
            side.warning(t("gap.breaks_invalid", lg, text=text))


def gap_layers(controls: bool = True) -> frozenset[str]:
    if embedded() or not controls:
        return view_state("luecken").get("gap_layers")
    lg = lang()
    st.sidebar.subheader(t("gap.layers", lg))
    spec = viewspec.GAP_LAYERS
    return frozenset(
        k
        for k in spec.options
        if st.sidebar.checkbox(t(f"gap.layer.{k}", lg), value=k in spec.default, key=f"gap_layer_{k}")
    )


@st.cache_resource(show_spinner=False, max_entries=16, hash_funcs=HASH_FUNCS)
def _status_quo(version: str, params: GapParams, _city: City) -> gaps.GapResult:
    return gaps.analyse(_city, params)


@st.cache_resource(show_spinner=False, max_entries=16, hash_funcs=HASH_FUNCS)
def _scenario_result(version: str, params: GapParams, scenario: Scenario, _city: City) -> gaps.GapResult:
    return gaps.with_scenario(_city, _status_quo(version, params, _city), scenario)


def prepare_default_view(loaded: Loaded) -> None:
    """The default analysis and its report context, which every Quartiersprofil shows, made at the server's start
    (once per data version either way)."""
    result = _status_quo(loaded.version, GapParams(), loaded.city)
    report_context(loaded, result, result, i18n.DEFAULT_LANGUAGE, date.today())


def gap_results(loaded: Loaded, params: GapParams) -> tuple[gaps.GapResult, gaps.GapResult]:
    """Status quo and the current scenario (the same object when the scenario is empty)."""
    before = _status_quo(loaded.version, params, loaded.city)
    current = scenario()
    return before, before if current.is_empty else _scenario_result(loaded.version, params, current, loaded.city)


@st.cache_resource(show_spinner=False, max_entries=16, hash_funcs=HASH_FUNCS)
def _grid_picture(version: str, params: GapParams, scenario: Scenario, _result: gaps.GapResult) -> GridPicture | None:
    return grid_picture(_result)


def gap_grid(loaded: Loaded, result: gaps.GapResult) -> GridPicture | None:
    """The distance grid's picture of ``result``, drawn once per data version, parameters and scenario."""
    return _grid_picture(loaded.version, result.params, result.scenario, result)


@st.cache_resource(show_spinner=False, max_entries=32, hash_funcs=HASH_FUNCS)
def _ranking_table(
    version: str, params: GapParams, scenario: Scenario, lang: str, in_view: frozenset[str], _result: gaps.GapResult
) -> pd.DataFrame:
    return gap_figures.ranking_frame(_result, lang, in_view)


def ranking_table(loaded: Loaded, result: gaps.GapResult, lang: str, in_view: set[str]) -> pd.DataFrame:
    """The page's ranking of ``result`` in the Stadtbezirk shown, its figures rounded once per data version, view
    and language (every run of the page shows it; read only: kept as it is, not copied for each run)."""
    return _ranking_table(loaded.version, result.params, result.scenario, lang, frozenset(in_view), result)


@st.cache_data(show_spinner=False, max_entries=64)
def _isochrone(version: str, x: float, y: float, _city: City) -> gpd.GeoDataFrame:
    assert _city.network is not None  # only asked for walking results
    return WalkingDistance(_city.network).isochrone((x, y))


def isochrones(loaded: Loaded, result: gaps.GapResult) -> gpd.GeoDataFrame | None:
    """Walking catchments of the planned offers and of the offer chosen in the scenario panel (Fußweg only)."""
    if not isinstance(result.method, WalkingDistance):
        return None
    chosen = st.session_state.get("gap_toggle_offer")
    offers = result.offers
    shown = offers[offers["offer_id"].str.startswith(SCENARIO_PREFIX) | (offers["offer_id"] == chosen)]
    parts = [
        _isochrone(loaded.version, float(x), float(y), loaded.city)
        for x, y in zip(shown["x"], shown["y"], strict=False)
    ]
    return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=parts[0].crs) if parts else None


def gap_map_key(loaded: Loaded, result: gaps.GapResult, *view) -> tuple:
    """What the gap map of ``result`` shows – with the catchment of the offer chosen in the scenario panel –
    as the key its payload is kept under (``map_payload``); ``view`` names the rest."""
    return (loaded.version, result.params, result.scenario, st.session_state.get("gap_toggle_offer"), *view)


def method_comparison(loaded: Loaded, params: GapParams) -> pd.DataFrame:
    """Luftlinie against Fußweg per Quartier (the city must have a walking network: ``City.has_network``)."""
    straight = _status_quo(loaded.version, replace(params, distance="luftlinie"), loaded.city)
    walking = _status_quo(loaded.version, replace(params, distance="fussweg"), loaded.city)
    return gaps.compare_methods(straight, walking)


def scenario() -> Scenario:
    return st.session_state.get("scenario", Scenario())


def set_scenario(value: Scenario) -> None:
    st.session_state["scenario"] = value


def planned_offer(lon: float, lat: float) -> NewOffer:
    """A new offer at a clicked (or keyboard-chosen) place with the properties set in the scenario panel."""
    state = st.session_state
    lon, lat = share_state.place(lon, lat)
    return NewOffer(
        lon=lon,
        lat=lat,
        category=state.get("gap_new_category", "begegnung"),
        target_groups=tuple(state.get("gap_new_groups", ["alle"])) or ("alle",),
        level=state.get("gap_new_level", schema.DEFAULT_PARTICIPATION_LEVEL),
        capacity=int(state.get("gap_new_capacity", 30)) or None,
        name=state.get("gap_new_name") or t("gap.scenario.default_name", lang()),
    )


def _place_by_keyboard(loaded: Loaded) -> None:
    """The keyboard's way to place a planned offer; it ends where a map click ends (``planned_offer``)."""
    if point := places.keyboard_place(loaded, "gap_place", places.PLANNED_OFFER):
        set_scenario(scenario().add(planned_offer(*point)))
        st.rerun()


def scenario_panel(loaded: Loaded, before: gaps.GapResult, after: gaps.GapResult) -> None:
    """Inputs for the next planned offer and where it goes without the map, switching offers off, reset,
    and the effect."""
    lg = lang()
    new_col, off_col = st.columns(2)
    with new_col:
        st.markdown(f"**{t('gap.scenario.new', lg)}**")
        st.text_input(t("gap.scenario.name", lg), t("gap.scenario.default_name", lg), key="gap_new_name")
        st.selectbox(
            t("map.filter.categories", lg),
            schema.CATEGORIES,
            format_func=lambda c: code_label(c, lg),
            key="gap_new_category",
        )
        st.multiselect(
            t("map.filter.target_groups", lg),
            schema.TARGET_GROUPS,
            default=["alle"],
            format_func=lambda c: code_label(c, lg),
            key="gap_new_groups",
        )
        st.select_slider(
            t("map.filter.min_level", lg),
            schema.LEVELS,
            value="mitwirkung",
            format_func=lambda c: code_label(c, lg),
            key="gap_new_level",
        )
        st.number_input(t("gap.scenario.capacity", lg), 0, 1000, 30, 5, key="gap_new_capacity")
        st.markdown(f"**{t('gap.place', lg)}**")
        _place_by_keyboard(loaded)
    with off_col:
        labels = _offer_names(before)
        choice = st.selectbox(
            t("gap.scenario.disable", lg), list(labels), format_func=lambda i: labels[i], key="gap_toggle_offer"
        )
        if st.button(t("gap.scenario.toggle", lg), disabled=choice is None):
            set_scenario(scenario().toggle(choice))
            st.rerun()
        if st.button(t("gap.scenario.reset", lg), disabled=scenario().is_empty):
            set_scenario(Scenario())
            st.rerun()
    current = scenario()
    if current.is_empty:
        st.info(t("gap.scenario.empty", lg))
        return
    effect, table = _scenario_effect(loaded.version, after.params, current, lg, before, after)
    st.success(
        tn("gap.scenario.changes", len(current.added), lg, added=len(current.added), disabled=len(current.disabled))
        + " "
        + effect
    )
    figure_table(st, table, lg, "scenario")


def _offer_names(before: gaps.GapResult) -> dict[str, str]:
    """The offers a scenario can switch off, by name: sorting a few thousand names is quicker than a cache's key
    (the threshold, which changes no offer, is part of every result's parameters)."""
    ids, names = before.offers["offer_id"].to_numpy(), before.offers["name"].to_numpy()
    order = np.argsort(names.astype(str), kind="stable")
    return dict(zip(ids[order], names[order], strict=True))


@st.cache_resource(show_spinner=False, max_entries=32, hash_funcs=HASH_FUNCS)
def _scenario_effect(
    version: str, params: GapParams, scenario: Scenario, lang: str, _before: gaps.GapResult, _after: gaps.GapResult
) -> tuple[str, pd.DataFrame]:
    """The scenario's effect in words and per Quartier, once per view (every run of the page shows it; read only)."""
    return gap_figures.scenario_effect(_before, _after, lang), gap_figures.scenario_frame(
        gaps.compare(_before, _after), lang
    )


def double_need_frame(double: pd.DataFrame, indicator: str) -> pd.DataFrame:
    """The Quartiere of double need, largest gap first (figures as ``gap_figures.shown``)."""
    lg = lang()
    double = double.sort_values("gap_index", ascending=False, kind="stable")
    return pd.DataFrame(
        {
            t("fig.area", lg): double["name"].to_numpy(),
            t("gap.need", lg): [need_text(v, indicator, lg) for v in double["need"]],
            t("gap.col.index", lg): gap_figures.shown(double["gap_index"], "index"),
            t("gap.col.uncovered", lg): gap_figures.shown(double["uncovered_residents"], "count"),
        }
    )


def report_panel(loaded: Loaded, before: gaps.GapResult, after: gaps.GapResult, area_ids: set[str]) -> None:
    """The council report of a Quartier made from this view – its settings and scenario – for the meeting.

    The list starts at the area chosen on the map, else at the largest gap among the areas shown.
    """
    lg = lang()
    ranked = [a for a in gaps.ranked(after).index if a in area_ids]
    names = after.units["name"].to_dict()  # a dict: the list below asks once per Quartier on every run
    options = ranked + sorted((a for a in area_ids if a not in ranked), key=lambda a: str(names.get(a, a)))
    if not options:
        return
    state, selected = st.session_state, st.session_state.get("gap_selected")
    if selected in options and selected != state.get("_gap_report_followed"):  # a new choice on the map
        state["_gap_report_followed"] = state["gap_report_area"] = selected
    elif state.get("gap_report_area") not in options:
        state["gap_report_area"] = options[0]
    area_id = st.selectbox(
        t("gap.report.area", lg), options, format_func=lambda a: str(names.get(a, a)), key="gap_report_area"
    )
    st.caption(t("gap.report.caption", lg))
    today = date.today()
    downloads.report_buttons(
        lambda: council.from_results(loaded.workspace, loaded.city, before, after, today, lg), area_id, "gap_report", lg
    )


@st.cache_resource(show_spinner=False, max_entries=16, hash_funcs=HASH_FUNCS)
def _report_context(
    version: str, params: GapParams, scenario: Scenario, lang: str, today: date, _loaded: Loaded, _before, _after
) -> council.ReportContext:
    """The report's context (its counts per Quartier take a tenth of a second) once per view and day."""
    return council.from_results(_loaded.workspace, _loaded.city, _before, _after, today, lang)


def report_context(
    loaded: Loaded, before: gaps.GapResult, after: gaps.GapResult, lang: str, today: date
) -> council.ReportContext:
    """The council report's context of a view (status quo ``before``, ``after`` with its scenario)."""
    return _report_context(loaded.version, after.params, after.scenario, lang, today, loaded, before, after)


def data_panel(loaded: Loaded, result: gaps.GapResult, area_ids: set[str]) -> None:
    """The figures of this view as files for Excel and GIS, beside the report for the meeting."""
    lg = lang()
    st.caption(t("gap.data.caption", lg))
    downloads.analysis_buttons(loaded.city, result, area_ids, lg)


def map_download(loaded: Loaded, result: gaps.GapResult, layers: frozenset[str], bezirk: str | None) -> None:
    """The gap map as it is shown – layers, Stadtbezirk, scenario – as PDF or PNG for the meeting."""
    lg, city = lang(), loaded.city
    selected = st.session_state.get("gap_selected")
    downloads.map_buttons(
        lambda: map_export.gap_sheet(city, result, layers, settings(), lg, date.today(), bezirk, selected),
        lambda page, suffix: map_export.file_name("luecken", city, bezirk, page, suffix),
        lg,
        "gap_map_file",
    )
