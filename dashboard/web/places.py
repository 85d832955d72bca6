"""A point on the map chosen without the map: the keyboard's and screen reader's way to what a click does.

A Quartier stands for its point on the map (``MapData.unit_points``), an existing offer or actor for
its place, and coordinates are typed in degrees. The Lückenanalyse places a planned offer with it,
"Einträge pflegen" the spot of an entry; each page has its own words (``PlaceWords``) and widget keys.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from dashboard import i18n
from dashboard.i18n import t
from dashboard.maps.karte import entry_places
from dashboard.model.areas import area_at
from dashboard.web.karte_widgets import quartier_names
from dashboard.web.session import Loaded, lang

PLACES = ("area", "entry", "coordinates")


@dataclass(frozen=True)
class PlaceWords:
    """One page's message keys for choosing a point: what is placed decides the words."""

    how: str
    by: dict[str, str]  # PLACES → key
    area: str
    add: str
    missing: str
    outside: str


PLANNED_OFFER = PlaceWords(
    how="gap.place.how",
    by={"area": "gap.place.by.area", "entry": "gap.place.by.entry", "coordinates": "gap.place.by.coordinates"},
    area="gap.place.area.choose",
    add="gap.place.add",
    missing="gap.place.missing",
    outside="gap.place.outside",
)
ENTRY_SPOT = PlaceWords(
    how="edit.place.how",
    by={"area": "edit.place.by.area", "entry": "edit.place.by.entry", "coordinates": "edit.place.by.coordinates"},
    area="edit.place.area.choose",
    add="edit.place.add",
    missing="edit.place.missing",
    outside="edit.place.outside",
)


def keyboard_place(loaded: Loaded, key: str, words: PlaceWords) -> tuple[float, float] | None:
    """The (lon, lat) chosen, once its button is pressed and it lies in the city; else None, and why not."""
    lg, data = lang(), loaded.map_data
    how = st.radio(t(words.how, lg), PLACES, format_func=lambda p: t(words.by[p], lg), horizontal=True, key=f"{key}_by")
    point: tuple[float, float] | None = None
    if how == "area":
        names = quartier_names(loaded.city)
        area = st.selectbox(
            t(words.area, lg),
            list(names),
            index=None,
            format_func=names.__getitem__,
            placeholder=t("map.choose_area.placeholder", lg),
            key=f"{key}_area",
        )
        if area is not None:
            point = float(data.unit_points.at[area, "lon"]), float(data.unit_points.at[area, "lat"])
    elif how == "entry":
        places = entry_places(data)
        kinds = {kind: t(f"gap.place.kind.{kind}", lg) for kind in ("offer", "actor")}
        entry = st.selectbox(
            t("gap.place.entry.choose", lg),
            list(places.index),
            index=None,
            format_func=lambda e: f"{places.at[e, 'name']} ({kinds[places.at[e, 'kind']]})",
            placeholder=t("map.choose_area.placeholder", lg),
            key=f"{key}_entry",
        )
        if entry is not None:
            point = float(places.at[entry, "lon"]), float(places.at[entry, "lat"])
    else:
        lat_col, lon_col = st.columns(2)
        lat = lat_col.number_input(t("gap.place.lat", lg), value=None, step=0.0001, format="%.5f", key=f"{key}_lat")
        lon = lon_col.number_input(t("gap.place.lon", lg), value=None, step=0.0001, format="%.5f", key=f"{key}_lon")
        if lat is not None and lon is not None:
            point = float(lon), float(lat)
    if not st.button(t(words.add, lg), key=f"{key}_add"):
        return None
    if point is None:
        st.error(t(words.missing, lg))
        return None
    if area_at(loaded.city.units, *point) is None:
        lat_text, lon_text = i18n.fmt_num(point[1], lg, 5), i18n.fmt_num(point[0], lg, 5)
        st.error(t(words.outside, lg, lat=lat_text, lon=lon_text, city=loaded.city.name))
        return None
    return point
