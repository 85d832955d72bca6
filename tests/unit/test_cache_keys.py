"""The caches' keys: a parameter object's repr stands for it – equal objects, equal text; any change, new text."""

from dataclasses import fields, replace

from dashboard.analysis.gaps import GapParams
from dashboard.model.scenario import NewOffer, Scenario
from dashboard.model.view import MapView
from dashboard.web.cache_keys import HASH_FUNCS


def _changed(value):
    """A different value of the same kind."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1
    if isinstance(value, str):
        return value + "x"
    if isinstance(value, tuple | frozenset):
        return type(value)([*value, "x"]) if value else type(value)(["x"])
    return "x" if value is None else None


def test_every_field_of_a_view_object_is_in_its_key():
    for obj in (GapParams(target_group="senioren", threshold_m=400), MapView()):
        key = HASH_FUNCS[type(obj)]
        for field in fields(obj):
            other = object.__new__(type(obj))  # no checks of __post_init__: only the text is compared
            for f in fields(obj):
                object.__setattr__(other, f.name, getattr(obj, f.name))
            object.__setattr__(other, field.name, _changed(getattr(obj, field.name)))
            assert key(other) != key(obj), field.name


def test_equal_objects_have_equal_keys():
    assert HASH_FUNCS[GapParams](GapParams()) == HASH_FUNCS[GapParams](GapParams(threshold_m=500))
    planned = Scenario().add(NewOffer(lon=8.9, lat=50.6, target_groups=("senioren",)))
    same = Scenario().add(NewOffer(lon=8.9, lat=50.6, target_groups=("senioren",)))
    assert HASH_FUNCS[Scenario](planned) == HASH_FUNCS[Scenario](same)
    assert HASH_FUNCS[Scenario](planned) != HASH_FUNCS[Scenario](Scenario().add(replace(planned.added[0], lat=50.7)))
