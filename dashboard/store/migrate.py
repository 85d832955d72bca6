"""Moving a city's store between backends (GeoPackage ⇄ PostGIS) with nothing lost.

The GeoPackage store's file layout is the exchange format: every store can
export it (``export_geopackage``), and a PostGIS store loads it
(``PostGISStore.load_geopackage``). So ids, row versions, retired entries,
history (with who, when, before/after and undo links), import log, column
mappings, provenance and the city name survive both directions; a GeoPackage
target simply is the export. Geometries end up in the target's CRS (PostGIS
keeps EPSG:3035).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from dashboard.store.base import DataStore
from dashboard.store.gpkg import GeoPackageStore
from dashboard.store.postgis import PostGISStore


def migrate(source: DataStore, target: DataStore) -> None:
    """Copy everything of ``source`` into ``target``, which must not hold data yet (nothing is overwritten).

    A failed migration leaves the target as it was: the export is written to a temp file and
    renamed, the load into PostGIS is one transaction.
    """
    if isinstance(target, GeoPackageStore):
        if target.path.exists():
            raise ValueError(f"{target.path} exists already")
        target.path.parent.mkdir(parents=True, exist_ok=True)
        source.export_geopackage(target.path)
        return
    if not isinstance(target, PostGISStore):
        raise TypeError(f"no migration into {type(target).__name__}")
    with tempfile.TemporaryDirectory(prefix="quartiersatlas-migrate-") as folder:
        exchange = Path(folder) / "migration.gpkg"
        source.export_geopackage(exchange)
        target.load_geopackage(exchange)
