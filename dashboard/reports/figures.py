"""Key figures of one Quartier beside its Stadtbezirk and the city, as readable text."""

from __future__ import annotations

import functools

import pandas as pd

from dashboard.analysis.indicators import total_row
from dashboard.i18n import code_label, fmt_int, fmt_num, fmt_share, t, tn
from dashboard.model.view import MapView


@functools.lru_cache(maxsize=256)
def _sectors_text(sectors: tuple[str, ...], lang: str) -> str:
    """Written once per set of sectors: a ranking writes one per Quartier, and a city has few distinct sets."""
    return ", ".join(code_label(s, lang) for s in sectors) or t("fig.none", lang)


def missing_sectors_texts(table: pd.DataFrame, lang: str, rows: pd.DataFrame | None = None) -> list[str]:
    """Missing sectors of ``rows`` (default: all of ``table``) as text; when no area of the city
    has any actor, there is no actor data at all, which is said instead of "all four missing"."""
    rows = table if rows is None else rows
    if not any(table["sectors_present"]):
        return [t("fig.no_actor_data", lang)] * len(rows)
    return [_sectors_text(m, lang) for m in rows["sectors_missing"]]


def key_figures(table: pd.DataFrame, area_id: str, view: MapView, lang: str) -> list[tuple[str, ...]]:
    """Rows of (label, Quartier, Stadtbezirk, city) for the selected area."""
    row = table.loc[area_id]
    bezirk = (
        table[table["parent_id"] == row["parent_id"]] if isinstance(row["parent_id"], str) else table.loc[[area_id]]
    )
    columns = [row, total_row(bezirk), total_row(table)]
    suppressed = tn("fig.suppressed", view.min_residents, lang, min_residents=view.min_residents)

    def rated(column: str, fmt) -> list[str]:
        values = [fmt(c[column], lang) for c in columns]
        return [suppressed, *values[1:]] if row["suppressed"] else values

    threshold = view.threshold_m
    rows = [
        (t("fig.residents", lang), *(fmt_int(c["residents"], lang) for c in columns)),
        (t("fig.age_65_plus", lang), *rated("age_65_plus_share", fmt_share)),
        (t("fig.uncovered_residents", lang, threshold=threshold), *rated("uncovered_residents", fmt_int)),
        (t("fig.uncovered_share", lang, threshold=threshold), *rated("uncovered_share", fmt_share)),
        (t("fig.participation_offers", lang), *(fmt_int(c["participation_offers"], lang) for c in columns)),
        (t("fig.offers_per_1000", lang), *rated("offers_per_1000", fmt_num)),
        (t("fig.offers", lang), *(fmt_int(c["offers"], lang) for c in columns)),
        (t("fig.actors", lang), *(fmt_int(c["actors"], lang) for c in columns)),
        (t("fig.dwellings", lang), *(fmt_int(c["dwellings"], lang) for c in columns)),
        (t("fig.subsidised", lang), *(fmt_int(c["subsidised"], lang) for c in columns)),
        (t("fig.sozialmanagement", lang), *(fmt_int(c["sozialmanagement"], lang) for c in columns)),
        (t("fig.sectors_present", lang), _sectors_text(row["sectors_present"], lang), "", ""),
        (t("fig.sectors_missing", lang), missing_sectors_texts(table, lang, table.loc[[area_id]])[0], "", ""),
    ]
    return rows


def ranking_frame(ranked: pd.DataFrame, table: pd.DataFrame, view: MapView, lang: str) -> pd.DataFrame:
    """The ranked Quartiere as a readable table (rank, name, residents, measure, missing sectors)."""
    value = fmt_share if view.measure == "uncovered_share" else fmt_num
    return pd.DataFrame(
        {
            t("fig.rank", lang): range(1, len(ranked) + 1),
            t("fig.area", lang): ranked["name"].to_numpy(),
            t("fig.residents", lang): [fmt_int(v, lang) for v in ranked["residents"]],
            t(f"map.measure.short.{view.measure}", lang, threshold=view.threshold_m): [
                value(v, lang) for v in ranked[view.measure]
            ],
            t("fig.sectors_missing", lang): missing_sectors_texts(table, lang, ranked),
        }
    )


def headline_key_figures(rows: list[tuple[str, ...]], view: MapView, lang: str) -> tuple[tuple[str, str, None], ...]:
    """The Quartier's residents and the two figures the map can colour by, from the rows of ``key_figures``: what a
    shared Karte link with a chosen Quartier is about, as (label, value, no exact value)."""
    wanted = (
        t("fig.residents", lang),
        t("fig.uncovered_share", lang, threshold=view.threshold_m),
        t("fig.offers_per_1000", lang),
    )
    return tuple((label, area_value, None) for label, area_value, *_ in rows if label in wanted)
