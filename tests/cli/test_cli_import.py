"""``python -m dashboard import`` and ``export``: reports, exit codes, nothing written on bad input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyogrio
import pytest

from dashboard import cli
from dashboard.store import gpkgfile
from dashboard.store.base import open_store
from tests.support.officefiles import WRITERS
from tests.support.paths import SHARED_DATA

DATA = SHARED_DATA
BEZIRKE = DATA / "stuttgart-stadtbezirke-derived" / "Stgt_Stadtbezirke_dissolved_EPSG25832.geojson"
OFFERS_CSV = "\n".join(
    [
        "Kennung;Name;Kategorie;Zielgruppen;Beteiligung;Rechtswert;Hochwert",
        "A1;Nachbarschaftstreff Nord;Begegnung;alle;Mitwirkung;491500;5602800",
        "A2;Seniorencafé;Begegnung;Senioren;Selbstorganisation;492100;5603300",
        "A3;Ohne Stufe;Kultur;alle;;492300;5603100",
    ]
)


@pytest.fixture
def demo_dir(tmp_path) -> Path:
    folder = tmp_path / "daten"
    folder.mkdir()
    shutil.copy(gpkgfile.DEMO_PATH, folder / "quartiersatlas.gpkg")
    return folder


def _csv(tmp_path: Path, text: str = OFFERS_CSV, name: str = "angebote.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("cp1252"))
    return path


def test_dry_run_reports_and_writes_nothing(demo_dir, tmp_path, capsys):
    version = open_store(demo_dir / "quartiersatlas.gpkg").version()
    code = cli.main(
        [
            "import",
            "--layer",
            "offers",
            str(_csv(tmp_path)),
            "--workspace",
            str(demo_dir),
            "--crs",
            "EPSG:25832",
            "--dry-run",
        ]
    )
    out, err = capsys.readouterr()
    assert code == 0
    assert "Gelesen: 3 Zeilen · gültig: 2 · abgelehnt: 1" in out and "Probelauf" in out
    assert "Zeile 3" in err and "level" in err
    assert open_store(demo_dir / "quartiersatlas.gpkg").version() == version


@pytest.mark.slow
def test_rows_with_errors_need_valid_rows(demo_dir, tmp_path, capsys):
    path = demo_dir / "quartiersatlas.gpkg"
    version = open_store(path).version()
    args = [
        "import",
        "--layer",
        "offers",
        str(_csv(tmp_path)),
        "--workspace",
        str(demo_dir),
        "--crs",
        "EPSG:25832",
        "--mode",
        "update",
    ]
    assert cli.main(args) == 1
    assert "--valid-rows" in capsys.readouterr().err
    assert open_store(path).version() == version
    assert cli.main([*args, "--valid-rows"]) == 0
    offers = open_store(path).read().offers.set_index("offer_id")
    assert offers.loc[["A1", "A2"], "level"].tolist() == ["mitwirkung", "selbstorganisation"]
    assert "A3" not in offers.index and len(offers) == 891 + 2  # update mode keeps the demo's offers
    stored = open_store(path).read()  # … and their provenance: the list is credited for its two entries only
    assert stored.layer_meta("offers").licence == "CC0 – frei erfunden"
    assert [(s.meta.source, s.entries) for s in stored.layer_sources("offers")][1:] == [("angebote.csv", 2)]
    assert open_store(path).import_log().iloc[0][["rows_read", "rows_imported", "rows_rejected"]].tolist() == [3, 2, 1]


def test_saved_mapping_is_reused_and_can_be_given(demo_dir, tmp_path, capsys):
    mapping_file = tmp_path / "zuordnung.json"
    args = [
        "import",
        "--layer",
        "offers",
        str(_csv(tmp_path)),
        "--workspace",
        str(demo_dir),
        "--crs",
        "EPSG:25832",
        "--dry-run",
    ]
    cli.main([*args, "--save-mapping", str(mapping_file)])
    mapping = json.loads(mapping_file.read_text(encoding="utf-8"))
    assert mapping["columns"]["name"] == "Name" and mapping["layer"] == "offers"
    mapping["columns"]["name"] = "Kennung"
    mapping_file.write_text(json.dumps(mapping), encoding="utf-8")
    capsys.readouterr()
    cli.main([*args, "--mapping", str(mapping_file)])
    assert '"name": "Kennung"' in capsys.readouterr().out


@pytest.mark.parametrize(
    "name, content",
    [
        ("leer.geojson", b""),
        (
            "abgeschnitten.geojson",
            b'{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": {"type": "Po',
        ),
        ("muell.geojson", bytes(range(256)) * 20),
        ("ohne-shp.zip", b"PK\x05\x06" + b"\x00" * 18),
        ("nur-kopf.csv", b"Name;Kategorie\n"),
    ],
)
def test_broken_files_exit_2_and_leave_the_store_alone(demo_dir, tmp_path, capsys, name, content):
    path = demo_dir / "quartiersatlas.gpkg"
    version = open_store(path).version()
    source = tmp_path / name
    source.write_bytes(content)
    assert cli.main(["import", "--layer", "offers", str(source), "--workspace", str(demo_dir)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Fehler") and "Traceback" not in err
    assert open_store(path).version() == version


def test_far_away_coordinates_are_refused(demo_dir, tmp_path, capsys):
    path = demo_dir / "quartiersatlas.gpkg"
    version = open_store(path).version()
    far = OFFERS_CSV.replace("491500;5602800", "-74,0;40,7").replace("Rechtswert;Hochwert", "lon;lat")
    code = cli.main(
        ["import", "--layer", "offers", str(_csv(tmp_path, far)), "--workspace", str(demo_dir), "--crs", "EPSG:4326"]
    )
    assert code in (1, 2)
    assert open_store(path).version() == version


def test_file_above_the_upload_limit(demo_dir, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("QUARTIERSATLAS_UPLOAD_LIMIT_MB", "1")
    big = _csv(
        tmp_path,
        OFFERS_CSV
        + "\n"
        + "\n".join(f"B{i};Treff {i};Begegnung;alle;Mitwirkung;491500;5602800" for i in range(30_000)),
    )
    assert big.stat().st_size > 1024 * 1024
    assert cli.main(["import", "--layer", "offers", str(big), "--workspace", str(demo_dir)]) == 2
    assert "MB" in capsys.readouterr().err


@pytest.mark.real_data
@pytest.mark.skipif(not BEZIRKE.exists(), reason=f"real Stuttgart data not present: {BEZIRKE}")
def test_new_city_then_export_whole_and_per_layer(tmp_path, capsys):
    folder = tmp_path / "stuttgart"
    assert (
        cli.main(
            [
                "import",
                "--layer",
                "bezirke",
                str(BEZIRKE),
                "--workspace",
                str(folder),
                "--city",
                "Stuttgart",
                "--licence",
                "dl-de/by-2-0",
            ]
        )
        == 0
    )
    out = tmp_path / "export.gpkg"
    assert cli.main(["export", "--workspace", str(folder), "--out", str(out)]) == 0
    layers = {name for name, _ in pyogrio.list_layers(out)}
    assert {"areas", "layer_meta", "workspace_meta", "history", "import_log"} <= layers
    assert len(gpkgfile.read_geopackage(out).bezirke()) == 23
    assert (
        cli.main(["export", "--workspace", str(folder), "--layer", "areas", "--out", str(tmp_path / "gebiete.geojson")])
        == 0
    )
    assert (
        json.loads((tmp_path / "gebiete.geojson").read_text(encoding="utf-8"))["features"][0]["properties"]["level"]
        == "stadtbezirk"
    )
    assert (
        cli.main(["export", "--workspace", str(folder), "--layer", "areas", "--out", str(tmp_path / "gebiete.csv")])
        == 0
    )
    assert (tmp_path / "gebiete.csv").read_text(encoding="utf-8-sig").startswith("area_id;name;level;parent_id;wkt")
    assert cli.main(["export", "--workspace", str(folder), "--out", str(tmp_path / "x.csv")]) == 2


def test_export_of_an_empty_store(tmp_path, capsys):
    assert cli.main(["export", "--workspace", str(tmp_path), "--out", str(tmp_path / "x.gpkg")]) == 2
    assert "keine Gebiete" in capsys.readouterr().err


@pytest.mark.real_data
@pytest.mark.skipif(not (DATA / "berlin-lor").exists(), reason=f"real Berlin data not present: {DATA / 'berlin-lor'}")
def test_quartiere_hang_below_bezirke_by_id_prefix(tmp_path):
    folder = tmp_path / "berlin"
    assert (
        cli.main(
            [
                "import",
                "--layer",
                "bezirke",
                str(DATA / "berlin-lor" / "berlin-lor-districts.geojson"),
                "--workspace",
                str(folder),
                "--city",
                "Berlin",
            ]
        )
        == 0
    )
    assert (
        cli.main(
            [
                "import",
                "--layer",
                "quartiere",
                str(DATA / "berlin-lor" / "berlin-lor-forecast-areas-from-2021.geojson"),
                "--workspace",
                str(folder),
                "--parent-prefix",
                "2",
            ]
        )
        == 0
    )
    quartiere = open_store(folder / "quartiersatlas.gpkg").read().quartiere()
    assert len(quartiere) == 58 and (quartiere["parent_id"] == quartiere["area_id"].str[:2]).all()


def _statistics_export(tmp_path: Path, kind: str) -> Path:
    """Begegnungsstätten as a statistics office exports them: a title, a blank row, then the header."""
    rows = [
        ["Tabelle 3: Begegnungsstätten, Stand 31.12.2023"],
        [],
        ["Kennung", "Name", "Kategorie", "Zielgruppen", "Beteiligung", "Stand", "Rechtswert", "Hochwert"],
        ["A1", "Nachbarschaftstreff Nord", "Begegnung", "alle", "Mitwirkung", 45292, 32491500, 5602800],
        ["A2", "Seniorencafé", "Begegnung", "Senioren", "Selbstorganisation", 45366, 32492100, 5603300],
    ]
    return WRITERS[kind](tmp_path / f"begegnung.{kind}", {"Tabelle1": rows})


@pytest.mark.parametrize("kind", list(WRITERS))
def test_import_skips_a_title_row_with_a_notice(demo_dir, tmp_path, capsys, kind):
    path = _statistics_export(tmp_path, kind)
    code = cli.main(["import", "--layer", "offers", str(path), "--workspace", str(demo_dir), "--dry-run"])
    out, err = capsys.readouterr()
    assert code == 0
    assert "Die ersten 2 Zeilen sehen wie ein Titel aus" in out and "Spaltennamen stehen in Zeile 3" in out
    assert "Rechtswert, Hochwert, Koordinatensystem EPSG:4647" in out
    assert "Gelesen: 2 Zeilen · gültig: 2 · abgelehnt: 0" in out
    assert "Spalte „Stand“: 2 fünfstellige Zahlen als Datum gelesen" in err


def test_import_header_row_option(demo_dir, tmp_path, capsys):
    path = _statistics_export(tmp_path, "ods")
    base = ["import", "--layer", "offers", str(path), "--workspace", str(demo_dir), "--dry-run"]
    assert cli.main([*base, "--header-row", "3"]) == 0
    out = capsys.readouterr().out
    assert "Titel" not in out and "gültig: 2" in out
    assert cli.main([*base, "--header-row", "2"]) == 2
    err = capsys.readouterr().err
    assert "Zeile 2 ist leer" in err and "Traceback" not in err
    with pytest.raises(SystemExit):
        cli.main([*base, "--header-row", "0"])
