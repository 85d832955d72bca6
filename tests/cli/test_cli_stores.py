"""Every command that takes a store: a database that cannot be reached or refuses the login ends in a
German message and exit code 2, never a traceback, and no password is ever printed."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from dashboard import cli
from dashboard.store.gpkgfile import read_geopackage
from tests.support.factories import X0, Y0

SECRET = "Geheim-0815"


def _closed_port_url() -> str:
    with socket.socket() as probe:  # a port just freed: nobody listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"postgresql://planer:{SECRET}@127.0.0.1:{port}/quartier?schema=stadt"


@pytest.fixture
def paths_file(tmp_path) -> Path:
    import geopandas as gpd
    from shapely.geometry import LineString

    path = tmp_path / "wege.geojson"
    gpd.GeoDataFrame(
        {"highway": ["footway"]}, geometry=[LineString([(X0, Y0), (X0 + 500, Y0)])], crs="EPSG:3035"
    ).to_file(path)
    return path


def _commands(url: str, tmp_path: Path, paths_file: Path) -> dict[str, list[str]]:
    out = str(tmp_path / "aus")
    return {
        "report": ["report", "--workspace", url, "--area", "0101", "--out", f"{out}.pdf"],
        "export": ["export", "--workspace", url, "--out", f"{out}.gpkg"],
        "import": ["import", str(paths_file), "--layer", "offers", "--workspace", url],
        "paths": ["paths", str(paths_file), "--workspace", url],
        "gaps": ["gaps", "--workspace", url, "--out", f"{out}.csv"],
        "sites": ["sites", "--view", "?p=luecken", "--new", "1", "--workspace", url, "--out", f"{out}.csv"],
        "migrate": ["migrate", "--from", url, "--to", f"{out}-kopie.gpkg"],
    }


@pytest.mark.parametrize("command", ["report", "export", "import", "paths", "gaps", "sites", "migrate"])
def test_an_unreachable_database_is_a_german_message_and_exit_2(command, tmp_path, paths_file, capsys):
    assert cli.main(_commands(_closed_port_url(), tmp_path, paths_file)[command]) == 2
    captured = capsys.readouterr()
    assert "Datenbank nicht erreichbar oder Anmeldung abgelehnt" in captured.err
    assert SECRET not in captured.out + captured.err and "Traceback" not in captured.err
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith("aus")]  # nothing written


@pytest.mark.parametrize("command", ["report", "export"])
def test_a_refused_login_is_a_german_message_and_exit_2(postgis, command, tmp_path, paths_file, capsys):
    url = postgis.store_url(password=SECRET)  # the server's password is another
    assert cli.main(_commands(url, tmp_path, paths_file)[command]) == 2
    captured = capsys.readouterr()
    assert "Anmeldung abgelehnt" in captured.err
    assert SECRET not in captured.out + captured.err


def test_gaps_names_a_database_given_as_a_file_without_its_password(tmp_path, capsys):
    url = _closed_port_url()
    args = ["gaps", "--areas", url, "--population", url, "--offers", url, "--out", str(tmp_path / "x.csv")]
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert "Gebiete: postgresql://planer:***@127.0.0.1:" in err and "ist die Adresse einer Datenbank" in err
    assert SECRET not in err


def test_paths_into_a_data_folder_as_import_does(demo_store, paths_file, capsys):
    folder = demo_store.parent  # daten/ with quartiersatlas.gpkg in it
    assert cli.main(["paths", str(paths_file), "--workspace", str(folder)]) == 0
    assert "1 Weg übernommen" in capsys.readouterr().out
    assert len(read_geopackage(demo_store).layer("paths")) == 1


def test_paths_out_copies_a_geopackage_only(tmp_path, paths_file, capsys):
    out = tmp_path / "kopie.gpkg"
    for workspace in (_closed_port_url(), str(tmp_path / "fehlt.gpkg")):
        assert cli.main(["paths", str(paths_file), "--workspace", workspace, "--out", str(out)]) == 2
        err = capsys.readouterr().err
        assert "--out kopiert ein GeoPackage" in err and SECRET not in err
    assert not out.exists()


def test_report_gaps_and_paths_work_on_a_database_and_hide_its_password(postgis, tmp_path, paths_file, capsys):
    from dashboard.store.gpkgfile import write_geopackage
    from tests.support.factories import tiny_workspace
    from tests.support.pg import PASSWORD

    source = tmp_path / "kleinstadt.gpkg"
    write_geopackage(tiny_workspace(), source)
    url = postgis.store_url()
    assert cli.main(["migrate", "--from", str(source), "--to", url]) == 0
    out = tmp_path / "bericht.pdf"
    assert (
        cli.main(["report", "--workspace", url, "--area", "0101", "--out", str(out), "--view", "p=luecken&g=senioren"])
        == 0
    )
    assert out.exists()
    assert (
        cli.main(["gaps", "--workspace", url, "--view", "?p=luecken&g=senioren", "--out", str(tmp_path / "x.csv")]) == 0
    )
    assert cli.main(["paths", str(paths_file), "--workspace", url]) == 0
    captured = capsys.readouterr()
    assert "Einstellungen der Ansicht: Senioren · 400 m" in captured.out
    assert ":***@127.0.0.1" in captured.out and PASSWORD not in captured.out + captured.err
