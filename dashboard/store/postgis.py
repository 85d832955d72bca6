"""The shared store: a city's data in PostgreSQL/PostGIS, so several app instances work on one database.

Same semantics as the GeoPackage store (see ``datastore.py``): row versions
(``UPDATE ... WHERE id = %s AND row_version = %s``; no row → ``ConflictError``),
retirement instead of deletion, and every save one transaction with its history
record. Every write transaction first raises ``workspace_meta.data_version`` by
one; that row lock also serialises writers, and ``version()`` reads just that
number, so each app instance sees the others' changes on its next rerun.

Connecting (for the settings side, e.g. ``QUARTIER_DATABASE_URL``)
    ``open_store(url)`` with a libpq URL such as
    ``postgresql://quartier_editor:PASSWORT@db.stadt.de:5432/geodaten?schema=quartiersatlas&sslmode=require``.
    The extra parameter ``schema`` names the PostgreSQL schema (default ``quartiersatlas``),
    so one database can hold several cities or test copies. ``is_database_url(text)`` tells
    a URL from a file path; ``redact(url)`` is the URL without its password, for display and
    logs. Errors never carry the URL: an unreachable server is
    ``StoreUnavailable("Datenbank nicht erreichbar")``.

Connections
    One pool per database URL and process (``psycopg_pool``): at most ``POOL_SIZE`` connections,
    each checked before use, so one left dead by a server restart is replaced, not handed out.

Setting up (once, and again after every update; as the schema's owner)
    ``create_schema(url, viewer_role=..., editor_role=...)`` applies the numbered schema steps
    still missing (``pg_migrations.py``) and grants the roles; ``print(setup_sql(...))`` is the
    script for a DBA's psql. The roles must exist (``CREATE ROLE quartier_editor LOGIN PASSWORD ...``).
    The viewer role may read the layers but not the contact columns (column privileges;
    ``read()`` leaves out what the connected role may not see), nor the before/after values in
    the history. The editor role may SELECT/INSERT/UPDATE data tables but DELETE nothing, and
    may only INSERT into history and import_log, except ``history.undone_by`` (UPDATE on that
    column alone, for undo). An app instance connecting as owner creates the schema itself on its
    first import, as the GeoPackage store creates its file.
    Saved views (``saved_views``) are read by both roles; the editor role inserts and updates
    them (a deleted view is retired, like an entry).

Differences from the GeoPackage store
    Every geometry is stored in ``schema.ANALYSIS_CRS`` (EPSG:3035), 2D: imports are reprojected,
    ``crs()`` says so for add/move. Entries an import no longer contains are retired on the import
    date (the editor role may not delete; the GeoPackage store drops them and keeps a backup file).
    Only schema fields are stored; rows come back in the order they were first stored.
    ``export_geopackage`` and ``load_geopackage`` move everything to and from the GeoPackage store's
    layout (see ``migrate.py``); loading needs the owner (it resets the id sequences).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import overload
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import geopandas as gpd
import numpy as np
import pandas as pd
import psycopg
import pyproj
import shapely
from psycopg import sql
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool, PoolClosed, PoolTimeout

from dashboard.model import schema
from dashboard.model.auth import Attempts
from dashboard.model.roles import Role
from dashboard.model.workspace import LayerMeta, Workspace
from dashboard.store import gpkgfile, pg_migrations
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
    StoreRefused,
    StoreUnavailable,
    dumps,
    entry_dict,
)
from dashboard.store.gpkg import ensure_system_tables
from dashboard.store.pg_migrations import ENTRY_SOURCES, GEOM, SIGNIN, SQL_TYPES, SRID

DEFAULT_SCHEMA = "quartiersatlas"
CONNECT_TIMEOUT = 5  # seconds; an unreachable server must not hang a page
#: Connections per database and process: Streamlit reruns each session in a thread of its own.
POOL_SIZE = 4
UNREACHABLE = "Datenbank nicht erreichbar oder Anmeldung abgelehnt – Adresse, Benutzer und Passwort prüfen"
BAD_ADDRESS = "Adresse der Datenbank ungültig – Schreibweise und Parameter prüfen"
_EDITS = ("add", "update", "move", "retire")
#: Columns of the system tables, in the order of the GeoPackage store's tables (gpkgstore.SYSTEM_TABLES).
_HISTORY = "change_id, at, user_name, action, layer, entry_id, before, after, undone_by"
_IMPORT_LOG = "import_id, at, user_name, layer, source, mode, rows_read, rows_imported, rows_rejected, change_id"
_MAPPINGS = "mapping_id, source_key, layer, mapping, at"
_VIEWS = ", ".join(("fid", *VIEW_COLUMNS))
_META = ", ".join(gpkgfile.META_COLUMNS)
_OWNERS = ", ".join(gpkgfile.OWNER_COLUMNS)
_SYSTEM = {"history": _HISTORY, "import_log": _IMPORT_LOG, "import_mappings": _MAPPINGS, SAVED_VIEWS: _VIEWS}
#: Columns the viewer role may not read: the private fields, and the history's values (they hold them too).
GUARDED = [(name, f.name) for name, spec in schema.LAYERS.items() for f in spec.fields if f.private] + [
    ("history", "before"),
    ("history", "after"),
]


def is_database_url(text: str | Path) -> bool:
    return str(text).startswith(("postgresql://", "postgres://"))


def redact(url: str) -> str:
    """The URL with its password replaced by ``***`` (in the user part and in a ``password=`` parameter)."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if parts.password is not None:
        netloc = f"{parts.username or ''}:***@{netloc.rpartition('@')[2]}"
    query = [(k, "***" if k == "password" else v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    return urlunsplit(parts._replace(netloc=netloc, query=urlencode(query, quote_via=quote, safe="*")))


def split_url(url: str) -> tuple[str, str]:
    """The libpq URL without our ``schema`` parameter, and the schema name."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    name = next((v for k, v in query if k == "schema"), DEFAULT_SCHEMA)
    rest = urlencode([(k, v) for k, v in query if k != "schema"], quote_via=quote)
    return urlunsplit(parts._replace(query=rest)), name


def setup_sql(
    schema_name: str = DEFAULT_SCHEMA,
    viewer_role: str | None = None,
    editor_role: str | None = None,
    steps: Sequence[pg_migrations.Step] = pg_migrations.STEPS,
) -> str:
    """The script a DBA reviews: the schema ``steps`` (each in its own transaction), then the roles' rights.

    Safe to run again: every step adds only what is missing, the roles' grants are revoked and given anew.
    """
    rights = _grants(schema_name, viewer_role, editor_role)
    return pg_migrations.script(schema_name, steps) + ("\n" + pg_migrations.transaction(rights) if rights else "")


def _grants(schema_name: str, viewer_role: str | None, editor_role: str | None) -> list[sql.Composed]:
    """Revoke the roles' rights and give them anew: viewers read all but the guarded columns, editors write
    without deleting."""
    s = sql.Identifier(schema_name)

    def table(name: str) -> sql.Identifier:
        return sql.Identifier(schema_name, name)

    statements: list[sql.Composed] = []
    roles = [sql.Identifier(r) for r in (viewer_role, editor_role) if r]
    if roles:
        statements.append(sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA {} FROM {}").format(s, sql.SQL(", ").join(roles)))
        statements.append(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(s, sql.SQL(", ").join(roles)))
    if viewer_role:
        viewer = sql.Identifier(viewer_role)
        for name in [*schema.LAYERS, "history"]:
            column_names = _all_columns(name)
            guarded = {c for t, c in GUARDED if t == name}
            if guarded:
                allowed = sql.SQL(", ").join(sql.Identifier(c) for c in column_names if c not in guarded)
                statements.append(sql.SQL("GRANT SELECT ({}) ON {} TO {}").format(allowed, table(name), viewer))
            else:
                statements.append(sql.SQL("GRANT SELECT ON {} TO {}").format(table(name), viewer))
        for name in ("import_log", "import_mappings", "layer_meta", ENTRY_SOURCES, "workspace_meta", SAVED_VIEWS):
            statements.append(sql.SQL("GRANT SELECT ON {} TO {}").format(table(name), viewer))
    if editor_role:
        editor = sql.Identifier(editor_role)
        for name in [*schema.LAYERS, "import_mappings", SAVED_VIEWS]:
            statements.append(sql.SQL("GRANT SELECT, INSERT, UPDATE ON {} TO {}").format(table(name), editor))
        statements += [
            sql.SQL("GRANT SELECT, UPDATE ON {} TO {}").format(table("workspace_meta"), editor),
            # an import writes a layer's provenance anew (``Workspace.record_import``)
            sql.SQL("GRANT SELECT, INSERT, DELETE ON {}, {} TO {}").format(
                table("layer_meta"), table(ENTRY_SOURCES), editor
            ),
            sql.SQL("GRANT SELECT, INSERT ON {}, {} TO {}").format(table("history"), table("import_log"), editor),
            sql.SQL("GRANT UPDATE (undone_by) ON {} TO {}").format(table("history"), editor),
            # failed sign-ins are counted through the editors' role, whoever tries; old ones are deleted
            sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON {} TO {}").format(table(SIGNIN), editor),
        ]
    return statements


def _all_columns(name: str) -> list[str]:
    """Every column of a store table as created by ``setup_sql`` (for column grants)."""
    if name == "history":
        return _HISTORY.split(", ")
    layer = schema.LAYERS[name]
    return ["fid", *layer.field_names, *([GEOM] if layer.geometry_types else []), ROW_VERSION, RETIRED]


def create_schema(url: str, viewer_role: str | None = None, editor_role: str | None = None) -> list[pg_migrations.Step]:
    """Create or update the schema named in ``url`` and grant the roles (see ``setup_sql``); the steps applied."""
    return PostGISStore(url).create(viewer_role, editor_role)


# ---- one pool of connections per database and process ----
_POOLS: dict[str, ConnectionPool] = {}
_POOLS_LOCK = threading.Lock()


def _pool(conninfo: str) -> ConnectionPool:
    """This process's pool for ``conninfo``. A new one is opened only after a plain connection succeeded, so a
    refused login or a stopped server is told at once (not after the pool's wait) and nothing keeps retrying it."""
    with _POOLS_LOCK:
        pool = _POOLS.get(conninfo)
        if pool is None:
            psycopg.connect(conninfo, connect_timeout=CONNECT_TIMEOUT).close()
            pool = _POOLS[conninfo] = ConnectionPool(
                conninfo,
                kwargs={"autocommit": True, "connect_timeout": CONNECT_TIMEOUT},
                min_size=1,
                max_size=POOL_SIZE,
                check=ConnectionPool.check_connection,  # a connection left dead by a server restart is replaced
                timeout=CONNECT_TIMEOUT,
                name="quartiersatlas",
                open=True,
            )
        return pool


def _discard(conninfo: str, pool: ConnectionPool) -> None:
    with _POOLS_LOCK:
        if _POOLS.get(conninfo) is pool:
            del _POOLS[conninfo]
    pool.close(timeout=1)


@contextmanager
def _pooled(conninfo: str):
    """An autocommit connection of the pool. A pool that gives none in time (the server stopped, or restarted
    with more dead connections than the check's patience) is replaced once by a fresh one."""
    pool = _pool(conninfo)
    try:
        connection = pool.getconn()
    except (PoolTimeout, PoolClosed):
        _discard(conninfo, pool)
        pool = _pool(conninfo)
        connection = pool.getconn()
    try:
        yield connection
    finally:
        pool.putconn(connection)


@contextmanager
def _translated_errors(schema_name: str):
    """Database errors as the store's errors, without the URL (no credentials in any message)."""
    try:
        yield
    except (psycopg.OperationalError, psycopg.InterfaceError):
        raise StoreUnavailable(UNREACHABLE) from None
    except psycopg.errors.InsufficientPrivilege:
        raise StoreRefused() from None
    except (psycopg.errors.UndefinedTable, psycopg.errors.UndefinedColumn, psycopg.errors.InvalidSchemaName):
        raise StoreUnavailable(
            f"Datenbankschema {schema_name} fehlt oder ist veraltet: create_schema ausführen"
        ) from None
    except psycopg.ProgrammingError as err:
        if err.sqlstate:  # the server's: a fault in our SQL, not in the address
            raise
        raise StoreUnavailable(BAD_ADDRESS) from None  # libpq refused the URL (an unknown ?parameter)


@overload
def _iso(at: datetime) -> str: ...
@overload
def _iso(at: None) -> None: ...
def _iso(at: datetime | None) -> str | None:
    return None if at is None else at.astimezone(UTC).isoformat(timespec="seconds")


def _change(row) -> Change:
    change_id, at, user, action, layer, entry_id, before, after, undone_by = row
    return Change(change_id, _iso(at), user, action, layer, entry_id, before, after, undone_by)


def _db_value(value, kind: str):
    """A Python value for a column of ``kind`` (numpy and pandas scalars, NaN → None)."""
    if value is None or (not isinstance(value, (str, bytes, list, dict)) and pd.isna(value)):
        return None
    if kind == "bool":
        return bool(value)
    if kind == "int":
        return int(value)
    if kind == "float":
        return float(value)
    return str(value)


def _column(series: pd.Series, kind: str) -> list:
    """``_db_value`` for a whole column (the NaN test done once, vectorised)."""
    convert = {"bool": bool, "int": int, "float": float}.get(kind, str)
    return [
        None if missing else convert(v)
        for v, missing in zip(series.to_numpy(dtype=object), series.isna().to_numpy(), strict=False)
    ]


def _series(values, kind: str) -> pd.Series:
    """A column typed as a GeoPackage read types it: ints/bools with gaps become float64, text stays object."""
    if kind in ("int", "bool"):
        if any(v is None for v in values):
            return pd.Series(values, dtype="float64")
        return pd.Series(values, dtype="int64" if kind == "int" else "bool")
    if kind == "float":
        return pd.Series(values, dtype="float64")
    return pd.Series(values, dtype=object)


def _kinds(layer: str) -> dict[str, str]:
    return {**{f.name: f.kind for f in schema.LAYERS[layer].fields}, ROW_VERSION: "int", RETIRED: "text"}


def _frame(layer: str, names: list[str], rows: list[tuple]) -> pd.DataFrame:
    """Fetched rows (geometry as WKB last, if the layer has one) as a (Geo)DataFrame."""
    spec, kinds = schema.LAYERS[layer], _kinds(layer)
    columns = list(zip(*rows, strict=False)) if rows else [()] * (len(names) + bool(spec.geometry_types))
    frame = pd.DataFrame({name: _series(values, kinds[name]) for name, values in zip(names, columns, strict=False)})
    if not spec.geometry_types:
        return frame
    geometry = shapely.from_wkb(np.array(columns[-1], dtype=object))
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geometry, crs=schema.ANALYSIS_CRS))


def _geometries(frame: pd.DataFrame) -> np.ndarray:
    """The frame's geometries as WKB, 2D, in the store's CRS (a frame without CRS is taken to be in it)."""
    geometry = frame.geometry
    if geometry.crs is not None and geometry.crs != pyproj.CRS.from_user_input(schema.ANALYSIS_CRS):
        geometry = geometry.to_crs(schema.ANALYSIS_CRS)
    return shapely.to_wkb(shapely.force_2d(geometry.to_numpy()))


class PostGISStore(DataStore):
    """A city's data in one schema of a PostgreSQL/PostGIS database."""

    def __init__(self, url: str):
        self.url = url
        self.conninfo, self.schema = split_url(url)

    def __repr__(self) -> str:
        return f"PostGISStore({redact(self.url)!r})"

    def _table(self, name: str) -> sql.Identifier:
        return sql.Identifier(self.schema, name)

    def _sql(self, text: str, **tables: str) -> sql.Composed:
        """``text`` with ``{name}`` placeholders filled by this schema's tables."""
        return sql.SQL(text).format(**{key: self._table(name) for key, name in tables.items()})

    # ---- connections ----
    def _query(self, query, params=()) -> list[tuple]:
        """One statement outside a transaction, for the cheap calls of every rerun."""
        with _translated_errors(self.schema), _pooled(self.conninfo) as connection:
            return connection.execute(query, params).fetchall()

    @contextmanager
    def _connection(self, *, read_only: bool = False):
        """One transaction on a pooled connection (a consistent snapshot when ``read_only``): commit or roll back."""
        with _translated_errors(self.schema), _pooled(self.conninfo) as connection, connection.transaction():
            if read_only:  # for this transaction only: the connection goes back to the pool afterwards
                connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield connection

    @contextmanager
    def _writing(self, *, create: bool = False):
        """A write transaction: it first raises the data version, which also queues it behind other writers.

        ``create``: set the schema up first if it does not exist (the first import into a fresh database).
        """
        if create and self._missing():
            self.upgrade()
        with self._connection() as connection:
            connection.execute(self._sql("UPDATE {meta} SET data_version = data_version + 1", meta="workspace_meta"))
            yield connection

    def _missing(self, table: str = "workspace_meta") -> bool:
        """The schema is not set up yet (a fresh store: its first import creates it), or ``table`` is not."""
        return self._query("SELECT to_regclass(%s) IS NULL", [self._table(table).as_string()])[0][0]

    def pending_steps(self) -> list[pg_migrations.Step]:
        """The schema steps this store still lacks (all of them for a schema not set up yet)."""
        with _translated_errors(self.schema), _pooled(self.conninfo) as connection:
            return pg_migrations.pending(connection, self.schema)

    def upgrade(self) -> list[pg_migrations.Step]:
        """Apply the missing schema steps, each in its own transaction (as the schema's owner); the steps applied."""
        with _translated_errors(self.schema), _pooled(self.conninfo) as connection:
            return pg_migrations.upgrade(connection, self.schema)

    def create(self, viewer_role: str | None = None, editor_role: str | None = None) -> list[pg_migrations.Step]:
        """Bring this store's schema up to date and grant the roles anew (see ``setup_sql``); the steps applied."""
        steps = self.upgrade()
        rights = _grants(self.schema, viewer_role, editor_role)
        if rights:
            with self._connection() as connection:
                for statement in rights:
                    connection.execute(statement)
        return steps

    # ---- reading ----
    def is_empty(self) -> bool:
        if self._missing():
            return True
        query = self._sql(
            "SELECT NOT (EXISTS (SELECT 1 FROM {areas}) OR EXISTS (SELECT 1 FROM {meta} WHERE layer = 'areas'))",
            areas="areas",
            meta="layer_meta",
        )
        return self._query(query)[0][0]

    def version(self) -> str:
        if self._missing():
            return "empty"
        store_id, data_version = self._query(
            self._sql("SELECT store_id, data_version FROM {meta}", meta="workspace_meta")
        )[0]
        return f"{store_id}:{data_version}"

    def read(self, role: Role = Role.EDITOR) -> Workspace:
        """All layers in one snapshot: one connection, two pipelined batches of queries, geometry as WKB;
        for a viewer without the private columns, whatever the connected role may read."""
        with self._connection(read_only=True) as connection:
            present, provenance, city, demo, hidden = self._overview(connection)
            if role is Role.VIEWER:
                hidden |= {(t, c) for t, c in GUARDED if t in schema.LAYERS}
            layers = self._layers(connection, present, hidden, active_only=True)
        meta, updates, owners = provenance
        return Workspace(city or self.schema, layers, meta, demo, updates, owners)

    def entries(self, layer: str) -> pd.DataFrame:
        with self._connection(read_only=True) as connection:
            hidden = self._overview(connection)[-1]
            return self._layers(connection, [layer], hidden, active_only=False)[layer]

    def _overview(self, connection):
        """Which layers are present (entries or provenance), provenance, city, demo flag, and the
        guarded columns the connected role may not read."""
        exists = sql.SQL(", ").join(
            sql.SQL("EXISTS (SELECT 1 FROM {})").format(self._table(name)) for name in schema.LAYERS
        )
        with connection.pipeline():
            flags = connection.execute(sql.SQL("SELECT {}").format(exists))
            meta = connection.execute(self._sql(f"SELECT {_META} FROM {{meta}}", meta="layer_meta"))
            owners = connection.execute(self._sql(f"SELECT {_OWNERS} FROM {{o}}", o=ENTRY_SOURCES))
            info = connection.execute(self._sql("SELECT city, demo FROM {meta}", meta="workspace_meta"))
            hidden = connection.execute(
                "SELECT t, c FROM unnest(%s::text[], %s::text[]) AS g(t, c) "
                "WHERE NOT has_column_privilege(format('%%I.%%I', %s::text, t), c, 'SELECT')",
                [[t for t, _ in GUARDED], [c for _, c in GUARDED], self.schema],
            )
        provenance = gpkgfile.provenance(
            pd.DataFrame(meta.fetchall(), columns=list(gpkgfile.META_COLUMNS)),
            pd.DataFrame(owners.fetchall(), columns=list(gpkgfile.OWNER_COLUMNS)),
        )
        present = [
            name for name, flag in zip(schema.LAYERS, flags.fetchone(), strict=False) if flag or name in provenance[0]
        ]
        city, demo = info.fetchone()
        return present, provenance, city, demo, set(hidden.fetchall())

    def _select(
        self, layer: str, hidden: set, *, active_only: bool, one: bool = False
    ) -> tuple[list[str], sql.Composed]:
        """Column names and the SELECT of one layer: readable fields (+ system columns), then WKB.

        ``one``: only the entry whose id is the query's parameter."""
        spec = schema.LAYERS[layer]
        names = [f for f in spec.field_names if (layer, f) not in hidden] + (
            [] if active_only else [ROW_VERSION, RETIRED]
        )
        columns: list[sql.Composable] = [
            sql.Identifier(n) if n != RETIRED else sql.SQL("retired_on::text") for n in names
        ]
        if spec.geometry_types:
            columns.append(sql.SQL("ST_AsBinary({})").format(sql.Identifier(GEOM)))
        conditions: list[sql.Composable] = [sql.SQL("retired_on IS NULL")] if active_only else [sql.SQL("TRUE")]
        if one:
            conditions.append(sql.SQL("{} = %s").format(sql.Identifier(spec.id_field)))
        return names, sql.SQL("SELECT {} FROM {} WHERE {} ORDER BY fid").format(
            sql.SQL(", ").join(columns), self._table(layer), sql.SQL(" AND ").join(conditions)
        )

    def _layers(self, connection, layers: list[str], hidden: set, *, active_only: bool) -> dict[str, pd.DataFrame]:
        queries = {layer: self._select(layer, hidden, active_only=active_only) for layer in layers}
        with connection.pipeline():
            cursors = {layer: connection.cursor(binary=True).execute(query) for layer, (_, query) in queries.items()}
        return {layer: _frame(layer, queries[layer][0], cursors[layer].fetchall()) for layer in layers}

    def history(self, *, layer=None, entry_id=None, limit=50) -> list[Change]:
        if self._missing():
            return []
        conditions: list[sql.Composable] = [sql.SQL("TRUE")]
        args = []
        for column, value in (("layer", layer), ("entry_id", entry_id)):
            if value is not None:
                conditions.append(sql.SQL("{} = %s").format(sql.Identifier(column)))
                args.append(value)
        query = sql.SQL("SELECT {} FROM {} WHERE {} ORDER BY change_id DESC LIMIT %s").format(
            sql.SQL(_HISTORY), self._table("history"), sql.SQL(" AND ").join(conditions)
        )
        return [_change(row) for row in self._query(query, [*args, limit])]

    def import_log(self) -> pd.DataFrame:
        columns = ["at", "user_name", "layer", "source", "mode", "rows_read", "rows_imported", "rows_rejected"]
        if self._missing():
            return pd.DataFrame(columns=columns)
        rows = self._query(
            self._sql(f"SELECT {', '.join(columns)} FROM {{log}} ORDER BY import_id DESC", log="import_log")
        )
        return pd.DataFrame([(_iso(row[0]), *row[1:]) for row in rows], columns=columns)

    def mapping(self, source_key: str) -> str | None:
        if self._missing():
            return None
        rows = self._query(
            self._sql("SELECT mapping::text FROM {m} WHERE source_key = %s", m="import_mappings"), [source_key]
        )
        return rows[0][0] if rows else None

    def crs(self, layer: str):
        return pyproj.CRS.from_user_input(schema.ANALYSIS_CRS)

    def signin_attempts(self, keys: Sequence[str]) -> dict[str, Attempts]:
        query = self._sql("SELECT key, failures, lockouts, until, last FROM {t} WHERE key = ANY(%s)", t=SIGNIN)
        return {key: Attempts(*values) for key, *values in self._query(query, [list(keys)])}

    def record_signin_attempts(self, changes: Mapping[str, Attempts | None], forget_before: float) -> None:
        with self._connection() as connection:  # not _writing: no change of the data, the version stays
            for key, attempts in changes.items():
                if attempts is None:
                    connection.execute(self._sql("DELETE FROM {t} WHERE key = %s", t=SIGNIN), [key])
                else:
                    connection.execute(
                        self._sql(
                            "INSERT INTO {t} (key, failures, lockouts, until, last) VALUES (%s, %s, %s, %s, %s) "
                            "ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, "
                            "lockouts = excluded.lockouts, until = excluded.until, last = excluded.last",
                            t=SIGNIN,
                        ),
                        [key, attempts.failures, attempts.lockouts, attempts.until, attempts.last],
                    )
            connection.execute(
                self._sql("DELETE FROM {t} WHERE last < %s AND until < %s", t=SIGNIN), [forget_before, forget_before]
            )

    # ---- GeoPackage export and load (the way to and from the GeoPackage store) ----
    def export_geopackage(self, out: str | Path) -> None:
        """Everything of one snapshot, in the GeoPackage store's layout; written to a temp file, then renamed."""
        with self._connection(read_only=True) as connection:
            present, provenance, city, demo, hidden = self._overview(connection)
            layers = self._layers(connection, present, hidden, active_only=False)
            history = connection.execute(
                self._sql(f"SELECT {_HISTORY} FROM {{h}} ORDER BY change_id", h="history")
            ).fetchall()
            log = connection.execute(
                self._sql(f"SELECT {_IMPORT_LOG} FROM {{log}} ORDER BY import_id", log="import_log")
            ).fetchall()
            mappings = connection.execute(
                self._sql(
                    f"SELECT {_MAPPINGS.replace('mapping,', 'mapping::text,')} FROM {{m}} ORDER BY mapping_id",
                    m="import_mappings",
                )
            ).fetchall()
            views = connection.execute(self._sql(f"SELECT {_VIEWS} FROM {{v}} ORDER BY fid", v=SAVED_VIEWS)).fetchall()
        history = [(r[0], _iso(r[1]), *r[2:6], dumps(r[6]), dumps(r[7]), r[8]) for r in history]
        log = [(r[0], _iso(r[1]), *r[2:]) for r in log]
        mappings = [(*r[:4], _iso(r[4])) for r in mappings]
        meta, updates, owners = provenance
        typed = {name: _gpkg_typed(name, frame) for name, frame in layers.items()}
        workspace = Workspace(city or self.schema, typed, meta, demo, updates, owners)

        def system_tables(path: str) -> None:
            connection = sqlite3.connect(path, isolation_level=None)
            try:
                connection.execute("BEGIN")
                ensure_system_tables(connection)
                for name, rows in (
                    ("history", history),
                    ("import_log", log),
                    ("import_mappings", mappings),
                    (SAVED_VIEWS, views),
                ):
                    columns = _SYSTEM[name]
                    connection.executemany(
                        f"INSERT INTO {name} ({columns}) VALUES ({', '.join('?' * len(columns.split(', ')))})", rows
                    )
                connection.execute("COMMIT")
            finally:
                connection.close()

        gpkgfile.write_geopackage(workspace, out, finish=system_tables)

    def load_geopackage(self, path: str | Path) -> None:
        """Fill this store, which must hold nothing yet, from a GeoPackage in the GeoPackage store's layout:
        ids, row versions, retired entries, history, import log, mappings and metadata kept; one transaction."""
        path = Path(path)
        workspace = gpkgfile.read_geopackage(path, active_only=False)
        tables = _gpkg_system_tables(path)
        reprojections = _history_reprojections(workspace)
        with self._writing(create=True) as connection:
            counts = connection.execute(
                self._sql("SELECT (SELECT count(*) FROM {h}) + (SELECT count(*) FROM {a})", h="history", a="areas")
            ).fetchone()[0]
            if counts:
                raise ValueError(f"schema {self.schema} already holds data")
            for layer, frame in workspace.layers.items():
                staged = self._stage(connection, layer, frame, with_system_columns=True)
                connection.execute(sql.SQL("INSERT INTO {} ({}) SELECT {} FROM {}").format(self._table(layer), *staged))
            self._write_provenance(connection, workspace)
            connection.execute(
                self._sql("UPDATE {m} SET city = %s, demo = %s", m="workspace_meta"),
                [workspace.city, workspace.is_demo],
            )
            with connection.cursor() as cursor:
                cursor.executemany(
                    self._sql(
                        f"INSERT INTO {{h}} ({_HISTORY}) OVERRIDING SYSTEM VALUE "
                        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                        h="history",
                    ),
                    [
                        (*r[:6], *(_jsonb(r[6 + i], reprojections.get(r[4])) for i in range(2)), r[8])
                        for r in tables["history"]
                    ],
                )
                cursor.executemany(
                    self._sql(
                        f"INSERT INTO {{log}} ({_IMPORT_LOG}) OVERRIDING SYSTEM VALUE "
                        f"VALUES ({', '.join(['%s'] * 10)})",
                        log="import_log",
                    ),
                    tables["import_log"],
                )
                cursor.executemany(
                    self._sql(
                        f"INSERT INTO {{m}} ({_MAPPINGS}) OVERRIDING SYSTEM VALUE VALUES (%s, %s, %s, %s, %s)",
                        m="import_mappings",
                    ),
                    tables["import_mappings"],
                )
                cursor.executemany(
                    self._sql(
                        f"INSERT INTO {{v}} ({_VIEWS}) OVERRIDING SYSTEM VALUE VALUES ({', '.join(['%s'] * 12)})",
                        v=SAVED_VIEWS,
                    ),
                    tables[SAVED_VIEWS],
                )
            for table, column in (
                ("history", "change_id"),
                ("import_log", "import_id"),
                ("import_mappings", "mapping_id"),
                (SAVED_VIEWS, "fid"),
            ):
                connection.execute(
                    sql.SQL(
                        "SELECT setval(pg_get_serial_sequence(%s, %s), coalesce(max({}), 0) + 1, false) FROM {}"
                    ).format(sql.Identifier(column), self._table(table)),
                    [self._table(table).as_string(), column],
                )

    # ---- saved views ----
    def saved_views(self) -> list[SavedView]:
        if self._missing(table=SAVED_VIEWS):
            return []  # a store set up before saved views existed (``create_schema`` adds the table)
        rows = self._query(
            self._sql(
                f"SELECT {', '.join(VIEW_COLUMNS)} FROM {{v}} WHERE retired_on IS NULL ORDER BY fid DESC", v=SAVED_VIEWS
            )
        )
        return [SavedView(*row) for row in rows]

    def last_data_change(self) -> int:
        if self._missing():
            return 0
        return self._query(self._last_data_change())[0][0]

    def _save_view(self, user, view: SavedView) -> SavedView:
        """Outside ``_writing``: a view is no data, so the data version (and every instance's cache) stays."""
        if self._missing(table=SAVED_VIEWS):
            self.upgrade()  # the owner brings an older store up to date
        with self._connection() as connection:
            data_change = connection.execute(self._last_data_change()).fetchone()[0]
            stored = SavedView(**{**view.values(), "data_change": data_change})
            connection.execute(
                self._sql(
                    f"INSERT INTO {{v}} ({', '.join(VIEW_COLUMNS)}) VALUES ({', '.join(['%s'] * len(VIEW_COLUMNS))})",
                    v=SAVED_VIEWS,
                ),
                list(stored.values().values()),
            )
            self._record(connection, user, "add", SAVED_VIEWS, view.view_id, None, stored.values())
            return stored

    def _change_view(self, user, action, view_id, expected_version, changes) -> SavedView:
        with self._connection() as connection:  # the row version in the UPDATE is the conflict check
            current = self._view(connection, view_id)
            if current is None or current.retired_on:
                raise EntryNotFound(SAVED_VIEWS, view_id)
            assignments = sql.SQL(", ").join(sql.SQL("{} = %s").format(sql.Identifier(name)) for name in changes)
            updated = connection.execute(
                sql.SQL(
                    "UPDATE {} SET {}, row_version = row_version + 1 WHERE view_id = %s AND row_version = %s"
                ).format(self._table(SAVED_VIEWS), assignments),
                [*changes.values(), view_id, int(expected_version)],
            ).rowcount
            if not updated:
                raise ConflictError(SAVED_VIEWS, view_id, self._last_change(connection, SAVED_VIEWS, view_id))
            changed = self._view(connection, view_id)
            assert changed is not None  # just updated
            self._record(connection, user, action, SAVED_VIEWS, view_id, current.values(), changed.values())
            return changed

    def _last_data_change(self) -> sql.Composed:
        return self._sql(f"SELECT coalesce(max(change_id), 0) FROM {{h}} WHERE {DATA_CHANGES}", h="history")

    def _view(self, connection, view_id: str) -> SavedView | None:
        row = connection.execute(
            self._sql(f"SELECT {', '.join(VIEW_COLUMNS)} FROM {{v}} WHERE view_id = %s", v=SAVED_VIEWS), [view_id]
        ).fetchone()
        return None if row is None else SavedView(*row)

    # ---- writing ----
    def _set_city(self, name: str) -> None:
        with self._writing() as connection:
            connection.execute(self._sql("UPDATE {m} SET city = %s", m="workspace_meta"), [name])

    def _remember_mapping(self, source_key: str, layer: str, mapping_json: str) -> None:
        with self._writing() as connection:
            connection.execute(
                self._sql(
                    "INSERT INTO {m} (source_key, layer, mapping, at) VALUES (%s, %s, %s, now()) "
                    "ON CONFLICT (source_key) DO UPDATE SET layer = excluded.layer, mapping = excluded.mapping, "
                    "at = excluded.at",
                    m="import_mappings",
                ),
                [source_key, layer, mapping_json],
            )

    def _record_import(self, connection, layer: str, frame: pd.DataFrame, meta: LayerMeta, mode: str, ids) -> None:
        """The layer's provenance after the import, by the rule of both stores (``Workspace.record_import``)."""
        stored = gpkgfile.provenance(
            pd.DataFrame(
                connection.execute(
                    self._sql(f"SELECT {_META} FROM {{m}} WHERE layer = %s", m="layer_meta"), [layer]
                ).fetchall(),
                columns=list(gpkgfile.META_COLUMNS),
            ),
            pd.DataFrame(
                connection.execute(
                    self._sql(f"SELECT {_OWNERS} FROM {{o}} WHERE layer = %s", o=ENTRY_SOURCES), [layer]
                ).fetchall(),
                columns=list(gpkgfile.OWNER_COLUMNS),
            ),
        )
        meta_before, updates, owners = stored
        workspace = Workspace("", {layer: frame}, meta_before, False, updates, owners)
        workspace.record_import(layer, meta, mode, ids)
        self._write_provenance(connection, workspace, replace=True)

    def _write_provenance(self, connection, workspace: Workspace, replace: bool = False) -> None:
        """``workspace``'s provenance tables (``gpkgfile.provenance_tables``); ``replace``: instead of what
        the store holds for its layers."""
        tables = {"layer_meta": "layer_meta", "entry_sources": ENTRY_SOURCES}
        for name, rows in gpkgfile.provenance_tables(workspace).items():
            if replace:
                connection.execute(
                    self._sql("DELETE FROM {t} WHERE layer = ANY(%s)", t=tables[name]), [list(workspace.layers)]
                )
            with connection.cursor().copy(
                self._sql(f"COPY {{t}} ({', '.join(rows.columns)}) FROM STDIN", t=tables[name])
            ) as copy:
                for row in rows.itertuples(index=False):
                    copy.write_row(row)

    def _import_layer(self, user, layer, frame, meta: LayerMeta, *, source, mode, counts, imported_ids) -> Change:
        """Upsert the imported rows (kept ids: row version + 1, retirement lifted), retire the ids it lacks."""
        spec = schema.LAYERS[layer]
        with self._writing(create=True) as connection:
            columns, values, staging = self._stage(connection, layer, frame, with_system_columns=False)
            table = self._table(layer)
            updates = [
                sql.SQL("{0} = excluded.{0}").format(sql.Identifier(c))
                for c in [*spec.field_names, *([GEOM] if spec.geometry_types else [])]
                if c != spec.id_field
            ]
            connection.execute(
                sql.SQL(
                    "INSERT INTO {} AS t ({}) SELECT {} FROM {} ON CONFLICT ({}) "
                    "DO UPDATE SET {}, row_version = t.row_version + 1, retired_on = NULL"
                ).format(table, columns, values, staging, sql.Identifier(spec.id_field), sql.SQL(", ").join(updates))
            )
            connection.execute(
                sql.SQL(
                    "UPDATE {} AS t SET retired_on = current_date, row_version = t.row_version + 1 "
                    "WHERE retired_on IS NULL AND NOT EXISTS (SELECT 1 FROM {} s WHERE s.{} = t.{})"
                ).format(table, staging, sql.Identifier(spec.id_field), sql.Identifier(spec.id_field))
            )
            self._record_import(connection, layer, frame, meta, mode, imported_ids)
            connection.execute(
                self._sql("UPDATE {m} SET city = coalesce(city, %s)", m="workspace_meta"),
                [counts.get("city", "Meine Stadt")],
            )
            change = self._record(
                connection, user, "import", layer, None, None, {"rows": len(frame), "source": source, "mode": mode}
            )
            connection.execute(
                self._sql(
                    "INSERT INTO {log} (user_name, layer, source, mode, rows_read, rows_imported, rows_rejected, "
                    "change_id) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                    log="import_log",
                ),
                [
                    user.name,
                    layer,
                    source,
                    mode,
                    counts.get("read"),
                    counts.get("imported"),
                    counts.get("rejected"),
                    change.change_id,
                ],
            )
            return change

    def _stage(self, connection, layer: str, frame: pd.DataFrame, *, with_system_columns: bool):
        """COPY ``frame`` into a temporary table; returns the target columns, the matching SELECT list and the table."""
        spec = schema.LAYERS[layer]
        kinds = _kinds(layer)
        names = spec.field_names + ([ROW_VERSION, RETIRED] if with_system_columns else [])
        data = [_column(frame[n], kinds[n]) if n in frame.columns else [None] * len(frame) for n in names]
        types = [SQL_TYPES.get(kinds[n], "text") for n in names]
        values: list[sql.Composable]
        targets, values = (
            [sql.Identifier(n) for n in names],
            [sql.Identifier(n) if n != RETIRED else sql.SQL("retired_on::date") for n in names],
        )
        if spec.geometry_types:
            names, types = [*names, "wkb"], [*types, "bytea"]
            data.append(list(_geometries(frame)))
            targets.append(sql.Identifier(GEOM))
            values.append(sql.SQL("ST_GeomFromWKB(wkb, {})").format(sql.Literal(SRID)))
        staging = sql.Identifier(f"staging_{layer}")
        connection.execute(
            sql.SQL("CREATE TEMP TABLE {} ({}) ON COMMIT DROP").format(
                staging,
                sql.SQL(", ").join(
                    sql.SQL("{} {}").format(sql.Identifier(n), sql.SQL(t)) for n, t in zip(names, types, strict=False)
                ),
            )
        )
        with connection.cursor().copy(
            sql.SQL("COPY {} ({}) FROM STDIN").format(staging, sql.SQL(", ").join(map(sql.Identifier, names)))
        ) as copy:
            for row in zip(*data, strict=False):
                copy.write_row(row)
        return sql.SQL(", ").join(targets), sql.SQL(", ").join(values), staging

    def _write(self, user, action, layer, entry_id, expected_version, values, geometry) -> Change:
        spec = schema.LAYERS[layer]
        with self._writing() as connection:
            current = self._row(connection, layer, entry_id)
            if action == "add":
                if current is not None:
                    raise ConflictError(layer, entry_id, self._last_change(connection, layer, entry_id))
                row = {name: values.get(name) for name in spec.field_names}
                if spec.geometry_types:
                    row[GEOM] = geometry
                names = list(row)
                connection.execute(
                    sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
                        self._table(layer),
                        sql.SQL(", ").join(map(sql.Identifier, names)),
                        sql.SQL(", ").join(self._placeholder(n) for n in names),
                    ),
                    [self._param(layer, n, row[n]) for n in names],
                )
            else:
                if current is None:
                    raise EntryNotFound(layer, entry_id)
                changes = {
                    k: v for k, v in values.items() if (k in spec.field_names or k == RETIRED) and k != spec.id_field
                }
                if geometry is not None and spec.geometry_types:
                    changes[GEOM] = geometry
                if not self._update(connection, layer, entry_id, changes, expected_version):
                    raise ConflictError(layer, entry_id, self._last_change(connection, layer, entry_id))
            written = self._row(connection, layer, entry_id)
            assert written is not None  # just added or updated
            after = entry_dict(written, layer)
            return self._record(
                connection,
                user,
                action,
                layer,
                entry_id,
                None if current is None else entry_dict(current, layer),
                after,
            )

    def _undo_last(self, user) -> Change:
        with self._writing() as connection:
            row = connection.execute(
                self._sql(
                    f"SELECT {_HISTORY} FROM {{h}} WHERE user_name = %s AND action = ANY(%s) AND undone_by IS NULL "
                    f"AND {DATA_CHANGES} ORDER BY change_id DESC LIMIT 1",
                    h="history",
                ),
                [user.name, list(_EDITS)],
            ).fetchone()
            if row is None:
                raise NothingToUndo()
            last = _change(row)
            assert last.layer is not None and last.entry_id is not None  # edits name their entry
            spec = schema.LAYERS[last.layer]
            current = self._row(connection, last.layer, last.entry_id)
            newest = self._last_change(connection, last.layer, last.entry_id, effective=True)
            if current is None or newest is None or newest.change_id != last.change_id:
                raise ConflictError(last.layer, last.entry_id, newest)
            if last.action == "add":  # an entry added by mistake: retired, so nothing is ever deleted
                restore: dict[str, object] = {RETIRED: datetime.now(UTC).date().isoformat()}
            else:
                assert last.before is not None  # recorded for every edit but an add
                restore = {k: v for k, v in last.before.items() if k not in ("geometry", spec.id_field)}
                if spec.geometry_types and last.before.get("geometry"):
                    restore[GEOM] = shapely.from_wkt(last.before["geometry"])
            self._update(connection, last.layer, last.entry_id, restore)
            restored = self._row(connection, last.layer, last.entry_id)
            assert restored is not None  # nothing is ever deleted
            after = entry_dict(restored, last.layer)
            undo = self._record(
                connection, user, "undo", last.layer, last.entry_id, entry_dict(current, last.layer), after
            )
            connection.execute(
                self._sql("UPDATE {h} SET undone_by = %s WHERE change_id = %s", h="history"),
                [undo.change_id, last.change_id],
            )
            return undo

    # ---- helpers ----
    def _placeholder(self, name: str) -> sql.Composable:
        if name == GEOM:
            return sql.SQL("ST_GeomFromWKB(%s, {})").format(sql.Literal(SRID))
        return sql.SQL("%s")

    def _param(self, layer: str, name: str, value):
        if name == GEOM:
            return None if value is None else shapely.to_wkb(shapely.force_2d(value))
        return _db_value(value, _kinds(layer)[name])

    def _update(self, connection, layer: str, entry_id: str, changes: dict, expected_version: int | None = None) -> int:
        """Set ``changes`` and raise the row version by one, only if the row still has ``expected_version``;
        rows changed."""
        id_field = schema.LAYERS[layer].id_field
        assignments: list[sql.Composable] = [
            sql.SQL("{} = {}").format(sql.Identifier(name), self._placeholder(name)) for name in changes
        ]
        assignments.append(sql.SQL("row_version = row_version + 1"))
        query = sql.SQL("UPDATE {} SET {} WHERE {} = %s").format(
            self._table(layer), sql.SQL(", ").join(assignments), sql.Identifier(id_field)
        )
        params = [*(self._param(layer, name, value) for name, value in changes.items()), entry_id]
        if expected_version is not None:
            query += sql.SQL(" AND row_version = %s")
            params.append(int(expected_version))
        return connection.execute(query, params).rowcount

    def _row(self, connection, layer: str, entry_id: str) -> dict | None:
        spec = schema.LAYERS[layer]
        names, query = self._select(layer, set(), active_only=False, one=True)
        row = connection.execute(query, [entry_id]).fetchone()
        if row is None:
            return None
        record = dict(zip(names, row, strict=False))
        if spec.geometry_types:
            record["geometry"] = None if row[-1] is None else shapely.from_wkb(row[-1])
        return record

    def _last_change(self, connection, layer: str, entry_id: str, effective: bool = False) -> Change | None:
        """The newest change of an entry (or import of its layer); ``effective``: undo records and undone
        changes skipped."""
        skip = " AND action <> 'undo' AND undone_by IS NULL" if effective else ""
        row = connection.execute(
            self._sql(
                f"SELECT {_HISTORY} FROM {{h}} WHERE layer = %s AND (entry_id = %s OR entry_id IS NULL){skip} "
                "ORDER BY change_id DESC LIMIT 1",
                h="history",
            ),
            [layer, entry_id],
        ).fetchone()
        return _change(row) if row else None

    def _record(self, connection, user, action, layer, entry_id, before, after) -> Change:
        change_id, at = connection.execute(
            self._sql(
                "INSERT INTO {h} (user_name, action, layer, entry_id, before, after) "
                "VALUES (%s, %s, %s, %s, %s, %s) RETURNING change_id, at",
                h="history",
            ),
            [
                user.name,
                action,
                layer,
                entry_id,
                None if before is None else Jsonb(before),
                None if after is None else Jsonb(after),
            ],
        ).fetchone()
        return Change(change_id, _iso(at), user.name, action, layer, entry_id, before, after)


def _gpkg_typed(layer: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Int and bool fields as nullable types, so GDAL writes INTEGER/BOOLEAN columns even with gaps."""
    dtypes = {"int": "Int64", "bool": "boolean"}
    return frame.astype(
        {f.name: dtypes[f.kind] for f in schema.LAYERS[layer].fields if f.kind in dtypes and f.name in frame.columns}
    )


def _gpkg_system_tables(path: Path) -> dict[str, list[tuple]]:
    """History, import log and mappings of a GeoPackage store file (empty lists where a table is missing)."""
    connection = sqlite3.connect(path)
    try:
        present = {r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        tables = {
            name: connection.execute(f"SELECT {columns} FROM {name} ORDER BY 1").fetchall() if name in present else []
            for name, columns in _SYSTEM.items()
        }
    finally:
        connection.close()
    tables["history"] = [(*r[:6], *(json.loads(v) if v else None for v in r[6:8]), r[8]) for r in tables["history"]]
    return tables


def _history_reprojections(workspace: Workspace) -> dict[str, pyproj.Transformer]:
    """Transformers from each layer's CRS in a GeoPackage to the store's, for geometries recorded in the history."""
    target = pyproj.CRS.from_user_input(schema.ANALYSIS_CRS)
    out = {}
    for layer, frame in workspace.layers.items():
        crs = getattr(frame, "crs", None)
        if crs is not None and pyproj.CRS.from_user_input(crs) != target:
            out[layer] = pyproj.Transformer.from_crs(crs, target, always_xy=True)
    return out


def _jsonb(values: dict | None, transformer: pyproj.Transformer | None):
    """History values for the database, their geometry moved into the store's CRS."""
    if values is None:
        return None
    if transformer is not None and values.get("geometry"):
        geometry = shapely.transform(
            shapely.from_wkt(values["geometry"]), lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))
        )
        values = {**values, "geometry": geometry.wkt}
    return Jsonb(values)
