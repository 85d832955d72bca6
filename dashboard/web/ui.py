"""The one module of the core that talks to Streamlit: caching, widgets, legend, banners.

Pages call these helpers and the plain functions of the core; nothing here
computes results of its own.
"""

from __future__ import annotations

import html
import runpy
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import geopandas as gpd
import pandas as pd
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from dashboard import i18n
from dashboard.analysis import gaps, indicators
from dashboard.analysis.bivariate import (
    BUILTIN_NEEDS,
    PALETTE,
    area_need_columns,
    need_text,
)
from dashboard.analysis.city import City, prepare
from dashboard.analysis.classify import (
    NO_DATA_COLOUR,
    SECTOR_COLOURS,
    Classes,
    parse_breaks,
)
from dashboard.analysis.filters import in_bezirk
from dashboard.analysis.gaps import GapParams
from dashboard.analysis.walknet import WalkingDistance
from dashboard.i18n import code_label, t, tn
from dashboard.ingest import importer, importflow
from dashboard.ingest.importer import ImportPlan
from dashboard.ingest.validation import Problem, validate_workspace
from dashboard.maps.gap_map import DISTANCE_COLOURS, DISTANCE_STEPS, OFFER_COLOUR
from dashboard.maps.karte import (
    PARTICIPATION_COLOUR,
    MapData,
    SetView,
    prepare_map_data,
)
from dashboard.model import auth, params, schema, share_state
from dashboard.model.roles import ANONYMOUS, Role, User, workspace_for
from dashboard.model.scenario import SCENARIO_PREFIX, NewOffer, Scenario
from dashboard.model.share_state import GAP_LAYERS, ViewState
from dashboard.model.targets import DEFAULT_THRESHOLD_M
from dashboard.model.view import CLASSIFICATIONS, LAYER_KEYS, MEASURES, MapView
from dashboard.model.workspace import Workspace
from dashboard.reports import gap_figures
from dashboard.store import gpkgfile
from dashboard.store.base import StoreError
from dashboard.store.settings import Settings, load_settings

APP = Path(__file__).resolve().parents[2] / "app.py"


def through_entry() -> None:
    """Make sure a page runs inside app.py (navigation, language, page setup).

    Streamlit runs the first session after a server start in its old
    pages-folder mode, which executes a linked page file (e.g. /luecken)
    directly; the page then hands over to app.py, which routes back to it.
    """
    if PagesManager.uses_pages_directory:
        runpy.run_path(str(APP), run_name="__main__")
        st.stop()


def open_page(title_key: str) -> tuple[str, Loaded]:
    """What every page does first: run inside app.py, load the city, title, demo notice and data date."""
    through_entry()
    loaded = load()
    if not embedded():  # an embedded map has no title and no sidebar
        st.title(t(title_key, lang(), city=loaded.city.name))
        role_badge(lang())
    s = st.session_state  # a link's notice stays on the page it opened (a map's first report reruns it at once)
    if (notices := s.get("_link_notices")) and s.setdefault("_link_notices_page", title_key) == title_key:
        st.warning(t("share.notice", lang(), names=", ".join(f"`{n}`" for n in notices)))
    else:
        s.pop("_link_notices", None)
    banners(loaded.city)
    return lang(), loaded


def embedded() -> bool:
    """``?view=embed``: only the map, no sidebar, state from the link (Streamlit's own ``embed`` is invisible to the app)."""
    return st.query_params.get("view") == "embed"


#: State fields held by one checkbox per option: field → (key prefix, options).
_SPREAD = {"layers": ("layer_", LAYER_KEYS), "gap_layers": ("gap_layer_", GAP_LAYERS)}
#: Map positions (lat, lon, zoom): the link's, under the field name; where the reader moved the map, under "_live_" + name.
_POSITIONS = ("map_pos", "gap_map_pos")


def _to_session(state: ViewState) -> None:
    """Seed the widget keys with a link's view, before any widget exists."""
    s = st.session_state
    s["lang"] = state.lang
    for name, value in state.fields.items():
        if name in _SPREAD:
            prefix, options = _SPREAD[name]
            s.update({f"{prefix}{k}": k in value for k in options})
        elif name == "gap_weights":
            s.update({f"gap_weight_{c}": w for c, w in zip(params.COMPONENTS, value, strict=False)})
        elif name == "gap_threshold":
            s[f"gap_threshold_{state.get('gap_group')}"] = value
        elif name == "gap_breaks":
            s["gap_breaks"] = ", ".join(f"{b:g}" for b in value)
        else:
            s[name] = list(value) if isinstance(value, tuple) and name not in _POSITIONS else value


def _from_session(page: str) -> ViewState:
    """The current view of ``page`` as the widgets (or, embedded, the link) hold it."""
    s = st.session_state
    fields = {}
    for param in share_state.PARAMS[page]:
        name = param.name
        if name in _SPREAD:
            prefix, options = _SPREAD[name]
            value = frozenset(k for k in options if s.get(f"{prefix}{k}", k in param.default))
        elif name == "gap_weights":
            value = tuple(
                int(s.get(f"gap_weight_{c}", d)) for c, d in zip(params.COMPONENTS, param.default, strict=False)
            )
        elif name == "gap_threshold":
            group = s.get("gap_group", "alle")
            value = s.get(f"gap_threshold_{group}")
            value = None if value in (None, DEFAULT_THRESHOLD_M[group]) else int(value)
        elif name == "gap_breaks":
            value = parse_breaks(s.get("gap_breaks", "")) or param.default
        elif name in _POSITIONS:  # where the reader moved the map, else where the link opened it
            value = s.get(f"_live_{name}") or s.get(name)
        else:  # a segmented control can be cleared (None): the page then shows its default
            value = s.get(name) if s.get(name) is not None else param.default
        fields[name] = tuple(value) if isinstance(value, list) else value
    if page == "luecken" and fields["gap_classification"] == "user" and not parse_breaks(s.get("gap_breaks", "20")):
        fields["gap_classification"] = "quantiles"  # unreadable breaks: the analysis falls back, and so does the link
    return ViewState(page, lang(), fields)


def start_from_link() -> str:
    """First run of a session: the link's view into the widget keys, then a fresh run; the page to start on.

    The fresh run makes the seeded values old state, so widgets take them without Streamlit's
    "default value and Session State" warning.
    """
    s = st.session_state
    if "_link_page" not in s:
        city = load().city
        params = st.query_params.to_dict()
        if page := _app_url()[1]:
            params.setdefault("p", page)  # a link to a page's path, e.g. /profil?gebiet=01
        state, notices = share_state.decode(
            params,
            known_area_ids=[*city.units["area_id"], *city.bezirke["area_id"]],
            known_offer_ids=city.offers["offer_id"],
            known_needs=[*BUILTIN_NEEDS, *area_need_columns(city)],
        )
        _to_session(state)
        s["_link_page"], s["_link_notices"] = state.page, notices
        st.rerun()
    return s["_link_page"]


def _app_url() -> tuple[str, str]:
    """The app's base URL and the page its path names ("" if none); ``st.context.url`` has no query."""
    parts = urlsplit(st.context.url or "")
    origin = f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""
    path = parts.path.rstrip("/")
    head, _, last = path.rpartition("/")
    if last in share_state.PAGES:
        return f"{origin}{head}/", last
    return f"{origin}{path}/", ""


def sync_url(page: str) -> None:
    """Write the current view into the URL (when it changed) and offer it as a link; pages call this last."""
    if embedded():
        return
    params = share_state.encode(_from_session(page))
    if params != st.query_params.to_dict():
        st.query_params.from_dict(params)
    link = _app_url()[0] + (f"?{urlencode(params, safe=',:.')}" if params else "")
    with st.sidebar.popover(t("share.button", lang()), icon=":material/share:", width="stretch"):
        st.caption(t("share.caption", lang()))
        st.code(link, language=None, wrap_lines=True)
        if page in share_state.EMBEDDABLE:
            st.caption(t("share.embed", lang()))
            st.code(share_state.iframe(link), language="html", wrap_lines=True)


def place_map(fmap, key: str = "map_pos") -> None:
    """Open the map where a link's ``pos`` says (without one, it stays fitted to its data).

    Only the link's position goes into the map: the live one (see ``follow_map``) would change
    the map's script on every pan, and st_folium would build the map anew.
    """
    if pos := st.session_state.get(key):
        SetView(*pos).add_to(fmap)


def follow_map(result: dict | None, key: str = "map_pos") -> None:
    """Remember where the reader panned or zoomed the map, for the URL only (st_folium returns "center", "zoom").

    A newly built map reports nothing at first, then its opening view (the link's or fitted to the
    data): that first report is no move and writes no position. Each later report that differs
    from it is the live position; back at the opening view, the link falls back to the link's.
    """
    s = st.session_state
    opening, live = f"_opening_{key}", f"_live_{key}"
    center, zoom = (result or {}).get("center"), (result or {}).get("zoom")
    if not center or zoom is None:  # a new map in the browser: it opens where place_map put it
        s.pop(opening, None)
        s.pop(live, None)
        return
    pos = share_state.map_position(center["lat"], center["lng"], zoom)
    if opening not in s:
        s[opening] = pos
    else:
        s[live] = None if pos == s[opening] else pos


def map_columns(spec: list[int]):
    """Map and side column; embedded, the map alone at full width (side column None)."""
    if embedded():
        return st.container(), None
    return st.columns(spec, gap="medium")


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
    """The deployment's settings; a database URL may also come from the secrets."""
    try:
        secrets = dict(st.secrets) if st.secrets else {}
    except FileNotFoundError:
        secrets = {}
    return load_settings(secrets=secrets)


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


@st.cache_resource(show_spinner=False, max_entries=4)
def _load(version: str, location: str, role: Role) -> Loaded:
    stored = gpkgfile.read_geopackage(gpkgfile.DEMO_PATH) if location == DEMO else settings().store(role).read()
    workspace = workspace_for(stored, role)  # from here on a viewer's data has no contact fields
    city = prepare(workspace)
    return Loaded(version, workspace, validate_workspace(workspace), city, prepare_map_data(city))


#: ``_load``'s name for the demo city (shown while the store holds no areas).
DEMO = "demo"


def load() -> Loaded:
    """The configured city as the session's role may see it – read and prepared once per data version and role.

    This is where viewers lose the private fields (see ``roles.py``); the role is part of
    ``version``, so no cache keyed by it can hand an editor's result to a viewer. The store's
    version is one cheap question per rerun, so every instance sees another's saves at once.
    """
    s = settings()
    role = current_user().role
    try:
        if s.uses_demo:
            return _load(f"{DEMO}:{_data_version(gpkgfile.DEMO_PATH)}:{role.value}", DEMO, role)
        data_store = s.store(role)
        return _load(f"{data_store.version()}:{role.value}", str(s.store_location), role)
    except StoreError as err:
        st.error(err.text(lang()), icon="⚠️")
        st.stop()


def banners(city: City) -> None:
    """Demo notice and data date, shown at the top of every page that shows data."""
    if city.is_demo:
        st.info(t("app.demo_banner", lang(), city=city.name), icon="ℹ️")
    if city.data_date:
        st.caption(t("app.data_date", lang(), date=i18n.fmt_date(city.data_date, lang())))


def map_view_controls(city: City) -> MapView:
    """Sidebar widgets → the view of the Karte page (embedded: no widgets, the link's view)."""
    if not embedded():
        _map_widgets(city)
    state = _from_session("karte")
    return MapView(
        layers=state.get("layers"),
        bezirk=state.get("bezirk"),
        sectors=state.get("sectors"),
        categories=state.get("categories"),
        target_groups=state.get("target_groups"),
        min_level=state.get("min_level"),
        measure=state.get("measure"),
        threshold_m=int(state.get("threshold")),
        classification=state.get("classification"),
        selected=state.get("selected"),
    )


def _map_widgets(city: City) -> None:
    lg = lang()
    side = st.sidebar
    bezirk_picker(city, "bezirk")
    side.subheader(t("map.layers", lg))
    for key in LAYER_KEYS:
        side.checkbox(t(f"map.layer.{key}", lg), value=key in MapView().layers, key=f"layer_{key}")
    side.radio(
        t("map.measure", lg),
        MEASURES,
        format_func=lambda m: t(f"map.measure.short.{m}", lg, threshold=st.session_state.get("threshold", 500)),
        key="measure",
    )
    side.subheader(t("map.filters", lg))
    side.multiselect(
        t("map.filter.sectors", lg),
        schema.SECTORS,
        default=list(schema.SECTORS),
        format_func=lambda c: code_label(c, lg),
        key="sectors",
    )
    side.multiselect(
        t("map.filter.categories", lg),
        schema.CATEGORIES,
        default=list(schema.CATEGORIES),
        format_func=lambda c: code_label(c, lg),
        key="categories",
    )
    side.multiselect(
        t("map.filter.target_groups", lg),
        schema.TARGET_GROUPS,
        default=list(schema.TARGET_GROUPS),
        format_func=lambda c: code_label(c, lg),
        key="target_groups",
    )
    side.select_slider(
        t("map.filter.min_level", lg),
        schema.LEVELS,
        value=schema.DEFAULT_PARTICIPATION_LEVEL,
        format_func=lambda c: code_label(c, lg),
        key="min_level",
    )
    side.number_input(t("map.filter.threshold", lg), min_value=100, max_value=3000, value=500, step=50, key="threshold")
    side.selectbox(
        t("map.filter.classification", lg),
        CLASSIFICATIONS,
        format_func=lambda c: t(f"classify.{c}", lg),
        key="classification",
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
    for colour, upper in zip(classes.colours, classes.bounds, strict=False):
        parts.append(_swatch(colour, f"{fmt(lower)} – {fmt(upper)}"))
        lower = upper
    parts.append(_swatch("#d9d9d9", t("map.legend.no_data", lg)))
    parts.append(
        "<br><small>"
        + html.escape(
            t("map.legend.classes", lg, method=t(f"classify.{view.classification}", lg), k=len(classes.bounds))
        )
        + "</small>"
    )
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
    return pd.DataFrame(rows, columns=["", t("fig.area", lg), t("fig.bezirk", lg), t("fig.city_value", lg)]).set_index(
        ""
    )


@st.cache_data(show_spinner=False, max_entries=64)
def _unit_table(version: str, view: MapView, _city: City) -> pd.DataFrame:
    return indicators.unit_table(_city, view)


def unit_table(version: str, city: City, view: MapView) -> pd.DataFrame:
    """Key figures per Quartier, cached per data version and view."""
    return _unit_table(
        version,
        replace(
            view,
            selected=None,
            bezirk=None,
            layers=frozenset(),
            sectors=(),
            classification="quantiles",
            measure="uncovered_share",
        ),
        city,
    )


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
    """Sidebar choice of one Stadtbezirk (None = whole city; embedded: the link's)."""
    if embedded():
        return st.session_state.get(key)
    lg = lang()
    bezirke = dict(zip(city.bezirke["area_id"], city.bezirke["name"], strict=False))
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
    if not embedded():
        _gap_widgets(city)
    state = _from_session("luecken")
    group, classification = state.get("gap_group"), state.get("gap_classification")
    weights = tuple(w / 100 for w in state.get("gap_weights"))
    return GapParams(
        target_group=group,
        threshold_m=state.get("gap_threshold") or DEFAULT_THRESHOLD_M[group],
        detour=float(state.get("gap_detour")),
        min_level=state.get("gap_min_level"),
        min_residents=int(state.get("gap_min_residents")),
        weights=weights if sum(weights) > 0 else params.DEFAULT_WEIGHTS,
        classification=classification,
        breaks=state.get("gap_breaks") if classification == "user" else (),
        distance=state.get("gap_distance") if city.paths is not None else "luftlinie",
    )


def _gap_widgets(city: City) -> None:
    lg = lang()
    side = st.sidebar
    group = side.selectbox(
        t("gap.target_group", lg),
        schema.TARGET_GROUPS,
        index=schema.TARGET_GROUPS.index("alle"),
        format_func=lambda c: code_label(c, lg),
        key="gap_group",
    )
    side.number_input(
        t("map.filter.threshold", lg),
        100,
        3000,
        value=DEFAULT_THRESHOLD_M[group],
        step=50,
        key=f"gap_threshold_{group}",
    )
    distance = "luftlinie"
    if city.paths is None:
        side.caption(t("gap.distance.no_network", lg))
    else:
        distance = side.radio(
            t("gap.distance", lg),
            ("luftlinie", "fussweg"),
            format_func=lambda d: t(f"gap.distance.{d}", lg),
            horizontal=True,
            key="gap_distance",
        )
    side.slider(t("gap.detour", lg), 1.0, 2.0, 1.0, 0.05, key="gap_detour", disabled=distance == "fussweg")
    side.select_slider(
        t("map.filter.min_level", lg),
        schema.LEVELS,
        value=schema.DEFAULT_PARTICIPATION_LEVEL,
        format_func=lambda c: code_label(c, lg),
        key="gap_min_level",
    )
    with side.expander(t("gap.weights", lg)):
        for c, w in zip(params.COMPONENTS, params.DEFAULT_WEIGHTS, strict=False):
            st.slider(t(f"gap.component.{c}", lg), 0, 100, int(w * 100), 5, key=f"gap_weight_{c}")
    side.number_input(t("gap.min_residents", lg), 0, 5000, 300, 50, key="gap_min_residents")
    classification = side.selectbox(
        t("map.filter.classification", lg),
        (*CLASSIFICATIONS, "user"),
        format_func=lambda c: t(f"classify.{c}", lg),
        key="gap_classification",
    )
    if classification == "user":
        text = side.text_input(t("gap.breaks", lg), "20, 40, 60, 80", key="gap_breaks")
        if parse_breaks(text) is None:
            side.warning(t("gap.breaks_invalid", lg, text=text))


def gap_layers() -> frozenset[str]:
    if embedded():
        return _from_session("luecken").get("gap_layers")
    lg = lang()
    st.sidebar.subheader(t("gap.layers", lg))
    defaults = {"grid": True, "index": False, "offers": True}  # the grid reads best on its own
    return frozenset(
        k for k, on in defaults.items() if st.sidebar.checkbox(t(f"gap.layer.{k}", lg), value=on, key=f"gap_layer_{k}")
    )


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
    parts = [
        _isochrone(loaded.version, float(x), float(y), loaded.city)
        for x, y in zip(shown["x"], shown["y"], strict=False)
    ]
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
        st.selectbox(
            t("map.filter.categories", lg),
            schema.CATEGORIES,
            format_func=lambda c: code_label(c, lg),
            key="gap_new_category",
        )
        st.multiselect(
            t("map.filter.target_groups", lg),
            schema.TARGET_GROUPS,
            default=["alle"],
            format_func=lambda c: code_label(c, lg),
            key="gap_new_groups",
        )
        st.select_slider(
            t("map.filter.min_level", lg),
            schema.LEVELS,
            value="mitwirkung",
            format_func=lambda c: code_label(c, lg),
            key="gap_new_level",
        )
        st.number_input(t("gap.scenario.capacity", lg), 0, 1000, 30, 5, key="gap_new_capacity")
    with off_col:
        existing = before.offers.sort_values("name")
        labels = dict(zip(existing["offer_id"], existing["name"], strict=False))
        choice = st.selectbox(
            t("gap.scenario.disable", lg), list(labels), format_func=lambda i: labels[i], key="gap_toggle_offer"
        )
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
        tn("gap.scenario.changes", len(current.added), lg, added=len(current.added), disabled=len(current.disabled))
        + " "
        + gap_figures.scenario_effect(before, after, lg)
    )
    st.dataframe(gap_figures.scenario_frame(gaps.compare(before, after), lg), hide_index=True, width="stretch")


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
        parts.extend(_swatch(c, label) for c, label in zip(DISTANCE_COLOURS, labels, strict=False))
        parts.append("<br>")
    if "index" in layers:
        parts.append(
            f"<b>{html.escape(t('gap.legend.index', lg, method=t(f'classify.{p.classification}', lg)))}</b><br>"
        )
        lower = result.classes.lower
        for colour, upper in zip(result.classes.colours, result.classes.bounds, strict=False):
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


# --- who is using this session (OIDC login, password sign-in or nobody) ---
# The signed-in user lives in server-side session state (a ``User`` no widget or URL can set);
# everyone else is an anonymous viewer. The rules are in ``auth.py`` and ``roles.py``.

_USER_KEY = "_signed_in_user"


def auth_secrets() -> Mapping:
    """The [auth] section of the secrets ({} when there is none or no secrets file)."""
    try:
        return st.secrets.get("auth", {})
    except FileNotFoundError:
        return {}


@st.cache_resource(show_spinner=False)
def limiter() -> auth.RateLimiter:
    """One rate limiter for all sessions of this server process."""
    return auth.RateLimiter()


def current_user() -> User:
    """The signed-in user of this session, or the anonymous viewer."""
    settings = auth_secrets()
    if auth.oidc_configured(settings) and st.user.get("is_logged_in"):
        return auth.oidc_user(st.user.get("email"), st.user.get("email_verified"), settings)
    return st.session_state.get(_USER_KEY, ANONYMOUS)


def password_sign_in(name: str, password: str) -> User:
    """Check name and password against the configured accounts; raises ``auth.SignInRefused``."""
    client = st.context.ip_address or "unbekannt"
    user = auth.sign_in(auth.accounts(auth_secrets()), name, password, client, limiter())
    st.session_state[_USER_KEY] = user
    return user


def sign_out() -> None:
    st.session_state.pop(_USER_KEY, None)
    if auth.oidc_configured(auth_secrets()) and st.user.get("is_logged_in"):
        st.logout()


def role_badge(lang: str) -> None:
    """The reader's role in the sidebar of every page."""
    user = current_user()
    text = t("roles.badge.editor", lang, name=user.name) if user.is_editor else t("roles.badge.viewer", lang)
    st.sidebar.caption(text)


# --- Daten laden: an upload kept for the session, its import plan computed once per choice ---


def saved_upload(files) -> tuple[Path, str]:
    """The uploaded file(s) on disk (a Shapefile's parts side by side): the path to read and its name."""
    s = st.session_state
    key = tuple(sorted((f.name, f.size, f.file_id) for f in files))
    if s.get("_upload_key") != key:
        folder = Path(tempfile.mkdtemp(prefix="quartiersatlas-upload-"))
        for f in files:
            (folder / Path(f.name).name).write_bytes(f.getvalue())
        s["_upload_key"], s["_upload_folder"] = key, folder
    names = [Path(f.name).name for f in files]
    main = next((n for n in names if n.lower().endswith(".shp")), names[0])
    return s["_upload_folder"] / main, main


def forget_upload() -> None:
    """Drop the upload and its plan; a new uploader key empties the widget."""
    s = st.session_state
    folder = s.pop("_upload_folder", None)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)
    for key in ("_upload_key", "_import_plan"):
        s.pop(key, None)
    s["load_files_round"] = s.get("load_files_round", 0) + 1


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
def _store_export(version: str, _data_store) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "export.gpkg"
        _data_store.export_geopackage(out)
        return out.read_bytes()


def store_export(data_store) -> bytes:
    """The whole store as GeoPackage bytes (editors' download), made once per data version."""
    return _store_export(data_store.version(), data_store)
