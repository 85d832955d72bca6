"""Karte: all layers on one map, the first participation-gap view, key figures of a clicked Quartier."""

import streamlit as st

from dashboard.analysis.classify import classify
from dashboard.analysis.indicators import ranking
from dashboard.i18n import code_label, fmt_num, t, tn
from dashboard.maps.karte import build_map
from dashboard.model.areas import area_at
from dashboard.reports.figures import headline_key_figures, key_figures, ranking_frame
from dashboard.reports.gap_figures import map_view_settings_text
from dashboard.web import first_screen, karte_widgets, legends, links, map_first, map_payload, session

lang, loaded = session.open_page("map.heading")
city, map_data, version = loaded.city, loaded.map_data, loaded.version
first = map_first.active()  # a link's first run: the page down to its map, the rest once the map is drawn
view = karte_widgets.map_view_controls(city, controls=not first)
table = karte_widgets.unit_table(version, city, view)
classes = classify(table[view.measure], view.classification, view.classes, reverse=view.measure == "offers_per_1000")

selected = st.session_state.get("selected")
rows = key_figures(table, selected, view, lang) if selected in table.index else None
if not session.embedded():  # always drawn, so that the map below keeps its place in the page between runs
    first_screen.phone_summary(
        headline_key_figures(rows, view, lang) if rows else (),
        map_view_settings_text(view, lang),
        lang,
        t("map.selected", lang, name=table.loc[selected, "name"]) if rows else None,
    )


def select_clicked(result: dict | None) -> None:
    """A click on the map chooses its Quartier; the whole page reruns, as the side column shows it."""
    if click := karte_widgets.take_click(result, "karte"):
        st.session_state["selected"] = area_at(city.units, click["lng"], click["lat"])
        st.rerun()


share = links.share_slot()  # below the sidebar's widgets; the map's fragment puts the share box there
map_col, side_col = session.map_columns([4, 3])
with map_col:
    map_payload.live_map(
        "karte",
        share,
        (version, view, lang, session.settings()),
        lambda: build_map(map_data, city, table, classes, view, session.settings(), lang),
        key="karte",
        height=620,
        returned_objects=("last_object_clicked", "center", "zoom"),  # a pan or zoom reruns the map: the URL follows
        pos_key="map_pos",
        on_click=select_clicked,
        first=first,
    )
    if first:
        map_first.stop_at_map()
    legends.legend(classes, view)
    if not session.embedded():
        karte_widgets.map_download(loaded, table, classes, view)  # fitted to the data: no position, live or linked
if side_col is None:
    st.stop()  # embedded: the map alone

with side_col:
    karte_widgets.area_choice(city, "selected")
    if rows:
        st.subheader(t("map.selected", lang, name=table.loc[selected, "name"]))
        st.table(karte_widgets.figures_frame(rows))
        if st.button(t("map.clear_selection", lang)):
            st.session_state["selected"] = None
            st.rerun()
    else:
        st.info(t("map.click_hint", lang))
    st.subheader(t("map.ranking", lang))
    ranked = ranking(table[karte_widgets.in_view(table, city, view)], view.measure).head(15)
    st.table(ranking_frame(ranked, table, view, lang).set_index(t("fig.rank", lang)))
    st.caption(
        tn(
            "map.ranking.caption",
            view.min_residents,
            lang,
            measure=t(f"map.measure.{view.measure}", lang, threshold=view.threshold_m),
            min_residents=view.min_residents,
        )
    )

with st.expander(t("map.method", lang), expanded=False):
    st.write(
        t(
            "map.method.text",
            lang,
            level=code_label(view.min_level, lang),
            detour=fmt_num(view.detour, lang),
            threshold=view.threshold_m,
            method=t(f"classify.{view.classification}", lang),
            min_residents=view.min_residents,
        )
    )
