"""IoT Core topic rules (rules triggered and actions executed, from AWS's IoT pricing-page file)
and previous-generation EC2 instances (AWS's previous-generation EC2 file); expected values
computed by hand from the catalog figures read (and quoted) below."""

from __future__ import annotations

from typing import Any

from cost.catalog import default_catalog
from cost.estimate import Estimator
from cost.model import StackCost
from cost.pricing.usage import Usage


def estimate(
    resources: dict[str, Any], usage: dict[str, Any] | None = None, region: str = "us-east-1"
) -> StackCost:
    estimator = Estimator(default_catalog(), Usage.from_mapping(usage or {}))
    return estimator.estimate_template({"Resources": resources}, name="t", region=region)


def rule(actions: Any, **payload: Any) -> dict[str, Any]:
    body = {"Sql": "SELECT * FROM 'sensors/#'", "Actions": actions, **payload}
    return {"R": {"Type": "AWS::IoT::TopicRule", "Properties": {"TopicRulePayload": body}}}


LAMBDA = {"Lambda": {"FunctionArn": "arn:aws:lambda:us-east-1:111111111111:function:f"}}
S3 = {"S3": {"BucketName": "b", "Key": "k", "RoleArn": "arn:aws:iam::111111111111:role/r"}}


def test_the_catalog_figures_used_below() -> None:
    catalog = default_catalog()
    triggered = catalog.lookup("AWSIoT", "us-east-1", "Rules Engine", "RulesTriggered")
    assert triggered.usd == 0.00000015 and triggered.source == "iot"
    assert catalog.lookup("AWSIoT", "us-east-1", "Rules Engine", "ActionsExecuted").usd == (
        0.00000015
    )
    assert catalog.lookup("AWSIoT", "sa-east-1", "Rules Engine", "RulesTriggered").usd == (
        0.000000225
    )
    m3 = catalog.lookup(
        "AmazonEC2", "us-east-1", "Compute Instance Linux", None, instanceType="m3.xlarge"
    )
    assert (m3.usd, m3.source) == (0.266, "ec2-previousgen")
    gp3 = catalog.lookup("AmazonEC2", "us-east-1", "Storage", "EBS:VolumeUsage.gp3")
    assert gp3.usd == 0.08


def test_a_topic_rule_from_usage_counts_each_action() -> None:
    usage = {"resources": {"R": {"monthly_rule_triggers": 40_000_000}}}
    (line,) = estimate(rule([LAMBDA, S3], ErrorAction=LAMBDA), usage).resources
    parts = {c.name: round(c.monthly_cost, 6) for c in line.components}
    # 40M triggers x 0.00000015 = 6.00; 2 actions x 40M = 80M x 0.00000015 = 12.00
    assert parts == {
        "Rules triggered": 6.00,
        "Actions executed (2 per trigger; the error action only on errors)": 12.00,
    }
    assert line.monthly_cost == 18.00 and line.usage_based


def test_a_topic_rule_at_the_default_usage_in_sao_paulo() -> None:
    (line,) = estimate(rule([LAMBDA]), region="sa-east-1").resources
    # Default 1,000,000 triggers x 0.000000225 = 0.225, plus one action each = 0.225
    assert round(sum(c.monthly_cost for c in line.components), 6) == 0.45


def test_a_disabled_rule_is_free_and_unknown_actions_are_unsupported() -> None:
    stack = estimate(rule([LAMBDA], RuleDisabled=True))
    assert stack.resources == [] and "disabled" in stack.free[0].reason
    stack = estimate(rule({"Ref": "Actions"}))
    (line,) = stack.unsupported
    assert "TopicRulePayload.Actions" in line.reason


def test_a_previous_generation_instance_is_priced_with_its_root_volume() -> None:
    instance = {"Type": "AWS::EC2::Instance", "Properties": {"InstanceType": "m3.xlarge"}}
    (line,) = estimate({"I": instance}).resources
    parts = {c.name: round(c.monthly_cost, 6) for c in line.components}
    # 730 h x 0.266 = 194.18; the AMI's root volume, 8 GiB gp3 assumed x 0.08 = 0.64
    assert parts == {"Instance (m3.xlarge)": 194.18, "Root volume (gp3, 8 GiB)": 0.64}


def test_a_greengrass_group_is_priced_per_core_device() -> None:
    catalog = default_catalog()
    core = catalog.lookup("AWSGreengrass", "us-east-1", "Greengrass", "CoreDevice-Mo")
    assert (core.usd, core.source) == (0.16, "greengrass")
    resources = {
        "D": {"Type": "AWS::Greengrass::CoreDefinition", "Properties": {"Name": "d"}},
        "V": {
            "Type": "AWS::Greengrass::CoreDefinitionVersion",
            "Properties": {"CoreDefinitionId": {"Ref": "D"}, "Cores": [{"Id": "a"}, {"Id": "b"}]},
        },
        "G": {
            "Type": "AWS::Greengrass::Group",
            "Properties": {"InitialVersion": {"CoreDefinitionVersionArn": {"Ref": "V"}}},
        },
    }
    stack = estimate(resources)
    (line,) = stack.resources
    # 2 cores x 0.16 = 0.32; the definition and its version are free
    assert line.logical_id == "G" and line.monthly_cost == 0.32
    assert sorted(f.logical_id for f in stack.free) == ["D", "V"]
    # a group whose core definition is elsewhere: 1 core assumed, said so
    lone = {"G": {"Type": "AWS::Greengrass::Group", "Properties": {"Name": "g"}}}
    (line,) = estimate(lone).resources
    assert line.monthly_cost == 0.16 and any("1 core device assumed" in a for a in line.assumptions)
