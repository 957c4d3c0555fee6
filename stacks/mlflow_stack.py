"""The MLflow platform stack: composes the constructs and wires access between them.

Construct IDs here are a contract: the database and the artifact bucket keep their logical
IDs across refactors (pinned by tests), so a change can never replace them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aws_cdk import Acknowledgment, CfnOutput, Stack, Tags, Validations
from aws_cdk import aws_ec2 as ec2

from constructs import Construct
from constructs.budget import CostBudget
from constructs.database import DATABASE_NAME, Database
from constructs.network import Network
from constructs.office_hours import OfficeHoursSchedule
from constructs.retention import Retention
from constructs.run_costs import RunCosts
from constructs.schema_migration import SchemaMigration
from constructs.storage import AccessLogBucket, ArtifactStore
from constructs.tracking_server import RDS_CA_BUNDLE_PATH, TrackingServer
from constructs.waf import RateLimitWebAcl
from cost.retention.policy import Policy
from cost.runs.budgets import Budget
from stacks.config import PlatformConfig


class MlflowStack(Stack):
    """VPC, database, artifact store and tracking server for one deployment."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: PlatformConfig,
        run_cost_budgets: Sequence[Budget] = (),
        retention_policy: Policy | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.config = config
        c = config

        self.network = Network(
            self,
            "Network",
            settings=c.network,
            public_load_balancer=not c.load_balancer.internal_load_balancer,
        )
        self.access_logs = AccessLogBucket(self, "AccessLogs", settings=c.storage)
        self.artifacts = ArtifactStore(
            self, "Artifacts", settings=c.storage, access_log_bucket=self.access_logs.bucket
        )
        self.database = Database(
            self,
            "Database",
            vpc=self.network.vpc,
            subnets=self.network.database_subnets,
            settings=c.database,
        )
        self.server = TrackingServer(
            self,
            "TrackingServer",
            vpc=self.network.vpc,
            vpc_cidr=self.network.cidr,
            service_subnets=self.network.service_subnets,
            load_balancer_subnets=self.network.load_balancer_subnets(
                internal=c.load_balancer.internal_load_balancer
            ),
            assign_public_ip=self.network.assign_public_ip,
            database_host=self.database.instance.db_instance_endpoint_address,
            database_port=self.database.port,
            database_name=DATABASE_NAME,
            database_secret=self.database.secret,
            artifacts_uri=self.artifacts.uri,
            access_log_bucket=self.access_logs.bucket,
            server=c.server,
            load_balancer=c.load_balancer,
        )

        # An MLflow upgrade migrates the schema with the service stopped, behind a snapshot,
        # before CloudFormation updates the service (constructs/schema_migration.py).
        self.schema_migration = SchemaMigration(
            self,
            "SchemaMigration",
            cluster=self.server.cluster,
            task_definition=self.server.task_definition,
            subnets=self.network.service_subnets,
            security_groups=[self.server.service_security_group],
            assign_public_ip=self.network.assign_public_ip,
            db_instance_identifier=self.database.instance.instance_identifier,
        )
        self.server.service.node.add_dependency(self.schema_migration.trigger)

        # Access: the tasks reach the database, the artifact prefix, and nothing else.
        self.database.allow_from(self.server.service, "MySQL from the MLflow tracking server")
        task_role = self.server.task_definition.task_role
        self.artifacts.grant_artifact_access(task_role)
        objects_arn = self.resolve(self.artifacts.bucket.bucket_arn)["Fn::GetAtt"][0]
        Validations.of(task_role).acknowledge(
            Acknowledgment(
                id=f"AwsSolutions-IAM5[Resource::<{objects_arn}.Arn>/{c.storage.artifact_prefix}/*]",
                reason="Object access is scoped to the artifact prefix; MLflow names the objects "
                "below it (experiment/run/artifact path), so they cannot be listed one by one.",
            )
        )

        for key, value in c.cost_allocation_tags.items():
            Tags.of(self).add(key, value)

        self._acknowledge_findings()

        CfnOutput(self, "ArtifactBucketName", value=self.artifacts.bucket.bucket_name)
        CfnOutput(self, "Profile", value=c.profile)

        # Added last so that turning it on adds resources without moving any other.
        self.web_acl: RateLimitWebAcl | None = None
        if c.web_acl.waf:
            self.web_acl = RateLimitWebAcl(
                self, "WebAcl", settings=c.web_acl, load_balancer=self.server.load_balancer
            )
        self.run_costs: RunCosts | None = None
        if c.run_costs.run_costs:
            self.run_costs = self._add_run_costs(run_cost_budgets)
        self.retention: Retention | None = None
        if c.retention.retention:
            if retention_policy is None:
                raise ValueError("retention=true needs the retention policy (app.py loads it)")
            self.retention = self._add_retention(retention_policy)
        self.office_hours: OfficeHoursSchedule | None = None
        if c.office_hours.schedule is not None:
            self.office_hours = OfficeHoursSchedule(
                self,
                "OfficeHours",
                settings=c.office_hours,
                scaling=self.server.scaling,
                min_tasks=c.server.min_tasks,
                max_tasks=c.server.max_tasks,
                database=self.database.instance,
            )

    def _add_retention(self, policy: Policy) -> Retention:
        """The scheduled retention task (constructs/retention.py) where the service runs (it
        needs the database and S3, not the load balancer), and the bucket rule that archives
        what it tags."""
        c = self.config
        self.artifacts.add_archive_rule(c.retention.retention_archive_class)
        retention = Retention(
            self,
            "Retention",
            settings=c.retention,
            policy=policy,
            cluster=self.server.cluster,
            vpc=self.network.vpc,
            subnets=self.network.service_subnets,
            assign_public_ip=self.network.assign_public_ip,
            image=self.server.image,
            cpu_architecture=self.server.cpu_architecture,
            log_retention_days=c.server.log_retention_days,
            database_host=self.database.instance.db_instance_endpoint_address,
            database_port=self.database.port,
            database_name=DATABASE_NAME,
            database_secret=self.database.secret,
            ca_bundle=RDS_CA_BUNDLE_PATH,
            artifact_bucket=self.artifacts.bucket,
            artifact_prefix=c.storage.artifact_prefix,
            artifacts_uri=self.artifacts.uri,
        )
        self.database.allow_from(retention.security_group, "MySQL from the MLflow retention task")
        objects_arn = self.resolve(self.artifacts.bucket.bucket_arn)["Fn::GetAtt"][0]
        retention.acknowledge_object_wildcard(objects_arn, c.storage.artifact_prefix)
        return retention

    def _add_run_costs(self, budgets: Sequence[Budget]) -> RunCosts:
        """The scheduled run pricer (constructs/run_costs.py), where it can reach the tracking
        server: the service's subnets, except that isolated subnets (`endpoints` mode) cannot
        reach an internet-facing load balancer, so there it runs in the public subnets with a
        public IP (for the few minutes of each pass)."""
        c = self.config
        subnets, public_ip = self.network.service_subnets, self.network.assign_public_ip
        if c.network.network_mode == "endpoints":
            if c.load_balancer.internal_load_balancer:
                # Its metrics go to CloudWatch through an endpoint, like the tasks' logs.
                self.network.add_interface_endpoint(
                    "Monitoring", ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_MONITORING
                )
            else:
                subnets = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC)
                public_ip = True
        run_costs = RunCosts(
            self,
            "RunCosts",
            settings=c.run_costs,
            budgets=budgets,
            cluster=self.server.cluster,
            vpc=self.network.vpc,
            subnets=subnets,
            assign_public_ip=public_ip,
            image=self.server.image,
            cpu_architecture=self.server.cpu_architecture,
            log_retention_days=c.server.log_retention_days,
            tracking_uri=self.server.url,
            listener_port=443 if c.https else 80,
            load_balancer_security_group=self.server.load_balancer_security_group,
            artifact_bucket=self.artifacts.bucket,
            artifacts_uri=self.artifacts.uri,
        )
        self.server.add_run_costs_user(run_costs.username, run_costs.secret)
        return run_costs

    def add_cost_budget(self, limit_usd: float) -> CostBudget:
        """An AWS Budgets budget on this deployment's real bill (`deployment` tag)."""
        c = self.config
        return CostBudget(
            self,
            "CostBudget",
            limit_usd=limit_usd,
            tag_key="deployment",
            tag_value=c.resolved_stack_name,
            settings=c.cost_budget,
        )

    def _acknowledge_findings(self) -> None:
        """cdk-nag findings this design accepts on purpose, each at the narrowest scope."""
        if not self.config.database.db_multi_az:
            Validations.of(self.database.instance).acknowledge(
                Acknowledgment(
                    id="AwsSolutions-RDS3",
                    reason=f"Single-AZ database in the '{self.config.profile}' profile to halve "
                    "its cost; daily backups and point-in-time recovery cover an AZ loss. "
                    "db_multi_az=true (prod default) runs a standby.",
                )
            )
        Validations.of(self.access_logs.bucket).acknowledge(
            Acknowledgment(
                id="AwsSolutions-S1",
                reason="This bucket is the access-log destination itself; logging it into "
                "itself would loop.",
            )
        )
