"""``migrate`` and ``db-setup`` on the command line, and the app on PostGIS with the two database roles."""

from __future__ import annotations

import shutil
from pathlib import Path

import psycopg
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import cli
from dashboard.store import gpkgfile
from dashboard.store.base import open_store
from dashboard.web import signin
from tests.support.apptree import everything
from tests.support.factories import EDITOR
from tests.support.paths import APP


@pytest.fixture
def demo_dir(tmp_path) -> Path:
    folder = tmp_path / "daten"
    folder.mkdir()
    shutil.copy(gpkgfile.DEMO_PATH, folder / "quartiersatlas.gpkg")
    return folder


def test_migrate_to_postgis_and_back(postgis, demo_dir, tmp_path, capsys):
    source = open_store(demo_dir / "quartiersatlas.gpkg")
    offer = source.entries("offers").iloc[0]
    source.update(EDITOR, "offers", offer["offer_id"], int(offer["row_version"]), {"opening_hours": "Di 10-12"})
    url = postgis.store_url()
    assert cli.main(["migrate", "--from", str(demo_dir), "--to", url]) == 0
    out = capsys.readouterr().out
    assert "1 Eintrag im" in out and postgis.url().split("@")[0].split(":")[-1] not in out  # no password printed
    database = open_store(url)
    assert database.read().offers.set_index("offer_id").loc[offer["offer_id"], "opening_hours"] == "Di 10-12"
    assert [c.user for c in database.history()] == ["anna"]
    back = tmp_path / "zurueck"
    assert cli.main(["migrate", "--from", url, "--to", str(back)]) == 0
    returned = open_store(back / "quartiersatlas.gpkg")
    assert len(returned.read().offers) == len(source.read().offers)
    assert returned.history()[0].after["opening_hours"] == "Di 10-12"
    # a target holding data is never overwritten
    assert cli.main(["migrate", "--from", str(demo_dir), "--to", url]) == 2
    assert "unverändert" in capsys.readouterr().err


def test_db_setup_prints_sql_and_refuses_a_path(capsys):
    assert (
        cli.main(
            [
                "db-setup",
                "--url",
                "postgresql://owner@db.example.invalid/geo?schema=stadt",
                "--viewer-role",
                "rat",
                "--editor-role",
                "red",
            ]
        )
        == 0
    )
    sql = capsys.readouterr().out
    assert 'CREATE SCHEMA IF NOT EXISTS "stadt"' in sql and "GRANT" in sql
    assert cli.main(["db-setup", "--url", "daten/quartiersatlas.gpkg"]) == 2


def _roles(postgis, url_schema: str) -> tuple[str, str]:
    with psycopg.connect(postgis.url("quartier"), autocommit=True) as connection:
        for role in ("rat_viewer", "red_editor"):
            connection.execute(
                f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') "
                f"THEN CREATE ROLE {role} LOGIN PASSWORD 'pw-{role}'; END IF; END $$"
            )
            connection.execute(f"GRANT CONNECT ON DATABASE quartier TO {role}")
    return postgis.store_url(url_schema, user="rat_viewer", password="pw-rat_viewer"), postgis.store_url(
        url_schema, user="red_editor", password="pw-red_editor"
    )


def test_app_on_postgis_viewers_through_the_read_only_role(postgis, demo_dir, monkeypatch, capsys):
    schema_name = "stadt_apptest"
    owner = postgis.store_url(schema_name)
    assert cli.main(["migrate", "--from", str(demo_dir), "--to", owner]) == 0
    viewer_url, editor_url = _roles(postgis, schema_name)
    assert (
        cli.main(["db-setup", "--url", owner, "--viewer-role", "rat_viewer", "--editor-role", "red_editor", "--apply"])
        == 0
    )
    monkeypatch.delenv("QUARTIERSATLAS_WORKSPACE", raising=False)
    monkeypatch.setenv("QUARTIER_DATABASE_URL", editor_url)
    monkeypatch.setenv("QUARTIER_DATABASE_VIEWER_URL", viewer_url)

    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception and "Musterstadt" in at.title[0].value
    assert "0000 " not in everything(at)  # the demo's contact numbers never reach a viewer

    editor = AppTest.from_file(APP, default_timeout=120)
    editor.session_state[signin._USER_KEY] = EDITOR
    editor.run()
    editor.switch_page("pages/pflege.py").run()
    assert not editor.exception
    # the editor role may change data but not the history; the viewer role may change nothing
    with psycopg.connect(editor_url.split("?")[0], autocommit=True) as connection:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            connection.execute(f'DELETE FROM "{schema_name}".history')
    with psycopg.connect(viewer_url.split("?")[0], autocommit=True) as connection:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            connection.execute(f"UPDATE \"{schema_name}\".offers SET name = 'x'")


def test_demo_adopted_into_an_empty_database_once(postgis):
    from dashboard.store.base import StoreError
    from dashboard.store.settings import load_settings
    from dashboard.web import edits

    settings = load_settings({"QUARTIER_DATABASE_URL": postgis.store_url()})
    assert settings.uses_demo and "***" in settings.store_label
    edits.adopt_demo(EDITOR, settings)
    assert not settings.uses_demo and len(settings.store().read().quartiere()) == 127
    with pytest.raises(StoreError):
        edits.adopt_demo(EDITOR, settings)


def test_import_and_export_straight_into_postgis(postgis, tmp_path, capsys):
    url = postgis.store_url()
    source = tmp_path / "bezirke.geojson"
    demo = gpkgfile.read_geopackage(gpkgfile.DEMO_PATH)
    demo.bezirke()[["area_id", "name", "geometry"]].to_file(source)
    assert cli.main(["import", "--layer", "bezirke", str(source), "--workspace", url, "--city", "Musterstadt"]) == 0
    assert "***" in capsys.readouterr().out
    assert len(open_store(url).read().bezirke()) == 20
    out = tmp_path / "export.gpkg"
    assert cli.main(["export", "--workspace", url, "--out", str(out)]) == 0
    assert len(gpkgfile.read_geopackage(out).bezirke()) == 20
