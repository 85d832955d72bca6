"""Target groups: which age bands make up a group, and how far its members walk.

Walking thresholds follow common planning practice: older people
300–500 m, children and families 500 m, young people 1,000 m. The age bands of
the Zensus grid are coarse, so some groups are approximations; the app says so.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from dashboard.model import schema

#: Age bands counted for each target group; () = all residents.
TARGET_BANDS: dict[str, tuple[str, ...]] = {
    "kinder": ("age_0_5", "age_6_17"),
    "jugendliche": ("age_6_17",),
    "familien": ("age_0_5", "age_6_17"),
    "erwachsene": ("age_18_64",),
    "senioren": ("age_65_79", "age_80_plus"),
    "alle": (),
}

#: The groups an offer can be meant for besides "alle" (everyone).
SPECIFIC_GROUPS: tuple[str, ...] = tuple(g for g in schema.TARGET_GROUPS if g != "alle")

#: Default walking threshold in metres per target group.
DEFAULT_THRESHOLD_M: dict[str, int] = {
    "kinder": 500,
    "jugendliche": 1000,
    "familien": 500,
    "erwachsene": 500,
    "senioren": 400,
    "alle": 500,
}


def group_residents(cells: pd.DataFrame, group: str) -> np.ndarray:
    """Residents of ``group`` per cell (missing band values count as 0)."""
    columns = [cells[band].to_numpy(dtype=float) for band in TARGET_BANDS[group] or ("residents",)]
    return np.nansum(np.column_stack(columns), axis=1)  # column by column: a frame of the bands cost more


def has_age_bands(cells: pd.DataFrame, group: str) -> bool:
    """Whether the population data can tell this group apart at all."""
    return all(band in cells and bool(cells[band].notna().any()) for band in TARGET_BANDS[group])


def serves(target_groups: object, *groups: str) -> bool:
    """The one rule of which offers serve a target group, for every page, report and command.

    An offer (its ``;``-joined ``target_groups``) serves group g when it names g
    or "alle"; the group "alle" is everyone, so every offer serves it. For several
    groups, an offer counts when it serves any of them.
    """
    return "alle" in groups or bool({*groups, "alle"} & set(schema.split_list(target_groups)))


def serving(target_groups: pd.Series, groups: Iterable[str]) -> np.ndarray:
    """Which offers (their ``target_groups`` column) serve any of ``groups``, by ``serves``."""
    wanted = tuple(groups)
    return schema.per_distinct(target_groups, lambda value: serves(value, *wanted))


def served_groups(target_groups: object) -> list[str]:
    """The specific groups an offer serves by ``serves``, and "alle" when it names "alle".

    For the directory's facet and lists: there "alle" marks offers meant for everyone,
    not the whole population (which every offer serves).
    """
    named = "alle" in schema.split_list(target_groups)
    return [g for g in SPECIFIC_GROUPS if serves(target_groups, g)] + (["alle"] if named else [])
