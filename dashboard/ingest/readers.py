"""Reading the files a city hands in, before any column is mapped ("bring your own city").

``read_file`` turns GeoJSON, GeoPackage, Shapefiles (also zipped), CSV, spreadsheets
(.xlsx, .ods, .xls), Zensus 2022 grid CSVs and OpenStreetMap extracts into a ``RawTable``: the data
as the file holds it plus, in plain words, what the reader had to assume.
Tables keep every cell as text, so the column mapper – not the reader – decides
what "01", "2,5" or "–" mean. Title rows above a table's header (statistics-office
exports: "Tabelle 3: …", a blank row, then the header) are detected and skipped with a
note; a person may name the header row instead (``header_row``). Coordinates in table columns are only proposed
(``guess_coordinates``) and turned into points on request (``with_geometry``),
because which CRS a pair of numbers is in can only be guessed from where the
points land. Files come from outside: whatever cannot be read raises
``LayerFileError`` with a German message, never another exception.

``read_layer`` reads a file whose columns already carry the schema's names (the
``gaps`` command) through the same ``read_file``: ids stay text with their
leading zeros, numbers stay numbers (so validation can say so), and
``read_layers`` validates several such files together.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import io
import math
import re
import zipfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyogrio.errors
import pyogrio.raw
import pyproj
import shapely

from dashboard import i18n
from dashboard.i18n import Phrase, nphrase, phrase, render
from dashboard.ingest import columnmap, osmimport, validation
from dashboard.ingest.columnmap import EXCEL_1900, EXCEL_1904
from dashboard.ingest.validation import Problem
from dashboard.model import grid, schema

#: Germany in lon/lat, generously: a CRS is proposed only if the points land in here.
GERMANY_LONLAT = (5.5, 47.0, 15.5, 55.5)
#: A rough outline of Germany (lon, lat), used with a margin of MARGIN_DEG to rank CRSs whose
#: points all land in the box above, e.g. Stuttgart's UTM values read as zone 33 land in Austria.
GERMANY_OUTLINE = (
    (7.2, 53.3), (6.6, 53.6), (8.0, 53.9), (8.4, 55.06), (9.4, 54.85), (10.0, 54.7), (11.3, 54.55),
    (12.4, 54.5), (13.4, 54.7), (14.3, 53.95), (14.4, 53.3), (14.1, 52.85), (14.6, 52.5), (14.7, 52.1),
    (14.6, 51.5), (15.05, 51.1), (14.8, 50.85), (14.3, 51.05), (13.5, 50.65), (12.3, 50.2), (12.55, 49.9),
    (12.6, 49.5), (13.4, 49.05), (13.85, 48.77), (13.45, 48.55), (13.0, 48.25), (12.75, 48.05), (13.0, 47.75),
    (13.05, 47.45), (12.2, 47.6), (11.3, 47.4), (10.9, 47.45), (10.45, 47.5), (10.2, 47.25), (9.95, 47.5),
    (9.55, 47.5), (8.9, 47.65), (8.6, 47.8), (8.2, 47.6), (7.6, 47.55), (7.55, 48.0), (7.8, 48.6),
    (8.2, 48.97), (7.6, 49.05), (7.0, 49.15), (6.4, 49.45), (6.1, 49.85), (6.1, 50.3), (6.0, 50.75),
    (5.9, 51.05), (6.2, 51.5), (5.95, 51.85), (6.8, 51.95), (6.7, 52.5), (7.05, 52.65),
)  # fmt: skip
MARGIN_DEG = 0.25
#: CRSs German data comes in, in the order preferred when the values fit several equally well.
CRS_CANDIDATES = (
    "EPSG:4326", "EPSG:25832", "EPSG:25833", "EPSG:4647", "EPSG:5650", "EPSG:31467", "EPSG:31468",
    "EPSG:31466", "EPSG:31469", "EPSG:3035", "EPSG:3857",
)  # fmt: skip
#: Words in column or file names that point to one CRS ("UTM33", "gk4", "25833").
CRS_HINTS = {
    "EPSG:4326": r"4326|wgs ?84",
    "EPSG:25832": r"25832|utm ?32|32n|zone ?32",
    "EPSG:25833": r"25833|utm ?33|33n|zone ?33",
    "EPSG:4647": r"4647",
    "EPSG:5650": r"5650",
    "EPSG:31466": r"31466|gk ?2",
    "EPSG:31467": r"31467|gk ?3",
    "EPSG:31468": r"31468|gk ?4",
    "EPSG:31469": r"31469|gk ?5",
    "EPSG:3035": r"3035|laea",
    "EPSG:3857": r"3857|mercator",
}
#: Share of points that must land in Germany for a CRS to be proposed.
MIN_SHARE = 0.9
#: Share of a column's values that must be numbers for it to count as a coordinate column (typos happen).
NUMERIC_SHARE = 0.75
#: Points checked per CRS when guessing (evenly spread over the table).
SAMPLE_SIZE = 2000
X_WORDS = frozenset({"x", "lon", "lng", "long", "longitude", "laenge", "länge", "laengengrad", "längengrad",
                     "rechtswert", "rw", "easting", "ost", "xkoord", "xkoordinate", "koordx", "xcoord"})  # fmt: skip
Y_WORDS = frozenset({"y", "lat", "latitude", "breite", "breitengrad", "hochwert", "hw", "northing", "nord",
                     "ykoord", "ykoordinate", "koordy", "ycoord"})  # fmt: skip
WKT_START = re.compile(
    r"^\s*(SRID=(\d+);)?\s*(POINT|MULTIPOINT|LINESTRING|MULTILINESTRING|POLYGON|MULTIPOLYGON|GEOMETRYCOLLECTION)\b",
    re.IGNORECASE,
)
ZENSUS_ID = "GITTER_ID_100m"
ZENSUS_XY = ("x_mp_100m", "y_mp_100m")
ZENSUS_CRS = "EPSG:3035"
SEPARATORS = (";", "\t", ",")
_SEPARATOR_LABELS = {";": "read.sep.semicolon", ",": "read.sep.comma", "\t": "read.sep.tab"}
_ENCODING_LABELS = {"utf-8": "read.enc.utf8", "cp1252": "read.enc.cp1252", "utf-16": "read.enc.utf16"}
_SUFFIXES = {
    ".geojson": "geojson", ".json": "geojson", ".gpkg": "gpkg", ".shp": "shapefile", ".zip": "zip",
    ".csv": "csv", ".txt": "csv", ".tsv": "csv", ".tab": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx", ".ods": "ods",
    ".xls": "xls",
    ".osm": "osm_xml", ".pbf": "osm_pbf",
}  # fmt: skip
_NOT_READABLE = {"geojson": "read.not_geojson", "gpkg": "read.not_gpkg", "shapefile": "read.not_shapefile"}
_SHAPEFILE_PARTS = (".shp", ".shx", ".dbf")
_VECTOR_IN_ZIP = {".gpkg": "gpkg", ".geojson": "geojson", ".json": "geojson"}
_GDAL_ERRORS = (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, pyogrio.errors.FieldError,
                pyogrio.errors.GeometryError, pyogrio.errors.CRSError, RuntimeError, ValueError,
                shapely.errors.GEOSException)  # fmt: skip
_SHOW_MAX = 60
#: Filled rows above a header that may be a title (table name, source, unit); more are not skipped.
MAX_TITLE_ROWS = 10
TITLE_NOTE = "read.title_rows"


_TEXT_KINDS = ("id", "ref", "text", "code", "codes", "date")


class LayerFileError(Exception):
    """A file that cannot be read as a layer: a catalog ``key`` with its ``values``; ``str()`` is German."""

    def __init__(self, message: Phrase):
        super().__init__(message)
        self.key, self.values, self.count = message.key, message.values, message.count

    def text(self, lang: str = i18n.DEFAULT_LANGUAGE) -> str:
        """The message in ``lang``, for the user."""
        return render(self.key, self.values, lang, self.count)

    def __str__(self) -> str:
        return self.text()


@dataclass
class CoordinateGuess:
    """Which columns hold the position and in which CRS the values would lie in Germany."""

    kind: str  # "lonlat" | "xy" | "wkt"
    columns: tuple[str, ...]  # (x_or_lon, y_or_lat) or (wkt,)
    crs_candidates: tuple[str, ...]  # best first; only CRSs whose values land inside Germany


@dataclass
class RawTable:
    """A file as read, before any column mapping."""

    frame: pd.DataFrame
    source_name: str
    format: str  # "geojson" | "gpkg" | "shapefile" | "csv" | "xlsx" | "ods" | "xls" | "zensus" | "osm"
    layer: str | None = None
    layers: tuple[str, ...] = ()
    encoding: str | None = None
    separator: str | None = None
    notes: list[Phrase] = field(default_factory=list)
    coordinates: CoordinateGuess | None = None
    #: Geometry without a usable CRS (none given, or lon/lat declared for metre values): CRSs that fit, best first.
    crs_candidates: tuple[str, ...] = ()
    #: Tables: the row (1-based, blank rows counted as the spreadsheet counts them) that holds the column names,
    #: and how many filled rows above it were skipped as a title.
    header_row: int = 1
    title_rows: int = 0
    #: Day 0 of the serial numbers a date field may hold (a spreadsheet's 1900 or 1904 system).
    date_origin: date = EXCEL_1900


def read_file(
    path: str | Path,
    *,
    name: str | None = None,
    layer: str | None = None,
    encoding: str | None = None,
    separator: str | None = None,
    max_bytes: int | None = None,
    osm_mapping: dict | None = None,
    header_row: int | None = None,
) -> RawTable:
    """Read ``path`` (format from the ending of ``name``, the file name as uploaded; default:
    the path's name). ``layer`` picks a GeoPackage layer, a Shapefile of a zip or a
    spreadsheet's sheet; ``encoding``/``separator`` overrule what is detected in text files;
    ``header_row`` (1-based) names a table's header row instead of detecting it; ``max_bytes``
    refuses larger files (and zips that unpack larger) before reading; ``osm_mapping``
    replaces ``geodata/osm_mapping.json``. Raises ``LayerFileError``.
    """
    path = Path(path)
    source_name = name or path.name
    if not path.is_file():
        raise LayerFileError(phrase("file.not_found", path=source_name))
    try:
        return _read(path, source_name, layer, encoding, separator, max_bytes, osm_mapping, header_row)
    except OSError as err:  # the file vanished or may not be read: the user can only try again
        reason = err.strerror or type(err).__name__
        raise LayerFileError(phrase("read.os_error", name=source_name, reason=reason)) from err


def _read(path: Path, source_name: str, layer: str | None, encoding: str | None, separator: str | None,
          max_bytes: int | None, osm_mapping: dict | None, header_row: int | None) -> RawTable:  # fmt: skip
    kind = _kind_of(source_name)
    _check_size(path, kind, source_name, max_bytes)
    mapping = osmimport.checked_mapping(osm_mapping) if osm_mapping is not None else None
    if kind in ("osm_pbf", "osm_xml"):
        return _read_osm_extract(path, kind, source_name, mapping or osmimport.load_mapping())
    if kind == "csv":
        text, used_encoding, notes = _decode(path.read_bytes(), source_name, encoding)
        return _read_csv(text, source_name, used_encoding, separator, notes, header_row)
    if kind in _SPREADSHEETS:
        if kind != "xls":  # .xlsx and .ods are zips; an .xls is one file, its size checked above
            _check_zip_size(path, source_name, max_bytes, "read.not_spreadsheet")
        return _read_spreadsheet(path, source_name, kind, layer, header_row)
    if kind == "zip":
        return _read_zip(path, source_name, layer, max_bytes, mapping)
    if kind == "shapefile":
        _check_shapefile_parts(source_name, [p.name for p in path.parent.iterdir()], path.name)
    return _read_vector(str(path), source_name, kind, layer, mapping)


def _kind_of(name: str) -> str:
    lower = name.lower()
    suffix = Path(lower).suffix
    if suffix in _SUFFIXES:
        return _SUFFIXES[suffix]
    if suffix in (".shx", ".dbf", ".prj", ".cpg", ".sbn", ".sbx"):
        raise LayerFileError(phrase("read.shp_part", name=name))
    raise LayerFileError(phrase("read.unknown_format", name=name))


# --- size limits, checked before reading ---


def _check_size(path: Path, kind: str, name: str, max_bytes: int | None) -> None:
    size = path.stat().st_size
    if size == 0:
        raise LayerFileError(phrase("read.empty_file", name=name))
    if kind == "shapefile":  # the attributes (.dbf) are often larger than the shapes
        stem = path.stem.lower()
        size = sum(p.stat().st_size for p in path.parent.iterdir() if p.is_file() and p.stem.lower() == stem)
    if max_bytes is not None and size > max_bytes:
        sizes = {"size": _size_text(size, up=True), "limit": _size_text(max_bytes)}
        raise LayerFileError(phrase("read.too_large", name=name, **sizes))


def _size_text(size: int, up: bool = False) -> str:
    """Bytes as "12 MB" or "300 kB", rounded so that a file over the limit never shows the limit's number."""
    unit, label = (1_000_000, "MB") if size >= 1_000_000 else (1_000, "kB")
    value = math.ceil(size / unit) if up else max(1, math.floor(size / unit))
    return f"{value} {label}"


def _check_zip_size(path: Path, name: str, max_bytes: int | None, broken_key: str) -> None:
    """A zip (also an .xlsx) may not unpack beyond ``max_bytes``: a few kB can hold gigabytes."""
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as err:
        raise LayerFileError(phrase(broken_key, name=name)) from err
    if max_bytes is not None and unpacked > max_bytes:
        sizes = {"size": _size_text(unpacked, up=True), "limit": _size_text(max_bytes)}
        raise LayerFileError(phrase("read.too_large_unpacked", name=name, **sizes))


# --- GIS formats through GDAL ---


def _read_zip(path: Path, name: str, layer: str | None, max_bytes: int | None, mapping: dict | None) -> RawTable:
    """A Shapefile (several: one per layer) or a GeoPackage/GeoJSON inside a zip, read in place (/vsizip/)."""
    _check_zip_size(path, name, max_bytes, "read.zip_broken")
    with zipfile.ZipFile(path) as archive:
        members = [
            info for info in archive.infolist()
            if not info.is_dir() and "__MACOSX" not in info.filename and not Path(info.filename).name.startswith("._")
        ]  # fmt: skip
    if any(info.flag_bits & 0x1 for info in members):
        raise LayerFileError(phrase("read.zip_encrypted", name=name))
    names = [info.filename for info in members]
    shapefiles = [n for n in names if n.lower().endswith(".shp")]
    vectors = [n for n in names if Path(n).suffix.lower() in _VECTOR_IN_ZIP]
    if not shapefiles and not vectors:
        shown = ", ".join(names[:10]) + (" …" if len(names) > 10 else "")
        raise LayerFileError(phrase("read.zip_without_shp", name=name, files=shown or "–"))
    if not shapefiles:
        member = vectors[0]
        return _read_vector(f"/vsizip/{path.resolve()}/{member}", name, _VECTOR_IN_ZIP[Path(member).suffix.lower()],
                            layer, mapping)  # fmt: skip
    stems = [Path(n).stem for n in shapefiles]
    labels = stems if len(set(stems)) == len(stems) else [n[:-4] for n in shapefiles]
    if layer is not None and layer not in labels:
        raise LayerFileError(phrase("read.layer_not_found", layer=layer, name=name, layers=", ".join(labels)))
    chosen = layer if layer is not None else labels[0]
    member = shapefiles[labels.index(chosen)]
    _check_shapefile_parts(name, names, member)
    table = _read_vector(f"/vsizip/{path.resolve()}/{member}", name, "shapefile", None, mapping)
    notes = table.notes
    if len(labels) > 1 and layer is None:
        notes = [phrase("read.several_layers", name=name, layers=", ".join(labels), layer=chosen), *notes]
    return dataclasses.replace(table, layer=chosen, layers=tuple(labels), notes=notes)


def _check_shapefile_parts(name: str, present: list[str], shp: str) -> None:
    """.shx and .dbf must lie beside the .shp (any case); a lone .shp has no attributes to map."""
    stem = shp[:-4].lower()
    have = {n.lower() for n in present}
    missing = [suffix for suffix in _SHAPEFILE_PARTS[1:] if stem + suffix not in have]
    if missing:
        raise LayerFileError(phrase("read.shp_incomplete", name=name, missing=", ".join(missing)))


def _read_vector(source: str, name: str, fmt: str, layer: str | None, mapping: dict | None) -> RawTable:
    """A GeoJSON/GeoPackage/Shapefile layer as GDAL types it; OSM exports go on to ``osmimport``."""
    not_readable = _NOT_READABLE[fmt]
    try:
        present = [str(layer_name) for layer_name, _ in pyogrio.list_layers(source)]
    except _GDAL_ERRORS as err:
        raise LayerFileError(phrase(not_readable, name=name, reason=_reason(err))) from err
    if not present:
        raise LayerFileError(phrase("read.no_layers", name=name))
    notes: list[Phrase] = []
    chosen = None
    if fmt == "gpkg":
        if layer is not None and layer not in present:
            raise LayerFileError(phrase("read.layer_not_found", layer=layer, name=name, layers=", ".join(present)))
        chosen = layer if layer is not None else present[0]
        if layer is None and len(present) > 1:
            notes.append(phrase("read.several_layers", name=name, layers=", ".join(present), layer=chosen))
    try:
        meta, _, wkb, values = pyogrio.raw.read(source, layer=chosen, datetime_as_string=True)
        geometry = None if wkb is None else shapely.from_wkb(wkb)
    except _GDAL_ERRORS as err:
        raise LayerFileError(phrase(not_readable, name=name, reason=_reason(err))) from err
    frame, renamed = _gdal_frame(meta, values, len(geometry) if geometry is not None else None)
    notes += renamed
    if len(frame) == 0:
        raise LayerFileError(phrase("read.no_rows", name=name))
    layers = tuple(present) if fmt == "gpkg" else ()
    if geometry is None:
        table = RawTable(frame, name, fmt, layer=chosen, layers=layers, notes=notes)
        return _with_guess(table, name)
    frame = gpd.GeoDataFrame(frame, geometry=geometry, crs=meta["crs"])
    frame, crs_notes, candidates = _checked_crs(frame, name)
    mapping = mapping or osmimport.load_mapping()
    if osmimport.looks_like_osm(frame, name, mapping):
        frame, osm_notes = osmimport.osm_table(frame, name, mapping)
        return RawTable(frame, name, "osm", layer=chosen, layers=layers, notes=[*notes, *crs_notes, *osm_notes],
                        crs_candidates=candidates)  # fmt: skip
    return RawTable(frame, name, fmt, layer=chosen, layers=layers, notes=[*notes, *crs_notes],
                    crs_candidates=candidates)  # fmt: skip


def _reason(err: Exception) -> str:
    """GDAL's own words, shortened, without the file path it names (a temporary upload path means nothing)."""
    text = re.sub(r"(?:/vsizip)?(?:/[^\s/'\"]+){2,}", "…", str(err))
    return text[:300]


def _gdal_frame(meta: dict, values: list, rows: int | None) -> tuple[pd.DataFrame, list[Phrase]]:
    """Columns as GDAL types them: lists ;-joined, whole numbers with gaps as Int64, text as str/None."""
    columns: dict[str, pd.Series] = {}
    notes = []
    for name, ogr_type, column in zip(meta["fields"], meta["ogr_types"], values, strict=True):
        name = str(name)
        if name == "geometry":
            name = _free_name("geometry_text", columns)
            notes.append(phrase("read.renamed_geometry_column", column=name))
        columns[name] = _gdal_values(column, ogr_type)
    count = rows if rows is not None else (len(values[0]) if len(values) else 0)
    return pd.DataFrame(columns, index=pd.RangeIndex(count)), notes


def _gdal_values(column: np.ndarray, ogr_type: str) -> pd.Series:
    if ogr_type.endswith("List"):
        return pd.Series([None if v is None else ";".join(map(str, v)) for v in column], dtype=object)
    if ogr_type in ("OFTInteger", "OFTInteger64") and column.dtype.kind == "f":
        return pd.Series(column, dtype="Int64")
    return pd.Series(column, dtype=object if column.dtype == object else column.dtype)


def _free_name(name: str, taken) -> str:
    candidate, number = name, 1
    while candidate in taken:
        number += 1
        candidate = f"{name}_{number}"
    return candidate


def _checked_crs(frame: gpd.GeoDataFrame, name: str) -> tuple[gpd.GeoDataFrame, list[Phrase], tuple[str, ...]]:
    """Notes on a missing, implausible or code-less CRS, and the CRSs that would fit instead."""
    geoms = np.asarray(frame.geometry.array, dtype=object)
    usable = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    if not usable.any():
        return frame, [], ()
    bounds = shapely.bounds(geoms[usable])
    x, y = (bounds[:, 0] + bounds[:, 2]) / 2, (bounds[:, 1] + bounds[:, 3]) / 2
    crs = frame.crs
    if crs is None:
        candidates = crs_candidates(x, y, name)
        return frame, [phrase("read.no_crs", name=name, candidates=_candidates_text(candidates))], candidates
    if crs.is_geographic and (np.abs(x).max() > 180 or np.abs(y).max() > 90):
        candidates = crs_candidates(x, y, name)
        note = phrase("read.crs_not_lonlat", name=name, candidates=_candidates_text(candidates))
        return frame.set_crs(None, allow_override=True), [note], candidates
    if crs.to_epsg() is None:
        return frame, [phrase("read.crs_without_code", name=name, crs=crs.name)], ()
    return frame, [], ()


def _candidates_text(candidates: tuple[str, ...]) -> Phrase | str:
    return ", ".join(candidates) if candidates else Phrase("read.crs_none_fits")


def _read_osm_extract(path: Path, kind: str, name: str, mapping: dict) -> RawTable:
    if kind == "osm_pbf":
        features = osmimport.read_pbf(path, mapping)
    else:
        try:
            features = osmimport.read_osm_xml(path)
        except _GDAL_ERRORS as err:
            raise LayerFileError(phrase("read.not_osm", name=name, reason=_reason(err))) from err
    if len(features) == 0:
        raise LayerFileError(phrase("read.no_rows", name=name))
    frame, notes = osmimport.osm_table(features, name, mapping)
    return RawTable(frame, name, "osm", notes=notes)


# --- text tables: CSV ---


def _decode(data: bytes, name: str, encoding: str | None) -> tuple[str, str, list[Phrase]]:
    """The text of a CSV: the given encoding, else UTF-8 (with or without BOM), UTF-16 with BOM, Windows-1252."""
    if encoding is not None:
        try:
            text = data.decode(encoding)
        except (LookupError, UnicodeDecodeError) as err:
            raise LayerFileError(phrase("read.encoding_failed", name=name, encoding=encoding)) from err
        return text.removeprefix("\ufeff"), encoding, []
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16", []
        except UnicodeDecodeError as err:
            raise LayerFileError(phrase("read.not_text", name=name)) from err
    if b"\x00" in data[:65536]:
        raise LayerFileError(phrase("read.not_text", name=name))
    try:
        return data.decode("utf-8-sig"), "utf-8", []
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252", [Phrase("read.encoding_cp1252")]
    except UnicodeDecodeError as err:
        raise LayerFileError(phrase("read.not_text", name=name)) from err


def sniff_separator(text: str) -> str | None:
    """The separator among ; tab , that splits the first lines into the most equal rows; None: one column.
    Judged on the most common row length, not the first row's: a title line above the header has one cell."""
    sample = text[:65536]
    best, best_score = None, (0.0, 1)
    for separator in SEPARATORS:
        try:
            rows = [
                row
                for _, row in zip(
                    range(50), csv.reader(io.StringIO(sample, newline=""), delimiter=separator), strict=False
                )
                if any(cell.strip() for cell in row)
            ]
        except csv.Error:
            continue
        if not rows:
            continue
        width, count = Counter(map(len, rows)).most_common(1)[0]
        if width >= 2 and (count / len(rows), width) > best_score:
            best, best_score = separator, (count / len(rows), width)
    return best


def _read_csv(
    text: str, name: str, encoding: str, separator: str | None, notes: list[Phrase], header_row: int | None
) -> RawTable:
    first_line, _, rest = text.partition("\n")
    if re.fullmatch(r"sep=.\r?", first_line):  # Excel's hint line names the separator
        separator, text = separator or first_line[4], rest
    separator = separator or sniff_separator(text)
    header, rows, (start, skipped, titled) = _csv_rows(text, separator, name, header_row)
    frame = _frame(header, rows)
    encoding_label = Phrase(_ENCODING_LABELS[encoding]) if encoding in _ENCODING_LABELS else encoding
    if separator is None:
        separator_label: Phrase | str = Phrase("read.sep.none")
    else:
        separator_label = Phrase(_SEPARATOR_LABELS[separator]) if separator in _SEPARATOR_LABELS else f"„{separator}“"
    notes = [phrase("read.csv_format", encoding=encoding_label, separator=separator_label), *notes, *titled]
    table = RawTable(frame, name, "csv", encoding=encoding, separator=separator, notes=notes, header_row=start + 1,
                     title_rows=skipped)  # fmt: skip
    return _finish_table(table)


def _csv_rows(
    text: str, separator: str | None, name: str, header_row: int | None
) -> tuple[list[str], list[list[str | None]], tuple[int, int, list[Phrase]]]:
    """Header, rows (cells verbatim, "" → None) and where the header stands (``_header_position``).
    Blank lines are skipped, short rows padded, long rows kept only if the extra cells are empty
    (trailing separators)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator or "\x1f")
    records: list[tuple[int, list[str]]] = []
    try:
        for row in reader:
            records.append((reader.line_num, row))
    except csv.Error as err:
        raise LayerFileError(phrase("read.csv_unreadable", name=name, line=reader.line_num, reason=str(err))) from err
    position = _header_position([row for _, row in records], header_row, name)
    header = records[position[0]][1]
    rows: list[list[str | None]] = []
    for line, row in records[position[0] + 1 :]:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            if any(cell.strip() for cell in row[len(header) :]):
                raise LayerFileError(nphrase("read.csv_bad_line", len(row), name=name, line=line, found=len(row),
                                             expected=len(header)))  # fmt: skip
            row = row[: len(header)]
        rows.append([cell if cell != "" else None for cell in row] + [None] * (len(header) - len(row)))
    if not rows:
        raise LayerFileError(phrase("read.no_rows", name=name))
    return header, rows, position


def _filled(row: Sequence[object]) -> int:
    return sum(1 for cell in row if cell is not None and str(cell).strip())


def _header_position(rows: Sequence[Sequence[object]], asked: int | None, name: str) -> tuple[int, int, list[Phrase]]:
    """The header's index in ``rows``, how many filled rows stand above it, and the note on a detected title.

    ``asked`` (1-based, blank rows counted) is taken as given. Otherwise the header is the first
    row with two or more filled cells: a title line ("Tabelle 3: …", "Quelle: …", "Anzahl") fills
    one cell, even when it is merged across the table. A table of one column keeps its first row.
    """
    if asked is not None:
        if not 1 <= asked <= len(rows) or not _filled(rows[asked - 1]):
            raise LayerFileError(phrase("read.header_row_empty", name=name, row=asked))
        return asked - 1, sum(1 for row in rows[: asked - 1] if _filled(row)), []
    filled: list[tuple[int, int]] = []  # (index, filled cells) of the first filled rows
    for i, row in enumerate(rows):
        if count := _filled(row):
            filled.append((i, count))
            if count > 1 or len(filled) > MAX_TITLE_ROWS:
                break
    if not filled:
        raise LayerFileError(phrase("read.no_rows", name=name))
    start = filled[-1][0] if filled[-1][1] > 1 else filled[0][0]
    if start == filled[0][0]:
        return start, 0, []
    first = next(cell for cell in rows[filled[0][0]] if cell is not None and str(cell).strip())
    note = nphrase(TITLE_NOTE, start, count=start, row=start + 1, title=_shown(str(first).strip()))
    return start, len(filled) - 1, [note]


def _frame(header: Sequence[str | None], rows: list[list[str | None]]) -> pd.DataFrame:
    """Cells as an object frame. Columns without a header and without values (trailing separators,
    empty spreadsheet columns) are dropped; other blank headers are numbered ("Spalte 3"),
    repeated ones suffixed."""
    frame = pd.DataFrame(rows, columns=range(len(header)), dtype=object)
    names: list[str] = []
    keep: list[int] = []
    for i, cell in enumerate(header):
        blank = cell is None or not str(cell).strip()
        if blank and frame[i].isna().all():
            continue
        keep.append(i)
        names.append(_free_name(f"Spalte {i + 1}" if blank else str(cell), names))
    frame = frame[keep]
    frame.columns = names
    return frame


# --- text tables: spreadsheets (.xlsx, .ods, .xls) ---

_SPREADSHEETS = ("xlsx", "ods", "xls")
#: How a workbook's own setting names the 1904 date system (.xlsx) or its day 0 (.ods: table:null-date).
_XLSX_1904 = re.compile(rb'date1904="(?:1|true)"')
_ODS_NULL_DATE = re.compile(rb'<table:null-date[^>]*table:date-value="(\d{4}-\d{2}-\d{2})')


def _read_spreadsheet(path: Path, name: str, kind: str, layer: str | None, header_row: int | None) -> RawTable:
    """A sheet of an .xlsx, .ods or .xls through calamine, one reader for the three: cells as the text the
    program shows (stored formula results; nothing is calculated), rows numbered as the program numbers them."""
    import python_calamine  # imported here: only spreadsheet uploads need it

    # calamine parses untrusted zip/XML/OLE and fails in many ways on broken files: all mean "not readable"
    try:
        with python_calamine.CalamineWorkbook.from_path(path) as book:
            sheets = [m.name for m in book.sheets_metadata if m.typ == python_calamine.SheetTypeEnum.WorkSheet]
            if layer is not None and layer not in sheets:
                raise LayerFileError(phrase("read.layer_not_found", layer=layer, name=name, layers=", ".join(sheets)))
            chosen, rows = None, []
            for title in [layer] if layer is not None else sheets:
                cells = book.get_sheet_by_name(title).to_python(skip_empty_area=False)  # rows numbered as shown
                rows = [[_cell(v) for v in row] for row in cells]
                if any(map(_filled, rows)):
                    chosen = title
                    break
        origin = _date_origin(path, kind)
    except LayerFileError:
        raise
    except Exception as err:  # noqa: BLE001
        raise LayerFileError(phrase("read.not_spreadsheet", name=name)) from err
    if chosen is None:
        raise LayerFileError(phrase("read.no_rows", name=name))
    start, skipped, titled = _header_position(rows, header_row, name)
    body = [row for row in rows[start + 1 :] if _filled(row)]
    if not body:
        raise LayerFileError(phrase("read.no_rows", name=name))
    width = max(i + 1 for row in [rows[start], *body] for i, v in enumerate(row) if v is not None)
    header, *body = [row[:width] + [None] * (width - len(row)) for row in [rows[start], *body]]
    notes = list(titled)
    if len(sheets) > 1 and layer is None:
        notes.insert(0, phrase("read.several_sheets", name=name, layers=", ".join(sheets), layer=chosen))
    table = RawTable(_frame(header, body), name, kind, layer=chosen, layers=tuple(sheets), notes=notes,
                     header_row=start + 1, title_rows=skipped, date_origin=origin)  # fmt: skip
    return _finish_table(table)


def _date_origin(path: Path, kind: str) -> date:
    """Day 0 of the workbook's serial numbers, for plain numbers in a date field: calamine turns date-formatted
    cells into dates itself but does not tell the system. An .xls keeps it in a binary record: taken as 1900."""
    if kind == "xls":
        return EXCEL_1900
    with zipfile.ZipFile(path) as archive:
        if kind == "xlsx":
            return EXCEL_1904 if _XLSX_1904.search(archive.read("xl/workbook.xml")) else EXCEL_1900
        with archive.open("content.xml") as content:  # the setting stands before the first table
            head = b""
            while b"<table:table " not in head and (chunk := content.read(65536)):
                head += chunk
    found = _ODS_NULL_DATE.search(head)
    return date.fromisoformat(found.group(1).decode()) if found else EXCEL_1900


def _cell(value: object) -> str | None:
    """A spreadsheet cell as text: whole numbers without ".0", dates ISO, yes/no as true/false, empty → None."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if hasattr(value, "isoformat"):
        text = value.isoformat()
        return text.removesuffix("T00:00:00")
    return str(value)


# --- what both table formats share: formulas, Zensus grid, coordinates ---


def _finish_table(table: RawTable) -> RawTable:
    formulas = sum(int(table.frame[c].astype("string").str.startswith("=").sum()) for c in table.frame.columns)
    if formulas:
        table.notes.append(nphrase("read.formula_cells", formulas, count=formulas))
    if ZENSUS_ID.casefold() in {str(c).casefold() for c in table.frame.columns}:
        return _zensus(table)
    return _with_guess(table, table.source_name)


def _with_guess(table: RawTable, hint: str) -> RawTable:
    guess = guess_coordinates(table.frame, hint=hint)
    if guess is None:
        return table
    if guess.kind == "wkt":
        note = phrase("read.wkt_found", column=guess.columns[0], candidates=_candidates_text(guess.crs_candidates))
    else:
        x, y = guess.columns
        note = phrase("read.coordinates_found", x=x, y=y, candidates=", ".join(guess.crs_candidates))
    return dataclasses.replace(table, coordinates=guess, notes=[*table.notes, note])


def _zensus(table: RawTable) -> RawTable:
    """Zensus 2022 100 m grid: points at the cell centres in EPSG:3035 (from x_mp_100m/y_mp_100m,
    else from the cell id); values such as "–" stay text for the mapper."""
    frame = table.frame
    by_fold = {str(c).casefold(): str(c) for c in frame.columns}
    table = dataclasses.replace(table, format="zensus", notes=[*table.notes, Phrase("read.zensus")])
    if all(c.casefold() in by_fold for c in ZENSUS_XY):
        guess = CoordinateGuess("xy", tuple(by_fold[c.casefold()] for c in ZENSUS_XY), (ZENSUS_CRS,))
        table, problems = with_geometry(table, guess, ZENSUS_CRS)
        missing = len(problems)
    else:
        centres = [_cell_centre(value) for value in frame[by_fold[ZENSUS_ID.casefold()]]]
        points = [None if c is None else shapely.Point(c) for c in centres]
        table = dataclasses.replace(table, frame=gpd.GeoDataFrame(frame, geometry=points, crs=ZENSUS_CRS))
        missing = sum(c is None for c in centres)
    if missing:
        table.notes.append(nphrase("read.zensus_without_point", missing, count=missing))
    return table


def _cell_centre(cell_id: object) -> tuple[float, float] | None:
    try:
        north, east = grid.parse_cell_id(str(cell_id).strip())
    except ValueError:
        return None
    return east + grid.CELL_SIZE / 2, north + grid.CELL_SIZE / 2


# --- coordinates in columns ---


def parse_numbers(values: pd.Series) -> pd.Series:
    """Numbers from text as Germans and others write them ("9,18", "3.512.345,6", "1,234.5", "4.47e+06");
    NaN where a value is missing or no finite number."""
    text = values.astype(object).map(lambda v: None if v is None or v is pd.NA or v != v else str(v))
    text = text.astype("string").str.replace(r"[\s\u00a0\u202f']", "", regex=True)
    comma_last = text.str.contains(",", regex=False) & (text.str.rfind(",") > text.str.rfind("."))
    german = text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    text = text.mask(comma_last.fillna(False), german)
    text = text.str.replace(",", "", regex=False)
    numbers = pd.to_numeric(text, errors="coerce").astype("Float64").astype(float)
    return numbers.where(np.isfinite(numbers))


def _numeric_columns(frame: pd.DataFrame) -> dict[str, pd.Series]:
    """Columns whose present values are (almost) all numbers, as floats."""
    found = {}
    for column in frame.columns:
        if isinstance(frame, gpd.GeoDataFrame) and column == frame.geometry.name:
            continue
        values = frame[column]
        present = values.notna() & (values.astype("string").str.strip() != "").fillna(False)
        if not present.any():
            continue
        numbers = parse_numbers(values)
        if numbers[present].notna().mean() >= NUMERIC_SHARE:
            found[str(column)] = numbers
    return found


def _words(column: str) -> set[str]:
    return set(re.split(r"[^0-9a-zäöüß]+", column.lower()))


def _pairs(columns: list[str]) -> list[tuple[str, str, bool]]:
    """(x, y, named) pairs to try: named x/y pairs first (also swapped, names can lie), then
    neighbours, then the rest."""
    xs = [c for c in columns if _words(c) & X_WORDS]
    ys = [c for c in columns if _words(c) & Y_WORDS]
    named = [(x, y) for x in xs for y in ys if x != y]
    neighbours = [pair for a, b in zip(columns, columns[1:], strict=False) for pair in ((a, b), (b, a))]
    rest = [(a, b) for a in columns for b in columns if a != b]
    known = {*named, *((y, x) for x, y in named)}
    pairs = dict.fromkeys([*named, *((y, x) for x, y in named), *neighbours, *rest])
    return [(x, y, (x, y) in known) for x, y in pairs]


#: Rows (spread over the file) that the coordinate guess looks at.
GUESS_ROWS = 5_000


def guess_coordinates(frame: pd.DataFrame, hint: str = "") -> CoordinateGuess | None:
    """The columns that hold positions and the CRSs in which they land in Germany, best first:
    a WKT column, else a pair of number columns (decimal commas allowed). ``hint`` (a file
    name) may name the CRS ("…_UTM33.csv"). None when nothing fits. Judged on an even
    sample of at most GUESS_ROWS rows: a proposal a person confirms, fast on 200,000 rows."""
    frame = frame.iloc[:: max(1, len(frame) // GUESS_ROWS)]
    wkt = _guess_wkt(frame, hint)
    if wkt is not None:
        return wkt
    numbers = _numeric_columns(frame)
    boxes = {crs: _native_box(crs) for crs in CRS_CANDIDATES}
    ranges = {c: (v.min(), v.max()) for c, v in numbers.items()}
    for x_col, y_col, named in _pairs(list(numbers)):
        (x_min, x_max), (y_min, y_max) = ranges[x_col], ranges[y_col]
        if not any(b[0] <= x_max and x_min <= b[2] and b[1] <= y_max and y_min <= b[3] for b in boxes.values()):
            continue
        candidates = crs_candidates(numbers[x_col].to_numpy(), numbers[y_col].to_numpy(), f"{hint} {x_col} {y_col}")
        if not named:  # shares and rates fall in lon/lat ranges too often; metre values do not
            candidates = tuple(c for c in candidates if c != "EPSG:4326")
        if candidates:
            kind = "lonlat" if candidates[0] == "EPSG:4326" else "xy"
            return CoordinateGuess(kind, (x_col, y_col), candidates)
    return None


def _guess_wkt(frame: pd.DataFrame, hint: str) -> CoordinateGuess | None:
    for column in frame.columns:
        values = frame[column]
        if values.dtype != object:
            continue
        text = values.dropna().astype(str)
        text = text[text.str.strip() != ""]
        matched = text.str.extract(WKT_START)
        if len(text) == 0 or matched[2].notna().mean() < MIN_SHARE:
            continue
        srids = set(matched[1].dropna())
        plain = text.str.replace(r"^\s*SRID=\d+;", "", regex=True).to_numpy()
        geometries = shapely.from_wkt(plain, on_invalid="ignore")
        bounds = shapely.bounds(geometries[~shapely.is_missing(geometries)])
        if len(bounds) == 0:
            continue
        x, y = (bounds[:, 0] + bounds[:, 2]) / 2, (bounds[:, 1] + bounds[:, 3]) / 2
        declared = f"EPSG:{srids.pop()}" if len(srids) == 1 else ""
        candidates = crs_candidates(x, y, f"{hint} {column} {declared}", extra=(declared,) if declared else ())
        return CoordinateGuess("wkt", (str(column),), candidates)
    return None


def crs_candidates(x: np.ndarray, y: np.ndarray, hint: str = "", extra: tuple[str, ...] = ()) -> tuple[str, ...]:
    """CRSs (of CRS_CANDIDATES and ``extra``) in which at least MIN_SHARE of the points land in
    Germany's box; ranked by how many land in Germany itself, then by a name in ``hint``, then
    by the usual order (EPSG:25832 before 25833)."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    finite = np.isfinite(x) & np.isfinite(y)
    x, y = x[finite], y[finite]
    if len(x) == 0:
        return ()
    if len(x) > SAMPLE_SIZE:
        pick = np.linspace(0, len(x) - 1, SAMPLE_SIZE).astype(int)
        x, y = x[pick], y[pick]
    west, south, east, north = GERMANY_LONLAT
    ranked = []
    for order, crs in enumerate(dict.fromkeys([*extra, *CRS_CANDIDATES])):
        try:
            lon, lat = _to_lonlat(crs).transform(x, y)
        except (pyproj.exceptions.CRSError, pyproj.exceptions.ProjError):
            continue
        in_box = (lon >= west) & (lon <= east) & (lat >= south) & (lat <= north)
        if in_box.mean() < MIN_SHARE:
            continue
        in_germany = shapely.contains_xy(_germany(), lon[in_box], lat[in_box]).sum() / len(x)
        named = bool(re.search(CRS_HINTS.get(crs, re.escape(crs)), hint, re.IGNORECASE))
        ranked.append((-round(in_germany, 1), not named, order, crs))
    return tuple(crs for *_, crs in sorted(ranked))


@cache
def _to_lonlat(crs: str) -> pyproj.Transformer:
    return pyproj.Transformer.from_crs(crs, "EPSG:4326", always_xy=True)


@cache
def _native_box(crs: str) -> tuple[float, float, float, float]:
    """Germany's box in the coordinates of ``crs``: number columns outside it are not tried as a pair."""
    to_native = pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    return to_native.transform_bounds(*GERMANY_LONLAT, densify_pts=21)


@cache
def _germany() -> shapely.Geometry:
    outline = shapely.Polygon(GERMANY_OUTLINE).buffer(MARGIN_DEG)
    shapely.prepare(outline)
    return outline


def with_geometry(raw: RawTable, guess: CoordinateGuess, crs: str) -> tuple[RawTable, list[Problem]]:
    """``raw`` with a geometry in ``crs`` built from the guessed columns: points from x/y or
    lon/lat (decimal commas accepted), or the shapes of a WKT column. A row whose position is
    missing or unreadable keeps no geometry and gets a ``Problem`` (row 1-based, field = column)."""
    missing = [c for c in guess.columns if c not in raw.frame.columns]
    if missing:
        raise LayerFileError(phrase("read.column_not_found", column=missing[0], name=raw.source_name))
    try:
        pyproj.CRS.from_user_input(crs)
    except pyproj.exceptions.CRSError as err:
        raise LayerFileError(phrase("read.unknown_crs", crs=crs)) from err
    if guess.kind == "wkt":
        geometry, problems = _wkt_geometry(raw, guess.columns[0])
    else:
        geometry, problems = _point_geometry(raw, guess.columns)
    frame = raw.frame
    if isinstance(frame, gpd.GeoDataFrame):
        frame = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    notes = list(raw.notes)
    if "geometry" in frame.columns:
        renamed = _free_name("geometry_text", frame.columns)
        frame = frame.rename(columns={"geometry": renamed})
        guess = dataclasses.replace(guess, columns=tuple(renamed if c == "geometry" else c for c in guess.columns))
        notes.append(phrase("read.renamed_geometry_column", column=renamed))
    located = gpd.GeoDataFrame(frame, geometry=geometry, crs=crs)
    return dataclasses.replace(raw, frame=located, coordinates=guess, notes=notes), problems


def _point_geometry(raw: RawTable, columns: tuple[str, ...]) -> tuple[np.ndarray, list[Problem]]:
    numbers = [parse_numbers(raw.frame[c]) for c in columns]
    problems = []
    ok = np.ones(len(raw.frame), dtype=bool)
    for column, parsed in zip(columns, numbers, strict=True):
        values = raw.frame[column]
        for i in np.flatnonzero(ok & parsed.isna().to_numpy()):
            value = values.iat[i]
            if _blank(value):
                key, shown = "read.coordinate_missing", ""
            else:
                key, shown = "read.coordinate_not_number", _shown(value)
            problems.append(_problem(raw, i, column, key, shown))
            ok[i] = False
    points = np.full(len(raw.frame), None, dtype=object)
    points[ok] = shapely.points(numbers[0].to_numpy()[ok], numbers[1].to_numpy()[ok])
    return points, sorted(problems, key=lambda p: p.row or 0)  # every row is set


def _wkt_geometry(raw: RawTable, column: str) -> tuple[np.ndarray, list[Problem]]:
    values = raw.frame[column]
    text = values.astype(object).map(lambda v: None if _blank(v) else str(v))
    stripped = text.astype("string").str.replace(r"^\s*SRID=\d+;", "", regex=True)
    geometry = np.full(len(text), None, dtype=object)
    present = stripped.notna().to_numpy()
    geometry[present] = shapely.from_wkt(stripped[present].to_numpy(dtype=object), on_invalid="ignore")
    problems = []
    for i in np.flatnonzero(shapely.is_missing(geometry)):
        key = "read.wkt_invalid" if present[i] else "read.wkt_missing"
        shown = _shown(text.iat[i]) if present[i] else ""
        problems.append(_problem(raw, i, column, key, shown))
    return geometry, problems


def _problem(raw: RawTable, position: int | np.integer, column: str, key: str, shown: str) -> Problem:
    return Problem(raw.source_name, int(position) + 1, column, key, values=(("column", column), ("value", shown)))


def _blank(value: object) -> bool:
    return value is None or value is pd.NA or value != value or not str(value).strip()


def _shown(value: object) -> str:
    text = str(value)
    return text if len(text) <= _SHOW_MAX else text[: _SHOW_MAX - 1] + "…"


# --- files whose columns carry the schema's names (the ``gaps`` command) ---


def split_source(source: str | Path) -> tuple[Path, str | None]:
    """``FILE`` or ``FILE:layer`` (e.g. ``stadt.gpkg:quartiere``) → path and layer name.

    A path that exists as given is never split, so ``C:\\daten\\x.gpkg`` works.
    """
    path = Path(source)
    text = str(source)
    if not path.exists() and ":" in text:
        head, layer = text.rsplit(":", 1)
        if layer and Path(head).is_file():
            return Path(head), layer
    return path, None


def read_layer(source: str | Path, layer_name: str) -> pd.DataFrame:
    """The schema columns of ``source`` for the schema layer ``layer_name``, read by ``read_file``.

    A GeoDataFrame in the file's CRS for layers with geometry (a plain
    DataFrame if the file has none – validation reports that). Schema columns
    missing from the file stay missing; other columns are dropped. Which layer
    of a multi-layer file: the one given as ``FILE:layer``, else the one named
    like the schema layer ("offers"), else the only one.
    Raises ``LayerFileError`` when the file is missing or holds no readable layer.
    """
    spec = schema.LAYERS[layer_name]
    path, layer = split_source(source)
    if not path.exists():
        raise LayerFileError(phrase("file.not_found", path=path))
    try:
        present = [str(name) for name, _ in pyogrio.list_layers(path)]
    except _GDAL_ERRORS as err:
        raise LayerFileError(phrase("file.unreadable", path=path)) from err
    raw = read_file(path, layer=_choose_layer(path, layer, layer_name, present))
    found = [str(column) for column in raw.frame.columns if column != "geometry"]
    columns = {
        field.name: _typed(raw.frame[found[position]].reset_index(drop=True), field.kind)
        for field in spec.fields
        if (position := columnmap.schema_column(field.name, found)) is not None
    }
    frame = pd.DataFrame(columns, index=pd.RangeIndex(len(raw.frame)))
    if not isinstance(raw.frame, gpd.GeoDataFrame) or not spec.geometry_types:
        return frame
    return gpd.GeoDataFrame(frame, geometry=raw.frame.geometry.to_numpy(), crs=raw.frame.crs)


def _choose_layer(path: Path, asked: str | None, layer_name: str, present: list[str]) -> str:
    if not present:
        raise LayerFileError(phrase("file.no_vector_layer", path=path))
    if asked is not None:
        if asked not in present:
            raise LayerFileError(phrase("file.layer_not_found", layer=asked, path=path, layers=", ".join(present)))
        return asked
    if layer_name in present:
        return layer_name
    if len(present) == 1:
        return present[0]
    raise LayerFileError(phrase("file.which_layer", path=path, layers=", ".join(present)))


def _typed(values: pd.Series, kind: str) -> pd.Series:
    """Nullable ints and yes/no where the values allow it; text as ``str``/``None``; all else as found."""
    numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
    if kind == "bool" and (pd.api.types.is_bool_dtype(values) or (numeric and values.dropna().isin((0, 1)).all())):
        return values.astype("boolean")
    if kind == "int" and not numeric and not pd.api.types.is_bool_dtype(values):
        return _whole_numbers_from_text(values)
    if numeric and values.dropna().mod(1).eq(0).all():
        return values.astype("Int64")
    if kind in _TEXT_KINDS and not numeric:
        return values.astype(object).where(values.notna(), None)
    return values


def _whole_numbers_from_text(values: pd.Series) -> pd.Series:
    """A count stored as text ("12") as ``Int64``; left as text if any value is no whole number."""
    text = values.astype(object).where(values.notna(), None).map(lambda v: v.strip() if isinstance(v, str) else v)
    present = text.notna() & (text != "")
    numbers = pd.to_numeric(text.where(present), errors="coerce")
    if numbers[present].notna().all() and numbers[present].mod(1).eq(0).all():
        return numbers.astype("Int64")
    return text


def read_layers(sources: dict[str, str | Path]) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    """Read one file per schema layer and validate each, refs checked against the actors and areas read.

    Returns the frames and all problems (layer-wide ones first, then by row,
    per layer). Raises ``LayerFileError`` for the first file that cannot be
    read, its message led by the layer's name.
    """
    layers: dict[str, pd.DataFrame] = {}
    for name, source in sources.items():
        try:
            layers[name] = read_layer(source, name)
        except LayerFileError as err:
            message = Phrase(err.key, err.values, err.count)
            raise LayerFileError(phrase("file.in_layer", layer=Phrase(f"val.layer.{name}"), message=message)) from err
    references = {
        name: set(layers[name][id_field].dropna().map(str).str.strip())
        for name, id_field in (("actors", "actor_id"), ("areas", "area_id"))
        if name in layers and id_field in layers[name]
    }
    problems = [
        problem
        for name, frame in layers.items()
        for problem in validation.validate_layer(name, frame, references=references)
    ]
    return layers, problems
