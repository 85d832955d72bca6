"""One spec per view parameter: its default, allowed range or options, share-link key and label.

Why: a default written twice drifts apart (the minimum residents were once 300 in five places).
The engine's parameter objects (``GapParams``, ``MapView``), the URL format (``share_state``), the
page widgets and the command line all read these specs, so one edit here changes all of them.

A setting's ``name`` is the field of the engine's parameter object and, with the page's prefix
(``""`` on the Karte, ``"gap_"`` on the Lückenanalyse), the key of its widget and of its value in
a ``ViewState``; the command line spells it with dashes (``--min-residents``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dashboard.model import schema
from dashboard.model.scenario import Scenario

#: The three components of the gap index, in the order of their weights.
COMPONENTS = ("uncovered_share", "supply_deficit", "sector_gap")
#: Need indicators every city has (from the population and housing layers); areas may add numeric columns.
BUILTIN_NEEDS = ("share_65_plus", "share_80_plus", "share_subsidised")
#: Prefix of the Lückenanalyse's widget keys and view fields (the Karte has none).
GAP_PREFIX = "gap_"


@dataclass(frozen=True)
class Setting:
    """A view parameter as every reader sees it. ``low``/``high``/``step`` for numbers, ``options`` for choices."""

    name: str
    url_key: str
    label_key: str
    default: Any
    low: float | None = None
    high: float | None = None
    step: float | None = None
    options: tuple = ()

    @property
    def option(self) -> str:
        """The command-line option (``--min-residents``)."""
        return "--" + self.name.removesuffix("_m").replace("_", "-")


TARGET_GROUP = Setting("target_group", "g", "gap.target_group", "alle", options=schema.TARGET_GROUPS)
#: On the Lückenanalyse the default is the target group's (``targets.DEFAULT_THRESHOLD_M``); this is the Karte's.
THRESHOLD = Setting("threshold_m", "t", "map.filter.threshold", 500, low=100, high=3000, step=50)
DISTANCE = Setting("distance", "d", "gap.distance", "luftlinie", options=("luftlinie", "fussweg"))
DETOUR = Setting("detour", "u", "gap.detour", 1.0, low=1.0, high=2.0, step=0.05)
MIN_LEVEL = Setting(
    "min_level", "lv", "map.filter.min_level", schema.DEFAULT_PARTICIPATION_LEVEL, options=schema.LEVELS
)
MIN_RESIDENTS = Setting("min_residents", "r", "gap.min_residents", 300, low=0, high=5000, step=50)
#: Weights of ``COMPONENTS`` in percent, as the widgets and links carry them (the engine uses fractions).
WEIGHTS = Setting("weights", "w", "gap.weights", (50, 30, 20), low=0, high=100, step=5)
CLASSIFICATION = Setting(
    "classification", "c", "map.filter.classification", "quantiles", options=("quantiles", "natural_breaks", "user")
)
#: Class breaks for the classification "user" (upper bounds of the gap index).
BREAKS = Setting("breaks", "k", "gap.breaks", (20.0, 40.0, 60.0, 80.0))
CLASSES = Setting("classes", "", "", 5)
MEASURE = Setting("measure", "m", "map.measure", "uncovered_share", options=("uncovered_share", "offers_per_1000"))
LAYERS = Setting(
    "layers",
    "l",
    "map.layers",
    frozenset({"bezirke", "choropleth", "offers"}),
    options=("bezirke", "choropleth", "actors", "housing", "offers"),
)
GAP_LAYERS = Setting("layers", "l", "gap.layers", frozenset({"grid", "offers"}), options=("grid", "index", "offers"))
SECTORS = Setting("sectors", "sec", "map.filter.sectors", schema.SECTORS, options=schema.SECTORS)
CATEGORIES = Setting("categories", "cat", "map.filter.categories", schema.CATEGORIES, options=schema.CATEGORIES)
TARGET_GROUPS = Setting(
    "target_groups", "tg", "map.filter.target_groups", schema.TARGET_GROUPS, options=schema.TARGET_GROUPS
)
BEZIRK = Setting("bezirk", "b", "map.filter.bezirk", None)
SELECTED = Setting("selected", "sel", "map.selected", None)
POSITION = Setting("map_pos", "pos", "", None)
GAP_VIEW = Setting("view", "vw", "gap.view", "map", options=("map", "need"))
NEED = Setting("need", "n", "gap.need.indicator", BUILTIN_NEEDS[0])
#: Standortplanung: how many new sites, from which candidates, by which solver.
NEW_SITES = Setting("new_sites", "ns", "sites.new", 3, low=1, high=20, step=1)
CANDIDATES = Setting("candidates", "ca", "sites.candidates", "cells", options=("cells", "file"))
SOLVER = Setting("solver", "so", "sites.solver", "greedy", options=("greedy", "exact"))
#: Places per new site; 0: no limit (plain maximal coverage), else the capacity-aware model.
SITE_CAPACITY = Setting("site_capacity", "cap", "sites.capacity", 0, low=0, high=5000, step=10)
SCENARIO = Setting("scenario", "s", "gap.scenario", Scenario())

#: The engine's default weights (fractions of 1), from the percentages above.
DEFAULT_WEIGHTS: tuple[float, float, float] = tuple(w / 100 for w in WEIGHTS.default)
