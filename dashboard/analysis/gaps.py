"""Participation-gap analysis: who lacks participation offers, where, how many — and why.

From 100 m grid cells, for one target group: the distance to the nearest
qualifying participation offer, coverage within a walking threshold, a
capacity-aware 2SFCA score, and per Quartier a gap index 0–100 from three
components whose weights the planner sets:

- ``uncovered_share``: share of the group living beyond the threshold;
- ``supply_deficit``: how far the 2SFCA places per 1,000 residents fall below
  the city value (0 = at or above the city value, 1 = no places in reach);
- ``sector_gap``: share of the four sectors without an actor in the Quartier.

Distances come only from a ``DistanceMethod``. A scenario (new offers, offers
switched off) can be computed incrementally from a status-quo result: a new
offer only lowers distances and adds its own 2SFCA ratio to the cells in its
catchment, so the delta costs a fraction of a full run.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from dashboard.analysis.bivariate import area_need_columns
from dashboard.analysis.city import City
from dashboard.analysis.classify import Classes, classify
from dashboard.analysis.counts import counted, unit_ids
from dashboard.analysis.distance import DistanceMethod, StraightLine
from dashboard.analysis.fca import supply_ratios
from dashboard.analysis.walknet import WalkingDistance
from dashboard.model import schema, share_state, viewspec
from dashboard.model.scenario import Scenario
from dashboard.model.share_state import ViewState
from dashboard.model.targets import DEFAULT_THRESHOLD_M, serving
from dashboard.model.viewspec import COMPONENTS


@dataclass(frozen=True)
class GapParams:
    """Everything a gap analysis depends on besides the data; hashable, so results can be cached."""

    target_group: str = viewspec.TARGET_GROUP.default
    threshold_m: int | None = None  # None: the group's default (targets.DEFAULT_THRESHOLD_M)
    detour: float = viewspec.DETOUR.default
    min_level: str = viewspec.MIN_LEVEL.default
    categories: tuple[str, ...] = viewspec.CATEGORIES.default
    min_residents: int = viewspec.MIN_RESIDENTS.default
    weights: tuple[float, float, float] = viewspec.DEFAULT_WEIGHTS
    classification: str = viewspec.CLASSIFICATION.default  # quantiles | natural_breaks | user
    classes: int = viewspec.CLASSES.default
    breaks: tuple[float, ...] = ()  # upper bounds for classification "user"
    distance: str = viewspec.DISTANCE.default  # luftlinie | fussweg (walking routes, where the city has a network)

    def __post_init__(self) -> None:
        """The group's default threshold written out, so that the same analysis has the same cache key whether a
        caller named the default (a Lückenanalyse link) or left it out (the Quartiersprofil)."""
        if self.threshold_m is None:
            object.__setattr__(self, "threshold_m", DEFAULT_THRESHOLD_M[self.target_group])

    @property
    def threshold(self) -> int:
        return self.threshold_m if self.threshold_m is not None else DEFAULT_THRESHOLD_M[self.target_group]


def params_from_view(state: ViewState, has_network: bool) -> GapParams:
    """The parameters a Lückenanalyse view stands for – in the app, a share link and the command line alike.

    A threshold left at its default is the target group's own; walking routes only where the city
    has a path network; weights that sum to nothing fall back to the default weights.
    """
    group, classification = state.get("gap_target_group"), state.get("gap_classification")
    weights = tuple(w / 100 for w in state.get("gap_weights"))
    return GapParams(
        target_group=group,
        threshold_m=state.get("gap_threshold_m") or DEFAULT_THRESHOLD_M[group],
        detour=float(state.get("gap_detour")),
        min_level=state.get("gap_min_level"),
        min_residents=int(state.get("gap_min_residents")),
        weights=weights if sum(weights) > 0 else viewspec.DEFAULT_WEIGHTS,
        classification=classification,
        breaks=state.get("gap_breaks") if classification == "user" else (),
        distance=state.get("gap_distance") if has_network else viewspec.DISTANCE.default,
    )


def decode_link(link: str, city: City) -> tuple[ViewState, list[str]]:
    """A share link (or a saved view's query) read against the city's ids: its view and the names it dropped."""
    return share_state.decode(
        share_state.link_params(link),
        known_area_ids=[*city.units["area_id"], *city.bezirke["area_id"]],
        known_offer_ids=city.offers["offer_id"],
        known_needs=[*viewspec.BUILTIN_NEEDS, *area_need_columns(city)],
    )


@dataclass(frozen=True)
class GapResult:
    """Cells, offers, Quartiere, Stadtbezirke and the city for one analysis run."""

    params: GapParams
    scenario: Scenario
    method: DistanceMethod
    cells: pd.DataFrame  # x, y, area_id, unit, residents, demand, distance, covered, access
    offers: pd.DataFrame  # qualifying offers with supply and 2SFCA ratio
    units: pd.DataFrame  # index area_id
    bezirke: pd.DataFrame  # index area_id
    city: pd.Series
    classes: Classes = field(compare=False)


def qualifying(offers: pd.DataFrame, params: GapParams) -> pd.DataFrame:
    """Participation offers that count for this analysis."""
    return offers[_counts(offers, params)] if len(offers) else offers


def _counts(offers: pd.DataFrame, params: GapParams) -> np.ndarray:
    """Which of ``offers`` count for this analysis (``qualifying``)."""
    return (
        offers["category"].isin(params.categories).to_numpy()
        & serving(offers["target_groups"], (params.target_group,))
        & (offers["level_rank"].to_numpy() >= schema.level_rank(params.min_level))
    )


def _with_supply(offers: pd.DataFrame) -> pd.DataFrame:
    """Capacity as 2SFCA supply; a missing capacity counts as the median of the known ones (else 1)."""
    capacity = pd.to_numeric(offers["capacity"], errors="coerce").to_numpy(dtype=float)
    known = capacity[~np.isnan(capacity)]
    fallback = float(np.median(known)) if len(known) else 1.0
    return offers.assign(supply=np.clip(np.where(np.isnan(capacity), fallback, capacity), 0, None))


def _offers(city: City, params: GapParams, scenario: Scenario) -> pd.DataFrame:
    """The offers that count, the scenario's changes applied; the city's offers are cut once (not copied)."""
    offers = city.offer_rows
    keep = _counts(offers, params) if len(offers) else np.zeros(0, dtype=bool)
    if scenario.disabled:
        keep &= ~offers["offer_id"].isin(scenario.disabled).to_numpy()
    counted = offers[keep]
    if scenario.added:
        planned = qualifying(city.planned_offers(scenario), params)
        counted = pd.concat([counted, planned[list(counted.columns)]], ignore_index=True)
    return _with_supply(counted.reset_index(drop=True))


def _sum_by_unit(codes: np.ndarray, weights: np.ndarray, n: int) -> np.ndarray:
    inside = codes >= 0
    return np.bincount(codes[inside], weights=weights[inside], minlength=n)[:n]


def with_columns(table: pd.DataFrame, columns: Mapping[str, object]) -> pd.DataFrame:
    """``table`` with ``columns`` added (or replaced) in one step: pandas inserts columns one by one
    slowly (each rebuilds the column index)."""
    kept = table.drop(columns=[c for c in columns if c in table.columns])
    return pd.concat([kept, pd.DataFrame(columns, index=table.index)], axis=1)


COUNTS = ["residents", "target_residents", "covered_residents", "access_weighted", "participation_offers"]


def _rate_columns(counts: dict[str, np.ndarray], min_residents: int) -> dict[str, np.ndarray]:
    """Suppression, shares and rates from the ``COUNTS`` arrays of a table of areas."""
    suppressed = np.asarray(counts["residents"], dtype=float) < min_residents
    target = np.asarray(counts["target_residents"], dtype=float)
    covered = np.asarray(counts["covered_residents"], dtype=float)
    rated = np.where(~suppressed & (target > 0), target, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = covered / rated
        return {
            "suppressed": suppressed,
            "uncovered_residents": target - covered,
            "covered_share": share,
            "uncovered_share": 1 - share,
            "offers_per_1000": np.asarray(counts["participation_offers"], dtype=float) / rated * 1000,
            "fca_per_1000": np.asarray(counts["access_weighted"], dtype=float) / rated * 1000,
        }


def rates(table: pd.DataFrame, min_residents: int) -> pd.DataFrame:
    """Shares, rates and suppression from the summed counts of any table of areas."""
    return with_columns(table, _rate_columns({c: table[c].to_numpy() for c in COUNTS}, min_residents))


def _index_columns(
    rated: dict[str, np.ndarray],
    sectors_missing: Sequence[tuple[str, ...]],
    city_fca_per_1000: float,
    weights: tuple[float, ...],
    has_actors: bool,
) -> dict[str, np.ndarray]:
    """The three components (0–1) and the weighted gap index (0–100) from ``_rate_columns``' arrays."""
    uncovered = rated["uncovered_share"]
    n = len(uncovered)
    if city_fca_per_1000 > 0:
        deficit = 1 - np.minimum(rated["fca_per_1000"] / city_fca_per_1000, 1)
    else:  # no places in reach anywhere: every rated area lacks supply entirely
        deficit = np.ones(n)
    missing = np.fromiter((len(m) for m in sectors_missing), dtype=float, count=n)
    sector = missing / len(schema.SECTORS) if has_actors else np.full(n, np.nan)
    unrated = np.isnan(uncovered)
    deficit, sector = np.where(unrated, np.nan, deficit), np.where(unrated, np.nan, sector)
    parts = {"uncovered_share": uncovered, "supply_deficit": deficit, "sector_gap": sector}
    components = np.column_stack([parts[c] for c in COMPONENTS])
    known = ~np.isnan(components)
    w = np.asarray(weights, dtype=float) * known  # a component without data drops out, the rest re-weighted
    with np.errstate(invalid="ignore", divide="ignore"):
        index = np.where(known[:, 0], (np.nan_to_num(components) * w).sum(axis=1) / w.sum(axis=1) * 100, np.nan)
    return {"supply_deficit": deficit, "sector_gap": sector, "gap_index": index}


def gap_index(
    table: pd.DataFrame, city_fca_per_1000: float, weights: tuple[float, ...], has_actors: bool = True
) -> pd.DataFrame:
    """Add the three components (0–1) and the weighted gap index (0–100) to rated areas.

    Without any actor data the sector component is unknown, not "all missing":
    it drops out and the other weights count alone.
    """
    rated = {c: table[c].to_numpy(dtype=float) for c in ("uncovered_share", "fca_per_1000")}
    return with_columns(
        table, _index_columns(rated, list(table["sectors_missing"]), city_fca_per_1000, weights, has_actors)
    )


def _unit_columns(
    city: City, cells: pd.DataFrame, offers: pd.DataFrame, params: GapParams, city_fca: float, ids: pd.Index
) -> dict[str, Any]:
    """Per Quartier ``ids``: residents from the counts every page shares (``City.counts``), coverage and supply of
    this run, rates and the gap index – as arrays, which the Stadtbezirke and the city are summed from."""
    n = len(city.units)
    codes = cells["unit"].to_numpy()
    demand = cells["demand"].to_numpy()
    present, missing = city.sectors
    counts = {
        "residents": city.counts["residents"].to_numpy(),
        "target_residents": _sum_by_unit(codes, demand, n),
        "covered_residents": _sum_by_unit(codes, demand * cells["covered"].to_numpy(), n),
        "access_weighted": _sum_by_unit(codes, demand * cells["access"].to_numpy(), n),
        "participation_offers": counted(offers, ids).to_numpy(),
    }
    rated = _rate_columns(counts, params.min_residents)
    index = _index_columns(rated, missing, city_fca, params.weights, has_actors=len(city.actors) > 0)
    named = {"name": city.units["name"].to_numpy(), "parent_id": city.units["parent_id"].to_numpy()}
    sectors = {"sectors_present": present, "sectors_missing": missing}
    return named | counts | sectors | rated | index


def _bezirk_table(units: Mapping[str, Any], city: City) -> pd.DataFrame:
    """Counts summed per Stadtbezirk, rated; the gap index weighted by the target group of rated Quartiere.
    ``units``: the columns of the Quartiere (``_unit_columns``, or their table)."""
    codes, parents = pd.factorize(np.asarray(units["parent_id"]), sort=True)  # no Bezirk: -1, left out
    n = len(parents)
    gap = np.asarray(units["gap_index"], dtype=float)
    suppressed = np.asarray(units["suppressed"], dtype=bool)
    weight = np.where(~suppressed & ~np.isnan(gap), np.asarray(units["target_residents"], dtype=float), 0.0)
    counts = {c: _sum_by_unit(codes, np.asarray(units[c], dtype=float), n) for c in COUNTS}
    with np.errstate(invalid="ignore", divide="ignore"):
        weighted = _sum_by_unit(codes, weight * np.nan_to_num(gap), n) / _sum_by_unit(codes, weight, n)
    names = dict(zip(city.bezirke["area_id"], city.bezirke["name"], strict=False))
    ids = pd.Index(parents, name="area_id")
    table = {"name": [names.get(i, i) for i in ids]} | counts | _rate_columns(counts, 0) | {"gap_index": weighted}
    return pd.DataFrame(table, index=ids)


def _classes(values: pd.Series, params: GapParams) -> Classes:
    if params.classification == "user":
        return classify(values, "user", breaks=params.breaks)
    return classify(values, params.classification, params.classes)


def _finish(
    city: City, params: GapParams, scenario: Scenario, method, cells: pd.DataFrame, offers: pd.DataFrame
) -> GapResult:
    demand = cells["demand"].to_numpy()
    total_demand = demand.sum()
    city_fca = float((demand * cells["access"].to_numpy()).sum() / total_demand * 1000) if total_demand > 0 else 0.0
    ids = unit_ids(city)
    columns = _unit_columns(city, cells, offers, params, city_fca, ids)
    units = pd.DataFrame(columns, index=ids)  # made a table once
    totals = {c: np.array([np.nansum(columns[c])]) for c in COUNTS}
    city_row = pd.Series(totals | _rate_columns(totals, 0)).map(lambda v: v[0])
    return GapResult(
        params=params,
        scenario=scenario,
        method=method,
        cells=cells,
        offers=offers,
        units=units,
        bezirke=_bezirk_table(columns, city),
        city=city_row,
        classes=_classes(units["gap_index"], params),
    )


def distance_method(city: City, params: GapParams) -> DistanceMethod:
    """The one place that picks how distances are measured: walking routes when asked for and
    the city has a path network, else the straight line times the detour factor."""
    if params.distance == "fussweg" and city.network is not None:
        return WalkingDistance(city.network)
    return StraightLine(params.detour)


def analyse(
    city: City, params: GapParams, scenario: Scenario = Scenario(), method: DistanceMethod | None = None
) -> GapResult:
    """Full analysis from scratch."""
    method = method or distance_method(city, params)
    offers = _offers(city, params, scenario)
    cells = city.cells[["x", "y", "area_id", "unit", "residents"]]  # copy-on-write: nothing copied here
    demand = city.residents_of(params.target_group)
    xy = np.column_stack([cells["x"].to_numpy(), cells["y"].to_numpy()])
    distance, pairs = method.reach(xy, offers[["x", "y"]].to_numpy(), params.threshold)
    ratio = supply_ratios(demand, offers["supply"].to_numpy(), pairs)
    offers = offers.assign(ratio=ratio)
    access = np.bincount(pairs.origin, weights=ratio[pairs.target], minlength=len(cells))
    cells = with_columns(
        cells, {"demand": demand, "distance": distance, "covered": distance <= params.threshold, "access": access}
    )
    return _finish(city, params, scenario, method, cells, offers)


def view_results(city: City, params: GapParams, scenario: Scenario) -> tuple[GapResult, GapResult]:
    """Status quo and the view's scenario as the Lückenanalyse computes them (one object without a scenario)."""
    with warnings.catch_warnings():  # mapclassify's hint to install numba means nothing to a data team
        warnings.filterwarnings("ignore", message="Numba not installed", category=UserWarning)
        before = analyse(city, params)
        return before, before if scenario.is_empty else with_scenario(city, before, scenario)


def with_scenario(city: City, base: GapResult, scenario: Scenario) -> GapResult:
    """The scenario computed as a change of ``base`` (a status-quo result of the same params).

    Switched-off offers: cells whose nearest offer it was get their distance
    recomputed, and its ratio leaves its catchment. New offers: distances can
    only fall, and each adds its own ratio to the cells in its catchment. The
    ratios of the other offers do not change, because demand does not.
    """
    if not base.scenario.is_empty:
        raise ValueError("the base of a scenario must be the status quo")
    params, method = base.params, base.method
    cells = base.cells
    xy = np.column_stack([cells["x"].to_numpy(), cells["y"].to_numpy()])
    access = cells["access"].to_numpy().copy()
    distance = cells["distance"].to_numpy().copy()
    kept = base.offers
    off = kept["offer_id"].isin(scenario.disabled).to_numpy() if scenario.disabled else np.zeros(0, bool)
    if off.any():  # arrays, not frames: the table of the kept offers is cut once, at the end
        offer_xy = np.column_stack([kept["x"].to_numpy(), kept["y"].to_numpy()])
        affected = np.isclose(method.nearest(xy, offer_xy[off]), distance)
        distance[affected] = method.nearest(xy[affected], offer_xy[~off])
        pairs = method.within(xy, offer_xy[off], params.threshold)
        ratio = kept["ratio"].to_numpy()[off]
        access -= np.bincount(pairs.origin, weights=ratio[pairs.target], minlength=len(cells))
        kept = kept.take(np.flatnonzero(~off))
    offers = kept.reset_index(drop=True)
    added = _with_supply(qualifying(city.planned_offers(scenario), params)) if scenario.added else kept[:0]
    if len(added):
        new_xy = added[["x", "y"]].to_numpy()
        nearest, pairs = method.reach(xy, new_xy, params.threshold)
        distance = np.minimum(distance, nearest)
        ratio = supply_ratios(cells["demand"].to_numpy(), added["supply"].to_numpy(), pairs)
        access += np.bincount(pairs.origin, weights=ratio[pairs.target], minlength=len(cells))
        # the planned offers in the columns of the others (their lon, lat stay with ``City.planned_offers``)
        offers = pd.concat([offers, added.assign(ratio=ratio)[list(offers.columns)]], ignore_index=True)
    cells = with_columns(
        cells, {"distance": distance, "covered": distance <= params.threshold, "access": np.clip(access, 0, None)}
    )
    return _finish(city, params, scenario, method, cells, offers)


def compare_methods(straight: GapResult, walking: GapResult) -> pd.DataFrame:
    """Per Quartier: people of the group covered by straight line and by walking route, and the
    difference (straight lines overstate coverage where rails, rivers or large blocks force detours)."""
    table = pd.DataFrame(
        {
            "name": straight.units["name"],
            "target_residents": straight.units["target_residents"],
            "covered_straight": straight.units["covered_residents"],
            "covered_walking": walking.units["covered_residents"],
        }
    )
    table["only_straight"] = table["covered_straight"] - table["covered_walking"]
    return table.sort_values("only_straight", ascending=False)


def compare(before: GapResult, after: GapResult) -> pd.DataFrame:
    """Per Quartier that changed: covered residents, share and gap index before and after, and the change."""
    columns = {
        "covered_before": before.units["covered_residents"],
        "covered_after": after.units["covered_residents"],
        "share_before": before.units["covered_share"],
        "share_after": after.units["covered_share"],
        "index_before": before.units["gap_index"],
        "index_after": after.units["gap_index"],
    }
    values = {name: column.to_numpy(dtype=float) for name, column in columns.items()}  # the same Quartiere
    values["covered_change"] = values["covered_after"] - values["covered_before"]
    values["index_change"] = values["index_after"] - values["index_before"]
    changed = np.flatnonzero((np.abs(values["covered_change"]) > 1e-9) | (np.abs(values["index_change"]) > 1e-9))
    table = pd.DataFrame(
        {"name": before.units["name"].array[changed]} | {name: v[changed] for name, v in values.items()},
        index=before.units.index[changed],
    )  # only the few Quartiere a scenario changes are made a table
    return table.sort_values("covered_change", ascending=False)


def ranked(result: GapResult) -> pd.DataFrame:
    """Rated Quartiere, largest gap index first; ties by more uncovered residents."""
    units = result.units
    gap, uncovered = units["gap_index"].to_numpy(dtype=float), units["uncovered_residents"].to_numpy(dtype=float)
    rated = np.flatnonzero(~units["suppressed"].to_numpy(dtype=bool) & ~np.isnan(gap))
    # a stable sort of the positions, last key first: the table is taken once, not sorted column by column
    return units.take(rated[np.lexsort((-uncovered[rated], -gap[rated]))])
