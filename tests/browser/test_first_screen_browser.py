"""A councillor opens a shared Lückenanalyse link on a phone or tablet: the first screen shows what it was shared
for, the headline figures and the settings behind them; on the desktop that summary is not shown (the figures
stand beside the map there, the settings in the sidebar)."""

from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

from tests.benchmarks.bench_shared_link import LINKS
from tests.support.axe import assert_no_violations
from tests.support.serving import wait_idle

LINK = f"/?{urlencode(LINKS['Lückenanalyse'], safe=',')}"  # Senioren, 400 m, one planned offer
SUMMARY = ".qa-first-screen"
PHONE, TABLET = {"width": 390, "height": 844}, {"width": 820, "height": 1180}


def _open(page, app_server: str, wait_for_map) -> None:
    page.goto(app_server + LINK)
    wait_for_map(page)
    wait_idle(page)


def _in_first_screen(page, locator) -> None:
    box = locator.bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= page.viewport_size["height"], box


def _first_screen(app_server, page, wait_for_map, save_artifact, name: str) -> None:
    _open(page, app_server, wait_for_map)
    summary = page.locator(SUMMARY)
    expect(summary).to_be_visible()
    labels, values = summary.locator("dt"), summary.locator("dd")
    settings = summary.locator("p")
    for element in (*labels.all(), *values.all(), settings):
        _in_first_screen(page, element)
    metrics = page.get_by_test_id("stMetric")
    assert labels.all_inner_texts() == metrics.get_by_test_id("stMetricLabel").all_inner_texts()
    assert values.all_inner_texts() == metrics.get_by_test_id("stMetricValue").all_inner_texts()
    assert len(values.all_inner_texts()) == 3
    expect(settings).to_have_text(
        "Einstellungen der Ansicht: Senioren · 400 m · Luftlinie × Umwegfaktor 1,00 · ab Beteiligungsstufe "
        "Mitwirkung · Szenario: 1 geplantes Angebot, 0 abgeschaltet"
    )
    save_artifact(page, name, full_page=False)
    assert_no_violations(page)  # the summary's contrast and list structure included


@pytest.mark.browser_context_args(has_touch=True, is_mobile=True, viewport=PHONE)
def test_on_a_phone_the_first_screen_shows_the_figures_and_settings(app_server, page, wait_for_map, save_artifact):
    _first_screen(app_server, page, wait_for_map, save_artifact, "first-screen-phone-390x844")


@pytest.mark.browser_context_args(has_touch=True, is_mobile=True, viewport=TABLET)
def test_on_a_tablet_the_first_screen_shows_the_figures_and_settings(app_server, page, wait_for_map, save_artifact):
    _first_screen(app_server, page, wait_for_map, save_artifact, "first-screen-tablet-820x1180")


def test_on_the_desktop_the_summary_takes_no_place(app_server, page, wait_for_map):
    page.set_viewport_size({"width": 1400, "height": 1100})
    _open(page, app_server, wait_for_map)
    container = page.get_by_test_id("stElementContainer").filter(has=page.locator(SUMMARY))
    expect(container).to_have_count(1)
    expect(container).to_be_hidden()  # hidden with its container: no gap above the map
    expect(page.get_by_test_id("stMetric")).to_have_count(3)
    expect(page.get_by_test_id("stMetric").first).to_be_visible()
