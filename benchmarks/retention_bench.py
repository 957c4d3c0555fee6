"""`cost retention` at scale: plan and apply (with MLflow's gc) over many runs of the local server.

`make bench-retention` runs it: MariaDB, moto and the production server from the integration
harness; RUNS runs written straight into the tracking schema (benchmarks/runs_bench.py's seed;
run i ended about i % 360 days ago, ARTIFACT_SHARE of them with two artifact objects). The
policy deletes runs older than 180 days and archives artifacts older than 90 (grace 0, so the
apply purges in the same pass). Printed: the plan's wall seconds and runs per second, then
apply's (soft delete, archive tags, MLflow's gc), with the counts each did; the last line is
one JSON object with the CPU calibration figure of benchmarks/server_bench.py.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "integration"))
sys.path.insert(0, str(ROOT / "benchmarks"))

import harness as h  # noqa: E402
from runs_bench import PREFIX, seed  # noqa: E402
from server_bench import cpu_calibration_ms  # noqa: E402

POLICY = {
    "grace_days": 0,
    "rules": [
        {
            "experiments": ["bench-*"],
            "delete_runs_older_than_days": 180,
            "keep_newest": 10,
            "archive_artifacts_older_than_days": 90,
        }
    ],
}


def retention(db: h.MariaDB, moto: h.Moto, server: h.ServerProcess, *args: str) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "AWS_"))}
    env.update(
        MLFLOW_TRACKING_URI=f"http://127.0.0.1:{server.port}",
        MLFLOW_TRACKING_USERNAME="admin",
        MLFLOW_TRACKING_PASSWORD=h.ADMIN_PASSWORD,
        MLFLOW_BACKEND_STORE_URI=db.uri("mlflow"),
        MLFLOW_S3_ENDPOINT_URL=moto.endpoint,
        AWS_ENDPOINT_URL=moto.endpoint,
        AWS_DEFAULT_REGION=h.REGION,
        PYTHONPATH=str(ROOT),
        **h.FAKE_AWS,
    )
    begin = time.monotonic()
    done = subprocess.run(
        [
            str(h.SERVER_PYTHON),
            "-m",
            "cost",
            "retention",
            *args,
            "--policy-json",
            json.dumps(POLICY),
            "--artifact-listing",
            "s3",
            "--artifact-root",
            f"s3://bench/{PREFIX}",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=7200,
        check=False,
        cwd=ROOT,
    )
    wall = time.monotonic() - begin
    if done.returncode != 0:
        raise SystemExit(f"retention {args[0]} failed ({done.returncode}): {done.stderr[-2000:]}")
    return {"wall_s": round(wall, 1), "stdout": done.stdout, "stderr": done.stderr.strip()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15_000, help="runs (default 15,000)")
    parser.add_argument("--artifact-share", type=float, default=0.05)
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="mlflow-retention-bench-"))
    db = h.MariaDB(base / "db")
    moto = h.Moto(base / "moto")
    server: h.ServerProcess | None = None
    result: dict[str, Any] = {"cpu_calibration_ms": cpu_calibration_ms(), "runs": args.runs}
    try:
        db.start()
        db.create_app_user()
        moto.start()
        moto.create_bucket("bench")
        server = h.ServerProcess(
            h.server_env(
                db,
                moto,
                bucket="bench",
                db_name="mlflow",
                auth_db_name="mlflow_auth",
                port=h.free_port(),
            ),
            base / "server.log",
        ).start()
        server.wait_healthy(180)
        exp = h.create_experiment(server, "bench-retention")
        begin = time.monotonic()
        objects = seed(db, moto, "mlflow", [exp], [args.runs], "bench", PREFIX,
                       args.artifact_share, max_age_days=360)  # fmt: skip
        result["seed"] = {"objects": objects, "seconds": round(time.monotonic() - begin, 1)}
        plan = retention(db, moto, server, "plan", "--format", "json")
        totals = json.loads(plan["stdout"])["totals"]
        result["plan"] = {
            "wall_s": plan["wall_s"],
            "runs_per_s": round(args.runs / plan["wall_s"], 1),
            "delete": totals["delete"],
            "archive": totals["archive"],
            "saving_usd_month": totals["saving_usd_month"],
        }
        print(f"plan: {result['plan']}", flush=True)
        applied = retention(db, moto, server, "apply", "--yes", "--log", str(base / "log.jsonl"))
        result["apply"] = {
            "wall_s": applied["wall_s"],
            "deleted_per_s": round(totals["delete"] / applied["wall_s"], 1),
            "summary": applied["stderr"].splitlines()[-1],
        }
        print(f"apply: {result['apply']}", flush=True)
        left = db.root("mlflow")
        with left.cursor() as cur:
            cur.execute("SELECT COUNT(*) FROM runs")
            result["runs_left"] = cur.fetchone()[0]
        left.close()
    finally:
        if server is not None:
            server.stop(timeout=5)
        moto.stop()
        db.stop()
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
