"""Budget, maximum increase and per-profile policies: messages name rule, resource, numbers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cost.catalog import default_catalog
from cost.estimate import Estimator
from cost.model import CostReport
from cost.policy import PolicyError, check_budget, check_increase, judge, load_policies
from cost.pricing.usage import Usage

ROOT = Path(__file__).resolve().parent.parent


def test_budget() -> None:
    assert check_budget(99.99, 100) is None
    assert check_budget(100.0, 100) is None
    violation = check_budget(1234.5, 1000)
    assert violation is not None
    assert violation.message == (
        "over budget: the estimated monthly cost $1,234.50 exceeds the budget $1,000.00 by $234.50"
    )


def test_max_increase_absolute_and_percent() -> None:
    assert check_increase(100, 110, max_increase=10, max_increase_percent=10) == []
    found = check_increase(100, 125, max_increase=10, max_increase_percent=20)
    assert [v.rule for v in found] == ["max-increase", "max-increase-percent"]
    assert "adds $25.00/month ($100.00 -> $125.00), above the allowed $10.00" in found[0].message
    assert "by 25.0%" in found[1].message and "allowed 20%" in found[1].message
    assert check_increase(100, 50, max_increase=0, max_increase_percent=0) == []
    (from_zero,) = check_increase(0, 5, max_increase_percent=50)
    assert "from nothing" in from_zero.message


def _report(resources: dict[str, Any]) -> CostReport:
    estimator = Estimator(default_catalog(), Usage.empty())
    stack = estimator.estimate_template({"Resources": resources}, name="stack", region="us-east-1")
    return estimator.report([stack])


def _db(multi_az: Any = False, cls: str = "db.t4g.micro") -> dict[str, Any]:
    return {
        "Type": "AWS::RDS::DBInstance",
        "Properties": {
            "Engine": "mysql",
            "DBInstanceClass": cls,
            "MultiAZ": multi_az,
            "StorageType": "gp3",
            "AllocatedStorage": "20",
        },
    }


def test_project_policies_for_dev() -> None:
    policies = load_policies(ROOT / "policies.yml", "dev")
    report = _report(
        {
            "Nat1": {"Type": "AWS::EC2::NatGateway", "Properties": {}},
            "Db": _db(True),
            "Db2": _db(False),
            "S3": {"Type": "AWS::EC2::VPCEndpoint", "Properties": {"VpcEndpointType": "Gateway"}},
        }
    )
    found = judge(report, policies=policies, profile="dev")
    # The NAT gateway is priced (33.30), so the total is known and under dev's 100.
    assert not report.stacks[0].unsupported and report.monthly_cost < 100
    assert [(v.rule, v.resource) for v in found] == [
        ("no-nat-gateway", "stack/Nat1"),
        ("no-multi-az-database", "stack/Db"),
    ]
    assert found[0].message.startswith(
        "policy no-nat-gateway [dev]: stack/Nat1 (AWS::EC2::NatGateway) is not allowed"
    )


def test_max_monthly_and_total_rules(tmp_path: Path) -> None:
    path = tmp_path / "p.yml"
    path.write_text(
        "profiles:\n"
        "  team:\n"
        "    - {rule: small-db, type: AWS::RDS::DBInstance, max_monthly: 20}\n"
        "    - {rule: total, max_total_monthly: 20, description: team cap}\n"
    )
    policies = load_policies(path, "team")
    # db.t4g.small Single-AZ 0.032/h x 730 + 20 GB gp3 x 0.115 = 25.66
    found = judge(_report({"Db": _db(cls="db.t4g.small")}), policies=policies, profile="team")
    assert [v.rule for v in found] == ["small-db", "total"]
    assert "costs $25.66/month, above $20.00" in found[0].message
    assert "$25.66 exceeds $20.00 (team cap)" in found[1].message


def test_an_unknown_when_property_fails_closed() -> None:
    # Before: an unresolved MultiAZ silently did not match, so the dev policy passed.
    policies = load_policies(ROOT / "policies.yml", "dev")
    found = judge(_report({"Db": _db({"Ref": "Param"})}), policies=policies, profile="dev")
    (violation,) = found
    assert violation.rule == "no-multi-az-database"
    assert "cannot tell whether stack/Db (AWS::RDS::DBInstance) matches" in violation.message
    assert "MultiAZ is not known at synth time" in violation.message


def test_rules_that_need_a_price_fail_closed_on_unpriced_resources(tmp_path: Path) -> None:
    path = tmp_path / "p.yml"
    path.write_text(
        "profiles:\n"
        "  team:\n"
        "    - {rule: small-db, type: AWS::RDS::DBInstance, max_monthly: 100}\n"
        "    - {rule: total, max_total_monthly: 1000}\n"
        "    - {rule: total-pools-ok, max_total_monthly: 1000, allow_unpriced: [AWS::Cognito::UserPool]}\n"
    )
    policies = load_policies(path, "team")
    report = _report(
        {"Db": _db(cls="db.z9.large"), "P": {"Type": "AWS::Cognito::UserPool", "Properties": {}}}
    )
    found = {v.rule: v.message for v in judge(report, policies=policies, profile="team")}
    assert "cannot price stack/Db (AWS::RDS::DBInstance)" in found["small-db"]
    assert "instanceType=db.z9.large" in found["small-db"]
    assert "is a lower bound: 2 resource(s) cannot be priced" in found["total"]
    # Accepting user pools unpriced still leaves the database: still closed.
    assert "1 resource(s) cannot be priced: stack/Db" in found["total-pools-ok"]
    budget = judge(report, budget=5000)
    assert [v.rule for v in budget] == ["budget"]
    assert (
        "lower bound" in budget[0].message
        and "stack/P (AWS::Cognito::UserPool" in budget[0].message
    )


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("profiles: {dev: [{rule: Bad_Name, deny: true, type: X}]}", "allowed: lower-case"),
        ("profiles: {dev: [{rule: a, type: X}]}", "needs exactly one of deny"),
        ("profiles: {dev: [{rule: a, deny: true}]}", "deny needs 'type'"),
        ("profiles: {dev: [{rule: a, max_total_monthly: -1}]}", "max_total_monthly=-1"),
        ("profiles: {dev: [{rule: a, deny: true, type: X, colour: red}]}", "unknown key(s) colour"),
        ("profiles: {team: []}", "profile 'dev' has no policies; profiles in the file: team"),
        (
            "profiles: {dev: [{rule: a, max_total_monthly: 1, allow_unpriced: Queue}]}",
            "allow_unpriced='Queue'",
        ),
        ("nothing: here", "top level needs 'profiles'"),
    ],
)
def test_policy_file_errors_name_the_problem(tmp_path: Path, body: str, fragment: str) -> None:
    path = tmp_path / "p.yml"
    path.write_text(body)
    with pytest.raises(PolicyError) as err:
        load_policies(path, "dev")
    assert any(fragment in p for p in err.value.problems), err.value.problems
