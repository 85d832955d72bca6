"""The Karte and the Lückenanalyse count the same offers for a target group (``targets.serves``), so at
equal settings they show equal figures for every Quartier."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.analysis.city import prepare
from dashboard.analysis.gaps import GapParams, analyse
from dashboard.analysis.indicators import unit_table
from dashboard.model import schema
from dashboard.model.targets import served_groups, serves, serving
from dashboard.model.view import MapView
from tests.support.factories import tiny_workspace

SETTINGS = [
    {"threshold_m": 500, "min_level": "mitwirkung", "detour": 1.0, "min_residents": 300},
    {"threshold_m": 900, "min_level": "information", "detour": 1.0, "min_residents": 0},
    {"threshold_m": 900, "min_level": "mitwirkung", "detour": 1.3, "min_residents": 100},
    {"threshold_m": 300, "min_level": "versorgung", "detour": 1.2, "min_residents": 300},
]
SAME = ["residents", "uncovered_residents", "uncovered_share", "participation_offers", "offers_per_1000"]


@pytest.fixture(scope="module")
def tiny():
    return prepare(tiny_workspace())


def test_the_rule():
    assert serves("kinder;senioren", "kinder") and serves("alle", "senioren") and serves("erwachsene", "alle")
    assert not serves("erwachsene", "senioren") and not serves(None, "kinder")
    assert serves("erwachsene", "kinder", "erwachsene")  # several groups: any of them
    assert serving(pd.Series(["alle", "erwachsene", "kinder", None]), ("senioren",)).tolist() == [
        True,
        False,
        False,
        False,
    ]
    assert serving(pd.Series(["erwachsene", None]), ("alle",)).tolist() == [True, True]
    repeated = pd.Series(["kinder", None, "kinder;senioren", "kinder", " senioren ", None, "", "kinder;senioren"])
    for group in schema.TARGET_GROUPS:  # each distinct list is asked once: the same answer as row by row
        assert serving(repeated, (group,)).tolist() == [serves(v, group) for v in repeated], group
    assert serving(pd.Series([], dtype=object), ("kinder",)).tolist() == []
    assert served_groups("alle") == [*(g for g in schema.TARGET_GROUPS if g != "alle"), "alle"]
    assert served_groups("familien;kinder") == ["kinder", "familien"]


def _karte_and_gaps(city, settings: dict, karte_groups: tuple[str, ...]) -> tuple[pd.DataFrame, pd.DataFrame]:
    karte = unit_table(city, MapView(target_groups=karte_groups, **settings))
    gaps = analyse(city, GapParams(target_group="alle", **settings)).units
    return karte, gaps


@pytest.mark.parametrize("settings", SETTINGS)
@pytest.mark.parametrize("karte_groups", [schema.TARGET_GROUPS, ("alle",)], ids=["all-groups", "alle"])
def test_karte_and_gap_analysis_agree_on_the_tiny_city(tiny, settings, karte_groups):
    karte, gaps = _karte_and_gaps(tiny, settings, karte_groups)
    pd.testing.assert_frame_equal(karte[SAME], gaps[SAME], check_dtype=False)


@pytest.mark.parametrize("settings", SETTINGS)
def test_karte_and_gap_analysis_agree_on_the_demo_city(demo_city, settings):
    karte, gaps = _karte_and_gaps(demo_city, settings, schema.TARGET_GROUPS)
    pd.testing.assert_frame_equal(karte[SAME], gaps[SAME], check_dtype=False)
    assert karte["uncovered_residents"].sum() > 0  # the comparison is not between empty figures


def test_group_alle_counts_every_offer_on_the_karte(tiny):
    """o2 (Bürgerbüro, information, only for "erwachsene") in 0102 at the cell of its 400 residents: it serves
    everyone's group "alle". Before the one rule the Karte with only "alle" selected skipped it (0102: 400
    uncovered, share 1.0) while the Lückenanalyse counted it."""
    karte, gaps = _karte_and_gaps(tiny, SETTINGS[1], ("alle",))
    assert karte.loc["0102", "participation_offers"] == gaps.loc["0102", "participation_offers"] == 1
    assert karte.loc["0102", "uncovered_residents"] == gaps.loc["0102", "uncovered_residents"] == 0
    assert karte.loc["0102", "uncovered_share"] == gaps.loc["0102", "uncovered_share"] == 0.0
    # 0101: the cell at (850, 850) is 848.5 m from o1 and 721.1 m from o2, both within 900 m
    assert karte.loc["0101", "uncovered_residents"] == 0
    # 0201: 50 residents at (450, 1450), 1216.6 m from o1 and 1414.2 m from o2
    assert karte.loc["0201", "uncovered_residents"] == gaps.loc["0201", "uncovered_residents"] == 50


def test_offer_for_alle_serves_a_specific_group_on_both_pages(tiny):
    """Seniors only: o1 (for "alle") counts, o2 (for "erwachsene") does not, on the Karte and in the gaps."""
    settings = SETTINGS[1]
    karte = unit_table(tiny, MapView(target_groups=("senioren",), **settings))
    gaps = analyse(tiny, GapParams(target_group="senioren", **settings)).units
    assert karte["participation_offers"].tolist() == gaps["participation_offers"].tolist() == [1, 0, 0, 0]
