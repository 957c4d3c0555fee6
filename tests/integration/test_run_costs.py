"""`python -m cost runs` against the real server (container entrypoint, MariaDB, moto):
runs created with the MLflow client with known params, start and end times and artifacts;
their costs computed here by hand from catalog figures; tags written once and then left
alone; roll-ups, budgets, a non-admin pricer, the chart and the per-run CSV.

Catalog figures (us-east-1): g5.xlarge 1.006 USD/h, m5.large 0.096 USD/h (EC2 Linux
on-demand, 2025-04-04); S3 per GB-month: Intelligent-Tiering Frequent Access 0.023,
Infrequent Access 0.0125; monitoring 0.0000025 per object-month (2025-12-02).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import harness as h
import pytest
from harness import unique

ROOT = Path(__file__).resolve().parents[2]
GB = 1024**3
DAY_MS = 86_400_000
HOUR_MS = 3_600_000
PRICER = ("pricer", "pricer-Pa55word-%:#")
TIERING = h.TIERING
WEIGHTS, MLMODEL = 300_000, 1_000


def storage_45_days() -> float:
    """weights.bin (tiered: Infrequent Access after 30 days, monitored) + MLmodel (under
    128 KB: Frequent Access, not monitored)."""
    return WEIGHTS / GB * 0.0125 + MLMODEL / GB * 0.023 + 0.0000025


@pytest.fixture(scope="module")
def server(mariadb: h.MariaDB, moto: h.Moto, workdir: Path) -> Iterator[h.ServerProcess]:
    names = {
        "db_name": unique("costs"),
        "auth_db_name": unique("costsauth"),
        "bucket": f"it-{uuid.uuid4().hex[:10]}",
    }
    moto.create_bucket(names["bucket"])
    env = h.server_env(mariadb, moto, port=h.free_port(), **names)
    with h.serving(env, workdir / "logs" / f"{unique('costs')}.log") as process:
        yield process


client_env = h.client_env
client = h.client


def cost(
    server: h.ServerProcess, *args: str, user: tuple[str, str] = ("admin", h.ADMIN_PASSWORD)
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cost", "runs", "--no-progress", *args],
        cwd=ROOT,
        env=client_env(server, user),
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def seeded(server: h.ServerProcess, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Two teams' experiments; runs with known instances, durations, ages and artifacts."""
    with client(server) as c:
        return _seed(c, tmp_path_factory)


def _seed(c: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    files = tmp_path_factory.mktemp("artifacts")
    (files / "model").mkdir()
    (files / "model" / "weights.bin").write_bytes(os.urandom(WEIGHTS))
    (files / "model" / "MLmodel").write_bytes(b"x" * MLMODEL)
    vision = c.create_experiment(unique("vision"), tags={"team": "vision", "project": "seg"})
    nlp = c.create_experiment(unique("nlp"), tags={"team": "nlp"})
    now = int(time.time() * 1000)
    ended = now - 45 * DAY_MS

    def make(
        exp: str,
        params: dict[str, str],
        hours: float,
        tags: dict[str, str] | None = None,
        artifacts: bool = False,
    ) -> str:
        run = c.create_run(exp, start_time=ended - int(hours * HOUR_MS), tags=tags or {})
        for key, value in params.items():
            c.log_param(run.info.run_id, key, value)
        if artifacts:
            c.log_artifacts(run.info.run_id, str(files))
        c.set_terminated(run.info.run_id, end_time=ended)
        return str(run.info.run_id)

    runs = {
        # 2 x g5.xlarge for 3 h, with a model: 2 x 1.006 x 3 = 6.036 USD.
        "gpu": make(vision, {"instance_type": "g5.xlarge", "num_workers": "2"}, 3, artifacts=True),
        # m5.large for 2 h, a run tag moves it to the nlp team: 0.096 x 2 = 0.192 USD.
        "cpu": make(vision, {"instance_type": "m5.large"}, 2, tags={"team": "nlp"}),
        # No instance information: unpriced, listed with the reason.
        "bare": make(nlp, {}, 1),
        # SageMaker type with no component stated: unpriced (only Studio notebook prices
        # are sourced, and the run does not say it ran in one).
        "sagemaker": make(nlp, {"instance_type": "ml.m5.xlarge"}, 1),
        # A Studio notebook on ml.t3.medium for 2 h (AWS's Studio notebook file, us-east-1
        # 0.05 USD/h): 0.05 x 2 = 0.10 USD.
        "studio": make(
            nlp,
            {"instance_type": "ml.t3.medium"},
            2,
            tags={"sagemaker_component": "studio-notebook"},
        ),
    }
    return {"vision": vision, "nlp": nlp, "runs": runs}


def tags_of(server: h.ServerProcess, run_id: str) -> dict[str, str]:
    with client(server) as c:
        tags = c.get_run(run_id).data.tags
    return {k: v for k, v in tags.items() if k.startswith("cost.")}


def test_dry_run_prices_everything_and_writes_nothing(
    server: h.ServerProcess, seeded: dict[str, Any]
) -> None:
    result = cost(server, "--dry-run", "--format", "json", "--bucket-properties", TIERING)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["tags"] == {"written": 5, "unchanged": 0, "denied": 0, "dry_run": True}
    assert all(tags_of(server, r) == {} for r in seeded["runs"].values())


def test_runs_are_priced_by_hand_and_tagged(
    server: h.ServerProcess, seeded: dict[str, Any]
) -> None:
    result = cost(server, "--format", "json", "--bucket-properties", TIERING)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    runs = seeded["runs"]
    gpu = tags_of(server, runs["gpu"])
    assert float(gpu["cost.compute_usd"]) == pytest.approx(2 * 1.006 * 3, abs=1e-6)
    assert float(gpu["cost.storage_usd_month"]) == pytest.approx(storage_45_days(), abs=1e-6)
    assert "2 x g5.xlarge" in gpu["cost.basis"] and "1.006 USD/h" in gpu["cost.basis"]
    assert gpu["cost.priced_at"].startswith(time.strftime("%Y-"))
    cpu = tags_of(server, runs["cpu"])
    assert float(cpu["cost.compute_usd"]) == pytest.approx(0.096 * 2, abs=1e-6)
    assert float(cpu["cost.storage_usd_month"]) == 0
    studio = tags_of(server, runs["studio"])
    assert float(studio["cost.compute_usd"]) == pytest.approx(0.05 * 2, abs=1e-6)
    assert "ml.t3.medium SageMaker Studio notebook us-east-1 @ 0.05 USD/h" in studio["cost.basis"]
    for name, why in (
        ("bare", "no instance type"),
        ("sagemaker", "state sagemaker_component 'studio-notebook'"),
    ):
        tags = tags_of(server, runs[name])
        assert "cost.compute_usd" not in tags and why in tags["cost.unpriced"]
    totals = report["totals"]
    assert totals["runs"] == 5 and totals["unpriced_runs"] == 2
    assert totals["compute_usd"] == pytest.approx(6.036 + 0.192 + 0.10, abs=1e-6)
    teams = {row["key"]: row for row in report["by"]["team"]}
    assert teams["vision"]["compute_usd"] == pytest.approx(6.036, abs=1e-6)
    assert teams["nlp"]["compute_usd"] == pytest.approx(0.192 + 0.10, abs=1e-6)
    assert teams["nlp"]["unpriced_runs"] == 2
    assert {r["run_id"] for r in report["unpriced"]["runs"]} == {runs["bare"], runs["sagemaker"]}
    assert report["tags"]["written"] == 5

    # A second pass changes nothing: no tag written, the values (and priced_at) unchanged.
    before = {r: tags_of(server, r) for r in runs.values()}
    again = cost(server, "--format", "json", "--bucket-properties", TIERING)
    assert json.loads(again.stdout)["tags"]["written"] == 0, again.stderr
    assert {r: tags_of(server, r) for r in runs.values()} == before


def test_budgets_fail_warn_and_fail_closed(
    server: h.ServerProcess, seeded: dict[str, Any], tmp_path: Path
) -> None:
    budgets = tmp_path / "budgets.yml"
    budgets.write_text(
        "budgets:\n"
        "  - name: vision-monthly\n    team: vision\n    monthly_usd: 5\n    warn_at: 0.8\n"
        "  - name: vision-roomy\n    team: vision\n    monthly_usd: 7\n    warn_at: 0.8\n"
        "  - name: nlp-monthly\n    team: nlp\n    monthly_usd: 100\n"
    )
    result = cost(server, "--dry-run", "--budgets", str(budgets), "--bucket-properties", TIERING)
    assert result.returncode == 1, result.stderr
    month = time.strftime("%Y-%m", time.gmtime(time.time() - 45 * 86400 - 3 * 3600))
    vision = 6.036 + storage_45_days()
    assert (
        f"budget vision-monthly (team=vision): {month}: {vision:,.2f} USD of 5.00 USD/month, over by"
        in result.stderr
    )
    assert (
        f"warning: budget vision-roomy (team=vision): {month}: {vision:,.2f} USD" in result.stderr
    )
    assert (
        "budget nlp-monthly (team=nlp)" in result.stderr and "could not be priced" in result.stderr
    )

    bad = tmp_path / "bad.yml"
    bad.write_text("budgets:\n  - name: x\n    team: vision\n    monthly_usd: lots\n")
    refused = cost(server, "--dry-run", "--budgets", str(bad))
    assert refused.returncode == 2
    assert "budgets[0].monthly_usd: 'lots' is not a positive amount of USD" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_a_non_admin_pricer_sees_and_tags_only_what_it_may(
    server: h.ServerProcess, seeded: dict[str, Any]
) -> None:
    h.create_user(server, *PRICER)

    def grant(experiment: str, permission: str) -> None:
        h.ok(
            h.call(
                server,
                "POST",
                "/api/3.0/mlflow/users/permissions/grant",
                json={
                    "username": PRICER[0],
                    "resource_type": "experiment",
                    "resource_id": experiment,
                    "permission": permission,
                },
            )
        )

    grant(seeded["vision"], "READ")
    read_only = cost(server, "--format", "json", user=PRICER)
    assert read_only.returncode == 0, read_only.stderr
    report = json.loads(read_only.stdout)
    # Only the vision experiment's two runs; READ may not write tags.
    assert report["totals"]["runs"] == 2
    # gpu: its storage figure differs (no bucket rules given: S3 Standard), refused; cpu: no
    # artifacts, same figures, nothing to write.
    assert report["tags"] == {"written": 0, "unchanged": 1, "denied": 1, "dry_run": False}
    assert "not allowed" in read_only.stderr
    named = cost(server, "--experiment", seeded["nlp"], user=PRICER)
    assert named.returncode == 2 and "--experiment" in named.stderr
    # With EDIT, the same pass writes the one tag set that changed, nothing else.
    target = {"username": PRICER[0], "resource_type": "experiment", "resource_id": seeded["vision"]}
    h.ok(h.call(server, "POST", "/api/3.0/mlflow/users/permissions/revoke", json=target))
    grant(seeded["vision"], "EDIT")
    edit = cost(server, "--format", "json", user=PRICER)
    assert json.loads(edit.stdout)["tags"] == {
        "written": 1,
        "unchanged": 1,
        "denied": 0,
        "dry_run": False,
    }, edit.stderr


def test_chart_and_per_run_csv(
    server: h.ServerProcess, seeded: dict[str, Any], tmp_path: Path
) -> None:
    chart, rows = tmp_path / "costs.png", tmp_path / "runs.csv"
    result = cost(
        server, "--dry-run", "--chart", str(chart), "--runs-output", str(rows), "--format", "csv"
    )
    assert result.returncode == 0, result.stderr
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and chart.stat().st_size > 10_000
    lines = rows.read_text().splitlines()
    assert lines[0].startswith("run_id,experiment") and len(lines) == 1 + 5
    assert result.stdout.splitlines()[0].startswith("dimension,key,runs")


def test_bad_input_exits_2_naming_the_option(server: h.ServerProcess) -> None:
    for args, text in [
        (["--since", "last week"], "--since 'last week'"),
        (["--region", "mars-1"], "--region"),
        (["--experiment", "no-such-experiment"], "--experiment 'no-such-experiment'"),
        (["--bucket-properties", "{"], "--bucket-properties: not valid JSON"),
    ]:
        result = cost(server, "--dry-run", *args)
        assert result.returncode == 2, (args, result.stderr)
        assert text in result.stderr and "Traceback" not in result.stderr
    wrong = cost(server, "--dry-run", user=("admin", "wrong-password"))
    assert wrong.returncode == 2 and "Traceback" not in wrong.stderr


def _scheduled(budget_team: str) -> Any:
    """The run pricer's command and environment from a synthesized stack (run_costs=true),
    with one budget for `budget_team`: exactly what the schedule starts in Fargate."""
    from constructs import run_costs as rc
    from cost.runs.budgets import Budget
    from tests.test_run_costs import Bare

    bare = Bare(
        rc.RunCostsSettings(run_costs=True),
        (Budget("sched-monthly", "team", budget_team, 0.05, 0.8),),
    )
    return rc.scheduled_task_command(bare.json), bare.run_costs.namespace


def test_the_scheduled_task_prices_as_its_user_and_publishes_metrics(
    server: h.ServerProcess, moto: h.Moto, tmp_path: Path
) -> None:
    """The stack's scheduled command line, unchanged but for the tracking URI, the region
    token and the report path, run as the pricer user the server's entrypoint created
    (cost-pricer: READ on experiments, EDIT on runs), its metrics sent to moto's CloudWatch."""
    import boto3

    team = unique("sched")
    now = time.time()
    month_start = time.mktime(time.strptime(time.strftime("%Y-%m", time.gmtime(now)), "%Y-%m"))
    month_start -= time.timezone  # mktime is local time; the month starts at 00:00 UTC
    seconds = min(3600.0, now - month_start - 60)  # started this month (UTC)
    name = unique("sched")
    with client(server) as c:
        exp = c.create_experiment(name, tags={"team": team})
        run = c.create_run(exp, start_time=int((now - seconds - 30) * 1000))
        c.log_param(run.info.run_id, "instance_type", "m5.large")
        c.set_terminated(run.info.run_id, end_time=int((now - 30) * 1000))
        # 40 days ago (last month): priced and tagged too, but not in this month's budget.
        old = c.create_run(exp, start_time=int((now - 40 * 86400) * 1000))
        c.log_param(old.info.run_id, "instance_type", "m5.large")
        c.set_terminated(old.info.run_id, end_time=int((now - 40 * 86400 + 3600) * 1000))
    compute = 0.096 * seconds / 3600  # m5.large us-east-1, 0.096 USD/h

    command, namespace = _scheduled(team)
    report_path = tmp_path / "run-costs.json"
    argv = command.with_option("--tracking-uri", f"http://127.0.0.1:{server.port}")
    argv[argv.index("--output") + 1] = str(report_path)
    argv = [a.replace("${AWS::Region}", "us-east-1") for a in argv]
    assert argv[0] == "python"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "AWS_"))}
    env.update(
        {k: v.replace("${AWS::Region}", "us-east-1") for k, v in command.environment.items()}
    )
    assert list(command.secrets) == ["MLFLOW_TRACKING_PASSWORD"]
    env["MLFLOW_TRACKING_PASSWORD"] = h.RUN_COSTS_PASSWORD
    env.update(
        AWS_ENDPOINT_URL=moto.endpoint,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
    )
    result = subprocess.run(
        [sys.executable, *argv[1:]],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    # 0.096 x 1 h is over the 0.05 budget: exit 1, named, after the metrics were sent.
    assert result.returncode == 1, result.stderr
    this_month = time.strftime("%Y-%m", time.gmtime(now))
    old_month = time.strftime("%Y-%m", time.gmtime(now - 40 * 86400))
    assert (
        f"error: budget sched-monthly (team={team}): {this_month} (month to date): "
        f"{compute:,.2f} USD of 0.05 USD/month, over by" in result.stderr
    )
    assert f"{old_month}:" not in result.stderr  # --budget-months current
    assert "published" in result.stderr and "Traceback" not in result.stderr
    report = json.loads(report_path.read_text())
    teams = {row["key"]: row for row in report["by"]["team"]}
    # The roll-up covers every run priced (both); the month-to-date metric only this month's.
    assert teams[team]["compute_usd"] == pytest.approx(compute + 0.096, abs=1e-6)
    assert tags_of(server, run.info.run_id)["cost.compute_usd"] == f"{compute:.6f}"
    experiments = {row["key"]: row for row in report["by"]["experiment"]}
    assert experiments[name]["runs"] == 2
    assert experiments[name]["compute_usd"] == pytest.approx(compute + 0.096, abs=1e-6)
    assert tags_of(server, old.info.run_id)["cost.compute_usd"] == "0.096000"

    cloudwatch = boto3.client(
        "cloudwatch",
        region_name="us-east-1",
        endpoint_url=moto.endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )

    def latest(name: str, dimensions: list[dict[str, str]]) -> float:
        points = cloudwatch.get_metric_statistics(
            Namespace=namespace,
            MetricName=name,
            Dimensions=dimensions,
            StartTime=now - 3600,
            EndTime=time.time() + 3600,
            Period=60,
            Statistics=["Maximum"],
        )["Datapoints"]
        assert points, (name, dimensions)
        return float(max(points, key=lambda p: p["Timestamp"])["Maximum"])

    assert latest("BudgetSpendUSD", [{"Name": "Budget", "Value": "sched-monthly"}]) == (
        pytest.approx(compute, abs=1e-6)
    )
    assert latest("MonthToDateUSD", [{"Name": "Team", "Value": team}]) == pytest.approx(
        compute, abs=1e-6
    )
    assert latest("RunsPriced", []) == report["totals"]["runs"] - report["totals"]["unpriced_runs"]
    assert latest("RunsUnpriced", []) == report["totals"]["unpriced_runs"]
