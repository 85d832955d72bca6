"""Every command that takes a store accepts a postgresql:// URL, a data folder or a GeoPackage file. A database
that refuses the login, cannot be reached or denies the role a right ends in a German message and exit code 2,
never a traceback, nothing written, and no password is ever printed."""

from __future__ import annotations

import socket
import traceback
from pathlib import Path

import psycopg
import pytest

from dashboard import cli
from dashboard.store.base import open_store
from dashboard.store.gpkgfile import read_geopackage, write_geopackage
from tests.support.factories import X0, Y0, tiny_workspace

SECRET = "Geheim-0815"
VIEWER, VIEWER_PASSWORD = "walk_viewer", "pw-Walk-4711"
SCHEMA = "t_walk"
#: What each way says on stderr (the viewer's only when a command needs a right it lacks).
REFUSED, UNREACHABLE, NO_RIGHT = "Anmeldung abgelehnt", "nicht erreichbar", "fehlt die Berechtigung"


def _closed_port_url() -> str:
    with socket.socket() as probe:  # a port just freed: nobody listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"postgresql://planer:{SECRET}@127.0.0.1:{port}/quartier?schema={SCHEMA}"


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    """The tiny city as a GeoPackage, its offers as GeoJSON (a valid import) and one footpath."""
    import geopandas as gpd
    from shapely.geometry import LineString

    folder = tmp_path_factory.mktemp("walk")
    workspace = tiny_workspace()
    write_geopackage(workspace, folder / "kleinstadt.gpkg")
    workspace.offers.to_file(folder / "angebote.geojson")
    gpd.GeoDataFrame(
        {"highway": ["footway"]}, geometry=[LineString([(X0, Y0), (X0 + 500, Y0)])], crs="EPSG:3035"
    ).to_file(folder / "wege.geojson")
    return {"city": folder / "kleinstadt.gpkg", "offers": folder / "angebote.geojson", "paths": folder / "wege.geojson"}


def test_gaps_names_a_database_given_as_a_file_without_its_password(tmp_path, capsys):
    url = _closed_port_url()
    args = ["gaps", "--areas", url, "--population", url, "--offers", url, "--out", str(tmp_path / "x.csv")]
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert "Gebiete: postgresql://planer:***@127.0.0.1:" in err and "ist die Adresse einer Datenbank" in err
    assert SECRET not in err


def test_paths_into_a_data_folder_as_import_does(demo_store, files, capsys):
    folder = demo_store.parent  # daten/ with quartiersatlas.gpkg in it
    assert cli.main(["paths", str(files["paths"]), "--workspace", str(folder)]) == 0
    assert "1 Weg übernommen" in capsys.readouterr().out
    assert len(read_geopackage(demo_store).layer("paths")) == 1


def test_paths_out_copies_a_geopackage_only(tmp_path, files, capsys):
    out = tmp_path / "kopie.gpkg"
    for workspace in (_closed_port_url(), str(tmp_path / "fehlt.gpkg")):
        assert cli.main(["paths", str(files["paths"]), "--workspace", workspace, "--out", str(out)]) == 2
        err = capsys.readouterr().err
        assert "--out kopiert ein GeoPackage" in err and SECRET not in err
    assert not out.exists()


def test_a_data_folder_and_a_geopackage_file_are_stores_too(files, tmp_path, capsys):
    folder = tmp_path / "daten"
    assert cli.main(["migrate", "--from", str(files["city"]), "--to", str(folder)]) == 0
    assert cli.main(["export", "--workspace", str(folder), "--out", str(tmp_path / "a.gpkg")]) == 0
    assert cli.main(["migrate", "--from", str(folder), "--to", str(tmp_path / "b.gpkg")]) == 0
    assert cli.main(["gaps", "--workspace", str(tmp_path / "b.gpkg"), "--out", str(tmp_path / "b.csv")]) == 0
    assert len(read_geopackage(tmp_path / "a.gpkg").offers) == len(read_geopackage(tmp_path / "b.gpkg").offers) == 2


def test_a_misspelt_database_address_is_named_without_password(tmp_path, capsys):
    url = _closed_port_url().replace("?schema=", "?shema=")  # libpq knows no such parameter
    assert cli.main(["export", "--workspace", url, "--out", str(tmp_path / "x.gpkg")]) == 2
    err = capsys.readouterr().err
    assert "Adresse der Datenbank ungültig" in err and SECRET not in err and "Traceback" not in err


def test_demo_writes_a_file_and_names_migrate_for_a_database(tmp_path, capsys):
    assert cli.main(["demo", "--out", _closed_port_url()]) == 2
    err = capsys.readouterr().err
    assert "migrate --from DATEI.gpkg --to postgresql://" in err and SECRET not in err


def test_report_gaps_and_paths_work_on_a_database_and_hide_its_password(postgis, tmp_path, files, capsys):
    from tests.support.pg import PASSWORD

    url = postgis.store_url()
    assert cli.main(["migrate", "--from", str(files["city"]), "--to", url]) == 0
    out = tmp_path / "bericht.pdf"
    assert (
        cli.main(["report", "--workspace", url, "--area", "0101", "--out", str(out), "--view", "p=luecken&g=senioren"])
        == 0
    )
    assert out.exists()
    assert (
        cli.main(["gaps", "--workspace", url, "--view", "?p=luecken&g=senioren", "--out", str(tmp_path / "x.csv")]) == 0
    )
    assert cli.main(["paths", str(files["paths"]), "--workspace", url]) == 0
    captured = capsys.readouterr()
    assert "Einstellungen der Ansicht: Senioren · 400 m" in captured.out
    assert ":***@127.0.0.1" in captured.out and PASSWORD not in captured.out + captured.err


@pytest.fixture(scope="module")
def stores(postgis, files) -> dict[str, str]:
    """The tiny city in PostGIS, set up with a viewer role; the URLs each way reaches it by."""
    owner = postgis.store_url(SCHEMA)
    assert cli.main(["migrate", "--from", str(files["city"]), "--to", owner]) == 0
    with psycopg.connect(postgis.url("quartier"), autocommit=True) as connection:
        connection.execute(f"CREATE ROLE {VIEWER} LOGIN PASSWORD '{VIEWER_PASSWORD}'")
        connection.execute(f"GRANT CONNECT ON DATABASE quartier TO {VIEWER}")
    assert cli.main(["db-setup", "--url", owner, "--viewer-role", VIEWER, "--apply"]) == 0
    return {
        "owner": owner,
        "wrong password": postgis.store_url(SCHEMA, password=SECRET),
        "closed port": _closed_port_url(),
        "viewer": postgis.store_url(SCHEMA, user=VIEWER, password=VIEWER_PASSWORD),
    }


def _commands(url: str, out: str, files: dict[str, Path]) -> dict[str, list[str]]:
    """Every command with ``url`` where it takes a store; ``out`` is where it would write a file."""
    return {
        "report": ["report", "--workspace", url, "--area", "0101", "--out", f"{out}.pdf"],
        "gaps": ["gaps", "--workspace", url, "--out", f"{out}.csv"],
        "sites": ["sites", "--view", "?p=luecken", "--new", "1", "--workspace", url, "--out", f"{out}.csv"],
        "export": ["export", "--workspace", url, "--out", f"{out}.gpkg"],
        "migrate --from": ["migrate", "--from", url, "--to", f"{out}-kopie.gpkg"],
        "import": ["import", str(files["offers"]), "--layer", "offers", "--workspace", url],
        "paths": ["paths", str(files["paths"]), "--workspace", url],
        "migrate --to": ["migrate", "--from", str(files["city"]), "--to", url],
        "db-setup": ["db-setup", "--url", url, "--apply"],
    }


READING = ("report", "gaps", "sites", "export", "migrate --from")
WRITING = ("import", "paths", "migrate --to", "db-setup")


def _state(owner: str) -> tuple:
    """What a refused command must leave as it was: the data version, the rows of every layer, the history."""
    store = open_store(owner)
    return store.version(), {name: len(frame) for name, frame in store.read().layers.items()}, len(store.history())


@pytest.mark.parametrize("way", ["wrong password", "closed port", "viewer"])
@pytest.mark.parametrize("command", [*READING, *WRITING])
def test_every_store_command_refused_in_german_without_password(stores, files, way, command, tmp_path, capsys):
    url = stores[way]
    before = _state(stores["owner"])
    try:
        code = cli.main(_commands(url, str(tmp_path / "aus"), files)[command])
    except Exception:  # noqa: BLE001 - the point: a traceback is a failure with the traceback shown
        pytest.fail(f"{command} ended in a traceback:\n{traceback.format_exc()}")
    captured = capsys.readouterr()
    printed = captured.out + captured.err
    password = url.split("@")[0].rsplit(":", 1)[1]
    assert password not in printed and url not in printed
    assert "Traceback" not in printed
    assert _state(stores["owner"]) == before  # nothing written to the store
    if way == "viewer" and command in READING:
        assert code == 0 or (code == 2 and NO_RIGHT in captured.err), captured.err
        return
    assert code == 2, printed
    expected = {"wrong password": REFUSED, "closed port": UNREACHABLE, "viewer": NO_RIGHT}[way]
    assert captured.err.startswith("Fehler: ") and expected in captured.err, captured.err
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith("aus")]  # no file written either
