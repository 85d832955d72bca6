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

from dashboard.i18n import LANGUAGES, t
from dashboard.web.first_screen import WIDE_PX

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
    text as German, as BITV asks; put Streamlit's own English texts (the skip link, the sidebar's name, its
    open and close buttons, the headings' links, the lists' clear buttons, the help buttons, the tables' and number
    fields' buttons) into that language; and let the keyboard scroll a table that is wider than its place.

    ``where``: the sidebar. Not above the page in the main area: two elements there cost the
    Lückenanalyse map its clicks. An embed (no sidebar) keeps Streamlit's "en" for now.
    """
    texts = {
        '[data-testid="stSkipToContent"]': ("textContent", t("page.skip_link", lang)),
        '[data-testid="stSidebar"]': ("aria-label", t("page.sidebar", lang)),
        '[data-testid="stExpandSidebarButton"]': ("aria-label", t("page.sidebar.open", lang)),
        '[data-testid="stSidebarCollapseButton"] button': ("aria-label", t("page.sidebar.close", lang)),
        **{
            ", ".join(f'{tag}[aria-label="{label}"]' for label in (english, *(t(key, other) for other in LANGUAGES))): (
                "aria-label",
                t(key, lang),
            )
            for tag, english, key in _STREAMLIT_LABELS
        },
    }
    prefixes = [
        [[english.format(label=""), *(t(key, other, label="") for other in LANGUAGES)], t(key, lang, label="")]
        for english, key in _STREAMLIT_LABEL_PREFIXES
    ]
    where.html(
        f"<script>document.documentElement.lang = {json.dumps(lang)}; window.qaTexts = {json.dumps(texts)}; "
        f"window.qaPrefixes = {json.dumps(prefixes)}; "
        f"window.qaScrollLabel = {json.dumps(t('page.table_scroll', lang))};{_PAGE_SCRIPT}</script>",
        unsafe_allow_javascript=True,
    )


#: Runs whenever Streamlit puts the sidebar's script into the page; sets up once per page what keeps working while
#: Streamlit redraws its elements.
#: ``window.qaTexts`` (selector → [attribute or "textContent", text]) goes into the page after every change of
#: its elements, as Streamlit draws e.g. the sidebar buttons anew on each opening. A table whose scroll box
#: is narrower than the table (a phone) becomes a named Tab stop, so arrow keys scroll it (WCAG 2.1.1); it is
#: checked whenever the box or the table changes size. Opening or closing the sidebar with its button removes
#: that button: the focus goes to the sidebar's first control, or to the opening button, instead of being lost.
#: Where the open sidebar lies over the page (phones), the focus leaving it for the page closes it, as a tap
#: beside it does: the focus is never hidden under it.
#: Streamlit's English labels on elements it makes many of: (element, its label, catalog key). Matched by the
#: label in every UI language too, so that a change of language renames the elements already named.
_STREAMLIT_LABELS = (
    ("a", "Link to heading", "page.heading_link"),
    ("", "Clear value", "page.clear_value"),
    ("", "Clear all", "page.clear_all"),
    ("button", "Help", "page.help"),
    ("button", "Open", "page.open"),
    ("button", "Decrement", "page.decrement"),
    ("button", "Increment", "page.increment"),
    ("button", "Show/hide columns", "page.table_columns"),
    ("button", "Download as CSV", "page.table_csv"),
    ("button", "Search", "page.table_search"),
    ("button", "Fullscreen", "page.fullscreen"),
    ("span", "Selected values", "page.selected_values"),
)
#: Streamlit's English labels that name the element they belong to, "Help for Zielgruppe": (the label with
#: ``{label}`` for that name, catalog key of the same in the UI language).
_STREAMLIT_LABEL_PREFIXES = (("Help for {label}", "page.help_for"), ("Remove {label}", "page.remove"))

_PAGE_SCRIPT = """(() => {
    if (!window.qaApply) {
        const put = (element, name, text) => {
            if (name === "textContent" && element.textContent !== text) element.textContent = text;
            else if (name !== "textContent" && element.getAttribute(name) !== text) element.setAttribute(name, text);
        };
        const scrollable = box => {
            if (box.scrollWidth > box.clientWidth) {
                put(box, "tabindex", "0");
                put(box, "role", "region");
                put(box, "aria-label", window.qaScrollLabel);
            } else if (box.hasAttribute("tabindex")) {
                ["tabindex", "role", "aria-label"].forEach(name => box.removeAttribute(name));
            }
        };
        const sized = new ResizeObserver(entries => entries.forEach(e => {
            const box = e.target.closest("[data-testid=stTable] > div");
            if (box) scrollable(box);
        }));
        const seen = new WeakSet();
        const sidebar = () => document.querySelector("[data-testid=stSidebar]");
        const shown = element => element.checkVisibility({visibilityProperty: true});
        const focusable = "a[href], button, input, textarea, [tabindex='0']";
        let focusTo = null;
        document.addEventListener("click", event => {
            if (event.target.closest("[data-testid=stExpandSidebarButton]")) {
                focusTo = () => [...sidebar().querySelectorAll(focusable)].find(shown);
            } else if (event.target.closest("[data-testid=stSidebarCollapseButton]")) {
                focusTo = () => document.querySelector("[data-testid=stExpandSidebarButton]");
            }
        }, true);
        document.addEventListener("focusin", event => {
            const side = sidebar(), main = document.querySelector("[data-testid=stMain]");
            const overlays = side && main && side.getBoundingClientRect().right > main.getBoundingClientRect().left + 1;
            if (overlays && side.dataset.collapsed === "false" && main.contains(event.target)) {
                document.querySelector("[data-testid=stSidebarCollapseButton] button")?.click();
            }
        });
        window.qaApply = () => {
            const target = focusTo && focusTo();
            if (target && shown(target)) {
                focusTo = null;
                if (document.activeElement === document.body) target.focus();
            }
            for (const [selector, [name, text]] of Object.entries(window.qaTexts)) {
                document.querySelectorAll(selector).forEach(element => put(element, name, text));
            }
            for (const [known, ours] of window.qaPrefixes) {
                for (const prefix of known.filter(prefix => prefix !== ours)) {
                    document.querySelectorAll(`[aria-label^="${prefix}"]`).forEach(element => {
                        put(element, "aria-label", ours + element.getAttribute("aria-label").slice(prefix.length));
                    });
                }
            }
            for (const table of document.querySelectorAll("[data-testid=stTable] > div > table")) {
                for (const element of [table, table.parentElement]) {
                    if (!seen.has(element)) { seen.add(element); sized.observe(element); }
                }
            }
            for (const box of document.querySelectorAll("[data-testid=stTable] > div[tabindex]")) {
                put(box, "aria-label", window.qaScrollLabel);
            }
        };
        let planned = false;  // once per frame: Streamlit changes the page thousands of times while it draws
        new MutationObserver(() => {
            if (!planned) {
                planned = true;
                requestAnimationFrame(() => { planned = false; window.qaApply(); });
            }
        }).observe(document.body, {childList: true, subtree: true});
    }
    window.qaApply();
})();"""


def readable_captions() -> None:
    """Captions with a contrast that meets WCAG AA, on every page and in the embed.

    HTML of style tags only goes to Streamlit's event container, so this takes no place above a map.
    """
    st.html(
        "<style>[data-testid='stCaptionContainer'] { opacity: 1 !important; } "
        "[data-testid='stCaptionContainer'], [data-testid='stCaptionContainer'] * "
        f"{{ color: {CAPTION_COLOUR} !important; }}</style>"
    )


#: The theme's primary colour (.streamlit/config.toml), 7:1 on white: focus outlines (WCAG 2.4.7, 1.4.11).
FOCUS_COLOUR = "#1f5f7a"
#: Streamlit's sidebar slides out in 300 ms (the transition is its own, extended by the visibility).
SIDEBAR_SLIDE = "transform 300ms, min-width 300ms, max-width 300ms"


#: A column with a metric of its own (not one somewhere in a nested row).
METRIC_COLUMN = (
    "[data-testid='stColumn'] > [data-testid='stVerticalBlock'] > [data-testid='stElementContainer'] "
    "> [data-testid='stMetric']"
)


def keyboard_and_small_screens() -> None:
    """What keyboards, screen readers and narrow screens need of Streamlit's own elements, on every page.

    - A collapsed sidebar (phones start with it) is hidden once it has slid out: its controls lie
      off-screen, so Tab would reach them with the focus out of sight (WCAG 2.4.7); opened, it works as before.
    - An open sidebar always shows its close button: Streamlit shows it only while the mouse is over the
      sidebar and hides it from the keyboard otherwise, so on a desktop the keyboard could not close it.
    - Table cells wrap, so a table needs less room on a phone (one still wider scrolls, see ``page_setup``).
    - The main area (Streamlit's target of the skip link, a Tab stop) and a scrolling table show their focus, and
      the navigation's links more than by Streamlit's faint background.
    - A row of metrics lets a metric whose value does not fit move to the next line instead of cutting the
      value ("82.…"); the label does not count, it is cut as before. On narrow screens labels wrap.
    Style tags only, like ``readable_captions``: nothing takes place above a map, and where everything fits (the
    desktop) nothing moves.
    """
    st.html(
        "<style>[data-testid='stSidebar'][data-collapsed='true'] "
        f"{{ visibility: hidden; transition: {SIDEBAR_SLIDE}, visibility 0s 300ms; }} "
        "[data-testid='stSidebar'][data-collapsed='false'] [data-testid='stSidebarCollapseButton'] "
        "{ visibility: visible; } "
        "[data-testid='stTable'] th, [data-testid='stTable'] td { white-space: normal; } "
        "[data-testid='stMain']:focus-visible, [data-testid='stTable'] > div:focus-visible, "
        "[data-testid='stPageLink-NavLink']:focus-visible "
        f"{{ outline: 2px solid {FOCUS_COLOUR}; outline-offset: -2px; }} "
        f"[data-testid='stHorizontalBlock']:has(> {METRIC_COLUMN}) > [data-testid='stColumn'] "
        "{ min-width: min-content; } "
        "[data-testid='stMetricLabel'] { contain: inline-size; } "
        f"@media (max-width: {WIDE_PX - 0.02}px) {{ [data-testid='stMetricLabel'] p {{ white-space: normal; }} }}"
        "</style>"
    )
