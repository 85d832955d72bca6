"""Candidate sites from a file: places where a new offer could open (free rooms, estates with
Sozialmanagement, a council's list of vacant shops).

Read through the same path as every import (size limit, formats, coordinate guessing), so a list
that imports as offers also reads as candidates. Only the position is required; a name, a reason
and a capacity are taken from columns that name them in German or English.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from dashboard.i18n import phrase
from dashboard.ingest import importflow, readers
from dashboard.ingest.columnmap import SYNONYMS, normalise
from dashboard.ingest.readers import LayerFileError
from dashboard.ingest.validation import Problem

#: The candidate columns and the names that fill them, best first: an offer's id, name and capacity
#: are recognised as in every import (``columnmap.SYNONYMS``); a place may also be named by its
#: address, and the reason is the candidate's own.
COLUMN_NAMES = {
    "site_id": ("site_id", *SYNONYMS["offers"]["offer_id"]),
    "name": ("name", *SYNONYMS["offers"]["name"], "Standort", "Adresse", "Anschrift"),
    "reason": ("reason", "Grund", "Begründung", "Art", "Typ", "Kategorie", "Nutzung"),
    "capacity": ("capacity", *SYNONYMS["offers"]["capacity"]),
}


def columns(frame: pd.DataFrame) -> dict[str, str]:
    """Source column → candidate column, for the columns whose names say what they hold; each used once."""
    by_name = {normalise(c): c for c in frame.columns if c != "geometry"}
    found: dict[str, str] = {}
    for target, names in COLUMN_NAMES.items():
        wanted = [normalise(n) for n in names]
        source = next((by_name[n] for n in wanted if n in by_name and by_name[n] not in found), None)
        if source is not None:
            found[source] = target
    return found


def read_candidates(
    path: str | Path, *, upload_limit_mb: int, name: str | None = None, crs: str | None = None
) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    """The points of a candidate file and what is wrong with its rows (a row without a position is an error).

    A table with coordinate columns takes ``crs``, else the most likely CRS for Germany. Raises
    ``LayerFileError`` for a file that cannot be read or holds no positions at all.
    """
    raw = importflow.read(path, upload_limit_mb=upload_limit_mb, name=name)
    problems: list[Problem] = []
    if guess := importflow.coordinates_to_confirm(raw):
        raw, problems = readers.with_geometry(raw, guess, crs or guess.crs_candidates[0])
    frame = raw.frame
    if not isinstance(frame, gpd.GeoDataFrame) or frame.crs is None or frame.geometry.isna().all():
        raise LayerFileError(phrase("sites.candidates.no_positions", name=raw.source_name))
    has_position = (frame.geometry.notna() & ~frame.geometry.is_empty).to_numpy()
    if guess is None:  # a layer file: its rows without a shape are reported here, as with_geometry does for tables
        problems = [
            Problem(raw.source_name, int(i) + 1, "geometry", "val.geometry_missing")
            for i in (~has_position).nonzero()[0]
        ]
    located = frame[has_position]
    names = columns(located)
    points = located.rename(columns=names)[[*names.values(), "geometry"]]
    return gpd.GeoDataFrame(points, geometry="geometry", crs=frame.crs), problems
