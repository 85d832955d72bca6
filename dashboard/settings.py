"""Deployment settings from the environment: where the data lives, which basemap, upload limit.

Defaults need no server anywhere: a GeoPackage store in ``daten/`` beside the
app (the demo city shows while it holds no areas) and no basemap tiles.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from dashboard.datastore import DataStore, open_store
from dashboard.store import DEMO_PATH

PROJECT = DEMO_PATH.parent.parent
STORE_FILE = "quartiersatlas.gpkg"
DEFAULT_UPLOAD_LIMIT_MB = 50


@dataclass(frozen=True)
class Settings:
    store_path: Path  # the city's own data (GeoPackage); may not exist yet
    tile_url: str | None
    tile_attribution: str
    upload_limit_mb: int = DEFAULT_UPLOAD_LIMIT_MB

    def store(self) -> DataStore:
        return open_store(self.store_path)

    @property
    def uses_demo(self) -> bool:
        """True while the store holds no areas (or is the demo file itself, which is never edited)."""
        return self.store_path.resolve() == DEMO_PATH.resolve() or self.store().is_empty()

    @property
    def workspace(self) -> Path:
        """The file the app shows: the store, or the demo city while the store is empty."""
        return DEMO_PATH if self.uses_demo else self.store_path


def load_settings(env: dict[str, str] | None = None) -> Settings:
    """Read ``QUARTIERSATLAS_DATA_DIR`` (or ``QUARTIERSATLAS_WORKSPACE``, a GeoPackage path),
    ``QUARTIERSATLAS_TILES_URL``, ``QUARTIERSATLAS_TILES_ATTRIBUTION`` and ``QUARTIERSATLAS_UPLOAD_LIMIT_MB``."""
    env = os.environ if env is None else env
    workspace = env.get("QUARTIERSATLAS_WORKSPACE", "").strip()
    data_dir = Path(env.get("QUARTIERSATLAS_DATA_DIR", "").strip() or PROJECT / "daten")
    tile_url = env.get("QUARTIERSATLAS_TILES_URL", "").strip() or None
    limit = env.get("QUARTIERSATLAS_UPLOAD_LIMIT_MB", "").strip()
    return Settings(
        store_path=Path(workspace) if workspace else data_dir / STORE_FILE,
        tile_url=tile_url,
        tile_attribution=env.get("QUARTIERSATLAS_TILES_ATTRIBUTION", "").strip(),
        upload_limit_mb=int(limit) if limit.isdigit() and int(limit) > 0 else DEFAULT_UPLOAD_LIMIT_MB,
    )
