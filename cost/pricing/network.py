"""Networking: load balancers, NAT gateways, Elastic IPs, VPC endpoints, public IPv4."""

from __future__ import annotations

from cost.catalog import Price
from cost.model import CostComponent
from cost.pricing.context import Free, PricingContext, Resource, Unpriceable

ELB = "AWSELB"
EC2 = "AmazonEC2"
VPC = "AmazonVPC"
DEFAULT_AZS = 2


def public_ipv4(ctx: PricingContext) -> Price:
    """Every public IPv4 address, in use or idle, is billed hourly (since February 2024)."""
    return ctx.price(VPC, "VPC Public IPv4 Address", "PublicIPv4:InUseAddress")


def price_load_balancer(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    props = resource.properties
    lb_type = ctx.text(props.get("Type"), "application", "load balancer type")
    families = {"application": "Load Balancer-Application", "network": "Load Balancer-Network"}
    if lb_type not in families:
        raise Unpriceable(f"{lb_type} load balancers are not in the price catalog")
    family = families[lb_type]
    hours = ctx.hours
    lcu = ctx.usage.get("lcu") or 0.0
    unit = "LCU-hours" if lb_type == "application" else "NLCU-hours"
    components = [
        ctx.component(
            f"{lb_type.capitalize()} load balancer",
            "hours",
            hours,
            ctx.price(ELB, family, "LoadBalancerUsage"),
            usage_based=hours != 730,
        ),
        ctx.component(
            f"Capacity units ({lcu:g} per hour)",
            unit,
            lcu * hours,
            ctx.price(ELB, family, "LCUUsage"),
            usage_based=True,
        ),
    ]
    scheme = ctx.text(props.get("Scheme"), "internet-facing", "load balancer scheme")
    if scheme == "internet-facing":
        subnets = props.get("Subnets")
        if subnets is None and props.get("SubnetMappings") is not None:
            subnets = props.get("SubnetMappings")
        nodes = ctx.count_of(subnets, DEFAULT_AZS, "load balancer subnets")
        ctx.assume("an internet-facing load balancer holds one public IPv4 address per AZ")
        components.append(
            ctx.component(
                f"Public IPv4 addresses ({nodes} AZ(s))",
                "IP-hours",
                nodes * hours,
                public_ipv4(ctx),
                usage_based=hours != 730,
            )
        )
    return components


def price_nat_gateway(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    """Hours and data processed; its public IPv4 is billed on the Elastic IP resource."""
    hours = ctx.hours
    data_gb = ctx.usage.get("data_processed_gb") or 0.0
    return [
        ctx.component(
            "NAT gateway",
            "hours",
            hours,
            ctx.price(EC2, "NAT Gateway", "NatGateway-Hours"),
            usage_based=hours != 730,
        ),
        ctx.component(
            "Data processed",
            "GB",
            data_gb,
            ctx.price(EC2, "NAT Gateway", "NatGateway-Bytes"),
            usage_based=True,
        ),
    ]


def price_elastic_ip(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    hours = ctx.hours
    return [
        ctx.component(
            "Public IPv4 address", "IP-hours", hours, public_ipv4(ctx), usage_based=hours != 730
        )
    ]


def price_vpc_endpoint(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    """Interface endpoints cost per AZ-hour and per GB; gateway endpoints are free."""
    props = resource.properties
    endpoint_type = ctx.text(props.get("VpcEndpointType"), "Gateway", "endpoint type")
    if endpoint_type == "Gateway":
        raise Free("gateway endpoints (S3, DynamoDB) have no hourly or data charge")
    if endpoint_type != "Interface":
        raise Unpriceable(f"{endpoint_type} endpoints are not in the price catalog")
    azs = ctx.count_of(props.get("SubnetIds"), DEFAULT_AZS, "endpoint subnets")
    hours = ctx.hours
    data_gb = ctx.usage.get("data_processed_gb") or 0.0
    return [
        ctx.component(
            f"Interface endpoint ({azs} AZ(s))",
            "endpoint-hours",
            azs * hours,
            ctx.price(VPC, "VpcEndpoint", "VpcEndpoint-Hours"),
            usage_based=hours != 730,
        ),
        ctx.component(
            "Data processed",
            "GB",
            data_gb,
            ctx.price(VPC, "VpcEndpoint", "VpcEndpoint-Bytes"),
            usage_based=True,
            tiered=True,
        ),
    ]
