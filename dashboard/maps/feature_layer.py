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
from functools import cached_property

import folium
import jinja2
from jinja2.utils import htmlsafe_json_dumps

from dashboard.maps import bulk_data


class FeatureLayer(folium.GeoJson):
    """A FeatureCollection whose features carry their style's index in ``properties.s``.

    ``radius``: draw points as circle markers of this radius (their style may set its own). ``tip_property``:
    the property holding a feature's tooltip as HTML (sticky, follows the mouse); else ``labels``: the labels of
    the properties ``f0``, ``f1``, … shown as a table (fixed at the point). ``highlight``: the style while the
    mouse is over a feature. ``shapes``: the features' geometries as one JSON array, in their order, encoded
    already (once per data version). Its features are then added when the browser has their geometries, which it
    may fetch (``shapes_text``), and beneath every other layer: a layer with ``shapes`` must lie beneath the
    map's other vector layers (the Quartiere do).
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
        {%- if this.tip_property %}
        {{ this.get_name() }}.bindTooltip(function (layer) {
            var div = L.DomUtil.create("div");
            div.innerHTML = layer.feature.properties[{{ this.tip_property|tojson }}];
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
        {%- if this.shapes is none %}
        {{ this.get_name() }}.addData({{ this.data_text }});
        {%- else %}
        (function (layer, collection, shapes) {
            function add(geometries) {
                collection.features.forEach(function (feature, i) { feature.geometry = geometries[i]; });
                layer.addData(collection);
                layer.bringToBack();
            }
            if (typeof shapes === "string") {
                fetch(shapes).then(function (answer) { return answer.json(); }).then(add);
            } else {
                add(shapes);
            }
        })({{ this.get_name() }}, {{ this.data_text }}, {{ this.shapes_text }});
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
        tip_property: str | None = None,
        labels: Sequence[str] = (),
        highlight: dict | None = None,
        interactive: bool = True,
        shapes: str | None = None,
    ):
        super().__init__(collection, name=name)
        self.shapes = shapes
        self.styles = list(styles)
        self.radius = radius
        self.tip_property = tip_property
        self.labels = list(labels)  # HTML: escaped by the caller
        self.highlight_style = highlight
        self.interactive = interactive

    @cached_property
    def encoded(self) -> str:
        """The FeatureCollection as JSON safe inside a script element, encoded once for every render; with
        ``shapes`` without its geometries, which the script takes from ``shapes``."""
        if self.shapes is None:
            return str(htmlsafe_json_dumps(self.data))
        features = [{k: v for k, v in feature.items() if k != "geometry"} for feature in self.data["features"]]
        return str(htmlsafe_json_dumps({"type": "FeatureCollection", "features": features}))

    @property
    def data_text(self) -> str:
        """``encoded`` where the script holds it, or its placeholder while a payload is made (``bulk_data``)."""
        return bulk_data.inline(self.encoded)

    @property
    def shapes_text(self) -> str:
        """``shapes`` where the script holds them, or while a payload is made the placeholder of a text many maps
        share: the browser may then fetch them once (``bulk_data.shared``)."""
        return bulk_data.shared(self.shapes or "[]")


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
