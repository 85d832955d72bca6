"""Streamlit's legacy pages-folder mode, handled in one small place.

Because ``pages/`` exists, Streamlit runs the first session after a server start in its old
mode and executes a linked page file directly; the page hands over to app.py, which routes back.
The check uses a private Streamlit attribute; tests/app/test_entry.py fails when it changes.
"""

from __future__ import annotations

import json
import runpy
from pathlib import Path
from typing import Any

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

APP = Path(__file__).resolve().parents[2] / "app.py"


def through_entry() -> None:
    """Make sure a page runs inside app.py (navigation, language, page setup)."""
    if PagesManager.uses_pages_directory:
        runpy.run_path(str(APP), run_name="__main__")
        st.stop()


def sidebar_navigation(pages: list[st.Page]) -> None:
    """The app's navigation in the sidebar, its visible pages only.

    Streamlit's own is switched off (``client.showSidebarNavigation = false``): in legacy mode it
    listed every file of ``pages/``, editor-only ones included, until app.py took over.
    """
    with st.sidebar.container(key="app_nav"):
        for page in pages:
            if page.visibility == "visible":
                st.page_link(page)


#: Streamlit draws captions at 60 % opacity (3.9:1 on white); WCAG 2.1 AA asks 4.5:1 for small text.
#: Opaque, this grey has 7.6:1 on white and 6.9:1 on the sidebar's background.
CAPTION_COLOUR = "#4b5560"


def page_setup(lang: str, where: Any) -> None:
    """Set ``<html lang>`` to the UI language (Streamlit serves "en"), so screen readers pronounce German
    text as German, as BITV asks.

    ``where``: the sidebar. Not above the page in the main area: two elements there cost the
    Lückenanalyse map its clicks. An embed (no sidebar) keeps Streamlit's "en" for now.
    """
    where.html(f"<script>document.documentElement.lang = {json.dumps(lang)};</script>", unsafe_allow_javascript=True)


def readable_captions() -> None:
    """Captions with a contrast that meets WCAG AA, on every page and in the embed.

    HTML of style tags only goes to Streamlit's event container, so this takes no place above a map.
    """
    st.html(
        "<style>[data-testid='stCaptionContainer'] { opacity: 1 !important; } "
        "[data-testid='stCaptionContainer'], [data-testid='stCaptionContainer'] * "
        f"{{ color: {CAPTION_COLOUR} !important; }}</style>"
    )
