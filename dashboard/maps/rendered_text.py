"""Rendered map text kept as text, not compiled again as a Jinja template.

branca renders each map element's template and wraps the result – JavaScript with the element's GeoJSON,
tooltips and styles, hundreds of kilobytes for a Quartier map – in a new ``Element``, whose constructor
compiles that text as a Jinja template, to render it once more when the page is assembled. Text without
Jinja syntax renders to itself, so the compiling is pure cost: 40 % of building and rendering a
Lückenanalyse map (0.19 s → 0.10 s of CPU per new view, same output). ``install`` has branca's
``Element`` make such text a ``Literal``; text with Jinja syntax is compiled as before.
"""

from __future__ import annotations

import re
from typing import Any

import branca.element
import jinja2

#: What starts a Jinja expression, statement or comment in the default syntax branca uses.
JINJA_SYNTAX = re.compile(r"\{[{%#]")
#: Jinja's lexer turns every newline into "\n" and drops one newline at the very end.
NEWLINES = re.compile(r"\r\n|\r|\n")


class Literal:
    """A template without Jinja syntax: renders to its text exactly as Jinja would."""

    __slots__ = ("text",)

    def __init__(self, source: str) -> None:
        text = NEWLINES.sub("\n", source)
        self.text = text[:-1] if text.endswith("\n") else text

    def render(self, *_args: Any, **_kwargs: Any) -> str:
        return self.text


def template(source: str) -> jinja2.Template | Literal:
    """What ``jinja2.Template(source)`` renders, compiled only if ``source`` has Jinja syntax."""
    return jinja2.Template(source) if JINJA_SYNTAX.search(source) else Literal(source)


def install() -> None:
    """``Element``'s constructor (and its unpickling) call ``template`` instead of ``jinja2.Template``; the
    element classes' own templates were compiled when branca was imported and stay as they are."""
    branca.element.Template = template  # type: ignore[misc,assignment]
