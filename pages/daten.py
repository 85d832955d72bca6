"""Daten laden: a planner's own file → preview, column mapping, check → import the valid rows or nothing.

Editors only (the store refuses everyone else, too). Nothing is written
before the button that names how many rows will be imported.
"""

from datetime import date

import streamlit as st

from dashboard.i18n import code_label, t, tn
from dashboard.ingest import columnmap, importflow, readers
from dashboard.ingest.columnmap import ColumnMapping
from dashboard.ingest.readers import LayerFileError
from dashboard.ingest.validation import ERROR, problems_frame
from dashboard.model import schema
from dashboard.model.workspace import LayerMeta
from dashboard.reports.layer_export import layer_bytes
from dashboard.store.base import StoreError
from dashboard.web import session, signin, uploads
from dashboard.web.edits import field_label

lang, loaded = session.open_page("load.title")
user = signin.current_user()
if not user.is_editor:
    st.info(t("load.editors_only", lang))
    st.page_link("pages/anmelden.py", label=t("nav.signin", lang), icon=":material/login:")
    st.stop()

settings = session.settings()
data_store = settings.store()
st.caption(t("load.store_demo" if settings.uses_demo else "load.store", lang, path=settings.store_label))
st.write(t("load.intro", lang))
if done := st.session_state.pop("load_done", None):
    st.success(done)
if not settings.uses_demo:
    with st.expander(t("load.export", lang)):
        st.download_button(
            t("load.export.gpkg", lang),
            uploads.store_export(data_store, lang),
            file_name="quartiersatlas.gpkg",
            mime="application/geopackage+sqlite3",
            key="load_export_gpkg",
        )
        layer = st.selectbox(
            t("load.export.layer", lang),
            list(loaded.workspace.layers),
            format_func=lambda n: t(f"val.layer.{n}", lang),
            key="load_export_layer",
        )
        for fmt in ("geojson", "csv") if schema.LAYERS[layer].geometry_types else ("csv",):
            st.download_button(
                t(f"load.export.{fmt}", lang),
                layer_bytes(loaded.workspace.layer(layer), layer, fmt),
                file_name=f"{layer}.{fmt}",
                key=f"load_export_{fmt}",
            )
        st.caption(t("load.log", lang))
        st.dataframe(data_store.import_log(), hide_index=True, width="stretch")

NOTHING, FIXED = "", "\u0000fixed"
target = st.selectbox(
    t("load.target", lang),
    [*importflow.TARGETS, "population_totals"],
    format_func=lambda k: t(f"load.target.{k}", lang),
    key="load_target",
)
files = st.file_uploader(
    t("load.file", lang, limit=settings.upload_limit_mb),
    accept_multiple_files=True,
    key=f"load_files_{st.session_state.get('load_files_round', 0)}",
)
if not files:
    st.stop()

with st.expander(t("load.read_options", lang)):
    encoding = st.selectbox(
        t("load.encoding", lang),
        ["", "utf-8", "cp1252"],
        format_func=lambda e: e or t("load.detect", lang),
        key="load_encoding",
    )
    separator = st.selectbox(
        t("load.separator", lang),
        ["", ";", ",", "\t"],
        format_func=lambda s: {"": t("load.detect", lang), "\t": "Tab"}.get(s, s),
        key="load_separator",
    )
    file_layer = st.text_input(t("load.file_layer", lang), key="load_file_layer").strip() or None
try:
    path, name = uploads.saved_upload(files)
    raw = importflow.read(
        path,
        upload_limit_mb=settings.upload_limit_mb,
        name=name,
        layer=file_layer,
        encoding=encoding or None,
        separator=separator or None,
        header_row=uploads.chosen_header_row(),
    )
except LayerFileError as err:
    st.error(err.text(lang))
    uploads.offer_header_row(None, lang)
    st.stop()
title = importflow.title_notice(raw)
for note in raw.notes:
    if note is not title:
        st.caption(note.text(lang))
uploads.offer_header_row(raw, lang)
if len(raw.layers) > 1:
    st.caption(t("load.layers", lang, layers=", ".join(raw.layers), layer=raw.layer))

problems = []
if guess := importflow.coordinates_to_confirm(raw):
    st.subheader(t("load.coordinates", lang))
    st.write(t(f"load.coordinates.{guess.kind}", lang, columns=", ".join(guess.columns)))
    crs = st.selectbox(
        t("load.crs", lang),
        [*guess.crs_candidates, "EPSG:4326", "EPSG:25832", "EPSG:25833", "EPSG:31467", "EPSG:3035"],
        key="load_crs",
    )
    if not st.checkbox(t("load.crs_confirm", lang, crs=crs), key="load_crs_ok"):
        st.stop()
    raw, problems = readers.with_geometry(raw, guess, crs)

st.subheader(t("load.preview", lang, rows=len(raw.frame)))
st.dataframe(importflow.preview(raw, t("load.geometry", lang)), hide_index=True, width="stretch")

st.subheader(t("load.mapping", lang))
columns = importflow.source_columns(raw)
if target == "population_totals":
    suggested = columnmap.suggest(columns, "population")
    area_guess = columnmap.suggest(columns, "areas")

    def pick(label: str, default: str | None, key: str) -> str:
        return st.selectbox(label, columns, index=columns.index(default) if default in columns else 0, key=key)

    area_column = pick(
        t("load.totals.area", lang), area_guess.get("area_id") or area_guess.get("name"), "load_totals_area"
    )
    residents_column = pick(t("load.totals.residents", lang), suggested.get("residents"), "load_totals_residents")
    bands = {}
    for band in schema.AGE_BANDS:
        chosen = st.multiselect(
            t(f"band.{band}", lang),
            columns,
            default=[suggested[band]] if suggested.get(band) else [],
            placeholder=t("load.mapping.none", lang),
            key=f"load_band_{band}",
        )
        if chosen:
            bands[band] = chosen
    mapping = importflow.totals_mapping(residents_column)
else:
    proposed, remembered = importflow.first_mapping(data_store, raw, target)
    st.caption(t("load.mapping.remembered" if remembered else "load.mapping.suggested", lang))
    chosen_columns, constants = {}, dict(importflow.TARGETS[target][1])
    mapping_layer = importflow.TARGETS[target][0]
    for spec in importflow.layer_fields(target):
        options = [NOTHING, *columns, FIXED]
        default = proposed.columns.get(spec.name) or (FIXED if spec.name in proposed.constants else NOTHING)
        label = field_label(mapping_layer, spec.name, lang) + (" *" if spec.required else "")
        choice = st.selectbox(
            label,
            options,
            index=options.index(default) if default in options else 0,
            key=f"load_map_{target}_{spec.name}",
            format_func=lambda c: {NOTHING: t("load.mapping.none", lang), FIXED: t("load.mapping.fixed", lang)}.get(
                c, c
            ),
        )
        if choice == FIXED:
            if spec.codes:
                constants[spec.name] = st.selectbox(
                    " ",
                    spec.codes,
                    format_func=lambda c: code_label(c, lang),
                    key=f"load_fix_{target}_{spec.name}",
                    label_visibility="collapsed",
                )
            else:
                constants[spec.name] = st.text_input(
                    " ",
                    proposed.constants.get(spec.name, ""),
                    key=f"load_fix_{target}_{spec.name}",
                    label_visibility="collapsed",
                )
        elif choice != NOTHING:
            chosen_columns[spec.name] = choice
    prefix = 0
    if target == "quartiere" and "parent_id" not in chosen_columns:
        prefix = st.number_input(
            t("load.parent_prefix", lang), min_value=0, max_value=10, value=0, key="load_parent_prefix"
        )
    mapping = ColumnMapping(mapping_layer, chosen_columns, constants, int(prefix) or None)

st.subheader(t("load.meta", lang))
first_import = data_store.is_empty()
city = st.text_input(t("load.city", lang), key="load_city") if first_import else ""
source = st.text_input(t("load.source", lang), value=name, key="load_source")
licence = st.text_input(t("load.licence", lang), key="load_licence")
attribution = st.text_input(t("load.attribution", lang), key="load_attribution")
stand = st.date_input(t("load.stand", lang), value=date.today(), format="DD.MM.YYYY", key="load_stand")
existing = importflow.existing_entries(None if settings.uses_demo else loaded.workspace, target)
mode = st.radio(
    t("load.mode", lang),
    ["update", "replace"],
    format_func=lambda m: t(f"load.mode.{m}", lang),
    key="load_mode",
    horizontal=True,
)
if mode == "replace" and existing:
    st.warning(tn("load.replace_warning", existing, lang, count=existing))

if target == "population_totals":
    plan = uploads.import_plan_totals(data_store, raw, area_column, residents_column, bands)
else:
    plan = uploads.import_plan(data_store, raw, mapping)
all_problems = [*problems, *plan.problems]
st.subheader(t("load.report", lang))
counts = plan.counts
cols = st.columns(4)
for col, key, value in zip(
    cols,
    ("read", "valid", "rejected", "warnings"),
    (counts.read, counts.valid, counts.rejected, counts.warnings),
    strict=False,
):
    col.metric(t(f"load.count.{key}", lang), value)
for note in plan.notes:
    st.caption(note)
if all_problems:
    st.dataframe(problems_frame(all_problems, lang), hide_index=True, width="stretch")
if not importflow.importable(plan):
    st.error(t("load.blocked", lang))
    st.stop()
if any(p.severity == ERROR and p.row is not None for p in all_problems):
    st.warning(tn("load.some_rejected", counts.rejected, lang, rejected=counts.rejected, valid=counts.valid))

go, cancel = st.columns(2)
if cancel.button(t("load.cancel", lang), key="load_cancel", width="stretch"):
    uploads.forget_upload()
    st.rerun()
if go.button(tn("load.import", counts.valid, lang, rows=counts.valid), type="primary", key="load_go", width="stretch"):
    meta = LayerMeta(source, licence, attribution, stand.isoformat())
    try:
        importflow.store_plan(data_store, user, raw, mapping, plan, meta=meta, mode=mode, city=city)
    except StoreError as err:
        st.error(err.text(lang))
        st.stop()
    uploads.forget_upload()
    st.session_state["load_done"] = tn(
        "load.done", counts.valid, lang, rows=counts.valid, layer=t(f"load.target.{target}", lang)
    )
    st.rerun()
