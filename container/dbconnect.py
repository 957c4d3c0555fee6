"""How every process of the tracking server reaches MySQL without a password in any URI.

MLflow wants SQLAlchemy URIs: one for the tracking store (passed to workers through the
environment) and one for the auth store (read from the auth config *file*). Putting the RDS
password into either would leave it in a file or in an environment variable that MLflow may
echo in an error message, and a password with URL punctuation (% : # ? & + = @ /) breaks a
naively built URI. So the URIs this image builds carry no credentials at all
(`mysql+pymysql://host:port/schema?charset=utf8mb4`), and a SQLAlchemy `do_connect` listener,
registered on the Engine class (public SQLAlchemy API, applies to every engine the process
creates, including the ones Alembic builds from a URL string during migrations), supplies the
user, the password and the TLS settings as PyMySQL keyword arguments at connect time.

The same keyword arguments are used for the entrypoint's own PyMySQL connections (readiness
wait, schema creation, the migration lock), so the entrypoint and the workers connect alike.

Only the standard library is imported at module level: entrypoint.py imports this module before
it has validated anything.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

# Environment variables this module reads (documented in entrypoint.py's contract).
DB_HOST = "MLFLOW_DB_HOST"
DB_PORT = "MLFLOW_DB_PORT"
DB_USERNAME = "MLFLOW_DB_USERNAME"
DB_PASSWORD = "MLFLOW_DB_PASSWORD"  # noqa: S105 - the variable's name, not a password
DB_CA_BUNDLE = "MLFLOW_DB_CA_BUNDLE"

DEFAULT_PORT = 3306

_installed = False


def connect_kwargs(
    env: Mapping[str, str],
    *,
    connect_timeout: float = 10,
    read_timeout: float | None = None,
) -> dict[str, Any]:
    """PyMySQL keyword arguments for the configured database (credentials and TLS included).

    With MLFLOW_DB_CA_BUNDLE set, the connection uses TLS, verifies the server certificate
    against that bundle and checks that the certificate names MLFLOW_DB_HOST (RDS endpoints
    are covered by their certificates; the test harness's certificate names 127.0.0.1).
    """
    kwargs: dict[str, Any] = {
        "host": env[DB_HOST],
        "port": int(env.get(DB_PORT) or DEFAULT_PORT),
        "user": env[DB_USERNAME],
        "password": env[DB_PASSWORD],
        "charset": "utf8mb4",
        "connect_timeout": connect_timeout,
    }
    if read_timeout is not None:
        # Bounds a query on a connection whose peer vanished without a FIN (an RDS failover
        # drops packets): without it a request thread would hang for the kernel's TCP timeout.
        kwargs["read_timeout"] = read_timeout
        kwargs["write_timeout"] = read_timeout
    ca_bundle = env.get(DB_CA_BUNDLE)
    if ca_bundle:
        kwargs["ssl_ca"] = ca_bundle
        kwargs["ssl_verify_cert"] = True
        kwargs["ssl_verify_identity"] = True
    return kwargs


def install_sqlalchemy_credentials(
    env: Mapping[str, str] | None = None,
    *,
    read_timeout: float | None = None,
) -> None:
    """Make every SQLAlchemy engine of this process connect to MLFLOW_DB_HOST with the
    credentials and TLS settings from the environment. Idempotent."""
    global _installed
    if _installed:
        return
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    source = dict(os.environ if env is None else env)
    kwargs = connect_kwargs(source, read_timeout=read_timeout)
    host, port = kwargs["host"], kwargs["port"]

    def _inject(dialect: Any, conn_rec: Any, cargs: Any, cparams: dict[str, Any]) -> None:
        # Only MySQL connections to the configured server: a SQLite engine (or another
        # database a plugin opens) must not receive these credentials.
        if dialect.name != "mysql" or cparams.get("host") != host:
            return
        if int(cparams.get("port") or DEFAULT_PORT) != port:
            return
        for key, value in kwargs.items():
            if key in ("host", "port"):
                continue
            # A value given in the URI wins; the URIs this image builds carry none of these.
            cparams.setdefault(key, value)

    event.listen(Engine, "do_connect", _inject)
    _installed = True
