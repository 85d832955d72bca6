"""Numbered steps of the PostGIS store's schema, so an update can change more than add columns.

Each step runs once per schema, in one transaction together with its row in ``schema_version``
(number, name, applied_at); ``upgrade`` applies the missing ones in order, ``script`` prints them
for a DBA. Every step may safely run again (``IF NOT EXISTS`` or a check of its own): a printed
script stays harmless if part of it was applied already, and a schema set up before the steps
existed (no ``schema_version`` table) simply gets step 1 once more, which adds only what it lacks.

Step 1 builds the layer tables from ``model.schema``; a field added to the model later needs a step
of its own (``ADD COLUMN IF NOT EXISTS``: a fresh schema already has it from step 1).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import psycopg
import pyproj
from psycopg import sql

from dashboard.model import schema
from dashboard.store.base import RETIRED, ROW_VERSION, SAVED_VIEWS

SRID = pyproj.CRS.from_user_input(schema.ANALYSIS_CRS).to_epsg()
GEOM = "geom"
#: Failed sign-ins (``auth.Ledger``), counted across instances.
SIGNIN = "signin_attempts"
VERSIONS = "schema_version"
#: The entries an update import wrote, with its source (``Workspace.entry_sources``).
ENTRY_SOURCES = "entry_sources"
SQL_TYPES = {
    "int": "bigint",
    "float": "double precision",
    "bool": "boolean",
}  # all other kinds: text (dates may be "2024" or "2024-05")


@dataclass(frozen=True)
class Step:
    number: int
    name: str
    statements: Callable[[str], list[sql.Composed]]


def _column_type(layer: schema.Layer, field: schema.Field) -> str:
    if field.name == layer.id_field:
        return "text NOT NULL UNIQUE"
    return SQL_TYPES.get(field.kind, "text")


def _geometry_type(layer: schema.Layer) -> str:
    kind = layer.geometry_types[0] if len(layer.geometry_types) == 1 else "Geometry"
    return f"geometry({kind}, {SRID})"


def _baseline(schema_name: str) -> list[sql.Composed]:
    """The schema as set up before the steps existed: layer tables, history, import log, mappings,
    provenance, saved views, the data version and failed sign-ins."""

    def table(name: str) -> sql.Identifier:
        return sql.Identifier(schema_name, name)

    statements: list[sql.Composed] = [sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema_name))]
    for name, layer in schema.LAYERS.items():
        columns = [(f.name, _column_type(layer, f)) for f in layer.fields]
        if layer.geometry_types:
            columns.append((GEOM, _geometry_type(layer)))
        columns += [(ROW_VERSION, "bigint NOT NULL DEFAULT 1"), (RETIRED, "date")]
        statements.append(
            sql.SQL("CREATE TABLE IF NOT EXISTS {} (fid bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY)").format(
                table(name)
            )
        )
        statements.append(
            sql.SQL("ALTER TABLE {} {}").format(
                table(name),
                sql.SQL(", ").join(
                    sql.SQL("ADD COLUMN IF NOT EXISTS {} {}").format(sql.Identifier(c), sql.SQL(t)) for c, t in columns
                ),
            )
        )
        if layer.geometry_types:
            statements.append(
                sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {} USING gist ({})").format(
                    sql.Identifier(f"{name}_geom_idx"), table(name), sql.Identifier(GEOM)
                )
            )
    for name, definition in _SYSTEM_TABLES.items():
        statements.append(sql.SQL("CREATE TABLE IF NOT EXISTS {} ({})").format(table(name), sql.SQL(definition)))
    history = table("history")
    return statements + [
        sql.SQL("CREATE INDEX IF NOT EXISTS history_entry_idx ON {} (layer, entry_id)").format(history),
        sql.SQL("CREATE INDEX IF NOT EXISTS history_user_idx ON {} (user_name)").format(history),
        sql.SQL("INSERT INTO {} DEFAULT VALUES ON CONFLICT DO NOTHING").format(table("workspace_meta")),
    ]


_STAMP = "at timestamptz NOT NULL DEFAULT date_trunc('second', now())"
#: The tables beside the layers, with their columns as step 1 creates them.
_SYSTEM_TABLES = {
    "history": "change_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
    f"{_STAMP}, user_name text NOT NULL, "
    "action text NOT NULL, layer text, entry_id text, before jsonb, after jsonb, undone_by bigint",
    "import_log": "import_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
    f"{_STAMP}, user_name text NOT NULL, "
    "layer text NOT NULL, source text, mode text, rows_read bigint, rows_imported bigint, "
    "rows_rejected bigint, change_id bigint",
    "import_mappings": "mapping_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
    "source_key text UNIQUE NOT NULL, layer text, mapping json, at timestamptz",
    "layer_meta": "layer text PRIMARY KEY, source text, licence text, attribution text, stand text",
    SAVED_VIEWS: "fid bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
    "view_id text UNIQUE NOT NULL, title text NOT NULL, note text NOT NULL, page text NOT NULL, "
    "query text NOT NULL, author text NOT NULL, created_at text NOT NULL, data_stand text NOT NULL, "
    "data_change bigint NOT NULL, row_version bigint NOT NULL DEFAULT 1, retired_on text",
    "workspace_meta": "singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton), "
    "store_id uuid NOT NULL DEFAULT gen_random_uuid(), city text, demo boolean NOT NULL DEFAULT false, "
    "data_version bigint NOT NULL DEFAULT 0",
    SIGNIN: "key text PRIMARY KEY, failures integer NOT NULL, "
    "lockouts integer NOT NULL, until double precision NOT NULL, last double precision NOT NULL",
}


def _history_in_order(schema_name: str) -> list[sql.Composed]:
    """The change list of a layer (the editing page) and a person's last change (undo) straight from an index in
    change order, instead of sorting all of a layer's or a person's history on every call; the new user index
    replaces the old one, which it covers."""
    history = sql.Identifier(schema_name, "history")
    return [
        sql.SQL("CREATE INDEX IF NOT EXISTS history_layer_change_idx ON {} (layer, change_id)").format(history),
        sql.SQL("CREATE INDEX IF NOT EXISTS history_user_change_idx ON {} (user_name, change_id)").format(history),
        sql.SQL("DROP INDEX IF EXISTS {}").format(sql.Identifier(schema_name, "history_user_idx")),
    ]


def _provenance_per_import(schema_name: str) -> list[sql.Composed]:
    """Provenance kept per import: ``layer_meta`` holds a layer's base import at position 0 and its updates
    after it (so a one-offer update no longer overwrites the layer's source and licence), ``entry_sources``
    the entries an update wrote. The rows there were are the bases."""
    meta = sql.Identifier(schema_name, "layer_meta")
    return [
        sql.SQL("UPDATE {} SET source = coalesce(source, '')").format(meta),
        sql.SQL(
            "ALTER TABLE {} ALTER COLUMN source SET DEFAULT '', ALTER COLUMN source SET NOT NULL, "
            "ADD COLUMN IF NOT EXISTS position integer NOT NULL DEFAULT 0, DROP CONSTRAINT IF EXISTS layer_meta_pkey"
        ).format(meta),
        sql.SQL("CREATE UNIQUE INDEX IF NOT EXISTS layer_meta_order_idx ON {} (layer, position)").format(meta),
        sql.SQL(
            "CREATE TABLE IF NOT EXISTS {} (layer text NOT NULL, entry_id text NOT NULL, source text NOT NULL, "
            "PRIMARY KEY (layer, entry_id))"
        ).format(sql.Identifier(schema_name, ENTRY_SOURCES)),
    ]


STEPS = (
    Step(1, "baseline", _baseline),
    Step(2, "history_in_change_order", _history_in_order),
    Step(3, "provenance_per_import", _provenance_per_import),
)


def _preamble(schema_name: str) -> list[sql.Composed]:
    """The schema and the table of applied steps (before step 1, which it records)."""
    return [
        sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema_name)),
        sql.SQL(
            "CREATE TABLE IF NOT EXISTS {} (step integer PRIMARY KEY, name text NOT NULL, "
            "applied_at timestamptz NOT NULL DEFAULT now())"
        ).format(sql.Identifier(schema_name, VERSIONS)),
    ]


def _record(step: Step, schema_name: str) -> sql.Composed:
    return sql.SQL("INSERT INTO {} (step, name) VALUES ({}, {}) ON CONFLICT (step) DO NOTHING").format(
        sql.Identifier(schema_name, VERSIONS), sql.Literal(step.number), sql.Literal(step.name)
    )


def script(schema_name: str, steps: Sequence[Step]) -> str:
    """The SQL of ``steps`` for a DBA's psql: each step with its record in one transaction."""
    blocks = ["".join(f"{statement.as_string()};\n" for statement in _preamble(schema_name))]
    for step in steps:
        statements = [*step.statements(schema_name), _record(step, schema_name)]
        blocks.append(f"-- {step.number} {step.name}\n" + transaction(statements))
    return "\n".join(blocks)


def transaction(statements: Sequence[sql.Composed]) -> str:
    """``statements`` as one transaction of a psql script."""
    return "BEGIN;\n" + "".join(f"{statement.as_string()};\n" for statement in statements) + "COMMIT;\n"


def applied(connection: psycopg.Connection, schema_name: str) -> set[int]:
    """The numbers of the steps recorded in this schema (none for a schema set up before the steps existed)."""
    table = sql.Identifier(schema_name, VERSIONS)
    found = connection.execute("SELECT to_regclass(%s)", [table.as_string()]).fetchone()
    if found is None or found[0] is None:
        return set()
    return {row[0] for row in connection.execute(sql.SQL("SELECT step FROM {}").format(table))}


def pending(connection: psycopg.Connection, schema_name: str) -> list[Step]:
    done = applied(connection, schema_name)
    return [step for step in STEPS if step.number not in done]


def upgrade(connection: psycopg.Connection, schema_name: str) -> list[Step]:
    """Apply the missing steps in order on an autocommit ``connection``, each in a transaction of its own;
    the steps applied. An advisory lock per schema keeps two setups at once from running a step twice."""
    lock = sql.SQL("SELECT pg_advisory_xact_lock(hashtext({}))").format(sql.Literal(f"quartiersatlas:{schema_name}"))
    with connection.transaction():
        connection.execute(lock)
        for statement in _preamble(schema_name):
            connection.execute(statement)
    done = []
    for step in STEPS:
        with connection.transaction():
            connection.execute(lock)
            if step.number in applied(connection, schema_name):
                continue
            for statement in [*step.statements(schema_name), _record(step, schema_name)]:
                connection.execute(statement)
            done.append(step)
    return done
