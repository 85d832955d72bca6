"""The in-memory form of a city's data: its layers plus where they come from.

A ``Workspace`` is what a store reads and writes and what analysis and maps
take; it has no knowledge of files or databases (see ``store.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd

from dashboard.model import schema


@dataclass
class LayerMeta:
    """Provenance of one layer, shown beside every result that uses it."""

    source: str = ""
    licence: str = ""
    attribution: str = ""
    stand: str = ""  # ISO date of the data


@dataclass
class Workspace:
    """All layers of one city. Missing layers are empty frames with the schema's columns."""

    city: str
    layers: dict[str, pd.DataFrame]
    meta: dict[str, LayerMeta] = field(default_factory=dict)
    is_demo: bool = False

    def layer(self, name: str) -> pd.DataFrame:
        return self.layers.get(name, empty_layer(name))

    def layer_meta(self, name: str) -> LayerMeta:
        return self.meta.get(name, LayerMeta())

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
        dates = [m.stand for m in self.meta.values() if m.stand]
        return max(dates) if dates else ""


def empty_layer(name: str) -> pd.DataFrame:
    """An empty frame with the columns of a schema layer (a GeoDataFrame if it has geometry)."""
    layer = schema.LAYERS[name]
    frame = pd.DataFrame({f: pd.Series(dtype="object") for f in layer.field_names})
    if layer.geometry_types:
        return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=schema.ANALYSIS_CRS))
    return frame
