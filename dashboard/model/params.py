"""The view parameters of the gap analysis that the engine, the share links and the pages share.

Why here: a default written twice drifts apart. The engine's parameter objects, the URL format
(``share_state``) and the widgets all read these names, so one edit changes all of them.
"""

from __future__ import annotations

#: The three components of the gap index, in the order of their weights.
COMPONENTS = ("uncovered_share", "supply_deficit", "sector_gap")
#: Their default weights (sum 1).
DEFAULT_WEIGHTS = (0.5, 0.3, 0.2)
#: Need indicators every city has (from the population and housing layers); areas may add numeric columns.
BUILTIN_NEEDS = ("share_65_plus", "share_80_plus", "share_subsidised")
