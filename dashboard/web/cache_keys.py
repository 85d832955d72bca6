"""How the pages' caches hash the view's parameter objects: by their repr.

Streamlit hashes a dataclass through ``dataclasses.asdict``, field by field (0.6 ms for the key of a gap map),
and an open of the Lückenanalyse hashes about a dozen such keys over its two runs. These objects are frozen
dataclasses of plain values whose repr names every field, so the repr stands for the object (0.1 ms).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dashboard.analysis.gaps import GapParams
from dashboard.model.scenario import Scenario
from dashboard.model.view import MapView
from dashboard.store.settings import Settings

#: ``hash_funcs`` of every ``st.cache_*`` whose key holds one of these
HASH_FUNCS: dict[str | type[Any], Callable[[Any], Any]] = {
    GapParams: repr,
    Scenario: repr,
    MapView: repr,
    Settings: repr,
}
