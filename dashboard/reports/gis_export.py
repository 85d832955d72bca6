"""GeoPackages that open in QGIS looking like the app, in the city's own CRS.

QGIS reads a layer's default style from the GeoPackage table ``layer_styles`` (the columns QGIS itself
writes there). Each style is QML built from the map's own rules (``karte.actor_style``,
``karte.offer_style``, ``gap_map.DISTANCE_COLOURS``), so the file and the app never disagree on a
colour. The store's export may be moved into another CRS (``export --crs EPSG:25832``); the store
itself keeps its own.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pyogrio
import pyproj

from dashboard.i18n import code_label, t
from dashboard.maps.gap_map import DISTANCE_COLOURS, DISTANCE_STEPS
from dashboard.maps.karte import ACTOR_RADIUS, actor_style, offer_style
from dashboard.model import schema
from dashboard.store import gpkg
from dashboard.store.base import DataStore

STYLE_TABLE = "layer_styles"
STYLE_NAME = "Quartiersatlas"
#: Opacity of points and of the distance grid, as on the maps (``point_layer``, ``cells_image``).
POINT_ALPHA, CELL_ALPHA = 230, 190
QML_DOCTYPE = "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>"


def parse_crs(text: str) -> pyproj.CRS:
    """A CRS a GeoPackage can name (one with an EPSG code, flat or geographic); ValueError otherwise."""
    try:
        crs = pyproj.CRS.from_user_input(text.strip())
    except pyproj.exceptions.CRSError as err:
        raise ValueError(text) from err
    if crs.to_epsg() is None or not (crs.is_projected or crs.is_geographic) or len(crs.axis_info) != 2:
        raise ValueError(text)
    return crs


def _rgba(colour: str, alpha: int) -> str:
    """``#e69f00`` as QGIS writes colours: ``230,159,0,255``."""
    return ",".join(str(int(colour[i : i + 2], 16)) for i in (1, 3, 5)) + f",{alpha}"


def _symbol(parent: ET.Element, name: str, kind: str, props: dict[str, str]) -> None:
    layer_class = {"marker": "SimpleMarker", "fill": "SimpleFill"}[kind]
    symbol = ET.SubElement(parent, "symbol", {"type": kind, "name": name, "alpha": "1", "clip_to_extent": "1"})
    layer = ET.SubElement(symbol, "layer", {"class": layer_class, "enabled": "1", "locked": "0", "pass": "0"})
    for key, value in props.items():
        ET.SubElement(layer, "prop", {"k": key, "v": value})


def _marker(style: Mapping, radius: float) -> dict[str, str]:
    """A Leaflet circle marker's style (``fillColor``, ``color``, ``weight``, ``radius`` in pixels) in QML."""
    return {
        "name": "circle",
        "color": _rgba(style["fillColor"], POINT_ALPHA),
        "outline_color": _rgba(style["color"], 255),
        "outline_style": "solid",
        "outline_width": str(style["weight"]),
        "outline_width_unit": "Pixel",
        "size": str(2 * style.get("radius", radius)),
        "size_unit": "Pixel",
    }


def _qml(renderer: ET.Element) -> str:
    root = ET.Element("qgis", {"version": "3.28.0", "styleCategories": "Symbology"})
    root.append(renderer)
    return QML_DOCTYPE + "\n" + ET.tostring(root, encoding="unicode")


def categorized_qml(field: str, categories: list[tuple[str, str, dict[str, str]]], kind: str = "marker") -> str:
    """A categorised style on ``field``: (value, label, symbol properties) each; value "" = all other values."""
    renderer = ET.Element("renderer-v2", {"type": "categorizedSymbol", "attr": field, "symbollevels": "0"})
    listed, symbols = ET.SubElement(renderer, "categories"), ET.SubElement(renderer, "symbols")
    for i, (value, label, props) in enumerate(categories):
        ET.SubElement(listed, "category", {"value": value, "label": label, "symbol": str(i), "render": "true"})
        _symbol(symbols, str(i), kind, props)
    return _qml(renderer)


def rule_qml(rules: list[tuple[str, str, dict[str, str]]], kind: str) -> str:
    """A rule-based style: (QGIS filter expression, label, symbol properties) each."""
    renderer = ET.Element("renderer-v2", {"type": "RuleRenderer", "symbollevels": "0"})
    listed = ET.SubElement(renderer, "rules", {"key": "root"})
    symbols = ET.SubElement(renderer, "symbols")
    for i, (expression, label, props) in enumerate(rules):
        ET.SubElement(listed, "rule", {"key": f"rule{i}", "filter": expression, "label": label, "symbol": str(i)})
        _symbol(symbols, str(i), kind, props)
    return _qml(renderer)


def store_styles(lang: str) -> dict[str, str]:
    """QML per store layer: actors by sector, offers by participation level, as on the Karte."""
    participation = schema.level_rank(schema.DEFAULT_PARTICIPATION_LEVEL)
    other = t("gis.style.other", lang)
    actors = [(s, code_label(s, lang), _marker(actor_style(s), ACTOR_RADIUS)) for s in schema.SECTORS]
    offers = [
        (level, code_label(level, lang), _marker(offer_style(schema.level_rank(level) >= participation), 0))
        for level in schema.LEVELS
    ]
    return {
        "actors": categorized_qml("sector", [*actors, ("", other, _marker(actor_style(None), ACTOR_RADIUS))]),
        "offers": categorized_qml("level", [*offers, ("", other, _marker(offer_style(False), 0))]),
    }


def cell_style(threshold: float, lang: str) -> str:
    """QML of the 100 m cells: the Lückenanalyse's distance classes (no reachable offer = the farthest class)."""
    steps = [int(step * threshold) for step in DISTANCE_STEPS]
    rules = []
    for lower, upper, colour in zip([None, *steps], [*steps, None], DISTANCE_COLOURS, strict=True):
        parts = ['"target_residents" > 0']  # as the map, which draws only cells of the target group
        if upper is None:
            parts.append(f'("distance_m" > {lower} OR "distance_m" IS NULL)')
            label = t("gap.legend.grid.beyond", lang, m=lower)
        else:
            parts += [f'"distance_m" > {lower}'] if lower is not None else []
            parts.append(f'"distance_m" <= {upper}')
            label = t("gap.legend.grid.up_to", lang, m=upper)
        props = {"color": _rgba(colour, CELL_ALPHA), "style": "solid", "outline_style": "no"}
        rules.append((" AND ".join(parts), label, props))
    return rule_qml(rules, "fill")


def add_styles(path: str | Path, styles: Mapping[str, str], lang: str) -> None:
    """Write ``styles`` (layer → QML) as QGIS's ``layer_styles`` table, each the layer's default."""
    present = {name for name, _ in pyogrio.list_layers(path)}
    now = pd.Timestamp(datetime.now(UTC)).floor("s")
    rows = [
        {
            "f_table_catalog": "",
            "f_table_schema": "",
            "f_table_name": layer,
            "f_geometry_column": pyogrio.read_info(path, layer=layer)["geometry_name"],
            "styleName": STYLE_NAME,
            "styleQML": qml,
            "styleSLD": "",
            "useAsDefault": True,
            "description": t("gis.style.description", lang),
            "owner": "",
            "ui": "",
            "update_time": now,
        }
        for layer, qml in styles.items()
        if layer in present
    ]
    if rows:  # a store of areas only: nothing to style
        pyogrio.write_dataframe(pd.DataFrame(rows), str(path), layer=STYLE_TABLE, driver="GPKG")


def write_store(data_store: DataStore, out: str | Path, lang: str, crs: pyproj.CRS | None = None) -> None:
    """The store's GeoPackage export with QGIS styles, its layers in ``crs`` (None: as stored), atomically.

    ValueError (nothing written) when a geometry has no place in ``crs``.
    """
    out = Path(out)
    tmp = out.with_name(f".tmp-{out.name}")
    try:
        data_store.export_geopackage(tmp)
        if crs is not None:
            gpkg.reproject(tmp, crs)
        add_styles(tmp, store_styles(lang), lang)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
