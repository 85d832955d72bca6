"""The app's web server (dashboard/web/server.py): its sockets send without Nagle's delay."""

from __future__ import annotations

import socket
import sys

import pytest

from dashboard.web.server import send_without_delay

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
