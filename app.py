"""Quartiersatlas – entry point: page setup, language, navigation over pages/.

Page URLs differ from the file names in pages/ on purpose: Streamlit runs the
first session of a fresh server in its old pages-folder mode, which would
serve a URL equal to a file name without this entry point.
"""

import streamlit as st

from dashboard import ui
from dashboard.i18n import t

st.set_page_config(page_title="Quartiersatlas", page_icon=":material/map:", layout="wide")
ui.language_picker()
lang = ui.lang()
navigation = st.navigation(
    [
        st.Page("pages/karte.py", title=t("nav.map", lang), icon=":material/map:", default=True),
        st.Page("pages/luecken.py", title=t("nav.gaps", lang), icon=":material/travel_explore:", url_path="lueckenanalyse"),
        st.Page("pages/quellen.py", title=t("nav.sources", lang), icon=":material/library_books:", url_path="daten"),
    ]
)
navigation.run()
