"""Retention policies and plans on fixtures: the parser's errors name the field, each rule's
decisions (tags, registered models, newest K, parents, ages, archived already), savings
computed by hand from catalog figures, the confirmation token.

Catalog figures (us-east-1, S3, 2025-12-02), per GB-month: Standard 0.023, Intelligent-Tiering
Infrequent Access 0.0125, Archive Instant Access 0.004, Glacier Instant Retrieval 0.004,
Deep Archive 0.00099; monitoring 0.0000025 per object-month.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from cost.catalog import default_catalog
from cost.pricing.storage import BucketRules, Transition
from cost.retention.command import main, to_markdown
from cost.retention.plan import ARCHIVED_RUN_TAG, LoggedModelRef, Planner, Sizes
from cost.retention.policy import PolicyError, load_policy_file, parse_policy, policy_json
from cost.runs.pricing import Artifact, RunPricer, RunRecord

GB = 1024**3
DAY = 86_400_000
NOW = datetime(2026, 12, 1, tzinfo=UTC)
NOW_MS = int(NOW.timestamp() * 1000)
EXAMPLE = {
    "rules": [
        {
            "experiments": ["vision-*"],
            "delete_runs_older_than_days": 90,
            "keep_newest": 10,
            "keep_tags": ["keep", "production"],
        }
    ]
}


def test_the_issue_example_parses_and_round_trips_as_json() -> None:
    policy = parse_policy(EXAMPLE, "p.yml")
    (rule,) = policy.rules
    assert (rule.delete_after_days, rule.keep_newest, policy.grace_days) == (90, 10, 7)
    assert [str(t) for t in rule.keep_tags] == ["keep", "production"]
    assert parse_policy(json.loads(policy_json(policy)), "j") == policy


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "p.yml: needs a top-level 'rules' list"),
        ({"rules": [], "grace": 1}, "unknown key(s) grace; allowed: grace_days, rules"),
        ({"rules": []}, "rules: the list is empty"),
        ({"rules": [], "grace_days": -1}, "grace_days: -1 is not a whole number of days"),
        (
            {"rules": [{"experiments": ["a"], "delete_runs_older_than_days": "90"}]},
            "rules[0].delete_runs_older_than_days: '90' is not a whole number of days",
        ),
        ({"rules": [{"delete_runs_older_than_days": 9}]}, "rules[0]: matches no experiment"),
        ({"rules": [{"experiments": ["a"]}]}, "rules[0]: does nothing"),
        (
            {
                "rules": [
                    {"experiments": ["a"], "keep_newest": 3, "archive_artifacts_older_than_days": 1}
                ]
            },
            "rules[0].keep_newest: only applies with delete_runs_older_than_days",
        ),
        (
            {"rules": [{"experiments": "a", "delete_runs_older_than_days": 1, "keep_newest": -1}]},
            "rules[0].keep_newest: -1 is not a whole number >= 0",
        ),
        (
            {"rules": [{"experiments": [""], "delete_runs_older_than_days": 1}]},
            "rules[0].experiments[0]: '' is not a non-empty string",
        ),
        (
            {
                "rules": [
                    {"experiments": ["a"], "delete_runs_older_than_days": 1, "keep_tags": ["=x"]}
                ]
            },
            "rules[0].keep_tags[0]: '=x' has no tag name",
        ),
        (
            {"rules": [{"experiments": ["a"], "delete_runs_older_than_days": 1, "kept": 1}]},
            "rules[0]: unknown key(s) kept",
        ),
        (
            {
                "rules": [
                    {"name": "r", "experiments": ["a"], "delete_runs_older_than_days": 1},
                    {"name": "r", "experiments": ["b"], "delete_runs_older_than_days": 1},
                ]
            },
            "rules[1].name: 'r' is used by an earlier rule",
        ),
    ],
)
def test_bad_policies_name_the_field(data: Any, message: str) -> None:
    with pytest.raises(PolicyError, match=None) as err:
        parse_policy(data, "p.yml")
    assert message in str(err.value)


def test_a_policy_file_that_is_not_yaml_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "p.yml"
    bad.write_text("rules: [\n")
    with pytest.raises(PolicyError, match=r"p.yml: not valid YAML"):
        load_policy_file(bad)
    with pytest.raises(PolicyError, match=r"missing.yml: No such file"):
        load_policy_file(tmp_path / "missing.yml")


class Listing:
    """Artifact objects by artifact URI (what the MLflow or S3 listing would return)."""

    def __init__(self, objects: dict[str, list[Artifact]]) -> None:
        self.objects = objects

    def artifacts(self, run: RunRecord) -> list[Artifact]:
        return self.objects.get(run.artifact_uri, [])


def run(name: str, ended_days: float, *, running: bool = False, **tags: str) -> RunRecord:
    end = NOW_MS - int(ended_days * DAY)
    return RunRecord(
        run_id=name,
        experiment_id="1",
        experiment_name="vision-a",
        user="u",
        status="RUNNING" if running else "FINISHED",
        start_ms=end - 3_600_000,
        end_ms=None if running else end,
        tags=tags,
        artifact_uri=f"s3://b/a/{name}",
    )


def planner(
    policy: dict[str, Any], objects: dict[str, list[Artifact]], cls: str = "GLACIER_IR"
) -> Planner:
    pricer = RunPricer(default_catalog(), BucketRules(), default_region="us-east-1", now=NOW)
    return Planner(
        parse_policy(policy, "p"), pricer, Sizes(Listing(objects)), archive_class=cls, now=NOW
    )


RULE = {
    "experiments": ["vision-*"],
    "delete_runs_older_than_days": 90,
    "keep_newest": 1,
    "keep_tags": ["keep", "stage=prod"],
    "archive_artifacts_older_than_days": 30,
}


def test_each_decision_of_a_rule() -> None:
    runs = [
        run("old", 200),
        run("tagged", 300, keep="1"),
        run("prod", 300, stage="prod"),
        run("staging", 300, stage="dev"),
        run("registered", 300),
        run("running", 400, running=True),
        run("parent", 300),
        run("child", 40, **{"mlflow.parentRunId": "parent"}),
        run("archived", 60, **{ARCHIVED_RUN_TAG: "GLACIER_IR 2026-11-01"}),
        run("young", 5),
    ]
    # Newest first by start time: young (5 d) is the newest, so keep_newest=1 keeps it.
    objects = {
        "s3://b/a/staging": [Artifact("w.bin", GB)],
        "s3://b/a/old": [Artifact("w.bin", 2 * GB)],
        "s3://b/a/child": [Artifact("w.bin", GB), Artifact("MLmodel", 1000)],
    }
    p = planner({"rules": [RULE]}, objects)
    plan = p.plan(
        [("1", "vision-a", {}), ("2", "other", {})],
        lambda ids: [r for r in runs if r.experiment_id in ids],
        lambda ids: [],
        {"registered": "registered model m v1"},
        set(),
    )
    actions = {a.run_id: a.kind for a in plan.actions}
    assert actions == {"old": "delete", "staging": "delete", "child": "archive"}
    assert plan.kept == {
        "tag keep": 1,
        "tag stage=prod": 1,
        "registered model m v1": 1,
        "still running": 1,
        "parent of a kept run": 1,
        "archived already": 1,
        "younger than the rule's ages": 1,
    }
    # Standard 0.023 USD/GB-month (no bucket rules): deleting 3 GB saves 0.069.
    by_id = {a.run_id: a for a in plan.actions}
    assert by_id["old"].saving_usd_month == pytest.approx(2 * 0.023)
    assert by_id["staging"].saving_usd_month == pytest.approx(0.023)
    # Archive: the 1 GiB object from Standard to Glacier Instant Retrieval (0.004); the
    # MLmodel (under 128 KB) is not transitioned and not counted.
    child = by_id["child"]
    assert (child.artifact_bytes, child.archive_keys) == (GB, ("w.bin",))
    assert child.saving_usd_month == pytest.approx(0.023 - 0.004)
    assert plan.saving_usd_month == pytest.approx(3 * 0.023 + 0.019)
    assert list(plan.experiments) == ["1"]  # "other" matches no rule: not in the plan


def test_keep_newest_protects_from_deletion_but_not_from_archiving() -> None:
    runs = [run("a", 100), run("b", 120), run("c", 140)]
    rule = dict(RULE, keep_newest=2)
    plan = planner({"rules": [rule]}, {}).plan(
        [("1", "vision-a", {})], lambda ids: runs, lambda ids: [], {}, set()
    )
    assert {a.run_id: a.kind for a in plan.actions} == {
        "a": "archive",
        "b": "archive",
        "c": "delete",
    }
    assert (
        "not deleted: among the newest 2" in next(a for a in plan.actions if a.run_id == "a").reason
    )


def test_logged_models_go_with_their_run_unless_a_version_uses_them() -> None:
    runs = [run("old", 200), run("older", 300)]
    models = [
        LoggedModelRef("m-free", "old", "s3://b/a/models/m-free"),
        LoggedModelRef("m-used", "older", "s3://b/a/models/m-used"),
    ]
    objects = {"s3://b/a/models/m-free": [Artifact("model.pkl", GB)]}
    rule = dict(RULE, keep_newest=0)
    plan = planner({"rules": [rule]}, objects).plan(
        [("1", "vision-a", {})], lambda ids: runs, lambda ids: models, {}, {"m-used"}
    )
    (action,) = plan.actions
    assert (action.run_id, action.logged_models) == ("old", ("m-free",))
    assert action.artifact_bytes == GB and action.saving_usd_month == pytest.approx(0.023)
    assert plan.kept == {"its logged model m-used is in use": 1}


def test_archive_class_deep_archive_counts_its_per_object_overhead() -> None:
    # Deep Archive 0.00099 per GB-month plus 8 KB at Standard and 32 KB at Deep Archive per
    # object (AWS's S3 pricing page), priced as the run pricer does.
    rule = {"experiments": ["vision-*"], "archive_artifacts_older_than_days": 30}
    plan = planner({"rules": [rule]}, {"s3://b/a/x": [Artifact("w", GB)]}, "DEEP_ARCHIVE").plan(
        [("1", "vision-a", {})], lambda ids: [run("x", 60)], lambda ids: [], {}, set()
    )
    (action,) = plan.actions
    after = (GB + 32 * 1024) / GB * 0.00099 + 8 * 1024 / GB * 0.023
    assert action.usd_month_after == pytest.approx(after)
    assert action.saving_usd_month == pytest.approx(0.023 - after)


def test_intelligent_tiering_ages_price_the_deletion() -> None:
    rules = BucketRules((Transition(0.0, "INTELLIGENT_TIERING"),))
    pricer = RunPricer(default_catalog(), rules, default_region="us-east-1", now=NOW)
    objects = {"s3://b/a/x": [Artifact("w", GB)]}
    p = Planner(
        parse_policy({"rules": [RULE]}, "p"),
        pricer,
        Sizes(Listing(objects)),
        archive_class="GLACIER_IR",
        now=NOW,
    )
    plan = p.plan(
        [("1", "vision-a", {})], lambda ids: [run("x", 120), run("y", 1)], lambda ids: [], {}, set()
    )
    (action,) = plan.actions
    # 120 days in Intelligent-Tiering: Archive Instant Access 0.004, monitored 0.0000025.
    assert action.saving_usd_month == pytest.approx(0.004 + 0.0000025)


def test_the_token_covers_what_is_done_not_prices_or_ages() -> None:
    runs = [run("a", 200), run("b", 10)]
    first = planner({"rules": [RULE]}, {}).plan(
        [("1", "vision-a", {})], lambda ids: runs, lambda ids: [], {}, set()
    )
    priced = planner({"rules": [RULE]}, {"s3://b/a/a": [Artifact("w", GB)]}).plan(
        [("1", "vision-a", {})], lambda ids: runs, lambda ids: [], {}, set()
    )
    assert first.token == priced.token
    more = planner({"rules": [RULE]}, {}).plan(
        [("1", "vision-a", {})], lambda ids: [*runs, run("c", 300)], lambda ids: [], {}, set()
    )
    assert more.token != first.token
    other_policy = planner({"rules": [dict(RULE, keep_newest=0)]}, {}).plan(
        [("1", "vision-a", {})], lambda ids: runs, lambda ids: [], {}, set()
    )
    assert other_policy.token != first.token
    text = to_markdown(first)
    assert f"`{first.token}`" in text and "| vision-a | rules[0] | 2 | 1 | 0 |" in text


def test_cli_errors_exit_2_and_name_the_option(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = tmp_path / "p.yml"
    policy.write_text(json.dumps(EXAMPLE))
    assert main(["plan", "--policy", str(tmp_path / "nope.yml")]) == 2
    assert "nope.yml: No such file" in capsys.readouterr().err
    assert main(["plan", "--policy", str(policy), "--region", "mars-1"]) == 2
    assert "--region" in capsys.readouterr().err
    assert main(["plan", "--policy", str(policy), "--archive-class", "TAPE"]) == 2
    assert "invalid choice: 'TAPE'" in capsys.readouterr().err
