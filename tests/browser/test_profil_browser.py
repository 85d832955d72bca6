"""A councillor opens a shared profile link, sees the Quartier on its small map and takes the PDF along."""

from playwright.sync_api import expect


def test_profile_link_map_and_pdf_download(app_server, page, wait_for_map, save_artifact, tmp_path):
    page.set_viewport_size({"width": 1400, "height": 1100})
    page.goto(f"{app_server}/profil?gebiet=0101")
    wait_for_map(page)
    expect(page.get_by_role("heading", name="Quartier Altstadt")).to_be_visible()
    expect(page.get_by_text("Kennzahlen im Vergleich")).to_be_visible()
    expect(page.get_by_test_id("stDataFrame").first).to_be_visible()
    save_artifact(page, "profil")

    with page.expect_download() as download_info:
        page.get_by_test_id("stDownloadButton").filter(has_text="PDF herunterladen").locator("button").click()
    download = download_info.value
    assert download.suggested_filename == "bericht-0101.pdf"
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    assert target.read_bytes().startswith(b"%PDF")
