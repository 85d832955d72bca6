"""The Lückenanalyse's downloads on the tiny city (tests/support/factories.py), against hand-computed values.

Group "alle", 500 m, Mitwirkung (see tests/unit/test_gaps.py): only offer o1 at cell c1 counts.
Ranking: 1. Mühlenviertel (0102) index 95, 400 people all without offer, 0 places per 1,000;
2. Am Bach (0101) index 48.33, 300 people, 200 without offer (2/3), 100 places per 1,000;
Höhe (50 residents) is suppressed and Wald has nobody, so neither is ranked.
Cells: c1 (100 residents) 0 m, c2 848.5 m, c3 and c4 1,216.6 m; only c1 is covered.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import xml.etree.ElementTree as ET
from contextlib import closing
from datetime import date

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pytest
from pyproj import Transformer

from dashboard.analysis.city import prepare
from dashboard.analysis.gaps import GapParams, analyse, with_scenario
from dashboard.i18n import rounded
from dashboard.model.grid import cell_id
from dashboard.model.scenario import NewOffer, Scenario
from dashboard.reports import analysis_export as ax
from dashboard.reports import gap_figures
from tests.support.factories import X0, Y0, tiny_workspace

DAY = date(2026, 12, 3)
TO_LONLAT = Transformer.from_crs(3035, 4326, always_xy=True)


@pytest.fixture(scope="module")
def city():
    return prepare(tiny_workspace())


@pytest.fixture(scope="module")
def result(city):
    return analyse(city, GapParams())


def _sheets(data: bytes):
    book = openpyxl.load_workbook(io.BytesIO(data))
    return book.worksheets


def test_the_pages_ranking_holds_its_figures_as_numbers_rounded_as_written(result):
    """The page's table sorts by its figures: whole ones whole, a share to whole per cent, a rate to one decimal."""
    frame = gap_figures.ranking_frame(result, "de")
    assert list(frame["Quartier"]) == ["Mühlenviertel", "Am Bach"]
    assert list(frame["Rang"]) == [1, 2] and list(frame["Lückenindex"]) == [95, 48]  # 48.33
    assert str(frame["Lückenindex"].dtype) == "Int64" and str(frame["Zielgruppe (Personen)"].dtype) == "Int64"
    assert list(frame["ohne Angebot (Anteil)"]) == [1.0, 0.67]  # 2/3: 67 %
    assert list(frame["Plätze je 1.000 (2SFCA)"]) == [0.0, 100.0]
    for lang in ("de", "en"):  # one heading, one kind: no two headings alike
        assert len(gap_figures.figure_kinds(lang)) == len(gap_figures.FIGURE_KINDS)
    kinds = gap_figures.figure_kinds("de")
    assert kinds["ohne Angebot (Anteil)"] == "share" and "Quartier" not in kinds and kinds["Veränderung"] == "count"


def test_a_tables_figures_are_rounded_by_the_one_rule_of_our_texts():
    """Whole figures are rounded in one step (np.rint): the same as ``i18n.rounded``, halves to even included."""
    rng = np.random.default_rng(5)
    values = np.concatenate([rng.uniform(-5e4, 5e4, 20_000), np.arange(-400, 400) / 2, [np.nan]])
    for kind in gap_figures.SHOWN_DIGITS:
        expected = [rounded(v, gap_figures.SHOWN_DIGITS[kind]) for v in values]
        assert gap_figures.shown(values, kind).astype(float).tolist()[:-1] == expected[:-1], kind
        assert pd.isna(gap_figures.shown(values, kind).iloc[-1])


def test_xlsx_holds_the_ranking_as_numbers_with_a_bold_frozen_header(city, result):
    table, about = _sheets(ax.quartier_xlsx(result, city, "de", DAY))
    assert table.title == "Quartiere" and table.freeze_panes == "A2"
    header = [c.value for c in table[1]]
    assert header[:4] == ["Rang", "Quartier", "Lückenindex", "Klasse"]
    assert all(c.font.bold for c in table[1])
    rows = [[c.value for c in row] for row in table.iter_rows(min_row=2)]
    assert [r[:2] for r in rows] == [[1, "Mühlenviertel"], [2, "Am Bach"]]
    first, second = rows
    assert first[2] == 95 and first[4:8] == [400, 400, 1, 0]
    assert second[2] == pytest.approx(48.333, abs=1e-3)
    assert second[4:8] == pytest.approx([300, 200, 2 / 3, 100])
    assert second[8] == "33 / 0 / 15"  # the page's components column, as text
    assert table["C3"].number_format == "0" and table["G3"].number_format == "0%"  # shown as on the page: 48, 67 %
    lines = [row[0].value for row in about.iter_rows()]
    assert lines[:3] == ["Lückenanalyse: Kleinstadt", "Erstellt am 03.12.2026", "Datenstand: 01.01.2026"]
    assert (
        lines[3]
        == "Einstellungen der Ansicht: alle · 500 m · Luftlinie × Umwegfaktor 1,00 · ab Beteiligungsstufe Mitwirkung"
    )
    assert any("Versorgt ist, wer höchstens 500 m entfernt wohnt" in line for line in lines)
    assert not any("**" in line for line in lines)


def test_xlsx_in_english_and_limited_to_the_areas_in_view(city, result):
    table, about = _sheets(ax.quartier_xlsx(result, city, "en", DAY, area_ids={"0101", "0201"}))
    assert [c.value for c in table[1]][:2] == ["Rank", "Neighbourhood"]
    assert [[c.value for c in row][:3] for row in table.iter_rows(min_row=2)] == [
        [1, "Am Bach", pytest.approx(48.333, abs=1e-3)]
    ]
    assert about.title == "Settings and method"


def test_csv_for_german_excel_bom_semicolon_decimal_comma_crlf(result):
    data = ax.quartier_csv(result, "de")
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    lines = text.split("\r\n")
    assert lines[0].split(";")[:4] == ["Rang", "Quartier", "Lückenindex", "Klasse"]
    assert lines[1].split(";")[:8] == ["1", "Mühlenviertel", "95", "2", "400", "400", "1,0000", "0,0"]
    assert lines[2].split(";")[:8] == ["2", "Am Bach", "48", "1", "300", "200", "0,6667", "100,0"]
    assert lines[3] == "" and len(lines) == 4


def test_formula_text_is_neutralised_in_csv_and_xlsx(city):
    areas = tiny_workspace().areas.copy()
    areas.loc[areas["area_id"] == "0102", "name"] = '=HYPERLINK("http://x")'
    hostile_city = prepare(tiny_workspace(areas=areas))
    hostile = analyse(hostile_city, GapParams())
    rows = list(csv.reader(io.StringIO(ax.quartier_csv(hostile, "de").decode("utf-8-sig")), delimiter=";"))
    assert rows[1][1] == '\'=HYPERLINK("http://x")'
    table, _ = _sheets(ax.quartier_xlsx(hostile, hostile_city, "de", DAY))
    assert table["B2"].value == '\'=HYPERLINK("http://x")' and table["B2"].data_type == "s"


def test_cells_geopackage_squares_distance_and_coverage(result, tmp_path):
    path = tmp_path / "zellen.gpkg"
    path.write_bytes(ax.cells_gpkg(result, "de"))
    cells = gpd.read_file(path, layer=ax.CELL_LAYER)
    assert cells.crs.to_epsg() == 3035
    assert list(cells["cell_id"]) == [
        cell_id(Y0 + y - 50, X0 + x - 50) for x, y in [(250, 250), (850, 850), (1450, 450), (450, 1450)]
    ]
    assert list(cells["area_id"]) == ["0101", "0101", "0102", "0201"]  # ids stay text
    assert list(cells["area_name"]) == ["Am Bach", "Am Bach", "Mühlenviertel", "Höhe"]
    assert cells["target_residents"].tolist() == [100, 200, 400, 50]
    assert cells["distance_m"].tolist() == pytest.approx([0, 848.5, 1216.6, 1216.6])
    assert cells["covered"].tolist() == [True, False, False, False]
    assert cells.geometry.area.tolist() == pytest.approx([10_000] * 4)
    assert cells.geometry.iloc[0].bounds == (X0 + 200, Y0 + 200, X0 + 300, Y0 + 300)


def test_cells_of_a_group_in_view_and_without_any_offer(city):
    seniors = analyse(city, GapParams(target_group="senioren"))
    cells = ax.cell_frame(seniors, area_ids={"0101"})
    assert cells["target_residents"].tolist() == [40, 80]  # 65–79 plus 80+
    nothing = ax.cell_frame(analyse(city, GapParams(min_level="selbstorganisation")))
    assert cells["covered"].tolist() == [True, False]
    assert nothing["distance_m"].isna().all() and not nothing["covered"].any()  # no offer reachable: empty


def test_scenario_geojson_planned_and_switched_off_offers(city, result):
    lon, lat = TO_LONLAT.transform(X0 + 850, Y0 + 850)
    planned = NewOffer(lon, lat, category="senioren", target_groups=("senioren",), capacity=40, name="Treff Nord")
    after = with_scenario(city, result, Scenario().add(planned).toggle("o1").toggle("weg"))
    data = json.loads(ax.scenario_geojson(after, city))
    assert "crs" not in data  # RFC 7946: always WGS 84, no crs member
    new, off, gone = data["features"]
    assert new["properties"] == {
        "change": "geplant",
        "offer_id": "szenario-1",
        "name": "Treff Nord",
        "category": "senioren",
        "target_groups": "senioren",
        "level": "mitwirkung",
        "capacity": 40,
        "area_id": "0101",
    }
    assert new["geometry"]["coordinates"] == pytest.approx([lon, lat])
    assert off["properties"]["change"] == "abgeschaltet" and off["properties"]["offer_id"] == "o1"
    assert off["properties"]["name"] == "Nachbarschaftstreff <b>Am Bach</b>"
    assert off["geometry"]["coordinates"] == pytest.approx(list(TO_LONLAT.transform(X0 + 250, Y0 + 250)))
    assert gone["properties"]["offer_id"] == "weg" and gone["geometry"] is None  # an id the data no longer has
    assert "geheim" not in json.dumps(data)  # o1's contact never leaves the store
    assert json.loads(ax.scenario_geojson(result, city))["features"] == []


def test_file_names_carry_city_group_and_day():
    assert ax.file_name("Kleinstadt", "senioren", DAY, ".xlsx") == "luecken-kleinstadt-senioren-2026-12-03.xlsx"
    assert (
        ax.file_name("Frankfurt (Oder) Süd", "alle", DAY, ".gpkg") == "luecken-frankfurt-oder-sued-alle-2026-12-03.gpkg"
    )


def test_write_picks_the_format_by_suffix(city, result, tmp_path):
    assert ax.write(result, city, tmp_path / "q.xlsx", "de", DAY) == 2
    assert _sheets((tmp_path / "q.xlsx").read_bytes())[0]["B2"].value == "Mühlenviertel"
    assert ax.write(result, city, tmp_path / "z.gpkg", "de", DAY) == 4
    assert len(gpd.read_file(tmp_path / "z.gpkg", layer=ax.CELL_LAYER)) == 4
    assert ax.write(result, city, tmp_path / "t.csv", "de", DAY) == 4  # the data team's table, all Quartiere
    assert len(list(tmp_path.iterdir())) == 3  # no temporary file left behind


def _cell_rules(path) -> dict[str, str]:
    """The cells' default QGIS style: rule filter → fill colour (``r,g,b,a``)."""
    with closing(sqlite3.connect(path)) as connection:
        rows = connection.execute(
            "SELECT f_table_name, f_geometry_column, useAsDefault, styleQML FROM layer_styles"
        ).fetchall()
    assert [row[:3] for row in rows] == [(ax.CELL_LAYER, "geom", 1)]
    renderer = ET.fromstring(rows[0][3]).find("renderer-v2")
    assert renderer is not None and renderer.get("type") == "RuleRenderer"
    fills = {s.get("name"): {p.get("k"): p.get("v") for p in s.iter("prop")}["color"] for s in renderer.iter("symbol")}
    return {rule.get("filter"): fills[rule.get("symbol")] for rule in renderer.iter("rule")}


def test_cells_geopackage_is_styled_in_the_maps_distance_classes(city, tmp_path):
    result = analyse(city, GapParams(threshold_m=400))  # classes at 200, 400, 600 and 800 m
    expected = {  # ColorBrewer RdYlBu as the map's grid: #4575b4 #91bfdb #fee090 #fc8d59 #d73027
        '"target_residents" > 0 AND "distance_m" <= 200': "69,117,180,190",
        '"target_residents" > 0 AND "distance_m" > 200 AND "distance_m" <= 400': "145,191,219,190",
        '"target_residents" > 0 AND "distance_m" > 400 AND "distance_m" <= 600': "254,224,144,190",
        '"target_residents" > 0 AND "distance_m" > 600 AND "distance_m" <= 800': "252,141,89,190",
        '"target_residents" > 0 AND ("distance_m" > 800 OR "distance_m" IS NULL)': "215,48,39,190",
    }
    download = tmp_path / "zellen.gpkg"
    download.write_bytes(ax.cells_gpkg(result, "de"))
    assert _cell_rules(download) == expected
    assert "bis 200 m" in download.read_bytes().decode("utf-8", "replace")  # the legend's labels
    written = tmp_path / "cli.gpkg"
    assert ax.write(result, city, written, "de", DAY) == 4
    assert _cell_rules(written) == expected
