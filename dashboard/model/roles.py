"""Who may see and change what: the two roles and the checks that enforce them.

Rights are enforced where data is read and written, not by hiding buttons:

* **Reading** – page code gets its data only from ``dashboard.web.session.load()``, which builds the
  workspace *for the session's role* with ``for_role``. A viewer's workspace, the
  City prepared from it, its map data and every cache keyed by its version never
  hold a private field (``schema.Field.private``: the contact data).
* **Writing** – every edit action calls ``require_editor`` first (see
  ``edits.py``), so it refuses a viewer even when called directly.

No Streamlit here: who is signed in is worked out in ``dashboard/web/signin.py`` (``current_user``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from enum import StrEnum

import pandas as pd

from dashboard.model import schema
from dashboard.model.workspace import Workspace


class Role(StrEnum):
    """Viewers (everyone not signed in as editor) read; editors may also change data."""

    VIEWER = "viewer"
    EDITOR = "editor"


@dataclass(frozen=True)
class User:
    """The person behind a session; ``via`` says how they signed in (oidc, password, anonymous)."""

    name: str
    role: Role = Role.VIEWER
    via: str = "anonymous"

    @property
    def is_editor(self) -> bool:
        return self.role is Role.EDITOR


ANONYMOUS = User("")


class PermissionDenied(Exception):
    """An edit action was asked for by someone who is not an editor."""

    def __init__(self, user: User):
        super().__init__(
            "Keine Berechtigung: nur angemeldete Bearbeiter:innen dürfen Daten ändern "
            f"(angefragt von {user.name or 'anonym'})."
        )
        self.user = user


def visible_fields(layer: str, role: Role) -> list[str]:
    """The fields of a schema layer the role may see: all for editors, the public ones for viewers."""
    spec = schema.LAYERS[layer]
    return spec.field_names if role is Role.EDITOR else spec.public_field_names


def for_role(frame: pd.DataFrame, layer: str, role: Role) -> pd.DataFrame:
    """``frame`` without the private fields of ``layer`` when ``role`` is a viewer (unknown columns stay)."""
    hidden = set(schema.LAYERS[layer].field_names) - set(visible_fields(layer, role))
    return frame.drop(columns=[c for c in frame.columns if c in hidden])


def workspace_for(workspace: Workspace, role: Role) -> Workspace:
    """The workspace as ``role`` may see it: a new object, so the full one is never handed on to a viewer.

    Layers with private fields are always present, so that the empty stand-in ``Workspace.layer``
    makes for a missing layer cannot bring the private columns back.
    """
    guarded = [name for name, spec in schema.LAYERS.items() if any(f.private for f in spec.fields)]
    names = dict.fromkeys([*workspace.layers, *guarded])
    layers = {
        name: for_role(workspace.layer(name), name, role) if name in schema.LAYERS else workspace.layers[name]
        for name in names
    }
    return Workspace(
        workspace.city,
        layers,
        dict(workspace.meta),
        workspace.is_demo,
        dict(workspace.updates),
        {name: dict(owners) for name, owners in workspace.entry_sources.items()},
    )


def require_editor(user: User) -> None:
    """Refuse anyone but an editor; the first line of every action that changes data."""
    if not user.is_editor:
        raise PermissionDenied(user)


def editor_action(action):
    """Decorator for edit actions taking the acting ``User`` first: viewers are refused before anything runs."""

    @functools.wraps(action)
    def guarded(user: User, *args, **kwargs):
        require_editor(user)
        return action(user, *args, **kwargs)

    return guarded
