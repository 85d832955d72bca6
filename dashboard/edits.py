"""Actions that change a city's data: each one refuses anyone who is not an editor.

The check sits here, in the action itself, rather than in the page that offers it, so a
viewer is refused even if a button were shown by mistake or the function called directly.
The import/maintenance pages add their actions here, each wrapped in ``editor_action``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from dashboard import store
from dashboard.roles import User, editor_action
from dashboard.workspace import LayerMeta


@editor_action
def replace_layer(user: User, workspace: str | Path, layer: str, frame: pd.DataFrame, meta: LayerMeta) -> None:
    """Replace one layer of the stored workspace (in place, atomically) – editors only."""
    store.replace_layer(workspace, layer, frame, meta)
