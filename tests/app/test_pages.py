"""Every page runs in Streamlit's AppTest on a small workspace, in German and English."""

import json

from streamlit.testing.v1 import AppTest

from dashboard.model import schema
from dashboard.store.gpkgfile import write_geopackage
from dashboard.web import session
from tests.support.apptree import texts as _texts
from tests.support.factories import tiny_workspace
from tests.support.paths import APP


def test_karte_shows_map_ranking_and_hint(app):
    assert app.title[0].value == "Karte: Kleinstadt"
    assert "Klicken Sie ein Quartier" in _texts(app)
    ranking = app.table[0].value
    assert list(ranking["Quartier"]) == ["Mühlenviertel", "Am Bach"]
    assert "Höhe" not in list(ranking["Quartier"])  # 50 residents: suppressed


def test_selected_quartier_shows_key_figures(app):
    app.session_state["selected"] = "0101"
    app.run()
    assert "Quartier Am Bach" in _texts(app)
    figures = app.table[0].value
    assert figures.loc["Einwohner"].tolist() == ["300", "700", "750"]
    assert figures.loc["ohne Angebot in 500 m (Personen)"].tolist()[0] == "200"


def test_layer_toggle_measure_and_filters_rerun_cleanly(app):
    app.sidebar.checkbox(key="layer_housing").check().run()
    app.sidebar.radio(key="measure").set_value("offers_per_1000").run()
    app.sidebar.select_slider(key="min_level").set_value("information").run()
    assert not app.exception
    assert "Mitwirkungsangebote je 1.000 Einwohner" in _texts(app)
    assert list(app.table[0].value["Quartier"])[0] in {"Am Bach", "Mühlenviertel"}


def test_bezirk_filter_limits_the_ranking(app):
    app.sidebar.selectbox(key="bezirk").set_value("02").run()
    assert not app.exception
    assert app.table[0].value.empty  # Bezirk 02 has only suppressed Quartiere


def test_english_ui(app):
    app.sidebar.selectbox(key="lang_choice").set_value("en").run()
    assert app.title[0].value == "Map: Kleinstadt"
    app.switch_page("pages/luecken.py").run()
    assert app.title[0].value == "Gap analysis: Kleinstadt"  # the choice holds on every page


def test_sources_page(app):
    app.switch_page("pages/quellen.py").run()
    assert not app.exception
    assert app.title[0].value == "Daten & Quellen"
    table = app.dataframe[0].value
    assert len(table) == len(schema.LAYERS)
    assert table.iloc[0]["Lizenz"] == "CC0"
    assert "Keine Hintergrundkarte" in _texts(app)


def test_sources_page_names_a_wrong_wms_setting_and_the_log_has_it_once(app, monkeypatch, caplog):
    monkeypatch.setenv("QUARTIERSATLAS_WMS_URL", "ftp://geo.stadt.example/wms")
    monkeypatch.setenv("QUARTIERSATLAS_WMS_LAYERS", "stadtplan")
    session._log_once.cache_clear()
    app.switch_page("pages/quellen.py").run()
    app.run()
    assert not app.exception
    assert "QUARTIERSATLAS_WMS_URL ist keine http- oder https-Adresse" in _texts(app)
    logged = [r for r in caplog.records if "QUARTIERSATLAS_WMS_URL" in r.getMessage()]
    assert len(logged) == 1  # once per process, not on every rerun


def test_demo_banner_on_demo_data(tmp_path, monkeypatch):
    workspace = tiny_workspace()
    workspace.is_demo = True
    path = tmp_path / "demo.gpkg"
    write_geopackage(workspace, path)
    monkeypatch.setenv("QUARTIERSATLAS_WORKSPACE", str(path))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert "Demodaten – fiktive Stadt" in _texts(at)


def test_data_without_a_date_says_so_where_the_date_would_stand(app, tmp_path, monkeypatch):
    assert "Datenstand: 01.01.2026" in _texts(app)
    workspace = tiny_workspace()
    workspace.meta.clear()  # imported without --stand, as the Berlin walkthrough's data was
    path = tmp_path / "ohne-stand.gpkg"
    write_geopackage(workspace, path)
    monkeypatch.setenv("QUARTIERSATLAS_WORKSPACE", str(path))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert "Datenstand: nicht angegeben – beim Import mit dem Stand der Daten nachtragen" in _texts(at)


def _gap_page(at):
    at.switch_page("pages/luecken.py").run()
    assert not at.exception
    return at


def test_lueckenanalyse_ranks_and_explains(app):
    at = _gap_page(app)
    assert at.title[0].value == "Lückenanalyse: Kleinstadt"
    ranking = at.dataframe[0].value
    assert list(ranking["Quartier"]) == ["Mühlenviertel", "Am Bach"]
    assert list(ranking["Lückenindex"]) == [95, 48]  # numbers: the table sorts by them
    columns = json.loads(at.dataframe[0].proto.columns)  # … and the browser writes them in the UI's locale
    assert columns["Zielgruppe (Personen)"]["type_config"] == {"type": "number", "format": "localized", "step": 1.0}
    assert columns["ohne Angebot (Anteil)"]["type_config"]["format"] == "percent"
    assert "Quartier" not in columns
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["ohne Angebot in 500 m"] == "650"
    method = next(e for e in at.expander if e.label == "Methode, Schwellen und Datenstand").markdown[0].value
    assert "Luftlinie × Umwegfaktor 1,00" in method and "500 m" in method and "01.01.2026" in method


def test_lueckenanalyse_target_group_weights_and_user_breaks(app):
    at = _gap_page(app)
    at.sidebar.selectbox(key="gap_target_group").set_value("senioren").run()
    assert at.sidebar.number_input(key="gap_threshold_m_senioren").value == 400
    at.sidebar.slider(key="gap_weight_supply_deficit").set_value(0).run()
    at.sidebar.slider(key="gap_weight_sector_gap").set_value(0).run()
    at.sidebar.selectbox(key="gap_classification").set_value("user").run()
    at.sidebar.text_input(key="gap_breaks").input("kaputt").run()
    assert not at.exception
    assert "nicht lesbar" in at.sidebar.warning[0].value
    assert list(at.dataframe[0].value["Lückenindex"]) == [100, 67]  # index = uncovered share only


def test_lueckenanalyse_scenario_switching_an_offer_off(app):
    at = _gap_page(app)
    at.selectbox(key="gap_toggle_offer").set_value("o1").run()
    next(b for b in at.button if b.label == "Umschalten").click().run()
    assert not at.exception
    assert "1 abgeschaltet" in at.success[0].value
    assert "0 statt 100 Personen" in at.success[0].value
    changes = at.dataframe[-1].value
    assert changes.iloc[0]["Veränderung"] == -100  # a number: the table sorts by it
    columns = json.loads(at.dataframe[-1].proto.columns)
    assert columns["Veränderung"]["type_config"]["format"] == columns["versorgt vorher"]["type_config"]["format"]
    next(b for b in at.button if b.label == "Szenario zurücksetzen").click().run()
    assert not at.success


def test_lueckenanalyse_need_view(app):
    at = _gap_page(app)
    at.segmented_control(key="gap_view").set_value("need").run()
    assert not at.exception
    assert any("Doppelter Handlungsbedarf" in s.value for s in at.subheader)


def test_the_accessibility_statement_names_its_gaps_and_the_configured_contact(open_link, monkeypatch):
    at = open_link()
    at.switch_page("pages/barrierefreiheit.py").run()
    assert not at.exception and at.title[0].value == "Erklärung zur Barrierefreiheit"
    texts = " ".join(m.value for m in at.markdown)
    assert "teilweise barrierefrei" in texts and "QUARTIERSATLAS_ACCESSIBILITY_CONTACT" in texts
    assert "Schlichtungsstelle" in texts
    monkeypatch.setenv("QUARTIERSATLAS_ACCESSIBILITY_CONTACT", "barrierefreiheit@stadt.example")
    at.run()
    assert any(m.value.endswith("Schreiben Sie uns: barrierefreiheit@stadt.example") for m in at.markdown)
