"""The steps of an import that the page, the command line and the benchmark share.

read (``readers``) → mapping (remembered per source, else suggested) →
plan (``importer.plan_import``: converted, validated, nothing stored) →
``store_plan``: only after a person (or ``--valid-rows``) confirmed, the valid
rows go into the store in one transaction, logged with who, when and what.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import pandas as pd

from dashboard.i18n import Phrase
from dashboard.ingest import columnmap, importer, readers
from dashboard.ingest.columnmap import ColumnMapping
from dashboard.ingest.importer import ImportPlan
from dashboard.ingest.readers import CoordinateGuess, RawTable
from dashboard.model import schema
from dashboard.model.roles import User, require_editor
from dashboard.model.workspace import LayerMeta, Workspace
from dashboard.store.base import Change, DataStore

#: What a person can choose to load: the schema layer and, for areas, the level the rows get.
TARGETS = {
    "bezirke": ("areas", {"level": "stadtbezirk"}),
    "quartiere": ("areas", {"level": "quartier"}),
    "population": ("population", {}),
    "actors": ("actors", {}),
    "housing": ("housing", {}),
    "offers": ("offers", {}),
    "cooperations": ("cooperations", {}),
}


def read(
    path: str | Path,
    *,
    upload_limit_mb: int,
    name: str | None = None,
    layer: str | None = None,
    encoding: str | None = None,
    separator: str | None = None,
    header_row: int | None = None,
) -> RawTable:
    """Read: the file as it is, refused before reading when it (or what it unpacks to) exceeds the upload limit.
    A title above a table's header is skipped unless ``header_row`` names the header row."""
    return readers.read_file(
        path,
        name=name,
        layer=layer,
        encoding=encoding,
        separator=separator,
        header_row=header_row,
        max_bytes=upload_limit_mb * 1024 * 1024,
    )


def title_notice(raw: RawTable) -> Phrase | None:
    """The note on a title skipped above the header: the page shows it beside the header row to change."""
    return next((note for note in raw.notes if note.key == readers.TITLE_NOTE), None)


def coordinates_to_confirm(raw: RawTable) -> CoordinateGuess | None:
    """Positions found in table columns, for which a person confirms the CRS (None: nothing to confirm)."""
    return raw.coordinates if raw.coordinates is not None and not isinstance(raw.frame, gpd.GeoDataFrame) else None


def current_workspace(data_store: DataStore) -> Workspace:
    """What an import merges into: the stored city (never the demo, which is not the planner's data)."""
    if data_store.is_empty():
        return Workspace(city="", layers={}, meta={})
    return data_store.read()


#: Fields naming an actor: proposed only when the store has actors to name, else every row would be refused.
_ACTOR_REFS = ("operator_actor_id", "owner_actor_id", "actor_a", "actor_b")


def first_mapping(data_store: DataStore, raw: RawTable, target: str) -> tuple[ColumnMapping, bool]:
    """The mapping to propose: the one last used for this source (True), else suggestions from column names."""
    layer, constants = TARGETS[target]
    remembered = data_store.mapping(columnmap.source_key(raw))
    if remembered:
        try:
            mapping = ColumnMapping.from_json(remembered)
        except (ValueError, KeyError):
            mapping = None
        if (
            mapping is not None
            and mapping.layer == layer
            and set(mapping.columns.values()) <= set(map(str, raw.frame.columns))
        ):
            return replace(mapping, constants={**mapping.constants, **constants}), True
    suggested = columnmap.suggest(source_columns(raw), layer)
    known = current_workspace(data_store)
    columns = {
        name: column
        for name, column in suggested.items()
        if column and name not in constants and not (name in _ACTOR_REFS and known.actors.empty)
    }
    return ColumnMapping(layer, columns, dict(constants)), False


def saved_mapping(text: str, target: str) -> ColumnMapping:
    """A mapping saved as JSON, with the values ``target`` fixes (e.g. the area level)."""
    mapping = ColumnMapping.from_json(text)
    return replace(mapping, constants={**mapping.constants, **TARGETS[target][1]})


def with_parent_prefix(mapping: ColumnMapping, prefix: int) -> ColumnMapping:
    """Quartiere whose Stadtbezirk is the first ``prefix`` characters of their id, not a column."""
    return replace(
        mapping, columns={k: v for k, v in mapping.columns.items() if k != "parent_id"}, parent_prefix=prefix
    )


def totals_mapping(residents_column: str) -> ColumnMapping:
    """What is remembered of an import of residents per area: the residents column."""
    return ColumnMapping("population", {"residents": residents_column})


def plan_totals(
    data_store: DataStore, raw: RawTable, area_column: str, residents_column: str, bands: dict[str, str | list[str]]
) -> ImportPlan:
    """Residents per area spread onto 100 m cells of the stored city's areas; nothing is written."""
    return importer.plan_population_totals(raw, area_column, residents_column, bands, current_workspace(data_store))


def importable(import_plan: ImportPlan) -> bool:
    """Whether the check lets any row in: not blocked by a layer-wide error, and at least one valid row."""
    return not import_plan.blocked and import_plan.counts.valid > 0


#: The column that holds ids made up for a file without an id column.
GENERATED_ID = "Kennung (automatisch)"


def with_generated_ids(raw: RawTable, mapping: ColumnMapping) -> tuple[RawTable, ColumnMapping]:
    """A list without ids (an Excel sheet of Begegnungsstätten) gets ids from the file name and row number.

    Stable as long as the rows keep their order, so re-importing the corrected
    list with mode "update" updates the same entries.
    """
    id_field = schema.LAYERS[mapping.layer].id_field
    column = mapping.columns.get(id_field)
    has_ids = column is not None and column in raw.frame.columns and raw.frame[column].notna().any()
    if has_ids or id_field in mapping.constants or mapping.layer == "population":
        return raw, mapping  # an id column with no value at all (OSM exports without ids) counts as none
    stem = columnmap.normalise(raw.source_name.rsplit(".", 1)[0])[:20] or "eintrag"
    frame = raw.frame.copy()
    frame[GENERATED_ID] = [f"{stem}-{i:04d}" for i in range(1, len(frame) + 1)]
    return replace(raw, frame=frame), replace(mapping, columns={**mapping.columns, id_field: GENERATED_ID})


def plan(data_store: DataStore, raw: RawTable, mapping: ColumnMapping) -> ImportPlan:
    """Convert and validate against the stored city; nothing is written."""
    raw, mapping = with_generated_ids(raw, mapping)
    return importer.plan_import(raw, mapping, workspace=current_workspace(data_store))


def store_plan(
    data_store: DataStore,
    user: User,
    raw: RawTable,
    mapping: ColumnMapping,
    import_plan: ImportPlan,
    *,
    meta: LayerMeta,
    mode: str,
    city: str = "",
) -> Change:
    """Write the plan's valid rows (``mode`` replace or update), log the import and remember the mapping."""
    require_editor(user)
    raw, mapping = with_generated_ids(raw, mapping)
    workspace = current_workspace(data_store)
    frame = importer.merge(workspace, import_plan, mode)
    counts = {
        "read": import_plan.counts.read,
        "imported": import_plan.counts.valid,
        "rejected": import_plan.counts.rejected,
        "city": city,
    }
    imported_ids = [str(i) for i in import_plan.valid[schema.LAYERS[import_plan.layer].id_field]]
    change = data_store.import_layer(
        user,
        import_plan.layer,
        frame,
        meta,
        source=raw.source_name,
        mode=mode,
        counts=counts,
        imported_ids=imported_ids,
    )
    if city and workspace.city and workspace.city != city:
        data_store.set_city(user, city)
    data_store.remember_mapping(user, columnmap.source_key(raw), mapping.layer, mapping.to_json())
    return change


def source_columns(raw: RawTable) -> list[str]:
    """The file's attribute columns (not its geometry)."""
    geometry = raw.frame.geometry.name if isinstance(raw.frame, gpd.GeoDataFrame) else None
    return [str(c) for c in raw.frame.columns if c != geometry]


def preview(raw: RawTable, geometry_label: str, rows: int = 20) -> pd.DataFrame:
    """The first rows as text, geometry as its type, for a person to recognise the file."""
    frame = raw.frame.head(rows)
    table = pd.DataFrame({c: frame[c].map(_cell) for c in source_columns(raw)})
    if isinstance(frame, gpd.GeoDataFrame):
        table[geometry_label] = frame.geometry.geom_type.fillna("–").to_numpy()
    return table


def existing_entries(workspace: Workspace | None, target: str) -> int:
    """How many stored entries of ``workspace`` (None: an empty store) an import into ``target`` replaces."""
    if workspace is None:
        return 0
    layer, constants = TARGETS.get(target, ("population", {}))
    frame = workspace.layer(layer)
    if "level" in constants and "level" in frame.columns:
        frame = frame[frame["level"] == constants["level"]]
    return len(frame)


def _cell(value: object) -> str:
    return "" if value is None or (not isinstance(value, (str, list)) and pd.isna(value)) else str(value)


def layer_fields(target: str) -> list[schema.Field]:
    """The fields a person maps for ``target`` (without the ones the target fixes, e.g. the area level)."""
    layer, constants = TARGETS[target]
    return [f for f in schema.LAYERS[layer].fields if f.name not in constants]
