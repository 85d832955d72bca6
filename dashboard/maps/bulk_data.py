"""A map's bulk data – geometry, tooltips, the grid picture – kept out of its script while it is taken apart.

streamlit-folium makes the browser's script of a map with several passes over all of its text: regular
expressions that rename variables, a dedent, a search for more names. A Lückenanalyse map is 300 kB of script of
which 3 kB is code; those passes were most of the time of making the payload of a view nobody had opened. Inside
``set_aside()`` the layers that carry bulk data (``inline``) write a placeholder instead, and ``put_back`` puts
the data in after the passes, in one pass of its own. Outside it (folium's own rendering, exports, tests) the
data is written in place, as before. The result is the same text either way: the data is one line of JSON, so
the dedent does not touch it, and none of the renaming is meant for it.

The placeholders carry a random part made anew for each map, so no text in the data can name one.

What many maps share – the Quartiere's geometry, the same for every view of a data version – a payload can hand
to the browser as a file of its own instead (``shared``): fetched once, kept by the browser for every page and
visit, and no longer compressed for the websocket at every open.
"""

from __future__ import annotations

import contextlib
import re
import secrets
from collections.abc import Callable, Iterator
from contextvars import ContextVar

from jinja2.utils import htmlsafe_json_dumps

#: The data set aside while a map is made (``set_aside``), by placeholder; None outside.
_ASIDE: ContextVar[SetAside | None] = ContextVar("bulk_data_aside", default=None)


class SetAside:
    """The texts set aside for one map and the placeholders standing for them.

    A placeholder has no ``_`` (streamlit-folium renames ``_`` followed by letters and digits), no newline and
    no quote; its random part is new for each map. ``publish``: where texts many maps share (``shared``) go
    instead of into the script – it returns the address the browser fetches one from (None: kept in the script).
    """

    def __init__(self, publish: Callable[[str], str | None] | None = None) -> None:
        self.texts: list[str] = []
        self.mark = f"QaBulk{secrets.token_hex(6)}X"
        self.publish = publish
        self._placeholder = re.compile(re.escape(self.mark) + r"(\d+)X")

    def placeholder(self, text: str, shared: bool = False) -> str:
        address = self.publish(text) if shared and self.publish is not None else None
        self.texts.append(text if address is None else str(htmlsafe_json_dumps(address)))
        return f"{self.mark}{len(self.texts) - 1}X"

    def put_back(self, script: str) -> str:
        """``script`` with each placeholder replaced by its text (one pass: a text put back is not read again)."""
        return self._placeholder.sub(lambda match: self.texts[int(match.group(1))], script)


def inline(text: str) -> str:
    """``text`` where a layer's script holds its data: the text itself, or inside ``set_aside`` a placeholder."""
    aside = _ASIDE.get()
    return text if aside is None else aside.placeholder(text)


def shared(text: str) -> str:
    """``inline`` for a JSON text that many maps share (a city's Quartier geometry, the same for every view of a
    data version). Where the ``set_aside`` publishes it, the script holds its address as a JSON string instead,
    and the browser fetches it once for every map, page and visit (``FeatureLayer`` reads either)."""
    aside = _ASIDE.get()
    return text if aside is None else aside.placeholder(text, shared=True)


@contextlib.contextmanager
def set_aside(publish: Callable[[str], str | None] | None = None) -> Iterator[SetAside]:
    """Layers rendered inside write placeholders for their data; the ``SetAside`` yielded puts it back."""
    aside = SetAside(publish)
    token = _ASIDE.set(aside)
    try:
        yield aside
    finally:
        _ASIDE.reset(token)
