"""Vernetzungschancen: actors of different sectors who work close to each other but have no recorded cooperation.

Why: getting to know each other is the first step of networking and needs no money (origin
text). A cooperative's estate with Sozialmanagement and a civil-society initiative 300 m away
that have never worked together are the pair a Stadtteilvernetzer would introduce. Candidate
pairs come from a KD-tree within a radius, never from all pairs; each gets a score from
distance, sector complementarity and shared target groups, and a sentence that says why.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from dashboard.analysis.city import City
from dashboard.i18n import code_label, fmt_int, fmt_share, t
from dashboard.model import schema
from dashboard.model.targets import SPECIFIC_GROUPS, served_groups

RADIUS_M = 500
WEIGHTS = {"distance": 0.4, "sectors": 0.4, "groups": 0.2}
#: What a link between two sectors adds. Civil society with housing or welfare counts most: it is
#: the sector most often missing, and those two run the neighbourhood work in the estates.
COMPLEMENT = {
    frozenset({"zivilgesellschaft", "wohnungswirtschaft"}): 1.0,
    frozenset({"zivilgesellschaft", "wohlfahrtspflege"}): 1.0,
    frozenset({"zivilgesellschaft", "kommune"}): 0.7,
    frozenset({"wohnungswirtschaft", "wohlfahrtspflege"}): 0.7,
    frozenset({"wohnungswirtschaft", "kommune"}): 0.5,
    frozenset({"wohlfahrtspflege", "kommune"}): 0.5,
}
SHOWN = 10
_PLACE_COLUMNS = ["actor_id", "where", "label", "x", "y"]


def places(city: City) -> pd.DataFrame:
    """Where each actor works: its seat, its offers and its estates with Sozialmanagement (one point per Quartier)."""
    actors, offers, housing = city.actors, city.offers, city.housing
    seats = pd.DataFrame(
        {"actor_id": actors["actor_id"], "where": "seat", "label": "", "x": actors["x"], "y": actors["y"]}
    )
    run = offers[offers["operator_actor_id"].isin(actors["actor_id"])]
    offer_spots = pd.DataFrame(
        {"actor_id": run["operator_actor_id"], "where": "offer", "label": run["name"], "x": run["x"], "y": run["y"]}
    )
    social = housing[housing["sozialmanagement"].eq(True) & housing["owner_actor_id"].isin(actors["actor_id"])]
    estates = social.groupby(["owner_actor_id", "area_id"])[["x", "y"]].mean().reset_index()
    names = dict(zip(city.units["area_id"], city.units["name"], strict=False))
    estate_spots = pd.DataFrame(
        {
            "actor_id": estates["owner_actor_id"],
            "where": "estate",
            "label": estates["area_id"].map(names),
            "x": estates["x"],
            "y": estates["y"],
        }
    )
    return pd.concat([seats, offer_spots, estate_spots], ignore_index=True)[_PLACE_COLUMNS]


def _group_masks(offers: pd.DataFrame, actors: pd.Index) -> np.ndarray:
    """Per actor, the target groups its offers serve as bits of SPECIFIC_GROUPS ("alle" sets every bit)."""
    bit = {g: 1 << k for k, g in enumerate(SPECIFIC_GROUPS)}
    masks = np.zeros(len(actors), dtype=np.int64)
    for actor, groups in zip(actors.get_indexer(offers["operator_actor_id"]), offers["target_groups"], strict=False):
        if actor >= 0:
            masks[actor] |= sum(bit[g] for g in served_groups(groups) if g in bit)
    return masks


def _by_mask(value) -> np.ndarray:
    """``value(bits)`` for every group mask, as an array indexed by the mask."""
    table = np.empty(1 << len(SPECIFIC_GROUPS), dtype=object)
    for bits in range(len(table)):
        table[bits] = value(bits)
    return table


_COUNT = _by_mask(lambda bits: bin(bits).count("1")).astype(int)
_GROUPS = _by_mask(lambda bits: tuple(g for k, g in enumerate(SPECIFIC_GROUPS) if bits >> k & 1))


def _complement_matrix() -> np.ndarray:
    """COMPLEMENT by sector code; the extra last row and column (code -1: unknown sector) stay 0."""
    matrix = np.zeros((len(schema.SECTORS) + 1,) * 2)
    for pair, value in COMPLEMENT.items():
        a, b = (schema.SECTORS.index(s) for s in pair)
        matrix[a, b] = matrix[b, a] = value
    return matrix


def find(city: City, cooperations: pd.DataFrame, radius_m: float = RADIUS_M) -> pd.DataFrame:
    """Every unlinked pair of actors from complementary sectors with places within ``radius_m``, best first.

    The distance of a pair is that of its two closest places. Score 0–100 =
    100 × (WEIGHTS distance × (1 − distance / radius) + sectors × COMPLEMENT + groups × shared share).
    Arrays throughout: a city of 5,000 actors has some 100,000 candidate pairs.
    """
    spots = places(city)
    actors = pd.Index(city.actors["actor_id"])
    n = len(actors)
    xy = spots[["x", "y"]].to_numpy(dtype=float)
    owner = actors.get_indexer(spots["actor_id"])
    pairs = cKDTree(xy).query_pairs(radius_m, output_type="ndarray") if len(xy) > 1 else np.zeros((0, 2), dtype=np.intp)
    i, j = pairs[:, 0], pairs[:, 1]
    i, j = i[owner[i] != owner[j]], j[owner[i] != owner[j]]
    i, j = np.where(owner[i] < owner[j], i, j), np.where(owner[i] < owner[j], j, i)
    distance = np.hypot(*(xy[i] - xy[j]).T)
    key = owner[i].astype(np.int64) * n + owner[j]
    order = np.lexsort((distance, key))
    closest = order[np.r_[True, key[order][1:] != key[order][:-1]]] if len(order) else order
    i, j, key, distance = i[closest], j[closest], key[closest], distance[closest]
    a, b = owner[i], owner[j]

    sector = pd.Categorical(city.actors["sector"], categories=schema.SECTORS).codes
    sectors = _complement_matrix()[sector[a], sector[b]]
    ends = np.sort(
        np.column_stack([actors.get_indexer(cooperations["actor_a"]), actors.get_indexer(cooperations["actor_b"])]),
        axis=1,
    )
    linked = ends[:, 0].astype(np.int64) * n + ends[:, 1]
    keep = (sectors > 0) & ~np.isin(key, linked)
    i, j, a, b, distance, sectors = i[keep], j[keep], a[keep], b[keep], distance[keep], sectors[keep]

    masks = _group_masks(city.offers, actors)
    shared, either = masks[a] & masks[b], masks[a] | masks[b]
    names, codes = city.actors["name"].to_numpy(), actors.to_numpy()
    found = pd.DataFrame(
        {
            "a": codes[a], "b": codes[b], "distance_m": distance,
            "sector_a": city.actors["sector"].to_numpy()[a], "sector_b": city.actors["sector"].to_numpy()[b],
            "shared": _GROUPS[shared], "score_distance": 1 - distance / radius_m, "score_sectors": sectors,
            "score_groups": np.where(either > 0, _COUNT[shared] / np.maximum(_COUNT[either], 1), 0.0),
            "name_a": names[a], "name_b": names[b],
            "where_a": spots["where"].to_numpy()[i], "label_a": spots["label"].to_numpy()[i],
            "where_b": spots["where"].to_numpy()[j], "label_b": spots["label"].to_numpy()[j],
        }
    )  # fmt: skip
    found["score"] = 100 * sum(WEIGHTS[part] * found[f"score_{part}"] for part in WEIGHTS)
    found = found.sort_values(["score", "distance_m", "name_a", "name_b"], ascending=[False, True, True, True])
    return found.reset_index(drop=True)


def within(found: pd.DataFrame, members: frozenset[str] | None, sectors) -> pd.DataFrame:
    """Chances with both actors in ``sectors`` and at least one of them in the area (None = whole city)."""
    keep = found["sector_a"].isin(sectors) & found["sector_b"].isin(sectors)
    if members is not None:
        keep &= found["a"].isin(members) | found["b"].isin(members)
    return found[keep]


def _place(row: pd.Series, side: str, lang: str) -> str:
    return t(f"opp.place.{row[f'where_{side}']}", lang, actor=row[f"name_{side}"], label=row[f"label_{side}"])


def reason(row: pd.Series, lang: str) -> str:
    """Why this pair: where they are close, which sectors meet, which target groups they share."""
    shared = row["shared"]
    groups = (
        code_label("alle", lang)
        if len(shared) == len(SPECIFIC_GROUPS)
        else ", ".join(code_label(g, lang) for g in shared)
    )
    text = " ".join(
        [
            t(
                "opp.reason.distance",
                lang,
                a=_place(row, "a", lang),
                b=_place(row, "b", lang),
                distance=fmt_int(round(row["distance_m"], -1), lang),
            ),
            t(
                "opp.reason.sectors",
                lang,
                sector_a=code_label(row["sector_a"], lang),
                sector_b=code_label(row["sector_b"], lang),
            ),
            t("opp.reason.groups", lang, groups=groups) if shared else t("opp.reason.no_groups", lang),
            t("opp.reason.no_link", lang),
        ]
    )
    return text[:1].upper() + text[1:]


def list_html(found: pd.DataFrame, lang: str, most: int = SHOWN) -> str:
    """The best ``most`` chances as a numbered list a councillor can read; every data text escaped."""
    items = [
        f"<li><b>{html.escape(row['name_a'])}</b> ↔ <b>{html.escape(row['name_b'])}</b> · "
        + html.escape(
            t("opp.item", lang, score=fmt_int(row["score"], lang), distance=fmt_int(round(row["distance_m"], -1), lang))
        )
        + f"<br>{html.escape(reason(row, lang))}</li>"
        for _, row in found.head(most).iterrows()
    ]
    return f"<ol>{''.join(items)}</ol>"


def method_text(lang: str, radius_m: float = RADIUS_M) -> str:
    """The method in plain words, with the weights and sector values used."""
    return t(
        "opp.method",
        lang,
        radius=fmt_int(radius_m, lang),
        w_distance=fmt_share(WEIGHTS["distance"], lang),
        w_sectors=fmt_share(WEIGHTS["sectors"], lang),
        w_groups=fmt_share(WEIGHTS["groups"], lang),
        high=fmt_share(COMPLEMENT[frozenset({"zivilgesellschaft", "wohnungswirtschaft"})], lang),
        middle=fmt_share(COMPLEMENT[frozenset({"zivilgesellschaft", "kommune"})], lang),
        low=fmt_share(COMPLEMENT[frozenset({"wohlfahrtspflege", "kommune"})], lang),
    )
