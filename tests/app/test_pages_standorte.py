"""Standortplanung in AppTest on the tiny city: the engine's answer on the page, exact on request, into the scenario."""

from __future__ import annotations

import time

from dashboard.analysis import siting
from dashboard.analysis.city import prepare
from dashboard.analysis.gaps import GapParams, analyse
from dashboard.web import jobs
from tests.support.factories import tiny_workspace

PAGE = "pages/standorte.py"


def _metrics(at):
    return {m.label: m.value for m in at.metric}


def _settled(at):
    """The page once the exact answer is in: while its computation runs the page shows "abbrechen", and a rerun
    (what the progress fragment does in the browser) waits up to two seconds for it."""
    while any(b.key == "sites_cancel" for b in at.button):
        at.run()
    return at


def _slow_exact(coverage, params):
    """An exact model that takes two minutes (the child process imports it from here)."""
    time.sleep(120)


def _best(n: int, solver=siting.greedy) -> siting.SitingResult:
    city = prepare(tiny_workspace())
    result = analyse(city, GapParams())
    return solver(siting.coverage(result, siting.candidate_cells(city)), siting.SitingParams(sites=n))


def test_the_page_shows_the_engines_sites_method_and_settings(app):
    at = app.switch_page(PAGE).run()
    assert not at.exception
    assert at.title[0].value == "Standortplanung: Kleinstadt"
    best = _best(3)
    assert _metrics(at)["Neu erreichte Personen der Zielgruppe"] == f"{best.objective:,.0f}".replace(",", ".")
    table = at.dataframe[0].value
    assert list(table["Nr."]) == list(range(1, len(best.sites) + 1))
    assert "Einstellungen:" in at.markdown[0].value and "500 m" in at.markdown[0].value
    assert any("Näherung" in m.value for m in at.markdown)
    curve = next(e for e in at.expander if e.label == "Die Zahlen der Kurve als Tabelle").dataframe[0].value
    assert list(curve["neue Standorte"]) == list(range(1, len(curve) + 1)) and len(curve) >= len(best.sites)


def test_exact_on_request_and_fewer_sites(app):
    at = app.switch_page(PAGE).run()
    at.number_input(key="sites_new_sites").set_value(1).run()
    _settled(at.radio(key="sites_solver").set_value("exact").run())
    assert not at.exception
    assert any("exakt" in m.value for m in at.markdown)
    assert _metrics(at)["Neu erreichte Personen der Zielgruppe"] == f"{_best(1, siting.exact).objective:,.0f}".replace(
        ",", "."
    )


def test_places_per_site_limit_whom_each_serves_and_travel_into_the_scenario(app):
    """By hand: 400 people at (1450, 450) and 200 at (850, 850) have nothing in reach, 721 m apart; with 150
    places per site the two best sites serve 150 each (without a limit one site alone would reach 400)."""
    at = app.switch_page(PAGE).run()
    at.number_input(key="sites_new_sites").set_value(2).run()
    _settled(at.number_input(key="sites_site_capacity").set_value(150).run())
    assert not at.exception
    assert _metrics(at)["Neu erreichte Personen der Zielgruppe"] == "300"
    assert any("jeder neue Standort ist voll belegt" in m.value for m in at.markdown)  # no MILP needed
    assert at.radio(key="sites_solver").disabled
    next(b for b in at.button if b.key == "sites_into_scenario").click().run()
    assert [offer.capacity for offer in at.session_state["scenario"].added] == [150, 150]


def into_the_scenario(at):
    """One site for seniors, taken into the scenario: the Lückenanalyse opens with it and the same group."""
    at.sidebar.selectbox(key="gap_target_group").set_value("senioren").run()
    at.number_input(key="sites_new_sites").set_value(1).run()
    next(b for b in at.button if b.key == "sites_into_scenario").click().run()
    assert not at.exception
    assert at.title[0].value == "Lückenanalyse: Kleinstadt"
    assert at.sidebar.selectbox(key="gap_target_group").value == "senioren"
    assert at.success[0].value.startswith("Szenario: 1 geplantes Angebot, 0 abgeschaltet.")


def test_into_the_scenario_opens_the_gap_analysis_with_the_sites(app):
    into_the_scenario(app.switch_page(PAGE).run())


def test_the_page_has_its_own_link_that_restores_it(open_link):
    at = _settled(open_link(p="standorte", g="senioren", ns="2", cap="150", so="exact"))
    assert not at.exception and at.title[0].value == "Standortplanung: Kleinstadt"
    assert at.number_input(key="sites_new_sites").value == 2 and at.number_input(key="sites_site_capacity").value == 150
    assert at.sidebar.selectbox(key="gap_target_group").value == "senioren"
    assert any("Platzgrenze" in m.value for m in at.markdown)
    at.number_input(key="sites_new_sites").set_value(4).run()
    assert at.query_params["ns"] in ("4", ["4"]) and at.query_params["cap"] in ("150", ["150"])


def test_a_long_exact_computation_shows_greedy_meanwhile_and_can_be_abandoned(app, monkeypatch):
    monkeypatch.setattr(siting, "exact", _slow_exact)
    at = app.switch_page(PAGE).run()
    at.radio(key="sites_solver").set_value("exact").run()
    assert not at.exception
    assert _metrics(at)["Neu erreichte Personen der Zielgruppe"] == f"{_best(3).objective:,.0f}".replace(",", ".")
    assert "Die exakte Lösung wird berechnet" in at.get("progress")[0].proto.text
    next(b for b in at.button if b.key == "sites_cancel").click().run()
    abandoned = jobs.find(at.session_state["sites_abandoned"])
    assert not at.exception and abandoned.state == jobs.CANCELLED and not abandoned.process.is_alive()
    assert at.warning[0].value.startswith("Die exakte Berechnung wurde abgebrochen.")
    assert not any(b.key == "sites_cancel" for b in at.button)
    at.number_input(key="sites_new_sites").set_value(2).run()  # the abandoned question stays abandoned; a new one runs
    assert any(b.key == "sites_cancel" for b in at.button)
    next(b for b in at.button if b.key == "sites_cancel").click().run()
