"""The embedded store: one GeoPackage file (SQLite) that QGIS opens.

Edits of single entries are SQLite transactions on the file itself: the row
update, its row version and its history record commit together or not at
all (SQLite's journal rolls back a save killed half-way), together with the
store's data version. An import writes the new content beside the file and
copies it in through SQLite, after a copy of the old content is kept as a
backup – never a rename over the file, which QGIS may hold open in WAL mode.
A lock file serialises writers across sessions and processes, so no edit
lands in a file an import is about to replace.

History, import log and remembered column mappings are plain tables in the
same file, registered as GeoPackage attribute tables.
"""

from __future__ import annotations

import os
import sqlite3
import struct
import threading
from collections.abc import Mapping, Sequence
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio
import pyproj
import shapely
from filelock import FileLock

from dashboard.model import schema
from dashboard.model.auth import Attempts
from dashboard.model.roles import Role
from dashboard.model.workspace import LayerMeta, Workspace, empty_layer
from dashboard.store import gpkgfile
from dashboard.store.base import (
    DATA_CHANGES,
    RETIRED,
    ROW_VERSION,
    SAVED_VIEWS,
    VIEW_COLUMNS,
    Change,
    ConflictError,
    DataStore,
    EntryNotFound,
    NothingToUndo,
    SavedView,
    StoreUnavailable,
    dumps,
    entry_dict,
    now,
)

#: The store's own tables; ``INTEGER PRIMARY KEY`` first so GDAL and QGIS list them.
SYSTEM_TABLES = {
    "history": (
        "change_id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, user_name TEXT NOT NULL, "
        "action TEXT NOT NULL, layer TEXT, entry_id TEXT, before TEXT, after TEXT, undone_by INTEGER"
    ),
    "import_log": (
        "import_id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, user_name TEXT NOT NULL, layer TEXT NOT NULL, "
        "source TEXT, mode TEXT, rows_read INTEGER, rows_imported INTEGER, rows_rejected INTEGER, change_id INTEGER"
    ),
    "import_mappings": (
        "mapping_id INTEGER PRIMARY KEY AUTOINCREMENT, source_key TEXT UNIQUE NOT NULL, "
        "layer TEXT, mapping TEXT, at TEXT"
    ),
    # one row: raised inside every committing transaction of the store, as in the PostGIS store
    "data_version": "id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL",
    SAVED_VIEWS: (
        "fid INTEGER PRIMARY KEY AUTOINCREMENT, view_id TEXT UNIQUE NOT NULL, title TEXT NOT NULL, note TEXT NOT NULL, "
        "page TEXT NOT NULL, query TEXT NOT NULL, author TEXT NOT NULL, created_at TEXT NOT NULL, "
        "data_stand TEXT NOT NULL, data_change INTEGER NOT NULL, row_version INTEGER NOT NULL DEFAULT 1, "
        "retired_on TEXT"
    ),
}
#: Failed sign-ins (``auth.Ledger``); not registered as a GeoPackage table, so QGIS does not list the addresses.
SIGNIN_TABLE = (
    "CREATE TABLE IF NOT EXISTS signin_attempts (key TEXT PRIMARY KEY, failures INTEGER NOT NULL, "
    "lockouts INTEGER NOT NULL, until REAL NOT NULL, last REAL NOT NULL)"
)
#: Imports keep the file they replace; this many backups stay.
KEEP_BACKUPS = 10


def gpkg_blob(geometry, srs_id: int) -> bytes:
    """A shapely geometry in GeoPackage binary form (header with envelope + WKB)."""
    minx, miny, maxx, maxy = geometry.bounds
    header = b"GP" + bytes([0, 0b00000011]) + struct.pack("<i4d", srs_id, minx, maxx, miny, maxy)
    return header + shapely.to_wkb(geometry, byte_order=1, flavor="iso")


def blob_geometry(blob: bytes | None):
    """The shapely geometry of a GeoPackage binary (None for NULL)."""
    if blob is None:
        return None
    flags = blob[3]
    envelope = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}[(flags >> 1) & 0b111]
    return shapely.from_wkb(bytes(blob[8 + envelope :]))


def _bound(index: int, empty: bool = False):
    def function(blob):
        geometry = blob_geometry(blob)
        if geometry is None:
            return None
        if empty:
            return int(geometry.is_empty)
        return None if geometry.is_empty else geometry.bounds[index]

    return function


def _connect(path: Path) -> sqlite3.Connection:
    """A connection with the SQL functions GeoPackage spatial-index triggers call."""
    connection = sqlite3.connect(path, timeout=30, isolation_level=None)
    for name, index in (("ST_MinX", 0), ("ST_MinY", 1), ("ST_MaxX", 2), ("ST_MaxY", 3)):
        connection.create_function(name, 1, _bound(index), deterministic=True)
    connection.create_function("ST_IsEmpty", 1, _bound(0, empty=True), deterministic=True)
    return connection


def reproject(path: str | Path, crs: pyproj.CRS) -> None:
    """Move every layer of the GeoPackage at ``path`` into ``crs`` (one with an EPSG code), in one transaction.

    Geometries are rewritten in place, so columns, types, ids and the other tables stay as they are.
    ValueError (file unchanged) naming the first layer that lies outside ``crs``'s area of use.
    """
    epsg = crs.to_epsg()
    assert epsg is not None  # gis_export.parse_crs admits only such
    connection = _connect(Path(path))
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute(
            "INSERT OR IGNORE INTO gpkg_spatial_ref_sys (srs_name, srs_id, organization, organization_coordsys_id, "
            "definition, description) VALUES (?, ?, 'EPSG', ?, ?, '')",
            (crs.name, epsg, epsg, crs.to_wkt("WKT1_GDAL")),
        )
        columns = connection.execute(
            "SELECT c.table_name, c.column_name, s.definition FROM gpkg_geometry_columns c "
            "JOIN gpkg_spatial_ref_sys s ON s.srs_id = c.srs_id"
        ).fetchall()
        for table, column, definition in columns:
            source = pyproj.CRS.from_wkt(definition)
            move = pyproj.Transformer.from_crs(source, crs, always_xy=True)
            rows = connection.execute(f'SELECT rowid, "{column}" FROM "{table}"').fetchall()
            shapes = np.array([blob_geometry(blob) for _, blob in rows], dtype=object)
            if not _within_area(shapes, source, crs):
                raise ValueError(table)
            shapes = shapely.transform(
                shapes, lambda xy, move=move: np.column_stack(move.transform(xy[:, 0], xy[:, 1]))
            )
            connection.executemany(
                f'UPDATE "{table}" SET "{column}" = ? WHERE rowid = ?',
                [
                    (None if s is None else gpkg_blob(s, epsg), rowid)
                    for s, (rowid, _) in zip(shapes, rows, strict=True)
                ],
            )
            minx, miny, maxx, maxy = shapely.total_bounds(shapes)
            connection.execute("UPDATE gpkg_geometry_columns SET srs_id = ? WHERE table_name = ?", (epsg, table))
            connection.execute(
                "UPDATE gpkg_contents SET srs_id = ?, min_x = ?, min_y = ?, max_x = ?, max_y = ? WHERE table_name = ?",
                (epsg, *(None if np.isnan(v) else float(v) for v in (minx, miny, maxx, maxy)), table),
            )
        connection.execute("COMMIT")
    finally:
        connection.close()  # without COMMIT: nothing changed


#: How far (degrees) data may reach beyond a CRS's area of use: cities use their state's UTM zone a little
#: past its edge (Bavaria's east in EPSG:25832), a CRS of another continent is far off.
AREA_MARGIN_DEG = 3.0


def _within_area(shapes: np.ndarray, source: pyproj.CRS, target: pyproj.CRS) -> bool:
    """Whether ``shapes`` (in ``source``) lie in ``target``'s area of use, give or take ``AREA_MARGIN_DEG``."""
    area = target.area_of_use
    bounds = shapely.total_bounds(shapes)
    if area is None or np.isnan(bounds).any():
        return True
    to_lonlat = pyproj.Transformer.from_crs(source, "EPSG:4326", always_xy=True)
    west, south, east, north = to_lonlat.transform_bounds(*bounds)
    m = AREA_MARGIN_DEG
    return area.west - m <= west and east <= area.east + m and area.south - m <= south and north <= area.north + m


def typed_empty_layer(layer: str) -> pd.DataFrame:
    """An empty layer whose columns carry the schema's types, so GDAL creates INTEGER/REAL/BOOLEAN columns."""
    frame = empty_layer(layer)
    dtypes = {"int": "Int64", "float": "float64", "bool": "boolean"}
    return frame.astype({f.name: dtypes[f.kind] for f in schema.LAYERS[layer].fields if f.kind in dtypes})


def ensure_system_tables(connection: sqlite3.Connection) -> None:
    for name, columns in SYSTEM_TABLES.items():
        connection.execute(f"CREATE TABLE IF NOT EXISTS {name} ({columns})")
        connection.execute(
            "INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, last_change) "
            "VALUES (?, 'attributes', ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
            (name, name),
        )


def _change(row) -> Change:
    import json

    change_id, at, user, action, layer, entry_id, before, after, undone_by = row
    return Change(
        change_id,
        at,
        user,
        action,
        layer,
        entry_id,
        json.loads(before) if before else None,
        json.loads(after) if after else None,
        undone_by,
    )


class GeoPackageStore(DataStore):
    """A city's data in one GeoPackage file (created on the first import)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.in_process = _process_lock(self.path)
        self.across_processes = FileLock(str(self.path) + ".lock", timeout=60)

    @contextmanager
    def _exclusive(self):
        """For a save: this process's lock (always first), then the lock file shared with other processes."""
        with self.in_process, self.across_processes:
            yield

    # ---- reading ----
    def is_empty(self) -> bool:
        with self.in_process:
            if not self.path.exists():
                return True
            return "areas" not in {name for name, _ in pyogrio.list_layers(self.path)}

    def version(self) -> str:
        """The counter every committed change of the store raises, read through SQLite: exact in WAL mode too
        (QGIS switches a GeoPackage to it while open), where SQLite's header counter and the file time stay
        put. A file the store never wrote to has no counter yet; its identity and header counter stand in."""
        with self.in_process:
            try:
                stat = self.path.stat()
            except FileNotFoundError:
                return "empty"
            connection = _connect(self.path)
            try:
                row = connection.execute("SELECT version FROM data_version").fetchone()
            except sqlite3.OperationalError:  # no such table yet
                row = None
            finally:
                connection.close()
            if row is not None:
                return f"{stat.st_ino}:v{row[0]}"
            with open(self.path, "rb") as handle:
                handle.seek(24)
                counter = int.from_bytes(handle.read(4), "big")
            return f"{stat.st_ino}:{stat.st_mtime_ns}:{stat.st_size}:{counter}"

    def read(self, role: Role = Role.EDITOR) -> Workspace:
        with self.in_process:
            return gpkgfile.read_geopackage(self.path, public_only=role is Role.VIEWER)

    def entries(self, layer: str) -> pd.DataFrame:
        with self.in_process:
            if self.path.exists() and layer in {name for name, _ in pyogrio.list_layers(self.path)}:
                return gpkgfile.read_layer_table(self.path, layer, active_only=False)
        return empty_layer(layer).assign(**{ROW_VERSION: pd.Series(dtype="int64"), RETIRED: pd.Series(dtype="object")})

    def history(self, *, layer=None, entry_id=None, limit=50) -> list[Change]:
        if not self.path.exists():
            return []
        sql, args = (
            "SELECT change_id, at, user_name, action, layer, entry_id, before, after, undone_by FROM history",
            [],
        )
        conditions = []
        if layer is not None:
            conditions.append("layer = ?")
            args.append(layer)
        if entry_id is not None:
            conditions.append("entry_id = ?")
            args.append(entry_id)
        if conditions:
            sql += " WHERE " + " AND ".join(conditions)
        sql += " ORDER BY change_id DESC LIMIT ?"
        with self._reading() as connection:
            if connection is None:
                return []
            return [_change(row) for row in connection.execute(sql, [*args, limit])]

    def import_log(self) -> pd.DataFrame:
        columns = ["at", "user_name", "layer", "source", "mode", "rows_read", "rows_imported", "rows_rejected"]
        with self._reading() as connection:
            if connection is None:
                return pd.DataFrame(columns=columns)
            rows = connection.execute(f"SELECT {', '.join(columns)} FROM import_log ORDER BY import_id DESC").fetchall()
        return pd.DataFrame(rows, columns=columns)

    def mapping(self, source_key: str) -> str | None:
        with self._reading() as connection:
            if connection is None:
                return None
            row = connection.execute(
                "SELECT mapping FROM import_mappings WHERE source_key = ?", (source_key,)
            ).fetchone()
        return row[0] if row else None

    def crs(self, layer: str):
        with self.in_process:
            if self.path.exists() and layer in {name for name, _ in pyogrio.list_layers(self.path)}:
                return pyproj.CRS.from_user_input(pyogrio.read_info(self.path, layer=layer)["crs"])
        return pyproj.CRS.from_user_input(schema.ANALYSIS_CRS)

    def export_geopackage(self, out: str | Path) -> None:
        """A consistent copy through SQLite's backup API (a save running meanwhile is either in or out)."""
        out = Path(out)
        tmp = out.with_name(f".tmp-{out.name}")
        with self.in_process:
            _sqlite_copy(self.path, tmp)
        with closing(sqlite3.connect(tmp)) as copy, copy:
            copy.execute("DROP TABLE IF EXISTS signin_attempts")  # addresses stay in the store
        os.replace(tmp, out)

    def signin_attempts(self, keys: Sequence[str]) -> dict[str, Attempts]:
        with self.in_process:
            if not self.path.exists() or not keys:
                return {}
            with closing(_connect(self.path)) as connection:
                try:
                    rows = connection.execute(
                        "SELECT key, failures, lockouts, until, last FROM signin_attempts "
                        f"WHERE key IN ({', '.join('?' * len(keys))})",
                        list(keys),
                    ).fetchall()
                except sqlite3.OperationalError:  # no failure recorded yet: no table
                    return {}
        return {key: Attempts(*values) for key, *values in rows}

    def record_signin_attempts(self, changes: Mapping[str, Attempts | None], forget_before: float) -> None:
        with self._transaction(data=False) as connection:
            # the counter from now on, so that this write (no data change) moves no version of the file's header
            ensure_system_tables(connection)
            connection.execute("INSERT OR IGNORE INTO data_version (id, version) VALUES (1, 0)")
            connection.execute(SIGNIN_TABLE)
            for key, attempts in changes.items():
                if attempts is None:
                    connection.execute("DELETE FROM signin_attempts WHERE key = ?", (key,))
                else:
                    connection.execute(
                        "INSERT OR REPLACE INTO signin_attempts (key, failures, lockouts, until, last) "
                        "VALUES (?, ?, ?, ?, ?)",
                        (key, attempts.failures, attempts.lockouts, attempts.until, attempts.last),
                    )
            connection.execute(
                "DELETE FROM signin_attempts WHERE last < ? AND until < ?", (forget_before, forget_before)
            )

    # ---- writing ----
    @contextmanager
    def _reading(self):
        """A connection for reading, or None when the file or its history tables do not exist yet."""
        with self.in_process:
            if not self.path.exists():
                yield None
                return
            connection = _connect(self.path)
            try:
                tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
                yield connection if "history" in tables else None
            finally:
                connection.close()

    @contextmanager
    def _transaction(self, data: bool = True):
        """Lock, open, ``BEGIN IMMEDIATE``; commit on success, roll back on any error. ``data``: a change of the
        store's data, which raises its version."""
        with self._exclusive():
            if not self.path.exists():
                raise StoreUnavailable(self.path.name)
            connection = _connect(self.path)
            try:
                connection.execute("BEGIN IMMEDIATE")
                if data:
                    ensure_system_tables(connection)
                    _raise_version(connection)
                yield connection
                connection.execute("COMMIT")
            except BaseException:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                raise
            finally:
                connection.close()

    def _set_city(self, name: str) -> None:
        with self._transaction() as connection:
            connection.execute("UPDATE workspace_meta SET value = ? WHERE key = 'city'", (name,))

    def _remember_mapping(self, source_key: str, layer: str, mapping_json: str) -> None:
        with self._transaction() as connection:
            connection.execute(
                "INSERT INTO import_mappings (source_key, layer, mapping, at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(source_key) DO UPDATE SET layer = excluded.layer, mapping = excluded.mapping, "
                "at = excluded.at",
                (source_key, layer, mapping_json, now()),
            )

    def _import_layer(self, user, layer, frame, meta: LayerMeta, *, source, mode, counts, imported_ids) -> Change:
        with self._exclusive():
            self._drop_stale_temp_files()
            if self.path.exists():
                workspace = gpkgfile.read_geopackage(self.path, active_only=False)
                workspace.is_demo = False
            else:
                workspace = Workspace(city=counts.get("city", "Meine Stadt"), layers={}, meta={})
            old = workspace.layers.get(layer)
            workspace.layers[layer] = _versioned(frame, old, schema.LAYERS[layer].id_field)
            workspace.record_import(layer, meta, mode, imported_ids)
            at = now()
            after = {"rows": int(len(frame)), "source": source, "mode": mode}
            change: list[Change] = []

            def log(connection: sqlite3.Connection) -> None:
                cursor = connection.execute(
                    "INSERT INTO history (at, user_name, action, layer, entry_id, before, after) "
                    "VALUES (?, ?, 'import', ?, NULL, NULL, ?)",
                    (at, user.name, layer, dumps(after)),
                )
                assert cursor.lastrowid is not None  # set by the INSERT
                change.append(Change(cursor.lastrowid, at, user.name, "import", layer, None, None, after))
                connection.execute(
                    "INSERT INTO import_log (at, user_name, layer, source, mode, rows_read, rows_imported, "
                    "rows_rejected, change_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        at,
                        user.name,
                        layer,
                        source,
                        mode,
                        counts.get("read"),
                        counts.get("imported"),
                        counts.get("rejected"),
                        cursor.lastrowid,
                    ),
                )

            self._keep_backup()
            self._rewrite(workspace, log)
            return change[0]

    def _write(self, user, action, layer, entry_id, expected_version, values, geometry) -> Change:
        spec = schema.LAYERS[layer]
        if action == "add":
            self._ensure_layer(layer)
        with self._transaction() as connection:
            geometry_column, srs_id = self._prepare_table(connection, layer)
            current = self._row(connection, layer, entry_id, geometry_column)
            if action == "add":
                if current is not None:
                    raise ConflictError(layer, entry_id, self._last_change(connection, layer, entry_id))
                row = {**{name: values.get(name) for name in spec.field_names}, RETIRED: None, ROW_VERSION: 1}
                if geometry_column:
                    row[geometry_column] = None if geometry is None else gpkg_blob(geometry, srs_id)
                _insert(connection, layer, row)
                before = None
            else:
                if current is None:
                    raise EntryNotFound(layer, entry_id)
                if current[ROW_VERSION] != expected_version:
                    raise ConflictError(layer, entry_id, self._last_change(connection, layer, entry_id))
                changes = {k: v for k, v in values.items() if k in spec.field_names or k == RETIRED}
                changes.pop(spec.id_field, None)
                if geometry is not None and geometry_column:
                    changes[geometry_column] = gpkg_blob(geometry, srs_id)
                _update(connection, layer, spec.id_field, entry_id, changes)
                before = entry_dict(current, layer)
            written = self._row(connection, layer, entry_id, geometry_column)
            assert written is not None  # just added or updated
            after = entry_dict(written, layer)
            return _record(connection, user, action, layer, entry_id, before, after)

    def _undo_last(self, user) -> Change:
        spec_of = schema.LAYERS
        with self._transaction() as connection:
            row = connection.execute(
                "SELECT change_id, at, user_name, action, layer, entry_id, before, after, undone_by FROM history "
                "WHERE user_name = ? AND action IN ('add', 'update', 'move', 'retire') AND undone_by IS NULL "
                f"AND {DATA_CHANGES} "
                "ORDER BY change_id DESC LIMIT 1",
                (user.name,),
            ).fetchone()
            if row is None:
                raise NothingToUndo()
            last = _change(row)
            assert last.layer is not None and last.entry_id is not None  # edits name their entry
            geometry_column, srs_id = self._prepare_table(connection, last.layer)
            current = self._row(connection, last.layer, last.entry_id, geometry_column)
            newest = self._last_effective_change(connection, last.layer, last.entry_id)
            if current is None or newest is None or newest.change_id != last.change_id:
                raise ConflictError(last.layer, last.entry_id, newest)
            spec = spec_of[last.layer]
            if last.action == "add":  # an entry added by mistake: retired, so nothing is ever deleted
                restore: dict[str, object] = {RETIRED: datetime.now(UTC).date().isoformat()}
            else:
                assert last.before is not None  # recorded for every edit but an add
                restore = {k: v for k, v in last.before.items() if k != "geometry" and k != spec.id_field}
                if geometry_column and last.before.get("geometry"):
                    restore[geometry_column] = gpkg_blob(shapely.from_wkt(last.before["geometry"]), srs_id)
            _update(connection, last.layer, spec.id_field, last.entry_id, restore)
            restored = self._row(connection, last.layer, last.entry_id, geometry_column)
            assert restored is not None  # nothing is ever deleted
            after = entry_dict(restored, last.layer)
            undo = _record(connection, user, "undo", last.layer, last.entry_id, entry_dict(current, last.layer), after)
            connection.execute("UPDATE history SET undone_by = ? WHERE change_id = ?", (undo.change_id, last.change_id))
            return undo

    # ---- saved views ----
    def saved_views(self) -> list[SavedView]:
        with self._reading() as connection:
            if connection is None or not _has_table(connection, SAVED_VIEWS):
                return []
            rows = connection.execute(
                f"SELECT {', '.join(VIEW_COLUMNS)} FROM {SAVED_VIEWS} WHERE retired_on IS NULL ORDER BY fid DESC"
            ).fetchall()
        return [SavedView(*row) for row in rows]

    def last_data_change(self) -> int:
        with self._reading() as connection:
            return 0 if connection is None else _last_data_change(connection)

    def _save_view(self, user, view: SavedView) -> SavedView:
        with self._transaction() as connection:
            stored = SavedView(**{**view.values(), "data_change": _last_data_change(connection)})
            connection.execute(
                f"INSERT INTO {SAVED_VIEWS} ({', '.join(VIEW_COLUMNS)}) VALUES ({', '.join('?' * len(VIEW_COLUMNS))})",
                list(stored.values().values()),
            )
            _record(connection, user, "add", SAVED_VIEWS, view.view_id, None, stored.values())
            return stored

    def _change_view(self, user, action, view_id, expected_version, changes) -> SavedView:
        with self._transaction() as connection:
            current = _view(connection, view_id)
            if current is None or current.retired_on:
                raise EntryNotFound(SAVED_VIEWS, view_id)
            if current.row_version != expected_version:
                raise ConflictError(SAVED_VIEWS, view_id, self._last_change(connection, SAVED_VIEWS, view_id))
            _update(connection, SAVED_VIEWS, "view_id", view_id, changes)
            changed = _view(connection, view_id)
            assert changed is not None  # just updated
            _record(connection, user, action, SAVED_VIEWS, view_id, current.values(), changed.values())
            return changed

    # ---- helpers ----
    def _prepare_table(self, connection, layer: str) -> tuple[str | None, int]:
        """Geometry column and SRS id of a layer's table; creates missing tables and columns first."""
        spec = schema.LAYERS[layer]
        if not connection.execute("SELECT 1 FROM gpkg_contents WHERE table_name = ?", (layer,)).fetchone():
            raise EntryNotFound(layer, "–")
        columns = {r[1] for r in connection.execute(f'PRAGMA table_info("{layer}")')}
        for field in spec.fields:
            if field.name not in columns:
                connection.execute(
                    f'ALTER TABLE "{layer}" ADD COLUMN "{field.name}" {_SQL_TYPES.get(field.kind, "TEXT")}'
                )
        if ROW_VERSION not in columns:
            connection.execute(f'ALTER TABLE "{layer}" ADD COLUMN {ROW_VERSION} INTEGER NOT NULL DEFAULT 1')
        if RETIRED not in columns:
            connection.execute(f'ALTER TABLE "{layer}" ADD COLUMN {RETIRED} TEXT')
        geometry = connection.execute(
            "SELECT column_name, srs_id FROM gpkg_geometry_columns WHERE table_name = ?", (layer,)
        ).fetchone()
        return (geometry[0], geometry[1]) if geometry else (None, 0)

    def _row(self, connection, layer: str, entry_id: str, geometry_column: str | None) -> dict | None:
        id_field = schema.LAYERS[layer].id_field
        cursor = connection.execute(f'SELECT * FROM "{layer}" WHERE "{id_field}" = ?', (entry_id,))
        row = cursor.fetchone()
        if row is None:
            return None
        record = dict(zip([d[0] for d in cursor.description], row, strict=False))
        if geometry_column:
            record["geometry"] = blob_geometry(record.pop(geometry_column))
        for field in schema.LAYERS[layer].fields:
            if field.kind == "bool" and record.get(field.name) is not None:
                record[field.name] = bool(record[field.name])
        return record

    def _last_change(self, connection, layer: str, entry_id: str) -> Change | None:
        row = connection.execute(
            "SELECT change_id, at, user_name, action, layer, entry_id, before, after, undone_by FROM history "
            "WHERE layer = ? AND (entry_id = ? OR entry_id IS NULL) ORDER BY change_id DESC LIMIT 1",
            (layer, entry_id),
        ).fetchone()
        return _change(row) if row else None

    def _ensure_layer(self, layer: str) -> None:
        """Create a layer the file does not have yet (empty, typed), so its first entry can be added."""
        with self._exclusive():
            if not self.path.exists():
                raise StoreUnavailable(self.path.name)
            if layer in {name for name, _ in pyogrio.list_layers(self.path)}:
                return
            workspace = gpkgfile.read_geopackage(self.path, active_only=False)
            workspace.layers[layer] = _versioned(typed_empty_layer(layer), None, schema.LAYERS[layer].id_field)
            self._rewrite(workspace)

    def _rewrite(self, workspace: Workspace, then=None) -> None:
        """The whole file anew (an import, a new layer): written beside it with the store's tables carried over,
        then copied into the file inside SQLite (see ``_copy_into``). The caller holds the store's lock."""
        staging = self.path.with_name(f".tmp-rewrite-{self.path.name}")
        try:
            gpkgfile.write_geopackage(workspace, staging, finish=lambda tmp: _carry_over(Path(tmp), self.path, then))
            _copy_into(staging, self.path)
        finally:
            staging.unlink(missing_ok=True)

    def _last_effective_change(self, connection, layer: str, entry_id: str) -> Change | None:
        """The change the entry's current state comes from: undo records and undone changes skipped."""
        rows = connection.execute(
            "SELECT change_id, at, user_name, action, layer, entry_id, before, after, undone_by FROM history "
            "WHERE layer = ? AND (entry_id = ? OR entry_id IS NULL) AND action != 'undo' AND undone_by IS NULL "
            "ORDER BY change_id DESC LIMIT 1",
            (layer, entry_id),
        ).fetchone()
        return _change(rows) if rows else None

    def _keep_backup(self) -> None:
        """Copy the current file into ``backups/`` before an import replaces its content; keep the newest few.

        A copy through SQLite, not a hard link: it holds what is still in the ``-wal`` file, and it works on
        shares without hard links (SMB)."""
        if not self.path.exists():
            return
        folder = self.path.parent / "backups"
        folder.mkdir(exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        _sqlite_copy(self.path, folder / f"{self.path.stem}-{stamp}.gpkg")
        for old in sorted(folder.glob(f"{self.path.stem}-*.gpkg"))[:-KEEP_BACKUPS]:
            old.unlink()

    def _drop_stale_temp_files(self) -> None:
        """Temp files of a save that was killed: never read, safe to remove while holding the lock."""
        for stale in self.path.parent.glob(".tmp-*.gpkg"):
            stale.unlink(missing_ok=True)


def _has_table(connection, name: str) -> bool:
    return (
        connection.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone()
        is not None
    )


def _last_data_change(connection) -> int:
    return connection.execute(f"SELECT coalesce(max(change_id), 0) FROM history WHERE {DATA_CHANGES}").fetchone()[0]


def _view(connection, view_id: str) -> SavedView | None:
    row = connection.execute(
        f"SELECT {', '.join(VIEW_COLUMNS)} FROM {SAVED_VIEWS} WHERE view_id = ?", (view_id,)
    ).fetchone()
    return None if row is None else SavedView(*row)


_SQL_TYPES = {"int": "INTEGER", "float": "REAL", "bool": "BOOLEAN"}
_PROCESS_LOCKS: dict[Path, threading.RLock] = {}
_PROCESS_LOCKS_GUARD = threading.Lock()


def _process_lock(path: Path) -> threading.RLock:
    """One lock per file and process around every access, reads included.

    GDAL (pyogrio) brings its own copy of SQLite: it does not see the locks Python's
    ``sqlite3`` holds in the same process, and closing its file would drop them (POSIX
    locks belong to the process). So no read may run while a save of this process does.
    """
    key = path.resolve()
    with _PROCESS_LOCKS_GUARD:
        return _PROCESS_LOCKS.setdefault(key, threading.RLock())


def _versioned(frame: pd.DataFrame, old: pd.DataFrame | None, id_field: str) -> pd.DataFrame:
    """An imported layer with row versions: one above the stored version for ids that existed, else 1."""
    frame = frame.drop(columns=[c for c in (ROW_VERSION, RETIRED) if c in frame.columns]).copy()
    versions = pd.Series(1, index=frame.index, dtype="int64")
    if old is not None and ROW_VERSION in old.columns and id_field in old.columns:
        previous = old.set_index(old[id_field].astype(str))[ROW_VERSION]
        previous = previous[~previous.index.duplicated()]
        versions = frame[id_field].astype(str).map(previous).fillna(0).astype("int64") + 1
    frame[ROW_VERSION] = versions.to_numpy()
    frame[RETIRED] = pd.Series([None] * len(frame), index=frame.index, dtype="object")
    return frame


def _carry_over(target: Path, source: Path, then=None) -> None:
    """Give a new file (about to replace ``source``) the store's tables with everything ``source`` recorded,
    plus what ``then(connection)`` adds – one transaction."""
    connection = _connect(target)
    try:
        attached = source.exists()
        if attached:
            connection.execute("ATTACH DATABASE ? AS previous", (str(source),))
        connection.execute("BEGIN IMMEDIATE")
        ensure_system_tables(connection)
        if attached:
            present = {r[0] for r in connection.execute("SELECT name FROM previous.sqlite_master WHERE type = 'table'")}
            for name in SYSTEM_TABLES:
                if name in present:
                    connection.execute(f"INSERT INTO main.{name} SELECT * FROM previous.{name}")
        _raise_version(connection)
        if then is not None:
            then(connection)
        connection.execute("COMMIT")
    finally:
        connection.close()


def _raise_version(connection: sqlite3.Connection) -> None:
    """One more on the store's data version, inside the caller's transaction (so it commits with the change)."""
    connection.execute(
        "INSERT INTO data_version (id, version) VALUES (1, 1) ON CONFLICT(id) DO UPDATE SET version = version + 1"
    )


def _sqlite_copy(source: Path, target: Path) -> None:
    """``source`` into ``target`` through SQLite's backup API: consistent, and with what is still in a ``-wal``."""
    reader, writer = _connect(source), _connect(target)
    try:
        reader.backup(writer)
    finally:
        reader.close()
        writer.close()


def _copy_into(source: Path, target: Path) -> None:
    """Replace the content of ``target`` by that of ``source`` inside SQLite, in one transaction of ``target``.

    A rename over the file would leave its ``-wal`` and ``-shm`` beside the new one (QGIS keeps a GeoPackage
    in WAL mode while open), and the next open would read pages of the old file into the new one. The
    backup API writes through the target's own journal: a reader such as QGIS sees the old content or the
    new, and a crash half-way leaves the old.
    """
    if not target.exists():
        os.replace(source, target)
        return
    _sqlite_copy(source, target)


def _sql_value(value):
    if value is None or (not isinstance(value, (str, bytes)) and pd.isna(value)):
        return None
    if isinstance(value, bool):
        return int(value)
    return value.item() if hasattr(value, "item") else value


def _insert(connection, layer: str, row: dict) -> None:
    names = list(row)
    connection.execute(
        f'INSERT INTO "{layer}" ({", ".join(f"{chr(34)}{n}{chr(34)}" for n in names)}) '
        f"VALUES ({', '.join('?' * len(names))})",
        [_sql_value(row[n]) for n in names],
    )


def _update(connection, layer: str, id_field: str, entry_id: str, changes: dict) -> None:
    """Set ``changes`` and raise the row version by one."""
    assignments = [f'"{name}" = ?' for name in changes] + [f"{ROW_VERSION} = {ROW_VERSION} + 1"]
    connection.execute(
        f'UPDATE "{layer}" SET {", ".join(assignments)} WHERE "{id_field}" = ?',
        [*(_sql_value(v) for v in changes.values()), entry_id],
    )


def _record(connection, user, action, layer, entry_id, before, after) -> Change:
    at = now()
    cursor = connection.execute(
        "INSERT INTO history (at, user_name, action, layer, entry_id, before, after) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (at, user.name, action, layer, entry_id, dumps(before), dumps(after)),
    )
    return Change(cursor.lastrowid, at, user.name, action, layer, entry_id, before, after)
