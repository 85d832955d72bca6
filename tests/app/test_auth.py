"""Editor sign-in: bcrypt accounts from secrets, no default password, rate limit, OIDC editors, the hash CLI
and the page."""

import io
import re
import subprocess
from pathlib import Path

import bcrypt
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import cli
from dashboard.model import auth
from dashboard.model.roles import Role
from dashboard.web import signin
from tests.support.paths import APP

PASSWORD = "Korrekt Pferd Batterie"


@pytest.fixture(scope="module")
def secrets() -> dict:
    """An [auth] section with one editor account whose hash the test makes itself (cheap rounds)."""
    password_hash = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(rounds=4)).decode()
    return {"accounts": {"anna": {"password_hash": password_hash, "role": "editor"}}}


class Clock:
    """A clock the test moves by hand, so the lockout needs no waiting."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _sign_in(secrets, name, password, limiter, client="10.0.0.1"):
    return auth.sign_in(auth.accounts(secrets), name, password, client, limiter)


def test_right_password_signs_in_as_editor(secrets):
    user = _sign_in(secrets, "anna", PASSWORD, auth.RateLimiter())
    assert (user.name, user.role, user.via) == ("anna", Role.EDITOR, "password")


@pytest.mark.parametrize(
    ("name", "password"), [("anna", "falsch"), ("anna", ""), ("bernd", PASSWORD), ("anna", PASSWORD + "x" * 80)]
)
def test_wrong_password_or_unknown_user_is_refused(secrets, name, password):
    with pytest.raises(auth.SignInRefused) as refused:
        _sign_in(secrets, name, password, auth.RateLimiter())
    assert refused.value.reason == "invalid"


@pytest.mark.parametrize(
    "section",
    [
        {},
        {"accounts": {}},
        {"accounts": {"x": {"password_hash": "geheim", "role": "editor"}}},
        {"accounts": {"x": {"role": "editor"}}},
    ],
)
def test_without_usable_accounts_nobody_can_sign_in(section):
    assert auth.accounts(section) == {}
    for name, password in [("x", "geheim"), ("admin", "admin"), ("", "")]:
        with pytest.raises(auth.SignInRefused):
            _sign_in(section, name, password, auth.RateLimiter())


def test_account_with_unknown_role_is_ignored(secrets):
    entry = {**secrets["accounts"]["anna"], "role": "admin"}
    assert auth.accounts({"accounts": {"anna": entry}}) == {}


def _fail(secrets, limiter, name="anna", client="10.0.0.1", times=1):
    for _ in range(times):
        with pytest.raises(auth.SignInRefused):
            _sign_in(secrets, name, "falsch", limiter, client)


def test_lockout_after_five_failures_grows_and_ends(secrets):
    clock = Clock()
    limiter = auth.RateLimiter(clock=clock)
    _fail(secrets, limiter, times=4)
    with pytest.raises(auth.SignInRefused) as fifth:
        _sign_in(secrets, "anna", "falsch", limiter)
    assert fifth.value.wait_s == 60
    with pytest.raises(auth.SignInRefused) as locked:
        _sign_in(secrets, "anna", PASSWORD, limiter)  # even the right password waits
    assert locked.value.reason == "locked"
    with pytest.raises(auth.SignInRefused, match="locked"):
        _sign_in(secrets, "ANNA ", PASSWORD, limiter)  # the same name, however written
    clock.now += 60
    _fail(secrets, limiter, times=5)
    assert limiter.wait("anna", "10.0.0.1") == 120  # the second lockout lasts twice as long
    clock.now += 120
    assert _sign_in(secrets, "anna", PASSWORD, limiter).role is Role.EDITOR
    assert limiter.wait("anna", "10.0.0.1") == 0


def test_a_guessed_name_locks_only_the_guesser_not_the_person(secrets):
    """The reproduction: five wrong passwords for a name locked every editor out. Now only the guesser waits."""
    limiter = auth.RateLimiter(clock=Clock())
    _fail(secrets, limiter, client="203.0.113.7", times=5)
    with pytest.raises(auth.SignInRefused, match="locked"):
        _sign_in(secrets, "anna", PASSWORD, limiter, client="203.0.113.7")
    assert _sign_in(secrets, "anna", PASSWORD, limiter, client="10.0.0.1").name == "anna"


def test_one_address_trying_many_names_is_locked_others_are_not(secrets):
    limiter = auth.RateLimiter(clock=Clock())
    for n in range(20):
        _fail(secrets, limiter, name=f"name{n}", client="203.0.113.7")
    with pytest.raises(auth.SignInRefused, match="locked"):
        _sign_in(secrets, "anna", PASSWORD, limiter, client="203.0.113.7")
    assert _sign_in(secrets, "anna", PASSWORD, limiter, client="10.0.0.2").name == "anna"


@pytest.mark.parametrize("attack", ["one name", "everyone"])
def test_under_a_spread_attack_only_addresses_that_failed_wait(secrets, attack):
    """Many addresses, one failure each (below every per-address limit): past the cap for the name (or overall),
    an address that has failed waits; a correct password from a clean address still gets in."""
    limits = auth.Limits(per_name=20, overall=30)
    limiter = auth.RateLimiter(limits=limits, clock=Clock())
    for n in range(limits.per_name if attack == "one name" else limits.overall):
        _fail(secrets, limiter, name="anna" if attack == "one name" else f"name{n}", client=f"198.51.100.{n}")
    with pytest.raises(auth.SignInRefused, match="locked"):
        _sign_in(secrets, "anna", PASSWORD, limiter, client="198.51.100.1")
    assert _sign_in(secrets, "anna", PASSWORD, limiter, client="10.0.0.1").name == "anna"


def test_failures_are_forgotten_after_the_window_and_a_success_clears_its_address(secrets):
    clock = Clock()
    limiter = auth.RateLimiter(clock=clock)
    _fail(secrets, limiter, times=4)
    clock.now += auth.Limits().window_s + 1
    _fail(secrets, limiter, times=4)  # 4 + 4, but the first four are forgotten: not locked
    assert _sign_in(secrets, "anna", PASSWORD, limiter).name == "anna"
    assert limiter.ledger.signin_attempts(["pair:anna|10.0.0.1", "addr:10.0.0.1"]) == {}


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        ("203.0.113.7", "1.2.3.4", "203.0.113.7"),  # not from a trusted proxy: the header is ignored
        (None, "203.0.113.7", "203.0.113.7"),  # the proxy on this machine (Streamlit reports it as None)
        (None, "1.2.3.4, 203.0.113.7", "203.0.113.7"),  # what the browser wrote itself stays unread
        (None, "203.0.113.7, 10.1.2.3", "203.0.113.7"),  # through the city's proxy and then ours
        (None, "kaputt, 203.0.113.7", "203.0.113.7"),
        (None, "203.0.113.7, kaputt", "127.0.0.1"),  # a trusted proxy wrote garbage: no address taken from it
        (None, None, "127.0.0.1"),
    ],
)
def test_the_client_address_comes_from_the_forwarding_header_of_trusted_proxies_only(peer, forwarded, client):
    trusted = auth.trusted_proxies("127.0.0.1, ::1, 10.0.0.0/8, kein-netz")
    assert len(trusted) == 3
    assert auth.client_address(peer, forwarded, trusted) == client


def test_oidc_needs_every_key_and_editors_are_listed_by_email():
    section = {key: "x" for key in auth.OIDC_KEYS} | {"editors": ["Anna@Example.org"]}
    assert auth.oidc_configured(section)
    assert not auth.oidc_configured({k: v for k, v in section.items() if k != "client_secret"})
    assert auth.oidc_user("anna@example.org", True, section).role is Role.EDITOR
    assert auth.oidc_user("anna@example.org", False, section).role is Role.VIEWER  # unverified address
    assert auth.oidc_user("rat@example.org", None, section).role is Role.VIEWER
    assert auth.oidc_user(None, None, section).role is Role.VIEWER


def test_hash_password_cli_round_trip(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert cli.main(["hash-password"]) == 0
    out, err = capsys.readouterr()
    password_hash = out.strip()
    assert bcrypt.checkpw(PASSWORD.encode(), password_hash.encode())
    assert "[auth.accounts.<name>]" in err
    assert auth.accounts({"accounts": {"anna": {"password_hash": password_hash, "role": "editor"}}})


def test_hash_password_cli_refuses_an_empty_password(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("\n"))
    assert cli.main(["hash-password", "--lang", "en"]) == 2
    assert "1 to 72 bytes" in capsys.readouterr().err


def test_no_password_hash_in_the_repository():
    """No default account: no file git would commit holds a bcrypt hash, and the secrets file is ignored."""
    root = Path(APP).parent
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    full_hash = re.compile(r"\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}")
    texts = [
        (root / name).read_text(encoding="utf-8", errors="ignore")
        for name in listed.stdout.splitlines()
        if Path(name).suffix in {".py", ".toml", ".md", ".txt", ".cfg", ".ini"} and (root / name).is_file()
    ]
    assert len(texts) > 20
    assert not [text[:80] for text in texts if full_hash.search(text)]
    assert ".streamlit/secrets.toml" in (root / ".gitignore").read_text().splitlines()


@pytest.fixture
def signin_page(secrets):
    """The Anmelden page with the account in its secrets; the shared rate limiter starts clean."""
    signin.limiter.clear()
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = secrets
    at.run()
    at.switch_page("pages/anmelden.py").run()
    assert not at.exception
    yield at
    signin.limiter.clear()


def _submit(at, name, password):
    at.text_input(key="sign_in_name").input(name)
    at.text_input(key="sign_in_password").input(password)
    at.button[0].click().run()
    assert not at.exception


def test_page_signs_an_editor_in_and_out(signin_page):
    assert signin_page.title[0].value == "Anmelden"
    assert [c.value for c in signin_page.sidebar.caption] == ["Ratsansicht – nur lesen"]
    _submit(signin_page, "anna", PASSWORD)
    assert [s.value for s in signin_page.success] == ["Angemeldet als anna (Bearbeitung)"]
    signin_page.switch_page("pages/karte.py").run()
    assert "Angemeldet als anna (Bearbeitung)" in [c.value for c in signin_page.sidebar.caption]
    signin_page.switch_page("pages/anmelden.py").run()
    signin_page.button(key="sign_out").click().run()
    assert signin_page.text_input(key="sign_in_name")
    assert [c.value for c in signin_page.sidebar.caption] == ["Ratsansicht – nur lesen"]


def test_page_refuses_wrong_passwords_and_locks(signin_page):
    _submit(signin_page, "anna", "falsch")
    assert [e.value for e in signin_page.error] == ["Benutzername oder Passwort ist falsch."]
    for _ in range(4):
        _submit(signin_page, "anna", "falsch")
    assert (
        signin_page.error[0].value
        == "Zu viele Fehlversuche. Bitte warten Sie 60 Sekunden und versuchen Sie es dann erneut."
    )
    _submit(signin_page, "anna", PASSWORD)
    assert not signin_page.success and "Zu viele Fehlversuche" in signin_page.error[0].value


def test_page_without_accounts_says_sign_in_is_not_set_up():
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("pages/anmelden.py").run()
    assert not at.exception
    assert "keine Anmeldung eingerichtet" in at.info[0].value
    assert not at.text_input


def test_page_offers_single_sign_on_when_configured(secrets):
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = {key: "x" for key in auth.OIDC_KEYS}
    at.run()
    at.switch_page("pages/anmelden.py").run()
    assert not at.exception
    assert at.button(key="sign_in_oidc").label == "Mit Single Sign-on anmelden"
    assert not at.text_input
