"""The app's web server: Streamlit's, with the unchanging browser files answered from memory.

Started as ``python -m streamlit run dashboard/web/server.py`` from the project folder (Makefile,
deploy/, the tests); Streamlit finds ``app`` and runs it on uvicorn. The pages are ``app.py`` as
before, and AppTest still runs ``app.py`` directly. See ``frontend_files`` for why.
"""

from __future__ import annotations

import contextlib
import os
import socket
import stat
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import streamlit as st
from starlette.middleware import Middleware
from streamlit import config
from streamlit.runtime import Runtime

from dashboard.model import projection
from dashboard.web.frontend_files import FrontendFiles

ROOT = Path(__file__).resolve().parents[2]
#: Where a Linux process lists its open files; elsewhere nothing is found and nothing changes.
OPEN_FILES = Path("/proc/self/fd")


def send_without_delay(fds: list[int] | None = None) -> list[int]:
    """Switch Nagle's algorithm off on this process's listening TCP sockets (``fds``: which to look at; default
    all open files); the connections they accept inherit it. Returns the sockets changed.

    Streamlit binds its socket without naming the protocol, so asyncio does not recognise it as TCP and leaves
    Nagle on (asyncio switches it off only for sockets it knows to be TCP). Every answer is then two writes,
    head and body, and the second waits for the browser's delayed acknowledgement: about 40 ms for each further
    request on a kept-alive connection (132 browser files per Karte open), and the same for websocket messages.
    """
    changed = []
    for fd in fds if fds is not None else _open_files():
        with contextlib.suppress(OSError):
            if not stat.S_ISSOCK(os.fstat(fd).st_mode):
                continue
            with socket.socket(fileno=os.dup(fd)) as sock:
                if (
                    sock.family in (socket.AF_INET, socket.AF_INET6)
                    and sock.type == socket.SOCK_STREAM
                    and sock.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN)
                ):
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    changed.append(fd)
    return changed


def _open_files() -> list[int]:
    try:
        return [int(name) for name in os.listdir(OPEN_FILES)]
    except OSError:
        return []


def keep_compiled_scripts(cache: Any, watcher: str) -> bool:
    """Have Streamlit's cache of compiled page scripts keep them when the last visitor leaves; returns whether
    it does.

    Streamlit forgets them then, so that a script edited meanwhile is read anew. With the file watcher off
    (``watcher`` "none", as deployed) a script changes only with a restart, and a link opened while nobody else
    was on the server compiled app.py and its page again: a millisecond or two of every such open.
    """
    if watcher != "none":
        return False
    cache.clear = lambda: None
    return True


@contextlib.asynccontextmanager
async def _lifespan(_app: st.App) -> AsyncIterator[None]:
    """At each start of the server: its socket is bound by then (Streamlit binds it before it loads this app);
    the projections are made and the city is read while the server waits for its first visitor."""
    from dashboard.web import startup  # the pages' caches are made once Streamlit's runtime exists, not before

    send_without_delay()
    if Runtime.exists():
        keep_compiled_scripts(Runtime.instance()._script_cache, str(config.get_option("server.fileWatcherType")))
    projection.prepare()
    threading.Thread(target=startup.warm, name="warm", daemon=True).start()
    yield


app = st.App(ROOT / "app.py", middleware=[Middleware(FrontendFiles, app_static=ROOT / "static")], lifespan=_lifespan)
