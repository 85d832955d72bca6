"""Roles: viewers never get contact data (neither in the loaded data nor in any page), edit actions refuse them."""

import dataclasses
import pickle
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.model import schema
from dashboard.model.roles import (
    ANONYMOUS,
    PermissionDenied,
    Role,
    User,
    for_role,
    require_editor,
    visible_fields,
    workspace_for,
)
from dashboard.model.workspace import LayerMeta, Workspace
from dashboard.store import gpkgfile
from dashboard.web import edits, session
from tests.support.apptree import everything
from tests.support.factories import EDITOR, tiny_workspace
from tests.support.paths import ROOT

APP = str(ROOT / "app.py")
PAGES = sorted(f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py"))
SECRET = "geheim@beispiel.invalid"  # the contact value of tests.factories.tiny_workspace
PRIVATE = {(name, f.name) for name, layer in schema.LAYERS.items() for f in layer.fields if f.private}


@pytest.mark.parametrize("layer", sorted(schema.LAYERS))
def test_for_role_drops_exactly_the_private_fields_for_viewers(layer):
    frame = pd.DataFrame({name: ["x"] for name in [*schema.LAYERS[layer].field_names, "extra"]})
    private = {f for name, f in PRIVATE if name == layer}
    assert list(for_role(frame, layer, Role.VIEWER).columns) == [c for c in frame.columns if c not in private]
    assert list(for_role(frame, layer, Role.EDITOR).columns) == list(frame.columns)
    assert set(visible_fields(layer, Role.VIEWER)) == set(schema.LAYERS[layer].field_names) - private


def test_viewer_workspace_has_no_contact_even_for_missing_layers():
    full = tiny_workspace()
    del full.layers["offers"]  # Workspace.layer() would make an empty stand-in with every field
    viewer = workspace_for(full, Role.VIEWER)
    assert all("contact" not in viewer.layer(name).columns for name in schema.LAYERS)
    assert "contact" in full.actors.columns  # the full workspace is left as it was
    assert "contact" in workspace_for(full, Role.EDITOR).actors.columns


def _frames(value, seen=None):
    """Every DataFrame reachable from ``value`` through dataclass fields, cached properties, dicts and sequences."""
    seen = set() if seen is None else seen
    if id(value) in seen:
        return
    seen.add(id(value))
    if isinstance(value, pd.DataFrame):
        yield value
    elif dataclasses.is_dataclass(value):
        for item in vars(value).values():
            yield from _frames(item, seen)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _frames(item, seen)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _frames(item, seen)


@pytest.fixture
def workspace_file(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "kleinstadt.gpkg"
    gpkgfile.write_geopackage(tiny_workspace(), path)
    monkeypatch.setenv("QUARTIERSATLAS_WORKSPACE", str(path))
    return path


def test_loaded_workspace_of_a_viewer_holds_no_contact_data(workspace_file):
    viewer = session._load("v:viewer", str(workspace_file), Role.VIEWER)
    frames = list(_frames(viewer))
    assert len(frames) > 10  # workspace layers, City frames, map data
    assert not [list(f.columns) for f in frames if "contact" in f.columns]
    assert SECRET.encode() not in pickle.dumps(viewer)
    editor = session._load("v:editor", str(workspace_file), Role.EDITOR)
    assert SECRET.encode() in pickle.dumps(editor)  # the check above would see contact data if it were there


@pytest.mark.parametrize("page", PAGES)
def test_no_page_sends_contact_data_to_a_viewer(workspace_file, page):
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["layer_actors"] = at.session_state["layer_offers"] = True  # points on the Karte map
    at.session_state["profile_area"] = "0101"  # the Quartier with the offer that has a contact
    at.run()
    at.switch_page(page).run()
    assert not at.exception
    sent = everything(at)
    assert "Ratsansicht – nur lesen" in sent
    assert SECRET not in sent


def test_the_check_sees_the_map_data(workspace_file):
    """The walk over the element tree includes st_folium's map: point names reach it, contacts do not."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["layer_actors"] = at.session_state["layer_offers"] = True
    at.run()
    sent = "\n".join(str(c.proto) for c in at.get("component_instance"))
    assert "Nachbarschaftstreff" in sent and SECRET not in sent


@pytest.mark.parametrize("user", [ANONYMOUS, User("rat@example.org", Role.VIEWER, "oidc")])
def test_require_editor_refuses_viewers(user):
    with pytest.raises(PermissionDenied, match="Keine Berechtigung"):
        require_editor(user)
    require_editor(EDITOR)


def test_edit_action_refuses_a_viewer_when_called_directly(tmp_path):
    path = tmp_path / "kleinstadt.gpkg"
    gpkgfile.write_geopackage(tiny_workspace(), path)
    before = path.read_bytes()
    frame = gpd.GeoDataFrame(tiny_workspace().offers.head(1))
    meta = LayerMeta(source="Neu", stand="2026-02-01")
    with pytest.raises(PermissionDenied):
        edits.replace_layer(ANONYMOUS, path, "offers", frame, meta)
    assert path.read_bytes() == before
    edits.replace_layer(EDITOR, path, "offers", frame, meta)
    assert len(gpkgfile.read_geopackage(path).offers) == 1


def test_workspace_for_keeps_meta_and_city():
    full = Workspace("X", {"areas": tiny_workspace().areas}, {"areas": LayerMeta(source="S")}, is_demo=True)
    viewer = workspace_for(full, Role.VIEWER)
    assert (viewer.city, viewer.is_demo, viewer.layer_meta("areas").source) == ("X", True, "S")
