"""The app's web server (dashboard/web/server.py): its sockets send without Nagle's delay; compiled pages are
kept and config files no longer polled while no file is watched."""

from __future__ import annotations

import socket
import sys

import pytest
from streamlit.runtime.scriptrunner.script_cache import ScriptCache
from streamlit.watcher.polling_path_watcher import PollingPathWatcher

from dashboard.web.server import keep_compiled_scripts, send_without_delay, stop_polling_config

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the open files are read from /proc (Linux)")


def test_a_listening_socket_bound_as_streamlit_binds_it_accepts_connections_without_delay():
    listening = socket.socket(socket.AF_INET)  # no protocol named: asyncio then leaves Nagle on
    listening.bind(("127.0.0.1", 0))
    listening.listen()
    with listening, socket.create_connection(listening.getsockname()):
        before, _ = listening.accept()
        assert before.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0  # the delay the function removes
        assert listening.fileno() in send_without_delay()
        client2 = socket.create_connection(listening.getsockname())
        accepted, _ = listening.accept()
        with before, client2, accepted:
            assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1


def test_other_sockets_and_files_are_left_alone():
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    unbound = socket.socket(socket.AF_INET)
    with udp, unbound, open(__file__, "rb") as text:
        fds = [udp.fileno(), unbound.fileno(), text.fileno(), 987654]  # the last one is not open
        assert send_without_delay(fds) == []
        assert unbound.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0


def test_compiled_pages_are_kept_when_the_last_visitor_leaves_unless_files_are_watched(tmp_path):
    page = tmp_path / "page.py"
    page.write_text("x = 1\n", encoding="utf-8")
    deployed, developing = ScriptCache(), ScriptCache()
    assert keep_compiled_scripts(deployed, "none") and not keep_compiled_scripts(developing, "auto")
    compiled = {cache: cache.get_bytecode(str(page)) for cache in (deployed, developing)}
    for cache in compiled:
        cache.clear()  # what Streamlit does when the last session ends
    assert deployed.get_bytecode(str(page)) is compiled[deployed]
    assert developing.get_bytecode(str(page)) is not compiled[developing]


def test_config_files_are_no_longer_polled_unless_files_are_watched(tmp_path):
    """Streamlit polls its config files five times a second whatever the file watcher; deployed, it stops."""
    (tmp_path / "config.toml").write_text("", encoding="utf-8")
    (tmp_path / "other.toml").write_text("", encoding="utf-8")
    config = PollingPathWatcher(str(tmp_path / "config.toml"), lambda _path: None)
    other = PollingPathWatcher(str(tmp_path / "other.toml"), lambda _path: None)
    try:
        assert stop_polling_config("auto") == 0 and config._active
        assert stop_polling_config("none") >= 1
        assert not config._active and other._active
    finally:
        config.close()
        other.close()
