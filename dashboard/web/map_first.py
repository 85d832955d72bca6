"""A link's first screen: its map before the rest of the page.

The browser draws a page's elements one after the other on one thread, the map's frame among them, so a page of
some forty elements (sidebar widgets, tables, the side column) drew its map about a second later than the same
map alone. A link to a map page therefore opens map-first: its first runs draw the page down to its map and stop
there, without navigation or sidebar widgets; the map's first report (``map_payload``) reruns the page whole.
Everything above the map in the main area is the same in both runs, so the map keeps its place and is not drawn
again. A map that never reports (its script blocked, a browser too old for it) must not keep the reader from the
rest: after ``GIVE_UP_S`` the page comes whole anyway.
"""

from __future__ import annotations

import time

import streamlit as st

from dashboard.web.session import embedded

#: Session state: ``PENDING`` from a link's opening until its map has reported (or another page shows), then
#: ``SHOWN``. Only a session's first page may wait: widgets a run leaves out lose their values, and before the
#: first page there are none.
MAP_FIRST = "_map_first"
PENDING, SHOWN = "pending", "shown"
#: Session state: whether this run of a map-first page has reached its map (``reached``).
REACHED = "_map_first_reached"
#: Session state: when this session's map-first screen was first drawn (``time.monotonic()``).
SINCE = "_map_first_since"
#: Seconds a map-first screen waits for its map's report before it shows the rest anyway: a map is drawn in
#: 1–2 s on a desktop, in 3–4 s on a slow phone.
GIVE_UP_S = 8.0
#: The pages a link opens map-first (the share link's ``p``).
MAP_FIRST_PAGES = ("karte", "luecken", "profil")


def open_link(page: str) -> None:
    """A session's first run: a link to ``page`` opens map-first if that page has a map, unless it is an embed
    (the map alone anyway) or the session has no browser (no request headers: a script run by AppTest), which
    has no map that could report."""
    if page in MAP_FIRST_PAGES and not embedded() and _browser():
        st.session_state[MAP_FIRST] = PENDING


def active() -> bool:
    """Whether this run draws the page map-first: down to its map, without sidebar widgets, and stops there."""
    return st.session_state.get(MAP_FIRST) == PENDING and not embedded()


def _browser() -> bool:
    """Whether a browser runs this session: it sent request headers (AppTest's sessions have none)."""
    return bool(st.context.headers)


def show_rest() -> None:
    """The rest of the page may come: the map has reported (it is drawn), or the page shows no map this run."""
    if st.session_state.get(MAP_FIRST) == PENDING:
        st.session_state[MAP_FIRST] = SHOWN


def reached(value: bool = True) -> None:
    """The page has drawn its map this run (a map-first run sets False before the page runs)."""
    st.session_state[REACHED] = value


def stopped_before_map() -> bool:
    """Whether a map-first run ended before its map (a stop, an error): no map would ever report, so the
    reader needs the navigation now."""
    return active() and not st.session_state.get(REACHED, False)


def stop_at_map() -> None:
    """End a map-first run after its map, with a timer that shows the rest should the map never report."""
    st.session_state.setdefault(SINCE, time.monotonic())
    _wait_for_map()
    st.stop()


@st.fragment(run_every=GIVE_UP_S)
def _wait_for_map() -> None:
    """Drawn below the map in map-first runs only: its timer stops with the first run that draws the page whole."""
    if active() and time.monotonic() - st.session_state[SINCE] >= GIVE_UP_S:
        show_rest()
        st.rerun()
