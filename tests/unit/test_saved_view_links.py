"""Saved views outside the store: the ``?ansicht=`` link, the checks of title and note, the header's texts."""

import pytest

from dashboard.model import share_state
from dashboard.store.base import SavedView, view_problems
from dashboard.web.saved_views import PAGE_TITLES, saved_line

VIEW = SavedView(
    "Ab3_x-9Z",
    "Treffs",
    "",
    "luecken",
    "v=1&p=luecken&g=senioren",
    "anna",
    "2026-12-03T13:09:43+00:00",
    "2026-06-30",
    7,
)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"ansicht": "Ab3_x-9Z"}, "Ab3_x-9Z"),
        ({"ansicht": ["Ab3_x-9Z"]}, "Ab3_x-9Z"),
        ({"ansicht": "Ab3_x-9"}, None),  # seven characters
        ({"ansicht": "Ab3_x-9Zz"}, None),  # nine
        ({"ansicht": "Ab3<x>9Z"}, None),
        ({"ansicht": ["Ab3_x-9Z", "Ab3_x-9Y"]}, None),  # twice
        ({"ansicht": ""}, None),
        ({"p": "luecken"}, None),
    ],
)
def test_only_a_well_formed_id_is_taken_from_a_link(params, expected):
    assert share_state.saved_view_id(params) == expected


def test_the_short_link_and_the_stored_query_read_back_as_the_full_link():
    assert (
        share_state.saved_view_link("https://atlas.stadt.de/", "Ab3_x-9Z") == "https://atlas.stadt.de/?ansicht=Ab3_x-9Z"
    )
    params = share_state.encode(share_state.ViewState("luecken", fields={"gap_target_group": "senioren"}))
    query = share_state.query_string(params)
    assert query == "v=1&p=luecken&g=senioren"
    state, notices = share_state.decode(share_state.link_params(f"?{query}"))
    assert (state.page, state.get("gap_target_group"), notices) == ("luecken", "senioren", [])


def test_a_stored_query_cannot_name_another_saved_view_or_smuggle_values():
    state, notices = share_state.decode(share_state.link_params("?p=luecken&ansicht=Ab3_x-9Z&g=<script>"))
    assert (state.page, dict(state.fields), notices) == ("luecken", {}, ["g", "ansicht"])


def test_title_and_note_problems_name_the_field_and_the_limit():
    assert view_problems("Treffs", "") == []
    assert [p.key for p in view_problems("  ", "")] == ["views.title_missing"]
    assert [p.text() for p in view_problems("x" * 121, "y" * 501)] == [
        "Der Titel darf höchstens 120 Zeichen lang sein.",
        "Die Notiz darf höchstens 500 Zeichen lang sein.",
    ]


def test_a_view_knows_when_the_data_changed_since():
    assert not VIEW.data_changed("2026-06-30", 7)
    assert VIEW.data_changed("2026-06-30", 8)  # an entry edited
    assert VIEW.data_changed("2026-09-30", 7)  # a newer Stand


def test_the_saved_line_names_date_author_and_stand():
    assert saved_line(VIEW, "de") == "Gespeichert am 03.12.2026 von anna, Datenstand 30.06.2026"
    assert saved_line(VIEW, "en").startswith("Saved on ")
    assert set(PAGE_TITLES) == set(share_state.PAGES)
