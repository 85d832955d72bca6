"""Capacity-aware supply ratio: the two-step floating catchment area (2SFCA).

Counting offers per Quartier ignores that people cross Quartier borders and
that a small offer among many residents is not the same as a large one among
few. 2SFCA shares each offer's capacity among all residents in its catchment
and sums, per home, the shares of every offer in reach (Luo & Wang 2003).
Distances come only from a ``DistanceMethod``, so a walking network can
replace the straight line later without touching this module.
"""

from __future__ import annotations

import numpy as np

from dashboard.analysis.distance import DistanceMethod, Pairs


def two_step_fca(demand: np.ndarray, supply: np.ndarray, pairs: Pairs) -> np.ndarray:
    """Offer capacity per resident in reach, for each demand location (origin).

    In plain words: each offer's places are shared among all residents who
    can reach it; a home's score is the sum of its shares of every offer it
    can reach. Times 1,000 it reads as "places per 1,000 residents".

    Capacity-aware 2SFCA with a cumulative (binary) catchment, where ``pairs``
    lists the origin–target links inside the catchment:

    - ``R_j = S_j / sum(D_i for i linked to j)``, 0 when that sum is 0
    - ``A_i = sum(R_j for j linked to i)``

    Returns ``A`` with one value per entry of ``demand``. It equals PySAL
    ``access.Access.two_stage_fca(max_cost=catchment, normalize=False)`` (which
    keeps costs ``<= max_cost``, as ``StraightLine.within`` does) except at two
    places where PySAL is not finite:

    - an origin with no offer in reach scores 0.0 here, NaN in PySAL;
    - an offer whose catchment holds no demand contributes nothing here;
      PySAL divides by zero and gives ``inf`` to the (zero-demand) origins
      that reach such an offer with positive capacity.
    """
    ratio = supply_ratios(demand, supply, pairs)
    return np.bincount(pairs.origin, weights=ratio[pairs.target], minlength=len(demand))


def supply_ratios(demand: np.ndarray, supply: np.ndarray, pairs: Pairs) -> np.ndarray:
    """Step one alone: ``R_j``, each offer's capacity per resident in its catchment (0 without demand).

    Kept separate because a scenario adds or removes single offers: their
    ``R_j`` enter or leave the scores of the homes in reach, nothing else changes.
    """
    demand = _non_negative(demand, "demand")
    supply = _non_negative(supply, "supply")
    if len(pairs.origin) and (pairs.origin.max() >= len(demand) or pairs.target.max() >= len(supply)):
        raise ValueError("pairs refer to origins or targets beyond demand or supply")
    catchment_demand = np.bincount(pairs.target, weights=demand[pairs.origin], minlength=len(supply))
    return np.divide(supply, catchment_demand, out=np.zeros(len(supply)), where=catchment_demand > 0)


def accessibility(
    origins_xy: np.ndarray,
    demand: np.ndarray,
    targets_xy: np.ndarray,
    supply: np.ndarray,
    method: DistanceMethod,
    catchment_m: float,
) -> np.ndarray:
    """2SFCA score per origin, with the catchment measured by ``method`` (see ``two_step_fca``)."""
    if len(origins_xy) != len(demand) or len(targets_xy) != len(supply):
        raise ValueError("need one demand value per origin and one supply value per target")
    return two_step_fca(demand, supply, method.within(origins_xy, targets_xy, catchment_m))


def _non_negative(values: np.ndarray, name: str) -> np.ndarray:
    values = np.asarray(values, dtype=float).reshape(-1)
    if not np.all(np.isfinite(values) & (values >= 0)):
        raise ValueError(f"{name} must be finite and non-negative")
    return values
