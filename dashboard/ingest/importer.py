"""The import plan: what a city's file will become, what is wrong with it, and which rows may come in.

``plan_import`` runs the raw table through the confirmed ``ColumnMapping``,
repairs broken polygons, validates against the workspace (refs to its actors,
Quartiere to its Stadtbezirke) and reprojects to the analysis CRS; nothing is
stored yet, so a planner sees every problem before deciding. ``merge`` then
says what the stored layer will look like. Residents per area (instead of grid
cells) go through ``plan_population_totals``, which spreads them onto 100 m
cells with ``population.spread_totals``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from dashboard.i18n import nphrase, phrase
from dashboard.ingest import columnmap, population, validation
from dashboard.ingest.columnmap import ColumnMapping, normalise
from dashboard.ingest.validation import ERROR, WARNING, Problem
from dashboard.model import schema
from dashboard.model.workspace import Workspace

if TYPE_CHECKING:
    from dashboard.ingest.readers import RawTable

MODES = ("replace", "update")
_POLYGONS = ("Polygon", "MultiPolygon")


@dataclass(frozen=True)
class ImportCounts:
    """Rows read, rows that may be imported, rows kept out, and warnings (of any row or the layer)."""

    read: int
    valid: int
    rejected: int
    warnings: int


@dataclass
class ImportPlan:
    """What importing one file into one layer would do.

    ``frame``: all rows as converted, polygons repaired, in EPSG:3035 (in the
    file's CRS when it has none or cannot be converted – then ``blocked``).
    ``problems``: conversion, repairs and validation, layer-wide first, then
    by row. ``valid``: the rows without a row-level error (index = row - 1),
    empty when ``blocked`` (a layer-wide error: nothing may be imported).
    ``notes``: sentences to show beside the data (how it was made).
    """

    layer: str
    frame: pd.DataFrame
    problems: list[Problem]
    valid: pd.DataFrame
    blocked: bool
    counts: ImportCounts
    notes: list[str] = field(default_factory=list)


def plan_import(
    raw: RawTable, mapping: ColumnMapping, *, workspace: Workspace | None = None, today: date | None = None
) -> ImportPlan:
    """Convert, repair, validate and reproject ``raw`` as ``mapping`` says; store nothing.

    With a ``workspace``, refs are checked against its actors (an operator
    given by the actor's name counts as its id), and Quartiere may hang below
    its Stadtbezirke. Cells of a population grid without a count (suppressed
    or empty) are left out with one warning that counts them.
    """
    frame, converted = columnmap.apply(raw, mapping)
    if workspace is not None:
        frame = _actor_names_as_ids(frame, workspace)
    frame, repairs = _repair_polygons(frame, mapping.layer)
    checked = _validate(mapping.layer, frame, workspace, today)
    unreadable = {(p.row, p.field) for p in converted if p.row is not None}
    uncounted, notice = _uncounted_cells(frame, unreadable) if mapping.layer == "population" else (set(), [])
    unreadable |= {(row, "residents") for row in uncounted}
    # a cell left empty because it could not be read (or was suppressed) is reported once, not again as missing
    checked = [p for p in checked if not (p.key == "val.empty_required" and (p.row, p.field) in unreadable)]
    return _plan(mapping.layer, _reprojected(frame), [*converted, *repairs, *notice, *checked], uncounted)


def _uncounted_cells(frame: pd.DataFrame, unreadable: set) -> tuple[set[int], list[Problem]]:
    """Rows of grid cells without a count (suppressed or empty, not unreadable) and one warning counting them."""
    if "residents" not in frame:
        return set(), []
    rows = {int(i) + 1 for i in np.flatnonzero(frame["residents"].isna())}
    rows -= {row for row, name in unreadable if name == "residents"}
    if not rows:
        return set(), []
    message = nphrase("imp.population.no_count", len(rows), count=len(rows))
    return rows, [Problem("population", None, "residents", message.key, WARNING, message.values, message.count)]


def _plan(layer: str, frame: pd.DataFrame, problems: list[Problem], left_out: set[int]) -> ImportPlan:
    """Sorted problems, blocked or not, the valid rows (without row errors and ``left_out``) and the counts."""
    problems = sorted(problems, key=lambda p: (p.row is not None, p.row or 0))
    blocked = any(p.row is None and p.severity == ERROR for p in problems)
    rejected = validation.invalid_rows(problems) | left_out
    valid = frame.iloc[:0] if blocked else frame.drop(index=[row - 1 for row in rejected])
    counts = ImportCounts(
        read=len(frame),
        valid=len(valid),
        rejected=len(frame) - len(valid),
        warnings=sum(p.severity == WARNING for p in problems),
    )
    return ImportPlan(layer, frame, problems, valid, blocked, counts)


def _references(workspace: Workspace | None) -> dict[str, set[str]]:
    if workspace is None:
        return {}
    return {
        name: set(frame[id_field].dropna().astype(str)) if id_field in frame else set()
        for name, id_field, frame in (("actors", "actor_id", workspace.actors), ("areas", "area_id", workspace.areas))
    }


def _actor_names_as_ids(frame: pd.DataFrame, workspace: Workspace) -> pd.DataFrame:
    """Refs to actors given by name ("Stadt Chemnitz" in a Träger column) as the id of the one actor so named."""
    actors = workspace.actors
    columns = [c for c, target in validation.REF_TARGETS.items() if target == "actors" and c in frame]
    if not columns or actors.empty:
        return frame
    ids = actors["actor_id"].astype(str)
    names = actors["name"].map(normalise)
    unique = ~names.duplicated(keep=False)
    by_name = dict(zip(names[unique], ids[unique], strict=False))
    known = set(ids)
    frame = frame.copy()
    for column in columns:
        frame[column] = frame[column].map(
            lambda value: value if value is None or value in known else by_name.get(normalise(value), value)
        )
    return frame


def _repair_polygons(frame: pd.DataFrame, layer: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Invalid polygons made valid (only their polygonal parts kept), each repair a warning naming its row.

    A polygon that keeps no area is left as it is: validation rejects it.
    """
    if not (isinstance(frame, gpd.GeoDataFrame) and frame.active_geometry_name in frame.columns):
        return frame, []
    geometries = np.asarray(frame.geometry.array, dtype=object).copy()
    present = ~shapely.is_missing(geometries)
    polygonal = present & np.isin(shapely.get_type_id(geometries), (3, 6))
    problems = []
    for position in np.flatnonzero(polygonal & ~shapely.is_valid(geometries)):
        broken = geometries[position]
        repaired = _polygonal_parts(shapely.make_valid(broken), multi=broken.geom_type == "MultiPolygon")
        if repaired is None or repaired.area <= 0:
            continue
        reason = validation.geos_reason(shapely.is_valid_reason(broken))
        geometries[position] = repaired
        message = phrase("imp.geometry_repaired", reason=reason)
        problems.append(Problem(layer, int(position) + 1, "geometry", message.key, WARNING, message.values))
    if not problems:
        return frame, []
    repaired_frame = frame.copy()
    repaired_frame[frame.active_geometry_name] = gpd.GeoSeries(geometries, index=frame.index, crs=frame.crs)
    return repaired_frame, problems


def _polygonal_parts(geometry, multi: bool):
    """The polygons in what make_valid returned (it may add lines and points); None when there are none."""
    parts = shapely.get_parts(shapely.get_parts(geometry))
    polygons = parts[shapely.get_type_id(parts) == 3]
    if len(polygons) == 0:
        return None
    return shapely.MultiPolygon(list(polygons)) if multi or len(polygons) > 1 else polygons[0]


def _validate(layer: str, frame: pd.DataFrame, workspace: Workspace | None, today: date | None) -> list[Problem]:
    """The validation problems of ``frame``; Quartiere may name a Stadtbezirk of the workspace as parent."""
    checked = frame
    if layer == "areas" and workspace is not None:
        checked = _with_workspace_bezirke(frame, workspace)
    problems = validation.validate_layer(layer, checked, references=_references(workspace), today=today)
    return [p for p in problems if p.row is None or p.row <= len(frame)]


def _with_workspace_bezirke(frame: pd.DataFrame, workspace: Workspace) -> pd.DataFrame:
    """``frame`` followed by the workspace's Stadtbezirke it does not hold itself (without geometry).

    Validation checks parent_id against the Stadtbezirke of the frame it
    judges; the appended rows lie after the file's rows, so their own
    problems are dropped by row number.
    """
    if not {"area_id", "level"} <= set(frame.columns) or not (frame["level"] == "quartier").any():
        return frame
    bezirke = workspace.bezirke()
    ids = bezirke["area_id"].astype(str)
    bezirke = bezirke[~ids.isin(frame["area_id"].dropna())]
    if bezirke.empty:
        return frame
    geometry = frame.active_geometry_name if isinstance(frame, gpd.GeoDataFrame) else None
    extra = pd.DataFrame(
        {
            column: bezirke[column].astype(object).to_numpy() if column in bezirke and column != geometry else None
            for column in frame.columns
        },
        index=range(len(bezirke)),
    )
    extra["area_id"] = extra["area_id"].astype(str)
    if geometry is not None:
        extra = gpd.GeoDataFrame(extra, geometry=geometry, crs=frame.crs)
    return pd.concat([frame, extra], ignore_index=True)


def _reprojected(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` in the analysis CRS; unchanged without geometry or CRS, or with a CRS that cannot be converted.

    Validation has reported both, so the plan is blocked then.
    """
    if not isinstance(frame, gpd.GeoDataFrame) or frame.crs is None:
        return frame
    try:
        return frame.to_crs(schema.ANALYSIS_CRS)
    except pyproj.exceptions.ProjError:
        return frame


# --- storing ---


def merge(workspace: Workspace, plan: ImportPlan, mode: str) -> pd.DataFrame:
    """The layer as it will be stored after importing ``plan``'s valid rows.

    ``replace``: the layer becomes the valid rows – for areas only the rows of
    the imported level(s), the other level stays. ``update``: rows whose id is
    imported are replaced in place, new ids are added at the end, all others
    kept. Schema fields only, in schema order, in EPSG:3035. A blocked plan
    raises ValueError: storing it would replace a layer with nothing.
    """
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}, expected one of {MODES}")
    if plan.blocked:
        raise ValueError("a blocked import plan cannot be merged")
    layer = schema.LAYERS[plan.layer]
    new = _stored_form(plan.valid, layer)
    old = _stored_form(workspace.layer(plan.layer), layer)
    if mode == "replace":
        kept = old[~old["level"].isin(new["level"].dropna())] if layer.name == "areas" else old.iloc[:0]
        merged = pd.concat([kept, new], ignore_index=True)
    else:
        key = layer.id_field
        replaced = old[key].isin(new[key])
        position = {value: i for i, value in reversed(list(enumerate(old[key])))}
        order_new = [position.get(value, len(old) + i) for i, value in enumerate(new[key])]
        merged = pd.concat(
            [old[~replaced].assign(_order=np.flatnonzero(~replaced)), new.assign(_order=order_new)], ignore_index=True
        )
        merged = merged.sort_values("_order", kind="stable").drop(columns="_order").reset_index(drop=True)
    return _stored_form(merged, layer)


def _stored_form(frame: pd.DataFrame, layer: schema.Layer) -> pd.DataFrame:
    """Every schema field (empty where absent), typed per kind; a GeoDataFrame in EPSG:3035 for layers with geometry."""
    columns = {}
    for spec in layer.fields:
        values = frame[spec.name] if spec.name in frame else pd.Series(None, index=frame.index, dtype=object)
        if spec.kind == "int":
            columns[spec.name] = pd.to_numeric(values, errors="coerce").astype("Int64")
        elif spec.kind == "float":
            columns[spec.name] = pd.to_numeric(values, errors="coerce").astype(float)
        elif spec.kind == "bool":
            columns[spec.name] = values.astype("boolean")
        else:
            columns[spec.name] = values.astype(object).where(values.notna(), None)
    table = pd.DataFrame(columns, index=frame.index)
    if not layer.geometry_types:
        return table
    geometry = frame.geometry if isinstance(frame, gpd.GeoDataFrame) else gpd.GeoSeries(None, index=frame.index)
    if geometry.crs is not None and geometry.crs != schema.ANALYSIS_CRS:
        geometry = geometry.to_crs(schema.ANALYSIS_CRS)
    return gpd.GeoDataFrame(table, geometry=geometry.to_numpy(), crs=schema.ANALYSIS_CRS)


# --- residents per area ---


def plan_population_totals(
    raw: RawTable,
    area_column: str,
    residents_column: str,
    band_columns: dict[str, str | list[str]],
    workspace: Workspace,
    *,
    today: date | None = None,
) -> ImportPlan:
    """A population layer on 100 m cells from residents per area (``population.spread_totals``).

    ``area_column`` holds area ids or names (matched within the one area level
    most rows name: totals of two levels would count people twice);
    ``band_columns`` maps an age band of ``schema.AGE_BANDS`` to one source
    column or several to add up (Berlin's 6–15 and 15–18 make 6–17). Problems
    and counts refer to the rows of the totals table; ``frame`` and ``valid``
    are the cells; ``notes`` holds the sentence saying how they were estimated.
    """
    layer = schema.POPULATION
    if set(band_columns) - set(schema.AGE_BANDS):
        raise ValueError(f"unknown age bands {sorted(set(band_columns) - set(schema.AGE_BANDS))}")
    table = raw.frame.reset_index(drop=True)
    problems: list[Problem] = []
    wanted = {"area_id": [area_column], "residents": [residents_column]}
    wanted |= {band: [columns] if isinstance(columns, str) else list(columns) for band, columns in band_columns.items()}
    totals = pd.DataFrame(index=table.index)
    for name, sources in wanted.items():
        spec = schema.Field("area_id", "id", required=True) if name == "area_id" else layer.field(name)
        parts = []
        for column in sources:
            if column not in table:
                message = phrase("map.column.missing", column=column)
                problems.append(Problem(layer.name, None, name, message.key, ERROR, message.values))
                continue
            values, found = columnmap.convert(table[column], layer.name, spec, column)
            parts.append(values)
            problems += found
        if parts:
            totals[name] = parts[0] if len(parts) == 1 else sum(parts[1:], parts[0])
    unreadable = {(p.row, p.field) for p in problems if p.row is not None}
    counts_checked = validation.validate_layer(layer.name, totals.drop(columns="area_id", errors="ignore"), today=today)
    problems += [
        p
        for p in counts_checked
        if p.row is not None and not (p.key == "val.empty_required" and (p.row, p.field) in unreadable)
    ]
    if "area_id" in totals:
        totals["area_id"], area_problems = _matched_areas(totals["area_id"], workspace.areas)
        problems += area_problems
    plan = _plan(layer.name, totals, problems, set())
    if plan.blocked or plan.valid.empty:
        empty = gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=schema.ANALYSIS_CRS))
        return ImportPlan(layer.name, empty, plan.problems, empty, plan.blocked, plan.counts)
    cells, method = population.spread_totals(workspace.areas, plan.valid, workspace.housing)
    return ImportPlan(layer.name, cells, plan.problems, cells, False, plan.counts, [method])


def _matched_areas(values: pd.Series, areas: pd.DataFrame) -> tuple[pd.Series, list[Problem]]:
    """Area ids for ids or names of one level's areas (the level most values name); problems for the rest."""
    if areas.empty:
        message = phrase("imp.totals.no_areas")
        return values, [Problem("population", None, "area_id", message.key, ERROR, message.values)]
    shaped = areas[~(shapely.is_missing(areas.geometry.array) | shapely.is_empty(areas.geometry.array))]
    candidates = []
    for level in schema.AREA_LEVELS:
        at_level = shaped[shaped["level"] == level]
        ids = at_level["area_id"].astype(str)
        names = at_level["name"].map(normalise)
        unique = ~names.duplicated(keep=False)
        by_name = dict(zip(names[unique], ids[unique], strict=False))
        known = set(ids)
        matched = values.map(
            lambda v, known=known, by_name=by_name: (
                None if v is None else v if v in known else by_name.get(normalise(v))
            )
        )
        candidates.append(matched)
    matched = max(candidates, key=lambda m: m.notna().sum())
    problems = []
    for position in np.flatnonzero(values.notna() & matched.isna()):
        message = phrase("imp.totals.unknown_area", value=values.iat[position])
        problems.append(Problem("population", int(position) + 1, "area_id", message.key, ERROR, message.values))
    first = matched.dropna().drop_duplicates()
    first_row = pd.Series(first.index, index=first.to_numpy())
    for position in np.flatnonzero(matched.duplicated() & matched.notna()):
        message = phrase(
            "imp.totals.duplicate_area", value=values.iat[position], first=int(first_row[matched.iat[position]]) + 1
        )
        problems.append(Problem("population", int(position) + 1, "area_id", message.key, ERROR, message.values))
    return matched.astype(object).where(matched.notna(), None), problems
