"""The layers of ``dashboard/`` hold: each package imports only the packages below it, and only the web
layer talks to Streamlit. Read → validate → analyse → render stays visible in the folders because this
test fails the moment an import points the wrong way."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.support.paths import ROOT

DASHBOARD = ROOT / "dashboard"

# What each package may import of dashboard (besides itself). Lower layers first.
ALLOWED = {
    "i18n": set(),
    "model": {"i18n"},
    "store": {"i18n", "model"},
    "analysis": {"i18n", "model"},
    "ingest": {"i18n", "model", "store", "analysis"},
    "maps": {"i18n", "model", "store", "analysis"},
    "reports": {"i18n", "model", "store", "analysis", "maps"},
    "demo": {"i18n", "model", "store", "analysis", "ingest"},
    "web": {"i18n", "model", "store", "analysis", "ingest", "maps", "reports", "demo"},
    "service": {"i18n", "model", "store", "analysis"},
    "cli": {"i18n", "model", "store", "analysis", "ingest", "maps", "reports", "demo", "service"},
}
STREAMLIT = ("streamlit", "streamlit_folium")


def _imports(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function (lazy imports count too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            if node.module == "dashboard":
                found.update(f"dashboard.{alias.name}" for alias in node.names)
    return found


def _layer(path: Path) -> str:
    parts = path.relative_to(DASHBOARD).parts
    return parts[0] if len(parts) > 1 else path.stem


def _modules() -> list[Path]:
    return sorted(p for p in DASHBOARD.rglob("*.py") if p.name != "__main__.py")


def test_every_module_belongs_to_a_layer():
    """A new top-level module or package must be placed in the table above on purpose."""
    assert sorted({_layer(p) for p in _modules()} - set(ALLOWED) - {"__init__"}) == []


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(DASHBOARD)))
def test_imports_point_down(path: Path):
    layer = _layer(path)
    if layer == "__init__":
        return
    wrong = set()
    for module in _imports(path):
        parts = module.split(".")
        if parts[0] in STREAMLIT and layer != "web":
            wrong.add(module)
        if parts[0] == "dashboard" and len(parts) > 1 and parts[1] != layer and parts[1] not in ALLOWED[layer]:
            wrong.add(module)
    assert sorted(wrong) == []


def test_only_the_web_layer_pages_and_app_import_streamlit():
    """Pages and app.py compose; everything else is a plain function testable without Streamlit."""
    outside = [p for p in _modules() if _layer(p) != "web" and any(m.split(".")[0] in STREAMLIT for m in _imports(p))]
    assert outside == []
    assert any(m.split(".")[0] == "streamlit" for m in _imports(ROOT / "app.py"))


def test_the_checker_sees_lazy_and_package_imports(tmp_path):
    """The checker itself: an import inside a function and ``from dashboard import x`` are both found."""
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    import streamlit as st\n    from dashboard import maps\n")
    assert _imports(sample) == {"streamlit", "dashboard", "dashboard.maps"}
