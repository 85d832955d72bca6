"""Quartiersatlas – entry point: page setup, language, navigation over pages/."""

import streamlit as st

from dashboard.i18n import t
from dashboard.web import entry, links, map_first, session, signin

st.set_page_config(page_title="Quartiersatlas", page_icon="🗺️", layout="wide")
start = links.start_from_link()  # the page a shared link opens at the root, and its view
lang = session.lang()
editor_only = "visible" if signin.current_user().is_editor else "hidden"
karte = st.Page("pages/karte.py", title=t("nav.map", lang), icon=":material/map:", default=start == "karte")
luecken = st.Page(
    "pages/luecken.py", title=t("nav.gaps", lang), icon=":material/travel_explore:", default=start == "luecken"
)
profil = st.Page(
    "pages/profil.py", title=t("nav.profile", lang), icon=":material/location_city:", default=start == "profil"
)
pages = [
    karte,
    luecken,
    st.Page("pages/akteure.py", title=t("nav.actors", lang), icon=":material/hub:", default=start == "akteure"),
    st.Page(
        "pages/standorte.py",
        title=t("nav.sites", lang),
        icon=":material/add_location_alt:",
        default=start == "standorte",
    ),
    profil,
    st.Page(
        "pages/vergleich.py",
        title=t("nav.compare", lang),
        icon=":material/compare_arrows:",
        default=start == "vergleich",
    ),
    st.Page(
        "pages/quellen.py", title=t("nav.sources", lang), icon=":material/library_books:", default=start == "quellen"
    ),
    st.Page("pages/ansichten.py", title=t("nav.views", lang), icon=":material/bookmarks:"),
    st.Page("pages/barrierefreiheit.py", title=t("nav.accessibility", lang), icon=":material/accessibility_new:"),
    st.Page("pages/daten.py", title=t("nav.load", lang), icon=":material/upload_file:", visibility=editor_only),
    st.Page(
        "pages/pflege.py", title=t("nav.maintain", lang), icon=":material/edit_location_alt:", visibility=editor_only
    ),
    st.Page("pages/anmelden.py", title=t("nav.signin", lang), icon=":material/login:"),
]
navigation = st.navigation(pages, position="hidden")  # drawn by entry.sidebar_navigation
entry.readable_captions()
entry.keyboard_and_small_screens()
if not session.embedded():
    entry.page_setup(lang, st.sidebar)
    whole = not (navigation in (karte, luecken, profil) and map_first.active())
    if whole:  # else the navigation comes once the map is drawn
        map_first.show_rest()  # another page: the link's map-first screen is over
        entry.sidebar_navigation(pages)
        session.language_picker()
    else:
        map_first.reached(False)
    try:
        navigation.run()
    finally:
        if not whole and map_first.stopped_before_map():  # stopped or failed above its map: the way on, now
            map_first.show_rest()
            entry.sidebar_navigation(pages)
            session.language_picker()
else:  # an embed has no sidebar, and nothing may stand above its map
    navigation.run()
