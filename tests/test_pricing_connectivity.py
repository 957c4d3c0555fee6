"""Connectivity: Site-to-Site and Client VPN (AWS's vpc file), Network Firewall (its
networkfirewall file), Route 53 health checks and Resolver endpoints (its route53 file) and
Transfer Family servers (its transfer file). Expected values are computed by hand from the
catalog figures read (and quoted) in the first test."""

from __future__ import annotations

from typing import Any

import pytest

from cost.catalog import default_catalog
from cost.estimate import Estimator
from cost.model import ResourceCost, StackCost
from cost.pricing.usage import Usage

H = 730


def estimate(
    resources: dict[str, Any], usage: dict[str, Any] | None = None, region: str = "us-east-1"
) -> StackCost:
    estimator = Estimator(default_catalog(), Usage.from_mapping(usage or {}))
    return estimator.estimate_template({"Resources": resources}, name="t", region=region)


def res(rtype: str, **props: Any) -> dict[str, Any]:
    return {"Type": rtype, "Properties": props}


def line(stack: StackCost, logical_id: str) -> ResourceCost:
    (found,) = [r for r in stack.resources if r.logical_id == logical_id]
    return found


def parts(found: ResourceCost) -> dict[str, float]:
    return {c.name: round(c.monthly_cost, 6) for c in found.components}


def unsupported(stack: StackCost, logical_id: str) -> str:
    (found,) = [u for u in stack.unsupported if u.logical_id == logical_id]
    return found.reason


def free_reason(stack: StackCost, logical_id: str) -> str:
    (found,) = [f for f in stack.free if f.logical_id == logical_id]
    return found.reason


def test_the_catalog_figures_used_below() -> None:
    catalog = default_catalog()

    def usd(service: str, region: str, family: str) -> tuple[float, str]:
        price = catalog.lookup(service, region, family, None)
        return price.usd, price.source

    vpc = "AmazonVPC"
    assert usd(vpc, "us-east-1", "VPN Connection") == (0.05, "vpc")
    assert usd(vpc, "ap-northeast-1", "VPN Connection") == (0.048, "vpc")
    assert usd(vpc, "us-east-1", "Transit Gateway VPN attachment") == (0.05, "vpc")
    assert usd(vpc, "ap-southeast-2", "Transit Gateway VPN attachment") == (0.07, "vpc")
    assert usd(vpc, "us-east-1", "Transit Gateway VPN attachment data processed") == (0.02, "vpc")
    assert usd(vpc, "us-east-1", "Client VPN endpoint association") == (0.10, "vpc")
    assert usd(vpc, "ap-southeast-2", "Client VPN endpoint association") == (0.15, "vpc")
    assert usd(vpc, "us-east-1", "Client VPN connection") == (0.05, "vpc")
    nfw = "AWSNetworkFirewall"
    assert usd(nfw, "us-east-1", "Firewall endpoint") == (0.395, "networkfirewall")
    assert usd(nfw, "eu-central-1", "Firewall endpoint") == (0.395, "networkfirewall")
    assert usd(nfw, "us-east-1", "Firewall data processed") == (0.065, "networkfirewall")
    r53 = "AmazonRoute53"
    for family, figure in (
        ("Health Check AWS endpoint", 0.50),
        ("Health Check non-AWS endpoint", 0.75),
        ("Health Check optional feature AWS endpoint", 1.00),
        ("Health Check optional feature non-AWS endpoint", 2.00),
    ):
        assert usd(r53, "global", family) == (figure, "route53")
    assert usd(r53, "us-east-1", "Resolver endpoint ENI") == (0.125, "route53")
    assert usd(r53, "eu-west-1", "Resolver endpoint ENI DoH") == (0.125, "route53")
    queries = catalog.lookup(r53, "us-east-1", "Resolver endpoint queries", None)
    assert [(t.begin, t.end, t.usd) for t in queries.tiers] == [
        (0, 1e9, 4e-7),
        (1e9, None, 2e-7),
    ]
    transfer = "AWSTransfer"
    for protocol in ("SFTP", "FTPS", "FTP", "AS2"):
        assert usd(transfer, "us-east-1", f"{protocol} endpoint") == (0.30, "transfer")
    assert usd(transfer, "eu-west-1", "FTP upload") == (0.04, "transfer")
    assert usd(transfer, "us-east-1", "SFTP download") == (0.04, "transfer")
    assert usd(transfer, "us-east-1", "AS2 inbound message") == (0.01, "transfer")
    assert usd(transfer, "us-east-1", "AS2 outbound message") == (0.01, "transfer")


# --- Site-to-Site VPN ------------------------------------------------------------------


def test_a_vpn_connection_on_a_virtual_private_gateway_and_its_free_neighbours() -> None:
    resources = {
        "Cgw": res("AWS::EC2::CustomerGateway", BgpAsn=65000, IpAddress="203.0.113.1"),
        "Vgw": res("AWS::EC2::VPNGateway", Type="ipsec.1"),
        "Vpn": res(
            "AWS::EC2::VPNConnection",
            CustomerGatewayId={"Ref": "Cgw"},
            VpnGatewayId={"Ref": "Vgw"},
            Type="ipsec.1",
            StaticRoutesOnly=True,
        ),
        "Route": res(
            "AWS::EC2::VPNConnectionRoute",
            VpnConnectionId={"Ref": "Vpn"},
            DestinationCidrBlock="10.1.0.0/16",
        ),
        "Prop": res("AWS::EC2::VPNGatewayRoutePropagation", VpnGatewayId={"Ref": "Vgw"}),
    }
    stack = estimate(resources, region="ap-northeast-1")
    # Tokyo: 730 h x 0.048 = 35.04
    assert parts(line(stack, "Vpn")) == {"VPN connection": 35.04}
    for free_id in ("Cgw", "Vgw", "Route", "Prop"):
        assert "per connection-hour on the VPN connection" in free_reason(stack, free_id)


def test_a_vpn_connection_on_a_transit_gateway_adds_its_attachment() -> None:
    vpn = res("AWS::EC2::VPNConnection", CustomerGatewayId="c", TransitGatewayId="tgw-1")
    usage = {"resources": {"Vpn": {"data_processed_gb": 500, "hours_per_month": 100}}}
    found = line(estimate({"Vpn": vpn}, usage, region="ap-southeast-2"), "Vpn")
    # Sydney: 100 h x 0.05 = 5.00; 100 h x 0.07 = 7.00; 500 GB x 0.02 = 10.00
    assert parts(found) == {
        "VPN connection": 5.00,
        "Transit gateway VPN attachment": 7.00,
        "Transit gateway data processed": 10.00,
    }
    assert found.usage_based


def test_an_accelerated_vpn_connection_is_unsupported() -> None:
    vpn = res("AWS::EC2::VPNConnection", CustomerGatewayId="c", EnableAcceleration=True)
    reason = unsupported(estimate({"Vpn": vpn}), "Vpn")
    assert "EnableAcceleration" in reason and "globalaccelerator" in reason


# --- Client VPN ------------------------------------------------------------------------


def test_client_vpn_bills_associations_and_connections() -> None:
    resources = {
        "Ep": res("AWS::EC2::ClientVpnEndpoint", ClientCidrBlock="10.9.0.0/22"),
        "A1": res(
            "AWS::EC2::ClientVpnTargetNetworkAssociation",
            ClientVpnEndpointId={"Ref": "Ep"},
            SubnetId="subnet-a",
        ),
        "A2": res(
            "AWS::EC2::ClientVpnTargetNetworkAssociation",
            ClientVpnEndpointId={"Ref": "Ep"},
            SubnetId="subnet-b",
        ),
        "Auth": res(
            "AWS::EC2::ClientVpnAuthorizationRule",
            ClientVpnEndpointId={"Ref": "Ep"},
            TargetNetworkCidr="10.0.0.0/16",
            AuthorizeAllGroups=True,
        ),
        "Rt": res(
            "AWS::EC2::ClientVpnRoute",
            ClientVpnEndpointId={"Ref": "Ep"},
            DestinationCidrBlock="0.0.0.0/0",
            TargetVpcSubnetId="subnet-a",
        ),
    }
    usage = {"resources": {"Ep": {"monthly_connection_hours": 2000}}}
    stack = estimate(resources, usage, region="ap-southeast-2")
    # 2000 connection-hours x 0.05 = 100.00; Sydney: each association 730 h x 0.15 = 109.50
    assert parts(line(stack, "Ep")) == {"Client connections": 100.00}
    assert parts(line(stack, "A1")) == {"Client VPN endpoint association": 109.50}
    assert line(stack, "A2").monthly_cost == pytest.approx(109.50)
    assert "association-hour" in free_reason(stack, "Auth")
    assert "association-hour" in free_reason(stack, "Rt")


def test_a_client_vpn_endpoint_at_the_default_usage() -> None:
    found = line(estimate({"Ep": res("AWS::EC2::ClientVpnEndpoint")}), "Ep")
    # 160 connection-hours (default) x 0.05 = 8.00
    assert parts(found) == {"Client connections": 8.00} and found.usage_based


# --- Network Firewall ------------------------------------------------------------------


def firewall(**props: Any) -> dict[str, Any]:
    body = {"FirewallName": "fw", "FirewallPolicyArn": {"Ref": "Policy"}, "VpcId": "vpc-1"}
    body.update(props)
    return res("AWS::NetworkFirewall::Firewall", **body)


def policy(**extra: Any) -> dict[str, Any]:
    return res(
        "AWS::NetworkFirewall::FirewallPolicy",
        FirewallPolicyName="p",
        FirewallPolicy={
            "StatelessDefaultActions": ["aws:forward_to_sfe"],
            "StatelessFragmentDefaultActions": ["aws:forward_to_sfe"],
            **extra,
        },
    )


def test_a_firewall_bills_one_endpoint_per_subnet_mapping_and_its_gb() -> None:
    resources = {
        "Policy": policy(),
        "Fw": firewall(SubnetMappings=[{"SubnetId": s} for s in ("a", "b", "c")]),
        "Rules": res("AWS::NetworkFirewall::RuleGroup", Capacity=100, Type="STATEFUL"),
        "Logs": res(
            "AWS::NetworkFirewall::LoggingConfiguration",
            FirewallArn={"Ref": "Fw"},
            LoggingConfiguration={"LogDestinationConfigs": []},
        ),
    }
    usage = {"resources": {"Fw": {"data_processed_gb": 1000}}}
    stack = estimate(resources, usage, region="eu-central-1")
    found = line(stack, "Fw")
    # Frankfurt: 3 endpoints x 730 h x 0.395 = 865.05; 1000 GB x 0.065 = 65.00
    assert parts(found) == {"Firewall endpoints (3)": 865.05, "Data processed": 65.00}
    assert not any("policy" in a for a in found.assumptions)
    assert "endpoint-hours" in free_reason(stack, "Policy")
    assert "endpoint-hours" in free_reason(stack, "Rules")
    assert "vended logs" in free_reason(stack, "Logs")


def test_a_firewall_with_unknown_subnets_and_policy_states_its_assumptions() -> None:
    fw = firewall(FirewallPolicyArn="arn:aws:network-firewall:::p", SubnetMappings={"Ref": "S"})
    found = line(estimate({"Fw": fw}), "Fw")
    # 2 endpoints assumed x 730 h x 0.395 = 576.70; 10 GB (default) x 0.065 = 0.65
    assert parts(found) == {"Firewall endpoints (2)": 576.70, "Data processed": 0.65}
    assert any("assumed 2" in a for a in found.assumptions)
    assert any("without TLS inspection" in a for a in found.assumptions)


def test_tls_inspection_transit_gateway_and_no_subnets_are_unsupported() -> None:
    tls = {
        "Policy": policy(TLSInspectionConfigurationArn={"Ref": "Tls"}),
        "Fw": firewall(SubnetMappings=[{"SubnetId": "a"}]),
        "Tls": res("AWS::NetworkFirewall::TLSInspectionConfiguration"),
    }
    stack = estimate(tls)
    assert "TLSInspectionConfigurationArn" in unsupported(stack, "Fw")
    assert "TLS inspection" in free_reason(stack, "Tls")
    tgw = firewall(TransitGatewayId="tgw-1", AvailabilityZoneMappings=[{"AvailabilityZone": "a"}])
    assert "TransitGatewayId" in unsupported(estimate({"Fw": tgw}), "Fw")
    empty = firewall(FirewallPolicyArn="arn", SubnetMappings=[])
    assert "SubnetMappings is empty" in unsupported(estimate({"Fw": empty}), "Fw")


# --- Route 53 health checks ------------------------------------------------------------


def check(**config: Any) -> dict[str, Any]:
    return res("AWS::Route53::HealthCheck", HealthCheckConfig=config)


def test_a_health_check_of_a_template_resource_is_an_aws_endpoint_with_its_features() -> None:
    resources = {
        "Eip": res("AWS::EC2::EIP"),
        "Hc": check(
            Type="HTTPS_STR_MATCH",
            IPAddress={"Ref": "Eip"},
            SearchString="ok",
            RequestInterval=10,
            MeasureLatency=True,
        ),
    }
    found = line(estimate(resources, region="eu-west-1"), "Hc")
    # Global rows: 0.50 (AWS endpoint) + 4 features (HTTPS, string matching, fast interval,
    # latency measurement) x 1.00 = 4.00
    assert parts(found) == {
        "Health check (AWS endpoint)": 0.50,
        "Optional features (HTTPS, string matching, fast interval, latency measurement)": 4.00,
    }
    assert any("first 50 AWS-endpoint health checks" in a for a in found.assumptions)


def test_a_load_balancer_dns_name_is_an_aws_endpoint() -> None:
    resources = {
        "Lb": res("AWS::ElasticLoadBalancingV2::LoadBalancer", Subnets=["a", "b"]),
        "Hc": check(Type="HTTP", FullyQualifiedDomainName={"Fn::GetAtt": ["Lb", "DNSName"]}),
    }
    assert parts(line(estimate(resources), "Hc")) == {"Health check (AWS endpoint)": 0.50}


def test_an_endpoint_the_template_does_not_hold_is_priced_as_non_aws() -> None:
    found = line(estimate({"Hc": check(Type="TCP", IPAddress="198.51.100.7", Port=22)}), "Hc")
    # 0.75 (non-AWS endpoint), no optional feature
    assert parts(found) == {"Health check (non-AWS endpoint)": 0.75}
    assert any("priced as a non-AWS endpoint" in a for a in found.assumptions)
    interval = check(Type="HTTP", FullyQualifiedDomainName="example.com", RequestInterval=10)
    # 0.75 + fast interval x 2.00 (non-AWS) = 2.75
    assert line(estimate({"Hc": interval}), "Hc").monthly_cost == pytest.approx(2.75)


def test_calculated_checks_are_priced_at_the_aws_rate_and_bad_configs_are_unsupported() -> None:
    calculated = check(Type="CALCULATED", ChildHealthChecks=["a", "b"], HealthThreshold=1)
    found = line(estimate({"Hc": calculated}), "Hc")
    assert parts(found) == {"Health check (AWS endpoint)": 0.50}
    assert any("probes no endpoint" in a for a in found.assumptions)
    stack = estimate(
        {
            "Bad": check(Type="HTTP", FullyQualifiedDomainName="x", RequestInterval=20),
            "Arc": check(Type="RECOVERY_CONTROL", RoutingControlArn="arn"),
            "None": res("AWS::Route53::HealthCheck"),
        }
    )
    assert "RequestInterval 20 is not 10 or 30" in unsupported(stack, "Bad")
    assert "RECOVERY_CONTROL" in unsupported(stack, "Arc")
    assert "HealthCheckConfig is not an object" in unsupported(stack, "None")


# --- Route 53 Resolver endpoints -------------------------------------------------------


def endpoint(**props: Any) -> dict[str, Any]:
    body = {
        "Direction": "OUTBOUND",
        "SecurityGroupIds": ["sg-1"],
        "IpAddresses": [{"SubnetId": "a"}, {"SubnetId": "b"}],
    }
    body.update(props)
    return res("AWS::Route53Resolver::ResolverEndpoint", **body)


def test_a_resolver_endpoint_bills_each_ip_address_and_its_queries_tiered() -> None:
    resources = {
        "Out": endpoint(IpAddresses=[{"SubnetId": s} for s in "abcd"]),
        "Rule": res(
            "AWS::Route53Resolver::ResolverRule",
            RuleType="FORWARD",
            DomainName="corp.example",
            ResolverEndpointId={"Ref": "Out"},
        ),
        "Assoc": res(
            "AWS::Route53Resolver::ResolverRuleAssociation", ResolverRuleId={"Ref": "Rule"}
        ),
    }
    usage = {"resources": {"Out": {"monthly_queries": 1_500_000_000}}}
    stack = estimate(resources, usage)
    # 4 ENIs x 730 h x 0.125 = 365.00; 1e9 x 4e-7 + 0.5e9 x 2e-7 = 400 + 100 = 500.00
    assert parts(line(stack, "Out")) == {"Endpoint IP addresses (4)": 365.00, "DNS queries": 500.00}
    assert "outbound Resolver endpoint" in free_reason(stack, "Rule")
    assert "outbound Resolver endpoint" in free_reason(stack, "Assoc")


def test_a_doh_endpoint_uses_the_doh_row_and_bad_values_are_unsupported() -> None:
    found = line(estimate({"In": endpoint(Protocols=["Do53", "DoH"])}, region="eu-west-1"), "In")
    # Ireland: 2 ENIs x 730 h x 0.125 = 182.50 (DoH row); 1 M queries (default) x 4e-7 = 0.40
    assert parts(found) == {"Endpoint IP addresses (2, DoH)": 182.50, "DNS queries": 0.40}
    stack = estimate(
        {"Dot": endpoint(Protocols=["DoT"]), "Op": endpoint(OutpostArn="arn:aws:outposts:::o")}
    )
    assert "Protocols entry 'DoT'" in unsupported(stack, "Dot")
    assert "Outposts" in unsupported(stack, "Op")


# --- Transfer Family -------------------------------------------------------------------


def test_a_transfer_server_defaults_to_sftp() -> None:
    stack = estimate(
        {
            "S": res("AWS::Transfer::Server"),
            "U": res("AWS::Transfer::User", ServerId={"Ref": "S"}, UserName="u", Role="r"),
        }
    )
    # 730 h x 0.30 = 219.00; 10 GB up and 10 GB down (defaults) x 0.04 = 0.40 each
    assert parts(line(stack, "S")) == {
        "SFTP endpoint": 219.00,
        "Data uploaded (SFTP)": 0.40,
        "Data downloaded (SFTP)": 0.40,
    }
    assert "protocol-hours" in free_reason(stack, "U")


def test_each_protocol_bills_its_hours_and_as2_its_messages() -> None:
    server = res("AWS::Transfer::Server", Protocols=["FTPS", "SFTP", "AS2"])
    usage = {
        "resources": {
            "S": {
                "monthly_upload_gb": 200,
                "monthly_download_gb": 50,
                "monthly_as2_inbound_messages": 3000,
                "monthly_as2_outbound_messages": 500,
            }
        }
    }
    found = line(estimate({"S": server}, usage, region="eu-west-1"), "S")
    # Ireland: 3 protocols x 730 h x 0.30 = 219.00 each; 200 GB x 0.04 = 8.00; 50 GB x 0.04 =
    # 2.00 (at FTPS, the first file protocol); 3000 x 0.01 = 30.00; 500 x 0.01 = 5.00
    assert parts(found) == {
        "FTPS endpoint": 219.00,
        "SFTP endpoint": 219.00,
        "AS2 endpoint": 219.00,
        "Data uploaded (FTPS)": 8.00,
        "Data downloaded (FTPS)": 2.00,
        "AS2 messages inbound": 30.00,
        "AS2 messages outbound": 5.00,
    }
    assert any("over FTPS (the first listed)" in a for a in found.assumptions)


def test_an_as2_only_server_has_no_data_lines_and_bad_protocols_are_unsupported() -> None:
    found = line(estimate({"S": res("AWS::Transfer::Server", Protocols=["AS2"])}), "S")
    # 730 h x 0.30 = 219.00; 1000 messages each way (defaults) x 0.01 = 10.00 each
    assert parts(found) == {
        "AS2 endpoint": 219.00,
        "AS2 messages inbound": 10.00,
        "AS2 messages outbound": 10.00,
    }
    unknown = line(estimate({"S": res("AWS::Transfer::Server", Protocols={"Ref": "P"})}), "S")
    assert any("assumed SFTP" in a for a in unknown.assumptions)
    stack = estimate(
        {
            "Empty": res("AWS::Transfer::Server", Protocols=[]),
            "Scp": res("AWS::Transfer::Server", Protocols=["SFTP", "SCP"]),
        }
    )
    assert "Protocols is empty" in unsupported(stack, "Empty")
    assert "Protocols entry 'SCP'" in unsupported(stack, "Scp")


# --- Global Accelerator ----------------------------------------------------------------


def test_an_accelerator_is_unsupported_and_its_listeners_are_free() -> None:
    stack = estimate(
        {
            "Acc": res("AWS::GlobalAccelerator::Accelerator", Name="a"),
            "L": res(
                "AWS::GlobalAccelerator::Listener",
                AcceleratorArn={"Ref": "Acc"},
                Protocol="TCP",
                PortRanges=[{"FromPort": 443, "ToPort": 443}],
            ),
            "G": res(
                "AWS::GlobalAccelerator::EndpointGroup",
                ListenerArn={"Ref": "L"},
                EndpointGroupRegion="us-east-1",
            ),
        }
    )
    assert [u.logical_id for u in stack.unsupported] == ["Acc"]
    assert "fixed hourly fee" in free_reason(stack, "L")
    assert "fixed hourly fee" in free_reason(stack, "G")
