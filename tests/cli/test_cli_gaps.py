"""``python -m dashboard gaps``: files in any CRS in, one CSV row per Quartier out.

The inputs are the tiny city of tests/support/factories.py written to files in three
CRS (areas EPSG:25832, population EPSG:3035, offers EPSG:4326, actors as a
zipped Shapefile); the expected figures are the hand-computed ones of
tests/unit/test_gaps.py: Quartier 0101 300 residents, 100 covered, gap index 48.33;
0102 index 95; 0201 (50 residents) and 0202 (nobody) suppressed.
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import geopandas as gpd
import openpyxl
import pytest

from dashboard import cli, i18n
from dashboard.model import viewspec
from tests.support.factories import tiny_workspace
from tests.support.paths import ROOT

BOM = b"\xef\xbb\xbf"


def _write_zipped_shapefile(frame, path: Path) -> Path:
    folder = path.parent / path.stem
    folder.mkdir()
    frame.to_file(folder / "actors.shp")
    with zipfile.ZipFile(path, "w") as archive:
        for part in folder.iterdir():
            archive.write(part, part.name)
    return path


def _inputs(folder: Path, **overrides) -> dict[str, Path]:
    """The tiny city as files, each in another CRS and format; ``overrides`` replace layers."""
    layers = tiny_workspace(**overrides).layers
    paths = {
        "areas": folder / "areas.geojson",
        "population": folder / "population.gpkg",
        "offers": folder / "offers.geojson",
        "actors": folder / "actors.zip",
    }
    layers["areas"].to_crs(25832).to_file(paths["areas"])
    layers["population"].to_file(paths["population"], layer="population")
    layers["offers"].to_crs(4326).to_file(paths["offers"])
    _write_zipped_shapefile(layers["actors"].to_crs(25832), paths["actors"])
    return paths


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> dict[str, Path]:
    return _inputs(tmp_path_factory.mktemp("inputs"))


def _args(inputs: dict[str, Path], out: Path, *extra: str) -> list[str]:
    args = ["gaps", "--out", str(out), *extra]
    for name, path in inputs.items():
        args += [f"--{name}", str(path)]
    return args


def _rows(path: Path) -> dict[str, dict[str, str]]:
    text = path.read_bytes().decode("utf-8-sig")
    return {row["area_id"]: row for row in csv.DictReader(io.StringIO(text, newline=""), delimiter=";")}


@pytest.fixture(scope="module")
def result(inputs, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("out") / "luecken.csv"
    assert cli.main(_args(inputs, out)) == 0
    return out


def test_one_row_per_quartier_with_the_hand_computed_figures(result):
    rows = _rows(result)
    assert list(rows) == ["0101", "0102", "0201", "0202"]
    am_bach = rows["0101"]
    assert (am_bach["name"], am_bach["parent_id"]) == ("Am Bach", "01")
    assert [am_bach[c] for c in ("residents", "target_residents", "covered_residents", "uncovered_residents")] == [
        "300",
        "300",
        "100",
        "200",
    ]
    assert am_bach["covered_share"] == "0,3333"
    assert am_bach["participation_offers"] == "1"
    assert am_bach["offers_per_1000"] == "3,33"
    assert am_bach["fca_per_1000"] == "100,00"
    assert am_bach["sectors_missing"] == "wohnungswirtschaft;wohlfahrtspflege;kommune"
    assert am_bach["gap_index"] == "48,33"
    assert rows["0102"]["covered_residents"] == "0"
    assert rows["0102"]["gap_index"] == "95,00"
    assert (am_bach["class"], rows["0102"]["class"]) == ("1", "2")
    assert (am_bach["suppressed"], rows["0102"]["suppressed"]) == ("nein", "nein")


def test_small_quartiere_are_suppressed_not_rated(result):
    rows = _rows(result)
    for area_id, residents in (("0201", "50"), ("0202", "0")):
        row = rows[area_id]
        assert row["residents"] == residents
        assert row["suppressed"] == "ja"
        assert row["covered_share"] == row["gap_index"] == row["class"] == ""


def test_excel_format_bom_semicolon_decimal_comma(result):
    raw = result.read_bytes()
    assert raw.startswith(BOM)
    header = raw[len(BOM) :].split(b"\r\n", 1)[0].decode()
    assert header.startswith("area_id;name;parent_id;residents;target_residents;covered_residents;covered_share;")
    assert header.split(";")[-3:] == ["gap_index", "class", "suppressed"]
    assert b"48,33" in raw and b"48.33" not in raw
    assert "Mühlenviertel".encode() in raw
    assert not list(result.parent.glob(".tmp-*"))


def test_out_as_xlsx_ranks_and_as_gpkg_holds_the_cells(inputs, tmp_path, capsys):
    """The page's downloads from the command line: the ranked Quartiere as XLSX, the 100 m cells as GeoPackage."""
    assert cli.main(_args(inputs, tmp_path / "luecken.xlsx")) == 0
    table = openpyxl.load_workbook(tmp_path / "luecken.xlsx").worksheets[0]
    assert [table["B2"].value, table["C2"].value, table["B3"].value] == ["Mühlenviertel", 95, "Am Bach"]
    assert "2 Datenzeilen geschrieben" in capsys.readouterr().out
    assert cli.main(_args(inputs, tmp_path / "zellen.gpkg", "--target-group", "senioren")) == 0
    cells = gpd.read_file(tmp_path / "zellen.gpkg", layer="zellen")
    assert cells["target_residents"].tolist() == [40, 80, 50, 30] and cells["covered"].tolist() == [True] + [False] * 3


def test_summary_in_german(inputs, tmp_path, capsys):
    out = tmp_path / "x.csv"
    assert cli.main(_args(inputs, out)) == 0
    printed = capsys.readouterr().out
    assert "Gebiete: 4 (davon 2 unter 300 Einwohnern" in printed
    assert "Einwohner: 750" in printed
    assert "Versorgt stadtweit: 13" in printed  # 100 of 750
    assert "Luftlinie × Umwegfaktor 1,00" in printed
    assert "Schwelle 500 m" in printed
    assert f"4 Datenzeilen geschrieben: {out}" in printed


def test_options_reach_the_analysis(inputs, tmp_path):
    out = tmp_path / "x.csv"
    args = _args(inputs, out, "--threshold", "900", "--min-residents", "10", "--min-level", "information")
    assert cli.main(args) == 0
    rows = _rows(out)
    assert rows["0101"]["covered_residents"] == "300"  # c2 at 848.5 m now in reach
    assert rows["0102"]["participation_offers"] == "1"  # the information offer counts
    assert rows["0201"]["suppressed"] == "nein"


def test_without_actors_the_sector_component_drops_out(inputs, tmp_path, capsys):
    out = tmp_path / "x.csv"
    assert cli.main(_args({k: v for k, v in inputs.items() if k != "actors"}, out)) == 0
    assert _rows(out)["0101"]["sector_gap"] == ""
    assert _rows(out)["0102"]["gap_index"] == "100,00"  # (0.5 × 1 + 0.3 × 1) / 0.8
    assert "ohne --actors" in capsys.readouterr().out


def test_formula_cells_are_neutralised(tmp_path):
    areas = tiny_workspace().areas.copy()
    areas.loc[areas["area_id"] == "0101", "name"] = '=HYPERLINK("http://example.invalid","klick")'
    areas.loc[areas["area_id"] == "0102", "name"] = "-Mühle"
    out = tmp_path / "x.csv"
    assert cli.main(_args(_inputs(tmp_path, areas=areas), out)) == 0
    rows = _rows(out)
    assert rows["0101"]["name"] == '\'=HYPERLINK("http://example.invalid","klick")'
    assert rows["0102"]["name"] == "'-Mühle"


def test_missing_file(inputs, tmp_path, capsys):
    out = tmp_path / "x.csv"
    code = cli.main(_args({**inputs, "population": tmp_path / "fehlt.gpkg"}, out))
    assert code == 2
    assert "Datei nicht gefunden" in capsys.readouterr().err
    assert not out.exists()


def test_garbage_file(inputs, tmp_path, capsys):
    garbage = tmp_path / "kaputt.geojson"
    garbage.write_text("das ist kein GeoJSON", encoding="utf-8")
    out = tmp_path / "x.csv"
    assert cli.main(_args({**inputs, "offers": garbage}, out)) == 2
    assert "keine lesbare Geodatei" in capsys.readouterr().err
    assert not out.exists()


def test_validation_error_stops_before_writing(tmp_path, capsys):
    offers = tiny_workspace().offers.copy()
    offers.loc[0, "level"] = "unbekannt"
    out = tmp_path / "x.csv"
    out_before = tmp_path / "alt.csv"
    out_before.write_text("alt", encoding="utf-8")
    assert cli.main(_args(_inputs(tmp_path, offers=offers), out)) == 2
    err = capsys.readouterr().err
    assert "Fehler: Angebote, Zeile 1, level: Unbekannter Wert „unbekannt“" in err
    assert "nichts geschrieben" in err
    assert "Traceback" not in err
    assert not out.exists()
    assert not list(tmp_path.glob(".tmp-*"))


def test_ids_stored_as_numbers_are_an_error(tmp_path, capsys):
    areas = tiny_workspace().areas.copy()
    areas["area_id"] = areas["area_id"].astype(int)
    areas["parent_id"] = areas["parent_id"].astype(float)
    out = tmp_path / "x.csv"
    assert cli.main(_args(_inputs(tmp_path, areas=areas), out)) == 2
    assert "Führende Nullen verloren" in capsys.readouterr().err
    assert not out.exists()


def test_many_problems_are_cut_off(tmp_path, capsys):
    offers = tiny_workspace().offers
    many = offers.loc[[0] * 60].reset_index(drop=True)
    many["offer_id"] = [f"o{i}" for i in range(60)]
    many["level"] = "unbekannt"
    assert cli.main(_args(_inputs(tmp_path, offers=many), tmp_path / "x.csv")) == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines[50] == "… und 10 weitere"


@pytest.mark.parametrize(
    "extra",
    [
        ("--target-group", "rentner"),
        ("--threshold", "-100"),
        ("--threshold", "abc"),
        ("--threshold", "3050"),
        ("--threshold", "450.5"),
        ("--detour", "0.5"),
        ("--detour", "2,5"),
        ("--min-residents", "-1"),
        ("--min-residents", "5050"),
        ("--classification", "jenks"),
    ],
)
def test_bad_arguments_exit_2(inputs, tmp_path, extra, capsys):
    with pytest.raises(SystemExit) as stop:
        cli.main(_args(inputs, tmp_path / "x.csv", *extra))
    assert stop.value.code == 2
    assert extra[0] in capsys.readouterr().err


@pytest.mark.parametrize("setting", [viewspec.THRESHOLD, viewspec.DETOUR, viewspec.MIN_RESIDENTS])
def test_numbers_are_allowed_in_the_range_of_the_view_spec(inputs, tmp_path, setting, capsys):
    """The command line accepts what the widgets and links accept, and its message names that range."""
    with pytest.raises(SystemExit):
        cli.main(_args(inputs, tmp_path / "x.csv", setting.option, str(setting.high * 2)))
    high = i18n.fmt_int(setting.high) if isinstance(setting.default, int) else i18n.fmt_num(setting.high)
    assert f"bis {high}" in capsys.readouterr().err
    args = cli.build_parser().parse_args(_args(inputs, tmp_path / "x.csv", setting.option, str(setting.high)))
    assert getattr(args, setting.name) == setting.high


def test_target_group_without_age_bands(tmp_path, capsys):
    population = tiny_workspace().population.drop(columns=["age_65_79", "age_80_plus"])
    out = tmp_path / "x.csv"
    assert cli.main(_args(_inputs(tmp_path, population=population), out, "--target-group", "senioren")) == 2
    assert "age_65_79, age_80_plus" in capsys.readouterr().err
    assert not out.exists()


def test_missing_output_folder(inputs, tmp_path, capsys):
    assert cli.main(_args(inputs, tmp_path / "gibt-es-nicht" / "x.csv")) == 2
    assert "Ausgabeordner" in capsys.readouterr().err


def test_write_error_exits_1_and_leaves_nothing(inputs, tmp_path, monkeypatch, capsys):
    def refuse(*_):
        raise PermissionError(13, "Keine Berechtigung")

    monkeypatch.setattr(os, "replace", refuse)
    out = tmp_path / "x.csv"
    assert cli.main(_args(inputs, out)) == 1
    assert "ließ sich nicht schreiben: Keine Berechtigung" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_entry_point(inputs, tmp_path):
    out = tmp_path / "x.csv"
    done = subprocess.run(
        [sys.executable, "-m", "dashboard", *_args(inputs, out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "4 Datenzeilen geschrieben" in done.stdout
    assert _rows(out)["0101"]["gap_index"] == "48,33"


def test_english_with_lang_en(tmp_path, capsys):
    """--lang en: problems, failure and help in English; the CSV stays as it is."""
    offers = tiny_workspace().offers.copy()
    offers.loc[0, "level"] = "unbekannt"
    out = tmp_path / "x.csv"
    assert cli.main([*_args(_inputs(tmp_path, offers=offers), out), "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert "Error: Offers, row 1, level: Unknown value “unbekannt”" in err
    assert "Error: Input data has errors (see above) – nothing written" in err
    assert "participation gaps per neighbourhood" in cli.build_parser("en").format_help()


def test_summary_in_english(inputs, tmp_path, capsys):
    out = tmp_path / "x.csv"
    assert cli.main(["gaps", "--lang", "en", *_args(inputs, out)[1:]]) == 0
    printed = capsys.readouterr().out
    assert "Areas: 4 (of which 2 below 300 residents – not rated)" in printed
    assert "Straight line × detour factor 1.00" in printed
    assert f"4 data rows written: {out}" in printed
    assert _rows(out)["0101"]["gap_index"] == "48,33"
