"""Einträge pflegen: editors add, change, move and retire single entries; every change is recorded and
can be undone, and a change made meanwhile by someone else is a conflict, never a silent overwrite.

Viewers get an explanation and the sign-in link; nothing is read or computed for them (the store
would refuse their writes anyway). The demo city is never edited: an editor may copy it into the
empty store to try things out.
"""

from datetime import date
from pathlib import Path

import streamlit as st
from streamlit_folium import st_folium

from dashboard.i18n import code_label, t, tn
from dashboard.ingest.validation import layer_label
from dashboard.model import schema
from dashboard.store.base import EDITABLE_LAYERS, ConflictError, StoreError, open_store
from dashboard.store.postgis import is_database_url
from dashboard.web import edits, entry, karte_widgets, places, session, signin

entry.through_entry()
lang, user, settings = session.lang(), signin.current_user(), session.settings()
s = st.session_state

if not user.is_editor:
    st.title(t("edit.heading", lang))
    signin.role_badge(lang)
    st.info(t("edit.viewer", lang))
    st.page_link("pages/anmelden.py", label=t("edit.viewer.sign_in", lang), icon=":material/login:")
    st.stop()

if settings.uses_demo:
    st.title(t("edit.heading", lang))
    signin.role_badge(lang)
    st.info(t("edit.demo.read_only", lang))
    if st.button(t("edit.demo.adopt", lang), key="pf_adopt", type="primary"):
        try:
            edits.adopt_demo(user, settings)
        except StoreError as refused:
            st.error(refused.text(lang))
        else:
            s["pf_flash"] = [("success", t("edit.demo.adopted", lang))]
            st.rerun()
    st.caption(t("edit.demo.load_hint", lang))
    st.stop()

lang, loaded = session.open_page("edit.heading")
data_store = settings.store()


@st.cache_resource(show_spinner=False, max_entries=8)
def _layer(store_version: str, location: str, layer: str, _city):
    """A layer with retired entries and row versions, and its map points: read once per store version."""
    entries = open_store(location if is_database_url(location) else Path(location)).entries(layer)
    return entries, edits.map_points(entries, layer, _city.bezirke)


def _close() -> None:
    for key in ("pf_open", "pf_spot", "pf_new", "pf_conflict", "pf_problems"):
        s.pop(key, None)


def _after_write(message: str, reopen: str | None) -> None:
    """Say what was saved on the next run and reopen the entry at its new version."""
    _close()
    s["pf_flash"] = [("success", message)]
    if reopen:
        s["pf_want"] = reopen
    st.rerun()


def _conflict(error: ConflictError) -> None:
    s["pf_conflict"] = error.text(lang)
    s.pop("pf_problems", None)


def _write_opened(action, *args, done: str) -> None:
    """Save a change of the open entry made on the version it was opened at; report the outcome."""
    try:
        action(user, layer, opened.entry_id, opened.version, *args)
    except ConflictError as error:
        _conflict(error)
        st.rerun()
    except StoreError as refused:
        st.error(refused.text(lang))
    else:
        _after_write(t(done, lang, entry=edits.as_markdown(opened.entry_id)), opened.entry_id)


def _problems(form_key: str, problems) -> None:
    """Keep the problems of a form for the next run, which shows them under the fields."""
    grouped: dict[str, list[str]] = {}
    for problem in problems:
        grouped.setdefault(problem.field or "", []).append(problem.text(lang))
    s["pf_problems"] = (form_key, grouped)
    st.rerun()


layer = st.radio(
    t("edit.layer", lang),
    EDITABLE_LAYERS,
    format_func=lambda name: layer_label(name, lang),
    horizontal=True,
    key="pf_layer",
    on_change=_close,
)
spec = schema.LAYERS[layer]
crs = data_store.crs(layer) if spec.geometry_types else None
entries, points = _layer(data_store.version(), str(settings.store_location), layer, loaded.city)
if want := s.pop("pf_want", None):
    s["pf_open"] = edits.open_entry(entries, layer, want)
opened: edits.Opened | None = s.get("pf_open")
spot = s.get("pf_spot")
actors = loaded.workspace.actors
actor_names = dict(zip(actors["actor_id"].astype(str), actors["name"].astype(str), strict=False))

for kind, text in s.pop("pf_flash", []):
    getattr(st, kind)(text)

top_left, top_right = st.columns([3, 2], vertical_alignment="bottom")
labels = edits.entry_labels(entries, layer, lang, actor_names)
pick_key = f"pf_pick_{layer}"
s[pick_key] = opened.entry_id if opened else None  # follows map clicks and reloads
top_left.selectbox(
    t("edit.pick", lang),
    list(labels),
    format_func=labels.get,
    placeholder=t("edit.pick.placeholder", lang),
    key=pick_key,
    on_change=lambda: s.update(pf_want=s[pick_key], pf_spot=None, pf_new=False, pf_conflict=None, pf_problems=None),
)
if top_right.button(t("edit.undo", lang), key="pf_undo", icon=":material/undo:", width="stretch"):
    try:
        change = data_store.undo_last(user)
    except StoreError as refused:
        st.error(refused.text(lang))
    else:
        _after_write(
            t("edit.undone_msg", lang, entry=edits.as_markdown(change.entry_id), layer=layer_label(change.layer, lang)),
            opened.entry_id if opened else None,
        )


def _widget(field: schema.Field, value, key: str, new: bool):
    """One typed input per schema field; values the lists do not know stay selectable, so nothing is lost."""
    label = edits.field_label(layer, field.name, lang) + (" *" if field.required else "")
    if field.kind == "id":
        return st.text_input(label, value or "", key=key, disabled=not new)
    if field.kind in ("code", "ref"):
        options = list(field.codes) if field.kind == "code" else list(actor_names)
        options += [value] if value and value not in options else []
        show = (
            (lambda c: code_label(c, lang)) if field.kind == "code" else (lambda a: f"{actor_names.get(a, '?')} ({a})")
        )
        return st.selectbox(
            label, options, index=options.index(value) if value else None, format_func=show, placeholder="–", key=key
        )
    if field.kind == "codes":
        chosen = schema.split_list(value)
        options = [*field.codes, *(c for c in chosen if c not in field.codes)]
        return st.multiselect(
            label, options, default=chosen, format_func=lambda c: code_label(c, lang), placeholder="–", key=key
        )
    if field.kind == "bool":  # an unknown value stays unknown unless the box is ticked
        return st.checkbox(label, value=bool(value), key=key) or (None if value is None else False)
    if field.kind == "int":
        return st.number_input(label, value=None if value is None else int(value), step=1, placeholder="–", key=key)
    if field.kind == "date":
        return st.text_input(
            label, value or "", placeholder=t("edit.date.placeholder", lang), help=t("edit.date.help", lang), key=key
        )
    help_text = t("edit.contact.help", lang) if field.private else None
    return st.text_input(label, value or "", help=help_text, key=key)


def _form(form_key: str, values: dict, new: bool) -> dict | None:
    """The form of one entry; the entered values (stored form) when Speichern was pressed, else None."""
    kept_key, problems = s.get("pf_problems") or (None, {})
    problems = problems if kept_key == form_key else {}
    with st.form(form_key, border=False):
        if problems:
            st.error(t("edit.problems", lang))
        for text in problems.get("", []) + problems.get("geometry", []):
            st.error(text)
        raw = {}
        for field in spec.fields:
            raw[field.name] = _widget(field, values.get(field.name), f"{form_key}_{field.name}", new)
            for text in problems.get(field.name, []):
                st.error(text, icon=":material/error:")
        submitted = st.form_submit_button(t("edit.save", lang), type="primary", key=f"{form_key}_save")
    return edits.form_values(layer, raw) if submitted else None


def _stored_geometry(entry_id: str):
    if not spec.geometry_types:
        return None
    return entries.loc[entries[spec.id_field].astype(str) == entry_id].geometry.iloc[0]


def _take_spot(lon: float, lat: float) -> None:
    """A chosen free spot: the open entry may move there, or a new entry starts there."""
    s.update(pf_spot=(round(lon, 6), round(lat, 6)), pf_new=opened is None, pf_problems=None)


def _spot_geometry():
    return edits.lonlat_to_layer(spot[0], spot[1], crs)


if spec.geometry_types:
    map_col, form_col = st.columns([3, 2], gap="medium")
    with map_col:
        bezirk = karte_widgets.bezirk_picker(loaded.city, "pf_bezirk")
        shown = points if bezirk is None else points[points["bezirk"] == bezirk]
        if len(shown) > edits.MAP_LIMIT:
            st.warning(tn("edit.map.too_many", len(shown), lang))
            shown = shown.iloc[:0]
        selected = (opened.lon, opened.lat) if opened and opened.lon is not None else None
        fmap, groups = edits.edit_map(
            loaded.map_data, loaded.city, shown, settings, lang, bezirk=bezirk, selected=selected, spot=spot
        )
        result = st_folium(
            fmap,
            key=f"pf_map_{layer}",
            height=560,
            use_container_width=True,
            returned_objects=["last_clicked", "last_object_clicked"],
            feature_group_to_add=groups,
        )
        st.caption(tn("edit.map.caption", len(shown), lang))
        if click := edits.read_click(result, s.setdefault(f"_pf_seen_{layer}", {})):
            kind, lon, lat = click
            if kind == "entry" and (hit := edits.nearest_entry(shown, lon, lat)):
                _close()
                s["pf_want"] = hit
            else:
                _take_spot(lon, lat)
            st.rerun()
        with st.expander(t("edit.place", lang)):  # what a click on a free spot does, by keyboard
            if point := places.keyboard_place(loaded, "pf_place", places.ENTRY_SPOT):
                _take_spot(*point)
                st.rerun()
else:
    form_col = st.container()

with form_col:
    if opened is not None and opened.layer == layer:
        st.subheader(edits.as_markdown(labels.get(opened.entry_id, opened.entry_id)))
        if opened.retired_on:
            st.warning(
                t("edit.retired_since", lang, date=edits.value_text(layer, "retired_on", opened.retired_on, lang))
            )
        if conflict := s.get("pf_conflict"):
            st.error(conflict)
            current = edits.open_entry(entries, layer, opened.entry_id)
            if current is not None:
                st.caption(t("edit.conflict.current", lang))
                st.dataframe(edits.values_frame(current, lang), hide_index=True, width="stretch")
            if st.button(t("edit.conflict.reload", lang), key="pf_reload", type="primary"):
                _close()
                s["pf_want"] = opened.entry_id
                st.rerun()
        if spot:
            st.info(t("edit.spot", lang, lat=spot[1], lon=spot[0]))
            move_col, new_col = st.columns(2)
            if move_col.button(
                t("edit.move", lang), key="pf_move", icon=":material/open_with:", disabled=bool(opened.retired_on)
            ):
                geometry = _spot_geometry()
                problems = edits.check_entry(loaded.workspace, layer, opened.values, geometry, crs=crs)
                problems = [p for p in problems if p.field == "geometry"]
                if edits.blocking(problems):
                    st.error("\n\n".join(p.text(lang) for p in problems))
                else:
                    _write_opened(data_store.move, geometry, done="edit.moved")
            if new_col.button(t("edit.new_here", lang), key="pf_new_here", icon=":material/add_location_alt:"):
                s.update(pf_open=None, pf_new=True, pf_conflict=None, pf_problems=None)
                st.rerun()
        form_key = f"pf_form_{layer}_{opened.entry_id}_{opened.version}"
        values = _form(form_key, opened.values, new=False)
        if values is not None:
            entered = {**opened.values, **values}
            problems = edits.check_entry(loaded.workspace, layer, entered, _stored_geometry(opened.entry_id), crs=crs)
            diff = edits.changed(opened.values, values)
            if edits.blocking(problems):
                _problems(form_key, problems)
            elif not diff:
                st.info(t("edit.no_change", lang))
            else:
                _write_opened(data_store.update, diff, done="edit.saved")
        with st.container(border=True):
            if opened.retired_on:
                if st.button(t("edit.reactivate", lang), key="pf_reactivate", icon=":material/restore:"):
                    _write_opened(data_store.update, {"retired_on": None}, done="edit.reactivated")
            else:
                st.caption(t("edit.retire.help", lang))
                on = st.date_input(
                    t("edit.retire.date", lang),
                    value=date.today(),
                    format="DD.MM.YYYY",
                    key=f"pf_retire_on_{opened.entry_id}",
                )
                if st.button(t("edit.retire", lang), key="pf_retire", icon=":material/archive:"):
                    _write_opened(data_store.retire, on.isoformat(), done="edit.retired")
        if st.button(t("edit.close", lang), key="pf_close"):
            _close()
            st.rerun()
    elif s.get("pf_new") and (spot or not spec.geometry_types):
        st.subheader(t("edit.new.heading", lang, layer=layer_label(layer, lang)))
        if spot:
            st.caption(t("edit.new.at", lang, lat=spot[1], lon=spot[0]))
        form_key = f"pf_new_{layer}_{s.setdefault('pf_new_count', 0)}"
        values = _form(
            form_key, {spec.id_field: edits.propose_id(entries, layer), "stand": date.today().isoformat()}, new=True
        )
        if values is not None:
            geometry = _spot_geometry() if spec.geometry_types else None
            taken = entries[spec.id_field].astype(str)
            problems = edits.check_entry(loaded.workspace, layer, values, geometry, crs=crs, taken=taken)
            if edits.blocking(problems):
                _problems(form_key, problems)
            else:
                try:
                    data_store.add(user, layer, values, geometry)
                except StoreError as refused:
                    st.error(refused.text(lang))
                else:
                    s["pf_new_count"] += 1
                    _after_write(
                        t("edit.added", lang, entry=edits.as_markdown(values[spec.id_field])), values[spec.id_field]
                    )
        if st.button(t("edit.cancel", lang), key="pf_cancel"):
            _close()
            st.rerun()
    else:
        st.info(t("edit.intro" if spec.geometry_types else "edit.intro.no_map", lang))
        if not spec.geometry_types and st.button(t("edit.new", lang), key="pf_new_entry", icon=":material/add:"):
            s.update(pf_new=True)
            st.rerun()

if opened is not None and opened.layer == layer:
    st.subheader(t("edit.history.entry", lang, entry=edits.as_markdown(opened.entry_id)))
    changes = data_store.history(layer=layer, entry_id=opened.entry_id, limit=50)
    if changes:
        st.dataframe(edits.history_frame(changes, lang), hide_index=True, width="stretch", key="pf_history_entry")
    else:
        st.caption(t("edit.history.none", lang))
st.subheader(t("edit.history.layer", lang, layer=layer_label(layer, lang)))
changes = data_store.history(layer=layer, limit=20)
if changes:
    st.dataframe(edits.history_frame(changes, lang), hide_index=True, width="stretch", key="pf_history_layer")
else:
    st.caption(t("edit.history.none", lang))
