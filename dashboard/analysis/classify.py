"""Class breaks and colours for choropleths.

Breaks come from mapclassify; colours from ColorBrewer's YlOrRd, which stays
readable for colour-blind readers and in greyscale. Darker always means a
larger gap, so measures where low is bad are reversed.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import mapclassify
import numpy as np

#: ColorBrewer YlOrRd, 3–7 classes (colour-blind safe, print friendly).
YLORRD = {
    3: ("#ffeda0", "#feb24c", "#f03b20"),
    4: ("#ffffb2", "#fecc5c", "#fd8d3c", "#e31a1c"),
    5: ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"),
    6: ("#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026"),
    7: ("#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#b10026"),
}
NO_DATA_COLOUR = "#d9d9d9"

#: Okabe–Ito colours for the four sectors (distinguishable with colour-vision deficiency).
SECTOR_COLOURS = {
    "wohnungswirtschaft": "#E69F00",
    "wohlfahrtspflege": "#0072B2",
    "kommune": "#009E73",
    "zivilgesellschaft": "#CC79A7",
}

# Fisher-Jenks on a few hundred areas is fast enough without numba; its install hint is noise here.
warnings.filterwarnings("ignore", message="Numba not installed", category=UserWarning)

_SCHEMES = {"quantiles": mapclassify.Quantiles, "natural_breaks": mapclassify.FisherJenks}


@dataclass(frozen=True)
class Classes:
    """Upper bounds of each class, the class of every value (-1 = no data) and the colours."""

    bounds: tuple[float, ...]
    lower: float
    index: np.ndarray
    colours: tuple[str, ...]

    def colour_of(self, i: int) -> str:
        return self.colours[i] if i >= 0 else NO_DATA_COLOUR

    def labels(self, fmt: Callable[[float], str]) -> list[str]:
        """Each class as "lower – upper", numbers written by ``fmt`` (legends on the page and in print)."""
        if not self.bounds:  # no value to classify: no class (a city without figures for the measure)
            return []
        lowers = (self.lower, *self.bounds[:-1])
        return [f"{fmt(lower)} – {fmt(upper)}" for lower, upper in zip(lowers, self.bounds, strict=True)]


def classify(
    values, method: str = "quantiles", k: int = 5, reverse: bool = False, breaks: tuple[float, ...] = ()
) -> Classes:
    """Classify ``values`` (NaN = no data) into at most ``k`` classes with mapclassify.

    ``method`` is "quantiles", "natural_breaks" (Fisher-Jenks) or "user" with
    the upper bounds in ``breaks`` (a last class up to the maximum is added).
    With fewer distinct values than ``k`` the number of classes shrinks, so
    no class is empty. ``reverse`` gives the darkest colour to the lowest class.
    """
    values = np.asarray(values, dtype=float)
    index = np.full(len(values), -1, dtype=int)
    valid = ~np.isnan(values)
    distinct = np.unique(values[valid])
    if len(distinct) == 0:
        return Classes((), float("nan"), index, ())
    k = min(k, len(distinct), max(YLORRD))
    if method == "user":
        bins = sorted({float(b) for b in breaks if b < distinct[-1]} | {float(distinct[-1])})[-max(YLORRD) :]
        scheme = mapclassify.UserDefined(values[valid], bins=bins)
    elif k < 3:  # too few distinct values to classify: every value is its own class
        scheme = mapclassify.UserDefined(values[valid], bins=list(distinct))
    else:
        with warnings.catch_warnings():  # skewed figures (many at 0) give fewer classes: the legend shows them all
            warnings.filterwarnings("ignore", message="Not enough unique values", category=UserWarning)
            scheme = _SCHEMES[method](values[valid], k=k)
    bounds = tuple(float(b) for b in scheme.bins)
    index[valid] = scheme.yb
    palette = YLORRD[max(3, len(bounds))][-len(bounds) :]
    if reverse:
        palette = palette[::-1]
    return Classes(bounds, float(distinct[0]), index, tuple(palette))


def parse_breaks(text: str) -> tuple[float, ...] | None:
    """User class breaks from text like "20, 40; 60 80" (ascending, unique); None if unreadable."""
    parts = [p for p in text.replace(";", " ").replace(",", " ").split() if p]
    try:
        values = sorted({float(p) for p in parts})
    except ValueError:
        return None
    return tuple(values) if values else None
