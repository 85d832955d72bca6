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


def _tab_to(page, target, limit: int = 300) -> None:
    """Press Tab until ``target`` has the focus; fails if the keyboard never gets there."""
    for _ in range(limit):
        page.keyboard.press("Tab")
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
