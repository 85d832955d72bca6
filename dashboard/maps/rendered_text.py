"""Rendered map text kept as text, never compiled again as a Jinja template.

branca renders each map element's template and wraps the result – JavaScript with the element's GeoJSON,
tooltips and styles, hundreds of kilobytes for a Quartier map – in a new ``Element``, whose constructor
compiles that text as a Jinja template, to render it once more when the page is assembled. That was 40 % of
building and rendering a Lückenanalyse map, and it was dangerous: the text holds the data, so an offer named
``{{ … }}`` (typed by an editor, imported, or taken from OpenStreetMap) ran as template code on the server.

``install`` has branca's ``Element`` keep its text as a ``Literal`` that renders to itself, exactly as Jinja
renders text without template syntax. Only the few templates that are meant as templates – written in code,
never made from data – are compiled (``TEMPLATES``).
"""

from __future__ import annotations

import re
from typing import Any

import branca.element
import jinja2

#: Jinja's lexer turns every newline into "\n" and drops one newline at the very end.
NEWLINES = re.compile(r"\r\n|\r|\n")
#: Element texts meant as templates: branca's ``Div`` lists its children with one, and ``assets`` puts the map's
#: header back as ``this.text``.
TEMPLATES = frozenset(
    {
        "{% for name, element in this._children.items() %}{{element.render(**kwargs)}}{% endfor %}",
        "{{ this.text }}",
    }
)


class Literal:
    """Text that renders to itself, as Jinja renders text without template syntax."""

    __slots__ = ("text",)

    def __init__(self, source: str) -> None:
        text = NEWLINES.sub("\n", source)
        self.text = text[:-1] if text.endswith("\n") else text

    def render(self, *_args: Any, **_kwargs: Any) -> str:
        return self.text


def template(source: str) -> jinja2.Template | Literal:
    """A template written in code (``TEMPLATES``) compiled; any other text – rendered output, data – kept as is."""
    return jinja2.Template(source) if source in TEMPLATES else Literal(source)


def install() -> None:
    """``Element``'s constructor (and its unpickling) call ``template`` instead of ``jinja2.Template``; the
    element classes' own templates were compiled when branca was imported and stay as they are."""
    branca.element.Template = template  # type: ignore[misc,assignment]
