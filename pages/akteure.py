"""Akteure & Netzwerk: who works where and with whom – directory, cooperation network, Vernetzungschancen."""

import pandas as pd
import streamlit as st

from dashboard.analysis import directory, network, opportunities
from dashboard.i18n import code_label, fmt_int, t
from dashboard.maps import directory_map
from dashboard.maps.karte import tooltip_html
from dashboard.model import schema
from dashboard.web import karte_widgets, links, map_payload, session

lang, loaded = session.open_page("actors.heading")
city, version = loaded.city, loaded.version
cooperations = loaded.workspace.cooperations
st.caption(t("actors.intro", lang))


@st.cache_resource(show_spinner=False, max_entries=2)
def _directory(version: str, _city, _cooperations) -> directory.Directory:
    return directory.build(_city, _cooperations)


@st.cache_resource(show_spinner=False, max_entries=2)
def _network(version: str, _city, _cooperations) -> tuple[network.Network, pd.DataFrame]:
    """The graph and the figures of every Quartier: once per data version."""
    net = network.build_network(_city, _cooperations)
    return net, network.area_table(net)


@st.cache_resource(show_spinner=False, max_entries=8)
def _chances(version: str, radius: int, _city, _cooperations) -> pd.DataFrame:
    return opportunities.find(_city, _cooperations, radius)


@st.cache_resource(show_spinner=False, max_entries=32)
def _area_view(version: str, area: str | None, sectors: tuple, how: str, _net: network.Network):
    graph = network.area_graph(_net, area, sectors)
    table = network.centrality(graph)
    drawn = network.shown(graph, table)
    return graph, table, drawn, network.layout(drawn, how)


def _table(frame: pd.DataFrame, note: str) -> None:
    """The table, or a note saying why there is none."""
    if len(frame):
        st.dataframe(frame, hide_index=True, width="stretch")
    else:
        st.info(note)


view = st.segmented_control(
    t("actors.view", lang),
    ["directory", "network"],
    format_func=lambda v: t(f"actors.view.{v}", lang),
    default="directory",
    key="actors_view",
)
if view == "network":
    net, quartier_table = _network(version, city, cooperations)
    bezirk = karte_widgets.bezirk_picker(city, "net_bezirk")
    quartier = st.sidebar.selectbox(
        t("net.quartier", lang),
        [None, *network.quartiere_in(net, bezirk)],
        format_func=lambda a: t("net.all_quartiere", lang) if a is None else net.area_names[a],
        key="net_quartier",
    )
    sectors = st.sidebar.multiselect(
        t("map.filter.sectors", lang),
        schema.SECTORS,
        default=list(schema.SECTORS),
        format_func=lambda s: code_label(s, lang),
        key="net_sectors",
    )
    how = st.sidebar.radio(
        t("net.layout", lang), network.LAYOUTS, format_func=lambda h: t(f"net.layout.{h}", lang), key="net_layout"
    )
    radius = int(
        st.sidebar.number_input(t("net.radius", lang), 100, 3000, opportunities.RADIUS_M, 50, key="net_radius")
    )
    area = quartier or bezirk
    graph, table, drawn, positions = _area_view(version, area, tuple(sectors), how, net)
    figures = network.figures(graph)
    st.subheader(t("net.heading", lang, area=net.area_names.get(area, city.name)))
    for column, (label, value) in zip(st.columns(4), network.figure_rows(figures, lang), strict=False):
        column.metric(label, value)
    st.caption(
        t("net.sectors", lang, sectors=", ".join(code_label(s, lang) for s in figures.sectors) or t("fig.none", lang))
    )
    if figures.actors == 0:
        st.info(t("net.empty", lang))
    else:
        st.altair_chart(network.chart(drawn, table, positions, lang), width="stretch", key="net_chart")
        if drawn.number_of_nodes() < figures.actors:
            st.caption(t("net.shown", lang, shown=drawn.number_of_nodes(), total=figures.actors))
        if how == "network" and any(degree == 0 for _, degree in drawn.degree):
            st.caption(t("net.alone", lang))
    bridge_col, lack_col = st.columns(2, gap="medium")
    with bridge_col:
        st.subheader(t("net.bridges", lang))
        _table(network.bridges_frame(network.bridges(table), lang), t("net.bridges.none", lang))
    with lack_col:
        st.subheader(t("net.lacking", lang))
        lacking = network.lacking(quartier_table, bezirk if quartier is None else city.bezirk_of(quartier))
        _table(network.lacking_frame(lacking, lang), t("net.lacking.none", lang))
    st.subheader(t("net.opportunities", lang))
    nearby = opportunities.within(
        _chances(version, radius, city, cooperations), net.members.get(area, frozenset()) if area else None, sectors
    )
    if nearby.empty:
        st.info(t("net.opportunities.none", lang, radius=fmt_int(radius, lang)))
    else:
        st.html(opportunities.list_html(nearby, lang))
        st.caption(
            t(
                "net.opportunities.shown",
                lang,
                shown=min(len(nearby), opportunities.SHOWN),
                total=fmt_int(len(nearby), lang),
            )
        )
    with st.expander(t("net.method", lang)):
        st.markdown(network.method_text(graph, lang))
        st.markdown(opportunities.method_text(lang, radius))
else:
    index = _directory(version, city, cooperations)
    query = st.text_input(
        t("actors.search", lang), key="actors_query", placeholder=t("actors.search.placeholder", lang)
    )
    # Each facet's counts depend on the other facets' choices, which are widgets further down: read them first.
    chosen = {f: st.session_state.get(f"actors_facet_{f}") or [] for f in directory.FACETS}
    hits = directory.search(index, query, chosen)
    for column, facet in zip(st.columns(3) * 2, directory.FACETS, strict=False):
        column.multiselect(
            t(f"actors.facet.{facet}", lang),
            index.facets[facet].values,
            format_func=lambda v, f=facet: f"{directory.facet_label(index, f, v, lang)} ({hits.counts[f][v]})",
            placeholder=t("actors.facet.placeholder", lang),
            key=f"actors_facet_{facet}",
        )
    st.caption(directory.summary(index, hits, lang))
    map_col, card_col = st.columns([3, 2], gap="medium")
    with map_col:
        one_bezirk = chosen["bezirk"][0] if len(chosen["bezirk"]) == 1 else None
        map_payload.show_map(
            (version, query, tuple((f, tuple(v)) for f, v in chosen.items()), one_bezirk, lang, session.settings()),
            lambda: (
                directory_map.hits_map(index, hits, loaded.map_data, city, session.settings(), one_bezirk, lang),
                [],
            ),
            key="actors_map",
            height=480,
            returned_objects=(),
        )
        st.markdown(directory_map.sector_legend_html(lang), unsafe_allow_html=True)
        if len(hits.rows) > directory_map.MAP_LIMIT:
            st.caption(t("actors.map_limit", lang, limit=fmt_int(directory_map.MAP_LIMIT, lang)))
    with card_col:
        picked = st.selectbox(
            t("actors.card.pick", lang),
            directory.hit_actors(index, hits),
            index=None,
            format_func=lambda a: str(index.actors.at[a, "name"]),
            placeholder=t("actors.card.placeholder", lang),
            key="actors_card",
        )
        if picked:
            card = directory.actor_card(index, picked, lang)
            st.html(tooltip_html(card.title, card.facts))
            for heading, part in (
                (t("actors.card.offers", lang), card.offers),
                (t("actors.card.cooperations", lang), card.cooperations),
            ):
                st.markdown(f"**{heading}**")
                _table(part, t("actors.card.none", lang))
    row_actors = index.entries["actor_id"].to_numpy()[hits.rows]

    def _show_card() -> None:
        """A click on a table row opens the card of that actor (an offer's: its operator)."""
        rows = st.session_state["actors_table"].selection.rows
        if rows and row_actors[rows[0]] in index.actors.index:
            st.session_state["actors_card"] = row_actors[rows[0]]

    st.caption(t("actors.table.hint", lang))
    st.dataframe(
        directory.hits_frame(index, hits, lang),
        hide_index=True,
        width="stretch",
        key="actors_table",
        on_select=_show_card,
        selection_mode="single-row",
    )
links.sync_url("akteure")
