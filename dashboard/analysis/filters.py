"""Which actors and offers a view includes.

Which offers serve the selected target groups follows the one rule in
``targets.serves``; an offer is a participation offer when its level is at or
above the view's minimum level.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.model import schema
from dashboard.model.targets import serving
from dashboard.model.view import MapView


def offers_mask(offers: pd.DataFrame, view: MapView) -> np.ndarray:
    """Offers of the selected categories that serve one of the selected target groups."""
    if len(offers) == 0:
        return np.zeros(0, dtype=bool)
    return offers["category"].isin(view.categories).to_numpy() & serving(offers["target_groups"], view.target_groups)


def participation_mask(offers: pd.DataFrame, min_level: str) -> np.ndarray:
    """Offers whose participation level is ``min_level`` or higher."""
    if len(offers) == 0:
        return np.zeros(0, dtype=bool)
    return (offers["level_rank"] >= schema.level_rank(min_level)).to_numpy()


def actors_mask(actors: pd.DataFrame, view: MapView) -> np.ndarray:
    """Actors of the selected sectors."""
    if len(actors) == 0:
        return np.zeros(0, dtype=bool)
    return actors["sector"].isin(view.sectors).to_numpy()


def in_bezirk(frame: pd.DataFrame, units: pd.DataFrame, bezirk: str | None) -> np.ndarray:
    """Rows whose ``area_id`` lies in Stadtbezirk ``bezirk`` (all rows when None)."""
    if bezirk is None:
        return np.ones(len(frame), dtype=bool)
    unit_ids = set(units.loc[units["parent_id"] == bezirk, "area_id"]) or {bezirk}
    return frame["area_id"].isin(unit_ids).to_numpy()
