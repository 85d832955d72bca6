"""Deployment settings from the environment: which data, which basemap.

Defaults need no server anywhere: the demo city and no basemap tiles.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from dashboard.store import DEMO_PATH


@dataclass(frozen=True)
class Settings:
    workspace: Path
    tile_url: str | None
    tile_attribution: str


def load_settings(env: dict[str, str] | None = None) -> Settings:
    """Read ``QUARTIERSATLAS_WORKSPACE``, ``QUARTIERSATLAS_TILES_URL`` and ``QUARTIERSATLAS_TILES_ATTRIBUTION``."""
    env = os.environ if env is None else env
    workspace = env.get("QUARTIERSATLAS_WORKSPACE", "").strip()
    tile_url = env.get("QUARTIERSATLAS_TILES_URL", "").strip() or None
    return Settings(
        workspace=Path(workspace) if workspace else DEMO_PATH,
        tile_url=tile_url,
        tile_attribution=env.get("QUARTIERSATLAS_TILES_ATTRIBUTION", "").strip(),
    )
