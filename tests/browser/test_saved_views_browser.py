"""An editor saves a Lückenanalyse view with a planned offer; a councillor's fresh browser opens its short link
and sees the note and the same figures."""

import re

from playwright.sync_api import expect

from dashboard.store.base import open_store
from tests.support.serving import choose_radio, click_map, open_fresh, sign_in, wait_idle

EFFECT = re.compile(r"Szenario: 1 geplantes Angebot, 0 abgeschaltet")


def _figures(page) -> list[str]:
    """The headline figures and the scenario's effect, as the page shows them (each awaited: seen once in CI, the
    effect was drawn and the app idle while the figures beside the map were not there yet)."""
    expect(page.get_by_test_id("stAlert").filter(has_text=EFFECT)).to_be_visible()
    expect(page.get_by_test_id("stMetric")).to_have_count(3)
    wait_idle(page)
    return [
        *page.get_by_test_id("stMetric").all_inner_texts(),
        page.get_by_test_id("stAlert").filter(has_text=EFFECT).inner_text(),
    ]


def test_a_saved_view_opens_with_its_note_and_the_same_figures(editing_app, store_path, browser, page, wait_for_map):
    page.set_viewport_size({"width": 1400, "height": 1100})
    sign_in(page, editing_app)
    page.get_by_test_id("stSidebar").locator(".st-key-app_nav").get_by_text("Lückenanalyse").click()
    wait_for_map(page)
    choose_radio(page, "setzt ein geplantes Angebot", other="wählt ein Quartier")
    click_map(page)
    figures = _figures(page)

    page.get_by_test_id("stSidebar").get_by_role("button", name=re.compile("Ansicht speichern")).click()
    page.locator(".st-key-views_title input").fill("Seniorentreffs im Norden")
    page.locator(".st-key-views_note textarea").fill("Vorlage 2027/113 <b>neu</b>")
    page.locator(".st-key-views_save button").click()
    expect(page.get_by_text("Ansicht „Seniorentreffs im Norden“ gespeichert.")).to_be_visible()
    link = page.get_by_test_id("stCode").filter(has_text="ansicht=").inner_text().strip()
    [view] = open_store(store_path).saved_views()
    assert link.endswith(f"/?ansicht={view.view_id}") and "s=" in view.query

    context, other = open_fresh(browser, link, wait_for_map)
    try:
        header = other.locator(".st-key-saved_view_header")
        expect(header.get_by_text("Seniorentreffs im Norden")).to_be_visible()
        expect(header.get_by_text("Vorlage 2027/113 <b>neu</b>")).to_be_visible()  # as typed, not as HTML
        expect(header.get_by_text(re.compile(r"Gespeichert am .* von anna, Datenstand 30\.06\.2026"))).to_be_visible()
        assert _figures(other) == figures
        expect(other.get_by_text("Die Daten wurden seit dem Speichern geändert")).to_have_count(0)
    finally:
        context.close()
