"""The estimate inside the real app: tags equal report lines, totals add up, the report says
what it priced, what is free and what is not supported, and the guardrails act at synth."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from appsynth import Synth, synth
from aws_cdk.assertions import Annotations, Match

from cost.cdk import COST_TAG
from cost.model import money

pytestmark = pytest.mark.slow  # whole-app synths / CLI subprocesses: `make test` runs them


@pytest.fixture(scope="module", params=["dev", "team", "prod"])
def profile(request: pytest.FixtureRequest) -> Synth:
    return synth(profile=request.param)


def _report(s: Synth) -> dict[str, Any]:
    return json.loads((Path(s.assembly.directory) / "cost-report.json").read_text())


def test_every_priced_taggable_resource_carries_its_report_line(profile: Synth) -> None:
    report = _report(profile)
    (stack,) = report["stacks"]
    untagged = []
    for line in stack["resources"]:
        body = profile.json["Resources"][line["logicalId"]]
        tags = {t["Key"]: t["Value"] for t in body["Properties"].get("Tags", [])}
        if COST_TAG in tags:
            assert tags[COST_TAG] == f"{line['monthlyCost']:.2f}", line["logicalId"]
            assert line["costTag"] == tags[COST_TAG]
        else:
            untagged.append(line["type"])
    # Only resources that cannot carry tags go without: types CloudFormation cannot tag, and
    # CDK's own custom-resource provider function (a raw CfnResource without a TagManager).
    assert set(untagged) <= {
        "AWS::ApplicationAutoScaling::ScalingPolicy",
        "AWS::EC2::VPCEndpoint",
        "AWS::Lambda::Function",
    }
    assert report["warnings"] == []


def test_free_resources_carry_no_cost_tag(profile: Synth) -> None:
    (stack,) = _report(profile)["stacks"]
    for line in stack["free"]:
        body = profile.json["Resources"][line["logicalId"]]
        tags = {
            t["Key"] for t in (body.get("Properties") or {}).get("Tags", []) if isinstance(t, dict)
        }
        assert COST_TAG not in tags, line


def test_totals_add_up(profile: Synth) -> None:
    report = _report(profile)
    (stack,) = report["stacks"]
    for line in stack["resources"]:
        assert line["monthlyCost"] == money(sum(c["monthlyCost"] for c in line["components"]))
    assert stack["totalMonthlyCost"] == money(sum(r["monthlyCost"] for r in stack["resources"]))
    assert report["totalMonthlyCost"] == stack["totalMonthlyCost"]


def test_every_resource_is_accounted_for(profile: Synth) -> None:
    (stack,) = _report(profile)["stacks"]
    listed = {r["logicalId"] for key in ("resources", "free", "unsupported") for r in stack[key]}
    assert listed == set(profile.json["Resources"])
    assert stack["unsupported"] == []


def test_report_contract_fields(profile: Synth) -> None:
    report = _report(profile)
    for key in ("version", "currency", "region", "hoursPerMonth", "catalog", "totalMonthlyCost",
                "stacks", "usageAssumptions"):  # fmt: skip
        assert key in report
    assert report["currency"] == "USD" and report["hoursPerMonth"] == 730
    assert report["region"] == "us-east-1"
    assert report["stacks"][0]["regionSource"].startswith("environment-agnostic")
    component = report["stacks"][0]["resources"][0]["components"][0]
    assert set(component) >= {"name", "unit", "quantity", "unitPrice", "monthlyCost", "usageBased"}
    assert isinstance(component["quantity"], (int, float))


def test_markdown_report_for_reviewers(profile: Synth) -> None:
    text = (Path(profile.assembly.directory) / "cost-report.md").read_text()
    total = _report(profile)["totalMonthlyCost"]
    assert text.splitlines()[0] == f"## Estimated monthly cost: ${total:,.2f} USD"
    assert "```mermaid\npie showData" in text
    assert "<details><summary>Cost components per resource</summary>" in text
    assert "### Assumptions" in text and "Price catalog: AWS price data published" in text


def test_region_is_the_stacks_region() -> None:
    s = synth(region="eu-west-1")
    report = _report(s)
    assert report["region"] == "eu-west-1"
    assert report["stacks"][0]["regionSource"] == "stack"


def test_budget_at_synth_warns() -> None:
    s = synth(budget="10")
    report = _report(s)
    (finding,) = [g for g in report["guardrails"] if g["rule"] == "budget"]
    assert finding["severity"] == "warning"
    assert "over budget" in finding["message"]


def test_budget_alarm_limit_is_the_estimate_times_the_factor() -> None:
    s = synth(budget_alarm="true", budget_alarm_factor="1.5", budget_alarm_email="ops@example.com")
    _, budget = s.one("AWS::Budgets::Budget")
    data = budget["Properties"]["Budget"]
    total = _report(s)["totalMonthlyCost"]
    assert data["BudgetLimit"] == {"Amount": money(total * 1.5), "Unit": "USD"}
    assert data["CostFilters"] == {"TagKeyValue": ["user:deployment$mlflow-team"]}
    subscribers = budget["Properties"]["NotificationsWithSubscribers"][0]["Subscribers"]
    assert subscribers == [{"SubscriptionType": "EMAIL", "Address": "ops@example.com"}]


def test_dev_policy_violation_fails_synth_naming_rule_and_resource() -> None:
    with pytest.raises(RuntimeError) as err:
        synth(profile="dev", db_multi_az="true")
    assert "policy no-multi-az-database [dev]" in str(err.value)
    assert "Database/Instance" in str(err.value)


def test_cost_off_adds_no_tags_and_no_report() -> None:
    s = synth(cost="off")
    assert not (Path(s.assembly.directory) / "cost-report.json").exists()
    for body in s.json["Resources"].values():
        tags = (body.get("Properties") or {}).get("Tags", [])
        assert all(t.get("Key") != COST_TAG for t in tags if isinstance(t, dict))


def test_region_without_prices_does_not_fail_synth_but_says_so() -> None:
    # prod has no policies: nothing needs the missing prices. AWS's RDS instance price file in
    # the catalog's sources predates Mexico (Central): no instance price there, said per line.
    s = synth(profile="prod", region="mx-central-1", db_instance_class="db.m6g.large")
    report = _report(s)
    (stack,) = report["stacks"]
    (db,) = [u for u in stack["unsupported"] if u["type"] == "AWS::RDS::DBInstance"]
    assert "no published AmazonRDS 'Database Instance MySQL Multi-AZ'" in db["reason"]
    assert "mx-central-1" in db["reason"]
    assert report["totalMonthlyCost"] > 0  # the rest of the stack is priced there
    warnings = Annotations.from_stack(s.stack).find_warning(
        "*", Match.string_like_regexp("no published AmazonRDS")
    )
    assert warnings


def test_a_policy_that_needs_missing_prices_fails_closed() -> None:
    # team's database-size policy cannot judge a database it cannot price.
    with pytest.raises(RuntimeError) as err:
        synth(region="mx-central-1")
    assert "policy team-database-size [team]" in str(err.value)
    assert "cannot price" in str(err.value)


def test_a_large_database_is_priced_and_judged_and_an_unknown_class_refused() -> None:
    # Before: the db.r6i.4xlarge database (about 1,500/month) was listed as unsupported and
    # the team-database-size policy (at most 100/month) passed with a total of 47.37. Now it
    # is priced from AWS's RDS for MySQL data: 730 h x 1.92 + 20 GB gp3 x 0.115 = 1,403.90.
    from stacks.config import ConfigError

    with pytest.raises(RuntimeError) as failed:
        synth(db_instance_class="db.r6i.4xlarge")
    assert "policy team-database-size [team]" in str(failed.value)
    assert f"costs ${money(730 * 1.92 + 20 * 0.115):,.2f}/month, above $100.00" in str(failed.value)
    # A class AWS does not price is refused before synth (a policy over an unpriced database
    # fails closed: test_a_policy_that_needs_missing_prices_fails_closed).
    with pytest.raises(ConfigError) as err:
        synth(db_instance_class="db.z9.large")
    assert "db_instance_class='db.z9.large'" in str(err.value)


def test_the_optional_waf_web_acl_is_priced() -> None:
    s = synth(waf="true")
    report = _report(s)
    (stack,) = report["stacks"]
    (acl,) = [r for r in stack["resources"] if r["type"] == "AWS::WAFv2::WebACL"]
    # us-east-1: web ACL 5.00 + one rate-based rule 1.00 + usage.yml's 2,000,000 requests
    # x 0.0000006 (cost/catalog/data/awswaf.json)
    assert acl["monthlyCost"] == money(5.0 + 1.0 + 2_000_000 * 0.0000006)
    assert stack["unsupported"] == []
