"""Networking: load balancers, NAT gateways, Elastic IPs, VPC endpoints, public IPv4."""

from __future__ import annotations

from cost.catalog import Price
from cost.catalog.spec import Page, PriceSpec
from cost.model import CostComponent
from cost.pricing.context import Free, PricingContext, Resource, Unpriceable
from cost.pricing.registry import HOURS, UsageKey, priced

ELB = "AWSELB"
EC2 = "AmazonEC2"
VPC = "AmazonVPC"
DEFAULT_AZS = 2

PUBLIC_IPV4 = PriceSpec(
    VPC,
    "VPC Public IPv4 Address",
    "PublicIPv4:InUseAddress",
    published=Page("vpc", "Hourly charge for In use Public IPv4 Addresses per Hrs", "Hrs"),
)
ALB = "Load Balancer-Application"
NLB = "Load Balancer-Network"
LB_PRICES = {
    "application": (
        ALB,
        PriceSpec(
            ELB,
            ALB,
            "LoadBalancerUsage",
            published=Page("elb", "Application Load Balancer Hours", "Hrs"),
        ),
        PriceSpec(
            ELB,
            ALB,
            "LCUUsage",
            published=Page("elb", "Application Load Balancer LCU Hours", "LCU-Hrs"),
        ),
        "LCU",
    ),
    "network": (
        NLB,
        PriceSpec(
            ELB,
            NLB,
            "LoadBalancerUsage",
            published=Page("elb", "Network Load Balancer Hours", "Hrs"),
        ),
        PriceSpec(
            ELB,
            NLB,
            "LCUUsage",
            published=Page("elb", "Network Load Balancer LCU Hours", "NLCU-Hrs"),
        ),
        "NLCU",
    ),
    "gateway": (
        "Load Balancer-Gateway",
        PriceSpec(
            ELB,
            "Load Balancer-Gateway",
            "LoadBalancerUsage",
            published=Page("elb", "Gateway Load Balancer Hours", "Hrs"),
        ),
        PriceSpec(
            ELB,
            "Load Balancer-Gateway",
            "LCUUsage",
            published=Page("elb", "Gateway Load Balancer LCU Hours", "GLCU-Hrs"),
        ),
        "GLCU",
    ),
}


def public_ipv4(ctx: PricingContext) -> Price:
    """Every public IPv4 address, in use or idle, is billed hourly (since February 2024)."""
    return ctx.price(PUBLIC_IPV4.service, PUBLIC_IPV4.family, PUBLIC_IPV4.usagetype)


@priced(
    "AWS::ElasticLoadBalancingV2::LoadBalancer",
    service="Load balancer",
    summary="Application, Network and Gateway Load Balancer hours and capacity-unit hours "
    "(LCU, NLCU, GLCU), public IPv4 per AZ when internet-facing",
    usage=(
        HOURS,
        UsageKey("lcu", 1, "average capacity units (LCU, NLCU or GLCU) consumed per hour"),
    ),
    prices=(*(spec for _, h, c, _ in LB_PRICES.values() for spec in (h, c)), PUBLIC_IPV4),
)
def price_load_balancer(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    props = resource.properties
    lb_type = ctx.text(props.get("Type"), "application", "load balancer type")
    if lb_type not in LB_PRICES:
        raise Unpriceable(f"load balancer type {lb_type!r} is not one AWS prices")
    family, _, _, capacity = LB_PRICES[lb_type]
    hours = ctx.hours
    lcu = ctx.usage.get("lcu") or 0.0
    unit = f"{capacity}-hours"
    components = [
        ctx.component(
            f"{lb_type.capitalize()} load balancer",
            "hours",
            hours,
            ctx.price(ELB, family, "LoadBalancerUsage"),
            usage_based=hours != 730,
        ),
        ctx.component(
            f"Capacity units ({lcu:g} {capacity} per hour)",
            unit,
            lcu * hours,
            ctx.price(ELB, family, "LCUUsage"),
            usage_based=True,
        ),
    ]
    scheme = ctx.text(props.get("Scheme"), "internet-facing", "load balancer scheme")
    if scheme == "internet-facing" and lb_type != "gateway":
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


_ENDPOINT_GB = "Charge for per GB data processed by VPC Endpoints per GB from "


@priced(
    "AWS::EC2::NatGateway",
    service="NAT gateway",
    summary="zonal NAT gateway hours and GB processed (its public IPv4 is billed on the Elastic "
    "IP; regional NAT gateways are reported unsupported)",
    usage=(HOURS, UsageKey("data_processed_gb", 10, "data processed per month, GB")),
    prices=(
        PriceSpec(
            EC2,
            "NAT Gateway",
            "NatGateway-Hours",
            published=Page("natgateway", "Hourly charge for NAT Gateways", "Hrs"),
        ),
        PriceSpec(
            EC2,
            "NAT Gateway",
            "NatGateway-Bytes",
            published=Page("natgateway", "Charge for per GB data processed by NatGateways", "GB"),
        ),
    ),
)
def price_nat_gateway(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    """Hours and data processed; its public IPv4 is billed on the Elastic IP resource."""
    mode = ctx.text(resource.properties.get("AvailabilityMode"), "zonal", "NAT gateway mode")
    if mode != "zonal":
        # Fail closed: the zonal rate is not what a multi-AZ gateway bills.
        raise Unpriceable(
            f"{mode} NAT gateways are not in the catalog: the vendored natgateway.json "
            "(published 2025-10-28) prices zonal NAT gateways only"
        )
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


@priced(
    "AWS::EC2::EIP",
    service="Public IPv4",
    summary="public IPv4 address hours",
    usage=(HOURS,),
    prices=(PUBLIC_IPV4,),
)
def price_elastic_ip(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    hours = ctx.hours
    return [
        ctx.component(
            "Public IPv4 address", "IP-hours", hours, public_ipv4(ctx), usage_based=hours != 730
        )
    ]


@priced(
    "AWS::EC2::VPCEndpoint",
    service="VPC endpoints",
    summary="interface endpoint AZ-hours and GB processed (gateway endpoints are free)",
    usage=(
        HOURS,
        UsageKey("data_processed_gb", 10, "data processed per month, GB (interface only)"),
    ),
    prices=(
        PriceSpec(
            VPC,
            "VpcEndpoint",
            "VpcEndpoint-Hours",
            published=Page("vpc", "Hourly charge for VPC Endpoints per Hrs", "Hrs"),
        ),
        PriceSpec(
            VPC,
            "VpcEndpoint",
            "VpcEndpoint-Bytes",
            published=Page(
                "vpc",
                unit="GB",
                tiers=(
                    (
                        0,
                        _ENDPOINT_GB + "0 to 1048576",
                    ),
                    (
                        1048576,
                        _ENDPOINT_GB + "1048576 to 5242880",
                    ),
                    (
                        5242880,
                        _ENDPOINT_GB + "5242880 to Inf",
                    ),
                ),
            ),
        ),
    ),
)
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
