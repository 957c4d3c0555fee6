"""Fixtures of the integration suite: MariaDB and moto started once per session (each test
uses schemas and buckets of its own), servers started per module or per test, everything
stopped in finalizers even when a test fails. A stand-in that cannot start fails the suite
with the reason; nothing is skipped."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import harness as h
import pytest


@pytest.fixture(scope="session")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Short base path: a unix socket path must stay under 108 characters.
    return tmp_path_factory.mktemp("it")


@pytest.fixture(scope="session")
def mariadb(workdir: Path) -> Iterator[h.MariaDB]:
    with h.running_mariadb(workdir / "db") as db:
        yield db


@pytest.fixture(scope="session")
def moto(workdir: Path) -> Iterator[h.Moto]:
    server = h.Moto(workdir / "moto")
    try:
        server.start()
        yield server
    finally:
        server.stop()


unique = h.unique
ServerFactory = h.ServerFactory


@pytest.fixture
def make_server(mariadb: h.MariaDB, moto: h.Moto, workdir: Path) -> Iterator[ServerFactory]:
    """Start entrypoint.py processes against the session stand-ins; all stopped afterwards."""
    started: list[h.ServerProcess] = []

    def factory(
        *,
        db_name: str,
        auth_db_name: str,
        bucket: str,
        db: h.MariaDB | None = None,
        start: bool = True,
        **overrides: str | None,
    ) -> h.ServerProcess:
        env = h.server_env(
            db or mariadb,
            moto,
            bucket=bucket,
            db_name=db_name,
            auth_db_name=auth_db_name,
            port=h.free_port(),
            **overrides,
        )
        server = h.ServerProcess(env, workdir / "logs" / f"{unique('server')}.log")
        started.append(server)
        return server.start() if start else server

    yield factory
    for server in started:
        server.stop(timeout=5)
