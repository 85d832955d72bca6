"""What a prepared City keeps for every analysis of its data: residents per group, a scenario's new offers."""

import numpy as np
import pytest

from dashboard.analysis import city as city_module
from dashboard.analysis.city import prepare
from dashboard.model.scenario import NewOffer, Scenario, new_offers_frame
from dashboard.model.targets import group_residents
from tests.support.factories import tiny_workspace


@pytest.fixture
def city():
    return prepare(tiny_workspace())


def test_residents_of_a_group_are_added_up_once_and_cannot_be_changed(city):
    for group in ("alle", "senioren", "kinder"):
        residents = city.residents_of(group)
        assert residents is city.residents_of(group)
        np.testing.assert_array_equal(residents, group_residents(city.cells, group))
        with pytest.raises(ValueError, match="read-only"):
            residents[0] = 1.0


def test_a_scenarios_new_offers_are_placed_once_for_the_latest_scenarios(city, monkeypatch):
    lon, lat = 9.72, 48.317
    scenario = Scenario(added=(NewOffer(lon, lat, name="Treff"),))
    offers = city.planned_offers(scenario)
    assert offers is city.planned_offers(Scenario(added=(NewOffer(lon, lat, name="Treff"),)))  # equal: the same
    assert offers.equals(new_offers_frame(scenario, city.units))
    assert city.planned_offers(Scenario()).empty
    monkeypatch.setattr(city_module, "KEPT_SCENARIOS", 3)
    for n in range(3):
        city.planned_offers(Scenario(added=(NewOffer(lon, lat, name=f"Treff {n}"),)))
    assert city.planned_offers(scenario) is not offers  # forgotten once more scenarios came
