"""Daten & Quellen: where each layer comes from, its licence, attribution and Stand."""

import streamlit as st

from dashboard import ui
from dashboard.i18n import t
from dashboard.sources import basemap_text, sources_frame

lang = ui.lang()
city, _, workspace, _ = ui.load_city()
st.title(t("sources.heading", lang))
ui.banners(city)
st.write(t("sources.intro", lang))
st.dataframe(sources_frame(workspace, lang), hide_index=True, width="stretch")
st.subheader(t("sources.basemap", lang))
st.write(basemap_text(ui.settings(), lang))
st.subheader(t("sources.software", lang))
st.write(t("sources.software.text", lang))
