"""Reading and writing a workspace as one GeoPackage file.

The GeoPackage is the embedded store (one file QGIS opens). Layers are
stored under their schema names; provenance lives in the non-spatial tables
``layer_meta`` and ``workspace_meta``. Writes go to a temporary file in the
same folder that replaces the old one in a single rename, so a crash during a
save leaves the previous file intact.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd
import pyogrio

from dashboard import schema
from dashboard.workspace import LayerMeta, Workspace

DEMO_PATH = Path(__file__).resolve().parent.parent / "geodata" / "musterstadt.gpkg"


def read_geopackage(path: str | Path) -> Workspace:
    """Read every schema layer present in the file; ids and codes stay text."""
    path = Path(path)
    present = {name for name, _ in pyogrio.list_layers(path)}
    layers: dict[str, pd.DataFrame] = {}
    for name, layer in schema.LAYERS.items():
        if name not in present:
            continue
        text_fields = [f.name for f in layer.fields if f.kind in ("id", "ref", "text", "code", "codes", "date")]
        frame = pyogrio.read_dataframe(path, layer=name, read_geometry=bool(layer.geometry_types))
        for col in text_fields:
            if col in frame.columns:
                frame[col] = frame[col].astype("string").astype(object).where(frame[col].notna(), None)
        layers[name] = frame
    meta: dict[str, LayerMeta] = {}
    if "layer_meta" in present:
        for row in pyogrio.read_dataframe(path, layer="layer_meta", read_geometry=False).itertuples():
            meta[row.layer] = LayerMeta(row.source or "", row.licence or "", row.attribution or "", row.stand or "")
    info: dict[str, str] = {}
    if "workspace_meta" in present:
        table = pyogrio.read_dataframe(path, layer="workspace_meta", read_geometry=False)
        info = dict(zip(table["key"], table["value"]))
    return Workspace(
        city=info.get("city", path.stem),
        layers=layers,
        meta=meta,
        is_demo=info.get("demo") == "1",
    )


def write_geopackage(workspace: Workspace, path: str | Path) -> None:
    """Write all layers and provenance to ``path`` atomically (temp file + rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(suffix=".gpkg", prefix=".tmp-", dir=path.parent)
    os.close(fd)
    os.unlink(tmp_name)  # GDAL must create the file itself
    try:
        for name, frame in workspace.layers.items():
            options = {"SPATIAL_INDEX": "NO"} if name == "population" else None  # grid points: keeps the file small
            pyogrio.write_dataframe(frame, tmp_name, layer=name, driver="GPKG", layer_options=options)
        meta_rows = pd.DataFrame(
            [
                {"layer": name, "source": m.source, "licence": m.licence, "attribution": m.attribution, "stand": m.stand}
                for name, m in sorted(workspace.meta.items())
            ],
            columns=["layer", "source", "licence", "attribution", "stand"],
        )
        pyogrio.write_dataframe(meta_rows, tmp_name, layer="layer_meta", driver="GPKG")
        info = pd.DataFrame({"key": ["city", "demo"], "value": [workspace.city, "1" if workspace.is_demo else "0"]})
        pyogrio.write_dataframe(info, tmp_name, layer="workspace_meta", driver="GPKG")
        with open(tmp_name, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)


def replace_layer(source: str | Path, layer_name: str, frame, meta: LayerMeta, target: str | Path | None = None) -> None:
    """Write the workspace in ``source`` with one layer and its provenance replaced, to ``target``
    (default: in place; atomic either way)."""
    workspace = read_geopackage(source)
    workspace.layers[layer_name] = frame
    workspace.meta[layer_name] = meta
    write_geopackage(workspace, target or source)
