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
import ipaddress
import secrets
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Protocol, TypeAlias

import bcrypt

from dashboard.model.roles import Role, User

#: Keys the default OIDC provider of st.login() needs in [auth].
OIDC_KEYS = ("redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url")
#: bcrypt looks at no more than this many bytes (bcrypt 5 refuses longer passwords).
MAX_PASSWORD_BYTES = 72
IPNetwork: TypeAlias = ipaddress.IPv4Network | ipaddress.IPv6Network


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
class Attempts:
    """Failed sign-ins under one key: how many since the last lockout, how many lockouts, locked until when,
    and when the last failure was (seconds since the epoch: the store shares them between processes)."""

    failures: int = 0
    lockouts: int = 0
    until: float = 0.0
    last: float = 0.0


class Ledger(Protocol):
    """Where the counts live: the store (all instances count together) or this process."""

    def signin_attempts(self, keys: Sequence[str]) -> dict[str, Attempts]: ...

    def record_signin_attempts(self, changes: Mapping[str, Attempts | None], forget_before: float) -> None: ...


class MemoryLedger:
    """Counts in this process only: for a store without its own table, and for tests."""

    def __init__(self) -> None:
        self._records: dict[str, Attempts] = {}
        self._lock = threading.Lock()

    def signin_attempts(self, keys: Sequence[str]) -> dict[str, Attempts]:
        with self._lock:
            return {k: replace(self._records[k]) for k in keys if k in self._records}

    def record_signin_attempts(self, changes: Mapping[str, Attempts | None], forget_before: float) -> None:
        with self._lock:
            for key, attempts in changes.items():
                if attempts is None:
                    self._records.pop(key, None)
                else:
                    self._records[key] = replace(attempts)
            for key in [k for k, a in self._records.items() if max(a.last, a.until) < forget_before]:
                del self._records[key]


@dataclass(frozen=True)
class Limits:
    """How many failures lock what. One attacker must not lock out anyone else, so the lockouts are per user
    name *and* address (a guessed name locks only the guesser) and per address (one address trying many
    names); failures per name from many addresses and failures overall only close the door to addresses that
    have failed before – a correct password from a clean address always gets through."""

    per_name_and_address: int = 5
    per_address: int = 20
    per_name: int = 20
    overall: int = 100
    lockout_s: float = 60.0
    max_lockout_s: float = 3600.0
    #: Failures older than this are forgotten.
    window_s: float = 3600.0


def sign_in_keys(name: str, client: str) -> dict[str, str]:
    """The ledger's keys for one attempt."""
    user = name.strip().lower()
    return {"pair": f"pair:{user}|{client}", "address": f"addr:{client}", "name": f"user:{user}", "all": "all"}


class RateLimiter:
    """Decides whether a sign-in may be tried now, and counts the failures in a ledger.

    Lockouts start at ``lockout_s`` and double with each further one up to ``max_lockout_s``; a success
    clears its name-and-address and its address. ``clock`` is injectable so tests need no waiting.
    Two instances failing at the same moment may count one failure less: a limit, not a ledger of record.
    """

    def __init__(self, ledger: Ledger | None = None, limits: Limits = Limits(), clock: Callable[[], float] = time.time):
        self.ledger = ledger if ledger is not None else MemoryLedger()
        self.limits, self.clock = limits, clock

    def _current(self, keys: Mapping[str, str]) -> dict[str, Attempts]:
        """The records of ``keys`` by role, failures from before the window forgotten."""
        found = self.ledger.signin_attempts(list(keys.values()))
        now = self.clock()
        records = {}
        for role, key in keys.items():
            record = found.get(key, Attempts())
            if now - record.last > self.limits.window_s:
                record.failures = 0
            records[role] = record
        return records

    def wait(self, name: str, client: str) -> float:
        """Seconds until this name may be tried from this address (0: now)."""
        now, limits = self.clock(), self.limits
        records = self._current(sign_in_keys(name, client))
        wait = max(0.0, records["pair"].until - now, records["address"].until - now)
        address_failed = records["address"].failures > 0 or records["address"].until > now
        strained = records["name"].failures >= limits.per_name or records["all"].failures >= limits.overall
        if strained and address_failed:
            wait = max(wait, limits.lockout_s)
        return wait

    def failed(self, name: str, client: str) -> None:
        now, limits = self.clock(), self.limits
        keys = sign_in_keys(name, client)
        records = self._current(keys)
        for role, record in records.items():
            record.failures += 1
            record.last = now
            limit = {"pair": limits.per_name_and_address, "address": limits.per_address}.get(role)
            if limit is not None and record.failures >= limit:
                record.failures = 0
                record.lockouts += 1
                record.until = now + min(limits.lockout_s * 2 ** (record.lockouts - 1), limits.max_lockout_s)
        self.ledger.record_signin_attempts(
            {keys[role]: record for role, record in records.items()}, now - limits.window_s
        )

    def succeeded(self, name: str, client: str) -> None:
        """Clears the name-and-address and the address; writes nothing when neither has failed."""
        keys = sign_in_keys(name, client)
        if not self.ledger.signin_attempts([keys["pair"], keys["address"]]):
            return
        self.ledger.record_signin_attempts(
            {keys["pair"]: None, keys["address"]: None}, self.clock() - self.limits.window_s
        )


def client_address(peer: str | None, forwarded_for: str | None, trusted: Sequence[IPNetwork]) -> str:
    """The browser's address: the peer's, or behind trusted proxies the first untrusted hop of the forwarding
    header read from the right (each proxy appends the address it saw; anything further left may be forged).

    Streamlit reports a peer on this machine as ``None`` (as it sees a proxy on the same host).
    """
    address = peer or "127.0.0.1"
    hops = [hop.strip() for hop in (forwarded_for or "").split(",") if hop.strip()]
    while hops and _within(address, trusted):
        hop = hops.pop()
        if not _valid(hop):
            break
        address = hop
    return address


def _valid(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _within(address: str, networks: Sequence[IPNetwork]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def trusted_proxies(text: str) -> tuple[IPNetwork, ...]:
    """A comma list of addresses or networks (``127.0.0.1, 10.20.0.0/16``); entries that are neither are skipped."""
    networks = []
    for part in text.split(","):
        try:
            networks.append(ipaddress.ip_network(part.strip(), strict=False))
        except ValueError:
            continue
    return tuple(networks)


def sign_in(known: Mapping[str, Account], name: str, password: str, client: str, limiter: RateLimiter) -> User:
    """The user for a correct name and password; raises ``SignInRefused`` otherwise or while locked out."""
    wait_s = limiter.wait(name, client)
    if wait_s > 0:
        raise SignInRefused("locked", wait_s)
    account = known.get(name.strip())
    ok = _matches(password, account.password_hash if account else _dummy_hash()) and account is not None
    if not ok:
        limiter.failed(name, client)
        raise SignInRefused("invalid", limiter.wait(name, client))
    limiter.succeeded(name, client)
    assert account is not None  # ok above implies it
    return User(account.name, account.role, "password")
