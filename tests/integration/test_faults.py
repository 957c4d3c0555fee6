"""Faults in the middle of a client's work lose nothing that was acknowledged: the server is
killed and replaced (a crashed task), then the database is restarted under the running server.
Every run, parameter, metric and artifact the client got a success for is there afterwards,
and the recovery times are measured and bounded."""

from __future__ import annotations

import hashlib
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import harness as h
import pytest
from harness import unique

SERVER_RECOVERY_BOUND_S = 90  # kill -> replacement task answering client requests
DB_RECOVERY_BOUND_S = 45  # database back -> the same server answering again


@pytest.fixture(scope="module")
def own_db(workdir: Path) -> Iterator[h.MariaDB]:
    """A MariaDB of this module's own: the test restarts it."""
    with h.running_mariadb(workdir / "faultdb") as db:
        yield db


@dataclass
class Workload:
    """An MLflow client (mlflow-skinny, in-process) logging complete runs in a loop, retrying
    each call until it succeeds; only fully acknowledged runs count."""

    client: Any
    experiment_id: str
    acknowledged: list[tuple[str, int, str]] = field(default_factory=list)
    successes: list[float] = field(default_factory=list)
    failures: list[tuple[float, str]] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None

    def call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        deadline = time.monotonic() + 180
        while True:
            try:
                result = fn(*args, **kwargs)
            except Exception as e:
                self.failures.append((time.monotonic(), f"{type(e).__name__}: {str(e)[:120]}"))
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.25)
                continue
            self.successes.append(time.monotonic())
            return result

    def run(self) -> None:
        from mlflow.entities import Metric, Param

        n = 0
        try:
            while not self.stop.is_set():
                n += 1
                run_id = self.call(self.client.create_run, self.experiment_id).info.run_id
                ts = int(time.time() * 1000)
                self.call(
                    self.client.log_batch,
                    run_id,
                    metrics=[Metric("m", float(n * i), ts, i) for i in range(5)],
                    params=[Param("n", str(n))],
                )
                text = f"run {n} {uuid.uuid4().hex}\n" * 50
                self.call(self.client.log_text, run_id, text, f"files/{n}.txt")
                self.call(self.client.set_terminated, run_id)
                self.acknowledged.append((run_id, n, hashlib.sha256(text.encode()).hexdigest()))
        except BaseException as e:
            self.error = e

    def first_success_after(self, t: float, bound: float) -> float:
        deadline = time.monotonic() + bound
        while time.monotonic() < deadline:
            later = [s for s in self.successes if s > t]
            if later:
                return later[0] - t
            if self.error:
                raise self.error
            time.sleep(0.1)
        raise AssertionError(f"no client success within {bound} s; failures: {self.failures[-3:]}")

    def wait_for_more(self, count: int, bound: float = 90) -> None:
        target = len(self.acknowledged) + count
        deadline = time.monotonic() + bound
        while len(self.acknowledged) < target:
            if self.error:
                raise self.error
            assert time.monotonic() < deadline, f"workload stalled: {self.failures[-3:]}"
            time.sleep(0.1)


def test_restart_server_then_database_mid_work_loses_nothing(
    own_db: h.MariaDB,
    moto: h.Moto,
    workdir: Path,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    from mlflow import MlflowClient

    bucket = f"it-{uuid.uuid4().hex[:10]}"
    moto.create_bucket(bucket)
    env = h.server_env(
        own_db,
        moto,
        bucket=bucket,
        db_name="faults",
        auth_db_name="faults_auth",
        port=h.free_port(),
        MLFLOW_DB_WAIT_SECONDS="60",
    )
    server = h.ServerProcess(env, workdir / "logs" / f"{unique('fault')}.log").start()
    replacement: h.ServerProcess | None = None
    # The client: credentials only, no AWS anything; fail fast so our loop does the retrying.
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_ROLE_ARN",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("MLFLOW_TRACKING_USERNAME", "admin")
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", h.ADMIN_PASSWORD)
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_TIMEOUT", "15")
    monkeypatch.setenv("MLFLOW_DISABLE_TELEMETRY", "true")
    workload: Workload | None = None
    thread: threading.Thread | None = None
    try:
        server.wait_healthy(180)
        client = MlflowClient(tracking_uri=server.url)
        workload = Workload(client, client.create_experiment(unique("faults")))
        thread = threading.Thread(target=workload.run, daemon=True)
        thread.start()
        workload.wait_for_more(5)

        # 1. The task crashes; ECS starts a replacement (same DB, bucket, port behind the ALB).
        killed_at = time.monotonic()
        server.kill()
        replacement = h.ServerProcess(env, workdir / "logs" / f"{unique('fault2')}.log").start()
        server_recovery = workload.first_success_after(killed_at, SERVER_RECOVERY_BOUND_S)
        workload.wait_for_more(5)

        # 2. The database restarts (an RDS reboot or failover) under the running server.
        down_at = time.monotonic()
        own_db.stop()
        time.sleep(3)
        own_db.start()
        up_at = time.monotonic()
        db_recovery = workload.first_success_after(up_at, DB_RECOVERY_BOUND_S)
        assert replacement.process is not None and replacement.process.poll() is None, (
            "the server died with the database instead of riding it out"
        )
        workload.wait_for_more(5)
    finally:
        if workload is not None:
            workload.stop.set()
        if thread is not None:
            thread.join(60)
        for process in (server, replacement):
            if process is not None:
                process.stop(timeout=5)
    assert workload.error is None, workload.error
    print(
        f"server replaced: client served again {server_recovery:.1f} s after the kill; "
        f"database restarted: client served again {db_recovery:.1f} s after it was back "
        f"({up_at - down_at:.1f} s down); {len(workload.failures)} failed attempts retried; "
        f"{len(workload.acknowledged)} runs acknowledged"
    )

    # Everything acknowledged is there: verified through a fresh server on the same stores.
    check = h.ServerProcess(env, workdir / "logs" / f"{unique('fault3')}.log").start()
    try:
        check.wait_healthy(180)
        verify = MlflowClient(tracking_uri=check.url)
        for run_id, n, digest in workload.acknowledged:
            run = verify.get_run(run_id)
            assert run.info.status == "FINISHED"
            assert run.data.params == {"n": str(n)}
            history = verify.get_metric_history(run_id, "m")
            assert sorted((m.step, m.value) for m in history) == [
                (i, float(n * i)) for i in range(5)
            ]
            path = verify.download_artifacts(run_id, f"files/{n}.txt", str(tmp_path))
            assert hashlib.sha256(Path(path).read_bytes()).hexdigest() == digest
        stored = moto.objects(bucket, "mlflow-artifacts/")
        assert len([k for k in stored if "/artifacts/files/" in k]) >= len(workload.acknowledged)
    finally:
        check.stop(timeout=5)
