"""Who is using this session: OIDC login, password sign-in or nobody (an anonymous viewer).

The signed-in user lives in server-side session state (a ``User`` no widget or URL can set).
The rules are in ``dashboard.model.auth`` and ``dashboard.model.roles``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import cast

import streamlit as st

from dashboard.i18n import t
from dashboard.model import auth
from dashboard.model.roles import ANONYMOUS, User
from dashboard.store.base import DataStore, StoreError

log = logging.getLogger(__name__)

_USER_KEY = "_signed_in_user"


def auth_secrets() -> Mapping:
    """The [auth] section of the secrets ({} when there is none or no secrets file)."""
    try:
        return st.secrets.get("auth", {})
    except FileNotFoundError:
        return {}


class _Ledger:
    """Failed sign-ins in the store, so all instances count together; in this process while the store cannot
    keep them (the demo file, no store yet, the database unreachable or not yet updated by ``db-setup``)."""

    def __init__(self) -> None:
        self.here = auth.MemoryLedger()

    def _store(self) -> DataStore | None:
        from dashboard.web.session import settings  # the session module signs in through this one

        current = settings()
        if not current.is_database and (current.uses_demo or not current.store_path.exists()):
            return None
        return current.store()

    def signin_attempts(self, keys):
        try:
            if (store := self._store()) is not None:
                return store.signin_attempts(keys)
        except StoreError:
            log.warning("sign-in attempts counted in this process only: the store cannot keep them")
        return self.here.signin_attempts(keys)

    def record_signin_attempts(self, changes, forget_before):
        try:
            if (store := self._store()) is not None:
                return store.record_signin_attempts(changes, forget_before)
        except StoreError:
            log.warning("sign-in attempts counted in this process only: the store cannot keep them")
        return self.here.record_signin_attempts(changes, forget_before)


@st.cache_resource(show_spinner=False)
def limiter() -> auth.RateLimiter:
    """One rate limiter for all sessions of this server process, counting in the store."""
    return auth.RateLimiter(_Ledger())


def current_user() -> User:
    """The signed-in user of this session, or the anonymous viewer."""
    settings = auth_secrets()
    if auth.oidc_configured(settings) and st.user.get("is_logged_in"):
        # streamlit types every claim as str | bool | TokensProxy | None; these two are str and bool
        email, verified = cast(str | None, st.user.get("email")), cast(bool | None, st.user.get("email_verified"))
        return auth.oidc_user(email, verified, settings)
    return st.session_state.get(_USER_KEY, ANONYMOUS)


def password_sign_in(name: str, password: str) -> User:
    """Check name and password against the configured accounts; raises ``auth.SignInRefused``."""
    from dashboard.web.session import settings  # the session module signs in through this one

    peer = st.context.ip_address
    forwarded = st.context.headers.get("X-Forwarded-For")
    client = auth.client_address(
        peer if isinstance(peer, str) else None,  # None on this machine (and a stand-in under AppTest)
        forwarded if isinstance(forwarded, str) else None,
        settings().trusted_proxies,
    )
    user = auth.sign_in(auth.accounts(auth_secrets()), name, password, client, limiter())
    st.session_state[_USER_KEY] = user
    return user


def sign_out() -> None:
    st.session_state.pop(_USER_KEY, None)
    if auth.oidc_configured(auth_secrets()) and st.user.get("is_logged_in"):
        st.logout()


def role_badge(lang: str) -> None:
    """The reader's role in the sidebar of every page."""
    user = current_user()
    text = t("roles.badge.editor", lang, name=user.name) if user.is_editor else t("roles.badge.viewer", lang)
    st.sidebar.caption(text)
