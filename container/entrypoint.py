"""Entrypoint of the MLflow tracking server image (`python /app/entrypoint.py`, no arguments).

All configuration comes from environment variables (the ECS task definition sets exactly the
names in PLAIN_ENVIRONMENT and injects SECRET_ENVIRONMENT from Secrets Manager). Start-up:

1. validate every setting and report every problem at once (exit 2);
2. wait for the database within MLFLOW_DB_WAIT_SECONDS, retrying refused connections and
   timeouts, failing fast on access denied / TLS problems (exit 3); create the tracking and auth
   schemas if missing (utf8mb4 / utf8mb4_bin);
3. check the artifact bucket is reachable within MLFLOW_BUCKET_CHECK_SECONDS (exit 4);
4. under a MySQL advisory lock (GET_LOCK), so that tasks starting together take turns: migrate
   the tracking schema, work around MLflow's auth migration bug on MySQL, migrate the auth
   schema and create the admin user (exit 5 on failure);
5. exec gunicorn (gthread workers) serving MLflow's Flask app with basic auth (wsgi.py), behind
   a Host-header check, with no secret in argv or in any file.

This module imports only the standard library at module level: the CDK unit tests import it to
compare PLAIN_ENVIRONMENT / SECRET_ENVIRONMENT with the task definition.
"""

from __future__ import annotations

import contextlib
import fnmatch
import logging
import os
import re
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

# --- the environment contract ---------------------------------------------------------------

#: Plain (non-secret) environment variables the task definition sets.
PLAIN_ENVIRONMENT: tuple[str, ...] = (
    "MLFLOW_DB_HOST",
    "MLFLOW_DB_PORT",
    "MLFLOW_DB_NAME",
    "MLFLOW_AUTH_DB_NAME",
    "MLFLOW_DB_CA_BUNDLE",
    "MLFLOW_ARTIFACTS_DESTINATION",
    "MLFLOW_ALLOWED_HOSTS",
    "MLFLOW_AUTH",
    "MLFLOW_AUTH_ADMIN_USERNAME",
    "MLFLOW_AUTH_DEFAULT_PERMISSION",
    "MLFLOW_AUTH_CACHE_TTL_SECONDS",
    "MLFLOW_WORKERS",
    "MLFLOW_THREADS",
    "MLFLOW_PORT",
    "MLFLOW_SERVER_ENABLE_JOB_EXECUTION",
    "MLFLOW_DB_WAIT_SECONDS",
    "MLFLOW_BUCKET_CHECK_SECONDS",
    "MLFLOW_MIGRATION_LOCK_SECONDS",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
)

#: Secrets, injected by ECS from Secrets Manager as environment variables.
SECRET_ENVIRONMENT: tuple[str, ...] = (
    "MLFLOW_DB_USERNAME",
    "MLFLOW_DB_PASSWORD",
    "MLFLOW_AUTH_ADMIN_PASSWORD",
    "MLFLOW_FLASK_SERVER_SECRET_KEY",
)

#: Read only when set; the integration suite points S3 at moto with it. Never in the task.
TEST_ENVIRONMENT: tuple[str, ...] = ("MLFLOW_S3_ENDPOINT_URL",)

DEFAULTS: dict[str, str] = {
    "MLFLOW_DB_PORT": "3306",
    "MLFLOW_DB_NAME": "mlflow",
    "MLFLOW_AUTH_DB_NAME": "mlflow_auth",
    "MLFLOW_AUTH": "basic",
    "MLFLOW_AUTH_ADMIN_USERNAME": "admin",
    # Least privilege: a user sees only what an admin granted or what the user created
    # (MLflow grants the creator MANAGE). Teams that want everyone to read everything set READ.
    "MLFLOW_AUTH_DEFAULT_PERMISSION": "NO_PERMISSIONS",
    # Without a credential cache every request re-runs PBKDF2 (tens of ms of CPU): measured
    # throughput fell by an order of magnitude. 60 s bounds how long a changed or deleted
    # password stays usable on the other workers/tasks.
    "MLFLOW_AUTH_CACHE_TTL_SECONDS": "60",
    "MLFLOW_WORKERS": "3",
    "MLFLOW_THREADS": "2",
    "MLFLOW_PORT": "5000",
    "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false",
    "MLFLOW_DB_WAIT_SECONDS": "180",
    "MLFLOW_BUCKET_CHECK_SECONDS": "30",
    "MLFLOW_MIGRATION_LOCK_SECONDS": "900",
}

AUTH_MODES = ("basic", "none")
PERMISSIONS = ("READ", "USE", "EDIT", "MANAGE", "NO_PERMISSIONS")
MIN_ADMIN_PASSWORD_LENGTH = 12  # MLflow's own password policy (mlflow.utils.validation)
MIN_SECRET_KEY_LENGTH = 16

EXIT_CONFIG = 2
EXIT_DATABASE = 3
EXIT_BUCKET = 4
EXIT_MIGRATION = 5

_SCHEMA_RE = re.compile(r"^[A-Za-z0-9_]{1,64}$")
# S3 bucket naming rules (lower-case letters, digits, dots, hyphens; 3-63 characters).
_BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_HOST_PATTERN_RE = re.compile(r"^[A-Za-z0-9*.\-]+(:[0-9*]+)?$")
_REGION_RE = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")

log = logging.getLogger("mlflow-entrypoint")


class StartupError(Exception):
    """A start-up failure with a message meant for the operator and an exit code."""

    def __init__(self, exit_code: int, message: str) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass(frozen=True)
class Settings:
    db_host: str
    db_port: int
    db_name: str
    auth_db_name: str
    db_ca_bundle: str | None
    artifacts_destination: str
    bucket: str
    prefix: str
    allowed_hosts: tuple[str, ...]
    auth: str
    admin_username: str
    default_permission: str
    auth_cache_ttl_seconds: int
    workers: int
    threads: int
    port: int
    db_wait_seconds: float
    bucket_check_seconds: float
    migration_lock_seconds: int
    region: str
    s3_endpoint_url: str | None
    # Secrets: kept out of repr() so a logged Settings never shows them.
    db_username: str = field(repr=False)
    db_password: str = field(repr=False)
    admin_password: str | None = field(repr=False, default=None)
    flask_secret_key: str | None = field(repr=False, default=None)


def _get(env: Mapping[str, str], name: str) -> str:
    value = env.get(name)
    if value is None or value.strip() == "":
        return DEFAULTS.get(name, "")
    return value.strip()


def _int_setting(
    env: Mapping[str, str], name: str, low: int, high: int, problems: list[str]
) -> int:
    raw = _get(env, name)
    try:
        value = int(raw)
    except ValueError:
        problems.append(f"{name}={raw!r}: not an integer (allowed: {low}..{high})")
        return low
    if not low <= value <= high:
        problems.append(f"{name}={raw!r}: out of range (allowed: {low}..{high})")
    return value


def parse_artifacts_destination(value: str) -> tuple[str, str]:
    """Split s3://BUCKET/PREFIX into (bucket, prefix without surrounding slashes)."""
    if not value.startswith("s3://"):
        raise ValueError("must start with s3:// (form: s3://BUCKET/PREFIX)")
    bucket, _, prefix = value[len("s3://") :].partition("/")
    if not _BUCKET_RE.match(bucket) or ".." in bucket:
        raise ValueError(f"bucket name {bucket!r} is not a valid S3 bucket name")
    prefix = prefix.strip("/")
    if "//" in prefix:
        raise ValueError("prefix must not contain empty path segments ('//')")
    return bucket, prefix


def parse_allowed_hosts(value: str) -> tuple[str, ...]:
    """Comma-separated Host header values (host or host:port; '*' wildcards allowed inside a
    pattern such as *.example.com, but not a bare '*', which would disable the check). IPv6
    literals are not supported: a load balancer is addressed by name."""
    hosts = tuple(h.strip() for h in value.split(",") if h.strip())
    if not hosts:
        raise ValueError("must list at least one host name (the load balancer's DNS name)")
    bad = [h for h in hosts if not _HOST_PATTERN_RE.match(h)]
    if bad:
        raise ValueError(
            f"invalid entries {bad}: give bare host names such as "
            "internal-mlflow-123.eu-west-1.elb.amazonaws.com or mlflow.example.com "
            "(no scheme, path or spaces)"
        )
    if any(h.split(":")[0] in ("*", "") for h in hosts):
        raise ValueError("a bare '*' would accept any Host header; list the real host names")
    return hosts


def parse_settings(env: Mapping[str, str]) -> tuple[Settings | None, list[str]]:
    """Validate the whole environment; return (settings, []) or (None, every problem found).

    Problems name the variable, the bad value (never a secret's value) and what is allowed.
    """
    problems: list[str] = []

    db_host = _get(env, "MLFLOW_DB_HOST")
    if not db_host:
        problems.append("MLFLOW_DB_HOST: missing (the RDS endpoint address)")
    elif any(c in db_host for c in "/@?# "):
        problems.append(f"MLFLOW_DB_HOST={db_host!r}: give a host name or IP address only")
    db_port = _int_setting(env, "MLFLOW_DB_PORT", 1, 65535, problems)

    db_name = _get(env, "MLFLOW_DB_NAME")
    auth_db_name = _get(env, "MLFLOW_AUTH_DB_NAME")
    for name, value in (("MLFLOW_DB_NAME", db_name), ("MLFLOW_AUTH_DB_NAME", auth_db_name)):
        if not _SCHEMA_RE.match(value):
            problems.append(
                f"{name}={value!r}: a schema name of 1-64 letters, digits or underscores"
            )
    if db_name and db_name == auth_db_name:
        problems.append(
            f"MLFLOW_AUTH_DB_NAME={auth_db_name!r}: must differ from MLFLOW_DB_NAME (the auth "
            "store keeps its own schema and Alembic version table)"
        )

    ca_bundle = _get(env, "MLFLOW_DB_CA_BUNDLE") or None
    if ca_bundle and not os.path.isfile(ca_bundle):
        problems.append(
            f"MLFLOW_DB_CA_BUNDLE={ca_bundle!r}: no such file (the image ships the RDS bundle "
            "at /app/rds-ca-bundle.pem)"
        )
    elif ca_bundle and not os.access(ca_bundle, os.R_OK):
        problems.append(f"MLFLOW_DB_CA_BUNDLE={ca_bundle!r}: file is not readable")

    destination = _get(env, "MLFLOW_ARTIFACTS_DESTINATION")
    bucket = prefix = ""
    if not destination:
        problems.append("MLFLOW_ARTIFACTS_DESTINATION: missing (form: s3://BUCKET/PREFIX)")
    else:
        try:
            bucket, prefix = parse_artifacts_destination(destination)
        except ValueError as e:
            problems.append(f"MLFLOW_ARTIFACTS_DESTINATION={destination!r}: {e}")

    allowed_hosts: tuple[str, ...] = ()
    raw_hosts = _get(env, "MLFLOW_ALLOWED_HOSTS")
    if not raw_hosts:
        problems.append(
            "MLFLOW_ALLOWED_HOSTS: missing (comma-separated Host header values: the load "
            "balancer's DNS name and the custom domain)"
        )
    else:
        try:
            allowed_hosts = parse_allowed_hosts(raw_hosts)
        except ValueError as e:
            problems.append(f"MLFLOW_ALLOWED_HOSTS={raw_hosts!r}: {e}")

    auth = _get(env, "MLFLOW_AUTH").lower()
    if auth not in AUTH_MODES:
        problems.append(f"MLFLOW_AUTH={auth!r}: allowed values are {', '.join(AUTH_MODES)}")
    admin_username = _get(env, "MLFLOW_AUTH_ADMIN_USERNAME")
    default_permission = _get(env, "MLFLOW_AUTH_DEFAULT_PERMISSION").upper()
    if default_permission not in PERMISSIONS:
        problems.append(
            f"MLFLOW_AUTH_DEFAULT_PERMISSION={default_permission!r}: allowed values are "
            f"{', '.join(PERMISSIONS)}"
        )
    cache_ttl = _int_setting(env, "MLFLOW_AUTH_CACHE_TTL_SECONDS", 0, 3600, problems)

    workers = _int_setting(env, "MLFLOW_WORKERS", 1, 64, problems)
    threads = _int_setting(env, "MLFLOW_THREADS", 1, 64, problems)
    port = _int_setting(env, "MLFLOW_PORT", 1, 65535, problems)
    db_wait = _int_setting(env, "MLFLOW_DB_WAIT_SECONDS", 1, 3600, problems)
    bucket_wait = _int_setting(env, "MLFLOW_BUCKET_CHECK_SECONDS", 1, 600, problems)
    lock_wait = _int_setting(env, "MLFLOW_MIGRATION_LOCK_SECONDS", 1, 86400, problems)

    jobs = _get(env, "MLFLOW_SERVER_ENABLE_JOB_EXECUTION").lower()
    if jobs in ("true", "1"):
        problems.append(
            f"MLFLOW_SERVER_ENABLE_JOB_EXECUTION={jobs!r}: this image serves MLflow under "
            "gunicorn, which does not run MLflow's job runner (about 2 GB of extra workers; its "
            "unauthenticated endpoints were CVE-2026-0545); allowed value: false"
        )
    elif jobs not in ("false", "0"):
        problems.append(f"MLFLOW_SERVER_ENABLE_JOB_EXECUTION={jobs!r}: allowed value: false")

    region = _get(env, "AWS_REGION")
    default_region = _get(env, "AWS_DEFAULT_REGION")
    if not region and not default_region:
        problems.append("AWS_REGION / AWS_DEFAULT_REGION: missing (the bucket's region)")
    elif region and default_region and region != default_region:
        problems.append(f"AWS_REGION={region!r} and AWS_DEFAULT_REGION={default_region!r} disagree")
    region = region or default_region
    if region and not _REGION_RE.match(region):
        problems.append(f"AWS_REGION={region!r}: not an AWS region name such as eu-west-1")

    endpoint = _get(env, "MLFLOW_S3_ENDPOINT_URL") or None
    if endpoint and not endpoint.startswith(("http://", "https://")):
        problems.append(f"MLFLOW_S3_ENDPOINT_URL={endpoint!r}: must be an http(s):// URL")

    # Secrets: report presence and length only, never the value.
    db_username = env.get("MLFLOW_DB_USERNAME", "")
    db_password = env.get("MLFLOW_DB_PASSWORD", "")
    if not db_username:
        problems.append("MLFLOW_DB_USERNAME: missing secret (the RDS secret's 'username')")
    if not db_password:
        problems.append("MLFLOW_DB_PASSWORD: missing secret (the RDS secret's 'password')")
    admin_password = env.get("MLFLOW_AUTH_ADMIN_PASSWORD") or None
    secret_key = env.get("MLFLOW_FLASK_SERVER_SECRET_KEY") or None
    # Unless auth is explicitly off, check the auth secrets too (also when MLFLOW_AUTH itself is
    # invalid: every problem is reported in one go).
    if auth != "none":
        if not admin_username:
            problems.append("MLFLOW_AUTH_ADMIN_USERNAME: must not be empty")
        if admin_password is None:
            problems.append(
                "MLFLOW_AUTH_ADMIN_PASSWORD: missing secret (needed to create the admin user)"
            )
        elif len(admin_password) < MIN_ADMIN_PASSWORD_LENGTH:
            problems.append(
                f"MLFLOW_AUTH_ADMIN_PASSWORD: too short ({len(admin_password)} characters; "
                f"MLflow requires at least {MIN_ADMIN_PASSWORD_LENGTH}; value not shown)"
            )
        if secret_key is None:
            problems.append(
                "MLFLOW_FLASK_SERVER_SECRET_KEY: missing secret (one value shared by all tasks)"
            )
        elif len(secret_key) < MIN_SECRET_KEY_LENGTH:
            problems.append(
                f"MLFLOW_FLASK_SERVER_SECRET_KEY: too short ({len(secret_key)} characters; at "
                f"least {MIN_SECRET_KEY_LENGTH} required; value not shown)"
            )

    if problems:
        return None, problems
    return (
        Settings(
            db_host=db_host,
            db_port=db_port,
            db_name=db_name,
            auth_db_name=auth_db_name,
            db_ca_bundle=ca_bundle,
            artifacts_destination=destination.rstrip("/"),
            bucket=bucket,
            prefix=prefix,
            allowed_hosts=allowed_hosts,
            auth=auth,
            admin_username=admin_username,
            default_permission=default_permission,
            auth_cache_ttl_seconds=cache_ttl,
            workers=workers,
            threads=threads,
            port=port,
            db_wait_seconds=float(db_wait),
            bucket_check_seconds=float(bucket_wait),
            migration_lock_seconds=lock_wait,
            region=region,
            s3_endpoint_url=endpoint,
            db_username=db_username,
            db_password=db_password,
            admin_password=admin_password,
            flask_secret_key=secret_key,
        ),
        [],
    )


# --- URIs and derived configuration ---------------------------------------------------------


def _uri_host(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def database_uri(host: str, port: int, schema: str) -> str:
    """The SQLAlchemy URI this image gives MLflow: no user, no password (dbconnect.py supplies
    them at connect time), utf8mb4 on the wire."""
    return f"mysql+pymysql://{_uri_host(host)}:{port}/{schema}?charset=utf8mb4"


def database_uri_with_credentials(
    username: str, password: str, host: str, port: int, schema: str
) -> str:
    """A complete URI with percent-encoded credentials, for tools that need one (the benchmark's
    stock server, the previous-release harness). Every reserved character is encoded, so a
    password such as `p%:#?&+=@/` survives; never log the result."""
    user = quote(username, safe="")
    secret = quote(password, safe="")
    return f"mysql+pymysql://{user}:{secret}@{_uri_host(host)}:{port}/{schema}?charset=utf8mb4"


def host_allowed(host_header: str | None, patterns: tuple[str, ...]) -> bool:
    """Whether a request's Host header matches one of the allowed patterns.

    A pattern without a port matches the host with any port (a client may send
    `mlflow.example.com:443`); a pattern with a port matches only that port. Host names compare
    case-insensitively (DNS does); '*' in a pattern is a shell-style wildcard.
    """
    if not host_header:
        return False
    name, _, port = host_header.strip().lower().partition(":")
    for pattern in patterns:
        p_name, _, p_port = pattern.lower().partition(":")
        if not fnmatch.fnmatchcase(name, p_name):
            continue
        if not p_port or fnmatch.fnmatchcase(port, p_port):
            return True
    return False


def mlflow_allowed_hosts(patterns: tuple[str, ...]) -> str:
    """MLFLOW_SERVER_ALLOWED_HOSTS for MLflow's own Flask Host check, equivalent to
    host_allowed(): MLflow compares exactly (or fnmatch with '*'), so add `host:*` for every
    pattern without a port."""
    out: list[str] = []
    for p in patterns:
        out.append(p)
        if ":" not in p:
            out.append(f"{p}:*")
    return ",".join(out)


def cors_allowed_origins(patterns: tuple[str, ...]) -> str:
    """The server's own origins. MLflow blocks state-changing API requests whose Origin header is
    not allowed, and browsers send Origin on same-origin POSTs too: without this the UI behind
    the load balancer could not create or edit anything."""
    origins: list[str] = []
    for p in patterns:
        origins += [f"https://{p}", f"http://{p}"]
    return ",".join(origins)


def auth_config_text(settings: Settings) -> str:
    """The basic-auth INI. It holds no secret: the database URI has no credentials (dbconnect.py)
    and MLflow reads the admin user and password from MLFLOW_AUTH_ADMIN_USERNAME/PASSWORD."""
    uri = database_uri(settings.db_host, settings.db_port, settings.auth_db_name)
    # configparser interpolates '%': escape it.
    uri = uri.replace("%", "%%")
    return (
        "[mlflow]\n"
        f"default_permission = {settings.default_permission}\n"
        f"database_uri = {uri}\n"
        f"admin_username = {settings.admin_username}\n"
        "authorization_function = mlflow.server.auth:authenticate_request_basic_auth\n"
        "grant_default_workspace_access = false\n"
        f"auth_cache_ttl_seconds = {settings.auth_cache_ttl_seconds}\n"
        "auth_cache_max_size = 10000\n"
    )


def write_auth_config(settings: Settings) -> str:
    """Write the auth INI into a private directory (0700; file 0600) and return its path."""
    directory = tempfile.mkdtemp(prefix="mlflow-auth-")
    path = os.path.join(directory, "basic_auth.ini")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(auth_config_text(settings))
    return path


def server_environment(
    settings: Settings, base: Mapping[str, str], auth_config_path: str | None
) -> dict[str, str]:
    """The environment of the gunicorn master and workers.

    MLflow's server reads its configuration from private `_MLFLOW_SERVER_*` variables that
    `mlflow server` normally sets for its workers; their names come from
    mlflow.server.constants (imported, not copied, and pinned by the integration suite).
    """
    from mlflow.server.constants import (
        ARTIFACT_ROOT_ENV_VAR,
        ARTIFACTS_DESTINATION_ENV_VAR,
        BACKEND_STORE_URI_ENV_VAR,
        REGISTRY_STORE_URI_ENV_VAR,
        SERVE_ARTIFACTS_ENV_VAR,
    )

    env = dict(base)
    tracking_uri = database_uri(settings.db_host, settings.db_port, settings.db_name)
    here = os.path.dirname(os.path.abspath(__file__))
    env.update(
        {
            BACKEND_STORE_URI_ENV_VAR: tracking_uri,
            REGISTRY_STORE_URI_ENV_VAR: tracking_uri,
            # Proxied artifacts: clients talk to /api/2.0/mlflow-artifacts and need no AWS
            # credentials; runs record mlflow-artifacts:/ locations (what `--serve-artifacts`
            # without --default-artifact-root resolves to).
            SERVE_ARTIFACTS_ENV_VAR: "true",
            ARTIFACTS_DESTINATION_ENV_VAR: settings.artifacts_destination,
            ARTIFACT_ROOT_ENV_VAR: "mlflow-artifacts:/",
            "MLFLOW_SERVER_ALLOWED_HOSTS": mlflow_allowed_hosts(settings.allowed_hosts),
            "MLFLOW_SERVER_CORS_ALLOWED_ORIGINS": cors_allowed_origins(settings.allowed_hosts),
            "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false",
            "MLFLOW_ENABLE_WORKSPACES": "false",
            # No usage telemetry from a production server (and no egress attempts in tests).
            "MLFLOW_DISABLE_TELEMETRY": "true",
            "DO_NOT_TRACK": "true",
            # Bound the DB connections per worker: one engine each for tracking and auth, and a
            # request thread holds at most one connection of each at a time.
            "MLFLOW_SQLALCHEMYSTORE_POOL_SIZE": str(settings.threads),
            "MLFLOW_SQLALCHEMYSTORE_MAX_OVERFLOW": str(settings.threads),
            "MLFLOW_SQLALCHEMYSTORE_POOL_RECYCLE": "1800",
            "PYTHONPATH": os.pathsep.join(p for p in (here, base.get("PYTHONPATH", "")) if p),
            "PYTHONUNBUFFERED": "1",
            # For wsgi.py / gunicorn_conf.py: the validated values.
            "MLFLOW_WORKERS": str(settings.workers),
            "MLFLOW_THREADS": str(settings.threads),
            "MLFLOW_PORT": str(settings.port),
            "MLFLOW_AUTH": settings.auth,
            "AWS_REGION": settings.region,
            "AWS_DEFAULT_REGION": settings.region,
        }
    )
    if auth_config_path:
        env["MLFLOW_AUTH_CONFIG_PATH"] = auth_config_path
    return env


def gunicorn_argv() -> list[str]:
    """gunicorn's command line: no secret, no configuration value (gunicorn_conf.py reads the
    validated environment)."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        "python:gunicorn_conf",
        "wsgi:application",
    ]


# --- start-up steps ---------------------------------------------------------------------------


def _secret_env(settings: Settings) -> dict[str, str]:
    return {
        "MLFLOW_DB_HOST": settings.db_host,
        "MLFLOW_DB_PORT": str(settings.db_port),
        "MLFLOW_DB_USERNAME": settings.db_username,
        "MLFLOW_DB_PASSWORD": settings.db_password,
        **({"MLFLOW_DB_CA_BUNDLE": settings.db_ca_bundle} if settings.db_ca_bundle else {}),
    }


# MySQL/MariaDB error codes (server and client) that retrying cannot fix.
_FATAL_DB_ERRORS = {
    1044: "access to the database denied for MLFLOW_DB_USERNAME",
    1045: "access denied: MLFLOW_DB_USERNAME / MLFLOW_DB_PASSWORD rejected by the server",
    1129: "this host is blocked by the server (too many connection errors)",
    1251: "the server requires an authentication plugin PyMySQL does not support",
    1698: "access denied: MLFLOW_DB_USERNAME / MLFLOW_DB_PASSWORD rejected by the server",
    3159: "the server requires TLS (require_secure_transport=ON): set MLFLOW_DB_CA_BUNDLE",
}


def _classify_db_error(exc: BaseException) -> tuple[bool, str]:
    """(fatal, description) for a connection error."""
    code = exc.args[0] if exc.args and isinstance(exc.args[0], int) else None
    text = str(exc.args[1]) if len(exc.args) > 1 else str(exc)
    if code in _FATAL_DB_ERRORS:
        return True, f"{_FATAL_DB_ERRORS[code]} (MySQL error {code})"
    if "CERTIFICATE_VERIFY_FAILED" in text or "certificate verify failed" in text.lower():
        return True, (
            "TLS verification of the database server failed: its certificate is not signed by "
            f"a CA in MLFLOW_DB_CA_BUNDLE or does not name MLFLOW_DB_HOST ({text})"
        )
    if "SSL" in text and "WRONG_VERSION_NUMBER" in text:
        return True, f"TLS handshake failed: the server does not speak TLS ({text})"
    return False, f"MySQL error {code}: {text}" if code else text


def wait_for_database(settings: Settings) -> None:
    """Connect until it works or MLFLOW_DB_WAIT_SECONDS pass; fail at once when retrying
    cannot help (wrong credentials, TLS misconfiguration)."""
    import pymysql
    from dbconnect import connect_kwargs

    deadline = time.monotonic() + settings.db_wait_seconds
    attempt = 0
    last = "no attempt made"
    target = f"{settings.db_host}:{settings.db_port}"
    while True:
        attempt += 1
        remaining = deadline - time.monotonic()
        try:
            conn = pymysql.connect(
                **connect_kwargs(_secret_env(settings), connect_timeout=max(1, min(5, remaining)))
            )
        except pymysql.err.MySQLError as exc:
            fatal, last = _classify_db_error(exc)
            if fatal:
                raise StartupError(EXIT_DATABASE, f"database {target}: {last}") from None
        except OSError as exc:  # DNS failure, TLS errors raised before PyMySQL wraps them
            fatal, last = _classify_db_error(exc)
            if fatal:
                raise StartupError(EXIT_DATABASE, f"database {target}: {last}") from None
        else:
            try:
                with conn.cursor() as cur:
                    cur.execute("SELECT VERSION()")
                    row = cur.fetchone()
                    cur.execute("SHOW STATUS LIKE 'Ssl_cipher'")
                    cipher = cur.fetchone()
            finally:
                conn.close()
            tls = cipher[1] if cipher and cipher[1] else "no TLS"
            log.info("database %s is up (%s, %s) after %d attempt(s)", target, row[0], tls, attempt)
            return
        if time.monotonic() >= deadline:
            raise StartupError(
                EXIT_DATABASE,
                f"database {target} not reachable within MLFLOW_DB_WAIT_SECONDS="
                f"{settings.db_wait_seconds:.0f} ({attempt} attempts); last error: {last}",
            )
        log.info("waiting for database %s (attempt %d): %s", target, attempt, last)
        time.sleep(min(2.0, max(0.0, deadline - time.monotonic())))


@contextlib.contextmanager
def _db_connection(settings: Settings, database: str | None = None) -> Iterator[Any]:
    import pymysql
    from dbconnect import connect_kwargs

    kwargs = connect_kwargs(_secret_env(settings))
    if database:
        kwargs["database"] = database
    conn = pymysql.connect(autocommit=True, **kwargs)
    try:
        yield conn
    finally:
        conn.close()


def ensure_schemas(settings: Settings) -> None:
    """Create the tracking and auth schemas if missing, utf8mb4 with a binary collation (as
    the RDS parameter group sets for the server): case-sensitive names, like MLflow expects."""
    wanted = [settings.db_name] + ([settings.auth_db_name] if settings.auth == "basic" else [])
    with _db_connection(settings) as conn, conn.cursor() as cur:
        for schema in wanted:
            cur.execute(
                "SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME "
                "FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = %s",
                (schema,),
            )
            row = cur.fetchone()
            if row is None:
                # The name was validated against [A-Za-z0-9_]{1,64}: safe to quote this way.
                cur.execute(
                    f"CREATE DATABASE IF NOT EXISTS `{schema}` "
                    "CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
                )
                log.info("created schema %s (utf8mb4, utf8mb4_bin)", schema)
            elif row[0] != "utf8mb4":
                log.warning(
                    "schema %s exists with character set %s (not utf8mb4): non-ASCII names "
                    "and values may fail; left as it is",
                    schema,
                    row[0],
                )


def check_bucket(settings: Settings) -> None:
    """List one key under the prefix (what MLflow's artifact listing needs: s3:ListBucket),
    retrying network errors until MLFLOW_BUCKET_CHECK_SECONDS pass."""
    import boto3
    import botocore.exceptions
    from botocore.config import Config

    client = boto3.client(
        "s3",
        region_name=settings.region,
        endpoint_url=settings.s3_endpoint_url,
        config=Config(
            connect_timeout=5, read_timeout=10, retries={"max_attempts": 1, "mode": "standard"}
        ),
    )
    deadline = time.monotonic() + settings.bucket_check_seconds
    where = f"s3://{settings.bucket}"
    attempt = 0
    while True:
        attempt += 1
        try:
            client.list_objects_v2(
                Bucket=settings.bucket,
                Prefix=f"{settings.prefix}/" if settings.prefix else "",
                MaxKeys=1,
            )
            log.info("artifact bucket %s is reachable", where)
            return
        except botocore.exceptions.ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in ("NoSuchBucket", "404"):
                message = "does not exist (check MLFLOW_ARTIFACTS_DESTINATION)"
            elif code in ("AccessDenied", "403", "AllAccessDisabled"):
                message = "access denied: the task role needs s3:ListBucket on it"
            elif code in ("PermanentRedirect", "AuthorizationHeaderMalformed", "301"):
                message = f"is not in region {settings.region} (check AWS_REGION)"
            elif code in ("InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken"):
                message = f"rejected the credentials ({code}): check the task role"
            else:
                message = f"failed: {code} {exc}"
            raise StartupError(EXIT_BUCKET, f"artifact bucket {where} {message}") from None
        except botocore.exceptions.NoCredentialsError:
            raise StartupError(
                EXIT_BUCKET,
                f"artifact bucket {where}: no AWS credentials found (is a task role attached?)",
            ) from None
        except (botocore.exceptions.BotoCoreError, OSError) as exc:
            last = str(exc)
        if time.monotonic() >= deadline:
            raise StartupError(
                EXIT_BUCKET,
                f"artifact bucket {where} not reachable within MLFLOW_BUCKET_CHECK_SECONDS="
                f"{settings.bucket_check_seconds:.0f}; last error: {last}",
            )
        log.info("waiting for the artifact bucket %s (attempt %d): %s", where, attempt, last)
        time.sleep(min(2.0, max(0.0, deadline - time.monotonic())))


@contextlib.contextmanager
def migration_lock(settings: Settings) -> Iterator[None]:
    """Hold a MySQL advisory lock for the migrations: tasks starting together take turns, and
    the server releases the lock by itself if the holder dies (its connection closes)."""
    name = f"mlflow-migrations:{settings.db_name}"
    with _db_connection(settings) as conn, conn.cursor() as cur:
        started = time.monotonic()
        cur.execute("SELECT GET_LOCK(%s, %s)", (name, settings.migration_lock_seconds))
        (got,) = cur.fetchone()
        if got != 1:
            raise StartupError(
                EXIT_MIGRATION,
                f"could not take the migration lock {name!r} within "
                f"MLFLOW_MIGRATION_LOCK_SECONDS={settings.migration_lock_seconds} (another task "
                "is still migrating, or hung while holding it)",
            )
        waited = time.monotonic() - started
        log.info("holding migration lock %r (waited %.1f s)", name, waited)
        try:
            yield
        finally:
            cur.execute("SELECT RELEASE_LOCK(%s)", (name,))


# The auth store's initial migration (8606fa83a998) names the foreign keys of two tables
# `fk_user_id`. MySQL/MariaDB scope constraint names to the schema, so the second CREATE TABLE
# fails with errno 121 (upstream mlflow#9642, #10964), after the first tables were created:
# MySQL DDL commits implicitly, so a failed attempt leaves users/experiment_permissions (and an
# empty alembic_version_auth) behind, and every later start fails again on "table exists".
# Workaround: while no Alembic revision is recorded, create whichever of the initial tables are
# missing, exactly as that migration does but with schema-unique constraint names, and record
# the initial revision; MLflow's own migrations then take the schema to head. Existing tables
# and rows are never dropped. The integration suite reproduces the upstream failure for real.
AUTH_INITIAL_REVISION = "8606fa83a998"
AUTH_VERSION_TABLE = "alembic_version_auth"


def auth_initial_tables() -> Any:
    """SQLAlchemy tables of auth revision 8606fa83a998 with schema-unique constraint names."""
    import sqlalchemy as sa

    metadata = sa.MetaData()
    sa.Table(
        "users",
        metadata,
        sa.Column("id", sa.Integer(), nullable=False, primary_key=True),
        sa.Column("username", sa.String(length=255), nullable=True),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("is_admin", sa.Boolean(), nullable=True),
        sa.UniqueConstraint("username"),
    )
    sa.Table(
        "experiment_permissions",
        metadata,
        sa.Column("id", sa.Integer(), nullable=False, primary_key=True),
        sa.Column("experiment_id", sa.String(length=255), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("permission", sa.String(length=255), nullable=True),
        # Upstream's name, kept: this is the first of the two and is created fine.
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_user_id"),
        sa.UniqueConstraint("experiment_id", "user_id", name="unique_experiment_user"),
    )
    sa.Table(
        "registered_model_permissions",
        metadata,
        sa.Column("id", sa.Integer(), nullable=False, primary_key=True),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("permission", sa.String(length=255), nullable=True),
        # Upstream says fk_user_id here too, which MySQL rejects (errno 121).
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_rm_perm_user_id"),
        sa.UniqueConstraint("name", "user_id", name="unique_name_user"),
    )
    return metadata


def repair_auth_schema(engine: Any) -> str:
    """Bring an auth schema whose initial migration never completed to revision 8606fa83a998.
    Returns what was done (for the log)."""
    import sqlalchemy as sa

    with engine.begin() as conn:
        existing = set(sa.inspect(conn).get_table_names())
        if AUTH_VERSION_TABLE in existing:
            revision = conn.execute(
                sa.text(f"SELECT version_num FROM {AUTH_VERSION_TABLE}")  # noqa: S608 - constant
            ).scalar()
            if revision:
                return f"auth schema at revision {revision}"
        metadata = auth_initial_tables()
        missing = [t for t in metadata.sorted_tables if t.name not in existing]
        metadata.create_all(conn, tables=missing, checkfirst=True)
        conn.execute(
            sa.text(
                f"CREATE TABLE IF NOT EXISTS {AUTH_VERSION_TABLE} (version_num VARCHAR(32) NOT "
                f"NULL, CONSTRAINT {AUTH_VERSION_TABLE}_pkc PRIMARY KEY (version_num))"
            )
        )
        conn.execute(sa.text(f"DELETE FROM {AUTH_VERSION_TABLE}"))  # noqa: S608 - constant
        conn.execute(
            sa.text(f"INSERT INTO {AUTH_VERSION_TABLE} (version_num) VALUES (:rev)"),  # noqa: S608
            {"rev": AUTH_INITIAL_REVISION},
        )
    kept = sorted(t.name for t in metadata.sorted_tables if t.name in existing)
    created = [t.name for t in missing]
    return (
        f"auth schema had no recorded revision: created {created or 'nothing'}, kept existing "
        f"{kept or 'nothing'}, recorded revision {AUTH_INITIAL_REVISION}"
    )


def run_migrations(settings: Settings) -> None:
    """Migrate the tracking schema, then (basic auth) repair + migrate the auth schema and
    create the admin user, all under the advisory lock."""
    import sqlalchemy as sa
    from dbconnect import install_sqlalchemy_credentials
    from sqlalchemy.pool import NullPool

    install_sqlalchemy_credentials(_secret_env(settings))
    with migration_lock(settings):
        started = time.monotonic()
        tracking_uri = database_uri(settings.db_host, settings.db_port, settings.db_name)
        # `mlflow db upgrade` (initializes an empty schema, upgrades an existing one).
        from mlflow.db import upgrade as mlflow_db_upgrade

        assert mlflow_db_upgrade.callback is not None
        mlflow_db_upgrade.callback(url=tracking_uri)
        log.info(
            "tracking schema %s is at head (%.1f s)", settings.db_name, time.monotonic() - started
        )

        if settings.auth != "basic":
            return
        auth_uri = database_uri(settings.db_host, settings.db_port, settings.auth_db_name)
        engine = sa.create_engine(auth_uri, poolclass=NullPool)
        try:
            from mlflow.server.auth.db.utils import INITIAL_REVISION

            if INITIAL_REVISION != AUTH_INITIAL_REVISION:
                raise StartupError(
                    EXIT_MIGRATION,
                    f"MLflow's initial auth revision is {INITIAL_REVISION}, this entrypoint's "
                    f"MySQL workaround mirrors {AUTH_INITIAL_REVISION}: update entrypoint.py",
                )
            log.info(repair_auth_schema(engine))
        finally:
            engine.dispose()
        # MLflow's own bootstrap (what `mlflow server --app-name basic-auth` runs before it
        # starts workers): migrate the auth schema to head, create the admin user if missing.
        from mlflow.server.auth import bootstrap_admin_user

        bootstrap_admin_user()
        log.info(
            "auth schema %s migrated, admin user %r present (%.1f s)",
            settings.auth_db_name,
            settings.admin_username,
            time.monotonic() - started,
        )


# --- main ----------------------------------------------------------------------------------------


class _RedactSecrets(logging.Filter):
    """Last line of defence: no log record of this process shows a secret's value."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if s and len(s) >= 4]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = message
        for secret in self._secrets:
            redacted = redacted.replace(secret, "***")
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def _configure_logging(env: Mapping[str, str]) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        logging.Formatter("%(asctime)s mlflow-entrypoint %(levelname)s %(message)s")
    )
    handler.addFilter(_RedactSecrets([env.get(name, "") for name in SECRET_ENVIRONMENT]))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)


def main() -> int:
    _configure_logging(os.environ)
    settings, problems = parse_settings(os.environ)
    if settings is None:
        log.error(
            "invalid configuration, %d problem(s):\n%s",
            len(problems),
            "\n".join(f"  - {p}" for p in problems),
        )
        return EXIT_CONFIG
    log.info(
        "starting: db %s:%s/%s (auth schema %s, TLS %s), artifacts %s, auth %s, %d worker(s) x "
        "%d thread(s), port %d, allowed hosts %s",
        settings.db_host,
        settings.db_port,
        settings.db_name,
        settings.auth_db_name,
        "verified" if settings.db_ca_bundle else "NOT verified",
        settings.artifacts_destination,
        settings.auth,
        settings.workers,
        settings.threads,
        settings.port,
        ",".join(settings.allowed_hosts),
    )
    if not settings.db_ca_bundle:
        # PyMySQL then still negotiates TLS when the server offers it, but accepts any
        # certificate: the connection is encrypted, not authenticated.
        log.warning(
            "MLFLOW_DB_CA_BUNDLE is not set: the database's certificate is not verified "
            "(set it to /app/rds-ca-bundle.pem on RDS)"
        )
    try:
        wait_for_database(settings)
        ensure_schemas(settings)
        check_bucket(settings)
        auth_config = write_auth_config(settings) if settings.auth == "basic" else None
        env = server_environment(settings, os.environ, auth_config)
        # This process runs MLflow's migrations and auth bootstrap: same configuration as the
        # workers (MLflow reads the auth INI path when mlflow.server.auth is imported).
        os.environ.update(env)
        run_migrations(settings)
    except StartupError as exc:
        log.error("start-up failed: %s", exc)
        return exc.exit_code
    except Exception as exc:
        log.exception("start-up failed: %s: %s", type(exc).__name__, exc)
        return EXIT_MIGRATION
    log.info("start-up checks passed; exec gunicorn")
    sys.stdout.flush()
    sys.stderr.flush()
    argv = gunicorn_argv()
    # Replace this process: gunicorn's master becomes the container's PID 1 and gets ECS's
    # SIGTERM directly. argv holds no secret (the environment carries them, as ECS injected).
    os.execve(argv[0], argv, env)  # noqa: S606
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main())
