"""The page Akteure & Netzwerk in Streamlit's AppTest on the tiny city, with one cooperation (a3 – a1)."""

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.store.gpkgfile import write_geopackage
from tests.support.apptree import everything
from tests.support.factories import tiny_workspace
from tests.support.paths import APP


@pytest.fixture
def app(tmp_path, monkeypatch):
    cooperations = pd.DataFrame(
        {"coop_id": ["k1"], "actor_a": ["a3"], "actor_b": ["a1"], "kind": ["projekt"], "since": [2020]}
    )
    path = tmp_path / "kleinstadt.gpkg"
    write_geopackage(tiny_workspace(cooperations=cooperations), path)
    monkeypatch.setenv("QUARTIERSATLAS_WORKSPACE", str(path))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("pages/akteure.py").run()
    assert not at.exception
    return at


def _network(at):
    at.segmented_control(key="actors_view").set_value("network").run()
    assert not at.exception
    return at


def _table(at, column: str) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_directory_lists_everything_with_facet_counts(app):
    assert app.title[0].value == "Akteure & Netzwerk: Kleinstadt"
    assert any("Treffer: 3 Akteure, 2 Angebote" in c.value for c in app.caption)
    assert len(app.dataframe[-1].value) == 5
    assert app.multiselect(key="actors_facet_sector").options == [
        "Wohnungswirtschaft (1)", "Freie Wohlfahrtspflege (0)", "Stadt/Kommune (2)", "Zivilgesellschaft (2)"
    ]  # fmt: skip


def test_search_without_umlauts_and_a_facet(app):
    app.text_input(key="actors_query").input("Muehlenviertel").run()
    assert list(app.dataframe[-1].value["Name"]) == ["Stadt", "Bürgerbüro"]
    app.multiselect(key="actors_facet_entry").select("offer").run()
    assert not app.exception
    assert list(app.dataframe[-1].value["Name"]) == ["Bürgerbüro"]
    assert app.multiselect(key="actors_facet_entry").options == ["Akteur (1)", "Angebot (1)"]


def test_actor_card_shows_offers_cooperations_and_escapes_names(app):
    app.selectbox(key="actors_card").set_value("a1").run()
    assert not app.exception
    card = app.main.get("html")[0].proto.body
    assert "<b>Initiative &lt;script&gt;alert(1)&lt;/script&gt;</b>" in card and "Am Bach" in card
    offers, cooperations = (d.value for d in app.dataframe[:2])
    assert list(offers["Angebot"]) == ["Nachbarschaftstreff <b>Am Bach</b>"]
    assert cooperations.iloc[0].tolist() == ["Baugenossenschaft Höhe eG", "Wohnungswirtschaft", "Projekt", "2020"]


def test_network_view_filters_to_a_quartier(app):
    at = _network(app)
    assert {m.label: m.value for m in at.metric} == {
        "Akteure": "3",
        "Kooperationen": "1",
        "sektorübergreifend": "1",
        "Dichte": "0,333",
    }
    assert len(at.get("vega_lite_chart")) == 1
    lacking = _table(at, "fehlt")
    assert list(lacking["Quartier"]) == ["Am Bach", "Höhe", "Mühlenviertel", "Wald"]  # no Quartier has both
    assert list(lacking["fehlt"])[:2] == [
        "sektorübergreifende Kooperation",
        "Zivilgesellschaft, sektorübergreifende Kooperation",
    ]
    at.sidebar.selectbox(key="net_quartier").set_value("0201").run()
    assert not at.exception
    assert any(s.value == "Netzwerk: Höhe" for s in at.subheader)
    assert {m.label: m.value for m in at.metric}["Akteure"] == "1"
    assert len(at.get("vega_lite_chart")) == 1


def test_network_sector_filter_and_opportunities(app):
    at = _network(app)
    assert any("innerhalb von 500 m" in i.value for i in at.info)  # the actors are far apart
    at.sidebar.number_input(key="net_radius").set_value(1500).run()
    chances = at.main.get("html")[0].proto.body
    assert chances.startswith("<ol><li><b>Initiative &lt;script&gt;alert(1)&lt;/script&gt;</b> ↔ <b>Stadt</b>")
    assert "1.160 m" in chances and any("2 von 2 Vernetzungschancen" in c.value for c in at.caption)
    assert "1.500 m" in at.expander[0].markdown[1].value
    at.sidebar.multiselect(key="net_sectors").unselect("kommune").run()
    assert {m.label: m.value for m in at.metric}["Kooperationen"] == "1"
    assert not at.main.get("html")


def test_contact_data_never_reaches_the_page(app):
    app.selectbox(key="actors_card").set_value("a1").run()
    texts = [everything(app)]
    texts.append(everything(_network(app)))
    assert "Initiative" in texts[0] and "Initiative" in texts[1]
    assert not any("geheim@beispiel.invalid" in text for text in texts)


def test_english(app):
    app.sidebar.selectbox(key="lang_choice").set_value("en").run()
    assert app.title[0].value == "Actors & network: Kleinstadt"
    at = _network(app)
    assert "Bridging actors" in [s.value for s in at.subheader]
