"""The map on a page, its browser payload built once per view: what st_folium does, minus the rebuilding.

Building a folium map and rendering it (st_folium renders it two to three times over) was most of the
server's time for a shared link, and a link opens the same few views again and again. So the rendered
payload is kept per ``view_key``: the data version – which names the role, so a viewer's map never comes
from an editor's cache –, the view, the language and the map's opening position. The component is
streamlit-folium's own, fed exactly as ``st_folium`` feeds it (streamlit-folium 0.27.4, pinned).

A page shows its map through ``live_map``: a fragment, so the map's reports (its first one right after it is
drawn, each pan and zoom) rerun the map and what follows its position, never the whole page – except the first
report of a page drawn map-first (``map_first``), which brings the rest of the page.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

import folium
import streamlit as st
import streamlit_folium as sf
from streamlit.delta_generator import DeltaGenerator

from dashboard.maps import bulk_data
from dashboard.maps.assets import walk
from dashboard.web import frontend_files, map_first
from dashboard.web.cache_keys import HASH_FUNCS
from dashboard.web.links import follow_map, place_map, sync_url

#: A map and the feature groups streamlit-folium adds without reloading it (see ``feature_group``).
Built = tuple[folium.Map, list[folium.FeatureGroup]]


def payload(
    fmap: folium.Map,
    groups: list[folium.FeatureGroup],
    returned_objects: tuple[str, ...],
    publish: Callable[[str], str | None] | None = None,
) -> dict:
    """The component's arguments for ``fmap`` as ``st_folium`` computes them (it changes ``fmap``); st_folium
    renders the map once more after the page, which changes nothing of them (a quarter of the time). The layers'
    data is set aside while streamlit-folium takes the script apart (``bulk_data``); what many maps share goes
    to ``publish`` where it is given, and the script holds its address."""
    with bulk_data.set_aside(publish) as aside:
        fmap.get_root().render()
        html, header = sf._get_html(fmap), sf._get_header(fmap)
        script = sf._get_map_string(fmap)
        feature_group = (
            "".join(sf._get_feature_group_string(g, map=fmap, idx=i) for i, g in enumerate(groups)) if groups else None
        )
    defaults = {"last_object_clicked": None, "zoom": fmap.options.get("zoom")}  # what the pages ask for
    js_links, css_links = [], []
    for element in walk(fmap):
        css_links += [href for _, href in getattr(element, "default_css", [])]
        js_links += [src for _, src in getattr(element, "default_js", [])]
    return {
        "script": aside.put_back(script),
        "header": aside.put_back(header),
        "html": aside.put_back(html),
        "id": sf.get_full_id(fmap),
        "default": {k: v for k, v in defaults.items() if k in returned_objects},
        "feature_group": None if feature_group is None else aside.put_back(feature_group),
        "css_links": list(dict.fromkeys(css_links)),
        "js_links": list(dict.fromkeys(js_links)),
    }


@st.cache_resource(show_spinner=False, max_entries=32, hash_funcs=HASH_FUNCS)
def _kept(
    view_key: Hashable, key: str, returned_objects: tuple[str, ...], _build: Callable[[], Built]
) -> tuple[dict, str]:
    """The payload and the component's widget key, which st_folium derives from the script (a regex over it)."""
    kept = payload(*_build(), returned_objects, frontend_files.publish)
    return kept, sf.generate_js_hash(kept["script"], key, False)


def show_map(
    view_key: Hashable,
    build: Callable[[], Built],
    *,
    key: str,
    height: int,
    returned_objects: tuple[str, ...],
    pos_key: str | None = None,
) -> dict | None:
    """``st_folium(build(), …)`` with the payload kept per ``view_key`` and, for a map whose position a
    link holds, at ``pos_key``, the link's opening position.

    ``view_key`` must name everything ``build`` reads (always the data version); ``build`` runs only
    when that view is new to the server.
    """
    pos = st.session_state.get(pos_key) if pos_key else None

    def built() -> Built:
        fmap, groups = build()
        if pos_key:
            place_map(fmap, pos_key)
        return fmap, groups

    kept, hash_key = _kept((view_key, pos and tuple(pos)), key, returned_objects, built)

    def _on_change() -> None:
        st.session_state[key] = st.session_state.get(hash_key, {})
        map_first.show_rest()

    return sf._component_func(
        **{**kept, "default": dict(kept["default"])},  # the component hands the default back: a session's own copy
        key=hash_key,
        height=height,
        width=None,
        returned_objects=list(returned_objects),
        zoom=None,
        center=None,
        return_on_hover=False,
        layer_control=None,
        pixelated=False,
        on_change=_on_change,
        wrap_longitude=False,
    )


@st.fragment
def live_map(
    page: str,
    share: DeltaGenerator | None,
    view_key: Hashable,
    build: Callable[[], Built],
    *,
    key: str,
    height: int,
    returned_objects: tuple[str, ...],
    pos_key: str,
    on_click: Callable[[dict | None], Any] | None = None,
    first: bool = False,
) -> None:
    """``show_map`` as a fragment, with the URL and the share box (in ``share``, see ``links.share_slot``)
    following where the reader moved the map: a pan or zoom reruns this, not the page.

    ``on_click(result)`` handles a click; one that changes the page beside the map calls ``st.rerun()`` (the app).
    The link is made here, so all it holds is chosen before the map; what comes after it changes the view only
    through a rerun of the app. ``first``: the page draws map-first this run; the map's first report then reruns
    the app, which draws the page whole.
    """
    if first and not map_first.active():  # the map has reported: the rest of the page comes (it draws the map)
        map_first.reached()
        st.rerun()
    result = show_map(view_key, build, key=key, height=height, returned_objects=returned_objects, pos_key=pos_key)
    if first:
        map_first.reached()
    follow_map(result, pos_key)
    if on_click is not None:
        on_click(result)
    sync_url(page, share, box=not first)
