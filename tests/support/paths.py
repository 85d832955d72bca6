"""Where the tests find the app, the repository and the real open data beside it."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
#: What a deployment starts (``streamlit run``): app.py behind the app's own web server.
SERVER = ROOT / "dashboard" / "web" / "server.py"
#: Real open data of six cities (``../shared/data`` beside the repository); never copied in.
SHARED_DATA = ROOT.parent / "shared" / "data"


def real_file(relative: str) -> Path:
    """A file of the shared real data, or a skip that says which file is missing and where it was looked for."""
    path = SHARED_DATA / relative
    if not path.exists():
        pytest.skip(f"real data not found: {path} (the shared data folder lies beside the repository)")
    return path
