"""The estimate in any CDK app layout: Stages, nested stacks, several stacks, attached before
or after the stacks exist, without a usage file, in a region without prices; synth and the
CLI judge the same templates the same way.

Small apps built here (not the MLflow app), so each synth takes about a second.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam

from cost.catalog import default_catalog
from cost.cdk import COST_TAG, CostEstimate
from cost.cli import main as cli_main
from cost.estimate import Estimator, load_sources
from cost.model import money
from cost.policy import judge, load_policies
from cost.pricing.usage import Usage

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
H = 730
# us-east-1: public IPv4 0.005/h (cost/catalog/data, AWS's vpc pricing-page data); a NAT
# gateway 0.045/h and 0.045/GB (natgateway.json), 10 GB processed by default.
EIP = money(H * 0.005)
NAT = money(H * 0.045 + 10 * 0.045)


def tags_of(template: dict[str, Any], logical_id: str) -> dict[str, str]:
    tags = template["Resources"][logical_id]["Properties"].get("Tags", [])
    return {t["Key"]: t["Value"] for t in tags}


def network(scope: Any, name: str, nat: int = 1) -> cdk.Stack:
    stack = cdk.Stack(scope, name)
    ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=nat)
    return stack


def write_policy(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "policies.yml"
    path.write_text(body)
    return path


DEV_POLICY = """
profiles:
  dev:
    - rule: no-nat-gateway
      type: AWS::EC2::NatGateway
      deny: true
    - rule: dev-total
      max_total_monthly: 100
"""


def test_stacks_in_a_stage_are_tagged_reported_and_judged(tmp_path: Path) -> None:
    # Before: a Stage's stacks (the CDK Pipelines layout) got no tags and no guardrails: a
    # dev policy passed with 4 NAT gateways and 172/month.
    app = cdk.App(outdir=str(tmp_path / "out"))
    policy = write_policy(tmp_path, DEV_POLICY)
    estimate = CostEstimate.attach(app, policy_file=policy, profile="dev", print_summary=False)
    stage = cdk.Stage(app, "Prod")
    network(stage, "Net", nat=2)
    with pytest.raises(RuntimeError) as err:
        app.synth()
    assert "policy no-nat-gateway [dev]" in str(err.value)
    assert estimate.report is not None
    (stack,) = estimate.report.stacks
    assert stack.name == "Prod-Net"
    assert not stack.unsupported
    nats = [r for r in stack.resources if r.type == "AWS::EC2::NatGateway"]
    assert len(nats) == 2 and all(r.monthly_cost == NAT == 33.3 for r in nats)
    eips = [r for r in stack.resources if r.type == "AWS::EC2::EIP"]
    assert len(eips) == 2 and all(r.monthly_cost == EIP for r in eips)
    assert all(r.cost_tag == f"{EIP:.2f}" for r in eips)


def test_attached_after_the_stacks_without_the_cli_usage_by_path_reaches_the_report(
    tmp_path: Path,
) -> None:
    # Before: attached after the stacks and run without the CLI (no path metadata), a usage
    # entry keyed by construct path reached the tag but not the report (tag 17.67, total 0).
    app = cdk.App(outdir=str(tmp_path / "out"))
    from aws_cdk import aws_s3 as s3

    stack = cdk.Stack(app, "Net")
    s3.CfnBucket(cdk.Stack(app, "Other"), "Ep")
    s3.CfnBucket(stack, "Ep")
    usage = tmp_path / "usage.yml"
    usage.write_text('resources:\n  "Net/Ep":\n    storage_gb: 100\n')
    estimate = CostEstimate.attach(app, usage_file=usage, print_summary=False)
    app.synth()
    assert estimate.report is not None
    net, other = sorted(estimate.report.stacks, key=lambda s: s.name)
    # us-east-1 S3 Standard 0.023/GB-month (first tier); 100,000 PUT-class requests x 0.000005
    # and 1,000,000 GET-class x 0.0000004 (the usage defaults).
    (bucket,) = net.resources
    expected = money(100 * 0.023 + 100_000 * 0.000005 + 1_000_000 * 0.0000004)
    assert bucket.monthly_cost == expected
    assert bucket.cost_tag == f"{expected:.2f}"
    assert bucket.path == "Net/Ep"
    assert other.resources[0].monthly_cost == money(50 * 0.023 + 0.5 + 0.4)
    assert estimate.report.warnings == []


def test_no_usage_file_is_fine_and_a_missing_one_is_a_clear_synth_error(tmp_path: Path) -> None:
    app = cdk.App(outdir=str(tmp_path / "ok"))
    network(app, "Net")
    assert CostEstimate.attach(app, print_summary=False).enabled
    app.synth()

    # Before: the README snippet raised FileNotFoundError (a traceback) for a missing file.
    app = cdk.App(outdir=str(tmp_path / "bad"))
    network(app, "Net")
    estimate = CostEstimate.attach(app, usage_file=tmp_path / "usage.yml", print_summary=False)
    assert not estimate.enabled
    with pytest.raises(RuntimeError):
        app.synth()
    (problem,) = estimate.problems
    assert problem.startswith("cost estimate: usage_file=") and "usage.yml" in problem
    assert "No such file" in problem


def test_region_without_prices_does_not_break_synth(tmp_path: Path) -> None:
    # Before: a region the catalog lacks raised a jsii RuntimeError out of the user's synth.
    app = cdk.App(outdir=str(tmp_path / "out"))
    # AWS publishes no WAF prices for Auckland (ap-southeast-6) in the catalog's sources.
    from aws_cdk import aws_wafv2 as wafv2

    stack = cdk.Stack(
        app, "Auckland", env=cdk.Environment(account="123456789012", region="ap-southeast-6")
    )
    wafv2.CfnWebACL(
        stack,
        "Ip",
        scope="REGIONAL",
        default_action={"allow": {}},
        visibility_config={
            "cloudWatchMetricsEnabled": False,
            "metricName": "m",
            "sampledRequestsEnabled": False,
        },
    )
    estimate = CostEstimate.attach(app, budget=50, print_summary=False)
    app.synth()
    assert estimate.report is not None
    (line,) = estimate.report.stacks[0].unsupported
    assert "AWS publishes no awswaf prices for ap-southeast-6" in line.reason
    # A budget cannot vouch for what it cannot price: it says the total is a lower bound.
    (finding,) = estimate.report.guardrails
    assert finding["severity"] == "warning" and "lower bound" in finding["message"]
    assert "Auckland/Ip" in finding["message"]


def test_off_switch(tmp_path: Path) -> None:
    app = cdk.App(outdir=str(tmp_path / "out"), context={"cost-estimate": "off"})
    network(app, "Net")
    estimate = CostEstimate.attach(app)
    assembly = app.synth()
    assert not estimate.enabled and estimate.report is None
    assert not (Path(assembly.directory) / "cost-report.json").exists()


DENY_POLICY = """
profiles:
  strict:
    - rule: no-iam-roles
      type: AWS::IAM::Role
      deny: true
    - rule: no-endpoints
      type: AWS::EC2::VPCEndpoint
      deny: true
"""


def test_synth_and_the_cli_judge_the_same_templates_alike(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Before: a policy denying IAM roles and VPC endpoints passed cdk synth (which judged only
    # what the aspect priced) but failed `python -m cost estimate` on the same template.
    policy = write_policy(tmp_path, DENY_POLICY)
    app = cdk.App(outdir=str(tmp_path / "out"))
    stack = cdk.Stack(app, "App")
    vpc = ec2.Vpc(stack, "Vpc", max_azs=1, nat_gateways=0)
    vpc.add_gateway_endpoint("S3", service=ec2.GatewayVpcEndpointAwsService.S3)
    iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("ecs-tasks.amazonaws.com"))
    estimate = CostEstimate.attach(app, policy_file=policy, profile="strict", print_summary=False)
    with pytest.raises(RuntimeError):
        app.synth()
    synth_rules = sorted((v.rule, v.logical_id) for v in estimate.violations)
    assert {rule for rule, _ in synth_rules} == {"no-iam-roles", "no-endpoints"}

    code = cli_main(
        ["estimate", str(tmp_path / "out"), "--policy", str(policy), "--profile", "strict"]
    )
    assert code == 1
    err = capsys.readouterr().err
    for rule, _ in synth_rules:
        assert f"policy {rule} [strict]" in err

    report = Estimator(default_catalog(), Usage.empty()).estimate(load_sources(tmp_path / "out"))
    from cost.model import CostReport

    cli_rules = sorted(
        (v.rule, v.logical_id)
        for v in judge(
            CostReport(report, {}, {}), policies=load_policies(policy, "strict"), profile="strict"
        )
    )
    assert cli_rules == synth_rules


def test_nested_stacks_are_priced_and_tagged(tmp_path: Path) -> None:
    app = cdk.App(outdir=str(tmp_path / "out"))
    parent = cdk.Stack(app, "Parent")
    child = cdk.NestedStack(parent, "Child")
    ec2.CfnEIP(child, "Ip")
    ec2.CfnEIP(parent, "Ip")
    estimate = CostEstimate.attach(app, print_summary=False)
    app.synth()
    assert estimate.report is not None
    names = {s.name: s for s in estimate.report.stacks}
    assert set(names) == {"Parent", "Parent/ChildNestedStackChildNestedStackResourceC40294CA"}
    nested = names["Parent/ChildNestedStackChildNestedStackResourceC40294CA"]
    (ip,) = nested.resources
    assert ip.monthly_cost == EIP and ip.cost_tag == f"{EIP:.2f}"
    assert estimate.report.monthly_cost == money(2 * EIP)
    (nested_line,) = names["Parent"].free
    assert nested_line.type == "AWS::CloudFormation::Stack"
    assert "priced as stack Parent/" in nested_line.reason


def test_several_stacks_every_summary_line_names_its_stack(tmp_path: Path) -> None:
    from cost.report.render import summary

    app = cdk.App(outdir=str(tmp_path / "out"))
    for name in ("Blue", "Green"):
        stack = cdk.Stack(app, name)
        ec2.CfnEIP(stack, "Ip")
        cognito.UserPool(stack, "Pool")
    estimate = CostEstimate.attach(app, print_summary=False)
    app.synth()
    assert estimate.report is not None
    text = summary(estimate.report)
    assert "Blue/Ip" in text and "Green/Ip" in text
    assert "unsupported: Blue/Pool/Resource" not in text  # the label drops /Resource
    assert "unsupported: Blue/Pool (AWS::Cognito::UserPool)" in text
    assert "unsupported: Green/Pool (AWS::Cognito::UserPool)" in text


def test_a_property_override_the_aspect_cannot_see_is_a_warning(tmp_path: Path) -> None:
    from aws_cdk import aws_rds as rds

    app = cdk.App(outdir=str(tmp_path / "out"))
    stack = cdk.Stack(app, "S")
    db = rds.CfnDBInstance(
        stack,
        "Db",
        engine="mysql",
        db_instance_class="db.t4g.micro",
        allocated_storage="20",
        storage_type="gp3",
    )
    db.add_property_override("DBInstanceClass", "db.t4g.small")
    estimate = CostEstimate.attach(app, print_summary=False)
    app.synth()
    assert estimate.report is not None
    (line,) = estimate.report.stacks[0].resources
    # The report prices the final template: db.t4g.small 0.032/h x 730 + 20 GB x 0.115.
    assert line.monthly_cost == money(H * 0.032 + 20 * 0.115)
    # The tag was written from the properties the aspect saw: db.t4g.micro 0.016/h.
    assert line.cost_tag == f"{money(H * 0.016 + 20 * 0.115):.2f}"
    (warning,) = estimate.report.warnings
    assert "S/Db: tag cost:monthly-usd=13.98 differs from the report line 25.66" in warning


def test_a_total_policy_fails_synth_and_is_shown(tmp_path: Path) -> None:
    # CDK fails synth only on findings that name a resource: a finding about the total is
    # attached to the most expensive line, so it is shown and fails like any other.
    policy = write_policy(
        tmp_path, DEV_POLICY.replace("max_total_monthly: 100", "max_total_monthly: 20")
    )
    app = cdk.App(outdir=str(tmp_path / "out"))
    stack = cdk.Stack(app, "S")
    for i in range(6):
        ec2.CfnEIP(stack, f"Ip{i}")
    estimate = CostEstimate.attach(app, policy_file=policy, profile="dev", print_summary=False)
    with pytest.raises(RuntimeError) as err:
        app.synth()
    total = money(6 * EIP)
    assert f"policy dev-total [dev]: the estimated monthly cost ${total:.2f} exceeds $20.00" in (
        str(err.value)
    )
    assert {v.rule for v in estimate.violations} == {"dev-total"}


def test_cfn_parameter_defaults_and_conditions_at_synth(tmp_path: Path) -> None:
    from aws_cdk import aws_rds as rds

    app = cdk.App(outdir=str(tmp_path / "out"))
    stack = cdk.Stack(app, "S")
    db_class = cdk.CfnParameter(stack, "DbClass", type="String", default="db.t4g.micro")
    nat_wanted = cdk.CfnParameter(stack, "WithNat", type="String", default="no")
    with_nat = cdk.CfnCondition(
        stack, "UseNat", expression=cdk.Fn.condition_equals(nat_wanted.value_as_string, "yes")
    )
    rds.CfnDBInstance(
        stack,
        "Db",
        engine="mysql",
        db_instance_class=db_class.value_as_string,
        allocated_storage="20",
        storage_type="gp3",
    )
    nat = ec2.CfnNatGateway(stack, "Nat", subnet_id="subnet-1")
    nat.cfn_options.condition = with_nat
    estimate = CostEstimate.attach(app, print_summary=False)
    app.synth()
    assert estimate.report is not None
    (stack_cost,) = estimate.report.stacks
    (db,) = stack_cost.resources
    # db.t4g.micro (the parameter's default) 0.016/h x 730 + 20 GB gp3 x 0.115
    assert db.monthly_cost == money(H * 0.016 + 20 * 0.115)
    assert db.cost_tag == f"{db.monthly_cost:.2f}"  # the aspect resolved the default too
    assert [n.logical_id for n in stack_cost.not_deployed] == ["Nat"]
    template = json.loads((tmp_path / "out" / "S.template.json").read_text())
    assert COST_TAG not in tags_of(template, "Nat")
    assert estimate.report.warnings == []
