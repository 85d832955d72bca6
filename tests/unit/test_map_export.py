"""The map of a view as a sheet for the meeting (PDF and PNG, A4/A3 landscape) and the tags of the PDFs."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from PIL import Image
from pypdf import PdfReader
from pyproj import Transformer

from dashboard.analysis.city import prepare
from dashboard.analysis.classify import Classes, classify
from dashboard.analysis.gaps import GapParams, analyse, with_scenario
from dashboard.analysis.indicators import unit_table
from dashboard.model.scenario import NewOffer, Scenario
from dashboard.model.schema import WEB_CRS
from dashboard.model.view import MapView
from dashboard.reports import council, map_export
from dashboard.reports.gap_figures import view_settings_text
from dashboard.store.settings import Settings, Wms
from tests.support.factories import CRS, X0, Y0, tiny_workspace

TODAY = date(2026, 7, 1)
#: Landscape page sizes in PDF points (1 pt = 1/72 inch): A4 297 × 210 mm, A3 420 × 297 mm.
A4_PT = (841.89, 595.28)
A3_PT = (1190.55, 841.89)
#: Pixels of the PNG at 150 dpi: 297 mm = 11.69 in → 1753 px, 210 mm → 1240 px, 420 mm → 2480 px.
A4_PX = (1753, 1240)
A3_PX = (2480, 1753)
SETTINGS = Settings(store_location="", tile_url="https://tiles.invalid/{z}/{x}/{y}.png", tile_attribution="© Test")
LAYERS = frozenset({"grid", "index", "offers"})


@pytest.fixture(scope="module")
def city_and_result():
    city = prepare(tiny_workspace())
    return city, analyse(city, GapParams())


def _flat(data: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return reader, re.sub(r"\s+", " ", text.replace("\xa0", " "))


def _structure(reader: PdfReader) -> list:
    """The structure elements under the document element, in order."""
    root = reader.trailer["/Root"]["/StructTreeRoot"].get_object()
    document = root["/K"]
    document = (document[0] if isinstance(document, list) else document).get_object()
    assert document["/S"] == "/Document"
    return [kid.get_object() for kid in document["/K"]]


def _gap_sheet(city_and_result, lang: str = "de", bezirk: str | None = None) -> map_export.MapSheet:
    city, result = city_and_result
    return map_export.gap_sheet(city, result, LAYERS, SETTINGS, lang, TODAY, bezirk)


@pytest.mark.parametrize(("page", "points"), [("a4", A4_PT), ("a3", A3_PT)])
def test_map_pdf_is_one_landscape_page_with_the_sheets_texts(city_and_result, page, points):
    sheet = _gap_sheet(city_and_result)
    reader, text = _flat(map_export.to_pdf(sheet, page))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx(points, abs=0.5)
    assert "Lückenanalyse Kleinstadt: alle" in text
    assert "Einstellungen der Ansicht: alle · 500 m · Luftlinie × Umwegfaktor 1,00 · ab Beteiligungsstufe" in text
    assert "Datenstand: 01.01.2026" in text and "Erstellt am 01.07.2026" in text
    assert "Karte: Quartiersatlas. Daten: Testdaten (CC0)" in text
    assert "Hintergrundkarte: © Test (im Export nicht gezeichnet)" in text  # named, not fetched


def test_map_pdf_is_tagged_language_title_heading_and_described_figure(city_and_result):
    sheet = _gap_sheet(city_and_result)
    reader, _ = _flat(map_export.to_pdf(sheet, "a4"))
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == "de"
    assert catalog["/MarkInfo"]["/Marked"] == True  # noqa: E712  # a pypdf BooleanObject
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"] == True  # noqa: E712
    assert reader.metadata.title == "Lückenanalyse Kleinstadt: alle"
    elements = _structure(reader)
    assert [e["/S"] for e in elements] == ["/H1", "/Figure"]
    assert elements[1]["/Alt"] == sheet.alt
    assert [item["/Title"] for item in reader.outline] == ["Lückenanalyse Kleinstadt: alle"]


def test_map_description_names_the_largest_gaps_first(city_and_result):
    """By hand: Mühlenviertel's 400 residents all lack an offer within 500 m (the Bürgerbüro only informs);
    in Am Bach 200 of 300 do (index 48, as in the report). Höhe has under 300 residents: not rated."""
    alt = _gap_sheet(city_and_result, bezirk="01").alt
    assert alt.startswith("Karte der Lückenanalyse für Unterstadt, Zielgruppe alle.")
    assert "blau in Reichweite, rot weiter als 500 m" in alt
    assert re.search(r"Die größten Lücken: Mühlenviertel \(Index \d+\), Am Bach \(Index 48\)\.", alt)
    assert "Höhe" not in alt


def test_map_png_has_the_page_size_in_pixels(city_and_result):
    sheet = _gap_sheet(city_and_result)
    for page, pixels in (("a4", A4_PX), ("a3", A3_PX)):
        data = map_export.to_png(sheet, page)
        assert data.startswith(b"\x89PNG\r\n\x1a\n")
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
        with Image.open(io.BytesIO(data)) as image:
            assert image.size == pixels


def test_english_sheet(city_and_result):
    sheet = _gap_sheet(city_and_result, lang="en")
    reader, text = _flat(map_export.to_pdf(sheet, "a4"))
    assert reader.trailer["/Root"]["/Lang"] == "en"
    assert "Gap analysis Kleinstadt: everyone" in text and sheet.alt.startswith("Gap analysis map of Kleinstadt")


def test_karte_sheet_draws_the_pages_classes_layers_and_bezirk(city_and_result):
    """By hand (500 m, Luftlinie): Am Bach 200 of 300 residents without an offer in reach (67 %),
    Mühlenviertel all 400 (100 %); only the offers and actors of Unterstadt are drawn."""
    city, _ = city_and_result
    view = MapView(layers=frozenset({"choropleth", "offers", "actors"}), bezirk="01")
    table = unit_table(city, view)
    classes = classify(table[view.measure], view.classification, view.classes)
    sheet = map_export.karte_sheet(city, table, classes, view, SETTINGS, "de", TODAY)
    assert sheet.title == "Anteil Einwohner weiter als 500 m vom nächsten Mitwirkungsangebot – Unterstadt"
    assert sheet.alt.endswith("Die größten Lücken: Mühlenviertel (100\xa0%), Am Bach (67\xa0%).")
    fills = dict(zip(sheet.view.units["area_id"], sheet.view.units["fill"], strict=True))
    for area, i in zip(table.index, classes.index, strict=True):
        assert fills[area] == classes.colour_of(int(i))  # the colours of the interactive map
    drawn = {row for points in sheet.view.points for row in points.frame.get("offer_id", points.frame.get("actor_id"))}
    assert drawn == {"o1", "o2", "a1", "a2"}  # Höhe's actor a3 lies in Oberstadt
    assert sheet.view.bounds == (4_300_000.0, 2_800_000.0, 4_302_000.0, 2_801_000.0)
    _, text = _flat(map_export.to_pdf(sheet, "a3"))
    assert "Einstellungen der Ansicht: Kinder, Jugendliche, Familien, Erwachsene, Senioren, alle · 500 m" in text


def test_view_settings_text_is_the_settings_line_of_any_view():
    line = view_settings_text(
        ("kinder", "senioren"), 400, "distance.straight_line", 1.3, "mitwirkung", Scenario(), "de"
    )
    assert line == "Kinder, Senioren · 400 m · Luftlinie × Umwegfaktor 1,30 · ab Beteiligungsstufe Mitwirkung"


def test_class_labels_run_from_the_lowest_value_to_each_upper_bound():
    classes = Classes((10.0, 20.0, 35.0), 2.0, None, ("#a", "#b", "#c"))
    assert classes.labels(lambda v: f"{v:g}") == ["2 – 10", "10 – 20", "20 – 35"]
    assert classify([float("nan"), float("nan")]).labels(str) == []  # a measure without figures: no legend


def test_file_name_says_page_place_and_paper(city_and_result):
    city, _ = city_and_result
    assert map_export.file_name("luecken", city, "02", "a3", ".pdf") == "luecken-oberstadt-a3.pdf"
    assert map_export.file_name("karte", city, None, "a4", ".png") == "karte-kleinstadt-a4.png"


def test_council_report_is_tagged_language_headings_and_described_map():
    ctx = council.context(tiny_workspace(), today=TODAY)
    report = council.build(ctx, "0101")
    reader, _ = _flat(council.to_pdf(report))
    assert reader.trailer["/Root"]["/Lang"] == "de"
    assert reader.trailer["/Root"]["/MarkInfo"]["/Marked"] == True  # noqa: E712  # a pypdf BooleanObject
    elements = _structure(reader)
    kinds = [e["/S"] for e in elements]
    assert kinds[:2] == ["/H1", "/Figure"] and {"/H2", "/H3"} <= set(kinds)
    assert elements[1]["/Alt"] == (
        "Karte von Am Bach mit den Nachbargebieten: das Gebiet schraffiert, darin Angebote als Kreise (Anzahl: 1) "
        "und Akteure als Dreiecke (Anzahl: 1)."
    )
    outline = [item["/Title"] for item in reader.outline if not isinstance(item, list)]
    assert outline == ["Quartiersbericht Am Bach"]
    chapters = [item["/Title"] for item in reader.outline[1] if not isinstance(item, list)]
    assert chapters[0] == "Mitwirkungslücke: was die Zahlen sagen" and "Kennzahlen" in chapters


def test_sheet_names_the_scenario_and_draws_its_planned_offer(city_and_result):
    city, result = city_and_result
    lon, lat = Transformer.from_crs(CRS, WEB_CRS, always_xy=True).transform(X0 + 850, Y0 + 850)
    planned = with_scenario(city, result, Scenario(added=(NewOffer(lon, lat, name="Treff"),)))
    sheet = map_export.gap_sheet(city, planned, frozenset({"index", "offers"}), SETTINGS, "de", TODAY)
    assert sheet.lines[0].endswith("· Szenario: 1 geplantes Angebot, 0 abgeschaltet")
    assert sheet.alt.endswith("Szenario: 1 geplantes Angebot, 0 abgeschaltet.") and "Kacheln" not in sheet.alt
    kinds = {p.label: len(p.frame) for p in sheet.view.points}
    assert kinds == {"zählt als Mitwirkungsangebot": 1, "geplant (Szenario)": 1}


def test_a_configured_wms_is_named_but_not_drawn(city_and_result):
    city, _ = city_and_result
    wms = Wms("https://wms.stadt.invalid/wms", "stadtplan", attribution="© Stadtvermessung")
    text = map_export.attribution(city, Settings(store_location="", wms=wms), "de")
    assert (
        text == "Karte: Quartiersatlas. Daten: Testdaten (CC0) · "
        "Hintergrundkarte: © Stadtvermessung (im Export nicht gezeichnet)"
    )
    assert (
        map_export.attribution(city, Settings(store_location=""), "de")
        == "Karte: Quartiersatlas. Daten: Testdaten (CC0)"
    )
