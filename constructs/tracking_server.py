"""The MLflow tracking server: ECS Fargate service behind an Application Load Balancer.

The image is built from `container/`; its entrypoint is configured only through environment
variables (plain ones below, secrets injected by ECS from Secrets Manager). The names here
are the container's contract: tests check them (and that the container accepts every value the
settings allow) against `container/entrypoint.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Literal

from aws_cdk import (
    Acknowledgment,
    Annotations,
    CfnOutput,
    Duration,
    Fn,
    IgnoreMode,
    Stack,
    Token,
    Validations,
)
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
from constructs.settings import LOG_RETENTION_DAYS, Cidr, Matches, OneOf, Rule, retention, setting

REPO_ROOT = Path(__file__).resolve().parent.parent
CONTAINER_DIR = REPO_ROOT / "container"
#: The image's build context: the repository root reduced to container/ and cost/ by the
#: patterns of container/Dockerfile.dockerignore (Docker ignore syntax; Docker reads the same
#: file for `docker build -f container/Dockerfile .`).
IMAGE_IGNORE_FILE = CONTAINER_DIR / "Dockerfile.dockerignore"
IMAGE_EXCLUDE = tuple(
    line.strip()
    for line in IMAGE_IGNORE_FILE.read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.lstrip().startswith("#")
)
CONTAINER_PORT = 5000
#: Where the image keeps the RDS CA bundle (see container/Dockerfile).
RDS_CA_BUNDLE_PATH = "/app/rds-ca-bundle.pem"
#: Health endpoint MLflow answers without auth and without a Host check.
HEALTH_PATH = "/health"

CpuArchitecture = Literal["ARM64", "X86_64"]
AuthMode = Literal["basic", "none"]


Permission = Literal["NO_PERMISSIONS", "READ", "USE", "EDIT", "MANAGE"]

# Fargate task sizes: CPU units -> allowed memory (MiB).
FARGATE_SIZES: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4096 + 1, 1024)),
    1024: tuple(range(2048, 8192 + 1, 1024)),
    2048: tuple(range(4096, 16384 + 1, 1024)),
    4096: tuple(range(8192, 30720 + 1, 1024)),
    8192: tuple(range(16384, 61440 + 1, 4096)),
    16384: tuple(range(32768, 122880 + 1, 8192)),
}


def _memory_problem(s: ServerSettings) -> str:
    allowed = FARGATE_SIZES[s.task_cpu]
    step = allowed[1] - allowed[0] if len(allowed) > 1 else allowed[0]
    return (
        f"task_memory_mib={s.task_memory_mib!r} is not a Fargate size for task_cpu="
        f"{s.task_cpu}; allowed: {allowed[0]} to {allowed[-1]} in steps of {step}"
    )


@dataclass(frozen=True, kw_only=True)
class ServerSettings:
    """The tasks and the service (context keys are the field names)."""

    cpu_architecture: CpuArchitecture = setting("ARM64", doc="task CPU architecture")
    # Sized from `make bench-server` (README, "Fargate sizing"): two workers of ~250 MB.
    task_cpu: int = setting(
        512, dev=256, lean=256, prod=1024, one_of=tuple(FARGATE_SIZES), doc="Fargate CPU units"
    )
    task_memory_mib: int = setting(
        1024,
        prod=2048,
        doc="Fargate memory (MiB), a valid combination with `task_cpu`",
    )
    server_workers: int = setting(
        2, dev=1, lean=1, prod=3, between=(1, 32), doc="gunicorn worker processes per task"
    )
    server_threads: int = setting(2, between=(1, 32), doc="threads per worker")
    desired_count: int = setting(
        1, prod=2, doc="tasks at deployment, within `min_tasks`..`max_tasks`"
    )
    min_tasks: int = setting(1, prod=2, between=(1, 100), doc="autoscaling minimum")
    max_tasks: int = setting(2, dev=1, lean=1, prod=6, between=(1, 100), doc="autoscaling maximum")
    scale_cpu_percent: int = setting(70, between=(10, 95), doc="target CPU utilization (%)")
    scale_requests_per_target: int = setting(
        3000, between=(1, 1_000_000), doc="target requests per task per minute"
    )
    log_retention_days: int = setting(
        30,
        dev=7,
        prod=90,
        one_of=LOG_RETENTION_DAYS,
        doc="tracking server log retention (days)",
    )
    container_insights: bool = setting(False, prod=True, doc="ECS Container Insights")
    auth: AuthMode = setting(
        "basic", doc="`basic`: MLflow basic auth on every path but `/health`; `none`: no login"
    )
    admin_username: str = setting(
        "admin",
        check=Matches(
            r"[A-Za-z][A-Za-z0-9_.-]{0,63}",
            what=None,
            allowed="a letter, then up to 63 letters, digits, '_', '.' or '-'",
        ),
        doc="MLflow admin user",
    )
    auth_default_permission: Permission = setting(
        "NO_PERMISSIONS",
        doc="what a user may do on experiments nobody granted them; creators get `MANAGE`",
    )
    job_execution: bool = setting(
        False,
        one_of=OneOf(
            (False,),
            refusal="is not supported by this image: it does not run MLflow's job runner "
            "(about 2 GB more per task; its endpoints were CVE-2026-0545)",
        ),
        doc="MLflow job execution: must stay false; the image does not run MLflow's job "
        "runner (about 2 GB more per task, CVE-2026-0545) and synth says so",
    )

    RULES: ClassVar[tuple[Rule[ServerSettings], ...]] = (
        Rule(
            reads=("task_cpu", "task_memory_mib"),
            broken=lambda s: s.task_memory_mib not in FARGATE_SIZES[s.task_cpu],
            message=_memory_problem,
        ),
        Rule(
            reads=("min_tasks", "max_tasks"),
            broken=lambda s: s.max_tasks < s.min_tasks,
            message=lambda s: (
                f"max_tasks={s.max_tasks} is below min_tasks={s.min_tasks}; allowed: >= min_tasks"
            ),
        ),
        Rule(
            reads=("min_tasks", "max_tasks", "desired_count"),
            broken=lambda s: not s.min_tasks <= s.desired_count <= max(s.max_tasks, s.min_tasks),
            message=lambda s: (
                f"desired_count={s.desired_count} is outside min_tasks..max_tasks; "
                f"allowed: {s.min_tasks} to {s.max_tasks}"
            ),
        ),
    )


_DOMAIN = r"(?=.{1,253}$)(?!-)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}"
_DOMAIN_NAME = Matches(f"(?i){_DOMAIN}", what="a domain name", allowed="e.g. mlflow.example.com")
CERTIFICATE_ARN = (
    r"arn:aws:acm:[a-z0-9-]+:\d{12}:certificate/[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}"
)


def _inside_zone(domain: str, zone: str) -> bool:
    return domain.lower() == zone.lower() or domain.lower().endswith("." + zone.lower())


@dataclass(frozen=True, kw_only=True)
class LoadBalancerSettings:
    """The load balancer, its listeners and certificate (context keys are the field names)."""

    domain_name: str | None = setting(
        None,
        check=_DOMAIN_NAME,
        doc="DNS name clients use; with `certificate_arn` or a hosted zone it turns on HTTPS",
    )
    certificate_arn: str | None = setting(
        None,
        check=Matches(
            CERTIFICATE_ARN,
            what="an ACM certificate ARN",
            allowed="arn:aws:acm:REGION:ACCOUNT:certificate/UUID",
        ),
        doc="ACM certificate ARN in the stack's region",
    )
    hosted_zone_id: str | None = setting(
        None,
        check=Matches(
            r"Z[A-Z0-9]{1,31}",
            what="a Route 53 hosted zone ID",
            allowed="e.g. Z0123456789ABCDEFGHIJ",
        ),
        doc="Route 53 zone to create a DNS-validated certificate and an alias record in",
    )
    hosted_zone_name: str | None = setting(
        None,
        check=Matches(f"(?i){_DOMAIN}", what="a domain name", allowed="e.g. example.com"),
        doc="that zone's name (goes with `hosted_zone_id`)",
    )
    internal_load_balancer: bool = setting(
        False, doc="internal scheme (reachable from the VPC or its peers only)"
    )
    ingress_cidrs: tuple[str, ...] = setting(
        (),
        check=Cidr(),
        default_doc="internet-facing: `0.0.0.0/0`; internal: the VPC CIDR",
        doc="CIDRs allowed to reach the load balancer",
    )

    RULES: ClassVar[tuple[Rule[LoadBalancerSettings], ...]] = (
        Rule(
            reads=(),
            broken=lambda s: (s.hosted_zone_id is None) != (s.hosted_zone_name is None),
            message=lambda s: (
                "hosted_zone_id and hosted_zone_name go together; allowed: both set or neither"
            ),
        ),
        Rule(
            reads=(),
            broken=lambda s: bool(s.certificate_arn or s.hosted_zone_id) and s.domain_name is None,
            message=lambda s: (
                "domain_name is required when certificate_arn or hosted_zone_id is set; "
                "allowed: the DNS name clients use, e.g. mlflow.example.com"
            ),
        ),
        Rule(
            reads=("domain_name", "hosted_zone_name"),
            broken=lambda s: bool(
                s.domain_name
                and s.hosted_zone_name
                and not _inside_zone(s.domain_name, s.hosted_zone_name)
            ),
            message=lambda s: (
                f"domain_name={s.domain_name!r} is not inside hosted_zone_name="
                f"{s.hosted_zone_name!r}; allowed: the zone's name or a subdomain of it"
            ),
        ),
        Rule(
            reads=(),
            broken=lambda s: bool(s.domain_name and not (s.certificate_arn or s.hosted_zone_id)),
            message=lambda s: (
                f"domain_name={s.domain_name!r} needs certificate_arn or hosted_zone_id (to "
                "create a DNS-validated certificate); allowed: either one"
            ),
        ),
    )

    @property
    def https(self) -> bool:
        """HTTPS needs a domain and a certificate (given, or created in the hosted zone)."""
        return self.domain_name is not None and (
            self.certificate_arn is not None or self.hosted_zone_id is not None
        )


def container_environment(
    server: ServerSettings,
    *,
    database_host: str,
    database_port: int,
    database_name: str,
    artifacts_uri: str,
    allowed_hosts: str,
    region: str,
) -> dict[str, str]:
    """The container's plain environment (its contract: container/entrypoint.py) for these
    settings. Secrets are not here: ECS injects them from Secrets Manager."""
    return {
        "MLFLOW_DB_HOST": database_host,
        "MLFLOW_DB_PORT": str(database_port),
        "MLFLOW_DB_NAME": database_name,
        "MLFLOW_AUTH_DB_NAME": f"{database_name}_auth",
        "MLFLOW_DB_CA_BUNDLE": RDS_CA_BUNDLE_PATH,
        "MLFLOW_ARTIFACTS_DESTINATION": artifacts_uri,
        "MLFLOW_ALLOWED_HOSTS": allowed_hosts,
        "MLFLOW_AUTH": server.auth,
        "MLFLOW_AUTH_ADMIN_USERNAME": server.admin_username,
        "MLFLOW_AUTH_DEFAULT_PERMISSION": server.auth_default_permission,
        "MLFLOW_WORKERS": str(server.server_workers),
        "MLFLOW_THREADS": str(server.server_threads),
        "MLFLOW_PORT": str(CONTAINER_PORT),
        "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "true" if server.job_execution else "false",
        # A serving task never upgrades a schema; the migration task overrides this with
        # `migrate` (constructs/schema_migration.py, container/tracking_migrations.py).
        "MLFLOW_ROLE": "server",
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
    }


class TrackingServer(Construct):
    """Cluster, task definition, service, load balancer, autoscaling and the app secrets.

    Each part is built by one method below, called in this order: the order is the order of
    the resources in the template, which a refactor must not change.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        vpc: ec2.IVpc,
        vpc_cidr: str,
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
        self.cluster, self.log_group = self._build_cluster_and_logs(vpc, server)
        self.admin_secret, self.flask_secret = self._build_secrets()
        self.task_definition = self._build_task_definition(server)
        self.load_balancer_security_group, self.load_balancer = self._build_load_balancer(
            vpc, load_balancer_subnets, load_balancer, access_log_bucket
        )
        environment = container_environment(
            server,
            database_host=database_host,
            database_port=database_port,
            database_name=database_name,
            artifacts_uri=artifacts_uri,
            allowed_hosts=self._allowed_hosts(load_balancer),
            region=Stack.of(self).region,
        )
        self.container = self._build_container(server, environment, database_secret)
        self.service_security_group, self.service, target_group = self._build_service(
            vpc, service_subnets, assign_public_ip, server
        )
        self.listener, self.url = self._build_listeners(vpc_cidr, load_balancer, target_group)
        self._build_scaling(server, target_group)
        self._build_outputs(server)

    def _build_cluster_and_logs(
        self, vpc: ec2.IVpc, server: ServerSettings
    ) -> tuple[ecs.Cluster, logs.LogGroup]:
        cluster = ecs.Cluster(
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
            Validations.of(cluster).acknowledge(
                Acknowledgment(
                    id="AwsSolutions-ECS4",
                    reason="Container Insights is off in this profile to save its per-metric "
                    "charge (container_insights=true turns it on; prod has it on). Service CPU "
                    "and memory metrics and the task logs remain.",
                )
            )
        log_group = logs.LogGroup(self, "Logs", retention=retention(server.log_retention_days))
        return cluster, log_group

    def _build_secrets(self) -> tuple[secretsmanager.Secret, secretsmanager.Secret]:
        """The admin password (used when the admin user is first created) and the Flask
        secret key, one value shared by every task."""
        admin_secret = secretsmanager.Secret(
            self,
            "AdminPassword",
            description="MLflow basic-auth admin password",
            generate_secret_string=secretsmanager.SecretStringGenerator(
                password_length=32, exclude_characters="\"'\\`"
            ),
        )
        flask_secret = secretsmanager.Secret(
            self,
            "FlaskSecretKey",
            description="MLflow Flask secret key shared by all tracking server tasks",
            generate_secret_string=secretsmanager.SecretStringGenerator(
                password_length=64, exclude_punctuation=True
            ),
        )
        for secret, why in (
            (
                admin_secret,
                "The admin password seeds the admin user once; MLflow keeps its own hash, so "
                "rotating the secret would not change the login. Change it via MLflow's API.",
            ),
            (
                flask_secret,
                "All tasks must share one Flask secret key; rotating it logs every user out "
                "and needs a coordinated redeploy, so it is rotated by redeploying on purpose.",
            ),
        ):
            Validations.of(secret).acknowledge(Acknowledgment(id="AwsSolutions-SMG4", reason=why))
        return admin_secret, flask_secret

    def _build_task_definition(self, server: ServerSettings) -> ecs.FargateTaskDefinition:
        #: The tasks' architecture, which the stack's scheduled tasks of the same image share.
        architecture = self.cpu_architecture = (
            ecs.CpuArchitecture.ARM64
            if server.cpu_architecture == "ARM64"
            else ecs.CpuArchitecture.X86_64
        )
        return ecs.FargateTaskDefinition(
            self,
            "TaskDefinition",
            cpu=server.task_cpu,
            memory_limit_mib=server.task_memory_mib,
            runtime_platform=ecs.RuntimePlatform(
                cpu_architecture=architecture,
                operating_system_family=ecs.OperatingSystemFamily.LINUX,
            ),
        )

    def _build_load_balancer(
        self,
        vpc: ec2.IVpc,
        subnets: ec2.SubnetSelection,
        lb: LoadBalancerSettings,
        access_log_bucket: s3.IBucket,
    ) -> tuple[ec2.SecurityGroup, elbv2.ApplicationLoadBalancer]:
        security_group = ec2.SecurityGroup(
            self,
            "LoadBalancerSecurityGroup",
            vpc=vpc,
            description="MLflow load balancer",
            allow_all_outbound=False,
        )
        load_balancer = elbv2.ApplicationLoadBalancer(
            self,
            "LoadBalancer",
            vpc=vpc,
            vpc_subnets=subnets,
            internet_facing=not lb.internal_load_balancer,
            security_group=security_group,
            drop_invalid_header_fields=True,
        )
        self._log_access(load_balancer, access_log_bucket, prefix="alb")
        return security_group, load_balancer

    def _allowed_hosts(self, lb: LoadBalancerSettings) -> str:
        """The Host header values MLflow accepts: the load balancer's name and the domain."""
        hosts = [self.load_balancer.load_balancer_dns_name]
        if lb.domain_name:
            hosts.append(lb.domain_name)
        return Fn.join(",", hosts)

    def _build_container(
        self,
        server: ServerSettings,
        environment: dict[str, str],
        database_secret: secretsmanager.ISecret,
    ) -> ecs.ContainerDefinition:
        image = self.image = ecs.ContainerImage.from_asset(
            str(REPO_ROOT),
            file="container/Dockerfile",
            platform=(
                ecr_assets.Platform.LINUX_ARM64
                if server.cpu_architecture == "ARM64"
                else ecr_assets.Platform.LINUX_AMD64
            ),
            exclude=list(IMAGE_EXCLUDE),
            ignore_mode=IgnoreMode.DOCKER,
        )
        secrets = {
            "MLFLOW_DB_USERNAME": ecs.Secret.from_secrets_manager(database_secret, "username"),
            "MLFLOW_DB_PASSWORD": ecs.Secret.from_secrets_manager(database_secret, "password"),
            "MLFLOW_AUTH_ADMIN_PASSWORD": ecs.Secret.from_secrets_manager(self.admin_secret),
            "MLFLOW_FLASK_SERVER_SECRET_KEY": ecs.Secret.from_secrets_manager(self.flask_secret),
        }
        container = self.task_definition.add_container(
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
        return container

    def add_run_costs_user(self, username: str, secret: secretsmanager.ISecret) -> None:
        """Have the entrypoint keep the run pricer's MLflow user (constructs/run_costs.py):
        its name in the plain environment, its password as an ECS secret (the entrypoint
        uses it at start-up only; the workers never get it, container/tracking_secrets.py)."""
        self.container.add_environment("MLFLOW_RUN_COSTS_USERNAME", username)
        self.container.add_secret(
            "MLFLOW_RUN_COSTS_PASSWORD", ecs.Secret.from_secrets_manager(secret)
        )

    def _build_service(
        self,
        vpc: ec2.IVpc,
        subnets: ec2.SubnetSelection,
        assign_public_ip: bool,
        server: ServerSettings,
    ) -> tuple[ec2.SecurityGroup, ecs.FargateService, elbv2.ApplicationTargetGroup]:
        """The tasks' security group, the service and the target group it registers in."""
        security_group = ec2.SecurityGroup(
            self,
            "ServiceSecurityGroup",
            vpc=vpc,
            description="MLflow tracking server tasks: HTTP from the load balancer only",
            allow_all_outbound=False,
        )
        # Tasks reach ECR, CloudWatch Logs, Secrets Manager and S3 over HTTPS.
        security_group.add_egress_rule(ec2.Peer.any_ipv4(), ec2.Port.tcp(443), "HTTPS to AWS APIs")
        service = ecs.FargateService(
            self,
            "Service",
            cluster=self.cluster,
            task_definition=self.task_definition,
            desired_count=server.desired_count,
            min_healthy_percent=100,
            max_healthy_percent=200,
            circuit_breaker=ecs.DeploymentCircuitBreaker(enable=True, rollback=True),
            assign_public_ip=assign_public_ip,
            vpc_subnets=subnets,
            security_groups=[security_group],
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
            targets=[service],
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
        return security_group, service, target_group

    def _build_listeners(
        self,
        vpc_cidr: str,
        lb: LoadBalancerSettings,
        target_group: elbv2.ApplicationTargetGroup,
    ) -> tuple[elbv2.ApplicationListener, str]:
        """HTTPS (and a redirect from HTTP) with a certificate, else plain HTTP with a
        warning; then who may reach the listeners and the tasks. Returns (listener, URL)."""
        if lb.https:
            certificate = self._certificate(lb)
            listener = self.load_balancer.add_listener(
                "Https",
                port=443,
                protocol=elbv2.ApplicationProtocol.HTTPS,
                certificates=[certificate],
                ssl_policy=elbv2.SslPolicy.RECOMMENDED_TLS,
                default_target_groups=[target_group],
                open=False,
            )
            # Closed like the listeners: _allow_ingress opens port 80 to the same clients as
            # 443 (CDK's default would open it to 0.0.0.0/0 whatever ingress_cidrs says).
            self.load_balancer.add_redirect(source_port=80, target_port=443, open=False)
            listener_ports: tuple[int, ...] = (443, 80)
            url = f"https://{lb.domain_name}"
        else:
            listener = self.load_balancer.add_listener(
                "Http",
                port=80,
                protocol=elbv2.ApplicationProtocol.HTTP,
                default_target_groups=[target_group],
                open=False,
            )
            listener_ports = (80,)
            url = Fn.join("", ["http://", self.load_balancer.load_balancer_dns_name])
            Annotations.of(self).add_warning_v2(
                "mlflow:http-only",
                "The load balancer serves plain HTTP: passwords and data cross the network "
                "unencrypted. Set domain_name with certificate_arn or hosted_zone_id (and "
                "hosted_zone_name) to serve HTTPS only.",
            )
        self._allow_ingress(vpc_cidr, lb, listener_ports)
        self.service.connections.allow_from(
            self.load_balancer_security_group,
            ec2.Port.tcp(CONTAINER_PORT),
            "MLflow from the load balancer",
        )
        return listener, url

    def _build_scaling(
        self, server: ServerSettings, target_group: elbv2.ApplicationTargetGroup
    ) -> None:
        scaling = self.scaling = self.service.auto_scale_task_count(
            min_capacity=server.min_tasks, max_capacity=server.max_tasks
        )
        if server.max_tasks == server.min_tasks:
            # Nothing to track between equal bounds; the policies' alarms would bill anyway.
            # The scalable target stays (office hours schedule it).
            return
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

    def _build_outputs(self, server: ServerSettings) -> None:
        CfnOutput(self, "Url", value=self.url, description="MLflow tracking URI")
        CfnOutput(
            self,
            "AdminSecretArn",
            value=self.admin_secret.secret_arn,
            description="Secrets Manager secret holding the MLflow admin password",
        )
        CfnOutput(self, "AdminUsername", value=server.admin_username)
        CfnOutput(self, "LoadBalancerDnsName", value=self.load_balancer.load_balancer_dns_name)

    def _log_access(
        self, load_balancer: elbv2.ApplicationLoadBalancer, bucket: s3.IBucket, *, prefix: str
    ) -> None:
        """Access logs to the log bucket, also in an environment-agnostic stack.

        CDK's log_access_logs needs a concrete region to pick the regional ELB account. Without
        one, the account comes from CDK's region fact table as a CloudFormation mapping lookup,
        which covers every region opened before August 2022; newer regions need `-c region=`.
        """
        stack = Stack.of(self)
        if not Token.is_unresolved(stack.region):
            load_balancer.log_access_logs(bucket, prefix=prefix)
            return
        elb_account = stack.regional_fact(FactName.ELBV2_ACCOUNT)
        bucket.grant_put(iam.AccountPrincipal(elb_account), f"{prefix}/AWSLogs/{stack.account}/*")
        load_balancer.set_attribute("access_logs.s3.enabled", "true")
        load_balancer.set_attribute("access_logs.s3.bucket", bucket.bucket_name)
        load_balancer.set_attribute("access_logs.s3.prefix", prefix)
        # The load balancer validates write access when logging is switched on.
        if bucket.policy is not None:
            load_balancer.node.add_dependency(bucket.policy)

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
        self, vpc_cidr: str, lb: LoadBalancerSettings, ports: tuple[int, ...]
    ) -> None:
        """Clients on the listener ports: ingress_cidrs, else the internet (internet-facing)
        or the VPC (internal). Literal CIDRs only, so cdk-nag can check every rule."""
        sg = self.load_balancer_security_group
        cidrs = lb.ingress_cidrs
        if not cidrs:
            cidrs = ("0.0.0.0/0",) if not lb.internal_load_balancer else ()
        peers = [ec2.Peer.ipv4(c) for c in cidrs or (vpc_cidr,)]
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
