"""The Host-header rule of the tracking server: which Host values a request may carry.

A Host value is a host name (letters, digits, dots, hyphens) with an optional port of 1-5
digits; names compare case-insensitively (DNS does). An allowed-host pattern without a port
matches the name with or without any port (a client may send `mlflow.example.com:443`); one
with a port matches only that port; `*` inside a name pattern is a shell-style wildcard.

The allowed origins (CORS) follow from the same list: `OriginCheck` lets a request with an
`Origin` header through only when the origin is http(s):// plus an allowed Host value, and
answers 403 otherwise (MLflow's built-in default would let any http://localhost:* and
http://127.0.0.1:* page in with the browser's credentials).

One rule, two enforcers: `HostCheck` (WSGI middleware) applies `host_allowed` to every request
before MLflow sees it, and MLflow's own Flask security middleware gets the same rule translated
into its pattern language (`mlflow_allowed_hosts`, set as MLFLOW_SERVER_ALLOWED_HOSTS), so
either alone refuses `mlflow.example.com:443@evil.com` and accepts `MLFLOW.EXAMPLE.COM`. The
entrypoint validates MLFLOW_ALLOWED_HOSTS with `parse_allowed_hosts` before anything starts.

Standard library only: the running server imports this module, not the start-up code.
"""

from __future__ import annotations

import fnmatch
import logging
import re
from collections.abc import Callable, Iterable
from typing import Any

# An allowed-host pattern: a name (with '*' wildcards) and an optional port of 1-5 digits.
_HOST_PATTERN_RE = re.compile(r"^[A-Za-z0-9*.\-]+(:[0-9]{1,5})?$")
# A Host header value: a host name and an optional port of 1-5 digits, nothing else.
_HOST_HEADER_RE = re.compile(r"^([A-Za-z0-9.\-]+)(?::([0-9]{1,5}))?$")
_MAX_PORT_DIGITS = 5
# An Origin header value: scheme and authority only (RFC 6454 serialization).
_ORIGIN_RE = re.compile(r"^(?:https?)://([A-Za-z0-9.\-]+(?::[0-9]{1,5})?)$", re.IGNORECASE)

#: Paths exempt from the Host check: the ALB's health check addresses the task by IP (MLflow
#: exempts the same two).
UNCHECKED_PATHS = frozenset({"/health", "/version"})
INVALID_HOST_BODY = b"Invalid Host header\n"
FOREIGN_ORIGIN_BODY = b"Cross-origin request blocked\n"

log = logging.getLogger("mlflow-wsgi")


def parse_allowed_hosts(value: str) -> tuple[str, ...]:
    """Comma-separated Host header values (host or host:port; '*' wildcards allowed inside a
    name pattern such as *.example.com, but not a bare '*', which would disable the check).
    IPv6 literals are not supported: a load balancer is addressed by name."""
    hosts = tuple(h.strip() for h in value.split(",") if h.strip())
    if not hosts:
        raise ValueError("must list at least one host name (the load balancer's DNS name)")
    bad = [h for h in hosts if not _HOST_PATTERN_RE.match(h)]
    if bad:
        raise ValueError(
            f"invalid entries {bad}: give bare host names such as "
            "internal-mlflow-123.eu-west-1.elb.amazonaws.com or mlflow.example.com, optionally "
            "with a port of digits (no scheme, path, spaces or port wildcard)"
        )
    if any(h.split(":")[0].strip("*") in ("", ".") for h in hosts):
        raise ValueError("a bare '*' would accept any Host header; list the real host names")
    return tuple(h.lower() for h in hosts)


def split_host(host_header: str | None) -> tuple[str, str] | None:
    """(lower-case name, port or '') of a well-formed Host value, else None."""
    match = _HOST_HEADER_RE.match((host_header or "").strip())
    if match is None:
        return None
    return match.group(1).lower(), match.group(2) or ""


def host_allowed(host_header: str | None, patterns: tuple[str, ...]) -> bool:
    """Whether a request's Host header matches one of the allowed patterns (module docstring)."""
    parts = split_host(host_header)
    if parts is None:
        return False
    name, port = parts
    for pattern in patterns:
        p_name, _, p_port = pattern.lower().partition(":")
        if fnmatch.fnmatchcase(name, p_name) and (not p_port or port == p_port):
            return True
    return False


def origin_allowed(origin: str, patterns: tuple[str, ...]) -> bool:
    """Whether an Origin header names this server: http(s)://HOST[:PORT] with an allowed Host
    value. `null` (sandboxed frames, file: pages) and anything with a path or user is not."""
    match = _ORIGIN_RE.match(origin.strip())
    return match is not None and host_allowed(match.group(1), patterns)


def _any_case(name: str, star_in_first_class: bool) -> str:
    """`name` in fnmatch syntax matching it in any letter case: each letter becomes [xX].

    MLflow compares a pattern without '*' literally, so a pattern that must be matched with
    fnmatch needs a '*' somewhere. `star_in_first_class` puts one into the first character
    class ([mM*]): it then also admits a literal '*' there, which is no host name a browser
    could be lured to."""
    out: list[str] = []
    for index, char in enumerate(name):
        extra = "*" if star_in_first_class and index == 0 and char != "*" else ""
        if char.isascii() and char.isalpha():
            out.append(f"[{char.lower()}{char.upper()}{extra}]")
        elif extra:
            out.append(f"[{char}{extra}]")
        else:
            out.append(char)
    return "".join(out)


def mlflow_allowed_hosts(patterns: tuple[str, ...]) -> str:
    """MLFLOW_SERVER_ALLOWED_HOSTS for MLflow's own Flask Host check, deciding like
    host_allowed() on host names.

    MLflow compares a pattern exactly, or with fnmatch when it contains '*', case-sensitively.
    So every letter becomes a [xX] class, and a pattern without a port also gets one variant
    per port length with digit classes, `name:[0-9*]`, `name:[0-9*][0-9*]`, ... (the '*' in
    the class switches fnmatch on and admits a literal '*', never a letter or '@'). A
    user-given '*' stays a wildcard; MLflow's then also matches characters a host name cannot
    contain, which the project's HostCheck refuses before MLflow sees the request."""
    out: list[str] = []
    for pattern in patterns:
        name, _, port = pattern.lower().partition(":")
        if port:
            out.append(f"{_any_case(name, '*' not in name)}:{port}")
            continue
        out.append(_any_case(name, "*" not in name))
        for digits in range(1, _MAX_PORT_DIGITS + 1):
            out.append(f"{_any_case(name, False)}:" + "[0-9*]" * digits)
    return ",".join(out)


class HostCheck:
    """Answer 403 to requests whose Host header is not an allowed one (DNS rebinding guard)."""

    def __init__(
        self,
        app: Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]],
        patterns: tuple[str, ...],
    ) -> None:
        self.app = app
        self.patterns = patterns

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if environ.get("PATH_INFO", "") not in UNCHECKED_PATHS and not host_allowed(
            environ.get("HTTP_HOST"), self.patterns
        ):
            log.warning("rejected request with Host header %r", environ.get("HTTP_HOST"))
            start_response(
                "403 Forbidden",
                [("Content-Type", "text/plain"), ("Content-Length", str(len(INVALID_HOST_BODY)))],
            )
            return [INVALID_HOST_BODY]
        return self.app(environ, start_response)


class OriginCheck:
    """Answer 403 to any request whose Origin is not one of the server's own; take the Origin of
    the others away, so MLflow's CORS layer (whose defaults admit localhost pages with
    credentials) never answers a cross-origin request. Same-origin requests need no CORS
    headers; a request without Origin (API clients, navigations) is untouched."""

    def __init__(
        self,
        app: Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]],
        patterns: tuple[str, ...],
    ) -> None:
        self.app = app
        self.patterns = patterns

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        origin = environ.get("HTTP_ORIGIN")
        if origin is not None and environ.get("PATH_INFO", "") not in UNCHECKED_PATHS:
            if not origin_allowed(origin, self.patterns):
                log.warning("blocked request from origin %r", origin)
                start_response(
                    "403 Forbidden",
                    [
                        ("Content-Type", "text/plain"),
                        ("Content-Length", str(len(FOREIGN_ORIGIN_BODY))),
                    ],
                )
                return [FOREIGN_ORIGIN_BODY]
            del environ["HTTP_ORIGIN"]
        return self.app(environ, start_response)
