"""The gap analysis in words and tables a councillor can read: ranking, scenario effect, method."""

from __future__ import annotations

import pandas as pd

from dashboard.analysis.gaps import GapResult, ranked
from dashboard.i18n import code_label, fmt_date, fmt_int, fmt_num, fmt_share, t, tn
from dashboard.model.targets import TARGET_BANDS
from dashboard.model.viewspec import COMPONENTS
from dashboard.reports.figures import missing_sectors_texts


def ranking_frame(result: GapResult, lang: str, area_ids=None) -> pd.DataFrame:
    """Rated Quartiere, largest gap first, with the figures behind the index."""
    rows = ranked(result)
    if area_ids is not None:
        rows = rows[rows.index.isin(area_ids)]
    class_of = dict(zip(result.units.index, result.classes.index, strict=False))
    weights = pd.Series(result.params.weights, index=list(COMPONENTS), dtype=float)
    share = rows[list(COMPONENTS)].mul(weights / weights.sum() * 100, axis=1)
    return pd.DataFrame(
        {
            t("fig.rank", lang): range(1, len(rows) + 1),
            t("fig.area", lang): rows["name"].to_numpy(),
            t("gap.col.index", lang): [fmt_num(v, lang, 0) for v in rows["gap_index"]],
            t("gap.col.class", lang): [class_of[a] + 1 for a in rows.index],
            t("gap.col.target_residents", lang): [fmt_int(v, lang) for v in rows["target_residents"]],
            t("gap.col.uncovered", lang): [fmt_int(v, lang) for v in rows["uncovered_residents"]],
            t("gap.col.uncovered_share", lang): [fmt_share(v, lang) for v in rows["uncovered_share"]],
            t("gap.col.fca", lang): [fmt_num(v, lang) for v in rows["fca_per_1000"]],
            t("gap.col.components", lang): [" / ".join(fmt_num(v, lang, 0) for v in r) for r in share.to_numpy()],
            t("fig.sectors_missing", lang): missing_sectors_texts(result.units, lang, rows),
        }
    )


def scenario_frame(changes: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Per Quartier: covered people and index before and after a scenario."""
    return pd.DataFrame(
        {
            t("fig.area", lang): changes["name"].to_numpy(),
            t("gap.scenario.col.before", lang): [fmt_int(v, lang) for v in changes["covered_before"]],
            t("gap.scenario.col.after", lang): [fmt_int(v, lang) for v in changes["covered_after"]],
            t("gap.scenario.col.change", lang): [signed(v, lang) for v in changes["covered_change"]],
            t("gap.scenario.col.index_before", lang): [fmt_num(v, lang, 0) for v in changes["index_before"]],
            t("gap.scenario.col.index_after", lang): [fmt_num(v, lang, 0) for v in changes["index_after"]],
        }
    )


def signed(value: float, lang: str) -> str:
    """A change with its sign: "+100", "-3", "0"."""
    return ("+" if value > 0 else "") + fmt_int(value, lang)


def scenario_effect(before: GapResult, after: GapResult, lang: str) -> str:
    """One sentence: how many more people of the target group are covered city-wide."""
    b, a = before.city["covered_residents"], after.city["covered_residents"]
    return t("gap.scenario.effect", lang, before=fmt_int(b, lang), after=fmt_int(a, lang), delta=signed(a - b, lang))


def settings_text(result: GapResult, lang: str) -> str:
    """The settings behind the figures, plain: group, threshold, distance method, minimum level, scenario."""
    p = result.params
    parts = [
        code_label(p.target_group, lang),
        f"{fmt_int(p.threshold, lang)} m",
        t(result.method.label_key, lang, detour=fmt_num(p.detour, lang, 2)),
        t("gap.settings.min_level", lang, level=code_label(p.min_level, lang)),
    ]
    if not result.scenario.is_empty:
        added, disabled = len(result.scenario.added), len(result.scenario.disabled)
        parts.append(tn("gap.scenario.changes", added, lang, added=added, disabled=disabled).rstrip("."))
    return " · ".join(parts)


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
    """Luftlinie vs Fußweg per Quartier, largest difference first."""
    return pd.DataFrame(
        {
            t("fig.area", lang): comparison["name"].to_numpy(),
            t("gap.col.target_residents", lang): [fmt_int(v, lang) for v in comparison["target_residents"]],
            t("gap.methods.col.straight", lang): [fmt_int(v, lang) for v in comparison["covered_straight"]],
            t("gap.methods.col.walking", lang): [fmt_int(v, lang) for v in comparison["covered_walking"]],
            t("gap.methods.col.only_straight", lang): [fmt_int(v, lang) for v in comparison["only_straight"]],
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
