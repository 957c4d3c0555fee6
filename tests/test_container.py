"""Pure logic of the tracking server image (container/): the environment contract, settings
validation, URIs, the Host rule, the retry helper, the module layout. Runs in the dev
virtualenv (`make unit`), which has no MLflow server: these modules import without it."""

from __future__ import annotations

import ast
import base64
import configparser
import json
import os
import re
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

CONTAINER = Path(__file__).resolve().parents[1] / "container"
sys.path.insert(0, str(CONTAINER))
import dbconnect  # noqa: E402
import tracking_config as config  # noqa: E402
import tracking_contract as contract  # noqa: E402
import tracking_hosts as hosts  # noqa: E402
import tracking_login as login  # noqa: E402
import tracking_readiness as readiness  # noqa: E402
import tracking_secrets as secrets_mod  # noqa: E402
import tracking_settings as settings_mod  # noqa: E402

# The integration harness's values (tests/integration/harness.py), repeated here so that these
# tests need none of its stand-ins.
ALB_HOST = "internal-mlflow-1234567890.eu-west-1.elb.amazonaws.com"
DOMAIN_HOST = "mlflow.example.com"
DB_PASSWORD = "Pw%:#?&+=@/ 'q\"[x]$!;,~"
CONTAINER_MODULES = sorted(p.stem for p in CONTAINER.glob("*.py"))

PUNCTUATION_PASSWORDS = [
    "p%:#?&+=@/ x",
    "%41%%25",
    "a@b@c:d/e?f#g",
    "quote'double\"back\\slash",
    "ünïcødé-pässwörd+=",
    DB_PASSWORD,
]


def good_env(**changes: str | None) -> dict[str, str]:
    env = {
        "MLFLOW_DB_HOST": "mlflow.abc123.eu-west-1.rds.amazonaws.com",
        "MLFLOW_ARTIFACTS_DESTINATION": "s3://my-bucket/mlflow",
        "MLFLOW_ALLOWED_HOSTS": f"{ALB_HOST},{DOMAIN_HOST}",
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


GUARD = (
    "import sys, builtins\n"
    "real = builtins.__import__\n"
    "def guard(name, globals=None, locals=None, fromlist=(), level=0):\n"
    "    if name.split('.')[0] in BLOCKED:\n"
    "        raise ImportError(name)\n"
    "    return real(name, globals, locals, fromlist, level)\n"
    "builtins.__import__ = guard\n"
)


@pytest.mark.parametrize(
    "module",
    [
        "entrypoint",
        "tracking_hosts",
        "tracking_settings",
        "tracking_config",
        "tracking_readiness",
        "tracking_login",
        "tracking_secrets",
    ],
)
def test_start_up_modules_import_without_the_server_packages(module: str) -> None:
    """The entrypoint must start (and report bad settings) before anything heavy is imported;
    the running server imports tracking_hosts alone."""
    blocked = ("mlflow", "pymysql", "sqlalchemy", "boto3", "botocore", "flask", "gunicorn")
    code = (
        f"BLOCKED = {blocked!r}\n{GUARD}"
        f"sys.path.insert(0, {str(CONTAINER)!r})\n"
        f"import {module}\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr


def test_contract_is_plain_data_importable_as_container_package() -> None:
    """What the CDK side imports (`from container import tracking_contract`): no import at all
    besides __future__, and only literal tables."""
    tree = ast.parse((CONTAINER / "tracking_contract.py").read_text())
    imports = [n for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom)]
    assert all(isinstance(n, ast.ImportFrom) and n.module == "__future__" for n in imports)
    assert not [n for n in tree.body if isinstance(n, ast.FunctionDef | ast.ClassDef)]
    code = (
        f"BLOCKED = ('tracking_settings', 'tracking_hosts')\n{GUARD}"
        f"sys.path.insert(0, {str(CONTAINER.parent)!r})\n"
        "from container import tracking_contract as c\n"
        "print(c.LIMITS['MLFLOW_WORKERS'])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "(1, 64)", out.stderr


def test_contract_names_are_disjoint_and_complete() -> None:
    plain, secret = set(contract.PLAIN_ENVIRONMENT), set(contract.SECRET_ENVIRONMENT)
    assert not plain & secret
    assert len(plain) == len(contract.PLAIN_ENVIRONMENT)
    assert len(secret) == len(contract.SECRET_ENVIRONMENT)
    assert secret == {
        "MLFLOW_DB_USERNAME",
        "MLFLOW_DB_PASSWORD",
        "MLFLOW_AUTH_ADMIN_PASSWORD",
        "MLFLOW_FLASK_SERVER_SECRET_KEY",
        "MLFLOW_RUN_COSTS_PASSWORD",
    }
    assert set(contract.OPTIONAL_SECRET_ENVIRONMENT) <= secret
    # Every default, limit and choice belongs to a plain variable.
    assert set(contract.DEFAULTS) <= plain
    assert set(contract.LIMITS) <= plain
    assert set(contract.CHOICES) <= plain
    # Every variable the settings parser reads is in the contract (or test-only).
    source = (CONTAINER / "tracking_settings.py").read_text()
    read = set(re.findall(r'_(?:get|int_setting)\(env, "([A-Z_]+)"', source))
    read |= set(re.findall(r'env\.get\("([A-Z_]+)"', source))
    assert read <= plain | secret | set(contract.TEST_ENVIRONMENT), read - plain - secret
    # Every integer setting is checked against its limit, and every limit is used.
    assert set(re.findall(r'_int_setting\(env, "([A-Z_]+)"', source)) == set(contract.LIMITS)


@pytest.mark.parametrize("name", sorted(contract.LIMITS))
def test_every_limit_is_enforced_at_both_ends(name: str) -> None:
    low, high = contract.LIMITS[name]
    for value, ok in ((low, True), (high, True), (low - 1, False), (high + 1, False)):
        _, problems = settings_mod.parse_settings(good_env(**{name: str(value)}))
        mine = [p for p in problems if p.startswith(f"{name}=")]
        assert (not mine) is ok, (value, mine)
        if not ok:
            assert f"allowed: {low}..{high}" in mine[0]


def clashing_modules(python: str | Path) -> list[str]:
    """The container's module names that `python` (isolated: no cwd, no PYTHONPATH) could
    import without container/ on its path: standard-library or installed modules."""
    code = (
        "import importlib.util, json, sys\n"
        f"names = {CONTAINER_MODULES!r}\n"
        "print(json.dumps([n for n in names if n in sys.stdlib_module_names"
        " or importlib.util.find_spec(n) is not None]))\n"
    )
    out = subprocess.run([str(python), "-I", "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return list(json.loads(out.stdout))


def test_module_names_cannot_clash() -> None:
    """The image puts container/ first on sys.path: a module named like a standard-library or
    installed one would shadow it (or be shadowed). tests/integration checks the server's own
    virtualenv the same way."""
    assert len(CONTAINER_MODULES) >= 12
    assert clashing_modules(sys.executable) == []


def test_dockerfile_copies_every_module() -> None:
    text = (CONTAINER / "Dockerfile").read_text()
    copy = re.search(r"^COPY (container/entrypoint\.py.*?) /app/$", text, re.M | re.S)
    assert copy is not None
    words = copy.group(1).replace("\\", " ").split()
    assert all(word.startswith("container/") for word in words)
    copied = sorted(Path(word).stem for word in words if word.endswith(".py"))
    assert copied == CONTAINER_MODULES


def test_dockerfile_copies_the_cost_engine_for_the_run_pricer() -> None:
    """The scheduled run pricer runs `python -m cost runs` in this image (WORKDIR /app)."""
    text = (CONTAINER / "Dockerfile").read_text()
    assert re.search(r"^WORKDIR /app$", text, re.M)
    assert re.search(r"^COPY cost /app/cost$", text, re.M)
    assert re.search(r"^COPY container/requirements\.txt \.$", text, re.M)
    pins = (CONTAINER / "requirements.txt").read_text()
    for package in ("PyYAML", "boto3", "mlflow-skinny", "matplotlib"):
        assert re.search(rf"^{package}==", pins, re.M), package


def test_the_cost_package_cannot_clash_in_the_image() -> None:
    """/app is first on the image's sys.path: nothing installed may be called `cost`."""
    code = "import importlib.util; print(importlib.util.find_spec('cost') is None)"
    out = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "True", out.stderr


def test_running_server_does_not_import_start_up_code() -> None:
    """serverapp.py needs the Host rule, not the entrypoint's start-up steps."""
    tree = ast.parse((CONTAINER / "serverapp.py").read_text())
    top = {
        n.module if isinstance(n, ast.ImportFrom) else a.name
        for n in tree.body
        if isinstance(n, ast.Import | ast.ImportFrom)
        for a in n.names
    }
    assert "tracking_hosts" in top
    assert not top & {
        "entrypoint",
        "tracking_settings",
        "tracking_readiness",
        "tracking_migrations",
    }


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def _retry(attempt: object, clock: FakeClock, seconds: float = 5) -> object:
    return readiness.retry_until_deadline(
        attempt,  # type: ignore[arg-type]
        seconds=seconds,
        what="the thing",
        setting="MLFLOW_THING_SECONDS",
        exit_code=7,
        clock=clock,
        sleep=clock.sleep,
    )


def test_retry_returns_the_first_success_and_passes_the_remaining_time() -> None:
    clock, seen = FakeClock(), []

    def attempt(remaining: float) -> str:
        seen.append(remaining)
        if len(seen) < 3:
            raise readiness.Retry("refused")
        return "up"

    assert _retry(attempt, clock) == "up"
    assert seen == [5.0, 3.0, 1.0] and clock.sleeps == [2.0, 2.0]


def test_retry_gives_up_at_the_deadline_naming_setting_attempts_and_last_error() -> None:
    clock, calls = FakeClock(), []

    def attempt(remaining: float) -> None:
        calls.append(remaining)
        raise readiness.Retry(f"refused #{len(calls)}")

    with pytest.raises(settings_mod.StartupError) as err:
        _retry(attempt, clock)
    assert err.value.exit_code == 7
    assert str(err.value) == (
        "the thing not reachable within MLFLOW_THING_SECONDS=5 (4 attempt(s)); "
        "last error: refused #4"
    )
    assert sum(clock.sleeps) == 5.0


def test_retry_stops_at_once_on_a_fatal_error() -> None:
    clock = FakeClock()

    def attempt(remaining: float) -> None:
        raise settings_mod.StartupError(3, "access denied")

    with pytest.raises(settings_mod.StartupError, match="access denied"):
        _retry(attempt, clock)
    assert clock.sleeps == []


@pytest.mark.parametrize(
    ("args", "fatal", "needle"),
    [
        ((1045, "Access denied for user"), True, "MLFLOW_DB_PASSWORD rejected"),
        ((3159, "secure transport required"), True, "set MLFLOW_DB_CA_BUNDLE"),
        ((2003, "Can't connect to MySQL server"), False, "MySQL error 2003"),
        (("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed",), True, "TLS verif"),
    ],
)
def test_database_errors_are_classified(args: tuple[object, ...], fatal: bool, needle: str) -> None:
    got_fatal, description = readiness.classify_db_error(Exception(*args))
    assert got_fatal is fatal and needle in description


def test_defaults() -> None:
    settings, problems = settings_mod.parse_settings(good_env())
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
    assert settings.allowed_hosts == (ALB_HOST, DOMAIN_HOST)
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
    settings, problems = settings_mod.parse_settings(env)
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
    settings, problems = settings_mod.parse_settings(good_env(**changes))
    assert settings is None
    assert any(expected in p for p in problems), problems


def test_auth_none_needs_no_auth_secrets() -> None:
    settings, problems = settings_mod.parse_settings(
        good_env(
            MLFLOW_AUTH="none", MLFLOW_AUTH_ADMIN_PASSWORD=None, MLFLOW_FLASK_SERVER_SECRET_KEY=None
        )
    )
    assert problems == [] and settings is not None and settings.auth == "none"


@pytest.mark.parametrize("password", PUNCTUATION_PASSWORDS)
def test_uri_with_credentials_round_trips_punctuation(password: str) -> None:
    uri = config.database_uri_with_credentials(
        "us:er@x", password, "db.example.com", 3306, "mlflow"
    )
    parts = urlsplit(uri)
    assert parts.scheme == "mysql+pymysql"
    assert parts.hostname == "db.example.com" and parts.port == 3306
    assert parts.path == "/mlflow" and parts.query == "charset=utf8mb4"
    assert unquote(parts.password or "") == password
    assert unquote(parts.username or "") == "us:er@x"


def test_uri_given_to_mlflow_carries_no_credentials() -> None:
    uri = config.database_uri("db.example.com", 3306, "mlflow")
    assert uri == "mysql+pymysql://db.example.com:3306/mlflow?charset=utf8mb4"
    assert "@" not in uri


@pytest.mark.parametrize("password", PUNCTUATION_PASSWORDS)
def test_auth_config_file_holds_no_secret_and_parses(password: str, tmp_path: Path) -> None:
    settings, _ = settings_mod.parse_settings(good_env(MLFLOW_DB_PASSWORD=password))
    assert settings is not None
    path = config.write_auth_config(settings)
    try:
        text = Path(path).read_text()
        assert password not in text and settings.admin_password not in text  # type: ignore[operator]
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        assert stat.S_IMODE(os.stat(os.path.dirname(path)).st_mode) == 0o700
        parser = configparser.ConfigParser()
        parser.read(path)
        section = parser["mlflow"]
        assert section["database_uri"] == config.database_uri(
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
            "MLFLOW_DB_PASSWORD": DB_PASSWORD,
            "MLFLOW_DB_CA_BUNDLE": "/app/rds-ca-bundle.pem",
        }
    )
    assert kwargs["password"] == DB_PASSWORD and kwargs["port"] == 3306
    assert kwargs["ssl_ca"] == "/app/rds-ca-bundle.pem"
    assert kwargs["ssl_verify_cert"] is True and kwargs["ssl_verify_identity"] is True
    plain = dbconnect.connect_kwargs(
        {"MLFLOW_DB_HOST": "h", "MLFLOW_DB_USERNAME": "u", "MLFLOW_DB_PASSWORD": "p"}
    )
    assert "ssl_ca" not in plain


@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        (ALB_HOST, True),
        (ALB_HOST.upper(), True),
        (f"{DOMAIN_HOST}:443", True),
        ("MLflow.Example.COM:8443", True),
        (f" {DOMAIN_HOST} ", True),
        (f"{DOMAIN_HOST}.evil.com", False),
        (f"evil.{DOMAIN_HOST}", False),
        (f"{DOMAIN_HOST}:443@evil.com", False),
        (f"{DOMAIN_HOST}:evil.com", False),
        (f"{DOMAIN_HOST}:", False),
        (f"{DOMAIN_HOST}:123456", False),
        (f"{DOMAIN_HOST}:44 3", False),
        (f"{DOMAIN_HOST}/x", False),
        (f"[{DOMAIN_HOST}]", False),
        ("10.0.1.23:5000", False),
        ("localhost", False),
        ("", False),
        (None, False),
        ("team.mlflow.example.org", True),
        ("a@team.mlflow.example.org", False),
        ("mlflow.example.org", False),
        ("api.internal:8443", True),
        ("api.internal:443", False),
        ("api.internal", False),
    ],
)
def test_host_rule(host: str | None, allowed: bool) -> None:
    patterns = hosts.parse_allowed_hosts(
        f"{ALB_HOST},{DOMAIN_HOST},*.mlflow.example.org,API.internal:8443"
    )
    assert hosts.host_allowed(host, patterns) is allowed


@pytest.mark.parametrize("value", ["*", "*.*", "x:*", "x:44a", "x:123456", "x:", "a b"])
def test_allowed_host_patterns_refused(value: str) -> None:
    with pytest.raises(ValueError):
        hosts.parse_allowed_hosts(value)


def test_mlflow_host_patterns_are_case_and_digit_classes() -> None:
    value = hosts.mlflow_allowed_hosts(("ab.c1", "x.y:8443"))
    assert value.split(",") == [
        "[aA*][bB].[cC]1",
        "[aA][bB].[cC]1:[0-9*]",
        "[aA][bB].[cC]1:[0-9*][0-9*]",
        "[aA][bB].[cC]1:[0-9*][0-9*][0-9*]",
        "[aA][bB].[cC]1:[0-9*][0-9*][0-9*][0-9*]",
        "[aA][bB].[cC]1:[0-9*][0-9*][0-9*][0-9*][0-9*]",
        "[xX*].[yY]:8443",
    ]
    # Decided the way MLflow decides (fnmatch when the pattern has '*', else equality).
    import fnmatch

    def mlflow_allows(host: str) -> bool:
        return any(fnmatch.fnmatch(host, p) if "*" in p else host == p for p in value.split(","))

    assert mlflow_allows("AB.c1") and mlflow_allows("ab.C1:443") and mlflow_allows("X.y:8443")
    assert not mlflow_allows("ab.c1:443@evil.com") and not mlflow_allows("ab.c1:evil")
    assert not mlflow_allows("ab.c1:123456") and not mlflow_allows("x.y:443")


def test_cors_settings_derived_from_hosts() -> None:
    assert config.cors_allowed_origins((DOMAIN_HOST, "*.example.org", "x.y:8443")) == (
        f"https://{DOMAIN_HOST},http://{DOMAIN_HOST},https://x.y:8443,http://x.y:8443"
    )


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        (f"https://{DOMAIN_HOST}", True),
        (f"HTTPS://{DOMAIN_HOST.upper()}", True),
        (f"http://{DOMAIN_HOST}:443", True),
        (f"https://{ALB_HOST}", True),
        ("http://localhost:3000", False),
        ("http://127.0.0.1:8080", False),
        ("null", False),
        (f"https://{DOMAIN_HOST}/", False),
        (f"https://user@{DOMAIN_HOST}", False),
        (f"ftp://{DOMAIN_HOST}", False),
        (f"https://{DOMAIN_HOST}:443@evil.com", False),
        (f"https://{DOMAIN_HOST}.evil.com", False),
    ],
)
def test_origin_rule_is_the_host_rule(origin: str, allowed: bool) -> None:
    assert hosts.origin_allowed(origin, (ALB_HOST, DOMAIN_HOST)) is allowed


def test_local_try_out_allows_localhost_origins_only_when_configured() -> None:
    local = hosts.parse_allowed_hosts("localhost,mlflow.local")
    assert hosts.origin_allowed("http://localhost:5000", local)
    assert hosts.origin_allowed("http://mlflow.local:5000", local)
    assert not hosts.origin_allowed("http://127.0.0.1:5000", local)


def test_gunicorn_argv_holds_no_configuration() -> None:
    argv = config.gunicorn_argv()
    assert argv[1:] == ["-m", "gunicorn", "--config", "python:gunicorn_conf", "wsgi:application"]


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (f"Basic {_b64(b'admin:pw:with:colons')}", ("admin", "pw:with:colons")),
        (f"basic  {_b64('ünï:pässwörd'.encode())} ", ("ünï", "pässwörd")),
        (f"BASIC {_b64(b'a b:c d')}", ("a b", "c d")),
        ("", None),
        ("Basic", None),
        ("Basic ", None),
        ("Bearer abc", None),
        (f"Bearer {_b64(b'admin:pw')}", None),
        ("Basic %%%", None),
        (f"Basic {_b64(b'admin:pw')[:-1]}", None),  # padding cut off
        (f"Basic {_b64(b'admin')}", None),
        (f"Basic {_b64(b':pw')}", None),
        (f"Basic {_b64(b'admin:')}", None),
        ("Basic " + _b64(b"ad\x00min:pw"), None),
        ("Basic " + _b64(b"\xff:pw"), None),
        (f"Basic {_b64(b'admin:' + b'x' * 4000)}", None),
        (f"Basic {_b64(b'admin:pw')} trailing", None),
    ],
)
def test_basic_authorization_parsing(value: str, expected: tuple[str, str] | None) -> None:
    assert login.parse_basic_authorization(value) == expected


def test_secrets_reach_a_child_through_the_pipe_not_its_environment() -> None:
    """tracking_secrets end to end across an exec, as entrypoint -> gunicorn master does."""
    values = {"MLFLOW_DB_USERNAME": "u", "MLFLOW_DB_PASSWORD": DB_PASSWORD}
    entry = secrets_mod.hand_over(values)
    fd = int(entry[secrets_mod.HAND_OVER_VARIABLE])
    code = (
        f"import json, os, sys; sys.path.insert(0, {str(CONTAINER)!r})\n"
        "import tracking_secrets as s\n"
        "s.receive()\n"
        "environ = open('/proc/self/environ', 'rb').read()\n"
        "print(json.dumps([s.worker_secrets(), s.HAND_OVER_VARIABLE in os.environ,"
        f" {DB_PASSWORD!r}.encode() in environ]))\n"
    )
    try:
        out = subprocess.run(
            [sys.executable, "-c", code],
            env={"PATH": os.environ.get("PATH", ""), **entry},
            pass_fds=(fd,),
            capture_output=True,
            text=True,
        )
    finally:
        os.close(fd)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == [values, False, False]


def test_only_worker_secrets_are_handed_over() -> None:
    with pytest.raises(ValueError, match="MLFLOW_AUTH_ADMIN_PASSWORD"):
        secrets_mod.hand_over({"MLFLOW_AUTH_ADMIN_PASSWORD": "x" * 20})


def test_worker_without_a_hand_over_fails_clearly() -> None:
    code = (
        f"import sys; sys.path.insert(0, {str(CONTAINER)!r})\n"
        "import tracking_secrets as s\n"
        "s.receive()\n"
        "s.worker_secrets()\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode != 0 and "start the server through entrypoint.py" in out.stderr


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"REMOTE_ADDR": "10.0.1.5"}, "10.0.1.5"),
        ({"REMOTE_ADDR": "10.0.1.5", "HTTP_X_FORWARDED_FOR": "203.0.113.7"}, "203.0.113.7"),
        # The ALB appends the real peer last; what the client sent before it is its own claim.
        (
            {"REMOTE_ADDR": "10.0.1.5", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 203.0.113.7"},
            "203.0.113.7",
        ),
        ({"REMOTE_ADDR": "10.0.1.5", "HTTP_X_FORWARDED_FOR": "203.0.113.7,junk"}, "10.0.1.5"),
        ({"REMOTE_ADDR": "10.0.1.5", "HTTP_X_FORWARDED_FOR": ""}, "10.0.1.5"),
        ({"HTTP_X_FORWARDED_FOR": "2001:db8:1:2:3:4:5:6"}, "2001:db8:1:2::/64"),
        ({"HTTP_X_FORWARDED_FOR": "::ffff:198.51.100.9"}, "198.51.100.9"),
        ({}, "unknown"),
    ],
)
def test_client_address_is_the_load_balancers_hop(environ: dict[str, str], expected: str) -> None:
    assert login.client_address(environ) == expected


class StepClock:
    def __init__(self) -> None:
        self.now = 5000.0

    def __call__(self) -> float:
        return self.now


def _throttle(clock: StepClock, user: int = 3, address: int = 5, window: float = 60) -> Any:
    state = login.SharedState.from_environment(login.create_shared_state(slots=64))
    budgets = {"user": login.Budget(user, window), "address": login.Budget(address, window)}
    return login.FailureThrottle(state, budgets, clock=clock)


def test_throttle_allows_a_burst_then_refills_evenly() -> None:
    clock = StepClock()
    throttle = _throttle(clock)
    key = [("user", "admin")]
    for _ in range(3):
        assert throttle.retry_after(key) <= 0
        throttle.record_failure(key)
    # Over budget: the next attempt waits one interval (window / limit = 20 s).
    assert throttle.retry_after(key) == pytest.approx(20)
    clock.now += 19
    assert throttle.retry_after(key) == pytest.approx(1)
    clock.now += 1
    assert throttle.retry_after(key) <= 0  # one more attempt...
    throttle.record_failure(key)
    assert throttle.retry_after(key) == pytest.approx(20)  # ...and over budget again
    # A window without failures restores the whole budget.
    clock.now += 60
    for _ in range(3):
        assert throttle.retry_after(key) <= 0
        throttle.record_failure(key)
    assert throttle.retry_after(key) > 0


def test_throttle_keys_are_independent_and_kind_specific() -> None:
    clock = StepClock()
    throttle = _throttle(clock)
    for _ in range(3):
        throttle.record_failure([("user", "admin"), ("address", "203.0.113.7")])
    assert throttle.retry_after([("user", "admin")]) > 0
    assert throttle.retry_after([("user", "admin ")]) <= 0  # names compare exactly
    assert throttle.retry_after([("user", "alice")]) <= 0
    assert throttle.retry_after([("address", "203.0.113.7")]) <= 0  # 3 of 5
    assert throttle.retry_after([("address", "admin")]) <= 0  # the kind is part of the key
    assert throttle.retry_after([("user", "alice"), ("user", "admin")]) > 0  # any key over


def test_throttle_state_is_shared_across_processes() -> None:
    """The workers are forked processes: a failure recorded in one is seen by all."""
    clock = StepClock()
    throttle = _throttle(clock)
    pid = os.fork()
    if pid == 0:  # the child records, as another worker would
        try:
            for _ in range(3):
                throttle.record_failure([("user", "admin")])
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    assert throttle.retry_after([("user", "admin")]) > 0


def test_throttle_table_reuses_expired_records_and_evicts_when_full() -> None:
    clock = StepClock()
    throttle = _throttle(clock, user=1)
    for index in range(500):  # far more keys than the 64 records
        throttle.record_failure([("user", f"name-{index}")])
    assert throttle.retry_after([("user", "name-499")]) > 0
    clock.now += 61  # every record expired: all free again
    assert throttle.retry_after([("user", "name-499")]) <= 0


def test_hash_slots_bound_the_task_and_survive_a_dead_worker() -> None:
    entry = login.create_shared_state(slots=8)
    state = login.SharedState.from_environment(entry)
    slots = login.HashSlots(state, 1)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # another worker takes the only slot, reports, then dies holding it
        child = login.HashSlots(login.SharedState.from_environment(entry), 1)
        assert child.acquire(1.0)
        os.write(write_end, b"held")
        time.sleep(0.5)
        os._exit(0)  # no release: the kernel drops its fcntl lock
    assert os.read(read_end, 4) == b"held"
    assert slots.acquire(0.05) is False  # busy: another process holds it
    os.waitpid(pid, 0)
    assert slots.acquire(0.05) is True  # released by the child's death
    # One worker's threads take turns too (fcntl locks alone would let both in).
    other_thread: list[bool] = []
    thread = threading.Thread(target=lambda: other_thread.append(slots.acquire(0.05)))
    thread.start()
    thread.join()
    assert other_thread == [False]
    slots.release()
    assert slots.acquire(0.05) is True
    slots.release()


def test_guard_books_failures_refunds_success_and_skips_hashing_over_budget() -> None:
    clock = StepClock()
    throttle = _throttle(clock, user=2)
    guard = login.LoginGuard(
        throttle, login.HashSlots(throttle.state, 1), hash_wait_seconds=0.05, clock=clock
    )
    attempt = login.Attempt("admin", "203.0.113.7")
    calls: list[str] = []

    def verify(result: bool) -> Any:
        return lambda: calls.append("hash") or result

    token = login._CURRENT.set(attempt)
    try:
        # Successes cost no budget (booked before the hash, refunded after).
        for _ in range(5):
            assert guard.check_password(verify(True), "admin", "right") is True
        assert guard.known_good("admin", "right") and not guard.known_good("admin", "wrong")
        assert throttle.retry_after(attempt.keys) <= 0
        for _ in range(2):
            assert guard.check_password(verify(False), "admin", "wrong") is False
        assert throttle.retry_after(attempt.keys) > 0 and attempt.retry_after == 0
        # Over budget: no hash runs, and the attempt tells the gate to answer 429.
        calls.clear()
        assert guard.check_password(verify(True), "admin", "right") is False
        assert calls == [] and attempt.retry_after > 0
        assert attempt.reason == "too many failed logins"
        clock.now += login.KNOWN_GOOD_SECONDS + 1
        assert not guard.known_good("admin", "right")  # the memory expires
    finally:
        login._CURRENT.reset(token)


def test_concurrent_reservations_cannot_overshoot_the_budget() -> None:
    clock = StepClock()
    throttle = _throttle(clock, user=10)
    granted: list[float] = []
    threads = [
        threading.Thread(target=lambda: granted.append(throttle.reserve([("user", "admin")])))
        for _ in range(40)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(1 for wait in granted if wait <= 0) == 10


# --- the scheduled run pricer's MLflow user (MLFLOW_RUN_COSTS_USERNAME/PASSWORD) -------------


def test_run_pricer_user_settings_are_optional_and_checked_together() -> None:
    settings, problems = settings_mod.parse_settings(good_env())
    assert settings is not None and settings.run_costs_username is None and not problems
    settings, problems = settings_mod.parse_settings(
        good_env(MLFLOW_RUN_COSTS_USERNAME="cost-pricer", MLFLOW_RUN_COSTS_PASSWORD="p" * 32)
    )
    assert settings is not None and not problems
    assert settings.run_costs_username == "cost-pricer"
    assert "p" * 32 not in repr(settings)
    _, problems = settings_mod.parse_settings(good_env(MLFLOW_RUN_COSTS_USERNAME="cost-pricer"))
    assert any(p.startswith("MLFLOW_RUN_COSTS_PASSWORD: missing secret") for p in problems)
    _, problems = settings_mod.parse_settings(good_env(MLFLOW_RUN_COSTS_PASSWORD="p" * 32))
    assert any("set without MLFLOW_RUN_COSTS_USERNAME" in p for p in problems)
    _, problems = settings_mod.parse_settings(
        good_env(MLFLOW_RUN_COSTS_USERNAME="admin", MLFLOW_RUN_COSTS_PASSWORD="short")
    )
    assert any("must not be the admin user" in p for p in problems)
    assert any("too short (5 characters" in p and "short'" not in p for p in problems)
    _, problems = settings_mod.parse_settings(
        good_env(
            MLFLOW_AUTH="none",
            MLFLOW_RUN_COSTS_USERNAME="cost-pricer",
            MLFLOW_RUN_COSTS_PASSWORD="p" * 32,
        )
    )
    assert any("needs MLFLOW_AUTH=basic" in p for p in problems)


class FakeAuthStore:
    """The part of MLflow's auth store ensure_run_costs_user uses."""

    def __init__(self, users: dict[str, bool] | None = None) -> None:
        self.users = dict(users or {})  # name -> is_admin
        self.passwords: dict[str, str] = {}
        self.grants: set[tuple[str, str, str, str]] = set()

    def has_user(self, username: str, *, use_primary: bool = False) -> bool:
        return username in self.users

    def get_user(self, username: str) -> Any:
        return type("User", (), {"is_admin": self.users[username]})()

    def create_user(self, username: str, password: str, is_admin: bool = False) -> None:
        self.users[username] = is_admin
        self.passwords[username] = password

    def update_user(self, username: str, password: str | None = None) -> None:
        assert password is not None
        self.passwords[username] = password

    def grant_user_permission(
        self, username: str, resource_type: str, resource_pattern: str, permission: str
    ) -> None:
        self.grants = {
            g for g in self.grants if g[:3] != (username, resource_type, resource_pattern)
        }
        self.grants.add((username, resource_type, resource_pattern, permission))


def _migrations() -> Any:
    import tracking_migrations

    return tracking_migrations


def test_run_pricer_user_is_created_non_admin_with_read_experiments_and_edit_runs() -> None:
    store = FakeAuthStore()
    message = _migrations().ensure_run_costs_user(store, "cost-pricer", "secret-password-1")
    assert store.users == {"cost-pricer": False}
    assert store.passwords == {"cost-pricer": "secret-password-1"}
    assert store.grants == {
        ("cost-pricer", "experiment", "*", "READ"),
        ("cost-pricer", "run", "*", "EDIT"),
    }
    assert "created" in message and "secret-password-1" not in message
    # The next start: same user, the password follows the secret, the grants stay exact.
    message = _migrations().ensure_run_costs_user(store, "cost-pricer", "rotated-password-2")
    assert store.passwords == {"cost-pricer": "rotated-password-2"} and "password set" in message
    assert len(store.grants) == 2


def test_run_pricer_user_refuses_an_admin_of_that_name() -> None:
    store = FakeAuthStore({"cost-pricer": True})
    with pytest.raises(settings_mod.StartupError, match="names an admin user") as err:
        _migrations().ensure_run_costs_user(store, "cost-pricer", "secret-password-1")
    assert err.value.exit_code == contract.EXIT_MIGRATION and not store.grants


def test_the_workers_never_get_the_run_pricer_password() -> None:
    env = good_env(MLFLOW_RUN_COSTS_USERNAME="cost-pricer", MLFLOW_RUN_COSTS_PASSWORD="p" * 32)
    settings, _ = settings_mod.parse_settings(env)
    assert settings is not None
    assert "MLFLOW_RUN_COSTS_PASSWORD" not in config.worker_secret_values(settings)
    assert "MLFLOW_RUN_COSTS_PASSWORD" in contract.SECRET_ENVIRONMENT  # stripped, redacted


# --- the retention role (MLFLOW_ROLE=retention, tracking_retention.py) -----------------------


def retention_env(**changes: str | None) -> dict[str, str]:
    env = good_env(
        MLFLOW_ROLE="retention",
        MLFLOW_ALLOWED_HOSTS=None,
        MLFLOW_AUTH_ADMIN_PASSWORD=None,
        MLFLOW_FLASK_SERVER_SECRET_KEY=None,
        MLFLOW_RETENTION_POLICY='{"rules": [{"experiments": ["a"], "delete_runs_older_than_days": 9}]}',
        MLFLOW_RETENTION_BUCKET_PROPERTIES='{"LifecycleConfiguration": {"Rules": []}}',
    )
    env.update({k: v for k, v in changes.items() if v is not None})
    for k in [k for k, v in changes.items() if v is None]:
        env.pop(k, None)
    return env


def test_the_retention_role_needs_only_the_database_credentials() -> None:
    settings, problems = settings_mod.parse_settings(retention_env())
    assert problems == [] and settings is not None
    assert settings.role == "retention"
    assert settings.retention_archive_class == "GLACIER_IR"  # the contract's default
    assert settings.admin_password is None and settings.flask_secret_key is None


@pytest.mark.parametrize("name", contract.RETENTION_REFUSED_SECRETS)
def test_the_retention_role_refuses_the_admin_password_and_other_secrets(name: str) -> None:
    value = "s3cr3t-value-never-shown"
    extra = {"MLFLOW_RUN_COSTS_USERNAME": "cost-pricer"} if "RUN_COSTS" in name else {}
    settings, problems = settings_mod.parse_settings(retention_env(**{name: value}, **extra))
    assert settings is None
    assert [p for p in problems if p.startswith(f"{name}: set for MLFLOW_ROLE=retention")]
    assert value not in " ".join(problems)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"MLFLOW_RETENTION_POLICY": None}, "MLFLOW_RETENTION_POLICY: missing"),
        ({"MLFLOW_RETENTION_POLICY": "rules: []"}, "MLFLOW_RETENTION_POLICY: not valid JSON"),
        ({"MLFLOW_RETENTION_BUCKET_PROPERTIES": "[1]"}, "a JSON object is required, not list"),
        (
            {"MLFLOW_RETENTION_ARCHIVE_CLASS": "STANDARD"},
            "MLFLOW_RETENTION_ARCHIVE_CLASS='STANDARD'",
        ),
        ({"MLFLOW_DB_PASSWORD": None}, "MLFLOW_DB_PASSWORD: missing secret"),
    ],
)
def test_retention_role_problems(changes: dict[str, str | None], expected: str) -> None:
    settings, problems = settings_mod.parse_settings(retention_env(**changes))
    assert settings is None
    assert any(expected in p for p in problems), problems


def test_the_retention_command_line_is_the_commands_contract() -> None:
    import tracking_retention as retention

    settings, _ = settings_mod.parse_settings(
        retention_env(MLFLOW_RETENTION_ARCHIVE_CLASS="glacier")
    )
    assert settings is not None
    argv = retention.retention_argv(settings)
    uri = "mysql+pymysql://mlflow.abc123.eu-west-1.rds.amazonaws.com:3306/mlflow?charset=utf8mb4"
    assert argv == [
        "apply",
        "--policy-json",
        settings.retention_policy,
        "--yes",
        "--tracking-uri",
        uri,
        "--backend-store-uri",
        uri,
        "--artifact-root",
        "s3://my-bucket/mlflow",
        "--artifact-listing",
        "s3",
        "--bucket-properties",
        settings.retention_bucket_properties,
        "--archive-class",
        "GLACIER",
        "--region",
        "eu-west-1",
        "--log",
        "-",
    ]
    assert "x" * 30 not in " ".join(argv)  # no password
