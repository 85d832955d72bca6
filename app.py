"""Quartiersatlas – entry point: page setup, language, navigation over pages/."""

import streamlit as st

from dashboard import ui
from dashboard.i18n import t

st.set_page_config(page_title="Quartiersatlas", page_icon="🗺️", layout="wide")
ui.language_picker()
lang = ui.lang()
navigation = st.navigation(
    [
        st.Page("pages/karte.py", title=t("nav.map", lang), icon=":material/map:", default=True),
        st.Page("pages/luecken.py", title=t("nav.gaps", lang), icon=":material/travel_explore:"),
        st.Page("pages/akteure.py", title=t("nav.actors", lang), icon=":material/hub:"),
        st.Page("pages/profil.py", title=t("nav.profile", lang), icon=":material/location_city:"),
        st.Page("pages/vergleich.py", title=t("nav.compare", lang), icon=":material/compare_arrows:"),
        st.Page("pages/quellen.py", title=t("nav.sources", lang), icon=":material/library_books:"),
    ]
)
navigation.run()
