"""The database used like a service: numbered schema steps applied by ``db-setup`` (from the schema as set up
before the steps, on a store with data and history), and the pool of connections (a server restart, many
threads saving at once, few connections, no password in any log). Against the throwaway server
(``tests/support/pg.py``); the frozen old schema is ``tests/support/pg_schema_before_steps.sql``.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
import uuid

import psycopg
import pytest

from dashboard import cli
from dashboard.model.auth import Attempts
from dashboard.model.roles import Role, User
from dashboard.model.workspace import LayerMeta
from dashboard.store import gpkgfile, pg_migrations
from dashboard.store.base import ConflictError, StoreUnavailable, open_store
from dashboard.store.migrate import migrate
from dashboard.store.postgis import POOL_SIZE, setup_sql
from tests.support.paths import ROOT
from tests.support.pg import PASSWORD

ANNA = User("anna", Role.EDITOR, "password")
OLD_SCHEMA = ROOT / "tests" / "support" / "pg_schema_before_steps.sql"
LEGACY = "vor_stufen"  # schema and roles as named in that file
VIEWER, EDITOR_ROLE = "alt_rat", "alt_redaktion"
LAYER_HISTORY = "SELECT * FROM {}.history WHERE layer = 'offers' ORDER BY change_id DESC LIMIT 20"
USER_LAST = "SELECT * FROM {}.history WHERE user_name = 'anna' ORDER BY change_id DESC LIMIT 1"


def test_the_steps_are_numbered_in_order_and_each_printed_in_one_transaction_with_its_record():
    assert [step.number for step in pg_migrations.STEPS] == list(range(1, len(pg_migrations.STEPS) + 1))
    script = setup_sql("stadt", "rat", "red")
    for step in pg_migrations.STEPS:
        block = script.split(f"-- {step.number} {step.name}\nBEGIN;\n")[1].split("COMMIT;")[0]
        assert f'INSERT INTO "stadt"."schema_version" (step, name) VALUES ({step.number}, ' in block
    assert script.index('CREATE TABLE IF NOT EXISTS "stadt"."schema_version"') < script.index("-- 1 baseline")
    assert script.rstrip().endswith("COMMIT;") and 'GRANT USAGE ON SCHEMA "stadt" TO "rat", "red"' in script
    only_grants = setup_sql("stadt", "rat", "red", steps=[])
    assert "BEGIN" in only_grants and "-- 1" not in only_grants and "CREATE INDEX" not in only_grants


def _rows(connection, schema_name: str) -> dict[str, list[tuple]]:
    """Every row of every table of the schema but the step records, in a fixed order."""
    tables = connection.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = %s AND tablename <> 'schema_version' ORDER BY 1",
        [schema_name],
    ).fetchall()
    return {
        name: sorted(connection.execute(f'SELECT * FROM "{schema_name}"."{name}"').fetchall(), key=repr)
        for (name,) in tables
    }


def _catalog(connection, schema_name: str) -> list[tuple]:
    """Tables, columns and indexes of the schema, and the steps recorded (a second run must change none)."""
    columns = connection.execute(
        "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = %s "
        "ORDER BY 1, 2",
        [schema_name],
    ).fetchall()
    indexes = connection.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = %s ORDER BY 1", [schema_name]
    ).fetchall()
    steps = connection.execute(f'SELECT step, name, applied_at FROM "{schema_name}".schema_version ORDER BY 1')
    return [*columns, *indexes, *steps.fetchall()]


def _plan(connection, query: str) -> str:
    """The plan of ``query`` (sequential scans off, so a tiny table still shows the index it would use)."""
    with connection.transaction():
        connection.execute("SET LOCAL enable_seqscan = off")
        return "\n".join(row[0] for row in connection.execute(f"EXPLAIN {query}"))


def test_db_setup_brings_a_store_from_before_the_steps_to_the_newest_keeping_every_row(postgis, capsys):
    admin_url = postgis.url("quartier")
    with psycopg.connect(admin_url, autocommit=True) as admin:
        for role in (VIEWER, EDITOR_ROLE):
            admin.execute(f"CREATE ROLE {role} LOGIN PASSWORD 'pw-{role}'")
        admin.execute(OLD_SCHEMA.read_text(encoding="utf-8"))
        # today's code writes provenance per import: its tables of step 3 first, unrecorded like the others
        # (step 3 from the provenance tables of before has a test of its own below)
        for statement in pg_migrations.STEPS[2].statements(LEGACY):
            admin.execute(statement)
    owner = postgis.store_url(LEGACY)
    database = open_store(owner)
    migrate(open_store(gpkgfile.DEMO_PATH), database)
    offer = database.entries("offers").iloc[0]
    database.update(ANNA, "offers", offer["offer_id"], int(offer["row_version"]), {"name": "vorher geändert"})
    database.update(ANNA, "offers", offer["offer_id"], int(offer["row_version"]) + 1, {"capacity": 12})
    database.undo_last(ANNA)
    database.save_view(ANNA, title="Vor dem Update", note="", page="luecken", query="g=senioren", data_stand="x")
    database.record_signin_attempts({"name:ben": Attempts(2, 0, 0.0, time.time())}, forget_before=0.0)
    with psycopg.connect(admin_url) as connection:
        before, version = _rows(connection, LEGACY), database.version()
        assert "change_idx" not in _plan(connection, LAYER_HISTORY.format(LEGACY))
    roles = ["--viewer-role", VIEWER, "--editor-role", EDITOR_ROLE]

    # printed for the DBA: every step pending (the old schema has no record of any), nothing changed yet
    assert cli.main(["db-setup", "--url", owner, *roles]) == 0
    printed = capsys.readouterr()
    assert "-- 1 baseline\nBEGIN;" in printed.out and "-- 2 history_in_change_order\nBEGIN;" in printed.out
    assert "Ausstehend: 3 Schritte: 1 (baseline), 2 (history_in_change_order), 3 (provenance_per_import)" in (
        printed.err
    )
    assert PASSWORD not in printed.out + printed.err
    assert database.pending_steps() == list(pg_migrations.STEPS)

    assert cli.main(["db-setup", "--url", owner, *roles, "--apply"]) == 0
    assert "3 Schritte angewandt: 1 (baseline), 2 (history_in_change_order), 3 (provenance_per_import)" in (
        capsys.readouterr().out
    )
    with psycopg.connect(admin_url) as connection:
        assert _rows(connection, LEGACY) == before  # every entry, history record, view and sign-in count kept
        # step 2: the editing page's list of a layer's changes and the undo's last change of a person, in order
        assert "Scan Backward using history_layer_change_idx" in _plan(connection, LAYER_HISTORY.format(LEGACY))
        assert "Scan Backward using history_user_change_idx" in _plan(connection, USER_LAST.format(LEGACY))
        catalog = _catalog(connection, LEGACY)
    assert database.version() == version  # no data changed: no instance reloads
    assert [c.action for c in database.history()][:3] == ["add", "undo", "update"]

    # a second run changes nothing, and the printed script then only grants the rights anew
    assert cli.main(["db-setup", "--url", owner, *roles, "--apply"]) == 0
    assert "es fehlt kein Schritt" in capsys.readouterr().out
    assert cli.main(["db-setup", "--url", owner, *roles]) == 0
    printed = capsys.readouterr()
    assert "-- 1" not in printed.out and "GRANT" in printed.out and "es fehlt kein Schritt" in printed.err
    with psycopg.connect(admin_url) as connection:
        assert _catalog(connection, LEGACY) == catalog and _rows(connection, LEGACY) == before

    # the rights granted again after the steps: editors write without deleting, viewers read without contacts
    editor = open_store(postgis.store_url(LEGACY, EDITOR_ROLE, f"pw-{EDITOR_ROLE}"))
    viewer = open_store(postgis.store_url(LEGACY, VIEWER, f"pw-{VIEWER}"))
    editor.update(ANNA, "offers", offer["offer_id"], int(offer["row_version"]) + 3, {"name": "nach dem Update"})
    assert "contact" not in viewer.read().offers.columns
    assert viewer.read().offers.set_index("offer_id").loc[offer["offer_id"], "name"] == "nach dem Update"
    with psycopg.connect(postgis.url("quartier", EDITOR_ROLE, f"pw-{EDITOR_ROLE}"), autocommit=True) as connection:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            connection.execute(f"DELETE FROM {LEGACY}.history")


def test_migrate_and_the_first_import_set_a_fresh_schema_up_through_the_same_steps(postgis, capsys):
    url = postgis.store_url()
    migrate(open_store(gpkgfile.DEMO_PATH), open_store(url))
    assert open_store(url).pending_steps() == []
    assert cli.main(["db-setup", "--url", url]) == 0
    assert "es fehlt kein Schritt" in capsys.readouterr().err


# ---------------------------------------------------------------- the pool


def _offer(data_store, offer_id=None):
    offers = data_store.entries("offers").set_index("offer_id")
    return offers.loc[offer_id if offer_id is not None else offers.index[0]]


def test_the_pool_survives_a_server_restart_and_the_next_query_succeeds(postgis):
    database = open_store(postgis.store_url())
    migrate(open_store(gpkgfile.DEMO_PATH), database)
    version = database.version()
    postgis.stop()
    postgis.start()
    assert database.version() == version  # the dead connection is found by the check and replaced
    offer = _offer(database)
    database.update(ANNA, "offers", offer.name, int(offer["row_version"]), {"name": "nach dem Neustart"})
    assert _offer(database, offer.name)["name"] == "nach dem Neustart"


def test_many_threads_saving_at_once_lose_nothing_and_share_a_few_connections(postgis, monkeypatch):
    url = postgis.store_url() + "&application_name=pooltest"  # a pool of its own, so its connections can be counted
    migrate(open_store(gpkgfile.DEMO_PATH), open_store(url))
    connects = []
    connect = psycopg.Connection.connect

    def counted(*args, **kwargs):
        connects.append(1)
        return connect(*args, **kwargs)

    monkeypatch.setattr(psycopg.Connection, "connect", counted)
    database = open_store(url)
    offer = _offer(database)
    database.update(ANNA, "offers", offer.name, int(offer["row_version"]), {"capacity": 0})
    history = len(database.history(limit=10**6))
    saves: list[int] = []
    errors: list[BaseException] = []

    def editor(number: int) -> None:
        user = User(f"redaktion{number}", Role.EDITOR, "password")
        try:
            for _ in range(5):
                while True:  # +1 on one hot entry: a conflict means someone else saved first, so read and retry
                    row = _offer(database, offer.name)
                    try:
                        database.update(
                            user, "offers", offer.name, int(row["row_version"]), {"capacity": int(row["capacity"]) + 1}
                        )
                        break
                    except ConflictError:
                        continue
                saves.append(number)
        except BaseException as err:  # noqa: BLE001 - reported by the test
            errors.append(err)

    threads = [threading.Thread(target=editor, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert errors == [] and len(saves) == 60
    assert int(_offer(database, offer.name)["capacity"]) == 60
    assert len(database.history(limit=10**6)) == history + 60
    assert len(connects) <= 1 + POOL_SIZE  # one plain check before the pool opened, then the pool's own


def test_a_refused_login_is_told_at_once_and_no_password_reaches_a_log(postgis, caplog):
    caplog.set_level(logging.DEBUG)
    wrong = open_store(postgis.store_url().replace(PASSWORD, "falsches-Passwort-42"))
    with pytest.raises(StoreUnavailable) as refused:
        wrong.version()
    assert "Datenbank nicht erreichbar" in refused.value.text()
    right = open_store(postgis.store_url())
    right.is_empty()
    postgis.stop()
    try:
        with pytest.raises(StoreUnavailable):
            right.version()
    finally:
        postgis.start()
    right.is_empty()
    logged = caplog.text + "".join(traceback.format_exception(refused.value))
    assert "falsches-Passwort-42" not in logged and PASSWORD not in logged


def test_step_3_keeps_the_provenance_of_before_as_each_layers_base_and_then_keeps_updates_apart(postgis):
    suffix = uuid.uuid4().hex[:8]
    name, viewer, editor = f"alt_{suffix}", f"rat_{suffix}", f"red_{suffix}"
    old = OLD_SCHEMA.read_text(encoding="utf-8")
    old = old.replace(LEGACY, name).replace(VIEWER, viewer).replace(EDITOR_ROLE, editor)
    with psycopg.connect(postgis.url("quartier"), autocommit=True) as admin:
        for role in (viewer, editor):
            admin.execute(f"CREATE ROLE {role} LOGIN PASSWORD 'pw-{role}'")
        admin.execute(old)
        admin.execute(
            f"INSERT INTO {name}.layer_meta VALUES ('offers', 'angebote.csv', 'dl-de/by-2-0', 'Stadt X', "
            f"'2026-01-01'), ('areas', NULL, 'CC0', NULL, NULL)"
        )
    assert cli.main(["db-setup", "--url", postgis.store_url(name), "--editor-role", editor, "--apply"]) == 0
    store = open_store(postgis.store_url(name, editor, f"pw-{editor}"))
    before = store.read()
    assert before.meta == {
        "offers": LayerMeta("angebote.csv", "dl-de/by-2-0", "Stadt X", "2026-01-01"),
        "areas": LayerMeta("", "CC0", "", ""),
    }
    assert before.updates == {} and before.entry_sources == {}
    offers = gpkgfile.read_geopackage(gpkgfile.DEMO_PATH).offers.head(2)
    first, second = offers["offer_id"]
    meta = LayerMeta("neu.csv", "", "", "2026-11-30")
    store.import_layer(ANNA, "offers", offers, meta, source="neu.csv", mode="update", counts={}, imported_ids=[second])
    after = store.read()
    assert after.meta["offers"].source == "angebote.csv" and after.updates["offers"][0].source == "neu.csv"
    assert [(s.meta.source, s.entries) for s in after.layer_sources("offers")] == [("angebote.csv", 1), ("neu.csv", 1)]
    assert after.entry_sources == {"offers": {second: "neu.csv"}} and first not in after.entry_sources["offers"]
