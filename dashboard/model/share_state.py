"""View state ↔ URL query parameters: the one place that defines a share link.

A link carries the page and every setting of its view, so that opening it in a
fresh browser shows the same view. Defaults are left out, so a plain view has a
short link. Reading a link never fails: unknown, malformed, out-of-range or
hostile parameters are dropped (numbers are clamped) and reported by *name*
only – a value from a link is never shown back.

Parameters (format ``v=1``):

=========  ==========  ================================================================
page       key         value
=========  ==========  ================================================================
all        ``v``       format version (1); a newer version is ignored with a notice
all        ``p``       page: karte (default), luecken, akteure, profil, vergleich, quellen
all        ``lang``    de (default) | en
all        ``view``    ``embed``: minimal map view for an iframe (read by the app, not here)
all        ``ansicht`` id of a saved view (8 characters ``A-Za-z0-9_-``): the app opens the query stored
                       under it, through ``decode`` like any link; the link's other parameters are ignored
karte      ``b``       Stadtbezirk id
karte      ``l``       layers, comma list of bezirke, choropleth, actors, housing, offers
karte      ``m``       measure: uncovered_share | offers_per_1000
karte      ``sec``     sectors, comma list (``-`` = none)
karte      ``cat``     offer categories, comma list (``-`` = none)
karte      ``tg``      target groups, comma list (``-`` = none)
karte      ``lv``      minimum participation level
karte      ``t``       threshold in m (100–3000)
karte      ``c``       classification: quantiles | natural_breaks
karte      ``sel``     selected Quartier id
karte      ``pos``     map position ``lat,lon,zoom`` (zoom 1–18, may be fractional); follows pan and zoom
luecken    ``b``       Stadtbezirk id
luecken    ``g``       target group
luecken    ``t``       threshold in m (100–3000; default: the group's)
luecken    ``d``       distance: luftlinie | fussweg
luecken    ``u``       detour factor (1.0–2.0)
luecken    ``lv``      minimum participation level
luecken    ``w``       weights of the three index components, ``50,30,20`` (0–100 each)
luecken    ``r``       minimum residents (0–5000)
luecken    ``c``       classification: quantiles | natural_breaks | user
luecken    ``k``       user class breaks, comma list of numbers
luecken    ``l``       layers, comma list of grid, index, offers
luecken    ``vw``      map | need
luecken    ``n``       need indicator
luecken    ``sel``     selected Quartier id
luecken    ``pos``     map position ``lat,lon,zoom``, as on the Karte
luecken    ``s``       scenario, see below
profil     ``gebiet``  area id
vergleich  ``a``       up to four area ids, comma list
akteure    ``q``       search text (up to 100 characters)
akteure    ``vw``      directory | network
=========  ==========  ================================================================

Scenario ``s``: items separated by ``;``. A planned offer is
``lon,lat,category,group.group,level,capacity`` (lon/lat with 5 decimals,
capacity may be empty); an existing offer switched off is ``x:<offer id>``
(percent-encoded).
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

from dashboard.model import schema, viewspec
from dashboard.model.scenario import NewOffer, Scenario
from dashboard.model.view import CLASSIFICATIONS
from dashboard.model.viewspec import BUILTIN_NEEDS, COMPONENTS, Setting

VERSION = 1
PAGES = ("karte", "luecken", "akteure", "standorte", "profil", "vergleich", "quellen")
LANGUAGES = ("de", "en")
MAX_VALUE = 4000  # characters of one value (a scenario of ~60 offers)
MAX_PARAMS = 40
MAX_NOTICES = 10
MAX_QUERY = 100
MAX_OFFERS = 50
EMPTY = "-"


class Invalid(ValueError):
    """A value that cannot be used; the parameter is dropped."""


class Adjusted(Exception):
    """A usable value that had to be changed (e.g. clamped); it is kept, with a notice."""

    def __init__(self, value: Any):
        self.value = value


@dataclass(frozen=True)
class Known:
    """What the data contains: ids a link may name."""

    area_ids: frozenset[str] = frozenset()
    offer_ids: frozenset[str] = frozenset()
    needs: frozenset[str] = frozenset(BUILTIN_NEEDS)


@dataclass(frozen=True)
class Codec:
    """How one field is written (``dump``) and read (``load``, may raise Invalid/Adjusted)."""

    dump: Callable[[Any], str]
    load: Callable[[str, Known], Any]


def _finite(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise Invalid(text) from None
    if not math.isfinite(value):
        raise Invalid(text)
    return value


def _clamped(value, low, high):
    if value < low or value > high:
        raise Adjusted(min(max(value, low), high))
    return value


def integer(low: int, high: int) -> Codec:
    def load(text: str, _: Known) -> int:
        value = _finite(text)
        if value != int(value) or len(text) > 12:
            raise Invalid(text)
        return _clamped(int(value), low, high)

    return Codec(str, load)


def decimal(low: float, high: float, digits: int = 2) -> Codec:
    def load(text: str, _: Known) -> float:
        return _clamped(round(_finite(text), digits), low, high)

    return Codec(lambda v: f"{v:g}", load)


def choice(options: Iterable[str]) -> Codec:
    options = tuple(options)

    def load(text: str, _: Known) -> str:
        if text not in options:
            raise Invalid(text)
        return text

    return Codec(str, load)


def _split(text: str) -> list[str]:
    return [] if text == EMPTY else text.split(",")


def _join(values: Iterable[str]) -> str:
    return ",".join(values) or EMPTY


def codes(options: Iterable[str]) -> Codec:
    """An ordered choice of several codes (a multiselect); unknown codes make it Adjusted."""
    options = tuple(options)

    def load(text: str, _: Known) -> tuple[str, ...]:
        parts = _split(text)
        kept = tuple(dict.fromkeys(p for p in parts if p in options))
        if len(kept) != len(parts):
            raise Adjusted(kept)
        return kept

    return Codec(_join, load)


def code_set(options: Iterable[str]) -> Codec:
    """A set of codes (checkboxes), written in the fixed order of ``options``."""
    options = tuple(options)
    ordered = codes(options)

    def load(text: str, known: Known) -> frozenset[str]:
        try:
            return frozenset(ordered.load(text, known))
        except Adjusted as adjusted:
            raise Adjusted(frozenset(adjusted.value)) from None

    return Codec(lambda v: _join(o for o in options if o in v), load)


def _area(text: str, known: Known) -> str:
    if text not in known.area_ids:
        raise Invalid(text)
    return text


def _need(text: str, known: Known) -> str:
    if text not in known.needs:
        raise Invalid(text)
    return text


def _areas(text: str, known: Known) -> tuple[str, ...]:
    parts = _split(text)
    kept = tuple(dict.fromkeys(p for p in parts if p in known.area_ids))[:4]
    if len(kept) != len(parts):
        raise Adjusted(kept)
    return kept


def _query(text: str, _: Known) -> str:
    if len(text) > MAX_QUERY or any(ch in text for ch in "<>") or not text.isprintable():
        raise Invalid(text)
    return text


def _weights(text: str, known: Known) -> tuple[int, int, int]:
    parts = text.split(",")
    if len(parts) != len(COMPONENTS):
        raise Invalid(text)
    one = integer(0, 100)
    values, adjusted = [], False
    for part in parts:
        try:
            values.append(one.load(part, known))
        except Adjusted as a:
            values.append(a.value)
            adjusted = True
    if adjusted:
        raise Adjusted(tuple(values))
    return tuple(values)


def _breaks(text: str, _: Known) -> tuple[float, ...]:
    values = tuple(_finite(p) for p in text.split(","))
    if not 1 <= len(values) <= 10 or list(values) != sorted(set(values)):
        raise Invalid(text)
    return values


def _position(text: str, known: Known) -> tuple[float, float, float]:
    parts = text.split(",")
    if len(parts) != 3:
        raise Invalid(text)
    values, adjusted = [], False
    for part, codec in zip(parts, (decimal(-90, 90, 5), decimal(-180, 180, 5), decimal(1, 18)), strict=False):
        try:
            values.append(codec.load(part, known))
        except Adjusted as a:  # clamp this part, keep the others
            values.append(a.value)
            adjusted = True
    if adjusted:
        raise Adjusted(tuple(values))
    return tuple(values)


#: Decimals of a longitude or latitude in a link (5: about 1 m).
COORDINATE_DIGITS = 5


def _coordinate(value: float) -> str:
    """A coordinate as a link writes it, without trailing zeros."""
    return f"{value:.{COORDINATE_DIGITS}f}".rstrip("0").rstrip(".")


def place(lon: float, lat: float) -> tuple[float, float]:
    """A clicked or typed place rounded exactly as a link keeps it, so the link reproduces the same figures."""
    return round(lon, COORDINATE_DIGITS), round(lat, COORDINATE_DIGITS)


def map_position(lat: float, lon: float, zoom: float) -> tuple[float, float, float]:
    """A Leaflet view as a link keeps it: 5 decimals (about 1 m), longitude wrapped, zoom 1–18."""
    lon = (lon + 180) % 360 - 180  # a map panned round the globe
    return round(min(max(lat, -90.0), 90.0), 5), round(lon, 5), round(min(max(zoom, 1.0), 18.0), 2)


def _dump_scenario(scenario: Scenario) -> str:
    added = (
        ",".join(
            (
                _coordinate(o.lon),
                _coordinate(o.lat),
                o.category,
                ".".join(o.target_groups),
                o.level,
                "" if o.capacity is None else str(o.capacity),
            )
        )
        for o in scenario.added
    )
    disabled = (f"x:{quote(i, safe='')}" for i in scenario.disabled)
    return ";".join((*added, *disabled))


def _load_offer(text: str, known: Known) -> NewOffer:
    parts = text.split(",")
    if len(parts) != 6:
        raise Invalid(text)
    lon, lat = place(_finite(parts[0]), _finite(parts[1]))
    groups = tuple(dict.fromkeys(parts[3].split(".")))
    if not (-180 <= lon <= 180 and -90 <= lat <= 90) or not set(groups) <= set(schema.TARGET_GROUPS):
        raise Invalid(text)
    category = choice(schema.CATEGORIES).load(parts[2], known)
    level = choice(schema.LEVELS).load(parts[4], known)
    capacity = integer(0, 1000).load(parts[5], known) if parts[5] else None
    return NewOffer(lon, lat, category, groups, level, capacity)


def _load_scenario(text: str, known: Known) -> Scenario:
    added: list[NewOffer]
    added, disabled, dropped = [], [], False
    for item in text.split(";")[: 2 * MAX_OFFERS]:
        try:
            if item.startswith("x:"):
                offer_id = unquote(item[2:])
                if offer_id not in known.offer_ids:
                    raise Invalid(item)
                disabled.append(offer_id)
            elif len(added) < MAX_OFFERS:
                added.append(_load_offer(item, known))
            else:
                raise Invalid(item)
        except (Invalid, Adjusted):
            dropped = True
    scenario = Scenario(tuple(added), tuple(dict.fromkeys(disabled)))
    if dropped or text.count(";") >= 2 * MAX_OFFERS:
        raise Adjusted(scenario)
    return scenario


@dataclass(frozen=True)
class Param:
    """One URL parameter: its key, the state field it carries, the field's default and codec."""

    key: str
    name: str
    default: Any
    codec: Codec


def _codec(setting: Setting) -> Codec:
    """How a setting is written, from its spec: a choice of options, or a whole or decimal number in its range."""
    if setting.options:
        return choice(setting.options)
    assert setting.low is not None and setting.high is not None  # numbers have a range
    if isinstance(setting.default, int):
        return integer(int(setting.low), int(setting.high))
    return decimal(setting.low, setting.high)


def param(setting: Setting, prefix: str = "", codec: Codec | None = None, default: Any = ...) -> Param:
    """The URL parameter of a view setting: its spec's key and default, the page's field name."""
    return Param(
        setting.url_key,
        prefix + setting.name,
        setting.default if default is ... else default,
        codec or _codec(setting),
    )


LEVEL = choice(schema.LEVELS)
POSITION = Codec(lambda p: f"{_coordinate(p[0])},{_coordinate(p[1])},{p[2]:g}", _position)
AREA = Codec(str, _area)
GAP = viewspec.GAP_PREFIX
SITES = "sites_"

#: What a gap analysis depends on, shared by the Lückenanalyse and the Standortplanung.
_GAP_ANALYSIS = (
    param(viewspec.BEZIRK, GAP, codec=AREA),
    param(viewspec.TARGET_GROUP, GAP),
    param(viewspec.THRESHOLD, GAP, default=None),  # None: the target group's own threshold
    param(viewspec.DISTANCE, GAP),
    param(viewspec.DETOUR, GAP),
    param(viewspec.MIN_LEVEL, GAP),
)
_SCENARIO = param(viewspec.SCENARIO, codec=Codec(_dump_scenario, _load_scenario))

#: Page-specific parameters; the field names are the widget keys of the pages (see dashboard.web).
PARAMS: dict[str, tuple[Param, ...]] = {
    "karte": (
        param(viewspec.BEZIRK, codec=AREA),
        param(viewspec.LAYERS, codec=code_set(viewspec.LAYERS.options)),
        param(viewspec.MEASURE),
        param(viewspec.SECTORS, codec=codes(viewspec.SECTORS.options)),
        param(viewspec.CATEGORIES, codec=codes(viewspec.CATEGORIES.options)),
        param(viewspec.TARGET_GROUPS, codec=codes(viewspec.TARGET_GROUPS.options)),
        param(viewspec.MIN_LEVEL),
        param(viewspec.THRESHOLD),
        param(viewspec.CLASSIFICATION, codec=choice(CLASSIFICATIONS)),
        param(viewspec.SELECTED, codec=AREA),
        param(viewspec.POSITION, codec=POSITION),
    ),
    "luecken": (
        *_GAP_ANALYSIS,
        param(viewspec.WEIGHTS, GAP, codec=Codec(lambda w: ",".join(map(str, w)), _weights)),
        param(viewspec.MIN_RESIDENTS, GAP),
        param(viewspec.CLASSIFICATION, GAP),
        param(viewspec.BREAKS, GAP, codec=Codec(lambda b: ",".join(f"{v:g}" for v in b), _breaks)),
        param(viewspec.GAP_LAYERS, GAP, codec=code_set(viewspec.GAP_LAYERS.options)),
        param(viewspec.GAP_VIEW, GAP),
        param(viewspec.NEED, GAP, codec=Codec(str, _need)),
        param(viewspec.SELECTED, GAP, codec=AREA),
        param(viewspec.POSITION, GAP, codec=POSITION),
        _SCENARIO,
    ),
    # the Lückenanalyse's analysis settings (the sites answer its gap) and the page's own choices
    "standorte": (
        *_GAP_ANALYSIS,
        param(viewspec.NEW_SITES, SITES),
        param(viewspec.SITE_CAPACITY, SITES),
        param(viewspec.SOLVER, SITES),
        _SCENARIO,
    ),
    "profil": (Param("gebiet", "profile_area", None, AREA),),
    "vergleich": (Param("a", "cmp_areas", (), Codec(_join, _areas)),),
    "akteure": (
        Param("q", "actors_query", "", Codec(str, _query)),
        Param("vw", "actors_view", "directory", choice(("directory", "network"))),
    ),
    "quellen": (),
}


@dataclass(frozen=True)
class ViewState:
    """The page, the language and the page's fields that differ from their defaults."""

    page: str = PAGES[0]
    lang: str = LANGUAGES[0]
    fields: Mapping[str, Any] = field(default_factory=dict)

    def get(self, name: str) -> Any:
        """A field's value, or its default."""
        if name in self.fields:
            return self.fields[name]
        return next(p.default for p in PARAMS[self.page] if p.name == name)


def encode(state: ViewState) -> dict[str, str]:
    """Query parameters of a view; defaults are left out (an all-default Karte gives ``{}``)."""
    out = {}
    if state.page != PAGES[0]:
        out["p"] = state.page
    if state.lang != LANGUAGES[0]:
        out["lang"] = state.lang
    for param in PARAMS[state.page]:
        value = state.fields.get(param.name, param.default)
        if value != param.default:
            out[param.key] = param.codec.dump(value)
    return {"v": str(VERSION), **out} if out else {}


def safe_name(key: str) -> str:
    """A parameter name fit to show: letters, digits, ``_`` and ``-`` only, at most 20 characters."""
    cleaned = re.sub(r"[^A-Za-z0-9_-]", "", key)[:20]
    return cleaned or "?"


def _single(value: str | list[str]) -> str:
    if isinstance(value, str):
        values = [value]
    else:
        values = list(value)
    if len(values) != 1 or not isinstance(values[0], str) or len(values[0]) > MAX_VALUE:
        raise Invalid("")
    return values[0]


def decode(
    params: Mapping[str, str | list[str]],
    known_area_ids: Iterable[str] = (),
    known_offer_ids: Iterable[str] = (),
    known_needs: Iterable[str] = BUILTIN_NEEDS,
) -> tuple[ViewState, list[str]]:
    """The view a link describes and the (safe) names of parameters that were dropped or adjusted.

    Never raises: whatever cannot be used keeps its default.
    """
    known = Known(frozenset(known_area_ids), frozenset(known_offer_ids), frozenset(known_needs))
    notices: list[str] = []
    values: dict[str, str] = {}
    for i, (key, raw) in enumerate(params.items()):
        try:
            if i >= MAX_PARAMS or not isinstance(key, str) or len(key) > 20:
                raise Invalid("")
            values[key] = _single(raw)
        except Invalid:
            notices.append(safe_name(str(key)))
    if values.pop("view", None) not in (None, "embed"):
        notices.append("view")
    version = values.pop("v", str(VERSION))
    if version != str(VERSION):
        return ViewState(), [*notices, "v"]
    page = values.pop("p", PAGES[0])
    if page not in PAGES:
        notices.append("p")
        page = PAGES[0]
    lang = values.pop("lang", LANGUAGES[0])
    if lang not in LANGUAGES:
        notices.append("lang")
        lang = LANGUAGES[0]
    fields = {}
    for param in PARAMS[page]:
        if param.key not in values:
            continue
        text = values.pop(param.key)
        try:
            fields[param.name] = param.codec.load(text, known)
        except Adjusted as adjusted:
            fields[param.name] = adjusted.value
            notices.append(param.key)
        except (Invalid, ValueError, OverflowError):
            notices.append(param.key)
    notices.extend(safe_name(key) for key in values)
    return ViewState(page, lang, fields), list(dict.fromkeys(notices))[:MAX_NOTICES]


def query_string(params: Mapping[str, str]) -> str:
    """Encoded parameters as a link writes them (commas, colons and dots left readable)."""
    return urlencode(params, safe=",:.")


#: The key of a saved view's short link, ``?ansicht=<id>``.
SAVED_VIEW = "ansicht"
_VIEW_ID = re.compile(r"[A-Za-z0-9_-]{8}")


def saved_view_id(params: Mapping[str, str | list[str]]) -> str | None:
    """The well-formed id a ``?ansicht=`` link names, else None (the app then says it knows no such view)."""
    try:
        value = _single(params.get(SAVED_VIEW, ""))
    except Invalid:
        return None
    return value if _VIEW_ID.fullmatch(value) else None


def saved_view_link(base: str, view_id: str) -> str:
    """The short link of a saved view, on the app's base URL."""
    return f"{base}?{query_string({SAVED_VIEW: view_id})}"


def link_params(link: str) -> dict[str, list[str]]:
    """The query parameters of a whole link, its page too when the path names one (``…/profil?gebiet=01``).

    For readers outside the browser (the command line): a link pasted from the app's address bar,
    or only its query string, with or without the ``?``.
    """
    text = link.strip()
    if "?" not in text and "://" not in text and "=" in text:
        text = "?" + text
    parts = urlsplit(text)
    params = parse_qs(parts.query, keep_blank_values=True)
    if (page := path_page(parts.path)[1]) and "p" not in params:
        params["p"] = [page]
    return params


def path_page(path: str) -> tuple[str, str]:
    """A path split into the app's base path and the page its last part names ("" if none)."""
    path = path.rstrip("/")
    head, _, last = path.rpartition("/")
    return (f"{head}/", last) if last in PAGES else (f"{path}/", "")


#: Pages with a map that ``view=embed`` shows alone.
EMBEDDABLE = ("karte", "luecken")


def iframe(link: str) -> str:
    """The HTML a web team pastes to embed ``link``'s map: Streamlit's ``embed=true`` drops its
    toolbar, the app's own ``view=embed`` drops sidebar and navigation (``embed`` is invisible to the app)."""
    joiner = "&" if "?" in link else "?"
    src = html.escape(f"{link}{joiner}embed=true&view=embed", quote=True)
    return (
        f'<iframe src="{src}" width="100%" height="600" style="border:0" title="Quartiersatlas" loading="lazy">'
        "</iframe>"
    )
