"""What a map click does, done without the map (keyboard, screen reader): a Quartier from a searchable list,
a planned offer in a Quartier, at an entry or at typed coordinates.

Map clicks cannot happen in AppTest; a click is put into the session the way the pages' click handling does
(``selected`` / ``gap_selected``; a planned offer through the scenario). Expected points on the tiny city
(EPSG:3035, X0 = 4 300 000, Y0 = 2 800 000) were transformed to lon/lat once and rounded to 5 decimals:
the centre of Quartier 0101 (X0 + 500, Y0 + 500) is 9.72372, 48.31766; offer o1 (X0 + 250, Y0 + 250)
9.72036, 48.31540; actor a2 "Stadt" (X0 + 1500, Y0 + 500) 9.73719, 48.31769.
"""

import pytest

from dashboard.model.scenario import Scenario
from tests.support.apptree import texts


@pytest.fixture
def gap(app):
    app.switch_page("pages/luecken.py").run()
    assert not app.exception
    return app


def test_karte_list_shows_the_figures_a_click_shows_and_the_link_follows(app, open_link):
    clicked = open_link()
    clicked.session_state["selected"] = "0101"  # as pages/karte.py does on a click
    clicked.run()
    app.selectbox(key="selected_choice").set_value("0101").run()
    assert not app.exception
    assert "Quartier Am Bach" in texts(app)
    assert app.table[0].value.equals(clicked.table[0].value)
    assert app.query_params["sel"] == "0101" and clicked.query_params["sel"] == "0101"
    assert clicked.selectbox(key="selected_choice").value == "0101"  # the list follows the click


def test_karte_a_click_after_the_list_moves_the_list_and_clearing_empties_it(app):
    app.selectbox(key="selected_choice").set_value("0101").run()
    app.session_state["selected"] = "0102"  # a click on the map
    app.run()
    assert app.selectbox(key="selected_choice").value == "0102"
    assert "Quartier Mühlenviertel" in texts(app)
    next(b for b in app.button if b.label == "Auswahl aufheben").click().run()
    assert app.selectbox(key="selected_choice").value is None
    assert "sel" not in app.query_params


def test_gap_list_selects_as_a_click_does(gap, open_link):
    clicked = open_link(p="luecken")
    clicked.session_state["gap_selected"] = "0101"  # as pages/luecken.py does on a click in "wählt ein Quartier"
    clicked.run()
    gap.selectbox(key="gap_selected_choice").set_value("0101").run()
    assert not gap.exception
    for at in (gap, clicked):
        assert at.session_state["gap_selected"] == "0101"
        assert at.selectbox(key="gap_report_area").value == "0101"  # the report follows the choice
        assert at.selectbox(key="gap_selected_choice").value == "0101"
        assert at.query_params["sel"] == "0101"


def _place(gap, how: str, **values):
    gap.radio(key="gap_place_by").set_value(how).run()
    for key, value in values.items():
        widget = gap.number_input(key=key) if key in ("gap_place_lat", "gap_place_lon") else gap.selectbox(key=key)
        widget.set_value(value)
    gap.button(key="gap_place_add").click().run()
    assert not gap.exception
    return gap.session_state["scenario"] if "scenario" in gap.session_state else Scenario()


@pytest.mark.parametrize(
    ("how", "values", "lon", "lat"),
    [
        ("area", {"gap_place_area": "0101"}, 9.72372, 48.31766),
        ("entry", {"gap_place_entry": "offer:o1"}, 9.72036, 48.31540),
        ("entry", {"gap_place_entry": "actor:a2"}, 9.73719, 48.31769),
        ("coordinates", {"gap_place_lat": 48.318, "gap_place_lon": 9.725}, 9.725, 48.318),
    ],
    ids=["quartier", "offer", "actor", "coordinates"],
)
def test_a_planned_offer_placed_by_keyboard(gap, how, values, lon, lat):
    gap.text_input(key="gap_new_name").set_value("Treff Süd")
    scenario = _place(gap, how, **values)
    (offer,) = scenario.added
    assert (offer.lon, offer.lat) == (lon, lat)
    assert offer.name == "Treff Süd" and offer.category == "begegnung"  # the panel's properties, as for a click
    assert any("Szenario: 1 geplantes Angebot, 0 abgeschaltet" in s.value for s in gap.success)
    assert gap.query_params["s"].startswith(f"{lon},{lat},begegnung,")  # the link carries it as for a click


@pytest.mark.parametrize(("lat", "lon"), [(50.0, 8.0), (9.725, 48.318)], ids=["elsewhere", "swapped"])
def test_coordinates_outside_the_city_add_nothing_and_say_so(gap, lat, lon):
    scenario = _place(gap, "coordinates", gap_place_lat=lat, gap_place_lon=lon)
    assert scenario.is_empty
    (error,) = gap.error
    assert error.value.startswith(f"Breite {lat:.5f}".replace(".", ",") + f", Länge {lon:.5f}".replace(".", ","))
    assert "liegt außerhalb von Kleinstadt. Es wurde kein Angebot gesetzt." in error.value
    assert "s" not in gap.query_params


def test_no_place_chosen_adds_nothing_and_says_so(gap):
    assert _place(gap, "coordinates", gap_place_lat=48.318).is_empty  # the longitude is missing
    assert "Es wurde kein Angebot gesetzt" in gap.error[0].value


def test_the_accessibility_statement_tells_the_keyboard_and_touch_ways(app):
    app.switch_page("pages/barrierefreiheit.py").run()
    german = " ".join(m.value for m in app.markdown)
    assert "ein Quartier über eine Liste mit Suche neben der Karte" in german
    assert "Auf Touch-Geräten verschiebt ein Finger die Seite, zwei Finger verschieben die Karte." in german
    assert "nur per Klick in die Karte. Die Rangliste" not in german and "Ein Finger verschiebt die Karte" not in german
    app.sidebar.selectbox(key="lang_choice").set_value("en").run()
    english = " ".join(m.value for m in app.markdown)
    assert "On touch devices one finger scrolls the page and two fingers move the map." in english
