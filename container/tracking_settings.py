"""Validation of the tracking server's environment into one typed, frozen `Settings`.

`parse_settings` checks every variable of the contract (tracking_contract.py: names,
defaults, numeric limits, allowed values) and reports every problem at once; each problem
names the variable, the bad value (never a secret's value, only its length) and what is
allowed. Standard library only.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from tracking_contract import (
    AUTH_MODES,
    CHOICES,
    DEFAULTS,
    LIMITS,
    MIN_ADMIN_PASSWORD_LENGTH,
    MIN_SECRET_KEY_LENGTH,
    PERMISSIONS,
    RETENTION_REFUSED_SECRETS,
)
from tracking_hosts import parse_allowed_hosts

_SCHEMA_RE = re.compile(r"^[A-Za-z0-9_]{1,64}$")
# S3 bucket naming rules (lower-case letters, digits, dots, hyphens; 3-63 characters).
_BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_REGION_RE = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")
# MLflow user names the app creates: a letter, then letters, digits, '_', '.' or '-'.
_USERNAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$")


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
    login_window_seconds: int
    max_failures_per_user: int
    max_failures_per_address: int
    max_concurrent_hashes: int
    hash_wait_ms: int
    workers: int
    threads: int
    port: int
    db_wait_seconds: float
    bucket_check_seconds: float
    migration_lock_seconds: int
    region: str
    s3_endpoint_url: str | None
    # `server`, `migrate` or `retention` (tracking_contract.ROLES).
    role: str
    # Secrets: kept out of repr() so a logged Settings never shows them.
    db_username: str = field(repr=False)
    db_password: str = field(repr=False)
    admin_password: str | None = field(repr=False, default=None)
    flask_secret_key: str | None = field(repr=False, default=None)
    # The scheduled run pricer's MLflow user, kept in step with its secret (None: no pricer).
    run_costs_username: str | None = None
    run_costs_password: str | None = field(repr=False, default=None)
    # Role `retention` only: the policy (JSON), the bucket's storage rules (JSON) and the
    # class tagged artifacts are archived into, for `cost retention apply`.
    retention_policy: str | None = None
    retention_bucket_properties: str | None = None
    retention_archive_class: str | None = None


def _get(env: Mapping[str, str], name: str) -> str:
    value = env.get(name)
    if value is None or value.strip() == "":
        return DEFAULTS.get(name, "")
    return value.strip()


def _int_setting(env: Mapping[str, str], name: str, problems: list[str]) -> int:
    low, high = LIMITS[name]
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
    db_port = _int_setting(env, "MLFLOW_DB_PORT", problems)

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

    role = _get(env, "MLFLOW_ROLE").lower()
    if role not in CHOICES["MLFLOW_ROLE"]:
        problems.append(
            f"MLFLOW_ROLE={role!r}: allowed values are {', '.join(CHOICES['MLFLOW_ROLE'])} "
            "(server: serve, initialize only an empty schema; migrate: the one-off task that "
            "upgrades the schema, then exits; retention: the scheduled clean-up on a schema at "
            "head, then exits)"
        )
    # The retention task serves nothing and logs nobody in: no Host check, no auth secrets.
    serves = role != "retention"

    allowed_hosts: tuple[str, ...] = ()
    raw_hosts = _get(env, "MLFLOW_ALLOWED_HOSTS")
    if not raw_hosts and not serves:
        pass
    elif not raw_hosts:
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
    cache_ttl = _int_setting(env, "MLFLOW_AUTH_CACHE_TTL_SECONDS", problems)
    login_window = _int_setting(env, "MLFLOW_AUTH_LOGIN_WINDOW_SECONDS", problems)
    per_user = _int_setting(env, "MLFLOW_AUTH_MAX_FAILURES_PER_USER", problems)
    per_address = _int_setting(env, "MLFLOW_AUTH_MAX_FAILURES_PER_ADDRESS", problems)
    hashes = _int_setting(env, "MLFLOW_AUTH_MAX_CONCURRENT_HASHES", problems)
    hash_wait = _int_setting(env, "MLFLOW_AUTH_HASH_WAIT_MS", problems)

    workers = _int_setting(env, "MLFLOW_WORKERS", problems)
    threads = _int_setting(env, "MLFLOW_THREADS", problems)
    port = _int_setting(env, "MLFLOW_PORT", problems)
    db_wait = _int_setting(env, "MLFLOW_DB_WAIT_SECONDS", problems)
    bucket_wait = _int_setting(env, "MLFLOW_BUCKET_CHECK_SECONDS", problems)
    lock_wait = _int_setting(env, "MLFLOW_MIGRATION_LOCK_SECONDS", problems)

    jobs = _get(env, "MLFLOW_SERVER_ENABLE_JOB_EXECUTION").lower()
    allowed_jobs = CHOICES["MLFLOW_SERVER_ENABLE_JOB_EXECUTION"]
    if jobs in ("true", "1"):
        problems.append(
            f"MLFLOW_SERVER_ENABLE_JOB_EXECUTION={jobs!r}: this image serves MLflow under "
            "gunicorn, which does not run MLflow's job runner (about 2 GB of extra workers; its "
            "unauthenticated endpoints were CVE-2026-0545); allowed value: false"
        )
    elif jobs not in allowed_jobs:
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
    if not serves:
        for name in RETENTION_REFUSED_SECRETS:
            if env.get(name):
                problems.append(
                    f"{name}: set for MLFLOW_ROLE=retention, which must not be given it (the "
                    "retention task needs only the database credentials; value not shown)"
                )
        admin_password = secret_key = None
    elif auth != "none":
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

    run_costs_username = _get(env, "MLFLOW_RUN_COSTS_USERNAME") or None
    run_costs_password = env.get("MLFLOW_RUN_COSTS_PASSWORD") or None
    if not serves:
        run_costs_username = run_costs_password = None
    elif run_costs_username is not None:
        if auth != "basic":
            problems.append(
                f"MLFLOW_RUN_COSTS_USERNAME={run_costs_username!r}: needs MLFLOW_AUTH=basic (with "
                "auth off there are no users to create)"
            )
        if not _USERNAME_RE.match(run_costs_username):
            problems.append(
                f"MLFLOW_RUN_COSTS_USERNAME={run_costs_username!r}: a letter, then up to 63 "
                "letters, digits, '_', '.' or '-'"
            )
        elif run_costs_username == admin_username:
            problems.append(
                f"MLFLOW_RUN_COSTS_USERNAME={run_costs_username!r}: must not be the admin user "
                "(the pricer runs as a non-admin user)"
            )
        if run_costs_password is None:
            problems.append(
                "MLFLOW_RUN_COSTS_PASSWORD: missing secret (the run pricer's password, set with "
                "MLFLOW_RUN_COSTS_USERNAME)"
            )
        elif len(run_costs_password) < MIN_ADMIN_PASSWORD_LENGTH:
            problems.append(
                f"MLFLOW_RUN_COSTS_PASSWORD: too short ({len(run_costs_password)} characters; "
                f"MLflow requires at least {MIN_ADMIN_PASSWORD_LENGTH}; value not shown)"
            )
    elif run_costs_password is not None:
        problems.append(
            "MLFLOW_RUN_COSTS_PASSWORD: set without MLFLOW_RUN_COSTS_USERNAME (the user it is "
            "the password of)"
        )

    retention_policy = retention_properties = archive_class = None
    if not serves:
        retention_policy = _json_object(env, "MLFLOW_RETENTION_POLICY", problems)
        retention_properties = _json_object(env, "MLFLOW_RETENTION_BUCKET_PROPERTIES", problems)
        archive_class = _get(env, "MLFLOW_RETENTION_ARCHIVE_CLASS").upper()
        if archive_class not in CHOICES["MLFLOW_RETENTION_ARCHIVE_CLASS"]:
            problems.append(
                f"MLFLOW_RETENTION_ARCHIVE_CLASS={archive_class!r}: allowed values are "
                f"{', '.join(CHOICES['MLFLOW_RETENTION_ARCHIVE_CLASS'])}"
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
            login_window_seconds=login_window,
            max_failures_per_user=per_user,
            max_failures_per_address=per_address,
            max_concurrent_hashes=hashes,
            hash_wait_ms=hash_wait,
            workers=workers,
            threads=threads,
            port=port,
            db_wait_seconds=float(db_wait),
            bucket_check_seconds=float(bucket_wait),
            migration_lock_seconds=lock_wait,
            region=region,
            s3_endpoint_url=endpoint,
            role=role,
            db_username=db_username,
            db_password=db_password,
            admin_password=admin_password,
            flask_secret_key=secret_key,
            run_costs_username=run_costs_username,
            run_costs_password=run_costs_password,
            retention_policy=retention_policy,
            retention_bucket_properties=retention_properties,
            retention_archive_class=archive_class,
        ),
        [],
    )


def _json_object(env: Mapping[str, str], name: str, problems: list[str]) -> str | None:
    """A required JSON object setting (the retention command validates its fields)."""
    raw = _get(env, name)
    if not raw:
        problems.append(f"{name}: missing (a JSON object; the stack sets it)")
        return None
    try:
        value = json.loads(raw)
    except ValueError as err:
        problems.append(f"{name}: not valid JSON ({err.args[0] if err.args else err})")
        return None
    if not isinstance(value, dict):
        problems.append(f"{name}: a JSON object is required, not {type(value).__name__}")
        return None
    return raw


def database_secret_env(settings: Settings) -> dict[str, str]:
    """What dbconnect.py needs to reach the database (credentials included): for the
    entrypoint's own connections and its migrations."""
    return {
        "MLFLOW_DB_HOST": settings.db_host,
        "MLFLOW_DB_PORT": str(settings.db_port),
        "MLFLOW_DB_USERNAME": settings.db_username,
        "MLFLOW_DB_PASSWORD": settings.db_password,
        **({"MLFLOW_DB_CA_BUNDLE": settings.db_ca_bundle} if settings.db_ca_bundle else {}),
    }
