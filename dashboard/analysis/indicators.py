"""Key figures per Quartier: residents, the first participation-gap measures, actors and housing.

The gap measures are the ones planners use: the share of residents living farther than
a threshold from the nearest participation offer (from 100 m grid cells, not
area centroids), and participation offers per 1,000 residents. Areas below
``min_residents`` are suppressed like in Berlin's and Hamburg's social
monitoring: their shares are missing, not zero.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.analysis.city import City
from dashboard.analysis.counts import counted, summed, unit_ids
from dashboard.analysis.distance import DistanceMethod, StraightLine
from dashboard.analysis.filters import offers_mask, participation_mask
from dashboard.model.view import MapView


def qualifying_offers(city: City, view: MapView) -> pd.DataFrame:
    """Participation offers of the view's categories and target groups."""
    offers = city.offers
    return offers[offers_mask(offers, view) & participation_mask(offers, view.min_level)]


def cell_distances(city: City, view: MapView, method: DistanceMethod | None = None) -> np.ndarray:
    """Distance from each populated cell to the nearest qualifying offer (metres, ``inf`` if none)."""
    method = method or StraightLine(view.detour)
    targets = qualifying_offers(city, view)[["x", "y"]].to_numpy()
    return method.nearest(city.cells[["x", "y"]].to_numpy(), targets)


def unit_table(city: City, view: MapView, method: DistanceMethod | None = None) -> pd.DataFrame:
    """One row per Quartier (index ``area_id``) with every key figure of the Karte page.

    Residents, housing and actors come from the counts every page shares (``City.counts``);
    coverage, older residents and offers follow the view.
    """
    ids = unit_ids(city)
    shared = city.counts
    cells = city.cells
    residents = cells["residents"]
    people = summed(
        cells,
        {
            "uncovered_residents": residents.where(cell_distances(city, view, method) > view.threshold_m, 0),
            "age_65_plus": cells["age_65_79"].fillna(0) + cells["age_80_plus"].fillna(0),
        },
        ids,
    )
    offers = city.offers[offers_mask(city.offers, view)]
    participation = offers[participation_mask(offers, view.min_level)]

    table = pd.DataFrame(index=ids)
    table["name"] = city.units["name"].to_numpy()
    table["parent_id"] = city.units["parent_id"].to_numpy()
    table["residents"] = shared["residents"]
    table["uncovered_residents"] = people["uncovered_residents"]
    table["age_65_plus"] = people["age_65_plus"]
    table["participation_offers"] = counted(participation, ids)
    table["offers"] = counted(offers, ids)
    table["actors"] = shared["actors"].astype(int)
    table["dwellings"] = shared["dwellings"]
    table["subsidised"] = shared["subsidised"]
    table["sozialmanagement"] = shared["sozialmanagement"].astype(int)
    table["sectors_present"], table["sectors_missing"] = city.sectors
    return add_rates(table, view.min_residents)


def add_rates(table: pd.DataFrame, min_residents: int) -> pd.DataFrame:
    """Shares and rates from the counts; missing where an area is suppressed."""
    table = table.copy()
    residents = table["residents"]
    table["suppressed"] = residents < min_residents
    rated = residents.where(~table["suppressed"])
    table["uncovered_share"] = table["uncovered_residents"] / rated
    table["offers_per_1000"] = table["participation_offers"] / rated * 1000
    table["age_65_plus_share"] = table["age_65_plus"] / rated
    return table


def total_row(table: pd.DataFrame, min_residents: int = 0) -> pd.Series:
    """The same figures for a group of areas (a Stadtbezirk, the city) from their counts."""
    counts = [
        "residents",
        "uncovered_residents",
        "age_65_plus",
        "participation_offers",
        "offers",
        "actors",
        "dwellings",
        "subsidised",
        "sozialmanagement",
    ]
    summed = table[counts].sum().to_frame().T
    return add_rates(summed, min_residents).iloc[0]


def ranking(table: pd.DataFrame, measure: str) -> pd.DataFrame:
    """Rated areas, largest gap first: high uncovered share, or few offers per 1,000.

    Ties go to the area where more people are affected.
    """
    rated = table[~table["suppressed"]]
    tie = "uncovered_residents" if measure == "uncovered_share" else "residents"
    return rated.sort_values([measure, tie], ascending=[measure == "offers_per_1000", False], kind="stable")
