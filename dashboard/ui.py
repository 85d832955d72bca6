"""The one module of the core that talks to Streamlit: caching, widgets, legend, banners.

Pages call these helpers and the plain functions of the core; nothing here
computes results of its own.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, replace

import pandas as pd
import streamlit as st

from dashboard import i18n, indicators, schema, store
from dashboard.city import City, prepare
from dashboard.classify import SECTOR_COLOURS, Classes
from dashboard.filters import in_bezirk
from dashboard.i18n import code_label, t
from dashboard.mapview import PARTICIPATION_COLOUR, MapData, prepare_map_data
from dashboard.settings import Settings, load_settings
from dashboard.validation import Problem, validate_workspace
from dashboard.view import CLASSIFICATIONS, LAYER_KEYS, MEASURES, MapView
from dashboard.workspace import Workspace


def lang() -> str:
    """The reader's language, chosen in the sidebar (German by default)."""
    return st.session_state.get("lang", i18n.DEFAULT_LANGUAGE)


def language_picker() -> None:
    st.sidebar.selectbox(
        "Sprache / Language",
        i18n.LANGUAGES,
        format_func=lambda code: {"de": "Deutsch", "en": "English"}[code],
        key="lang",
    )


def settings() -> Settings:
    return load_settings()


def _data_version(path) -> str:
    """Changes whenever the workspace file changes, so caches follow the data."""
    stat = path.stat()
    return f"{path}:{stat.st_mtime_ns}:{stat.st_size}"


@dataclass(frozen=True)
class Loaded:
    """One data version of the configured city in every form the pages need."""

    version: str
    workspace: Workspace
    problems: list[Problem]
    city: City
    map_data: MapData


@st.cache_resource(show_spinner=False, max_entries=2)
def _load(version: str, path: str) -> Loaded:
    workspace = store.read_geopackage(path)
    problems = validate_workspace(workspace)
    city = prepare(workspace)
    return Loaded(version, workspace, problems, city, prepare_map_data(city))


def load() -> Loaded:
    """The configured city read, validated and prepared – once per data version."""
    path = settings().workspace
    return _load(_data_version(path), str(path))


def banners(city: City) -> None:
    """Demo notice and data date, shown at the top of every page that shows data."""
    if city.is_demo:
        st.info(t("app.demo_banner", lang(), city=city.name), icon="ℹ️")
    if city.data_date:
        st.caption(t("app.data_date", lang(), date=i18n.fmt_date(city.data_date, lang())))


def map_view_controls(city: City) -> MapView:
    """Sidebar widgets → the view of the Karte page."""
    lg = lang()
    side = st.sidebar
    bezirke = dict(zip(city.bezirke["area_id"], city.bezirke["name"]))
    bezirk = side.selectbox(
        t("map.filter.bezirk", lg),
        [None, *sorted(bezirke, key=lambda b: bezirke[b])],
        format_func=lambda b: t("map.filter.all_bezirke", lg) if b is None else bezirke[b],
        key="bezirk",
    )
    side.subheader(t("map.layers", lg))
    layers = frozenset(
        key for key in LAYER_KEYS if side.checkbox(t(f"map.layer.{key}", lg), value=key in MapView().layers, key=f"layer_{key}")
    )
    measure = side.radio(
        t("map.measure", lg),
        MEASURES,
        format_func=lambda m: t(f"map.measure.short.{m}", lg, threshold=st.session_state.get("threshold", 500)),
        key="measure",
    )
    side.subheader(t("map.filters", lg))
    sectors = side.multiselect(
        t("map.filter.sectors", lg), schema.SECTORS, default=list(schema.SECTORS), format_func=lambda c: code_label(c, lg), key="sectors"
    )
    categories = side.multiselect(
        t("map.filter.categories", lg), schema.CATEGORIES, default=list(schema.CATEGORIES), format_func=lambda c: code_label(c, lg), key="categories"
    )
    groups = side.multiselect(
        t("map.filter.target_groups", lg), schema.TARGET_GROUPS, default=list(schema.TARGET_GROUPS), format_func=lambda c: code_label(c, lg), key="target_groups"
    )
    min_level = side.select_slider(
        t("map.filter.min_level", lg), schema.LEVELS, value=schema.DEFAULT_PARTICIPATION_LEVEL, format_func=lambda c: code_label(c, lg), key="min_level"
    )
    threshold = side.number_input(t("map.filter.threshold", lg), min_value=100, max_value=3000, value=500, step=50, key="threshold")
    classification = side.selectbox(
        t("map.filter.classification", lg), CLASSIFICATIONS, format_func=lambda c: t(f"classify.{c}", lg), key="classification"
    )
    return MapView(
        layers=layers,
        bezirk=bezirk,
        sectors=tuple(sectors),
        categories=tuple(categories),
        target_groups=tuple(groups),
        min_level=min_level,
        measure=measure,
        threshold_m=int(threshold),
        classification=classification,
        selected=st.session_state.get("selected"),
    )


def _swatch(colour: str, label: str, round_: bool = False) -> str:
    radius = "50%" if round_ else "2px"
    return (
        f'<span style="display:inline-block;width:12px;height:12px;background:{colour};'
        f'border:1px solid #555;border-radius:{radius};margin:0 4px 0 10px;vertical-align:middle"></span>'
        f"{html.escape(label)}"
    )


def legend(classes: Classes, view: MapView) -> None:
    """Legend of the choropleth and the point layers, drawn by Streamlit beside the map."""
    lg = lang()
    parts = [f"<b>{html.escape(t(f'map.measure.{view.measure}', lg, threshold=view.threshold_m))}</b><br>"]
    fmt = (lambda v: i18n.fmt_share(v, lg)) if view.measure == "uncovered_share" else (lambda v: i18n.fmt_num(v, lg))
    lower = classes.lower
    for colour, upper in zip(classes.colours, classes.bounds):
        parts.append(_swatch(colour, f"{fmt(lower)} – {fmt(upper)}"))
        lower = upper
    parts.append(_swatch("#d9d9d9", t("map.legend.no_data", lg)))
    parts.append("<br><small>" + html.escape(t("map.legend.classes", lg, method=t(f"classify.{view.classification}", lg), k=len(classes.bounds))) + "</small>")
    if "actors" in view.layers:
        parts.append("<br><b>" + html.escape(t("map.legend.sectors", lg)) + "</b><br>")
        parts.extend(_swatch(SECTOR_COLOURS[s], code_label(s, lg), round_=True) for s in schema.SECTORS)
    if "offers" in view.layers:
        parts.append("<br>" + _swatch(PARTICIPATION_COLOUR, t("map.legend.offers", lg), round_=True))
    if "housing" in view.layers:
        parts.append("<br><small>" + html.escape(t("map.legend.housing", lg)) + "</small>")
    st.markdown("".join(parts), unsafe_allow_html=True)


def figures_frame(rows: list[tuple[str, str, str, str]]) -> pd.DataFrame:
    """Key figures with comparison columns, as a table councillors can read."""
    lg = lang()
    return pd.DataFrame(rows, columns=["", t("fig.area", lg), t("fig.bezirk", lg), t("fig.city_value", lg)]).set_index("")


@st.cache_data(show_spinner=False, max_entries=64)
def _unit_table(version: str, view: MapView, _city: City) -> pd.DataFrame:
    return indicators.unit_table(_city, view)


def unit_table(version: str, city: City, view: MapView) -> pd.DataFrame:
    """Key figures per Quartier, cached per data version and view."""
    return _unit_table(version, replace(view, selected=None, bezirk=None, layers=frozenset(), sectors=(), classification="quantiles", measure="uncovered_share"), city)


def in_view(table: pd.DataFrame, city: City, view: MapView):
    """Rows of the table inside the selected Stadtbezirk."""
    return in_bezirk(table.reset_index(), city.units, view.bezirk)


def take_click(result: dict | None) -> bool:
    """True once per new map click (a rerun repeats the last click; it must not select again)."""
    click = (result or {}).get("last_object_clicked")
    if not click or click == st.session_state.get("_last_click"):
        return False
    st.session_state["_last_click"] = click
    return True
