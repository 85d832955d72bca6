"""A shared Lückenanalyse link on a phone and on a tablet: its first screen shows what it was shared for – the
settings line (group, threshold, distance, scenario) and the city's figures – before the map."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.support.serving import wait_idle

LINK = "luecken?g=senioren&t=400&s=8.912,50.59,begegnung,senioren,mitwirkung,20"


@pytest.mark.parametrize(("width", "height"), [(390, 844), (820, 1180)])
def test_the_first_screen_of_a_shared_link_has_the_figures_and_their_settings(
    app_server, browser, width, height, artifacts_dir
):
    context = browser.new_context(viewport={"width": width, "height": height}, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        page.goto(f"{app_server}/{LINK}")
        settings = page.get_by_text(re.compile(r"^Einstellungen: Senioren · 400 m .*Szenario: 1 geplantes Angebot"))
        expect(settings).to_be_visible()
        metrics = page.get_by_test_id("stMetric")
        expect(metrics.filter(has_text="ohne Angebot in 400 m")).to_be_visible()
        wait_idle(page)
        for element in (settings, *metrics.all()[:3]):
            box = element.bounding_box()
            assert box is not None and box["y"] + box["height"] <= height, (element, box)
        page.screenshot(path=str(artifacts_dir / f"telefon-luecken-{width}x{height}.png"))  # the first screen
    finally:
        context.close()
