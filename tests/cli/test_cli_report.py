"""``python -m dashboard report``: one area or every Quartier, clear errors, exit codes."""

import subprocess
import sys
from pathlib import Path
from urllib.parse import urlencode

import pytest
from pypdf import PdfReader
from pyproj import Transformer

from dashboard.cli import main
from dashboard.model import share_state
from dashboard.model.scenario import NewOffer, Scenario
from dashboard.model.schema import WEB_CRS
from dashboard.model.share_state import ViewState
from dashboard.store.gpkgfile import write_geopackage
from tests.support.factories import CRS, X0, Y0, tiny_workspace
from tests.support.paths import ROOT


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("ws") / "kleinstadt.gpkg"
    write_geopackage(tiny_workspace(), path)
    return path


def test_one_area_pdf_and_html(workspace, tmp_path, capsys):
    out = tmp_path / "am-bach.pdf"
    assert main(["report", "--area", "0101", "--out", str(out), "--workspace", str(workspace), "--html"]) == 0
    assert PdfReader(out).metadata.title == "Quartiersbericht Am Bach"
    assert "&lt;script&gt;" in out.with_suffix(".html").read_text(encoding="utf-8")
    assert "2 Dateien geschrieben" in capsys.readouterr().out


@pytest.mark.slow
def test_all_quartiere_into_a_new_folder(workspace, tmp_path, capsys):
    folder = tmp_path / "berichte" / "2026"
    assert main(["report", "--all", "--out-dir", str(folder), "--workspace", str(workspace), "--jobs", "1"]) == 0
    assert sorted(p.name for p in folder.iterdir()) == [
        "bericht-0101.pdf",
        "bericht-0102.pdf",
        "bericht-0201.pdf",
        "bericht-0202.pdf",
    ]
    captured = capsys.readouterr()
    assert "4 Dateien geschrieben" in captured.out
    assert "4/4" in captured.err  # the progress bar goes to stderr


def test_unknown_area_is_refused_in_german(workspace, tmp_path, capsys):
    out = tmp_path / "x.pdf"
    assert main(["report", "--area", "9999", "--out", str(out), "--workspace", str(workspace)]) == 2
    assert (
        "Fehler: Gebiet „9999“ gibt es in Kleinstadt nicht – Kennungen sind z. B. 0101, 0102" in capsys.readouterr().err
    )
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--all", "--out", "x.pdf"], "--all braucht --out-dir ORDNER"),
        (["--area", "0101", "--out-dir", "x"], "--area braucht --out DATEI.pdf"),
        (["--area", "0101", "--out", "fehlt/x.pdf"], "Ausgabeordner fehlt gibt es nicht"),
    ],
)
def test_wrong_arguments(workspace, tmp_path, monkeypatch, capsys, args, message):
    monkeypatch.chdir(tmp_path)
    assert main(["report", *args, "--workspace", str(workspace)]) == 2
    assert message in capsys.readouterr().err


def test_missing_and_unreadable_workspace(tmp_path, capsys):
    assert (
        main(["report", "--area", "01", "--out", str(tmp_path / "x.pdf"), "--workspace", str(tmp_path / "fehlt.gpkg")])
        == 2
    )
    assert "gibt es nicht" in capsys.readouterr().err
    broken = tmp_path / "kaputt.gpkg"
    broken.write_text("kein GeoPackage")
    assert main(["report", "--area", "01", "--out", str(tmp_path / "x.pdf"), "--workspace", str(broken)]) == 2
    assert "nicht lesbar" in capsys.readouterr().err


def _link(**fields) -> str:
    return "https://quartiersatlas.example/luecken?" + urlencode(share_state.encode(ViewState("luecken", "de", fields)))


def test_report_from_a_shared_link_shows_its_view(workspace, tmp_path, capsys):
    """Seniors, a planned Treff at Am Bach's far cell, the Treff o1 off: the hand-computed case of test_report.py."""
    lon, lat = Transformer.from_crs(CRS, WEB_CRS, always_xy=True).transform(X0 + 850, Y0 + 850)
    scenario = Scenario(added=(NewOffer(*share_state.place(lon, lat), capacity=20),), disabled=("o1",))
    link = _link(gap_target_group="senioren", scenario=scenario) + "&boese=<script>"
    out = tmp_path / "am-bach.pdf"
    args = ["report", "--area", "0101", "--out", str(out), "--workspace", str(workspace), "--view", link, "--html"]
    assert main(args) == 0
    assert "Aus dem Link nicht übernommen (unbekannt oder ungültig): boese" in capsys.readouterr().err
    page = out.with_suffix(".html").read_text(encoding="utf-8").replace("\xa0", " ")
    assert "Einstellungen der Ansicht: Senioren · 400 m · Luftlinie" in page
    assert "In Am Bach wohnen 120 Menschen der Zielgruppe (Senioren). 40 von ihnen (33 %)" in page
    assert "Mit dem Szenario sind 80 statt 40 Personen der Zielgruppe versorgt (+40)." in page


def test_report_refuses_a_link_of_another_page(workspace, tmp_path, capsys):
    out = tmp_path / "x.pdf"
    link = "https://quartiersatlas.example/profil?gebiet=0101"
    assert main(["report", "--area", "0101", "--out", str(out), "--workspace", str(workspace), "--view", link]) == 2
    assert "Der Link zeigt keine Lückenanalyse (Seite „profil“)" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.slow
def test_entry_point_in_a_subprocess(workspace, tmp_path):
    out = tmp_path / "unterstadt.pdf"
    run = subprocess.run(
        [sys.executable, "-m", "dashboard", "report", "--area", "01", "--out", str(out), "--workspace", str(workspace)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert out.read_bytes().startswith(b"%PDF")
    failed = subprocess.run(
        [sys.executable, "-m", "dashboard", "report", "--area", "77", "--out", str(out), "--workspace", str(workspace)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert failed.returncode == 2 and "Gebiet „77“" in failed.stderr
