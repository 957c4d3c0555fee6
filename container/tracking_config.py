"""What the validated settings turn into: database URIs, the basic-auth INI, the gunicorn
processes' environment and command line.

Nothing here talks to the network. `server_environment` reads two of MLflow's modules (for the
names of its private server variables); everything else is standard library.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import re
import sys
import tempfile
import types
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import quote

from tracking_contract import SECRET_ENVIRONMENT
from tracking_hosts import mlflow_allowed_hosts
from tracking_settings import Settings


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


def cors_allowed_origins(patterns: tuple[str, ...]) -> str:
    """MLFLOW_SERVER_CORS_ALLOWED_ORIGINS: the server's own origins, literal ones only.

    A fallback: tracking_hosts.OriginCheck decides about origins before MLflow and removes the
    Origin header of the requests it lets through, so MLflow's CORS layer never sees one.
    Should it, it blocks state-changing requests from origins not listed (browsers send
    Origin on same-origin POSTs too). Wildcard host patterns are left out: Flask-CORS would
    read `https://*.example.com` as a regular expression matching far more."""
    origins: list[str] = []
    for p in patterns:
        if "*" not in p:
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
    """The environment of the gunicorn master and workers: `base` without any secret, plus the
    server's configuration (the workers get their secrets through tracking_secrets).

    MLflow's server reads its configuration from private `_MLFLOW_SERVER_*` variables that
    `mlflow server` normally sets for its workers; their names come from
    mlflow.server.constants (loaded, not copied, and pinned by the integration suite).
    """
    constants = mlflow_leaf_module("server/constants.py")
    bootstrapped = mlflow_leaf_module("environment_variables.py")._MLFLOW_AUTH_ADMIN_BOOTSTRAPPED

    env = {name: value for name, value in base.items() if name not in SECRET_ENVIRONMENT}
    tracking_uri = database_uri(settings.db_host, settings.db_port, settings.db_name)
    here = os.path.dirname(os.path.abspath(__file__))
    env.update(
        {
            constants.BACKEND_STORE_URI_ENV_VAR: tracking_uri,
            constants.REGISTRY_STORE_URI_ENV_VAR: tracking_uri,
            # Proxied artifacts: clients talk to /api/2.0/mlflow-artifacts and need no AWS
            # credentials; runs record mlflow-artifacts:/ locations (what `--serve-artifacts`
            # without --default-artifact-root resolves to).
            constants.SERVE_ARTIFACTS_ENV_VAR: "true",
            constants.ARTIFACTS_DESTINATION_ENV_VAR: settings.artifacts_destination,
            constants.ARTIFACT_ROOT_ENV_VAR: "mlflow-artifacts:/",
            "MLFLOW_SERVER_ALLOWED_HOSTS": mlflow_allowed_hosts(settings.allowed_hosts),
            "MLFLOW_SERVER_CORS_ALLOWED_ORIGINS": cors_allowed_origins(settings.allowed_hosts),
            "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false",
            "MLFLOW_ENABLE_WORKSPACES": "false",
            # No usage telemetry from a production server (and no egress attempts in tests).
            "MLFLOW_DISABLE_TELEMETRY": "true",
            "DO_NOT_TRACK": "true",
            # Bound the DB connections per worker: one engine each for tracking and auth, and a
            # request thread holds at most one connection of each at a time (grantlookup's
            # reader takes the same pool size, without overflow).
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
            # For serverapp.py's login guard (tracking_login.py).
            "MLFLOW_AUTH_LOGIN_WINDOW_SECONDS": str(settings.login_window_seconds),
            "MLFLOW_AUTH_MAX_FAILURES_PER_USER": str(settings.max_failures_per_user),
            "MLFLOW_AUTH_MAX_FAILURES_PER_ADDRESS": str(settings.max_failures_per_address),
            "MLFLOW_AUTH_MAX_CONCURRENT_HASHES": str(settings.max_concurrent_hashes),
            "MLFLOW_AUTH_HASH_WAIT_MS": str(settings.hash_wait_ms),
            "AWS_REGION": settings.region,
            "AWS_DEFAULT_REGION": settings.region,
        }
    )
    if auth_config_path:
        env["MLFLOW_AUTH_CONFIG_PATH"] = auth_config_path
        # The entrypoint ran MLflow's bootstrap (auth migrations, admin user) before gunicorn,
        # as `mlflow server` does before its workers: the workers skip it and never need the
        # admin password.
        env[bootstrapped.name] = "true"
    return env


def mlflow_package_dir() -> Path:
    """The installed mlflow package's directory, located without importing it."""
    spec = importlib.util.find_spec("mlflow")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("the mlflow package is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


@functools.cache
def mlflow_leaf_module(relative: str) -> types.ModuleType:
    """One of MLflow's modules that imports nothing of MLflow (constants, environment
    variable declarations), executed on its own: `import mlflow.x` would run mlflow's
    __init__ first, about 2 s of CPU at every task start. MLflow's own definitions, not
    copies; the integration suite checks them against the imported modules."""
    path = mlflow_package_dir() / relative
    source = path.read_text(encoding="utf-8")
    if re.search(r"^\s*(from|import)\s+mlflow\b", source, flags=re.MULTILINE):
        raise ImportError(f"{path} imports mlflow: it cannot be loaded on its own")
    name = "_mlflow_leaf_" + relative.removesuffix(".py").replace("/", "_")
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def worker_secret_values(settings: Settings) -> dict[str, str]:
    """What tracking_secrets hands over to the workers (the admin password never)."""
    values = {
        "MLFLOW_DB_USERNAME": settings.db_username,
        "MLFLOW_DB_PASSWORD": settings.db_password,
    }
    if settings.auth == "basic" and settings.flask_secret_key:
        values["MLFLOW_FLASK_SERVER_SECRET_KEY"] = settings.flask_secret_key
    return values


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
