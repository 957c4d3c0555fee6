"""The tagging aspect's calls into the node process: asked once per L1 class or per stack, not
per resource, and still right for the L1s an L2 creates on the JavaScript side, for nested
stacks, for subclasses of generated L1s and for plain CfnResources.

Counts, not times: each jsii call is a round trip to the node process, which is what the
in-process synth benchmark (`make bench-synth`) measures.
"""

from __future__ import annotations

import collections
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import jsii
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager

from cost.cdk import COST_TAG, CostEstimate
from cost.model import money

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
H = 730
# us-east-1: public IPv4 0.005/h (AWS's vpc pricing-page data); a NAT gateway 0.045/h and
# 0.045/GB (natgateway.json) with 10 GB processed by default; CloudWatch Logs 0.50/GB ingested
# and 0.03/GB-month stored (cloudwatch.json), 1 GB a month by default; a secret 0.40/month and
# 0.000005 per API call (secretsmanager.json), 1,000 calls by default.
EIP = money(H * 0.005)
NAT = money(H * 0.045 + 10 * 0.045)
LOGS_30_DAYS = money(1 * 0.50 + 1 * 1 * 0.03)
SECRET = money(0.40 + 1000 * 0.000005)


class MyEip(ec2.CfnEIP):
    """A user's subclass of a generated L1."""


def tags(template: dict[str, Any], logical_id: str) -> dict[str, str]:
    found = template["Resources"][logical_id]["Properties"].get("Tags", [])
    return {t["Key"]: t["Value"] for t in found}


def template_of(out: Path, name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((out / name).read_text())
    return loaded


def test_l1s_from_l2s_nested_stacks_subclasses_and_plain_cfn_resources(tmp_path: Path) -> None:
    out = tmp_path / "out"
    app = cdk.App(outdir=str(out))
    parent = cdk.Stack(app, "Parent")
    # L1s created inside L2s, on the JavaScript side: a log group's and a secret's.
    logs.LogGroup(parent, "Logs", retention=logs.RetentionDays.ONE_MONTH)
    secretsmanager.Secret(parent, "Secret")
    cdk.CfnResource(parent, "Raw", type="AWS::EC2::EIP")
    child = cdk.NestedStack(parent, "Child")
    ec2.CfnEIP(child, "Ip")
    MyEip(child, "Mine")
    estimate = CostEstimate.attach(app, print_summary=False)
    app.synth()
    assert estimate.report is not None
    stacks = {"child" if "/" in s.name else s.name: s for s in estimate.report.stacks}
    parent_lines = {r.logical_id: r for r in stacks["Parent"].resources}
    child_lines = {r.logical_id: r for r in stacks["child"].resources}
    by_type = {line.type: line.monthly_cost for line in parent_lines.values()}
    assert by_type["AWS::Logs::LogGroup"] == LOGS_30_DAYS
    assert by_type["AWS::SecretsManager::Secret"] == SECRET
    assert parent_lines["Raw"].monthly_cost == EIP
    assert {r.logical_id: r.monthly_cost for r in child_lines.values()} == {
        "Ip": EIP,
        "Mine": EIP,
    }
    assert estimate.report.monthly_cost == money(3 * EIP + LOGS_30_DAYS + SECRET)
    parent_template = template_of(out, "Parent.template.json")
    for logical_id, line in parent_lines.items():
        if logical_id == "Raw":
            # A plain CfnResource has no TagManager: priced, reported, not tagged.
            assert "Tags" not in parent_template["Resources"]["Raw"].get("Properties", {})
        else:
            assert tags(parent_template, logical_id)[COST_TAG] == f"{line.monthly_cost:.2f}"
    (nested_file,) = [p.name for p in out.glob("*.nested.template.json")]
    child_template = template_of(out, nested_file)
    for logical_id in ("Ip", "Mine"):
        assert tags(child_template, logical_id)[COST_TAG] == f"{EIP:.2f}"
    # The nested stack's EIPs are its own: the parent's template has none of them.
    assert {"Ip", "Mine"}.isdisjoint(parent_template["Resources"])
    assert estimate.report.warnings == []


@pytest.fixture
def jsii_calls(monkeypatch: pytest.MonkeyPatch) -> collections.Counter[tuple[str, str, str]]:
    """(jsii function, class of the object or the class itself, property or method) -> calls."""
    counts: collections.Counter[tuple[str, str, str]] = collections.Counter()

    def counted(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            target = args[0] if isinstance(args[0], type) else type(args[0])
            counts[(name, target.__name__, str(args[1]) if len(args) > 1 else "")] += 1
            return function(*args, **kwargs)

        return call

    for name in ("get", "set", "invoke", "sget", "sset", "sinvoke"):
        monkeypatch.setattr(jsii, name, counted(name, getattr(jsii, name)))
    return counts


@pytest.mark.parametrize("path_metadata", [False, True], ids=["bare-app", "path-metadata"])
def test_the_aspect_asks_once_per_class_and_per_stack(
    tmp_path: Path, jsii_calls: collections.Counter[tuple[str, str, str]], path_metadata: bool
) -> None:
    # The CDK CLI turns path metadata on (unless --no-path-metadata): each L1 then records
    # its construct path in its constructor, and the aspect reads it in one call, not two.
    context = {"aws:cdk:enable-path-metadata": True} if path_metadata else {}
    app = cdk.App(outdir=str(tmp_path / "out"), context=context)
    stack = cdk.Stack(app, "S")
    for i in range(20):
        ec2.CfnEIP(stack, f"Ip{i}")
    for i in range(5):
        ec2.CfnNatGateway(stack, f"Nat{i}", subnet_id="subnet-1")
        MyEip(stack, f"Mine{i}")  # a subclass: its generated base class answers
    estimate = CostEstimate.attach(app, print_summary=False)
    jsii_calls.clear()
    app.synth()
    assert estimate.report is not None
    assert estimate.report.monthly_cost == money(25 * EIP + 5 * NAT)
    # Three L1 classes: their CloudFormation type and taggability, at most once each (earlier
    # tests in this process may have asked already); no node reads its own type.
    type_reads = sum(n for k, n in jsii_calls.items() if k[2] == "CFN_RESOURCE_TYPE_NAME")
    assert type_reads <= 3
    assert sum(n for k, n in jsii_calls.items() if k[2] == "cfnResourceType") == 0
    assert jsii_calls[("sinvoke", "TagManager", "isTaggable")] <= 3
    # One stack without nested stacks: its name once, no Stack.of per resource.
    assert jsii_calls[("get", "Stack", "stackName")] <= 1
    assert jsii_calls[("sinvoke", "Stack", "of")] == 0
    assert jsii_calls[("invoke", "Stack", "getLogicalId")] == 30
    lines = {r.logical_id: r for r in estimate.report.stacks[0].resources}
    assert lines["Ip7"].path == "S/Ip7" and lines["Nat4"].path == "S/Nat4"
    path_reads = jsii_calls[("get", "Node", "path")]
    metadata_reads = sum(n for k, n in jsii_calls.items() if k[2] == "getMetadata")
    assert (path_reads, metadata_reads) == ((0, 30) if path_metadata else (30, 0))
    # What is left per resource: its logical ID, its properties (read, then resolved), its
    # path (node, then path; or its metadata), its tags and the tag written; plus about 15
    # per stack and app (232 calls in all, 202 with path metadata, measured 2026-12-04). The
    # session-start tree (cbac26a) took 423 on this stack.
    per_resource = 6 if path_metadata else 7
    assert sum(jsii_calls.values()) <= per_resource * 30 + 20
