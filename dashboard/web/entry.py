"""Streamlit's legacy pages-folder mode, handled in one small place.

Because ``pages/`` exists, Streamlit runs the first session after a server start in its old
mode and executes a linked page file directly; the page hands over to app.py, which routes back.
The check uses a private Streamlit attribute; tests/app/test_entry.py fails when it changes.
"""

from __future__ import annotations

import functools
import json
import runpy
from pathlib import Path
from typing import Any

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from dashboard.i18n import LANGUAGES, locale_tag, number_symbols, t
from dashboard.web.first_screen import WIDE_PX
from dashboard.web.tables import FIGURES_KEY, figure_formats

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
    text as German, as BITV asks; give code that asks ``navigator.languages`` the UI's locale (Streamlit's tables
    write their figures in it: ``tables.figure_table``; ``navigator.language`` stays the browser's, which Streamlit
    reports to the server); put Streamlit's own English texts
    (the skip link, the sidebar's name, its open and close buttons, the headings' links, the lists' clear buttons,
    the help buttons, the tables' and number fields' buttons, what opens over a table or list) into that language;
    and let the keyboard scroll a table that is wider than its place.

    ``where``: the sidebar. Not above the page in the main area: two elements there cost the
    Lückenanalyse map its clicks. An embed (no sidebar) keeps Streamlit's "en" for now.
    """
    where.html(_page_script(lang), unsafe_allow_javascript=True)


@functools.cache
def _page_script(lang: str) -> str:
    """The page's script in ``lang``: the same in every run of every page (made once, it was 0.3 ms of each run)."""
    texts = {
        '[data-testid="stSkipToContent"]': ("textContent", t("page.skip_link", lang)),
        '[data-testid="stSidebar"]': ("aria-label", t("page.sidebar", lang)),
        '[data-testid="stExpandSidebarButton"]': ("aria-label", t("page.sidebar.open", lang)),
        '[data-testid="stSidebarCollapseButton"] button': ("aria-label", t("page.sidebar.close", lang)),
        **{
            ", ".join(f'{tag}[{name}="{text}"]' for text in _known(english, key)): (name, t(key, lang))
            for tag, name, english, key in _STREAMLIT_LABELS
        },
    }
    prefixes = [
        [[english.format(label=""), *(t(key, other, label="") for other in LANGUAGES)], t(key, lang, label="")]
        for english, key in _STREAMLIT_LABEL_PREFIXES
    ]
    words: dict[str, dict[str, str]] = {}
    for place, english, key in _STREAMLIT_TEXTS:
        words.setdefault(place, {}).update(dict.fromkeys(_known(english, key), t(key, lang)))
    counts = [] if lang == "en" else [[pattern, t(key, lang, n="$1")] for pattern, key in _STREAMLIT_COUNTS]
    decimal, group = number_symbols(lang)
    settings = {
        "qaTexts": texts,
        "qaPrefixes": prefixes,
        "qaWords": list(words.items()),
        "qaCounts": [_SEARCH_RESULT, counts],
        "qaFigures": [
            f'[class*="st-key-{FIGURES_KEY}"] [data-testid=stDataFrame] table[role=grid]',
            figure_formats(lang),
        ],
        "qaNumbers": [_STATISTICS + " dd", {"group": group, "decimal": decimal}],
        "qaScrollLabel": t("page.table_scroll", lang),
    }
    return (
        f"<script>document.documentElement.lang = {json.dumps(lang)}; Object.defineProperty(navigator, 'languages', "
        f"{{configurable: true, value: [{json.dumps(locale_tag(lang))}]}}); "
        + "".join(f"window.{name} = {json.dumps(value)}; " for name, value in settings.items())
        + f"{_PAGE_SCRIPT}</script>"
    )


def _known(english: str, key: str) -> tuple[str, ...]:
    """Streamlit's English text and ours in every UI language: a change of language renames what is renamed."""
    return tuple(dict.fromkeys((english, *(t(key, other) for other in LANGUAGES))))


#: Streamlit's English labels on elements it makes many of: (element, attribute, its label, catalog key).
_STREAMLIT_LABELS = (
    ("a", "aria-label", "Link to heading", "page.heading_link"),
    ("", "aria-label", "Clear value", "page.clear_value"),
    ("", "aria-label", "Clear all", "page.clear_all"),
    ("button", "aria-label", "Help", "page.help"),
    ("button", "aria-label", "Open", "page.open"),
    ("button", "aria-label", "Decrement", "page.decrement"),
    ("button", "aria-label", "Increment", "page.increment"),
    ("button", "aria-label", "Show/hide columns", "page.table_columns"),
    ("button", "aria-label", "Download as CSV", "page.table_csv"),
    ("button", "aria-label", "Search", "page.table_search"),
    ("button", "aria-label", "Fullscreen", "page.fullscreen"),
    ("button", "aria-label", "Close fullscreen", "page.fullscreen_close"),
    ("span", "aria-label", "Selected values", "page.selected_values"),
    ("", "aria-label", "Dismiss", "page.dismiss"),
    ("input", "placeholder", "Choose an option", "page.choose"),
    ("input", "placeholder", "Choose options", "page.choose"),
    ("", "aria-label", "Dataframe column menu", "page.table_column_menu"),
    ("", "aria-label", "Copy column name", "page.table_copy_name"),
    ("", "title", "Copy column name", "page.table_copy_name"),
    ("input", "aria-label", "Select all", "page.table_all_columns"),
    ("button", "aria-label", "Close Search", "page.table_search_close"),
    ("button", "aria-label", "Next Result", "page.table_search_next"),
    ("button", "aria-label", "Previous Result", "page.table_search_previous"),
)
#: Streamlit's English labels that name the element they belong to, "Help for Zielgruppe": (the label with
#: ``{label}`` for that name, catalog key of the same in the UI language).
_STREAMLIT_LABEL_PREFIXES = (("Help for {label}", "page.help_for"), ("Remove {label}", "page.remove"))
#: Streamlit's English texts in the tooltips, menus and lists it opens over the page (a sighted user reads them on
#: hovering a table's buttons or opening a column's menu): (where they stand, the text, catalog key). Only a whole
#: text is replaced, and only there: elsewhere the same words may be data.
_TOOLTIP = "[data-testid=stTooltipContent]"
_COLUMN_MENU = "[data-testid=stDataFrameColumnMenu]"
_FORMAT_MENU = "[data-testid=stDataFrameColumnFormattingMenu]"
_STATISTICS = "[data-testid=stDataFrameStatisticsMetrics]"
_STREAMLIT_TEXTS = (
    (_TOOLTIP, "Show/hide columns", "page.table_columns"),
    (_TOOLTIP, "Download as CSV", "page.table_csv"),
    (_TOOLTIP, "Search", "page.table_search"),
    (_TOOLTIP, "Fullscreen", "page.fullscreen"),
    (_TOOLTIP, "Close fullscreen", "page.fullscreen_close"),
    (_COLUMN_MENU, "Sort ascending", "page.table_sort_ascending"),
    (_COLUMN_MENU, "Sort descending", "page.table_sort_descending"),
    (_COLUMN_MENU, "Format", "page.table_format"),
    (_COLUMN_MENU, "Autosize", "page.table_autosize"),
    (_COLUMN_MENU, "Pin column", "page.table_pin"),
    (_COLUMN_MENU, "Unpin column", "page.table_unpin"),
    (_COLUMN_MENU, "Hide column", "page.table_hide"),
    (_COLUMN_MENU, "Statistics", "page.table_statistics"),
    (_FORMAT_MENU, "Automatic", "page.table_format_automatic"),
    (_FORMAT_MENU, "Localized", "page.table_format_localized"),
    (_FORMAT_MENU, "Plain", "page.table_format_plain"),
    (_FORMAT_MENU, "Compact", "page.table_format_compact"),
    (_FORMAT_MENU, "Percent", "page.table_format_percent"),
    (_FORMAT_MENU, "Scientific", "page.table_format_scientific"),
    (_FORMAT_MENU, "Accounting", "page.table_format_accounting"),
    (_FORMAT_MENU, "Duration", "page.table_format_duration"),
    (_STATISTICS, "Values", "page.table_stat_values"),
    (_STATISTICS, "Empty", "page.table_stat_empty"),
    (_STATISTICS, "Distinct", "page.table_stat_distinct"),
    (_STATISTICS, "Minimum length", "page.table_stat_min_length"),
    (_STATISTICS, "Maximum length", "page.table_stat_max_length"),
    (_STATISTICS, "Average length", "page.table_stat_mean_length"),
    (_STATISTICS, "Average", "page.table_stat_mean"),
    (_STATISTICS, "Standard deviation", "page.table_stat_std"),
    (_STATISTICS, "Minimum", "page.table_stat_min"),
    (_STATISTICS, "25th percentile", "page.table_stat_q25"),
    (_STATISTICS, "Median", "page.table_stat_median"),
    (_STATISTICS, "75th percentile", "page.table_stat_q75"),
    (_STATISTICS, "Maximum", "page.table_stat_max"),
    (_STATISTICS, "Sum", "page.table_stat_sum"),
    ("[data-testid=stDataFrameColumnVisibilityMenu]", "Select all", "page.table_all_columns"),
    (".gdg-search-status", "Type to search", "page.table_search_hint"),
    ("[data-testid=stSelectboxVirtualDropdown]", "No results", "page.no_results"),
    ("[data-testid=stMultiSelectDropdown]", "No results", "page.no_results"),
)
#: The table search's English counts ("3 of 108 results", "over 1000"): (a regular expression, catalog key with
#: ``{n}`` for its group), applied in this order. In English they stay Streamlit's. The figures of a column's
#: statistics, which Streamlit writes in English ("5,274"), get the separators of the UI language.
_SEARCH_RESULT = "[data-testid=search-result-area]"
_STREAMLIT_COUNTS = (
    (r"over (\d+)", "page.table_search_over"),
    (r"(\d+) results?", "page.table_search_results"),
    (r"(\d+) of ", "page.table_search_nth"),
)

#: Runs whenever Streamlit puts the sidebar's script into the page; sets up once per page what keeps working while
#: Streamlit redraws its elements.
#: ``window.qaTexts`` (selector → [attribute or "textContent", text]) goes into the page after every change of
#: its elements, as Streamlit draws e.g. the sidebar buttons anew on each opening; so do ``window.qaWords``
#: ([where, {text: ours}]), ``window.qaCounts`` and ``window.qaNumbers`` (the separators of the UI's figures), into
#: the text of what Streamlit opens over the page, and ``window.qaFigures`` ([the tables, {heading: options of
#: Intl.NumberFormat}]) into the figures of the tables Streamlit keeps for screen readers, which hold the bare
#: numbers (``tables.figure_table``). A table whose scroll box is narrower than the table (a phone) becomes a named
#: Tab stop, so arrow keys scroll it (WCAG 2.1.1); it is checked whenever the box or the table changes size.
#: Opening or closing the sidebar with its button removes that button: the focus goes to the sidebar's first
#: control, or to the opening button, instead of being lost. Where the open sidebar lies over the page (phones),
#: the focus leaving it for the page closes it, as a tap beside it does: the focus is never hidden under it.
_PAGE_SCRIPT = """(() => {
    if (!window.qaApply) {
        const put = (element, name, text) => {
            if (name === "textContent" && element.textContent !== text) element.textContent = text;
            else if (name !== "textContent" && element.getAttribute(name) !== text) element.setAttribute(name, text);
        };
        const written = new WeakMap(), figures = new WeakMap();  // a text node as written here, and its figure
        const intl = new WeakMap();
        const browserSigns = new Map(new Intl.NumberFormat().formatToParts(12345.6)
            .filter(part => part.type === "group" || part.type === "decimal").map(part => [part.value, part.type]));
        // Text nodes in place: React goes on writing into them. ``once``: a change that must not be made twice.
        const rewrite = (where, change, once = false) => {
            for (const box of document.querySelectorAll(where)) {
                const texts = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
                for (let node = texts.nextNode(); node; node = texts.nextNode()) {
                    if (once && node.data === written.get(node)) continue;
                    const text = change(node.data);
                    if (text !== node.data) node.data = text;
                    if (once) written.set(node, text);
                }
            }
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
            for (const [where, words] of window.qaWords) {
                rewrite(where, data => Object.hasOwn(words, data.trim()) ? words[data.trim()] : data);
            }
            const [where, counts] = window.qaCounts;
            rewrite(where, data => counts.reduce((text, [found, ours]) => text.replace(new RegExp(found), ours), data));
            const [statistics, ours] = window.qaNumbers;  // written in the browser's locale: "5,274" is 5.274 here
            const local = data => [...data].map(sign => browserSigns.has(sign) ? ours[browserSigns.get(sign)] : sign);
            rewrite(statistics, data => local(data).join(""), true);
            const [tables, options] = window.qaFigures;
            if (!intl.has(options)) intl.set(options, new Map());
            const made = intl.get(options);  // heading → its Intl.NumberFormat, once per run's settings
            for (const grid of document.querySelectorAll(tables)) {
                const formats = new Map();
                for (const heading of grid.querySelectorAll("th[aria-colindex]")) {
                    const name = heading.textContent.replace(/^[↑↓] /, "");  // a sorted column's arrow
                    if (!Object.hasOwn(options, name)) continue;
                    if (!made.has(name)) made.set(name, new Intl.NumberFormat(navigator.languages, options[name]));
                    formats.set(heading.getAttribute("aria-colindex"), made.get(name));
                }
                for (const [column, format] of formats) {
                    for (const cell of grid.querySelectorAll(`td[aria-colindex="${column}"]`)) {
                        const node = cell.firstChild;  // the bare number, or its text written before
                        if (node?.nodeType !== Node.TEXT_NODE || node.data === "") continue;
                        const number = node.data === written.get(node) ? figures.get(node) : Number(node.data);
                        if (!Number.isFinite(number)) continue;
                        const text = format.format(number);
                        if (text !== node.data) node.data = text;
                        written.set(node, text);
                        figures.set(node, number);
                    }
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
        }).observe(document.body, {childList: true, characterData: true, subtree: true});
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
