"""Cold start of the tracking server: task start to healthy, as when office hours scale it up.

`make bench-cold-start` runs it: MariaDB and moto from the integration harness, then the
project's container entrypoint started like the task definition starts it, first on empty
schemas (a first deployment: schemas created, admin user), then START times on the existing,
up-to-date schemas (every morning of office hours). Measured for each start, from the moment
the process is spawned: `/health` answering 200 (what the load balancer's health check waits
for) and the first authenticated API call answered (what a user waits for), and, from the
entrypoint's own log lines, when its start-up checks finished (database, bucket, schemas, users)
and it handed over to gunicorn. Medians per worker
count; the last line is one JSON object with the CPU calibration figure of
benchmarks/server_bench.py (compare runs by it, not by raw seconds).

On Fargate, add the image pull and the container start (not measured here: no Docker) and the
load balancer's health check (2 x 15 s intervals in this stack) before traffic arrives.
"""

from __future__ import annotations

import argparse
import base64
import json
import re
import statistics
import sys
import tempfile
import time
import urllib.request
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "integration"))
sys.path.insert(0, str(ROOT / "benchmarks"))

import harness as h  # noqa: E402
from server_bench import cpu_calibration_ms  # noqa: E402

_STAMP = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) mlflow-entrypoint INFO (.*)$")


def _authorized(url: str) -> bool:
    token = base64.b64encode(f"admin:{h.ADMIN_PASSWORD}".encode()).decode()
    request = urllib.request.Request(  # noqa: S310 - the local server
        url + "/api/2.0/mlflow/experiments/search?max_results=1",
        headers={"Authorization": f"Basic {token}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as r:  # noqa: S310
            return bool(r.status == 200)
    except OSError:
        return False


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/health", timeout=2) as r:  # noqa: S310
            return bool(r.status == 200)
    except OSError:
        return False


def _phases(log: str, spawned_wall: float) -> dict[str, float]:
    """Seconds from spawn to the entrypoint's own milestones (its log lines carry
    milliseconds; gunicorn's carry whole seconds, too coarse to report)."""
    found: dict[str, float] = {}
    for line in log.splitlines():
        m = _STAMP.match(line)
        if m is None:
            continue
        at = datetime.strptime(m[1], "%Y-%m-%d %H:%M:%S,%f").timestamp() - spawned_wall
        if m[2].startswith("starting:"):
            found.setdefault("entrypoint_logging", round(at, 2))
        elif m[2].startswith("start-up checks passed"):
            found["checks_passed"] = round(at, 2)
    return found


def one_start(env: dict[str, str], log_path: Path, timeout: float = 180) -> dict[str, Any]:
    if log_path.exists():
        log_path.unlink()
    server = h.ServerProcess(env, log_path)
    spawned_wall = time.time()
    begin = time.monotonic()
    server.start()
    result: dict[str, Any] = {}
    try:
        while time.monotonic() - begin < timeout:
            assert server.process is not None
            if server.process.poll() is not None:
                raise SystemExit(f"server exited: {server.logs()}")
            if "healthy_s" not in result and _healthy(server.url):
                result["healthy_s"] = round(time.monotonic() - begin, 2)
            if "healthy_s" in result and _authorized(server.url):
                result["first_api_call_s"] = round(time.monotonic() - begin, 2)
                break
            time.sleep(0.05)
        else:
            raise SystemExit(f"not healthy within {timeout} s: {server.logs()}")
        result.update(_phases(log_path.read_text(errors="replace"), spawned_wall))
    finally:
        server.stop(timeout=10)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=5, help="warm starts per worker count")
    parser.add_argument(
        "--workers", default="1,2", help="worker counts (lean/dev 1, team 2; default 1,2)"
    )
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="mlflow-cold-start-"))
    db = h.MariaDB(base / "db")
    moto = h.Moto(base / "moto")
    result: dict[str, Any] = {"cpu_calibration_ms": cpu_calibration_ms()}
    try:
        db.start()
        db.create_app_user()
        moto.start()
        moto.create_bucket("bench")
        port = h.free_port()
        for workers in (int(w) for w in args.workers.split(",")):
            env = h.server_env(
                db,
                moto,
                bucket="bench",
                db_name=f"mlflow_w{workers}",
                auth_db_name=f"mlflow_auth_w{workers}",
                port=port,
                workers=workers,
            )
            first = one_start(env, base / f"first-{workers}.log")
            print(f"workers={workers} first start (empty schemas): {first}", flush=True)
            starts = []
            for i in range(args.starts):
                starts.append(one_start(env, base / f"start-{workers}-{i}.log"))
                print(f"workers={workers} start {i + 1}: {starts[-1]}", flush=True)
            keys = sorted({k for s in starts for k in s})
            result[f"workers_{workers}"] = {
                "first_start": first,
                "median": {
                    k: round(statistics.median(s[k] for s in starts if k in s), 2) for k in keys
                },
                "starts": len(starts),
            }
    finally:
        moto.stop()
        db.stop()
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
