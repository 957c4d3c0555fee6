"""The tracking server's login gate: what a request's credentials must look like before MLflow
sees them, and how many failed logins a user name or a client address gets.

`LoginGate` is WSGI middleware in front of MLflow's basic-auth app:

1. A request that carries an `Authorization` header gets past it only with well-formed HTTP
   Basic credentials (`parse_basic_authorization`): anything else (another scheme such as
   `Bearer`, bad base64, no colon, not UTF-8, control characters, an oversized value) is
   answered 401 here, cheaply. MLflow answered some of these with a 500 and a traceback (its
   credential cache hashes `None`). A request without the header goes on to MLflow, which asks
   for credentials itself.
2. Failed logins are throttled before any password is hashed: per user name and per client
   address (`client_address`: the load balancer's X-Forwarded-For hop), each with a budget of
   failures that refills over a window (`FailureThrottle`, a GCRA). Over budget, the answer is
   429 with `Retry-After`, costing no hash and no database query. A password check books its
   failure before hashing, atomically with the budget check, and is refunded when the password
   was right: concurrent attempts cannot overshoot a budget. Credentials this worker has
   seen succeed recently skip the throttle (they cost no hash either: MLflow's credential cache
   serves them), so a flood against `admin` does not lock out the admin's running clients.
3. Password hashing (~150-200 ms of CPU each) is bounded: at most MLFLOW_AUTH_MAX_CONCURRENT_
   HASHES at a time in the whole task (`HashSlots`); a request that finds none free within
   HASH_WAIT_SECONDS gets 429 `Retry-After: 1`, so other traffic keeps CPU.

The throttle's state and the hash slots are shared by all workers of a task: a memfd the
entrypoint creates before exec (`create_shared_state`), mapped by every worker, guarded by
fcntl record locks (which the kernel drops when a process dies, so a killed worker cannot wedge
the others). Several tasks each keep their own: with N tasks a user name gets up to N budgets.

Standard library only.
"""

from __future__ import annotations

import base64
import binascii
import contextvars
import fcntl
import hashlib
import hmac
import ipaddress
import math
import mmap
import os
import re
import secrets
import struct
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

#: Longest base64 credential accepted (user names are <= 255 characters in MLflow's schema;
#: this leaves room for long generated passwords).
MAX_CREDENTIAL_CHARS = 4096
# Basic's token: base64 characters with padding, nothing else.
_TOKEN_RE = re.compile(r"^[A-Za-z0-9+/]+={0,2}$")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")

#: Paths that never need credentials (the ALB's health check).
UNCHECKED_PATHS = frozenset({"/health", "/version"})
UNAUTHORIZED_BODY = (
    b"You are not authenticated: send HTTP Basic credentials (user name and password).\n"
)

#: Set by the entrypoint for gunicorn: the file descriptor of the shared throttle state.
STATE_VARIABLE = "MLFLOW_LOGIN_STATE_FD"
#: How long a request waits for a free hash slot before it is told to retry.
HASH_WAIT_SECONDS = 0.5
#: How long a worker remembers credentials that succeeded (a throttle bypass hint only: the
#: request still goes through MLflow's authentication).
KNOWN_GOOD_SECONDS = 900.0
KNOWN_GOOD_MAX = 10_000

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def parse_basic_authorization(value: str) -> tuple[str, str] | None:
    """(user name, password) of a well-formed `Basic` Authorization header value, else None.

    Well-formed: scheme `Basic` (any case), one base64 token with correct padding, decoding to
    UTF-8 `user:password` with a non-empty user name, a non-empty password and no control
    characters in the user name. Werkzeug (what MLflow reads) parses every such value to the
    same pair.
    """
    scheme, _, token = value.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "basic" or not token or len(token) > MAX_CREDENTIAL_CHARS:
        return None
    if not _TOKEN_RE.match(token):
        return None
    try:
        decoded = base64.b64decode(token, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    username, colon, password = decoded.partition(":")
    if not colon or not username or not password or _CONTROL_RE.search(username):
        return None
    return username, password


def client_address(environ: Mapping[str, Any]) -> str:
    """The client's address as the load balancer saw it.

    The ALB appends the address of the peer it accepted the connection from as the *last*
    entry of X-Forwarded-For (whatever the client put before it is the client's own claim).
    gunicorn's REMOTE_ADDR is always the socket peer, i.e. the ALB node (forwarded_allow_ips
    only decides which peers may set the scheme and SCRIPT_NAME/PATH_INFO headers), so it is
    the fallback for requests that did not come through the ALB (tests, `make local`). Only
    the ALB can reach a task (security group), so a client cannot skip the append. IPv6 clients
    are counted per /64 (one host commonly has a whole /64 to pick from).
    """
    forwarded = str(environ.get("HTTP_X_FORWARDED_FOR", ""))
    last_hop = forwarded.rsplit(",", 1)[-1].strip() if forwarded else ""
    for candidate in (last_hop, str(environ.get("REMOTE_ADDR", ""))):
        try:
            ip = ipaddress.ip_address(candidate)
        except ValueError:
            continue
        if isinstance(ip, ipaddress.IPv6Address):
            if ip.ipv4_mapped is not None:
                return str(ip.ipv4_mapped)
            return str(ipaddress.IPv6Network(f"{ip}/64", strict=False))
        return str(ip)
    return "unknown"


# --- the shared state ----------------------------------------------------------------------

_MAGIC = b"MLFLOGN1"
_HEADER = struct.Struct("<8sI16s")  # magic, slot count, salt
_RECORD = struct.Struct("<16sd")  # key digest, GCRA "theoretical arrival time"
_TABLE_LOCK_BYTE = 0  # fcntl lock on this byte guards the table
_HASH_SLOT_BYTES = range(1, 65)  # fcntl locks on these bytes are the hash slots
_RECORDS_AT = 128
_PROBES = 8
DEFAULT_SLOTS = 32768


def create_shared_state(slots: int = DEFAULT_SLOTS) -> dict[str, str]:
    """Create the task's throttle state (an anonymous memory file that survives exec) and
    return the environment entry that tells the workers where it is. In the entrypoint."""
    fd = os.memfd_create("mlflow-login-state", 0)  # no MFD_CLOEXEC: gunicorn inherits it
    os.ftruncate(fd, _RECORDS_AT + slots * _RECORD.size)
    os.pwrite(fd, _HEADER.pack(_MAGIC, slots, secrets.token_bytes(16)), 0)
    os.set_inheritable(fd, True)
    return {STATE_VARIABLE: str(fd)}


class SharedState:
    """A worker's view of the shared state: the memory map plus the locks."""

    def __init__(self, fd: int) -> None:
        magic, self.slots, self.salt = _HEADER.unpack(os.pread(fd, _HEADER.size, 0))
        if magic != _MAGIC:
            raise ValueError(f"file descriptor {fd} is not the login throttle's state")
        self.fd = fd
        self.map = mmap.mmap(fd, _RECORDS_AT + self.slots * _RECORD.size)
        self._thread_lock = threading.Lock()

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> SharedState:
        value = environ.get(STATE_VARIABLE)
        if not value:
            raise RuntimeError(
                f"{STATE_VARIABLE} is not set: start the server through entrypoint.py"
            )
        return cls(int(value))

    def locked(self) -> _TableLock:
        return _TableLock(self)


class _TableLock:
    """The table's lock: a thread lock (fcntl locks are per process, so threads of one worker
    would share one) and then an fcntl lock on one byte (across the task's workers)."""

    def __init__(self, state: SharedState) -> None:
        self.state = state

    def __enter__(self) -> mmap.mmap:
        self.state._thread_lock.acquire()
        try:
            fcntl.lockf(self.state.fd, fcntl.LOCK_EX, 1, _TABLE_LOCK_BYTE, os.SEEK_SET)
        except BaseException:
            self.state._thread_lock.release()
            raise
        return self.state.map

    def __exit__(self, *exc: object) -> None:
        try:
            fcntl.lockf(self.state.fd, fcntl.LOCK_UN, 1, _TABLE_LOCK_BYTE, os.SEEK_SET)
        finally:
            self.state._thread_lock.release()


@dataclass(frozen=True)
class Budget:
    """`limit` failures, refilled evenly over `window_seconds` (a GCRA: a burst of `limit`,
    then one more every window/limit seconds; a window without failures restores it all)."""

    limit: int
    window_seconds: float

    @property
    def interval(self) -> float:
        return self.window_seconds / self.limit

    @property
    def tolerance(self) -> float:
        return self.window_seconds - self.interval


class FailureThrottle:
    """Failed-login budgets per key (("user", name), ("address", ip)) in the shared table.

    Each key holds one number, its GCRA time `tat` (no entry = `tat` in the past). A failure
    moves it to max(tat, now) + interval; a key is over budget while tat - now > tolerance, and
    may try again after that difference minus the tolerance. An entry whose `tat` has passed
    carries no state, so its slot is free for any key. Keys are stored as salted digests.
    """

    def __init__(
        self,
        state: SharedState,
        budgets: Mapping[str, Budget],
        clock: Callable[[], float] = time.monotonic,  # one clock for all processes of a host
    ) -> None:
        self.state = state
        self.budgets = dict(budgets)
        self.clock = clock

    def _digest(self, kind: str, key: str) -> bytes:
        material = kind.encode() + b"\0" + key.encode("utf-8", "surrogatepass")
        return hashlib.blake2b(material, key=self.state.salt, digest_size=16).digest()

    def _slot(self, table: mmap.mmap, digest: bytes, now: float) -> tuple[int, float | None]:
        """(offset, tat or None if absent) for `digest`: its record, else a reusable one."""
        start = int.from_bytes(digest[:8], "little") % self.state.slots
        reusable: int | None = None
        oldest, oldest_tat = _RECORDS_AT, math.inf
        for probe in range(_PROBES):
            offset = _RECORDS_AT + ((start + probe) % self.state.slots) * _RECORD.size
            stored, tat = _RECORD.unpack_from(table, offset)
            if stored == digest:
                return offset, tat
            if tat <= now and reusable is None:
                reusable = offset
            elif tat < oldest_tat:
                oldest, oldest_tat = offset, tat
        # Every probed record is live: reuse the one closest to expiry.
        return (reusable if reusable is not None else oldest), None

    def retry_after(self, keys: Iterable[tuple[str, str]]) -> float:
        """Seconds until every key may try again (0: all within budget)."""
        now = self.clock()
        wait = 0.0
        with self.state.locked() as table:
            for kind, key in keys:
                _, tat = self._slot(table, self._digest(kind, key), now)
                if tat is not None:
                    wait = max(wait, tat - now - self.budgets[kind].tolerance)
        return wait

    def record_failure(self, keys: Iterable[tuple[str, str]]) -> None:
        self._move(keys, +1)

    def reserve(self, keys: Iterable[tuple[str, str]]) -> float:
        """Atomically: if every key is within budget, book one failure on each (the password
        check about to run might fail) and return 0; else book nothing and return the wait.
        Checking and booking in one step keeps concurrent attempts from overshooting the
        budget; `refund` takes the booking back when the check succeeds."""
        keys = list(keys)
        now = self.clock()
        with self.state.locked() as table:
            wait = 0.0
            for kind, key in keys:
                _, tat = self._slot(table, self._digest(kind, key), now)
                if tat is not None:
                    wait = max(wait, tat - now - self.budgets[kind].tolerance)
            if wait > 0:
                return wait
            self._move_locked(table, keys, +1, now)
        return 0.0

    def refund(self, keys: Iterable[tuple[str, str]]) -> None:
        self._move(keys, -1)

    def _move(self, keys: Iterable[tuple[str, str]], sign: int) -> None:
        now = self.clock()
        with self.state.locked() as table:
            self._move_locked(table, list(keys), sign, now)

    def _move_locked(
        self, table: mmap.mmap, keys: list[tuple[str, str]], sign: int, now: float
    ) -> None:
        for kind, key in keys:
            digest = self._digest(kind, key)
            offset, tat = self._slot(table, digest, now)
            interval = self.budgets[kind].interval
            if sign > 0:
                new_tat = max(tat if tat is not None else now, now) + interval
            elif tat is None:
                continue  # nothing booked any more (expired or evicted)
            else:
                new_tat = tat - interval  # at or below `now`: no state left
            _RECORD.pack_into(table, offset, digest, new_tat)


class HashSlots:
    """At most `count` password hashes at a time across the task's workers: fcntl locks on
    `count` bytes of the shared file (a worker that dies releases its byte), plus a thread
    lock per worker (fcntl locks belong to the process: two threads of one worker would both
    hold a byte)."""

    def __init__(self, state: SharedState, count: int) -> None:
        self.state = state
        self.offsets = list(_HASH_SLOT_BYTES)[:count]
        self._thread_lock = threading.Lock()
        self._held: int | None = None

    def acquire(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        if not self._thread_lock.acquire(timeout=timeout):
            return False
        while True:
            for offset in self.offsets:
                try:
                    fcntl.lockf(
                        self.state.fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, offset, os.SEEK_SET
                    )
                except OSError:
                    continue
                self._held = offset
                return True
            if time.monotonic() >= deadline:
                self._thread_lock.release()
                return False
            time.sleep(0.005)

    def release(self) -> None:
        offset, self._held = self._held, None
        try:
            if offset is not None:
                fcntl.lockf(self.state.fd, fcntl.LOCK_UN, 1, offset, os.SEEK_SET)
        finally:
            self._thread_lock.release()


@dataclass
class Attempt:
    """The login attempt of the request being served (the gate sets it, the password check
    reads it). `retry_after` > 0: the check did not run (over budget, or no hash slot); the
    gate turns MLflow's 401 into 429 with that Retry-After."""

    username: str
    address: str
    retry_after: float = 0.0
    reason: str = ""

    @property
    def keys(self) -> list[tuple[str, str]]:
        return [("user", self.username), ("address", self.address)]


_CURRENT: contextvars.ContextVar[Attempt | None] = contextvars.ContextVar(
    "mlflow_login_attempt", default=None
)


class LoginGuard:
    """The throttle, the hash slots and the known-good hint of one worker."""

    def __init__(
        self,
        throttle: FailureThrottle,
        slots: HashSlots,
        *,
        hash_wait_seconds: float = HASH_WAIT_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.throttle = throttle
        self.slots = slots
        self.hash_wait_seconds = hash_wait_seconds
        self.clock = clock
        self._good_key = secrets.token_bytes(32)
        self._good: OrderedDict[bytes, float] = OrderedDict()
        self._good_lock = threading.Lock()

    def _credential_digest(self, username: str, password: str) -> bytes:
        material = username.encode() + b"\0" + password.encode("utf-8", "surrogatepass")
        return hmac.new(self._good_key, material, "sha256").digest()

    def known_good(self, username: str, password: str) -> bool:
        digest = self._credential_digest(username, password)
        with self._good_lock:
            expiry = self._good.get(digest)
            if expiry is None or expiry < self.clock():
                self._good.pop(digest, None)
                return False
            return True

    def _remember(self, username: str, password: str, good: bool) -> None:
        digest = self._credential_digest(username, password)
        with self._good_lock:
            self._good.pop(digest, None)
            if good:
                self._good[digest] = self.clock() + KNOWN_GOOD_SECONDS
                while len(self._good) > KNOWN_GOOD_MAX:
                    self._good.popitem(last=False)

    def check_password(self, verify: Callable[[], bool], username: str, password: str) -> bool:
        """Run one password verification, booked against the budgets of the user name and
        the client address of the request being served and in one of the task's hash slots.

        A failure is booked before the hash (atomically with the budget check, so concurrent
        attempts cannot overshoot) and refunded if the password was right; no hash runs when
        a budget is spent or no slot frees up in time (then the request's Attempt says so)."""
        attempt = _CURRENT.get()
        keys = [("user", username)] + ([("address", attempt.address)] if attempt else [])
        wait = self.throttle.reserve(keys)
        if wait > 0:
            if attempt is not None:
                attempt.retry_after, attempt.reason = wait, "too many failed logins"
            return False
        if not self.slots.acquire(self.hash_wait_seconds):
            self.throttle.refund(keys)
            if attempt is not None:
                attempt.retry_after, attempt.reason = 1.0, "busy checking passwords"
            return False
        try:
            good = verify()
        except BaseException:
            self.throttle.refund(keys)
            raise
        finally:
            self.slots.release()
        if good:
            self.throttle.refund(keys)
        self._remember(username, password, good)
        return good


def _plain(
    start_response: StartResponse, status: str, body: bytes, *extra: tuple[str, str]
) -> list[bytes]:
    start_response(
        status,
        [("Content-Type", "text/plain"), ("Content-Length", str(len(body))), *extra],
    )
    return [body]


def unauthorized(start_response: StartResponse) -> list[bytes]:
    return _plain(
        start_response,
        "401 Unauthorized",
        UNAUTHORIZED_BODY,
        ("WWW-Authenticate", 'Basic realm="mlflow"'),
    )


def too_many(start_response: StartResponse, retry_after: float, why: str) -> list[bytes]:
    seconds = max(1, math.ceil(retry_after))
    body = f"Too many requests: {why}; retry after {seconds} s.\n".encode()
    return _plain(start_response, "429 Too Many Requests", body, ("Retry-After", str(seconds)))


class LoginGate:
    """Refuse malformed or foreign credentials, and throttled ones, before MLflow sees them."""

    def __init__(self, app: WsgiApp, guard: LoginGuard | None = None) -> None:
        self.app = app
        self.guard = guard

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Any:
        header = environ.get("HTTP_AUTHORIZATION")
        if header is None or environ.get("PATH_INFO", "") in UNCHECKED_PATHS:
            return self.app(environ, start_response)
        credentials = parse_basic_authorization(header)
        if credentials is None:
            return unauthorized(start_response)
        if self.guard is None:
            return self.app(environ, start_response)
        username, password = credentials
        attempt = Attempt(username, client_address(environ))
        if not self.guard.known_good(username, password):
            wait = self.guard.throttle.retry_after(attempt.keys)
            if wait > 0:
                return too_many(start_response, wait, "too many failed logins")
        refused: list[bytes] = []

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            # MLflow answers 401 when the password check did not run (budget spent meanwhile,
            # or no hash slot): that is "retry later", not "wrong password".
            if attempt.retry_after > 0 and status.startswith("401"):
                refused.extend(too_many(start_response, attempt.retry_after, attempt.reason))
                return lambda data: None
            return start_response(status, headers, exc_info)

        token = _CURRENT.set(attempt)
        try:
            result = self.app(environ, start)
        finally:
            _CURRENT.reset(token)
        if refused:
            close = getattr(result, "close", None)
            if callable(close):
                close()
            return refused
        return result


def guard_from_environment(environ: Mapping[str, str]) -> LoginGuard:
    """The worker's LoginGuard from the shared state and the budgets the entrypoint validated
    (tracking_contract: MLFLOW_AUTH_LOGIN_WINDOW_SECONDS, MLFLOW_AUTH_MAX_FAILURES_PER_USER,
    MLFLOW_AUTH_MAX_FAILURES_PER_ADDRESS, MLFLOW_AUTH_MAX_CONCURRENT_HASHES,
    MLFLOW_AUTH_HASH_WAIT_MS)."""
    state = SharedState.from_environment(environ)
    window = float(environ["MLFLOW_AUTH_LOGIN_WINDOW_SECONDS"])
    budgets = {
        "user": Budget(int(environ["MLFLOW_AUTH_MAX_FAILURES_PER_USER"]), window),
        "address": Budget(int(environ["MLFLOW_AUTH_MAX_FAILURES_PER_ADDRESS"]), window),
    }
    return LoginGuard(
        FailureThrottle(state, budgets),
        HashSlots(state, int(environ["MLFLOW_AUTH_MAX_CONCURRENT_HASHES"])),
        hash_wait_seconds=int(environ["MLFLOW_AUTH_HASH_WAIT_MS"]) / 1000,
    )
