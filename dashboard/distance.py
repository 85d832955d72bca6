"""The replaceable distance step: how far is it from each home to the nearest offer?

Analysis code asks a ``DistanceMethod`` for distances and never measures
itself, so a walking-network method can replace the straight line without
touching indicators, maps or reports. Coordinates are metres in
``schema.ANALYSIS_CRS``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
from scipy.spatial import cKDTree


class DistanceMethod(Protocol):
    """Distances from origins to the nearest of the targets (both ``(n, 2)`` arrays in metres)."""

    #: catalog key of the method's name, shown beside every result
    label_key: str

    def nearest(self, origins: np.ndarray, targets: np.ndarray) -> np.ndarray:
        """One distance per origin; ``inf`` where no target can be reached."""
        ...


@dataclass(frozen=True)
class StraightLine:
    """Straight-line (Luftlinie) distance times a detour factor.

    Real walking routes are longer than straight lines; a detour factor of
    e.g. 1.3 is the usual first correction until network distances exist.
    """

    detour: float = 1.0
    label_key: str = "distance.straight_line"

    def nearest(self, origins: np.ndarray, targets: np.ndarray) -> np.ndarray:
        origins = np.asarray(origins, dtype=float).reshape(-1, 2)
        targets = np.asarray(targets, dtype=float).reshape(-1, 2)
        if len(targets) == 0:
            return np.full(len(origins), np.inf)
        distances, _ = cKDTree(targets).query(origins, k=1)
        return distances * self.detour
