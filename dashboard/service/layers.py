"""The layers a city's GIS reads from the feature service, as plain GeoDataFrames in ``GIS_CRS``.

Only what a viewer may see leaves here: the schema's public fields of areas, offers and actors,
housing only as sums per Quartier, and the Lückenanalyse of each saved view per Quartier. Every
layer is a whitelist of columns, so a field added to a store later is not served by accident.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from dashboard.analysis.city import City
from dashboard.analysis.filters import in_bezirk
from dashboard.analysis.gaps import decode_link, params_from_view, view_results
from dashboard.model import schema
from dashboard.model.projection import to_crs
from dashboard.model.roles import Role, visible_fields
from dashboard.model.targets import has_age_bands
from dashboard.model.workspace import Workspace
from dashboard.store.base import SavedView

#: The CRS the layers are kept and served in unless a client asks for another: ETRS89 / UTM 32N, the CRS of
#: most German cities' GIS (ALKIS, the Länder's geodata).
GIS_CRS = "EPSG:25832"
#: The public point and area layers, served with the schema's public fields.
PUBLIC_LAYERS = ("areas", "offers", "actors")
#: Housing per Quartier: the sums the Karte and the profile show (``counts.quartier_counts``).
HOUSING_COLUMNS = (
    "dwellings",
    *(f"dwellings_{owner}" for owner in schema.OWNER_TYPES),
    "subsidised",
    "barrier_free",
    "sozialmanagement",
)
#: The Lückenanalyse per Quartier: the figures behind the index, as the page computes them.
GAP_COLUMNS = (
    "residents",
    "target_residents",
    "covered_residents",
    "uncovered_residents",
    "uncovered_share",
    "participation_offers",
    "fca_per_1000",
    "supply_deficit",
    "sector_gap",
    "gap_index",
)


def public_layer(workspace: Workspace, layer: str) -> gpd.GeoDataFrame:
    """One schema layer with the fields a viewer may see, nothing else, in ``GIS_CRS``."""
    frame = workspace.layer(layer)
    columns = [c for c in visible_fields(layer, Role.VIEWER) if c in frame.columns]
    return to_crs(gpd.GeoDataFrame(frame[columns], geometry=frame.geometry, crs=frame.crs), GIS_CRS)


def _quartiere(city: City) -> gpd.GeoDataFrame:
    """The Quartiere with id, name and Stadtbezirk, in ``GIS_CRS``: the shapes the per-Quartier layers fill."""
    units = city.units
    return to_crs(
        gpd.GeoDataFrame(
            units[["area_id", "name", "parent_id"]].reset_index(drop=True),
            geometry=units.geometry.to_numpy(),
            crs=units.crs,
        ),
        GIS_CRS,
    )


def housing_per_quartier(city: City) -> gpd.GeoDataFrame:
    """Dwellings per Quartier by owner type, subsidised and barrier-free ones, estates with Sozialmanagement.

    Single buildings stay in the store: their sums are the figures a planner shares.
    """
    counts = city.counts.reindex(city.units["area_id"])
    frame = _quartiere(city)
    for column in HOUSING_COLUMNS:
        frame[column] = counts[column].round().astype("int64").to_numpy()
    return frame


@dataclass(frozen=True)
class GapLayer:
    """The Lückenanalyse of one saved view per Quartier (limited to its Stadtbezirk, as the page shows it)."""

    view: SavedView
    frame: gpd.GeoDataFrame


def gap_layer(view: SavedView, city: City) -> GapLayer | None:
    """A saved Lückenanalyse view computed on today's data; None for a view of another page or one the data
    cannot answer (its group's age bands missing). What the link names that the data lacks is dropped, as
    the page drops it."""
    if view.page != "luecken":
        return None
    state, _ = decode_link(f"?{view.query}", city)
    params = params_from_view(state, has_network=city.paths is not None)
    if not has_age_bands(city.cells, params.target_group):
        return None
    result = view_results(city, params, state.get("scenario"))[1]
    units = result.units.reindex(city.units["area_id"])
    frame = _quartiere(city)
    for column in GAP_COLUMNS:
        frame[column] = units[column].to_numpy(dtype=float)
    classes = pd.Series(result.classes.index, index=result.units.index).reindex(city.units["area_id"]).to_numpy()
    frame["gap_class"] = pd.array(np.where(classes >= 0, classes + 1, None), dtype="Int64")  # 1 = smallest gap
    frame["suppressed"] = units["suppressed"].to_numpy(dtype=bool)
    frame["sectors_missing"] = [schema.LIST_SEP.join(sectors) for sectors in units["sectors_missing"]]
    frame["target_group"] = params.target_group
    frame["threshold_m"] = params.threshold
    shown = in_bezirk(frame, city.units, state.get("gap_bezirk"))
    return GapLayer(view, frame[shown].reset_index(drop=True))


def gap_layers(views: list[SavedView], city: City) -> list[GapLayer]:
    """Every saved Lückenanalyse view the data can answer, in the store's order (newest first)."""
    return [layer for view in views if (layer := gap_layer(view, city)) is not None]
