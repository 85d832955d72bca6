"""Map layers read as the browser reads them."""

from __future__ import annotations

import json


def as_the_browser_joins(layer) -> dict:
    """A ``FeatureLayer``'s features as its script adds them: each shared row's geometry and properties joined in."""
    collection, parts = json.loads(layer.encoded), json.loads(layer.shared.text)
    for feature in collection["features"]:
        if "shared" in feature:
            part = parts[feature.pop("shared")]
            feature["geometry"] = part["geometry"]
            feature["properties"] = {**part.get("properties", {}), **feature["properties"]}
    return collection
