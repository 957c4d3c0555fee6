"""The tracking server's login gate: what a request's credentials must look like before MLflow
sees them.

`LoginGate` is WSGI middleware in front of MLflow's basic-auth app. A request that carries an
`Authorization` header gets past it only with well-formed HTTP Basic credentials
(`parse_basic_authorization`): anything else (another scheme such as `Bearer`, bad base64, no
colon, not UTF-8, control characters, an oversized value) is answered 401 here, cheaply. MLflow
answered some of these with a 500 and a traceback (its credential cache hashes `None`).
A request without the header goes on to MLflow, which asks for credentials itself.

Standard library only.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Iterable
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


def unauthorized(start_response: StartResponse) -> list[bytes]:
    start_response(
        "401 Unauthorized",
        [
            ("Content-Type", "text/plain"),
            ("Content-Length", str(len(UNAUTHORIZED_BODY))),
            ("WWW-Authenticate", 'Basic realm="mlflow"'),
        ],
    )
    return [UNAUTHORIZED_BODY]


class LoginGate:
    """Refuse malformed or foreign credentials before MLflow sees them."""

    def __init__(self, app: WsgiApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Any:
        header = environ.get("HTTP_AUTHORIZATION")
        if header is None or environ.get("PATH_INFO", "") in UNCHECKED_PATHS:
            return self.app(environ, start_response)
        if parse_basic_authorization(header) is None:
            return unauthorized(start_response)
        return self.app(environ, start_response)
