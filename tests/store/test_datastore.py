"""The store contract: edits with history, row versions and conflicts, undo, retirement, imports, export.

Written against ``DataStore`` through the ``make_store`` fixture, so every
backend runs the same tests.
"""

from __future__ import annotations

import geopandas as gpd
import pyogrio
import pytest
from shapely.geometry import Point

from dashboard.model.roles import ANONYMOUS, PermissionDenied, Role, User
from dashboard.model.workspace import LayerMeta
from dashboard.store import gpkgfile
from dashboard.store.base import ConflictError, EntryNotFound, NothingToUndo, open_store
from dashboard.store.gpkg import GeoPackageStore

ANNA = User("anna", Role.EDITOR, "password")
BEN = User("ben", Role.EDITOR, "password")


@pytest.fixture
def demo_store(backend_store):
    return backend_store


def _offer(data_store, entry_id):
    entries = data_store.entries("offers")
    return entries[entries["offer_id"] == entry_id].iloc[0]


def test_update_is_recorded_with_who_when_before_and_after(demo_store):
    first = _offer(demo_store, demo_store.entries("offers")["offer_id"].iloc[0])
    change = demo_store.update(
        ANNA, "offers", first["offer_id"], int(first["row_version"]), {"opening_hours": "Mo 9-12"}
    )
    after = _offer(demo_store, first["offer_id"])
    assert after["opening_hours"] == "Mo 9-12" and after["row_version"] == first["row_version"] + 1
    assert change.user == "anna" and change.action == "update"
    assert change.before["opening_hours"] == first["opening_hours"] and change.after["opening_hours"] == "Mo 9-12"
    assert demo_store.history(entry_id=first["offer_id"])[0] == change
    assert demo_store.read().offers.set_index("offer_id").loc[first["offer_id"], "opening_hours"] == "Mo 9-12"


def test_two_editors_on_one_entry_get_a_conflict_not_an_overwrite(demo_store):
    offer = _offer(demo_store, demo_store.entries("offers")["offer_id"].iloc[3])
    opened_at = int(offer["row_version"])
    demo_store.update(ANNA, "offers", offer["offer_id"], opened_at, {"name": "Anna's name"})
    with pytest.raises(ConflictError) as conflict:
        demo_store.update(BEN, "offers", offer["offer_id"], opened_at, {"name": "Ben's name"})
    assert "anna" in conflict.value.text() and "Ben's name" not in conflict.value.text()
    assert _offer(demo_store, offer["offer_id"])["name"] == "Anna's name"
    assert len(demo_store.history(entry_id=offer["offer_id"])) == 1


def test_retired_entries_leave_maps_and_analysis_but_stay_in_the_store(demo_store):
    offer = _offer(demo_store, demo_store.entries("offers")["offer_id"].iloc[5])
    before = len(demo_store.read().offers)
    demo_store.retire(ANNA, "offers", offer["offer_id"], int(offer["row_version"]), "2026-11-01")
    assert len(demo_store.read().offers) == before - 1
    assert offer["offer_id"] not in set(demo_store.read().offers["offer_id"])
    assert _offer(demo_store, offer["offer_id"])["retired_on"] == "2026-11-01"


def test_add_then_move_then_undo_twice(demo_store):
    crs = demo_store.crs("offers")
    spot = gpd.GeoSeries([Point(9.18, 48.78)], crs="EPSG:4326").to_crs(crs).iloc[0]
    values = {
        "offer_id": "neu-1",
        "name": "Nachbarschaftscafé <b>",
        "category": "begegnung",
        "target_groups": "alle",
        "level": "mitwirkung",
    }
    demo_store.add(ANNA, "offers", values, spot)
    added = _offer(demo_store, "neu-1")
    assert added["name"] == "Nachbarschaftscafé <b>" and added.geometry.distance(spot) < 0.01
    moved_to = Point(spot.x + 100, spot.y)
    demo_store.move(ANNA, "offers", "neu-1", int(added["row_version"]), moved_to)
    assert _offer(demo_store, "neu-1").geometry.distance(moved_to) < 0.01
    demo_store.undo_last(ANNA)  # the move
    assert _offer(demo_store, "neu-1").geometry.distance(spot) < 0.01
    demo_store.undo_last(ANNA)  # the add: retired, never deleted
    assert _offer(demo_store, "neu-1")["retired_on"] is not None
    assert "neu-1" not in set(demo_store.read().offers["offer_id"])
    with pytest.raises(NothingToUndo):
        demo_store.undo_last(ANNA)


def test_undo_refuses_when_someone_changed_the_entry_since(demo_store):
    offer = _offer(demo_store, demo_store.entries("offers")["offer_id"].iloc[7])
    demo_store.update(ANNA, "offers", offer["offer_id"], int(offer["row_version"]), {"capacity": 12})
    demo_store.update(BEN, "offers", offer["offer_id"], int(offer["row_version"]) + 1, {"capacity": 30})
    with pytest.raises(ConflictError):
        demo_store.undo_last(ANNA)
    assert _offer(demo_store, offer["offer_id"])["capacity"] == 30


def test_viewers_are_refused_by_every_write(demo_store):
    offer = _offer(demo_store, demo_store.entries("offers")["offer_id"].iloc[0])
    version_before = demo_store.version()
    for attempt in (
        lambda: demo_store.update(ANONYMOUS, "offers", offer["offer_id"], 1, {"name": "x"}),
        lambda: demo_store.retire(ANONYMOUS, "offers", offer["offer_id"], 1, "2026-01-01"),
        lambda: demo_store.add(ANONYMOUS, "offers", {"offer_id": "x"}, None),
        lambda: demo_store.undo_last(ANONYMOUS),
        lambda: demo_store.import_layer(
            ANONYMOUS, "offers", demo_store.read().offers, LayerMeta(), source="x", mode="replace", counts={}
        ),
    ):
        with pytest.raises(PermissionDenied):
            attempt()
    assert demo_store.version() == version_before


def test_unknown_entry(demo_store):
    with pytest.raises(EntryNotFound):
        demo_store.update(ANNA, "offers", "gibt-es-nicht", 1, {"name": "x"})


@pytest.mark.slow
def test_import_keeps_history_logs_and_a_backup(demo_store):
    offer = _offer(demo_store, demo_store.entries("offers")["offer_id"].iloc[0])
    demo_store.update(ANNA, "offers", offer["offer_id"], int(offer["row_version"]), {"name": "vorher geändert"})
    demo_store.remember_mapping(ANNA, "offers.csv:abc", "offers", '{"layer": "offers"}')
    frame = demo_store.read().offers.head(10)
    change = demo_store.import_layer(
        ANNA,
        "offers",
        frame,
        LayerMeta("Liste", "CC BY 4.0", "Stadt", "2026-10-01"),
        source="liste.csv",
        mode="replace",
        counts={"read": 12, "imported": 10, "rejected": 2},
    )
    assert change.action == "import"
    workspace = demo_store.read()
    assert len(workspace.offers) == 10 and workspace.layer_meta("offers").stand == "2026-10-01"
    assert len(workspace.quartiere()) == 127  # other layers untouched
    assert [c.action for c in demo_store.history(limit=5)][:2] == ["import", "update"]
    assert demo_store.import_log().iloc[0][["layer", "rows_read", "rows_imported", "rows_rejected"]].tolist() == [
        "offers",
        12,
        10,
        2,
    ]
    assert demo_store.mapping("offers.csv:abc") == '{"layer": "offers"}'
    # the edited entry is among the imported rows: its version went up, so an editor holding the old one gets a conflict
    kept = _offer(demo_store, offer["offer_id"])
    assert kept["row_version"] == offer["row_version"] + 2
    if isinstance(demo_store, GeoPackageStore):  # the file store keeps the replaced file
        backups = list((demo_store.path.parent / "backups").glob("*.gpkg"))
        assert (
            len(backups) == 1
            and len(gpkgfile.read_geopackage(backups[0]).offers) == len(demo_store.read().offers) + 881
        )
    else:  # the database deletes nothing: what the import left out is retired
        assert demo_store.entries("offers")["retired_on"].notna().sum() == 881


def test_adding_to_a_layer_the_store_lacks_creates_it(tmp_path):
    path = tmp_path / "stadt.gpkg"
    demo = gpkgfile.read_geopackage(gpkgfile.DEMO_PATH)
    demo.layers = {"areas": demo.areas}
    gpkgfile.write_geopackage(demo, path)
    data_store = open_store(path)
    spot = demo.areas.geometry.iloc[-1].representative_point()
    values = {"actor_id": "A1", "name": "Bürgerverein", "sector": "zivilgesellschaft", "contact": "info@example.org"}
    data_store.add(ANNA, "actors", values, spot)
    actors = data_store.read().actors
    assert actors["actor_id"].tolist() == ["A1"] and actors["contact"].tolist() == ["info@example.org"]


def test_export_is_a_geopackage_with_everything(demo_store, tmp_path):
    offer = _offer(demo_store, demo_store.entries("offers")["offer_id"].iloc[2])
    demo_store.retire(ANNA, "offers", offer["offer_id"], int(offer["row_version"]), "2026-11-02")
    out = tmp_path / "export.gpkg"
    demo_store.export_geopackage(out)
    names = {name for name, _ in pyogrio.list_layers(out)}
    assert {"areas", "offers", "history", "import_log", "layer_meta"} <= names
    history = pyogrio.read_dataframe(out, layer="history")
    assert history["action"].tolist() == ["retire"]
    everything = gpkgfile.read_geopackage(out, active_only=False).offers
    assert everything.set_index("offer_id").loc[offer["offer_id"], "retired_on"] == "2026-11-02"


def test_version_changes_with_every_save(demo_store):
    seen = {demo_store.version()}
    offer = _offer(demo_store, demo_store.entries("offers")["offer_id"].iloc[1])
    demo_store.update(ANNA, "offers", offer["offer_id"], int(offer["row_version"]), {"capacity": 5})
    seen.add(demo_store.version())
    demo_store.import_layer(
        ANNA, "offers", demo_store.read().offers, LayerMeta(), source="x", mode="replace", counts={}
    )
    seen.add(demo_store.version())
    assert len(seen) == 3


def test_bool_and_int_fields_keep_their_types_after_an_edit(demo_store):
    offer = _offer(demo_store, demo_store.entries("offers")["offer_id"].iloc[4])
    dtypes = demo_store.read().offers.dtypes
    demo_store.update(
        ANNA, "offers", offer["offer_id"], int(offer["row_version"]), {"barrier_free": True, "capacity": 25}
    )
    offers = demo_store.read().offers.set_index("offer_id")
    assert offers.loc[offer["offer_id"], "capacity"] == 25
    assert bool(offers.loc[offer["offer_id"], "barrier_free"]) is True
    assert offers.dtypes.equals(dtypes.drop("offer_id"))


def test_a_viewers_read_leaves_the_private_fields_in_the_store(demo_store, monkeypatch):
    """Not cut after reading: never read. The GeoPackage asks GDAL for the other columns only."""
    private = {"contact"}
    full, viewer = demo_store.read(), demo_store.read(Role.VIEWER)
    for layer in ("offers", "actors"):
        assert private <= set(full.layer(layer).columns)
        assert private.isdisjoint(viewer.layer(layer).columns)
        assert len(viewer.layer(layer)) == len(full.layer(layer))
        assert (
            viewer.layer(layer).drop(columns="geometry").equals(full.layer(layer).drop(columns=[*private, "geometry"]))
        )
    if isinstance(demo_store, GeoPackageStore):
        asked = {}
        reading = pyogrio.read_dataframe

        def spy(path, layer, **options):
            asked[layer] = options.get("columns")
            return reading(path, layer=layer, **options)

        monkeypatch.setattr(pyogrio, "read_dataframe", spy)
        demo_store.read(Role.VIEWER)
        assert asked["offers"] is not None and "opening_hours" in asked["offers"]
        assert all(private.isdisjoint(asked[layer]) for layer in ("offers", "actors", "areas"))
