"""OpenStreetMap extracts as offers and actors, with suggested schema codes.

OSM data reaches a city in many shapes: .osm.pbf and .osm XML extracts,
Overpass/osmtogeojson GeoJSON (tags flat, nested under ``tags`` or flattened to
``tags/name``), Geofabrik shapefiles (``fclass``), or third-party exports whose
only hint at the tag is the file name ("amenity_library.geojson"). Everything is
first reduced to one table of tags per feature; the editable rules in
``geodata/osm_mapping.json`` (see ``geodata/OSM_MAPPING.md``) then suggest
category, target groups, participation level, sector and kind, so that the
mapping stays a data decision a planner can change, not code.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from dashboard.i18n import Phrase, nphrase, phrase
from dashboard.ingest import readers
from dashboard.model import schema

MAPPING_PATH = Path(__file__).resolve().parents[2] / "geodata" / "osm_mapping.json"
#: Columns the rules fill in, in this order, after ``osm_id``, ``name`` and the kept tags.
DERIVED = ("category", "target_groups", "level", "sector", "kind", "source")
#: Columns of OSM exports that describe the object or its geometry, not a tag.
META_COLUMNS = frozenset(
    {
        "@id", "id", "osm_id", "osm_way_id", "osm_type", "@type", "timestamp", "@timestamp", "version",
        "@version", "changeset", "@changeset", "user", "@user", "uid", "@uid", "visible", "meta",
        "relations", "@relations", "lat", "lon", "@lat", "@lon", "tags", "other_tags",
    }
)  # fmt: skip
OSM_REF = re.compile(r"^(node|way|relation)/\d+$")
_OSM_TYPES = ("node", "way", "relation")
#: GDAL's ``other_tags`` (hstore): "key"=>"value","key2"=>"value2", quotes escaped with a backslash.
_HSTORE = re.compile(r'"((?:[^"\\]|\\.)*)"=>"((?:[^"\\]|\\.)*)"')
_MAPPING_SECTIONS = ("detect_keys", "detect_file_names", "keep_tags", "file_names", "tag_aliases",
                     "target_groups_from", "operator_sectors", "operator_type_sectors", "rules")  # fmt: skip


def load_mapping(path: str | Path = MAPPING_PATH) -> dict:
    """The mapping file, checked; ``readers.LayerFileError`` when it is not valid JSON or names unknown codes."""
    try:
        mapping = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise readers.LayerFileError(phrase("read.osm_mapping_invalid", problem=str(err))) from err
    return checked_mapping(mapping)


def checked_mapping(mapping: dict) -> dict:
    """``mapping`` itself if every section, code and pattern is usable, else ``readers.LayerFileError``."""
    problems = mapping_problems(mapping)
    if problems:
        raise readers.LayerFileError(phrase("read.osm_mapping_invalid", problem="; ".join(problems)))
    return mapping


def mapping_problems(mapping: object) -> list[str]:
    """What is wrong with a mapping (English, for the person editing the JSON); [] when it is usable."""
    if not isinstance(mapping, dict):
        return ["the mapping must be a JSON object"]
    problems = [f"section '{name}' is missing" for name in _MAPPING_SECTIONS if name not in mapping]
    if problems:
        return problems
    for i, rule in enumerate(mapping["rules"], start=1):
        if not isinstance(rule, dict) or not isinstance(rule.get("when"), dict) or not rule["when"]:
            problems.append(f"rule {i}: 'when' must name at least one tag")
            continue
        problems += [f"rule {i}: {p}" for p in _code_problems(rule)]
    for key, values in mapping["target_groups_from"].items():
        problems += [f"target_groups_from {key}={v}: unknown target group '{g}'"
                     for v, g in values.items() if g not in schema.TARGET_GROUPS]  # fmt: skip
    sectors = [entry.get("sector") for entry in mapping["operator_sectors"]]
    sectors += list(mapping["operator_type_sectors"].values())
    problems += [f"unknown sector '{s}'" for s in sectors if s not in schema.SECTORS]
    for entry in [*mapping["operator_sectors"], *mapping["file_names"], {"pattern": mapping["detect_file_names"]}]:
        try:
            re.compile(entry["pattern"])
        except (KeyError, TypeError, re.error) as err:
            problems.append(f"pattern {entry!r}: {err}")
    return problems


def _code_problems(rule: dict) -> list[str]:
    problems = []
    for field, allowed in (("category", schema.CATEGORIES), ("level", schema.LEVELS)):
        if rule.get(field) not in allowed:
            problems.append(f"{field} '{rule.get(field)}' is not one of {', '.join(allowed)}")
    groups = schema.split_list(rule.get("target_groups"))
    if not groups or any(g not in schema.TARGET_GROUPS for g in groups):
        choices = ", ".join(schema.TARGET_GROUPS)
        problems.append(f"target_groups '{rule.get('target_groups')}' must be ;-joined of {choices}")
    if rule.get("sector") is not None and rule["sector"] not in schema.SECTORS:
        problems.append(f"sector '{rule['sector']}' is not one of {', '.join(schema.SECTORS)}")
    return problems


# --- recognising OSM data and its tags ---


def looks_like_osm(frame: pd.DataFrame, source_name: str, mapping: dict) -> bool:
    """Whether a vector layer is an OSM export: OSM id or tag columns, OSM-style ids, or – for
    exports that dropped both – numeric ids and names in a file whose name says OSM
    (``detect_file_names``), so that a city's own "Kindergarten.geojson" stays the city's table."""
    columns = {str(c) for c in frame.columns}
    if columns & {"@id", "osm_id", "osm_type", "other_tags"} or columns & set(mapping["detect_keys"]):
        return True
    if any(c.startswith(("tags/", "tags.")) for c in columns) or ("tags" in columns and _packed_tags(frame["tags"])):
        return True
    ids = _text(frame["id"]).dropna() if "id" in frame else pd.Series(dtype=object)
    if len(ids) and ids.str.fullmatch(OSM_REF.pattern).all():
        return True
    numeric_ids = len(ids) > 0 and bool(ids.str.isdigit().all())
    osm_name = re.search(mapping["detect_file_names"], Path(source_name).name, re.IGNORECASE) is not None
    return numeric_ids and "name" in columns and osm_name and bool(file_name_tags(source_name, mapping))


def _packed_tags(values: pd.Series) -> bool:
    return values.map(lambda v: isinstance(v, dict) or isinstance(v, str) and v.lstrip().startswith("{")).any()


def file_name_tags(source_name: str, mapping: dict) -> dict[str, str]:
    """Tags the file name implies ("amenity_library.geojson" → amenity=library); {} if none."""
    lower = Path(source_name).name.lower()
    for entry in mapping["file_names"]:
        found = re.search(entry["pattern"], lower)
        if found:
            tags = dict(entry.get("tags", {}))
            groups = found.groupdict()
            if groups.get("key") and groups.get("value"):
                tags[groups["key"]] = groups["value"]
            return tags
    return {}


def tag_table(frame: pd.DataFrame, keys: set[str] | None = None) -> pd.DataFrame:
    """One column per OSM key (only ``keys`` if given), values as text or None: flat columns,
    ``tags/…`` columns, and tags packed into ``tags`` (JSON) or ``other_tags`` (GDAL hstore)."""
    geometry = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    columns: dict[str, pd.Series] = {}
    for column in frame.columns:
        name = str(column)
        if column == geometry or name in META_COLUMNS or name == "type" and _is_osm_type(frame[column]):
            continue
        key = name[5:] if name.startswith(("tags/", "tags.")) else name
        if keys is None or key in keys:
            columns.setdefault(key, _text(frame[column]))
    tags = pd.DataFrame(columns, index=frame.index)
    for packed in ("tags", "other_tags"):
        if packed in frame:
            unpacked = pd.DataFrame.from_records([_unpack(v) for v in frame[packed]], index=frame.index)
            if keys is not None:
                unpacked = unpacked[unpacked.columns.intersection(list(keys))]
            unpacked = unpacked.astype(object).map(_one_text)
            for key in unpacked.columns.intersection(tags.columns):  # a real column wins, gaps are filled
                tags[key] = tags[key].where(tags[key].notna(), unpacked[key])
            tags = pd.concat([tags, unpacked.drop(columns=tags.columns, errors="ignore")], axis=1)
    return tags.astype(object).where(tags.notna(), None)


def used_keys(mapping: dict) -> set[str]:
    """The tags a mapping looks at or keeps: an extract's other hundreds of keys need not be read."""
    keys = {"name", "operator", "operator:type", *mapping["keep_tags"], *mapping["target_groups_from"]}
    keys |= {key for rule in mapping["rules"] for key in rule["when"]}
    keys |= {key for entry in mapping["file_names"] for key in entry.get("tags", {})}
    for column, table in mapping["tag_aliases"].items():
        keys |= {column, *(key for implied in table.values() for key in implied)}
    return keys


def _is_osm_type(values: pd.Series) -> bool:
    present = _text(values).dropna()
    return len(present) > 0 and present.isin(_OSM_TYPES).all()


def _unpack(value: object) -> dict:
    if isinstance(value, dict):
        return value
    if not isinstance(value, str):
        return {}
    if value.lstrip().startswith("{"):
        try:
            parsed = json.loads(value)
        except (ValueError, RecursionError):  # RecursionError: JSON nested deeper than Python's stack
            return {}
        return parsed if isinstance(parsed, dict) else {}
    return {_unescape(k): _unescape(v) for k, v in _HSTORE.findall(value)}


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def _one_text(value: object) -> str | None:
    """A tag value as text: whole numbers without ".0", lists ;-joined; missing → None."""
    if value is None or value is pd.NA or isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, (list, tuple, np.ndarray)):
        return ";".join(t for t in map(_one_text, value) if t is not None) or None
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    text = str(value)
    return text if text.strip() else None


def _text(values: pd.Series) -> pd.Series:
    """Values as tag text (see ``_one_text``); text columns – nearly all of OSM – without a per-cell call."""
    values = values.astype(object)
    present = values.notna()
    if pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
        return values.where(present & (values.str.strip() != ""), None)
    return values.map(_one_text).astype(object)


def _nothing(index: pd.Index) -> pd.Series:
    """A column of None (``pd.Series(None, dtype=object)`` would hold NaN)."""
    return pd.Series(np.full(len(index), None, dtype=object), index=index, dtype=object)


def _tag(tags: pd.DataFrame, key: str) -> pd.Series:
    return tags[key] if key in tags else _nothing(tags.index)


def osm_ids(frame: pd.DataFrame) -> pd.Series:
    """ "node/123"-style ids from ``@id``, else ``osm_id`` (Geofabrik, QuickOSM) or ``id``, joined
    with ``osm_type``/``type`` where the export splits them; bare numbers stay bare (node or way
    cannot be told); None where the export has no id."""
    ids = _nothing(frame.index)
    for column, type_column in (("@id", None), ("osm_id", "osm_type"), ("id", "type")):
        if column not in frame:
            continue
        plain = _text(frame[column])
        if type_column in frame and _is_osm_type(frame[type_column]):
            kind = _text(frame[type_column])
            bare = (plain.notna() & kind.notna()).to_numpy() & plain.str.isdigit().fillna(False).to_numpy(dtype=bool)
            plain = plain.where(~bare, kind + "/" + plain)
        ids = ids.where(ids.notna(), plain)
    return ids


# --- applying the rules ---


def _parts(value: str) -> frozenset[str]:
    """The values of a multi-valued tag ("juvenile,family;girl"), lowercase."""
    return frozenset(p.strip().lower() for p in re.split(r"[;,]", value) if p.strip())


class _Rules:
    """The rules of a mapping applied to a tag table, each tag split into its values once."""

    def __init__(self, tags: pd.DataFrame):
        self.tags = tags
        self._split: dict[str, pd.Series] = {}

    def values(self, key: str) -> pd.Series:
        if key not in self._split:
            parts = _tag(self.tags, key).map(_parts, na_action="ignore")
            self._split[key] = parts.where(parts.notna(), frozenset())
        return self._split[key]

    def matches(self, when: dict) -> np.ndarray:
        hit = np.ones(len(self.tags), dtype=bool)
        for key, wanted in when.items():
            values = self.values(key)
            if wanted == "*":
                hit &= values.map(bool).to_numpy(dtype=bool)
            else:
                allowed = {w.lower() for w in ([wanted] if isinstance(wanted, str) else wanted)}
                hit &= values.map(lambda parts, allowed=allowed: not allowed.isdisjoint(parts)).to_numpy(dtype=bool)
        return hit


def derive_codes(tags: pd.DataFrame, mapping: dict) -> pd.DataFrame:
    """category, target_groups, level, sector, kind, source per feature by the first rule that
    matches (all None where none does); target groups from ``…:for`` tags and the sector
    from the operator win over the rule's defaults."""
    rules = _Rules(tags)
    out = {name: np.full(len(tags), None, dtype=object) for name in DERIVED}
    open_rows = np.ones(len(tags), dtype=bool)
    for rule in mapping["rules"]:
        hit = open_rows & rules.matches(rule["when"])
        for name in ("category", "target_groups", "level", "sector", "kind"):
            out[name][hit] = rule.get(name)
        open_rows &= ~hit
    matched = ~open_rows
    out["source"][matched] = mapping.get("source")
    groups = _target_groups_from_tags(rules, mapping)
    out["target_groups"] = np.where(matched & groups.notna().to_numpy(), groups.to_numpy(), out["target_groups"])
    sector = _operator_sector(tags, mapping)
    out["sector"] = np.where(matched & sector.notna().to_numpy(), sector.to_numpy(), out["sector"])
    return pd.DataFrame(out, index=tags.index, dtype=object)


def _target_groups_from_tags(rules: _Rules, mapping: dict) -> pd.Series:
    found = pd.Series([set() for _ in range(len(rules.tags))], index=rules.tags.index, dtype=object)
    for key, table in mapping["target_groups_from"].items():
        groups = rules.values(key).map(lambda parts, table=table: {table[p] for p in parts if p in table})
        found = pd.Series([a | b for a, b in zip(found, groups, strict=True)], index=found.index, dtype=object)
    return found.map(lambda g: ";".join(x for x in schema.TARGET_GROUPS if x in g) or None)


def _operator_sector(tags: pd.DataFrame, mapping: dict) -> pd.Series:
    sector = _nothing(tags.index)
    if "operator" in tags:
        for entry in reversed(mapping["operator_sectors"]):  # reversed: the first pattern wins
            pattern = re.compile(entry["pattern"], re.IGNORECASE)
            hit = tags["operator"].map(lambda v, pattern=pattern: v is not None and bool(pattern.search(v)))
            sector = sector.mask(hit.astype(bool), entry["sector"])
    if "operator:type" in tags:
        by_type = tags["operator:type"].map(lambda v: mapping["operator_type_sectors"].get(str(v).strip().lower()))
        sector = sector.where(sector.notna(), by_type)
    return sector


def _fill_implied_tags(tags: pd.DataFrame, source_name: str, mapping: dict) -> tuple[pd.DataFrame, list[Phrase]]:
    """Tags implied by aliases (Geofabrik ``fclass``) and, for keys the data lacks entirely, by the file name."""
    tags = tags.copy()
    for column, table in mapping["tag_aliases"].items():
        if column in tags:
            for value, implied in table.items():
                rows = tags[column] == value
                for key, tag_value in implied.items():
                    current = _tag(tags, key)
                    tags[key] = current.mask(rows & current.isna(), tag_value)
    from_name = {k: v for k, v in file_name_tags(source_name, mapping).items() if k not in tags or tags[k].isna().all()}
    for key, value in from_name.items():
        tags[key] = pd.Series(value, index=tags.index, dtype=object)
    notes = [phrase("read.osm_from_file_name", tags=", ".join(f"{k}={v}" for k, v in from_name.items()))]
    return tags, notes if from_name else []


# --- geometry ---


def representative_points(geometry: gpd.GeoSeries) -> np.ndarray:
    """A point inside each feature: points stay, areas and closed outlines (ways) give a point
    on their surface, open lines a point on the line."""
    geoms = np.asarray(geometry.array, dtype=object)
    present = ~shapely.is_missing(geoms)
    areas = np.full(len(geoms), None, dtype=object)
    areas[present] = shapely.build_area(geoms[present])
    use_area = present & ~shapely.is_missing(areas) & ~shapely.is_empty(areas)
    return shapely.point_on_surface(np.where(use_area, areas, geoms))


def _duplicate_keys(ids: pd.Series, tags: pd.DataFrame, geometry: gpd.GeoSeries) -> pd.Series:
    """The same object twice: same OSM id, or (without ids) same tags and same extent –
    an outline and the area of one closed way (Hamburg's extract holds both)."""
    bounds = np.round(shapely.bounds(np.asarray(geometry.array, dtype=object)), 7)
    tag_text = tags.apply(lambda row: json.dumps(row.dropna().to_dict(), sort_keys=True, ensure_ascii=False), axis=1)
    extent = pd.Series([json.dumps(b.tolist()) for b in bounds], index=tags.index)
    return ("id:" + ids).where(ids.notna(), "tags:" + tag_text + extent)


# --- the table the importer gets ---


def osm_table(frame: gpd.GeoDataFrame, source_name: str, mapping: dict) -> tuple[gpd.GeoDataFrame, list[Phrase]]:
    """OSM features as points with ``osm_id``, ``name``, the kept tags and the derived codes.

    Features no rule matches are dropped, and so are repeated objects; the notes
    say how many, where tags came from the file name, and the ODbL attribution.
    Raises ``readers.LayerFileError`` when no feature matches a rule.
    """
    tags, notes = _fill_implied_tags(tag_table(frame, used_keys(mapping)), source_name, mapping)
    codes = derive_codes(tags, mapping)
    matched = codes["category"].notna().to_numpy()
    if not matched.any():
        raise readers.LayerFileError(
            nphrase("read.osm_nothing_matched", len(frame), name=source_name, count=len(frame))
        )
    ids = osm_ids(frame)
    keys = _duplicate_keys(ids[matched], tags[matched], frame.geometry[matched])
    repeated = keys.duplicated().to_numpy()
    keep = np.flatnonzero(matched)[~repeated]
    kept_tags = [key for key in mapping["keep_tags"] if key in tags and tags[key].iloc[keep].notna().any()]
    table = pd.concat(
        [
            pd.DataFrame({"osm_id": ids.iloc[keep].to_numpy(), "name": _column(tags, "name", keep)}),
            tags.iloc[keep][kept_tags].reset_index(drop=True),
            codes.iloc[keep].reset_index(drop=True),
        ],
        axis=1,
    )
    table = table.loc[:, ~table.columns.duplicated()].astype(object)
    table = table.where(table.notna(), None)
    result = gpd.GeoDataFrame(table, geometry=representative_points(frame.geometry.iloc[keep]), crs=frame.crs)
    notes = [phrase("read.osm_detected", name=source_name), *notes]
    if (unmatched := int((~matched).sum())) > 0:
        notes.append(nphrase("read.osm_unmatched", unmatched, count=unmatched))
    if (twice := int(repeated.sum())) > 0:
        notes.append(nphrase("read.osm_duplicates", twice, count=twice))
    notes.append(Phrase("read.osm_licence"))
    return result, notes


def _column(tags: pd.DataFrame, key: str, rows: np.ndarray) -> np.ndarray:
    return tags[key].iloc[rows].to_numpy() if key in tags else np.full(len(rows), None, dtype=object)


# --- extract files ---


def read_pbf(path: str | Path, mapping: dict) -> gpd.GeoDataFrame:
    """The features of an .osm.pbf that carry a key some rule asks for (pyrosm), with ``@id``."""
    from pyrosm import (
        OSM,  # imported here: pyrosm loads slowly and only .osm.pbf needs it
    )

    keys = sorted({key for rule in mapping["rules"] for key in rule["when"]})
    # pyrosm parses untrusted bytes with its own decoder: any failure means "not a readable .osm.pbf"
    try:
        found = OSM(str(path)).get_pois(custom_filter=dict.fromkeys(keys, True))
    except Exception as err:  # noqa: BLE001
        raise readers.LayerFileError(phrase("read.not_pbf", name=Path(path).name, reason=str(err)[:300])) from err
    if found is None or len(found) == 0:
        return gpd.GeoDataFrame({"@id": []}, geometry=[], crs=schema.WEB_CRS)
    found = found.drop(columns=["lon", "lat", "visible", "version", "timestamp", "changeset"], errors="ignore")
    found.insert(0, "@id", found["osm_type"].astype(str) + "/" + found["id"].astype(str))
    return found.drop(columns=["id", "osm_type"]).reset_index(drop=True)


def read_osm_xml(path: str | Path) -> gpd.GeoDataFrame:
    """Nodes and areas of an .osm XML file via GDAL's OSM driver, with ``@id``; tags
    outside GDAL's default columns stay in ``other_tags`` for ``tag_table``."""
    parts = []
    for layer in ("points", "multipolygons"):
        features = pyogrio.read_dataframe(path, layer=layer)
        own = features.pop("osm_id").astype("string")
        ids = ("node/" if layer == "points" else "relation/") + own
        if "osm_way_id" in features:
            way = features.pop("osm_way_id").astype("string")
            ids = ids.where(way.isna(), "way/" + way)
        features.insert(0, "@id", ids.astype(object).where(ids.notna(), None))
        parts.append(features)
    return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry", crs=schema.WEB_CRS)
