"""Every page, signed in where only editors go, and the embedded map: axe-core finds no WCAG 2.1 A/AA
violation in the page or in any of its frames (the maps included). BITV 2.0 asks for WCAG 2.1 AA."""

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from dashboard.store import gpkgfile
from tests.support.axe import assert_no_violations, violations
from tests.support.paths import SERVER
from tests.support.serving import editor_secrets, running_streamlit, sign_in, wait_idle

#: Narrower, the side column's tables scroll sideways with nothing to focus (scrollable-region-focusable).
VIEWPORT = {"width": 1400, "height": 1100}
#: A planned offer for seniors in the demo city's centre, as a shared link carries it.
PLANNED_OFFER = "8.912,50.59,begegnung,senioren,mitwirkung,20"
#: page → (path and query, whether it shows a map); the Lückenanalyse with a group and a planned offer.
PAGES = {
    "karte": ("/", True),
    "luecken": (f"/luecken?g=senioren&s={PLANNED_OFFER}", True),  # checked below: the offer is on the page
    "akteure": ("/akteure", True),
    "standorte": ("/standorte", True),
    "profil": ("/profil?gebiet=0101", True),
    "vergleich": ("/vergleich", False),
    "quellen": ("/quellen", False),
    "ansichten": ("/ansichten", False),
    "barrierefreiheit": ("/barrierefreiheit", False),
    "anmelden": ("/anmelden", False),
    "embed": ("/?embed=true&view=embed&p=karte&l=bezirke,choropleth", True),
}
#: Pages only editors see → (their link in the sidebar, whether they show a map).
EDITOR_PAGES = {"daten": ("Daten laden", False), "pflege": ("Einträge pflegen", True)}


@pytest.fixture(scope="module")
def a11y_app(tmp_path_factory, artifacts_dir: Path) -> Iterator[str]:
    """One app for the module on a copy of the demo city (Pflege edits no demo), with an editor account in a
    secrets file of its own (never the project's)."""
    folder = tmp_path_factory.mktemp("a11y")
    store_path = Path(shutil.copy(gpkgfile.DEMO_PATH, folder / "quartiersatlas.gpkg"))
    secrets = editor_secrets(folder / "secrets.toml")
    env = {"QUARTIERSATLAS_WORKSPACE": str(store_path), "STREAMLIT_SECRETS_FILES": str(secrets)}
    with running_streamlit(SERVER, artifacts_dir / "streamlit-a11y.log", env) as url:
        yield url


def _check(page, has_map: bool, wait_for_map) -> None:
    if has_map:
        wait_for_map(page, ".leaflet-container")
    wait_idle(page)
    assert_no_violations(page)


@pytest.mark.parametrize("name", PAGES)
def test_page_has_no_wcag_violations(a11y_app, page, wait_for_map, name):
    path, has_map = PAGES[name]
    page.set_viewport_size(VIEWPORT)
    page.goto(a11y_app + path)
    if name == "luecken":
        expect(
            page.get_by_test_id("stAlert").filter(has_text=re.compile(r"Szenario: 1 geplantes Angebot"))
        ).to_be_visible()
    _check(page, has_map, wait_for_map)


@pytest.mark.browser_context_args(has_touch=True, is_mobile=True, viewport={"width": 390, "height": 844})
@pytest.mark.parametrize("name", ["karte", "luecken", "profil"])
def test_shared_link_on_a_phone_has_no_wcag_violations(a11y_app, page, wait_for_map, save_artifact, name):
    """The pages councillors get as links, on a phone: the collapsed sidebar, stacked columns, tables wider than
    the screen (the Karte with a Quartier chosen)."""
    path = {"karte": "/?sel=0101", "luecken": PAGES["luecken"][0], "profil": PAGES["profil"][0]}[name]
    page.goto(a11y_app + path)
    wait_for_map(page, ".leaflet-container")
    expect(page.get_by_test_id("stSidebar")).to_be_hidden()
    _check(page, True, wait_for_map)
    save_artifact(page, f"a11y-phone-{name}")


@pytest.mark.parametrize("name", EDITOR_PAGES)
def test_editor_page_has_no_wcag_violations(a11y_app, page, wait_for_map, name):
    """Signed in in this browser session: a new address would open a new one, so the sidebar leads there."""
    link, has_map = EDITOR_PAGES[name]
    page.set_viewport_size(VIEWPORT)
    sign_in(page, a11y_app)
    page.get_by_test_id("stSidebar").locator(".st-key-app_nav").get_by_text(link).click()
    _check(page, has_map, wait_for_map)


def test_the_map_frame_may_be_zoomed_and_axe_looks_inside_it(a11y_app, page, wait_for_map):
    """Pinch zoom is not forbidden in the map's own page (axe judges only the top page's viewport); and the
    check itself: an unnamed button put into the map's frame is found and located there."""
    page.set_viewport_size(VIEWPORT)
    page.goto(a11y_app)
    frame = wait_for_map(page, ".leaflet-container")
    wait_idle(page)
    viewports = frame.evaluate("() => [...document.querySelectorAll('meta[name=viewport]')].map(m => m.content)")
    assert viewports and not [v for v in viewports if "user-scalable" in v or "maximum-scale" in v], viewports

    frame.evaluate("() => document.body.append(document.createElement('button'))")
    found = violations(page)
    assert len(found) == 1, "\n".join(map(str, found))
    [found] = found
    assert (found.rule, found.impact) == ("button-name", "critical")
    [target] = found.targets
    assert target.startswith("iframe") and " >> button" in target, target
