"""Rendered map text kept as text (dashboard/maps/rendered_text.py): the same output, without compiling it."""

from __future__ import annotations

import re

import branca.element
import jinja2
import pytest

from dashboard.analysis.city import prepare
from dashboard.analysis.gaps import GapParams, analyse
from dashboard.maps import rendered_text
from dashboard.maps.gap_map import build_gap_map
from dashboard.maps.karte import prepare_map_data
from dashboard.store.settings import Settings
from tests.support.factories import tiny_workspace

TEXTS = [
    "",
    "var map = L.map('m');",
    "one line\n",
    "two newlines at the end\n\n",
    "windows\r\nlines\r\n",
    "old mac\rline\r",
    '{"a": {"b": [1, {"c": 2}]}}',  # JSON closes with "}}", which is no Jinja syntax
    "{ {x} } and { %",
]


@pytest.mark.parametrize("text", TEXTS)
def test_text_without_jinja_syntax_renders_exactly_as_jinja_renders_it(text):
    made = rendered_text.template(text)
    assert isinstance(made, rendered_text.Literal)
    assert made.render(this=None, kwargs={}) == jinja2.Template(text).render()


@pytest.mark.parametrize("text", ["{{ 1 + 1 }}", "{% if true %}2{% endif %}", "2{# a comment #}"])
def test_text_with_jinja_syntax_is_still_a_template(text):
    made = rendered_text.template(text)
    assert isinstance(made, jinja2.Template)
    assert made.render() == "2"


def test_the_maps_package_installs_it_for_branca():
    assert branca.element.Template is rendered_text.template
    assert isinstance(branca.element.Element("<b>x</b>")._template, rendered_text.Literal)


def _page(monkeypatch, template) -> str:
    """A whole gap map rendered with ``template`` in branca's place; the elements' random ids made equal."""
    monkeypatch.setattr(branca.element, "Template", template)
    city = prepare(tiny_workspace())
    fmap, groups = build_gap_map(
        prepare_map_data(city), city, analyse(city, GapParams()), frozenset({"grid", "index", "offers"}),
        Settings(None, tile_url=None, tile_attribution=""), "de",
    )  # fmt: skip
    for group in groups:
        group.add_to(fmap)
    return re.sub(r"[0-9a-f]{32}", "ID", fmap.get_root().render())


def test_a_map_renders_to_the_same_page_as_with_branca_compiling_every_text(monkeypatch):
    page = _page(monkeypatch, rendered_text.template)
    assert len(page) > 10_000
    assert page == _page(monkeypatch, jinja2.Template)
