"""Share links in a real browser: a view set up by one planner opens the same in a fresh browser.

The second browser is a new context (no cookies, no Streamlit session), like a councillor's phone.
"""

import re
from urllib.parse import quote

import pytest
from playwright.sync_api import expect
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from dashboard.model.share_state import ViewState, encode, map_position
from tests.support.serving import (
    MAP_IFRAME,
    choose_radio,
    click_map,
    link_query,
    map_settled,
    open_fresh,
    shared_link,
    wait_idle,
)


def _checkbox(page, label: str):
    return (
        page.get_by_test_id("stSidebar")
        .get_by_test_id("stCheckbox")
        .filter(has_text=re.compile(f"^{re.escape(label)}$"))
        .locator("input")
    )


def test_karte_view_opens_the_same_in_a_new_browser(app_server, browser, page, wait_for_map, save_artifact):
    page.set_viewport_size({"width": 1400, "height": 1100})
    page.goto(app_server)
    wait_for_map(page)
    _checkbox(page, "Akteure").check(force=True)
    threshold = page.get_by_test_id("stSidebar").get_by_label("Entfernungsschwelle (m)")
    threshold.fill("800")
    threshold.press("Enter")
    expect(page).to_have_url(re.compile(r"t=800"))
    click_map(page, 0.45, 0.55)
    heading = page.get_by_role("heading", name=re.compile(r"^Quartier "))
    expect(heading).to_be_visible()
    expect(page).to_have_url(re.compile(r"sel="))
    name = heading.inner_text()
    link = shared_link(page)
    assert {"l", "t", "sel"} <= set(link_query(link))

    context, other = open_fresh(browser, link, wait_for_map)
    try:
        expect(other.get_by_role("heading", name=name)).to_be_visible()
        expect(_checkbox(other, "Akteure")).to_be_checked()
        expect(other.get_by_test_id("stSidebar").get_by_label("Entfernungsschwelle (m)")).to_have_value("800")
        assert link_query(other.url) == link_query(link)
        save_artifact(other, "share-karte")
    finally:
        context.close()


def test_gap_view_with_scenario_opens_the_same_in_a_new_browser(app_server, browser, page, wait_for_map, save_artifact):
    page.set_viewport_size({"width": 1400, "height": 1100})
    page.goto(f"{app_server}/luecken")
    wait_for_map(page)
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_test_id("stSelectbox").filter(has_text="Zielgruppe").click()
    page.get_by_role("option", name="Senioren", exact=True).click()
    expect(page).to_have_url(re.compile(r"g=senioren"))
    threshold = sidebar.get_by_label("Entfernungsschwelle (m)")
    expect(threshold).to_have_count(1)  # the last group's input lingers until its run is over
    threshold.fill("600")
    threshold.press("Enter")
    expect(page).to_have_url(re.compile(r"t=600"))
    wait_idle(page)
    expect(page.locator(MAP_IFRAME)).to_have_count(1)  # the map rebuilt for 600 m has replaced the old one
    wait_for_map(page)
    choose_radio(page, "setzt ein geplantes Angebot", other="wählt ein Quartier")
    click_map(page)
    expect(
        page.get_by_test_id("stAlert").filter(has_text=re.compile(r"Szenario: 1 geplantes Angebot, 0 abgeschaltet"))
    ).to_be_visible()
    expect(page).to_have_url(re.compile(r"[?&]s="))
    link = shared_link(page)

    context, other = open_fresh(browser, link, wait_for_map)
    try:
        expect(
            other.get_by_test_id("stAlert").filter(
                has_text=re.compile(r"Szenario: 1 geplantes Angebot, 0 abgeschaltet")
            )
        ).to_be_visible()
        other_sidebar = other.get_by_test_id("stSidebar")
        expect(other_sidebar.get_by_role("combobox", name="Zielgruppe")).to_have_value("Senioren")
        expect(other_sidebar.get_by_label("Entfernungsschwelle (m)")).to_have_value("600")
        assert link_query(other.url) == link_query(link)
        save_artifact(other, "share-luecken")
    finally:
        context.close()


def test_hostile_link_renders_warns_and_runs_nothing(app_server, page, wait_for_map):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    script = "<script>alert(1)</script>"
    page.goto(
        f"{app_server}/?p={quote(script)}&t=999999999&x=&sel={quote('<img src=x onerror=alert(2)>')}&{quote(script)}=1"
    )
    wait_for_map(page)
    expect(page.get_by_text("Einige Angaben im Link")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile(r"^Karte: "))).to_be_visible()
    expect(page).to_have_url(re.compile(r"t=3000"))  # clamped; the rest is gone from the URL
    text = page.locator("body").inner_text()
    assert "<script>" not in text and "alert(" not in text and "onerror" not in text
    assert page.locator("img[src=x]").count() == 0
    assert dialogs == []


def test_embed_shows_only_the_map(app_server, page, wait_for_map, save_artifact):
    page.set_viewport_size({"width": 900, "height": 700})
    page.goto(f"{app_server}/?embed=true&view=embed&p=karte&l=bezirke,choropleth")
    wait_for_map(page)
    expect(page.get_by_test_id("stSidebar")).to_have_count(0)
    expect(page.locator(".st-key-app_nav")).to_have_count(0)
    expect(page.get_by_role("heading", name=re.compile(r"^Karte: "))).to_have_count(0)
    expect(page.get_by_text("Klicken Sie ein Quartier")).to_have_count(0)  # no side column
    assert "view=embed" in page.url
    save_artifact(page, "embed-karte")


def _leaflet_view(frame) -> tuple[float, float, int]:
    """Centre and zoom of the Leaflet map inside the st_folium frame."""
    return tuple(
        frame.evaluate(
            "() => { const m = Object.values(window).find(v => v instanceof L.Map);"
            " const c = m.getCenter(); return [c.lat, c.lng, m.getZoom()]; }"
        )
    )


def test_link_with_a_map_position_opens_the_map_there(app_server, page, wait_for_map):
    page.set_viewport_size({"width": 1400, "height": 1100})
    page.goto(app_server)
    lat, lon, zoom = _leaflet_view(wait_for_map(page))
    target = (round(lat + 0.01, 5), round(lon - 0.01, 5), zoom + 2)
    page.goto(f"{app_server}/?pos={target[0]},{target[1]},{target[2]}")
    frame = wait_for_map(page)
    frame.wait_for_function(f"() => Object.values(window).find(v => v instanceof L.Map).getZoom() === {target[2]}")
    shown = _leaflet_view(frame)
    assert abs(shown[0] - target[0]) < 1e-3 and abs(shown[1] - target[1]) < 1e-3
    assert link_query(page.url)["pos"] == [
        f"{target[0]},{target[1]},{target[2]:g}"
    ]  # the link stays in the address bar


def _drag_map(page, dx: int, dy: int) -> None:
    box = page.locator(MAP_IFRAME).bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx, y + dy, steps=12)
    page.mouse.up()


@pytest.mark.parametrize("path", ["", "/luecken"], ids=["karte", "luecken"])
def test_panned_and_zoomed_map_opens_the_same_in_a_new_browser(
    app_server, browser, page, wait_for_map, save_artifact, path
):
    page.set_viewport_size({"width": 1400, "height": 1100})
    page.goto(f"{app_server}{path}")
    frame = wait_for_map(page)
    opening = _leaflet_view(frame)
    map_settled(page, frame)
    assert "pos" not in link_query(page.url)  # the map as fitted to the data: no position in the link

    _drag_map(page, -160, 90)
    frame.locator(".leaflet-control-zoom-in").click()
    frame.wait_for_function(f"() => window.map.getZoom() === {opening[2] + 1}")
    moved = _leaflet_view(frame)
    assert abs(moved[0] - opening[0]) > 1e-3 and abs(moved[1] - opening[1]) > 1e-3  # the drag did pan
    page_name = "luecken" if path else "karte"
    field = {"karte": "map_pos", "luecken": "gap_map_pos"}[page_name]
    expected = encode(ViewState(page_name, fields={field: map_position(*moved)}))["pos"]
    page.wait_for_function("pos => new URLSearchParams(location.search).get('pos') === pos", arg=expected)
    map_settled(page, frame)
    assert _leaflet_view(frame) == moved  # the rerun neither rebuilt nor moved the map
    link = shared_link(page)
    assert link_query(link)["pos"] == [expected]

    context, other = open_fresh(browser, link, wait_for_map)
    try:
        other_frame = other.locator(MAP_IFRAME).first.element_handle().content_frame()
        shown = _leaflet_view(other_frame)
        assert shown[2] == moved[2]
        assert abs(shown[0] - moved[0]) < 1e-4 and abs(shown[1] - moved[1]) < 1e-4
        map_settled(other, other_frame)
        assert link_query(other.url) == link_query(link)  # opening at the link's position writes nothing new
        save_artifact(other, f"share-pos-{page_name}")
    finally:
        context.close()


def _runs_drawing(page) -> list[tuple[tuple[str, ...], list[tuple[int, str]]]]:
    """Each script run Streamlit starts for the page from now on, as it tells the browser (a ``new_session``
    message): the fragments the run reruns (none for a run of the whole page) and the elements it draws, as
    (root, kind), where root 0 is the main area and 1 the sidebar. The list fills while the page runs."""
    runs: list[tuple[tuple[str, ...], list[tuple[int, str]]]] = []

    def frame(payload: str | bytes) -> None:
        if isinstance(payload, bytes):
            msg = ForwardMsg.FromString(payload)
            kind = msg.WhichOneof("type")
            if kind == "new_session":
                runs.append((tuple(msg.metadata.run.fragment_ids), []))
            elif kind == "delta" and runs and msg.delta.WhichOneof("type") == "new_element":
                runs[-1][1].append((msg.metadata.delta_path[0], msg.delta.new_element.WhichOneof("type")))

    page.on("websocket", lambda ws: ws.on("framereceived", frame))
    return runs


def _iframes_loaded(page) -> int:
    return page.evaluate(
        "() => performance.getEntriesByType('resource').filter(e => e.initiatorType === 'iframe').length"
    )


def _url_follows(page, frame, page_name: str) -> str:
    """The ``pos`` of where the map stands, once the map has reported it (after any drag's glide), the address bar
    holds it and the run it caused is over."""
    frame.wait_for_function(
        "() => { const d = window.__GLOBAL_DATA__.previous_data, c = window.map.getCenter();"
        " return !!d.center && d.center.lat === c.lat && d.center.lng === c.lng && d.zoom === window.map.getZoom(); }"
    )
    field = {"karte": "map_pos", "luecken": "gap_map_pos"}[page_name]
    pos = encode(ViewState(page_name, fields={field: map_position(*_leaflet_view(frame))}))["pos"]
    page.wait_for_function("pos => new URLSearchParams(location.search).get('pos') === pos", arg=pos)
    wait_idle(page)
    return pos


@pytest.mark.parametrize(
    ("path", "page_name"),
    [("", "karte"), ("/luecken", "luecken"), ("/?p=luecken&vw=need", "luecken")],
    ids=["karte", "luecken", "luecken-need"],
)
def test_pan_and_zoom_rerun_the_map_not_the_page(app_server, page, wait_for_map, path, page_name):
    """The map's reports (a drag, a zoom) rerun its fragment only; the URL and share box follow. Only its first
    report, which brings the rest of a page drawn map-first, is followed by one run of the whole page."""
    drawn = _runs_drawing(page)
    page.set_viewport_size({"width": 1400, "height": 1100})
    page.goto(f"{app_server}{path}")
    frame = wait_for_map(page)
    opening = _leaflet_view(frame)
    map_settled(page, frame)
    runs = [fragments for fragments, _ in drawn]
    fragment_runs = [i for i, fragments in enumerate(runs) if fragments]
    assert fragment_runs, f"the map's first report reran the whole page: {runs}"
    report = fragment_runs[0]  # the map's first report
    assert runs[:report] and set(runs[:report]) == {()}  # before it, the page's own runs, whole ones
    assert runs[report + 1 :] == [()], runs  # then one whole run: the rest of the page
    first = len(runs)

    _drag_map(page, -160, 90)
    panned = _url_follows(page, frame, page_name)
    assert abs(_leaflet_view(frame)[1] - opening[1]) > 1e-3  # the drag did pan
    assert link_query(shared_link(page))["pos"] == [panned]

    frame.locator(".leaflet-control-zoom-in").click()
    frame.wait_for_function(f"() => window.map.getZoom() === {opening[2] + 1}")
    zoomed = _url_follows(page, frame, page_name)
    assert zoomed != panned
    assert link_query(shared_link(page))["pos"] == [zoomed]
    runs = [fragments for fragments, _ in drawn]
    assert len(runs) - first >= 2 and set(runs[first:]) == {runs[report]}, runs  # no run of the page since
    share = page.get_by_test_id("stSidebar").get_by_role("button").last
    expect(share).to_contain_text("Link teilen")  # the share box stays at the bottom of the sidebar


WIDGETS = {"selectbox", "checkbox", "radio", "multiselect", "slider", "number_input", "button_group", "text_input"}


@pytest.mark.parametrize(
    ("path", "map_kind"),
    [
        ("/?p=karte&b=01", "component_instance"),
        ("/?p=luecken&g=senioren&t=400&s=8.88914,50.57643,begegnung,senioren,mitwirkung,30", "component_instance"),
        ("/?p=profil&gebiet=0101", "component_instance"),
    ],
    ids=["karte", "luecken", "profil"],
)
def test_a_link_draws_its_map_first_and_the_rest_once_the_map_is_drawn(app_server, page, wait_for_map, path, map_kind):
    """The link's first run draws the page down to its map: no navigation, no sidebar widget, nothing after the map;
    the map's first report brings the rest in one run of the whole page, and the map is drawn once."""
    runs = _runs_drawing(page)
    page.add_init_script("performance.setResourceTimingBufferSize(5000)")  # room for every file: none is dropped
    page.goto(f"{app_server}{path}")
    wait_for_map(page)  # waits for the page whole
    first_run = next(drawn for _, drawn in runs if drawn)  # a run the link's settling cuts short draws nothing
    assert (0, map_kind) == first_run[-1], first_run  # the map is the last thing the first run draws
    assert not {kind for root, kind in first_run if root == 1} & WIDGETS, first_run  # the sidebar: script and badge
    report = next(i for i, (fragments, _) in enumerate(runs) if fragments)
    rest = [drawn for fragments, drawn in runs[report + 1 :] if not fragments]
    assert len(rest) == 1, runs
    assert {(1, "selectbox"), (1, "page_link")} <= set(rest[0])  # the language and the navigation come now
    assert len(rest[0]) > len(first_run) + 5
    assert _iframes_loaded(page) == 1  # the map stayed where it was: its frame was not made again


def test_a_link_whose_map_never_reports_shows_the_page_whole_after_a_while(app_server, page):
    """The map's frame blocked, so it never reports: the map-first screen's timer brings the navigation and the
    rest of the page all the same (``map_first.GIVE_UP_S``)."""
    page.route(re.compile(r".*/component/streamlit_folium\..*"), lambda route: route.abort())
    page.goto(f"{app_server}/?p=luecken&g=senioren&t=400")
    nav = page.get_by_test_id("stSidebar").locator(".st-key-app_nav").get_by_role("link").first
    expect(nav).to_be_visible(timeout=60_000)
    expect(page.get_by_role("heading", name="Rangliste: größte Lücke zuerst")).to_be_visible()
