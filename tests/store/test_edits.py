"""The plain side of "Einträge pflegen": checks of one entry, ids, widget values, the demo copy, history texts, map."""

import shutil
from datetime import date

import pandas as pd
import pytest
from shapely.geometry import Point

from dashboard.model.roles import ANONYMOUS, PermissionDenied
from dashboard.store import gpkgfile
from dashboard.store.base import StoreError, open_store
from dashboard.store.settings import load_settings
from dashboard.web import edits
from tests.support.factories import EDITOR, tiny_workspace

CRS = "EPSG:3035"  # the tiny city's
INSIDE = Point(4_300_250.0, 2_800_600.0)  # a spot in Quartier 0101


def _offer(**changes) -> dict:
    values = {
        "offer_id": "o9",
        "name": "Erzählcafé",
        "category": "begegnung",
        "target_groups": "senioren;alle",
        "level": "mitwirkung",
        "operator_actor_id": "a1",
        "capacity": 20,
        "barrier_free": True,
        "opening_hours": "Di 15–17 Uhr",
        "contact": "",
        "source": "Aushang",
        "stand": "2026-01-15",
    }
    return {**values, **changes}


def _fields(problems) -> list[tuple[str | None, str]]:
    return [(p.field, p.key) for p in problems]


def test_a_good_entry_has_no_problems():
    assert edits.check_entry(tiny_workspace(), "offers", _offer(), INSIDE, crs=CRS, today=date(2026, 2, 1)) == []


def test_bad_values_are_named_per_field():
    values = _offer(name=" ", category="Kneipe", operator_actor_id="a99", capacity=-3)
    problems = edits.check_entry(tiny_workspace(), "offers", values, INSIDE, crs=CRS)
    assert _fields(problems) == [
        ("name", "val.empty_required"),
        ("category", "val.unknown_code"),
        ("operator_actor_id", "val.unknown_ref"),
        ("capacity", "val.below_min"),
    ]
    assert problems[2].text() == "Akteur „a99“ nicht gefunden"
    assert edits.blocking(problems)


def test_a_place_outside_germany_and_a_taken_id_are_problems():
    far = Point(0.0, 0.0)
    problems = edits.check_entry(tiny_workspace(), "offers", _offer(offer_id="o1"), far, crs=CRS, taken=["o1", "o2"])
    assert ("geometry", "val.layer_outside") in _fields(problems)
    assert ("offer_id", "edit.id_taken") in _fields(problems)
    assert "o1" in next(p for p in problems if p.key == "edit.id_taken").text()


def test_cooperations_are_checked_without_a_place():
    ok = {"coop_id": "k9", "actor_a": "a1", "actor_b": "a2", "kind": "projekt", "since": 2020}
    assert edits.check_entry(tiny_workspace(), "cooperations", ok) == []
    problems = edits.check_entry(tiny_workspace(), "cooperations", {**ok, "actor_b": "a1"})
    assert _fields(problems) == [("actor_b", "val.self_cooperation")]


def test_markup_in_a_name_stays_plain_text_and_is_stored_as_typed(tmp_path):
    name = '<script>alert("x")</script> Treff'
    values = edits.form_values("offers", {**_offer(), "name": f"  {name} ", "target_groups": ["alle"]})
    assert values["name"] == name
    assert edits.check_entry(tiny_workspace(), "offers", values, INSIDE, crs=CRS, today=date(2026, 2, 1)) == []
    path = tmp_path / "stadt.gpkg"
    gpkgfile.write_geopackage(tiny_workspace(), path)
    data_store = open_store(path)
    data_store.add(EDITOR, "offers", values, INSIDE)
    assert data_store.read().offers.set_index("offer_id").loc["o9", "name"] == name


def test_names_in_headings_are_shown_as_typed():
    """Streamlit headings and messages render markdown and LaTeX: data must not become either."""
    assert edits.as_markdown("Treff *Nord* <b>$5</b> a_b") == r"Treff \*Nord\* \<b\>\$5\</b\> a\_b"
    assert edits.as_markdown("Café am Markt") == "Café am Markt"


@pytest.mark.parametrize(
    ("ids", "expected"),
    [
        (["O0001", "O0002", "O0099"], "O0100"),
        (["W00009", "W00010"], "W00011"),
        (["7", "8", "12"], "13"),
        (["K0001", "K0003", "x-1"], "K0004"),  # the most common style wins
        (["Treff Nord", "Treff Süd"], "O0001"),  # no numbered ids: the layer's own style
        ([], "O0001"),
    ],
)
def test_propose_id_continues_the_layers_style(ids, expected):
    entries = pd.DataFrame({"offer_id": ids}, dtype=object)
    assert edits.propose_id(entries, "offers") == expected


def test_propose_id_of_the_demo_counts_retired_entries_too():
    entries = open_store(gpkgfile.DEMO_PATH).entries("offers")
    assert edits.propose_id(entries, "offers") == "O0892"
    assert edits.propose_id(entries.iloc[:-1], "offers") == "O0891"  # O0891 is free once it is gone
    assert edits.propose_id(open_store(gpkgfile.DEMO_PATH).entries("housing"), "housing") == "W10201"


def test_form_values_turn_widget_values_into_stored_values():
    raw = {
        "offer_id": " o9 ",
        "name": "Treff",
        "category": None,
        "target_groups": ["kinder", "familien"],
        "level": "mitwirkung",
        "operator_actor_id": None,
        "capacity": 30.0,
        "barrier_free": False,
        "opening_hours": "   ",
        "contact": "treff@beispiel.invalid",
        "stand": date(2026, 3, 1),
    }
    assert edits.form_values("offers", raw) == {
        "offer_id": "o9",
        "name": "Treff",
        "category": None,
        "target_groups": "kinder;familien",
        "level": "mitwirkung",
        "operator_actor_id": None,
        "capacity": 30,
        "barrier_free": False,
        "opening_hours": None,
        "contact": "treff@beispiel.invalid",
        "stand": "2026-03-01",
    }
    assert isinstance(edits.form_values("offers", {"capacity": 30.0})["capacity"], int)
    assert edits.form_values("offers", {"target_groups": []}) == {"target_groups": None}


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("1.3.2026", "2026-03-01"), ("2026-03", "2026-03"), ("2026", "2026"), ("März", "März"), ("", None)],
)
def test_dates_become_iso_and_the_unreadable_stay_for_the_check(typed, stored):
    assert edits.form_values("offers", {"stand": typed}) == {"stand": stored}


def test_changed_ignores_missing_versus_empty():
    before = {"capacity": float("nan"), "name": "A", "opening_hours": None, "barrier_free": True}
    after = {"capacity": None, "name": "A", "opening_hours": "Mo", "barrier_free": True}
    assert edits.changed(before, after) == {"opening_hours": "Mo"}
    assert edits.changed({"capacity": 30.0}, {"capacity": 30}) == {}


def test_a_click_becomes_a_point_of_the_layers_crs():
    point = edits.lonlat_to_layer(9.18, 48.78, "EPSG:25832")
    assert 510_000 < point.x < 515_000 and 5_400_000 < point.y < 5_405_000


def test_a_click_on_a_marker_selects_one_beside_proposes():
    seen: dict = {}
    assert edits.read_click(None, seen) is None
    both = {"last_clicked": {"lat": 50.1, "lng": 8.1}, "last_object_clicked": {"lat": 50.1, "lng": 8.1}}
    assert edits.read_click(both, seen) == ("entry", 8.1, 50.1)
    assert edits.read_click(both, seen) is None  # a rerun repeats the values: nothing new
    beside = {**both, "last_clicked": {"lat": 50.2, "lng": 8.2}}
    assert edits.read_click(beside, seen) == ("spot", 8.2, 50.2)
    points = pd.DataFrame({"entry_id": ["a", "b"], "lon": [8.0, 8.1001], "lat": [50.0, 50.1001]})
    assert edits.nearest_entry(points, 8.1, 50.1) == "b"


def test_adopt_demo_refuses_viewers(tmp_path):
    settings = load_settings({"QUARTIERSATLAS_DATA_DIR": str(tmp_path)})
    with pytest.raises(PermissionDenied):
        edits.adopt_demo(ANONYMOUS, settings)
    assert not settings.store_path.exists() and settings.uses_demo


def test_adopt_demo_copies_into_an_empty_store_only(tmp_path):
    settings = load_settings({"QUARTIERSATLAS_DATA_DIR": str(tmp_path / "daten")})
    edits.adopt_demo(EDITOR, settings)
    assert not settings.uses_demo and settings.store_path.read_bytes() == gpkgfile.DEMO_PATH.read_bytes()
    assert [p.name for p in settings.store_path.parent.iterdir()] == [settings.store_path.name]  # no temp file left
    entry = settings.store().entries("offers").iloc[0]
    settings.store().update(EDITOR, "offers", entry["offer_id"], int(entry["row_version"]), {"name": "geändert"})
    changed_bytes = settings.store_path.read_bytes()
    with pytest.raises(StoreError) as refused:
        edits.adopt_demo(EDITOR, settings)
    assert "schon Daten" in refused.value.text()
    assert settings.store_path.read_bytes() == changed_bytes  # the store's own data are untouched


def test_adopt_demo_never_touches_the_demo_file_itself():
    settings = load_settings({"QUARTIERSATLAS_WORKSPACE": str(gpkgfile.DEMO_PATH)})
    before = gpkgfile.DEMO_PATH.read_bytes()
    with pytest.raises(StoreError):
        edits.adopt_demo(EDITOR, settings)
    assert gpkgfile.DEMO_PATH.read_bytes() == before


@pytest.fixture
def demo_store(tmp_path):
    path = tmp_path / "stadt.gpkg"
    shutil.copy(gpkgfile.DEMO_PATH, path)
    return open_store(path)


def test_history_says_who_changed_what_from_what_to_what(demo_store):
    entry = edits.open_entry(demo_store.entries("offers"), "offers", "O0001")
    demo_store.update(EDITOR, "offers", "O0001", entry.version, {"opening_hours": "Mo 9–12 Uhr", "level": "mitwirkung"})
    demo_store.retire(EDITOR, "offers", "O0001", entry.version + 1, "2026-11-01")
    demo_store.undo_last(EDITOR)
    frame = edits.history_frame(demo_store.history(entry_id="O0001"), "de")
    assert list(frame.columns) == ["Wann", "Wer", "Was", "Eintrag", "Änderung (vorher → nachher)"]
    assert frame["Was"].tolist() == ["rückgängig gemacht", "ausgeschieden (später rückgängig gemacht)", "geändert"]
    assert frame["Wer"].tolist() == ["anna"] * 3
    assert (
        frame.iloc[2, 4]
        == "Beteiligungsstufe: Versorgung → Mitwirkung; Öffnungszeiten: Mo–Do 8–16 Uhr, Fr 8–12 Uhr → Mo 9–12 Uhr"
    )
    assert frame.iloc[1, 4] == "ausgeschieden am: – → 01.11.2026"
    assert frame.iloc[0, 0].count(".") == 2 and ":" in frame.iloc[0, 0]  # 25.11.2026 13:10, local time


def test_a_move_and_an_import_read_plainly(demo_store):
    entry = edits.open_entry(demo_store.entries("offers"), "offers", "O0002")
    spot = edits.lonlat_to_layer(entry.lon + 0.001, entry.lat, demo_store.crs("offers"))
    demo_store.move(EDITOR, "offers", "O0002", entry.version, spot)
    moved = edits.open_entry(demo_store.entries("offers"), "offers", "O0002")
    assert moved.version == entry.version + 1 and moved.lon == pytest.approx(entry.lon + 0.001, abs=1e-5)
    assert edits.change_text(demo_store.history(entry_id="O0002")[0], "en") == "place moved"


def test_entry_labels_mark_retired_entries_and_name_housing_and_cooperations(demo_store):
    demo_store.retire(EDITOR, "offers", "O0003", 1, "2026-11-01")
    labels = edits.entry_labels(demo_store.entries("offers"), "offers", "de")
    assert labels["O0003"] == "Bürgerservice Mönchsweiler-Ost (O0003) – ausgeschieden"
    assert labels["O0001"] == "Bürgerservice Gerberviertel (O0001)"
    assert edits.entry_labels(demo_store.entries("housing").head(1), "housing", "de") == {
        "W00001": "genossenschaftlich, 24 Wohnungen (W00001)"
    }
    coops = edits.entry_labels(demo_store.entries("cooperations").head(1), "cooperations", "de", {"A0001": "Stadtbau"})
    assert coops == {"K0001": "Stadtbau – A0003 (K0001)"}


def test_the_edit_map_is_one_escaped_layer_on_local_assets(demo_store):
    from dashboard.analysis.city import prepare
    from dashboard.maps.karte import prepare_map_data
    from dashboard.store.settings import Settings

    city = prepare(demo_store.read())
    entries = demo_store.entries("offers")
    entries.loc[0, "name"] = "<script>alert(1)</script>"
    points = edits.map_points(entries, "offers", city.bezirke)
    fmap, groups = edits.edit_map(
        prepare_map_data(city),
        city,
        points,
        Settings(demo_store.path, None, ""),
        "de",
        selected=(8.9, 50.6),
        spot=(8.91, 50.61),
    )
    for group in groups:
        group.add_to(fmap)
    page = fmap.get_root().render()
    assert r"\u0026lt;script\u0026gt;alert(1)" in page and "<script>alert(1)" not in page  # escaped, then JSON-encoded
    assert page.count("L.geoJson(") == 2  # the entries and the Bezirk outlines, never a marker per entry
    not_clickable = page.count('"interactive": false') + page.count("interactive: false")  # folium's and ours
    assert not_clickable == 3  # outlines and both rings: a click on them is a click on the map
    assert "cdn" not in page.lower() and "https://" not in page
    assert len(points) == len(entries) and set(points["bezirk"].dropna()) <= set(city.bezirke["area_id"])
