"""The directory: umlaut-insensitive search both ways, facets and their counts, public fields only, the actor card."""

import pandas as pd
import pytest

from dashboard.analysis import directory
from dashboard.analysis.city import prepare
from dashboard.maps import directory_map
from dashboard.maps.karte import prepare_map_data, tooltip_html
from dashboard.store.settings import load_settings
from tests.support.factories import tiny_workspace

SECRET = "geheim@beispiel.invalid"


@pytest.fixture(scope="module")
def city():
    workspace = tiny_workspace(
        cooperations=pd.DataFrame(
            {"coop_id": ["k1"], "actor_a": ["a3"], "actor_b": ["a1"], "kind": ["projekt"], "since": [2020]}
        )
    )
    workspace.actors.loc[1, "kind"] = "Amt Hauptstrasse"
    workspace.offers.loc[1, "name"] = "Bürgerbüro Lindenstraße"
    return prepare(workspace), workspace.cooperations


@pytest.fixture(scope="module")
def index(city):
    return directory.build(*city)


def _found(index, query, **chosen) -> list[str]:
    hits = directory.search(index, query, chosen)
    return sorted(index.entries["entry_id"].iloc[hits.rows])


@pytest.mark.parametrize("query", ["Strasse", "Straße", "STRASSE", "strasse"])
def test_sharp_s_either_way(index, query):
    assert _found(index, query) == ["a2", "o2"]  # "Amt Hauptstrasse" and "Bürgerbüro Lindenstraße"


@pytest.mark.parametrize("query", ["Muehlenviertel", "Muhlenviertel", "Mühlenviertel", "MÜHLEN"])
def test_umlauts_written_out_dropped_or_typed(index, query):
    assert _found(index, query) == ["a2", "o2"]  # both lie in Quartier Mühlenviertel


def test_umlaut_query_finds_written_out_text(index):
    assert _found(index, "Höhe eG") == ["a3"]
    assert _found(index, "Hoehe eG") == ["a3"]


def test_every_word_must_match_and_labels_count_in_both_languages(index):
    assert _found(index, "Bürgerbüro Verwaltung") == ["o2"]  # category label (German)
    assert _found(index, "administration") == ["o2"]  # the same label in English
    assert _found(index, "Senioren") == ["o1"]  # an offer for "alle" serves seniors too
    assert _found(index, "") == ["a1", "a2", "a3", "o1", "o2"]


def test_facets_filter_and_count_the_other_facets(index):
    hits = directory.search(index, "", {"sector": ["zivilgesellschaft"]})
    assert sorted(index.entries["entry_id"].iloc[hits.rows]) == ["a1", "o1"]
    # A facet's own choice does not narrow its counts; the other facets do.
    assert hits.counts["sector"] == {
        "wohnungswirtschaft": 1,
        "wohlfahrtspflege": 0,
        "kommune": 2,
        "zivilgesellschaft": 2,
    }
    assert hits.counts["entry"] == {"actor": 1, "offer": 1}
    assert hits.counts["category"]["begegnung"] == 2 and hits.counts["category"]["verwaltung"] == 0
    assert hits.counts["quartier"] == {"0101": 2, "0102": 0, "0201": 0, "0202": 0}
    assert hits.counts["bezirk"] == {"02": 0, "01": 2}  # ordered by name: Oberstadt, Unterstadt


def test_target_group_facet_follows_the_alle_rule(index):
    assert _found(index, "", target_group=["senioren"]) == ["a1", "o1"]  # o1 is for "alle"; o2 only for adults
    assert _found(index, "", target_group=["erwachsene"]) == ["a1", "a2", "o1", "o2"]
    assert _found(index, "", target_group=["alle"]) == ["a1", "o1"]


def test_area_facets_use_seat_and_quartiere_worked_in(index):
    assert _found(index, "", bezirk=["02"]) == ["a3"]
    assert _found(index, "", quartier=["0101", "0201"]) == ["a1", "a3", "o1"]
    assert _found(index, "Genossenschaft", quartier=["0101"]) == []


def test_name_hits_rank_first(index):
    hits = directory.search(index, "Bach", {})
    names = list(index.entries["name"].iloc[hits.rows])
    assert names[0] == "Nachbarschaftstreff <b>Am Bach</b>"  # the name; the others lie in Quartier Am Bach


def test_hits_frame_and_actor_list(index):
    hits = directory.search(index, "Mühlenviertel", {})
    frame = directory.hits_frame(index, hits, "de")
    assert list(frame["Eintrag"]) == ["Akteur", "Angebot"]
    assert list(frame["Quartiere"]) == ["Mühlenviertel", "Mühlenviertel"]
    assert directory.hit_actors(index, hits) == ["a2"]  # the offer stands for its operator


def test_actor_card(index):
    card = directory.actor_card(index, "a1", "de")
    facts = dict(card.facts)
    assert card.title == "Initiative <script>alert(1)</script>"
    assert facts["Sitz im Quartier"] == "Am Bach" and facts["Tätig in"] == "Am Bach" and facts["Stand"] == "01.01.2026"
    assert list(card.offers["Angebot"]) == ["Nachbarschaftstreff <b>Am Bach</b>"]
    assert card.cooperations.to_dict("records") == [
        {
            "Partner": "Baugenossenschaft Höhe eG",
            "Sektor": "Wohnungswirtschaft",
            "Art der Kooperation": "Projekt",
            "seit": "2020",
        }
    ]
    shown = tooltip_html(card.title, card.facts)
    assert "&lt;script&gt;" in shown and "<script>" not in shown


def test_contact_data_never_appears(index, city):
    everything = [
        index.entries.to_string(), index.actors.to_string(), index.offers.to_string(), "".join(index.text),
        directory.hits_frame(index, directory.search(index, "", {}), "de").to_string(),
    ]  # fmt: skip
    for actor in ("a1", "a2", "a3"):
        card = directory.actor_card(index, actor, "de")
        everything += [repr(card.facts), card.offers.to_string(), card.cooperations.to_string()]
    assert not any(SECRET in text for text in everything)
    assert directory.search(index, "geheim", {}).rows.size == 0
    fmap = directory_map.hits_map(
        index, directory.search(index, "", {}), prepare_map_data(city[0]), city[0], load_settings({}), None, "de"
    )
    page = fmap.get_root().render()
    assert (
        SECRET not in page and "<script>alert(1)" not in page and "Initiative \\u0026lt;script\\u0026gt;" in page
    )  # escaped, then JSON
