"""A councillor opens a shared link on a phone or tablet: the first screen shows what it was shared for, the
headline figures and the settings behind them; on the desktop that summary is not shown (the figures stand beside
the map there, the settings in the sidebar)."""

from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

from tests.benchmarks.bench_shared_link import LINKS
from tests.support.axe import assert_no_violations
from tests.support.serving import wait_idle

GAP_LINK = f"/?{urlencode(LINKS['Lückenanalyse'], safe=',')}"  # Senioren, 400 m, one planned offer
KARTE_LINK = f"/?{urlencode({**LINKS['Karte'], 'sel': '0101'})}"  # Bezirk Mitte, Quartier Altstadt chosen
SUMMARY = ".qa-first-screen"
PHONE, TABLET = {"width": 390, "height": 844}, {"width": 820, "height": 1180}
GAP_SETTINGS = (
    "Einstellungen der Ansicht: Senioren · 400 m · Luftlinie × Umwegfaktor 1,00 · ab Beteiligungsstufe Mitwirkung"
    " · Szenario: 1 geplantes Angebot, 0 abgeschaltet"
)


def _open(page, url: str, wait_for_map):
    page.goto(url)
    wait_for_map(page)
    wait_idle(page)
    return page.locator(SUMMARY)


def _in_first_screen(page, summary) -> None:
    """Every part of the summary lies inside the viewport, unscrolled."""
    expect(summary).to_be_visible()
    for part in summary.locator("dt, dd, p").all():
        box = part.bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= page.viewport_size["height"], box


def _gap_first_screen(app_server, page, wait_for_map, save_artifact, name: str) -> None:
    summary = _open(page, app_server + GAP_LINK, wait_for_map)
    _in_first_screen(page, summary)
    labels, values = summary.locator("dt"), summary.locator("dd")
    metrics = page.get_by_test_id("stMetric")
    assert len(values.all_inner_texts()) == 3
    assert labels.all_inner_texts() == metrics.get_by_test_id("stMetricLabel").all_inner_texts()
    assert values.all_inner_texts() == metrics.get_by_test_id("stMetricValue").all_inner_texts()
    for value in metrics.get_by_test_id("stMetricValue").locator("p").all():  # whole, not cut to "82.…"
        assert value.evaluate("e => e.parentElement.scrollWidth <= e.parentElement.clientWidth"), value.inner_text()
    expect(summary.locator("p").last).to_have_text(GAP_SETTINGS)
    save_artifact(page, name, full_page=False)
    assert_no_violations(page)  # the summary's contrast and list structure included


def _karte_first_screen(app_server, page, wait_for_map, save_artifact, name: str) -> None:
    summary = _open(page, app_server + KARTE_LINK, wait_for_map)
    _in_first_screen(page, summary)
    expect(summary.locator("strong")).to_have_text("Quartier Altstadt")
    table = page.get_by_test_id("stTable").first  # the key figures: Quartier, Stadtbezirk, city
    labels, values = summary.locator("dt").all_inner_texts(), summary.locator("dd").all_inner_texts()
    assert labels == ["Einwohner", "ohne Angebot in 500 m (Anteil)", "Mitwirkungsangebote je 1.000 EW"]
    for label, value in zip(labels, values, strict=True):
        row = table.locator("tr").filter(has=page.locator("th").get_by_text(label, exact=True))
        expect(row.locator("td").first).to_have_text(value)
    expect(summary.locator("p").last).to_contain_text(" · 500 m · Luftlinie × Umwegfaktor 1,00 · ")
    save_artifact(page, name, full_page=False)
    assert_no_violations(page)  # the tables wider than a phone included: they are Tab stops


def _touch(viewport: dict[str, int]):
    return pytest.mark.browser_context_args(has_touch=True, is_mobile=True, viewport=viewport)


@pytest.mark.parametrize(
    ("check", "name"),
    [
        pytest.param(_gap_first_screen, "luecken-390x844", marks=_touch(PHONE), id="luecken-phone"),
        pytest.param(_gap_first_screen, "luecken-820x1180", marks=_touch(TABLET), id="luecken-tablet"),
        pytest.param(_karte_first_screen, "karte-390x844", marks=_touch(PHONE), id="karte-phone"),
        pytest.param(_karte_first_screen, "karte-820x1180", marks=_touch(TABLET), id="karte-tablet"),
    ],
)
def test_on_phones_and_tablets_a_link_shows_its_figures_and_settings_first(
    app_server, page, wait_for_map, save_artifact, check, name
):
    check(app_server, page, wait_for_map, save_artifact, f"first-screen-{name}")


@pytest.mark.parametrize("link", [GAP_LINK, KARTE_LINK])
def test_on_the_desktop_the_summary_takes_no_place(app_server, page, wait_for_map, link):
    page.set_viewport_size({"width": 1400, "height": 1100})
    summary = _open(page, app_server + link, wait_for_map)
    container = page.get_by_test_id("stElementContainer").filter(has=summary)
    expect(container).to_have_count(1)
    expect(container).to_be_hidden()  # hidden with its container: no gap above the map
