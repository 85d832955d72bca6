"""Map layers of many Quartiere or points, drawn by a template of ours instead of folium's GeoJson.

folium's GeoJson writes a JavaScript ``switch`` with one case per feature for its style (and another for its
highlight), and encodes its data anew each time it is rendered – st_folium renders every map twice. A map of a
view nobody had opened spent most of its building time there. A ``FeatureLayer`` encodes its FeatureCollection
once, keeps its few distinct styles in a list each feature points into (``properties.s``) and builds tooltips
from the features' text, which the callers have HTML-escaped (one tooltip for the layer, bound as folium binds
it). It stays a ``folium.GeoJson`` (name, data, bounds) for everything that reads a map in Python; folium adds
it to its parent as any layer.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from functools import cached_property

import folium
import jinja2
from jinja2.utils import htmlsafe_json_dumps

from dashboard.maps import bulk_data


class FeatureLayer(folium.GeoJson):
    """A FeatureCollection whose features carry their style's index in ``properties.s``.

    ``radius``: draw points as circle markers of this radius (their style may set its own). ``tip_title``: an
    area's tooltip (sticky, follows the mouse) is this title and the feature's ``n``, over a table of its rows
    ``r``, each (index into ``labels``, value); else ``labels``: the labels of the properties ``f0``, ``f1``, …
    shown as a table (fixed at the point). Titles, labels and texts come HTML-escaped. ``highlight``: the style
    while the mouse is over a feature. ``shared``: parts of the features that every view of a data version shares, which
    the browser may fetch once (``shared_text``); ``shared_rows``: per feature, its row there (None: all of it is
    written here). The features are then added once the browser has the shared parts; ``beneath``: beneath the
    map's other vector layers (the Quartiere are, and they may well come after the rest).
    """

    _template = jinja2.Template(
        """{% macro script(this, kwargs) %}
        var {{ this.get_name() }}_styles = {{ this.styles|tojson }};
        var {{ this.get_name() }} = L.geoJson(null, {
            {%- if this.radius is not none %}
            pointToLayer: function (feature, latlng) {
                return L.circleMarker(latlng, {{ this.get_name() }}_styles[feature.properties.s]);
            },
            {%- endif %}
            style: function (feature) { return {{ this.get_name() }}_styles[feature.properties.s]; },
            {%- if this.highlight_style %}
            onEachFeature: function (feature, layer) {
                layer.on({
                    mouseover: function (e) { e.target.setStyle({{ this.highlight_style|tojson }}); },
                    mouseout: function (e) { {{ this.get_name() }}.resetStyle(e.target); }
                });
            },
            {%- endif %}
            interactive: {{ this.interactive|tojson }}
        });
        {%- if this.tip_title is not none %}
        {{ this.get_name() }}.bindTooltip(function (layer) {
            var labels = {{ this.labels|tojson }}, p = layer.feature.properties, rows = "";
            (p.r || []).forEach(function (row) {
                rows += "<tr><th>" + labels[row[0]] + "</th><td>" + row[1] + "</td></tr>";
            });
            var div = L.DomUtil.create("div");
            div.innerHTML = "<b>" + {{ this.tip_title|tojson }} + p.n + "</b><table>" + rows + "</table>";
            return div;
        }, {sticky: true, className: "foliumtooltip"});
        {%- elif this.labels %}
        {{ this.get_name() }}.bindTooltip(function (layer) {
            var labels = {{ this.labels|tojson }}, rows = "";
            for (var i = 0; i < labels.length; i++) {
                rows += "<tr><th>" + labels[i] + "</th><td>" + layer.feature.properties["f" + i] + "</td></tr>";
            }
            var div = L.DomUtil.create("div");
            div.innerHTML = "<table>" + rows + "</table>";
            return div;
        }, {sticky: false, className: "foliumtooltip"});
        {%- endif %}
        {%- if this.shared is none %}
        {{ this.get_name() }}.addData({{ this.data_text }});
        {%- else %}
        (function (layer, collection, shared) {
            function add(parts) {
                collection.features.forEach(function (feature) {
                    var part = parts[feature.shared];
                    if (part !== undefined) {
                        feature.geometry = part.geometry;
                        feature.properties = Object.assign({}, part.properties, feature.properties);
                    }
                });
                layer.addData(collection);
                {%- if this.beneath %}
                var drawn = layer.getLayers();  // to the back last first: their order among themselves is kept
                for (var i = drawn.length - 1; i >= 0; i--) { drawn[i].bringToBack(); }
                {%- endif %}
            }
            if (typeof shared === "string") {
                fetch(shared).then(function (answer) { return answer.json(); }).then(add);
            } else {
                add(shared);
            }
        })({{ this.get_name() }}, {{ this.data_text }}, {{ this.shared_text }});
        {%- endif %}
        {% endmacro %}"""
    )

    def __init__(
        self,
        collection: dict,
        *,
        name: str,
        styles: Sequence[dict],
        radius: float | None = None,
        tip_title: str | None = None,
        labels: Sequence[str] = (),
        highlight: dict | None = None,
        interactive: bool = True,
        shared: SharedParts | None = None,
        shared_rows: Sequence[int | None] = (),
        beneath: bool = False,
    ):
        super().__init__(collection, name=name)
        self.shared = shared
        self.shared_rows = list(shared_rows)
        self.beneath = beneath
        self.styles = list(styles)
        self.radius = radius
        self.tip_title = tip_title
        self.labels = list(labels)  # HTML: escaped by the caller
        self.highlight_style = highlight
        self.interactive = interactive

    @cached_property
    def encoded(self) -> str:
        """The FeatureCollection as JSON safe inside a script element, encoded once for every render; with
        ``shared`` each feature of a shared row without what the script takes from there."""
        if self.shared is None:
            return str(htmlsafe_json_dumps(self.data))
        left_out = set(self.shared.properties)
        features = [
            feature
            if row is None
            else {
                "type": "Feature",
                **({"id": feature["id"]} if "id" in feature else {}),
                "shared": row,
                "properties": {k: v for k, v in feature["properties"].items() if k not in left_out},
            }
            for feature, row in zip(self.data["features"], self.shared_rows, strict=True)
        ]
        return str(htmlsafe_json_dumps({"type": "FeatureCollection", "features": features}))

    @property
    def data_text(self) -> str:
        """``encoded`` where the script holds it, or its placeholder while a payload is made (``bulk_data``)."""
        return bulk_data.inline(self.encoded)

    @property
    def shared_text(self) -> str:
        """The shared parts where the script holds them, or while a payload is made the placeholder of a text many
        maps share: the browser may then fetch it once (``bulk_data.shared``)."""
        return bulk_data.shared(self.shared.text if self.shared else "[]")


@dataclass(frozen=True)
class SharedParts:
    """What the features of a layer have in common with every view of a data version – the Quartiere's geometry, an
    offer's place and texts – as one JSON array (made once per data version): per row, a feature's ``geometry``
    and those of its ``properties`` named in ``properties``."""

    text: str
    properties: tuple[str, ...] = ()


def style_indices(styles: Sequence[dict]) -> tuple[list[dict], list[int]]:
    """The distinct ``styles`` and, per feature, the index of its style among them."""
    distinct: dict[Hashable, int] = {}
    kept: list[dict] = []
    indices = []
    for style in styles:
        key = tuple(sorted(style.items()))
        if key not in distinct:
            distinct[key] = len(kept)
            kept.append(style)
        indices.append(distinct[key])
    return kept, indices
