"""Checks a layer's rows against the schema before anything is imported.

Every check reports a ``Problem`` (layer, row, field, message as an i18n
catalog key with its values, German unless asked otherwise) instead of raising,
so a planner sees all that is wrong with a file at once.
The generic checks follow the ``schema.Field`` metadata (required, kind, codes,
min_value) and the layer's geometry types, so they work for every layer; one
function per layer adds the rules that only make sense there.

Conventions the importer must share:
- ``row`` counts data records from 1 in the order of the frame (a spreadsheet
  with one header line shows record 1 on its line 2).
- Values are compared after trimming surrounding spaces; codes are compared
  exactly (the store holds lowercase codes), yes/no values in any case.
- Numbers may arrive as text ("12", "2,5").
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from dashboard import i18n
from dashboard.i18n import Phrase, Values, phrase, render
from dashboard.model import grid, schema

ERROR = "error"
WARNING = "warning"
#: The values of a message: (placeholder, value) pairs, hashable unlike a dict.

# --- rules that schema.Field does not (yet) express ---
#: Layer whose ids a ref field points to (key of ``references``). parent_id is
#: checked against the areas frame itself (see ``validate_areas``).
REF_TARGETS = {
    "owner_actor_id": "actors",
    "operator_actor_id": "actors",
    "actor_a": "actors",
    "actor_b": "actors",
}
#: Layers whose ids have one width per group (Stadtbezirk "01", Quartier "0101").
ID_WIDTH_GROUP = {"areas": "level"}
#: Ids that must be text: a numeric column of these is an error, not a warning.
TEXT_ONLY_IDS = {("areas", "area_id"), ("areas", "parent_id")}
BOOL_WORDS = {"true", "false", "ja", "nein", "1", "0"}
ISO_DATE = r"\d{4}(-\d{2}(-\d{2})?)?"
#: Germany in lon/lat (roughly lon 5–16, lat 47–55.5) plus a margin of 1°.
GERMANY = (4.0, 46.0, 17.0, 56.5)
#: shapely's validity reasons and the catalog keys that say them for a planner.
GEOS_REASONS = {
    "Self-intersection": "val.geos.self_intersection",
    "Ring Self-intersection": "val.geos.ring_self_intersection",
    "Too few distinct points in geometry component": "val.geos.too_few_distinct_points",
    "Too few points in geometry component": "val.geos.too_few_points",
    "Invalid Coordinate": "val.geos.invalid_coordinate",
    "Hole lies outside shell": "val.geos.hole_outside_shell",
    "Holes are nested": "val.geos.nested_holes",
    "Interior is disconnected": "val.geos.disconnected_interior",
    "Nested shells": "val.geos.nested_shells",
    "Duplicate Rings": "val.geos.duplicate_rings",
    "Ring is not closed": "val.geos.ring_not_closed",
    "Repeated Point": "val.geos.repeated_point",
}
_SHOW_MAX = 60


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a layer, a row or a value.

    ``row`` is 1-based (None: the whole layer), ``field`` the column (None: the
    whole row or layer, "geometry" for geometry and CRS). An ``error`` keeps the
    row (or, with ``row`` None, the layer) out of the import; a ``warning`` only
    asks a person to look. The message is the catalog ``key`` with its
    ``values``, so the UI can show it in the reader's language: ``text(lang)``.
    """

    layer: str
    row: int | None
    field: str | None
    key: str
    severity: str = ERROR
    values: Values = ()
    count: int | None = None  # picks the plural form of a message shown with a count

    def text(self, lang: str = i18n.DEFAULT_LANGUAGE) -> str:
        return render(self.key, self.values, lang, self.count)

    @property
    def message(self) -> str:
        """The message in German."""
        return self.text()


# --- turning cells into comparable text and numbers ---


def cell_text(value: object) -> str | None:
    """A cell as trimmed text; None when missing or blank. Never raises."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        if math.isnan(value):
            return None
        if value.is_integer() and abs(float(value)) < 1e15:
            return str(int(value))  # 101.0 from a spreadsheet reads as "101"
        return repr(float(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _show(value: object) -> str:
    """A cell for a message: as found, shortened."""
    text = cell_text(value)
    text = repr(value) if text is None else text
    return text if len(text) <= _SHOW_MAX else text[: _SHOW_MAX - 1] + "…"


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _is_numeric_column(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


@dataclass
class _Check:
    """One validation run: the frame, parsed columns (cached) and the problems found."""

    layer: schema.Layer
    frame: pd.DataFrame
    today: date
    references: dict[str, set[str]]
    problems: list[Problem] = field(default_factory=list)
    _texts: dict[str, pd.Series] = field(default_factory=dict)
    _numbers: dict[str, tuple[pd.Series, pd.Series]] = field(default_factory=dict)
    _cells: dict[str, np.ndarray] = field(default_factory=dict)

    def has(self, column: str) -> bool:
        return column in self.frame.columns

    def text(self, column: str) -> pd.Series:
        """The column as trimmed text (object: str or None), positional index."""
        if column not in self._texts:
            series = self.frame[column]
            if pd.api.types.is_string_dtype(series) and series.dtype != object:
                stripped = series.str.strip()
                text = stripped.astype(object).where(stripped.notna() & (stripped != ""), None)
            else:
                text = series.map(cell_text).astype(object)
            self._texts[column] = text
        return self._texts[column]

    def missing(self, column: str) -> pd.Series:
        """Mask of rows without a value (None, NaN, blank text)."""
        series = self.frame[column]
        return series.isna() if _is_numeric_column(series) else self.text(column).isna()

    def number(self, column: str) -> tuple[pd.Series, pd.Series]:
        """(values as float, NaN where missing or not a number; mask of present non-numbers)."""
        if column not in self._numbers:
            series = self.frame[column]
            if _is_numeric_column(series):
                values = series.astype(float)
            else:
                text = self.text(column).str.replace(",", ".", regex=False)
                values = pd.to_numeric(text, errors="coerce").astype(float)
            finite = pd.Series(np.isfinite(values), index=values.index)
            self._numbers[column] = (values.where(finite), ~finite & ~self.missing(column))
        return self._numbers[column]

    def show(self, column: str, position: int) -> str:
        """The cell as found, for a message."""
        if column not in self._cells:
            self._cells[column] = self.frame[column].to_numpy(dtype=object)
        return _show(self._cells[column][position])

    def add(self, row: int | None, field_name: str | None, message: Phrase, severity: str = ERROR) -> None:
        self.problems.append(Problem(self.layer.name, row, field_name, message.key, severity, message.values))

    def whole(self, field_name: str | None, message: Phrase, severity: str = ERROR) -> None:
        self.add(None, field_name, message, severity)

    def rows(
        self,
        mask: pd.Series | np.ndarray,
        field_name: str | None,
        message: Callable[[int], Phrase],
        severity: str = ERROR,
    ) -> None:
        """Report every row where ``mask`` holds; ``message`` gets the 0-based position."""
        for position in np.flatnonzero(np.asarray(mask, dtype=bool)):
            self.add(int(position) + 1, field_name, message(int(position)), severity)


# --- generic checks, driven by schema.Field ---


def _check_required(check: _Check, spec: schema.Field) -> None:
    if not check.has(spec.name):
        if spec.required:
            check.whole(spec.name, phrase("val.missing_column", column=spec.name))
        return
    if spec.required:
        empty = check.missing(spec.name)
        if spec.kind == "codes":
            empty |= check.text(spec.name).map(lambda value: not schema.split_list(value)).astype(bool)
        check.rows(empty, spec.name, lambda _: Phrase("val.empty_required"))


def _unknown_code(value: str, codes: tuple[str, ...]) -> Phrase:
    hint = phrase("val.hint.lowercase", code=value.lower()) if value.lower() in codes else ""
    return phrase("val.unknown_code", value=_show(value), allowed=", ".join(codes), hint=hint)


def _check_code(check: _Check, spec: schema.Field) -> None:
    text = check.text(spec.name)
    bad = text.notna() & ~text.isin(spec.codes)
    check.rows(bad, spec.name, lambda i: _unknown_code(text.iat[i], spec.codes))


def _check_codes(check: _Check, spec: schema.Field) -> None:
    unknown = check.text(spec.name).map(lambda value: [p for p in schema.split_list(value) if p not in spec.codes])
    check.rows(
        unknown.map(bool),
        spec.name,
        lambda i: phrase("val.unknown_code", value=";".join(unknown.iat[i]), allowed=", ".join(spec.codes), hint=""),
    )


def _check_number(check: _Check, spec: schema.Field) -> None:
    values, bad = check.number(spec.name)
    check.rows(bad, spec.name, lambda i: phrase("val.not_a_number", value=check.show(spec.name, i)))
    if spec.kind == "int":
        fractional = values.notna() & (values % 1 != 0)
        check.rows(fractional, spec.name, lambda i: phrase("val.not_integer", value=check.show(spec.name, i)))
    if (min_value := spec.min_value) is not None:
        check.rows(
            values < min_value,
            spec.name,
            lambda i: phrase("val.below_min", value=check.show(spec.name, i), minimum=_number_text(min_value)),
        )


def _check_date(check: _Check, spec: schema.Field) -> None:
    text = check.text(spec.name)
    iso = text.str.fullmatch(ISO_DATE, na=False).astype(bool)
    bad_format = text.notna() & ~iso
    check.rows(bad_format, spec.name, lambda i: phrase("val.bad_date_format", value=check.show(spec.name, i)))
    candidates = text[iso]
    padded = candidates.where(candidates.str.len() != 4, candidates + "-01")
    padded = padded.where(padded.str.len() != 7, padded + "-01")
    starts = pd.to_datetime(padded, format="%Y-%m-%d", errors="coerce").reindex(text.index)
    check.rows(iso & starts.isna(), spec.name, lambda i: phrase("val.impossible_date", value=text.iat[i]))
    future = starts > pd.Timestamp(check.today)
    check.rows(future, spec.name, lambda i: phrase("val.future_date", value=text.iat[i]), WARNING)


def _check_bool(check: _Check, spec: schema.Field) -> None:
    text = check.text(spec.name)
    bad = text.notna() & ~text.str.lower().isin(BOOL_WORDS)
    check.rows(bad, spec.name, lambda i: phrase("val.bad_bool", value=check.show(spec.name, i)))


def _check_id(check: _Check, spec: schema.Field) -> None:
    _check_leading_zeros(check, spec.name)
    text = check.text(spec.name)
    first = _first_rows(text)
    check.rows(
        first.notna(), spec.name, lambda i: phrase("val.duplicate_id", value=text.iat[i], first=int(first.iat[i]) + 1)
    )


def _first_rows(keys: pd.Series) -> pd.Series:
    """For each row whose key occurred before: the position of its first occurrence (else NaN)."""
    present = keys.dropna()
    firsts = present.drop_duplicates(keep="first")
    position_of = pd.Series(firsts.index, index=firsts.to_numpy())
    repeats = present[present.duplicated(keep="first")]
    return pd.Series(position_of.reindex(repeats.to_numpy()).to_numpy(), index=repeats.index).reindex(keys.index)


def _check_leading_zeros(check: _Check, column: str) -> None:
    """Ids like "0101" that a spreadsheet turned into 101."""
    series = check.frame[column]
    if _is_numeric_column(series):
        if series.notna().any():  # an all-empty column reads as float
            severity = ERROR if (check.layer.name, column) in TEXT_ONLY_IDS else WARNING
            check.whole(column, phrase("val.lost_zeros_column", value=_show(series.dropna().iloc[0])), severity)
        return
    text = check.text(column)
    digits = text[text.str.fullmatch(r"\d+", na=False).astype(bool)]
    group_field = ID_WIDTH_GROUP.get(check.layer.name)
    if column == check.layer.id_field and group_field and check.has(group_field):
        groups = check.text(group_field)[digits.index].fillna("")
    else:
        groups = pd.Series("", index=digits.index)
    for _, values in digits.groupby(groups):
        lengths = values.str.len()
        width = lengths.mode().max()
        padded = values[(lengths == width) & values.str.startswith("0")]
        if padded.empty or (lengths == width).mean() <= 0.5:
            continue
        short = text.index.isin(values.index[lengths < width])
        example = padded.iat[0]

        def lost_zeros_row(i: int, example: str = example) -> Phrase:
            return phrase("val.lost_zeros_row", value=text.iat[i], example=example)

        check.rows(short, column, lost_zeros_row, WARNING)


def _unknown_ref(target: str, value: str, known: set[str]) -> Phrase:
    """``value`` is none of the ``known`` ids of ``target`` (a catalog key); hints at lost leading zeros."""
    hint: Phrase | str = ""
    if value.isdigit():
        for candidate in (value.zfill(width) for width in range(len(value) + 1, len(value) + 4)):
            if candidate in known:
                hint = phrase("val.hint.zero", candidate=candidate)
                break
    return phrase("val.unknown_ref", target=Phrase(target), value=value, hint=hint)


def _check_ref(check: _Check, spec: schema.Field) -> None:
    column = spec.name
    _check_leading_zeros(check, column)
    target = REF_TARGETS.get(column)
    if target not in check.references:
        return
    known = {str(value) for value in check.references[target]}
    text = check.text(column)
    key = f"val.target.{target}"
    check.rows(text.notna() & ~text.isin(known), column, lambda i: _unknown_ref(key, text.iat[i], known))


_KIND_CHECKS: dict[str, Callable[[_Check, schema.Field], None]] = {
    "code": _check_code,
    "codes": _check_codes,
    "int": _check_number,
    "float": _check_number,
    "date": _check_date,
    "bool": _check_bool,
    "id": _check_id,
    "ref": _check_ref,
}


# --- geometry and coordinate reference system ---


def geos_reason(reason: str) -> Phrase | str:
    """shapely's validity reason ("Self-intersection[1 2]") in the catalog's words; an unknown one as it is."""
    match = re.fullmatch(r"(.*?)\[(.*)\]", reason)
    name, where = (match.group(1), match.group(2)) if match else (reason, "")
    said = Phrase(GEOS_REASONS[name]) if name in GEOS_REASONS else name
    return phrase("val.geos.at", reason=said, where=where) if where else said


def _check_geometry(check: _Check) -> None:
    layer = check.layer
    frame = check.frame
    if not (isinstance(frame, gpd.GeoDataFrame) and frame.active_geometry_name in frame.columns):
        check.whole("geometry", phrase("val.no_geometry_column", types=", ".join(layer.geometry_types)))
        return
    geometries = np.asarray(frame.geometry.array, dtype=object)
    missing = shapely.is_missing(geometries)
    empty = ~missing & shapely.is_empty(geometries)
    types = frame.geometry.geom_type.to_numpy()
    present = ~missing & ~empty
    wrong_type = present & ~np.isin(types, layer.geometry_types)
    polygonal = present & ~wrong_type & np.isin(types, ("Polygon", "MultiPolygon"))
    zero_area = polygonal & (shapely.area(geometries) <= 0)
    # a figure eight with equal loops also sums to 0 – it is invalid, not flat
    zero_area[zero_area] = shapely.area(shapely.make_valid(geometries[zero_area])) <= 0
    invalid = present & ~wrong_type & ~zero_area & ~shapely.is_valid(geometries)
    allowed = ", ".join(layer.geometry_types)
    check.rows(missing, "geometry", lambda _: Phrase("val.geometry_missing"))
    check.rows(empty, "geometry", lambda _: Phrase("val.geometry_empty"))
    check.rows(wrong_type, "geometry", lambda i: phrase("val.wrong_geometry_type", found=types[i], allowed=allowed))
    check.rows(zero_area, "geometry", lambda _: Phrase("val.zero_area"))
    check.rows(
        invalid,
        "geometry",
        lambda i: phrase("val.invalid_geometry", reason=geos_reason(shapely.is_valid_reason(geometries[i]))),
    )
    _check_crs(check, frame.crs, np.where(present & ~invalid, geometries, None))  # type: ignore[call-overload]  # numpy stubs: no None


def _in_germany(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    west, south, east, north = GERMANY
    return (lon >= west) & (lon <= east) & (lat >= south) & (lat <= north)


def _check_crs(check: _Check, crs: pyproj.CRS | None, geometries: np.ndarray) -> None:
    """A missing or wrong CRS shows as coordinates outside Germany."""
    if len(geometries) == 0:
        return
    if crs is None:
        check.whole("geometry", Phrase("val.no_crs"))
        return
    usable = ~shapely.is_missing(geometries)
    if not usable.any():
        return
    minx, miny, maxx, maxy = shapely.total_bounds(geometries[usable])
    if crs.is_geographic and not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        far_x, far_y = (maxx if abs(maxx) > abs(minx) else minx), (maxy if abs(maxy) > abs(miny) else miny)
        check.whole("geometry", phrase("val.not_lonlat", x=f"{far_x:.0f}", y=f"{far_y:.0f}", crs=_crs_label(crs)))
        return
    try:
        to_lonlat = pyproj.Transformer.from_crs(crs, schema.WEB_CRS, always_xy=True)
        corners = shapely.bounds(geometries[usable])
        lon_min, lat_min = to_lonlat.transform(corners[:, 0], corners[:, 1])
        lon_max, lat_max = to_lonlat.transform(corners[:, 2], corners[:, 3])
    except pyproj.exceptions.ProjError:
        check.whole("geometry", phrase("val.crs_not_transformable", crs=_crs_label(crs)))
        return
    inside = _in_germany(lon_min, lat_min) & _in_germany(lon_max, lat_max)
    if inside.all():
        return
    if not inside.any():
        swapped = _in_germany(lat_min, lon_min).all() and _in_germany(lat_max, lon_max).all()
        hint = Phrase("val.hint.swapped") if swapped else ""
        check.whole(
            "geometry", phrase("val.layer_outside", lon=_span(lon_min, lon_max), lat=_span(lat_min, lat_max), hint=hint)
        )
        return
    outside = np.zeros(len(geometries), dtype=bool)
    outside[np.flatnonzero(usable)[~inside]] = True
    position_in_usable = np.cumsum(usable) - 1
    check.rows(
        outside,
        "geometry",
        lambda i: phrase(
            "val.row_outside", lon=f"{lon_min[position_in_usable[i]]:.2f}", lat=f"{lat_min[position_in_usable[i]]:.2f}"
        ),
    )


def _crs_label(crs: pyproj.CRS) -> str:
    """ "EPSG:25832", or the name of a CRS without a code."""
    authority = crs.to_authority()
    return ":".join(authority) if authority else crs.name


def _span(low: np.ndarray, high: np.ndarray) -> Phrase | str:
    lo, hi = np.nanmin(low), np.nanmax(high)
    return f"{lo:.1f}" if round(lo, 1) == round(hi, 1) else phrase("val.span", low=f"{lo:.1f}", high=f"{hi:.1f}")


# --- the generic part and the layers ---


def _start(layer: schema.Layer, frame: pd.DataFrame, references, today) -> _Check:
    """Prepare a run: positional rows, one column per name."""
    frame = frame.reset_index(drop=True)
    repeated = frame.columns.duplicated()
    check = _Check(layer, frame.loc[:, ~repeated] if repeated.any() else frame, today or date.today(), references or {})
    for column in dict.fromkeys(frame.columns[repeated]):
        check.whole(str(column), phrase("val.duplicate_column", column=column), WARNING)
    return check


def _generic(check: _Check) -> None:
    """All checks that the schema metadata of the layer describes."""
    for spec in check.layer.fields:
        _check_required(check, spec)
        if check.has(spec.name) and spec.kind in _KIND_CHECKS:
            _KIND_CHECKS[spec.kind](check, spec)
    if check.layer.geometry_types:
        _check_geometry(check)


def _run(layer_name: str, frame, references, today, *extra: Callable[[_Check], None]) -> list[Problem]:
    check = _start(schema.LAYERS[layer_name], frame, references, today)
    _generic(check)
    for rule in extra:
        rule(check)
    return sorted(check.problems, key=lambda p: (p.row is not None, p.row or 0))


def _area_hierarchy(check: _Check) -> None:
    """Quartiere hang below an existing Stadtbezirk; Stadtbezirke below nothing."""
    if not (check.has("level") and check.has("area_id")):
        return
    level = check.text("level")
    is_quartier, is_bezirk = level == "quartier", level == "stadtbezirk"
    if not check.has("parent_id"):
        if is_quartier.any():
            check.whole("parent_id", Phrase("val.parent_column_missing"))
        return
    ids, parent = check.text("area_id"), check.text("parent_id")
    bezirke, quartiere = set(ids[is_bezirk].dropna()), set(ids[is_quartier].dropna())

    def unknown_parent(i: int) -> Phrase:
        value = parent.iat[i]
        if value in quartiere:
            return phrase("val.parent_is_quartier", value=value)
        return _unknown_ref("val.target.stadtbezirk", value, bezirke)

    check.rows(is_quartier & parent.isna(), "parent_id", lambda _: Phrase("val.quartier_without_parent"))
    check.rows(is_quartier & parent.notna() & ~parent.isin(bezirke), "parent_id", unknown_parent)
    check.rows(is_bezirk & parent.notna(), "parent_id", lambda i: phrase("val.bezirk_with_parent", value=parent.iat[i]))


def _age_bands(check: _Check) -> None:
    """Age bands add up to the residents: never more, and exactly when all are given."""
    bands = [band for band in schema.AGE_BANDS if check.has(band)]
    if not bands or not check.has("residents"):
        return
    residents = check.number("residents")[0]
    values = pd.concat([check.number(band)[0] for band in bands], axis=1)
    total = values.sum(axis=1, min_count=1)
    exceeds = total > residents
    complete = len(bands) == len(schema.AGE_BANDS) and values.notna().all(axis=1)
    differs = complete & residents.notna() & ~exceeds & (total != residents)

    def message(key: str) -> Callable[[int], Phrase]:
        return lambda i: phrase(key, total=_number_text(total.iat[i]), residents=_number_text(residents.iat[i]))

    check.rows(exceeds, "residents", message("val.age_sum_exceeds"))
    check.rows(differs, "residents", message("val.age_sum_differs"), WARNING)


def _cell_ids(check: _Check) -> None:
    """Population rows sit on the INSPIRE 100 m grid."""
    if not check.has("cell_id"):
        return
    text = check.text("cell_id")
    check.rows(
        text.notna() & ~text.map(_is_cell_id).astype(bool),
        "cell_id",
        lambda i: phrase("val.bad_cell_id", value=check.show("cell_id", i)),
    )


def _is_cell_id(value: str) -> bool:
    try:
        grid.parse_cell_id(value)
    except ValueError:
        return False
    return True


def _dwelling_parts(check: _Check) -> None:
    """Subsidised and barrier-free dwellings are part of the dwellings."""
    if not check.has("dwellings"):
        return
    dwellings = check.number("dwellings")[0]
    dwellings = dwellings.where(dwellings >= 0)  # a negative count is reported already
    for column in ("subsidised", "barrier_free"):
        if check.has(column):

            def more_than_dwellings(i: int, column: str = column) -> Phrase:
                return phrase(
                    "val.more_than_dwellings",
                    label=Phrase(f"val.dwellings.{column}"),
                    value=check.show(column, i),
                    dwellings=_number_text(dwellings.iat[i]),
                )

            check.rows(check.number(column)[0] > dwellings, column, more_than_dwellings)


def _cooperation_pairs(check: _Check) -> None:
    """A cooperation links two different actors, and each pair once."""
    if not (check.has("actor_a") and check.has("actor_b")):
        return
    a, b = check.text("actor_a"), check.text("actor_b")
    check.rows(a.notna() & (a == b), "actor_b", lambda i: phrase("val.self_cooperation", value=a.iat[i]))
    both = a.notna() & b.notna()
    low, high = a[both].where(a[both] <= b[both], b[both]), b[both].where(a[both] <= b[both], a[both])
    first = _first_rows((low + "\x1f" + high).reindex(a.index))
    check.rows(
        first.notna(),
        None,
        lambda i: phrase("val.duplicate_pair", a=a.iat[i], b=b.iat[i], first=int(first.iat[i]) + 1),
        WARNING,
    )


def validate_areas(frame: pd.DataFrame, *, references=None, today: date | None = None) -> list[Problem]:
    """Areas: schema checks plus the Stadtbezirk ⊃ Quartier hierarchy."""
    return _run("areas", frame, references, today, _area_hierarchy)


def validate_population(frame: pd.DataFrame, *, references=None, today: date | None = None) -> list[Problem]:
    """Population: schema checks plus INSPIRE cell ids and age bands against residents."""
    return _run("population", frame, references, today, _cell_ids, _age_bands)


def validate_actors(frame: pd.DataFrame, *, references=None, today: date | None = None) -> list[Problem]:
    """Actors: the schema checks describe them completely."""
    return _run("actors", frame, references, today)


def validate_housing(frame: pd.DataFrame, *, references=None, today: date | None = None) -> list[Problem]:
    """Housing: schema checks plus subsidised/barrier-free dwellings within the dwellings."""
    return _run("housing", frame, references, today, _dwelling_parts)


def validate_offers(frame: pd.DataFrame, *, references=None, today: date | None = None) -> list[Problem]:
    """Offers: the schema checks describe them completely."""
    return _run("offers", frame, references, today)


def validate_cooperations(frame: pd.DataFrame, *, references=None, today: date | None = None) -> list[Problem]:
    """Cooperations: schema checks plus no self-links and no repeated pairs."""
    return _run("cooperations", frame, references, today, _cooperation_pairs)


def validate_paths(frame: pd.DataFrame, *, references=None, today: date | None = None) -> list[Problem]:
    """Walking paths: the schema checks describe them completely."""
    return _run("paths", frame, references, today)


VALIDATORS: dict[str, Callable[..., list[Problem]]] = {
    "areas": validate_areas,
    "population": validate_population,
    "actors": validate_actors,
    "housing": validate_housing,
    "offers": validate_offers,
    "cooperations": validate_cooperations,
    "paths": validate_paths,
}


def validate_layer(
    layer_name: str,
    frame: pd.DataFrame,
    *,
    references: dict[str, set[str]] | None = None,
    today: date | None = None,
) -> list[Problem]:
    """All problems of one layer, layer-wide ones first, then by row.

    ``references`` maps a layer name ("actors") to its ids so that refs can be
    checked; ``today`` (default: today) decides which dates lie in the future.
    An unknown ``layer_name`` is a programming error and raises KeyError.
    """
    return VALIDATORS[layer_name](frame, references=references, today=today)


def validate_workspace(workspace, today: date | None = None) -> list[Problem]:
    """Problems of every layer a workspace holds, refs checked against its own actors and areas."""
    references = {
        name: set(frame[id_field].dropna().astype(str)) if id_field in frame else set()
        for name, id_field, frame in (("actors", "actor_id", workspace.actors), ("areas", "area_id", workspace.areas))
    }
    return [
        problem
        for name, frame in workspace.layers.items()
        for problem in validate_layer(name, frame, references=references, today=today)
    ]


def layer_label(layer: str, lang: str = i18n.DEFAULT_LANGUAGE) -> str:
    """Readable name of a schema layer ("Akteure"); any other name as it is."""
    return i18n.t(f"val.layer.{layer}", lang) if layer in schema.LAYERS else layer


def severity_label(severity: str, lang: str = i18n.DEFAULT_LANGUAGE) -> str:
    """ "Fehler" or "Warnung" in ``lang``."""
    return i18n.t(f"val.severity.{severity}", lang)


def problems_frame(problems: list[Problem], lang: str = i18n.DEFAULT_LANGUAGE) -> pd.DataFrame:
    """The problems as a table for the UI, column names, labels and messages in ``lang``."""
    return pd.DataFrame(
        {
            i18n.t("val.col.layer", lang): [layer_label(p.layer, lang) for p in problems],
            i18n.t("val.col.row", lang): pd.array([p.row for p in problems], dtype="Int64"),
            i18n.t("val.col.field", lang): [p.field for p in problems],
            i18n.t("val.col.problem", lang): [p.text(lang) for p in problems],
            i18n.t("val.col.severity", lang): [severity_label(p.severity, lang) for p in problems],
        }
    )


def invalid_rows(problems: list[Problem]) -> set[int]:
    """Rows (1-based) that an error keeps out of the import; pass one layer's problems."""
    return {p.row for p in problems if p.severity == ERROR and p.row is not None}
