"""Actions that change a city's data, and the plain helpers of the maintenance screen.

Rights: every function here that writes is an ``editor_action`` or goes through a
``DataStore`` method, and both check the role first. So a viewer is refused even if
a button were shown by mistake or the function called directly.

The rest turns widget values into stored values, checks one entry with the same
rules as an import, proposes ids, builds the editing map and says what the history
recorded, all without Streamlit, so ``pages/pflege.py`` only arranges widgets.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import Point

from dashboard.analysis.city import City
from dashboard.i18n import code_label, fmt_date, has, phrase, t, tn
from dashboard.ingest import validation
from dashboard.ingest.validation import Problem
from dashboard.maps.assets import localize
from dashboard.maps.karte import (
    MapData,
    base_map,
    bezirk_outlines,
    feature_group,
    point_layer,
)
from dashboard.model import schema
from dashboard.model.areas import assign_points
from dashboard.model.projection import to_crs, transform
from dashboard.model.roles import User, editor_action
from dashboard.model.workspace import LayerMeta, Workspace
from dashboard.store import gpkgfile
from dashboard.store.base import RETIRED, ROW_VERSION, Change, StoreError, open_store
from dashboard.store.migrate import migrate
from dashboard.store.settings import Settings

#: Id prefixes of an empty layer (the demo city's style: O0001, A0001, W00001, K0001).
ID_PREFIXES = {"offers": "O", "actors": "A", "housing": "W", "cooperations": "K"}
#: More points than this make the map slow (thousands of separate markers): the page then asks for a Stadtbezirk.
MAP_LIMIT = 3000
ENTRY_COLOUR, SELECTED_COLOUR, SPOT_COLOUR = "#1b4f72", "#e67e22", "#c0392b"
LOCAL_TIME = ZoneInfo("Europe/Berlin")
_GERMAN_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>$:])")


@editor_action
def replace_layer(user: User, workspace: str | Path, layer: str, frame: pd.DataFrame, meta: LayerMeta) -> None:
    """Replace one layer of the stored workspace (in place, atomically) – editors only."""
    counts = {"read": len(frame), "imported": len(frame), "rejected": 0}
    open_store(workspace).import_layer(user, layer, frame, meta, source=meta.source, mode="replace", counts=counts)


@editor_action
def adopt_demo(user: User, settings: Settings) -> None:
    """Copy the demo city into the (still missing) store file, so editing can be tried on it.

    The demo file itself is never changed. The name is claimed first (an exclusive create: of two
    editors clicking at once only one gets it), then the finished copy is renamed onto it, so a
    city's own data is never overwritten. No hard link: shares such as SMB have none.
    """
    if settings.is_database:
        if not settings.store().is_empty():
            raise StoreError(phrase("edit.adopt.not_empty", path=settings.store_label))
        migrate(open_store(gpkgfile.DEMO_PATH), settings.store())
        return
    target = settings.store_path
    if target.exists() or not settings.store().is_empty():
        raise StoreError(phrase("edit.adopt.not_empty", path=str(target)))
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(suffix=".gpkg", prefix=".tmp-", dir=target.parent)
    os.close(fd)
    try:
        shutil.copyfile(gpkgfile.DEMO_PATH, tmp)
        os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        os.replace(tmp, target)
    except FileExistsError:
        raise StoreError(phrase("edit.adopt.not_empty", path=str(target))) from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


# --- one entry: ids, widget values, checks ---


def propose_id(entries: pd.DataFrame, layer: str) -> str:
    """The next free id in the style of the layer's ids (prefix and zero-padding of the most common style).

    Retired entries count too: an id is never given out twice.
    """
    ids = entries[schema.LAYERS[layer].id_field].dropna().astype(str) if len(entries) else pd.Series(dtype=str)
    parts = ids.str.extract(r"^(.*?)(\d+)$").dropna()
    if parts.empty:
        prefix, number, width = ID_PREFIXES.get(layer, "E"), 1, 4
    else:
        prefix = parts[0].mode().iloc[0]
        digits = parts.loc[parts[0] == prefix, 1]
        number, width = int(digits.astype(int).max()) + 1, int(digits.str.len().max())
    taken = set(ids)
    while f"{prefix}{number:0{width}d}" in taken:
        number += 1
    return f"{prefix}{number:0{width}d}"


def _blank(value: object) -> bool:
    if value is None or isinstance(value, (list, tuple, dict)):
        return value is None
    if isinstance(value, str):
        return not value.strip()
    return bool(pd.isna(value))


def form_values(layer: str, raw: dict) -> dict:
    """Widget values → stored values: lists of codes joined with ``;``, dates as ISO, whole numbers as int.

    Text stays exactly as typed (only trimmed), so ``<b>`` is stored as text and escaped where shown.
    A German date (25.11.2026) becomes ISO; anything else unreadable stays as typed for the check to name.
    """
    out = {}
    for field in schema.LAYERS[layer].fields:
        if field.name not in raw:
            continue
        value = raw[field.name]
        if field.kind == "codes":
            value = schema.LIST_SEP.join(value) if value else None
        elif field.kind == "bool":
            value = None if value is None else bool(value)
        elif _blank(value):
            value = None
        elif field.kind == "int":
            value = int(value) if float(value).is_integer() else float(value)
        elif field.kind == "float":
            value = float(value)
        elif field.kind == "date" and isinstance(value, (date, datetime)):
            value = (value.date() if isinstance(value, datetime) else value).isoformat()
        else:
            value = str(value).strip()
            if field.kind == "date" and (match := _GERMAN_DATE.fullmatch(value)):
                day, month, year = match.groups()
                value = f"{year}-{int(month):02d}-{int(day):02d}"
        out[field.name] = value
    return out


def lonlat_to_layer(lon: float, lat: float, crs) -> Point:
    """A clicked map position (WGS84) as a point in the CRS the store wants for the layer."""
    x, y = transform(schema.WEB_CRS, crs, lon, lat)
    return Point(float(x), float(y))


def check_entry(
    workspace: Workspace, layer: str, values: dict, geometry=None, *, crs=None, taken=(), today: date | None = None
) -> list[Problem]:
    """Everything wrong with one entry, by the rules an import of the layer follows.

    References are checked against the workspace's active actors and areas; ``taken`` are ids
    already in use (a new entry must not reuse one, retired ones included); ``geometry`` is in
    ``crs`` (the layer's, see ``DataStore.crs``).
    """
    spec = schema.LAYERS[layer]
    row = {name: [values.get(name)] for name in spec.field_names}
    frame = pd.DataFrame(row, dtype=object)
    if spec.geometry_types:
        frame = gpd.GeoDataFrame(frame, geometry=[geometry], crs=crs)
    references = {
        name: set(workspace.layer(name)[id_field].dropna().astype(str))
        for name, id_field in (("actors", "actor_id"), ("areas", "area_id"))
    }
    problems = validation.validate_layer(layer, frame, references=references, today=today)
    entry_id = values.get(spec.id_field)
    if entry_id is not None and str(entry_id) in {str(i) for i in taken}:
        problems.append(Problem(layer, 1, spec.id_field, "edit.id_taken", values=(("value", entry_id),)))
    return problems


def blocking(problems: list[Problem]) -> bool:
    """Errors stop a save; warnings (a future Stand, say) are only shown."""
    return any(p.severity == validation.ERROR for p in problems)


def changed(before: dict, after: dict) -> dict:
    """The values of ``after`` that differ from ``before`` (missing, NaN and None are the same)."""
    return {k: v for k, v in after.items() if not _same(before.get(k), v)}


def _same(a: object, b: object) -> bool:
    if _blank(a) and _blank(b):
        return True
    if _blank(a) or _blank(b):
        return False
    if isinstance(a, (int, float, np.number)) and isinstance(b, (int, float, np.number)):
        return float(a) == float(b)
    return a == b


# --- opening an entry ---


@dataclass(frozen=True)
class Opened:
    """An entry as it was when the editor opened it; ``version`` goes with every change made from it."""

    layer: str
    entry_id: str
    version: int
    values: dict
    retired_on: str | None
    lon: float | None
    lat: float | None


def _plain(value: object) -> Any:
    if _blank(value):
        return None
    return value.item() if hasattr(value, "item") else value


def open_entry(entries: pd.DataFrame, layer: str, entry_id: str) -> Opened | None:
    """The current state of one entry of ``entries`` (None if it is not there)."""
    spec = schema.LAYERS[layer]
    rows = entries[entries[spec.id_field].astype(str) == str(entry_id)]
    if rows.empty:
        return None
    row = rows.iloc[0]
    lon = lat = None
    if spec.geometry_types and row.geometry is not None and not row.geometry.is_empty:
        point = to_crs(gpd.GeoSeries([row.geometry], crs=entries.crs), schema.WEB_CRS).representative_point().iloc[0]
        lon, lat = round(point.x, 6), round(point.y, 6)
    values = {name: _plain(row.get(name)) for name in spec.field_names}
    return Opened(layer, str(entry_id), int(row[ROW_VERSION]), values, _plain(row.get(RETIRED)), lon, lat)


def entry_labels(
    entries: pd.DataFrame, layer: str, lang: str, actor_names: dict[str, str] | None = None
) -> dict[str, str]:
    """What the entry picker shows per id: a name (housing: owner type and dwellings; cooperations: the two actors),
    the id, and whether the entry is retired. Sorted by that text."""
    spec = schema.LAYERS[layer]
    names = actor_names or {}
    labels = {}
    for row in entries.itertuples(index=False):
        entry_id = str(getattr(row, spec.id_field))
        if layer == "housing":
            dwellings = _plain(row.dwellings)
            count = tn("edit.label.dwellings", dwellings or 0, lang, n=dwellings or "?")
            name = f"{code_label(row.owner_type or '', lang)}, {count}"
        elif layer == "cooperations":
            name = f"{names.get(row.actor_a, row.actor_a)} – {names.get(row.actor_b, row.actor_b)}"
        else:
            name = row.name or "–"
        label = f"{name} ({entry_id})"
        if not _blank(getattr(row, RETIRED)):
            label += " – " + t("edit.retired_mark", lang)
        labels[entry_id] = label
    return dict(sorted(labels.items(), key=lambda item: item[1].casefold()))


def as_markdown(text: str) -> str:
    """Data shown in a Streamlit heading or message: markdown and LaTeX characters escaped, so a name reads as typed."""
    return _MARKDOWN.sub(r"\\\1", text)


def field_label(layer: str, name: str, lang: str) -> str:
    """The label of a field in a form or the history (a layer may word a field its own way)."""
    spec = schema.LAYERS[layer]
    if name == spec.id_field:
        return t("edit.field.id", lang)
    specific = f"edit.field.{layer}.{name}"
    return t(specific, lang) if has(specific) else t(f"edit.field.{name}", lang)


def value_text(layer: str, name: str, value: object, lang: str) -> str:
    """A stored value as a person reads it: code labels, ja/nein, German dates, "–" for nothing."""
    if _blank(value):
        return "–"
    kind = schema.LAYERS[layer].field(name).kind if name in schema.LAYERS[layer].field_names else "text"
    if kind == "code":
        return code_label(str(value), lang)
    if kind == "codes":
        return ", ".join(code_label(c, lang) for c in schema.split_list(value))
    if kind == "bool":
        return t("edit.yes" if value else "edit.no", lang)
    if kind == "date" or name == RETIRED:
        return fmt_date(str(value), lang)
    return str(value)


def values_frame(opened: Opened, lang: str) -> pd.DataFrame:
    """An entry's values as a two-column table (shown after a conflict: what is stored now)."""
    rows = [
        (field_label(opened.layer, k, lang), value_text(opened.layer, k, v, lang)) for k, v in opened.values.items()
    ]
    if opened.retired_on:
        rows.append((t("edit.field.retired_on", lang), value_text(opened.layer, RETIRED, opened.retired_on, lang)))
    return pd.DataFrame(rows, columns=[t("edit.col.field", lang), t("edit.col.value", lang)])


# --- the history ---


def when_text(at: str) -> str:
    """A stored UTC timestamp in local time (the store writes UTC; people read Germany's time)."""
    try:
        return datetime.fromisoformat(at).astimezone(LOCAL_TIME).strftime("%d.%m.%Y %H:%M")
    except ValueError:
        return at


def change_text(change: Change, lang: str) -> str:
    """What a change did, field by field: "Öffnungszeiten: Mo 9–12 → Di 10–14"."""
    if change.action == "import":
        after = change.after or {}
        return tn(
            "edit.history.import",
            after.get("rows") or 0,
            lang,
            rows=after.get("rows", "?"),
            source=after.get("source") or "–",
        )
    if change.action == "add":
        return t("edit.history.added", lang)
    assert change.layer is not None  # every edit names its layer
    before, after = change.before or {}, change.after or {}
    parts = []
    for name in after:
        if _same(before.get(name), after.get(name)):
            continue
        if name == "geometry":
            parts.append(t("edit.history.moved", lang))
            continue
        label = t("edit.field.retired_on", lang) if name == RETIRED else field_label(change.layer, name, lang)
        old, new = (value_text(change.layer, name, v, lang) for v in (before.get(name), after.get(name)))
        parts.append(f"{label}: {old} → {new}")
    return "; ".join(parts) or t("edit.history.no_change", lang)


def history_frame(changes: list[Change], lang: str) -> pd.DataFrame:
    """The history as a table: when (local time), who, what, which entry, and before → after of changed fields."""
    return pd.DataFrame(
        {
            t("edit.col.when", lang): [when_text(c.at) for c in changes],
            t("edit.col.who", lang): [c.user for c in changes],
            t("edit.col.what", lang): [
                t(f"edit.action.{c.action}", lang) + (f" ({t('edit.undone', lang)})" if c.undone_by else "")
                for c in changes
            ],
            t("edit.col.entry", lang): [c.entry_id or "–" for c in changes],
            t("edit.col.changes", lang): [change_text(c, lang) for c in changes],
        }
    )


# --- the map ---


def map_points(entries: pd.DataFrame, layer: str, bezirke: gpd.GeoDataFrame) -> pd.DataFrame:
    """Active entries as lon/lat points with their id and Stadtbezirk (buildings: a point inside)."""
    spec = schema.LAYERS[layer]
    columns = ["entry_id", "name", "lon", "lat", "bezirk"]
    if not spec.geometry_types or len(entries) == 0:
        return pd.DataFrame(columns=columns)
    active = entries[entries[RETIRED].isna() & entries.geometry.notna() & ~entries.geometry.is_empty]
    points = active.geometry if (active.geom_type == "Point").all() else active.geometry.representative_point()
    web = to_crs(points, schema.WEB_CRS)
    bezirk = assign_points(points, bezirke) if len(bezirke) else pd.Series([None] * len(active), index=active.index)
    name = active["name"] if "name" in active else active[spec.id_field]
    return pd.DataFrame(
        {
            "entry_id": active[spec.id_field].astype(str).to_numpy(),
            "name": name.fillna("").astype(str).to_numpy(),
            "lon": web.x.round(6).to_numpy(),
            "lat": web.y.round(6).to_numpy(),
            "bezirk": bezirk.to_numpy(),
        },
        columns=columns,
    )


def nearest_entry(points: pd.DataFrame, lon: float, lat: float) -> str | None:
    """The id of the point nearest to a clicked position (a click on a marker hits its edge, not its centre)."""
    if len(points) == 0:
        return None
    dx = (points["lon"].to_numpy() - lon) * np.cos(np.radians(lat))
    dy = points["lat"].to_numpy() - lat
    return str(points["entry_id"].iat[int(np.argmin(dx * dx + dy * dy))])


def read_click(result: dict | None, seen: dict) -> tuple[str, float, float] | None:
    """("entry", lon, lat) for a new click on a marker, ("spot", lon, lat) for one on empty map, else None.

    A click on a marker updates st_folium's ``last_object_clicked`` and ``last_clicked`` together;
    a click beside the markers only ``last_clicked``. A rerun repeats the last values, so only
    values other than the ``seen`` ones count (``seen`` is updated in place).
    """
    result = result or {}
    obj, spot = result.get("last_object_clicked"), result.get("last_clicked")
    new_obj, new_spot = obj and obj != seen.get("object"), spot and spot != seen.get("spot")
    seen.update(object=obj, spot=spot)
    if new_obj and obj:
        return "entry", float(obj["lng"]), float(obj["lat"])
    if new_spot and spot:
        return "spot", float(spot["lng"]), float(spot["lat"])
    return None


def _marker(lon: float, lat: float, colour: str, radius: int) -> folium.CircleMarker:
    """A ring that clicks pass through (a click on it is a click on the map, not on an entry)."""
    marker = folium.CircleMarker([lat, lon], radius=radius, color=colour, weight=3, fill=False)
    marker.options["interactive"] = False
    return marker


def edit_map(
    data: MapData,
    city: City,
    points: pd.DataFrame,
    settings: Settings,
    lang: str,
    *,
    bezirk: str | None = None,
    selected: tuple[float, float] | None = None,
    spot: tuple[float, float] | None = None,
) -> tuple[folium.Map, list[folium.FeatureGroup]]:
    """The editing map: Bezirk outlines on the app's own assets, the entries as ONE GeoJson layer, rings for
    the opened entry and the clicked spot.

    Entries and rings are feature groups, so streamlit-folium swaps them without resetting the view.
    """
    fmap = base_map(data, city, settings, bezirk, lang)
    bezirk_outlines(data).add_to(fmap)
    columns = {
        t("edit.map.entry", lang): points["name"].tolist(),
        t("edit.field.id", lang): points["entry_id"].tolist(),
    }
    styles = [{"fillColor": ENTRY_COLOUR, "color": "#ffffff", "weight": 1.5, "radius": 5}] * len(points)
    groups = [feature_group("entries", point_layer("entries", points, columns, styles, radius=5))]
    marks = [_marker(*selected, SELECTED_COLOUR, 10)] if selected else []
    marks += [_marker(*spot, SPOT_COLOUR, 9)] if spot else []
    if marks:
        groups.append(feature_group("marks", *marks))
    return localize(fmap), groups
