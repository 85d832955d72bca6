"""The replaceable distance step: how far is it from each home to the nearest offer?

Analysis code asks a ``DistanceMethod`` for distances and never measures
itself, so a walking-network method can replace the straight line without
touching indicators, maps or reports. Coordinates are metres in
``schema.ANALYSIS_CRS``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from scipy.spatial import cKDTree

#: Up to this many targets, measuring directly beats building a KD-tree over the
#: origins (a one-offer scenario on a Berlin-size grid: 0.6 ms instead of 20 ms).
FEW_TARGETS = 16


#: KD-trees of the last origin sets: the origins of an analysis are the city's cells, every time, and
#: building their tree costs more than the catchment search itself (87,000 cells: ~25 ms).
_TREES: OrderedDict[tuple, cKDTree] = OrderedDict()
_TREES_KEPT = 4
_TREES_LOCK = threading.Lock()


def _tree(points: np.ndarray) -> cKDTree:
    """The KD-tree of ``points``, built once per distinct set (recognised by a hash of its bytes)."""
    key = (points.shape, hash(points.tobytes()))
    with _TREES_LOCK:
        if (tree := _TREES.get(key)) is not None and np.array_equal(tree.data, points):
            _TREES.move_to_end(key)
            return tree
    tree = cKDTree(points)
    with _TREES_LOCK:
        _TREES[key] = tree
        while len(_TREES) > _TREES_KEPT:
            _TREES.popitem(last=False)
    return tree


#: Nearest target distances of the last origin, target and detour sets, with the origins' tree (``_tree``) that
#: recognises the origins: an analysis of a new threshold asks for the same offers' nearest again (another threshold
#: in a link, a planner trying several), and the nearest offer of the homes with none in reach was a third of a demo
#: city's analysis (3.4 of 12 ms).
_NEAREST: OrderedDict[tuple, tuple[cKDTree, np.ndarray, np.ndarray]] = OrderedDict()
_NEAREST_KEPT = 16
_NEAREST_LOCK = threading.Lock()


def _direct(origins: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Straight-line distances from every origin to every target, shape (origins, targets)."""
    return np.hypot(origins[:, None, 0] - targets[None, :, 0], origins[:, None, 1] - targets[None, :, 1])


@dataclass(frozen=True)
class Pairs:
    """Sparse origin–target distances: row ``k`` links ``origin[k]`` with ``target[k]``."""

    origin: np.ndarray
    target: np.ndarray
    distance: np.ndarray


class DistanceMethod(Protocol):
    """Distances from origins to the nearest of the targets (both ``(n, 2)`` arrays in metres)."""

    @property
    def label_key(self) -> str:
        """Catalog key of the method's name, shown beside every result."""
        ...

    def nearest(self, origins: np.ndarray, targets: np.ndarray) -> np.ndarray:
        """One distance per origin; ``inf`` where no target can be reached."""
        ...

    def within(self, origins: np.ndarray, targets: np.ndarray, max_distance: float) -> Pairs:
        """Every (origin, target) pair at most ``max_distance`` apart, e.g. for catchment methods."""
        ...

    def reach(self, origins: np.ndarray, targets: np.ndarray, max_distance: float) -> tuple[np.ndarray, Pairs]:
        """``nearest`` and ``within`` together – what a gap analysis needs – in one pass where the method can."""
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
        if len(targets) <= FEW_TARGETS:
            return _direct(origins, targets).min(axis=1) * self.detour
        distances, _ = cKDTree(targets).query(origins, k=1)
        return distances * self.detour

    def within(self, origins: np.ndarray, targets: np.ndarray, max_distance: float) -> Pairs:
        origins = np.asarray(origins, dtype=float).reshape(-1, 2)
        targets = np.asarray(targets, dtype=float).reshape(-1, 2)
        if len(origins) == 0 or len(targets) == 0:
            empty = np.zeros(0, dtype=np.intp)
            return Pairs(empty, empty, np.zeros(0))
        if len(targets) <= FEW_TARGETS:
            distances = _direct(origins, targets) * self.detour
            origin, target = np.nonzero(distances <= max_distance)
            return Pairs(origin.astype(np.intp), target.astype(np.intp), distances[origin, target])
        found = _tree(origins).sparse_distance_matrix(
            cKDTree(targets), max_distance / self.detour, output_type="ndarray"
        )
        return Pairs(found["i"].astype(np.intp), found["j"].astype(np.intp), found["v"] * self.detour)

    def reach(self, origins: np.ndarray, targets: np.ndarray, max_distance: float) -> tuple[np.ndarray, Pairs]:
        """The pairs first; an origin with a target in reach has its nearest among its pairs, so the
        tree is asked for the nearest target only of the origins without one (most homes have one), and only once
        per origins, targets and detour (``_NEAREST``): another threshold finds them kept."""
        origins = np.asarray(origins, dtype=float).reshape(-1, 2)
        targets = np.asarray(targets, dtype=float).reshape(-1, 2)
        if len(targets) <= FEW_TARGETS or len(origins) == 0:
            return self.nearest(origins, targets), self.within(origins, targets, max_distance)
        pairs = self.within(origins, targets, max_distance)
        nearest = np.full(len(origins), np.inf)
        np.minimum.at(nearest, pairs.origin, pairs.distance)
        far = np.flatnonzero(nearest == np.inf)
        tree = _tree(origins)  # the one ``within`` used: it stands for the origins
        key = (id(tree), targets.shape, hash(targets.tobytes()), self.detour)
        with _NEAREST_LOCK:
            kept = _NEAREST.get(key)
            if kept is not None:
                _NEAREST.move_to_end(key)
        known = kept[2] if kept is not None and kept[0] is tree and np.array_equal(kept[1], targets) else None
        if len(far):
            nearest[far] = (
                known[far] if known is not None else cKDTree(targets).query(origins[far], k=1)[0] * self.detour
            )
        if known is None:  # every home's nearest, whatever the threshold: kept for the next one
            with _NEAREST_LOCK:
                _NEAREST[key] = (tree, targets.copy(), nearest.copy())
                while len(_NEAREST) > _NEAREST_KEPT:
                    _NEAREST.popitem(last=False)
        return nearest, pairs
