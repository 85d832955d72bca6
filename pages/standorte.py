"""Standortplanung: where would N new offers reach most of the target group who have none in reach?"""

import streamlit as st

from dashboard.i18n import fmt_int, fmt_share, t, tn
from dashboard.maps.site_map import build_site_map
from dashboard.model.targets import has_age_bands
from dashboard.reports import charts
from dashboard.reports.gap_figures import method_text, settings_line
from dashboard.web import jobs, karte_widgets, links, luecken_widgets, map_payload, session, standort_widgets

lang, loaded = session.open_page("sites.heading")
city = loaded.city
st.caption(t("sites.intro", lang))
bezirk = karte_widgets.bezirk_picker(city, "gap_bezirk")
params = luecken_widgets.gap_controls(city)  # the Lückenanalyse's settings: the sites answer its gap
if not has_age_bands(city.cells, params.target_group):
    luecken_widgets.stop_without_age_bands(params.target_group)
_, result = luecken_widgets.gap_results(loaded, params)
st.markdown(settings_line(result, lang))
choice = standort_widgets.site_controls()
links.sync_url("standorte")  # every setting of the link is chosen by now; what follows may stop the page
candidates = standort_widgets.candidate_list(city, bezirk, choice)
if candidates is None:
    st.stop()
if len(candidates) == 0:
    st.warning(t("sites.no_candidates", lang))
    st.stop()
if choice.sites > len(candidates):
    st.warning(tn("sites.too_many", len(candidates), lang, count=fmt_int(len(candidates), lang)))
    st.stop()
answer = standort_widgets.solve(loaded, result, candidates, choice)
found = answer.found

reached, share, method = st.columns(3)
reached.metric(t("sites.reached", lang), fmt_int(found.objective, lang))
share.metric(
    t("sites.reached_share", lang), fmt_share(found.objective / found.reachable if found.reachable else 0, lang)
)
method.markdown(standort_widgets.method_line(found, answer.quick, lang))
if answer.state == jobs.RUNNING:
    standort_widgets.waiting(answer.job)
elif answer.job:
    standort_widgets.stopped(answer)
if note := standort_widgets.fewer_sites_note(found, choice.sites, lang):
    st.info(note)

map_col, side_col = st.columns([3, 2], gap="medium")
with map_col:
    map_payload.show_map(
        standort_widgets.site_map_key(loaded, result, found, lang, session.settings(), bezirk),
        lambda: (build_site_map(loaded.map_data, city, result, found, session.settings(), lang, bezirk), []),
        key="sites_map",
        height=560,
        returned_objects=(),
    )
    st.caption(t("sites.map.caption", lang))
with side_col:
    st.subheader(t("sites.table", lang))
    st.dataframe(standort_widgets.sites_frame(found, city, lang), hide_index=True, width="stretch")
    take = st.button(
        t("sites.into_scenario", lang),
        type="primary",
        key="sites_into_scenario",
        width="stretch",
        on_click=standort_widgets.keep_gap_view,
    )
    if take:
        standort_widgets.into_scenario(found, params, candidates)
    st.subheader(t("sites.curve", lang))
    st.altair_chart(charts.marginal_curve(answer.curve, lang).properties(height=220), width="stretch")
    st.caption(t("sites.curve.caption", lang))
    with st.expander(t("sites.curve.table", lang)):
        st.dataframe(charts.marginal_table(answer.curve, lang), hide_index=True, width="stretch")
with st.expander(t("map.method", lang)):
    st.markdown(method_text(result, city.data_date, lang))
    st.markdown(t("sites.method.text", lang))
