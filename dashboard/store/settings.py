"""Deployment settings from the environment: where the data lives, which basemap, upload limit.

Defaults need no server anywhere: a GeoPackage store in ``daten/`` beside the
app (the demo city shows while it holds no areas) and no basemap (tiles or WMS). A city
running several instances sets ``QUARTIER_DATABASE_URL`` to its PostGIS.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from dashboard.model.auth import IPNetwork, trusted_proxies
from dashboard.model.roles import Role
from dashboard.store.base import DataStore, open_store
from dashboard.store.gpkgfile import DEMO_PATH
from dashboard.store.postgis import is_database_url, redact

PROJECT = DEMO_PATH.parent.parent
STORE_FILE = "quartiersatlas.gpkg"
DEFAULT_UPLOAD_LIMIT_MB = 50
DEFAULT_TRUSTED_PROXIES = "127.0.0.1, ::1"
DATABASE_VARIABLE = "QUARTIER_DATABASE_URL"  # the editors' role: writes data tables, history insert-only
VIEWER_DATABASE_VARIABLE = "QUARTIER_DATABASE_VIEWER_URL"  # read-only role without the contact columns


WMS_VERSIONS = ("1.1.1", "1.3.0")


@dataclass(frozen=True)
class Wms:
    """A city's own WMS as the basemap (its intranet's, e.g.); Leaflet asks it for EPSG:3857 tiles."""

    url: str
    layers: str  # as the WMS names them, comma-separated
    attribution: str = ""
    fmt: str = "image/png"
    version: str = "1.3.0"


def read_wms(env: Mapping[str, str]) -> tuple[Wms | None, tuple[str, ...]]:
    """The WMS of ``QUARTIERSATLAS_WMS_*`` (None: none configured) and catalog keys of what is wrong with it.

    A wrong setting leaves the basemap out rather than send the browser somewhere unintended; an address
    with a password in it is refused too, because browsers block such tile requests and it would be shown.
    """
    url = env.get("QUARTIERSATLAS_WMS_URL", "").strip()
    if not url:
        return None, ()
    wms = Wms(
        url=url,
        layers=env.get("QUARTIERSATLAS_WMS_LAYERS", "").strip(),
        attribution=env.get("QUARTIERSATLAS_WMS_ATTRIBUTION", "").strip(),
        fmt=env.get("QUARTIERSATLAS_WMS_FORMAT", "").strip() or Wms.fmt,
        version=env.get("QUARTIERSATLAS_WMS_VERSION", "").strip() or Wms.version,
    )
    try:
        address = urlsplit(url)
        server = bool(address.hostname) and (address.port is None or address.port > 0)
        valid_url = address.scheme in ("http", "https") and server and not address.password
    except ValueError:  # a port that is no number
        valid_url = False
    problems = [
        key
        for key, wrong in (
            ("settings.wms.bad_url", not valid_url),
            ("settings.wms.no_layers", not wms.layers),
            ("settings.wms.bad_format", not wms.fmt.startswith("image/")),
            ("settings.wms.bad_version", wms.version not in WMS_VERSIONS),
        )
        if wrong
    ]
    return (None if problems else wms), tuple(problems)


@dataclass(frozen=True)
class Settings:
    store_location: str | Path | None  # a GeoPackage file (may not exist yet) or a postgresql:// URL
    tile_url: str | None = None
    tile_attribution: str = ""
    wms: Wms | None = None
    #: Catalog keys of settings that are wrong and therefore left out (shown on the page Quellen, logged).
    problems: tuple[str, ...] = ()
    upload_limit_mb: int = DEFAULT_UPLOAD_LIMIT_MB
    viewer_location: str | None = None  # a database URL with a read-only role, for viewers' sessions
    #: Where people report barriers (an e-mail address or a web address), shown on the page Barrierefreiheit.
    accessibility_contact: str = ""
    #: Proxies whose forwarding header names the browser's address (default: a proxy on this machine).
    trusted_proxies: tuple[IPNetwork, ...] = trusted_proxies(DEFAULT_TRUSTED_PROXIES)

    @property
    def is_database(self) -> bool:
        return is_database_url(str(self.store_location))

    @property
    def store_path(self) -> Path:
        """The GeoPackage file of the store (not for a database)."""
        assert self.store_location is not None  # None only in settings that never open a store
        return Path(self.store_location)

    @property
    def store_label(self) -> str:
        """What to show a person: the file name, or the database URL without its password."""
        return redact(str(self.store_location)) if self.is_database else self.store_path.name

    def store(self, role: Role = Role.EDITOR) -> DataStore:
        """The store as ``role`` reaches it: viewers through the read-only database role when one is set."""
        if self.is_database:
            return open_store(
                self.viewer_location if role is Role.VIEWER and self.viewer_location else str(self.store_location)
            )
        return open_store(self.store_path)

    @property
    def uses_demo(self) -> bool:
        """True while the store holds no areas (or is the demo file itself, which is never edited)."""
        if not self.is_database and self.store_path.resolve() == DEMO_PATH.resolve():
            return True
        return self.store().is_empty()


def load_settings(env: Mapping[str, str] | None = None, secrets: dict | None = None) -> Settings:
    """Read ``QUARTIER_DATABASE_URL`` and ``QUARTIER_DATABASE_VIEWER_URL`` (environment, else ``secrets``),
    ``QUARTIERSATLAS_DATA_DIR`` /
    ``QUARTIERSATLAS_WORKSPACE`` (a GeoPackage), ``QUARTIERSATLAS_TILES_URL``,
    ``QUARTIERSATLAS_TILES_ATTRIBUTION``, ``QUARTIERSATLAS_WMS_*`` (``read_wms``), ``QUARTIERSATLAS_UPLOAD_LIMIT_MB``,
    ``QUARTIERSATLAS_ACCESSIBILITY_CONTACT`` and ``QUARTIERSATLAS_TRUSTED_PROXIES``."""
    env = os.environ if env is None else env

    def setting(name: str) -> str:
        return env.get(name, "").strip() or str((secrets or {}).get(name, "")).strip()

    database = setting(DATABASE_VARIABLE)
    workspace = env.get("QUARTIERSATLAS_WORKSPACE", "").strip()
    data_dir = Path(env.get("QUARTIERSATLAS_DATA_DIR", "").strip() or PROJECT / "daten")
    limit = env.get("QUARTIERSATLAS_UPLOAD_LIMIT_MB", "").strip()
    wms, problems = read_wms(env)
    return Settings(
        store_location=database or (Path(workspace) if workspace else data_dir / STORE_FILE),
        tile_url=env.get("QUARTIERSATLAS_TILES_URL", "").strip() or None,
        tile_attribution=env.get("QUARTIERSATLAS_TILES_ATTRIBUTION", "").strip(),
        wms=wms,
        problems=problems,
        accessibility_contact=env.get("QUARTIERSATLAS_ACCESSIBILITY_CONTACT", "").strip(),
        upload_limit_mb=int(limit) if limit.isdigit() and int(limit) > 0 else DEFAULT_UPLOAD_LIMIT_MB,
        viewer_location=setting(VIEWER_DATABASE_VARIABLE) or None if database else None,
        trusted_proxies=trusted_proxies(env.get("QUARTIERSATLAS_TRUSTED_PROXIES", DEFAULT_TRUSTED_PROXIES)),
    )
