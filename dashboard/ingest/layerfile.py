"""Reading layers of the data model from the files a data team hands in.

GeoJSON, GeoPackage and Shapefiles (also zipped) in any CRS, read through GDAL
(pyogrio). Id, code and text columns come as the file stores them: text stays
text, so ids keep their leading zeros, and ids that a spreadsheet already
turned into numbers stay numbers, so that validation can say so. Whole numbers
become pandas' nullable ``Int64`` (not float with NaN), also counts stored as
text ("12"); yes/no columns stored as 0/1 become ``boolean``. Whether values
fit the schema is for ``validation.py`` to say, which reports all problems of a
layer at once, so ``read_layer`` only fails when there is no layer to validate;
``read_layers`` reads several files and validates them together.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pyogrio.raw
import shapely

from dashboard import i18n
from dashboard.i18n import Phrase, phrase, render
from dashboard.ingest import validation
from dashboard.model import schema

#: Shapefiles (dBASE) cut field names to 10 characters ("target_groups" → "target_gro").
SHAPEFILE_NAME_LENGTH = 10
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
    """The schema columns of ``source`` for the schema layer ``layer_name``.

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
    except pyogrio.errors.DataSourceError as err:
        raise LayerFileError(phrase("file.unreadable", path=path)) from err
    layer = _choose_layer(path, layer, layer_name, present)
    try:
        meta, _, wkb, values = pyogrio.raw.read(
            path, layer=layer, read_geometry=bool(spec.geometry_types), datetime_as_string=True
        )
        geometry = None if wkb is None else shapely.from_wkb(wkb)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, shapely.errors.GEOSException) as err:
        raise LayerFileError(phrase("file.layer_unreadable", layer=layer, path=path, reason=str(err))) from err
    found = [str(name) for name in meta["fields"]]
    columns: dict[str, pd.Series] = {}
    for field in spec.fields:
        position = _column_of(field.name, found)
        if position is not None:
            columns[field.name] = _typed(pd.Series(values[position]), field.kind)
    rows = len(values[0]) if len(values) else (0 if geometry is None else len(geometry))
    frame = pd.DataFrame(columns, index=pd.RangeIndex(rows))
    if geometry is None:
        return frame
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=meta["crs"])


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


def _column_of(name: str, found: list[str]) -> int | None:
    """Position of the file column holding schema field ``name``.

    Exact name first, then ignoring case (Shapefiles often say AREA_ID), then
    the name cut to the 10 characters a Shapefile keeps.
    """
    for candidate in dict.fromkeys((name, name[:SHAPEFILE_NAME_LENGTH])):
        if candidate in found:
            return found.index(candidate)
        folded = [i for i, column in enumerate(found) if column.casefold() == candidate.casefold()]
        if len(folded) == 1:
            return folded[0]
    return None


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


def read_layers(sources: dict[str, str | Path]) -> tuple[dict[str, pd.DataFrame], list[validation.Problem]]:
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
