"""Quartiersprofil: one Quartier or Stadtbezirk beside its Stadtbezirk and the city – and its council report."""

from datetime import date

import streamlit as st

from dashboard.analysis import profile as pf
from dashboard.analysis.gaps import GapParams
from dashboard.i18n import code_label, t, tn
from dashboard.maps.area_map import interactive_map
from dashboard.web import downloads, links, luecken_widgets, map_first, map_payload, profile_view, session

lang, loaded = session.open_page("pf.heading")
city = loaded.city
first = map_first.active()  # a link's first run: the page down to its map, the rest once the map is drawn
labels = profile_view.area_labels(loaded, lang)
if not labels:
    if first:  # no map on this page: the rest comes now
        map_first.show_rest()
        st.rerun()
    st.info(t("pf.no_areas", lang))
    st.stop()

# Which area: a new click on the Karte, else the list – which starts at the link's area
# (?gebiet=0101, see share_state), the area shown last (widget state ends when another page runs),
# or the first Quartier.
clicked = st.session_state.get("selected")
if clicked in labels and clicked != st.session_state.get("_profile_clicked"):
    st.session_state["_profile_clicked"] = clicked
    st.session_state["profile_area"] = clicked
elif st.session_state.get("profile_area") not in labels:
    last = st.session_state.get("_profile_last")
    st.session_state["profile_area"] = last if last in labels else city.units["area_id"].iloc[0]
choice = st.container()  # the list, in its place above the map; on a link's first screen it comes with the rest
if first:
    area_id = st.session_state["profile_area"]
else:
    area_id = choice.selectbox(t("pf.choose", lang), list(labels), format_func=labels.get, key="profile_area")
st.session_state["_profile_last"] = area_id

result, _ = luecken_widgets.gap_results(loaded, GapParams())
today = date.today()
report = luecken_widgets.report_context(loaded, result, result, lang, today)
view = profile_view.profile_view(loaded, report, area_id, lang, today)  # the default view: made once per data version
area = view.profile.area

st.header(t("pf.title", lang, level=code_label(area.level, lang), name=area.name))
if area.parent_name:
    st.caption(t("pf.in_bezirk", lang, name=area.parent_name))
figures_col, map_col = st.columns([3, 2], gap="medium")
with map_col:
    st.subheader(t("pf.map", lang))
    map_payload.live_map(
        "profil",
        links.share_slot(),
        (loaded.version, area_id, lang, session.settings()),
        lambda: (interactive_map(loaded.map_data, city, area, session.settings(), lang), []),
        key="profile_map",
        height=320,
        returned_objects=("center", "zoom"),  # its first report brings the rest of a page drawn map-first
        pos_key="profile_map_pos",
        first=first,
    )
    if first:
        map_first.stop_at_map()
    st.subheader(t("pf.download", lang))
    downloads.report_buttons(lambda: report, area_id, "profile", lang)
with figures_col:
    st.subheader(t("pf.figures", lang))
    for title, frame in view.sections:
        st.markdown(f"**{title}**")
        st.dataframe(frame, height="content")  # not st.table: it would read area names as Markdown

st.subheader(t("pf.charts", lang))
chart_cols = st.columns(2)
for i, spec in enumerate(view.charts):
    chart_cols[i % 2].vega_lite_chart(spec, width="stretch")

for key, count, frame in view.lists:
    st.subheader(t(key, lang, n=count))
    if count:
        st.dataframe(frame, hide_index=True, width="stretch")
    else:
        st.info(t("pf.none", lang))
st.caption(tn("pf.outdated_note", pf.DEFAULT_MAX_AGE_MONTHS, lang, months=pf.DEFAULT_MAX_AGE_MONTHS))
