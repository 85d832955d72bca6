"""Everything that defines what the map shows, as one plain value.

Pages turn widgets into a ``MapView`` and everything downstream takes it, so
the whole view can later be written to and restored from a share link.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dashboard.model import schema

LAYER_KEYS = ("bezirke", "choropleth", "actors", "housing", "offers")
DEFAULT_LAYERS = frozenset({"bezirke", "choropleth", "offers"})
MEASURES = ("uncovered_share", "offers_per_1000")
CLASSIFICATIONS = ("quantiles", "natural_breaks")


@dataclass(frozen=True)
class MapView:
    """The state of the Karte page. Defaults are the view a first visitor sees."""

    layers: frozenset[str] = DEFAULT_LAYERS
    bezirk: str | None = None
    sectors: tuple[str, ...] = schema.SECTORS
    categories: tuple[str, ...] = schema.CATEGORIES
    target_groups: tuple[str, ...] = schema.TARGET_GROUPS
    min_level: str = schema.DEFAULT_PARTICIPATION_LEVEL
    measure: str = "uncovered_share"
    threshold_m: int = 500
    detour: float = 1.0
    classification: str = "quantiles"
    classes: int = 5
    min_residents: int = 300
    selected: str | None = None
    extra: dict = field(default_factory=dict, compare=False, hash=False)
