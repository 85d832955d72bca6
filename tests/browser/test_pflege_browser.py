"""An editor signs in, opens Einträge pflegen on a copy of the demo city, clicks an empty spot and adds
an offer there."""

from playwright.sync_api import expect

from dashboard.store.base import open_store
from tests.browser.conftest import MAP_IFRAME
from tests.support.axe import assert_no_violations
from tests.support.serving import sign_in, wait_idle


def _choose(page, label: str, option: str, multi: bool = False) -> None:
    """Pick ``option`` in the select box (or multiselect) labelled ``label``: type to narrow, then click."""
    page.get_by_test_id("stMultiSelect" if multi else "stSelectbox").filter(has_text=label).get_by_role(
        "combobox"
    ).click()
    page.keyboard.type(option)
    page.get_by_role("option", name=option, exact=True).click()
    if multi:
        page.keyboard.press("Escape")  # a multiselect stays open for more


def test_editor_adds_an_offer_on_the_map(editing_app, store_path, page, wait_for_map, save_artifact):
    page.set_viewport_size({"width": 1500, "height": 1200})
    sign_in(page, editing_app)

    page.get_by_test_id("stSidebar").locator(".st-key-app_nav").get_by_text("Einträge pflegen").click()
    frame = wait_for_map(page)
    entries = frame.locator("path.leaflet-interactive")
    assert entries.count() == 891  # every active offer, one GeoJson layer
    wait_idle(page)
    map_box = page.locator(MAP_IFRAME).first.bounding_box()
    page.mouse.click(map_box["x"] + map_box["width"] - 60, map_box["y"] + 60)  # the empty top right corner
    expect(page.get_by_role("heading", name="Neuer Eintrag: Angebote")).to_be_visible()
    expect(page.get_by_label("Kennung *", exact=True)).to_have_value("O0892")

    page.get_by_label("Name *", exact=True).fill("Erzählcafé <b>am Markt</b>")
    _choose(page, "Kategorie", "Begegnung/Nachbarschaftstreff")
    _choose(page, "Zielgruppen", "Senioren", multi=True)
    _choose(page, "Beteiligungsstufe", "Mitwirkung")
    page.get_by_label("Öffnungszeiten").fill("Mi 15–17 Uhr")
    save_artifact(page, "pflege-neu")
    wait_idle(page)
    assert_no_violations(page)  # the new entry's form beside the map
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("Neuer Eintrag O0892 gespeichert.")).to_be_visible()

    stored = open_store(store_path).entries("offers").set_index("offer_id").loc["O0892"]
    assert (stored["name"], stored["category"], stored["target_groups"], stored["level"]) == (
        "Erzählcafé <b>am Markt</b>",
        "begegnung",
        "senioren",
        "mitwirkung",
    )
    assert stored["opening_hours"] == "Mi 15–17 Uhr" and stored["row_version"] == 1
    [change] = open_store(store_path).history(entry_id="O0892")
    assert (change.user, change.action) == ("anna", "add")

    frame = wait_for_map(page)
    expect(frame.locator("path.leaflet-interactive")).to_have_count(892)  # the new offer is on the map
    expect(
        page.get_by_role("heading", name="Erzählcafé <b>am Markt</b> (O0892)")
    ).to_be_visible()  # as text, not markup
    save_artifact(page, "pflege-gespeichert")

    frame.locator("path.leaflet-interactive").nth(100).click()  # a click on a marker opens that entry
    expect(page.get_by_role("heading", name="Erzählcafé")).to_have_count(0)
    expect(page.get_by_role("heading", name="(O0")).to_be_visible()
    expect(page.get_by_role("heading", name="Neuer Eintrag")).to_have_count(0)
