"""What every page needs first: the reader's language, the deployment's settings, the loaded city
(read and prepared once per data version and role) and the page frame (title, notices, embed mode).
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass

import streamlit as st

from dashboard import i18n
from dashboard.analysis.city import City, prepare
from dashboard.i18n import t
from dashboard.ingest.validation import Problem, validate_workspace
from dashboard.maps.karte import (
    MapData,
    prepare_map_data,
)
from dashboard.model.roles import Role, workspace_for
from dashboard.model.workspace import Workspace
from dashboard.store import gpkgfile
from dashboard.store.base import StoreError
from dashboard.store.settings import Settings, load_settings
from dashboard.web import saved_views
from dashboard.web.entry import through_entry
from dashboard.web.signin import current_user, role_badge

log = logging.getLogger(__name__)


def open_page(title_key: str) -> tuple[str, Loaded]:
    """What every page does first: run inside app.py, load the city, title, demo notice and data date."""
    through_entry()
    loaded = load()
    if not embedded():  # an embedded map has no title and no sidebar
        st.title(t(title_key, lang(), city=loaded.city.name))
        role_badge(lang())
    if notices := on_opening_page("_link_notices", title_key):
        st.warning(t("share.notice", lang(), names=", ".join(f"`{n}`" for n in notices)))
    if (opened := on_opening_page(saved_views.OPENED, title_key)) and not embedded():  # nothing above an embed's map
        saved_views.header(opened, lang())
    banners(loaded.city)
    return lang(), loaded


def on_opening_page(key: str, title_key: str):
    """What a link left under ``key``, on the page it opened only (it stays while that page reruns); dropped
    once another page shows."""
    s = st.session_state
    if (value := s.get(key)) and s.setdefault(f"{key}_page", title_key) == title_key:
        return value
    s.pop(key, None)
    return None


def embedded() -> bool:
    """``?view=embed``: only the map, no sidebar, state from the link (Streamlit's own ``embed`` is invisible
    to the app)."""
    return st.query_params.get("view") == "embed"


def map_columns(spec: list[int]):
    """Map and side column; embedded, the map alone at full width (side column None)."""
    if embedded():
        return st.container(), None
    return st.columns(spec, gap="medium")


def lang() -> str:
    """The reader's language, chosen in the sidebar (German by default)."""
    return st.session_state.get("lang", i18n.DEFAULT_LANGUAGE)


def language_picker() -> None:
    """Sidebar language choice; kept apart from the widget so it survives page changes."""
    current = lang()
    st.sidebar.selectbox(
        "Sprache / Language",
        i18n.LANGUAGES,
        index=i18n.LANGUAGES.index(current),
        format_func=lambda code: {"de": "Deutsch", "en": "English"}[code],
        key="lang_choice",
        on_change=lambda: st.session_state.update(lang=st.session_state["lang_choice"]),
    )


def settings() -> Settings:
    """The deployment's settings; a database URL may also come from the secrets."""
    try:
        secrets = dict(st.secrets) if st.secrets else {}
    except FileNotFoundError:
        secrets = {}
    loaded = load_settings(secrets=secrets)
    for key in loaded.problems:
        _log_once(key)
    return loaded


@functools.cache
def _log_once(problem_key: str) -> None:
    """A wrong setting into the server's log once per process (the page Quellen shows it too)."""
    log.warning(t(problem_key, i18n.DEFAULT_LANGUAGE))


def _data_version(path) -> str:
    """Changes whenever the workspace file changes, so caches follow the data."""
    stat = path.stat()
    return f"{path}:{stat.st_mtime_ns}:{stat.st_size}"


@dataclass(frozen=True)
class Loaded:
    """One data version of the configured city in every form the pages need."""

    version: str
    workspace: Workspace
    problems: list[Problem]
    city: City
    map_data: MapData


@st.cache_resource(show_spinner=False, max_entries=4)
def _load(version: str, location: str, role: Role) -> Loaded:
    public = role is Role.VIEWER  # a viewer's session never even reads the private fields
    stored = (
        gpkgfile.read_geopackage(gpkgfile.DEMO_PATH, public_only=public)
        if location == DEMO
        else settings().store(role).read(role)
    )
    workspace = workspace_for(stored, role)  # from here on a viewer's data has no contact fields
    city = prepare(workspace)
    return Loaded(version, workspace, validate_workspace(workspace), city, prepare_map_data(city))


#: ``_load``'s name for the demo city (shown while the store holds no areas).
DEMO = "demo"


def load() -> Loaded:
    """The configured city as the session's role may see it – read and prepared once per data version and role.

    This is where viewers lose the private fields (see ``roles.py``); the role is part of
    ``version``, so no cache keyed by it can hand an editor's result to a viewer. The store's
    version is one cheap question per rerun, so every instance sees another's saves at once.
    """
    try:
        return load_as(current_user().role)
    except StoreError as err:
        st.error(err.text(lang()), icon="⚠️")
        st.stop()


def load_as(role: Role) -> Loaded:
    """The configured city as ``role`` may see it (``load`` for the session's role; the server's start for a
    viewer's); raises ``StoreError``."""
    s = settings()
    if s.uses_demo:
        return _load(f"{DEMO}:{_data_version(gpkgfile.DEMO_PATH)}:{role.value}", DEMO, role)
    data_store = s.store(role)
    return _load(f"{data_store.version()}:{role.value}", str(s.store_location), role)


def banners(city: City) -> None:
    """Demo notice and data date, shown at the top of every page that shows data (a reader must know when the
    figures are from, or that nobody said)."""
    if city.is_demo:
        st.info(t("app.demo_banner", lang(), city=city.name), icon="ℹ️")
    known = i18n.fmt_date(city.data_date, lang()) if city.data_date else t("app.data_date.unknown", lang())
    st.caption(t("app.data_date", lang(), date=known))
