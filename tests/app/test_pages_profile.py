"""Quartiersprofil and Vergleich in Streamlit's AppTest on the tiny hand-made city."""

SECRET = "geheim@beispiel.invalid"


def _profile(at, **state):
    for key, value in state.items():
        at.session_state[key] = value
    at.switch_page("pages/profil.py").run()
    assert not at.exception
    return at


def _everything(at) -> str:
    """Every text and table cell the page shows."""
    parts = [
        str(e.value)
        for kind in ("title", "header", "subheader", "caption", "markdown", "info", "warning")
        for e in getattr(at, kind)
    ]
    parts += [frame.value.to_string() for frame in at.dataframe]
    return "\n".join(parts)


def test_profile_of_the_first_quartier(app):
    at = _profile(app)
    assert at.title[0].value == "Quartiersprofil: Kleinstadt"
    assert at.selectbox(key="profile_area").value == "0101"
    assert at.header[0].value == "Quartier Am Bach"
    people = at.dataframe[0].value
    assert list(people.columns) == ["Am Bach", "Stadtbezirk Unterstadt", "Stadt"]
    assert people.loc["Einwohner"].tolist() == ["300", "700", "750"]
    assert at.dataframe[4].value.loc["Lückenindex"].tolist() == ["48", "75", "75"]
    offers = at.dataframe[-1].value
    assert offers["Name"].tolist() == ["Nachbarschaftstreff <b>Am Bach</b>"]
    assert offers["Stand"].tolist() == ["01.01.2026"]
    assert [b.label for b in at.get("download_button")] == ["PDF herunterladen", "HTML herunterladen"]
    assert SECRET not in _everything(at)
    assert at.query_params["gebiet"] == "0101"  # the URL names the area: a link to share


def test_link_opens_the_named_area(open_link):
    at = open_link(p="profil", gebiet="02")
    assert at.header[0].value == "Stadtbezirk Oberstadt"
    assert list(at.dataframe[0].value.columns) == ["Oberstadt", "Stadt"]


def test_unknown_area_in_the_link_warns(open_link):
    at = open_link(p="profil", gebiet="9999")
    assert "`gebiet`" in at.warning[0].value and "9999" not in at.warning[0].value  # the name, never the value
    assert at.selectbox(key="profile_area").value == "0101"


def test_a_click_on_the_karte_opens_that_quartier(app):
    at = _profile(app, selected="0102")
    assert at.header[0].value == "Quartier Mühlenviertel"
    at.selectbox(key="profile_area").set_value("01").run()  # the list still works afterwards
    assert at.header[0].value == "Stadtbezirk Unterstadt"
    at.switch_page("pages/karte.py").run()
    at.switch_page("pages/profil.py").run()
    assert at.header[0].value == "Stadtbezirk Unterstadt"  # back on the page: the area shown last


def test_profile_in_english(app):
    app.sidebar.selectbox(key="lang_choice").set_value("en").run()
    at = _profile(app)
    assert at.title[0].value == "Neighbourhood profile: Kleinstadt"
    assert at.dataframe[0].value.loc["Residents"].tolist() == ["300", "700", "750"]


def test_vergleich_side_by_side_and_all_quartiere(app):
    app.switch_page("pages/vergleich.py").run()
    assert not app.exception
    assert app.title[0].value == "Vergleich: Kleinstadt"
    assert "mindestens zwei" in app.info[0].value
    everything = app.dataframe[-1].value
    assert everything["Name"].tolist() == ["Am Bach", "Mühlenviertel", "Höhe", "Wald"]
    app.multiselect(key="cmp_areas").set_value(["0101", "0102", "02"]).run()
    assert not app.exception
    people = app.dataframe[0].value
    assert list(people.columns) == [
        "Am Bach (Quartier 0101)",
        "Mühlenviertel (Quartier 0102)",
        "Oberstadt (Stadtbezirk 02)",
    ]
    assert people.loc["Einwohner"].tolist() == ["300", "400", "50"]
    assert [b.label for b in app.get("download_button")] == ["CSV (Excel)", "GeoPackage", "GeoJSON"]
    assert SECRET not in _everything(app)


def test_a_profile_is_made_once_per_data_version_area_and_language(app, monkeypatch):
    """A profile link opened again shows the kept profile: nothing is figured out anew."""
    from dashboard.analysis import profile as pf

    made = []
    real = pf.profile
    monkeypatch.setattr(pf, "profile", lambda *a, **k: made.append(a[3]) or real(*a, **k))
    first = _profile(app, profile_area="0102")
    shown = _everything(first)
    second = _profile(app)  # the same session runs the page again
    assert _everything(second) == shown and made.count("0102") <= 1
    _profile(app, lang="en")
    assert made.count("0102") <= 2
