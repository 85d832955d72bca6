"""The gap analysis in words and tables a councillor can read: ranking, scenario effect, method."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from dashboard.analysis.distance import StraightLine
from dashboard.analysis.gaps import GapResult, ranked
from dashboard.i18n import code_label, fmt_date, fmt_int, fmt_num, fmt_share, fmt_short, rounded, t, tn
from dashboard.model.scenario import Scenario
from dashboard.model.targets import TARGET_BANDS
from dashboard.model.view import MapView
from dashboard.model.viewspec import COMPONENTS
from dashboard.reports.figures import missing_sectors_texts

#: The ranking's columns: field of ``ranking_values``, catalog key of its heading, and the kind of figure
#: (order: a plain whole number; count; index; share: 0–1 shown in per cent; rate; text).
RANKING_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("rank", "fig.rank", "order"),
    ("name", "fig.area", "text"),
    ("gap_index", "gap.col.index", "index"),
    ("class", "gap.col.class", "order"),
    ("target_residents", "gap.col.target_residents", "count"),
    ("uncovered_residents", "gap.col.uncovered", "count"),
    ("uncovered_share", "gap.col.uncovered_share", "share"),
    ("fca_per_1000", "gap.col.fca", "rate"),
    ("components", "gap.col.components", "text"),
    ("sectors_missing", "fig.sectors_missing", "text"),
)


def ranking_values(result: GapResult, lang: str, area_ids=None) -> pd.DataFrame:
    """Rated Quartiere, largest gap first, with the figures behind the index unrounded (page and files share it)."""
    rows = ranked(result)
    if area_ids is not None:
        rows = rows[rows.index.isin(area_ids)]
    class_of = dict(zip(result.units.index, result.classes.index, strict=False))
    weights = np.asarray(result.params.weights, dtype=float)
    share = rows[list(COMPONENTS)].to_numpy(dtype=float) * (weights / weights.sum() * 100)
    return pd.DataFrame(
        {
            "rank": range(1, len(rows) + 1),
            "name": rows["name"].to_numpy(),
            "gap_index": rows["gap_index"].to_numpy(dtype=float),
            "class": [class_of[a] + 1 for a in rows.index],
            "target_residents": rows["target_residents"].to_numpy(dtype=float),
            "uncovered_residents": rows["uncovered_residents"].to_numpy(dtype=float),
            "uncovered_share": rows["uncovered_share"].to_numpy(dtype=float),
            "fca_per_1000": rows["fca_per_1000"].to_numpy(dtype=float),
            "components": [" / ".join(fmt_num(v, lang, 0) for v in r) for r in share],
            "sectors_missing": missing_sectors_texts(result.units, lang, rows),
        }
    )


#: Decimals the page shows of each kind of figure (a share's two: whole per cent).
SHOWN_DIGITS = {"order": 0, "count": 0, "index": 0, "share": 2, "rate": 1}
#: The kind of figure under each heading of the Lückenanalyse's tables, by the heading's catalog key: one heading,
#: one kind, in every table that has it.
FIGURE_KINDS = {key: kind for _, key, kind in RANKING_COLUMNS if kind in SHOWN_DIGITS} | {
    "gap.methods.col.straight": "count",
    "gap.methods.col.walking": "count",
    "gap.methods.col.only_straight": "count",
    "gap.scenario.col.before": "count",
    "gap.scenario.col.after": "count",
    "gap.scenario.col.change": "count",  # a browser's format writes no "+"; "+0" is worse
    "gap.scenario.col.index_before": "index",
    "gap.scenario.col.index_after": "index",
}


def ranking_frame(result: GapResult, lang: str, area_ids=None) -> pd.DataFrame:
    """``ranking_values`` as the page shows them: headings in ``lang``, figures rounded as the page writes them.

    A figure stays a number (whole ones without a fraction), so that the table sorts by it; ``figure_kinds`` says
    how the browser writes each column."""
    values = ranking_values(result, lang, area_ids)
    return pd.DataFrame(
        {
            t(key, lang): shown(values[field], kind) if kind in SHOWN_DIGITS else values[field]
            for field, key, kind in RANKING_COLUMNS
        }
    )


def figure_kinds(lang: str) -> dict[str, str]:
    """``FIGURE_KINDS`` by the headings in ``lang``."""
    return {t(key, lang): kind for key, kind in FIGURE_KINDS.items()}


def shown(values, kind: str) -> pd.Series:
    """Figures of a ``kind`` rounded as the page writes them, as numbers (whole ones without a fraction)."""
    if SHOWN_DIGITS[kind] == 0:  # np.rint rounds half to even as round() does: a ranking's figures in one step
        return pd.Series(np.rint(np.asarray(values, dtype=float))).astype("Int64")
    return pd.Series([rounded(v, SHOWN_DIGITS[kind]) for v in values], dtype=float)


def scenario_frame(changes: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Per Quartier: covered people and index before and after a scenario (figures as ``shown``)."""
    return pd.DataFrame(
        {
            t("fig.area", lang): changes["name"].to_numpy(),
            t("gap.scenario.col.before", lang): shown(changes["covered_before"], "count"),
            t("gap.scenario.col.after", lang): shown(changes["covered_after"], "count"),
            t("gap.scenario.col.change", lang): shown(changes["covered_change"], "count"),
            t("gap.scenario.col.index_before", lang): shown(changes["index_before"], "index"),
            t("gap.scenario.col.index_after", lang): shown(changes["index_after"], "index"),
        }
    )


def signed(value: float, lang: str) -> str:
    """A change with its sign: "+100", "-3", "0"."""
    return ("+" if value > 0 else "") + fmt_int(value, lang)


def scenario_effect(before: GapResult, after: GapResult, lang: str) -> str:
    """One sentence: how many more people of the target group are covered city-wide."""
    b, a = before.city["covered_residents"], after.city["covered_residents"]
    return t("gap.scenario.effect", lang, before=fmt_int(b, lang), after=fmt_int(a, lang), delta=signed(a - b, lang))


def headline_figures(result: GapResult, lang: str) -> tuple[tuple[str, str, str | None], ...]:
    """The page's headline figures as (label, value, exact value or None): one source for its metrics and for
    the summary a phone shows above the map."""
    group, threshold = code_label(result.params.target_group, lang), result.params.threshold
    target, uncovered = result.city["target_residents"], result.city["uncovered_residents"]
    return (
        (t("gap.metric.target", lang, group=group), fmt_short(target, lang), fmt_int(target, lang)),
        (t("gap.metric.uncovered", lang, threshold=threshold), fmt_short(uncovered, lang), fmt_int(uncovered, lang)),
        (t("gap.metric.covered_share", lang), fmt_share(result.city["covered_share"], lang), None),
    )


def settings_text(result: GapResult, lang: str) -> str:
    """The settings behind the figures, plain: group, threshold, distance method, minimum level, scenario."""
    p = result.params
    return view_settings_text(
        (p.target_group,), p.threshold, result.method.label_key, p.detour, p.min_level, result.scenario, lang
    )


def view_settings_text(
    groups: Sequence[str],
    threshold: float,
    method_key: str,
    detour: float,
    min_level: str,
    scenario: Scenario,
    lang: str,
) -> str:
    """``settings_text`` of any view (the Karte's too, whose groups are a filter and which has no scenario)."""
    parts = [
        ", ".join(code_label(g, lang) for g in groups),
        f"{fmt_int(threshold, lang)} m",
        t(method_key, lang, detour=fmt_num(detour, lang, 2)),
        t("gap.settings.min_level", lang, level=code_label(min_level, lang)),
    ]
    if not scenario.is_empty:
        added, disabled = len(scenario.added), len(scenario.disabled)
        parts.append(tn("gap.scenario.changes", added, lang, added=added, disabled=disabled).rstrip("."))
    return " · ".join(parts)


def map_view_settings_text(view: MapView, lang: str) -> str:
    """``view_settings_text`` of the Karte: straight lines times its detour factor, no scenario."""
    detour = view.detour
    return view_settings_text(
        view.target_groups, view.threshold_m, StraightLine(detour).label_key, detour, view.min_level, Scenario(), lang
    )


def settings_line(result: GapResult, lang: str) -> str:
    """``settings_text`` as one Markdown line for a page."""
    return t("gap.settings_line", lang, settings=settings_text(result, lang))


def method_text(result: GapResult, data_date: str, lang: str) -> str:
    """The method box: group, distance method, thresholds, index formula and weights, classes, data date."""
    p = result.params
    bands = ", ".join(t(f"band.{b}", lang) for b in TARGET_BANDS[p.target_group]) or t("gap.bands.all", lang)
    w1, w2, w3 = (fmt_num(w, lang, 2) for w in p.weights)
    classes = t(f"classify.{p.classification}", lang)
    if result.classes.bounds:
        classes += " – " + ", ".join(fmt_num(b, lang, 0) for b in result.classes.bounds)
    return t(
        "gap.method.text",
        lang,
        group=code_label(p.target_group, lang),
        bands=bands,
        method=t(result.method.label_key, lang, detour=fmt_num(p.detour, lang, 2)),
        level=code_label(p.min_level, lang),
        threshold=fmt_int(p.threshold, lang),
        w1=w1,
        w2=w2,
        w3=w3,
        wsum=fmt_num(sum(p.weights), lang, 2),
        classes=classes,
        min_residents=fmt_int(p.min_residents, lang),
        date=fmt_date(data_date, lang) if data_date else "–",
    )


def methods_frame(comparison: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Luftlinie vs Fußweg per Quartier, largest difference first (figures as ``shown``)."""
    return pd.DataFrame(
        {
            t("fig.area", lang): comparison["name"].to_numpy(),
            t("gap.col.target_residents", lang): shown(comparison["target_residents"], "count"),
            t("gap.methods.col.straight", lang): shown(comparison["covered_straight"], "count"),
            t("gap.methods.col.walking", lang): shown(comparison["covered_walking"], "count"),
            t("gap.methods.col.only_straight", lang): shown(comparison["only_straight"], "count"),
        }
    )


def methods_summary(comparison: pd.DataFrame, lang: str) -> str:
    """One sentence: how many people count as covered only when measured in straight lines."""
    straight, walking = comparison["covered_straight"].sum(), comparison["covered_walking"].sum()
    return t(
        "gap.methods.summary",
        lang,
        straight=fmt_int(straight, lang),
        walking=fmt_int(walking, lang),
        only=fmt_int(straight - walking, lang),
    )
