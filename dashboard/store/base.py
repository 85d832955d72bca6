"""Where a city's data is kept and changed: one interface, one class per backend.

The app reads the workspace, imports layers and edits single entries only
through a ``DataStore``, so the GeoPackage file a planner keeps on a laptop
(``gpkgstore.py``) and a city's shared database behave the same. Every entry
carries a row version (optimistic locking: a change names the version it was
made on, and a newer one in the store is a conflict, never a silent
overwrite) and a retirement date (entries are retired, not deleted). Every
change is written with who, when, before and after in the same transaction.

Rights are checked here, in the public methods, so every backend refuses a
viewer, whatever page or script calls it.
"""

from __future__ import annotations

import json
import secrets
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from dashboard import i18n
from dashboard.i18n import Phrase, phrase, render
from dashboard.model import schema, share_state
from dashboard.model.auth import Attempts
from dashboard.model.roles import Role, User, require_editor
from dashboard.model.workspace import LayerMeta, Workspace

#: Columns the store adds to every data table: the row version and the retirement date.
ROW_VERSION, RETIRED = "row_version", "retired_on"
SYSTEM_COLUMNS = (ROW_VERSION, RETIRED)
#: Layers whose entries are maintained one by one (the others arrive by import).
EDITABLE_LAYERS = ("offers", "actors", "housing", "cooperations")


@dataclass(frozen=True)
class Change:
    """One recorded change: an edit of an entry, an undo, or an import of a layer."""

    change_id: int
    at: str  # ISO timestamp, UTC
    user: str
    action: str  # add, update, move, retire, undo, import
    layer: str | None
    entry_id: str | None
    before: dict | None
    after: dict | None
    undone_by: int | None = None


#: The store's table of saved views; their changes are recorded in the history under this name.
SAVED_VIEWS = "saved_views"
TITLE_MAX, NOTE_MAX = 120, 500
#: History records that change data (imports and edits of entries), as an SQL condition for both backends.
DATA_CHANGES = f"(layer IS NULL OR layer <> '{SAVED_VIEWS}')"


@dataclass(frozen=True)
class SavedView:
    """A view an editor saved for the council: a share link's query with title, note and the data it was made on.

    ``data_stand`` is the Datenstand shown at the time, ``data_change`` the newest recorded data change:
    a newer one means the figures may differ from what the author saw.
    """

    view_id: str
    title: str
    note: str
    page: str
    query: str
    author: str
    created_at: str  # ISO timestamp, UTC
    data_stand: str
    data_change: int
    row_version: int = 1
    retired_on: str | None = None

    def values(self) -> dict:
        """The view as recorded in the history."""
        return asdict(self)

    def data_changed(self, data_stand: str, last_data_change: int) -> bool:
        """The data was changed (edited, imported, or a newer Stand) since the view was saved."""
        return (self.data_stand, self.data_change) != (data_stand, last_data_change)


#: The columns of the saved views' table, in the order of ``SavedView``'s fields.
VIEW_COLUMNS = tuple(f.name for f in fields(SavedView))


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def new_view_id() -> str:
    """Eight URL-safe characters from a random source: short for a link, not guessable from the order."""
    return secrets.token_urlsafe(6)


def view_problems(title: str, note: str) -> list[Phrase]:
    """What is wrong with a title and note an editor typed (the form shows it, the store refuses it)."""
    problems = []
    if not title.strip():
        problems.append(phrase("views.title_missing"))
    elif len(title.strip()) > TITLE_MAX:
        problems.append(phrase("views.title_long", n=TITLE_MAX))
    if len(note.strip()) > NOTE_MAX:
        problems.append(phrase("views.note_long", n=NOTE_MAX))
    return problems


class StoreError(Exception):
    """A change the store refused; ``text(lang)`` says why in plain words."""

    def __init__(self, message: Phrase):
        super().__init__(message.key)
        self.message = message

    def text(self, lang: str = i18n.DEFAULT_LANGUAGE) -> str:
        return render(self.message.key, self.message.values, lang)

    def __str__(self) -> str:
        return self.text()


class ConflictError(StoreError):
    """Someone changed the entry since it was opened: nothing was written."""

    def __init__(self, layer: str, entry_id: str, last: Change | None):
        who = last.user if last else "?"
        when = last.at[:16].replace("T", " ") if last else "?"
        super().__init__(phrase("store.conflict", entry=entry_id, user=who, at=when))
        self.layer, self.entry_id, self.last = layer, entry_id, last


class EntryNotFound(StoreError):
    def __init__(self, layer: str, entry_id: str):
        super().__init__(phrase("store.not_found", entry=entry_id, layer=Phrase(f"val.layer.{layer}")))


class NothingToUndo(StoreError):
    def __init__(self):
        super().__init__(phrase("store.nothing_to_undo"))


class StoreUnavailable(StoreError):
    """The store cannot be reached (a database down, a file gone): the previous data is untouched."""

    def __init__(self, reason: str):
        super().__init__(phrase("store.unavailable", reason=reason))


class StoreRefused(StoreUnavailable):
    """The database refused the connected role a right (a viewer's role writing, or reading the history)."""

    def __init__(self):
        StoreError.__init__(self, phrase("store.no_rights"))


def entry_dict(record: dict, layer: str) -> dict:
    """The JSON-safe values of one entry (schema fields, geometry as WKT, retirement) for the history."""
    spec = schema.LAYERS[layer]
    out: dict[str, object] = {}
    for name in [*spec.field_names, RETIRED]:
        value = record.get(name)
        if value is None or (not isinstance(value, (list, dict, str)) and pd.isna(value)):
            out[name] = None
        elif isinstance(value, bool) or hasattr(value, "item"):
            out[name] = value.item() if hasattr(value, "item") else value
        else:
            out[name] = value
    geometry = record.get("geometry")
    if spec.geometry_types:
        out["geometry"] = None if geometry is None else geometry.wkt
    return out


def dumps(values: dict | None) -> str | None:
    return None if values is None else json.dumps(values, ensure_ascii=False, sort_keys=True)


class DataStore(ABC):
    """The operations the app needs; public methods check rights, backends implement the ``_`` ones."""

    # ---- reading (everyone; viewers get their fields cut by roles.workspace_for) ----
    @abstractmethod
    def is_empty(self) -> bool:
        """No areas stored yet: the app shows the demo city instead."""

    @abstractmethod
    def version(self) -> str:
        """Changes with every committed change; caches are keyed by it."""

    @abstractmethod
    def read(self, role: Role = Role.EDITOR) -> Workspace:
        """All layers, active entries only, schema columns only; for a viewer the private fields are not even
        read (``roles.workspace_for`` still cuts whatever reaches a viewer's session)."""

    @abstractmethod
    def entries(self, layer: str) -> pd.DataFrame:
        """One layer with retired entries and the system columns, for edit screens."""

    @abstractmethod
    def history(self, *, layer: str | None = None, entry_id: str | None = None, limit: int = 50) -> list[Change]:
        """Recorded changes, newest first."""

    @abstractmethod
    def import_log(self) -> pd.DataFrame:
        """Every import: when, who, which layer and file, rows read/imported/rejected."""

    @abstractmethod
    def mapping(self, source_key: str) -> str | None:
        """The column mapping (JSON) last used for a source, if any."""

    @abstractmethod
    def export_geopackage(self, out: str | Path) -> None:
        """The whole store (layers, retired entries, history, logs) as one GeoPackage that QGIS opens."""

    # ---- writing (editors only) ----
    def import_layer(
        self,
        user: User,
        layer: str,
        frame: pd.DataFrame,
        meta: LayerMeta,
        *,
        source: str,
        mode: str,
        counts: dict,
        imported_ids: Sequence[str] | None = None,
    ) -> Change:
        """Store an imported layer as a whole (one transaction), log it and record the change.

        ``frame`` is the layer after the import; ``imported_ids`` the entries the file held (all of ``frame``
        when None), which ``meta`` is credited for (``Workspace.record_import``)."""
        require_editor(user)
        if imported_ids is None:
            imported_ids = [str(i) for i in frame[schema.LAYERS[layer].id_field]]
        return self._import_layer(
            user, layer, frame, meta, source=source, mode=mode, counts=counts, imported_ids=list(imported_ids)
        )

    def set_city(self, user: User, name: str) -> None:
        require_editor(user)
        self._set_city(name)

    def remember_mapping(self, user: User, source_key: str, layer: str, mapping_json: str) -> None:
        require_editor(user)
        self._remember_mapping(source_key, layer, mapping_json)

    def add(self, user: User, layer: str, values: dict, geometry=None) -> Change:
        """A new entry; ``geometry`` in the layer's CRS (see ``crs``)."""
        require_editor(user)
        return self._write(user, "add", layer, values[schema.LAYERS[layer].id_field], None, values, geometry)

    def update(self, user: User, layer: str, entry_id: str, expected_version: int, values: dict) -> Change:
        """Change fields of an entry opened at ``expected_version``."""
        require_editor(user)
        return self._write(user, "update", layer, entry_id, expected_version, values, None)

    def move(self, user: User, layer: str, entry_id: str, expected_version: int, geometry) -> Change:
        require_editor(user)
        return self._write(user, "move", layer, entry_id, expected_version, {}, geometry)

    def retire(self, user: User, layer: str, entry_id: str, expected_version: int, on: str) -> Change:
        """Mark an entry as no longer existing since ``on`` (ISO date): kept, but out of maps and analysis."""
        require_editor(user)
        return self._write(user, "retire", layer, entry_id, expected_version, {RETIRED: on}, None)

    def undo_last(self, user: User) -> Change:
        """Undo the user's own last edit of data not undone yet (a conflict if someone changed the entry since)."""
        require_editor(user)
        return self._undo_last(user)

    # ---- saved views (everyone reads them, editors save, rename and delete) ----
    @abstractmethod
    def saved_views(self) -> list[SavedView]:
        """The saved views not deleted, newest first; none in a store from before they existed."""

    def saved_view(self, view_id: str) -> SavedView | None:
        return next((view for view in self.saved_views() if view.view_id == view_id), None)

    @abstractmethod
    def last_data_change(self) -> int:
        """The id of the newest recorded change of data (0 if none): what a saved view compares against."""

    def save_view(self, user: User, *, title: str, note: str, page: str, query: str, data_stand: str) -> SavedView:
        """Save ``query`` (a share link's, of ``page``) under a new id; it remembers the data it was made on."""
        require_editor(user)
        _refuse_problems(title, note)
        if page not in share_state.PAGES:
            raise ValueError(page)
        view = SavedView(new_view_id(), title.strip(), note.strip(), page, query, user.name, now(), data_stand, 0)
        return self._save_view(user, view)

    def change_view(self, user: User, view_id: str, expected_version: int, *, title: str, note: str) -> SavedView:
        """New title and note for a view opened at ``expected_version`` (a conflict if someone changed it since)."""
        require_editor(user)
        _refuse_problems(title, note)
        return self._change_view(
            user, "update", view_id, expected_version, {"title": title.strip(), "note": note.strip()}
        )

    def delete_view(self, user: User, view_id: str, expected_version: int) -> SavedView:
        """Take a view off the list and its link; kept with its history, like a retired entry."""
        require_editor(user)
        return self._change_view(user, "retire", view_id, expected_version, {"retired_on": now()[:10]})

    @abstractmethod
    def _save_view(self, user: User, view: SavedView) -> SavedView:
        """Store ``view`` with the newest data change and record it, in one transaction."""

    @abstractmethod
    def _change_view(self, user: User, action: str, view_id: str, expected_version: int, changes: dict) -> SavedView:
        """Set ``changes`` on an active view still at ``expected_version``, raise its row version, record it."""

    @abstractmethod
    def crs(self, layer: str):
        """The CRS new geometries of ``layer`` must be given in."""

    # ---- failed sign-ins: the store keeps them so that every instance counts together (``auth.Ledger``) ----
    @abstractmethod
    def signin_attempts(self, keys: Sequence[str]) -> dict[str, Attempts]:
        """The records of those keys that exist."""

    @abstractmethod
    def record_signin_attempts(self, changes: Mapping[str, Attempts | None], forget_before: float) -> None:
        """Write the records (None: delete) in one transaction, and drop every record whose last failure and
        lockout both ended before ``forget_before``: addresses are personal data, kept no longer than needed.
        Not a change of the data: the data version stays."""

    @abstractmethod
    def _import_layer(self, user, layer, frame, meta, *, source, mode, counts, imported_ids) -> Change: ...

    @abstractmethod
    def _set_city(self, name: str) -> None: ...

    @abstractmethod
    def _remember_mapping(self, source_key: str, layer: str, mapping_json: str) -> None: ...

    @abstractmethod
    def _write(self, user, action, layer, entry_id, expected_version, values, geometry) -> Change: ...

    @abstractmethod
    def _undo_last(self, user) -> Change: ...


def _refuse_problems(title: str, note: str) -> None:
    if problems := view_problems(title, note):
        raise StoreError(problems[0])


def open_store(path: str | Path) -> DataStore:
    """The store for a setting: a ``postgresql://`` URL (PostGIS, see ``pgstore.py``) or a GeoPackage file path."""
    from dashboard.store.postgis import PostGISStore, is_database_url

    if is_database_url(path):
        return PostGISStore(str(path))
    from dashboard.store.gpkg import GeoPackageStore

    return GeoPackageStore(Path(path))
