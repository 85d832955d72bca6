"""A throwaway PostgreSQL + PostGIS server for tests: own data directory, free port, 127.0.0.1 only.

Tests of the PostGIS store run against a real server, since the points that matter
(transactions, row locks, privileges, PostGIS types) are the server's. The server
runs as user ``postgres`` when the tests run as root (initdb refuses root), with
password authentication, so URLs look like a city's. ``make test`` installs
PostGIS (``postgresql-15-postgis-3``); without it the tests using it are skipped.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest

PASSWORD = "geheim-Test-0815"


def binaries() -> tuple[Path | None, str]:
    """The newest PostgreSQL bin folder that has PostGIS, or None with the reason."""
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name), reverse=True
    )
    if not found:
        return None, "PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin/initdb)"
    for initdb in found:
        if Path(f"/usr/share/postgresql/{initdb.parent.parent.name}/extension/postgis.control").exists():
            return initdb.parent, ""
    return (
        None,
        f"PostGIS is not installed for PostgreSQL {found[0].parent.parent.name} "
        f"(apt-get install postgresql-{found[0].parent.parent.name}-postgis-3)",
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """One running cluster; ``url(database)`` for connections, ``stop``/``start`` to simulate an outage."""

    def __init__(self, bin_dir: Path, root: Path):
        self.bin_dir, self.root, self.port = bin_dir, root, _free_port()
        self.data = root / "data"
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def _run(self, *args: str) -> None:
        subprocess.run([*self.as_postgres, *args], check=True, capture_output=True, text=True)

    def init(self) -> None:
        if self.as_postgres:
            user = pwd.getpwnam("postgres")
            os.chown(self.root, user.pw_uid, user.pw_gid)
        password_file = self.root / "pw"
        password_file.write_text(PASSWORD)
        self._run(
            str(self.bin_dir / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "-A",
            "scram-sha-256",
            f"--pwfile={password_file}",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        )
        password_file.unlink()

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            str(self.bin_dir / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.root / "log"),
            "-o",
            options,
            "-w",
            "start",
        )

    def stop(self) -> None:
        self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def hold_history(self, schema: str):
        """An open transaction that keeps every INSERT into the history waiting (a save stops right before its
        record); closing the returned connection lets them go on."""
        import psycopg

        connection = psycopg.connect(self.url("quartier"))
        connection.execute(f'LOCK TABLE "{schema}".history IN EXCLUSIVE MODE')
        return connection

    def wait_for_blocked_save(self, timeout_s: float = 20) -> None:
        """Return once a save waits for its history record (see ``hold_history``)."""
        import psycopg

        with psycopg.connect(self.url("quartier"), autocommit=True) as watcher:
            deadline = time.monotonic() + timeout_s
            while time.monotonic() < deadline:
                waiting = watcher.execute(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE wait_event_type = 'Lock' AND query ILIKE 'INSERT INTO %history%'"
                ).fetchone()[0]
                if waiting:
                    return
                time.sleep(0.05)
        raise AssertionError("the save never reached its history record")

    def url(self, database: str = "postgres", user: str = "postgres", password: str = PASSWORD) -> str:
        return f"postgresql://{user}:{password}@127.0.0.1:{self.port}/{database}"

    def store_url(self, schema: str | None = None, user: str = "postgres", password: str = PASSWORD) -> str:
        """A store URL for database ``quartier``: a schema of its own (new and unique unless named)."""
        return f"{self.url('quartier', user, password)}?schema={quote(schema or 't_' + uuid.uuid4().hex[:12], safe='')}"


@contextmanager
def running_server():
    """Start a server with a database ``quartier`` that has PostGIS; yield the Server; stop and remove it."""
    bin_dir, reason = binaries()
    if bin_dir is None:
        pytest.skip(reason)
    import psycopg

    server = Server(bin_dir, Path(tempfile.mkdtemp(prefix="quartiersatlas-pg-")))
    try:
        server.init()
        server.start()
        with psycopg.connect(server.url(), autocommit=True) as connection:
            connection.execute("CREATE DATABASE quartier")
        with psycopg.connect(server.url("quartier"), autocommit=True) as connection:
            connection.execute("CREATE EXTENSION postgis")
        yield server
    finally:
        subprocess.run(
            [*server.as_postgres, str(bin_dir / "pg_ctl"), "-D", str(server.data), "-m", "immediate", "stop"],
            check=False,
            capture_output=True,
        )
        shutil.rmtree(server.root, ignore_errors=True)
