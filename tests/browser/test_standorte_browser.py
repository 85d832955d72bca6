"""A planner asks where 3 new offers would reach most seniors, by keyboard, and shares the answer as a scenario."""

import re

from playwright.sync_api import expect
from pypdf import PdfReader

from tests.support.serving import link_query, open_fresh, shared_link, wait_idle


def test_best_three_sites_for_seniors_go_into_a_shared_scenario(
    app_server, browser, page, wait_for_map, save_artifact, tmp_path
):
    page.set_viewport_size({"width": 1400, "height": 1100})
    page.goto(f"{app_server}/standorte")
    wait_for_map(page)
    expect(page.get_by_role("heading", level=1, name=re.compile(r"^Standortplanung: "))).to_be_visible()

    group = page.get_by_test_id("stSidebar").get_by_role("combobox", name="Zielgruppe")
    group.focus()
    page.keyboard.type("Senioren")
    page.keyboard.press("Enter")
    wait_idle(page)
    expect(page.get_by_text(re.compile(r"Einstellungen:.*Senioren · 400 m"))).to_be_visible()
    table = page.get_by_test_id("stDataFrame").first
    expect(table).to_be_visible()
    expect(page.get_by_test_id("stMetric").filter(has_text="Neu erreichte Personen")).to_be_visible()
    markers = page.frame_locator('iframe[title="streamlit_folium.st_folium"]').first.locator(".qa-site")
    expect(markers).to_have_count(3)
    save_artifact(page, "standorte-senioren")

    take = page.get_by_role("button", name=re.compile("Ins Szenario übernehmen"))
    take.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name=re.compile(r"^Lückenanalyse: "))).to_be_visible()
    expect(
        page.get_by_test_id("stAlert").filter(has_text=re.compile(r"Szenario: 3 geplante Angebote, 0 abgeschaltet"))
    ).to_be_visible()
    expect(page).to_have_url(re.compile(r"[?&]s="))
    link = shared_link(page)
    assert link_query(link)["g"] == ["senioren"]

    context, other = open_fresh(browser, link, wait_for_map)
    try:
        expect(
            other.get_by_test_id("stAlert").filter(
                has_text=re.compile(r"Szenario: 3 geplante Angebote, 0 abgeschaltet")
            )
        ).to_be_visible()
        save_artifact(other, "standorte-link")
        with other.expect_download() as download_info:  # the council report of the view, sites included
            other.get_by_test_id("stDownloadButton").filter(has_text="PDF herunterladen").locator("button").click()
        report = tmp_path / download_info.value.suggested_filename
        download_info.value.save_as(report)
        text = re.sub(r"\s+", " ", "\n".join(p.extract_text() for p in PdfReader(report).pages).replace("\xa0", " "))
        assert "Einstellungen der Ansicht: Senioren · 400 m" in text
        assert "Szenario: 3 geplante Angebote, 0 abgeschaltet" in text
        assert len(re.findall(r"\b[123] Geplanter Nachbarschaftstreff", text)) == 3, text
    finally:
        context.close()
