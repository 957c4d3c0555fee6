"""Pure logic of container/entrypoint.py and dbconnect.py: settings validation, URIs, the
Host rule. Runs in the dev virtualenv: the entrypoint must import without MLflow/PyMySQL."""

from __future__ import annotations

import configparser
import os
import stat
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import harness as h
import pytest

sys.path.insert(0, str(h.CONTAINER))
import dbconnect
import entrypoint as ep

PUNCTUATION_PASSWORDS = [
    "p%:#?&+=@/ x",
    "%41%%25",
    "a@b@c:d/e?f#g",
    "quote'double\"back\\slash",
    "ünïcødé-pässwörd+=",
    h.DB_PASSWORD,
]


def good_env(**changes: str | None) -> dict[str, str]:
    env = {
        "MLFLOW_DB_HOST": "mlflow.abc123.eu-west-1.rds.amazonaws.com",
        "MLFLOW_ARTIFACTS_DESTINATION": "s3://my-bucket/mlflow",
        "MLFLOW_ALLOWED_HOSTS": f"{h.ALB_HOST},{h.DOMAIN_HOST}",
        "AWS_REGION": "eu-west-1",
        "MLFLOW_DB_USERNAME": "master",
        "MLFLOW_DB_PASSWORD": "x" * 30,
        "MLFLOW_AUTH_ADMIN_PASSWORD": "a" * 20,
        "MLFLOW_FLASK_SERVER_SECRET_KEY": "k" * 32,
    }
    for key, value in changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def test_entrypoint_imports_without_mlflow_or_pymysql() -> None:
    # The CDK unit tests import it in an environment without the server's packages.
    code = (
        "import sys, builtins\n"
        "real = builtins.__import__\n"
        "def guard(name, *a, **k):\n"
        "    if name.split('.')[0] in ('mlflow', 'pymysql', 'sqlalchemy', 'boto3'):\n"
        "        raise ImportError(name)\n"
        "    return real(name, *a, **k)\n"
        "builtins.__import__ = guard\n"
        f"sys.path.insert(0, {str(h.CONTAINER)!r})\n"
        "import entrypoint\n"
        "print(len(entrypoint.PLAIN_ENVIRONMENT), len(entrypoint.SECRET_ENVIRONMENT))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == [str(len(ep.PLAIN_ENVIRONMENT)), str(len(ep.SECRET_ENVIRONMENT))]


def test_contract_names_are_disjoint_and_complete() -> None:
    plain, secret = set(ep.PLAIN_ENVIRONMENT), set(ep.SECRET_ENVIRONMENT)
    assert not plain & secret
    assert len(plain) == len(ep.PLAIN_ENVIRONMENT) and len(secret) == len(ep.SECRET_ENVIRONMENT)
    assert secret == {
        "MLFLOW_DB_USERNAME",
        "MLFLOW_DB_PASSWORD",
        "MLFLOW_AUTH_ADMIN_PASSWORD",
        "MLFLOW_FLASK_SERVER_SECRET_KEY",
    }
    # Every default belongs to a plain variable.
    assert set(ep.DEFAULTS) <= plain
    # Every variable the entrypoint reads is in the contract (or test-only).
    source = (h.CONTAINER / "entrypoint.py").read_text()
    import re

    read = set(re.findall(r'_(?:get|int_setting)\(env, "([A-Z_]+)"', source))
    read |= set(re.findall(r'env\.get\("([A-Z_]+)"', source))
    assert read <= plain | secret | set(ep.TEST_ENVIRONMENT), read - plain - secret


def test_defaults() -> None:
    settings, problems = ep.parse_settings(good_env())
    assert problems == []
    assert settings is not None
    assert (settings.db_port, settings.db_name, settings.auth_db_name) == (
        3306,
        "mlflow",
        "mlflow_auth",
    )
    assert (settings.auth, settings.admin_username) == ("basic", "admin")
    assert settings.default_permission == "NO_PERMISSIONS"
    assert settings.auth_cache_ttl_seconds == 60
    assert (settings.workers, settings.threads, settings.port) == (3, 2, 5000)
    assert (settings.bucket, settings.prefix) == ("my-bucket", "mlflow")
    assert settings.allowed_hosts == (h.ALB_HOST, h.DOMAIN_HOST)
    assert settings.region == "eu-west-1"
    # Secrets never appear in repr (a logged Settings object shows none).
    for secret in ("x" * 30, "a" * 20, "k" * 32):
        assert secret not in repr(settings)


def test_every_problem_reported_at_once_without_secret_values() -> None:
    env = good_env(
        MLFLOW_DB_HOST=None,
        MLFLOW_DB_PORT="70000",
        MLFLOW_DB_NAME="bad-name!",
        MLFLOW_ARTIFACTS_DESTINATION="my-bucket/mlflow",
        MLFLOW_ALLOWED_HOSTS="*",
        MLFLOW_AUTH="ldap",
        MLFLOW_WORKERS="many",
        MLFLOW_SERVER_ENABLE_JOB_EXECUTION="true",
        MLFLOW_AUTH_ADMIN_PASSWORD="short-pw",
        MLFLOW_DB_PASSWORD=None,
        MLFLOW_FLASK_SERVER_SECRET_KEY=None,
        AWS_REGION=None,
    )
    settings, problems = ep.parse_settings(env)
    assert settings is None
    text = "\n".join(problems)
    for name in (
        "MLFLOW_DB_HOST",
        "MLFLOW_DB_PORT='70000'",
        "MLFLOW_DB_NAME='bad-name!'",
        "MLFLOW_ARTIFACTS_DESTINATION='my-bucket/mlflow'",
        "MLFLOW_ALLOWED_HOSTS='*'",
        "MLFLOW_AUTH='ldap'",
        "MLFLOW_WORKERS='many'",
        "MLFLOW_SERVER_ENABLE_JOB_EXECUTION",
        "MLFLOW_AUTH_ADMIN_PASSWORD: too short (8 characters",
        "MLFLOW_DB_PASSWORD: missing",
        "MLFLOW_FLASK_SERVER_SECRET_KEY: missing",
        "AWS_REGION",
    ):
        assert name in text, f"{name!r} not reported in:\n{text}"
    assert len(problems) == 12
    assert "short-pw" not in text


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"MLFLOW_DB_NAME": "same", "MLFLOW_AUTH_DB_NAME": "same"}, "must differ"),
        ({"MLFLOW_DB_CA_BUNDLE": "/nonexistent/ca.pem"}, "no such file"),
        ({"MLFLOW_ARTIFACTS_DESTINATION": "s3://Bad_Bucket/x"}, "not a valid S3 bucket name"),
        ({"MLFLOW_ALLOWED_HOSTS": "https://mlflow.example.com/"}, "no scheme, path"),
        ({"MLFLOW_ALLOWED_HOSTS": " , "}, "at least one host name"),
        ({"MLFLOW_AUTH_DEFAULT_PERMISSION": "ALL"}, "allowed values are READ"),
        ({"AWS_DEFAULT_REGION": "us-east-1"}, "disagree"),
        ({"MLFLOW_FLASK_SERVER_SECRET_KEY": "short"}, "too short (5 characters"),
        ({"MLFLOW_DB_HOST": "user:pw@host"}, "host name or IP address only"),
        ({"MLFLOW_THREADS": "0"}, "out of range"),
    ],
)
def test_single_problems(changes: dict[str, str], expected: str) -> None:
    settings, problems = ep.parse_settings(good_env(**changes))
    assert settings is None
    assert any(expected in p for p in problems), problems


def test_auth_none_needs_no_auth_secrets() -> None:
    settings, problems = ep.parse_settings(
        good_env(
            MLFLOW_AUTH="none", MLFLOW_AUTH_ADMIN_PASSWORD=None, MLFLOW_FLASK_SERVER_SECRET_KEY=None
        )
    )
    assert problems == [] and settings is not None and settings.auth == "none"


@pytest.mark.parametrize("password", PUNCTUATION_PASSWORDS)
def test_uri_with_credentials_round_trips_punctuation(password: str) -> None:
    uri = ep.database_uri_with_credentials("us:er@x", password, "db.example.com", 3306, "mlflow")
    parts = urlsplit(uri)
    assert parts.scheme == "mysql+pymysql"
    assert parts.hostname == "db.example.com" and parts.port == 3306
    assert parts.path == "/mlflow" and parts.query == "charset=utf8mb4"
    assert unquote(parts.password or "") == password
    assert unquote(parts.username or "") == "us:er@x"


def test_uri_given_to_mlflow_carries_no_credentials() -> None:
    uri = ep.database_uri("db.example.com", 3306, "mlflow")
    assert uri == "mysql+pymysql://db.example.com:3306/mlflow?charset=utf8mb4"
    assert "@" not in uri


@pytest.mark.parametrize("password", PUNCTUATION_PASSWORDS)
def test_auth_config_file_holds_no_secret_and_parses(password: str, tmp_path: Path) -> None:
    settings, _ = ep.parse_settings(good_env(MLFLOW_DB_PASSWORD=password))
    assert settings is not None
    path = ep.write_auth_config(settings)
    try:
        text = Path(path).read_text()
        assert password not in text and settings.admin_password not in text  # type: ignore[operator]
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        assert stat.S_IMODE(os.stat(os.path.dirname(path)).st_mode) == 0o700
        parser = configparser.ConfigParser()
        parser.read(path)
        section = parser["mlflow"]
        assert section["database_uri"] == ep.database_uri(
            settings.db_host, settings.db_port, settings.auth_db_name
        )
        assert section["default_permission"] == "NO_PERMISSIONS"
        assert section.getint("auth_cache_ttl_seconds") == 60
    finally:
        os.unlink(path)
        os.rmdir(os.path.dirname(path))


def test_connect_kwargs_pass_password_verbatim_and_verify_tls() -> None:
    kwargs = dbconnect.connect_kwargs(
        {
            "MLFLOW_DB_HOST": "h",
            "MLFLOW_DB_USERNAME": "u",
            "MLFLOW_DB_PASSWORD": h.DB_PASSWORD,
            "MLFLOW_DB_CA_BUNDLE": "/app/rds-ca-bundle.pem",
        }
    )
    assert kwargs["password"] == h.DB_PASSWORD and kwargs["port"] == 3306
    assert kwargs["ssl_ca"] == "/app/rds-ca-bundle.pem"
    assert kwargs["ssl_verify_cert"] is True and kwargs["ssl_verify_identity"] is True
    plain = dbconnect.connect_kwargs(
        {"MLFLOW_DB_HOST": "h", "MLFLOW_DB_USERNAME": "u", "MLFLOW_DB_PASSWORD": "p"}
    )
    assert "ssl_ca" not in plain


@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        (h.ALB_HOST, True),
        (h.ALB_HOST.upper(), True),
        (f"{h.DOMAIN_HOST}:443", True),
        (f"{h.DOMAIN_HOST}.evil.com", False),
        (f"evil.{h.DOMAIN_HOST}", False),
        ("10.0.1.23:5000", False),
        ("localhost", False),
        ("", False),
        (None, False),
        ("team.mlflow.example.org", True),
        ("mlflow.example.org", False),
        ("api.internal:8443", True),
        ("api.internal:443", False),
    ],
)
def test_host_rule(host: str | None, allowed: bool) -> None:
    patterns = (h.ALB_HOST, h.DOMAIN_HOST, "*.mlflow.example.org", "api.internal:8443")
    assert ep.host_allowed(host, patterns) is allowed


def test_mlflow_and_cors_settings_derived_from_hosts() -> None:
    hosts = (h.DOMAIN_HOST, "api.internal:8443")
    assert ep.mlflow_allowed_hosts(hosts) == f"{h.DOMAIN_HOST},{h.DOMAIN_HOST}:*,api.internal:8443"
    assert ep.cors_allowed_origins((h.DOMAIN_HOST,)) == (
        f"https://{h.DOMAIN_HOST},http://{h.DOMAIN_HOST}"
    )


def test_gunicorn_argv_holds_no_configuration() -> None:
    argv = ep.gunicorn_argv()
    assert argv[1:] == ["-m", "gunicorn", "--config", "python:gunicorn_conf", "wsgi:application"]
