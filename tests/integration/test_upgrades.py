"""Upgrading MLflow the way a deployment does it (docs/tracking-server.md#upgrading-mlflow).

The deployment's order, played here by the test: an old-version server is serving with data;
the new image's tasks come up as a rolling update would start them (they refuse a schema they
would have to migrate); the one-off migration task (MLFLOW_ROLE=migrate) refuses while old
servers are connected; the service is scaled to zero; the migration task backs up, migrates
and exits; the new servers start. A migration made to fail restores the database, and the old
version serves again. The matrix: a fresh install, and an upgrade from each of the two
previous minor releases (harness.PREVIOUS_RELEASES).
"""

from __future__ import annotations

import hashlib
import json
import os
import textwrap
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import harness as h
import pytest
from harness import unique

# Per-table columns whose contents must survive an upgrade byte for byte (the columns every
# release of the matrix has; migrations may add columns, never change these).
CONTENT: dict[str, tuple[str, ...]] = {
    "experiments": ("experiment_id", "name", "artifact_location", "lifecycle_stage"),
    "runs": ("run_uuid", "name", "experiment_id", "user_id", "status", "start_time"),
    "metrics": ("run_uuid", "`key`", "value", "timestamp", "step", "is_nan"),
    "latest_metrics": ("run_uuid", "`key`", "value", "timestamp", "step", "is_nan"),
    "params": ("run_uuid", "`key`", "value"),
    "tags": ("run_uuid", "`key`", "value"),
    "experiment_tags": ("experiment_id", "`key`", "value"),
}

# A table the image's newest tracking migration creates, keyed by that migration: creating it
# beforehand makes the migration fail half-way (the earlier steps have committed DDL).
SABOTAGE_BY_HEAD = {"dc11669786a5": "job_locks"}

StartFn = Callable[..., h.ServerProcess]


def content(db: h.MariaDB, schema: str) -> dict[str, tuple[int, str]]:
    """(row count, sha256 of the ordered rows) of CONTENT's columns."""
    out = {}
    for table, columns in CONTENT.items():
        cols = ", ".join(columns)
        rows = db.sql(f"SELECT {cols} FROM `{schema}`.`{table}` ORDER BY {cols}")  # noqa: S608
        out[table] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return out


def exact_state(db: h.MariaDB, *schemas: str) -> dict[str, object]:
    """Every table of the schemas: its DDL (AUTO_INCREMENT included) and CHECKSUM TABLE."""
    state: dict[str, object] = {}
    for schema in schemas:
        for table in sorted(db.tables(schema)):
            ddl = db.sql(f"SHOW CREATE TABLE `{schema}`.`{table}`")[0][1]
            checksum = db.sql(f"CHECKSUM TABLE `{schema}`.`{table}` EXTENDED")[0][1]
            state[f"{schema}.{table}"] = (ddl, checksum)
    return state


def log_data(server: h.ServerProcess, runs: int = 3, steps: int = 40) -> list[str]:
    """What a training job logs: an experiment with tags, runs with params, tags and metric
    histories (through the REST API of whichever version is serving)."""
    experiment = h.create_experiment(server, unique("upgrade"))
    h.ok(
        h.call(
            server,
            "POST",
            "/api/2.0/mlflow/experiments/set-experiment-tag",
            json={"experiment_id": experiment, "key": "team", "value": "ml"},
        )
    )
    run_ids = []
    for r in range(runs):
        run = h.ok(
            h.call(
                server,
                "POST",
                "/api/2.0/mlflow/runs/create",
                json={"experiment_id": experiment, "run_name": f"run-{r}", "start_time": 1},
            )
        )["run"]["info"]["run_id"]
        metrics = [
            {"key": k, "value": 1.0 / (s + 1) + r, "timestamp": 1700000000000 + s, "step": s}
            for s in range(steps)
            for k in ("loss", "acc")
        ]
        h.ok(
            h.call(
                server,
                "POST",
                "/api/2.0/mlflow/runs/log-batch",
                json={
                    "run_id": run,
                    "metrics": metrics,
                    "params": [{"key": "lr", "value": "0.01"}, {"key": "ünï", "value": "välue"}],
                    "tags": [{"key": "stage", "value": f"s{r}"}],
                },
            )
        )
        run_ids.append(run)
    return run_ids


@pytest.fixture
def start(mariadb: h.MariaDB, moto: h.Moto, workdir: Path) -> Iterator[StartFn]:
    """Start the entrypoint with a given virtualenv (image or previous release) and role."""
    started: list[h.ServerProcess] = []

    def factory(
        names: dict[str, str], python: Path = h.SERVER_PYTHON, **overrides: str
    ) -> h.ServerProcess:
        unset: dict[str, str | None] = {}
        if names.get("MLFLOW_AUTH", "basic") != "basic":
            # No users without basic auth, so no run pricer user either (the entrypoint
            # refuses MLFLOW_RUN_COSTS_USERNAME with auth off).
            unset = {"MLFLOW_RUN_COSTS_USERNAME": None, "MLFLOW_RUN_COSTS_PASSWORD": None}
        env = h.server_env(
            mariadb, moto, port=h.free_port(), workers=1, **names, **unset, **overrides
        )
        server = h.ServerProcess(
            env, workdir / "logs" / f"{unique('upgrade')}.log", python=python
        ).start()
        started.append(server)
        return server

    yield factory
    for server in started:
        server.stop(timeout=5)


def fresh_names(moto: h.Moto, auth: str = "basic") -> dict[str, str]:
    """Schemas and a bucket of a test's own. The tests with an old-version *server* run
    without basic auth: this image's serverapp refuses to serve basic auth on MLflow before
    3.17 (its grant-matching fix needs 3.17's `mlflow.server.auth.requirements`)."""
    names = {
        "db_name": unique("up"),
        "auth_db_name": unique("upauth"),
        "bucket": f"it-{uuid.uuid4().hex[:10]}",
        "MLFLOW_AUTH": auth,
    }
    moto.create_bucket(names["bucket"])
    return names


def migrate(start: StartFn, names: dict[str, str], timeout: float = 300) -> tuple[int, str, float]:
    started = time.monotonic()
    task = start(names, MLFLOW_ROLE="migrate")
    code = task.wait_exit(timeout)
    return code, task.logs(), time.monotonic() - started


def seed_with_previous_release(mariadb: h.MariaDB, release: str, schema: str) -> str:
    """The previous release creates the tracking schema and logs data through its own store."""
    mariadb.sql(f"CREATE DATABASE `{schema}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
    code = textwrap.dedent(
        """
        import json, os, mlflow
        from mlflow.entities import Metric, Param, RunTag
        from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore
        store = SqlAlchemyStore(os.environ["DB_URI"], "s3://unused/prev")
        exp = store.create_experiment("made-by-" + mlflow.__version__)
        store.set_experiment_tag(exp, RunTag("team", "ml"))
        for r in range(3):
            rid = store.create_run(exp, "prev-user", 1700000000000, [], f"run-{r}").info.run_id
            store.log_batch(rid,
                metrics=[Metric(k, 1.0 / (i + 1), 1700000000000 + i, i)
                         for i in range(40) for k in ("loss", "acc")],
                params=[Param("lr", "0.01"), Param("ünïcode", "välue")],
                tags=[RunTag("stage", str(r))])
        print(json.dumps({"version": mlflow.__version__}))
        """
    )
    env = {"PATH": os.environ["PATH"], "DB_URI": mariadb.uri(schema)}
    out = h.run_python(h.previous_release_python(release), code, env)
    return str(json.loads(out.strip().splitlines()[-1])["version"])


def test_fresh_install_needs_no_migration_task(
    start: StartFn, mariadb: h.MariaDB, moto: h.Moto
) -> None:
    """Fresh install: the migration task finds nothing to upgrade, a server initializes the
    empty schemas itself (nothing to lose, no other version can be serving them)."""
    names = fresh_names(moto)
    code, logs, took = migrate(start, names)
    assert code == 0, logs
    assert "nothing to upgrade" in logs
    server = start(names)
    server.wait_healthy(180)
    heads = h.server_head_revisions()
    assert h.schema_revision(mariadb, names["db_name"]) == heads["tracking"]
    assert (
        h.schema_revision(mariadb, names["auth_db_name"], "alembic_version_auth") == (heads["auth"])
    )
    print(f"fresh install: migration task {took:.1f} s")


@pytest.mark.parametrize("release", list(h.PREVIOUS_RELEASES))
def test_upgrade_from_previous_minor_release(
    release: str, start: StartFn, mariadb: h.MariaDB, moto: h.Moto
) -> None:
    """A schema and data made by a previous release: the new image's servers refuse it
    untouched, the migration task upgrades it with every row intact, then they serve it."""
    names = fresh_names(moto)
    version = seed_with_previous_release(mariadb, release, names["db_name"])
    before, exact = content(mariadb, names["db_name"]), exact_state(mariadb, names["db_name"])
    old_revision = h.schema_revision(mariadb, names["db_name"])

    refused = start(names)
    assert refused.wait_exit(120) == 5
    assert "a serving task never migrates" in refused.logs()
    assert exact_state(mariadb, names["db_name"]) == exact, "a refusing server changed the schema"

    code, logs, took = migrate(start, names)
    assert code == 0, logs
    assert f"{names['db_name']}: {old_revision} -> " in logs
    assert h.schema_revision(mariadb, names["db_name"]) == h.server_head_revisions()["tracking"]
    assert content(mariadb, names["db_name"]) == before
    assert sum(count for count, _ in before.values()) > 250  # 240 metric rows and more
    server = start(names)
    server.wait_healthy(180)
    experiments = h.ok(
        h.call(server, "POST", "/api/2.0/mlflow/experiments/search", json={"max_results": 10})
    )["experiments"]
    assert f"made-by-{version}" in {e["name"] for e in experiments}
    print(f"upgrade from {version}: migration task {took:.1f} s")


def test_upgrade_with_the_old_version_serving(
    start: StartFn, mariadb: h.MariaDB, moto: h.Moto
) -> None:
    """The old release serves and takes writes; the new image's servers and its migration
    task both refuse while it runs, and it keeps serving; stopped (scaled to zero), the
    migration runs, nothing logged before is lost, the new version serves, and an old-version
    server started again refuses the migrated schema."""
    old_python = h.previous_release_python("previous")
    names = fresh_names(moto, auth="none")
    old = start(names, python=old_python)
    old.wait_healthy(180)
    runs = log_data(old)
    before = content(mariadb, names["db_name"])

    new = start(names)  # a rolling update's first new task
    assert new.wait_exit(120) == 5
    assert "a serving task never migrates" in new.logs()
    code, logs, _ = migrate(start, names)  # migration task with the old tasks still up
    assert code == 5 and "other session(s)" in logs, logs
    assert h.schema_revision(mariadb, names["db_name"]) != h.server_head_revisions()["tracking"]
    h.ok(
        h.call(
            old,
            "POST",
            "/api/2.0/mlflow/runs/log-metric",
            json={"run_id": runs[0], "key": "late", "value": 1.0, "timestamp": 2, "step": 0},
        )
    )
    before = content(mariadb, names["db_name"])

    stopped = time.monotonic()
    old.stop()  # the deployment scales the service to zero
    code, logs, took = migrate(start, names)
    assert code == 0, logs
    assert content(mariadb, names["db_name"]) == before
    new = start(names)
    new.wait_healthy(180)
    downtime = time.monotonic() - stopped
    for run in runs:
        got = h.ok(h.call(new, "GET", "/api/2.0/mlflow/runs/get", params={"run_id": run}))
        assert {m["key"] for m in got["run"]["data"]["metrics"]} >= {"loss", "acc"}
    history = h.ok(
        h.call(
            new,
            "GET",
            "/api/2.0/mlflow/metrics/get-history",
            params={"run_id": runs[0], "metric_key": "loss"},
        )
    )["metrics"]
    assert sorted(m["step"] for m in history) == list(range(40))

    stale = start(names, python=old_python)  # an old task started against the new schema
    assert stale.wait_exit(120) == 5
    assert "a newer MLflow has migrated this schema" in stale.logs()
    print(f"upgrade with an old server: migration {took:.1f} s, no server for {downtime:.1f} s")


def test_failed_migration_restores_the_database_and_the_old_version_serves_again(
    start: StartFn, mariadb: h.MariaDB, moto: h.Moto
) -> None:
    heads = h.server_head_revisions()
    sabotage = SABOTAGE_BY_HEAD.get(heads["tracking"])
    assert sabotage, (
        f"no way to make the migration to {heads['tracking']} fail half-way: add a table "
        "that migration creates to SABOTAGE_BY_HEAD"
    )
    old_python = h.previous_release_python("previous")
    names = fresh_names(moto, auth="none")
    old = start(names, python=old_python)
    old.wait_healthy(180)
    runs = log_data(old, runs=2, steps=20)
    old.stop()
    mariadb.sql(f"CREATE TABLE `{names['db_name']}`.`{sabotage}` (x INT PRIMARY KEY)")
    schemas = (names["db_name"],)
    exact = exact_state(mariadb, *schemas)
    revision = h.schema_revision(mariadb, names["db_name"])

    code, logs, took = migrate(start, names)
    assert code == 5, logs
    assert "restoring from the backup" in logs and "were restored from" in logs
    # The migration got part of the way (committed DDL) before failing: the restore undid it.
    assert exact_state(mariadb, *schemas) == exact
    assert h.schema_revision(mariadb, names["db_name"]) == revision

    again = start(names, python=old_python)  # the deployment scales the old service back
    again.wait_healthy(180)
    got = h.ok(h.call(again, "GET", "/api/2.0/mlflow/runs/get", params={"run_id": runs[1]}))
    assert got["run"]["info"]["run_name"] == "run-1"
    h.ok(
        h.call(
            again,
            "POST",
            "/api/2.0/mlflow/runs/log-metric",
            json={"run_id": runs[1], "key": "after", "value": 1.0, "timestamp": 3, "step": 0},
        )
    )
    print(f"failed migration and restore: {took:.1f} s")
