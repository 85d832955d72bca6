"""The browser code every link open fetches, served from memory and compressed once.

A shared link opened in a new browser fetches Streamlit's frontend (about 130 files, 4.6 MB for the
Karte), the map component and the vendored Leaflet before it draws anything. Streamlit serves each
file anew from disk through its whole middleware stack, uncompressed, about 2 ms of server CPU per
file: that was two thirds of the server's work per link open, more than running the page. This
ASGI middleware answers those requests before Streamlit's stack: each file is read and gzipped once,
then kept. Only files that do not change while the server runs are served here: Streamlit's hashed
bundles and the components' hashed builds (cached by browsers for a year, as Streamlit does), and
those whose names carry no hash, revalidated by ETag: ``static/vendor``, the page a link opens with its
icon, and the components' pages (Streamlit's own answer to each of these four cost about 1 ms of CPU
more per open). Everything else, ranges included, goes on to Streamlit unchanged.

It also answers the data maps share across views (``publish``): the Quartiere's geometry, the offers' places and
texts, fetched once by a browser instead of sent with every map.
"""

from __future__ import annotations

import gzip
import hashlib
import hmac
import mimetypes
import secrets
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import streamlit

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Streamlit's built frontend; its js/, css/ and media/ names carry a content hash.
STREAMLIT_BUILD = Path(streamlit.__file__).parent / "static"
HASHED_DIRS = ("static/js/", "static/css/", "static/media/")
IMMUTABLE = "public, immutable, max-age=31536000"
#: Files whose names carry no hash: the browser asks each time whether its copy is current (by ETag), as Streamlit
#: has it ask for its pages.
REVALIDATE = "no-cache"
#: The page every link opens and its icon (relative to the base path), in Streamlit's build: asked for at every open.
#: Other addresses (a page's own path, say) are Streamlit's, which answers them with the same page.
ENTRY_FILES = {"": "index.html", "index.html": "index.html", "favicon.png": "favicon.png"}
#: Text worth compressing; fonts and images come compressed already.
COMPRESSIBLE = {
    "application/javascript",
    "text/javascript",
    "text/css",
    "text/html",
    "application/json",
    "image/svg+xml",
}
MIN_COMPRESS_BYTES = 1024
#: Streamlit bundles up to this size are read and compressed at the server's start (``prepare``): together about
#: 11 MB, 0.4 s of CPU. The larger ones are not fetched when a link opens: chart libraries the app does not use
#: (Plotly, deck.gl, ECharts, elk) and the code highlighter, which the share box fetches once it is opened.
PREPARE_MAX_BYTES = 1 << 20


@dataclass(frozen=True)
class Kept:
    """One file as it is answered: its bytes, gzipped bytes (if worth it), headers."""

    body: bytes
    gzipped: bytes | None
    content_type: str
    cache_control: str
    etag: str


#: Files ``prepare`` has kept, by their resolved path: every ``FrontendFiles`` answers from them.
_PREPARED: dict[Path, Kept] = {}

#: Where published data is answered, below the base path (``publish``).
PUBLISHED_DIR = "qa-data/"
#: Published data never changes under its address; it stays in the browser that was given the address (an
#: editor's map may show more than a viewer's), not in shared caches.
PUBLISHED_CACHE = "private, immutable, max-age=31536000"
#: Texts kept for browsers, the latest published or fetched: a data version has a few (the Quartiere's geometry),
#: and a text is the same for every data version with the same areas.
PUBLISHED_KEPT = 64
_PUBLISHED: OrderedDict[str, Kept] = OrderedDict()
_PUBLISHED_LOCK = threading.Lock()
#: Names published texts: addresses nobody can work out from the data, new with every start of the server.
_PUBLISHED_KEY = secrets.token_bytes(32)
#: The ``FrontendFiles`` answering this server's requests (empty: no such server, e.g. under AppTest).
_SERVING: list[FrontendFiles] = []


def keep(path: Path, cache_control: str) -> Kept:
    """Read and compress ``path`` once."""
    body = path.read_bytes()
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if content_type == "text/javascript":
        content_type = "application/javascript"
    compress = content_type in COMPRESSIBLE and len(body) >= MIN_COMPRESS_BYTES
    if content_type.startswith("text/") or content_type in ("application/javascript", "application/json"):
        content_type += "; charset=utf-8"
    return Kept(
        body=body,
        gzipped=gzip.compress(body, compresslevel=9, mtime=0) if compress else None,
        content_type=content_type,
        cache_control=cache_control,
        etag='"' + hashlib.sha256(body).hexdigest()[:32] + '"',
    )


def prepare(max_bytes: int = PREPARE_MAX_BYTES) -> int:
    """Read and compress Streamlit's hashed scripts and styles now (the server's start), so that the first open
    of a page does not pay for the bundles only that page needs (a first Quartiersprofil fetched 33 files,
    1.5 MB, that no page before had); returns how many files were kept."""
    root = STREAMLIT_BUILD.resolve()
    for folder in ("static/js", "static/css"):
        for path in sorted((root / folder).glob("*")):
            if path.is_file() and path.stat().st_size <= max_bytes and path not in _PREPARED:
                _PREPARED[path] = keep(path, IMMUTABLE)
    return len(_PREPARED)


def publish(text: str) -> str | None:
    """Hand the JSON ``text`` to browsers as a file of its own and return its address, or None where no
    ``FrontendFiles`` answers requests (AppTest, ``streamlit run app.py``): the caller then sends the text itself.

    The map of every new view sent the Quartiere's geometry over the websocket, compressed anew at every open;
    fetched from its address, a browser keeps it for every page and visit. The address is a keyed hash of the text:
    the same text keeps its address, and only a browser that was given the address can fetch it."""
    if not _SERVING:
        return None
    body = text.encode()
    name = hmac.new(_PUBLISHED_KEY, body, hashlib.sha256).hexdigest()[:40] + ".json"
    address = f"{_SERVING[-1].prefix}/{PUBLISHED_DIR}{name}"
    if published(name) is not None:
        return address
    kept = Kept(
        body=body,
        gzipped=gzip.compress(body, compresslevel=6, mtime=0) if len(body) >= MIN_COMPRESS_BYTES else None,
        content_type="application/json; charset=utf-8",
        cache_control=PUBLISHED_CACHE,
        etag=f'"{name[:-5]}"',
    )
    with _PUBLISHED_LOCK:
        _PUBLISHED[name] = kept
        while len(_PUBLISHED) > PUBLISHED_KEPT:
            _PUBLISHED.popitem(last=False)
    return address


def published(name: str) -> Kept | None:
    """The published text of that file name, if it is still kept."""
    with _PUBLISHED_LOCK:
        kept = _PUBLISHED.get(name)
        if kept is not None:
            _PUBLISHED.move_to_end(name)
        return kept


def inside(root: Path, relative: str) -> Path | None:
    """``root / relative`` if it is a regular file within ``root``: no ``..``, ``.`` or empty segment,
    no symlink out (a browser sends normalised paths; anything else is Streamlit's to refuse)."""
    parts = relative.split("/")
    if "\\" in relative or "\x00" in relative or any(part in ("", ".", "..") for part in parts):
        return None
    root = root.resolve()
    try:
        target = (root / relative).resolve()
    except (OSError, RuntimeError):
        return None
    return target if target.is_relative_to(root) and target.is_file() else None


def component_root(name: str) -> Path | None:
    """Where Streamlit's registry says a (v1) component's files are."""
    from streamlit.runtime import Runtime

    if not Runtime.exists():
        return None
    found = Runtime.instance().component_registry.get_component_path(name)
    return Path(found) if found else None


class FrontendFiles:
    """ASGI middleware: the unchanging browser files from memory (see the module's docstring).

    ``app_static``: the app's ``static`` folder (``server.enableStaticServing``), whose ``vendor``
    part is served here; ``base_url``: the path the app is served under (``server.baseUrlPath``,
    read from Streamlit's settings at the first request when not given).
    """

    def __init__(self, app: ASGIApp, app_static: Path, base_url: str | None = None) -> None:
        self.app = app
        self.app_static = app_static
        self.base_url = base_url
        self.kept: dict[str, Kept] = {}
        _SERVING.append(self)

    @property
    def prefix(self) -> str:
        if self.base_url is None:
            self.base_url = str(streamlit.config.get_option("server.baseUrlPath") or "")
        return "/" + self.base_url.strip("/") if self.base_url.strip("/") else ""

    def locate(self, path: str) -> tuple[Path, str] | None:
        """The file a request path names and its caching, or None for Streamlit to answer."""
        if not path.startswith(self.prefix + "/"):
            return None
        path = path[len(self.prefix) + 1 :]
        if path.startswith(HASHED_DIRS):
            found = inside(STREAMLIT_BUILD, path)
            return (found, IMMUTABLE) if found else None
        if path in ENTRY_FILES:
            found = inside(STREAMLIT_BUILD, ENTRY_FILES[path])
            return (found, REVALIDATE) if found else None
        if path.startswith("component/"):
            name, _, rest = path[len("component/") :].partition("/")
            root = component_root(name)
            if root is None or not (rest.startswith(HASHED_DIRS) or rest == "index.html"):
                return None
            found = inside(root, rest)
            return (found, IMMUTABLE if rest.startswith(HASHED_DIRS) else REVALIDATE) if found else None
        if path.startswith("app/static/vendor/"):
            found = inside(self.app_static, path[len("app/static/") :])
            return (found, REVALIDATE) if found else None
        return None

    def lookup(self, path: str) -> Kept | None:
        """The kept file for ``path``; only files are kept, never a miss (any address can be asked for)."""
        kept = self.kept.get(path)
        if kept is None and path.startswith(self.prefix + "/" + PUBLISHED_DIR):
            return published(path[len(self.prefix) + 1 + len(PUBLISHED_DIR) :])
        if kept is None and (located := self.locate(path)):
            kept = self.kept[path] = _PREPARED.get(located[0]) or keep(*located)
        return kept

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        kept = None if b"range" in headers else self.lookup(scope["path"])
        if kept is None:
            await self.app(scope, receive, send)
            return
        answer = [
            (b"content-type", kept.content_type.encode()),
            (b"cache-control", kept.cache_control.encode()),
            (b"etag", kept.etag.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"vary", b"Accept-Encoding"),
        ]
        if kept.etag in headers.get(b"if-none-match", b"").decode("latin-1").replace(" ", "").split(","):
            await send({"type": "http.response.start", "status": 304, "headers": answer})
            await send({"type": "http.response.body", "body": b""})
            return
        body = kept.body
        if kept.gzipped is not None and b"gzip" in headers.get(b"accept-encoding", b""):
            body = kept.gzipped
            answer.append((b"content-encoding", b"gzip"))
        answer.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": 200, "headers": answer})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})
