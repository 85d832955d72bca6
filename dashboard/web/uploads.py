"""Daten laden: an upload kept for the session, and its import plan computed once per choice."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import streamlit as st

from dashboard.i18n import t
from dashboard.ingest import importer, importflow
from dashboard.ingest.importer import ImportPlan
from dashboard.ingest.readers import RawTable
from dashboard.reports import gis_export

#: The number field with the row that holds the column names (one per upload).
HEADER_ROW = "load_header_row"
#: Widgets of the page's column mapping: another header row brings other columns, so they start afresh.
_MAPPING_WIDGETS = ("load_map_", "load_fix_", "load_totals_", "load_band_")


def saved_upload(files) -> tuple[Path, str]:
    """The uploaded file(s) on disk (a Shapefile's parts side by side): the path to read and its name."""
    s = st.session_state
    key = tuple(sorted((f.name, f.size, f.file_id) for f in files))
    if s.get("_upload_key") != key:
        folder = Path(tempfile.mkdtemp(prefix="quartiersatlas-upload-"))
        for f in files:
            (folder / Path(f.name).name).write_bytes(f.getvalue())
        s["_upload_key"], s["_upload_folder"] = key, folder
        s.pop(HEADER_ROW, None)  # a new file: look for its title afresh
    names = [Path(f.name).name for f in files]
    main = next((n for n in names if n.lower().endswith(".shp")), names[0])
    return s["_upload_folder"] / main, main


def forget_upload() -> None:
    """Drop the upload and its plan; a new uploader key empties the widget."""
    s = st.session_state
    folder = s.pop("_upload_folder", None)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)
    for key in ("_upload_key", "_import_plan", HEADER_ROW, "_header_row_read"):
        s.pop(key, None)
    s["load_files_round"] = s.get("load_files_round", 0) + 1


def chosen_header_row() -> int | None:
    """The header row a person chose for this upload; None: the reader looks for a title above the header."""
    value = st.session_state.get(HEADER_ROW)
    return None if value is None else int(value)


def offer_header_row(raw: RawTable | None, lang: str) -> None:
    """Once a title was seen above the header (or a row was chosen): the notice and the header row to change.

    Also drawn when the chosen row cannot be read (``raw`` None), so the person can choose again.
    """
    s = st.session_state
    if HEADER_ROW not in s and (raw is None or not raw.title_rows):
        return
    if raw is not None:
        if (notice := importflow.title_notice(raw)) is not None:
            st.info(notice.text(lang))
        if s.get("_header_row_read", raw.header_row) != raw.header_row:
            for key in [k for k in s if str(k).startswith(_MAPPING_WIDGETS)]:
                del s[key]
        s["_header_row_read"] = raw.header_row
        s.setdefault(HEADER_ROW, raw.header_row)
    st.number_input(
        t("load.header_row", lang), min_value=1, step=1, key=HEADER_ROW, help=t("load.header_row.help", lang)
    )


def _cached_plan(key, compute):
    s = st.session_state
    cached = s.get("_import_plan")
    if cached is None or cached[0] != key:
        cached = (key, compute())
        s["_import_plan"] = cached
    return cached[1]


def import_plan(data_store, raw, mapping) -> ImportPlan:
    """The check of ``raw`` under ``mapping`` against the stored city (recomputed when either changes)."""
    key = (
        st.session_state.get("_upload_key"),
        raw.layer,
        raw.header_row,
        raw.encoding,
        raw.separator,
        mapping.to_json(),
        data_store.version(),
    )
    return _cached_plan(key, lambda: importflow.plan(data_store, raw, mapping))


def import_plan_totals(data_store, raw, area_column, residents_column, bands) -> ImportPlan:
    """Residents per area spread onto 100 m cells of the stored city's areas."""
    key = (
        st.session_state.get("_upload_key"),
        raw.layer,
        raw.header_row,
        area_column,
        residents_column,
        tuple(sorted((k, tuple(v)) for k, v in bands.items())),
        data_store.version(),
    )
    workspace = importflow.current_workspace(data_store)
    return _cached_plan(
        key, lambda: importer.plan_population_totals(raw, area_column, residents_column, bands, workspace)
    )


@st.cache_data(show_spinner=False, max_entries=2)
def _store_export(version: str, lang: str, _data_store) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "export.gpkg"
        gis_export.write_store(_data_store, out, lang)
        return out.read_bytes()


def store_export(data_store, lang: str) -> bytes:
    """The whole store as GeoPackage bytes with QGIS styles (editors' download), made once per data version."""
    return _store_export(data_store.version(), lang, data_store)
