"""The probes that found issue 10's holes, each pinned against the production-configured server
(entrypoint.py, basic auth, TLS to MariaDB) in the deployed Host configuration: only the load
balancer's name and the domain are allowed hosts, exactly what the task definition sets."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterator
from pathlib import Path

import harness as h
import pytest
from harness import unique

SEARCH = "/api/2.0/mlflow/experiments/search?max_results=1"
ALICE = ("alice", "alice-Pa55word-%:#")


@pytest.fixture(scope="module")
def server(mariadb: h.MariaDB, moto: h.Moto, workdir: Path) -> Iterator[h.ServerProcess]:
    bucket = f"it-{uuid.uuid4().hex[:10]}"
    moto.create_bucket(bucket)
    env = h.server_env(
        mariadb,
        moto,
        port=h.free_port(),
        bucket=bucket,
        db_name=unique("atk"),
        auth_db_name=unique("atkauth"),
        MLFLOW_ALLOWED_HOSTS=f"{h.ALB_HOST},{h.DOMAIN_HOST}",
    )
    process = h.ServerProcess(env, workdir / "logs" / f"{unique('attacks')}.log")
    try:
        process.start()
        process.wait_healthy(180)
        h.create_user(process, *ALICE)
        yield process
    finally:
        process.stop(timeout=5)


def _basic(raw: bytes) -> str:
    return "Basic " + base64.b64encode(raw).decode()


MALFORMED_AUTHORIZATION = {
    "empty": "",
    "scheme only": "Basic",
    "scheme and space": "Basic ",
    "bearer token": "Bearer x",
    "digest": 'Digest username="admin", realm="mlflow"',
    "negotiate": "Negotiate YIIB",
    "not base64": "Basic %%%not-base64%%%",
    "base64 with junk inside": "Basic YWRt@aW46cGFzc3dvcmQ=",
    "no colon": _basic(b"admin"),
    "empty user name": _basic(b":" + h.ADMIN_PASSWORD.encode()),
    "not UTF-8": _basic(b"\xff\xfeadmin:\xc3\x28"),
    "control characters": _basic(b"ad\x00min:" + h.ADMIN_PASSWORD.encode()),
    "huge": _basic(b"admin:" + b"x" * 6000),
    "two schemes": f"Bearer x, {_basic(b'admin:' + h.ADMIN_PASSWORD.encode())}",
}


@pytest.mark.parametrize("header", list(MALFORMED_AUTHORIZATION), ids=str)
def test_malformed_or_foreign_authorization_is_401_never_5xx(
    server: h.ServerProcess, header: str
) -> None:
    response = h.call(
        server,
        "GET",
        SEARCH,
        auth=None,
        headers={"Authorization": MALFORMED_AUTHORIZATION[header]},
    )
    assert response.status_code == 401, (response.status_code, response.text[:300])
    assert response.headers.get("WWW-Authenticate") == 'Basic realm="mlflow"'


@pytest.mark.parametrize("scheme", ["Basic", "basic", "BASIC"])
def test_well_formed_basic_credentials_still_work(server: h.ServerProcess, scheme: str) -> None:
    token = base64.b64encode(f"admin:{h.ADMIN_PASSWORD}".encode()).decode()
    response = h.call(
        server, "GET", SEARCH, auth=None, headers={"Authorization": f"{scheme} {token}"}
    )
    assert response.status_code == 200, response.text[:300]
