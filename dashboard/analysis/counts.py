"""The counts per Quartier that the Karte, the Lückenanalyse and the profile share.

Residents, age bands, housing and actors per Quartier do not depend on any
filter, so they are summed in one place and every page reads the same numbers;
each page adds its own columns (coverage, filtered offers, gap figures) beside
them. Counts are sums, so a Stadtbezirk or the city is a sum of rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.analysis.city import City
from dashboard.model import schema


def summed(frame: pd.DataFrame, columns: dict[str, object], ids: pd.Index) -> pd.DataFrame:
    """Columns of a layer summed per Quartier ``ids`` (rows outside every Quartier drop out)."""
    table = pd.DataFrame(columns, index=frame.index).astype(float)
    # a Series as the key: an array key makes pandas format the whole array while looking for a column of that name
    return table.groupby(pd.Series(frame["area_id"].to_numpy(), index=frame.index)).sum().reindex(ids, fill_value=0.0)


def counted(frame: pd.DataFrame, ids: pd.Index) -> pd.Series:
    """Rows of a layer per Quartier ``ids``, as whole numbers (rows outside every Quartier drop out)."""
    codes = ids.get_indexer(frame["area_id"].to_numpy())
    return pd.Series(np.bincount(codes[codes >= 0], minlength=len(ids)), index=ids)


def numbers(frame: pd.DataFrame, column: str) -> pd.Series:
    """A numeric column with missing values as 0, so sums stay sums."""
    return pd.to_numeric(frame[column], errors="coerce").fillna(0).astype(float)


def unit_ids(city: City) -> pd.Index:
    """The Quartiere of the city, as the index of every per-Quartier table."""
    return pd.Index(city.units["area_id"], name="area_id")


def quartier_counts(city: City) -> pd.DataFrame:
    """Residents, age bands, dwellings and actors per Quartier (index ``area_id``), as floats.

    ``banded_residents`` and the age bands count only cells that know every band,
    so shares of bands add up to one.
    """
    ids = unit_ids(city)
    cells, housing, actors = city.cells, city.housing, city.actors
    banded = cells[list(schema.AGE_BANDS)].notna().all(axis=1)
    people = summed(
        cells,
        {"residents": cells["residents"], "banded_residents": cells["residents"].where(banded, 0)}
        | {band: cells[band].where(banded, 0) for band in schema.AGE_BANDS},
        ids,
    )
    dwellings = numbers(housing, "dwellings")
    homes = summed(
        housing,
        {"dwellings": dwellings}
        | {f"dwellings_{o}": dwellings.where(housing["owner_type"] == o, 0) for o in schema.OWNER_TYPES}
        | {c: numbers(housing, c) for c in ("subsidised", "barrier_free")}
        | {"sozialmanagement": housing["sozialmanagement"].fillna(False).astype(bool)},
        ids,
    )
    present = summed(
        actors, {"actors": np.ones(len(actors))} | {f"actors_{s}": actors["sector"] == s for s in schema.SECTORS}, ids
    )
    return pd.concat([people, homes, present], axis=1)
