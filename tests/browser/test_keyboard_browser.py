"""What a map click does works with the keyboard alone, and on a phone one finger scrolls the page past the
map while two fingers move it (the accessibility statement promises both)."""

import re

import pytest
from playwright.sync_api import expect

from tests.support.axe import assert_no_violations
from tests.support.serving import MAP_IFRAME, wait_idle

VIEWPORT = {"width": 1400, "height": 1100}
#: The Leaflet map's centre in its frame (folium keeps the map in a global variable).
CENTRE = "() => { const c = Object.values(window).find(v => v instanceof L.Map).getCenter(); return [c.lat, c.lng]; }"


def _tab_to(page, target, limit: int = 300, key: str = "Tab") -> None:
    """Press Tab (or ``key``) until ``target`` has the focus; fails if the keyboard never gets there."""
    for _ in range(limit):
        page.keyboard.press(key)
        if target.evaluate("e => e === document.activeElement"):
            return
    raise AssertionError(f"{target} ist mit der Tabulatortaste nicht erreichbar")


def _choose(page, target, text: str) -> None:
    """Tab to a searchable list, type part of a name, take the first match with Enter."""
    _tab_to(page, target)
    page.keyboard.type(text)
    page.keyboard.press("Enter")
    wait_idle(page)


#: True once the page's scroll position is the same at two polls in a row.
SCROLL_STILL = """() => {
    const top = document.querySelector('[data-testid=stMain]').scrollTop, still = top === window.lastTop;
    window.lastTop = top;
    return still;
}"""


def _swipe(page, fingers: int) -> int:
    """Move ``fingers`` fingers 250 px up across the middle of the map (Chromium's touch input); returns the
    page's scroll position before."""
    iframe = page.locator(MAP_IFRAME).first
    iframe.scroll_into_view_if_needed()
    page.wait_for_function(SCROLL_STILL, polling=100)  # a swipe before may still be gliding
    before = page.get_by_test_id("stMain").evaluate("e => e.scrollTop")
    box = iframe.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.6

    def points(dy: float) -> list[dict]:
        return [{"x": x + 80 * (i - (fingers - 1) / 2), "y": y - dy, "id": i} for i in range(fingers)]

    cdp = page.context.new_cdp_session(page)
    for n in range(1, fingers + 1):  # fingers land one after the other, as on a real screen
        cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": points(0)[:n]})
    for step in range(1, 11):
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": points(25 * step)})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()
    return before


def test_a_quartier_and_a_planned_offer_by_keyboard_alone(app_server, page, wait_for_map):
    page.set_viewport_size(VIEWPORT)
    page.goto(f"{app_server}/luecken")
    wait_for_map(page)
    wait_idle(page)
    container = page.frame_locator(MAP_IFRAME).first.locator(".leaflet-container")
    expect(container).to_have_attribute("tabindex", "0")  # the map itself: arrows pan, + and - zoom
    paths = page.frame_locator(MAP_IFRAME).first.locator("path.leaflet-interactive")
    expect(paths.first).to_have_attribute("tabindex", "-1")
    expect(paths.locator("xpath=self::*[not(@tabindex='-1')]")).to_have_count(0)  # no area or point is a Tab stop

    _choose(page, page.get_by_role("combobox", name="Quartier wählen"), "Färber")
    expect(page).to_have_url(re.compile(r"[?&]sel=0102(&|$)"))  # as a click on Färberviertel: the link follows
    expect(page.frame_locator(MAP_IFRAME).first.locator('path[stroke-width="4"]')).to_have_count(1)  # highlighted

    _choose(page, page.get_by_role("combobox", name=re.compile(r"^Quartier \(das Angebot kommt")), "Altstadt")
    _tab_to(page, page.get_by_role("button", name="Geplantes Angebot setzen"))
    page.keyboard.press("Enter")
    expect(
        page.get_by_test_id("stAlert").filter(has_text=re.compile(r"Szenario: 1 geplantes Angebot, 0 abgeschaltet"))
    ).to_be_visible()
    expect(page).to_have_url(re.compile(r"[?&]s=\d+\.\d+%2C\d+\.\d+%2Cbegegnung"))
    wait_idle(page)
    assert_no_violations(page)  # both lists, the placing panel and the scenario's figures


def test_on_the_desktop_the_mouse_still_drags_the_map(app_server, page, wait_for_map):
    page.set_viewport_size(VIEWPORT)
    page.goto(app_server)
    wait_for_map(page)
    container = page.frame_locator(MAP_IFRAME).first.locator(".leaflet-container")
    box = page.locator(MAP_IFRAME).first.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)
    expect(container).to_have_class(re.compile(r"\bleaflet-grab\b"))  # dragging is on under the mouse


@pytest.mark.browser_context_args(has_touch=True, is_mobile=True, viewport={"width": 390, "height": 844})
def test_on_a_phone_one_finger_scrolls_the_page_and_two_fingers_move_the_map(app_server, page, wait_for_map):
    page.goto(app_server)
    wait_for_map(page)
    container = page.frame_locator(MAP_IFRAME).first.locator(".leaflet-container")
    expect(container).to_have_class(re.compile(r"\bleaflet-touch\b"))  # Leaflet sees a touch screen
    expect(container).to_have_attribute(
        "data-gesture-handling-touch-content", "Mit zwei Fingern verschieben Sie die Karte."
    )
    expect(container).not_to_have_class(re.compile(r"\bleaflet-touch-drag\b"))  # one finger does not drag it …
    assert container.evaluate("e => getComputedStyle(e).touchAction") == "pan-x pan-y"  # … it scrolls the page

    main, frame = page.get_by_test_id("stMain"), page.locator(MAP_IFRAME).first.element_handle().content_frame()
    start, centre = main.evaluate("e => e.scrollTop"), frame.evaluate(CENTRE)
    _swipe(page, fingers=1)
    page.wait_for_function("start => document.querySelector('[data-testid=stMain]').scrollTop > start + 100", arg=start)
    assert frame.evaluate(CENTRE) == centre  # the page moved, the map did not

    start = _swipe(page, fingers=2)
    frame.wait_for_function(f"centre => ({CENTRE})() + '' !== centre + ''", arg=centre)  # the map moved …
    assert main.evaluate("e => e.scrollTop") == start  # … the page did not


PHONE = pytest.mark.browser_context_args(has_touch=True, is_mobile=True, viewport={"width": 390, "height": 844})
#: A shared Karte link with a Quartier chosen: its key figures and the ranking are tables wider than a phone.
KARTE_LINK = "/?v=1&p=karte&b=01&sel=0101"
#: What the focused element shows and where it is on the screen (inside a frame: the frame's focused element). Visible
#: focus: an outline or a ring (box-shadow) on it or on its box around it, or that box's border in the theme's colour
#: (Streamlit's lists and fields).
FOCUSED = """() => {
    let e = document.activeElement, left = 0, top = 0;
    const inSidebar = !!e.closest('[data-testid=stSidebar]'), testid = e.dataset.testid || null;
    while (e.tagName === 'IFRAME' && e.contentDocument && e.contentDocument.activeElement) {
        const frame = e.getBoundingClientRect();
        left += frame.left;
        top += frame.top;
        e = e.contentDocument.activeElement;
    }
    const box = e.getBoundingClientRect();
    const drawn = [e, e.parentElement, e.parentElement?.parentElement].filter(Boolean).map(x => getComputedStyle(x));
    return {
        testid, inSidebar, tag: e.tagName, name: e.getAttribute('aria-label') || e.textContent.trim().slice(0, 60),
        inside: box.width > 0 && box.height > 0 && left + box.left >= 0 && top + box.top >= 0
            && left + box.left < innerWidth && top + box.top < innerHeight,
        ring: drawn.some(style => (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0)
            || style.boxShadow !== 'none' || style.borderColor === 'rgb(31, 95, 122)'),
    };
}"""


def _tab(page, key: str = "Tab") -> dict:
    page.keyboard.press(key)
    return page.evaluate(FOCUSED)


def _seen(focused: dict) -> None:
    """The focus is drawn, and on screen (at least the start of a box taller than the screen) (WCAG 2.4.7)."""
    assert focused["inside"] and focused["ring"], focused


@PHONE
def test_on_a_phone_the_keyboard_starts_in_german_with_visible_focus_and_opens_the_sidebar(
    app_server, page, wait_for_map, save_artifact
):
    page.goto(app_server + KARTE_LINK)
    wait_for_map(page)
    wait_idle(page)
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar).to_have_attribute("data-collapsed", "true")
    expect(sidebar).to_be_hidden()  # its controls lie off-screen: no Tab stops there
    expect(sidebar).to_have_attribute("aria-label", "Seitenleiste")

    skip = _tab(page)  # Streamlit's skip link, in the page's language
    assert skip["testid"] == "stSkipToContent" and skip["name"] == "Zum Hauptinhalt springen", skip
    _seen(skip)
    save_artifact(page, "phone-keyboard-1-skip-link", full_page=False)
    opener = _tab(page)
    assert opener["testid"] == "stExpandSidebarButton" and opener["name"] == "Seitenleiste öffnen", opener
    _seen(opener)
    main = _tab(page)  # the main area, where the skip link leads; its content follows
    assert main["testid"] == "stMain", main
    _seen(main)
    for _ in range(5):
        stop = _tab(page)
        assert not stop["inSidebar"], stop
        _seen(stop)

    _tab_to(page, page.get_by_role("button", name="Seitenleiste öffnen"), key="Shift+Tab")
    page.keyboard.press("Enter")
    expect(sidebar).to_have_attribute("data-collapsed", "false")
    expect(sidebar).to_be_visible()
    closer = page.get_by_role("button", name="Seitenleiste schließen")
    expect(closer).to_be_focused()  # the focus moved into the opened sidebar, not lost
    page.wait_for_function("() => !document.getAnimations().some(a => a.playState === 'running')")
    _seen(page.evaluate(FOCUSED))
    stops = []
    district = page.get_by_role("combobox", name="Stadtbezirk")
    while not district.evaluate("e => e === document.activeElement"):
        stops.append(_tab(page))
        assert stops[-1]["inSidebar"] and len(stops) < 30, stops
    for stop in stops:
        _seen(stop)
    assert stops[0]["name"].endswith("Karte"), stops[0]  # the navigation first (after the icon's name)
    page.keyboard.type("Linden")
    page.keyboard.press("Enter")
    wait_idle(page)
    expect(page).to_have_url(re.compile(r"[?&]b=03(&|$)"))
    save_artifact(page, "phone-keyboard-2-sidebar-open", full_page=False)

    _tab_to(page, closer, key="Shift+Tab")  # closed by its button …
    page.keyboard.press("Enter")
    expect(sidebar).to_be_hidden()
    expect(page.get_by_role("button", name="Seitenleiste öffnen")).to_be_focused()
    page.keyboard.press("Enter")  # … or by leaving it: the focus is never hidden under it
    expect(closer).to_be_focused()
    _tab_to(page, page.get_by_test_id("stMain"))
    expect(sidebar).to_be_hidden()


@PHONE
def test_streamlits_own_texts_follow_the_ui_language(app_server, page, wait_for_map):
    page.goto(f"{app_server}{KARTE_LINK}&lang=en")
    wait_for_map(page)
    wait_idle(page)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_test_id("stSkipToContent")).to_have_text("Skip to main content")
    expect(page.get_by_role("button", name="Open sidebar")).to_be_visible()  # Streamlit says "Expand sidebar"
    expect(page.get_by_test_id("stSidebar")).to_have_attribute("aria-label", "Sidebar")


@PHONE
def test_on_a_phone_a_table_wider_than_the_screen_scrolls_by_keyboard(app_server, page, wait_for_map, save_artifact):
    page.goto(app_server + KARTE_LINK)
    wait_for_map(page)
    wait_idle(page)
    box = page.get_by_role("region", name="Tabelle, mit den Pfeiltasten seitlich verschiebbar").first
    _tab_to(page, box)
    _seen(page.evaluate(FOCUSED))
    save_artifact(page, "phone-keyboard-table", full_page=False)
    page.keyboard.press("ArrowRight")
    page.wait_for_function("e => e.scrollLeft > 0", arg=box.element_handle())
    assert_no_violations(page)


def test_on_the_desktop_only_a_table_wider_than_its_place_is_a_tab_stop(app_server, page, wait_for_map):
    page.set_viewport_size(VIEWPORT)
    page.goto(app_server + KARTE_LINK)
    wait_for_map(page)
    wait_idle(page)
    boxes = page.get_by_test_id("stTable").locator("> div")
    expect(boxes).to_have_count(2)  # the Quartier's figures (three columns of long words) and the ranking
    stops = [box.evaluate("e => [e.scrollWidth > e.clientWidth, e.tabIndex === 0]") for box in boxes.all()]
    assert [wide for wide, _ in stops] == [stop for _, stop in stops] and not all(wide for wide, _ in stops), stops
    assert_no_violations(page)


def test_streamlits_heading_links_clear_and_help_buttons_speak_the_ui_language(app_server, page, wait_for_map):
    """Streamlit names them in English only ("Link to heading", "Clear all", "Help for …", "Download as CSV", …); a
    screen reader would read them out in the page's German."""
    page.goto(f"{app_server}/?p=luecken&g=senioren")
    wait_for_map(page)
    english_labels = (
        "Link to heading", "Clear all", "Clear value", "Help", "Open", "Decrement", "Increment",
        "Show/hide columns", "Download as CSV", "Search", "Fullscreen", "Selected values",
    )  # fmt: skip
    for english in english_labels:
        expect(page.locator(f'[aria-label="{english}"]')).to_have_count(0)
    expect(page.locator('[aria-label^="Help for "], [aria-label^="Remove "]')).to_have_count(0)
    expect(page.get_by_role("link", name="Link zu diesem Abschnitt").first).to_be_attached()
    expect(page.get_by_role("button", name="Alle entfernen").first).to_be_attached()
    expect(page.get_by_role("button", name="Hilfe zu Zielgruppe „Senioren“")).to_be_attached()  # the headline figure
    expect(page.get_by_role("button", name="Als CSV herunterladen").first).to_be_attached()  # the ranking's toolbar
    expect(page.get_by_role("button", name="Erhöhen").first).to_be_attached()  # the threshold's + button
    expect(page.get_by_role("button", name="Entfernen: alle").first).to_be_attached()  # a chosen category's chip

    _choose(page, page.get_by_role("combobox", name="Sprache / Language"), "English")  # the names follow
    expect(page.get_by_role("heading", level=1, name=re.compile(r"^Gap analysis: "))).to_be_visible()
    expect(page.locator('[aria-label="Link zu diesem Abschnitt"], [aria-label="Alle entfernen"]')).to_have_count(0)
    expect(page.get_by_role("link", name="Link to this section").first).to_be_attached()
    expect(page.locator('[aria-label^="Hilfe zu "]')).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile(r"^Help for Target group")).first).to_be_attached()
    expect(page.get_by_role("button", name="Download as CSV").first).to_be_attached()


def test_what_streamlit_opens_over_a_table_or_a_list_speaks_the_ui_language(app_server, page, wait_for_map):
    """A sighted councillor reads Streamlit's own texts on hovering the ranking's buttons, searching it or typing a
    name that no Quartier has: in English only ("Download as CSV", "Type to search", "108 results", "No results").
    A screen reader reads the ranking's figures from a table of bare numbers ("1" for 100 %): written as shown."""
    page.set_viewport_size(VIEWPORT)
    page.goto(f"{app_server}/?p=luecken&g=senioren")
    wait_for_map(page)
    expect(page.locator('input[placeholder="Choose an option"], input[placeholder="Choose options"]')).to_have_count(0)
    ranking = page.get_by_test_id("stDataFrame").first
    ranking.scroll_into_view_if_needed()
    ranking.hover()
    page.get_by_role("button", name="Als CSV herunterladen").first.hover()
    expect(page.get_by_test_id("stTooltipContent")).to_have_text("Als CSV herunterladen")
    page.get_by_role("button", name="In der Tabelle suchen").first.click()
    expect(ranking.locator(".gdg-search-status")).to_have_text("Zum Suchen tippen")
    page.keyboard.type("Hasel")
    expect(ranking.get_by_test_id("search-result-area")).to_have_text(re.compile(r"^[1-9]\d* Treffer$"))
    page.keyboard.press("Enter")  # the first match: "1 von … Treffer", rewritten as the count changes
    expect(ranking.get_by_test_id("search-result-area")).to_have_text(re.compile(r"^1 von [1-9]\d* Treffer$"))
    expect(ranking.get_by_role("button", name="Nächster Treffer")).to_be_attached()
    page.keyboard.press("Escape")

    page.get_by_role("button", name="Vollbild").first.click()  # every column in the table a screen reader reads
    first_row = ranking.locator("[role=row]").nth(1)
    expect(first_row.locator('[aria-colindex="7"]')).to_have_text(re.compile(r"^\d+\u00a0%$"))  # a share: 100 %
    expect(first_row.locator('[aria-colindex="8"]')).to_have_text(re.compile(r"^\d+,\d$"))  # places per 1.000: 0,0
    page.keyboard.press("Escape")

    page.get_by_role("combobox", name="Quartier wählen").click()
    page.keyboard.type("Nirgendwo")
    expect(page.get_by_test_id("stSelectboxVirtualDropdown")).to_have_text("Keine Treffer")
    page.keyboard.press("Escape")


def test_on_a_desktop_the_keyboard_closes_and_opens_the_sidebar(app_server, page, wait_for_map):
    """Streamlit shows the close button only under the mouse, and hides it from the keyboard otherwise."""
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(app_server + KARTE_LINK)
    wait_for_map(page)
    sidebar = page.get_by_test_id("stSidebar")
    page.mouse.move(1300, 900)  # not over the sidebar
    closer = page.get_by_role("button", name="Seitenleiste schließen")
    expect(closer).to_be_visible()
    _tab_to(page, closer)
    page.keyboard.press("Enter")
    expect(sidebar).to_have_attribute("data-collapsed", "true")
    opener = page.get_by_role("button", name="Seitenleiste öffnen")
    expect(opener).to_be_focused()
    page.keyboard.press("Enter")
    expect(sidebar).to_have_attribute("data-collapsed", "false")
    expect(closer).to_be_focused()
