"""Each pricing function on small templates, expected values computed by hand from the
catalog figures quoted in the comments (cost/catalog/*.json)."""

from __future__ import annotations

from typing import Any

import pytest

from cost.catalog import PriceCatalog, default_catalog
from cost.estimate import Estimator
from cost.model import StackCost, money
from cost.pricing.usage import Usage

H = 730


def estimate(
    resources: dict[str, Any], region: str = "us-east-1", usage: dict[str, Any] | None = None
) -> StackCost:
    estimator = Estimator(default_catalog(), Usage.from_mapping(usage or {}))
    return estimator.estimate_template({"Resources": resources}, name="t", region=region)


def cost_of(stack: StackCost, logical_id: str) -> float:
    (line,) = [r for r in stack.resources if r.logical_id == logical_id]
    return line.monthly_cost


def components(stack: StackCost, logical_id: str) -> dict[str, float]:
    (line,) = [r for r in stack.resources if r.logical_id == logical_id]
    return {c.name: c.monthly_cost for c in line.components}


def fargate(cpu: str, memory: str, arch: str = "ARM64", **extra: Any) -> dict[str, Any]:
    return {
        "Type": "AWS::ECS::TaskDefinition",
        "Properties": {
            "Cpu": cpu,
            "Memory": memory,
            "RequiresCompatibilities": ["FARGATE"],
            "RuntimePlatform": {"CpuArchitecture": arch, "OperatingSystemFamily": "LINUX"},
            **extra,
        },
    }


def service(count: Any = 2, public: bool = False, **extra: Any) -> dict[str, Any]:
    return {
        "Type": "AWS::ECS::Service",
        "Properties": {
            "TaskDefinition": {"Ref": "Task"},
            "DesiredCount": count,
            "LaunchType": "FARGATE",
            "NetworkConfiguration": {
                "AwsvpcConfiguration": {"AssignPublicIp": "ENABLED" if public else "DISABLED"}
            },
            **extra,
        },
    }


def test_catalog_regions_and_schema() -> None:
    catalog = default_catalog()
    assert {"us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1"} <= set(
        catalog.regions
    )
    assert catalog.meta["products"] > 20_000 and catalog.meta["regions"] >= 34


def test_every_catalog_price_names_a_source_with_repository_commit_path_and_date() -> None:
    from cost.catalog.sources import SOURCES

    catalog = default_catalog()
    for sid, record in catalog.sources.items():
        source = SOURCES[sid]
        assert record["repository"] == source.repository and len(record["commit"]) == 40
        assert record["path"] == source.path and record["published"][:2] == "20"
    for price in catalog.products():
        assert price.source in catalog.sources, price.ref
        assert price.effective_date == catalog.sources[price.source]["published"]
        assert price.unit and all(t.usd >= 0 for t in price.tiers)


def test_malformed_catalog_is_rejected(tmp_path: Any) -> None:
    (tmp_path / "INDEX.json").write_text(
        '{"files": {"X": {"us-east-1": 1}}, "sources": {"s": {"published": "2025-01-01"}}}'
    )
    (tmp_path / "X").mkdir()
    (tmp_path / "X" / "us-east-1.json").write_text(
        '{"serviceCode": "X", "products": [{"productFamily": "F", "attributes": '
        '{"regionCode": "us-east-1", "usagetype": "U"}, "unit": "Hrs", "priceDimensions": '
        '[{"beginRange": 0, "endRange": null, "usd": -1}], "effectiveDate": "2025-01-01", '
        '"source": "s"}]}'
    )
    from cost.catalog import CatalogError

    catalog = PriceCatalog.from_directory(tmp_path)  # the index alone loads; prices lazily
    with pytest.raises(CatalogError, match="not a non-negative number"):
        catalog.lookup("X", "us-east-1", "F", "U")
    with pytest.raises(CatalogError, match="cannot read the catalog index"):
        PriceCatalog.from_directory(tmp_path / "missing")


def test_fargate_arm_with_public_ips_us_east_1() -> None:
    # ARM64 0.03238/vCPU-h, 0.00356/GB-h; public IPv4 0.005/h.
    stack = estimate({"Task": fargate("512", "1024"), "Svc": service(2, public=True)})
    expected = 2 * 0.5 * H * 0.03238 + 2 * 1 * H * 0.00356 + 2 * H * 0.005
    assert cost_of(stack, "Svc") == money(expected) == 36.14
    assert [f.logical_id for f in stack.free] == ["Task"]


def test_fargate_x86_with_extra_ephemeral_storage_eu_central_1() -> None:
    # eu-central-1 x86: 0.04656/vCPU-h, 0.00511/GB-h; ephemeral 0.000132/GB-h above 20 GB
    # (ecs pricing-page data, EU (Frankfurt)).
    task = fargate("1024", "2048", "X86_64", EphemeralStorage={"SizeInGiB": 50})
    stack = estimate({"Task": task, "Svc": service(1)}, region="eu-central-1")
    expected = H * 0.04656 + 2 * H * 0.00511 + 30 * H * 0.000132
    assert cost_of(stack, "Svc") == money(expected) == 44.34


def test_fargate_token_desired_count_falls_back_and_says_so() -> None:
    stack = estimate({"Task": fargate("256", "512"), "Svc": service({"Ref": "Count"})})
    (line,) = stack.resources
    assert line.monthly_cost == money(0.25 * H * 0.03238 + 0.5 * H * 0.00356)
    assert any("DesiredCount is not known at synth time" in a for a in line.assumptions)


def test_fargate_usage_task_count_and_hours() -> None:
    usage = {"resources": {"Svc": {"task_count": 3, "hours_per_month": 200}}}
    stack = estimate({"Task": fargate("1024", "2048"), "Svc": service(1)}, usage=usage)
    assert cost_of(stack, "Svc") == money(3 * 200 * (0.03238 + 2 * 0.00356))
    assert all(c.usage_based for c in stack.resources[0].components)


def test_fargate_spot_is_unsupported_without_a_spot_price() -> None:
    svc = service(2)
    del svc["Properties"]["LaunchType"]
    svc["Properties"]["CapacityProviderStrategy"] = [
        {"CapacityProvider": "FARGATE_SPOT", "Weight": 1}
    ]
    stack = estimate({"Task": fargate("512", "1024"), "Svc": svc})
    (unsupported,) = stack.unsupported
    assert "SpotUsage-Fargate-ARM-vCPU-Hours" in unsupported.reason


def test_rds_multi_az_uses_the_multi_az_sku_and_storage() -> None:
    # db.t4g.small MySQL Multi-AZ 0.065/h (not 2 x 0.032); gp3 Multi-AZ 0.23/GB-month.
    db = {
        "Type": "AWS::RDS::DBInstance",
        "Properties": {
            "Engine": "mysql",
            "DBInstanceClass": "db.t4g.small",
            "MultiAZ": True,
            "StorageType": "gp3",
            "AllocatedStorage": "100",
        },
    }
    stack = estimate({"Db": db})
    assert cost_of(stack, "Db") == money(H * 0.065 + 100 * 0.23) == 70.45


def test_rds_gp3_iops_above_baseline_and_backups() -> None:
    # 500 GB gp3: baseline 12000 IOPS/500 MBps; 15000 IOPS -> 3000 x 0.02; backup 50 GB x 0.095.
    db = {
        "Type": "AWS::RDS::DBInstance",
        "Properties": {
            "Engine": "mysql",
            "DBInstanceClass": "db.m7g.large",
            "StorageType": "gp3",
            "AllocatedStorage": 500,
            "Iops": 15000,
        },
    }
    stack = estimate({"Db": db}, usage={"resources": {"Db": {"backup_storage_gb": 50}}})
    expected = H * 0.168 + 500 * 0.115 + 3000 * 0.02 + 50 * 0.095
    assert cost_of(stack, "Db") == money(expected) == 244.89


def test_rds_unresolved_storage_and_unknown_class() -> None:
    db = {
        "Type": "AWS::RDS::DBInstance",
        "Properties": {
            "Engine": "mysql",
            "DBInstanceClass": "db.t4g.micro",
            "AllocatedStorage": {"Ref": "Size"},
        },
    }
    stack = estimate({"Db": db})
    (line,) = stack.resources
    assert line.monthly_cost == money(H * 0.016 + 20 * 0.115)  # gp2 default, 20 GB assumed
    assert any("allocated storage (GiB) is not known" in a for a in line.assumptions)
    unknown = estimate(
        {
            "Db": {
                "Type": "AWS::RDS::DBInstance",
                "Properties": {"Engine": "mysql", "DBInstanceClass": "db.x9g.large"},
            }
        }
    )
    assert "db.x9g.large" in unknown.unsupported[0].reason


def test_s3_intelligent_tiering_from_day_zero() -> None:
    # 100 GB written evenly over 365 days: 30/365 Frequent (0.023), 60/365 Infrequent (0.0125),
    # 275/365 Archive Instant (0.004); 100 GB / 4 MB = 25,600 objects x 0.0000025;
    # 100,000 PUT x 0.000005 and 1,000,000 GET x 0.0000004.
    bucket = {
        "Type": "AWS::S3::Bucket",
        "Properties": {
            "LifecycleConfiguration": {
                "Rules": [
                    {
                        "Status": "Enabled",
                        "Transitions": [
                            {"StorageClass": "INTELLIGENT_TIERING", "TransitionInDays": 0}
                        ],
                    }
                ]
            }
        },
    }
    all_large = {"storage_gb": 100, "small_object_share": 0, "small_object_bytes_share": 0}
    stack = estimate({"B": bucket}, usage={"resources": {"B": all_large}})
    storage = 100 * (30 * 0.023 + 60 * 0.0125 + 275 * 0.004) / 365
    expected = storage + 25600 * 0.0000025 + 100000 * 0.000005 + 1000000 * 0.0000004
    assert cost_of(stack, "B") == money(expected) == 1.66


def _tiering_rule(**filters: Any) -> dict[str, Any]:
    return {
        "Id": "intelligent-tiering",
        "Status": "Enabled",
        "Transitions": [{"StorageClass": "INTELLIGENT_TIERING", "TransitionInDays": 0}],
        **filters,
    }


def test_s3_small_objects_stay_in_standard_under_a_size_filtered_tiering_rule() -> None:
    # The artifact bucket's rule: ObjectSizeGreaterThan 131072 (128 KiB). 100 GB, 10% of the
    # data and 90% of the objects at most 128 KB; 100 GB / 4 MB = 25,600 objects.
    # Small: 10 GB in Standard (0.023). Large: 90 GB written evenly over 365 days, 30/365 in
    # Frequent Access (0.023), 60/365 Infrequent (0.0125), 275/365 Archive Instant (0.004);
    # monitoring on the 10% of the objects over 128 KB: 2,560 x 0.0000025.
    bucket = {
        "Type": "AWS::S3::Bucket",
        "Properties": {
            "LifecycleConfiguration": {"Rules": [_tiering_rule(ObjectSizeGreaterThan="131072")]}
        },
    }
    usage = {"storage_gb": 100, "small_object_share": 0.9, "small_object_bytes_share": 0.1}
    stack = estimate({"B": bucket}, usage={"resources": {"B": usage}})
    parts = components(stack, "B")
    assert parts["Storage, Standard (10% of 100 GB)"] == pytest.approx(10 * 0.023)
    tiers = 90 * (30 * 0.023 + 60 * 0.0125 + 275 * 0.004) / 365
    monitoring = 2560 * 0.0000025
    monitored = "Intelligent-Tiering monitoring (2,560 objects over 128 KB, 10% of objects of 4 MB on average)"
    assert parts[monitored] == pytest.approx(monitoring)
    expected = 10 * 0.023 + tiers + monitoring + 100000 * 0.000005 + 1000000 * 0.0000004
    assert cost_of(stack, "B") == money(expected) == 1.76
    (line,) = stack.resources
    assert (
        "90% of the objects, 10.00% of the data, are at most 128 KB (small_object_share, "
        "small_object_bytes_share): S3 does not tier them in Intelligent-Tiering and charges "
        "them no monitoring fee"
    ) in line.assumptions
    assert not any("scoped" in a for a in line.assumptions)


def test_s3_small_objects_in_intelligent_tiering_stay_in_frequent_access_unmonitored() -> None:
    # No size filter: small objects enter Intelligent-Tiering but are never tiered (Frequent
    # Access, 0.023, no monitoring fee); the defaults (0.93 of objects, 0.0055 of the bytes).
    bucket = {
        "Type": "AWS::S3::Bucket",
        "Properties": {"LifecycleConfiguration": {"Rules": [_tiering_rule()]}},
    }
    stack = estimate({"B": bucket}, usage={"resources": {"B": {"storage_gb": 100}}})
    parts = components(stack, "B")
    frequent = 100 * 0.0055 * 0.023 + 100 * 0.9945 * 30 / 365 * 0.023
    # 0.55% + 99.45% x 30/365 = 8.7% of the data in Frequent Access.
    assert parts["Storage, Intelligent-Tiering Frequent Access (9% of 100 GB)"] == pytest.approx(
        frequent
    )
    objects = 25600 * (1 - 0.93)  # 1,792 objects over 128 KB
    monitored = "Intelligent-Tiering monitoring (1,792 objects over 128 KB, 7% of objects of 4 MB on average)"
    assert parts[monitored] == pytest.approx(objects * 0.0000025)


def test_s3_a_tag_filtered_rule_covers_no_data_and_says_so() -> None:
    # The retention archive rule moves only tagged objects: the estimate cannot know how many,
    # so no data goes to Glacier Instant Retrieval; 50 GB stay Standard (0.023).
    bucket = {
        "Type": "AWS::S3::Bucket",
        "Properties": {
            "LifecycleConfiguration": {
                "Rules": [
                    {
                        "Id": "retention-archive",
                        "Status": "Enabled",
                        "TagFilters": [{"Key": "mlflow-retention", "Value": "archive"}],
                        "Transitions": [{"StorageClass": "GLACIER_IR", "TransitionInDays": 0}],
                    }
                ]
            }
        },
    }
    stack = estimate({"B": bucket})
    assert cost_of(stack, "B") == money(50 * 0.023 + 0.5 + 0.4)
    assert not [n for n in components(stack, "B") if "Glacier" in n]
    (line,) = stack.resources
    assert (
        "lifecycle rule retention-archive moves only objects tagged mlflow-retention=archive: "
        "the tagged share is not known, so it is priced as covering no data"
    ) in line.assumptions


def test_s3_a_size_filter_splitting_an_object_size_is_assumed_to_take_all_of_it() -> None:
    # ObjectSizeGreaterThan 1 MB splits the objects over 128 KB: assumed to move them all
    # (said so); the small ones stay Standard: 0.0055 x 50 GB at 0.023, the rest Standard-IA.
    bucket = {
        "Type": "AWS::S3::Bucket",
        "Properties": {
            "LifecycleConfiguration": {
                "Rules": [
                    {
                        "Id": "big",
                        "Status": "Enabled",
                        "ObjectSizeGreaterThan": 1048576,
                        "Transitions": [{"StorageClass": "STANDARD_IA", "TransitionInDays": 0}],
                    }
                ]
            }
        },
    }
    stack = estimate({"B": bucket})
    expected = 50 * 0.0055 * 0.023 + 50 * 0.9945 * 0.0125 + 0.5 + 0.4
    assert cost_of(stack, "B") == money(expected)
    (line,) = stack.resources
    assert (
        "lifecycle rule big's size filter takes part of the objects over 128 KB; assumed to "
        "take all of them"
    ) in line.assumptions


def test_s3_small_object_shares_outside_zero_to_one_are_reported_not_priced() -> None:
    bucket = {"Type": "AWS::S3::Bucket", "Properties": {}}
    stack = estimate({"B": bucket}, usage={"resources": {"B": {"small_object_share": 1.5}}})
    (unsupported,) = stack.unsupported
    assert "small_object_share=1.5 is not a share between 0 and 1" in unsupported.reason


def test_s3_standard_without_lifecycle_and_standard_ia_transition() -> None:
    plain = estimate({"B": {"Type": "AWS::S3::Bucket", "Properties": {}}})
    assert cost_of(plain, "B") == money(50 * 0.023 + 0.5 + 0.4)
    ia = {
        "Type": "AWS::S3::Bucket",
        "Properties": {
            "LifecycleConfiguration": {
                "Rules": [
                    {
                        "Status": "Enabled",
                        "Transitions": [{"StorageClass": "STANDARD_IA", "TransitionInDays": 73}],
                    }
                ]
            }
        },
    }
    stack = estimate({"B": ia})
    # 73/365 = 20% stays Standard, 80% Standard-IA (0.0125).
    assert cost_of(stack, "B") == money(10 * 0.023 + 40 * 0.0125 + 0.5 + 0.4)


def test_alb_hours_lcu_and_public_ipv4_eu_west_1() -> None:
    # eu-west-1 ALB 0.0252/h, LCU 0.008/h; 3 AZs x 0.005/h IPv4.
    lb = {
        "Type": "AWS::ElasticLoadBalancingV2::LoadBalancer",
        "Properties": {"Subnets": ["a", "b", "c"]},
    }
    stack = estimate({"Lb": lb}, region="eu-west-1", usage={"resources": {"Lb": {"lcu": 2}}})
    assert cost_of(stack, "Lb") == money(H * 0.0252 + 2 * H * 0.008 + 3 * H * 0.005) == 41.03
    internal = estimate(
        {
            "Lb": {
                "Type": "AWS::ElasticLoadBalancingV2::LoadBalancer",
                "Properties": {"Scheme": "internal"},
            }
        }
    )
    assert cost_of(internal, "Lb") == money(H * 0.0225 + H * 0.008)


def test_nat_gateway_eip_and_endpoints() -> None:
    stack = estimate(
        {
            "Nat": {"Type": "AWS::EC2::NatGateway", "Properties": {}},
            "Ip": {"Type": "AWS::EC2::EIP", "Properties": {}},
            "Ecr": {
                "Type": "AWS::EC2::VPCEndpoint",
                "Properties": {"VpcEndpointType": "Interface", "SubnetIds": ["a", "b"]},
            },
            "S3": {"Type": "AWS::EC2::VPCEndpoint", "Properties": {"VpcEndpointType": "Gateway"}},
        }
    )
    assert not stack.unsupported
    # NAT gateway, us-east-1 (natgateway.json: 0.045/h, 0.045/GB), the default 10 GB processed:
    # 730 h x 0.045 + 10 GB x 0.045 = 32.85 + 0.45 = 33.30
    assert components(stack, "Nat") == {
        "NAT gateway": pytest.approx(H * 0.045),
        "Data processed": pytest.approx(10 * 0.045),
    }
    assert cost_of(stack, "Nat") == money(H * 0.045 + 10 * 0.045) == 33.3
    assert cost_of(stack, "Ip") == money(H * 0.005) == 3.65
    assert cost_of(stack, "Ecr") == money(2 * H * 0.01 + 10 * 0.01) == 14.7
    assert [f.logical_id for f in stack.free] == ["S3"]


def test_nat_gateway_in_sydney_and_sao_paulo() -> None:
    nat = {"Nat": {"Type": "AWS::EC2::NatGateway", "Properties": {}}}
    # Sydney (natgateway.json: 0.059/h, 0.059/GB), defaults:
    # 730 h x 0.059 + 10 GB x 0.059 = 43.07 + 0.59 = 43.66
    sydney = estimate(nat, region="ap-southeast-2")
    assert cost_of(sydney, "Nat") == money(H * 0.059 + 10 * 0.059) == 43.66
    # São Paulo (0.093/h, 0.093/GB), 250 GB processed, 360 hours:
    # 360 h x 0.093 + 250 GB x 0.093 = 33.48 + 23.25 = 56.73
    usage = {"resources": {"Nat": {"data_processed_gb": 250, "hours_per_month": 360}}}
    sao_paulo = estimate(nat, region="sa-east-1", usage=usage)
    assert components(sao_paulo, "Nat") == {
        "NAT gateway": pytest.approx(360 * 0.093),
        "Data processed": pytest.approx(250 * 0.093),
    }
    assert cost_of(sao_paulo, "Nat") == money(360 * 0.093 + 250 * 0.093) == 56.73
    (line,) = sao_paulo.resources
    assert {c.price_ref for c in line.components} == {
        "AmazonEC2/sa-east-1/NatGateway-Hours",
        "AmazonEC2/sa-east-1/NatGateway-Bytes",
    }


def test_log_group_flow_log_alarms_secret_key_zone() -> None:
    stack = estimate(
        {
            "Group": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 90}},
            "Flow": {"Type": "AWS::EC2::FlowLog", "Properties": {"LogGroupName": {"Ref": "Group"}}},
            "Other": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 30}},
            "Scale": {
                "Type": "AWS::ApplicationAutoScaling::ScalingPolicy",
                "Properties": {"PolicyType": "TargetTrackingScaling"},
            },
            "Secret": {"Type": "AWS::SecretsManager::Secret", "Properties": {}},
            "Key": {"Type": "AWS::KMS::Key", "Properties": {}},
            "Zone": {"Type": "AWS::Route53::HostedZone", "Properties": {"Name": "example.com"}},
        },
        region="eu-west-1",
    )
    # Flow log group: ingestion billed on the flow log; storage 1 GB x 3 months x 0.03.
    assert cost_of(stack, "Group") == money(3 * 0.03)
    assert cost_of(stack, "Flow") == 0.57  # vended logs eu-west-1 first tier, 1 GB
    assert cost_of(stack, "Other") == money(0.57 + 1 * 0.03)
    assert cost_of(stack, "Scale") == 0.2
    assert cost_of(stack, "Secret") == money(0.40 + 1000 * 0.000005)
    assert cost_of(stack, "Key") == money(1.0 + 10000 * 0.000003)
    assert cost_of(stack, "Zone") == 0.5


def test_free_and_unsupported_are_reported_by_name() -> None:
    stack = estimate(
        {
            "Role": {"Type": "AWS::IAM::Role", "Properties": {}},
            "Pool": {"Type": "AWS::GameLift::Fleet", "Properties": {}},
            "Custom": {"Type": "Custom::Thing", "Properties": {}},
        }
    )
    assert {f.logical_id: f.reason for f in stack.free} == {
        "Role": "IAM is free",
        "Custom": "deploy-time custom resource; its provider function is priced separately",
    }
    (pool,) = stack.unsupported
    assert (pool.type, pool.reason) == (
        "AWS::GameLift::Fleet",
        "no pricing function for this type",
    )
    assert stack.resources == []


def _ec2_style_task() -> dict[str, Any]:
    return {
        "Type": "AWS::ECS::TaskDefinition",
        "Properties": {"ContainerDefinitions": [{"Name": "web", "Memory": 512}]},
    }


def test_ecs_service_without_launch_type_on_an_ec2_cluster_is_billed_on_the_instances() -> None:
    # Before: priced as Fargate (1 vCPU / 2 GB defaults). ECS runs it on the EC2 launch type.
    svc = {
        "Type": "AWS::ECS::Service",
        "Properties": {"TaskDefinition": {"Ref": "Task"}, "Cluster": {"Ref": "Cluster"}},
    }
    stack = estimate(
        {
            "Task": _ec2_style_task(),
            "Svc": svc,
            "Cluster": {"Type": "AWS::ECS::Cluster", "Properties": {}},
        }
    )
    assert stack.resources == []
    (line,) = [f for f in stack.free if f.logical_id == "Svc"]
    assert "EC2 launch type" in line.reason


def test_ecs_service_without_launch_type_uses_the_cluster_default_strategy() -> None:
    svc = {
        "Type": "AWS::ECS::Service",
        "Properties": {
            "TaskDefinition": {"Ref": "Task"},
            "Cluster": {"Ref": "Cluster"},
            "DesiredCount": 2,
        },
    }
    stack = estimate(
        {
            "Task": fargate("512", "1024"),
            "Svc": svc,
            "Cluster": {"Type": "AWS::ECS::Cluster", "Properties": {}},
            "Assoc": {
                "Type": "AWS::ECS::ClusterCapacityProviderAssociations",
                "Properties": {
                    "Cluster": {"Ref": "Cluster"},
                    "CapacityProviders": ["FARGATE"],
                    "DefaultCapacityProviderStrategy": [
                        {"CapacityProvider": "FARGATE", "Weight": 1}
                    ],
                },
            },
        }
    )
    # ARM64: 2 x 0.5 vCPU x 730 x 0.03238 + 2 x 1 GB x 730 x 0.00356
    assert cost_of(stack, "Svc") == money(2 * 0.5 * H * 0.03238 + 2 * H * 0.00356)


def test_ecs_service_tasks_on_an_ec2_capacity_provider_are_not_priced_as_fargate() -> None:
    svc = service(3)
    del svc["Properties"]["LaunchType"]
    svc["Properties"]["CapacityProviderStrategy"] = [
        {"CapacityProvider": "FARGATE", "Base": 1, "Weight": 1},
        {"CapacityProvider": "AsgProvider", "Weight": 1},
    ]
    stack = estimate({"Task": fargate("512", "1024"), "Svc": svc})
    # base 1 on Fargate, the other 2 split 1:1: 2 Fargate tasks priced, 1 on the ASG.
    assert cost_of(stack, "Svc") == money(2 * 0.5 * H * 0.03238 + 2 * H * 0.00356)
    (line,) = stack.resources
    assert any("1 task(s) on capacity provider AsgProvider" in a for a in line.assumptions)


def test_aurora_mysql_1_cluster_and_its_provisioned_instance_sydney() -> None:
    # Engine "aurora" (Aurora MySQL 1) in older templates is Aurora MySQL. Sydney: instance
    # db.r6g.large 0.313/h; standard storage 0.11/GB-month, I/O 0.00000022 per request
    # (AWS's Aurora pricing-page data).
    stack = estimate(
        {
            "Cluster": {"Type": "AWS::RDS::DBCluster", "Properties": {"Engine": "aurora"}},
            "Writer": {
                "Type": "AWS::RDS::DBInstance",
                "Properties": {
                    "Engine": "aurora",
                    "DBInstanceClass": "db.r6g.large",
                    "DBClusterIdentifier": {"Ref": "Cluster"},
                },
            },
        },
        region="ap-southeast-2",
    )
    assert cost_of(stack, "Writer") == money(H * 0.313)
    assert cost_of(stack, "Cluster") == money(10 * 0.11 + 10e6 * 2.2e-7)
