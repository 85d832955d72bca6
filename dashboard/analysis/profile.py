"""Profile of a Quartier or a Stadtbezirk: its figures beside its Stadtbezirk and the city.

Everything is summed from one table of counts per Quartier (``unit_counts``),
so a Stadtbezirk, the city or any group of areas is a sum of rows and the
shares follow from the sums – never an average of shares. The gap figures are
those of the gap analysis (``gaps.analyse``), so a profile and the
Lückenanalyse never disagree. Areas below the analysis' ``min_residents`` show
no shares or gap figures, like on the Karte.

Actors and offers are listed with their public fields only (``schema.Layer.
public_field_names``): contact data never leaves this module. Entries whose
Stand is older than ``max_age_months`` (or unknown) are flagged as possibly
outdated, relative to a ``today`` the caller passes (tests and reports pin it).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from dashboard.analysis.bivariate import area_need_columns
from dashboard.analysis.city import City
from dashboard.analysis.counts import summed, unit_ids
from dashboard.analysis.gaps import GapResult, rates, with_columns
from dashboard.i18n import code_label, fmt_date, fmt_int, fmt_num, fmt_share, t
from dashboard.model import schema
from dashboard.model.targets import serving

DEFAULT_MAX_AGE_MONTHS = 24
#: Rows of a profile's values: the area itself, its Stadtbezirk, the city.
AREA, BEZIRK, CITY = "area", "bezirk", "city"


class UnknownArea(KeyError):
    """An area id the city does not have (``area_id``, ``city``); callers word the message."""

    def __init__(self, area_id: str, city: str):
        super().__init__(area_id, city)
        self.area_id, self.city = area_id, city


@dataclass(frozen=True)
class Figure:
    """One figure of a profile: its column, how it is shown, and its label in the catalog.

    ``kind`` is int, share, num (one decimal), index (no decimals) or text;
    ``fill`` names catalog keys whose texts fill the label's placeholders;
    ``rated`` figures are withheld for areas below the minimum of residents.
    """

    column: str
    kind: str
    key: str
    section: str
    fill: tuple[tuple[str, str], ...] = ()
    rated: bool = False

    def label(self, lang: str) -> str:
        """The label in ``lang``; an extra column of the areas layer is labelled with its own name."""
        if self.section == "extra":
            return self.column
        return t(self.key, lang, **{name: t(key, lang) for name, key in self.fill})


def _each(codes, column: str, kind: str, key: str, section: str, name: str, prefix: str = "code", rated: bool = False):
    """One figure per code (category, level, …), its label filled with the code's catalog text."""
    return tuple(Figure(column.format(c), kind, key, section, ((name, f"{prefix}.{c}"),), rated) for c in codes)


FIGURES: tuple[Figure, ...] = (
    Figure("residents", "int", "fig.residents", "people"),
    *_each(schema.AGE_BANDS, "share_{}", "share", "pf.age_share", "people", "band", prefix="band", rated=True),
    Figure("dwellings", "int", "fig.dwellings", "housing"),
    *_each(schema.OWNER_TYPES, "dwellings_{}", "int", "pf.dwellings_owner", "housing", "owner"),
    Figure("subsidised", "int", "fig.subsidised", "housing"),
    Figure("subsidised_share", "share", "pf.subsidised_share", "housing"),
    Figure("barrier_free", "int", "pf.barrier_free", "housing"),
    Figure("barrier_free_share", "share", "pf.barrier_free_share", "housing"),
    Figure("sozialmanagement", "int", "pf.sozialmanagement", "housing"),
    Figure("offers", "int", "fig.offers", "offers"),
    *_each(schema.CATEGORIES, "offers_cat_{}", "int", "pf.offers_category", "offers", "category"),
    *_each(schema.TARGET_GROUPS, "offers_for_{}", "int", "pf.offers_group", "offers", "group"),
    *_each(schema.LEVELS, "offers_level_{}", "int", "pf.offers_level", "offers", "level"),
    Figure("participation_offers", "int", "fig.participation_offers", "offers"),
    Figure("participation_share", "share", "pf.participation_share", "offers"),
    Figure("offers_per_1000", "num", "fig.offers_per_1000", "offers", rated=True),
    Figure("actors", "int", "fig.actors", "actors"),
    *_each(schema.SECTORS, "actors_{}", "int", "pf.actors_sector", "actors", "sector"),
    Figure("sectors_missing", "text", "fig.sectors_missing", "actors"),
    Figure("target_residents", "int", "gap.col.target_residents", "gap"),
    Figure("uncovered_residents", "int", "gap.col.uncovered", "gap", rated=True),
    Figure("covered_share", "share", "pf.covered_share", "gap", rated=True),
    Figure("fca_per_1000", "num", "gap.col.fca", "gap", rated=True),
    Figure("gap_index", "index", "gap.col.index", "gap", rated=True),
)
SECTIONS = ("people", "housing", "offers", "actors", "gap", "extra")


def figures(city: City) -> tuple[Figure, ...]:
    """The figures of this city: the fixed ones plus numeric columns of its areas layer.

    Whole-number area columns (e.g. ``sozialmietwohnungen``) are counts and are
    summed for a Stadtbezirk and the city; other numeric columns (an index, a
    share) cannot be summed and are shown for single Quartiere only.
    """
    columns = area_need_columns(city)
    return FIGURES + tuple(
        Figure(c, "int" if pd.api.types.is_integer_dtype(city.units[c]) else "num", "", "extra") for c in columns
    )


# --- counts per Quartier -------------------------------------------------------------------


def unit_counts(city: City, result: GapResult) -> pd.DataFrame:
    """Every count a profile needs, one row per Quartier (index ``area_id``): the shared counts
    (``City.counts``), offers by category, group and level, and the gap analysis' counts."""
    ids = unit_ids(city)
    offers = city.offers
    supply = summed(
        offers,
        {"offers": np.ones(len(offers))}
        | {f"offers_cat_{c}": offers["category"] == c for c in schema.CATEGORIES}
        | {f"offers_for_{g}": serving(offers["target_groups"], (g,)) for g in schema.TARGET_GROUPS}
        | {f"offers_level_{lv}": offers["level"] == lv for lv in schema.LEVELS},
        ids,
    )
    units = result.units.reindex(ids)
    rated_target = units["target_residents"].where(units["gap_index"].notna(), 0)
    gap = pd.DataFrame(
        {
            "target_residents": units["target_residents"],
            "covered_residents": units["covered_residents"],
            "access_weighted": units["access_weighted"],
            "participation_offers": units["participation_offers"].astype(float),
            "rated_target": rated_target,
            "gap_weighted": units["gap_index"].fillna(0) * rated_target,
        },
        index=ids,
    )
    extra = city.units.set_index("area_id")[area_need_columns(city)].reindex(ids)
    return pd.concat([city.counts, supply, gap, extra], axis=1)


def group_counts(counts: pd.DataFrame, groups: Mapping[str, Sequence[str]], city: City) -> pd.DataFrame:
    """Counts of groups of Quartiere (one row per group); area columns that are not counts only for single areas."""
    rows = {}
    for name, members in groups.items():
        part = counts.loc[list(members)]
        row = part.sum(numeric_only=True, min_count=1)
        if len(part) != 1:
            row[[f.column for f in figures(city) if f.section == "extra" and f.kind != "int"]] = np.nan
        rows[name] = row
    return pd.DataFrame(rows).T.reindex(columns=counts.columns).astype(float)


def values(counts: pd.DataFrame, min_residents: int) -> pd.DataFrame:
    """Every figure from summed counts (rows = areas or groups); withheld below ``min_residents``.

    Computed as arrays and added in one step: column by column, pandas spent more on its bookkeeping than on
    the figures (a profile nobody had opened paid for it)."""
    table = rates(counts, min_residents)

    def column(name: str, positive: bool = False) -> np.ndarray:
        values_ = table[name].to_numpy(dtype=float)
        return np.where(values_ > 0, values_, np.nan) if positive else values_

    banded, dwellings, offers = (column(c, positive=True) for c in ("banded_residents", "dwellings", "offers"))
    with np.errstate(invalid="ignore", divide="ignore"):
        figures_ = {f"share_{band}": column(band) / banded for band in schema.AGE_BANDS} | {
            "subsidised_share": column("subsidised") / dwellings,
            "barrier_free_share": column("barrier_free") / dwellings,
            "participation_share": column("participation_offers") / offers,
            "gap_index": column("gap_weighted") / column("rated_target", positive=True),
        }
    actors = np.column_stack([column(f"actors_{s}") for s in schema.SECTORS])
    sectors_missing = [tuple(s for s, n in zip(schema.SECTORS, row, strict=True) if not n > 0) for row in actors]
    suppressed = table["suppressed"].to_numpy(dtype=bool)
    for name in (f.column for f in FIGURES if f.rated):
        figures_[name] = np.where(suppressed, np.nan, figures_[name] if name in figures_ else column(name))
    return with_columns(table, figures_ | {"sectors_missing": sectors_missing})


# --- areas -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Area:
    """A Quartier or Stadtbezirk and the Quartiere (units) it is made of."""

    area_id: str
    name: str
    level: str  # quartier | stadtbezirk
    parent_id: str | None
    parent_name: str | None
    members: tuple[str, ...]


def area_choices(city: City) -> pd.DataFrame:
    """Every selectable area: each Stadtbezirk followed by its Quartiere (columns area_id, name, level)."""
    bezirke = city.bezirke[["area_id", "name"]].assign(level="stadtbezirk", group=city.bezirke["area_id"], order=0)
    units = city.units[["area_id", "name", "level"]].assign(group=city.units["parent_id"].fillna(""), order=1)
    frame = pd.concat([bezirke, units], ignore_index=True).drop_duplicates(
        "area_id"
    )  # a one-level city: units are Bezirke
    frame = frame.sort_values(["group", "order", "area_id"], kind="stable")
    return frame[["area_id", "name", "level"]].reset_index(drop=True)


def choice_label(row: Mapping[str, str], lang: str) -> str:
    """What a selectbox shows: the name, its level and its id (the id makes names searchable apart)."""
    return f"{row['name']} ({code_label(row['level'], lang)} {row['area_id']})"


def choice_labels(city: City, lang: str) -> dict[str, str]:
    """Every selectable area in list order (each Stadtbezirk, then its Quartiere) → its label."""
    return {row["area_id"]: choice_label(row, lang) for row in area_choices(city).to_dict("records")}


def resolve(city: City, area_id: str) -> Area:
    """The area with this id; raises UnknownArea if the city has none."""
    units, bezirke = city.units, city.bezirke
    names = dict(zip(bezirke["area_id"], bezirke["name"], strict=False))
    if area_id in set(units["area_id"]):
        row = units[units["area_id"] == area_id].iloc[0]
        parent = row["parent_id"] if isinstance(row["parent_id"], str) and row["parent_id"] in names else None
        level = "stadtbezirk" if area_id in names else "quartier"
        return Area(area_id, row["name"], level, parent, names.get(parent), (area_id,))
    if area_id in names:
        members = tuple(units.loc[units["parent_id"] == area_id, "area_id"])
        return Area(area_id, names[area_id], "stadtbezirk", None, None, members)
    raise UnknownArea(area_id, city.name)


# --- the profile -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    """One area's figures beside its Stadtbezirk and the city, and its actors and offers."""

    area: Area
    values: pd.DataFrame  # rows AREA, BEZIRK (Quartiere only), CITY; columns = figure columns
    actors: pd.DataFrame  # public fields + outdated
    offers: pd.DataFrame  # public fields + operator (name) + outdated
    figures: tuple[Figure, ...]
    min_residents: int


def profile(
    city: City,
    result: GapResult,
    counts: pd.DataFrame,
    area_id: str,
    today: date,
    max_age_months: int = DEFAULT_MAX_AGE_MONTHS,
) -> Profile:
    """The profile of one area; ``counts`` from ``unit_counts`` (computed once for many profiles)."""
    area = resolve(city, area_id)
    groups = {AREA: area.members}
    if area.parent_id:
        groups[BEZIRK] = tuple(city.units.loc[city.units["parent_id"] == area.parent_id, "area_id"])
    groups[CITY] = tuple(counts.index)
    min_residents = result.params.min_residents
    return Profile(
        area=area,
        values=values(group_counts(counts, groups, city), min_residents),
        actors=actors_in(city, area, today, max_age_months),
        offers=offers_in(city, area, today, max_age_months),
        figures=figures(city),
        min_residents=min_residents,
    )


def stand_date(text: object) -> date | None:
    """The last day a Stand (``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``) can mean; None if unreadable."""
    return _stand_date(text) if isinstance(text, str) else None


@functools.lru_cache(maxsize=4096)
def _stand_date(text: str) -> date | None:
    """Kept: a city's entries share few Stand dates, and reading one (a pandas Period) costs a list's row."""
    if not text.strip():
        return None
    freq = {10: "D", 7: "M", 4: "Y"}.get(len(text.strip()))
    try:
        return pd.Period(text.strip(), freq=freq).end_time.date() if freq else None
    except ValueError:
        return None


def outdated(stands: pd.Series, today: date, max_age_months: int = DEFAULT_MAX_AGE_MONTHS) -> np.ndarray:
    """Entries whose Stand is older than ``max_age_months`` before ``today``, or unknown."""
    limit = (pd.Timestamp(today) - pd.DateOffset(months=max_age_months)).date()
    dates = [stand_date(text) for text in stands]
    return np.array([d is None or d < limit for d in dates], dtype=bool)


def _public(
    frame: pd.DataFrame, inside: np.ndarray, layer: schema.Layer, today: date, max_age_months: int
) -> pd.DataFrame:
    """Only the public fields of the rows ``inside`` a layer (never contact data), sorted by name, with the
    outdated flag. The rows are taken before the columns: a whole column per field cost more than the list."""
    positions = [frame.columns.get_loc(c) for c in layer.public_field_names if c in frame.columns]
    table = pd.DataFrame(frame.iloc[np.flatnonzero(inside), positions])
    table = table.sort_values("name", kind="stable").reset_index(drop=True)
    return table.assign(outdated=outdated(table["stand"], today, max_age_months))


def actors_in(city: City, area: Area, today: date, max_age_months: int = DEFAULT_MAX_AGE_MONTHS) -> pd.DataFrame:
    """Actors located in the area or naming one of its Quartiere as where they work."""
    actors = city.actors
    members = set(area.members)
    works_here = schema.per_distinct(actors["quartiere"], lambda v: bool(members & set(schema.split_list(v))))
    inside = actors["area_id"].isin(members).to_numpy() | works_here
    return _public(actors, inside, schema.ACTORS, today, max_age_months)


def offers_in(city: City, area: Area, today: date, max_age_months: int = DEFAULT_MAX_AGE_MONTHS) -> pd.DataFrame:
    """Offers located in the area, with the name of their operator."""
    inside = city.offers["area_id"].isin(set(area.members)).to_numpy()
    table = _public(city.offers, inside, schema.OFFERS, today, max_age_months)
    names = dict(zip(city.actors["actor_id"], city.actors["name"], strict=False))
    table.insert(table.columns.get_loc("operator_actor_id"), "operator", table["operator_actor_id"].map(names))
    return table


# --- readable forms --------------------------------------------------------------------------


def format_value(value: Any, kind: str, lang: str) -> str:
    """One figure as text in the reader's locale; '–' when missing or withheld."""
    if kind == "text":
        if not isinstance(value, tuple):
            return "–"
        return ", ".join(code_label(c, lang) for c in value) or t("fig.none", lang)
    if value is None or pd.isna(value):
        return "–"
    return {"int": fmt_int, "share": fmt_share, "num": fmt_num}.get(kind, lambda v, lg: fmt_num(v, lg, 0))(value, lang)


def figure_sections(
    table: pd.DataFrame, headers: Sequence[str], figure_list: Sequence[Figure], lang: str
) -> list[tuple[str, pd.DataFrame]]:
    """Figures as rows and areas as columns (``headers`` name ``table``'s rows), as text, one table per section.

    Counts that are zero in every column are left out, so a profile lists the
    categories that exist rather than a page of zeros.
    """
    columns = table.to_dict("list")  # a few rows: plain lists, not a pandas lookup per figure
    sections = []
    for section in SECTIONS:
        labels, rows = [], []
        for figure in (f for f in figure_list if f.section == section):
            column = columns[figure.column]
            if (
                figure.kind == "int"
                and section != "extra"
                and figure.column != "residents"
                and not any(v is not None and v == v and v != 0 for v in column)  # missing counts as zero
            ):
                continue
            labels.append(figure.label(lang))
            rows.append([format_value(v, figure.kind, lang) for v in column])
        if rows:
            frame = pd.DataFrame(rows, columns=list(headers), index=pd.Index(labels, name=""))
            sections.append((t(f"pf.section.{section}", lang), frame))
    return sections


def profile_headers(p: Profile, lang: str) -> list[str]:
    """Column titles of a profile: the area, its Stadtbezirk (for a Quartier) and the city."""
    headers = {
        AREA: p.area.name,
        BEZIRK: t("pf.bezirk_column", lang, name=p.area.parent_name or ""),
        CITY: t("fig.city_value", lang),
    }
    return [headers[i] for i in p.values.index]


def profile_sections(p: Profile, lang: str) -> list[tuple[str, pd.DataFrame]]:
    """The key figures of a profile beside its Stadtbezirk and the city, by section."""
    return figure_sections(p.values, profile_headers(p, lang), p.figures, lang)


CHARTS = (
    ("pf.chart.age", "share_", schema.AGE_BANDS, "band", None),
    ("pf.chart.owners", "dwellings_", schema.OWNER_TYPES, "code", "dwellings"),
    ("pf.chart.categories", "offers_cat_", schema.CATEGORIES, "code", "offers"),
    ("pf.chart.levels", "offers_level_", schema.LEVELS, "code", "offers"),
)
#: Bars of the area, its Stadtbezirk and the city: dark to light, apart also in greyscale.
CHART_GREYS = ("#1f2a33", "#6f8796", "#c4ced4")


def chart_data(
    p: Profile, prefix: str, codes: Sequence[str], label_prefix: str, per: str | None, lang: str
) -> pd.DataFrame:
    """Long table for a grouped bar chart: one row per code and column of the profile.

    Counts are divided by ``per`` (e.g. ``offers``) so the area, its
    Stadtbezirk and the city stand side by side as shares; with ``per`` None
    the columns already are shares (withheld ones stay missing).
    """
    rows = []
    for header, (_, row) in zip(profile_headers(p, lang), p.values.iterrows(), strict=False):
        for code in codes:
            value = row[f"{prefix}{code}"]
            share = value if per is None else (value / row[per] if row[per] > 0 else np.nan)
            rows.append({"code": t(f"{label_prefix}.{code}", lang), "column": header, "share": share})
    return pd.DataFrame(rows)


def charts(p: Profile, lang: str) -> list[dict]:
    """Age structure, dwellings by owner, offers by category and by level: area vs. Stadtbezirk vs. city, as
    Vega-Lite specifications – each chart's specification made once per language, the area's rows put in."""
    out = []
    for index, (_, prefix, codes, label_prefix, per) in enumerate(CHARTS):
        spec = _chart_spec(index, lang)
        rows = chart_data(p, prefix, codes, label_prefix, per, lang)
        values = [
            {"code": code, "column": column, "share": None if np.isnan(share) else float(share)}
            for code, column, share in zip(rows["code"], rows["column"], rows["share"], strict=True)
        ]
        out.append({**spec, "datasets": {spec["data"]["name"]: values}})
    return out


def prepare_charts(lang: str) -> None:
    """Make the charts' specifications in ``lang`` now (the server's start): altair's first conversion costs
    more than a whole profile."""
    for index in range(len(CHARTS)):
        _chart_spec(index, lang)


@functools.lru_cache(maxsize=16)
def _chart_spec(index: int, lang: str) -> dict:
    """Chart ``CHARTS[index]`` without its rows; altair's conversion to a specification took a third of the time
    of a profile nobody had opened. Read only (shared)."""
    title = CHARTS[index][0]
    share, column = t("pf.chart.share", lang), t("pf.chart.column", lang)
    chart = (
        alt.Chart(pd.DataFrame({"code": [], "column": [], "share": []}), title=t(title, lang))
        .mark_bar()
        .encode(
            x=alt.X("share:Q", title=share, axis=alt.Axis(format="%")),
            y=alt.Y("code:N", title=None, sort=None),
            yOffset=alt.YOffset("column:N", sort=None),
            color=alt.Color(
                "column:N",
                title=column,
                sort=None,
                scale=alt.Scale(range=list(CHART_GREYS)),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("code:N", title=t(title, lang)),
                alt.Tooltip("column:N", title=column),
                alt.Tooltip("share:Q", title=share, format=".0%"),
            ],
        )
    )
    return chart.to_dict(validate=False)


def list_frame(table: pd.DataFrame, columns: Sequence[tuple[str, str]], lang: str) -> pd.DataFrame:
    """An actor or offer list as readable text: codes as labels, dates localized, outdated marked."""
    out = {}
    for column, key in columns:
        values_ = table[column]
        if column in ("sector", "category", "level"):
            values_ = values_.map(lambda c: code_label(c, lang))
        elif column == "target_groups":
            values_ = values_.map(lambda v: ", ".join(code_label(g, lang) for g in schema.split_list(v)))
        elif column == "stand":
            values_ = values_.map(lambda s: fmt_stand(s, lang))
        elif column == "outdated":
            values_ = values_.map(lambda o: t("pf.outdated", lang) if o else "")
        out[t(key, lang)] = values_.fillna("").astype(str).to_numpy()
    return pd.DataFrame(out)


def fmt_stand(text: object, lang: str) -> str:
    """A Stand as the reader writes dates; partial dates (2024-05, 2024) stay as they are."""
    if not isinstance(text, str) or not text:
        return "–"
    return fmt_date(text, lang) if len(text) == 10 else text


ACTOR_COLUMNS = (
    ("name", "pf.col.name"),
    ("sector", "fig.sector"),
    ("kind", "fig.kind"),
    ("website", "pf.col.website"),
    ("stand", "sources.stand"),
    ("outdated", "fig.status"),
)
OFFER_COLUMNS = (
    ("name", "pf.col.name"),
    ("category", "fig.category"),
    ("target_groups", "fig.target_groups"),
    ("level", "fig.level"),
    ("operator", "pf.col.operator"),
    ("opening_hours", "pf.col.opening_hours"),
    ("stand", "sources.stand"),
    ("outdated", "fig.status"),
)
