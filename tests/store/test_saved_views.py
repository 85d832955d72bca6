"""Saved views in the store: saved, listed, renamed and deleted with history and conflict check; viewers refused;
older stores gain the table on the first save; a migration keeps them. Both backends run every test."""

from __future__ import annotations

import re
import shutil

import psycopg
import pytest

from dashboard.model.roles import ANONYMOUS, PermissionDenied, Role, User
from dashboard.store import gpkgfile
from dashboard.store.base import (
    ConflictError,
    EntryNotFound,
    NothingToUndo,
    StoreError,
    StoreUnavailable,
    open_store,
)
from dashboard.store.migrate import migrate
from dashboard.store.postgis import create_schema

ANNA = User("anna", Role.EDITOR, "password")
BEN = User("ben", Role.EDITOR, "password")
VIEWER = User("vera", Role.VIEWER, "oidc")
QUERY = "v=1&p=luecken&g=senioren&t=400"


def _save(data_store, title="Seniorentreffs im Norden", note="Vorlage 2027/113"):
    return data_store.save_view(ANNA, title=title, note=note, page="luecken", query=QUERY, data_stand="2026-01-01")


def test_a_saved_view_is_listed_and_found_by_its_short_random_id(backend_store):
    assert backend_store.saved_views() == []  # the demo city's file predates saved views
    first = _save(backend_store, title="  Seniorentreffs im Norden ")
    second = _save(backend_store, title="Familien im Süden", note="")
    assert re.fullmatch(r"[A-Za-z0-9_-]{8}", first.view_id) and first.view_id != second.view_id
    assert (first.title, first.note, first.page, first.query, first.author) == (
        "Seniorentreffs im Norden",
        "Vorlage 2027/113",
        "luecken",
        QUERY,
        "anna",
    )
    assert first.data_stand == "2026-01-01" and first.row_version == 1 and first.retired_on is None
    assert first.created_at.endswith("+00:00")
    assert [v.view_id for v in backend_store.saved_views()] == [second.view_id, first.view_id]  # newest first
    assert backend_store.saved_view(first.view_id) == first
    assert backend_store.saved_view("nichtda1") is None


def test_rename_and_delete_are_recorded_and_deleted_views_leave_list_and_link(backend_store):
    view = _save(backend_store)
    renamed = backend_store.change_view(ANNA, view.view_id, 1, title="Treffs Nord", note="Vorlage 2027/114")
    assert (renamed.title, renamed.note, renamed.row_version) == ("Treffs Nord", "Vorlage 2027/114", 2)
    deleted = backend_store.delete_view(BEN, view.view_id, 2)
    assert deleted.retired_on is not None and backend_store.saved_views() == []
    assert backend_store.saved_view(view.view_id) is None
    history = backend_store.history(layer="saved_views", entry_id=view.view_id)
    assert [(c.action, c.user) for c in history] == [("retire", "ben"), ("update", "anna"), ("add", "anna")]
    assert history[1].before["title"] == "Seniorentreffs im Norden" and history[1].after["title"] == "Treffs Nord"
    assert history[2].after["query"] == QUERY
    with pytest.raises(EntryNotFound):
        backend_store.change_view(ANNA, view.view_id, 3, title="wieder da", note="")


def test_two_editors_on_one_view_get_a_conflict_not_an_overwrite(backend_store):
    view = _save(backend_store)
    backend_store.change_view(ANNA, view.view_id, 1, title="Annas Titel", note="")
    with pytest.raises(ConflictError) as conflict:
        backend_store.delete_view(BEN, view.view_id, 1)
    assert "anna" in conflict.value.text()
    assert backend_store.saved_view(view.view_id).title == "Annas Titel"


def test_viewers_cannot_save_change_or_delete(backend_store):
    view = _save(backend_store)
    for user in (VIEWER, ANONYMOUS):
        with pytest.raises(PermissionDenied):
            backend_store.save_view(user, title="x", note="", page="karte", query="", data_stand="")
        with pytest.raises(PermissionDenied):
            backend_store.change_view(user, view.view_id, 1, title="x", note="")
        with pytest.raises(PermissionDenied):
            backend_store.delete_view(user, view.view_id, 1)
    assert backend_store.saved_views() == [view]
    assert len(backend_store.history(layer="saved_views")) == 1


def test_a_title_is_required_and_texts_are_bounded(backend_store):
    with pytest.raises(StoreError) as missing:
        _save(backend_store, title="   ")
    assert missing.value.text() == "Bitte geben Sie der Ansicht einen Titel."
    with pytest.raises(StoreError) as long_note:
        _save(backend_store, note="x" * 501)
    assert "500" in long_note.value.text()
    assert backend_store.saved_views() == []


def test_a_view_names_the_newest_data_change_and_undo_leaves_views_alone(backend_store):
    assert backend_store.last_data_change() == 0  # the demo city has no recorded change yet
    view = _save(backend_store)
    assert view.data_change == 0 and backend_store.last_data_change() == 0  # saving a view changes no data
    offer = backend_store.entries("offers").iloc[0]
    change = backend_store.update(ANNA, "offers", offer["offer_id"], int(offer["row_version"]), {"name": "Neu"})
    assert backend_store.last_data_change() == change.change_id
    assert _save(backend_store).data_change == change.change_id
    assert backend_store.undo_last(ANNA).entry_id == offer["offer_id"]  # the data edit, not the newer view
    with pytest.raises(NothingToUndo):
        backend_store.undo_last(ANNA)
    assert len(backend_store.saved_views()) == 2


def test_migration_keeps_saved_views_with_their_history(backend_store, tmp_path):
    view = _save(backend_store)
    backend_store.change_view(ANNA, view.view_id, 1, title="Treffs Nord", note="")
    target = open_store(tmp_path / "kopie.gpkg")
    migrate(backend_store, target)
    assert target.saved_views() == backend_store.saved_views()
    assert [c.action for c in target.history(layer="saved_views")] == ["update", "add"]
    assert target.change_view(BEN, view.view_id, 2, title="Weiter", note="").row_version == 3


def test_saved_views_move_into_postgis_and_back(postgis, tmp_path):
    path = tmp_path / "quartiersatlas.gpkg"
    shutil.copy(gpkgfile.DEMO_PATH, path)
    view = _save(open_store(path))
    database = open_store(postgis.store_url())
    migrate(open_store(path), database)
    assert database.saved_views() == [view]
    assert database.history(layer="saved_views")[0].after == view.values()
    version = database.version()
    assert database.change_view(BEN, view.view_id, 1, title="In der Datenbank", note="").row_version == 2
    _save(database)
    assert database.version() == version  # a view is no data: no instance reloads the city for it


def test_a_postgis_schema_from_before_saved_views_lists_none_and_gains_the_table_on_the_first_save(postgis, tmp_path):
    path = tmp_path / "quartiersatlas.gpkg"
    shutil.copy(gpkgfile.DEMO_PATH, path)
    database = open_store(postgis.store_url())
    migrate(open_store(path), database)
    with database._connection() as connection:  # as set up before saved views and numbered schema steps
        connection.execute(f'DROP TABLE "{database.schema}".saved_views, "{database.schema}".schema_version')
    assert database.saved_views() == []
    view = _save(database)
    assert database.saved_views() == [view]


def test_the_database_roles_let_viewers_read_views_and_only_editors_write_them(postgis):
    with psycopg.connect(postgis.url("quartier"), autocommit=True) as admin:
        for role in ("ansicht_viewer", "ansicht_editor"):
            admin.execute(f"CREATE ROLE {role} LOGIN PASSWORD 'pw-{role}'")
    owner_url = postgis.store_url("ansichten")
    migrate(open_store(gpkgfile.DEMO_PATH), open_store(owner_url))
    create_schema(owner_url, viewer_role="ansicht_viewer", editor_role="ansicht_editor")
    editor = open_store(postgis.store_url("ansichten", "ansicht_editor", "pw-ansicht_editor"))
    viewer = open_store(postgis.store_url("ansichten", "ansicht_viewer", "pw-ansicht_viewer"))

    view = _save(editor)
    editor.change_view(ANNA, view.view_id, 1, title="Treffs Nord", note="")
    assert [v.title for v in viewer.saved_views()] == ["Treffs Nord"]
    assert viewer.last_data_change() == editor.last_data_change() == 0
    with pytest.raises(StoreUnavailable):  # even for a signed-in editor, a viewer instance cannot write
        viewer.delete_view(ANNA, view.view_id, 2)
    with psycopg.connect(postgis.url("quartier", "ansicht_editor", "pw-ansicht_editor"), autocommit=True) as connection:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            connection.execute("DELETE FROM ansichten.saved_views")
    assert [v.view_id for v in editor.saved_views()] == [view.view_id]
