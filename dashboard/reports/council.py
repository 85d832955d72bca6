"""The council report of a Quartier or Stadtbezirk, as PDF (A4) and as self-contained HTML.

``build`` collects the content once (texts, tables, the map image); ``to_pdf``
and ``to_html`` only lay it out, so both versions always say the same. The
PDF uses fpdf2 with the DejaVu font matplotlib ships (umlauts, dashes,
German quotes), black text on white with grey table heads, so it stays
readable when printed in greyscale; it names its language and title and
tags its headings and map as far as fpdf2 goes (``pdfdoc``). The HTML escapes every text and embeds the
map image, so it opens offline and loads nothing from anywhere.

Reports of one data version and view share a ``ReportContext`` (prepared city,
gap analysis, counts per Quartier): the whole city's reports cost one analysis.
A report is made from a view – group, threshold, distance mode, minimum level and
scenario – and names it on its first page, so the council reads the figures the
planner saw.
"""

from __future__ import annotations

import base64
import html
import io
import multiprocessing
import re
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
from fpdf import FPDF
from fpdf.fonts import FontFace
from tqdm import tqdm

from dashboard import i18n
from dashboard.analysis.city import City, prepare
from dashboard.analysis.gaps import GapParams, GapResult, analyse, compare, with_scenario
from dashboard.analysis.profile import (
    ACTOR_COLUMNS,
    AREA,
    CITY,
    DEFAULT_MAX_AGE_MONTHS,
    OFFER_COLUMNS,
    Area,
    Profile,
    list_frame,
    profile,
    profile_sections,
    unit_counts,
)
from dashboard.i18n import code_label, fmt_date, fmt_int, fmt_num, fmt_share, t, tn
from dashboard.maps import area_map
from dashboard.model.scenario import Scenario
from dashboard.model.workspace import Workspace
from dashboard.reports import pdfdoc
from dashboard.reports.gap_export import write_atomic
from dashboard.reports.gap_figures import method_text, scenario_effect, settings_text, signed
from dashboard.reports.pdfdoc import FONT
from dashboard.reports.sources import sources_frame

MARGIN_MM = 16
VALUE_WIDTH_MM = 34
#: Worker processes for a whole city's reports (the machines here have two cores).
DEFAULT_JOBS = 2


@dataclass(frozen=True)
class ReportContext:
    """What every report of one data version and view shares; computed once."""

    workspace: Workspace
    city: City
    result: GapResult  # with the view's scenario
    counts: pd.DataFrame
    today: date
    lang: str = i18n.DEFAULT_LANGUAGE
    max_age_months: int = DEFAULT_MAX_AGE_MONTHS
    status_quo: GapResult | None = None  # the same view without its scenario; None when it has none


def context(
    workspace: Workspace,
    today: date | None = None,
    lang: str = i18n.DEFAULT_LANGUAGE,
    city: City | None = None,
    params: GapParams = GapParams(),
    scenario: Scenario = Scenario(),
) -> ReportContext:
    """Prepare and analyse the view once (the defaults: what the Quartiersprofil shows); pass ``city`` when prepared."""
    city = city or prepare(workspace)
    status_quo = analyse(city, params)
    result = status_quo if scenario.is_empty else with_scenario(city, status_quo, scenario)
    return from_results(workspace, city, status_quo, result, today, lang)


def from_results(
    workspace: Workspace,
    city: City,
    status_quo: GapResult,
    result: GapResult,
    today: date | None = None,
    lang: str = i18n.DEFAULT_LANGUAGE,
) -> ReportContext:
    """The context of a view whose results a page has already computed (``result`` with its scenario)."""
    return ReportContext(
        workspace,
        city,
        result,
        unit_counts(city, result),
        today or date.today(),
        lang,
        status_quo=None if result.scenario.is_empty else status_quo,
    )


@dataclass(frozen=True)
class Report:
    """The content of one report, ready to be laid out as PDF or HTML. Texts are plain (unescaped)."""

    area: Area
    title: str
    subtitle: str
    lines: tuple[str, ...]  # created, data date
    settings: str  # the view the figures come from, on the first page
    demo: str  # the demo notice, '' for real data
    map_png: bytes
    map_caption: str
    map_alt: str  # what the map shows, in words, for those who cannot see it
    figures: list[tuple[str, pd.DataFrame]]
    figures_note: str
    gap_heading: str
    gap_paragraphs: tuple[str, ...]
    scenario_paragraphs: tuple[str, ...]  # empty without a scenario
    planned: pd.DataFrame  # the scenario's planned offers, one row each
    actors: pd.DataFrame
    offers: pd.DataFrame
    outdated_note: str
    sources: pd.DataFrame
    method_paragraphs: tuple[str, ...]  # may hold **bold** (our own texts only)
    lang: str


def _gap_paragraphs(ctx: ReportContext, p: Profile) -> tuple[str, ...]:
    """The gap in plain words: how many people lack an offer in reach, the index, missing sectors."""
    lang, params = ctx.lang, ctx.result.params
    area, town = p.values.loc[AREA], p.values.loc[CITY]
    if area["suppressed"]:
        first = tn(
            "rep.gap.suppressed",
            params.min_residents,
            lang,
            name=p.area.name,
            min_residents=fmt_int(params.min_residents, lang),
        )
    else:
        first = t(
            "rep.gap.text",
            lang,
            name=p.area.name,
            group=code_label(params.target_group, lang),
            target=fmt_int(area["target_residents"], lang),
            uncovered=fmt_int(area["uncovered_residents"], lang),
            share=fmt_share(1 - area["covered_share"], lang),
            threshold=fmt_int(params.threshold, lang),
            method=t(ctx.result.method.label_key, lang, detour=fmt_num(params.detour, lang, 2)),
            city_share=fmt_share(1 - town["covered_share"], lang),
            index=fmt_num(area["gap_index"], lang, 0),
            city_index=fmt_num(town["gap_index"], lang, 0),
        )
    missing = area["sectors_missing"]
    sectors = (
        t("rep.gap.sectors", lang, sectors=", ".join(code_label(s, lang) for s in missing))
        if missing
        else t("rep.gap.sectors_all", lang)
    )
    return first, sectors


def _scenario_paragraphs(ctx: ReportContext, area: Area) -> tuple[str, ...]:
    """What the scenario changes: city-wide, and in this area."""
    if ctx.status_quo is None:
        return ()
    lang, before, after = ctx.lang, ctx.status_quo, ctx.result
    changes = compare(before, after)
    changes = changes[changes.index.isin(area.members)]
    covered = changes["covered_change"].sum()
    disabled = ctx.city.offers.loc[ctx.city.offers["offer_id"].isin(after.scenario.disabled), "name"]
    paragraphs = [
        scenario_effect(before, after, lang),
        t("rep.scenario.area", lang, name=area.name, delta=signed(covered, lang)),
    ]
    if len(disabled):
        paragraphs.append(t("rep.scenario.disabled", lang, names=", ".join(disabled)))
    return tuple(paragraphs)


def planned_frame(ctx: ReportContext) -> pd.DataFrame:
    """The scenario's planned offers: number, name, Quartier, places and position (WGS 84), as the link carries it."""
    lang, scenario = ctx.lang, ctx.result.scenario
    planned = ctx.city.planned_offers(scenario)
    names = dict(zip(ctx.city.units["area_id"], ctx.city.units["name"], strict=False))
    return pd.DataFrame(
        {
            t("rep.planned.number", lang): range(1, len(planned) + 1),
            t("rep.planned.name", lang): planned["name"].to_numpy(),
            t("rep.planned.area", lang): [names.get(a, "–") for a in planned["area_id"]],
            t("rep.planned.capacity", lang): [fmt_int(c, lang) for c in planned["capacity"]],
            t("rep.planned.position", lang): [
                f"{fmt_num(lat, lang, 5)}, {fmt_num(lon, lang, 5)}"
                for lat, lon in zip(planned["lat"], planned["lon"], strict=False)
            ]
            if len(planned)
            else [],
        }
    )


def build(ctx: ReportContext, area_id: str) -> Report:
    """The report of one Quartier or Stadtbezirk; raises profile.UnknownArea for an unknown id."""
    lang, city = ctx.lang, ctx.city
    p = profile(city, ctx.result, ctx.counts, area_id, ctx.today, ctx.max_age_months)
    level = code_label(p.area.level, lang)
    subtitle = t("rep.subtitle", lang, level=level, city=city.name)
    if p.area.parent_name:
        subtitle += " " + t("pf.in_bezirk", lang, name=p.area.parent_name)
    attribution = area_map.report_attribution(city, lang)
    return Report(
        area=p.area,
        title=t("rep.title", lang, name=p.area.name),
        subtitle=subtitle,
        lines=(
            t("rep.created", lang, date=fmt_date(ctx.today.isoformat(), lang)),
            t("rep.data_date", lang, date=fmt_date(city.data_date, lang) if city.data_date else "–"),
        ),
        settings=t("rep.settings", lang, settings=settings_text(ctx.result, lang)),
        demo=t("rep.demo", lang) if city.is_demo else "",
        map_png=area_map.report_map_png(city, p.area, attribution, lang, ctx.result.scenario),
        map_caption=t("rep.map_caption", lang),
        map_alt=t("rep.map_alt", lang, name=p.area.name, offers=len(p.offers), actors=len(p.actors)),
        figures=profile_sections(p, lang),
        figures_note=tn("rep.figures.note", p.min_residents, lang, min_residents=fmt_int(p.min_residents, lang)),
        gap_heading=t("rep.gap", lang),
        gap_paragraphs=_gap_paragraphs(ctx, p),
        scenario_paragraphs=_scenario_paragraphs(ctx, p.area),
        planned=planned_frame(ctx),
        actors=list_frame(p.actors, ACTOR_COLUMNS, lang),
        offers=list_frame(p.offers, OFFER_COLUMNS, lang),
        outdated_note=tn("pf.outdated_note", ctx.max_age_months, lang, months=ctx.max_age_months),
        sources=sources_frame(ctx.workspace, lang).drop(columns=t("sources.rows", lang)),
        method_paragraphs=(t("rep.method.profile", lang), *method_text(ctx.result, city.data_date, lang).split("\n\n")),
        lang=lang,
    )


def file_name(area_id: str, suffix: str = ".pdf") -> str:
    """A safe file name for an area's report, e.g. ``bericht-0101.pdf``."""
    return "bericht-" + re.sub(r"[^0-9A-Za-z_-]", "_", area_id) + suffix


# --- PDF -------------------------------------------------------------------------------------


def _heading(pdf: pdfdoc.Document, text: str, size: float = 12.5, keep_mm: float = 22, level: int = 2) -> None:
    """A bold heading that starts a new page unless ``keep_mm`` of what follows fits below it."""
    if pdf.will_page_break(size * 0.5 + 4 + keep_mm):
        pdf.add_page()
    pdf.ln(3)
    pdfdoc.heading(pdf, text, level, size)
    pdf.ln(1)
    pdf.set_font(FONT, size=9)


def _paragraph(pdf: FPDF, text: str, size: float = 9, markdown: bool = False) -> None:
    pdf.set_font(FONT, size=size)
    pdf.multi_cell(0, size * 0.48, text, new_x="LMARGIN", new_y="NEXT", markdown=markdown, align="L")
    pdf.ln(1.5)


def _pdf_table(pdf: FPDF, rows: pd.DataFrame, widths: tuple[float, ...], size: float = 8) -> None:
    """A list with a grey, bold head row and wrapping cells; every cell is plain text (no markup is interpreted)."""
    pdf.set_font(FONT, size=size)
    head = FontFace(emphasis="BOLD", fill_color=225)
    with pdf.table(
        col_widths=widths,
        headings_style=head,
        line_height=size * 0.5,
        text_align="LEFT",
        padding=0.8,
        borders_layout="HORIZONTAL_LINES",
    ) as table:
        table.row([str(c) for c in rows.columns])
        for record in rows.itertuples(index=False):
            table.row([str(v) for v in record])
    pdf.ln(2)


def _wrapped_row(pdf: FPDF, widths: tuple[float, ...], texts: list[str], height: float, fill: bool) -> None:
    """One table row whose cells wrap; the row is as high as its longest cell."""
    lines = max(
        len(pdf.multi_cell(w, height, text, dry_run=True, output="LINES"))  # type: ignore[arg-type]  # fpdf2 types one union for every output=
        for w, text in zip(widths, texts, strict=False)
    )
    if pdf.will_page_break(height * lines):
        pdf.add_page()
    x, y = pdf.l_margin, pdf.get_y()
    if fill:
        pdf.set_fill_color(225)
        pdf.rect(x, y, pdf.epw, height * lines, style="F")
        pdf.set_fill_color(255)
    for width, text in zip(widths, texts, strict=False):
        pdf.set_xy(x, y)
        pdf.multi_cell(width, height, text, align="L")
        x += width
    pdf.set_xy(pdf.l_margin, y + height * lines)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + pdf.epw, pdf.get_y())


def _figure_table(pdf: pdfdoc.Document, title: str, frame: pd.DataFrame, size: float = 8) -> None:
    """One section of key figures under its heading, one line per figure.

    Lines are drawn cell by cell (fast); only the head row and a line whose
    text does not fit (e.g. four missing sectors) wrap. The heading stays with
    the head row and the first lines.
    """
    widths = (pdf.epw - VALUE_WIDTH_MM * len(frame.columns), *(VALUE_WIDTH_MM,) * len(frame.columns))
    height = size * 0.5
    _heading(pdf, title, size=10, keep_mm=height * 5, level=3)
    pdf.set_font(FONT, "B", size)
    _wrapped_row(pdf, widths, ["", *map(str, frame.columns)], height, fill=True)
    pdf.set_font(FONT, size=size)
    for record in frame.itertuples():
        texts = [str(v) for v in record]
        if any(pdf.get_string_width(text) > width - 2 for width, text in zip(widths, texts, strict=False)):
            _wrapped_row(pdf, widths, texts, height, fill=False)
            continue
        for width, text in zip(widths, texts, strict=False):
            pdf.cell(width, height + 0.6, text, border="B")
        pdf.ln()
    pdf.ln(2)


def to_pdf(report: Report) -> bytes:
    """The report as an A4 PDF, tagged as far as fpdf2 goes (``pdfdoc``)."""
    pdf = pdfdoc.document(report.title, report.lang)
    pdf.footer_text = report.title
    pdf.set_margins(MARGIN_MM, MARGIN_MM)
    pdf.set_auto_page_break(True, margin=16)
    pdf.add_page()
    pdfdoc.heading(pdf, report.title, 1, 18)
    _paragraph(pdf, report.subtitle, size=11)
    _paragraph(pdf, " · ".join(report.lines), size=8.5)
    _paragraph(pdf, report.settings, size=8.5)
    if report.demo:
        pdf.set_font(FONT, "B", 8.5)
        pdf.multi_cell(0, 5, report.demo, border=1, new_x="LMARGIN", new_y="NEXT", align="L", padding=1.5)  # type: ignore[arg-type]  # fpdf2 documents float padding, annotates int
        pdf.ln(2)
    pdf.image(io.BytesIO(report.map_png), w=pdf.epw, alt_text=report.map_alt)
    _paragraph(pdf, report.map_caption, size=7.5)

    _heading(pdf, report.gap_heading)
    for text in report.gap_paragraphs:
        _paragraph(pdf, text)
    if report.scenario_paragraphs:
        _heading(pdf, t("rep.scenario", report.lang))
        for text in report.scenario_paragraphs:
            _paragraph(pdf, text)
        if len(report.planned):
            _pdf_table(pdf, report.planned, tuple(w * pdf.epw for w in (0.06, 0.34, 0.24, 0.1, 0.26)))
    _heading(pdf, t("rep.figures", report.lang))
    for title, frame in report.figures:
        _figure_table(pdf, title, frame)
    _paragraph(pdf, report.figures_note, size=7.5)

    for key, frame, widths in (
        ("rep.actors", report.actors, (0.34, 0.17, 0.13, 0.14, 0.1, 0.12)),
        ("rep.offers", report.offers, (0.19, 0.13, 0.11, 0.11, 0.15, 0.11, 0.095, 0.105)),
    ):
        _heading(pdf, f"{t(key, report.lang)} ({len(frame)})")
        if len(frame):
            _pdf_table(pdf, frame, tuple(w * pdf.epw for w in widths), size=7)
        else:
            _paragraph(pdf, t("pf.none", report.lang))
    _paragraph(pdf, report.outdated_note, size=7.5)

    _heading(pdf, t("rep.sources", report.lang))
    _pdf_table(pdf, report.sources, tuple(w * pdf.epw for w in (0.16, 0.3, 0.22, 0.2, 0.12)), size=7)
    _heading(pdf, t("rep.method", report.lang))
    for text in report.method_paragraphs:
        _paragraph(pdf, text, size=8, markdown=True)
    return bytes(pdf.output())


# --- HTML ------------------------------------------------------------------------------------

_CSS = (
    """
@page { size: A4; margin: 16mm; }
body { font-family: "DejaVu Sans", Arial, sans-serif; color: #000; max-width: 180mm; margin: 0 auto; font-size: 10pt; }
h1 { font-size: 18pt; margin-bottom: 2pt; } h2 { font-size: 13pt; margin-top: 16pt; } h3 { font-size: 11pt; }
table { border-collapse: collapse; width: 100%; margin-bottom: 8pt; }
th { background: #e1e1e1; text-align: left; } """
    """th, td { border-bottom: 1px solid #999; padding: 2pt 4pt; vertical-align: top; }
.note { font-size: 8.5pt; color: #333; } .demo { border: 1px solid #000; padding: 4pt; font-weight: bold; }
img { width: 100%; border: 1px solid #000; }
"""
)


def _html_table(frame: pd.DataFrame, index: bool = False) -> str:
    """Every header and cell escaped."""
    rows = frame.reset_index() if index else frame
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in rows.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in record) + "</tr>"
        for record in rows.itertuples(index=False)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _html_markdown(text: str) -> str:
    """Escape, then turn our own ``**bold**`` into <strong>."""
    return re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", html.escape(text))


def to_html(report: Report) -> str:
    """The report as one self-contained HTML page (map embedded, no external URLs)."""
    e, lang = html.escape, report.lang
    image = base64.b64encode(report.map_png).decode("ascii")
    parts = [
        f'<!DOCTYPE html><html lang="{e(lang)}"><head><meta charset="utf-8"><title>{e(report.title)}</title>'
        f"<style>{_CSS}</style></head><body>",
        f'<h1>{e(report.title)}</h1><p>{e(report.subtitle)}</p><p class="note">{e(" · ".join(report.lines))}</p>',
        f'<p class="note">{e(report.settings)}</p>',
        f'<p class="demo">{e(report.demo)}</p>' if report.demo else "",
        f'<figure><img alt="{e(report.map_alt)}" src="data:image/png;base64,{image}">'
        f'<figcaption class="note">{e(report.map_caption)}</figcaption></figure>',
        f"<h2>{e(report.gap_heading)}</h2>",
        *(f"<p>{e(text)}</p>" for text in report.gap_paragraphs),
        f"<h2>{e(t('rep.scenario', lang))}</h2>" if report.scenario_paragraphs else "",
        *(f"<p>{e(text)}</p>" for text in report.scenario_paragraphs),
        _html_table(report.planned) if len(report.planned) else "",
        f"<h2>{e(t('rep.figures', lang))}</h2>",
        *(f"<h3>{e(title)}</h3>{_html_table(frame.rename_axis(''), index=True)}" for title, frame in report.figures),
        f'<p class="note">{e(report.figures_note)}</p>',
    ]
    for key, frame in (("rep.actors", report.actors), ("rep.offers", report.offers)):
        parts.append(f"<h2>{e(t(key, lang))} ({len(frame)})</h2>")
        parts.append(_html_table(frame) if len(frame) else f"<p>{e(t('pf.none', lang))}</p>")
    parts += [
        f'<p class="note">{e(report.outdated_note)}</p>',
        f"<h2>{e(t('rep.sources', lang))}</h2>{_html_table(report.sources)}",
        f"<h2>{e(t('rep.method', lang))}</h2>",
        *(f"<p>{_html_markdown(text)}</p>" for text in report.method_paragraphs),
        "</body></html>",
    ]
    return "\n".join(part for part in parts if part)


# --- files -----------------------------------------------------------------------------------


def write(ctx: ReportContext, area_id: str, out: Path, with_html: bool = False) -> list[Path]:
    """Write the PDF to ``out`` (and the HTML beside it), each atomically; returns the files written."""
    report = build(ctx, area_id)
    write_atomic(out, to_pdf(report))
    written = [out]
    if with_html:
        written.append(out.with_suffix(".html"))
        write_atomic(written[-1], to_html(report).encode("utf-8"))
    return written


_WORKER: dict[str, Any] = {}


def _work(area_id: str) -> list[Path]:
    """One report in a worker process; the context came with the fork."""
    ctx, out_dir, with_html = _WORKER["ctx"], _WORKER["out_dir"], _WORKER["html"]
    return write(ctx, area_id, out_dir / file_name(area_id), with_html)


def write_all(
    ctx: ReportContext, out_dir: Path, with_html: bool = False, jobs: int = DEFAULT_JOBS, progress: bool = True
) -> list[Path]:
    """One report per Quartier into ``out_dir``, on ``jobs`` processes, with a progress bar on stderr."""
    ids = list(ctx.city.units["area_id"])
    _WORKER.update(ctx=ctx, out_dir=out_dir, html=with_html)
    bar = tqdm(
        total=len(ids),
        desc=t("rep.progress", ctx.lang),
        unit=t("rep.progress_unit", ctx.lang),
        file=sys.stderr,
        disable=not progress,
    )
    written: list[Path] = []
    try:
        if jobs > 1:
            # fork: the workers inherit the prepared city and analysis instead of recomputing them
            with multiprocessing.get_context("fork").Pool(jobs) as pool:
                for paths in pool.imap_unordered(_work, ids):
                    written += paths
                    bar.update()
        else:
            for area_id in ids:
                written += _work(area_id)
                bar.update()
    finally:
        bar.close()
        _WORKER.clear()
    return sorted(written)
