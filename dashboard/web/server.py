"""The app's web server: Streamlit's, with the unchanging browser files answered from memory.

Started as ``python -m streamlit run dashboard/web/server.py`` from the project folder (Makefile,
deploy/, the tests); Streamlit finds ``app`` and runs it on uvicorn. The pages are ``app.py`` as
before, and AppTest still runs ``app.py`` directly. See ``frontend_files`` for why.
"""

from __future__ import annotations

import contextlib
import gc
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
from streamlit.watcher.polling_path_watcher import PollingPathWatcher

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


def stop_polling_config(watcher: str) -> int:
    """Stop Streamlit's polling of its config files (five times a second each) when no file is watched; returns how
    many pollers were stopped.

    Streamlit polls every ``config.toml`` it reads, whatever ``server.fileWatcherType`` says, and has no setting to
    stop it. As deployed (``watcher`` "none"), a changed setting takes a restart anyway; the two pollers were half
    of an idle server's CPU (5 of 10 ms a second on this machine), and so about 10 ms of every link's open.
    """
    if watcher != "none":
        return 0
    stopped = 0
    for poller in gc.get_objects():  # Streamlit keeps them nowhere but in their own timers
        if isinstance(poller, PollingPathWatcher) and Path(poller._path).name == "config.toml":
            poller.close()
            stopped += 1
    return stopped


@contextlib.asynccontextmanager
async def _lifespan(_app: st.App) -> AsyncIterator[None]:
    """At each start of the server: its socket is bound by then (Streamlit binds it before it loads this app);
    the projections are made and the city is read while the server waits for its first visitor."""
    from dashboard.web import startup  # the pages' caches are made once Streamlit's runtime exists, not before

    send_without_delay()
    watcher = str(config.get_option("server.fileWatcherType"))
    stop_polling_config(watcher)
    if Runtime.exists():
        keep_compiled_scripts(Runtime.instance()._script_cache, watcher)
    projection.prepare()
    threading.Thread(target=startup.warm, name="warm", daemon=True).start()
    yield


app = st.App(ROOT / "app.py", middleware=[Middleware(FrontendFiles, app_static=ROOT / "static")], lifespan=_lifespan)
