"""Vernetzungschancen on a hand-made case whose scores are computed by hand.

In the factory's Quartier Am Bach (0101, metres from its south-west corner):
g1 Genossenschaft (Wohnungswirtschaft): seat far away at (1900, 900), an estate with
Sozialmanagement at (200, 200), an offer for Senioren and Familien at its seat.
i1 Initiative (Zivilgesellschaft) at (500, 200): 300 m from the estate, an offer for Senioren.
s1 Stadt (Kommune) at (250, 300); w1 Wohlfahrt at (600, 200), already linked with i1.

Score = 100 × (0.4 × (1 − d/500) + 0.4 × sectors + 0.2 × shared groups):
g1–i1: d 300, sectors 1.0, groups 1/2 → 16 + 40 + 10 = 66
g1–s1: d 111.8, sectors 0.5, groups 0 → 31.06 + 20 = 51.06
i1–s1: d 269.3, sectors 0.7 → 18.46 + 28 = 46.46
g1–w1: d 400, sectors 0.7 → 8 + 28 = 36
s1–w1: d 364.0, sectors 0.5 → 10.88 + 20 = 30.88
i1–w1 (100 m, 1.0) is excluded: they already cooperate.
"""

import geopandas as gpd
import pandas as pd
import pytest

from dashboard.analysis import opportunities
from dashboard.analysis.city import prepare
from tests.support.factories import CRS, _at, tiny_workspace

ACTORS = [("g1", "Genossenschaft Am Bach eG", "wohnungswirtschaft", 1900, 900),
          ("i1", "Initiative Bachufer", "zivilgesellschaft", 500, 200),
          ("s1", "Bürgerbüro", "kommune", 250, 300),
          ("w1", "Diakonie-Laden", "wohlfahrtspflege", 600, 200)]  # fmt: skip


def hand_made_city():
    base = tiny_workspace()
    actors = gpd.GeoDataFrame(
        {"actor_id": [a[0] for a in ACTORS], "name": [a[1] for a in ACTORS], "sector": [a[2] for a in ACTORS],
         "kind": "", "quartiere": "", "website": "", "contact": "geheim@beispiel.invalid", "source": "Test",
         "stand": "2026-01-01"},
        geometry=[_at(a[3], a[4]) for a in ACTORS], crs=CRS,
    )  # fmt: skip
    offers = base.offers.assign(operator_actor_id=["g1", "i1"], target_groups=["senioren;familien", "senioren"])
    offers = offers.set_geometry([_at(1900, 900), _at(550, 600)], crs=CRS)
    housing = (
        base.housing.iloc[[0]].assign(owner_actor_id="g1", sozialmanagement=True).set_geometry([_at(200, 200)], crs=CRS)
    )
    cooperations = pd.DataFrame(
        {"coop_id": ["k1"], "actor_a": ["w1"], "actor_b": ["i1"], "kind": ["netzwerk"], "since": [2020]}
    )
    workspace = tiny_workspace(actors=actors, offers=offers, housing=housing, cooperations=cooperations)
    return prepare(workspace), cooperations


@pytest.fixture(scope="module")
def found():
    return opportunities.find(*hand_made_city())


def test_close_complementary_pair_ranks_first_and_linked_pairs_are_left_out(found):
    assert list(zip(found["a"], found["b"], strict=False)) == [
        ("g1", "i1"),
        ("g1", "s1"),
        ("i1", "s1"),
        ("g1", "w1"),
        ("s1", "w1"),
    ]
    assert found["score"].round(2).tolist() == [66.0, 51.06, 46.46, 36.0, 30.88]
    first = found.iloc[0]
    assert first["distance_m"] == pytest.approx(300) and first["shared"] == ("senioren",)
    assert (first["where_a"], first["label_a"], first["where_b"]) == ("estate", "Am Bach", "seat")


def test_reason_in_plain_words(found):
    assert opportunities.reason(found.iloc[0], "de") == (
        "Der Bestand von „Genossenschaft Am Bach eG“ mit Sozialmanagement in Am Bach und der Sitz von "
        "„Initiative Bachufer“ liegen 300 m auseinander (Luftlinie). Ein Kontakt würde Wohnungswirtschaft "
        "und Zivilgesellschaft verbinden. Beide haben Angebote für Senioren. "
        "Eine Kooperation zwischen beiden ist nicht verzeichnet."
    )
    assert opportunities.reason(found.iloc[1], "en").startswith(
        "The estate of “Genossenschaft Am Bach eG” with Sozialmanagement"
    )
    assert "No shared target groups are known." in opportunities.reason(found.iloc[1], "en")


def test_radius_bounds_the_candidates():
    assert len(opportunities.find(*hand_made_city(), radius_m=150)) == 1  # only g1–s1 (112 m) is that close


def test_filter_by_area_and_sector(found):
    assert (
        len(
            opportunities.within(
                found, frozenset({"w1"}), ("wohnungswirtschaft", "wohlfahrtspflege", "kommune", "zivilgesellschaft")
            )
        )
        == 2
    )
    assert list(opportunities.within(found, None, ("zivilgesellschaft", "kommune"))["b"]) == ["s1"]


def test_list_and_method(found):
    listed = opportunities.list_html(found, "de", most=2)
    assert listed.count("<li>") == 2 and "66 Punkte, 300 m" in listed and "51 Punkte, 110 m" in listed
    assert "„Genossenschaft Am Bach eG“ mit Sozialmanagement" in listed and "geheim" not in listed
    method = opportunities.method_text("de").replace("\xa0", " ")
    assert "500 m" in method and "40 %" in method and "20 %" in method


def test_names_are_escaped_in_the_list(found):
    tricky = found.head(1).assign(name_a="<script>alert(1)</script>")
    listed = opportunities.list_html(tricky, "de")
    assert "<script>" not in listed and "&lt;script&gt;" in listed
