"""The directory of actors and offers: umlaut-insensitive full-text search with facets, and the actor card.

Why: a Stadtteilvernetzer types "Muehle" or "Strasse" on any keyboard and must still find
"Mühle" and "Straße" (and the other way round). Every entry's text is folded once per data
version into two spellings (umlauts written out and dropped), so a search is a few vectorised
substring tests. Only public fields enter the directory (``schema`` marks ``contact`` private),
so no result, card or map tooltip can show contact data.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.analysis.city import City
from dashboard.i18n import code_label, fmt_date, fmt_int, t, tn
from dashboard.model import schema
from dashboard.model.projection import transform
from dashboard.model.targets import served_groups

FACETS = ("entry", "sector", "category", "target_group", "bezirk", "quartier")
ENTRY_KINDS = ("actor", "offer")
_MARKS = "[\u0300-\u036f]"  # combining diacritical marks, left over after NFD (ä → a + ¨)


def spellings(text: str) -> tuple[str, ...]:
    """Case-folded spellings of ``text`` with ä → ae and ä → a (ß → ss, other accents dropped).

    Searching every spelling of a query in every spelling of an entry makes the search
    umlaut-insensitive in both directions without guessing whether "ue" in a word is an umlaut.
    The query goes through the very function that folds the index, so both always agree.
    """
    return tuple(dict.fromkeys(_folded(pd.Series([text])).iloc[0].split("\n")))


def _folded(texts: pd.Series) -> pd.Series:
    """Both spellings of every text, one line each (a query word never spans a line break); vectorised."""
    folded = texts.astype(str).str.normalize("NFC").str.casefold()  # casefold turns ß into ss
    written_out = folded.str.replace("ä", "ae").str.replace("ö", "oe").str.replace("ü", "ue")
    return (written_out + "\n" + folded).str.normalize("NFD").str.replace(_MARKS, "", regex=True)


def _matches(folded: pd.Series, query: str) -> np.ndarray:
    """Entries that contain every word of ``query`` in one of its spellings."""
    hit = np.ones(len(folded), dtype=bool)
    for word in query.split():
        word_hit = np.zeros(len(folded), dtype=bool)
        for spelling in spellings(word):
            word_hit |= folded.str.contains(spelling, regex=False).to_numpy(dtype=bool)
        hit &= word_hit
    return hit


@dataclass(frozen=True)
class Facet:
    """One facet as (entry row, value) pairs, so filters and counts are numpy lookups."""

    values: tuple[str, ...]
    rows: np.ndarray
    codes: np.ndarray

    @classmethod
    def of(cls, per_entry: Sequence[Iterable[str]], values: Sequence[str]) -> Facet:
        exploded = pd.Series(list(per_entry), dtype=object).explode()
        codes = pd.Categorical(exploded, categories=values).codes.astype(np.intp)
        pairs = np.unique(
            exploded.index.to_numpy()[codes >= 0] * len(values) + codes[codes >= 0]
        )  # each value once per entry
        return cls(tuple(values), pairs // len(values), pairs % len(values))

    def mask(self, chosen: Iterable[str], n: int) -> np.ndarray:
        """Entries with any of the chosen values; every entry when nothing is chosen."""
        wanted = [self.values.index(v) for v in chosen if v in self.values]
        if not wanted:
            return np.ones(n, dtype=bool)
        hit = np.zeros(n, dtype=bool)
        hit[self.rows[np.isin(self.codes, wanted)]] = True
        return hit

    def counts(self, mask: np.ndarray) -> dict[str, int]:
        found = np.bincount(self.codes[mask[self.rows]], minlength=len(self.values))
        return dict(zip(self.values, found.tolist(), strict=False))


@dataclass(frozen=True)
class Directory:
    """Actors and offers of one data version, folded for search. Public fields only."""

    # entry, entry_id, actor_id (own or operator), name, sector, detail, categories, groups, areas, area_names,
    # stand, lon, lat
    entries: pd.DataFrame
    text: pd.Series  # folded spellings of all searchable text per entry
    names: pd.Series  # folded spellings of the name alone: name hits rank first
    facets: dict[str, Facet]
    actors: pd.DataFrame  # public fields + area_id, index actor_id
    offers: pd.DataFrame  # public fields
    cooperations: pd.DataFrame
    area_names: dict[str, str]  # Quartiere and Stadtbezirke


def _public(frame: pd.DataFrame, layer: schema.Layer, extra: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame(frame[[*layer.public_field_names, *(c for c in extra if c in frame)]])


def _labels(codes: Iterable[str]) -> str:
    """A code's label in both languages, so either language finds it."""
    return " ".join(code_label(c, lang) for c in codes for lang in ("de", "en"))


def _entries(actors: pd.DataFrame, offers: pd.DataFrame, parent: dict[str, str | None]) -> pd.DataFrame:
    """One row per actor and per offer; an actor carries the categories and groups of its offers."""
    categories: dict[str, set[str]] = defaultdict(set)
    groups: dict[str, set[str]] = defaultdict(set)
    for operator, category, target_groups in zip(
        *(offers[c].tolist() for c in ("operator_actor_id", "category", "target_groups")), strict=False
    ):
        categories[operator].add(category)
        groups[operator].update(served_groups(target_groups))
    ids = actors["actor_id"].tolist()
    located_or_working = zip(actors["area_id"].tolist(), actors["quartiere"].tolist(), strict=False)
    return pd.concat(
        [
            pd.DataFrame({
                "entry": "actor", "entry_id": ids, "actor_id": ids, "name": actors["name"].to_numpy(),
                "sector": actors["sector"].to_numpy(), "detail": actors["kind"].fillna("").to_numpy(),
                "categories": [sorted(categories.get(a, ())) for a in ids],
                "groups": [sorted(groups.get(a, ())) for a in ids],
                "areas": [
                    list(dict.fromkeys(a for a in (seat, *schema.split_list(works)) if a in parent))
                    for seat, works in located_or_working
                ],
                "stand": actors["stand"].to_numpy(), "x": actors["x"].to_numpy(), "y": actors["y"].to_numpy(),
            }),
            pd.DataFrame({
                "entry": "offer", "entry_id": offers["offer_id"].to_numpy(),
                "actor_id": offers["operator_actor_id"].to_numpy(), "name": offers["name"].to_numpy(),
                "sector": offers["operator_actor_id"].map(dict(zip(ids, actors["sector"], strict=False))).to_numpy(),
                "detail": offers["category"].to_numpy(), "categories": [[c] for c in offers["category"].tolist()],
                "groups": [served_groups(v) for v in offers["target_groups"].tolist()],
                "areas": [[a] if a in parent else [] for a in offers["area_id"].tolist()],
                "stand": offers["stand"].to_numpy(), "x": offers["x"].to_numpy(), "y": offers["y"].to_numpy(),
            }),
        ],
        ignore_index=True,
    )  # fmt: skip


def _search_text(
    entries: pd.DataFrame, bezirke_of: list[list[str]], actor_name: dict[str, str], area_names: dict[str, str]
) -> pd.Series:
    """Name, kind, labels (both languages), an offer's operator, and the names of the entry's areas."""
    label = {code: _labels([code]) for code in (*schema.SECTORS, *schema.CATEGORIES, *schema.TARGET_GROUPS)}
    offer = (entries["entry"] == "offer").to_numpy()
    return (
        entries["name"]
        .astype(str)
        .str.cat(
            [
                entries["detail"].astype(str),
                entries["detail"].map(label).where(offer, "").fillna(""),
                entries["sector"].map(label).fillna(""),
                pd.Series(
                    [
                        " ".join(label[g] for g in gs) if o else ""
                        for gs, o in zip(entries["groups"], offer, strict=False)
                    ]
                ),
                entries["actor_id"].map(actor_name).where(offer, "").fillna(""),
                pd.Series(
                    [
                        " ".join(area_names[a] for a in [*areas, *bz])
                        for areas, bz in zip(entries["areas"], bezirke_of, strict=False)
                    ]
                ),
            ],
            sep=" ",
        )
    )


def build(city: City, cooperations: pd.DataFrame) -> Directory:
    """Fold every actor and offer once; entries are ordered actors first, then by name."""
    actors = _public(city.actors, schema.ACTORS, ["area_id", "x", "y"])
    offers = _public(city.offers, schema.OFFERS, ["area_id", "x", "y"])
    units = city.units
    parent = dict(zip(units["area_id"], units["parent_id"], strict=False))
    area_names = {
        **dict(zip(city.bezirke["area_id"], city.bezirke["name"], strict=False)),
        **dict(zip(units["area_id"], units["name"], strict=False)),
    }
    entries = _entries(actors, offers, parent)
    entries = entries.assign(sort=_folded(entries["name"]).to_numpy())
    entries = entries.sort_values(["entry", "sort"], kind="stable").drop(columns="sort").reset_index(drop=True)
    lon, lat = transform(schema.ANALYSIS_CRS, schema.WEB_CRS, entries["x"].to_numpy(), entries["y"].to_numpy())
    entries = entries.assign(lon=np.round(lon, 5), lat=np.round(lat, 5)).drop(columns=["x", "y"])
    entries["area_names"] = [_names_text([area_names[a] for a in areas]) for areas in entries["areas"]]
    bezirke_of = [[parent[a] for a in areas if isinstance(parent[a], str)] for areas in entries["areas"]]
    text = _search_text(entries, bezirke_of, dict(zip(actors["actor_id"], actors["name"], strict=False)), area_names)
    facets = {
        "entry": Facet.of([[e] for e in entries["entry"]], ENTRY_KINDS),
        "sector": Facet.of([[s] for s in entries["sector"]], schema.SECTORS),
        "category": Facet.of(entries["categories"], schema.CATEGORIES),
        "target_group": Facet.of(entries["groups"], schema.TARGET_GROUPS),
        "bezirk": Facet.of(bezirke_of, sorted(city.bezirke["area_id"], key=area_names.__getitem__)),
        "quartier": Facet.of(entries["areas"], sorted(units["area_id"], key=area_names.__getitem__)),
    }
    coops = pd.DataFrame(cooperations[schema.COOPERATIONS.public_field_names])
    return Directory(
        entries,
        _folded(text),
        _folded(entries["name"]),
        facets,
        actors.set_index("actor_id", drop=False),
        offers,
        coops,
        area_names,
    )


@dataclass(frozen=True)
class Hits:
    """Rows of ``Directory.entries`` that match, best first, and the count of each facet value.

    A facet's counts apply the query and every OTHER facet's choice, so they say how many hits
    choosing that value would add (the usual behaviour of faceted search).
    """

    rows: np.ndarray
    counts: dict[str, dict[str, int]]


def search(directory: Directory, query: str, chosen: Mapping[str, Iterable[str]]) -> Hits:
    """Entries containing every word of ``query`` that have one of the chosen values in every facet."""
    n = len(directory.entries)
    text_hit = _matches(directory.text, query)
    masks = {name: facet.mask(chosen.get(name, ()), n) for name, facet in directory.facets.items()}
    counts = {}
    for name, facet in directory.facets.items():
        others = text_hit.copy()
        for other, mask in masks.items():
            if other != name:
                others &= mask
        counts[name] = facet.counts(others)
    rows = np.flatnonzero(text_hit & np.logical_and.reduce(list(masks.values())))
    name_hit = _matches(directory.names.iloc[rows], query)
    return Hits(rows[np.argsort(~name_hit, kind="stable")], counts)


def facet_label(directory: Directory, facet: str, value: str, lang: str) -> str:
    if facet == "entry":
        return t(f"actors.entry.{value}", lang)
    if facet in ("bezirk", "quartier"):
        return directory.area_names.get(value, value)
    return code_label(value, lang)


def _names_text(names: Sequence[str], most: int = 3) -> str:
    return ", ".join(names[:most]) + (f" (+{len(names) - most})" if len(names) > most else "")


def _groups_text(groups: Sequence[str], lang: str) -> str:
    return code_label("alle", lang) if "alle" in groups else ", ".join(code_label(g, lang) for g in groups)


def hits_frame(directory: Directory, hits: Hits, lang: str) -> pd.DataFrame:
    """The hits as a table a person reads (labels in ``lang``)."""
    rows = directory.entries.iloc[hits.rows]
    return pd.DataFrame(
        {
            t("actors.col.entry", lang): [t(f"actors.entry.{e}", lang) for e in rows["entry"]],
            t("actors.col.name", lang): rows["name"].to_numpy(),
            t("fig.sector", lang): [code_label(s, lang) if isinstance(s, str) else "–" for s in rows["sector"]],
            t("actors.col.detail", lang): [
                d if e == "actor" else code_label(d, lang) for e, d in zip(rows["entry"], rows["detail"], strict=False)
            ],
            t("fig.target_groups", lang): [_groups_text(g, lang) for g in rows["groups"]],
            t("actors.col.areas", lang): rows["area_names"].to_numpy(),
            t("sources.stand", lang): [fmt_date(s, lang) if isinstance(s, str) else "–" for s in rows["stand"]],
        }
    )


def summary(directory: Directory, hits: Hits, lang: str) -> str:
    """How many actors and offers were found."""
    kinds = directory.entries["entry"].to_numpy()[hits.rows]
    return t(
        "actors.hits",
        lang,
        actors=tn("actors.hits.actors", (kinds == "actor").sum(), lang, n=fmt_int((kinds == "actor").sum(), lang)),
        offers=tn("actors.hits.offers", (kinds == "offer").sum(), lang, n=fmt_int((kinds == "offer").sum(), lang)),
    )


def hit_actors(directory: Directory, hits: Hits) -> list[str]:
    """The actors behind the hits (an offer stands for its operator), in the order of the hits."""
    ids = directory.entries["actor_id"].to_numpy()[hits.rows]
    return [a for a in dict.fromkeys(ids) if a in directory.actors.index]


@dataclass(frozen=True)
class ActorCard:
    """What a directory shows about one actor, already in the reader's language."""

    title: str
    facts: list[tuple[str, str]]
    offers: pd.DataFrame
    cooperations: pd.DataFrame


def actor_card(directory: Directory, actor_id: str, lang: str) -> ActorCard:
    """Sector, kind, where it sits and works, website, Stand, its offers and its cooperations."""
    actor = directory.actors.loc[actor_id]
    works = [a for a in schema.split_list(actor["quartiere"]) if a in directory.area_names]
    located = directory.area_names.get(actor["area_id"], "–")
    facts = [
        (t("fig.sector", lang), code_label(actor["sector"], lang)),
        (t("fig.kind", lang), actor["kind"] if isinstance(actor["kind"], str) else "–"),
        (t("actors.card.located", lang), located),
        (t("actors.card.works_in", lang), ", ".join(directory.area_names[a] for a in works) or "–"),
        (
            t("actors.card.website", lang),
            actor["website"] if isinstance(actor["website"], str) and actor["website"] else "–",
        ),
        (t("sources.stand", lang), fmt_date(actor["stand"], lang) if isinstance(actor["stand"], str) else "–"),
    ]
    own = directory.offers[directory.offers["operator_actor_id"] == actor_id].sort_values("name")
    offers = pd.DataFrame(
        {
            t("map.tooltip.offer", lang): own["name"].to_numpy(),
            t("fig.category", lang): [code_label(c, lang) for c in own["category"]],
            t("fig.target_groups", lang): [
                ", ".join(code_label(g, lang) for g in schema.split_list(v)) for v in own["target_groups"]
            ],
            t("fig.level", lang): [code_label(v, lang) for v in own["level"]],
        }
    )
    coops = directory.cooperations
    mine = coops[(coops["actor_a"] == actor_id) | (coops["actor_b"] == actor_id)]
    partners = np.where(mine["actor_a"] == actor_id, mine["actor_b"], mine["actor_a"])
    names = directory.actors["name"].reindex(partners)
    sectors = directory.actors["sector"].reindex(partners)
    cooperations = pd.DataFrame(
        {
            t("actors.card.partner", lang): names.fillna("–").to_numpy(),
            t("fig.sector", lang): [code_label(s, lang) if isinstance(s, str) else "–" for s in sectors],
            t("actors.card.coop_kind", lang): [code_label(k, lang) for k in mine["kind"]],
            t("actors.card.since", lang): [str(int(s)) if pd.notna(s) else "–" for s in mine["since"]],
        }
    ).sort_values(t("actors.card.partner", lang))
    return ActorCard(str(actor["name"]), facts, offers, cooperations)
