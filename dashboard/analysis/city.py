"""A workspace made ready for analysis: one metric CRS, every point tagged with its area.

Preparing is the expensive spatial part (reprojection, point-in-polygon) and
depends only on the data, so it runs once per data version; filters and
thresholds then work on plain arrays.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import geopandas as gpd
import numpy as np
import pandas as pd

from dashboard.analysis.walknet import Network, from_lines
from dashboard.model import schema
from dashboard.model.areas import assign_points
from dashboard.model.scenario import OFFER_COLUMNS, Scenario, new_offers_frame
from dashboard.model.targets import group_residents
from dashboard.model.workspace import Workspace

#: Scenarios whose new offers a City keeps (``City.planned_offers``); a few rows each.
KEPT_SCENARIOS = 64


@dataclass(frozen=True)
class City:
    """The analysis form of a workspace. All geometries in ``schema.ANALYSIS_CRS``."""

    name: str
    is_demo: bool
    data_date: str
    units: gpd.GeoDataFrame  # the areas analysed (Quartiere; Bezirke if a city has only one level)
    bezirke: gpd.GeoDataFrame
    cells: pd.DataFrame  # x, y, residents, age bands, area_id, unit
    actors: gpd.GeoDataFrame  # + area_id, unit, x, y
    housing: gpd.GeoDataFrame  # + area_id, unit, x, y
    offers: gpd.GeoDataFrame  # + area_id, unit, x, y, level_rank
    paths: gpd.GeoSeries | None = None  # lines of the walking network, if the workspace has them
    credits: tuple[str, ...] = ()  # the data sources to name beside every map (``Workspace.credits``)

    @cached_property
    def counts(self) -> pd.DataFrame:
        """Residents, age bands, dwellings and actors per Quartier (``counts.quartier_counts``; read only).

        They depend only on the data, so they are summed once per prepared City, not in every analysis.
        """
        from dashboard.analysis.counts import quartier_counts  # counts builds on City

        return quartier_counts(self)

    @cached_property
    def sectors(self) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
        """Sectors present and missing per Quartier (``sector_mix``; read only): data only, so once per City."""
        return sector_mix(self)

    @cached_property
    def _made(self) -> dict[str, dict]:
        """What ``residents_of`` and ``planned_offers`` have made, by group and by scenario."""
        return {"residents": {}, "planned": {}}

    def residents_of(self, group: str) -> np.ndarray:
        """Residents of ``group`` per cell (``targets.group_residents``; read only), once per City and group: every
        analysis of the group added its age bands up anew."""
        residents = self._made["residents"].get(group)
        if residents is None:
            residents = np.asarray(group_residents(self.cells, group), dtype=float)
            residents.flags.writeable = False
            self._made["residents"][group] = residents
        return residents

    def planned_offers(self, scenario: Scenario) -> pd.DataFrame:
        """The scenario's new offers as rows like ``offers`` (``scenario.new_offers_frame``; read only), once per
        City and scenario for the latest ``KEPT_SCENARIOS``: its analysis, map and report each placed them."""
        made = self._made["planned"]
        offers = made.get(scenario)
        if offers is None:  # held here: another session may clear the kept ones meanwhile
            if len(made) >= KEPT_SCENARIOS:
                made.clear()
            offers = made[scenario] = new_offers_frame(scenario, self.units)
        return offers

    @cached_property
    def offer_rows(self) -> pd.DataFrame:
        """The offers' columns an analysis counts with (``scenario.OFFER_COLUMNS``; read only), cut once per City:
        cutting them out of the whole table anew was a fifth of the time an analysis spent on its offers."""
        return self.offers[OFFER_COLUMNS]

    @property
    def has_network(self) -> bool:
        """Whether the city has paths for a walking network, without building it (``network`` does)."""
        return self.paths is not None and len(self.paths) > 0

    @cached_property
    def network(self) -> Network | None:
        """The walking network, built on first use: once per prepared City, so once per data version."""
        return from_lines(self.paths) if self.has_network else None

    def bezirk_of(self, area_id: str) -> str | None:
        """Parent Stadtbezirk of a unit, None when unknown."""
        match = self.units.loc[self.units["area_id"] == area_id, "parent_id"]
        return match.iloc[0] if len(match) and isinstance(match.iloc[0], str) else None


def _to_analysis_crs(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if frame.crs is None:
        raise ValueError("Ebene ohne Koordinatensystem")
    return frame.to_crs(schema.ANALYSIS_CRS)


def unit_codes(area_ids: pd.Series, units: pd.DataFrame) -> np.ndarray:
    """Position of each row's area in ``units`` (-1 outside), for fast sums with np.bincount."""
    return pd.Categorical(area_ids, categories=units["area_id"]).codes.astype(np.intp)


def _with_area(frame: gpd.GeoDataFrame, units: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    frame = _to_analysis_crs(frame).reset_index(drop=True)
    frame["area_id"] = assign_points(frame.geometry, units).to_numpy()
    frame["unit"] = unit_codes(frame["area_id"], units)
    points = frame.geometry if (frame.geom_type == "Point").all() else frame.geometry.representative_point()
    frame["x"] = points.x.to_numpy()
    frame["y"] = points.y.to_numpy()
    return frame


def _cells(population: gpd.GeoDataFrame, units: gpd.GeoDataFrame) -> pd.DataFrame:
    located = _with_area(population, units)
    columns = {"x": located["x"], "y": located["y"], "area_id": located["area_id"], "unit": located["unit"]}
    for name in ("residents", *schema.AGE_BANDS):
        values = located[name] if name in located else pd.Series(np.nan, index=located.index)
        columns[name] = pd.to_numeric(values, errors="coerce").astype(float).to_numpy()
    cells = pd.DataFrame(columns)
    return cells[cells["residents"].fillna(0) > 0].reset_index(drop=True)


def prepare(workspace: Workspace) -> City:
    """Reproject every layer and tag points with the unit (Quartier) they lie in."""
    areas = _to_analysis_crs(workspace.areas) if len(workspace.areas) else workspace.areas
    quartiere = areas[areas["level"] == "quartier"]
    units = (quartiere if len(quartiere) else areas).reset_index(drop=True)
    bezirke = areas[areas["level"] == "stadtbezirk"].reset_index(drop=True)
    offers = _with_area(workspace.offers, units)
    offers["level_rank"] = offers["level"].map(schema.level_rank).fillna(-1).astype(int)
    return City(
        name=workspace.city,
        is_demo=workspace.is_demo,
        data_date=workspace.data_date(),
        units=units,
        bezirke=bezirke,
        cells=_cells(workspace.population, units),
        actors=_with_area(workspace.actors, units),
        housing=_with_area(workspace.housing, units),
        offers=offers,
        paths=_to_analysis_crs(workspace.layer("paths")).geometry if len(workspace.layer("paths")) else None,
        credits=workspace.credits(),
    )


def sector_mix(city: City) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    """Sectors with at least one actor in each Quartier, and the missing ones (a presence matrix)."""
    actors = city.actors
    inside = actors["unit"].to_numpy() >= 0 if len(actors) else np.zeros(0, dtype=bool)
    sector = pd.Categorical(actors["sector"], categories=schema.SECTORS).codes[inside]
    present = np.zeros((len(city.units), len(schema.SECTORS)), dtype=bool)
    valid = sector >= 0
    present[actors["unit"].to_numpy()[inside][valid], sector[valid]] = True
    have = [tuple(s for s, p in zip(schema.SECTORS, row, strict=False) if p) for row in present]
    lack = [tuple(s for s, p in zip(schema.SECTORS, row, strict=False) if not p) for row in present]
    return have, lack
