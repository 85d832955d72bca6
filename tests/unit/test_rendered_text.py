"""Rendered map text kept as text (dashboard/maps/rendered_text.py): the same page, nothing of the data run."""

from __future__ import annotations

import os
import re

import branca.element
import jinja2
import pytest

from dashboard.analysis.city import prepare
from dashboard.analysis.gaps import GapParams, analyse
from dashboard.analysis.profile import resolve
from dashboard.maps import rendered_text
from dashboard.maps.area_map import interactive_map
from dashboard.maps.gap_map import build_gap_map
from dashboard.maps.karte import prepare_map_data
from dashboard.store.settings import Settings
from dashboard.web import map_payload
from tests.support.factories import tiny_workspace

NO_TILES = Settings(None, tile_url=None, tile_attribution="")
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
#: An offer name that, compiled as a template, runs code on the server.
INJECTED = "Treff {{ cycler.__init__.__globals__.os.environ.update(QA_INJECTED='ja') }} {{ 7 * 7 }}"


@pytest.mark.parametrize("text", TEXTS)
def test_text_renders_exactly_as_jinja_renders_it(text):
    made = rendered_text.template(text)
    assert isinstance(made, rendered_text.Literal)
    assert made.render(this=None, kwargs={}) == jinja2.Template(text).render()


@pytest.mark.parametrize("text", ["{{ 1 + 1 }}", "{% if true %}2{% endif %}", INJECTED])
def test_text_with_template_syntax_stays_text(text):
    assert rendered_text.template(text).render() == text


def test_only_the_templates_written_in_code_are_compiled():
    for source in rendered_text.TEMPLATES:
        assert isinstance(rendered_text.template(source), jinja2.Template)
    div = branca.element.Div()  # branca's own: it lists the children with a template of its own
    assert isinstance(div.html._template, jinja2.Template)


def test_the_maps_package_installs_it_for_branca():
    assert branca.element.Template is rendered_text.template
    assert isinstance(branca.element.Element("<b>x</b>")._template, rendered_text.Literal)


def _gap_map():
    city = prepare(tiny_workspace())
    everything = frozenset({"grid", "index", "offers"})
    return build_gap_map(prepare_map_data(city), city, analyse(city, GapParams()), everything, NO_TILES, "de")


def _profile_map():
    city = prepare(tiny_workspace())
    return interactive_map(prepare_map_data(city), city, resolve(city, "0101"), NO_TILES, "de"), []


def _page(monkeypatch, template, build) -> str:
    """A whole map rendered with ``template`` in branca's place; the elements' random ids made equal."""
    monkeypatch.setattr(branca.element, "Template", template)
    fmap, groups = build()
    for group in groups:
        group.add_to(fmap)
    return re.sub(r"[0-9a-f]{32}", "ID", fmap.get_root().render())


@pytest.mark.parametrize("build", [_gap_map, _profile_map], ids=["gap", "profile"])
def test_a_map_renders_to_the_same_page_as_with_branca_compiling_every_text(monkeypatch, build):
    page = _page(monkeypatch, rendered_text.template, build)
    assert page.count(".addData(") >= 2  # the Quartiere and the offers, with their data
    assert page == _page(monkeypatch, jinja2.Template, build)


def test_an_offer_named_like_a_template_is_shown_and_runs_nothing(monkeypatch):
    offers = tiny_workspace().layers["offers"].copy()
    offers.loc[offers.index[0], "name"] = INJECTED
    city = prepare(tiny_workspace(offers=offers))
    area = resolve(city, city.offers.loc[city.offers["name"] == INJECTED, "area_id"].iloc[0])
    monkeypatch.delenv("QA_INJECTED", raising=False)
    sent = map_payload.payload(interactive_map(prepare_map_data(city), city, area, NO_TILES, "de"), [], ())
    assert "QA_INJECTED" not in os.environ
    assert "{{ 7 * 7 }}" in sent["script"]
