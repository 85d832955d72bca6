"""An anonymous councillor on every page of the demo city: no contact data in the page, its frames or any
websocket message."""

import re

import pytest

CONTACT = re.compile(rb"@beispiel\.invalid|\b0000 \d{6}\b")  # the demo's fictional e-mail addresses and phone numbers
PAGES = ["", "luecken", "akteure", "profil", "vergleich", "quellen", "anmelden"]
MAP_PAGES = {"", "luecken", "profil"}


@pytest.mark.parametrize("path", PAGES)
def test_viewer_gets_no_contact_data(app_server, page, wait_for_map, path):
    received: list[bytes] = []  # everything the server sent over the websocket: elements, tables, st_folium's args
    page.on(
        "websocket",
        lambda ws: ws.on(
            "framereceived", lambda data: received.append(data if isinstance(data, bytes) else data.encode())
        ),
    )
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(f"{app_server}/{path}")
    page.get_by_text("Ratsansicht – nur lesen").first.wait_for()
    if path in MAP_PAGES:
        wait_for_map(page, ".leaflet-container")
    if path == "":  # the actors too, not only the offers: both point layers carry an entry's fields
        page.get_by_test_id("stSidebar").get_by_text("Akteure", exact=True).click()
        page.get_by_text("Wohnungswirtschaft").first.wait_for()  # the sector legend of the actors
    page.wait_for_load_state("networkidle")
    sent = [page.content().encode(), *(frame.content().encode() for frame in page.frames), *received]
    if path == "":
        assert any(b"Offener Treff" in message for message in received)  # the points' public fields do arrive this way
    assert not [m.group() for message in sent for m in CONTACT.finditer(message)]
