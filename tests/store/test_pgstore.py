"""What only the PostGIS store has: database roles, bound parameters, several app instances on one
database, outages, and migration both ways. Against a real throwaway server (``tests/support/pg.py``);
the shared contract runs for this backend in ``test_datastore.py``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import traceback

import geopandas as gpd
import psycopg
import pytest
from shapely.geometry import Point

from dashboard.model.roles import Role, User
from dashboard.model.workspace import LayerMeta
from dashboard.store import gpkgfile
from dashboard.store.base import ConflictError, StoreUnavailable, open_store
from dashboard.store.migrate import migrate
from dashboard.store.postgis import PostGISStore, create_schema, redact
from tests.support.paths import ROOT
from tests.support.pg import PASSWORD

ANNA = User("anna", Role.EDITOR, "password")
HOSTILE = "'); DROP TABLE offers; --"


def _demo_into(url: str) -> PostGISStore:
    database = open_store(url)
    migrate(open_store(gpkgfile.DEMO_PATH), database)
    return database


def _offer(data_store, entry_id):
    entries = data_store.entries("offers")
    return entries[entries["offer_id"] == entry_id].iloc[0]


@pytest.fixture
def pg_store(postgis):
    return _demo_into(postgis.store_url())


def test_roles_viewer_reads_without_contacts_and_editor_cannot_rewrite_history(postgis):
    with psycopg.connect(postgis.url("quartier"), autocommit=True) as admin:
        for role in ("atlas_viewer", "atlas_editor"):
            admin.execute(f"CREATE ROLE {role} LOGIN PASSWORD 'pw-{role}'")
    owner_url = postgis.store_url("rechte")
    create_schema(owner_url, viewer_role="atlas_viewer", editor_role="atlas_editor")
    _demo_into(owner_url)
    create_schema(
        owner_url, viewer_role="atlas_viewer", editor_role="atlas_editor"
    )  # again, as after an update: harmless
    editor = open_store(postgis.store_url("rechte", "atlas_editor", "pw-atlas_editor"))
    viewer = open_store(postgis.store_url("rechte", "atlas_viewer", "pw-atlas_viewer"))

    # the app connected as editor does all its work: edit, undo, import (upsert + retire, no DELETE needed)
    offer = _offer(editor, editor.entries("offers")["offer_id"].iloc[0])
    editor.update(ANNA, "offers", offer["offer_id"], int(offer["row_version"]), {"name": "geändert"})
    editor.undo_last(ANNA)
    editor.import_layer(
        ANNA, "offers", editor.read().offers.head(5), LayerMeta(), source="x.csv", mode="replace", counts={}
    )
    assert len(editor.read().offers) == 5 and "contact" in editor.read().offers.columns

    # a viewer instance reads everything but the contacts, and cannot write even for a signed-in editor
    workspace = viewer.read()
    assert len(workspace.offers) == 5 and len(workspace.actors) == 472
    assert "contact" not in workspace.offers.columns and "contact" not in workspace.actors.columns
    version = viewer.version()
    with pytest.raises(StoreUnavailable):
        viewer.update(
            ANNA, "offers", offer["offer_id"], int(_offer(editor, offer["offer_id"])["row_version"]), {"name": "x"}
        )
    assert viewer.version() == version

    refused = {
        "viewer": [
            "SELECT contact FROM rechte.offers",
            "SELECT contact FROM rechte.actors",
            "SELECT after FROM rechte.history",
            "UPDATE rechte.offers SET name = 'x'",
        ],
        "editor": [
            "UPDATE rechte.history SET action = 'x'",
            "DELETE FROM rechte.history",
            "DELETE FROM rechte.import_log",
            "DELETE FROM rechte.offers",
            "DROP TABLE rechte.offers",
        ],
    }
    for role, statements in refused.items():
        with psycopg.connect(
            postgis.url("quartier", f"atlas_{role}", f"pw-atlas_{role}"), autocommit=True
        ) as connection:
            for statement in statements:
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    connection.execute(statement)
            assert connection.execute("SELECT count(*) FROM rechte.history").fetchone()[0] == 3
    assert [c.action for c in editor.history()] == ["import", "undo", "update"]


def test_text_and_names_go_in_as_bound_parameters(postgis):
    schema_name = 'Stadt "A"; DROP SCHEMA public; --'
    data_store = _demo_into(postgis.store_url(schema_name))
    offer = _offer(data_store, data_store.entries("offers")["offer_id"].iloc[0])
    data_store.update(
        ANNA,
        "offers",
        offer["offer_id"],
        int(offer["row_version"]),
        {"name": HOSTILE, "opening_hours": "100% \\ %s {}"},
    )
    spot = data_store.read().offers.geometry.iloc[0]
    data_store.add(
        User(HOSTILE, Role.EDITOR),
        "offers",
        {"offer_id": HOSTILE, "name": HOSTILE, "category": "kultur", "target_groups": "alle", "level": "mitwirkung"},
        spot,
    )
    offers = data_store.read().offers.set_index("offer_id")
    assert (
        offers.loc[offer["offer_id"], "name"] == HOSTILE
        and offers.loc[offer["offer_id"], "opening_hours"] == "100% \\ %s {}"
    )
    assert offers.loc[HOSTILE, "name"] == HOSTILE and len(offers) == 892
    assert data_store.history(entry_id=HOSTILE)[0].user == HOSTILE
    assert len(open_store(postgis.store_url(schema_name)).read().offers) == 892


def test_a_second_app_instance_sees_a_change_on_its_next_rerun(postgis, pg_store):
    offer = _offer(pg_store, pg_store.entries("offers")["offer_id"].iloc[2])
    seen = pg_store.version()
    script = (
        "import sys; from dashboard.store.base import open_store; from dashboard.model.roles import User, Role\n"
        "s = open_store(sys.argv[1]); "
        "s.update(User('ben', Role.EDITOR), 'offers', sys.argv[2], int(sys.argv[3]), {'name': 'von Instanz B'})"
    )
    subprocess.run(
        [sys.executable, "-c", script, pg_store.url, offer["offer_id"], str(int(offer["row_version"]))],
        cwd=ROOT,
        check=True,
    )
    assert pg_store.version() != seen
    assert pg_store.read().offers.set_index("offer_id").loc[offer["offer_id"], "name"] == "von Instanz B"
    with pytest.raises(ConflictError) as conflict:  # this instance still holds the old row version
        pg_store.update(ANNA, "offers", offer["offer_id"], int(offer["row_version"]), {"name": "von Instanz A"})
    assert "ben" in conflict.value.text()


def test_server_stopped_mid_save_writes_nothing_and_the_store_recovers(postgis, pg_store, monkeypatch):
    offer = _offer(pg_store, pg_store.entries("offers")["offer_id"].iloc[4])
    version = pg_store.version()
    record = PostGISStore._record

    def stop_then_record(self, *args):  # the UPDATE is sent, the history INSERT and COMMIT are not
        postgis.stop()
        return record(self, *args)

    monkeypatch.setattr(PostGISStore, "_record", stop_then_record)
    try:
        with pytest.raises(StoreUnavailable) as outage:
            pg_store.update(ANNA, "offers", offer["offer_id"], int(offer["row_version"]), {"name": "HALB GESPEICHERT"})
        with pytest.raises(StoreUnavailable):
            pg_store.read()
        with pytest.raises(StoreUnavailable):
            pg_store.version()
    finally:
        monkeypatch.undo()
        postgis.start()
    message = "".join(traceback.format_exception(outage.value)) + outage.value.text("en")
    assert "Datenbank nicht erreichbar" in message and PASSWORD not in message and PASSWORD not in repr(pg_store)
    assert PASSWORD not in redact(pg_store.url) and "***" in redact(pg_store.url)

    assert pg_store.version() == version  # the standing connection is renewed after the restart
    assert _offer(pg_store, offer["offer_id"])["name"] == offer["name"] and pg_store.history() == []
    pg_store.update(ANNA, "offers", offer["offer_id"], int(offer["row_version"]), {"name": "danach"})
    assert _offer(pg_store, offer["offer_id"])["name"] == "danach"

    wrong = open_store(pg_store.url.replace(PASSWORD, "falsches-Passwort-42"))
    with pytest.raises(StoreUnavailable) as refused:
        wrong.read()
    assert "falsches-Passwort-42" not in "".join(traceback.format_exception(refused.value))


def test_a_fresh_schema_is_created_by_the_first_import(postgis):
    data_store = open_store(postgis.store_url())
    assert data_store.is_empty() and data_store.version() == "empty"
    demo = gpkgfile.read_geopackage(gpkgfile.DEMO_PATH)
    data_store.import_layer(
        ANNA,
        "areas",
        demo.areas,
        demo.layer_meta("areas"),
        source="areas.gpkg",
        mode="replace",
        counts={"city": "Neustadt"},
    )
    assert not data_store.is_empty() and data_store.read().city == "Neustadt"
    spot = (
        gpd.GeoSeries([demo.areas.geometry.iloc[-1].representative_point()], crs=demo.areas.crs)
        .to_crs(data_store.crs("actors"))
        .iloc[0]
    )
    data_store.add(
        ANNA,
        "actors",
        {"actor_id": "A1", "name": "Bürgerverein", "sector": "zivilgesellschaft", "contact": "info@example.org"},
        spot,
    )
    actors = data_store.read().actors
    assert actors["actor_id"].tolist() == ["A1"] and actors["contact"].tolist() == ["info@example.org"]
    assert actors.crs == "EPSG:3035" and data_store.read().areas.crs == "EPSG:3035"


def test_read_equals_the_geopackage_read(pg_store):
    from_file, from_database = gpkgfile.read_geopackage(gpkgfile.DEMO_PATH), pg_store.read()
    assert (from_database.city, from_database.is_demo, from_database.meta) == (
        from_file.city,
        from_file.is_demo,
        from_file.meta,
    )
    assert set(from_database.layers) == set(from_file.layers)
    for name, expected in from_file.layers.items():
        got = from_database.layers[name]
        assert list(got.columns) == list(expected.columns) and got.dtypes.equals(expected.dtypes), name
        if "geometry" in expected.columns:
            assert got.geometry.geom_equals_exact(expected.to_crs(got.crs).geometry, tolerance=1e-6).all(), name
            got, expected = got.drop(columns="geometry"), expected.drop(columns="geometry")
        assert got.equals(expected), name


def test_migration_round_trip_keeps_ids_history_versions_and_retired(postgis, tmp_path):
    source_path = tmp_path / "vorher.gpkg"
    shutil.copy(gpkgfile.DEMO_PATH, source_path)
    source = open_store(source_path)
    ids = source.entries("offers")["offer_id"]
    first, second = _offer(source, ids.iloc[0]), _offer(source, ids.iloc[1])
    source.update(ANNA, "offers", first["offer_id"], int(first["row_version"]), {"capacity": 40})
    source.retire(ANNA, "offers", second["offer_id"], int(second["row_version"]), "2026-11-03")
    source.move(
        ANNA,
        "offers",
        first["offer_id"],
        int(first["row_version"]) + 1,
        Point(first.geometry.x + 250, first.geometry.y),
    )
    source.undo_last(ANNA)  # undo the move …
    source.move(
        ANNA,
        "offers",
        first["offer_id"],
        int(first["row_version"]) + 3,
        Point(first.geometry.x + 500, first.geometry.y),
    )  # … and move once more
    source.remember_mapping(ANNA, "angebote.csv:1", "offers", '{"name": "Titel"}')
    source.import_layer(
        ANNA,
        "cooperations",
        source.read().cooperations.head(100),
        LayerMeta("Liste", "CC0", "Stadt", "2026-09-01"),
        source="koop.csv",
        mode="replace",
        counts={"read": 101, "imported": 100, "rejected": 1},
    )

    database = open_store(postgis.store_url())
    migrate(source, database)
    back = open_store(tmp_path / "zurueck.gpkg")
    migrate(database, back)

    for target in (database, back):
        for layer in ("offers", "cooperations", "actors", "population"):
            expected, got = source.entries(layer), target.entries(layer)
            keys = [c for c in expected.columns if c != "geometry"]
            assert (
                got[keys]
                .sort_values(keys[0])
                .reset_index(drop=True)
                .equals(expected[keys].sort_values(keys[0]).reset_index(drop=True))
            ), layer
        assert _without_geometry(target.history(limit=100)) == _without_geometry(source.history(limit=100))
        assert (
            target.import_log().equals(source.import_log()) and target.mapping("angebote.csv:1") == '{"name": "Titel"}'
        )
        workspace = target.read()
        assert (
            workspace.layer_meta("cooperations") == LayerMeta("Liste", "CC0", "Stadt", "2026-09-01")
            and workspace.city == "Musterstadt"
        )
    assert _offer(database, second["offer_id"])["retired_on"] == "2026-11-03"

    # geometries in the history moved into the database's CRS with the layer: undoing the last move works there
    database.undo_last(ANNA)
    at_start = gpd.GeoSeries([first.geometry], crs=source.crs("offers")).to_crs(database.crs("offers")).iloc[0]
    assert _offer(database, first["offer_id"]).geometry.distance(at_start) < 0.01
    for occupied in (back, database):  # nothing is overwritten
        with pytest.raises(ValueError):
            migrate(source, occupied)
    assert [c.action for c in database.history(limit=1)] == ["undo"]


def _without_geometry(changes):
    return [
        (c.change_id, c.at, c.user, c.action, c.layer, c.entry_id, _values(c.before), _values(c.after), c.undone_by)
        for c in changes
    ]


def _values(values):
    return None if values is None else {k: v for k, v in values.items() if k != "geometry"}
