"""`cost runs` at scale: runs per second and peak memory against the local server.

`make bench-runs` runs it: MariaDB, moto and the production server (container/entrypoint.py)
from the integration harness; then RUNS runs are written straight into the tracking schema
(INSERTs, as fast as the database takes them: creating 100,000 runs through the API would
take longer than pricing them), each with an instance type, a worker count and a team tag,
ARTIFACT_SHARE of them with two artifact objects in the bucket under the run's artifact path.
The pricer then prices SMALL runs (one experiment) and all RUNS (`--dry-run`, JSON report,
as a subprocess), printing for each: wall seconds, runs per second, and the pricer's peak
RSS. Bounded memory means the peak for RUNS stays close to the peak for SMALL.

The last line printed is one JSON object (with the CPU calibration figure of
benchmarks/server_bench.py, to compare runs on shared machines).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "integration"))
sys.path.insert(0, str(ROOT / "benchmarks"))

import harness as h  # noqa: E402
from server_bench import cpu_calibration_ms  # noqa: E402

TYPES = ("g5.xlarge", "m5.large", "p4d.24xlarge", "c6i.2xlarge", "ml.m5.xlarge")
TEAMS = ("vision", "nlp", "ranking", "forecast")
PREFIX = "mlflow-artifacts"  # harness.server_env's artifacts prefix
#: Reports the pricer's own peak RSS (KiB on Linux) on stderr when it exits.
WRAPPER = (
    "import atexit, resource, runpy, sys\n"
    "atexit.register(lambda: print('PEAK_RSS_KB', "
    "resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr))\n"
    "sys.argv = ['cost', *sys.argv[1:]]\n"
    "runpy.run_module('cost', run_name='__main__')\n"
)


def seed(
    db: h.MariaDB,
    moto: h.Moto,
    schema: str,
    experiments: list[str],
    counts: list[int],
    bucket: str,
    prefix: str,
    artifact_share: float,
    max_age_days: int = 90,
) -> int:
    """Insert the runs (with params and tags) and their artifact objects; returns objects.
    Run i started (i % max_age_days) days ago."""
    conn = db.root(schema)
    now = int(time.time() * 1000)
    s3 = moto.s3()
    objects = 0
    with conn.cursor() as cur:
        for exp, count in zip(experiments, counts, strict=True):
            for start in range(0, count, 5000):
                runs, params, tags = [], [], []
                for i in range(start, min(count, start + 5000)):
                    run_id = uuid.uuid4().hex
                    begin = now - (i % max_age_days) * 86_400_000 - 7_200_000
                    runs.append(
                        (
                            run_id,
                            f"run-{i}",
                            "LOCAL",
                            "bench",
                            "",
                            "bench",
                            "FINISHED",
                            begin,
                            begin + 3_600_000 + i % 1000,
                            None,
                            "",
                            "active",
                            f"mlflow-artifacts:/{exp}/{run_id}/artifacts",
                            exp,
                        )
                    )
                    params += [
                        (run_id, "instance_type", TYPES[i % len(TYPES)]),
                        (run_id, "num_workers", str(1 + i % 4)),
                    ]
                    tags.append((run_id, "team", TEAMS[i % len(TEAMS)]))
                    if (i % 1000) < artifact_share * 1000:
                        base = f"{prefix}/{exp}/{run_id}/artifacts"
                        s3.put_object(Bucket=bucket, Key=f"{base}/model/MLmodel", Body=b"m" * 500)
                        s3.put_object(Bucket=bucket, Key=f"{base}/model/w.bin", Body=b"w" * 200_000)
                        objects += 2
                cur.executemany(
                    "INSERT INTO runs (run_uuid, name, source_type, source_name, "
                    "entry_point_name, user_id, status, start_time, end_time, deleted_time, "
                    "source_version, lifecycle_stage, artifact_uri, experiment_id) VALUES "
                    "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    runs,
                )
                cur.executemany(
                    "INSERT INTO params (run_uuid, `key`, value) VALUES (%s, %s, %s)", params
                )
                cur.executemany(
                    "INSERT INTO tags (run_uuid, `key`, value) VALUES (%s, %s, %s)", tags
                )
                conn.commit()
    conn.close()
    return objects


def price(
    server: h.ServerProcess, moto: h.Moto, workdir: Path, listing: str, *args: str
) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "AWS_"))}
    if listing == "s3":  # the bucket straight from the pricer, as a task role would allow
        args = (*args, "--artifact-listing", "s3", "--artifact-root", f"s3://bench/{PREFIX}")
        env.update(
            AWS_ENDPOINT_URL_S3=moto.endpoint,
            AWS_DEFAULT_REGION=h.REGION,
            **h.FAKE_AWS,
        )
    env.update(
        MLFLOW_TRACKING_URI=f"http://127.0.0.1:{server.port}",
        MLFLOW_TRACKING_USERNAME="admin",
        MLFLOW_TRACKING_PASSWORD=h.ADMIN_PASSWORD,
        PYTHONPATH=str(ROOT),
    )
    out = workdir / f"report-{uuid.uuid4().hex[:6]}.json"
    begin = time.monotonic()
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            WRAPPER,
            "runs",
            "--dry-run",
            "--no-progress",
            "--format",
            "json",
            "--output",
            str(out),
            *args,
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
        raise SystemExit(f"the pricer failed ({done.returncode}): {done.stderr[-2000:]}")
    peak = next(
        int(line.split()[1]) for line in done.stderr.splitlines() if line.startswith("PEAK_RSS_KB")
    )
    runs = json.loads(out.read_text())["totals"]["runs"]
    return {
        "listing": listing,
        "runs": runs,
        "wall_s": round(wall, 1),
        "runs_per_s": round(runs / wall, 1),
        "peak_rss_mb": round(peak / 1024, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100_000, help="runs in all (default 100,000)")
    parser.add_argument("--small", type=int, default=10_000, help="runs of the first pass")
    parser.add_argument("--artifact-share", type=float, default=0.01)
    parser.add_argument("--pricer-workers", type=int, default=8)
    parser.add_argument(
        "--listing",
        choices=("mlflow", "s3"),
        default="s3",
        help="artifact sizes of the pass over all runs (the small pass measures both)",
    )
    parser.add_argument("--workers", type=int, default=2, help="server workers")
    parser.add_argument("--threads", type=int, default=4, help="server threads per worker")
    args = parser.parse_args()
    if not 0 < args.small < args.runs:
        parser.error("--small must be between 0 and --runs")

    base = Path(tempfile.mkdtemp(prefix="mlflow-runs-bench-"))
    db = h.MariaDB(base / "db")
    moto = h.Moto(base / "moto")
    server: h.ServerProcess | None = None
    result: dict[str, Any] = {"cpu_calibration_ms": cpu_calibration_ms()}
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
                workers=args.workers,
                threads=args.threads,
            ),
            base / "server.log",
        ).start()
        server.wait_healthy(180)
        small = h.create_experiment(server, "bench-small")
        large = h.create_experiment(server, "bench-large")
        begin = time.monotonic()
        objects = seed(
            db,
            moto,
            "mlflow",
            [small, large],
            [args.small, args.runs - args.small],
            "bench",
            "mlflow-artifacts",
            args.artifact_share,
        )
        result["seed"] = {
            "runs": args.runs,
            "objects": objects,
            "seconds": round(time.monotonic() - begin, 1),
        }
        workers = ("--workers", str(args.pricer_workers))
        for listing in ("mlflow", "s3"):
            small_pass = price(server, moto, base, listing, "--experiment", "bench-small", *workers)
            result[f"small_{listing}"] = small_pass
            print(f"small, {listing} listing: {small_pass}", flush=True)
        result["small"] = result[f"small_{args.listing}"]
        result["all"] = price(server, moto, base, args.listing, *workers)
        print(f"all: {result['all']}", flush=True)
        result["peak_rss_ratio_all_to_small"] = round(
            result["all"]["peak_rss_mb"] / result["small"]["peak_rss_mb"], 2
        )
    finally:
        if server is not None:
            server.stop(timeout=5)
        moto.stop()
        db.stop()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
