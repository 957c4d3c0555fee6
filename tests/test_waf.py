"""The optional AWS WAF web ACL (`waf`): absent unless asked for; when on, a regional web ACL
on the load balancer whose one rule blocks a client address above `waf_rate_limit`.

The synth with waf on is the one tests/test_security.py runs through cdk-nag, CDK's
validation and cfn-lint (same context, so appsynth shares it)."""

from __future__ import annotations

from typing import Any

import pytest
from appsynth import Synth, synth

from stacks.config import ConfigError, load_config

#: The same context as test_security's "waf" variant: one synth serves both modules.
WAF = {"waf": "true", "waf_rate_limit": "2000", "cost": "off"}


@pytest.fixture(scope="module")
def with_waf() -> Synth:
    return synth(**WAF)


def _rule(s: Synth) -> dict[str, Any]:
    _, acl = s.one("AWS::WAFv2::WebACL")
    (rule,) = acl["Properties"]["Rules"]
    return rule


def test_off_by_default_in_every_profile() -> None:
    for profile in ("dev", "team", "prod"):
        assert load_config({"profile": profile}).web_acl.waf is False
    team = synth(cost="off")  # the default synth test_stack_team also uses
    team.template.resource_count_is("AWS::WAFv2::WebACL", 0)
    team.template.resource_count_is("AWS::WAFv2::WebACLAssociation", 0)


def test_regional_web_acl_allows_by_default_with_metrics(with_waf: Synth) -> None:
    _, acl = with_waf.one("AWS::WAFv2::WebACL")
    props = acl["Properties"]
    assert props["Scope"] == "REGIONAL"
    assert props["DefaultAction"] == {"Allow": {}}
    visibility = props["VisibilityConfig"]
    assert visibility["CloudWatchMetricsEnabled"] is True
    assert visibility["SampledRequestsEnabled"] is True


def test_associated_with_the_load_balancer(with_waf: Synth) -> None:
    acl_id, _ = with_waf.one("AWS::WAFv2::WebACL")
    lb_id, _ = with_waf.one("AWS::ElasticLoadBalancingV2::LoadBalancer")
    _, association = with_waf.one("AWS::WAFv2::WebACLAssociation")
    assert association["Properties"] == {
        "ResourceArn": {"Ref": lb_id},
        "WebACLArn": {"Fn::GetAtt": [acl_id, "Arn"]},
    }


def test_the_rule_blocks_one_address_above_the_configured_rate(with_waf: Synth) -> None:
    rule = _rule(with_waf)
    assert rule["Statement"] == {
        "RateBasedStatement": {
            "AggregateKeyType": "IP",
            "Limit": 2000,
            "EvaluationWindowSec": 300,
        }
    }
    assert rule["Action"] == {"Block": {"CustomResponse": {"ResponseCode": 429}}}
    assert rule["VisibilityConfig"]["CloudWatchMetricsEnabled"] is True
    assert rule["VisibilityConfig"]["SampledRequestsEnabled"] is True


def test_nothing_else_moves_when_it_is_turned_on(with_waf: Synth) -> None:
    """Turning waf on adds the two WAF resources and changes no other resource."""
    team = synth(cost="off")
    added = set(with_waf.json["Resources"]) - set(team.json["Resources"])
    assert {with_waf.json["Resources"][k]["Type"] for k in added} == {
        "AWS::WAFv2::WebACL",
        "AWS::WAFv2::WebACLAssociation",
    }
    for logical_id, resource in team.json["Resources"].items():
        assert with_waf.json["Resources"][logical_id] == resource, logical_id


@pytest.mark.parametrize(
    ("context", "fragment", "allowed"),
    [
        ({"waf": "maybe"}, "waf='maybe'", "true/false"),
        ({"waf_rate_limit": "9"}, "waf_rate_limit=9", "10 to 2000000000"),
        ({"waf_rate_limit": "2000000001"}, "waf_rate_limit=2000000001", "10 to 2000000000"),
        ({"waf_rate_limit": "fast"}, "waf_rate_limit='fast'", "whole number"),
        ({"waf_rate_window_seconds": "30"}, "waf_rate_window_seconds=30", "60, 120, 300, 600"),
    ],
)
def test_bad_values_are_refused_naming_the_setting(
    context: dict[str, str], fragment: str, allowed: str
) -> None:
    with pytest.raises(ConfigError) as err:
        load_config({"waf": "true", **context})
    (problem,) = err.value.problems
    assert fragment in problem and allowed in problem, problem
