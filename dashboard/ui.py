"""The one module of the core that talks to Streamlit: caching, widgets, legend, banners.

Pages call these helpers and the plain functions of the core; nothing here
computes results of its own.
"""

from __future__ import annotations

import html
import runpy
from dataclasses import dataclass, replace
from pathlib import Path

import geopandas as gpd
import pandas as pd
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from dashboard import gapfigures, gaps, i18n, indicators, schema, store
from dashboard.bivariate import PALETTE, need_text
from dashboard.city import City, prepare
from dashboard.classify import NO_DATA_COLOUR, SECTOR_COLOURS, Classes, parse_breaks
from dashboard.filters import in_bezirk
from dashboard.gapmap import DISTANCE_COLOURS, DISTANCE_STEPS, OFFER_COLOUR
from dashboard.gaps import GapParams
from dashboard.i18n import code_label, t
from dashboard.mapview import PARTICIPATION_COLOUR, MapData, prepare_map_data
from dashboard.scenario import SCENARIO_PREFIX, NewOffer, Scenario
from dashboard.settings import Settings, load_settings
from dashboard.targets import DEFAULT_THRESHOLD_M
from dashboard.validation import Problem, validate_workspace
from dashboard.view import CLASSIFICATIONS, LAYER_KEYS, MEASURES, MapView
from dashboard.walknet import WalkingDistance
from dashboard.workspace import Workspace


APP = Path(__file__).resolve().parent.parent / "app.py"


def through_entry() -> None:
    """Make sure a page runs inside app.py (navigation, language, page setup).

    Streamlit runs the first session after a server start in its old
    pages-folder mode, which executes a linked page file (e.g. /luecken)
    directly; the page then hands over to app.py, which routes back to it.
    """
    if PagesManager.uses_pages_directory:
        runpy.run_path(str(APP), run_name="__main__")
        st.stop()


def open_page(title_key: str) -> tuple[str, "Loaded"]:
    """What every page does first: run inside app.py, load the city, title, demo notice and data date."""
    through_entry()
    loaded = load()
    st.title(t(title_key, lang(), city=loaded.city.name))
    banners(loaded.city)
    return lang(), loaded


def lang() -> str:
    """The reader's language, chosen in the sidebar (German by default)."""
    return st.session_state.get("lang", i18n.DEFAULT_LANGUAGE)


def language_picker() -> None:
    """Sidebar language choice; kept apart from the widget so it survives page changes."""
    current = lang()
    st.sidebar.selectbox(
        "Sprache / Language",
        i18n.LANGUAGES,
        index=i18n.LANGUAGES.index(current),
        format_func=lambda code: {"de": "Deutsch", "en": "English"}[code],
        key="lang_choice",
        on_change=lambda: st.session_state.update(lang=st.session_state["lang_choice"]),
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
    bezirk = bezirk_picker(city, "bezirk")
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


def take_click(result: dict | None, map_key: str) -> dict | None:
    """The click once per new map click (a rerun repeats the last click; it must not act again)."""
    click = (result or {}).get("last_object_clicked")
    if not click or click == st.session_state.get(f"_last_click_{map_key}"):
        return None
    st.session_state[f"_last_click_{map_key}"] = click
    return click


def bezirk_picker(city: City, key: str) -> str | None:
    """Sidebar choice of one Stadtbezirk (None = whole city)."""
    lg = lang()
    bezirke = dict(zip(city.bezirke["area_id"], city.bezirke["name"]))
    return st.sidebar.selectbox(
        t("map.filter.bezirk", lg),
        [None, *sorted(bezirke, key=lambda b: bezirke[b])],
        format_func=lambda b: t("map.filter.all_bezirke", lg) if b is None else bezirke[b],
        key=key,
    )


def gap_controls(city: City) -> GapParams:
    """Sidebar widgets → the parameters of the gap analysis (each target group keeps its own threshold).

    Walking routes are offered only where the city has a path network; otherwise the sidebar says
    that distances are straight lines times the detour factor.
    """
    lg = lang()
    side = st.sidebar
    group = side.selectbox(
        t("gap.target_group", lg),
        schema.TARGET_GROUPS,
        index=schema.TARGET_GROUPS.index("alle"),
        format_func=lambda c: code_label(c, lg),
        key="gap_group",
    )
    threshold = side.number_input(
        t("map.filter.threshold", lg), 100, 3000, value=DEFAULT_THRESHOLD_M[group], step=50, key=f"gap_threshold_{group}"
    )
    distance = "luftlinie"
    if city.paths is None:
        side.caption(t("gap.distance.no_network", lg))
    else:
        distance = side.radio(
            t("gap.distance", lg), ("luftlinie", "fussweg"), format_func=lambda d: t(f"gap.distance.{d}", lg), horizontal=True, key="gap_distance"
        )
    detour = side.slider(t("gap.detour", lg), 1.0, 2.0, 1.0, 0.05, key="gap_detour", disabled=distance == "fussweg")
    min_level = side.select_slider(
        t("map.filter.min_level", lg), schema.LEVELS, value=schema.DEFAULT_PARTICIPATION_LEVEL, format_func=lambda c: code_label(c, lg), key="gap_min_level"
    )
    with side.expander(t("gap.weights", lg)):
        weights = tuple(
            float(st.slider(t(f"gap.component.{c}", lg), 0, 100, int(w * 100), 5, key=f"gap_weight_{c}"))
            for c, w in zip(gaps.COMPONENTS, gaps.DEFAULT_WEIGHTS)
        )
    min_residents = side.number_input(t("gap.min_residents", lg), 0, 5000, 300, 50, key="gap_min_residents")
    classification = side.selectbox(
        t("map.filter.classification", lg), (*CLASSIFICATIONS, "user"), format_func=lambda c: t(f"classify.{c}", lg), key="gap_classification"
    )
    breaks: tuple[float, ...] = ()
    if classification == "user":
        text = side.text_input(t("gap.breaks", lg), "20, 40, 60, 80", key="gap_breaks")
        parsed = parse_breaks(text)
        if parsed is None:
            side.warning(t("gap.breaks_invalid", lg, text=text))
            classification = "quantiles"
        else:
            breaks = parsed
    return GapParams(
        target_group=group,
        threshold_m=int(threshold),
        detour=float(detour),
        min_level=min_level,
        min_residents=int(min_residents),
        weights=weights if sum(weights) > 0 else gaps.DEFAULT_WEIGHTS,
        classification=classification,
        breaks=breaks,
        distance=distance,
    )


def gap_layers() -> frozenset[str]:
    lg = lang()
    st.sidebar.subheader(t("gap.layers", lg))
    defaults = {"grid": True, "index": False, "offers": True}  # the grid reads best on its own
    return frozenset(k for k, on in defaults.items() if st.sidebar.checkbox(t(f"gap.layer.{k}", lg), value=on, key=f"gap_layer_{k}"))


@st.cache_resource(show_spinner=False, max_entries=16)
def _status_quo(version: str, params: GapParams, _city: City) -> gaps.GapResult:
    return gaps.analyse(_city, params)


@st.cache_resource(show_spinner=False, max_entries=16)
def _scenario_result(version: str, params: GapParams, scenario: Scenario, _city: City) -> gaps.GapResult:
    return gaps.with_scenario(_city, _status_quo(version, params, _city), scenario)


def gap_results(loaded: Loaded, params: GapParams) -> tuple[gaps.GapResult, gaps.GapResult]:
    """Status quo and the current scenario (the same object when the scenario is empty)."""
    before = _status_quo(loaded.version, params, loaded.city)
    current = scenario()
    return before, before if current.is_empty else _scenario_result(loaded.version, params, current, loaded.city)


@st.cache_data(show_spinner=False, max_entries=64)
def _isochrone(version: str, x: float, y: float, _city: City) -> gpd.GeoDataFrame:
    return WalkingDistance(_city.network).isochrone((x, y))


def isochrones(loaded: Loaded, result: gaps.GapResult) -> gpd.GeoDataFrame | None:
    """Walking catchments of the planned offers and of the offer chosen in the scenario panel (Fußweg only)."""
    if not isinstance(result.method, WalkingDistance):
        return None
    chosen = st.session_state.get("gap_toggle_offer")
    offers = result.offers
    shown = offers[offers["offer_id"].str.startswith(SCENARIO_PREFIX) | (offers["offer_id"] == chosen)]
    parts = [_isochrone(loaded.version, float(x), float(y), loaded.city) for x, y in zip(shown["x"], shown["y"])]
    return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=parts[0].crs) if parts else None


def method_comparison(loaded: Loaded, params: GapParams) -> pd.DataFrame | None:
    """Luftlinie against Fußweg per Quartier, when the city has a walking network."""
    if loaded.city.network is None:
        return None
    straight = _status_quo(loaded.version, replace(params, distance="luftlinie"), loaded.city)
    walking = _status_quo(loaded.version, replace(params, distance="fussweg"), loaded.city)
    return gaps.compare_methods(straight, walking)


def scenario() -> Scenario:
    return st.session_state.get("scenario", Scenario())


def set_scenario(value: Scenario) -> None:
    st.session_state["scenario"] = value


def planned_offer(lon: float, lat: float) -> NewOffer:
    """A new offer at a clicked place with the properties set in the scenario panel."""
    state = st.session_state
    return NewOffer(
        lon=round(lon, 6),
        lat=round(lat, 6),
        category=state.get("gap_new_category", "begegnung"),
        target_groups=tuple(state.get("gap_new_groups", ["alle"])) or ("alle",),
        level=state.get("gap_new_level", schema.DEFAULT_PARTICIPATION_LEVEL),
        capacity=int(state.get("gap_new_capacity", 30)) or None,
        name=state.get("gap_new_name") or t("gap.scenario.default_name", lang()),
    )


def scenario_panel(before: gaps.GapResult, after: gaps.GapResult) -> None:
    """Inputs for the next planned offer, switching offers off, reset, and the effect."""
    lg = lang()
    new_col, off_col = st.columns(2)
    with new_col:
        st.markdown(f"**{t('gap.scenario.new', lg)}**")
        st.text_input(t("gap.scenario.name", lg), t("gap.scenario.default_name", lg), key="gap_new_name")
        st.selectbox(t("map.filter.categories", lg), schema.CATEGORIES, format_func=lambda c: code_label(c, lg), key="gap_new_category")
        st.multiselect(t("map.filter.target_groups", lg), schema.TARGET_GROUPS, default=["alle"], format_func=lambda c: code_label(c, lg), key="gap_new_groups")
        st.select_slider(t("map.filter.min_level", lg), schema.LEVELS, value="mitwirkung", format_func=lambda c: code_label(c, lg), key="gap_new_level")
        st.number_input(t("gap.scenario.capacity", lg), 0, 1000, 30, 5, key="gap_new_capacity")
    with off_col:
        existing = before.offers.sort_values("name")
        labels = dict(zip(existing["offer_id"], existing["name"]))
        choice = st.selectbox(t("gap.scenario.disable", lg), list(labels), format_func=lambda i: labels[i], key="gap_toggle_offer")
        if st.button(t("gap.scenario.toggle", lg), disabled=choice is None):
            set_scenario(scenario().toggle(choice))
            st.rerun()
        if st.button(t("gap.scenario.reset", lg), disabled=scenario().is_empty):
            set_scenario(Scenario())
            st.rerun()
    current = scenario()
    if current.is_empty:
        st.info(t("gap.scenario.empty", lg))
        return
    st.success(
        t("gap.scenario.changes", lg, added=len(current.added), disabled=len(current.disabled))
        + " "
        + gapfigures.scenario_effect(before, after, lg)
    )
    st.dataframe(gapfigures.scenario_frame(gaps.compare(before, after), lg), hide_index=True, width="stretch")


def gap_legend(result: gaps.GapResult, layers: frozenset[str]) -> None:
    """Legend of the distance grid, the index classes and the offer markers."""
    lg = lang()
    p = result.params
    parts = []
    if "grid" in layers:
        method = t(result.method.label_key, lg, detour=i18n.fmt_num(p.detour, lg, 2))
        parts.append(f"<b>{html.escape(t('gap.legend.grid', lg, method=method))}</b><br>")
        steps = [int(s * p.threshold) for s in DISTANCE_STEPS]
        labels = [t("gap.legend.grid.up_to", lg, m=m) for m in steps] + [t("gap.legend.grid.beyond", lg, m=steps[-1])]
        parts.extend(_swatch(c, label) for c, label in zip(DISTANCE_COLOURS, labels))
        parts.append("<br>")
    if "index" in layers:
        parts.append(f"<b>{html.escape(t('gap.legend.index', lg, method=t(f'classify.{p.classification}', lg)))}</b><br>")
        lower = result.classes.lower
        for colour, upper in zip(result.classes.colours, result.classes.bounds):
            parts.append(_swatch(colour, f"{i18n.fmt_num(lower, lg, 0)} – {i18n.fmt_num(upper, lg, 0)}"))
            lower = upper
        parts.append(_swatch(NO_DATA_COLOUR, t("map.legend.no_data", lg)) + "<br>")
    if "offers" in layers:
        parts.append(_swatch(OFFER_COLOUR, t("gap.legend.offers", lg), round_=True))
    st.markdown("".join(parts), unsafe_allow_html=True)


def bivariate_legend() -> None:
    """The 3 × 3 colour key: need rows (high on top) × gap columns (large on the right)."""
    rows = []
    for need in (2, 1, 0):
        cells = "".join(
            f'<td style="background:{PALETTE[need * 3 + gap]};width:22px;height:22px"></td>' for gap in range(3)
        )
        rows.append(f"<tr>{cells}</tr>")
    st.markdown(
        f'<table style="border-collapse:collapse">{"".join(rows)}</table><small>{html.escape(t("gap.bivariate.legend", lang()))}</small>',
        unsafe_allow_html=True,
    )


def double_need_frame(double: pd.DataFrame, indicator: str) -> pd.DataFrame:
    lg = lang()
    return pd.DataFrame(
        {
            t("fig.area", lg): double["name"].to_numpy(),
            t("gap.need", lg): [need_text(v, indicator, lg) for v in double["need"]],
            t("gap.col.index", lg): [i18n.fmt_num(v, lg, 0) for v in double["gap_index"]],
            t("gap.col.uncovered", lg): [i18n.fmt_int(v, lg) for v in double["uncovered_residents"]],
        }
    ).sort_values(t("gap.col.index", lg), ascending=False)
