"""Provenance kept per import in both stores: an update of a few entries is credited beside the layer's
source instead of replacing it; a replace starts the layer's provenance anew; exports and migrations keep it."""

from __future__ import annotations

import pandas as pd

from dashboard.model.roles import Role, User
from dashboard.model.workspace import LayerMeta
from dashboard.reports.sources import sources_frame
from dashboard.store import gpkgfile
from dashboard.store.base import open_store
from dashboard.store.migrate import migrate

ANNA = User("anna", Role.EDITOR, "password")
DEMO = gpkgfile.read_geopackage(gpkgfile.DEMO_PATH).layer_meta("offers")
NEW = LayerMeta("treff.csv", "", "", "2026-11-30")


def _shares(workspace, layer="offers"):
    return [(s.meta.source, s.entries) for s in workspace.layer_sources(layer)]


def test_an_update_with_one_new_offer_keeps_the_layers_source_and_licence(backend_store, tmp_path):
    before = backend_store.read()
    offers = before.offers
    one = offers.head(1).assign(offer_id="neu-1", name="Neuer Treff")
    frame = pd.concat([offers, one], ignore_index=True)
    backend_store.import_layer(
        ANNA, "offers", frame, NEW, source="treff.csv", mode="update", counts={}, imported_ids=["neu-1"]
    )
    after = backend_store.read()
    assert after.layer_meta("offers") == DEMO  # the 891 offers of before keep their source and licence
    assert _shares(after) == [(DEMO.source, 891), ("treff.csv", 1)]
    assert after.entry_sources == {"offers": {"neu-1": "treff.csv"}}
    assert after.data_date() == "2026-11-30"
    table = sources_frame(after, "de")
    offers_rows = table[table["Ebene"] == "Angebote"]
    assert offers_rows[["Quelle", "Lizenz", "Einträge"]].values.tolist() == [
        [DEMO.source, DEMO.licence, 891],
        ["treff.csv", "–", 1],
    ]
    assert "Demodaten – fiktive Stadt (CC0 – frei erfunden)" in after.credits()

    # the GeoPackage export (the way into QGIS and between stores) carries it, and a store filled from it too
    exported = tmp_path / "export.gpkg"
    backend_store.export_geopackage(exported)
    again = gpkgfile.read_geopackage(exported)
    assert (again.meta, again.updates, again.entry_sources) == (after.meta, after.updates, after.entry_sources)
    copy = open_store(tmp_path / "kopie" / "quartiersatlas.gpkg")
    migrate(open_store(exported), copy)
    assert _shares(copy.read()) == [(DEMO.source, 891), ("treff.csv", 1)]

    # a second list that re-imports the new offer and one of before takes both over; a replace starts anew
    first = offers["offer_id"].iloc[0]
    backend_store.import_layer(
        ANNA,
        "offers",
        frame,
        LayerMeta("zweite.csv", "dl-de/by-2-0", "Stadt", "2026-12-01"),
        source="zweite.csv",
        mode="update",
        counts={},
        imported_ids=["neu-1", first],
    )
    assert _shares(backend_store.read()) == [(DEMO.source, 890), ("zweite.csv", 2)]
    backend_store.import_layer(ANNA, "offers", frame.head(5), NEW, source="treff.csv", mode="replace", counts={})
    replaced = backend_store.read()
    assert _shares(replaced) == [("treff.csv", 5)] and "offers" not in replaced.updates
    assert "offers" not in replaced.entry_sources
