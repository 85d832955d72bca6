"""Lückenanalyse: who lacks participation offers, where, how many – and what a new offer would change."""

import streamlit as st

from dashboard.analysis.bivariate import (
    area_need_columns,
    cross,
    need_values,
)
from dashboard.analysis.filters import in_bezirk
from dashboard.i18n import t
from dashboard.maps.gap_map import build_bivariate_map, build_gap_map
from dashboard.model import viewspec
from dashboard.model.areas import area_at
from dashboard.model.targets import has_age_bands
from dashboard.model.viewspec import BUILTIN_NEEDS
from dashboard.reports.gap_figures import (
    headline_figures,
    method_text,
    methods_frame,
    methods_summary,
    settings_text,
)
from dashboard.web import first_screen, karte_widgets, legends, links, luecken_widgets, map_first, map_payload, session
from dashboard.web.tables import figure_table

lang, loaded = session.open_page("gap.heading")
city = loaded.city
st.caption(t("gap.intro", lang))
first = map_first.active()  # a link's first run: the page down to its map, the rest once the map is drawn
bezirk = karte_widgets.bezirk_picker(city, "gap_bezirk", controls=not first)
params = luecken_widgets.gap_controls(city, controls=not first)
if not has_age_bands(city.cells, params.target_group):
    if first:  # no map on this page: the widgets to choose another group come now
        map_first.show_rest()
        st.rerun()
    luecken_widgets.stop_without_age_bands(params.target_group)
before, result = luecken_widgets.gap_results(loaded, params)
figures = headline_figures(result, lang)
if not session.embedded():
    first_screen.phone_summary(figures, settings_text(result, lang), lang)
in_view = set(result.units.index[in_bezirk(result.units.reset_index(), city.units, bezirk)])

GAP_VIEW = viewspec.GAP_VIEW
view = (
    GAP_VIEW.default
    if session.embedded()
    else st.segmented_control(
        t(GAP_VIEW.label_key, lang),
        GAP_VIEW.options,
        format_func=lambda v: t(f"gap.view.{v}", lang),
        default=GAP_VIEW.default,
        key=viewspec.GAP_PREFIX + GAP_VIEW.name,
    )
)
if view == "need":
    needs = [*BUILTIN_NEEDS, *area_need_columns(city)]
    indicator = st.selectbox(
        t(viewspec.NEED.label_key, lang),
        needs,
        format_func=lambda n: t(f"need.{n}", lang) if n in BUILTIN_NEEDS else n,
        key="gap_need",
    )
    crossed = cross(need_values(city, indicator), result.units["gap_index"])
    map_col, list_col = st.columns([3, 2], gap="medium")
    with map_col:
        map_payload.live_map(
            "luecken",
            links.share_slot(),  # below the sidebar's widgets; the map's fragment puts the share box there
            (loaded.version, result.params, result.scenario, indicator, lang, session.settings(), bezirk),
            lambda: (
                build_bivariate_map(loaded.map_data, city, crossed, indicator, session.settings(), lang, bezirk),
                [],
            ),
            key="gap_need_map",
            height=600,
            returned_objects=("center", "zoom"),
            pos_key="gap_map_pos",
            first=first,
        )
        if first:
            map_first.stop_at_map()
        legends.bivariate_legend()
    with list_col:
        st.subheader(t("gap.double_list", lang))
        double = crossed[crossed["double_need"] & crossed.index.isin(in_view)].join(
            result.units[["name", "uncovered_residents"]]
        )
        if double.empty:
            st.info(t("gap.double_none", lang))
        else:
            figure_table(st, luecken_widgets.double_need_frame(double, indicator), lang, "double")
else:
    layers = luecken_widgets.gap_layers(controls=not first)
    map_col, side_col = session.map_columns([4, 3])
    with map_col:
        mode = (
            "select"
            if side_col is None
            else st.radio(
                t("gap.click_mode", lang),
                ["select", "place"],
                format_func=lambda m: t(f"gap.click.{m}", lang),
                horizontal=True,
                key="gap_click_mode",
            )
        )
        selected = st.session_state.get("gap_selected")
        catchments = luecken_widgets.isochrones(loaded, result)

        def act_on_click(out: dict | None) -> None:
            """A click places a planned offer or chooses a Quartier; the whole page reruns, as both change it."""
            if click := karte_widgets.take_click(out, "gap"):
                if mode == "place":
                    luecken_widgets.set_scenario(
                        luecken_widgets.scenario().add(luecken_widgets.planned_offer(click["lng"], click["lat"]))
                    )
                else:
                    st.session_state["gap_selected"] = area_at(city.units, click["lng"], click["lat"])
                st.rerun()

        map_payload.live_map(
            "luecken",
            links.share_slot(),  # below the sidebar's widgets; the map's fragment puts the share box there
            luecken_widgets.gap_map_key(loaded, result, layers, lang, session.settings(), selected, bezirk),
            lambda: build_gap_map(
                loaded.map_data, city, result, layers, session.settings(), lang, selected, bezirk, catchments,
                luecken_widgets.gap_grid(loaded, result) if "grid" in layers else None,
            ),
            key="gap_map",
            height=600,
            returned_objects=("last_object_clicked", "center", "zoom"),
            pos_key="gap_map_pos",
            on_click=act_on_click,
            first=first,
        )  # fmt: skip
        if first:
            map_first.stop_at_map()
        legends.gap_legend(result, layers)
        if catchments is not None:
            st.caption(t("gap.isochrone.caption", lang))
    if side_col is None:
        st.stop()  # embedded: the map alone
    with side_col:
        karte_widgets.area_choice(city, "gap_selected")
        columns = st.columns([5, 5, 3])  # room for seven-digit city totals
        for column, (label, value, exact) in zip(columns, figures, strict=True):
            column.metric(label, value, help=exact)
        st.subheader(t("gap.ranking", lang))
        figure_table(st, luecken_widgets.ranking_table(loaded, result, lang, in_view), lang, "ranking", height=430)
    st.subheader(t("gap.scenario", lang))
    luecken_widgets.scenario_panel(loaded, before, result)
    if city.has_network:  # the comparison is a second walking analysis: computed when someone opens it
        methods = st.expander(t("gap.methods", lang), key="gap_methods_open", on_change="rerun")
        if methods.open:
            comparison = luecken_widgets.method_comparison(loaded, params)
            methods.write(methods_summary(comparison[comparison.index.isin(in_view)], lang))
            figure_table(methods, methods_frame(comparison[comparison.index.isin(in_view)], lang), lang, "methods")

if not session.embedded():
    st.subheader(t("pf.download", lang))
    luecken_widgets.report_panel(loaded, before, result, in_view)
    if view != "need":
        luecken_widgets.map_download(loaded, result, layers, bezirk)
    st.subheader(t("gap.data", lang))
    luecken_widgets.data_panel(loaded, result, in_view)
with st.expander(t("gap.method", lang)):
    st.markdown(method_text(result, city.data_date, lang))
