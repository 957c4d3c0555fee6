"""The MLflow tracking server: ECS Fargate service behind an Application Load Balancer.

The image is built from `container/`; its entrypoint is configured only through environment
variables (plain ones below, secrets injected by ECS from Secrets Manager). The names here
are the container's contract: `tests/test_tracking_server.py` checks them against
`container/entrypoint.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from aws_cdk import Acknowledgment, Annotations, CfnOutput, Duration, Fn, Stack, Token, Validations
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecr_assets as ecr_assets
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_route53_targets as route53_targets
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk.region_info import FactName

from constructs import Construct

CONTAINER_DIR = Path(__file__).resolve().parent.parent / "container"
CONTAINER_PORT = 5000
#: Where the image keeps the RDS CA bundle (see container/Dockerfile).
RDS_CA_BUNDLE_PATH = "/app/rds-ca-bundle.pem"
#: Health endpoint MLflow answers without auth and without a Host check.
HEALTH_PATH = "/health"


@dataclass(frozen=True)
class ServerSettings:
    """Everything about the service that a profile chooses."""

    cpu_architecture: str
    task_cpu: int
    task_memory_mib: int
    workers: int
    threads: int
    default_permission: str
    desired_count: int
    min_tasks: int
    max_tasks: int
    scale_cpu_percent: int
    scale_requests_per_target: int
    log_retention: logs.RetentionDays
    container_insights: bool
    auth: str
    admin_username: str
    job_execution: bool


@dataclass(frozen=True)
class LoadBalancerSettings:
    domain_name: str | None
    certificate_arn: str | None
    hosted_zone_id: str | None
    hosted_zone_name: str | None
    internal: bool
    ingress_cidrs: tuple[str, ...]


class TrackingServer(Construct):
    """Cluster, task definition, service, load balancer, autoscaling and the app secrets."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        vpc: ec2.IVpc,
        service_subnets: ec2.SubnetSelection,
        load_balancer_subnets: ec2.SubnetSelection,
        assign_public_ip: bool,
        database_host: str,
        database_port: int,
        database_name: str,
        database_secret: secretsmanager.ISecret,
        artifacts_uri: str,
        access_log_bucket: s3.IBucket,
        server: ServerSettings,
        load_balancer: LoadBalancerSettings,
    ) -> None:
        super().__init__(scope, construct_id)
        lb = load_balancer
        https = lb.domain_name is not None and (
            lb.certificate_arn is not None or lb.hosted_zone_id is not None
        )

        self.cluster = ecs.Cluster(
            self,
            "Cluster",
            vpc=vpc,
            container_insights_v2=(
                ecs.ContainerInsights.ENABLED
                if server.container_insights
                else ecs.ContainerInsights.DISABLED
            ),
        )
        if not server.container_insights:
            Validations.of(self.cluster).acknowledge(
                Acknowledgment(
                    id="AwsSolutions-ECS4",
                    reason="Container Insights is off in this profile to save its per-metric "
                    "charge (container_insights=true turns it on; prod has it on). Service CPU "
                    "and memory metrics and the task logs remain.",
                )
            )

        self.log_group = logs.LogGroup(self, "Logs", retention=server.log_retention)

        # Generated secrets: the admin password (used when the admin user is first created)
        # and the Flask secret key, one value shared by every task.
        self.admin_secret = secretsmanager.Secret(
            self,
            "AdminPassword",
            description="MLflow basic-auth admin password",
            generate_secret_string=secretsmanager.SecretStringGenerator(
                password_length=32, exclude_characters="\"'\\`"
            ),
        )
        self.flask_secret = secretsmanager.Secret(
            self,
            "FlaskSecretKey",
            description="MLflow Flask secret key shared by all tracking server tasks",
            generate_secret_string=secretsmanager.SecretStringGenerator(
                password_length=64, exclude_punctuation=True
            ),
        )
        for secret, why in (
            (
                self.admin_secret,
                "The admin password seeds the admin user once; MLflow keeps its own hash, so "
                "rotating the secret would not change the login. Change it via MLflow's API.",
            ),
            (
                self.flask_secret,
                "All tasks must share one Flask secret key; rotating it logs every user out "
                "and needs a coordinated redeploy, so it is rotated by redeploying on purpose.",
            ),
        ):
            Validations.of(secret).acknowledge(Acknowledgment(id="AwsSolutions-SMG4", reason=why))

        architecture = (
            ecs.CpuArchitecture.ARM64
            if server.cpu_architecture == "ARM64"
            else ecs.CpuArchitecture.X86_64
        )
        self.task_definition = ecs.FargateTaskDefinition(
            self,
            "TaskDefinition",
            cpu=server.task_cpu,
            memory_limit_mib=server.task_memory_mib,
            runtime_platform=ecs.RuntimePlatform(
                cpu_architecture=architecture,
                operating_system_family=ecs.OperatingSystemFamily.LINUX,
            ),
        )
        image = ecs.ContainerImage.from_asset(
            str(CONTAINER_DIR),
            platform=(
                ecr_assets.Platform.LINUX_ARM64
                if server.cpu_architecture == "ARM64"
                else ecr_assets.Platform.LINUX_AMD64
            ),
            exclude=["__pycache__", "*.pyc", ".pytest_cache"],
        )

        self.load_balancer_security_group = ec2.SecurityGroup(
            self,
            "LoadBalancerSecurityGroup",
            vpc=vpc,
            description="MLflow load balancer",
            allow_all_outbound=False,
        )
        self.load_balancer = elbv2.ApplicationLoadBalancer(
            self,
            "LoadBalancer",
            vpc=vpc,
            vpc_subnets=load_balancer_subnets,
            internet_facing=not lb.internal,
            security_group=self.load_balancer_security_group,
            drop_invalid_header_fields=True,
        )
        self._log_access(access_log_bucket, prefix="alb")

        allowed_hosts = [self.load_balancer.load_balancer_dns_name]
        if lb.domain_name:
            allowed_hosts.append(lb.domain_name)

        environment = {
            "MLFLOW_DB_HOST": database_host,
            "MLFLOW_DB_PORT": str(database_port),
            "MLFLOW_DB_NAME": database_name,
            "MLFLOW_AUTH_DB_NAME": f"{database_name}_auth",
            "MLFLOW_DB_CA_BUNDLE": RDS_CA_BUNDLE_PATH,
            "MLFLOW_ARTIFACTS_DESTINATION": artifacts_uri,
            "MLFLOW_ALLOWED_HOSTS": Fn.join(",", allowed_hosts),
            "MLFLOW_AUTH": server.auth,
            "MLFLOW_AUTH_ADMIN_USERNAME": server.admin_username,
            "MLFLOW_AUTH_DEFAULT_PERMISSION": server.default_permission,
            "MLFLOW_WORKERS": str(server.workers),
            "MLFLOW_THREADS": str(server.threads),
            "MLFLOW_PORT": str(CONTAINER_PORT),
            "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "true" if server.job_execution else "false",
            "AWS_REGION": Stack.of(self).region,
            "AWS_DEFAULT_REGION": Stack.of(self).region,
        }
        secrets = {
            "MLFLOW_DB_USERNAME": ecs.Secret.from_secrets_manager(database_secret, "username"),
            "MLFLOW_DB_PASSWORD": ecs.Secret.from_secrets_manager(database_secret, "password"),
            "MLFLOW_AUTH_ADMIN_PASSWORD": ecs.Secret.from_secrets_manager(self.admin_secret),
            "MLFLOW_FLASK_SERVER_SECRET_KEY": ecs.Secret.from_secrets_manager(self.flask_secret),
        }
        self.container = self.task_definition.add_container(
            "mlflow",
            image=image,
            essential=True,
            environment=environment,
            secrets=secrets,
            port_mappings=[ecs.PortMapping(container_port=CONTAINER_PORT, name="http")],
            logging=ecs.LogDrivers.aws_logs(stream_prefix="mlflow", log_group=self.log_group),
            health_check=ecs.HealthCheck(
                command=[
                    "CMD",
                    "python",
                    "-c",
                    "import urllib.request; urllib.request.urlopen("
                    f"'http://127.0.0.1:{CONTAINER_PORT}{HEALTH_PATH}', timeout=4)",
                ],
                interval=Duration.seconds(30),
                timeout=Duration.seconds(5),
                retries=3,
                start_period=Duration.seconds(120),
            ),
            stop_timeout=Duration.seconds(30),
        )

        Validations.of(self.task_definition).acknowledge(
            Acknowledgment(
                id="AwsSolutions-ECS2",
                reason="The plain environment holds only non-secret settings (host names, schema "
                "names, flags); every credential arrives through ECS secrets from Secrets "
                "Manager.",
            )
        )
        execution_role = self.task_definition.obtain_execution_role()
        Validations.of(execution_role).acknowledge(
            Acknowledgment(
                id="AwsSolutions-IAM5[Resource::*]",
                reason="ecr:GetAuthorizationToken has no resource-level permissions; it must be "
                "granted on '*' for the task to pull its image.",
            )
        )

        self.service_security_group = ec2.SecurityGroup(
            self,
            "ServiceSecurityGroup",
            vpc=vpc,
            description="MLflow tracking server tasks: HTTP from the load balancer only",
            allow_all_outbound=False,
        )
        # Tasks reach ECR, CloudWatch Logs, Secrets Manager and S3 over HTTPS.
        self.service_security_group.add_egress_rule(
            ec2.Peer.any_ipv4(), ec2.Port.tcp(443), "HTTPS to AWS APIs"
        )

        self.service = ecs.FargateService(
            self,
            "Service",
            cluster=self.cluster,
            task_definition=self.task_definition,
            desired_count=server.desired_count,
            min_healthy_percent=100,
            max_healthy_percent=200,
            circuit_breaker=ecs.DeploymentCircuitBreaker(enable=True, rollback=True),
            assign_public_ip=assign_public_ip,
            vpc_subnets=service_subnets,
            security_groups=[self.service_security_group],
            health_check_grace_period=Duration.seconds(180),
            enable_execute_command=False,
            propagate_tags=ecs.PropagatedTagSource.SERVICE,
        )

        target_group = elbv2.ApplicationTargetGroup(
            self,
            "TargetGroup",
            vpc=vpc,
            port=CONTAINER_PORT,
            protocol=elbv2.ApplicationProtocol.HTTP,
            target_type=elbv2.TargetType.IP,
            targets=[self.service],
            deregistration_delay=Duration.seconds(30),
            health_check=elbv2.HealthCheck(
                path=HEALTH_PATH,
                healthy_http_codes="200",
                interval=Duration.seconds(15),
                timeout=Duration.seconds(5),
                healthy_threshold_count=2,
                unhealthy_threshold_count=3,
            ),
        )

        if https:
            certificate = self._certificate(lb)
            self.listener = self.load_balancer.add_listener(
                "Https",
                port=443,
                protocol=elbv2.ApplicationProtocol.HTTPS,
                certificates=[certificate],
                ssl_policy=elbv2.SslPolicy.RECOMMENDED_TLS,
                default_target_groups=[target_group],
                open=False,
            )
            self.load_balancer.add_redirect(source_port=80, target_port=443)
            listener_ports: tuple[int, ...] = (443, 80)
            self.url = f"https://{lb.domain_name}"
        else:
            self.listener = self.load_balancer.add_listener(
                "Http",
                port=80,
                protocol=elbv2.ApplicationProtocol.HTTP,
                default_target_groups=[target_group],
                open=False,
            )
            listener_ports = (80,)
            self.url = Fn.join("", ["http://", self.load_balancer.load_balancer_dns_name])
            Annotations.of(self).add_warning_v2(
                "mlflow:http-only",
                "The load balancer serves plain HTTP: passwords and data cross the network "
                "unencrypted. Set domain_name with certificate_arn or hosted_zone_id (and "
                "hosted_zone_name) to serve HTTPS only.",
            )

        self._allow_ingress(vpc, lb, listener_ports)
        self.service.connections.allow_from(
            self.load_balancer_security_group,
            ec2.Port.tcp(CONTAINER_PORT),
            "MLflow from the load balancer",
        )

        scaling = self.service.auto_scale_task_count(
            min_capacity=server.min_tasks, max_capacity=server.max_tasks
        )
        scaling.scale_on_cpu_utilization(
            "CpuScaling",
            target_utilization_percent=server.scale_cpu_percent,
            scale_in_cooldown=Duration.minutes(5),
            scale_out_cooldown=Duration.minutes(1),
        )
        scaling.scale_on_request_count(
            "RequestScaling",
            requests_per_target=server.scale_requests_per_target,
            target_group=target_group,
            scale_in_cooldown=Duration.minutes(5),
            scale_out_cooldown=Duration.minutes(1),
        )

        CfnOutput(self, "Url", value=self.url, description="MLflow tracking URI")
        CfnOutput(
            self,
            "AdminSecretArn",
            value=self.admin_secret.secret_arn,
            description="Secrets Manager secret holding the MLflow admin password",
        )
        CfnOutput(self, "AdminUsername", value=server.admin_username)
        CfnOutput(self, "LoadBalancerDnsName", value=self.load_balancer.load_balancer_dns_name)

    def _log_access(self, bucket: s3.IBucket, *, prefix: str) -> None:
        """Access logs to the log bucket, also in an environment-agnostic stack.

        CDK's log_access_logs needs a concrete region to pick the regional ELB account. Without
        one, the account comes from CDK's region fact table as a CloudFormation mapping lookup,
        which covers every region opened before August 2022; newer regions need `-c region=`.
        """
        stack = Stack.of(self)
        if not Token.is_unresolved(stack.region):
            self.load_balancer.log_access_logs(bucket, prefix=prefix)
            return
        elb_account = stack.regional_fact(FactName.ELBV2_ACCOUNT)
        bucket.grant_put(iam.AccountPrincipal(elb_account), f"{prefix}/AWSLogs/{stack.account}/*")
        self.load_balancer.set_attribute("access_logs.s3.enabled", "true")
        self.load_balancer.set_attribute("access_logs.s3.bucket", bucket.bucket_name)
        self.load_balancer.set_attribute("access_logs.s3.prefix", prefix)
        # The load balancer validates write access when logging is switched on.
        if bucket.policy is not None:
            self.load_balancer.node.add_dependency(bucket.policy)

    def _certificate(self, lb: LoadBalancerSettings) -> acm.ICertificate:
        assert lb.domain_name is not None
        zone = None
        if lb.hosted_zone_id and lb.hosted_zone_name:
            zone = route53.HostedZone.from_hosted_zone_attributes(
                self, "Zone", hosted_zone_id=lb.hosted_zone_id, zone_name=lb.hosted_zone_name
            )
            route53.ARecord(
                self,
                "AliasRecord",
                zone=zone,
                record_name=lb.domain_name,
                target=route53.RecordTarget.from_alias(
                    route53_targets.LoadBalancerTarget(self.load_balancer)
                ),
            )
        if lb.certificate_arn:
            return acm.Certificate.from_certificate_arn(self, "Certificate", lb.certificate_arn)
        assert zone is not None
        return acm.Certificate(
            self,
            "Certificate",
            domain_name=lb.domain_name,
            validation=acm.CertificateValidation.from_dns(zone),
        )

    def _allow_ingress(
        self, vpc: ec2.IVpc, lb: LoadBalancerSettings, ports: tuple[int, ...]
    ) -> None:
        sg = self.load_balancer_security_group
        cidrs = lb.ingress_cidrs
        if not cidrs:
            cidrs = ("0.0.0.0/0",) if not lb.internal else ()
        peers = [ec2.Peer.ipv4(c) for c in cidrs] or [ec2.Peer.ipv4(vpc.vpc_cidr_block)]
        for peer in peers:
            for port in ports:
                sg.add_ingress_rule(peer, ec2.Port.tcp(port), f"MLflow clients on {port}")
        if "0.0.0.0/0" in cidrs:
            Validations.of(sg).acknowledge(
                Acknowledgment(
                    id="AwsSolutions-EC23",
                    reason="Internet-facing load balancer for an authenticated MLflow (basic "
                    "auth on every path but /health). Restrict with ingress_cidrs or make it "
                    "internal with internal_load_balancer=true.",
                )
            )
