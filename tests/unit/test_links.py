"""The web layer's reading of the widgets into a view (dashboard/web/links.py)."""

from __future__ import annotations

import pytest
import streamlit as st

from dashboard.web import links


@pytest.mark.parametrize(
    ("kept", "group"),
    [
        ("senioren", "senioren"),  # the code, as a whole run leaves it
        ("Senioren", "senioren"),  # the German label, brought back by a map report crossing a change to English
        ("Seniors", "senioren"),  # and the English one, the other way round
        ("Unbekannt", "alle"),  # anything else: the default group
        (None, "alle"),  # nothing chosen yet
    ],
)
def test_a_group_kept_by_its_label_in_any_language_stands_for_its_group(monkeypatch, kept, group):
    monkeypatch.setattr(st, "session_state", {} if kept is None else {"gap_target_group": kept})
    assert links.target_group() == group
