"""A save killed half-way (SIGKILL) leaves the previous data intact and the store usable."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dashboard.model.roles import Role, User
from dashboard.store import gpkgfile
from dashboard.store.base import open_store

pytestmark = pytest.mark.slow  # each test starts a process and kills it mid-save

KILLSAVE = Path(__file__).resolve().parents[1] / "support" / "killsave.py"


def _kill_mid_save(mode: str, path: Path, tmp_path: Path) -> None:
    ready = tmp_path / f"ready-{mode}"
    process = subprocess.Popen([sys.executable, str(KILLSAVE), mode, str(path), str(ready)])
    try:
        for _ in range(600):  # up to 60 s for the save to reach its hanging point
            if ready.exists() or process.poll() is not None:
                break
            time.sleep(0.1)
        assert ready.exists(), f"the save never reached the point to kill it (exit code {process.poll()})"
    finally:
        process.kill()
        process.wait()


@pytest.mark.parametrize("mode", ["edit", "import", "import-midway"])
def test_killed_save_leaves_previous_data(mode, tmp_path):
    path = tmp_path / "quartiersatlas.gpkg"
    shutil.copy(gpkgfile.DEMO_PATH, path)
    before = gpkgfile.read_geopackage(path)
    data_store = open_store(path)

    _kill_mid_save(mode, path, tmp_path)

    after = data_store.read()
    for name in before.layers:
        assert len(after.layers[name]) == len(before.layers[name]), name
    assert after.offers["name"].tolist() == before.offers["name"].tolist()
    assert data_store.history() == []
    # and the store works on: the next save goes through, leftovers of the killed one are gone
    first = data_store.entries("offers").iloc[0]
    data_store.update(
        User("next", Role.EDITOR), "offers", first["offer_id"], int(first["row_version"]), {"name": "danach"}
    )
    assert data_store.read().offers["name"].iloc[0] == "danach"
    data_store.import_layer(
        User("next", Role.EDITOR),
        "offers",
        data_store.read().offers,
        before.layer_meta("offers"),
        source="x",
        mode="replace",
        counts={},
    )
    assert not list(tmp_path.glob(".tmp-*.gpkg"))
    assert [c.action for c in data_store.history()] == ["import", "update"]
