"""Quartiersatlas – entry point: page setup, language, navigation over pages/."""

import streamlit as st

from dashboard.i18n import t
from dashboard.web import links, session, signin

st.set_page_config(page_title="Quartiersatlas", page_icon="🗺️", layout="wide")
start = links.start_from_link()  # the page and view a shared link names
if not session.embedded():
    session.language_picker()
lang = session.lang()
navigation = st.navigation(
    [
        st.Page("pages/karte.py", title=t("nav.map", lang), icon=":material/map:", default=start == "karte"),
        st.Page(
            "pages/luecken.py", title=t("nav.gaps", lang), icon=":material/travel_explore:", default=start == "luecken"
        ),
        st.Page("pages/akteure.py", title=t("nav.actors", lang), icon=":material/hub:", default=start == "akteure"),
        st.Page(
            "pages/profil.py", title=t("nav.profile", lang), icon=":material/location_city:", default=start == "profil"
        ),
        st.Page(
            "pages/vergleich.py",
            title=t("nav.compare", lang),
            icon=":material/compare_arrows:",
            default=start == "vergleich",
        ),
        st.Page(
            "pages/quellen.py",
            title=t("nav.sources", lang),
            icon=":material/library_books:",
            default=start == "quellen",
        ),
        st.Page(
            "pages/daten.py",
            title=t("nav.load", lang),
            icon=":material/upload_file:",
            visibility="visible" if signin.current_user().is_editor else "hidden",
        ),
        st.Page(
            "pages/pflege.py",
            title=t("nav.maintain", lang),
            icon=":material/edit_location_alt:",
            visibility="visible" if signin.current_user().is_editor else "hidden",
        ),
        st.Page("pages/anmelden.py", title=t("nav.signin", lang), icon=":material/login:"),
    ],
    position="hidden" if session.embedded() else "sidebar",
)
navigation.run()
