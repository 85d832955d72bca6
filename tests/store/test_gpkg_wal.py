"""The GeoPackage store beside QGIS: QGIS switches the file to WAL mode and keeps a connection open, in a process
of its own. The app must see every change it commits (data version) and an import must lose none of them.

The reproduction this guards against: a save through the app went into the ``-wal`` file and left the version
unchanged (caches served old data); an import then renamed a new file in under the old ``-wal``, the store could
no longer be opened, and the save was lost, since the only backup was a hard link from before it.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboard.model.roles import Role, User
from dashboard.model.workspace import LayerMeta
from dashboard.store import gpkgfile
from dashboard.store.base import open_store

ANNA = User("anna", Role.EDITOR, "password")
META = LayerMeta("Liste", "CC BY 4.0", "Stadt", "2026-12-01")

#: A QGIS stand-in: opens the file, switches it to WAL, reads, and keeps the connection until told to stop.
READER = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
mode = connection.execute("PRAGMA journal_mode=" + sys.argv[2]).fetchone()[0]
connection.execute("SELECT count(*) FROM offers").fetchone()
print(mode, flush=True)
for line in sys.stdin:
    print(connection.execute(line).fetchone()[0], flush=True)
"""


class Reader:
    """The other process and its one connection; ``ask(sql)`` runs a query there."""

    def __init__(self, path: Path, mode: str):
        self.process = subprocess.Popen(
            [sys.executable, "-c", READER, str(path), mode],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        self.mode = self.process.stdout.readline().strip()

    def ask(self, query: str) -> str:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(query + "\n")
        self.process.stdin.flush()
        return self.process.stdout.readline().strip()

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait(timeout=10)


@pytest.fixture(params=["wal", "delete"])
def beside_qgis(request, tmp_path) -> Iterator[tuple[Path, Reader]]:
    """A store file with another process's connection open, in WAL or in rollback-journal mode."""
    path = tmp_path / "daten" / "quartiersatlas.gpkg"
    path.parent.mkdir()
    shutil.copy(gpkgfile.DEMO_PATH, path)
    reader = Reader(path, request.param)
    assert reader.mode == request.param
    yield path, reader
    reader.close()


def _first_offer(data_store):
    return data_store.entries("offers").iloc[0]


def test_every_save_raises_the_version_in_either_journal_mode(beside_qgis):
    path, reader = beside_qgis
    data_store = open_store(path)
    seen = [data_store.version()]
    for capacity in (11, 12):
        offer = _first_offer(data_store)
        data_store.update(ANNA, "offers", offer["offer_id"], int(offer["row_version"]), {"capacity": capacity})
        seen.append(data_store.version())
    assert len(set(seen)) == 3
    assert reader.ask("SELECT capacity FROM offers ORDER BY fid LIMIT 1") == "12"  # and the other process sees it


def test_an_import_beside_an_open_connection_loses_no_save_and_leaves_a_sound_file(beside_qgis):
    path, reader = beside_qgis
    data_store = open_store(path)
    offer = _first_offer(data_store)
    data_store.update(ANNA, "offers", offer["offer_id"], int(offer["row_version"]), {"name": "vor dem Import"})
    before_import = data_store.version()
    actors = data_store.read().actors.head(5)
    counts = {"read": 5, "imported": 5, "rejected": 0}
    data_store.import_layer(ANNA, "actors", actors, META, source="akteure.csv", mode="replace", counts=counts)
    assert data_store.version() != before_import
    # the save made before the import is in the store, in its history and in the backup
    reopened = open_store(path)
    assert _first_offer(reopened)["name"] == "vor dem Import"
    assert [c.action for c in reopened.history(limit=2)] == ["import", "update"]
    [backup] = (path.parent / "backups").glob("*.gpkg")
    assert gpkgfile.read_geopackage(backup).offers.set_index("offer_id").loc[offer["offer_id"], "name"] == (
        "vor dem Import"
    )
    assert len(reopened.read().actors) == 5
    with sqlite3.connect(path) as check:
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # the other process reads the new content through its old connection, and the next save works
    assert reader.ask("SELECT count(*) FROM actors") == "5"
    again = _first_offer(reopened)
    reopened.update(ANNA, "offers", again["offer_id"], int(again["row_version"]), {"name": "nach dem Import"})
    assert _first_offer(open_store(path))["name"] == "nach dem Import"


def test_a_file_the_store_never_wrote_to_has_a_version_from_its_identity(tmp_path):
    path = tmp_path / "quartiersatlas.gpkg"
    shutil.copy(gpkgfile.DEMO_PATH, path)
    data_store = open_store(path)
    first = data_store.version()
    assert first != "empty" and ":v" not in first
    offer = _first_offer(data_store)
    data_store.update(ANNA, "offers", offer["offer_id"], int(offer["row_version"]), {"capacity": 3})
    assert data_store.version().endswith(":v1")
    assert open_store(tmp_path / "fehlt.gpkg").version() == "empty"
