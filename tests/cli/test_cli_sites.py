"""``python -m dashboard sites``: a link's view in, the best new sites (and closable offers) out, bad input refused."""

from __future__ import annotations

import csv
import io

import pyogrio
import pytest

from dashboard import cli
from dashboard.analysis import siting
from dashboard.analysis.city import prepare
from dashboard.analysis.gaps import GapParams, analyse
from dashboard.model import grid
from dashboard.store.gpkgfile import read_geopackage

LINK = "https://atlas.example/stadt/luecken?g=senioren&t=400"
#: Two places in the demo city (lon, lat) and one row without a position.
CANDIDATES = (
    "Name;Grund;lon;lat\nGemeindehaus;freier Raum;8,940670;50,569085\nAlte Schule;Leerstand;8,885671;50,566767\n"
)


def _rows(path):
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig")), delimiter=";"))


def _number(text):
    return float(text.replace(",", ".")) if text else None


@pytest.mark.slow
def test_best_sites_of_the_demo_city_for_seniors_equal_the_engine(demo_store, tmp_path, capsys):
    out = tmp_path / "standorte.csv"
    assert cli.main(["sites", "--view", LINK, "--new", "3", "--workspace", str(demo_store), "--out", str(out)]) == 0
    rows = _rows(out)
    assert [r["rank"] for r in rows] == ["1", "2", "3"] and {r["kind"] for r in rows} == {"new_site"}
    city = prepare(read_geopackage(demo_store))
    result = analyse(city, GapParams(target_group="senioren", threshold_m=400))
    best = siting.exact(siting.coverage(result, siting.candidate_cells(city)), siting.SitingParams(sites=3))
    assert _number(rows[-1]["residents_cumulative"]) == pytest.approx(best.objective, abs=0.5)
    gains = [_number(r["residents_new"]) for r in rows]
    assert gains == sorted(gains, reverse=True) and gains[0] > 0
    for row in rows:
        assert 5 < _number(row["lon"]) < 16 and 47 < _number(row["lat"]) < 56
        grid.parse_cell_id(row["cell_id"])
        assert row["area_name"] and row["reason"] == siting.POPULATED_CELL
    assert "3 Standorte" in capsys.readouterr().out


@pytest.mark.slow
def test_a_candidate_list_and_closures_into_a_geopackage(demo_store, tmp_path):
    listed = tmp_path / "leerstand.csv"
    listed.write_text(CANDIDATES, encoding="utf-8")
    out = tmp_path / "standorte.gpkg"
    args = ["sites", "--view", LINK, "--new", "2", "--workspace", str(demo_store), "--candidates", str(listed)]
    assert cli.main([*args, "--greedy", "--close", "2", "--out", str(out)]) == 0
    assert [name for name, _ in pyogrio.list_layers(out)] == ["new_sites", "closures"]
    sites = pyogrio.read_dataframe(out, layer="new_sites")
    assert set(sites["name"]) == {"Gemeindehaus", "Alte Schule"} and set(sites["reason"]) == {
        "freier Raum",
        "Leerstand",
    }
    assert sites.crs.to_epsg() == 4326
    closures = pyogrio.read_dataframe(out, layer="closures")
    assert len(closures) == 2 and (closures["residents_alone"] >= 0).all()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--new", "3", "--candidates", "{listed}"], "2 mögliche Standorte, gewünscht sind 3"),
        (["--new", "1", "--candidates", "{missing}"], "gibt-es-nicht.csv"),
        (["--new", "1", "--candidates", "{broken}"], "nichts geschrieben"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_written(demo_store, tmp_path, capsys, extra, message):
    listed, broken = tmp_path / "liste.csv", tmp_path / "kaputt.csv"
    listed.write_text(CANDIDATES, encoding="utf-8")
    broken.write_text(CANDIDATES + "Ohne Ort;;;\n", encoding="utf-8")
    names = {"listed": listed, "broken": broken, "missing": tmp_path / "gibt-es-nicht.csv"}
    out = tmp_path / "standorte.csv"
    args = ["sites", "--view", LINK, "--workspace", str(demo_store), "--out", str(out)]
    assert cli.main([*args, *(e.format(**names) for e in extra)]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.slow
def test_places_per_site_cap_whom_each_new_site_serves(demo_store, tmp_path, capsys):
    out = tmp_path / "standorte.csv"
    args = ["sites", "--view", LINK, "--new", "3", "--workspace", str(demo_store), "--capacity", "40"]
    assert cli.main([*args, "--out", str(out)]) == 0
    gains = [_number(r["residents_new"]) for r in _rows(out)]
    assert len(gains) == 3 and all(0 < g <= 40 + 1e-6 for g in gains)
    assert "exakt mit Platzgrenze" in capsys.readouterr().out
    assert cli.main([*args, "--greedy", "--out", str(out)]) == 2
    assert "--greedy rechnet ohne Platzgrenze" in capsys.readouterr().err


@pytest.mark.parametrize(
    "extra",
    [["--new", "0"], ["--new", "x"], ["--new", "1", "--exact", "--greedy"], ["--new", "1", "--capacity", "0"]],
)
def test_bad_arguments_exit_2(tmp_path, extra):
    with pytest.raises(SystemExit) as stop:
        cli.main(["sites", "--view", LINK, "--out", str(tmp_path / "s.csv"), *extra])
    assert stop.value.code == 2


def test_the_output_is_a_csv_or_a_geopackage(tmp_path, capsys):
    assert cli.main(["sites", "--view", LINK, "--new", "1", "--out", str(tmp_path / "s.txt")]) == 2
    assert ".csv- oder .gpkg-Datei" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("view", "extra", "message"),
    [
        ("https://atlas.example/profil?gebiet=01", [], "keine Lückenanalyse"),
        ("https://atlas.example/?g=senioren", [], "keine Lückenanalyse"),
        (LINK, ["--close", "5000"], "zu schließen geht nicht"),
    ],
)
def test_a_link_of_another_page_or_too_many_closures_is_refused(demo_store, tmp_path, capsys, view, extra, message):
    out = tmp_path / "standorte.csv"
    args = ["sites", "--view", view, "--new", "1", "--greedy", "--workspace", str(demo_store), "--out", str(out)]
    assert cli.main([*args, *extra]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_the_store_itself_is_never_the_output(demo_store, capsys):
    assert (
        cli.main(["sites", "--view", LINK, "--new", "1", "--workspace", str(demo_store), "--out", str(demo_store)]) == 2
    )
    assert "Datenbestand selbst" in capsys.readouterr().err
