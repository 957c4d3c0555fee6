"""Budget, maximum increase and per-profile policies: messages name rule, resource, numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

from cost.policy import (
    PolicyError,
    check_budget,
    check_increase,
    evaluate_policies,
    load_policies,
)
from cost.pricing.context import Resource

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


def _resource(rtype: str, logical_id: str, **props: object) -> Resource:
    return Resource(logical_id, rtype, dict(props), f"stack/{logical_id}/Resource")


def test_project_policies_for_dev() -> None:
    policies = load_policies(ROOT / "policies.yml", "dev")
    resources = [
        (_resource("AWS::EC2::NatGateway", "Nat1"), 32.85),
        (_resource("AWS::RDS::DBInstance", "Db", MultiAZ=True), 23.36),
        (_resource("AWS::RDS::DBInstance", "Db2", MultiAZ=False), 11.68),
        (_resource("AWS::EC2::VPCEndpoint", "S3", VpcEndpointType="Gateway"), None),
    ]
    found = evaluate_policies(policies, resources, 68.0, profile="dev")
    assert [(v.rule, v.resource) for v in found] == [
        ("no-nat-gateway", "stack/Nat1/Resource"),
        ("no-multi-az-database", "stack/Db/Resource"),
    ]
    assert found[0].message.startswith(
        "policy no-nat-gateway [dev]: stack/Nat1/Resource (AWS::EC2::NatGateway) is not allowed"
    )


def test_max_monthly_and_total_rules(tmp_path: Path) -> None:
    path = tmp_path / "p.yml"
    path.write_text(
        "profiles:\n"
        "  team:\n"
        "    - {rule: small-db, type: AWS::RDS::DBInstance, max_monthly: 30}\n"
        "    - {rule: total, max_total_monthly: 100, description: team cap}\n"
    )
    policies = load_policies(path, "team")
    found = evaluate_policies(
        policies, [(_resource("AWS::RDS::DBInstance", "Db"), 46.72)], 120.0, profile="team"
    )
    assert [v.rule for v in found] == ["small-db", "total"]
    assert "costs $46.72/month, above $30.00" in found[0].message
    assert "$120.00 exceeds $100.00 (team cap)" in found[1].message


def test_unresolved_property_does_not_match_when() -> None:
    policies = load_policies(ROOT / "policies.yml", "dev")
    db = _resource("AWS::RDS::DBInstance", "Db", MultiAZ={"Ref": "Param"})
    assert evaluate_policies(policies, [(db, 1.0)], 1.0, profile="dev") == []


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("profiles: {dev: [{rule: Bad_Name, deny: true, type: X}]}", "allowed: lower-case"),
        ("profiles: {dev: [{rule: a, type: X}]}", "needs exactly one of deny"),
        ("profiles: {dev: [{rule: a, deny: true}]}", "deny needs 'type'"),
        ("profiles: {dev: [{rule: a, max_total_monthly: -1}]}", "max_total_monthly=-1"),
        ("profiles: {dev: [{rule: a, deny: true, type: X, colour: red}]}", "unknown key(s) colour"),
        ("profiles: {team: []}", "profile 'dev' has no policies; profiles in the file: team"),
        ("nothing: here", "top level needs 'profiles'"),
    ],
)
def test_policy_file_errors_name_the_problem(tmp_path: Path, body: str, fragment: str) -> None:
    path = tmp_path / "p.yml"
    path.write_text(body)
    with pytest.raises(PolicyError) as err:
        load_policies(path, "dev")
    assert any(fragment in p for p in err.value.problems), err.value.problems
