"""The dev and prod profiles, network modes and the other switches, each as synthesized."""

from __future__ import annotations

import json

import pytest
from appsynth import Synth, synth
from aws_cdk.assertions import Match

COST = "off"  # pricing has its own tests; these look at the infrastructure only


@pytest.fixture(scope="module")
def dev() -> Synth:
    return synth(profile="dev", cost=COST)


@pytest.fixture(scope="module")
def prod() -> Synth:
    return synth(profile="prod", cost=COST)


def test_dev_is_the_smallest(dev: Synth) -> None:
    dev.template.has_resource_properties(
        "AWS::RDS::DBInstance",
        {"DBInstanceClass": "db.t4g.micro", "MultiAZ": False, "BackupRetentionPeriod": 7},
    )
    dev.template.has_resource_properties(
        "AWS::ECS::TaskDefinition", {"Cpu": "256", "Memory": "1024"}
    )
    dev.template.has_resource_properties(
        "AWS::ApplicationAutoScaling::ScalableTarget", {"MinCapacity": 1, "MaxCapacity": 1}
    )
    dev.template.has_resource_properties("AWS::Logs::LogGroup", {"RetentionInDays": 7})
    dev.template.resource_count_is("AWS::EC2::NatGateway", 0)


def test_prod_is_multi_az_with_two_tasks_and_insights(prod: Synth) -> None:
    prod.template.has_resource_properties(
        "AWS::RDS::DBInstance",
        {"DBInstanceClass": "db.m7g.large", "MultiAZ": True, "BackupRetentionPeriod": 30},
    )
    prod.template.has_resource_properties("AWS::ECS::Service", {"DesiredCount": 2})
    prod.template.has_resource_properties(
        "AWS::ApplicationAutoScaling::ScalableTarget", {"MinCapacity": 2, "MaxCapacity": 6}
    )
    prod.template.has_resource_properties(
        "AWS::ECS::Cluster",
        {"ClusterSettings": [{"Name": "containerInsights", "Value": "enabled"}]},
    )
    prod.template.has_resource_properties("AWS::Logs::LogGroup", {"RetentionInDays": 90})


def test_prod_endpoints_mode_keeps_tasks_off_the_internet(prod: Synth) -> None:
    endpoints = prod.resources("AWS::EC2::VPCEndpoint")
    interface = [
        e for e in endpoints.values() if e["Properties"].get("VpcEndpointType") == "Interface"
    ]
    services = sorted(json.dumps(e["Properties"]["ServiceName"]) for e in interface)
    assert len(interface) == 4
    for name in ("ecr.api", "ecr.dkr", "logs", "secretsmanager"):
        assert any(name in s for s in services), name
    prod.template.resource_count_is("AWS::EC2::NatGateway", 0)
    _, service = prod.one("AWS::ECS::Service")
    vpc_config = service["Properties"]["NetworkConfiguration"]["AwsvpcConfiguration"]
    assert vpc_config["AssignPublicIp"] == "DISABLED"
    assert all("Isolated" in s["Ref"] for s in vpc_config["Subnets"])


def test_nat_mode_puts_tasks_behind_nat_gateways() -> None:
    s = synth(network_mode="nat", nat_gateways="2", cost=COST)
    s.template.resource_count_is("AWS::EC2::NatGateway", 2)
    s.template.resource_count_is("AWS::EC2::EIP", 2)
    _, service = s.one("AWS::ECS::Service")
    vpc_config = service["Properties"]["NetworkConfiguration"]["AwsvpcConfiguration"]
    assert vpc_config["AssignPublicIp"] == "DISABLED"
    assert all("Private" in s["Ref"] for s in vpc_config["Subnets"])


def test_x86_is_selectable() -> None:
    s = synth(cpu_architecture="X86_64", cost=COST)
    s.template.has_resource_properties(
        "AWS::ECS::TaskDefinition",
        {"RuntimePlatform": {"CpuArchitecture": "X86_64", "OperatingSystemFamily": "LINUX"}},
    )


def test_region_makes_the_stack_region_specific_and_still_offline() -> None:
    s = synth(region="eu-west-1", cost=COST)
    assert s.stack.region == "eu-west-1"
    # Without an account the AZs stay Fn::GetAZs: no lookup, no credentials needed.
    subnets = s.resources("AWS::EC2::Subnet").values()
    assert all("Fn::GetAZs" in json.dumps(x["Properties"]["AvailabilityZone"]) for x in subnets)
    assert len(subnets) == 4


def test_internal_load_balancer_with_cidr_allow_list() -> None:
    s = synth(internal_load_balancer="true", ingress_cidrs="10.20.0.0/16", cost=COST)
    s.template.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::LoadBalancer", {"Scheme": "internal"}
    )
    _, sg = next(
        (k, v)
        for k, v in s.resources("AWS::EC2::SecurityGroup").items()
        if "LoadBalancerSecurityGroup" in k
    )
    cidrs = {r.get("CidrIp") for r in sg["Properties"]["SecurityGroupIngress"]}
    assert cidrs == {"10.20.0.0/16"}


def test_archive_tiers_are_opt_in() -> None:
    s = synth(intelligent_tiering_archive="true", cost=COST)
    s.template.has_resource_properties(
        "AWS::S3::Bucket",
        {
            "IntelligentTieringConfigurations": [
                Match.object_like(
                    {
                        "Status": "Enabled",
                        "Tierings": [
                            {"AccessTier": "ARCHIVE_ACCESS", "Days": 90},
                            {"AccessTier": "DEEP_ARCHIVE_ACCESS", "Days": 180},
                        ],
                    }
                )
            ]
        },
    )


def test_job_execution_is_refused_with_a_reason() -> None:
    from stacks.config import ConfigError, load_config

    with pytest.raises(ConfigError, match="job_execution=true is not supported"):
        load_config({"job_execution": "true"})
