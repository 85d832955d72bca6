"""A councillor opens a shared Lückenanalyse link with a scenario on a phone, downloads the report and the map
for the meeting, and finds the page's figures in both."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect
from pypdf import PdfReader

from tests.support.serving import wait_idle

LINK = "luecken?g=senioren&t=400&s=8.912,50.59,begegnung,senioren,mitwirkung,20"
SCENARIO = "Szenario: 1 geplantes Angebot, 0 abgeschaltet"
EFFECT = r"Mit dem Szenario sind [\d.]+ statt [\d.]+ Personen der Zielgruppe versorgt \(\+[\d.]+\)\."


def _download(page, label: str, folder: Path) -> PdfReader:
    with page.expect_download() as download_info:
        page.get_by_test_id("stDownloadButton").filter(has_text=label).locator("button").click()
    path = folder / download_info.value.suggested_filename
    download_info.value.save_as(path)
    return PdfReader(path)


def _text(reader: PdfReader) -> str:
    return re.sub(r"\s+", " ", "\n".join(p.extract_text() for p in reader.pages).replace("\xa0", " "))


def test_shared_link_on_a_phone_gives_report_and_map_with_the_pages_figures(
    app_server, browser, wait_for_map, tmp_path, artifacts_dir
):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        page.goto(f"{app_server}/{LINK}")
        wait_for_map(page)
        wait_idle(page)
        effect = page.get_by_test_id("stAlert").filter(has_text=SCENARIO)
        expect(effect).to_be_visible()
        sentence = re.search(EFFECT, effect.inner_text().replace("\xa0", " "))
        assert sentence, effect.inner_text()
        first_row = page.get_by_test_id("stDataFrame").first.locator("[role=row]").nth(1)  # row 0: the headings
        expect(first_row.locator("[role=gridcell]").first).to_have_text("1")
        _, name, index = first_row.locator("[role=gridcell]").all_inner_texts()[:3]
        stand = page.get_by_text(re.compile(r"^Datenstand: \d\d\.\d\d\.\d{4}$")).first.inner_text()

        report = _text(_download(page, "PDF herunterladen", tmp_path))  # of the largest gap: the first row
        assert f"Quartiersbericht {name}" in report and f"Lückenindex {index} " in report
        assert "Einstellungen der Ansicht: Senioren · 400 m" in report and SCENARIO in report
        assert sentence.group(0) in report and stand in report

        sheet = _download(page, "Karte als PDF", tmp_path)
        text = _text(sheet)
        assert "Lückenanalyse Musterstadt: Senioren" in text and stand in text
        assert "Einstellungen der Ansicht: Senioren · 400 m" in text and SCENARIO in text
        document = sheet.trailer["/Root"]["/StructTreeRoot"]["/K"]
        document = (document[0] if isinstance(document, list) else document).get_object()
        figure = next(e.get_object() for e in document["/K"] if e.get_object()["/S"] == "/Figure")
        assert f"Die größten Lücken: {name} (Index {index})" in figure["/Alt"], figure["/Alt"]
        page.screenshot(path=str(artifacts_dir / "telefon-luecken-downloads.png"), full_page=True)
    finally:
        context.close()
