"""Map layers of many features: few styles sent once, data encoded once and safe inside a script element."""

import json

import folium
import pandas as pd

from dashboard.maps.feature_layer import FeatureLayer, style_indices
from dashboard.maps.karte import point_layer

RED, BLUE = {"fillColor": "#ff0000"}, {"fillColor": "#0000ff"}


def test_each_distinct_style_is_kept_once_and_features_point_to_it():
    assert style_indices([RED, BLUE, dict(RED), BLUE]) == ([RED, BLUE], [0, 1, 0, 1])
    assert style_indices([{"a": 1, "b": 2}, {"b": 2, "a": 1}]) == ([{"a": 1, "b": 2}], [0, 0])  # order of keys
    assert style_indices([]) == ([], [])


def _points() -> FeatureLayer:
    frame = pd.DataFrame({"lon": [8.1, 8.2, 8.3], "lat": [50.1, 50.2, 50.3]})
    names = ["Treff", "</script><script>alert(1)</script>", "Café & Co"]
    return point_layer("offers", frame, {"Angebot": names}, [RED, BLUE, RED], radius=4)


def _script(layer: FeatureLayer) -> str:
    fmap = folium.Map(tiles=None)
    layer.add_to(fmap)
    return fmap.get_root().render()


def test_points_send_their_styles_once_and_their_texts_escaped():
    layer = _points()
    assert layer.styles == [
        {"fillOpacity": 0.9, "radius": 4, "fill": True, **RED},
        {"fillOpacity": 0.9, "radius": 4, "fill": True, **BLUE},
    ]
    assert [f["properties"]["s"] for f in layer.data["features"]] == [0, 1, 0]
    page = _script(layer)
    assert page.count("#ff0000") == 1  # one style for two points, no case per point
    assert "</script><script>" not in page  # the name cannot end the script element
    shown = json.loads(layer.encoded)["features"][1]["properties"]["f0"]
    assert shown == "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"  # and is text in the tooltip's HTML


def test_the_data_is_encoded_once_for_every_render():
    layer = _points()
    encoded = layer.encoded
    _script(layer)
    assert layer.encoded is encoded
    assert json.loads(encoded) == json.loads(json.dumps(layer.data))
