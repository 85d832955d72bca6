"""Share links in Streamlit's AppTest: a link restores the widgets, the URL follows the view, bad links only warn."""

import html
import re

from tests.support.apptree import everything


def _params(at) -> dict[str, str]:
    return {
        key: at.query_params[key][0] if isinstance(at.query_params[key], list) else at.query_params[key]
        for key in at.query_params
    }


def test_a_karte_link_restores_layers_filters_and_selection(open_link):
    at = open_link(v="1", l="bezirke,actors", sec="kommune", t="800", c="natural_breaks", sel="0101", lang="en")
    assert at.sidebar.checkbox(key="layer_actors").value is True
    assert at.sidebar.checkbox(key="layer_choropleth").value is False
    assert at.sidebar.multiselect(key="sectors").value == ["kommune"]
    assert at.sidebar.number_input(key="threshold_m").value == 800
    assert at.sidebar.selectbox(key="classification").value == "natural_breaks"
    assert "Am Bach" in at.subheader[0].value
    assert not at.warning
    assert _params(at) == {
        "v": "1",
        "lang": "en",
        "l": "bezirke,actors",
        "sec": "kommune",
        "t": "800",
        "c": "natural_breaks",
        "sel": "0101",
    }


def test_a_gap_link_restores_group_threshold_and_scenario(open_link):
    at = open_link(p="luecken", g="senioren", t="600", s="9.1,48.1,bildung,senioren,mitwirkung,20")
    assert at.sidebar.selectbox(key="gap_target_group").value == "senioren"
    assert at.sidebar.number_input(key="gap_threshold_m_senioren").value == 600
    assert at.success[0].value.startswith("Szenario: 1 geplantes Angebot, 0 abgeschaltet.")
    assert _params(at)["s"] == "9.1,48.1,bildung,senioren,mitwirkung,20"


def test_a_gap_link_offers_the_report_of_its_view(open_link):
    """The list starts at the area chosen on the map, else at the largest gap; the report is the view's."""
    at = open_link(p="luecken", g="senioren", s="9.1,48.1,bildung,senioren,mitwirkung,20")
    chooser = at.selectbox(key="gap_report_area")
    assert chooser.label == "Bericht für das Gebiet" and chooser.value == "0102"  # Mühlenviertel: no senior in reach
    assert {"PDF herunterladen", "HTML herunterladen"} <= {b.label for b in at.get("download_button")}
    assert any("Szenario stehen auf der ersten Seite" in c.value for c in at.caption)
    at = open_link(p="luecken", g="senioren", sel="0101")
    assert at.selectbox(key="gap_report_area").value == "0101"


def test_the_url_follows_the_view(app):
    app.sidebar.checkbox(key="layer_housing").check().run()
    app.sidebar.number_input(key="threshold_m").set_value(700).run()
    assert _params(app) == {"v": "1", "l": "bezirke,choropleth,housing,offers", "t": "700"}
    assert (
        app.sidebar.code[0].value == "/?v=1&l=bezirke,choropleth,housing,offers&t=700"
    )  # "Link teilen" (AppTest has no host)


def test_hostile_link_warns_by_name_and_keeps_defaults(open_link):
    at = open_link(p="<script>alert(1)</script>", t="999999999", x="", sel="<img src=x onerror=alert(1)>")
    warning = at.warning[0].value
    assert "`p`" in warning and "`t`" in warning and "`x`" in warning and "`sel`" in warning
    assert "<" not in warning and "alert" not in warning
    assert at.title[0].value == "Karte: Kleinstadt"
    assert at.sidebar.number_input(key="threshold_m").value == 3000  # clamped to the widget's range


def test_embed_shows_the_map_without_sidebar(open_link):
    at = open_link(view="embed", p="karte", b="01", l="bezirke")
    assert not at.title and not [e for e in at.sidebar if type(e).__name__ != "SpecialBlock"]
    assert [c.proto.component_name for c in at.get("component_instance")] == ["streamlit_folium.st_folium"]
    assert not at.table and not at.subheader  # no ranking, no figures: the map and its legend only
    assert _params(at)["view"] == "embed"


def test_embedded_gap_map_takes_its_view_from_the_link(open_link):
    at = open_link(view="embed", p="luecken", g="senioren", l="index")
    assert not at.title and not at.success  # no scenario panel
    assert [c.proto.component_name for c in at.get("component_instance")] == ["streamlit_folium.st_folium"]
    assert at.markdown[0].value.startswith("<b>Lückenindex 0–100")  # the legend of the linked layer only


def test_a_gap_link_shows_its_figures_and_settings_above_the_map_for_phones(open_link):
    """The phone summary carries the metrics' figures (label, value, exact value) and the view's settings."""
    at = open_link(p="luecken", g="senioren", t="600", s="9.1,48.1,bildung,senioren,mitwirkung,20")
    summary = at.main.get("html")[0].proto.body
    shown = re.findall(r'<dt>(.*?)</dt><dd title="(.*?)">(.*?)</dd>', html.unescape(summary))
    metrics = [(m.label, m.proto.help or m.value, m.value) for m in at.metric]
    assert len(shown) == 3 and shown == metrics
    assert "Einstellungen der Ansicht: Senioren · 600 m · Luftlinie × Umwegfaktor 1,00" in summary
    assert "Szenario: 1 geplantes Angebot, 0 abgeschaltet" in summary
    page = everything(at)
    assert page.index("qa-first-screen") < page.index("streamlit_folium")  # above the map


def test_a_karte_link_with_a_quartier_shows_its_figures_above_the_map_for_phones(open_link):
    """The summary names the chosen Quartier and carries the figures of its column in the key-figure table."""
    at = open_link(sel="0101", t="800")
    summary = html.unescape(at.main.get("html")[0].proto.body)
    assert "<p><strong>Quartier Am Bach</strong></p>" in summary
    shown = re.findall(r"<dt>(.*?)</dt><dd title=\".*?\">(.*?)</dd>", summary)
    column = at.table[0].value["Quartier"]  # the key figures: Quartier, Stadtbezirk, city
    assert [label for label, _ in shown] == [
        "Einwohner",
        "ohne Angebot in 800 m (Anteil)",
        "Mitwirkungsangebote je 1.000 EW",
    ]
    assert shown == [(label, column[label]) for label, _ in shown]
    assert "Einstellungen der Ansicht: Kinder, Jugendliche, Familien, Erwachsene, Senioren, alle · 800 m" in summary
    page = everything(at)
    assert page.index("qa-first-screen") < page.index("streamlit_folium")  # above the map
