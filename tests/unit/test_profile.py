"""Profile figures on the tiny hand-made city (tests/support/factories.py), computed by hand.

Default gap analysis: everyone, 500 m straight line, participation offers from "Mitwirkung",
areas under 300 residents not rated. Am Bach (0101): 300 residents, 100 of them within 500 m of
the Nachbarschaftstreff (the cell at 850/850 is 849 m away); Mühlenviertel (0102): 400 residents,
none covered; Höhe (0201): 50 residents, withheld.
"""

from datetime import date

import altair as alt
import numpy as np
import pandas as pd
import pytest

from dashboard.analysis import profile as pf
from dashboard.analysis.city import prepare
from dashboard.analysis.gaps import GapParams, analyse
from tests.support.factories import tiny_workspace

TODAY = date(2026, 6, 30)


def _setup(workspace=None):
    city = prepare(workspace or tiny_workspace())
    result = analyse(city, GapParams())
    return city, result, pf.unit_counts(city, result)


@pytest.fixture(scope="module")
def tiny():
    return _setup()


def _profile(tiny, area_id, today=TODAY, **kwargs):
    city, result, counts = tiny
    return pf.profile(city, result, counts, area_id, today, **kwargs)


def test_quartier_beside_bezirk_and_city(tiny):
    p = _profile(tiny, "0101")
    assert (p.area.name, p.area.level, p.area.parent_id, p.area.parent_name) == (
        "Am Bach",
        "quartier",
        "01",
        "Unterstadt",
    )
    area, bezirk, city = (p.values.loc[i] for i in (pf.AREA, pf.BEZIRK, pf.CITY))
    assert [area["residents"], bezirk["residents"], city["residents"]] == [300, 700, 750]
    assert area["share_age_65_79"] == pytest.approx(90 / 300)
    assert bezirk["share_age_80_plus"] == pytest.approx(40 / 700)
    assert city["share_age_0_5"] == pytest.approx(50 / 750)
    assert [area["dwellings"], area["dwellings_genossenschaftlich"], area["dwellings_privat"]] == [40, 40, 0]
    assert [bezirk["dwellings"], bezirk["dwellings_privat"], city["dwellings_genossenschaftlich"]] == [50, 10, 60]
    assert area["subsidised_share"] == pytest.approx(0.25) and city["subsidised_share"] == pytest.approx(15 / 70)
    assert area["barrier_free_share"] == pytest.approx(0.1)
    assert [area["sozialmanagement"], city["sozialmanagement"]] == [1, 1]


def test_offers_actors_and_sector_mix(tiny):
    area, bezirk, city = (_profile(tiny, "0101").values.loc[i] for i in (pf.AREA, pf.BEZIRK, pf.CITY))
    assert [area["offers"], area["offers_cat_begegnung"], area["offers_for_alle"], area["offers_level_mitwirkung"]] == [
        1,
        1,
        1,
        1,
    ]
    # by the one rule, o1 (for "alle") serves adults too: o1 and o2 (for "erwachsene")
    assert [
        bezirk["offers"],
        bezirk["offers_cat_verwaltung"],
        bezirk["offers_for_erwachsene"],
        bezirk["offers_level_information"],
    ] == [2, 1, 2, 1]
    assert [area["offers_for_senioren"], bezirk["offers_for_senioren"], city["offers_for_alle"]] == [1, 1, 2]
    assert area["participation_offers"] == 1 and bezirk["participation_share"] == pytest.approx(0.5)
    assert area["offers_per_1000"] == pytest.approx(1000 / 300)
    assert [area["actors"], bezirk["actors"], city["actors"]] == [1, 2, 3]
    assert area["sectors_missing"] == ("wohnungswirtschaft", "wohlfahrtspflege", "kommune")
    assert bezirk["sectors_missing"] == ("wohnungswirtschaft", "wohlfahrtspflege")
    assert city["sectors_missing"] == ("wohlfahrtspflege",)


def test_gap_figures_match_the_gap_analysis(tiny):
    area, bezirk, city = (_profile(tiny, "0101").values.loc[i] for i in (pf.AREA, pf.BEZIRK, pf.CITY))
    assert [area["target_residents"], area["uncovered_residents"]] == [300, 200]
    assert area["covered_share"] == pytest.approx(1 / 3) and bezirk["covered_share"] == pytest.approx(1 / 7)
    assert area["fca_per_1000"] == pytest.approx(100.0)  # 30 places shared by the 100 people in reach
    # 100 × (0.5 × 2/3 + 0.3 × 0 + 0.2 × 3/4); Mühlenviertel 95; Bezirk and city weighted by people
    assert area["gap_index"] == pytest.approx(48.333, abs=1e-3)
    assert bezirk["gap_index"] == pytest.approx((48.333333 * 300 + 95 * 400) / 700)
    assert bezirk["gap_index"] == pytest.approx(tiny[1].bezirke.loc["01", "gap_index"])
    assert city["gap_index"] == pytest.approx(75.0)


def test_small_areas_are_withheld_but_counted(tiny):
    p = _profile(tiny, "0201")
    area = p.values.loc[pf.AREA]
    assert area["residents"] == 50 and area["dwellings"] == 20
    assert np.isnan(area["share_age_65_79"]) and np.isnan(area["gap_index"]) and np.isnan(area["uncovered_residents"])
    assert p.values.loc[pf.CITY, "residents"] == 750  # the city still counts them


def test_bezirk_profile_sums_its_quartiere(tiny):
    p = _profile(tiny, "01")
    assert (p.area.level, p.area.members, p.area.parent_id) == ("stadtbezirk", ("0101", "0102"), None)
    assert list(p.values.index) == [pf.AREA, pf.CITY]
    assert p.values.loc[pf.AREA, "residents"] == 700
    assert set(p.offers["offer_id"]) == {"o1", "o2"} and set(p.actors["actor_id"]) == {"a1", "a2"}


def test_unknown_area(tiny):
    with pytest.raises(pf.UnknownArea) as err:
        _profile(tiny, "99")
    assert err.value.area_id == "99" and err.value.city == "Kleinstadt"


def test_lists_hold_public_fields_only_and_the_operator(tiny):
    p = _profile(tiny, "0101")
    assert "contact" not in p.actors.columns and "contact" not in p.offers.columns
    assert not p.actors.isin(["geheim@beispiel.invalid"]).any().any()
    assert p.offers.loc[0, "operator"] == "Initiative <script>alert(1)</script>"
    assert list(p.offers["name"]) == ["Nachbarschaftstreff <b>Am Bach</b>"]


def test_actor_working_in_a_quartier_is_listed_there():
    workspace = tiny_workspace()
    workspace.layers["actors"].loc[2, "quartiere"] = "0201;0101"
    p = pf.profile(*_setup(workspace), "0101", TODAY)
    assert list(p.actors["actor_id"]) == ["a3", "a1"]  # sorted by name: Baugenossenschaft …, Initiative …
    assert p.values.loc[pf.AREA, "actors"] == 1  # counts go by location


@pytest.mark.parametrize(
    ("today", "expected"),
    [(date(2027, 12, 31), False), (date(2028, 1, 1), False), (date(2028, 1, 2), True)],
)
def test_outdated_after_the_configured_age(tiny, today, expected):
    p = _profile(tiny, "0101", today=today)  # Stand 2026-01-01, default 24 months
    assert list(p.offers["outdated"]) == [expected]
    assert list(_profile(tiny, "0101", today=date(2026, 7, 1), max_age_months=3).actors["outdated"]) == [True]


def test_partial_and_missing_stand():
    assert pf.stand_date("2024-05") == date(2024, 5, 31)
    assert pf.stand_date("2024") == date(2024, 12, 31)
    assert pf.stand_date("") is None and pf.stand_date(None) is None and pf.stand_date("kaputt") is None
    flags = pf.outdated(pd.Series(["2026-05", None, "2020", "2026-06-30"]), date(2026, 7, 1), 12)
    assert flags.tolist() == [False, True, True, False]


def test_area_columns_count_or_stand_alone():
    workspace = tiny_workspace()
    areas = workspace.layers["areas"]
    areas["sozialmietwohnungen"] = pd.array([None, None, 12, 30, None, 3], dtype="Int64")
    areas["sozialindex"] = [np.nan, np.nan, 1.5, 2.5, 0.5, np.nan]
    city, result, counts = _setup(workspace)
    p = pf.profile(city, result, counts, "0101", TODAY)
    assert [f.column for f in p.figures if f.section == "extra"] == ["sozialmietwohnungen", "sozialindex"]
    assert p.values["sozialmietwohnungen"].tolist() == [12, 42, 45]
    assert p.values.loc[pf.AREA, "sozialindex"] == 1.5 and p.values[["sozialindex"]].iloc[1:].isna().all().all()


def test_readable_sections_in_german_and_english(tiny):
    p = _profile(tiny, "0101")
    sections = dict(pf.profile_sections(p, "de"))
    assert list(sections) == ["Bevölkerung", "Wohnungsbestand", "Angebote", "Akteure", "Mitwirkungslücke"]
    people = sections["Bevölkerung"]
    assert list(people.columns) == ["Am Bach", "Stadtbezirk Unterstadt", "Stadt"]
    assert people.loc["Einwohner"].tolist() == ["300", "700", "750"]
    assert people.loc["Anteil 65–79 Jahre"].tolist()[0].replace("\xa0", " ") == "30 %"
    assert "Wohnungen kommunal" not in sections["Wohnungsbestand"].index  # zero everywhere: left out
    assert sections["Mitwirkungslücke"].loc["Lückenindex"].tolist() == ["48", "75", "75"]
    english = dict(pf.profile_sections(p, "en"))
    assert english["Population"].loc["Residents"].tolist() == ["300", "700", "750"]


def test_area_choices_group_quartiere_under_their_bezirk(tiny):
    choices = pf.area_choices(tiny[0])
    assert list(choices["area_id"]) == ["01", "0101", "0102", "02", "0201", "0202"]
    assert pf.choice_label(choices.iloc[1], "de") == "Am Bach (Quartier 0101)"


def test_chart_data_compares_shares(tiny):
    p = _profile(tiny, "0101")
    data = pf.chart_data(p, "offers_level_", ("information", "mitwirkung"), "code", "offers", "de")
    assert data["share"].tolist() == [0.0, 1.0, 0.5, 0.5, 0.5, 0.5]  # per column (area, Bezirk, city) each level
    charts = pf.charts(p, "de")
    assert len(charts) == 4
    for spec in charts:  # the page sends them unvalidated: here they are checked against the Vega-Lite schema
        alt.Chart.from_dict(spec).to_dict(validate=True)
    rows = next(iter(charts[3]["datasets"].values()))  # offers by level, the area's rows put in
    share = {(row["code"], row["column"]): row["share"] for row in rows}
    area = rows[0]["column"]
    assert share[("Information", area)] == 0.0 and share[("Mitwirkung", area)] == 1.0
