"""`python -m cost retention` against the real server (container entrypoint, MariaDB, moto):
runs of known ages and artifacts made with the MLflow client; the plan's figures computed here
by hand from catalog figures; apply refused without the plan's token; then applied: kept runs
intact (artifact checksums), deleted runs and their artifacts gone from the bucket (MLflow's
gc, grace 0), runs behind registered model versions kept, archived objects tagged; a second
apply does nothing.

Catalog figures (us-east-1, S3, 2025-12-02), per GB-month: Intelligent-Tiering Frequent
Access 0.023, Infrequent Access 0.0125, Archive Instant Access 0.004; Glacier Instant
Retrieval 0.004; monitoring 0.0000025 per object-month.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import harness as h
import pytest
from harness import TIERING, client, client_env, unique

ROOT = Path(__file__).resolve().parents[2]
GB = 1024**3
DAY_MS = 86_400_000
FA, IA, AIA, GIR, MONITOR = 0.023, 0.0125, 0.004, 0.004, 0.0000025
BIG, SMALL, MODEL = 300_000, 1_000, 50_000  # bytes; BIG is over 128 KB, the others under
PREFIX = "mlflow-artifacts"


@pytest.fixture(scope="module")
def env(mariadb: h.MariaDB, moto: h.Moto, workdir: Path) -> Iterator[dict[str, Any]]:
    names = {
        "db_name": unique("ret"),
        "auth_db_name": unique("retauth"),
        "bucket": f"it-{uuid.uuid4().hex[:10]}",
    }
    moto.create_bucket(names["bucket"])
    server_env = h.server_env(mariadb, moto, port=h.free_port(), prefix=PREFIX, **names)
    with h.serving(server_env, workdir / "logs" / f"{unique('ret')}.log") as process:
        yield {"server": process, "db": mariadb.uri(names["db_name"]), **names}


def _files(tmp: Path, sizes: dict[str, int]) -> Path:
    tmp.mkdir(parents=True, exist_ok=True)
    for name, size in sizes.items():
        (tmp / name).write_bytes(os.urandom(size))
    return tmp


@pytest.fixture(scope="module")
def seeded(env: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    now_ms = int(time.time() * 1000)
    vision, other = unique("vision"), unique("other")
    runs: dict[str, str] = {}
    with client(env["server"]) as c:
        exp = c.create_experiment(vision, tags={"team": "vision"})
        other_exp = c.create_experiment(other)

        def run(name: str, ended_days_ago: float, files: dict[str, int], **tags: str) -> str:
            end = now_ms - int(ended_days_ago * DAY_MS)
            r = c.create_run(exp, start_time=end - 3_600_000, tags=tags, run_name=name)
            if files:
                path = _files(tmp_path_factory.mktemp(name), files)
                c.log_artifacts(r.info.run_id, str(path))
            c.set_terminated(r.info.run_id, end_time=end)
            runs[name] = r.info.run_id
            return str(r.info.run_id)

        # Oldest first; rule: delete > 90 d, keep newest 2, keep tags, archive > 30 d.
        run("old-deleted", 150, {"weights.bin": 200_000})
        run("deleted", 120, {"weights.bin": BIG, "MLmodel": SMALL})
        run("kept-tag", 200, {"weights.bin": BIG}, production="yes")
        registered = run("registered", 200, {"weights.bin": BIG})
        used = run("model-in-use", 200, {})
        run("archived", 45, {"weights.bin": BIG, "MLmodel": SMALL})
        run("newest-2", 10, {"weights.bin": BIG})
        run("newest-1", 1, {"weights.bin": BIG})
        # A logged model of the deleted run nobody uses goes with it; one that a model
        # version uses keeps its source run.
        unused = c.create_logged_model(exp, source_run_id=runs["deleted"], name="unused")
        c.log_model_artifacts(
            unused.model_id, str(_files(tmp_path_factory.mktemp("lm"), {"model.pkl": MODEL}))
        )
        in_use = c.create_logged_model(exp, source_run_id=used, name="in-use")
        name = unique("model")
        c.create_registered_model(name)
        c.create_model_version(name, f"runs:/{registered}/model", run_id=registered)
        c.create_model_version(name, f"models:/{in_use.model_id}", model_id=in_use.model_id)
        # Not governed by the policy: never touched, however old.
        o = c.create_run(other_exp, start_time=now_ms - 400 * DAY_MS)
        c.set_terminated(o.info.run_id, end_time=now_ms - 399 * DAY_MS)
        runs["other"] = o.info.run_id
        infos = {k: c.get_run(v).info for k, v in runs.items()}
    policy = tmp_path_factory.mktemp("policy") / "policy.yml"
    policy.write_text(
        "grace_days: 0\n"
        "rules:\n"
        "  - experiments: ['vision*']\n"
        "    delete_runs_older_than_days: 90\n"
        "    keep_newest: 2\n"
        "    keep_tags: [keep, production]\n"
        "    archive_artifacts_older_than_days: 30\n"
    )
    return {
        "runs": runs,
        "infos": infos,
        "policy": policy,
        "vision": vision,
        "unused_model": unused.model_id,
        "in_use_model": in_use.model_id,
        "model": name,
    }


def retention(env: dict[str, Any], moto: h.Moto, *args: str) -> subprocess.CompletedProcess[str]:
    """The command as the stack's image runs it: the server's virtualenv (full MLflow, PyMySQL)
    with the cost engine on the path; the database URI from the environment."""
    run_env = client_env(env["server"])
    run_env.update(
        PYTHONPATH=str(ROOT),
        MLFLOW_BACKEND_STORE_URI=env["db"],
        MLFLOW_S3_ENDPOINT_URL=moto.endpoint,
        AWS_ENDPOINT_URL=moto.endpoint,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION=h.REGION,
    )
    return subprocess.run(
        [
            str(h.SERVER_PYTHON),
            "-m",
            "cost",
            "retention",
            *args,
            "--bucket-properties",
            TIERING,
            "--artifact-root",
            f"s3://{env['bucket']}/{PREFIX}",
        ],
        cwd=ROOT,
        env=run_env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _checksums(moto: h.Moto, bucket: str, prefix: str) -> dict[str, str]:
    s3 = moto.s3()
    return {
        key: hashlib.sha256(s3.get_object(Bucket=bucket, Key=key)["Body"].read()).hexdigest()
        for key in moto.objects(bucket, prefix)
    }


def _prefix(info: Any) -> str:
    uri: str = info.artifact_uri
    return PREFIX + "/" + uri.split(":", 1)[1].lstrip("/") + "/"


def test_plan_prices_the_saving_and_apply_needs_its_token_then_deletes_and_archives(
    env: dict[str, Any], moto: h.Moto, seeded: dict[str, Any], tmp_path: Path
) -> None:
    runs, infos, bucket = seeded["runs"], seeded["infos"], env["bucket"]
    policy = str(seeded["policy"])
    result = retention(env, moto, "plan", "--policy", policy, "--format", "json")
    assert result.returncode == 0, result.stderr
    plan = json.loads(result.stdout)
    actions = {(a["action"], a["id"]): a for a in plan["actions"]}
    assert set(actions) == {
        ("delete", runs["old-deleted"]),
        ("delete", runs["deleted"]),
        ("archive", runs["archived"]),
    }, plan["actions"]
    # Priced by hand (bucket: everything in Intelligent-Tiering from day 0).
    # deleted, 120 d: weights.bin in Archive Instant Access (monitored), MLmodel and the
    # unused logged model's model.pkl under 128 KB: Frequent Access, not monitored.
    deleted = actions[("delete", runs["deleted"])]
    assert deleted["logged_models"] == [seeded["unused_model"]]
    assert deleted["artifact_bytes"] == BIG + SMALL + MODEL
    expected_deleted = BIG / GB * AIA + MONITOR + (SMALL + MODEL) / GB * FA
    assert deleted["saving_usd_month"] == pytest.approx(expected_deleted, abs=1e-9)
    old = actions[("delete", runs["old-deleted"])]
    assert old["saving_usd_month"] == pytest.approx(200_000 / GB * AIA + MONITOR, abs=1e-9)
    # archived, 45 d: weights.bin from Infrequent Access (monitored) to Glacier Instant
    # Retrieval; MLmodel (under 128 KB) is not transitioned and not counted.
    archived = actions[("archive", runs["archived"])]
    assert archived["artifact_bytes"] == BIG
    assert archived["usd_month_now"] == pytest.approx(BIG / GB * IA + MONITOR, abs=1e-9)
    assert archived["usd_month_after"] == pytest.approx(BIG / GB * GIR, abs=1e-9)
    total = expected_deleted + 200_000 / GB * AIA + MONITOR + BIG / GB * (IA - GIR) + MONITOR
    assert plan["totals"]["saving_usd_month"] == pytest.approx(total, abs=1e-6)
    assert plan["totals"]["kept"] == {
        "tag production": 1,
        f"registered model {seeded['model']} v1": 1,  # the version's run
        f"registered model {seeded['model']} v2": 1,  # the run that logged its model
        "younger than the rule's ages": 2,
    }
    # Only the experiment a rule governs is in the plan.
    assert [
        (e["experiment"], e["delete"], e["archive"], e["runs"]) for e in plan["by_experiment"]
    ] == [(seeded["vision"], 2, 1, 8)]

    before = {
        name: _checksums(moto, bucket, _prefix(infos[name]))
        for name in ("kept-tag", "registered", "newest-1", "newest-2")
    }
    # Refused without the token, and with a wrong one: nothing changes.
    refused = retention(env, moto, "apply", "--policy", policy)
    assert refused.returncode == 2, refused.stderr
    assert f"--token ({plan['token']})" in refused.stderr and "Traceback" not in refused.stderr
    wrong = retention(env, moto, "apply", "--policy", policy, "--token", "0" * 16)
    assert wrong.returncode == 2 and "does not match the plan" in wrong.stderr
    with client(env["server"]) as c:
        assert c.get_run(runs["deleted"]).info.lifecycle_stage == "active"

    log = tmp_path / "log.jsonl"
    applied = retention(
        env, moto, "apply", "--policy", policy, "--token", plan["token"], "--log", str(log)
    )
    assert applied.returncode == 0, applied.stderr
    events = [json.loads(line) for line in log.read_text().splitlines()]
    assert {(e["event"], e.get("id")) for e in events} >= {
        ("soft-delete", runs["deleted"]),
        ("soft-delete", runs["old-deleted"]),
        ("archive", runs["archived"]),
        ("purge", runs["deleted"]),
        ("purge", runs["old-deleted"]),
        ("purge", seeded["unused_model"]),
    }
    # Deleted runs: gone from the database (MLflow's gc) and their artifacts from the bucket.
    from mlflow.exceptions import MlflowException

    with client(env["server"]) as c:
        for name in ("deleted", "old-deleted"):
            with pytest.raises(MlflowException, match=r"RESOURCE_DOES_NOT_EXIST|not found"):
                c.get_run(runs[name])
            assert moto.objects(bucket, _prefix(infos[name])) == {}
        model = c.get_logged_model(seeded["in_use_model"])
        assert model.model_id == seeded["in_use_model"]
        assert c.get_run(runs["other"]).info.lifecycle_stage == "active"
        assert c.get_run(runs["archived"]).data.tags["retention.archived"].startswith("GLACIER_IR ")
    unused_prefix = [k for k in moto.objects(bucket, PREFIX) if seeded["unused_model"] in k]
    assert unused_prefix == []
    # Kept runs: byte for byte what they were.
    for name, sums in before.items():
        assert _checksums(moto, bucket, _prefix(infos[name])) == sums, name
    # Archived: the large object carries the lifecycle rule's tag, the small one does not.
    s3 = moto.s3()
    prefix = _prefix(infos["archived"])
    tags = {
        key.rsplit("/", 1)[1]: s3.get_object_tagging(Bucket=bucket, Key=key)["TagSet"]
        for key in moto.objects(bucket, prefix)
    }
    assert tags["weights.bin"] == [{"Key": "mlflow-retention", "Value": "archive"}]
    assert tags["MLmodel"] == []

    # A second pass: nothing to do, nothing changed.
    again = retention(env, moto, "plan", "--policy", policy, "--format", "json")
    assert json.loads(again.stdout)["actions"] == [], again.stdout
    second = retention(env, moto, "apply", "--policy", policy, "--yes", "--log", str(log))
    assert second.returncode == 0 and "nothing to do" in second.stderr, second.stderr
    assert len(log.read_text().splitlines()) == len(events)


def test_bad_policy_names_the_field(env: dict[str, Any], moto: h.Moto, tmp_path: Path) -> None:
    policy = tmp_path / "bad.yml"
    policy.write_text("rules:\n  - experiments: ['x']\n    delete_runs_older_than_days: soon\n")
    result = retention(env, moto, "plan", "--policy", str(policy))
    assert result.returncode == 2
    assert "rules[0].delete_runs_older_than_days: 'soon' is not a whole number" in result.stderr
    assert "Traceback" not in result.stderr
