"""Every page opens at its own address in a fresh browser, and a viewer's sidebar never names an editor-only page.

Because ``pages/`` exists, Streamlit serves the first session after a server start in its legacy
pages-folder mode (see ``dashboard/web/entry.py``), which would list every file of ``pages/``; so one
test starts a server of its own and is its first session. The sidebar is recorded from the start of
the navigation by a MutationObserver (``RECORDER``): every state of it the browser could paint,
not only the last one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import bcrypt
import pytest
from playwright.sync_api import expect

from tests.support.paths import SERVER
from tests.support.serving import running_streamlit

PASSWORD = "Korrekt Pferd Batterie"
SLOW = 60_000  # a first page of a new server on a busy two-core machine
#: Path → the page's own title (h1); a viewer on an editor-only page gets its title and a sign-in hint.
PAGES = {
    "": r"^Karte: ",
    "luecken": r"^Lückenanalyse: ",
    "standorte": r"^Standortplanung: ",
    "akteure": r"^Akteure & Netzwerk: ",
    "profil": r"^Quartiersprofil: ",
    "vergleich": r"^Vergleich: ",
    "quellen": r"^Daten & Quellen$",
    "anmelden": r"^Anmelden$",
    "daten": r"^Eigene Daten laden – ",
    "pflege": r"^Einträge pflegen$",
}
EDITOR_ONLY = {"daten": "Daten laden", "pflege": "Einträge pflegen"}  # path → name in the navigation
#: Legacy mode names the files (``daten``, ``pflege``), the app names the pages; links end in their paths.
EDITOR_NAMES = re.compile(r"\bdaten\b|\bpflege\b|Daten laden|Einträge pflegen")
#: Records each new text (and link targets) of the sidebar, from before the first byte of the page on.
RECORDER = """
window.__sidebar = [];
new MutationObserver(() => {
  const bar = document.querySelector('[data-testid="stSidebar"]');
  if (!bar) return;
  const links = [...bar.querySelectorAll('a[href]')].map((a) => a.getAttribute('href'));
  const seen = `${bar.textContent} ${links.join(' ')}`;
  if (window.__sidebar[window.__sidebar.length - 1] !== seen) window.__sidebar.push(seen);
}).observe(document, {childList: true, subtree: true, characterData: true, attributes: true});
"""


def _secrets(folder: Path) -> dict[str, str]:
    """One editor account (anna) in a secrets file of its own (never the project's), as server environment."""
    password_hash = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(rounds=4)).decode()
    secrets = folder / "secrets.toml"
    secrets.write_text(f'[auth.accounts.anna]\npassword_hash = "{password_hash}"\nrole = "editor"\n', encoding="utf-8")
    return {"STREAMLIT_SECRETS_FILES": str(secrets)}


@pytest.fixture(scope="module")
def editing_app(tmp_path_factory, artifacts_dir: Path) -> Iterator[str]:
    """The demo city with an editor account."""
    env = _secrets(tmp_path_factory.mktemp("routing"))
    with running_streamlit(SERVER, artifacts_dir / "streamlit-routing.log", env) as url:
        yield url


def _idle(page) -> None:
    expect(page.get_by_test_id("stApp")).to_have_attribute("data-test-script-state", "notRunning", timeout=SLOW)


def _open(page, url: str, path: str) -> None:
    """Open ``path`` with the sidebar recorder; return once its title shows and the app is idle."""
    page.add_init_script(RECORDER)
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(f"{url}/{path}")
    heading = page.get_by_role("heading", level=1, name=re.compile(PAGES[path]))
    expect(heading).to_be_visible(timeout=SLOW)
    expect(_nav(page).get_by_role("link").first).to_be_visible(timeout=SLOW)  # it may come after the page
    _idle(page)
    expect(heading).to_be_visible()


def _sidebar_history(page) -> list[str]:
    history = page.evaluate("window.__sidebar")
    assert any("Lückenanalyse" in seen for seen in history), history  # the recorder did see the navigation
    return history


def _nav(page):
    return page.get_by_test_id("stSidebar").locator(".st-key-app_nav")


@pytest.mark.parametrize("path", list(PAGES))
def test_every_page_opens_at_its_address(app_server, page, path):
    _open(page, app_server, path)
    assert urlsplit(page.url).path == f"/{path}"
    expect(page.locator("html")).to_have_attribute("lang", "de")  # Streamlit's own page says "en"
    expect(page.get_by_text("Page not found")).to_have_count(0)
    if path in EDITOR_ONLY:  # a viewer: what the page is for and the way to sign in, nothing of its work
        expect(page.get_by_text(re.compile("Bearbeiter:innen")).first).to_be_visible()
        expect(page.get_by_test_id("stMain").get_by_role("link", name=re.compile("Anmeld"))).to_be_visible()
    assert not [seen for seen in _sidebar_history(page) if EDITOR_NAMES.search(seen)]


def test_the_page_language_follows_the_ui_language(app_server, page):
    page.goto(f"{app_server}/luecken?lang=en")
    _idle(page)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1, name=re.compile("^Gap analysis"))).to_be_visible()
    expect(page.get_by_test_id("stCaptionContainer").first).to_have_css("color", "rgb(75, 85, 96)")  # 7.6:1 on white


@pytest.mark.parametrize("path", ["", "anmelden", "daten"])
def test_first_session_after_start_shows_a_viewer_no_editor_page(tmp_path, artifacts_dir, page, path):
    """The first session after a server start is Streamlit's legacy mode: same addresses, same sidebar."""
    log = artifacts_dir / f"streamlit-routing-first-{path or 'karte'}.log"
    with running_streamlit(SERVER, log, _secrets(tmp_path)) as url:
        _open(page, url, path)
        assert urlsplit(page.url).path == f"/{path}"
        expect(page.get_by_text("Page not found")).to_have_count(0)
        history = _sidebar_history(page)
    assert not [seen for seen in history if EDITOR_NAMES.search(seen)]


def test_an_editor_sees_and_opens_the_editor_pages(editing_app, page):
    _open(page, editing_app, "daten")  # signed out: the way to sign in
    page.get_by_test_id("stMain").get_by_role("link", name=re.compile("Anmeld")).click()
    expect(page).to_have_url(re.compile(r"/anmelden$"), timeout=SLOW)
    page.get_by_label("Benutzername").fill("anna")
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_text("Angemeldet als anna (Bearbeitung)").first).to_be_visible(timeout=SLOW)
    for path, name in EDITOR_ONLY.items():
        _nav(page).get_by_role("link", name=re.compile(re.escape(name))).click()
        expect(page.get_by_role("heading", level=1, name=re.compile(PAGES[path]))).to_be_visible(timeout=SLOW)
        _idle(page)
        assert urlsplit(page.url).path == f"/{path}"
        expect(page.get_by_text(re.compile("Bearbeiter:innen"))).to_have_count(0)  # no viewer's hint
    assert any(EDITOR_NAMES.search(seen) for seen in _sidebar_history(page))
