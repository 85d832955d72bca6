"""Editor sign-in: password accounts from secrets, OIDC settings, and a limit on attempts.

Secrets (``.streamlit/secrets.toml``, never committed)::

    [auth.accounts.anna]
    password_hash = "$2b$12$..."   # python -m dashboard hash-password
    role = "editor"

    [auth]                          # optional: sign-in with any OIDC provider via st.login()
    redirect_uri = "https://atlas.example.org/oauth2callback"
    cookie_secret = "..."
    client_id = "..."
    client_secret = "..."
    server_metadata_url = "https://idp.example.org/.well-known/openid-configuration"
    editors = ["anna@example.org"]  # e-mail addresses that get the editor role

There is no default account or password: without accounts nobody can sign in with a password.
No Streamlit here, so the rules can be tested without a running app.
"""

from __future__ import annotations

import functools
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import bcrypt

from dashboard.model.roles import Role, User

#: Keys the default OIDC provider of st.login() needs in [auth].
OIDC_KEYS = ("redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url")
#: bcrypt looks at no more than this many bytes (bcrypt 5 refuses longer passwords).
MAX_PASSWORD_BYTES = 72


@dataclass(frozen=True)
class Account:
    """A password account as configured in secrets."""

    name: str
    password_hash: bytes
    role: Role


class SignInRefused(Exception):
    """Sign-in failed; ``reason`` is an i18n key suffix (invalid, locked), ``wait_s`` the lockout left."""

    def __init__(self, reason: str, wait_s: float = 0.0):
        super().__init__(reason)
        self.reason = reason
        self.wait_s = wait_s


def _is_bcrypt_hash(value: object) -> bool:
    return isinstance(value, str) and value.startswith(("$2a$", "$2b$", "$2y$")) and len(value) == 60


def accounts(auth: Mapping) -> dict[str, Account]:
    """The usable password accounts of the [auth] section; entries without a bcrypt hash or a known role are ignored."""
    found = {}
    for name, entry in (auth.get("accounts") or {}).items():
        role = entry.get("role")
        if _is_bcrypt_hash(entry.get("password_hash")) and role in {r.value for r in Role}:
            found[name] = Account(name, entry["password_hash"].encode(), Role(role))
    return found


def oidc_configured(auth: Mapping) -> bool:
    """Whether [auth] holds everything st.login() needs for its default provider."""
    return all(auth.get(key) for key in OIDC_KEYS)


def oidc_user(email: str | None, email_verified: bool | None, auth: Mapping) -> User:
    """The user behind an OIDC login: editor when the (verified) e-mail is listed in [auth] editors."""
    editors = {e.strip().lower() for e in auth.get("editors", [])}
    is_editor = bool(email) and email_verified is not False and (email or "").strip().lower() in editors
    return User(email or "", Role.EDITOR if is_editor else Role.VIEWER, "oidc")


def hash_password(password: str) -> str:
    """A bcrypt hash to paste into secrets; refuses empty and over-long passwords."""
    data = password.encode()
    if not data or len(data) > MAX_PASSWORD_BYTES:
        raise ValueError(f"Das Passwort muss 1 bis {MAX_PASSWORD_BYTES} Bytes lang sein.")
    return bcrypt.hashpw(data, bcrypt.gensalt()).decode()


@functools.cache
def _dummy_hash() -> bytes:
    """A hash of a random secret, checked for unknown names so they take as long as known ones."""
    return bcrypt.hashpw(secrets.token_bytes(16), bcrypt.gensalt())


def _matches(password: str, password_hash: bytes) -> bool:
    """bcrypt's own constant-time comparison; an over-long password costs the same and never matches."""
    data = password.encode()
    return bcrypt.checkpw(data[:MAX_PASSWORD_BYTES], password_hash) and len(data) <= MAX_PASSWORD_BYTES


@dataclass
class _Record:
    failures: int = 0
    lockouts: int = 0
    until: float = 0.0


class RateLimiter:
    """Locks a key (a user name, a client) after ``max_failures`` failed attempts.

    The lockout starts at ``lockout_s`` and doubles with each further lockout up to
    ``max_lockout_s``; a success clears the key. In-process and shared by all sessions;
    ``clock`` is injectable so tests need no waiting.
    """

    def __init__(
        self,
        max_failures: int = 5,
        lockout_s: float = 60.0,
        max_lockout_s: float = 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.max_failures, self.lockout_s, self.max_lockout_s, self.clock = (
            max_failures,
            lockout_s,
            max_lockout_s,
            clock,
        )
        self._records: dict[str, _Record] = {}
        self._lock = threading.Lock()

    def wait(self, *keys: str) -> float:
        """Seconds until all ``keys`` may try again (0: now)."""
        now = self.clock()
        with self._lock:
            return max([0.0, *(self._records[k].until - now for k in keys if k in self._records)])

    def failed(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                record = self._records.setdefault(key, _Record())
                record.failures += 1
                if record.failures >= self.max_failures:
                    record.failures = 0
                    record.lockouts += 1
                    record.until = self.clock() + min(self.lockout_s * 2 ** (record.lockouts - 1), self.max_lockout_s)

    def succeeded(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._records.pop(key, None)


def sign_in(known: Mapping[str, Account], name: str, password: str, client: str, limiter: RateLimiter) -> User:
    """The user for a correct name and password; raises ``SignInRefused`` otherwise or while locked out."""
    keys = (f"user:{name.strip().lower()}", f"client:{client}")
    wait_s = limiter.wait(*keys)
    if wait_s > 0:
        raise SignInRefused("locked", wait_s)
    account = known.get(name.strip())
    ok = _matches(password, account.password_hash if account else _dummy_hash()) and account is not None
    if not ok:
        limiter.failed(*keys)
        raise SignInRefused("invalid", limiter.wait(*keys))
    limiter.succeeded(*keys)
    assert account is not None  # ok above implies it
    return User(account.name, account.role, "password")
