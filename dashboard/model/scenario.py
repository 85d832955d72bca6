"""What-if scenarios: hypothetical new offers and existing offers switched off.

A scenario is plain, hashable data (positions in lon/lat, codes, ids) so that
it can be cached, compared and later written into a share link.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
import shapely

from dashboard.model import schema
from dashboard.model.areas import areas_under
from dashboard.model.projection import transform


@dataclass(frozen=True)
class NewOffer:
    """A hypothetical offer placed on the map."""

    lon: float
    lat: float
    category: str = "begegnung"
    target_groups: tuple[str, ...] = ("alle",)
    level: str = "mitwirkung"
    capacity: int | None = None
    name: str = "Geplanter Nachbarschaftstreff"


@dataclass(frozen=True)
class Scenario:
    """Changes to the offers: ``added`` new ones, ``disabled`` ids of existing ones."""

    added: tuple[NewOffer, ...] = ()
    disabled: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.added and not self.disabled

    def add(self, offer: NewOffer) -> Scenario:
        return Scenario(self.added + (offer,), self.disabled)

    def toggle(self, offer_id: str) -> Scenario:
        disabled = tuple(i for i in self.disabled if i != offer_id)
        if len(disabled) == len(self.disabled):
            disabled += (offer_id,)
        return Scenario(self.added, disabled)


SCENARIO_PREFIX = "szenario-"
#: Offer columns an analysis needs (``City.offers`` has these plus more).
OFFER_COLUMNS = [
    "offer_id",
    "name",
    "category",
    "target_groups",
    "level",
    "capacity",
    "x",
    "y",
    "area_id",
    "level_rank",
]


def new_offers_frame(scenario: Scenario, units: gpd.GeoDataFrame) -> pd.DataFrame:
    """The added offers as rows like ``City.offers`` (x, y in the analysis CRS, area, level rank); ``units`` in the
    analysis CRS, as a City holds them."""
    if not scenario.added:
        return pd.DataFrame(columns=OFFER_COLUMNS)
    x, y = transform(
        schema.WEB_CRS, schema.ANALYSIS_CRS, [o.lon for o in scenario.added], [o.lat for o in scenario.added]
    )

    def texts(values: list[str]) -> pd.Series:  # as the city's offers hold them: appending to those is then cheap
        return pd.Series(values, dtype=object)

    return pd.DataFrame(
        {
            "offer_id": texts([f"{SCENARIO_PREFIX}{i + 1}" for i in range(len(scenario.added))]),
            "name": texts([o.name for o in scenario.added]),
            "category": texts([o.category for o in scenario.added]),
            "target_groups": texts([schema.LIST_SEP.join(o.target_groups) for o in scenario.added]),
            "level": texts([o.level for o in scenario.added]),
            "capacity": [o.capacity for o in scenario.added],
            "x": x,
            "y": y,
            "area_id": areas_under(shapely.points(x, y), units),
            "level_rank": [schema.level_rank(o.level) for o in scenario.added],
            "lon": [o.lon for o in scenario.added],
            "lat": [o.lat for o in scenario.added],
        }
    )
