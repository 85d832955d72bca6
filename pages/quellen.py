"""Daten & Quellen: where each layer comes from, its licence, attribution and Stand."""

import streamlit as st

from dashboard.i18n import t, tn
from dashboard.ingest.validation import problems_frame
from dashboard.reports.sources import basemap_text, sources_frame
from dashboard.web import links, session

lang, loaded = session.open_page("sources.heading")
city, workspace = loaded.city, loaded.workspace
st.write(t("sources.intro", lang))
st.dataframe(sources_frame(workspace, lang), hide_index=True, width="stretch")
st.subheader(t("sources.basemap", lang))
st.write(basemap_text(session.settings(), lang))
st.subheader(t("sources.software", lang))
st.write(t("sources.software.text", lang))
st.subheader(t("sources.quality", lang))
errors = sum(p.severity == "error" for p in loaded.problems)
warnings = len(loaded.problems) - errors
st.write(
    t(
        "sources.quality.summary",
        lang,
        errors=tn("sources.quality.errors", errors, lang),
        warnings=tn("sources.quality.warnings", warnings, lang),
    )
)
if loaded.problems:
    with st.expander(t("sources.quality.details", lang)):
        st.dataframe(problems_frame(loaded.problems, lang), hide_index=True, width="stretch")
links.sync_url("quellen")
