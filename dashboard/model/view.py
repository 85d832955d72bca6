"""Everything that defines what the map shows, as one plain value.

Pages turn widgets into a ``MapView`` and everything downstream takes it, so
the whole view can later be written to and restored from a share link.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dashboard.model import viewspec

LAYER_KEYS = viewspec.LAYERS.options
DEFAULT_LAYERS = viewspec.LAYERS.default
MEASURES = viewspec.MEASURE.options
#: The Karte offers the computed classifications only (user breaks belong to the gap index).
CLASSIFICATIONS = tuple(c for c in viewspec.CLASSIFICATION.options if c != "user")


@dataclass(frozen=True)
class MapView:
    """The state of the Karte page. Defaults are the view a first visitor sees (``params``)."""

    layers: frozenset[str] = viewspec.LAYERS.default
    bezirk: str | None = viewspec.BEZIRK.default
    sectors: tuple[str, ...] = viewspec.SECTORS.default
    categories: tuple[str, ...] = viewspec.CATEGORIES.default
    target_groups: tuple[str, ...] = viewspec.TARGET_GROUPS.default
    min_level: str = viewspec.MIN_LEVEL.default
    measure: str = viewspec.MEASURE.default
    threshold_m: int = viewspec.THRESHOLD.default
    detour: float = viewspec.DETOUR.default
    classification: str = viewspec.CLASSIFICATION.default
    classes: int = viewspec.CLASSES.default
    min_residents: int = viewspec.MIN_RESIDENTS.default
    selected: str | None = viewspec.SELECTED.default
    extra: dict = field(default_factory=dict, compare=False, hash=False)
