"""Barrierefreiheit: the Erklärung zur Barrierefreiheit that BITV 2.0 asks for, with a way to report barriers."""

import streamlit as st

from dashboard.i18n import t
from dashboard.web import entry, session, signin

entry.through_entry()
lang = session.lang()
st.title(t("a11y.heading", lang))
signin.role_badge(lang)
st.markdown(t("a11y.scope", lang))
st.subheader(t("a11y.status", lang))
st.markdown(t("a11y.status.text", lang))
st.subheader(t("a11y.gaps", lang))
st.markdown(t("a11y.gaps.text", lang))
st.subheader(t("a11y.feedback", lang))
contact = session.settings().accessibility_contact
st.markdown(t("a11y.feedback.contact", lang, contact=contact) if contact else t("a11y.feedback.none", lang))
st.subheader(t("a11y.enforcement", lang))
st.markdown(t("a11y.enforcement.text", lang))
st.caption(t("a11y.made", lang))
