"""One production-configured server (entrypoint.py, basic auth, TLS to MariaDB, artifacts
proxied to moto) on fresh schemas: migrations, auth and permissions, the Host rule, a real
MLflow client round trip with a 100 MB artifact, and no secret in argv, files or logs."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path

import harness as h
import pytest
from harness import unique

ALICE = ("alice", "alice-Pa55word-%:#")


@pytest.fixture(scope="module")
def names() -> dict[str, str]:
    return {
        "db_name": unique("track"),
        "auth_db_name": unique("auth"),
        "bucket": f"it-{uuid.uuid4().hex[:10]}",
    }


@pytest.fixture(scope="module")
def server(
    mariadb: h.MariaDB, moto: h.Moto, workdir: Path, names: dict[str, str]
) -> Iterator[h.ServerProcess]:
    moto.create_bucket(names["bucket"])
    env = h.server_env(mariadb, moto, port=h.free_port(), **names)
    with h.serving(env, workdir / "logs" / f"{unique('main')}.log") as process:
        yield process


def test_fresh_schemas_are_migrated_to_head(
    server: h.ServerProcess, mariadb: h.MariaDB, names: dict[str, str]
) -> None:
    heads = h.server_head_revisions()
    assert h.schema_revision(mariadb, names["db_name"]) == heads["tracking"]
    assert (
        h.schema_revision(mariadb, names["auth_db_name"], "alembic_version_auth") == heads["auth"]
    )
    assert {"experiments", "runs", "metrics", "latest_metrics", "params", "tags"} <= mariadb.tables(
        names["db_name"]
    )
    assert {"users", "experiment_permissions", "registered_model_permissions", "roles"} <= (
        mariadb.tables(names["auth_db_name"])
    )
    rows = mariadb.sql(
        "SELECT SCHEMA_NAME, DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME "
        "FROM information_schema.SCHEMATA WHERE SCHEMA_NAME IN (%s, %s)",
        (names["db_name"], names["auth_db_name"]),
    )
    assert {(r[1], r[2]) for r in rows} == {("utf8mb4", "utf8mb4_bin")} and len(rows) == 2
    # TLS to the database: the user is REQUIRE SSL (and the server require_secure_transport),
    # and the entrypoint logs the negotiated cipher.
    assert "TLS_AES" in server.logs() or "ECDHE" in server.logs(), "no TLS cipher in the log"


def test_health_and_unauthenticated_requests(server: h.ServerProcess) -> None:
    assert h.call(server, "GET", "/health", auth=None).status_code == 200
    # The ALB's health check addresses the task by IP: no Host check, no auth on /health.
    assert h.call(server, "GET", "/health", auth=None, host="10.0.3.17:5000").status_code == 200
    for path in (
        "/api/2.0/mlflow/experiments/search?max_results=1",
        "/ajax-api/2.0/mlflow/experiments/search?max_results=1",
        "/",  # the UI
        "/api/2.0/mlflow-artifacts/artifacts",
        "/api/2.0/mlflow/users/current",
    ):
        response = h.call(server, "GET", path, auth=None)
        assert response.status_code == 401, (path, response.status_code, response.text[:200])
        assert "Basic" in response.headers.get("WWW-Authenticate", "")
    wrong = h.call(
        server,
        "GET",
        "/api/2.0/mlflow/experiments/search?max_results=1",
        auth=("admin", "not-the-password"),
    )
    assert wrong.status_code == 401


def test_host_header_rule(server: h.ServerProcess) -> None:
    path = "/api/2.0/mlflow/experiments/search?max_results=1"
    for host in (h.ALB_HOST, h.DOMAIN_HOST, f"{h.DOMAIN_HOST}:443"):
        assert h.call(server, "GET", path, host=host).status_code == 200, host
    for host in ("evil.example.com", f"{h.DOMAIN_HOST}.evil.example.com", "10.0.3.17:5000"):
        response = h.call(server, "GET", path, host=host)
        assert response.status_code == 403, (host, response.status_code)
        assert "Invalid Host header" in response.text
        # Refused before authentication: no credentials needed to be turned away.
        assert h.call(server, "GET", path, host=host, auth=None).status_code == 403


def test_cross_origin_writes_blocked_same_origin_allowed(server: h.ServerProcess) -> None:
    # Browsers send Origin on same-origin POSTs too: the UI behind the domain must work.
    same = h.call(
        server,
        "POST",
        "/api/2.0/mlflow/experiments/create",
        json={"name": unique("cors")},
        headers={"Origin": f"https://{h.DOMAIN_HOST}"},
    )
    assert same.status_code == 200, same.text[:300]
    foreign = h.call(
        server,
        "POST",
        "/api/2.0/mlflow/experiments/create",
        json={"name": unique("cors")},
        headers={"Origin": "https://evil.example.com"},
    )
    assert foreign.status_code == 403


def test_non_admin_gets_exactly_the_granted_permissions(server: h.ServerProcess) -> None:
    granted = h.create_experiment(server, unique("granted"))
    other = h.create_experiment(server, unique("other"))
    h.create_user(server, *ALICE)
    h.ok(
        h.call(
            server,
            "POST",
            "/api/3.0/mlflow/users/permissions/grant",
            json={
                "username": ALICE[0],
                "resource_type": "experiment",
                "resource_id": granted,
                "permission": "READ",
            },
        )
    )

    def as_alice(method: str, path: str, **kw: object) -> int:
        return int(h.call(server, method, path, auth=ALICE, **kw).status_code)  # type: ignore[arg-type]

    # READ on `granted`: can read, cannot write.
    assert (
        as_alice("GET", "/api/2.0/mlflow/experiments/get", params={"experiment_id": granted}) == 200
    )
    assert as_alice("POST", "/api/2.0/mlflow/runs/create", json={"experiment_id": granted}) == 403
    assert (
        as_alice(
            "POST",
            "/api/2.0/mlflow/experiments/update",
            json={"experiment_id": granted, "new_name": unique("renamed")},
        )
        == 403
    )
    # Default permission NO_PERMISSIONS: nothing on `other`.
    assert (
        as_alice("GET", "/api/2.0/mlflow/experiments/get", params={"experiment_id": other}) == 403
    )
    assert as_alice("POST", "/api/2.0/mlflow/runs/create", json={"experiment_id": other}) == 403
    listed = (
        h.call(
            server,
            "POST",
            "/api/2.0/mlflow/experiments/search",
            auth=ALICE,
            json={"max_results": 1000},
        )
        .json()
        .get("experiments", [])
    )
    ids = {e["experiment_id"] for e in listed}
    assert granted in ids and other not in ids
    # Her own experiment: the creator gets MANAGE.
    own = h.create_experiment(server, unique("alice"), auth=ALICE)
    run = h.call(
        server, "POST", "/api/2.0/mlflow/runs/create", auth=ALICE, json={"experiment_id": own}
    )
    assert run.status_code == 200
    # Admin-only operations stay admin-only.
    promote = {"username": ALICE[0], "is_admin": True}
    assert as_alice("PATCH", "/api/2.0/mlflow/users/update-admin", json=promote) == 403
    # The admin (credential cache and cached admin check on) can.
    assert (
        h.call(
            server, "GET", "/api/2.0/mlflow/experiments/get", params={"experiment_id": other}
        ).status_code
        == 200
    )


def test_cached_admin_check_is_active(server: h.ServerProcess) -> None:
    # serverapp replaces MLflow's per-request admin lookup when MLflow's internals are as
    # expected; test_internals_pinned checks them, this checks the server took that path.
    assert "keeping the stock per-request admin lookup" not in server.logs()
    assert "keeping the stock run lookup" not in server.logs()
    assert "keeping the stock two-session user and grants lookup" not in server.logs()
    assert "keeping MLflow's own log_metric" not in server.logs()


def test_run_scoped_permissions_for_a_non_admin(server: h.ServerProcess) -> None:
    """Requests that name a run are authorized through the run's experiment (serverapp's
    lighter run lookup): decisions follow the grants at the time of the request."""
    bob = ("bob", "bob-Pa55word-%:#")
    shared = h.create_experiment(server, unique("shared"))
    h.create_user(server, *bob)
    admin_run = h.ok(
        h.call(server, "POST", "/api/2.0/mlflow/runs/create", json={"experiment_id": shared})
    )["run"]["info"]["run_id"]
    metric = {"key": "loss", "value": 0.5, "timestamp": 1, "step": 0}

    grant_of_bob = {"username": bob[0], "resource_type": "experiment", "resource_id": shared}

    def revoke() -> None:
        h.ok(h.call(server, "POST", "/api/3.0/mlflow/users/permissions/revoke", json=grant_of_bob))

    def grant(permission: str) -> None:
        h.ok(
            h.call(
                server,
                "POST",
                "/api/3.0/mlflow/users/permissions/grant",
                json={**grant_of_bob, "permission": permission},
            )
        )

    def as_bob(path: str, run_id: str, **body: object) -> int:
        response = h.call(server, "POST", path, auth=bob, json={"run_id": run_id, **body})
        return int(response.status_code)

    def get_run_as_bob(run_id: str) -> int:
        response = h.call(
            server, "GET", "/api/2.0/mlflow/runs/get", auth=bob, params={"run_id": run_id}
        )
        return int(response.status_code)

    log_metric = "/api/2.0/mlflow/runs/log-metric"
    # No grant (default NO_PERMISSIONS): nothing on the admin's run.
    assert get_run_as_bob(admin_run) == 403
    assert as_bob(log_metric, admin_run, **metric) == 403
    # READ: can read the run, cannot write to it.
    grant("READ")
    assert get_run_as_bob(admin_run) == 200
    assert as_bob(log_metric, admin_run, **metric) == 403
    assert as_bob("/api/2.0/mlflow/runs/log-batch", admin_run, metrics=[metric]) == 403
    # EDIT instead: writes go through on the next request, nothing cached.
    revoke()
    grant("EDIT")
    assert as_bob(log_metric, admin_run, **metric) == 200
    assert as_bob("/api/2.0/mlflow/runs/log-batch", admin_run, metrics=[metric]) == 200
    assert as_bob("/api/2.0/mlflow/runs/set-tag", admin_run, key="by", value="bob") == 200
    # Revoked: denied again on the next request.
    revoke()
    assert as_bob(log_metric, admin_run, **metric) == 403
    assert get_run_as_bob(admin_run) == 403
    # A run id that does not exist is denied, not reported missing (no existence oracle).
    assert as_bob(log_metric, "0" * 32, **metric) == 403
    assert get_run_as_bob("0" * 32) == 403
    # What bob wrote while he had EDIT is there, read back by the admin.
    data = h.ok(h.call(server, "GET", "/api/2.0/mlflow/runs/get", params={"run_id": admin_run}))
    assert {m["key"]: m["value"] for m in data["run"]["data"]["metrics"]} == {"loss": 0.5}
    assert {"key": "by", "value": "bob"} in data["run"]["data"]["tags"]


CLIENT = textwrap.dedent(
    """
    import hashlib, json, os, sys, tempfile, time
    from mlflow import MlflowClient
    from mlflow.entities import Metric, Param

    def sha(path):
        digest = hashlib.sha256()
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                digest.update(chunk)
        return digest.hexdigest()

    client = MlflowClient()
    experiment = client.create_experiment(sys.argv[1])
    run_id = client.create_run(experiment).info.run_id
    client.log_param(run_id, "alpha", "0.5")
    now = int(time.time() * 1000)
    client.log_batch(run_id,
        metrics=[Metric("acc", i / 100, now + i, i) for i in range(100)],
        params=[Param(f"p{i}", "v" * i) for i in range(1, 20)])
    for step in range(10):
        client.log_metric(run_id, "loss", 1.0 / (step + 1), step=step)
    work = tempfile.mkdtemp()
    big = os.path.join(work, "big.bin")
    with open(big, "wb") as f:
        for _ in range(105):
            f.write(os.urandom(1 << 20))
    small_dir = os.path.join(work, "small")
    os.makedirs(os.path.join(small_dir, "nested"))
    files = {"a.txt": "hello ünïcode\\n", "nested/b.json": json.dumps({"k": [1, 2, 3]})}
    for name, text in files.items():
        with open(os.path.join(small_dir, name), "w", encoding="utf-8") as f:
            f.write(text)
    t0 = time.monotonic()
    client.log_artifact(run_id, big, "data")
    upload_s = time.monotonic() - t0
    client.log_artifacts(run_id, small_dir, "small")
    client.set_terminated(run_id)

    run = client.get_run(run_id)
    out = tempfile.mkdtemp()
    t0 = time.monotonic()
    got_big = client.download_artifacts(run_id, "data/big.bin", out)
    download_s = time.monotonic() - t0
    got_small = client.download_artifacts(run_id, "small", out)
    print(json.dumps({
        "run_id": run_id,
        "experiment_id": experiment,
        "artifact_uri": run.info.artifact_uri,
        "status": run.info.status,
        "params": run.data.params,
        "metrics": run.data.metrics,
        "loss_history": [m.value for m in client.get_metric_history(run_id, "loss")],
        "acc_history_len": len(client.get_metric_history(run_id, "acc")),
        "sent": {"big": sha(big), **{n: sha(os.path.join(small_dir, n)) for n in files}},
        "received": {"big": sha(got_big),
                     **{n: sha(os.path.join(got_small, n)) for n in files}},
        "big_size": os.path.getsize(got_big),
        "upload_s": round(upload_s, 1), "download_s": round(download_s, 1),
        "aws_env": sorted(k for k in os.environ if k.startswith("AWS")),
    }))
    """
)


def test_mlflow_client_round_trip_with_100mb_artifact(
    server: h.ServerProcess, moto: h.Moto, names: dict[str, str], tmp_path: Path
) -> None:
    # The client gets only the tracking URI and its credentials: no AWS credentials, no
    # endpoint, no profile (HOME is empty) - artifacts must go through the server's proxy.
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "MLFLOW_TRACKING_URI": server.url,
        "MLFLOW_TRACKING_USERNAME": "admin",
        "MLFLOW_TRACKING_PASSWORD": h.ADMIN_PASSWORD,
        "MLFLOW_DISABLE_TELEMETRY": "true",
    }
    result = subprocess.run(
        [sys.executable, "-c", CLIENT, unique("client")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    data = json.loads(result.stdout.strip().splitlines()[-1])
    assert data["aws_env"] == []
    assert data["status"] == "FINISHED"
    assert data["artifact_uri"].startswith("mlflow-artifacts:/")
    assert data["params"] == {"alpha": "0.5", **{f"p{i}": "v" * i for i in range(1, 20)}}
    assert data["metrics"]["loss"] == pytest.approx(0.1)
    assert data["metrics"]["acc"] == pytest.approx(0.99)
    assert data["loss_history"] == pytest.approx([1.0 / (s + 1) for s in range(10)])
    assert data["acc_history_len"] == 100
    assert data["received"] == data["sent"]
    assert data["big_size"] == 105 * (1 << 20)

    # The objects are in the bucket, under the configured prefix, byte-identical.
    prefix = f"mlflow-artifacts/{data['experiment_id']}/{data['run_id']}/artifacts/"
    objects = moto.objects(names["bucket"], prefix)
    assert objects == {
        prefix + "data/big.bin": 105 * (1 << 20),
        prefix + "small/a.txt": len("hello ünïcode\n".encode()),
        prefix + "small/nested/b.json": len(json.dumps({"k": [1, 2, 3]})),
    }
    body = moto.s3().get_object(Bucket=names["bucket"], Key=prefix + "data/big.bin")["Body"]
    digest = hashlib.sha256()
    for chunk in iter(lambda: body.read(1 << 20), b""):
        digest.update(chunk)
    assert digest.hexdigest() == data["sent"]["big"]
    print(f"100 MB via the proxy: upload {data['upload_s']} s, download {data['download_s']} s")


def test_no_secret_in_argv_files_or_logs(server: h.ServerProcess) -> None:
    secrets = [h.DB_PASSWORD, h.ADMIN_PASSWORD, h.SECRET_KEY]
    assert server.process is not None
    pids = h.process_group(server.process.pid)
    assert len(pids) >= 3, "expected the gunicorn master and its workers"
    config_paths = set()
    for pid in pids:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        assert "gunicorn" in cmdline
        for secret in secrets:
            assert secret not in cmdline
        environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        for item in environ:
            if item.startswith(b"MLFLOW_AUTH_CONFIG_PATH="):
                config_paths.add(item.split(b"=", 1)[1].decode())
            # No URI-shaped variable carries the password (only MLFLOW_DB_PASSWORD itself).
            if b"://" in item:
                assert h.DB_PASSWORD.encode() not in item
    assert len(config_paths) == 1
    config = Path(config_paths.pop())
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert stat.S_IMODE(config.parent.stat().st_mode) == 0o700
    text = config.read_text()
    assert "database_uri" in text
    for secret in secrets:
        assert secret not in text
    logs = server.log_path.read_text(errors="replace")
    for secret in secrets:
        assert secret not in logs


def test_internals_pinned() -> None:
    """What serverapp.py and the start-up modules rely on inside MLflow 3.17.2, checked in the image's
    own virtualenv: the private server-to-worker variable names, the auth module's credential
    cache, and `_before_request` calling `sender_is_admin` through the module global (so that
    replacing it takes effect)."""
    code = textwrap.dedent(
        f"""
        import inspect, os, sys, tempfile
        ini = os.path.join(tempfile.mkdtemp(), "auth.ini")
        open(ini, "w").write("[mlflow]\\ndefault_permission = READ\\n"
                             "database_uri = sqlite:///:memory:\\nadmin_username = admin\\n"
                             "auth_cache_ttl_seconds = 60\\n")
        os.environ["MLFLOW_AUTH_CONFIG_PATH"] = ini
        sys.path.insert(0, {str(h.CONTAINER)!r})
        import mlflow.server.auth as auth
        from mlflow.server import constants
        import serverapp
        assert serverapp._cached_admin_check(auth) is not None
        assert "sender_is_admin()" in inspect.getsource(auth._before_request)
        assert list(inspect.signature(auth._authenticate_cached).parameters) == ["username", "password"]
        assert constants.BACKEND_STORE_URI_ENV_VAR == "_MLFLOW_SERVER_FILE_STORE"
        assert constants.SERVE_ARTIFACTS_ENV_VAR == "_MLFLOW_SERVER_SERVE_ARTIFACTS"
        assert constants.ARTIFACTS_DESTINATION_ENV_VAR == "_MLFLOW_SERVER_ARTIFACT_DESTINATION"
        from mlflow.server.auth.db.utils import INITIAL_REVISION
        assert INITIAL_REVISION == "8606fa83a998"
        print("pinned")
        """
    )
    out = h.run_python(h.SERVER_PYTHON, code, {"PATH": os.environ.get("PATH", "")})
    assert out.strip().endswith("pinned")


def test_container_module_names_do_not_clash_in_the_server_virtualenv() -> None:
    """No module of container/ is also a standard-library or installed module of the image's
    own virtualenv (tests/test_container.py checks the dev virtualenv)."""
    from test_container import clashing_modules

    assert clashing_modules(h.SERVER_PYTHON) == []


def test_light_run_lookup_matches_mlflow() -> None:
    """serverapp's `_run_requirement` gives exactly MLflow's answer (existing, deleted and
    missing runs; every action) from one SELECT, where MLflow's loads the whole run, and from
    none the next time (a run's experiment never changes; missing runs are not kept). Checked in
    the image's own virtualenv on a SQLite store holding runs with params, tags and metrics."""
    code = textwrap.dedent(
        f"""
        import os, sys, tempfile
        d = tempfile.mkdtemp()
        ini = os.path.join(d, "auth.ini")
        open(ini, "w").write("[mlflow]\\ndefault_permission = READ\\n"
                             "database_uri = sqlite:///" + d + "/auth.db\\n"
                             "admin_username = admin\\nauth_cache_ttl_seconds = 60\\n")
        os.environ["MLFLOW_AUTH_CONFIG_PATH"] = ini
        os.environ["_MLFLOW_SERVER_FILE_STORE"] = "sqlite:///" + d + "/mlflow.db"
        os.environ["_MLFLOW_SERVER_ARTIFACT_ROOT"] = os.path.join(d, "artifacts")
        sys.path.insert(0, {str(h.CONTAINER)!r})
        import mlflow.server.auth as auth
        from mlflow.entities import Metric, Param, RunTag
        from sqlalchemy import event
        import serverapp

        store = auth._get_tracking_store()
        runs = []
        for name in ("one", "two"):
            experiment = store.create_experiment(name)
            run = store.create_run(experiment, "someone", 0, [], name).info.run_id
            store.log_batch(run, [Metric("m", 1.0, 1, 0)], [Param("p", "v")], [RunTag("t", "v")])
            runs.append(run)
        deleted = store.create_run(experiment, "someone", 0, [], "gone").info.run_id
        store.delete_run(deleted)
        light = serverapp._light_run_requirement(auth)
        stock = auth._run_requirement
        assert light is not None and light is not stock
        for run_id in (*runs, deleted, "0" * 32, "not-a-run-id"):
            for action in ("read", "update", "delete", "manage"):
                expected = stock(run_id, action)
                assert light(run_id, action) == expected, (run_id, action, expected)
        assert stock(runs[0], "read") is not None and stock("0" * 32, "read") is None
        statements = []
        event.listen(store.engine, "before_cursor_execute",
                     lambda conn, cursor, statement, *rest: statements.append(statement))
        # (SQLite sessions also run PRAGMAs; only the queries are compared.)
        selects = lambda: [q for q in statements if q.lstrip().upper().startswith("SELECT")]
        fresh = store.create_run(experiment, "someone", 0, [], "fresh").info.run_id
        statements[:] = []
        light(fresh, "update")
        light_selects, statements[:] = selects(), []
        # A run never changes experiment: the second lookup is answered from the worker's
        # cache; a missing run is never cached (asked again every time).
        assert light(fresh, "read") == stock(fresh, "read")
        statements[:] = []
        assert light(fresh, "read") is not None and selects() == [], selects()
        light("1" * 32, "read"); light("1" * 32, "read")
        assert len(selects()) == 2, selects()
        statements[:] = []
        stock(fresh, "update")
        assert len(light_selects) == 1, light_selects
        assert len(selects()) > 1, selects()
        print("equivalent", len(light_selects), len(selects()))
        """
    )
    out = h.run_python(h.SERVER_PYTHON, code, {"PATH": os.environ.get("PATH", "")})
    assert out.strip().splitlines()[-1].startswith("equivalent 1 ")


def test_lean_log_metric_matches_mlflow_on_mariadb(mariadb: h.MariaDB, workdir: Path) -> None:
    """metricwrite's log_metric leaves exactly the rows MLflow's leaves (metrics and latest
    metrics) and raises the same errors, for the same sequence of metrics on two runs: newer,
    older and equal steps, timestamp and value tie-breaks, NaN and infinities, an exact
    duplicate, invalid input, a model id, a deleted and a missing run. Then 8 threads race first
    values for fresh keys on one run: nothing is lost and each latest value is the maximum.
    Checked in the image's own virtualenv against MariaDB (the only dialect it handles)."""
    schema = unique("lean")
    mariadb.sql(f"CREATE DATABASE `{schema}`")
    code = textwrap.dedent(
        """
        import os, sys, threading
        sys.path.insert(0, os.environ["CONTAINER_DIR"])
        from mlflow.entities import Metric
        from mlflow.exceptions import MlflowException
        from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore
        from sqlalchemy import event, text
        import metricwrite

        store = SqlAlchemyStore(os.environ["STORE_URI"], os.environ["ARTIFACT_ROOT"])
        stock = SqlAlchemyStore.log_metric
        lean = metricwrite.lean_log_metric(SqlAlchemyStore)
        assert lean is not None and lean is not stock

        # Any change to the mirrored MLflow code switches it off (MLflow's method serves).
        class Changed(SqlAlchemyStore):
            def _check_run_is_active(self, run):
                return super()._check_run_is_active(run)

        assert metricwrite.lean_log_metric(Changed) is None
        experiment = store.create_experiment("lean")
        new_run = lambda: store.create_run(experiment, "someone", 0, [], "r").info.run_id

        def outcome(method, run_id, metric):
            try:
                method(store, run_id, metric)
            except MlflowException as e:
                message = str(e.message).replace(run_id, "RUN").split("[SQL")[0]
                return (e.error_code, message)
            return "ok"

        columns = "`key`, value, timestamp, step, is_nan"
        queries = [
            text("SELECT " + columns + " FROM " + table + " WHERE run_uuid = :r ORDER BY " + columns)
            for table in ("metrics", "latest_metrics")
        ]

        def rows(run_id):
            with store.engine.connect() as conn:
                return [[tuple(r) for r in conn.execute(q, {"r": run_id})] for q in queries]

        nan, inf = float("nan"), float("inf")
        sequence = [
            Metric("loss", 0.5, 1000, 1), Metric("loss", 0.4, 1001, 2),
            Metric("loss", 0.9, 999, 1),  # older step: latest unchanged
            Metric("loss", 0.3, 1002, 2),  # same step, newer timestamp
            Metric("loss", 0.35, 1002, 2),  # same step and timestamp, larger value
            Metric("loss", 0.1, 1002, 2),  # ... smaller value: not newer
            Metric("loss", 0.4, 1001, 2),  # exact duplicate: accepted, nothing added
            Metric("loss", 0.2, 500, 5),  # higher step, older timestamp: newer
            Metric("z", nan, 7, 7), Metric("z", 0.0, 7, 7),  # ties NaN (stored as 0): not newer
            Metric("acc", nan, 5, 0), Metric("acc", inf, 5, 1), Metric("acc", -inf, 5, 2),
            Metric("acc", nan, 5, 0), Metric("acc", -1e300, 4, 2),
            Metric("neg", 1.0, 1, -5), Metric("big", 1.0, 2**62, 2**62),
            Metric("k" * 300, 1.0, 1, 0), Metric("bad key?", 1.0, 1, 0),
            Metric("loss", 1.0, -1, 0), Metric("loss", 2.0, 1003, 3, model_id="m-missing"),
        ]
        run_stock, run_lean = new_run(), new_run()
        outcomes = []
        for metric in sequence:
            expected = outcome(stock, run_stock, metric)
            got = outcome(lean, run_lean, metric)
            assert got == expected, (metric, expected, got)
            outcomes.append(expected)
        assert rows(run_lean) == rows(run_stock), (rows(run_stock), rows(run_lean))
        assert outcomes.count("ok") >= 12 and len(rows(run_lean)[0]) >= 11, outcomes

        for run_id in ("0" * 32, "not-a-run"):
            metric = Metric("loss", 1.0, 1, 0)
            assert outcome(lean, run_id, metric) == outcome(stock, run_id, metric) != "ok"
        gone_stock, gone_lean = new_run(), new_run()
        store.delete_run(gone_stock); store.delete_run(gone_lean)
        metric = Metric("loss", 1.0, 1, 0)
        assert outcome(lean, gone_lean, metric) == outcome(stock, gone_stock, metric) != "ok"
        assert rows(gone_lean) == rows(gone_stock) == [[], []]

        # The lean path really ran (its own narrow run query), not MLflow's method.
        statements = []
        event.listen(store.engine, "before_cursor_execute",
                     lambda conn, cursor, statement, *rest: statements.append(statement))
        lean(store, run_lean, Metric("loss", 9.0, 2000, 9))
        assert any(q.startswith("SELECT runs.lifecycle_stage") for q in statements), statements
        assert not any("runs.name" in q for q in statements), statements

        racing = new_run()
        barrier = threading.Barrier(8)
        failures = []
        def client(t):
            barrier.wait()
            try:
                for k in range(10):
                    lean(store, racing, Metric(f"race{k}", float(t), 1000 + t, t % 3))
            except Exception as e:
                failures.append(repr(e))
        threads = [threading.Thread(target=client, args=(t,)) for t in range(8)]
        for t in threads: t.start()
        for t in threads: t.join()
        assert not failures, failures
        logged, latest = rows(racing)
        assert len(logged) == 80, len(logged)
        for k in range(10):
            mine = [r for r in logged if r[0] == f"race{k}"]
            best = max(mine, key=lambda r: (r[3], r[2], r[1]))
            assert [r for r in latest if r[0] == f"race{k}"] == [best], (k, latest)
        print("equivalent", len(sequence), outcomes.count("ok"))
        """
    )
    env = {
        "PATH": os.environ.get("PATH", ""),
        "CONTAINER_DIR": str(h.CONTAINER),
        # Test credentials (harness constants), passed to the child process only.
        "STORE_URI": mariadb.uri(schema),
        "ARTIFACT_ROOT": str(workdir / "lean-artifacts"),
    }
    try:
        out = h.run_python(h.SERVER_PYTHON, code, env)
    finally:
        mariadb.drop_schemas(schema)
    assert out.strip().splitlines()[-1].startswith("equivalent ")


def test_one_query_grant_resolution_matches_mlflow_on_mariadb(
    server: h.ServerProcess, mariadb: h.MariaDB, workdir: Path, names: dict[str, str]
) -> None:
    """grantlookup's resolve_permissions gives exactly MLflow's answer (the permission at every
    key, or the same error) for users with no grant, per-id, wildcard, DENY
    and workspace-wide grants, in their own and another workspace, for a missing user and an
    unknown resource type; MLflow's takes two sessions, it takes one statement. Grants are read
    at every call: a grant made or revoked is seen by the next call. A dropped connection is
    retried on a new one. Checked in the image's own virtualenv against MariaDB (the only
    dialect it handles; elsewhere MLflow's function stays), on the auth schema the server
    migrated."""
    code = textwrap.dedent(
        """
        import os, sys
        d = os.environ["WORK"]
        ini = os.path.join(d, "auth.ini")
        with open(ini, "w") as f:
            f.write("[mlflow]\\ndefault_permission = NO_PERMISSIONS\\n"
                    "database_uri = " + os.environ["AUTH_URI"].replace("%", "%%") + "\\n"
                    "admin_username = admin\\nauth_cache_ttl_seconds = 60\\n")
        os.environ["MLFLOW_AUTH_CONFIG_PATH"] = ini
        sys.path.insert(0, os.environ["CONTAINER_DIR"])
        import mlflow.server.auth as auth
        from mlflow.exceptions import MlflowException
        from mlflow.server.auth.permissions import GrantLoadKey
        from sqlalchemy import event
        import grantlookup

        store = auth.store
        store.init_db(auth.auth_config.database_uri)  # as auth.create_app does
        p = os.environ["PREFIX"]
        stock = auth.resolve_permissions
        one = grantlookup.one_query_resolve_permissions(auth)
        assert one is not None and one is not stock, grantlookup.mirrored_source_hash(auth)
        alice, bob, carol, dave = (p + n for n in ("alice", "bob", "carol", "dave"))
        for name in (alice, bob, carol, dave):
            store.create_user(name, "Pa55word-" + name)
        grant = store.grant_user_resource_permission
        grant(alice, "experiment", "1", "READ")
        grant(alice, "experiment", "2", "EDIT")
        grant(alice, "registered_model", "*", "READ")
        grant(alice, "run", "*", "MANAGE")
        grant(bob, "experiment", "*", "EDIT")
        grant(bob, "experiment", "3", "DENY")
        grant(bob, "registered_model", "rm-x", "MANAGE")
        store.set_workspace_permission("default", carol, "MANAGE")
        store.set_workspace_permission("elsewhere", dave, "MANAGE")

        keys = [GrantLoadKey(t, i) for t in ("experiment", "run", "registered_model")
                for i in ("1", "2", "3", "*", "rm-x", "rm-x ")]
        subsets = [keys, keys[:1], [k for k in keys if k.resource_type == "run"]]

        def outcome(resolve, user, workspace, wanted):
            try:
                return [None if q is None else q.name for q in resolve(user, workspace, wanted)]
            except MlflowException as e:
                return (e.error_code, e.message)

        compared = 0
        for user in (alice, bob, carol, dave, p + "erin", alice + " ", alice.upper()):
            for workspace in ("default", "elsewhere"):
                for wanted in subsets:
                    expected = outcome(stock, user, workspace, wanted)
                    assert outcome(one, user, workspace, wanted) == expected, (user, workspace)
                    compared += 1
        assert outcome(one, alice, "default", keys[:1]) == ["READ"]
        assert outcome(one, carol, "default", keys[:1]) == ["MANAGE"]
        assert outcome(one, p + "erin", "default", keys)[0] == "RESOURCE_DOES_NOT_EXIST"
        bad = [GrantLoadKey("no-such-type", "1")]
        assert outcome(one, alice, "default", bad) == outcome(stock, alice, "default", bad)
        assert outcome(one, p + "erin", "default", bad) == outcome(stock, p + "erin", "default", bad)

        # Nothing cached: a revoke and a new grant are seen by the next call.
        store.revoke_user_resource_permission(alice, "experiment", "1")
        assert outcome(one, alice, "default", keys[:1]) == [None] == outcome(
            stock, alice, "default", keys[:1])
        grant(alice, "experiment", "1", "MANAGE")
        assert outcome(one, alice, "default", keys[:1]) == ["MANAGE"]

        # One statement, on its own pool (MLflow's takes a user and a grants query).
        statements = []
        listen = lambda conn, cursor, statement, *rest: statements.append(statement)
        event.listen(store.engine, "before_cursor_execute", listen)
        one(alice, "default", keys)
        assert statements == [], statements
        stock(alice, "default", keys)
        assert len([q for q in statements if q.lstrip().upper().startswith("SELECT")]) == 2

        # A connection the server dropped: the read is retried on a new one. The reader's
        # connections are the ones of this schema that appear with its first call.
        def connection_ids():
            with store.engine.connect() as conn:
                return {r[0] for r in conn.exec_driver_sql(
                    "SELECT id FROM information_schema.processlist "
                    "WHERE db = DATABASE() AND id <> CONNECTION_ID()")}
        fresh = grantlookup.one_query_resolve_permissions(auth)
        known = connection_ids()
        before = outcome(fresh, bob, "default", keys)
        readers = connection_ids() - known
        assert readers, "the reader opened no connection of its own"
        with store.engine.connect() as conn:
            for i in readers:
                conn.exec_driver_sql("KILL " + str(i))
        assert outcome(fresh, bob, "default", keys) == before
        print("equivalent", compared)
        """
    )
    env = {
        "PATH": os.environ.get("PATH", ""),
        "CONTAINER_DIR": str(h.CONTAINER),
        "WORK": str(workdir),
        # Test credentials (harness constants), passed to the child process only.
        "AUTH_URI": mariadb.uri(names["auth_db_name"]),
        "PREFIX": unique("g") + "-",
    }
    out = h.run_python(h.SERVER_PYTHON, code, env)
    assert out.strip().splitlines()[-1].startswith("equivalent ")


def test_mlflow_own_host_check_applies_under_gunicorn() -> None:
    """Besides serverapp.HostCheck, MLflow's Flask security middleware guards the app too: it
    is installed when `mlflow.server` is imported in a gunicorn process and reads
    MLFLOW_SERVER_ALLOWED_HOSTS (what the entrypoint sets). `mlflow server --gunicorn-opts`
    only refuses the --allowed-hosts *flag*."""
    code = textwrap.dedent(
        """
        import gunicorn  # noqa: F401 - marks the process as a gunicorn server, as in a worker
        from mlflow.server import app
        client = app.test_client()
        path = "/api/2.0/mlflow/experiments/search"
        print(client.get(path, headers={"Host": "evil.example.com"}).status_code,
              client.get("/health", headers={"Host": "evil.example.com"}).status_code)
        """
    )
    env = {"PATH": os.environ.get("PATH", ""), "MLFLOW_SERVER_ALLOWED_HOSTS": h.DOMAIN_HOST}
    out = h.run_python(h.SERVER_PYTHON, code, env)
    assert out.split()[-2:] == ["403", "200"]
