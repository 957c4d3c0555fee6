"""Schema life cycle: a database made by the previous MLflow release is upgraded by the migration
task with its data intact; two tasks starting at once on one empty database both come up and share it; MLflow's
own auth migration really fails on MariaDB and the partial state it leaves does not wedge
the server's start."""

from __future__ import annotations

import json
import os
import textwrap
import threading
import time
import uuid

import harness as h
from harness import ServerFactory, unique


def test_upgrade_from_previous_release_keeps_data(
    make_server: ServerFactory, mariadb: h.MariaDB, moto: h.Moto
) -> None:
    python = h.previous_release_python()
    db_name, auth_db_name, bucket = (
        unique("prev"),
        unique("prevauth"),
        f"it-{uuid.uuid4().hex[:10]}",
    )
    mariadb.sql(f"CREATE DATABASE `{db_name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
    moto.create_bucket(bucket)
    # The previous release creates the schema and logs data through its own SQL store.
    code = textwrap.dedent(
        """
        import json, os, sys, mlflow
        from mlflow.entities import Metric, Param, RunTag
        from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore
        store = SqlAlchemyStore(os.environ["DB_URI"], "s3://unused/prev")
        exp = store.create_experiment("made-by-previous-release")
        run = store.create_run(exp, "prev-user", 1700000000000, [], "prev-run")
        rid = run.info.run_id
        store.log_batch(rid,
            metrics=[Metric("loss", 1.0 / (i + 1), 1700000000000 + i, i) for i in range(25)],
            params=[Param("lr", "0.01"), Param("ünïcode", "välue")],
            tags=[RunTag("team", "ml")])
        print(json.dumps({"version": mlflow.__version__, "experiment_id": exp, "run_id": rid}))
        """
    )
    out = h.run_python(
        python,
        code,
        {
            "PATH": os.environ["PATH"],
            "DB_URI": mariadb.uri(db_name),
            "MLFLOW_DISABLE_TELEMETRY": "true",
        },
    )
    made = json.loads(out.strip().splitlines()[-1])
    assert made["version"] == "3.16.1"
    heads = h.server_head_revisions()
    old_revision = h.schema_revision(mariadb, db_name)
    assert old_revision != heads["tracking"], "the previous release should be behind"

    # A serving task never upgrades; the one-off migration task does (test_upgrades.py has
    # the deployment's whole sequence).
    names = {"db_name": db_name, "auth_db_name": auth_db_name, "bucket": bucket}
    migration = make_server(**names, MLFLOW_ROLE="migrate")
    assert migration.wait_exit(180) == 0, migration.logs()
    server = make_server(**names)
    server.wait_healthy(180)
    assert h.schema_revision(mariadb, db_name) == heads["tracking"]
    run = h.ok(
        h.call(server, "GET", "/api/2.0/mlflow/runs/get", params={"run_id": made["run_id"]})
    )["run"]
    assert run["info"]["experiment_id"] == made["experiment_id"]
    assert run["info"]["run_name"] == "prev-run"
    params = {p["key"]: p["value"] for p in run["data"]["params"]}
    assert params == {"lr": "0.01", "ünïcode": "välue"}
    assert {t["key"]: t["value"] for t in run["data"]["tags"]}["team"] == "ml"
    history = h.ok(
        h.call(
            server,
            "GET",
            "/api/2.0/mlflow/metrics/get-history",
            params={"run_id": made["run_id"], "metric_key": "loss"},
        )
    )["metrics"]
    assert sorted(m["step"] for m in history) == list(range(25))
    # The upgraded schema takes new writes.
    h.ok(
        h.call(
            server,
            "POST",
            "/api/2.0/mlflow/runs/log-metric",
            json={
                "run_id": made["run_id"],
                "key": "loss",
                "value": 0.01,
                "timestamp": 1800000000000,
                "step": 25,
            },
        )
    )


def test_two_tasks_start_at_once_on_an_empty_database_and_share_it(
    make_server: ServerFactory, mariadb: h.MariaDB, moto: h.Moto
) -> None:
    names = {
        "db_name": unique("twin"),
        "auth_db_name": unique("twinauth"),
        "bucket": f"it-{uuid.uuid4().hex[:10]}",
    }
    moto.create_bucket(names["bucket"])
    a = make_server(**names, start=False)
    b = make_server(**names, start=False)
    # Released together, like two ECS tasks of a fresh deployment.
    gate = threading.Barrier(2)

    def start(server: h.ServerProcess) -> None:
        gate.wait()
        server.start()

    threads = [threading.Thread(target=start, args=(s,)) for s in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = [a.wait_healthy(240), b.wait_healthy(240)]
    print(f"both healthy after {took[0]:.1f} s and {took[1]:.1f} s")
    # Exactly one of them migrated; the other found the schema at head under the lock.
    logs = a.logs() + b.logs()
    assert logs.count("Creating initial MLflow database tables") == 1
    assert logs.count("Created admin user 'admin'") == 1
    assert logs.count("holding migration lock") == 2
    assert h.schema_revision(mariadb, names["db_name"]) == h.server_head_revisions()["tracking"]

    # One database and bucket behind both: a run made via A is read via B, the admin login and
    # a user created via A work on B, an artifact logged via A downloads via B.
    experiment = h.create_experiment(a, unique("shared"))
    run_id = h.ok(
        h.call(a, "POST", "/api/2.0/mlflow/runs/create", json={"experiment_id": experiment})
    )["run"]["info"]["run_id"]
    h.ok(
        h.call(
            a,
            "POST",
            "/api/2.0/mlflow/runs/log-parameter",
            json={"run_id": run_id, "key": "via", "value": "A"},
        )
    )
    seen = h.ok(h.call(b, "GET", "/api/2.0/mlflow/runs/get", params={"run_id": run_id}))
    assert seen["run"]["data"]["params"] == [{"key": "via", "value": "A"}]
    h.create_user(a, "bob", "bob-Pa55word-shared")
    assert (
        h.call(
            b, "GET", "/api/2.0/mlflow/users/current", auth=("bob", "bob-Pa55word-shared")
        ).status_code
        == 200
    )
    path = f"/api/2.0/mlflow-artifacts/artifacts/{experiment}/{run_id}/artifacts/note.txt"
    import requests

    put = requests.put(
        a.url + path,
        data=b"written via A",
        auth=("admin", h.ADMIN_PASSWORD),
        headers={"Host": h.ALB_HOST},
        timeout=30,
    )
    assert put.status_code == 200, put.text[:300]
    got = requests.get(
        b.url + path, auth=("admin", h.ADMIN_PASSWORD), headers={"Host": h.ALB_HOST}, timeout=30
    )
    assert got.status_code == 200 and got.content == b"written via A"


def test_half_failed_auth_migration_does_not_wedge_the_start(
    make_server: ServerFactory, mariadb: h.MariaDB, moto: h.Moto
) -> None:
    names = {
        "db_name": unique("hf"),
        "auth_db_name": unique("hfauth"),
        "bucket": f"it-{uuid.uuid4().hex[:10]}",
    }
    moto.create_bucket(names["bucket"])
    mariadb.sql(
        f"CREATE DATABASE `{names['auth_db_name']}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
    )
    # Run MLflow's own auth migration, as `mlflow server --app-name basic-auth` would: on
    # MariaDB/MySQL it fails (upstream mlflow#9642) and leaves tables behind.
    code = textwrap.dedent(
        """
        import os, sqlalchemy
        from mlflow.server.auth.db.utils import migrate
        engine = sqlalchemy.create_engine(os.environ["DB_URI"])
        try:
            migrate(engine, "head")
        except Exception as e:
            print("FAILED:", e)
        else:
            print("MIGRATED")
        """
    )
    out = h.run_python(
        h.SERVER_PYTHON,
        code,
        {"PATH": os.environ["PATH"], "DB_URI": mariadb.uri(names["auth_db_name"])},
    )
    assert "FAILED" in out and "121" in out, f"upstream migration did not fail as expected: {out}"
    partial = mariadb.tables(names["auth_db_name"])
    assert {"users", "experiment_permissions"} <= partial
    assert "registered_model_permissions" not in partial
    # Upstream alone stays wedged: a second attempt fails too.
    again = h.run_python(
        h.SERVER_PYTHON,
        code,
        {"PATH": os.environ["PATH"], "DB_URI": mariadb.uri(names["auth_db_name"])},
    )
    assert "FAILED" in again

    server = make_server(**names)
    server.wait_healthy(180)
    assert "kept existing ['experiment_permissions', 'users']" in server.logs()
    assert (
        h.schema_revision(mariadb, names["auth_db_name"], "alembic_version_auth")
        == (h.server_head_revisions()["auth"])
    )
    # Auth works end to end on the repaired schema, including the table the upstream run
    # never created (registered-model permissions).
    h.create_user(server, "carol", "carol-Pa55word-x")
    model = unique("model")
    h.ok(h.call(server, "POST", "/api/2.0/mlflow/registered-models/create", json={"name": model}))
    h.ok(
        h.call(
            server,
            "POST",
            "/api/3.0/mlflow/users/permissions/grant",
            json={
                "username": "carol",
                "resource_type": "registered_model",
                "resource_id": model,
                "permission": "READ",
            },
        )
    )
    carol = ("carol", "carol-Pa55word-x")
    assert (
        h.call(
            server,
            "GET",
            "/api/2.0/mlflow/registered-models/get",
            auth=carol,
            params={"name": model},
        ).status_code
        == 200
    )
    assert (
        h.call(
            server,
            "PATCH",
            "/api/2.0/mlflow/registered-models/update",
            auth=carol,
            json={"name": model, "description": "x"},
        ).status_code
        == 403
    )
    # And a restart on the now-complete schema is a no-op for the workaround: a warm start
    # (test_cold_start.py) that does not even look at it.
    server.stop(timeout=5)
    started = time.monotonic()
    again_server = make_server(**names)
    again_server.wait_healthy(180)
    logs = again_server.logs()
    assert "warm start: schemas at head" in logs and "kept existing" not in logs
    print(f"restart on a migrated schema: healthy in {time.monotonic() - started:.1f} s")
