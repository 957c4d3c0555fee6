"""The VPC: two AZs, flow logs, and one of three network modes for the tracking server.

- ``public``: tasks run in public subnets with a public IP (reachable only from the load
  balancer's security group) and no NAT gateway: the cheapest mode.
- ``nat``: tasks run in private subnets behind NAT gateways.
- ``endpoints``: tasks run in isolated subnets and reach AWS through VPC interface endpoints
  (ECR, CloudWatch Logs, Secrets Manager) and the S3 gateway endpoint; no internet egress.

The database always lives in isolated subnets. The S3 gateway endpoint (free) exists in
every mode so artifact traffic never crosses a NAT gateway or the internet.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_logs as logs

from constructs import Construct
from constructs.settings import LOG_RETENTION_DAYS, Cidr, retention, setting

NetworkMode = Literal["public", "nat", "endpoints"]


@dataclass(frozen=True, kw_only=True)
class NetworkSettings:
    """The VPC's settings (context keys are the field names)."""

    network_mode: NetworkMode = setting(
        "public", prod="endpoints", doc="where the tasks run and how they reach AWS (see above)"
    )
    vpc_cidr: str = setting(
        "10.40.0.0/16", check=Cidr(max_prefix=20), doc="the VPC's IPv4 address range"
    )
    nat_gateways: int = setting(1, between=(1, 2), doc="NAT gateways in `nat` mode")
    flow_log_retention_days: int = setting(
        30, dev=7, prod=90, one_of=LOG_RETENTION_DAYS, doc="VPC flow log retention (days)"
    )


# Interface endpoints a Fargate task needs to pull from ECR, ship logs and read secrets.
INTERFACE_ENDPOINTS: dict[str, ec2.InterfaceVpcEndpointAwsService] = {
    "EcrApi": ec2.InterfaceVpcEndpointAwsService.ECR,
    "EcrDocker": ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER,
    "Logs": ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
    "SecretsManager": ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
}


class Network(Construct):
    """A two-AZ VPC whose subnet layout follows the network mode."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: NetworkSettings,
        public_load_balancer: bool,
    ) -> None:
        super().__init__(scope, construct_id)
        mode = self.mode = settings.network_mode
        #: The VPC's CIDR as the literal setting (the VPC's own attribute is a token), for
        #: security group rules that must be checkable at synth time.
        cidr = self.cidr = settings.vpc_cidr

        subnets = [
            ec2.SubnetConfiguration(
                name="Isolated", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED, cidr_mask=24
            )
        ]
        needs_public = mode in ("public", "nat") or public_load_balancer
        if needs_public:
            subnets.insert(
                0,
                ec2.SubnetConfiguration(
                    name="Public",
                    subnet_type=ec2.SubnetType.PUBLIC,
                    cidr_mask=24,
                    map_public_ip_on_launch=False,
                ),
            )
        if mode == "nat":
            subnets.insert(
                1,
                ec2.SubnetConfiguration(
                    name="Private", subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS, cidr_mask=22
                ),
            )

        self.vpc = ec2.Vpc(
            self,
            "Vpc",
            ip_addresses=ec2.IpAddresses.cidr(cidr),
            max_azs=2,
            nat_gateways=settings.nat_gateways if mode == "nat" else 0,
            subnet_configuration=subnets,
            gateway_endpoints={
                "S3": ec2.GatewayVpcEndpointOptions(service=ec2.GatewayVpcEndpointAwsService.S3)
            },
        )

        # Retained on stack deletion (CDK's default) so the traffic record outlives the VPC.
        self.flow_log_group = logs.LogGroup(
            self, "FlowLogGroup", retention=retention(settings.flow_log_retention_days)
        )
        self.vpc.add_flow_log(
            "FlowLog",
            destination=ec2.FlowLogDestination.to_cloud_watch_logs(self.flow_log_group),
            traffic_type=ec2.FlowLogTrafficType.ALL,
        )

        if mode == "endpoints":
            # One security group for all endpoints: HTTPS from inside the VPC. The CIDR is the
            # literal setting (not the VPC's token) so it can be checked at synth time.
            self.endpoint_security_group = ec2.SecurityGroup(
                self,
                "EndpointSecurityGroup",
                vpc=self.vpc,
                description="VPC interface endpoints: HTTPS from inside the VPC",
                allow_all_outbound=False,
            )
            self.endpoint_security_group.add_ingress_rule(
                ec2.Peer.ipv4(cidr), ec2.Port.tcp(443), "HTTPS from the VPC"
            )
            for name, service in INTERFACE_ENDPOINTS.items():
                self.add_interface_endpoint(name, service)

    def add_interface_endpoint(
        self, name: str, service: ec2.IInterfaceVpcEndpointService
    ) -> ec2.InterfaceVpcEndpoint:
        """One more interface endpoint in `endpoints` mode (e.g. CloudWatch metrics for the run
        pricer), in the isolated subnets behind the endpoints' security group."""
        return self.vpc.add_interface_endpoint(
            f"{name}Endpoint",
            service=service,
            subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED),
            private_dns_enabled=True,
            security_groups=[self.endpoint_security_group],
            open=False,
        )

    @property
    def service_subnets(self) -> ec2.SubnetSelection:
        """Where the tracking server's tasks run."""
        subnet_type = {
            "public": ec2.SubnetType.PUBLIC,
            "nat": ec2.SubnetType.PRIVATE_WITH_EGRESS,
            "endpoints": ec2.SubnetType.PRIVATE_ISOLATED,
        }[self.mode]
        return ec2.SubnetSelection(subnet_type=subnet_type)

    @property
    def assign_public_ip(self) -> bool:
        """Tasks in public subnets need a public IP to reach ECR, Logs and Secrets Manager."""
        return self.mode == "public"

    @property
    def database_subnets(self) -> ec2.SubnetSelection:
        return ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)

    def load_balancer_subnets(self, *, internal: bool) -> ec2.SubnetSelection:
        """Internet-facing load balancers live in public subnets; internal ones beside the tasks."""
        if not internal:
            return ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC)
        return self.service_subnets
