"""The first gap measures on the tiny city, against values computed by hand."""

import math

import numpy as np
import pytest

from dashboard.analysis import distance as distance_module
from dashboard.analysis.city import prepare
from dashboard.analysis.distance import StraightLine
from dashboard.analysis.indicators import cell_distances, ranking, total_row, unit_table
from dashboard.model.view import MapView
from dashboard.model.workspace import empty_layer
from dashboard.reports.figures import key_figures, ranking_frame
from tests.support.factories import tiny_workspace


@pytest.fixture(scope="module")
def city():
    return prepare(tiny_workspace())


def test_straight_line_distances_with_detour():
    method = StraightLine(detour=1.5)
    assert method.nearest([[0, 0], [30, 40]], [[0, 0]]).tolist() == [0.0, 75.0]
    assert method.nearest([[1, 1]], []).tolist() == [math.inf]


def test_cell_distances_to_nearest_participation_offer(city):
    distances = cell_distances(city, MapView())
    assert distances[:3] == pytest.approx([0.0, math.hypot(600, 600), math.hypot(1200, 200)])


def test_uncovered_share_and_offers_per_1000(city):
    table = unit_table(city, MapView(threshold_m=500))
    assert table.loc["0101", "residents"] == 300
    assert table.loc["0101", "uncovered_residents"] == 200
    assert table.loc["0101", "uncovered_share"] == pytest.approx(2 / 3)
    assert table.loc["0101", "offers_per_1000"] == pytest.approx(1000 / 300)
    assert table.loc["0102", "uncovered_share"] == 1.0
    assert table.loc["0102", "offers_per_1000"] == 0.0


def test_threshold_and_detour_change_coverage(city):
    wide = unit_table(city, MapView(threshold_m=900))
    assert wide.loc["0101", "uncovered_share"] == 0.0  # 848.5 m ≤ 900 m
    detoured = unit_table(city, MapView(threshold_m=900, detour=1.2))
    assert detoured.loc["0101", "uncovered_residents"] == 200  # 848.5 × 1.2 > 900


def test_lower_minimum_level_counts_information_offers(city):
    table = unit_table(city, MapView(min_level="information"))
    assert table.loc["0102", "uncovered_share"] == 0.0
    assert table.loc["0102", "participation_offers"] == 1


def test_filters_by_target_group_and_category(city):
    assert unit_table(city, MapView(categories=("kultur",))).loc["0101", "uncovered_share"] == 1.0
    # o1 serves "alle", so it counts for every target group
    assert unit_table(city, MapView(target_groups=("senioren",))).loc["0101", "participation_offers"] == 1


def test_small_areas_are_suppressed_not_zero(city):
    table = unit_table(city, MapView(min_residents=300))
    assert bool(table.loc["0201", "suppressed"]) and math.isnan(table.loc["0201", "uncovered_share"])
    assert bool(table.loc["0202", "suppressed"])
    assert not math.isnan(unit_table(city, MapView(min_residents=10)).loc["0201", "uncovered_share"])


def test_sector_mix_housing_and_totals(city):
    table = unit_table(city, MapView())
    assert table.loc["0101", "sectors_present"] == ("zivilgesellschaft",)
    assert "zivilgesellschaft" in table.loc["0102", "sectors_missing"]
    assert table.loc["0101", "dwellings"] == 40 and table.loc["0101", "sozialmanagement"] == 1
    city_total = total_row(table)
    assert city_total["residents"] == 750
    assert city_total["uncovered_residents"] == 200 + 400 + 50
    assert city_total["uncovered_share"] == pytest.approx(650 / 750)


def test_ranking_puts_largest_gap_first_and_skips_suppressed(city):
    table = unit_table(city, MapView())
    assert list(ranking(table, "uncovered_share").index) == ["0102", "0101"]
    assert list(ranking(table, "offers_per_1000").index) == ["0102", "0101"]


def test_straight_line_pairs_within_a_distance():
    pairs = StraightLine(detour=2.0).within([[0, 0], [100, 0]], [[0, 30], [500, 0]], max_distance=250)
    found = sorted(zip(pairs.origin.tolist(), pairs.target.tolist(), pairs.distance.tolist(), strict=False))
    assert found == [(0, 0, 60.0), (1, 0, pytest.approx(2 * math.hypot(100, 30)))]
    assert len(StraightLine().within([[0, 0]], [], 100).origin) == 0


@pytest.mark.parametrize("targets", [40, 5], ids=["tree", "direct"])
def test_straight_line_reach_is_nearest_and_within_in_one_pass(targets):
    """Against brute force: homes with an offer in reach take the nearest from their pairs, the rest from the tree."""
    rng = np.random.default_rng(7)
    origins, offers = rng.uniform(0, 3_000, (600, 2)), rng.uniform(0, 3_000, (targets, 2))
    method = StraightLine(detour=1.3)
    nearest, pairs = method.reach(origins, offers, 400)
    full = np.hypot(*(origins[:, None, :] - offers[None, :, :]).transpose(2, 0, 1)) * 1.3
    np.testing.assert_allclose(nearest, full.min(axis=1), rtol=1e-12)
    assert 0 < (nearest > 400).sum() < len(origins)  # both kinds of homes occur
    expected = {(o, t) for o, t in zip(*np.nonzero(full <= 400), strict=False)}
    assert set(zip(pairs.origin.tolist(), pairs.target.tolist(), strict=False)) == expected
    np.testing.assert_allclose(pairs.distance, full[pairs.origin, pairs.target], rtol=1e-12)


def test_straight_line_reach_keeps_the_homes_nearest_for_the_next_threshold(monkeypatch):
    """The nearest offer of the homes without one in reach is worked out once per homes, offers and detour: a second
    threshold takes it from the first (no tree asked), and gets what brute force gets; other offers or another detour
    are worked out anew."""
    rng = np.random.default_rng(11)
    origins, offers = rng.uniform(0, 3_000, (600, 2)), rng.uniform(0, 3_000, (40, 2))
    full = np.hypot(*(origins[:, None, :] - offers[None, :, :]).transpose(2, 0, 1)).min(axis=1)
    asked = []
    monkeypatch.setattr(distance_module, "_NEAREST", distance_module.OrderedDict())
    monkeypatch.setattr(distance_module, "cKDTree", _counting(asked))
    StraightLine(detour=1.3).reach(origins, offers, 400)
    assert len(asked) == 1
    for threshold in (250, 900):
        nearest, _ = StraightLine(detour=1.3).reach(origins.copy(), offers.copy(), threshold)
        np.testing.assert_allclose(nearest, full * 1.3, rtol=1e-12)
        assert 0 < (nearest > threshold).sum() < len(origins)
    assert len(asked) == 1
    nearest, _ = StraightLine(detour=1.0).reach(origins, offers, 400)
    np.testing.assert_allclose(nearest, full, rtol=1e-12)
    StraightLine(detour=1.0).reach(origins, offers[1:], 400)
    assert len(asked) == 3


def _counting(asked: list) -> type:
    """A KD-tree that notes each query for the nearest."""

    class Counting(distance_module.cKDTree):
        def query(self, *args, **kwargs):
            asked.append(1)
            return super().query(*args, **kwargs)

    return Counting


def test_without_actor_data_the_tables_say_so_instead_of_all_sectors_missing():
    city = prepare(tiny_workspace(actors=empty_layer("actors")))
    table = unit_table(city, MapView())
    frame = ranking_frame(ranking(table, "uncovered_share"), table, MapView(), "de")
    assert set(frame["Fehlende Sektoren"]) == {"keine Akteursdaten"}
    assert (
        dict((row[0], row[1]) for row in key_figures(table, "0101", MapView(), "de"))["Fehlende Sektoren"]
        == "keine Akteursdaten"
    )
    with_actors = unit_table(prepare(tiny_workspace()), MapView())
    assert (
        "Zivilgesellschaft"
        in ranking_frame(ranking(with_actors, "uncovered_share"), with_actors, MapView(), "de")[
            "Fehlende Sektoren"
        ].iloc[0]
    )
