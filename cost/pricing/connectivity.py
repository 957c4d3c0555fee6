"""Connectivity: Site-to-Site and Client VPN, Network Firewall, Route 53 health checks and
Resolver endpoints, Transfer Family servers, and the types of these services that bill
nothing themselves.

Prices come from the files AWS's pricing pages load (`cost.catalog.sources`: vpc, route53,
networkfirewall, transfer). Data volumes, connections and queries come from usage keys. Tiers
apply per resource, not per account as AWS bills them, and no free tier is deducted.

Global Accelerator accelerators are not priced: AWS's globalaccelerator file holds its fixed
hourly fee only under a bare rate code (no dimension name says what it is), so the type is
left unsupported; its listeners and endpoint groups bill nothing themselves.
"""

from __future__ import annotations

from typing import Any

from cost.catalog.spec import Page, PriceSpec
from cost.model import CostComponent
from cost.pricing.context import PricingContext, Resource, Unpriceable, is_unresolved
from cost.pricing.network import DEFAULT_AZS, VPC
from cost.pricing.registry import HOURS, UsageKey, free, priced
from cost.pricing.security import ROUTE53

# --- Site-to-Site VPN ---------------------------------------------------------------------

VPN_CONNECTION = PriceSpec(
    VPC, "VPN Connection", None, published=Page("vpc", "CreateVpnConnection per Hrs", "Hrs")
)
#: A VPN connection that terminates on a transit gateway also bills the transit gateway's VPN
#: attachment (AWS's Transit Gateway rows for Site-to-Site VPN attachments, in the vpc file).
TGW_VPN_HOURS = PriceSpec(
    VPC,
    "Transit Gateway VPN attachment",
    None,
    published=Page(
        "vpc", "Hourly charge for Transit Gateway Site to-Site VPN attachments per hour", "Hrs"
    ),
)
TGW_VPN_BYTES = PriceSpec(
    VPC,
    "Transit Gateway VPN attachment data processed",
    None,
    published=Page(
        "vpc",
        "Charge for per GB data processed by AWS Transit Gateways for Site to-Site VPN "
        "attachments per GigaBytes",
        "GB",
    ),
)


@priced(
    "AWS::EC2::VPNConnection",
    service="Site-to-Site VPN",
    summary="VPN connection-hours; on a transit gateway also its VPN attachment hours and GB "
    "processed (from usage); data transfer out is not priced; accelerated connections are "
    "reported unsupported",
    usage=(
        HOURS,
        UsageKey(
            "data_processed_gb",
            10,
            "data the transit gateway processes for the VPN attachment per month, GB "
            "(transit gateway connections only)",
        ),
    ),
    prices=(VPN_CONNECTION, TGW_VPN_HOURS, TGW_VPN_BYTES),
)
def price_vpn_connection(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    props = resource.properties
    if ctx.flag(props.get("EnableAcceleration"), False, "EnableAcceleration"):
        raise Unpriceable(
            "EnableAcceleration: true: an accelerated VPN connection also bills Global "
            "Accelerator, whose fixed fee AWS's globalaccelerator file does not name"
        )
    hours = ctx.hours
    components = [
        ctx.component(
            "VPN connection",
            "connection-hours",
            hours,
            ctx.price(VPC, VPN_CONNECTION.family, None),
            usage_based=hours != 730,
        )
    ]
    if props.get("TransitGatewayId") is not None:
        components += [
            ctx.component(
                "Transit gateway VPN attachment",
                "attachment-hours",
                hours,
                ctx.price(VPC, TGW_VPN_HOURS.family, None),
                usage_based=hours != 730,
            ),
            ctx.component(
                "Transit gateway data processed",
                "GB",
                ctx.usage.get("data_processed_gb") or 0.0,
                ctx.price(VPC, TGW_VPN_BYTES.family, None),
                usage_based=True,
            ),
        ]
    return components


free(
    "no charge of its own; Site-to-Site VPN bills per connection-hour on the VPN connection",
    "AWS::EC2::VPNGateway",
    "AWS::EC2::CustomerGateway",
    "AWS::EC2::VPNGatewayRoutePropagation",
    "AWS::EC2::VPNConnectionRoute",
)

# --- Client VPN ---------------------------------------------------------------------------

#: AWS bills this rate per target-network association of an endpoint (its pricing page: an
#: endpoint with no association bills no hourly charge), so it is priced on the association.
CLIENT_VPN_ASSOCIATION = PriceSpec(
    VPC,
    "Client VPN endpoint association",
    None,
    published=Page("vpc", "Hourly charge for Client VPN Endpoints per Hourly", "Hrs"),
)
CLIENT_VPN_CONNECTION = PriceSpec(
    VPC,
    "Client VPN connection",
    None,
    published=Page("vpc", "Hourly charge for Client VPN connections per Hourly", "Hrs"),
)


@priced(
    "AWS::EC2::ClientVpnEndpoint",
    service="Client VPN",
    summary="client connection-hours (from usage); the hourly association charge is priced on "
    "each target-network association",
    usage=(
        UsageKey(
            "monthly_connection_hours",
            160,
            "client connection-hours per month, all clients together (160 = one client 8 "
            "hours a day, 20 days)",
        ),
    ),
    prices=(CLIENT_VPN_CONNECTION,),
)
def price_client_vpn_endpoint(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    return [
        ctx.component(
            "Client connections",
            "connection-hours",
            ctx.usage.get("monthly_connection_hours") or 0.0,
            ctx.price(VPC, CLIENT_VPN_CONNECTION.family, None),
            usage_based=True,
        )
    ]


@priced(
    "AWS::EC2::ClientVpnTargetNetworkAssociation",
    service="Client VPN",
    summary="endpoint association-hours (one subnet associated with a Client VPN endpoint)",
    usage=(HOURS,),
    prices=(CLIENT_VPN_ASSOCIATION,),
)
def price_client_vpn_association(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    hours = ctx.hours
    return [
        ctx.component(
            "Client VPN endpoint association",
            "association-hours",
            hours,
            ctx.price(VPC, CLIENT_VPN_ASSOCIATION.family, None),
            usage_based=hours != 730,
        )
    ]


free(
    "no charge of its own; Client VPN bills per association-hour and connection-hour",
    "AWS::EC2::ClientVpnAuthorizationRule",
    "AWS::EC2::ClientVpnRoute",
)

# --- Network Firewall ---------------------------------------------------------------------

NFW = "AWSNetworkFirewall"
NFW_ENDPOINT = PriceSpec(
    NFW,
    "Firewall endpoint",
    None,
    published=Page("networkfirewall", "AWS Firewall per Endpoint", "Hrs"),
)
NFW_DATA = PriceSpec(
    NFW,
    "Firewall data processed",
    None,
    published=Page("networkfirewall", "AWS Firewall per Throughput", "GB"),
)
FIREWALL_POLICY = "AWS::NetworkFirewall::FirewallPolicy"


def _uses_tls_inspection(resource: Resource, ctx: PricingContext) -> bool:
    policy = ctx.referenced(resource.properties.get("FirewallPolicyArn"), FIREWALL_POLICY)
    if policy is None:
        ctx.assume("the firewall policy is not in this template; assumed without TLS inspection")
        return False
    body = policy.properties.get("FirewallPolicy")
    return isinstance(body, dict) and body.get("TLSInspectionConfigurationArn") is not None


@priced(
    "AWS::NetworkFirewall::Firewall",
    service="Network Firewall",
    summary="firewall endpoint-hours (one endpoint per SubnetMappings entry) and GB processed "
    "(from usage); no discount on chained NAT gateways is deducted; TLS inspection and "
    "transit gateway attachment are reported unsupported",
    usage=(HOURS, UsageKey("data_processed_gb", 10, "data the firewall processes per month, GB")),
    prices=(NFW_ENDPOINT, NFW_DATA),
    reads=(FIREWALL_POLICY,),
)
def price_network_firewall(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    props = resource.properties
    if props.get("TransitGatewayId") is not None:
        raise Unpriceable(
            "a firewall attached to a transit gateway (TransitGatewayId) is not modelled: the "
            "networkfirewall file does not say how its endpoints and attachment bill"
        )
    if _uses_tls_inspection(resource, ctx):
        raise Unpriceable(
            "its firewall policy sets TLSInspectionConfigurationArn: TLS inspection bills an "
            "extra rate the networkfirewall file does not name ('-Advanced' rows only)"
        )
    mappings = props.get("SubnetMappings")
    endpoints = ctx.count_of(mappings, DEFAULT_AZS, "firewall subnet mappings")
    if endpoints == 0:
        raise Unpriceable("SubnetMappings is empty: a firewall needs at least one subnet")
    hours = ctx.hours
    return [
        ctx.component(
            f"Firewall endpoints ({endpoints})",
            "endpoint-hours",
            endpoints * hours,
            ctx.price(NFW, NFW_ENDPOINT.family, None),
            usage_based=hours != 730,
        ),
        ctx.component(
            "Data processed",
            "GB",
            ctx.usage.get("data_processed_gb") or 0.0,
            ctx.price(NFW, NFW_DATA.family, None),
            usage_based=True,
        ),
    ]


free(
    "configuration only; billed through the firewall's endpoint-hours and GB processed",
    FIREWALL_POLICY,
    "AWS::NetworkFirewall::RuleGroup",
)
free(
    "no charge of its own; a firewall whose policy uses it is reported unsupported (TLS "
    "inspection is not priced)",
    "AWS::NetworkFirewall::TLSInspectionConfiguration",
)
free(
    "no charge of its own; the logs bill as CloudWatch vended logs and at their destination "
    "(log group, S3 bucket or Firehose stream)",
    "AWS::NetworkFirewall::LoggingConfiguration",
)

# --- Route 53 health checks ---------------------------------------------------------------

#: Global rows: the route53 file lists health checks under the empty location ("").
HEALTH_CHECK = {
    aws: PriceSpec(
        ROUTE53,
        f"Health Check {label}",
        None,
        published=Page("route53", dimension, "Mo", location=""),
        global_service=True,
    )
    for aws, label, dimension in (
        (True, "AWS endpoint", "Basic Health checks AWS per Mo"),
        (False, "non-AWS endpoint", "Basic Health checks External Non AWS per Mo"),
    )
}
#: AWS's pricing page bills each optional feature (HTTPS, string matching, fast interval,
#: latency measurement) of a health check at this monthly rate.
HEALTH_CHECK_FEATURE = {
    aws: PriceSpec(
        ROUTE53,
        f"Health Check optional feature {label}",
        None,
        published=Page("route53", dimension, "Mo", location=""),
        global_service=True,
    )
    for aws, label, dimension in (
        (True, "AWS endpoint", "Optional Health Check Features AWS per Mo"),
        (False, "non-AWS endpoint", "Optional Health Check Features External Non AWS per Mo"),
    )
}
#: Resources whose address (Ref / Fn::GetAtt) makes a health check's endpoint an AWS one.
AWS_ENDPOINT_TYPES = (
    "AWS::EC2::EIP",
    "AWS::EC2::Instance",
    "AWS::EC2::NetworkInterface",
    "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "AWS::ElasticLoadBalancing::LoadBalancer",
    "AWS::CloudFront::Distribution",
    "AWS::S3::Bucket",
    "AWS::ApiGateway::RestApi",
    "AWS::ApiGateway::DomainName",
    "AWS::ApiGatewayV2::Api",
    "AWS::ApiGatewayV2::DomainName",
    "AWS::ElasticBeanstalk::Environment",
)
ENDPOINT_TYPES = ("HTTP", "HTTPS", "HTTP_STR_MATCH", "HTTPS_STR_MATCH", "TCP")
#: Health checks that probe no endpoint: they watch other health checks or an alarm.
NO_ENDPOINT_TYPES = ("CALCULATED", "CLOUDWATCH_METRIC")


def _aws_endpoint(config: dict[str, Any], ctx: PricingContext) -> bool:
    for field in ("IPAddress", "FullyQualifiedDomainName"):
        target = ctx.referenced(config.get(field))
        if target is not None and target.type in AWS_ENDPOINT_TYPES:
            return True
    ctx.assume(
        "the endpoint is not an AWS resource of this template; priced as a non-AWS endpoint "
        "(the higher rate)"
    )
    return False


def _features(kind: str, config: dict[str, Any], ctx: PricingContext) -> list[str]:
    features = []
    if kind.startswith("HTTPS"):
        features.append("HTTPS")
    if kind.endswith("_STR_MATCH"):
        features.append("string matching")
    interval = ctx.number(config.get("RequestInterval"), 30, "RequestInterval")
    if interval not in (10, 30):
        raise Unpriceable(f"RequestInterval {interval:g} is not 10 or 30 (seconds)")
    if interval == 10:
        features.append("fast interval")
    if ctx.flag(config.get("MeasureLatency"), False, "MeasureLatency"):
        features.append("latency measurement")
    return features


@priced(
    "AWS::Route53::HealthCheck",
    service="Route 53",
    summary="health check-months at the AWS-endpoint or non-AWS-endpoint rate, plus each "
    "optional feature (HTTPS, string matching, fast interval, latency measurement); the same "
    "in every region",
    prices=(*HEALTH_CHECK.values(), *HEALTH_CHECK_FEATURE.values()),
    reads=AWS_ENDPOINT_TYPES,
)
def price_health_check(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    config = resource.properties.get("HealthCheckConfig")
    if not isinstance(config, dict) or is_unresolved(config):
        raise Unpriceable("HealthCheckConfig is not an object in the template")
    kind = config.get("Type")
    if not isinstance(kind, str):
        raise Unpriceable("HealthCheckConfig.Type is not known at synth time")
    if kind in NO_ENDPOINT_TYPES:
        ctx.assume(f"a {kind} health check probes no endpoint; priced at the AWS-endpoint rate")
        aws, features = True, []
    elif kind in ENDPOINT_TYPES:
        aws = _aws_endpoint(config, ctx)
        features = _features(kind, config, ctx)
    elif kind == "RECOVERY_CONTROL":
        raise Unpriceable(
            "RECOVERY_CONTROL health checks are not modelled (Route 53 ARC billing is not in "
            "the route53 file)"
        )
    else:
        raise Unpriceable(
            f"HealthCheckConfig.Type {kind!r} is not one of "
            f"{', '.join((*ENDPOINT_TYPES, *NO_ENDPOINT_TYPES, 'RECOVERY_CONTROL'))}"
        )
    if aws:
        ctx.assume(
            "no free tier deducted (the file prices an account's first 50 AWS-endpoint "
            "health checks at 0)"
        )
    label = "AWS endpoint" if aws else "non-AWS endpoint"
    components = [
        ctx.component(
            f"Health check ({label})",
            "health-check-months",
            1,
            ctx.global_price(ROUTE53, HEALTH_CHECK[aws].family, None),
        )
    ]
    if features:
        components.append(
            ctx.component(
                f"Optional features ({', '.join(features)})",
                "feature-months",
                len(features),
                ctx.global_price(ROUTE53, HEALTH_CHECK_FEATURE[aws].family, None),
            )
        )
    return components


# --- Route 53 Resolver endpoints ----------------------------------------------------------

#: The route53 file's regional rows: "Query ENI" (and "Query DoH ENI" for endpoints serving
#: DNS over HTTPS) is the Resolver endpoint's hourly price per IP address (network
#: interface). "Query first 1B" / "Query over 1B" are the regional query rows: public DNS
#: queries are priced under the file's empty location, and in the regions whose rows carry
#: several names (Mexico (Central), Osaka, Taipei, Bangkok, Auckland) the same rate code is
#: also named "Query Resolver first 1B" / "over 1B".
RESOLVER_ENI = PriceSpec(
    ROUTE53, "Resolver endpoint ENI", None, published=Page("route53", "Query ENI", "Hrs")
)
RESOLVER_DOH_ENI = PriceSpec(
    ROUTE53, "Resolver endpoint ENI DoH", None, published=Page("route53", "Query DoH ENI", "Hrs")
)
RESOLVER_QUERIES = PriceSpec(
    ROUTE53,
    "Resolver endpoint queries",
    None,
    published=Page(
        "route53", unit="Queries", tiers=((0, "Query first 1B"), (1_000_000_000, "Query over 1B"))
    ),
)
RESOLVER_PROTOCOLS = ("Do53", "DoH", "DoH-FIPS")


def _resolver_protocols(value: Any, ctx: PricingContext) -> list[str]:
    if value is None:
        return ["Do53"]
    if not isinstance(value, list) or is_unresolved(value):
        ctx.assume("Protocols is not known at synth time; assumed Do53")
        return ["Do53"]
    protocols = []
    for protocol in value:
        if protocol not in RESOLVER_PROTOCOLS:
            raise Unpriceable(
                f"Protocols entry {protocol!r} is not one of {', '.join(RESOLVER_PROTOCOLS)}"
            )
        protocols.append(protocol)
    return protocols or ["Do53"]


@priced(
    "AWS::Route53Resolver::ResolverEndpoint",
    service="Route 53 Resolver",
    summary="IP address (network interface) hours, one per IpAddresses entry (DoH rate when "
    "it serves DNS over HTTPS), and DNS queries from usage, tiered",
    usage=(
        HOURS,
        UsageKey("monthly_queries", 1_000_000, "DNS queries the endpoint handles per month"),
    ),
    prices=(RESOLVER_ENI, RESOLVER_DOH_ENI, RESOLVER_QUERIES),
)
def price_resolver_endpoint(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    props = resource.properties
    if props.get("OutpostArn") is not None:
        raise Unpriceable("Resolver endpoints on Outposts are not in the route53 price file")
    addresses = ctx.count_of(props.get("IpAddresses"), 2, "endpoint IP addresses")
    protocols = _resolver_protocols(props.get("Protocols"), ctx)
    doh = any(p.startswith("DoH") for p in protocols)
    eni = RESOLVER_DOH_ENI if doh else RESOLVER_ENI
    hours = ctx.hours
    return [
        ctx.component(
            f"Endpoint IP addresses ({addresses}{', DoH' if doh else ''})",
            "ENI-hours",
            addresses * hours,
            ctx.price(ROUTE53, eni.family, None),
            usage_based=hours != 730,
        ),
        ctx.component(
            "DNS queries",
            "queries",
            ctx.usage.get("monthly_queries") or 0.0,
            ctx.price(ROUTE53, RESOLVER_QUERIES.family, None),
            usage_based=True,
            tiered=True,
        ),
    ]


free(
    "no rule charge in AWS's route53 price file; the queries a rule forwards bill on the "
    "outbound Resolver endpoint",
    "AWS::Route53Resolver::ResolverRule",
    "AWS::Route53Resolver::ResolverRuleAssociation",
)

# --- Transfer Family ----------------------------------------------------------------------

TRANSFER = "AWSTransfer"
FILE_PROTOCOLS = ("SFTP", "FTPS", "FTP")
TRANSFER_HOURS = {
    protocol: PriceSpec(
        TRANSFER,
        f"{protocol} endpoint",
        None,
        published=Page("transfer", f"Transfer {protocol} per Hourly", "Hrs"),
    )
    for protocol in (*FILE_PROTOCOLS, "AS2")
}
TRANSFER_UPLOAD = {
    protocol: PriceSpec(
        TRANSFER,
        f"{protocol} upload",
        None,
        published=Page("transfer", f"Transfer {protocol} Upload per GB", "GB"),
    )
    for protocol in FILE_PROTOCOLS
}
TRANSFER_DOWNLOAD = {
    protocol: PriceSpec(
        TRANSFER,
        f"{protocol} download",
        None,
        published=Page("transfer", f"Transfer {protocol} Download per GB", "GB"),
    )
    for protocol in FILE_PROTOCOLS
}
AS2_MESSAGES = {
    direction: PriceSpec(
        TRANSFER,
        f"AS2 {direction.lower()} message",
        None,
        published=Page("transfer", f"Transfer AS2 {direction} per Message", "Message"),
    )
    for direction in ("Inbound", "Outbound")
}
ALL_PROTOCOLS = (*FILE_PROTOCOLS, "AS2")


def _transfer_protocols(value: Any, ctx: PricingContext) -> list[str]:
    if value is None:
        return ["SFTP"]
    if not isinstance(value, list) or is_unresolved(value):
        ctx.assume("Protocols is not known at synth time; assumed SFTP")
        return ["SFTP"]
    protocols: list[str] = []
    for protocol in value:
        if is_unresolved(protocol):
            raise Unpriceable("a Protocols entry is not known at synth time")
        if protocol not in ALL_PROTOCOLS:
            raise Unpriceable(
                f"Protocols entry {protocol!r} is not one of {', '.join(ALL_PROTOCOLS)}"
            )
        if protocol not in protocols:
            protocols.append(protocol)
    if not protocols:
        raise Unpriceable("Protocols is empty: a server enables at least one protocol")
    return protocols


@priced(
    "AWS::Transfer::Server",
    service="Transfer Family",
    summary="endpoint-hours per enabled protocol (SFTP when unset), GB uploaded and downloaded "
    "(from usage, at the first file protocol's rates), AS2 messages (from usage)",
    usage=(
        HOURS,
        UsageKey("monthly_upload_gb", 10, "data uploaded through the server per month, GB"),
        UsageKey("monthly_download_gb", 10, "data downloaded through the server per month, GB"),
        UsageKey("monthly_as2_inbound_messages", 1000, "AS2 messages received per month"),
        UsageKey("monthly_as2_outbound_messages", 1000, "AS2 messages sent per month"),
    ),
    prices=(
        *TRANSFER_HOURS.values(),
        *TRANSFER_UPLOAD.values(),
        *TRANSFER_DOWNLOAD.values(),
        *AS2_MESSAGES.values(),
    ),
)
def price_transfer_server(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    protocols = _transfer_protocols(resource.properties.get("Protocols"), ctx)
    hours = ctx.hours
    components = [
        ctx.component(
            f"{protocol} endpoint",
            "protocol-hours",
            hours,
            ctx.price(TRANSFER, TRANSFER_HOURS[protocol].family, None),
            usage_based=hours != 730,
        )
        for protocol in protocols
    ]
    files = [p for p in protocols if p in FILE_PROTOCOLS]
    if files:
        first = files[0]
        if len(files) > 1:
            ctx.assume(f"all data is uploaded and downloaded over {first} (the first listed)")
        components += [
            ctx.component(
                f"Data uploaded ({first})",
                "GB",
                ctx.usage.get("monthly_upload_gb") or 0.0,
                ctx.price(TRANSFER, TRANSFER_UPLOAD[first].family, None),
                usage_based=True,
            ),
            ctx.component(
                f"Data downloaded ({first})",
                "GB",
                ctx.usage.get("monthly_download_gb") or 0.0,
                ctx.price(TRANSFER, TRANSFER_DOWNLOAD[first].family, None),
                usage_based=True,
            ),
        ]
    if "AS2" in protocols:
        for direction, key in (
            ("Inbound", "monthly_as2_inbound_messages"),
            ("Outbound", "monthly_as2_outbound_messages"),
        ):
            components.append(
                ctx.component(
                    f"AS2 messages {direction.lower()}",
                    "messages",
                    ctx.usage.get(key) or 0.0,
                    ctx.price(TRANSFER, AS2_MESSAGES[direction].family, None),
                    usage_based=True,
                )
            )
    return components


free(
    "no charge of its own; Transfer Family bills the server's protocol-hours and data",
    "AWS::Transfer::User",
)

# --- Global Accelerator -------------------------------------------------------------------

free(
    "no charge of its own; an accelerator bills its fixed hourly fee and data transfer premium",
    "AWS::GlobalAccelerator::Listener",
    "AWS::GlobalAccelerator::EndpointGroup",
)
