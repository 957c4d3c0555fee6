"""Bad deployment input fails fast and clearly: the entrypoint exits non-zero within a bounded
time, the message names the cause, and no secret's value is printed."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import harness as h
import pytest
from harness import ServerFactory, unique

WRONG_PASSWORD = "Wrong%:#?&+=@/pw-SECRET"
SHORT_ADMIN = "sh0rt%pw"


@pytest.fixture(scope="module")
def bucket(moto: h.Moto) -> str:
    name = f"it-{uuid.uuid4().hex[:10]}"
    moto.create_bucket(name)
    return name


CASES = {
    "wrong DB password": (
        {"MLFLOW_DB_PASSWORD": WRONG_PASSWORD},
        h.contract.EXIT_DATABASE,
        ["access denied", "MLFLOW_DB_USERNAME / MLFLOW_DB_PASSWORD"],
        15,
    ),
    "unreachable DB": (
        {"MLFLOW_DB_PORT": "@free", "MLFLOW_DB_WAIT_SECONDS": "4"},
        h.contract.EXIT_DATABASE,
        ["not reachable within MLFLOW_DB_WAIT_SECONDS=4", "Can't connect"],
        20,
    ),
    "DB certificate not signed by the CA bundle": (
        {"MLFLOW_DB_CA_BUNDLE": "@foreign-ca"},
        h.contract.EXIT_DATABASE,
        ["TLS verification of the database server failed", "MLFLOW_DB_CA_BUNDLE"],
        15,
    ),
    "missing bucket": (
        {"MLFLOW_ARTIFACTS_DESTINATION": "s3://no-such-bucket-here/mlflow"},
        h.contract.EXIT_BUCKET,
        ["s3://no-such-bucket-here", "does not exist"],
        25,
    ),
    "unreachable S3": (
        {"MLFLOW_S3_ENDPOINT_URL": "@free-url", "MLFLOW_BUCKET_CHECK_SECONDS": "4"},
        h.contract.EXIT_BUCKET,
        ["not reachable within MLFLOW_BUCKET_CHECK_SECONDS=4"],
        30,
    ),
    "missing DB password secret": (
        {"MLFLOW_DB_PASSWORD": None},
        h.contract.EXIT_CONFIG,
        ["MLFLOW_DB_PASSWORD: missing secret"],
        10,
    ),
    "missing Flask secret key": (
        {"MLFLOW_FLASK_SERVER_SECRET_KEY": None},
        h.contract.EXIT_CONFIG,
        ["MLFLOW_FLASK_SERVER_SECRET_KEY: missing secret"],
        10,
    ),
    "admin password too short": (
        {"MLFLOW_AUTH_ADMIN_PASSWORD": SHORT_ADMIN},
        h.contract.EXIT_CONFIG,
        ["MLFLOW_AUTH_ADMIN_PASSWORD: too short (8 characters", "at least 12"],
        10,
    ),
    "several problems at once": (
        {
            "MLFLOW_AUTH_ADMIN_PASSWORD": SHORT_ADMIN,
            "MLFLOW_DB_USERNAME": None,
            "MLFLOW_ALLOWED_HOSTS": "*",
            "MLFLOW_WORKERS": "0",
        },
        h.contract.EXIT_CONFIG,
        [
            "4 problem(s)",
            "MLFLOW_AUTH_ADMIN_PASSWORD",
            "MLFLOW_DB_USERNAME: missing secret",
            "MLFLOW_ALLOWED_HOSTS='*'",
            "MLFLOW_WORKERS='0'",
        ],
        10,
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_fails_fast_and_clearly(
    case: str, make_server: ServerFactory, bucket: str, workdir: Path
) -> None:
    overrides, exit_code, needles, bound = CASES[case]
    resolved: dict[str, str | None] = {}
    for key, value in overrides.items():
        if value == "@free":
            value = str(h.free_port())
        elif value == "@free-url":
            value = f"http://127.0.0.1:{h.free_port()}"
        elif value == "@foreign-ca":
            value = str(h.make_foreign_ca(workdir / unique("foreign")))
        resolved[key] = value
    started = time.monotonic()
    server = make_server(
        db_name=unique("bad"), auth_db_name=unique("badauth"), bucket=bucket, **resolved
    )
    code = server.wait_exit(bound + 30)
    took = time.monotonic() - started
    output = server.logs()
    assert code == exit_code, f"exit {code}, expected {exit_code}:\n{output}"
    assert took < bound, f"took {took:.1f} s (bound {bound} s)"
    for needle in needles:
        assert needle in output, f"{needle!r} missing from:\n{output}"
    for secret in (h.DB_PASSWORD, WRONG_PASSWORD, SHORT_ADMIN, h.ADMIN_PASSWORD, h.SECRET_KEY):
        assert secret not in output
    assert "Traceback" not in output
    print(f"{case}: exit {code} after {took:.1f} s")
