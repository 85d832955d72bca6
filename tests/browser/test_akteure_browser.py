"""A Stadtteilvernetzer opens Akteure & Netzwerk, finds the directory on the map and filters the network
to one Quartier."""

from playwright.sync_api import expect

from tests.support.axe import assert_no_violations
from tests.support.serving import wait_idle

VEGA = '[data-testid="stVegaLiteChart"]'


def test_directory_map_then_network_of_one_quartier(app_server, page, wait_for_map, save_artifact, requests_made):
    page.set_viewport_size({"width": 1400, "height": 1100})
    page.goto(f"{app_server}/akteure")
    wait_for_map(page)  # the hits as one point layer on the Leaflet map
    expect(page.get_by_text("Treffer:")).to_be_visible()
    save_artifact(page, "akteure-verzeichnis")

    page.get_by_test_id("stButtonGroup").get_by_text("Netzwerk").click()
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_test_id("stSelectbox").filter(has_text="Quartier").get_by_role("combobox").click()
    page.keyboard.type("Lindenhöhe-West")  # the list is long and virtual: type to narrow it
    page.get_by_role("option", name="Lindenhöhe-West").click()
    expect(page.get_by_role("heading", name="Netzwerk: Lindenhöhe-West")).to_be_visible()
    graph = page.locator(f"{VEGA} canvas, {VEGA} svg").first
    expect(graph).to_be_visible()
    box = graph.bounding_box()
    assert box["width"] > 300 and box["height"] > 300
    wait_idle(page)
    assert_no_violations(page)  # the network graph and its tables
    actors = page.get_by_test_id("stMetric").filter(has_text="Akteure").get_by_test_id("stMetricValue")
    assert int(actors.inner_text()) > 0
    expect(
        page.get_by_role("heading", name="Quartiere ohne Zivilgesellschaft oder ohne sektorübergreifende Kooperation")
    ).to_be_visible()
    save_artifact(page, "akteure-netzwerk")
    assert any(
        "VegaLite" in url for url in requests_made
    )  # Vega came from this app; requests_made checks nothing else left
