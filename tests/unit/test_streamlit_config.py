"""The committed Streamlit configuration is the production one, and the pages do not need what it switches off."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

from tests.support.paths import ROOT

CONFIG = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
SCRIPTS = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]


def test_the_server_runs_as_in_production_and_sends_nothing_home():
    assert CONFIG["server"]["fileWatcherType"] == "none"
    assert CONFIG["server"]["runOnSave"] is False
    assert CONFIG["runner"]["postScriptGC"] is False
    assert CONFIG["runner"]["magicEnabled"] is False
    assert CONFIG["browser"]["gatherUsageStats"] is False
    assert CONFIG["global"]["disableWidgetStateDuplicationWarning"] is True  # a link's view: no stack in the log


def _magic_lines(source: str) -> list[int]:
    """Lines Streamlit's magic would show: expression statements other than calls, awaits, yields and docstrings."""
    found = []
    for node in ast.walk(ast.parse(source)):
        for field in ("body", "orelse", "finalbody"):
            body = getattr(node, field, None)
            for i, statement in enumerate(body if isinstance(body, list) else []):
                if not isinstance(statement, ast.Expr) or isinstance(
                    statement.value, ast.Call | ast.Await | ast.Yield | ast.YieldFrom
                ):
                    continue
                docstring = (
                    i == 0 and isinstance(statement.value, ast.Constant) and isinstance(statement.value.value, str)
                )
                if not (
                    docstring and isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
                ):
                    found.append(statement.lineno)
    return found


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.name)
def test_no_page_relies_on_magic(path: Path):
    """With magic off a bare value on its own line shows nothing: every output is an st call."""
    assert _magic_lines(path.read_text(encoding="utf-8")) == []


def test_the_magic_check_sees_bare_values():
    source = '"""Docstring."""\nimport streamlit as st\nx = 1\nx\nif x:\n    "shown by magic"\nst.write(x)\n'
    assert _magic_lines(source) == [4, 6]
