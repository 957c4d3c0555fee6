"""AWS::EMR::Cluster: each instance group's EC2 Linux on-demand hours plus the EMR charge per
instance-hour (the EMR pricing-page file, as flattened by its repository) and its EBS volumes;
expected values computed by hand from the catalog figures read (and quoted) below."""

from __future__ import annotations

from typing import Any

from cost.catalog import default_catalog
from cost.estimate import Estimator
from cost.model import StackCost
from cost.pricing.usage import Usage


def estimate(instances: dict[str, Any], usage: dict[str, Any] | None = None) -> StackCost:
    estimator = Estimator(default_catalog(), Usage.from_mapping(usage or {}))
    resources = {"C": {"Type": "AWS::EMR::Cluster", "Properties": {"Instances": instances}}}
    return estimator.estimate_template({"Resources": resources}, name="t", region="us-east-1")


def test_the_catalog_figures_used_below() -> None:
    catalog = default_catalog()
    fee = catalog.lookup(
        "ElasticMapReduce",
        "us-east-1",
        "Elastic Map Reduce Instance",
        None,
        instanceType="r5.2xlarge",
    )
    ec2 = catalog.lookup(
        "AmazonEC2", "us-east-1", "Compute Instance Linux", None, instanceType="r5.2xlarge"
    )
    gp2 = catalog.lookup("AmazonEC2", "us-east-1", "Storage", "EBS:VolumeUsage.gp2")
    assert (fee.usd, ec2.usd, gp2.usd) == (0.126, 0.504, 0.10)
    assert fee.source == "elasticmapreduce" and fee.effective_date == "2025-11-15"


def test_groups_for_the_hours_in_usage() -> None:
    (line,) = estimate(
        {
            "MasterInstanceGroup": {"InstanceCount": 1, "InstanceType": "r5.2xlarge"},
            "CoreInstanceGroup": {
                "InstanceCount": 3,
                "InstanceType": "r5.2xlarge",
                "EbsConfiguration": {
                    "EbsBlockDeviceConfigs": [
                        {"VolumeSpecification": {"SizeInGB": 100, "VolumeType": "gp2"}}
                    ]
                },
            },
        },
        {"resources": {"C": {"hours_per_month": 200}}},
    ).resources
    parts = {c.name: round(c.monthly_cost, 4) for c in line.components}
    # primary: 200 h x 0.504 = 100.80 (EC2) + 200 h x 0.126 = 25.20 (EMR)
    # core: 3 x 200 h x 0.504 = 302.40 + 3 x 200 h x 0.126 = 75.60; 3 x 100 GiB x 0.10 = 30.00
    assert parts == {
        "Primary EC2 (r5.2xlarge)": 100.80,
        "Primary EMR charge (r5.2xlarge)": 25.20,
        "Core EC2 (r5.2xlarge x 3)": 302.40,
        "Core EMR charge (r5.2xlarge x 3)": 75.60,
        "Core EBS (gp2, 100 GiB x 3)": 30.00,
    }
    assert line.monthly_cost == 534.00
    assert any("Primary: no EbsConfiguration" in a for a in line.assumptions)


def test_spot_and_unknown_types_are_reported_not_zero() -> None:
    spot = estimate({"MasterInstanceGroup": {"InstanceType": "m5.xlarge", "Market": "SPOT"}})
    assert "spot prices are not in the catalog" in (spot.unsupported[0].reason or "")
    unknown = estimate({"MasterInstanceGroup": {"InstanceType": "m3.huge"}})
    assert "instanceType=m3.huge" in (unknown.unsupported[0].reason or "")


def test_a_previous_generation_instance_type() -> None:
    # m3.xlarge, us-east-1: EC2 0.266/h (AWS's previous-generation file), EMR charge 0.07/h
    catalog = default_catalog()
    ec2 = catalog.lookup(
        "AmazonEC2", "us-east-1", "Compute Instance Linux", None, instanceType="m3.xlarge"
    )
    fee = catalog.lookup(
        "ElasticMapReduce",
        "us-east-1",
        "Elastic Map Reduce Instance",
        None,
        instanceType="m3.xlarge",
    )
    assert (ec2.usd, ec2.source, fee.usd) == (0.266, "ec2-previousgen", 0.07)
    old = estimate(
        {"MasterInstanceGroup": {"InstanceType": "m3.xlarge"}},
        {"resources": {"C": {"hours_per_month": 100}}},
    )
    (line,) = old.resources
    parts = {c.name: round(c.monthly_cost, 6) for c in line.components}
    # 100 h x 0.266 = 26.60 (EC2) + 100 h x 0.07 = 7.00 (EMR); instance store, no EBS line
    assert parts["Primary EC2 (m3.xlarge)"] == 26.60
    assert parts["Primary EMR charge (m3.xlarge)"] == 7.00


def test_a_task_group_resource() -> None:
    estimator = Estimator(default_catalog(), Usage.empty())
    group = {
        "Type": "AWS::EMR::InstanceGroupConfig",
        "Properties": {"InstanceRole": "TASK", "InstanceCount": 2, "InstanceType": "r5.2xlarge"},
    }
    stack = estimator.estimate_template({"Resources": {"G": group}}, name="t", region="us-east-1")
    (line,) = stack.resources
    # 2 x 730 h x 0.504 = 735.84 (EC2) + 2 x 730 h x 0.126 = 183.96 (EMR) = 919.80
    assert {c.name: round(c.monthly_cost, 4) for c in line.components} == {
        "Task EC2 (r5.2xlarge x 2)": 735.84,
        "Task EMR charge (r5.2xlarge x 2)": 183.96,
    }
    assert line.monthly_cost == 919.80
