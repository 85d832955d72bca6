"""A Sozialplaner opens the gap analysis straight from a link and places a planned Nachbarschaftstreff."""

import re

from playwright.sync_api import expect

from tests.support.axe import assert_no_violations
from tests.support.serving import wait_idle


def test_direct_link_place_offer_and_see_the_effect(fresh_app_server, page, wait_for_map, save_artifact):
    page.set_viewport_size({"width": 1400, "height": 1100})
    page.goto(f"{fresh_app_server}/luecken")  # the first request the server ever gets
    wait_for_map(page)
    nav = page.get_by_test_id("stSidebar").locator(".st-key-app_nav")  # the app draws its navigation
    expect(nav.get_by_text("Lückenanalyse")).to_be_visible()
    expect(nav.get_by_text("luecken", exact=True)).to_have_count(0)  # not Streamlit's pages-folder mode
    expect(page.get_by_text("Page not found")).to_have_count(0)
    expect(page.get_by_text("Rangliste: größte Lücke zuerst")).to_be_visible()

    save_artifact(page, "luecken-start")
    page.get_by_test_id("stRadioGroup").get_by_text("setzt ein geplantes Angebot").click()
    box = page.locator('iframe[title="streamlit_folium.st_folium"]').bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)
    effect = page.get_by_text(re.compile(r"Szenario: 1 geplantes Angebot, 0 abgeschaltet"))
    expect(effect).to_be_visible()
    expect(page.get_by_text(re.compile(r"Personen der Zielgruppe versorgt"))).to_be_visible()
    save_artifact(page, "luecken-szenario")
    wait_idle(page)
    assert_no_violations(page)  # the scenario's figures and the map with its planned offer
