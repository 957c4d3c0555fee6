"""The tracking server's load balancer on a bare stack: who may reach which listener."""

from __future__ import annotations

from typing import Any

from barestack import template, tracking_server_stack

from constructs.tracking_server import LoadBalancerSettings

ZONE = {
    "domain_name": "mlflow.example.com",
    "hosted_zone_id": "Z0123456789ABCDEFGHIJ",
    "hosted_zone_name": "example.com",
}


def _load_balancer_ingress(**settings: Any) -> set[tuple[Any, int]]:
    """(source CIDR, port) of every ingress rule on the load balancer's security group."""
    stack, _ = tracking_server_stack(LoadBalancerSettings(**settings))
    groups = template(stack).to_json()["Resources"]
    (sg,) = [
        v
        for k, v in groups.items()
        if v["Type"] == "AWS::EC2::SecurityGroup" and "LoadBalancerSecurityGroup" in k
    ]
    return {(r["CidrIp"], r["FromPort"]) for r in sg["Properties"]["SecurityGroupIngress"]}


def test_internet_facing_by_default() -> None:
    assert _load_balancer_ingress() == {("0.0.0.0/0", 80)}


def test_internal_load_balancer_admits_the_vpc_by_its_literal_cidr() -> None:
    """A literal CIDR, not the VPC's token: cdk-nag's EC23 cannot resolve a token and failed
    every synth of internal_load_balancer=true without ingress_cidrs."""
    assert _load_balancer_ingress(internal_load_balancer=True) == {("10.40.0.0/16", 80)}


def test_https_with_ingress_cidrs_keeps_the_redirect_port_closed_to_others() -> None:
    """The HTTP->HTTPS redirect listener used to open port 80 to 0.0.0.0/0 whatever
    ingress_cidrs said (and so failed synth on EC23)."""
    found = _load_balancer_ingress(**ZONE, ingress_cidrs=("10.0.0.0/8",))
    assert found == {("10.0.0.0/8", 80), ("10.0.0.0/8", 443)}


def test_internal_https_admits_only_the_vpc() -> None:
    found = _load_balancer_ingress(**ZONE, internal_load_balancer=True)
    assert found == {("10.40.0.0/16", 80), ("10.40.0.0/16", 443)}


def test_public_https_is_open_on_both_ports() -> None:
    assert _load_balancer_ingress(**ZONE) == {("0.0.0.0/0", 80), ("0.0.0.0/0", 443)}
