"""The in-memory form of a city's data: its layers plus where they come from.

A ``Workspace`` is what a store reads and writes and what analysis and maps
take; it has no knowledge of files or databases (see ``store.py``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd

from dashboard.model import schema


@dataclass(frozen=True)
class LayerMeta:
    """Provenance of one import into a layer, shown beside every result that uses its entries."""

    source: str = ""
    licence: str = ""
    attribution: str = ""
    stand: str = ""  # ISO date of the data


@dataclass(frozen=True)
class SourceShare:
    """One import's provenance with the number of the layer's current entries that come from it."""

    meta: LayerMeta
    entries: int


@dataclass
class Workspace:
    """All layers of one city. Missing layers are empty frames with the schema's columns."""

    city: str
    layers: dict[str, pd.DataFrame]
    #: Per layer, the import its entries come from: the last ``replace`` (or the first import of all).
    meta: dict[str, LayerMeta] = field(default_factory=dict)
    is_demo: bool = False
    #: Per layer, later ``update`` imports whose own source, licence and Stand hold for the entries they wrote,
    #: oldest first: a single new offer from a list must not take the credit of the thousand entries before it.
    updates: dict[str, tuple[LayerMeta, ...]] = field(default_factory=dict)
    #: Per layer, entry id → source of the update that last wrote it; every other entry is the base import's.
    entry_sources: dict[str, dict[str, str]] = field(default_factory=dict)

    def layer(self, name: str) -> pd.DataFrame:
        return self.layers.get(name, empty_layer(name))

    def layer_meta(self, name: str) -> LayerMeta:
        return self.meta.get(name, LayerMeta())

    def layer_sources(self, name: str) -> list[SourceShare]:
        """Each import a layer's current entries come from, base import first, with its entry count; imports
        none of whose entries are left are dropped (the base import stays while it is the only one)."""
        owners = self.entry_sources.get(name, {})
        base = self.layer_meta(name)
        ids = self.layer(name)[schema.LAYERS[name].id_field]
        counted = Counter(owners.get(str(i), base.source) for i in ids)
        shares = [SourceShare(base, counted[base.source])]
        shares += [SourceShare(m, counted[m.source]) for m in self.updates.get(name, ()) if m.source != base.source]
        return [share for share in shares if share.entries or share is shares[0] and len(ids) == 0]

    def credits(self, names: Iterable[str] = tuple(schema.LAYERS)) -> tuple[str, ...]:
        """Whom the data shown must name (dl-de/by and ODbL require it wherever it is shown): each import that
        current entries of the layers ``names`` come from, by its attribution (else its source) with its
        licence; each text once."""
        texts = []
        for name in names:
            for share in self.layer_sources(name):
                who = share.meta.attribution or share.meta.source
                licence = share.meta.licence
                if share.entries and who:
                    texts.append(f"{who} ({licence})" if licence and licence not in who else who)
        return tuple(dict.fromkeys(texts))

    def record_import(self, name: str, meta: LayerMeta, mode: str, entry_ids: list[str]) -> None:
        """Provenance after an import of ``entry_ids`` (the rows the file held; the layer already holds the
        result): ``update`` credits ``meta`` for those entries only, ``replace`` makes it the base of the layer,
        except for current entries the import kept (the other level of areas), which keep their source."""
        base = self.meta.get(name)
        owners = self.entry_sources.get(name, {})
        updates = self.updates.get(name, ())
        if base is None or mode == "replace":
            imported = set(map(str, entry_ids))
            frame = self.layer(name)
            if "retired_on" in frame.columns:
                frame = frame[frame["retired_on"].isna()]
            current = (str(i) for i in frame[schema.LAYERS[name].id_field])
            kept = {} if base is None else {i: owners.get(i, base.source) for i in current if i not in imported}
            kept = {i: source for i, source in kept.items() if source != meta.source}
            earlier = [] if base is None else [base, *updates]
            self.meta[name] = meta
            updates = tuple(m for m in earlier if m.source in set(kept.values()))
            owners = kept
        elif meta.source == base.source:
            self.meta[name] = meta
            written = set(map(str, entry_ids))
            owners = {i: source for i, source in owners.items() if i not in written}
        else:
            updates = (*(m for m in updates if m.source != meta.source), meta)
            owners = {**owners, **dict.fromkeys(map(str, entry_ids), meta.source)}
        self.updates.pop(name, None)
        self.entry_sources.pop(name, None)
        if updates:
            self.updates[name] = updates
        if owners:
            self.entry_sources[name] = owners

    @property
    def areas(self) -> gpd.GeoDataFrame:
        return self.layer("areas")

    @property
    def population(self) -> gpd.GeoDataFrame:
        return self.layer("population")

    @property
    def actors(self) -> gpd.GeoDataFrame:
        return self.layer("actors")

    @property
    def housing(self) -> gpd.GeoDataFrame:
        return self.layer("housing")

    @property
    def offers(self) -> gpd.GeoDataFrame:
        return self.layer("offers")

    @property
    def cooperations(self) -> pd.DataFrame:
        return self.layer("cooperations")

    def quartiere(self) -> gpd.GeoDataFrame:
        areas = self.areas
        return areas[areas["level"] == "quartier"]

    def bezirke(self) -> gpd.GeoDataFrame:
        areas = self.areas
        return areas[areas["level"] == "stadtbezirk"]

    def data_date(self) -> str:
        """The newest Stand of all layers (ISO date), '' when none is known."""
        imports = [*self.meta.values(), *(m for updates in self.updates.values() for m in updates)]
        dates = [m.stand for m in imports if m.stand]
        return max(dates) if dates else ""


def empty_layer(name: str) -> pd.DataFrame:
    """An empty frame with the columns of a schema layer (a GeoDataFrame if it has geometry)."""
    layer = schema.LAYERS[name]
    frame = pd.DataFrame({f: pd.Series(dtype="object") for f in layer.field_names})
    if layer.geometry_types:
        return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=schema.ANALYSIS_CRS))
    return frame
