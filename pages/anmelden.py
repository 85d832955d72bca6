"""Anmelden: editors sign in (OIDC via st.login when configured, else a password account);
everyone else stays a viewer."""

import math

import streamlit as st

from dashboard.i18n import t, tn
from dashboard.model import auth
from dashboard.web import entry, session, signin

entry.through_entry()
lang = session.lang()
st.title(t("signin.heading", lang))
signin.role_badge(lang)
user = signin.current_user()
settings = signin.auth_secrets()

if user.via != "anonymous":
    st.success(
        t("roles.badge.editor", lang, name=user.name)
        if user.is_editor
        else t("signin.signed_in_viewer", lang, name=user.name)
    )
    if st.button(t("signin.sign_out", lang), key="sign_out"):
        signin.sign_out()
        st.rerun()
    st.stop()

st.write(t("signin.intro", lang))
if auth.oidc_configured(settings):
    if st.button(t("signin.oidc", lang), key="sign_in_oidc", type="primary"):
        st.login()
if auth.accounts(settings):
    with st.form("sign_in", clear_on_submit=True):
        name = st.text_input(t("signin.name", lang), key="sign_in_name", autocomplete="username")
        password = st.text_input(
            t("signin.password", lang), type="password", key="sign_in_password", autocomplete="current-password"
        )
        submitted = st.form_submit_button(t("signin.submit", lang))
    if submitted:
        try:
            signin.password_sign_in(name, password)
            st.rerun()
        except auth.SignInRefused as refused:
            if refused.wait_s > 0:
                st.error(tn("signin.locked", math.ceil(refused.wait_s), lang, seconds=math.ceil(refused.wait_s)))
            else:
                st.error(t("signin.invalid", lang))
elif not auth.oidc_configured(settings):
    st.info(t("signin.not_configured", lang))
