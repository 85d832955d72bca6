"""Provenance of the loaded data as a table: source, licence, attribution, Stand per layer and import."""

from __future__ import annotations

import pandas as pd

from dashboard.i18n import fmt_date, t
from dashboard.model import schema
from dashboard.model.workspace import Workspace
from dashboard.store.settings import Settings


def sources_frame(workspace: Workspace, lang: str) -> pd.DataFrame:
    """One row per import a schema layer's current entries come from (one for a layer without entries), with
    the number of entries it supplied and its provenance: an update of a few entries is named beside the
    layer's source, not instead of it."""
    rows = []
    for name in schema.LAYERS:
        for share in workspace.layer_sources(name):
            meta = share.meta
            rows.append(
                {
                    t("sources.layer", lang): t(f"layer.{name}", lang),
                    t("sources.rows", lang): share.entries,
                    t("sources.source", lang): meta.source or "–",
                    t("sources.licence", lang): meta.licence or "–",
                    t("sources.attribution", lang): meta.attribution or "–",
                    t("sources.stand", lang): fmt_date(meta.stand, lang) if meta.stand else "–",
                }
            )
    return pd.DataFrame(rows)


def basemap_text(settings: Settings, lang: str) -> str:
    """Which basemap the map uses and whom to credit, and which basemap setting is wrong and left out."""
    parts = []
    if settings.tile_url:
        parts.append(
            t("sources.basemap.configured", lang, url=settings.tile_url, attribution=settings.tile_attribution or "–")
        )
    if settings.wms is not None:
        wms = settings.wms
        parts.append(t("sources.basemap.wms", lang, url=wms.url, layers=wms.layers, attribution=wms.attribution or "–"))
    parts.extend(t(key, lang) for key in settings.problems)
    return "\n\n".join(parts or [t("sources.basemap.none", lang)])
