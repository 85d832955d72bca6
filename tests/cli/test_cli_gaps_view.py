"""``python -m dashboard gaps --view``: a Lückenanalyse link's figures on the command line, as the page shows them.

The page is run in Streamlit's AppTest on the tiny city of tests/support/factories.py, the command on
the same store. The link: seniors, 400 m, Stadtbezirk 01, a planned Treff (20 places) at Am Bach's
far cell and the Treff o1 switched off — the hand-computed case of tests/unit/test_report.py: Am Bach
has 120 seniors, 80 of them covered with the scenario (40 without).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from urllib.parse import urlencode

import pytest
from pyproj import Transformer
from streamlit.testing.v1 import AppTest

from dashboard import cli
from dashboard.analysis.city import prepare
from dashboard.analysis.gaps import GapParams, analyse
from dashboard.i18n import fmt_num, rounded
from dashboard.model import share_state
from dashboard.model.scenario import NewOffer, Scenario
from dashboard.model.schema import WEB_CRS
from dashboard.model.share_state import ViewState
from dashboard.store.gpkgfile import read_geopackage, write_geopackage
from tests.support.factories import CRS, X0, Y0, tiny_workspace
from tests.support.paths import APP


def _query(**fields) -> str:
    return urlencode(share_state.encode(ViewState("luecken", "de", fields)))


def _scenario() -> Scenario:
    lon, lat = Transformer.from_crs(CRS, WEB_CRS, always_xy=True).transform(X0 + 850, Y0 + 850)
    return Scenario(added=(NewOffer(*share_state.place(lon, lat), capacity=20),), disabled=("o1",))


QUERY = _query(gap_target_group="senioren", gap_threshold_m=400, gap_bezirk="01", scenario=_scenario())
LINK = "https://quartiersatlas.example/stadt/luecken?" + QUERY


def _rows(path: Path) -> dict[str, dict[str, str]]:
    text = path.read_bytes().decode("utf-8-sig")
    return {row["area_id"]: row for row in csv.DictReader(io.StringIO(text, newline=""), delimiter=";")}


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("ws") / "kleinstadt.gpkg"
    write_geopackage(tiny_workspace(), path)
    return path


def _gaps(store: Path, out: Path, *extra: str) -> int:
    return cli.main(["gaps", "--workspace", str(store), "--out", str(out), *extra])


def test_a_gap_link_gives_the_figures_the_page_shows(store, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("QUARTIERSATLAS_WORKSPACE", str(store))
    page = AppTest.from_file(APP, default_timeout=60)
    for key, value in share_state.link_params(LINK).items():
        page.query_params[key] = value[0]
    page.run()
    assert not page.exception
    out = tmp_path / "luecken.csv"
    assert cli.main(["gaps", "--view", LINK, "--out", str(out)]) == 0  # the server's store, as the page
    printed = capsys.readouterr().out
    rows = _rows(out)
    assert list(rows) == ["0101", "0102"]  # Stadtbezirk 01 only, as the page lists it
    assert (rows["0101"]["target_residents"], rows["0101"]["covered_residents"]) == ("120", "80")
    by_name = {row["name"]: row for row in rows.values()}
    ranking = page.dataframe[0].value
    assert list(ranking["Quartier"]) == ["Mühlenviertel", "Am Bach"]
    for record in ranking.to_dict("records"):
        row = by_name[record["Quartier"]]
        for column, field in (
            ("Zielgruppe (Personen)", "target_residents"),
            ("ohne Angebot (Personen)", "uncovered_residents"),
            ("Lückenindex", "gap_index"),
        ):
            assert record[column] == rounded(float(row[field].replace(",", "."))), column  # the page's figure
    metrics = {m.label: m.value for m in page.metric}
    assert f"Versorgt stadtweit: {metrics['versorgt']} " in printed
    assert "Zielgruppe „Senioren“" in metrics
    assert "Einstellungen der Ansicht: Senioren · 400 m · Luftlinie" in printed
    effect = next(line for line in printed.splitlines() if line.startswith("Mit dem Szenario sind"))
    assert effect == "Mit dem Szenario sind 80 statt 40 Personen der Zielgruppe versorgt (+40)."
    assert any(effect in block.value for block in [*page.markdown, *page.success, *page.info])
    assert "nur den Stadtbezirk Unterstadt (2 Quartiere)" in printed


def test_the_query_string_alone_reads_like_the_link(store, tmp_path):
    whole, alone = tmp_path / "link.csv", tmp_path / "query.csv"
    assert _gaps(store, whole, "--view", LINK) == 0
    assert _gaps(store, alone, "--view", QUERY) == 0
    assert whole.read_bytes() == alone.read_bytes()


def test_options_given_beside_the_view_win(store, tmp_path, capsys):
    out = tmp_path / "x.csv"
    assert _gaps(store, out, "--view", LINK, "--threshold", "900", "--min-level", "information") == 0
    printed = capsys.readouterr().out
    assert "Einstellungen der Ansicht: Senioren · 900 m · Luftlinie × Umwegfaktor 1,00" in printed
    assert "· ab Beteiligungsstufe Information · Szenario: 1 geplantes Angebot, 1 abgeschaltet" in printed
    assert list(_rows(out)) == ["0101", "0102"]  # the rest of the view stays
    assert _gaps(store, out, "--view", LINK, "--target-group", "alle") == 0
    assert "Einstellungen der Ansicht: alle · 400 m" in capsys.readouterr().out  # the link's threshold kept


def test_without_a_view_the_store_gives_the_page_defaults(store, tmp_path, capsys):
    out = tmp_path / "x.csv"
    assert _gaps(store, out) == 0
    expected = analyse(prepare(read_geopackage(store)), GapParams())
    assert _rows(out)["0101"]["gap_index"] == fmt_num(expected.units.loc["0101", "gap_index"], "de", 2)
    assert "Einstellungen der Ansicht: alle · 500 m · Luftlinie" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("view", "named"),
    [
        ("?p=luecken&g=<script>&t=abc&boese=1&s=kaputt", "g, t, s, boese"),
        ("?p=luecken&t=999999&sel=<img src=x onerror=alert(1)>", "t, sel"),
    ],
)
def test_a_hostile_view_is_named_and_dropped_never_a_traceback(store, tmp_path, capsys, view, named):
    out = tmp_path / "x.csv"
    assert _gaps(store, out, "--view", view) == 0
    err = capsys.readouterr().err
    assert f"Aus dem Link nicht übernommen (unbekannt oder ungültig): {named}" in err
    assert "Traceback" not in err and "<" not in err
    assert out.exists()


@pytest.mark.parametrize("view", ["https://x.example/profil?gebiet=0101", "?v=99&p=luecken", "%%%"])
def test_a_link_of_another_page_writes_nothing(store, tmp_path, capsys, view):
    out = tmp_path / "x.csv"
    assert _gaps(store, out, "--view", view) == 2
    assert "Der Link zeigt keine Lückenanalyse" in capsys.readouterr().err
    assert not out.exists()


def test_walking_needs_a_path_network(store, tmp_path, capsys):
    out = tmp_path / "x.csv"
    assert _gaps(store, out, "--distance", "fussweg") == 2
    assert "Fußweg geht nur mit einem Wegenetz" in capsys.readouterr().err
    assert not out.exists()
    assert _gaps(store, out, "--view", "?p=luecken&d=fussweg") == 0  # a link falls back as the page does
    captured = capsys.readouterr()
    assert "Kein Wegenetz vorhanden" in captured.err and "· Luftlinie" in captured.out


@pytest.mark.slow
def test_walking_on_the_demo_city_from_the_flag_or_the_link(demo_store, demo_city, tmp_path, capsys):
    flag, link = tmp_path / "flag.csv", tmp_path / "link.csv"
    assert _gaps(demo_store, flag, "--view", "?p=luecken&g=senioren", "--distance", "fussweg") == 0
    assert "· Fußweg" in capsys.readouterr().out
    assert _gaps(demo_store, link, "--view", "?p=luecken&g=senioren&d=fussweg") == 0
    assert flag.read_bytes() == link.read_bytes()
    expected = analyse(demo_city, GapParams(target_group="senioren", distance="fussweg"))
    covered = {area: int(row["covered_residents"]) for area, row in _rows(flag).items()}
    assert covered == {a: round(v) for a, v in expected.units["covered_residents"].items()}


def test_files_and_a_store_do_not_mix(store, tmp_path, capsys):
    out = tmp_path / "x.csv"
    assert cli.main(["gaps", "--areas", str(store), "--workspace", str(store), "--out", str(out)]) == 2
    assert "nicht beides" in capsys.readouterr().err
    assert cli.main(["gaps", "--areas", str(store), "--out", str(out)]) == 2  # population and offers missing
    assert "--population" in capsys.readouterr().err
