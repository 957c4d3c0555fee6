"""AWS::Cloud9::EnvironmentEC2: no Cloud9 charge; its EC2 instance (hours from usage and the
automatic stop) and its root volume, from the EC2 and EBS catalog rows; expected values
computed by hand from the catalog figures read (and quoted) below."""

from __future__ import annotations

from typing import Any

from cost.catalog import default_catalog
from cost.estimate import Estimator
from cost.model import StackCost
from cost.pricing.usage import Usage


def estimate(props: dict[str, Any], usage: dict[str, Any] | None = None) -> StackCost:
    estimator = Estimator(default_catalog(), Usage.from_mapping(usage or {}))
    resources = {"C9": {"Type": "AWS::Cloud9::EnvironmentEC2", "Properties": props}}
    return estimator.estimate_template({"Resources": resources}, name="t", region="us-east-1")


def catalog_figures() -> tuple[float, float]:
    catalog = default_catalog()
    t3_small = catalog.lookup(
        "AmazonEC2", "us-east-1", "Compute Instance Linux", None, instanceType="t3.small"
    ).usd
    gp2 = catalog.lookup("AmazonEC2", "us-east-1", "Storage", "EBS:VolumeUsage.gp2").usd
    return t3_small, gp2


def test_the_catalog_figures_used_below() -> None:
    assert catalog_figures() == (0.0208, 0.10)


def test_automatic_stop_adds_the_delay_after_each_session() -> None:
    (line,) = estimate(
        {"InstanceType": "t3.small", "AutomaticStopTimeMinutes": 60},
        {"resources": {"C9": {"active_hours_per_month": 100, "sessions_per_month": 30}}},
    ).resources
    # (100 h + 30 sessions x 60 min = 130 h) x 0.0208 = 2.704; 10 GiB gp2 x 0.10 = 1.00
    assert {c.name: round(c.monthly_cost, 4) for c in line.components} == {
        "Instance (t3.small)": 2.704,
        "Root volume (gp2, 10 GiB)": 1.00,
    }
    assert line.monthly_cost == 3.70
    assert any("100 h in use + 30 sessions x 60 min = 130" in a for a in line.assumptions)


def test_without_automatic_stop_the_instance_is_always_on() -> None:
    (line,) = estimate({"InstanceType": "t3.small", "AutomaticStopTimeMinutes": 0}).resources
    # 730 h x 0.0208 = 15.184 -> 15.18; + 1.00 (root volume) = 16.18
    assert line.monthly_cost == 16.18
    assert any("no automatic stop" in a for a in line.assumptions)


def test_an_unknown_instance_type_is_reported_not_zero() -> None:
    stack = estimate({"InstanceType": "t9.huge", "AutomaticStopTimeMinutes": 30})
    assert stack.resources == []
    (gap,) = stack.unsupported
    assert "instanceType=t9.huge" in (gap.reason or "")
