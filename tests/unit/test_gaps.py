"""The gap analysis on the tiny city (see tests/support/factories.py), against values computed by hand.

With target group "alle", 500 m, level Mitwirkung, only offer o1 (capacity 30, at cell c1) counts:
- distances: c1 0 m, c2 848.5 m, c3 1216.6 m, c4 1216.6 m → only c1 (100 residents) is covered;
- 2SFCA: o1's catchment holds c1 alone → R = 30 / 100 = 0.3 → A(c1) = 0.3, all others 0;
- Quartier 0101: 300 residents, 100 covered, places per 1,000 = 100 × 0.3 / 300 × 1000 = 100;
  Quartier 0102: 400 residents, none covered, 0 places; the city: 30 / 750 × 1000 = 40 places;
- components 0101: uncovered 2/3, supply deficit 1 − min(1, 100/40) = 0, sector gap 3/4 (only civil society);
  0102: 1, 1, 3/4 (only the city) → index 0101 = 100 × (0.5·2/3 + 0.3·0 + 0.2·0.75) = 48.33,
  0102 = 100 × (0.5 + 0.3 + 0.15) = 95; Bezirk 01 = (300 × 48.33 + 400 × 95) / 700 = 75.
"""

import math
import types

import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer

from dashboard.analysis import gaps
from dashboard.analysis.city import prepare
from dashboard.analysis.gaps import GapParams, analyse, compare, params_from_view, ranked, with_scenario
from dashboard.model import share_state
from dashboard.model.scenario import NewOffer, Scenario
from dashboard.model.targets import DEFAULT_THRESHOLD_M
from dashboard.model.workspace import empty_layer
from tests.support.factories import X0, Y0, tiny_workspace

TO_LONLAT = Transformer.from_crs(3035, 4326, always_xy=True)


@pytest.fixture(scope="module")
def city():
    return prepare(tiny_workspace())


def _new_offer_at(x: float, y: float, **fields) -> NewOffer:
    lon, lat = TO_LONLAT.transform(X0 + x, Y0 + y)
    return NewOffer(lon, lat, **fields)


def test_distances_coverage_and_2sfca(city):
    result = analyse(city, GapParams())
    cells = result.cells
    assert cells["distance"].to_numpy() == pytest.approx(
        [0, math.hypot(600, 600), math.hypot(1200, 200), math.hypot(200, 1200)]
    )
    assert cells["covered"].tolist() == [True, False, False, False]
    assert cells["access"].to_numpy() == pytest.approx([0.3, 0, 0, 0])


def test_quartier_figures(city):
    units = analyse(city, GapParams()).units
    assert units.loc["0101", ["residents", "covered_residents", "uncovered_residents"]].tolist() == [300, 100, 200]
    assert units.loc["0101", "covered_share"] == pytest.approx(1 / 3)
    assert units.loc["0101", "fca_per_1000"] == pytest.approx(100)
    assert units.loc["0101", "offers_per_1000"] == pytest.approx(1000 / 300)
    assert units.loc["0102", "fca_per_1000"] == 0
    assert units.loc["0102", "sectors_missing"] == ("wohnungswirtschaft", "wohlfahrtspflege", "zivilgesellschaft")


def test_gap_index_components_and_weights(city):
    result = analyse(city, GapParams())
    units = result.units
    assert result.city["fca_per_1000"] == pytest.approx(40)
    assert units.loc["0101", ["uncovered_share", "supply_deficit", "sector_gap"]].tolist() == pytest.approx(
        [2 / 3, 0, 0.75]
    )
    assert units.loc["0101", "gap_index"] == pytest.approx(100 * (0.5 * 2 / 3 + 0.15))
    assert units.loc["0102", "gap_index"] == pytest.approx(95)
    only_distance = analyse(city, GapParams(weights=(1, 0, 0))).units
    assert only_distance.loc["0101", "gap_index"] == pytest.approx(100 * 2 / 3)


def test_small_areas_are_suppressed(city):
    units = analyse(city, GapParams()).units
    assert units.loc["0201", "suppressed"] and math.isnan(units.loc["0201", "gap_index"])
    assert list(ranked(analyse(city, GapParams())).index) == ["0102", "0101"]
    assert not analyse(city, GapParams(min_residents=10)).units.loc["0201", "suppressed"]


def test_bezirk_and_city_rows(city):
    result = analyse(city, GapParams())
    assert result.bezirke.loc["01", "covered_residents"] == 100
    assert result.bezirke.loc["01", "covered_share"] == pytest.approx(1 / 7)
    assert result.bezirke.loc["01", "gap_index"] == pytest.approx((300 * (100 * (0.5 * 2 / 3 + 0.15)) + 400 * 95) / 700)
    assert result.city["covered_share"] == pytest.approx(100 / 750)


def test_target_group_uses_its_age_bands_and_threshold(city):
    params = GapParams(target_group="senioren")
    assert params.threshold == 400
    units = analyse(city, params).units
    assert units.loc["0101", ["target_residents", "covered_residents"]].tolist() == [120, 40]
    # an offer for adults only does not count for seniors even at a lower level
    assert (
        analyse(city, GapParams(target_group="senioren", min_level="information")).units.loc[
            "0102", "covered_residents"
        ]
        == 0
    )
    assert (
        analyse(city, GapParams(target_group="erwachsene", min_level="information")).units.loc[
            "0102", "covered_residents"
        ]
        == 250
    )


def test_a_default_threshold_named_or_left_out_is_one_analysis_and_one_cache_key():
    """The Quartiersprofil asks for ``GapParams()``, a Lückenanalyse link names 500 m: one analysis, made once."""
    assert GapParams() == GapParams(threshold_m=500) and hash(GapParams()) == hash(GapParams(threshold_m=500))
    assert GapParams(target_group="senioren") == GapParams(target_group="senioren", threshold_m=400)
    assert GapParams(target_group="senioren") != GapParams(target_group="senioren", threshold_m=500)


def test_detour_factor_shrinks_coverage(city):
    assert analyse(city, GapParams(threshold_m=900)).units.loc["0101", "covered_residents"] == 300
    assert analyse(city, GapParams(threshold_m=900, detour=1.2)).units.loc["0101", "covered_residents"] == 100


def test_user_breaks_classify_the_index(city):
    result = analyse(city, GapParams(classification="user", breaks=(50.0, 80.0)))
    assert result.classes.bounds == (50.0, 80.0, 95.0)
    by_area = dict(zip(result.units.index, result.classes.index, strict=False))
    assert by_area["0101"] == 0 and by_area["0102"] == 2 and by_area["0201"] == -1


def test_scenario_new_offer_covers_more_residents(city):
    base = analyse(city, GapParams())
    scenario = Scenario(added=(_new_offer_at(1450, 450, capacity=40),))
    after = with_scenario(city, base, scenario)
    assert after.units.loc["0102", "covered_residents"] == 400
    assert after.cells["access"].to_numpy() == pytest.approx([0.3, 0, 0.1, 0])
    changes = compare(base, after)
    assert changes.loc["0102", "covered_change"] == 400
    assert after.city["covered_residents"] - base.city["covered_residents"] == 400


def test_scenario_switching_off_the_only_offer(city):
    base = analyse(city, GapParams())
    after = with_scenario(city, base, Scenario(disabled=("o1",)))
    assert after.city["covered_residents"] == 0
    assert np.isinf(after.cells["distance"]).all()
    assert after.cells["access"].sum() == 0


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_incremental_scenario_equals_a_full_run_on_the_demo_city(demo_city, seed):
    rng = np.random.default_rng(seed)
    params = GapParams(target_group=["alle", "senioren", "kinder"][seed - 1])
    base = analyse(demo_city, params)
    lon_lat = demo_city.units.to_crs(4326).geometry.representative_point().sample(3, random_state=seed)
    added = tuple(NewOffer(p.x, p.y, capacity=int(rng.integers(10, 80))) for p in lon_lat)
    disabled = tuple(rng.choice(base.offers["offer_id"].to_numpy(), 5, replace=False))
    scenario = Scenario(added, disabled)
    incremental, full = with_scenario(demo_city, base, scenario), analyse(demo_city, params, scenario)
    np.testing.assert_allclose(incremental.cells["distance"], full.cells["distance"])
    np.testing.assert_allclose(incremental.cells["access"], full.cells["access"], atol=1e-12)
    np.testing.assert_allclose(incremental.units["gap_index"].fillna(-1), full.units["gap_index"].fillna(-1), atol=1e-9)


def test_without_actor_data_the_sector_component_drops_out():
    city = prepare(tiny_workspace(actors=empty_layer("actors")))
    units = analyse(city, GapParams()).units
    assert np.isnan(units.loc["0101", "sector_gap"])
    assert units.loc["0101", "gap_index"] == pytest.approx(100 * (0.5 * 2 / 3) / 0.8)
    assert units.loc["0102", "gap_index"] == pytest.approx(100)


def test_a_link_stands_for_the_parameters_the_page_computes_with():
    link = "https://atlas.example/?p=luecken&g=senioren&u=1.3&d=fussweg&w=0,0,0"
    state, notices = share_state.decode(share_state.link_params(link))
    assert notices == []
    assert params_from_view(state, has_network=True) == GapParams(
        target_group="senioren", threshold_m=DEFAULT_THRESHOLD_M["senioren"], detour=1.3, distance="fussweg"
    )
    assert params_from_view(state, has_network=False).distance == "luftlinie"  # no path network, no walking
    state, _ = share_state.decode(share_state.link_params(link + "&t=650"))
    assert params_from_view(state, has_network=False).threshold == 650


def test_supply_is_the_capacity_a_missing_one_the_median_of_the_known_ones_never_below_zero():
    offers = pd.DataFrame({"capacity": [10, None, 30, -5, "unbekannt"]})
    assert gaps._with_supply(offers)["supply"].tolist() == [10.0, 10.0, 30.0, 0.0, 10.0]
    assert gaps._with_supply(pd.DataFrame({"capacity": [None, None]}))["supply"].tolist() == [1.0, 1.0]
    assert gaps._with_supply(pd.DataFrame({"capacity": [4.0, 7.0]}))["supply"].tolist() == [4.0, 7.0]


def test_ranking_is_by_gap_index_then_uncovered_residents_then_the_order_of_the_quartiere():
    units = pd.DataFrame(
        {
            "gap_index": [50.0, 80.0, 50.0, np.nan, 50.0, 90.0],
            "uncovered_residents": [10.0, 5.0, 30.0, 99.0, 10.0, 1.0],
            "suppressed": [False, False, False, False, False, True],
        },
        index=["a", "b", "c", "d", "e", "f"],
    )
    result = types.SimpleNamespace(units=units)  # the ranking reads the Quartiere only
    assert list(ranked(result).index) == ["b", "c", "a", "e"]  # d has no index, f is withheld
