"""Tuned vs stock MLflow tracking server under a bounded load, on local stand-ins.

`make bench-server` runs it: it starts MariaDB (TLS, utf8mb4_bin) and moto (S3) from the
integration harness, then

- the production configuration: container/entrypoint.py (gunicorn gthread, basic auth with the
  credential cache, Host check), with MLFLOW_WORKERS/MLFLOW_THREADS as given;
- stock `mlflow server --app-name basic-auth` with its defaults (uvicorn, 4 workers, no auth
  cache, job execution as the default leaves it). Stock's own auth migration fails on MySQL
  (mlflow#9642), so stock uses the auth schema the tuned server already migrated (same admin
  user), through a config file of its own; its tracking data goes to a schema of its own.

Each server gets the same load on 127.0.0.1: CLIENTS threads, each with one kept-alive HTTP
connection and its own run, POSTing log-metric for DURATION seconds (after a short warm-up),
then the same for log-batch (10 metrics + 2 params + 1 tag per call). For the tuned server,
log-metric as a non-admin user (own experiment) and as the admin alternate in USER_ROUNDS
rounds of USER_DURATION seconds: `non_admin_ratio` is the non-admin's rate over the admin's in
those rounds (goal >= 0.8: the permission check must not cost more than the write). Every
response completed inside the measurement window is counted; non-2xx answers are errors.

Then, for the tuned server, a failed-login flood: FLOOD_CLIENTS clients of another user log
metrics for FLOOD_DURATION seconds unloaded, then again while wrong-password requests for
`admin` from one client address (X-Forwarded-For, as the load balancer sends it) arrive at
FLOOD_RATE per second. Goal: the other user's p50 under the flood stays within 2x of
unloaded (before the login throttle, 6-7 such requests/s took it from 29 to 1,020 ms).

The last line printed is one JSON object.

Loopback only; every loop is bounded in time; every process started is stopped.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "integration"))

import harness as h  # noqa: E402


def cpu_calibration_ms() -> float:
    """Milliseconds one core takes for a fixed pure-Python loop (best of 3).

    The shared 2-core machines this runs on vary in speed from hour to hour (measured on one
    morning: a similar loop took 620-740 ms between four runs, and the tuned server's log-metric
    rate moved with it, 350 -> 285 rps); printing this next to the throughput lets two runs be
    compared.
    """
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        total = 0
        for i in range(3_000_000):
            total += i * i
        best = min(best, time.perf_counter() - t0)
    return round(1000 * best, 1)


def _auth_header(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def _request(
    conn: http.client.HTTPConnection, method: str, path: str, body: Any, headers: dict[str, str]
) -> tuple[int, bytes]:
    payload = json.dumps(body).encode() if body is not None else None
    conn.request(method, path, body=payload, headers=headers)
    response = conn.getresponse()
    return response.status, response.read()


def _headers(host: str, auth: str) -> dict[str, str]:
    return {"Host": host, "Authorization": auth, "Content-Type": "application/json"}


def create_runs(port: int, host: str, auth: str, count: int, experiment: str) -> list[str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = _headers(host, auth)
    status, body = _request(
        conn, "POST", "/api/2.0/mlflow/experiments/create", {"name": experiment}, headers
    )
    if status != 200:
        raise RuntimeError(f"create experiment: {status} {body[:300]!r}")
    experiment_id = json.loads(body)["experiment_id"]
    runs = []
    for _ in range(count):
        status, body = _request(
            conn,
            "POST",
            "/api/2.0/mlflow/runs/create",
            {"experiment_id": experiment_id, "start_time": int(time.time() * 1000)},
            headers,
        )
        if status != 200:
            raise RuntimeError(f"create run: {status} {body[:300]!r}")
        runs.append(json.loads(body)["run"]["info"]["run_id"])
    conn.close()
    return runs


def drive(
    port: int,
    host: str,
    auth: str,
    run_ids: list[str],
    kind: str,
    duration: float,
    warmup: float,
) -> dict[str, Any]:
    """Keep-alive clients, one thread per run id, for warmup + duration seconds."""
    latencies: list[list[float]] = [[] for _ in run_ids]
    errors = [0 for _ in run_ids]
    error_samples: list[str] = []
    start_at = time.monotonic() + 0.5
    measure_from = start_at + warmup
    stop_at = measure_from + duration

    def client(index: int, run_id: str) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = _headers(host, auth)
        step = 0
        while time.monotonic() < start_at:
            time.sleep(0.01)
        while True:
            now = time.monotonic()
            if now >= stop_at:
                break
            step += 1
            ts = int(time.time() * 1000)
            if kind == "log-metric":
                path = "/api/2.0/mlflow/runs/log-metric"
                body: dict[str, Any] = {
                    "run_id": run_id,
                    "key": "loss",
                    "value": 1.0 / step,
                    "timestamp": ts,
                    "step": step,
                }
            else:
                path = "/api/2.0/mlflow/runs/log-batch"
                body = {
                    "run_id": run_id,
                    "metrics": [
                        {"key": f"m{i}", "value": float(step * i), "timestamp": ts, "step": step}
                        for i in range(10)
                    ],
                    "params": [{"key": f"p{step}_{i}", "value": str(i)} for i in range(2)],
                    "tags": [{"key": "batch", "value": str(step)}],
                }
            t0 = time.monotonic()
            try:
                status, payload = _request(conn, "POST", path, body, headers)
            except (OSError, http.client.HTTPException) as e:
                status, payload = 0, str(e).encode()
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            t1 = time.monotonic()
            # Throughput = responses completed inside the window (a slow server's requests may
            # start before it); latency is measured on those same requests.
            if measure_from <= t1 <= stop_at:
                if 200 <= status < 300:
                    latencies[index].append(t1 - t0)
                else:
                    errors[index] += 1
                    if len(error_samples) < 5:
                        error_samples.append(f"{status} {payload[:200]!r}")
        conn.close()

    threads = [
        threading.Thread(target=client, args=(i, r), daemon=True) for i, r in enumerate(run_ids)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=warmup + duration + 120)
    all_latencies = sorted(x for per in latencies for x in per)
    ok = len(all_latencies)
    result: dict[str, Any] = {
        "requests": ok,
        "errors": sum(errors),
        "rps": round(ok / duration, 1),
        "p50_ms": round(1000 * statistics.median(all_latencies), 2) if ok else None,
        "p99_ms": round(1000 * all_latencies[min(ok - 1, int(ok * 0.99))], 2) if ok else None,
    }
    if error_samples:
        result["error_samples"] = error_samples
    return result


def stock_server(
    db: h.MariaDB,
    moto: h.Moto,
    base: Path,
    *,
    bucket: str,
    db_name: str,
    auth_db_name: str,
    port: int,
) -> h.ServerProcess:
    """`mlflow server --app-name basic-auth` with defaults, configured through its own
    environment variables (the full URIs carry the test credentials)."""
    db.sql(f"CREATE DATABASE IF NOT EXISTS `{db_name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
    ini = base / "stock_auth.ini"
    ini.write_text(
        "[mlflow]\n"
        "default_permission = READ\n"
        f"database_uri = {db.uri(auth_db_name).replace('%', '%%')}\n"
        "admin_username = admin\n"
        "authorization_function = mlflow.server.auth:authenticate_request_basic_auth\n"
    )
    os.chmod(ini, 0o600)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(base),
        "LANG": "C.UTF-8",
        "MLFLOW_BACKEND_STORE_URI": db.uri(db_name),
        "MLFLOW_AUTH_CONFIG_PATH": str(ini),
        "MLFLOW_AUTH_ADMIN_PASSWORD": h.ADMIN_PASSWORD,
        "MLFLOW_FLASK_SERVER_SECRET_KEY": h.SECRET_KEY,
        "MLFLOW_S3_ENDPOINT_URL": moto.endpoint,
        "AWS_DEFAULT_REGION": h.REGION,
        "MLFLOW_DISABLE_TELEMETRY": "true",
        **h.FAKE_AWS,
    }
    process = h.ServerProcess(env | {"MLFLOW_PORT": str(port)}, base / "stock.log")
    # ServerProcess.start runs the entrypoint; stock is the plain CLI instead.
    import subprocess

    log = open(process.log_path, "ab")  # noqa: SIM115 - owned by the process
    process.process = subprocess.Popen(
        [
            str(h.SERVER_VENV / "bin" / "mlflow"),
            "server",
            "--app-name",
            "basic-auth",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--artifacts-destination",
            f"s3://{bucket}/stock",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    log.close()
    return process


def bench(server: h.ServerProcess, name: str, args: argparse.Namespace) -> dict[str, Any]:
    host = "127.0.0.1"
    auth = _auth_header("admin", h.ADMIN_PASSWORD)
    experiment = f"bench-{name}-{uuid.uuid4().hex[:6]}"
    runs = create_runs(server.port, host, auth, args.clients, experiment)
    metric = drive(server.port, host, auth, runs, "log-metric", args.duration, args.warmup)
    rss = server.tree_rss_mb()
    batch = drive(server.port, host, auth, runs, "log-batch", args.batch_duration, args.warmup)
    rss = max(rss, server.tree_rss_mb())
    return {"log_metric": metric, "log_batch": batch, "rss_mb": round(rss, 1)}


def bench_non_admin(server: h.ServerProcess, args: argparse.Namespace) -> dict[str, Any]:
    """log-metric as a non-admin user on runs in the user's own experiment (MANAGE as its
    creator: every request also runs MLflow's permission checks), against the admin on the
    admin's runs. The two alternate in `--user-rounds` rounds of `--user-duration` seconds each,
    so a change in the shared machine's load between phases does not move the ratio."""
    host = "127.0.0.1"
    admin = _auth_header("admin", h.ADMIN_PASSWORD)
    user, password = f"bench-{uuid.uuid4().hex[:6]}", "bench-user-Pa55word"
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    status, body = _request(
        conn,
        "POST",
        "/api/2.0/mlflow/users/create",
        {"username": user, "password": password},
        _headers(host, admin),
    )
    conn.close()
    if status != 200:
        raise RuntimeError(f"create user: {status} {body[:300]!r}")
    auth = _auth_header(user, password)
    user_runs = create_runs(server.port, host, auth, args.clients, f"bench-user-{user}")
    admin_runs = create_runs(
        server.port, host, admin, args.clients, f"bench-pair-{uuid.uuid4().hex[:6]}"
    )
    rounds: dict[str, list[dict[str, Any]]] = {"admin": [], "non_admin": []}
    for _ in range(args.user_rounds):
        for name, header, runs in (("admin", admin, admin_runs), ("non_admin", auth, user_runs)):
            phase = drive(server.port, host, header, runs, "log-metric", args.user_duration, 1)
            rounds[name].append(phase)
    seconds = args.user_rounds * args.user_duration

    def total(name: str) -> dict[str, Any]:
        phases = rounds[name]
        requests = sum(int(phase["requests"]) for phase in phases)
        return {
            "requests": requests,
            "errors": sum(int(phase["errors"]) for phase in phases),
            "rps": round(requests / seconds, 1),
            "p50_ms": round(statistics.median(float(phase["p50_ms"]) for phase in phases), 2),
            "rounds_rps": [phase["rps"] for phase in phases],
            "error_samples": [e for phase in phases for e in phase.get("error_samples", [])][:5],
        }

    result = {"admin": total("admin"), "non_admin": total("non_admin")}
    admin_rps = result["admin"]["rps"]
    result["ratio"] = round(result["non_admin"]["rps"] / admin_rps, 2) if admin_rps else 0.0
    return result


# Non-admin log-metric throughput over the admin's, alternating rounds (issue 10).
NON_ADMIN_RATIO_GOAL = 0.8

FLOOD_ADDRESS = "203.0.113.66"


def flood_logins(
    port: int, host: str, rate: float, stop: threading.Event, statuses: dict[int, int]
) -> list[threading.Thread]:
    """Wrong-password requests for `admin` from one address at `rate` per second in all (4
    threads, so that slow answers do not lower the rate), until `stop` is set."""
    threads = 4
    interval = threads / rate
    lock = threading.Lock()

    def flooder() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while not stop.is_set():
            started = time.monotonic()
            headers = {
                "Host": host,
                "Authorization": _auth_header("admin", f"wrong-{uuid.uuid4().hex}"),
                "X-Forwarded-For": FLOOD_ADDRESS,
            }
            try:
                status, _ = _request(
                    conn, "GET", "/api/2.0/mlflow/experiments/search?max_results=1", None, headers
                )
            except (OSError, http.client.HTTPException):
                status = 0
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
            stop.wait(max(0.0, interval - (time.monotonic() - started)))
        conn.close()

    started = [threading.Thread(target=flooder, daemon=True) for _ in range(threads)]
    for thread in started:
        thread.start()
    return started


def bench_login_flood(server: h.ServerProcess, args: argparse.Namespace) -> dict[str, Any]:
    """Another user's log-metric p50 without and with a wrong-password flood on `admin`."""
    host = "127.0.0.1"
    admin = _auth_header("admin", h.ADMIN_PASSWORD)
    user, password = f"bench-other-{uuid.uuid4().hex[:6]}", "bench-other-Pa55word"
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    status, body = _request(
        conn,
        "POST",
        "/api/2.0/mlflow/users/create",
        {"username": user, "password": password},
        _headers(host, admin),
    )
    conn.close()
    if status != 200:
        raise RuntimeError(f"create user: {status} {body[:300]!r}")
    auth = _auth_header(user, password)
    runs = create_runs(server.port, host, auth, args.flood_clients, f"bench-flood-{user}")
    unloaded = drive(server.port, host, auth, runs, "log-metric", args.flood_duration, args.warmup)
    stop, statuses = threading.Event(), dict[int, int]()
    flooders = flood_logins(server.port, host, args.flood_rate, stop, statuses)
    flood_started = time.monotonic()
    try:
        loaded = drive(
            server.port, host, auth, runs, "log-metric", args.flood_duration, args.warmup
        )
    finally:
        stop.set()
        for thread in flooders:
            thread.join(timeout=120)
    flood_seconds = time.monotonic() - flood_started
    ratio = (
        round(loaded["p50_ms"] / unloaded["p50_ms"], 2)
        if loaded["p50_ms"] and unloaded["p50_ms"]
        else None
    )
    return {
        "clients": args.flood_clients,
        "flood_rate_target": args.flood_rate,
        "flood_rps": round(sum(statuses.values()) / flood_seconds, 1),
        "flood_statuses": {str(k): v for k, v in sorted(statuses.items())},
        "unloaded": unloaded,
        "flooded": loaded,
        "p50_ratio": ratio,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=20, help="seconds of log-metric load")
    parser.add_argument("--batch-duration", type=float, default=10, help="seconds of log-batch")
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument(
        "--user-duration",
        type=float,
        default=3,
        help="seconds of each admin / non-admin log-metric round",
    )
    parser.add_argument(
        "--user-rounds", type=int, default=6, help="alternating admin / non-admin rounds"
    )
    parser.add_argument("--clients", type=int, default=16, help="concurrent keep-alive clients")
    parser.add_argument(
        "--flood-duration", type=float, default=10, help="seconds of each login-flood phase"
    )
    parser.add_argument(
        "--flood-rate", type=float, default=20, help="wrong-password requests/s in the flood"
    )
    parser.add_argument(
        "--flood-clients", type=int, default=4, help="the other user's clients in the flood"
    )
    parser.add_argument("--skip-flood", action="store_true")
    parser.add_argument("--workers", type=int, default=int(h.contract.DEFAULTS["MLFLOW_WORKERS"]))
    parser.add_argument("--threads", type=int, default=int(h.contract.DEFAULTS["MLFLOW_THREADS"]))
    parser.add_argument("--skip-stock", action="store_true")
    args = parser.parse_args()

    base = Path(tempfile.mkdtemp(prefix="mlflow-bench-"))
    db = h.MariaDB(base / "db")
    moto = h.Moto(base / "moto")
    tuned: h.ServerProcess | None = None
    stock: h.ServerProcess | None = None
    result: dict[str, Any] = {
        "clients": args.clients,
        "duration_s": args.duration,
        "cpu_calibration_ms": cpu_calibration_ms(),
    }
    try:
        db.start()
        db.create_app_user()
        moto.start()
        moto.create_bucket("bench")
        tuned = h.ServerProcess(
            h.server_env(
                db,
                moto,
                bucket="bench",
                db_name="mlflow",
                auth_db_name="mlflow_auth",
                port=h.free_port(),
                workers=args.workers,
                threads=args.threads,
            ),
            base / "tuned.log",
        ).start()
        result["tuned_startup_s"] = round(tuned.wait_healthy(180), 1)
        result["tuned_idle_rss_mb"] = round(tuned.tree_rss_mb(), 1)
        tuned_result = bench(tuned, "tuned", args)
        paired = tuned_result["log_metric_non_admin"] = bench_non_admin(tuned, args)
        if not args.skip_flood:
            tuned_result["login_flood"] = bench_login_flood(tuned, args)
        tuned.stop()
        tuned = None
        result.update(
            {
                "tuned_workers": args.workers,
                "tuned_threads": args.threads,
                "tuned_rps": tuned_result["log_metric"]["rps"],
                "tuned_p50_ms": tuned_result["log_metric"]["p50_ms"],
                "tuned_p99_ms": tuned_result["log_metric"]["p99_ms"],
                "tuned_errors": tuned_result["log_metric"]["errors"],
                "tuned_batch_rps": tuned_result["log_batch"]["rps"],
                "tuned_batch_p50_ms": tuned_result["log_batch"]["p50_ms"],
                "tuned_batch_p99_ms": tuned_result["log_batch"]["p99_ms"],
                "tuned_batch_errors": tuned_result["log_batch"]["errors"],
                "tuned_rss_mb": tuned_result["rss_mb"],
                "tuned_non_admin_rps": paired["non_admin"]["rps"],
                "tuned_non_admin_p50_ms": paired["non_admin"]["p50_ms"],
                "tuned_non_admin_errors": paired["non_admin"]["errors"],
                "tuned_paired_admin_rps": paired["admin"]["rps"],
                "tuned_paired_admin_p50_ms": paired["admin"]["p50_ms"],
                "non_admin_ratio": paired["ratio"],
            }
        )
        if not args.skip_flood:
            flood = tuned_result["login_flood"]
            result.update(
                {
                    "flood_unloaded_p50_ms": flood["unloaded"]["p50_ms"],
                    "flood_p50_ms": flood["flooded"]["p50_ms"],
                    "flood_p50_ratio": flood["p50_ratio"],
                    "flood_rps": flood["flood_rps"],
                    "flood_statuses": flood["flood_statuses"],
                    "flood_goal_met": bool(
                        flood["p50_ratio"] is not None and flood["p50_ratio"] <= 2.0
                    ),
                }
            )
        print(json.dumps({"tuned": tuned_result}), flush=True)

        if not args.skip_stock:
            stock = stock_server(
                db,
                moto,
                base,
                bucket="bench",
                db_name="mlflow_stock",
                auth_db_name="mlflow_auth",
                port=h.free_port(),
            )
            result["stock_startup_s"] = round(stock.wait_healthy(240), 1)
            stock_result = bench(stock, "stock", args)
            print(json.dumps({"stock": stock_result}), flush=True)
            result.update(
                {
                    "stock_rps": stock_result["log_metric"]["rps"],
                    "stock_p50_ms": stock_result["log_metric"]["p50_ms"],
                    "stock_p99_ms": stock_result["log_metric"]["p99_ms"],
                    "stock_errors": stock_result["log_metric"]["errors"],
                    "stock_batch_rps": stock_result["log_batch"]["rps"],
                    "stock_rss_mb": stock_result["rss_mb"],
                    "stock_auth_db": "mysql schema mlflow_auth (migrated by the tuned server)",
                }
            )
            if result["stock_rps"]:
                result["speedup"] = round(result["tuned_rps"] / result["stock_rps"], 1)
        result["goals_met"] = bool(
            result["tuned_rps"] >= 300
            and result["tuned_rss_mb"] <= 1024
            and (args.skip_stock or result.get("speedup", 0) >= 10)
            and (args.skip_flood or result["flood_goal_met"])
            and result["non_admin_ratio"] >= NON_ADMIN_RATIO_GOAL
        )
    finally:
        for process in (tuned, stock):
            if process is not None:
                process.stop()
        moto.stop()
        db.stop()
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
