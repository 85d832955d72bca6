"""Vergleich: up to four areas side by side, every Quartier with every figure, and the files to take away."""

import streamlit as st

from dashboard.analysis import profile as pf
from dashboard.analysis.gaps import GapParams
from dashboard.i18n import t
from dashboard.reports import comparison as cmp
from dashboard.web import links, luecken_widgets, profile_view, session

lang, loaded = session.open_page("cmp.heading")
city = loaded.city
st.caption(t("cmp.intro", lang))
labels = profile_view.area_labels(loaded, lang)
if not labels:
    st.info(t("pf.no_areas", lang))
    st.stop()
chosen = st.multiselect(
    t("cmp.choose", lang),
    list(labels),
    format_func=labels.get,
    max_selections=4,
    placeholder=t("cmp.placeholder", lang),
    key="cmp_areas",
)

result, _ = luecken_widgets.gap_results(loaded, GapParams())
counts = pf.unit_counts(city, result)
if len(chosen) >= 2:
    st.subheader(t("cmp.side_by_side", lang))
    side_by_side = cmp.area_values(city, result, counts, chosen)
    for title, frame in pf.figure_sections(side_by_side, [labels[a] for a in chosen], pf.figures(city), lang):
        st.markdown(f"**{title}**")
        st.dataframe(frame, height="content")  # not st.table: it would read area names as Markdown
else:
    st.info(t("cmp.choose_more", lang))

st.subheader(t("cmp.all", lang))
everything = cmp.all_quartiere(city, result, counts)
table = cmp.indicator_table(everything, city, lang)
localized = {
    column: st.column_config.NumberColumn(format="localized") for column in table.select_dtypes("number").columns
}
st.dataframe(table, hide_index=True, width="stretch", height=420, column_config=localized)

st.subheader(t("cmp.downloads", lang))
selection = cmp.area_values(city, result, counts, chosen) if chosen else everything
csv_col, gpkg_col, json_col = st.columns(3)
csv_col.download_button(
    t("cmp.download.csv", lang), lambda: cmp.csv_export(selection, city, lang),
    file_name="vergleich.csv", mime="text/csv", on_click="ignore", icon=":material/table:", key="cmp_csv",
)  # fmt: skip
gpkg_col.download_button(
    t("cmp.download.gpkg", lang), lambda: cmp.gpkg_export(selection, city),
    file_name="vergleich.gpkg", mime="application/geopackage+sqlite3", on_click="ignore", icon=":material/layers:",
    key="cmp_gpkg",
)  # fmt: skip
json_col.download_button(
    t("cmp.download.geojson", lang), lambda: cmp.geojson_export(selection, city),
    file_name="vergleich.geojson", mime="application/geo+json", on_click="ignore", icon=":material/map:",
    key="cmp_geojson",
)  # fmt: skip
links.sync_url("vergleich")
