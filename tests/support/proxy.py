"""Debian's nginx with the shipped site configuration (``deploy/nginx/quartiersatlas.conf``) in front of app
instances on this machine: a prefix folder of its own, a free port, stopped when the block ends."""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

from tests.support.paths import ROOT
from tests.support.serving import STARTUP_TIMEOUT_S, free_port, healthy, stop

NGINX = Path("/usr/sbin/nginx")
SITE = ROOT / "deploy" / "nginx" / "quartiersatlas.conf"
#: What the test changes in the shipped file: where it listens and which instances it knows.
LISTEN = "listen 80;"
INSTANCES = ("server 127.0.0.1:8501 ", "server 127.0.0.1:8502 ")


def site(port: int, instance_ports: tuple[int, int]) -> str:
    """The shipped site configuration, listening on ``port`` in front of the two given instances."""
    text = SITE.read_text(encoding="utf-8")
    for placeholder in (LISTEN, *INSTANCES):
        assert text.count(placeholder) == 1, f"{SITE.name} no longer has {placeholder!r}"
    text = text.replace(LISTEN, f"listen 127.0.0.1:{port};")
    for placeholder, instance in zip(INSTANCES, instance_ports, strict=True):
        text = text.replace(placeholder, f"server 127.0.0.1:{instance} ")
    return text


def main_config(root: Path) -> str:
    """A main configuration like Debian's, with every path in ``root`` (the site file beside it)."""
    temp = "\n".join(
        f"    {kind}_temp_path {root / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # as root, workers would run as nobody and could not use the temp folders of this test's own
    user = "user root root;\n" if os.geteuid() == 0 else ""
    return f"""{user}worker_processes 1;
pid {root / "nginx.pid"};
error_log {root / "error.log"};
events {{ worker_connections 512; }}
http {{
    include /etc/nginx/mime.types;
    access_log {root / "access.log"};
{temp}
    include {root / "site.conf"};
}}
"""


@contextlib.contextmanager
def running_nginx(root: Path, instance_ports: tuple[int, int]) -> Iterator[str]:
    """nginx in the foreground on a free port until the block ends; yields its base URL."""
    root.mkdir(parents=True, exist_ok=True)
    port = free_port()
    (root / "site.conf").write_text(site(port, instance_ports), encoding="utf-8")
    (root / "nginx.conf").write_text(main_config(root), encoding="utf-8")
    command = [str(NGINX), "-p", str(root), "-e", str(root / "error.log"), "-c", str(root / "nginx.conf")]
    subprocess.run([*command, "-t"], check=True, capture_output=True)
    process = subprocess.Popen([*command, "-g", "daemon off;"], stdin=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    try:
        while not healthy(url):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"nginx kam nicht hoch; {root / 'error.log'}")
            time.sleep(0.1)
        yield url
    finally:
        stop(process)


def established(port: int) -> int:
    """Open TCP connections to ``port`` on this machine (a session's websocket is one; plain requests close)."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(FileNotFoundError), open(table, encoding="ascii") as lines:
            next(lines)
            for line in lines:
                local, _, state = line.split()[1:4]
                count += state == "01" and int(local.rsplit(":", 1)[1], 16) == port
    return count
