"""The container entrypoint in the retention role (MLFLOW_ROLE=retention, the stack's scheduled
retention task: constructs/retention.py) against MariaDB and moto: the environment its task
definition gives it (database credentials only), refusals (a schema behind, ahead or empty:
the migration exit code, the schema untouched; the admin password or the Flask key given: the
configuration exit code, no value shown), and a policy applied in-process against a server's
database and bucket."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import harness as h
import pytest
from harness import TIERING, client, contract, unique

DAY_MS = 86_400_000
PREFIX = "mlflow-artifacts"
POLICY = {
    "grace_days": 0,
    "rules": [
        {
            "name": "old-runs",
            "experiments": ["role-*"],
            "delete_runs_older_than_days": 30,
            "keep_newest": 1,
        }
    ],
}


def retention_env(
    mariadb: h.MariaDB, moto: h.Moto, *, db_name: str, bucket: str, **overrides: str | None
) -> dict[str, str]:
    """What the retention task definition sets (constructs/retention.py
    retention_environment, the database secret's two values), pointed at the stand-ins."""
    env = h.server_env(
        mariadb, moto, bucket=bucket, db_name=db_name, auth_db_name=f"{db_name}_auth", port=1,
        prefix=PREFIX,
    )  # fmt: skip
    for name in (
        *contract.RETENTION_REFUSED_SECRETS,
        "MLFLOW_ALLOWED_HOSTS",
        "MLFLOW_RUN_COSTS_USERNAME",
    ):
        env.pop(name)
    env.update(
        MLFLOW_ROLE="retention",
        MLFLOW_RETENTION_POLICY=json.dumps(POLICY),
        MLFLOW_RETENTION_BUCKET_PROPERTIES=TIERING,
        MLFLOW_RETENTION_ARCHIVE_CLASS="GLACIER_IR",
        # The image has the cost engine beside the entrypoint (/app/cost).
        PYTHONPATH=str(h.ROOT),
        AWS_ENDPOINT_URL=moto.endpoint,
    )
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def run_role(env: dict[str, str], log: Path, timeout: float = 300) -> tuple[int, str]:
    process = h.ServerProcess(env, log).start()
    code = process.wait_exit(timeout)
    return code, process.logs()


def _known_old_revision() -> str:
    code = (
        "from alembic.script import ScriptDirectory\n"
        "from mlflow.store.db.utils import _get_alembic_config\n"
        "script = ScriptDirectory.from_config(_get_alembic_config('sqlite://'))\n"
        "print([r.revision for r in script.walk_revisions()][-1])\n"
    )
    out = h.run_python(h.SERVER_PYTHON, code, {"PATH": "/usr/bin:/bin"})
    return out.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def bucket(moto: h.Moto) -> str:
    name = f"ret-{uuid.uuid4().hex[:10]}"
    moto.create_bucket(name)
    return name


@pytest.mark.parametrize("state", ["behind", "unknown", "empty"])
def test_a_schema_not_at_head_is_refused_with_the_migration_code_and_left_alone(
    state: str, mariadb: h.MariaDB, moto: h.Moto, bucket: str, workdir: Path
) -> None:
    db_name = unique("retref")
    revision = {"behind": _known_old_revision(), "unknown": "ffffffffffff"}.get(state)
    mariadb.sql(f"CREATE DATABASE `{db_name}`")
    if revision is not None:
        mariadb.sql(
            "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)",
            database=db_name,
        )
        mariadb.sql("INSERT INTO alembic_version VALUES (%s)", (revision,), database=db_name)
    tables_before = mariadb.tables(db_name)
    try:
        env = retention_env(mariadb, moto, db_name=db_name, bucket=bucket)
        code, logs = run_role(env, workdir / "logs" / f"{db_name}.log")
        assert code == contract.EXIT_MIGRATION == 5, logs
        assert "retention failed" in logs
        assert "never initializes or migrates" in logs
        if revision is not None:
            assert h.schema_revision(mariadb, db_name) == revision
        assert mariadb.tables(db_name) == tables_before
        assert "cost retention apply" not in logs.replace("never", "")
    finally:
        mariadb.drop_schemas(db_name)


@pytest.mark.parametrize("name", contract.RETENTION_REFUSED_SECRETS)
def test_the_admin_password_and_other_app_secrets_are_refused(
    name: str, mariadb: h.MariaDB, moto: h.Moto, bucket: str, workdir: Path
) -> None:
    value = "must-not-appear-in-the-log-1234"
    env = retention_env(mariadb, moto, db_name=unique("retsec"), bucket=bucket, **{name: value})
    code, logs = run_role(env, workdir / "logs" / f"{unique('retsec')}.log", timeout=60)
    assert code == contract.EXIT_CONFIG == 2, logs
    assert f"{name}: set for MLFLOW_ROLE=retention" in logs
    assert value not in logs


# --- a policy applied -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(
    mariadb: h.MariaDB, moto: h.Moto, bucket: str, workdir: Path
) -> Iterator[dict[str, Any]]:
    """A server that initialized its schemas (at head) and holds an experiment's runs."""
    db_name = unique("retapp")
    env = h.server_env(
        mariadb, moto, bucket=bucket, db_name=db_name, auth_db_name=f"{db_name}_auth",
        port=h.free_port(), prefix=PREFIX,
    )  # fmt: skip
    server = h.ServerProcess(env, workdir / "logs" / f"{db_name}.log")
    try:
        server.start()
        server.wait_healthy(180)
        yield {"server": server, "db_name": db_name}
    finally:
        server.stop(timeout=5)
        mariadb.drop_schemas(db_name, f"{db_name}_auth")


def test_the_role_applies_the_policy_to_the_database_and_the_bucket(
    served: dict[str, Any],
    mariadb: h.MariaDB,
    moto: h.Moto,
    bucket: str,
    workdir: Path,
    tmp_path: Path,
) -> None:
    now_ms = int(time.time() * 1000)
    (tmp_path / "weights.bin").write_bytes(b"w" * 200_000)
    with client(served["server"]) as c:
        experiment = c.create_experiment(unique("role-exp"))
        ids = {}
        for name, days in (("oldest", 100), ("old", 60), ("newest", 2)):
            end = now_ms - days * DAY_MS
            run = c.create_run(experiment, start_time=end - 3_600_000, run_name=name)
            c.log_artifacts(run.info.run_id, str(tmp_path))
            c.set_terminated(run.info.run_id, end_time=end)
            ids[name] = run.info.run_id
    keys = moto.objects(bucket, f"{PREFIX}/{experiment}/")
    assert len(keys) == 3

    env = retention_env(mariadb, moto, db_name=served["db_name"], bucket=bucket)
    code, logs = run_role(env, workdir / "logs" / f"{unique('retapply')}.log")
    assert code == 0, logs
    assert "retention done" in logs
    assert h.DB_PASSWORD not in logs

    # Older than 30 days and not the newest: deleted, purged (grace 0), artifacts gone.
    with client(served["server"]) as c:
        kept = {r.info.run_id for r in c.search_runs([experiment], run_view_type=3)}
    assert kept == {ids["newest"]}
    remaining = moto.objects(bucket, f"{PREFIX}/{experiment}/")
    assert list(remaining) and all(ids["newest"] in key for key in remaining)
    # A second pass finds nothing to do.
    code, logs = run_role(env, workdir / "logs" / f"{unique('retapply')}.log")
    assert code == 0, logs
