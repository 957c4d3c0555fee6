"""The tracking server's WSGI application, built by wsgi.py for gunicorn.

MLflow's Flask app, with basic auth (`mlflow.server.auth.create_app`, the factory behind
`mlflow server --app-name basic-auth`) unless MLFLOW_AUTH=none, wrapped in a Host-header check.

Why not `mlflow server`: its default uvicorn server showed a ~44 ms floor per request on
kept-alive connections with more than one worker, and `--gunicorn-opts` refuses
`--allowed-hosts`. Serving the Flask app under gunicorn gthread workers ourselves is several
times faster. Host checking: MLflow's Flask security middleware is applied when
`mlflow.server` is imported inside a gunicorn process and reads MLFLOW_SERVER_ALLOWED_HOSTS
(set by the entrypoint); HostCheck below enforces the same rule independently of that, so a
change in when MLflow applies its middleware cannot open the server to foreign Host headers.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable
from typing import Any

from entrypoint import host_allowed, parse_allowed_hosts

# The ALB's health check addresses the task by IP; MLflow exempts the same two paths.
UNCHECKED_PATHS = frozenset({"/health", "/version"})
INVALID_HOST_BODY = b"Invalid Host header\n"

log = logging.getLogger("mlflow-wsgi")


class HostCheck:
    """Answer 403 to requests whose Host header is not an allowed one (DNS rebinding guard)."""

    def __init__(self, app: Callable[..., Iterable[bytes]], patterns: tuple[str, ...]) -> None:
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


def _cached_admin_check(auth: Any) -> Callable[[], bool] | None:
    """A `sender_is_admin` that reads the admin flag from MLflow's credential cache.

    MLflow's `_before_request` authenticates (served from the credential cache when
    auth_cache_ttl_seconds > 0) and then calls `sender_is_admin()`, which queries the users
    table again on every request: about a fifth of a log-metric request's CPU, measured. The
    cached `User` the authentication step returns already carries `is_admin`, with exactly the
    staleness MLflow documents for that cache (admin-flag changes reach other workers within
    the TTL; the worker that handled the change drops its entry at once).

    This relies on two MLflow internals; tests/integration pins them. If they change, the
    stock `sender_is_admin` stays in place (correct, just slower) and a warning is logged.
    """
    authenticate = getattr(auth, "authenticate_request", None)
    cached = getattr(auth, "_authenticate_cached", None)
    if (
        not callable(authenticate)
        or not callable(cached)
        or not callable(getattr(auth, "sender_is_admin", None))
        or getattr(auth, "_USER_AUTH_CACHE", None) is None
    ):
        return None

    def sender_is_admin() -> bool:
        authorization = authenticate()
        user = cached(authorization.username, authorization.password)
        # On a cache miss `cached` verifies the password and fills the cache; a failed
        # verification (password changed meanwhile) means "not an admin".
        return bool(user is not None and user.is_admin)

    return sender_is_admin


def create_application() -> HostCheck:
    from dbconnect import install_sqlalchemy_credentials

    # Before MLflow creates any engine. read_timeout bounds a query on a dead connection.
    install_sqlalchemy_credentials(read_timeout=300)
    patterns = parse_allowed_hosts(os.environ["MLFLOW_ALLOWED_HOSTS"])
    if os.environ.get("MLFLOW_AUTH", "basic") == "basic":
        import mlflow.server.auth as auth

        flask_app = auth.create_app()
        fast_admin_check = _cached_admin_check(auth)
        if fast_admin_check is None:
            log.warning(
                "MLflow's auth internals changed or the credential cache is off: keeping the "
                "stock per-request admin lookup (slower)"
            )
        else:
            auth.sender_is_admin = fast_admin_check
    else:
        from mlflow.server import app as flask_app
    return HostCheck(flask_app, patterns)
