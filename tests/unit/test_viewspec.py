"""One spec per view parameter: the engine, the share links, the command line and the widgets all take
their defaults and ranges from ``dashboard.model.viewspec`` — so none can drift from another."""

from __future__ import annotations

from dataclasses import fields

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard.analysis.gaps import GapParams
from dashboard.cli import build_parser
from dashboard.model import share_state, viewspec
from dashboard.model.scenario import NewOffer, Scenario
from dashboard.model.share_state import PARAMS, ViewState, decode, encode
from dashboard.model.view import MapView

SETTINGS = {name: value for name, value in vars(viewspec).items() if isinstance(value, viewspec.Setting)}


def test_every_setting_has_a_default_in_its_range_and_options():
    for name, setting in SETTINGS.items():
        if setting.options and not isinstance(setting.default, (frozenset, tuple)):
            assert setting.default in setting.options, name
        if setting.low is not None:
            values = setting.default if isinstance(setting.default, tuple) else (setting.default,)
            assert all(setting.low <= v <= setting.high for v in values), name


def test_the_engine_objects_default_to_the_spec():
    gap = GapParams()
    view = MapView()
    for spec_name, field_name in [
        ("TARGET_GROUP", "target_group"),
        ("DETOUR", "detour"),
        ("MIN_LEVEL", "min_level"),
        ("MIN_RESIDENTS", "min_residents"),
        ("CLASSIFICATION", "classification"),
        ("CLASSES", "classes"),
        ("DISTANCE", "distance"),
    ]:
        assert getattr(gap, field_name) == SETTINGS[spec_name].default, field_name
    assert gap.weights == tuple(w / 100 for w in viewspec.WEIGHTS.default)
    for setting in SETTINGS.values():
        if setting.name in {f.name for f in fields(MapView)} and setting is not viewspec.GAP_LAYERS:
            assert getattr(view, setting.name) == setting.default, setting.name


def test_share_links_carry_each_setting_under_its_key_and_default():
    pages = {"karte": ("", viewspec.GAP_LAYERS), "luecken": (viewspec.GAP_PREFIX, viewspec.LAYERS)}
    for page, (prefix, other_page_only) in pages.items():
        by_field = {p.name: p for p in PARAMS[page]}
        for setting in SETTINGS.values():
            param = by_field.get(prefix + setting.name) or by_field.get(setting.name)
            if param is None or setting is other_page_only or param.name == "gap_threshold_m":
                continue  # gap_threshold_m: None in a link means the target group's own threshold
            assert (param.key, param.default) == (setting.url_key, setting.default), param.name


def test_the_command_line_offers_the_spec_defaults():
    gaps = build_parser()._subparsers._group_actions[0].choices["gaps"]  # the gaps sub-command
    defaults = {action.dest: action.default for action in gaps._actions}
    for setting in (viewspec.TARGET_GROUP, viewspec.DETOUR, viewspec.MIN_LEVEL, viewspec.MIN_RESIDENTS):
        assert defaults[setting.name] == setting.default, setting.name
    assert defaults["classification"] == viewspec.CLASSIFICATION.default
    assert defaults[viewspec.THRESHOLD.name] is None  # the target group's own threshold


@pytest.mark.parametrize("setting", [viewspec.MIN_RESIDENTS, viewspec.DETOUR, viewspec.THRESHOLD])
def test_a_link_clamps_to_the_spec_range(setting):
    page = "luecken"
    field = viewspec.GAP_PREFIX + setting.name
    state, notices = decode({"p": page, setting.url_key: str(setting.high * 10)})
    assert state.fields[field] == setting.high and notices == [setting.url_key]


@given(
    lon=st.floats(5.8, 15.1, allow_nan=False),
    lat=st.floats(47.2, 55.1, allow_nan=False),
)
def test_a_placed_offer_is_exactly_what_its_link_gives_back(lon, lat):
    """Rounded once, to the link's precision: opening the link reproduces the same offer (and figures)."""
    lon, lat = share_state.place(lon, lat)
    offer = NewOffer(lon, lat, capacity=30)
    state = ViewState("luecken", fields={"scenario": Scenario(added=(offer,))})
    restored, notices = decode(encode(state))
    assert notices == []
    back = restored.get("scenario").added[0]
    assert (back.lon, back.lat) == (offer.lon, offer.lat)
