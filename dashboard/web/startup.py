"""What the server does once at its start, beside waiting for its first visitor.

A councillor's link is often the first open after a start. Reading the city, working out where the grid's
cells lie in a map picture, the default analysis and the charts' specifications (every Quartiersprofil shows
them) are the same for every view, so the first visitor should not pay for them (0.1 s of server CPU for the
grid alone on the demo city, a second or more for reading a large city); nor for compressing the browser files
of the page they open first.

Nothing here may import streamlit-folium: it declares its component when it is imported, and a component
declared outside a script run is never registered (tested).
"""

from __future__ import annotations

import logging

from dashboard import i18n
from dashboard.analysis.profile import prepare_charts
from dashboard.maps.gap_map import prepare_grid
from dashboard.model.roles import Role
from dashboard.store.base import StoreError
from dashboard.web import frontend_files, luecken_widgets, session

log = logging.getLogger(__name__)


def warm() -> None:
    """Prepare the city as a viewer sees it (the role of a shared link), then the browser files; a store that
    cannot be read is left for the first page to explain."""
    try:
        loaded = session.load_as(Role.VIEWER)
        prepare_grid(loaded.city)
        luecken_widgets.prepare_default_view(loaded)
        prepare_charts(i18n.DEFAULT_LANGUAGE)
    except StoreError:
        pass
    except Exception as err:  # noqa: BLE001 – the server runs on; the first page shows what is wrong
        log.warning("Vorbereitung beim Start nicht möglich: %s", type(err).__name__)
    frontend_files.prepare()
