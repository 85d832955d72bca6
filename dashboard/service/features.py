"""OGC API – Features for the city's GIS: the public layers served read-only by pygeoapi.

QGIS, ArcGIS and GDAL read OGC API – Features natively ("Layer > Add Layer > WFS / OGC API -
Features" in QGIS). pygeoapi does the protocol (paging with limit/offset, bbox, ``crs`` and
``bbox-crs``, HTML and JSON); this module gives it the layers of ``layers.py`` through a small
read-only provider and a configuration generated here, so there is no YAML to keep in step with
the data. The store is read as a viewer: private fields are not even read.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from dataclasses import dataclass, replace
from pathlib import Path

import geopandas as gpd
import pandas as pd
import yaml
from pygeoapi.provider.base import BaseProvider, ProviderInvalidQueryError, ProviderItemNotFoundError
from pygeoapi.util import crs_transform
from shapely.geometry import box

from dashboard import i18n
from dashboard.analysis.city import prepare
from dashboard.i18n import t
from dashboard.model import schema
from dashboard.model.projection import to_crs
from dashboard.model.roles import Role, workspace_for
from dashboard.model.workspace import Workspace
from dashboard.service import layers
from dashboard.store.base import DataStore, SavedView, StoreError

#: OGC's names of the CRSs a client may ask for (``crs``, ``bbox-crs``); CRS84 (longitude first) is the default.
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG = "http://www.opengis.net/def/crs/EPSG/0/"
CRS_URIS = (CRS84, f"{EPSG}4326", f"{EPSG}25832", f"{EPSG}25833", f"{EPSG}3035")
STORAGE_CRS = EPSG + layers.GIS_CRS.split(":")[1]
#: Items per page when a client names no limit, and the most a page may hold.
DEFAULT_ITEMS, MAX_ITEMS = 100, 10_000
PROVIDER = f"{__name__}.StoreProvider"
#: Collection name (German, as a GIS colleague reads it), schema layer and its texts.
PUBLIC_COLLECTIONS = (
    ("gebiete", "areas", "features.areas.title", "features.areas.description"),
    ("angebote", "offers", "features.offers.title", "features.offers.description"),
    ("akteure", "actors", "features.actors.title", "features.actors.description"),
)


@dataclass(frozen=True)
class Collection:
    """One collection of the service: its features (in ``GIS_CRS``), id field and texts per language."""

    frame: gpd.GeoDataFrame
    id_field: str
    title: dict[str, str]
    description: dict[str, str]


def _texts(key: str, **values) -> dict[str, str]:
    return {lang: _literal(t(key, lang, **values)) for lang in i18n.LANGUAGES}


def _described(key: str, credits: tuple[str, ...], **values) -> dict[str, str]:
    """A collection's description with the data sources it must name (as every map of the app names them)."""
    named = {lang: t("map.credits", lang, sources="; ".join(credits)) if credits else "" for lang in i18n.LANGUAGES}
    return {lang: _literal(f"{t(key, lang, **values)} {named[lang]}".strip()) for lang in i18n.LANGUAGES}


def _literal(text: str) -> str:
    """pygeoapi reads ``${NAME}`` in its configuration as an environment variable: a view's title never is."""
    return text.replace("${", "$ {")


def read(data_store: DataStore) -> tuple[Workspace, list[SavedView]]:
    """The city as a viewer sees it and the saved views, from ``data_store``."""
    workspace = workspace_for(data_store.read(Role.VIEWER), Role.VIEWER)  # private fields not even read
    try:
        views = data_store.saved_views()
    except StoreError:  # a database whose roles were not granted the views: the data layers still serve
        views = []
    return workspace, views


def collections(workspace: Workspace, views: list[SavedView]) -> dict[str, Collection]:
    """Every collection the service offers: the public layers, housing per Quartier, each saved gap view."""
    city = prepare(workspace)
    found = {
        name: Collection(
            layers.public_layer(workspace, layer),
            schema.LAYERS[layer].id_field,
            _texts(title),
            _described(description, workspace.credits([layer])),
        )
        for name, layer, title, description in PUBLIC_COLLECTIONS
    }
    found["wohnungsbestand"] = Collection(
        layers.housing_per_quartier(city),
        "area_id",
        _texts("features.housing.title"),
        _described("features.housing.description", workspace.credits(["housing", "areas"])),
    )
    for gaps in layers.gap_layers(views, city):
        view = gaps.view
        found[f"luecken-{view.view_id}"] = Collection(
            gaps.frame,
            "area_id",
            _texts("features.gaps.title", title=view.title),
            _described("features.gaps.description", city.credits, note=view.note or "–", stand=view.data_stand or "–"),
        )
    return found


class _Published:
    """What the running service serves and the store version it was read at; pygeoapi's providers (one per
    request) ask ``published`` for their collection."""

    def __init__(self):
        self.lock = threading.Lock()
        self.data_store: DataStore | None = None
        self.version = ""
        self.collections: dict[str, Collection] = {}


_PUBLISHED = _Published()


def publish(data_store: DataStore, version: str, served: dict[str, Collection]) -> None:
    with _PUBLISHED.lock:
        _PUBLISHED.data_store, _PUBLISHED.version, _PUBLISHED.collections = data_store, version, served


def published(name: str) -> Collection:
    """The collection ``name`` as of the store's version now: an import or edit shows at the next request.

    The collections themselves stay those of the start (pygeoapi's configuration is fixed): a view deleted
    since serves no features, a view saved since needs a restart.
    """
    with _PUBLISHED.lock:
        data_store = _PUBLISHED.data_store
        try:
            if data_store is not None and (version := data_store.version()) != _PUBLISHED.version:
                fresh = collections(*read(data_store))
                _PUBLISHED.collections = {
                    key: fresh.get(key, replace(old, frame=old.frame.iloc[0:0]))
                    for key, old in _PUBLISHED.collections.items()
                }
                _PUBLISHED.version = version
        except StoreError:  # the database gone for a moment: what was read last serves, and is read again next time
            pass
        return _PUBLISHED.collections[name]


def _json_type(series: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(series):
        return "boolean"
    if pd.api.types.is_integer_dtype(series):
        return "integer"
    return "number" if pd.api.types.is_numeric_dtype(series) else "string"


class StoreProvider(BaseProvider):
    """A read-only pygeoapi feature provider over a published collection (``data`` is its name)."""

    _fields: dict

    def __init__(self, provider_def):
        super().__init__(provider_def)
        self.collection = published(self.data)
        self.get_fields()

    def get_fields(self) -> dict:
        if not self._fields:
            frame = self.collection.frame
            self._fields = {
                name: {"type": _json_type(frame[name])} for name in frame.columns if name != frame.geometry.name
            }
        return self._fields

    def _features(self, frame: gpd.GeoDataFrame, skip_geometry: bool, select_properties: list[str]) -> list[dict]:
        """GeoJSON features with the id field as ``id``; coordinates in ``GIS_CRS`` (``crs_transform`` moves them)."""
        shown = [
            c for c in frame.columns if c != frame.geometry.name and (not select_properties or c in select_properties)
        ]
        ids = frame[self.collection.id_field].astype(str).to_numpy()
        out = gpd.GeoDataFrame(frame[shown].set_axis(ids), geometry=frame.geometry.set_axis(ids), crs=frame.crs)
        features = json.loads(out.to_json(na="null"))["features"]
        if skip_geometry:
            for feature in features:
                feature["geometry"] = None
        return features

    @crs_transform
    def query(
        self,
        offset=0,
        limit=10,
        resulttype="results",
        bbox=None,
        datetime_=None,
        properties=None,
        sortby=None,
        select_properties=None,
        skip_geometry=False,
        q=None,
        **kwargs,
    ):
        if q or datetime_ or kwargs.get("filterq") is not None:  # answered in full, a filter would pass unnoticed
            raise ProviderInvalidQueryError("q, datetime and filter are not supported: use bbox and properties")
        frame = self.collection.frame
        if bbox:
            corners = (bbox[0], bbox[1], bbox[3], bbox[4]) if len(bbox) == 6 else tuple(bbox)
            frame = frame.iloc[sorted(frame.sindex.query(box(*corners), predicate="intersects"))]
        for name, value in properties or []:
            frame = frame[frame[name].astype(str) == str(value)]
        if sortby:
            order = [s["property"] for s in sortby]
            frame = frame.sort_values(order, ascending=[s["order"] == "+" for s in sortby], kind="stable")
        page = frame.iloc[0:0] if resulttype == "hits" else frame.iloc[offset : offset + limit]
        found = self._features(page, skip_geometry, select_properties or []) if len(page) else []
        return {
            "type": "FeatureCollection",
            "features": found,
            "numberMatched": len(frame),
            "numberReturned": len(found),
        }

    @crs_transform
    def get(self, identifier, **kwargs):
        frame = self.collection.frame
        match = frame[frame[self.collection.id_field].astype(str) == str(identifier)]
        if not len(match):
            raise ProviderItemNotFoundError(f"item {identifier} not found")
        return self._features(match, False, [])[0]


def config(served: dict[str, Collection], url: str, host: str, port: int, city: str) -> dict:
    """pygeoapi's configuration: the server, its metadata and one collection per entry of ``served``."""
    extent = to_crs(
        gpd.GeoSeries([c.frame.geometry.union_all() for c in served.values() if len(c.frame)], crs=layers.GIS_CRS),
        schema.WEB_CRS,
    )
    bounds = [round(float(v), 6) for v in extent.total_bounds] if len(extent) else [-180.0, -90.0, 180.0, 90.0]
    resources = {
        name: {
            "type": "collection",
            "title": c.title,
            "description": c.description,
            "keywords": ["Quartiersatlas", city],
            "extents": {"spatial": {"bbox": bounds, "crs": CRS84}},
            "providers": [
                {
                    "type": "feature",
                    "name": PROVIDER,
                    "data": name,
                    "id_field": c.id_field,
                    "title_field": "name",
                    "storage_crs": STORAGE_CRS,
                    "crs": list(CRS_URIS),
                }
            ],
        }
        for name, c in served.items()
    }
    return {
        "server": {
            "bind": {"host": host, "port": port},
            "url": url.rstrip("/"),
            "mimetype": "application/json; charset=UTF-8",
            "encoding": "utf-8",
            "languages": list(i18n.LANGUAGES),
            "limits": {"default_items": DEFAULT_ITEMS, "max_items": MAX_ITEMS},
            "map": {"url": "", "attribution": ""},  # no third-party tiles under the HTML pages
            "pretty_print": False,
        },
        "logging": {"level": "ERROR"},
        "metadata": {
            "identification": {
                "title": _texts("features.title", city=city),
                "description": _texts("features.description"),
                "keywords": ["Quartiersatlas", city],
                "keywords_type": "theme",
                "terms_of_service": "",
                "url": url.rstrip("/"),
            },
            "license": {"name": _texts("features.licence"), "url": ""},
            "provider": {"name": _literal(city)},
            "contact": {"name": _literal(city)},
        },
        "resources": resources,
    }


#: What a browser may load for the service's HTML pages: nothing from elsewhere. pygeoapi's pages name
#: CDNs (Bootstrap, Leaflet); the browser drops those requests, and the pages show their text unstyled.
SAME_ORIGIN = (
    b"default-src 'self'; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'; img-src 'self' data:"
)


class _SameOrigin:
    """Every answer carries the ``SAME_ORIGIN`` policy, so no page of the service makes a third-party request."""

    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        async def sending(message):
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"content-security-policy", SAME_ORIGIN)]
            await send(message)

        await self.application(scope, receive, sending)


def app(settings: dict, folder: Path):
    """pygeoapi's Starlette application for ``settings`` (its configuration and OpenAPI document go to
    ``folder``, where pygeoapi reads them on import), without tracebacks for clients and third-party requests."""
    from pygeoapi.openapi import get_oas

    config_file, openapi_file = folder / "pygeoapi.yml", folder / "openapi.yml"
    config_file.write_text(yaml.safe_dump(settings, allow_unicode=True, sort_keys=False), encoding="utf-8")
    os.environ["PYGEOAPI_CONFIG"] = str(config_file)
    openapi_file.write_text(yaml.safe_dump(get_oas(settings), allow_unicode=True, sort_keys=False), encoding="utf-8")
    os.environ["PYGEOAPI_OPENAPI"] = str(openapi_file)
    from pygeoapi.starlette_app import APP

    APP.debug = False
    return _SameOrigin(APP)


def serve(data_store: DataStore, host: str, port: int, url: str | None, announce) -> None:
    """Read the store, publish its collections and serve them until interrupted (uvicorn, Streamlit's own
    server); ``announce(url, names)`` is told once everything is ready."""
    import uvicorn

    version = data_store.version()  # taken first: a change while reading is read again at the next request
    workspace, views = read(data_store)
    served = collections(workspace, views)
    publish(data_store, version, served)
    base = url or f"http://{host}:{port}"
    with tempfile.TemporaryDirectory(prefix="quartiersatlas-features-") as folder:
        application = app(config(served, base, host, port, workspace.city), Path(folder))
        announce(base, list(served))
        uvicorn.run(application, host=host, port=port, log_level="warning", access_log=False)
