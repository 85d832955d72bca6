"""A planner's first minutes in a real browser: open the map, switch on a layer, click a Quartier."""

import re

from playwright.sync_api import expect

from tests.support.serving import MAP_IFRAME, click_map

INTERACTIVE = "path.leaflet-interactive"
#: Whether the Quartiere's paths come first in the map's drawing, in the order of their layer's features.
QUARTIERE_IN_ORDER = """() => {
    const paths = [...document.querySelectorAll("svg path")];
    let quartiere = null;
    window.map.eachLayer((layer) => {
        const first = layer.getLayers && layer.getLayers()[0];
        if (!quartiere && first && first.feature && first.feature.properties.area_id) quartiere = layer;
    });
    const at = quartiere.getLayers().map((layer) => paths.indexOf(layer._path));
    return at[0] === 0 && at.every((place, i) => i === 0 || place === at[i - 1] + 1);
}"""


def _count_paths(frame) -> int:
    return frame.locator(INTERACTIVE).count()


def test_open_map_toggle_layer_click_quartier(app_server, page, wait_for_map, save_artifact, requests_made):
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(app_server)
    frame = wait_for_map(page)
    expect(page.get_by_text("Demodaten – fiktive Stadt").first).to_be_visible()
    assert any("/app/static/vendor/leaflet/" in url for url in requests_made)
    save_artifact(page, "karte-start")
    box = page.locator(MAP_IFRAME).bounding_box()
    assert box
    page.mouse.move(box["x"] + box["width"] * 0.45, box["y"] + box["height"] * 0.55)
    tip = frame.locator(".leaflet-tooltip").filter(has_text=re.compile(r"^Quartier \S.*Einwohner\s*[\d.]+"))
    expect(tip).to_be_visible()  # written by the browser from the Quartier's name and its figures

    before = _count_paths(frame)
    page.get_by_text("Wohnungsbestand (je Quartier)").click()
    page.wait_for_function(
        "([sel, n]) => document.querySelector('iframe[title=\"streamlit_folium.st_folium\"]')"
        ".contentDocument.querySelectorAll(sel).length > n",
        arg=[INTERACTIVE, before],
        timeout=30_000,
    )

    click_map(page, 0.45, 0.55)
    heading = page.get_by_role("heading", name=re.compile(r"^Quartier "))
    expect(heading).to_be_visible()
    expect(page.get_by_role("table").get_by_text("ohne Angebot in 500 m (Personen)")).to_be_visible()
    save_artifact(page, "karte-quartier")


def test_a_long_list_of_sources_leaves_the_scale_bar_visible(app_server, page, wait_for_map):
    """A city imported from many files names each in the credit line (Berlin's four took three lines); the line
    wraps beside the scale bar instead of lying over it."""
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(f"{app_server}/")
    frame = wait_for_map(page)
    frame.evaluate(
        """() => document.querySelector('.leaflet-control-attribution').insertAdjacentText('beforeend',
            ' · Daten: berlin-lor-forecast-areas-from-2021.geojson; berlin-lor-districts.geojson; '
            + 'berlin-lor-population-2024-02-t2-forecast-areas.csv; '
            + 'berlin-points-of-interest-community-centers.geojson')"""
    )
    scale = frame.locator(".leaflet-control-scale").bounding_box()
    credit = frame.locator(".leaflet-control-attribution").bounding_box()
    assert scale and credit
    assert scale["x"] + scale["width"] <= credit["x"] or scale["y"] + scale["height"] <= credit["y"]


def test_the_quartiere_and_offers_come_once_as_files_for_every_map_beneath_and_above_the_rest(
    app_server, page, wait_for_map
):
    """What is the same for every view of a data version – the Quartiere's geometry, the offers' places and texts
    – the browser fetches from the app (no other host) instead of receiving it with each map; the Quartiere are
    drawn beneath the layers drawn before they came, the offers keep their tooltips."""
    fetched: dict[str, set[str]] = {}
    current: list[str] = []
    page.on("response", lambda r: "/qa-data/" in r.url and r.status == 200 and fetched[current[-1]].add(r.url))
    page.set_viewport_size({"width": 1400, "height": 1000})
    for name, query in (
        ("karte", "?p=karte&b=01"),
        ("luecken", "?p=luecken&g=senioren&t=400&s=8.88914,50.57643,begegnung,senioren,mitwirkung,30"),
    ):
        current.append(name)
        fetched[name] = set()
        page.goto(f"{app_server}/{query}")
        frame = wait_for_map(page)
        frame.locator(f"{INTERACTIVE}[stroke-width='0.6']").nth(100).wait_for(state="attached")
        widths = frame.locator("svg path").evaluate_all("paths => paths.map(p => p.getAttribute('stroke-width'))")
        quartiere = widths.count("0.6")
        assert quartiere >= 100 and widths[:quartiere] == ["0.6"] * quartiere  # the first drawn: beneath the rest
        assert len(widths) > quartiere  # outlines, offers
        in_order = frame.locator("body").evaluate(QUARTIERE_IN_ORDER)
        assert in_order, "the Quartiere are drawn in another order than the layer's"
    assert len(fetched["karte"]) == 1 and fetched["karte"] < fetched["luecken"]  # the Quartiere: one file for both
    assert len(fetched["luecken"]) == 2  # and the offers
    offer = frame.locator(f"{INTERACTIVE}[stroke='#ffffff'][stroke-width='2']").first
    offer.hover()
    expect(frame.locator(".leaflet-tooltip").filter(has_text="zählt als Mitwirkungsangebot")).to_be_visible()


#: The middles of the markers ``paths`` in the frame, for those the frame shows whole.
MARKER_MIDDLES = """(paths) => paths.map((path) => path.getBoundingClientRect())
    .filter((r) => r.width && r.left > 2 && r.right < innerWidth - 2 && r.top > 2 && r.bottom < innerHeight - 2)
    .map((r) => [r.left + r.width / 2, r.top + r.height / 2])"""
PHONE = {"width": 390, "height": 844}


def test_an_offer_tooltip_stays_inside_a_phone_sized_map(app_server, page, wait_for_map, save_artifact):
    """A tooltip is less than half the map wide, its labels above their values on a narrow map, and Leaflet opens
    it towards the map's middle: a wide one at an offer right of the middle ran off the map's left edge on a phone.
    Checked at the offer furthest right and at the one nearest the middle on its left (opened to the right)."""
    page.set_viewport_size(PHONE)
    page.goto(f"{app_server}/?p=luecken&g=senioren&t=400")
    frame = wait_for_map(page)
    iframe = page.locator(MAP_IFRAME).first
    iframe.scroll_into_view_if_needed()
    map_box = iframe.bounding_box()
    assert map_box
    offers = frame.locator(f"{INTERACTIVE}[stroke='#ffffff'][stroke-width='2']")
    offers.nth(10).wait_for(state="attached")
    middles = [(x, y) for x, y in offers.evaluate_all(MARKER_MIDDLES) if 0 < map_box["y"] + y < PHONE["height"] - 2]
    rightmost = max(middles)
    left_of_middle = max(point for point in middles if point[0] < map_box["width"] / 2)
    assert rightmost[0] > map_box["width"] / 2
    tip = frame.locator(".leaflet-tooltip").filter(has_text="Beteiligungsstufe")
    for x, y in (rightmost, left_of_middle):
        page.mouse.move(map_box["x"] + x, map_box["y"] + y)
        expect(tip).to_be_visible()
        box = tip.bounding_box()
        assert box
        assert map_box["x"] <= box["x"] and box["x"] + box["width"] <= map_box["x"] + map_box["width"], (x, box)
        if (x, y) == rightmost:
            save_artifact(page, "luecken-phone-tooltip", full_page=False)
        page.mouse.move(1, 1)  # off the map: the tooltip closes
        expect(tip).to_have_count(0)
