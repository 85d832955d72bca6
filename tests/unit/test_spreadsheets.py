"""The office formats cities hand in: .xlsx, .ods and .xls read alike, title rows above the header,
spreadsheet serial dates, and UTM eastings with the zone in front (ALKIS)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pyproj
import pytest
import shapely

from dashboard.ingest import columnmap, readers
from dashboard.ingest.columnmap import EXCEL_1900, EXCEL_1904, ColumnMapping
from dashboard.ingest.readers import LayerFileError, guess_coordinates, read_file, with_geometry
from dashboard.ingest.validation import WARNING
from dashboard.model import schema
from tests.support.officefiles import WRITERS, write_ods, write_xls, write_xlsx

TITLE = "Tabelle 3: Begegnungsstätten nach Stadtteilen, Stand 31.12.2023"
HEADER = ["Nr", "Name", "Plätze", "Stand", "barrierefrei", None, "Rechtswert", "Hochwert"]
ROWS = [
    ["0101", "Treff <b>am Markt</b>", 12, date(2024, 1, 1), True, None, 32513000.5, 5403000],
    ["0102", "Seniorencafé", 12.5, 45292, False, None, 32513100, 5403100],
    [None] * 8,
    ["0103", "Stadtteilladen", None, None, None, None, 32513200, 5403200],
]
#: What every format must give: cells as the program shows them, the blank row and the empty column gone.
EXPECTED = [
    {"Nr": "0101", "Name": "Treff <b>am Markt</b>", "Plätze": "12", "Stand": "2024-01-01", "barrierefrei": "true",
     "Rechtswert": "32513000.5", "Hochwert": "5403000"},
    {"Nr": "0102", "Name": "Seniorencafé", "Plätze": "12.5", "Stand": "45292", "barrierefrei": "false",
     "Rechtswert": "32513100", "Hochwert": "5403100"},
    {"Nr": "0103", "Name": "Stadtteilladen", "Plätze": None, "Stand": None, "barrierefrei": None,
     "Rechtswert": "32513200", "Hochwert": "5403200"},
]  # fmt: skip


def _keys(table: readers.RawTable) -> list[str]:
    return [note.key for note in table.notes]


@pytest.mark.parametrize("kind", list(WRITERS))
def test_the_three_spreadsheet_formats_read_alike(tmp_path, kind):
    path = WRITERS[kind](tmp_path / f"treffs.{kind}", {"Hinweise": [], "Liste": [HEADER, *ROWS], "Leer": []})
    table = read_file(path)
    assert table.format == kind and table.layers == ("Hinweise", "Liste", "Leer") and table.layer == "Liste"
    assert table.frame.to_dict("records") == EXPECTED
    assert (table.header_row, table.title_rows, table.date_origin) == (1, 0, EXCEL_1900)
    assert _keys(table)[0] == "read.several_sheets" and readers.TITLE_NOTE not in _keys(table)
    assert table.coordinates.columns == ("Rechtswert", "Hochwert")
    assert table.coordinates.crs_candidates == ("EPSG:4647",)


@pytest.mark.parametrize("kind", list(WRITERS))
def test_a_named_sheet_and_an_unknown_one(tmp_path, kind):
    path = WRITERS[kind](tmp_path / f"a.{kind}", {"Erstes": [["a", "b"], ["1", "2"]], "Zweites": [["c"], ["3"]]})
    assert read_file(path, layer="Zweites").frame.to_dict("records") == [{"c": "3"}]
    with pytest.raises(LayerFileError) as caught:
        read_file(path, layer="Drittes")
    assert caught.value.key == "read.layer_not_found" and "Erstes, Zweites" in str(caught.value)


@pytest.mark.parametrize("kind", list(WRITERS))
def test_title_rows_above_the_header_are_skipped_with_a_notice(tmp_path, kind):
    path = WRITERS[kind](tmp_path / f"treffs.{kind}", {"Tabelle3": [[TITLE], [], HEADER, *ROWS]})
    table = read_file(path)
    assert table.frame.to_dict("records") == EXPECTED
    assert (table.header_row, table.title_rows) == (3, 1)
    note = next(n for n in table.notes if n.key == readers.TITLE_NOTE)
    assert note.text() == (
        "Die ersten 2 Zeilen sehen wie ein Titel aus („Tabelle 3: Begegnungsstätten nach Stadtteilen, Stand "
        "31.12.…“) und werden übersprungen; die Spaltennamen stehen in Zeile 3."
    )
    assert note.text("en").startswith("The first 2 rows look like a title")


def test_a_named_header_row_overrules_the_detection(tmp_path):
    path = write_ods(tmp_path / "t.ods", {"T": [[TITLE], ["Quelle: Statistisches Amt"], [], HEADER, *ROWS]})
    assert read_file(path).header_row == 4
    table = read_file(path, header_row=1)
    assert list(table.frame.columns)[0] == TITLE and table.title_rows == 0 and readers.TITLE_NOTE not in _keys(table)
    table = read_file(path, header_row=4)
    assert table.frame.to_dict("records") == EXPECTED and table.title_rows == 2
    for row in (3, 40):  # blank, beyond the end
        with pytest.raises(LayerFileError) as caught:
            read_file(path, header_row=row)
        assert caught.value.key == "read.header_row_empty" and f"Zeile {row} ist leer" in str(caught.value)


def test_csv_with_a_title_line_reads_instead_of_failing(tmp_path):
    path = tmp_path / "einwohner.csv"
    text = f"{TITLE};;;\n;;;\nStadtteil;Einwohner;0-5;65-79\n101;1200;80;150\n102;950;40;210\n"
    path.write_text(text, encoding="cp1252")
    table = read_file(path)
    assert table.header_row == 3 and table.title_rows == 1
    assert list(table.frame.columns) == ["Stadtteil", "Einwohner", "0-5", "65-79"] and len(table.frame) == 2
    assert any(n.key == readers.TITLE_NOTE and "Die ersten 2 Zeilen" in n.text() for n in table.notes)
    assert list(read_file(path, header_row=1).frame.columns)[0] == TITLE  # as a person chose


@pytest.mark.parametrize(
    "lines",
    [
        ["id;name;stand", "1;;", "2;b;2023"],  # a sparse first data row is no header
        ["name", "Treff", "Café"],  # one column: nothing to compare with
        ["", "", "id;name", "1;a"],  # blank lines only above the header: no title
        ["Nr;Stadtteil;;", "1;Mitte;12;13"],  # a sparse header, wider data: kept
        ["Stadtteil;Einwohner", "Mitte;12", "Summe;12"],  # a narrow table
    ],
)
def test_no_title_where_there_is_none(tmp_path, lines):
    path = tmp_path / "t.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    table = read_file(path)
    assert table.title_rows == 0 and readers.TITLE_NOTE not in _keys(table)
    assert table.header_row == next(i for i, line in enumerate(lines, start=1) if line)


def test_only_a_title_is_no_table(tmp_path):
    path = write_xlsx(tmp_path / "t.xlsx", {"T": [[TITLE], [], ["a", "b"]]})
    with pytest.raises(LayerFileError) as caught:
        read_file(path)
    assert caught.value.key == "read.no_rows"


# --- serial dates ---


def test_serial_dates_hand_computed():
    assert columnmap.serial_date(45292) == "2024-01-01"  # Excel shows 01.01.2024
    assert columnmap.serial_date("45291") == "2023-12-31" and columnmap.serial_date(45292.0) == "2024-01-01"
    assert columnmap.serial_date(10000) == "1927-05-18"  # the smallest read: five digits
    assert columnmap.serial_date(43830, EXCEL_1904) == "2024-01-01"  # 1904 system: 1,462 days fewer
    # never a serial: years, Excel's 29.02.1900 (60), a fraction of a day, six digits, text
    assert [columnmap.serial_date(v) for v in (2023, 60, "61", 45292.5, 452920, "45292a", None)] == [None] * 7


def test_a_date_field_reads_serials_beside_written_dates_and_says_so():
    spec = schema.Field("stand", "date")
    cells = pd.Series(["45292", "31.12.2023", "2023", 45658, None, "12/2023", "123"], dtype=object)
    values, problems = columnmap.convert(cells, "offers", spec, "Stand")
    assert values.tolist() == ["2024-01-01", "2023-12-31", "2023", "2025-01-01", None, "2023-12", None]
    warning = next(p for p in problems if p.key == "map.value.serial_dates")
    assert warning.row is None and warning.severity == WARNING and warning.count == 2
    assert warning.text() == (
        "Spalte „Stand“: 2 fünfstellige Zahlen als Datum gelesen, gezählt wie in Excel (z. B. 45292 = 2024-01-01). "
        "Bitte prüfen."
    )
    assert [(p.row, p.key) for p in problems if p is not warning] == [(7, "map.value.not_a_date")]
    values, problems = columnmap.convert(pd.Series(["43830"]), "offers", spec, "Stand", EXCEL_1904)
    assert values.tolist() == ["2024-01-01"] and "1 fünfstellige Zahl als Datum" in problems[0].text()


def test_csv_serial_column_comes_in_as_dates(tmp_path):
    path = tmp_path / "treffs.csv"
    path.write_text("Name;Stand\nTreff;45292\nCafé;45366\n", encoding="utf-8")
    raw = read_file(path)
    frame, problems = columnmap.apply(raw, ColumnMapping("offers", {"name": "Name", "stand": "Stand"}))
    assert frame["stand"].tolist() == ["2024-01-01", "2024-03-15"] and [p.key for p in problems] == [
        "map.value.serial_dates"
    ]


@pytest.mark.parametrize(
    ("kind", "write"),
    [
        ("xlsx", lambda p, rows: write_xlsx(p, rows, date1904=True)),
        ("ods", lambda p, rows: write_ods(p, rows, null_date="1904-01-01")),
    ],
)
def test_1904_workbooks_count_plain_serials_from_1904(tmp_path, kind, write):
    path = write(tmp_path / f"mac.{kind}", {"S": [["Name", "Stand"], ["a", date(2024, 1, 1)], ["b", 43830]]})
    raw = read_file(path)
    assert raw.date_origin == EXCEL_1904
    assert raw.frame["Stand"].tolist() == ["2024-01-01", "43830"]  # the date-formatted cell: converted by calamine
    frame, _ = columnmap.apply(raw, ColumnMapping("offers", {"name": "Name", "stand": "Stand"}))
    assert frame["stand"].tolist() == ["2024-01-01", "2024-01-01"]


def test_an_xls_in_the_1904_system_keeps_its_date_cells_right(tmp_path):
    path = write_xls(tmp_path / "mac.xls", {"S": [["Stand"], [date(2024, 1, 1)], [date(1999, 12, 31)]]}, date1904=True)
    assert read_file(path).frame["Stand"].tolist() == ["2024-01-01", "1999-12-31"]


# --- coordinates: UTM eastings with the zone in front ---


@pytest.mark.parametrize(
    ("crs", "utm", "x", "y"),
    [("EPSG:4647", "EPSG:25832", 32_513_000.5, 5_403_000.0),  # Stuttgart, zone 32
     ("EPSG:5650", "EPSG:25833", 33_392_000.0, 5_820_000.0)],  # Berlin, zone 33
)  # fmt: skip
def test_zone_prefixed_eastings_are_recognised(crs, utm, x, y):
    assert pyproj.CRS(crs).name == f"ETRS89 / UTM zone {utm[-2:]}N (zE-N)"
    frame = pd.DataFrame({"RW": [f"{x + i * 10:.1f}".replace(".", ",") for i in range(3)], "HW": [str(y)] * 3})
    guess = guess_coordinates(frame, "alkis_gebaeude.csv")
    assert guess is not None and guess.columns == ("RW", "HW") and guess.crs_candidates[0] == crs
    raw = readers.RawTable(frame, "alkis.csv", "csv")
    located, problems = with_geometry(raw, guess, crs)
    assert not problems
    point = located.frame.to_crs(utm).geometry.iloc[0]
    assert point.equals_exact(shapely.Point(x - int(x // 1_000_000) * 1_000_000, y), tolerance=0.001)


def test_plain_utm_values_stay_plain_utm():
    frame = pd.DataFrame({"x": ["513000", "513100"], "y": ["5403000", "5403100"]})
    assert guess_coordinates(frame).crs_candidates[0] == "EPSG:25832"


def test_an_ods_list_with_a_title_row_maps_to_offers(tmp_path):
    """The done-when of the issue in small: an .ods list of Begegnungsstätten with a title row, mapped."""
    path = write_ods(tmp_path / "begegnungsstaetten.ods", {"Tabelle1": [[TITLE], [], HEADER, *ROWS]})
    raw = read_file(path)
    raw, _ = with_geometry(raw, raw.coordinates, raw.coordinates.crs_candidates[0])
    mapping = ColumnMapping("offers", {"offer_id": "Nr", "name": "Name", "capacity": "Plätze", "stand": "Stand"})
    frame, problems = columnmap.apply(raw, mapping)
    assert frame["offer_id"].tolist() == ["0101", "0102", "0103"]
    assert frame["stand"].tolist() == ["2024-01-01", "2024-01-01", None]
    assert frame.crs == "EPSG:4647" and Path(raw.source_name).suffix == ".ods"
    assert {p.key for p in problems} == {"map.value.serial_dates", "map.value.not_whole"}


def test_one_title_line_right_above_the_header(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("Quelle: Statistisches Amt\nStadtteil;Einwohner\n101;1200\n", encoding="utf-8")
    table = read_file(path)
    assert (table.header_row, table.title_rows) == (2, 1)
    assert table.notes[-1].text() == (
        "Zeile 1 sieht wie ein Titel aus („Quelle: Statistisches Amt“) und wird übersprungen; "
        "die Spaltennamen stehen in Zeile 2."
    )
