"""Share links: every view field survives encode → decode, and no link can break the app."""

import re
from urllib.parse import parse_qs, urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.model import schema, share_state
from dashboard.model.scenario import NewOffer, Scenario
from dashboard.model.share_state import (
    PARAMS,
    VERSION,
    ViewState,
    decode,
    encode,
    map_position,
)

AREAS = ("01", "02", "0101", "0102")
OFFERS = ("o1", "o2", "a;b,c%x:y")  # an id with the scenario's separators in it
NEEDS = ("share_65_plus", "share_80_plus", "share_subsidised", "sozialindex")

#: One non-default value per field: (page, field, value).
SAMPLES = [
    ("karte", "bezirk", "02"),
    ("karte", "layers", frozenset({"actors", "housing"})),
    ("karte", "layers", frozenset()),
    ("karte", "measure", "offers_per_1000"),
    ("karte", "sectors", ("kommune", "wohnungswirtschaft")),
    ("karte", "sectors", ()),
    ("karte", "categories", ("bildung",)),
    ("karte", "target_groups", ("senioren", "kinder")),
    ("karte", "min_level", "information"),
    ("karte", "threshold_m", 850),
    ("karte", "classification", "natural_breaks"),
    ("karte", "selected", "0101"),
    ("karte", "map_pos", (52.51234, 13.40001, 14)),
    ("karte", "map_pos", (50.5, 8.9, 11.25)),
    ("luecken", "gap_bezirk", "01"),
    ("luecken", "gap_target_group", "senioren"),
    ("luecken", "gap_threshold_m", 350),
    ("luecken", "gap_distance", "fussweg"),
    ("luecken", "gap_detour", 1.35),
    ("luecken", "gap_min_level", "mitentscheidung"),
    ("luecken", "gap_weights", (0, 40, 60)),
    ("luecken", "gap_min_residents", 0),
    ("luecken", "gap_classification", "user"),
    ("luecken", "gap_breaks", (10.0, 25.5, 90.0)),
    ("luecken", "gap_layers", frozenset({"index"})),
    ("luecken", "gap_view", "need"),
    ("luecken", "gap_need", "sozialindex"),
    ("luecken", "gap_selected", "0102"),
    ("luecken", "gap_map_pos", (48.77612, 9.18, 13.75)),
    (
        "luecken",
        "scenario",
        Scenario((NewOffer(9.12345, 48.5, "bildung", ("kinder", "familien"), "mitwirkung", 40),), ("a;b,c%x:y",)),
    ),
    ("luecken", "scenario", Scenario((NewOffer(-0.00001, 0.0, capacity=None),), ())),
    ("standorte", "gap_bezirk", "02"),
    ("standorte", "gap_target_group", "kinder"),
    ("standorte", "gap_threshold_m", 300),
    ("standorte", "gap_distance", "fussweg"),
    ("standorte", "gap_detour", 1.2),
    ("standorte", "gap_min_level", "konsultation"),
    ("standorte", "sites_new_sites", 7),
    ("standorte", "sites_site_capacity", 40),
    ("standorte", "sites_solver", "exact"),
    ("standorte", "scenario", Scenario((NewOffer(13.4, 52.5, capacity=40),), ("o2",))),
    ("profil", "profile_area", "0102"),
    ("vergleich", "cmp_areas", ("0102", "01", "02")),
    ("akteure", "actors_query", "Stadtteil Müller & Söhne"),
    ("akteure", "actors_view", "network"),
]


def _roundtrip(state: ViewState, via_url: bool = False) -> tuple[ViewState, list[str]]:
    params = encode(state)
    if via_url:  # through a real query string, as a browser sends it
        params = {k: v[0] for k, v in parse_qs(urlencode(params), keep_blank_values=True).items()}
    return decode(params, AREAS, OFFERS, NEEDS)


def test_every_field_has_a_sample():
    fields = {(page, p.name) for page, params in PARAMS.items() for p in params}
    assert fields == {(page, name) for page, name, _ in SAMPLES}


@pytest.mark.parametrize("page, name, value", SAMPLES, ids=[f"{p}-{n}" for p, n, _ in SAMPLES])
def test_each_field_round_trips(page, name, value):
    state = ViewState(page, "en", {name: value})
    decoded, notices = _roundtrip(state, via_url=True)
    assert notices == []
    assert decoded.page == page and decoded.lang == "en"
    assert decoded.get(name) == value


def test_defaults_give_an_empty_link_and_back():
    assert encode(ViewState()) == {}
    assert decode({}, AREAS, OFFERS) == (ViewState(), [])
    assert encode(ViewState("luecken")) == {"v": str(VERSION), "p": "luecken"}


def test_link_is_compact():
    state = ViewState(
        "luecken", fields={"gap_target_group": "senioren", "gap_distance": "fussweg", "gap_threshold_m": 400}
    )
    assert encode(state) == {"v": "1", "p": "luecken", "g": "senioren", "t": "400", "d": "fussweg"}


def test_a_leaflet_view_becomes_a_link_position():
    assert map_position(52.512345678, 13.4000049, 14) == (52.51235, 13.4, 14)
    assert map_position(48.5, 370.25, 12.25) == (48.5, 10.25, 12.25)  # panned once round the globe
    assert map_position(89.9, -540.0, 0) == (89.9, -180.0, 1)  # zoomed out past what a link holds
    assert (
        encode(ViewState(fields={"map_pos": map_position(52.512345678, 13.4000049, 14)}))["pos"] == "52.51235,13.4,14"
    )
    assert encode(ViewState("luecken", fields={"gap_map_pos": (48.7, 9.1, 11.5)}))["pos"] == "48.7,9.1,11.5"


def test_scenario_positions_are_rounded_to_five_decimals():
    state = ViewState("luecken", fields={"scenario": Scenario((NewOffer(9.123456789, 48.987654321),))})
    offer = _roundtrip(state)[0].get("scenario").added[0]
    assert (offer.lon, offer.lat) == (9.12346, 48.98765)


# --- property-based round trips ---------------------------------------------------------


def _codes(options):
    return st.lists(st.sampled_from(options), unique=True).map(tuple)


OFFER = st.builds(
    NewOffer,
    lon=st.floats(-180, 180).map(lambda v: round(v, 5)),
    lat=st.floats(-90, 90).map(lambda v: round(v, 5)),
    category=st.sampled_from(schema.CATEGORIES),
    target_groups=st.lists(st.sampled_from(schema.TARGET_GROUPS), min_size=1, unique=True).map(tuple),
    level=st.sampled_from(schema.LEVELS),
    capacity=st.none() | st.integers(0, 1000),
)
FIELDS = {
    "karte": st.fixed_dictionaries(
        {},
        optional={
            "bezirk": st.sampled_from(AREAS),
            "layers": st.frozensets(st.sampled_from(("bezirke", "choropleth", "actors", "housing", "offers"))),
            "sectors": _codes(schema.SECTORS),
            "categories": _codes(schema.CATEGORIES),
            "target_groups": _codes(schema.TARGET_GROUPS),
            "threshold_m": st.integers(100, 3000),
            "selected": st.sampled_from(AREAS),
            "map_pos": st.tuples(
                st.floats(-90, 90).map(lambda v: round(v, 5)),
                st.floats(-180, 180).map(lambda v: round(v, 5)),
                st.integers(4, 72).map(lambda q: q / 4),
            ),
        },
    ),
    "luecken": st.fixed_dictionaries(
        {},
        optional={
            "gap_target_group": st.sampled_from(schema.TARGET_GROUPS),
            "gap_threshold_m": st.integers(100, 3000),
            "gap_detour": st.integers(100, 200).map(lambda v: v / 100),
            "gap_weights": st.tuples(*[st.integers(0, 100)] * 3),
            "gap_min_residents": st.integers(0, 5000),
            "gap_breaks": st.lists(st.integers(-(10**6), 10**6), min_size=1, max_size=10, unique=True).map(
                lambda v: tuple(float(x) for x in sorted(v))
            ),
            "gap_layers": st.frozensets(st.sampled_from(("grid", "index", "offers"))),
            "gap_map_pos": st.tuples(
                st.floats(-90, 90).map(lambda v: round(v, 5)),
                st.floats(-180, 180).map(lambda v: round(v, 5)),
                st.integers(4, 72).map(lambda q: q / 4),
            ),
            "scenario": st.builds(
                Scenario,
                st.lists(OFFER, max_size=5).map(tuple),
                st.lists(st.sampled_from(OFFERS), unique=True).map(tuple),
            ),
        },
    ),
    "vergleich": st.fixed_dictionaries(
        {}, optional={"cmp_areas": st.lists(st.sampled_from(AREAS), max_size=4, unique=True).map(tuple)}
    ),
    "akteure": st.fixed_dictionaries(
        {},
        optional={
            "actors_query": st.text(
                st.characters(codec="utf-8", categories=("L", "N", "P"), include_characters=" "), max_size=100
            ).filter(lambda q: "<" not in q and ">" not in q)
        },
    ),
}
STATES = st.sampled_from(sorted(FIELDS)).flatmap(
    lambda page: st.builds(ViewState, st.just(page), st.sampled_from(("de", "en")), FIELDS[page])
)


@settings(max_examples=300, deadline=None)
@given(STATES)
def test_any_view_round_trips(state):
    decoded, notices = _roundtrip(state, via_url=True)
    assert notices == []
    assert (decoded.page, decoded.lang) == (state.page, state.lang)
    for param in PARAMS[state.page]:
        assert decoded.get(param.name) == state.get(param.name), param.name


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(("karte", "luecken")),
    st.floats(-90, 90),
    st.floats(-1000, 1000),
    st.floats(0, 25),
)
def test_any_leaflet_view_round_trips_as_its_link_position(page, lat, lon, zoom):
    """Whatever view st_folium reports, the link holds it as map_position rounds it – no notice, no change."""
    name = "map_pos" if page == "karte" else "gap_map_pos"
    pos = map_position(lat, lon, zoom)
    decoded, notices = _roundtrip(ViewState(page, fields={name: pos}), via_url=True)
    assert notices == []
    assert decoded.get(name) == pos
    assert abs(pos[0] - lat) <= 5e-6 and -180 <= pos[1] <= 180 and 1 <= pos[2] <= 18


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.text(max_size=30), st.text(max_size=200) | st.lists(st.text(max_size=20), max_size=3), max_size=12
    )
)
def test_any_query_decodes_without_error(params):
    state, notices = decode(params, AREAS, OFFERS)
    assert state.page in PARAMS
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{1,20}|\?", n) for n in notices)
    encode(state)  # whatever was read can be written again


# --- hostile and malformed links ----------------------------------------------------------

HOSTILE = [
    ({"p": "<script>alert(1)</script>"}, ["p"], ViewState()),
    ({"p": "karte", "t": "999999999"}, ["t"], ViewState("karte", fields={"threshold_m": 3000})),
    ({"t": "-5"}, ["t"], ViewState(fields={"threshold_m": 100})),
    ({"t": "nan"}, ["t"], ViewState()),
    ({"t": "1e400"}, ["t"], ViewState()),
    ({"t": "5" * 100_000}, ["t"], ViewState()),
    ({"t": ["500", "600"]}, ["t"], ViewState()),
    ({"sel": "9999"}, ["sel"], ViewState()),
    ({"b": "<img src=x onerror=alert(1)>"}, ["b"], ViewState()),
    ({"sec": "kommune,<b>x</b>"}, ["sec"], ViewState(fields={"sectors": ("kommune",)})),
    ({"pos": "nan,inf,3"}, ["pos"], ViewState()),
    ({"pos": "52.5,13.4,30"}, ["pos"], ViewState(fields={"map_pos": (52.5, 13.4, 18)})),  # only the zoom clamped
    ({"v": "2", "t": "800"}, ["v"], ViewState()),
    ({"lang": "xx"}, ["lang"], ViewState()),
    ({"view": "<script>"}, ["view"], ViewState()),
    ({"<script>alert(1)</script>": "x"}, ["scriptalert1script"], ViewState()),
    ({"x" * 10_000: "1"}, ["xxxxxxxxxxxxxxxxxxxx"], ViewState()),
    ({"p": "akteure", "q": "<script>alert(1)</script>"}, ["q"], ViewState("akteure")),
    ({"p": "akteure", "q": "a" * 101}, ["q"], ViewState("akteure")),
    ({"p": "luecken", "u": "-inf"}, ["u"], ViewState("luecken")),
    ({"p": "luecken", "w": "50,30"}, ["w"], ViewState("luecken")),
    ({"p": "luecken", "k": "80,20"}, ["k"], ViewState("luecken")),
    ({"p": "luecken", "pos": "48.7,9.1"}, ["pos"], ViewState("luecken")),
    ({"p": "luecken", "pos": "95,200,30"}, ["pos"], ViewState("luecken", fields={"gap_map_pos": (90, 180, 18)})),
    (
        {"p": "luecken", "s": "x:nope;1,2,bildung,kinder,mitwirkung,;999,2,bildung,kinder,mitwirkung,"},
        ["s"],
        ViewState(
            "luecken", fields={"scenario": Scenario((NewOffer(1.0, 2.0, "bildung", ("kinder",), "mitwirkung", None),))}
        ),
    ),
    ({"p": "luecken", "s": ";".join(["1,2,bildung,kinder,mitwirkung,"] * 500)}, ["s"], None),
    (
        {"p": "vergleich", "a": "01,9999,02,0101,0102"},
        ["a"],
        ViewState("vergleich", fields={"cmp_areas": ("01", "02", "0101", "0102")}),
    ),
    ({"p": "karte", "g": "senioren"}, ["g"], ViewState()),  # a Lückenanalyse key on the Karte
]


@pytest.mark.parametrize("params, names, expected", HOSTILE)
def test_hostile_or_malformed_links_are_dropped_by_name(params, names, expected):
    state, notices = decode(params, AREAS, OFFERS)
    assert notices == names
    if expected is not None:
        assert state == expected
    for notice in notices:  # names only: no value, no markup
        assert "<" not in notice and len(notice) <= 20


def test_many_planned_offers_are_capped():
    params = {"p": "luecken", "s": ";".join(["1,2,bildung,kinder,mitwirkung,"] * 60)}
    state, _ = decode(params, AREAS, OFFERS)
    assert len(state.get("scenario").added) == 50


def test_too_many_parameters_are_ignored():
    params = {f"k{i}": "1" for i in range(100)}
    state, notices = decode(params, AREAS, OFFERS)
    assert state == ViewState() and len(notices) == 10  # a readable notice, not a wall of names


def test_iframe_snippet_embeds_the_same_view_escaped():
    snippet = share_state.iframe('https://atlas.example/?p=karte&b=03"><script>')
    assert snippet.startswith(
        '<iframe src="https://atlas.example/?p=karte&amp;b=03&quot;&gt;&lt;script&gt;&amp;embed=true&amp;view=embed"'
    )
    assert "<script>" not in snippet
    assert share_state.iframe("https://atlas.example/").count("?") == 1


def test_a_pasted_link_gives_its_parameters_and_the_page_its_path_names():
    assert share_state.link_params(" https://atlas.example/stadt/luecken?g=senioren&t=600\n") == {
        "g": ["senioren"],
        "t": ["600"],
        "p": ["luecken"],
    }
    assert share_state.link_params("https://atlas.example/?p=profil&gebiet=01")["p"] == ["profil"]
    assert share_state.link_params("https://atlas.example/stadt/") == {}
    assert share_state.path_page("/stadt/karte/") == ("/stadt/", "karte")
    assert share_state.path_page("/stadt") == ("/stadt/", "")
