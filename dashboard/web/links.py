"""Session state ↔ share link: seeds the widgets from a link and writes the current view back.

The URL format itself lives in ``dashboard.model.share_state``; this module only moves values
between it and Streamlit's widget keys.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from dashboard.analysis.bivariate import area_need_columns
from dashboard.analysis.classify import (
    parse_breaks,
)
from dashboard.i18n import LANGUAGES, code_label, t
from dashboard.maps.karte import (
    SetView,
)
from dashboard.model import share_state, viewspec
from dashboard.model.share_state import ViewState
from dashboard.model.targets import DEFAULT_THRESHOLD_M
from dashboard.model.view import LAYER_KEYS
from dashboard.model.viewspec import BUILTIN_NEEDS
from dashboard.web import map_first, saved_views
from dashboard.web.session import embedded, lang, load, settings
from dashboard.web.signin import current_user

#: State fields held by one checkbox per option: field → (key prefix, options).
_SPREAD = {"layers": ("layer_", LAYER_KEYS), "gap_layers": ("gap_layer_", viewspec.GAP_LAYERS.options)}


_POSITIONS = ("map_pos", "gap_map_pos")


def seed_session(state: ViewState) -> None:
    """Seed the widget keys with a link's view, before any widget exists."""
    s = st.session_state
    s["lang"] = state.lang
    for name, value in state.fields.items():
        if name in _SPREAD:
            prefix, options = _SPREAD[name]
            s.update({f"{prefix}{k}": k in value for k in options})
        elif name == "gap_weights":
            s.update({f"gap_weight_{c}": w for c, w in zip(viewspec.COMPONENTS, value, strict=False)})
        elif name == "gap_threshold_m":
            s[f"gap_threshold_m_{state.get('gap_target_group')}"] = value
        elif name == "gap_breaks":
            s["gap_breaks"] = ", ".join(f"{b:g}" for b in value)
        else:
            s[name] = list(value) if isinstance(value, tuple) and name not in _POSITIONS else value


def view_state(page: str) -> ViewState:
    """The current view of ``page`` as the widgets (or, embedded, the link) hold it."""
    s = st.session_state
    fields = {}
    value: Any
    for param in share_state.PARAMS[page]:
        name = param.name
        if name in _SPREAD:
            prefix, options = _SPREAD[name]
            value = frozenset(k for k in options if s.get(f"{prefix}{k}", k in param.default))
        elif name == "gap_weights":
            value = tuple(
                int(s.get(f"gap_weight_{c}", d)) for c, d in zip(viewspec.COMPONENTS, param.default, strict=False)
            )
        elif name == "gap_target_group":
            value = target_group()
        elif name == "gap_threshold_m":
            group = target_group()
            value = s.get(f"gap_threshold_m_{group}")
            value = None if value in (None, DEFAULT_THRESHOLD_M[group]) else int(value)
        elif name == "gap_breaks":
            value = parse_breaks(s.get("gap_breaks", "")) or param.default
        elif name in _POSITIONS:  # where the reader moved the map, else where the link opened it
            value = s.get(f"_live_{name}") or s.get(name)
        else:  # a segmented control can be cleared (None): the page then shows its default
            value = s.get(name) if s.get(name) is not None else param.default
        fields[name] = tuple(value) if isinstance(value, list) else value
    if page == "luecken" and fields["gap_classification"] == "user" and not parse_breaks(s.get("gap_breaks", "20")):
        fields["gap_classification"] = (
            viewspec.CLASSIFICATION.default
        )  # unreadable breaks: the analysis falls back, and so does the link
    return ViewState(page, lang(), fields)


def target_group() -> str:
    """The chosen target group's code. Streamlit keeps a select box's choice by its label, and a map report that
    crosses a change of language on its way brings back the old language's label ("Senioren" under English
    labels): the label stands for its group (seen once in CI as a stack in the server's log)."""
    chosen = st.session_state.get("gap_target_group", viewspec.TARGET_GROUP.default)
    options, default = viewspec.TARGET_GROUP.options, viewspec.TARGET_GROUP.default
    if chosen in options:
        return chosen
    return next((o for o in options if chosen in {code_label(o, lg) for lg in LANGUAGES}), default)


def start_from_link() -> str:
    """First run of a session: the link's view into the widget keys; the page the app opens at its root.

    A ``?p=`` link opens its page at the root. A link to a page's path (``/profil?gebiet=01``,
    ``/anmelden``) leaves the root to the Karte: st.navigation opens the page from the path.
    """
    s = st.session_state
    if "_link_page" not in s:
        city = load().city
        params = st.query_params.to_dict()
        if share_state.SAVED_VIEW in params:  # a saved view's short link: its stored query, read as any link
            params = saved_views.open_link(params, settings().store(current_user().role), city.data_date)
        if page := app_url()[1]:
            params.setdefault("p", page)  # a link to a page's path, e.g. /profil?gebiet=01
        state, notices = share_state.decode(
            params,
            known_area_ids=[*city.units["area_id"], *city.bezirke["area_id"]],
            known_offer_ids=city.offers["offer_id"],
            known_needs=[*BUILTIN_NEEDS, *area_need_columns(city)],
        )
        seed_session(state)
        map_first.open_link(page or state.page)
        s["_link_page"], s["_link_notices"] = share_state.PAGES[0] if page else state.page, notices
        if page == s["_link_page"]:  # /karte: the root page, which st.navigation knows as "/" only
            st.rerun()
    return s["_link_page"]


def app_url() -> tuple[str, str]:
    """The app's base URL and the page its path names ("" if none); ``st.context.url`` has no query."""
    parts = urlsplit(st.context.url or "")
    origin = f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""
    base, page = share_state.path_page(parts.path)
    return f"{origin}{base}", page


def share_slot() -> DeltaGenerator | None:
    """The share box's place at the bottom of the sidebar, for a map's fragment to fill (``sync_url``); None embedded.

    A page reserves it after its last sidebar widget, so the box stays where every page has it.
    """
    return None if embedded() else st.sidebar.container()


def sync_url(page: str, where: DeltaGenerator | None = None, box: bool = True) -> None:
    """Write the current view into the URL (when it changed) and offer it as a link in the sidebar; pages call this
    last, or from their map's fragment into ``where`` (``share_slot``), so a pan or zoom reruns no more than the map.
    Without ``box``: the URL only (a page drawn map-first offers the link with the rest of the page).
    """
    if embedded():
        return
    where = where if where is not None else st.sidebar
    params = share_state.encode(view_state(page))
    if params != st.query_params.to_dict():
        st.query_params.from_dict(params)
    if not box:
        return
    link = app_url()[0] + (f"?{share_state.query_string(params)}" if params else "")
    with where.popover(t("share.button", lang()), icon=":material/share:", width="stretch"):
        st.caption(t("share.caption", lang()))
        st.code(link, language=None, wrap_lines=True)
        if page in share_state.EMBEDDABLE:
            st.caption(t("share.embed", lang()))
            st.code(share_state.iframe(link), language="html", wrap_lines=True)
    user = current_user()
    if user.is_editor and not settings().uses_demo:  # the demo city is never written to
        query = share_state.query_string(params)
        saved_views.save_form(
            where, page, query, user, settings().store(user.role), load().city.data_date, app_url()[0], lang()
        )


def place_map(fmap, key: str = "map_pos") -> None:
    """Open the map where a link's ``pos`` says (without one, it stays fitted to its data).

    Only the link's position goes into the map: the live one (see ``follow_map``) would change
    the map's script on every pan, and st_folium would build the map anew.
    """
    if pos := st.session_state.get(key):
        SetView(*pos).add_to(fmap)


def follow_map(result: dict | None, key: str = "map_pos") -> None:
    """Remember where the reader panned or zoomed the map, for the URL only (st_folium returns "center", "zoom").

    A newly built map reports nothing at first, then its opening view (the link's or fitted to the
    data): that first report is no move and writes no position. Each later report that differs
    from it is the live position; back at the opening view, the link falls back to the link's.
    """
    s = st.session_state
    opening, live = f"_opening_{key}", f"_live_{key}"
    center, zoom = (result or {}).get("center"), (result or {}).get("zoom")
    if not center or zoom is None:  # a new map in the browser: it opens where place_map put it
        s.pop(opening, None)
        s.pop(live, None)
        return
    pos = share_state.map_position(center["lat"], center["lng"], zoom)
    if opening not in s:
        s[opening] = pos
    else:
        s[live] = None if pos == s[opening] else pos
