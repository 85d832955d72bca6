"""Start a save and hang inside it, so a test can kill the process mid-save (see test_store_kill.py).

python tests/support/killsave.py edit|import|import-midway STORE READY_FILE
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import pyogrio  # noqa: E402

from dashboard.model.roles import Role, User  # noqa: E402
from dashboard.model.workspace import LayerMeta  # noqa: E402
from dashboard.store import gpkg  # noqa: E402
from dashboard.store.base import open_store  # noqa: E402


def hang(ready: Path) -> None:
    ready.write_text("in save")
    time.sleep(120)


def main(mode: str, path: str, ready: str) -> None:
    ready_file = Path(ready)
    data_store = open_store(path)
    editor = User("killtest", Role.EDITOR, "password")
    offers = data_store.entries("offers")
    first = offers.iloc[0]
    if mode == "edit":
        record = gpkg._record

        def record_then_hang(*args, **kwargs):
            change = record(*args, **kwargs)  # the UPDATE and the history row are written, not committed
            hang(ready_file)
            return change

        gpkg._record = record_then_hang
        data_store.update(editor, "offers", first["offer_id"], int(first["row_version"]), {"name": "HALB GESPEICHERT"})
    else:
        if mode == "import":
            os.replace = lambda *args: hang(ready_file)  # the new file is complete, the rename not done
        else:
            write, calls = pyogrio.write_dataframe, []

            def write_then_hang(*args, **kwargs):
                calls.append(1)
                if len(calls) == 3:
                    hang(ready_file)
                return write(*args, **kwargs)

            pyogrio.write_dataframe = write_then_hang
        frame = data_store.read().offers.head(3)
        data_store.import_layer(editor, "offers", frame, LayerMeta(), source="kill.csv", mode="replace", counts={})


if __name__ == "__main__":
    main(*sys.argv[1:])
