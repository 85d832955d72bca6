"""Need × gap: where a high need meets a large participation gap ("doppelter Handlungsbedarf").

Both the need indicator and the gap index are cut into terciles (low, middle,
high) among the rated Quartiere; the 3 × 3 combinations get the colours of a
colour-blind-safe bivariate scheme (Stevens' blue–pink). Quartiere in the top
tercile of both are listed as double need for action — a hint for local
experts, not a verdict.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.analysis.city import City
from dashboard.i18n import fmt_num, fmt_share
from dashboard.model.viewspec import BUILTIN_NEEDS

#: 3 × 3 palette, index need * 3 + gap (0 = low); Joshua Stevens' "pink-blue" bivariate scheme.
PALETTE = (
    "#e8e8e8", "#ace4e4", "#5ac8c8",
    "#dfb0d6", "#a5add3", "#5698b9",
    "#be64ac", "#8c62aa", "#3b4994",
)  # fmt: skip


def need_values(city: City, indicator: str) -> pd.Series:
    """A need indicator per Quartier (index area_id): age shares, subsidised share, or a numeric area column."""
    ids = pd.Index(city.units["area_id"], name="area_id")
    cells = city.cells
    residents = cells.groupby("area_id")["residents"].sum().reindex(ids)
    if indicator == "share_65_plus":
        older = (cells["age_65_79"].fillna(0) + cells["age_80_plus"].fillna(0)).groupby(cells["area_id"]).sum()
        return older.reindex(ids) / residents
    if indicator == "share_80_plus":
        return cells["age_80_plus"].groupby(cells["area_id"]).sum(min_count=1).reindex(ids) / residents
    if indicator == "share_subsidised":
        housing = city.housing
        dwellings = pd.to_numeric(housing["dwellings"], errors="coerce").groupby(housing["area_id"]).sum().reindex(ids)
        subsidised = (
            pd.to_numeric(housing["subsidised"], errors="coerce").groupby(housing["area_id"]).sum().reindex(ids)
        )
        return subsidised / dwellings.where(dwellings > 0)
    return pd.to_numeric(city.units.set_index("area_id")[indicator], errors="coerce").reindex(ids)


def area_need_columns(city: City) -> list[str]:
    """Numeric columns of the areas layer that can serve as a need indicator (e.g. a social index)."""
    skip = {"area_id", "name", "level", "parent_id", "unit", "geometry"}
    return [c for c in city.units.columns if c not in skip and pd.api.types.is_numeric_dtype(city.units[c])]


def terciles(values: pd.Series) -> pd.Series:
    """0, 1, 2 for the low, middle and high third of the known values; -1 where unknown."""
    known = values.dropna()
    result = pd.Series(-1, index=values.index, dtype=int)
    if len(known) == 0:
        return result
    ranks = known.rank(method="average", pct=True)
    result[known.index] = np.minimum((ranks * 3 - 1e-9).astype(int), 2)
    return result


def cross(need: pd.Series, gap: pd.Series) -> pd.DataFrame:
    """Need, gap, their terciles, the bivariate class (0–8, -1 unknown) and its colour per Quartier."""
    rated = need.notna() & gap.notna()
    need_t = terciles(need.where(rated))
    gap_t = terciles(gap.where(rated))
    bivariate = np.where((need_t >= 0) & (gap_t >= 0), need_t * 3 + gap_t, -1)
    table = pd.DataFrame(
        {"need": need, "gap_index": gap, "need_tercile": need_t, "gap_tercile": gap_t, "class": bivariate}
    )
    table["colour"] = [PALETTE[c] if c >= 0 else None for c in bivariate]
    table["double_need"] = (need_t == 2) & (gap_t == 2)
    return table


def need_text(value: float, indicator: str, lang: str) -> str:
    """A need value as text: shares as percentages, area columns as plain numbers."""
    return fmt_share(value, lang) if indicator in BUILTIN_NEEDS else fmt_num(value, lang)
