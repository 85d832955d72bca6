"""Reading and writing a workspace as one GeoPackage file.

The GeoPackage is the embedded store (one file QGIS opens). Layers are
stored under their schema names; provenance lives in the non-spatial tables
``layer_meta``, ``entry_sources`` and ``workspace_meta``. Writes go to a temporary file in the
same folder that replaces the old one in a single rename, so a crash during a
save leaves the previous file intact.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import asdict
from pathlib import Path

import pandas as pd
import pyogrio

from dashboard.model import schema
from dashboard.model.workspace import LayerMeta, Workspace

DEMO_PATH = Path(__file__).resolve().parents[2] / "geodata" / "musterstadt.gpkg"


#: Columns a data store adds to each table (see ``datastore.py``): row version and retirement date.
SYSTEM_COLUMNS = ("row_version", "retired_on")


def read_layer_table(path: str | Path, name: str, active_only: bool = True, public_only: bool = False) -> pd.DataFrame:
    """One stored schema layer with ids and codes as text.

    ``active_only``: without retired entries and without the store's system
    columns (what maps and analysis take); else everything, for edit screens.
    ``public_only``: the private fields are not read from the file at all (a viewer's read).
    """
    layer = schema.LAYERS[name]
    text_fields = [f.name for f in layer.fields if f.kind in ("id", "ref", "text", "code", "codes", "date")]
    columns = None
    if public_only:
        private = set(layer.field_names) - set(layer.public_field_names)
        columns = [c for c in pyogrio.read_info(path, layer=name)["fields"] if c not in private]
    frame = pyogrio.read_dataframe(path, layer=name, read_geometry=bool(layer.geometry_types), columns=columns)
    for col in [*text_fields, "retired_on"]:
        if col in frame.columns:
            frame[col] = frame[col].astype("string").astype(object).where(frame[col].notna(), None)
    if active_only:
        if "retired_on" in frame.columns:
            frame = frame[frame["retired_on"].isna()].reset_index(drop=True)
        return frame.drop(columns=[c for c in SYSTEM_COLUMNS if c in frame.columns])
    if "row_version" not in frame.columns:
        frame["row_version"] = 1
    if "retired_on" not in frame.columns:
        frame["retired_on"] = None
    frame["row_version"] = frame["row_version"].fillna(1).astype("int64")
    return frame


def read_geopackage(path: str | Path, active_only: bool = True, public_only: bool = False) -> Workspace:
    """Read every schema layer present in the file; ids and codes stay text; ``public_only``: no private field."""
    path = Path(path)
    present = {name for name, _ in pyogrio.list_layers(path)}
    layers = {name: read_layer_table(path, name, active_only, public_only) for name in schema.LAYERS if name in present}
    meta_rows = (
        pyogrio.read_dataframe(path, layer="layer_meta", read_geometry=False) if "layer_meta" in present else None
    )
    owner_rows = (
        pyogrio.read_dataframe(path, layer="entry_sources", read_geometry=False) if "entry_sources" in present else None
    )
    meta, updates, entry_sources = provenance(meta_rows, owner_rows)
    info: dict[str, str] = {}
    if "workspace_meta" in present:
        table = pyogrio.read_dataframe(path, layer="workspace_meta", read_geometry=False)
        info = dict(zip(table["key"], table["value"], strict=False))
    return Workspace(
        city=info.get("city", path.stem),
        layers=layers,
        meta=meta,
        is_demo=info.get("demo") == "1",
        updates=updates,
        entry_sources=entry_sources,
    )


def write_layers(
    path: str | Path,
    layers: Mapping[str, pd.DataFrame],
    layer_options: Mapping[str, dict] | None = None,
    finish: Callable[[str], None] | None = None,
) -> None:
    """Tables into a new GeoPackage at ``path`` atomically: a temp file beside it, synced, renamed over it.

    A reader never sees half a file, and a crash leaves the old file. ``finish`` gets the temp
    file's path before the rename, to add what GDAL does not write inside the same atomic step.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(suffix=".gpkg", prefix=".tmp-", dir=path.parent)
    os.close(fd)
    os.unlink(tmp_name)  # GDAL must create the file itself
    try:
        for name, frame in layers.items():
            options = (layer_options or {}).get(name)
            pyogrio.write_dataframe(frame, tmp_name, layer=name, driver="GPKG", layer_options=options)
        if finish is not None:
            finish(tmp_name)
        with open(tmp_name, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)


def write_geopackage(workspace: Workspace, path: str | Path, finish: Callable[[str], None] | None = None) -> None:
    """Write all layers and provenance to ``path`` atomically (``write_layers``; ``finish`` as there, e.g. a
    store's history tables)."""
    info = pd.DataFrame({"key": ["city", "demo"], "value": [workspace.city, "1" if workspace.is_demo else "0"]})
    write_layers(
        path,
        {**workspace.layers, **provenance_tables(workspace), "workspace_meta": info},
        {"population": {"SPATIAL_INDEX": "NO"}},  # grid points: keeps the file small
        finish,
    )


def provenance_tables(workspace: Workspace) -> dict[str, pd.DataFrame]:
    """``layer_meta`` (per layer its base import at position 0, then its updates in order) and
    ``entry_sources`` (the entries an update wrote): the provenance tables of both stores."""
    meta_rows = [
        {**asdict(m), "layer": name, "position": position}
        for name, base in sorted(workspace.meta.items())
        for position, m in enumerate([base, *workspace.updates.get(name, ())])
    ]
    owner_rows = [
        {"layer": name, "entry_id": entry_id, "source": source}
        for name, owners in sorted(workspace.entry_sources.items())
        for entry_id, source in owners.items()
    ]
    return {
        "layer_meta": pd.DataFrame(meta_rows, columns=list(META_COLUMNS)),
        "entry_sources": pd.DataFrame(owner_rows, columns=list(OWNER_COLUMNS)),
    }


def provenance(meta_rows: pd.DataFrame | None, owner_rows: pd.DataFrame | None):
    """``Workspace.meta``, ``.updates`` and ``.entry_sources`` from the two tables (either may be missing).

    A table from before updates were kept has no position: each of its rows is a layer's base."""
    meta: dict[str, LayerMeta] = {}
    updates: dict[str, tuple[LayerMeta, ...]] = {}
    if meta_rows is not None:
        if "position" not in meta_rows.columns:
            meta_rows = meta_rows.assign(position=0)
        texts = ["source", "licence", "attribution", "stand"]
        meta_rows = meta_rows.assign(**{c: meta_rows[c].astype(object).where(meta_rows[c].notna(), "") for c in texts})
        for row in meta_rows.sort_values(["layer", "position"], kind="stable").itertuples():
            record = LayerMeta(*(str(getattr(row, c)) for c in texts))
            if row.position == 0:
                meta[row.layer] = record
            else:
                updates[row.layer] = (*updates.get(row.layer, ()), record)
    entry_sources: dict[str, dict[str, str]] = {}
    if owner_rows is not None:
        for layer_name, rows in owner_rows.groupby("layer"):
            entry_sources[str(layer_name)] = dict(zip(rows["entry_id"], rows["source"], strict=True))
    return meta, updates, entry_sources


#: The columns of the provenance tables, in order.
META_COLUMNS = ("layer", "source", "licence", "attribution", "stand", "position")
OWNER_COLUMNS = ("layer", "entry_id", "source")
