"""The council report: the PDF read back (pypdf), the HTML, and a report from real Stuttgart data."""

import io
import re
from datetime import date

import geopandas as gpd
import pandas as pd
import pytest
from pypdf import PdfReader
from pyproj import Transformer

from dashboard.analysis.gaps import GapParams
from dashboard.analysis.profile import UnknownArea
from dashboard.maps.print_map import scale_length
from dashboard.model.areas import two_levels
from dashboard.model.scenario import NewOffer, Scenario
from dashboard.model.schema import WEB_CRS
from dashboard.model.workspace import LayerMeta, Workspace
from dashboard.reports import council
from tests.support.factories import CRS, X0, Y0, tiny_workspace
from tests.support.paths import SHARED_DATA

SECRET = "geheim@beispiel.invalid"
TODAY = date(2026, 7, 1)
A4_PT = (595.28, 841.89)
SHARED = SHARED_DATA
STADTTEILE = SHARED / "stuttgart-stadtteile" / "Stgt_Stadtteile_EPSG25832.geojson"
SOZIALWOHNUNGEN = SHARED / "stuttgart-sozialwohnungen" / "sozialmietwohnungen_2023_sst.csv"


@pytest.fixture(scope="module")
def ctx():
    return council.context(tiny_workspace(), today=TODAY)


def _pdf_text(data: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(data))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def _flat(text: str) -> str:
    """Extracted text with line breaks and non-breaking spaces made plain spaces."""
    return re.sub(r"\s+", " ", text.replace("\xa0", " "))


def test_pdf_is_a4_with_title_figures_and_lists(ctx):
    data = council.to_pdf(council.build(ctx, "0101"))
    assert data.startswith(b"%PDF")
    reader, text = _pdf_text(data)
    assert 2 <= len(reader.pages) <= 6
    for page in reader.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A4_PT, abs=0.5)
    assert reader.metadata.title == "Quartiersbericht Am Bach"
    flat = _flat(text)
    assert "Quartiersbericht Am Bach" in flat and "Quartier in Kleinstadt im Stadtbezirk Unterstadt" in flat
    assert "Erstellt am 01.07.2026" in flat and "Datenstand: 01.01.2026" in flat
    assert "Einwohner 300 700 750" in flat
    assert "Lückenindex 48 75 75" in flat
    assert "In Am Bach wohnen 300 Menschen der Zielgruppe (alle). 200 von ihnen (67 %)" in flat
    assert "Freie Wohlfahrtspflege, Stadt/Kommune" in flat  # missing sectors
    assert "Nachbarschaftstreff <b>Am Bach</b>" in flat  # data text printed as text, never as markup
    assert "Quellen und Lizenzen" in flat and "CC0" in flat and "Methode" in flat


def test_no_contact_data_in_pdf_or_html(ctx):
    for area_id in ("0101", "01", "0102"):
        content = council.build(ctx, area_id)
        pdf = council.to_pdf(content)
        assert SECRET not in _pdf_text(pdf)[1]
        assert SECRET.encode() not in pdf
        assert SECRET not in council.to_html(content)


def test_html_is_escaped_and_self_contained(ctx):
    page = council.to_html(council.build(ctx, "0101"))
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Nachbarschaftstreff &lt;b&gt;Am Bach&lt;/b&gt;" in page
    assert "<strong>Zielgruppe:</strong>" in page  # our own emphasis survives escaping
    assert re.findall(r'(?:src|href)="(?!data:)', page) == []  # nothing to load from anywhere
    assert "<title>Quartiersbericht Am Bach</title>" in page


def test_bezirk_and_withheld_quartier(ctx):
    _, text = _pdf_text(council.to_pdf(council.build(ctx, "02")))
    flat = _flat(text)
    assert "Quartiersbericht Oberstadt" in flat and "Stadtbezirk in Kleinstadt" in flat
    assert "Oberstadt hat weniger als 300 Einwohner" in flat
    with pytest.raises(UnknownArea):
        council.build(ctx, "0999")


def _seniors_view() -> council.ReportContext:
    """Seniors (400 m); a planned Treff at Am Bach's far cell (850, 850), the Treff at (250, 250) switched off."""
    lon, lat = Transformer.from_crs(CRS, WEB_CRS, always_xy=True).transform(X0 + 850, Y0 + 850)
    planned = NewOffer(lon, lat, capacity=20, name="Seniorentreff <i>Plan</i>")
    return council.context(
        tiny_workspace(),
        today=TODAY,
        params=GapParams(target_group="senioren"),
        scenario=Scenario(added=(planned,), disabled=("o1",)),
    )


def test_report_is_made_from_the_view_and_names_it():
    """By hand: Am Bach has 40 seniors at (250, 250), 80 at (850, 850). Today only the first 40 have the Treff
    within 400 m; with the scenario only the 80 have one (the planned Treff), city-wide 80 instead of 40."""
    content = council.build(_seniors_view(), "0101")
    _, text = _pdf_text(council.to_pdf(content))
    first_page = _flat(PdfReader(io.BytesIO(council.to_pdf(content))).pages[0].extract_text())
    assert (
        "Einstellungen der Ansicht: Senioren · 400 m · Luftlinie × Umwegfaktor 1,00 · ab Beteiligungsstufe "
        "Mitwirkung · Szenario: 1 geplantes Angebot, 1 abgeschaltet" in first_page
    )
    flat = _flat(text)
    assert "In Am Bach wohnen 120 Menschen der Zielgruppe (Senioren). 40 von ihnen (33 %)" in flat
    assert "Mit dem Szenario sind 80 statt 40 Personen der Zielgruppe versorgt (+40)." in flat
    assert "In Am Bach ändert das Szenario die Zahl der versorgten Menschen der Zielgruppe um +40." in flat
    assert "Im Szenario abgeschaltet: Nachbarschaftstreff <b>Am Bach</b>." in flat
    assert "1 Seniorentreff <i>Plan</i> Am Bach 20" in flat  # the planned offer's row, its text as text
    page = council.to_html(content)
    assert "Seniorentreff &lt;i&gt;Plan&lt;/i&gt;" in page and "<i>" not in page
    assert "Einstellungen der Ansicht: Senioren · 400 m" in page


def test_report_without_scenario_has_no_scenario_section(ctx):
    content = council.build(ctx, "0101")
    assert content.scenario_paragraphs == () and content.planned.empty
    assert "Szenario" not in content.settings and "Szenario" not in council.to_html(content)


def test_english_report():
    english = council.context(tiny_workspace(), today=TODAY, lang="en")
    _, text = _pdf_text(council.to_pdf(council.build(english, "0101")))
    assert "Neighbourhood report Am Bach" in text and "Sources and licences" in _flat(text)


@pytest.mark.slow
def test_write_all_one_pdf_per_quartier(ctx, tmp_path):
    written = council.write_all(ctx, tmp_path, with_html=True, jobs=2, progress=False)
    assert [p.name for p in written] == [
        "bericht-0101.html", "bericht-0101.pdf", "bericht-0102.html", "bericht-0102.pdf",
        "bericht-0201.html", "bericht-0201.pdf", "bericht-0202.html", "bericht-0202.pdf",
    ]  # fmt: skip
    assert all(p.read_bytes()[:4] in (b"%PDF", b"<!DO") for p in written)
    assert not list(tmp_path.glob(".tmp-*"))


def test_scale_bar_lengths_are_round():
    assert scale_length(2000) == 500 and scale_length(9000) == 2000 and scale_length(300) == 50


def _stuttgart() -> Workspace:
    """Real Stadtteile as two levels, joined with the real count of social rental flats (2023)."""
    flat = gpd.read_file(STADTTEILE)
    areas = two_levels(
        flat,
        quartier_id="STADTTEILNR",
        quartier_name="STADTTEILNAME",
        bezirk_id="STADTBEZIRKNR",
        bezirk_name="STADTBEZIRKNAME",
    )
    table = pd.read_csv(SOZIALWOHNUNGEN, sep=";", encoding="cp1252", decimal=",", dtype={"Stadtteil Nr.": str})
    counts = table.set_index("Stadtteil Nr.")["Anz_Sozialmietwohnungen"].round().astype("Int64")
    areas["sozialmietwohnungen"] = areas["area_id"].map(counts).where(areas["level"] == "quartier").astype("Int64")
    meta = LayerMeta(
        "Landeshauptstadt Stuttgart, Statistisches Amt",
        "dl-de/by-2-0 oder CC BY 4.0 (nicht geprüft)",
        "Datenquelle: Landeshauptstadt Stuttgart, Statistisches Amt, opendata.stuttgart.de",
        "2023-12-31",
    )
    return Workspace(city="Stuttgart", layers={"areas": areas}, meta={"areas": meta})


@pytest.mark.real_data
@pytest.mark.skipif(
    not (STADTTEILE.is_file() and SOZIALWOHNUNGEN.is_file()),
    reason=f"real Stuttgart data not present in {SHARED} (../shared/data beside the repo)",
)
def test_report_from_real_stuttgart_areas_and_social_housing():
    workspace = _stuttgart()
    joined = workspace.areas.dropna(subset=["sozialmietwohnungen"])
    assert len(joined) == 112  # 152 Stadtteile, 40 without a published count
    ctx = council.context(workspace, today=TODAY)
    assert ctx.counts.loc["102", "sozialmietwohnungen"] == 258  # Rathaus, from the Windows-1252 CSV
    _, text = _pdf_text(council.to_pdf(council.build(ctx, "104")))
    flat = _flat(text)
    assert "Quartiersbericht Universität" in flat and "im Stadtbezirk Mitte" in flat
    mitte = int(
        ctx.counts.loc[ctx.city.units["area_id"][ctx.city.units["parent_id"] == "01"], "sozialmietwohnungen"].sum()
    )
    assert f"sozialmietwohnungen 64 {mitte:,}".replace(",", ".") in flat
    assert "opendata.stuttgart.de" in flat
    _, bezirk = _pdf_text(council.to_pdf(council.build(ctx, "01")))
    assert "Quartiersbericht Mitte" in bezirk
