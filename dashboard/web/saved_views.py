"""Saved views in the app: a ``?ansicht=`` link opened, its note under the page's title, "Ansicht speichern".

The store keeps the views and refuses viewers (``DataStore.save_view``); the query a view holds is a
share link's and goes through ``share_state.decode`` like any link, so a changed store row can set
nothing a link could not.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from dashboard.i18n import fmt_date, t
from dashboard.model import share_state
from dashboard.model.roles import User
from dashboard.store.base import NOTE_MAX, TITLE_MAX, DataStore, SavedView, StoreError, view_problems
from dashboard.web.edits import as_markdown

#: Session key of the view a link opened (an ``Opened``), shown on the page it opened.
OPENED = "_saved_view"
#: The navigation title of each page a view can be saved on.
PAGE_TITLES = {
    "karte": "nav.map",
    "luecken": "nav.gaps",
    "akteure": "nav.actors",
    "standorte": "nav.sites",
    "profil": "nav.profile",
    "vergleich": "nav.compare",
    "quellen": "nav.sources",
}


@dataclass(frozen=True)
class Opened:
    """What a ``?ansicht=`` link found: the view (None: no such view) and the data as it is now."""

    view: SavedView | None
    data_stand: str = ""
    changed: bool = False


def open_link(params: dict, data_store: DataStore, data_stand: str) -> dict:
    """The parameters a ``?ansicht=`` link stands for: its view's stored query (none for an unknown id).

    What was found is kept for the page's header (``header``).
    """
    view_id = share_state.saved_view_id(params)
    try:
        view = data_store.saved_view(view_id) if view_id else None
        changed = view is not None and view.data_changed(data_stand, data_store.last_data_change())
    except StoreError:  # e.g. a database whose roles were not granted the views yet: the link opens the default
        view, changed = None, False
    st.session_state[OPENED] = Opened(view, data_stand, changed)
    return share_state.link_params(f"?{view.query}") if view else {}


def saved_line(view: SavedView, lang: str) -> str:
    """When and by whom a view was saved, and on which Datenstand."""
    stand = fmt_date(view.data_stand, lang) if view.data_stand else "–"
    return t("views.saved_line", lang, date=fmt_date(view.created_at[:10], lang), author=view.author, stand=stand)


def header(opened: Opened, lang: str) -> None:
    """Title, note and Stand of the view a link opened, right under the page's title (never above the page)."""
    if opened.view is None:
        st.warning(t("views.unknown", lang), icon="⚠️")
        return
    view = opened.view
    with st.container(border=True, key="saved_view_header"):
        st.markdown(f"**{as_markdown(view.title)}**")
        if view.note:
            st.markdown(as_markdown(view.note))
        st.caption(as_markdown(saved_line(view, lang)))
        if opened.changed:
            stand = fmt_date(opened.data_stand, lang) if opened.data_stand else "–"
            st.info(t("views.data_changed", lang, stand=stand), icon="ℹ️")


def save_form(
    where: DeltaGenerator,
    page: str,
    query: str,
    user: User,
    data_store: DataStore,
    data_stand: str,
    base: str,
    lang: str,
) -> None:
    """ "Ansicht speichern" beside the share link in ``where`` (the sidebar): title (required) and note; the new
    short link on success."""
    with where.popover(t("views.save", lang), icon=":material/bookmark_add:", width="stretch"):
        with st.form("save_view", border=False):
            title = st.text_input(t("views.title", lang), max_chars=TITLE_MAX, key="views_title")
            note = st.text_area(
                t("views.note", lang), max_chars=NOTE_MAX, help=t("views.note_help", lang), key="views_note"
            )
            submitted = st.form_submit_button(t("views.save_button", lang), type="primary", key="views_save")
        if not submitted:
            return
        if problems := view_problems(title, note):
            for problem in problems:
                st.error(problem.text(lang))
            return
        try:
            view = data_store.save_view(user, title=title, note=note, page=page, query=query, data_stand=data_stand)
        except StoreError as err:
            st.error(err.text(lang))
            return
        st.success(t("views.saved", lang, title=as_markdown(view.title)))
        st.code(share_state.saved_view_link(base, view.view_id), language=None, wrap_lines=True)
