"""A Sozialplaner opens the gap analysis straight from a link, places a planned Nachbarschaftstreff and downloads
the ranking."""

import re

import openpyxl
from playwright.sync_api import expect

from tests.support.axe import assert_no_violations
from tests.support.serving import choose_radio, click_map, wait_idle


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
    choose_radio(page, "setzt ein geplantes Angebot", other="wählt ein Quartier")
    click_map(page)
    effect = page.get_by_test_id("stAlert").filter(
        has_text=re.compile(r"Szenario: 1 geplantes Angebot, 0 abgeschaltet")
    )
    expect(effect).to_be_visible()
    expect(page.get_by_text(re.compile(r"Personen der Zielgruppe versorgt"))).to_be_visible()
    save_artifact(page, "luecken-szenario")
    wait_idle(page)
    assert_no_violations(page)  # the scenario's figures and the map with its planned offer


def test_ranking_downloads_as_xlsx_by_keyboard_with_the_figures_of_the_page(app_server, page, tmp_path):
    """The XLSX button is reached and pressed by keyboard; the file's first row is the page's first Quartier."""
    page.set_viewport_size({"width": 1400, "height": 1100})
    page.goto(f"{app_server}/luecken")
    first_row = page.get_by_test_id("stDataFrame").first.locator("[role=row]").nth(1)  # row 0: the headings
    expect(first_row.locator("[role=gridcell]").first).to_have_text("1")
    wait_idle(page)
    rank, name, index, _, target = first_row.locator("[role=gridcell]").all_inner_texts()[:5]
    stand = page.get_by_text(re.compile(r"^Datenstand: \d\d\.\d\d\.\d{4}$")).first.inner_text()
    button = page.get_by_role("button", name="Quartiere als Excel (XLSX)")
    button.focus()
    with page.expect_download() as download_info:
        page.keyboard.press("Enter")
    download = download_info.value
    assert re.fullmatch(r"luecken-musterstadt-alle-\d{4}-\d\d-\d\d\.xlsx", download.suggested_filename)
    target_file = tmp_path / download.suggested_filename
    download.save_as(target_file)
    table, about = openpyxl.load_workbook(target_file).worksheets
    row = [cell.value for cell in table[2]]
    assert row[:2] == [int(rank), name]
    assert round(row[2]) == int(index) and f"{round(row[4]):,}".replace(",", ".") == target
    assert stand in [line[0].value for line in about.iter_rows()]
