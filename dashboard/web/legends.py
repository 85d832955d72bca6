"""Map legends as small HTML blocks (labels escaped) for the Karte and the Lückenanalyse."""

from __future__ import annotations

import html

import streamlit as st

from dashboard import i18n
from dashboard.analysis import gaps
from dashboard.analysis.bivariate import (
    PALETTE,
)
from dashboard.analysis.classify import (
    NO_DATA_COLOUR,
    SECTOR_COLOURS,
    Classes,
)
from dashboard.i18n import code_label, t
from dashboard.maps.gap_map import DISTANCE_COLOURS, OFFER_COLOUR, grid_labels
from dashboard.maps.karte import PARTICIPATION_COLOUR, measure_format
from dashboard.model import schema
from dashboard.model.view import MapView
from dashboard.web.session import lang


def swatch(colour: str, label: str, round_: bool = False) -> str:
    radius = "50%" if round_ else "2px"
    return (
        f'<span style="display:inline-block;width:12px;height:12px;background:{colour};'
        f'border:1px solid #555;border-radius:{radius};margin:0 4px 0 10px;vertical-align:middle"></span>'
        f"{html.escape(label)}"
    )


def legend(classes: Classes, view: MapView) -> None:
    """Legend of the choropleth and the point layers, drawn by Streamlit beside the map."""
    lg = lang()
    parts = [f"<b>{html.escape(t(f'map.measure.{view.measure}', lg, threshold=view.threshold_m))}</b><br>"]
    labels = classes.labels(measure_format(view.measure, lg))
    parts.extend(swatch(colour, label) for colour, label in zip(classes.colours, labels, strict=True))
    parts.append(swatch("#d9d9d9", t("map.legend.no_data", lg)))
    parts.append(
        "<br><small>"
        + html.escape(
            t("map.legend.classes", lg, method=t(f"classify.{view.classification}", lg), k=len(classes.bounds))
        )
        + "</small>"
    )
    if "actors" in view.layers:
        parts.append("<br><b>" + html.escape(t("map.legend.sectors", lg)) + "</b><br>")
        parts.extend(swatch(SECTOR_COLOURS[s], code_label(s, lg), round_=True) for s in schema.SECTORS)
    if "offers" in view.layers:
        parts.append("<br>" + swatch(PARTICIPATION_COLOUR, t("map.legend.offers", lg), round_=True))
    if "housing" in view.layers:
        parts.append("<br><small>" + html.escape(t("map.legend.housing", lg)) + "</small>")
    st.markdown("".join(parts), unsafe_allow_html=True)


def gap_legend(result: gaps.GapResult, layers: frozenset[str]) -> None:
    """Legend of the distance grid, the index classes and the offer markers."""
    lg = lang()
    p = result.params
    parts = []
    if "grid" in layers:
        method = t(result.method.label_key, lg, detour=i18n.fmt_num(p.detour, lg, 2))
        parts.append(f"<b>{html.escape(t('gap.legend.grid', lg, method=method))}</b><br>")
        parts.extend(swatch(c, label) for c, label in zip(DISTANCE_COLOURS, grid_labels(p.threshold, lg), strict=False))
        parts.append("<br>")
    if "index" in layers:
        parts.append(
            f"<b>{html.escape(t('gap.legend.index', lg, method=t(f'classify.{p.classification}', lg)))}</b><br>"
        )
        labels = result.classes.labels(lambda v: i18n.fmt_num(v, lg, 0))
        parts.extend(swatch(colour, label) for colour, label in zip(result.classes.colours, labels, strict=True))
        parts.append(swatch(NO_DATA_COLOUR, t("map.legend.no_data", lg)) + "<br>")
    if "offers" in layers:
        parts.append(swatch(OFFER_COLOUR, t("gap.legend.offers", lg), round_=True))
    st.markdown("".join(parts), unsafe_allow_html=True)


def bivariate_legend() -> None:
    """The 3 × 3 colour key: need rows (high on top) × gap columns (large on the right)."""
    rows = []
    for need in (2, 1, 0):
        cells = "".join(
            f'<td style="background:{PALETTE[need * 3 + gap]};width:22px;height:22px"></td>' for gap in range(3)
        )
        rows.append(f"<tr>{cells}</tr>")
    st.markdown(
        f'<table style="border-collapse:collapse">{"".join(rows)}</table>'
        f"<small>{html.escape(t('gap.bivariate.legend', lang()))}</small>",
        unsafe_allow_html=True,
    )
