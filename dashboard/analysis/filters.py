"""Which actors and offers a view includes.

An offer counts for a target group when it names that group or "alle"; it is a
participation offer when its level is at or above the view's minimum level.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.model import schema
from dashboard.model.view import MapView


def offers_mask(offers: pd.DataFrame, view: MapView) -> np.ndarray:
    """Offers of the selected categories that serve one of the selected target groups."""
    if len(offers) == 0:
        return np.zeros(0, dtype=bool)
    category_ok = offers["category"].isin(view.categories).to_numpy()
    wanted = set(view.target_groups)
    groups = offers["target_groups"].map(schema.split_list)
    group_ok = groups.map(lambda parts: "alle" in parts or bool(wanted.intersection(parts))).to_numpy(dtype=bool)
    return category_ok & group_ok


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
