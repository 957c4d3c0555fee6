"""The MLflow platform stack: composes the constructs and wires access between them.

Construct IDs here are a contract: the database and the artifact bucket keep their logical
IDs across refactors (pinned by tests), so a change can never replace them.
"""

from __future__ import annotations

from typing import Any

from aws_cdk import Acknowledgment, CfnOutput, Stack, Tags, Validations
from aws_cdk import aws_logs as logs

from constructs import Construct
from constructs.budget import CostBudget
from constructs.database import DATABASE_NAME, Database
from constructs.network import Network
from constructs.storage import AccessLogBucket, ArtifactStore
from constructs.tracking_server import LoadBalancerSettings, ServerSettings, TrackingServer
from stacks.config import LOG_RETENTION_DAYS, PlatformConfig


def retention(days: int) -> logs.RetentionDays:
    """The RetentionDays member for a number of days (the config validated it).

    RetentionDays lists the same values as LOG_RETENTION_DAYS in the same order (then
    INFINITE); a test checks the synthesized RetentionInDays against the setting.
    """
    members = [m for m in logs.RetentionDays if m.name != "INFINITE"]
    return dict(zip(LOG_RETENTION_DAYS, members, strict=True))[days]


class MlflowStack(Stack):
    """VPC, database, artifact store and tracking server for one deployment."""

    def __init__(
        self, scope: Construct, construct_id: str, *, config: PlatformConfig, **kwargs: Any
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.config = config
        c = config

        self.network = Network(
            self,
            "Network",
            mode=c.network_mode,
            cidr=c.vpc_cidr,
            nat_gateways=c.nat_gateways,
            public_load_balancer=not c.internal_load_balancer,
            flow_log_retention=retention(c.flow_log_retention_days),
        )
        self.access_logs = AccessLogBucket(self, "AccessLogs", expiry_days=c.access_log_expiry_days)
        self.artifacts = ArtifactStore(
            self,
            "Artifacts",
            prefix=c.artifact_prefix,
            access_log_bucket=self.access_logs.bucket,
            intelligent_tiering_transition_days=c.intelligent_tiering_transition_days,
            intelligent_tiering_archive=c.intelligent_tiering_archive,
            noncurrent_version_expiry_days=c.noncurrent_version_expiry_days,
            abort_multipart_upload_days=c.abort_multipart_upload_days,
        )
        self.database = Database(
            self,
            "Database",
            vpc=self.network.vpc,
            subnets=self.network.database_subnets,
            instance_class=c.db_instance_class,
            multi_az=c.db_multi_az,
            allocated_storage_gib=c.db_allocated_storage_gib,
            max_allocated_storage_gib=c.db_max_allocated_storage_gib,
            backup_retention_days=c.db_backup_retention_days,
            port=c.db_port,
            deletion_protection=c.db_deletion_protection,
        )
        self.server = TrackingServer(
            self,
            "TrackingServer",
            vpc=self.network.vpc,
            service_subnets=self.network.service_subnets,
            load_balancer_subnets=self.network.load_balancer_subnets(
                internal=c.internal_load_balancer
            ),
            assign_public_ip=self.network.assign_public_ip,
            database_host=self.database.instance.db_instance_endpoint_address,
            database_port=c.db_port,
            database_name=DATABASE_NAME,
            database_secret=self.database.secret,
            artifacts_uri=self.artifacts.uri,
            access_log_bucket=self.access_logs.bucket,
            server=ServerSettings(
                cpu_architecture=c.cpu_architecture,
                task_cpu=c.task_cpu,
                task_memory_mib=c.task_memory_mib,
                workers=c.server_workers,
                threads=c.server_threads,
                default_permission=c.auth_default_permission,
                desired_count=c.desired_count,
                min_tasks=c.min_tasks,
                max_tasks=c.max_tasks,
                scale_cpu_percent=c.scale_cpu_percent,
                scale_requests_per_target=c.scale_requests_per_target,
                log_retention=retention(c.log_retention_days),
                container_insights=c.container_insights,
                auth=c.auth,
                admin_username=c.admin_username,
                job_execution=c.job_execution,
            ),
            load_balancer=LoadBalancerSettings(
                domain_name=c.domain_name,
                certificate_arn=c.certificate_arn,
                hosted_zone_id=c.hosted_zone_id,
                hosted_zone_name=c.hosted_zone_name,
                internal=c.internal_load_balancer,
                ingress_cidrs=c.ingress_cidrs,
            ),
        )

        # Access: the tasks reach the database, the artifact prefix, and nothing else.
        self.database.allow_from(self.server.service, "MySQL from the MLflow tracking server")
        task_role = self.server.task_definition.task_role
        self.artifacts.grant_artifact_access(task_role)
        objects_arn = self.resolve(self.artifacts.bucket.bucket_arn)["Fn::GetAtt"][0]
        Validations.of(task_role).acknowledge(
            Acknowledgment(
                id=f"AwsSolutions-IAM5[Resource::<{objects_arn}.Arn>/{c.artifact_prefix}/*]",
                reason="Object access is scoped to the artifact prefix; MLflow names the objects "
                "below it (experiment/run/artifact path), so they cannot be listed one by one.",
            )
        )

        for key, value in c.cost_allocation_tags.items():
            Tags.of(self).add(key, value)

        self._acknowledge_findings()

        CfnOutput(self, "ArtifactBucketName", value=self.artifacts.bucket.bucket_name)
        CfnOutput(self, "Profile", value=c.profile)

    def add_cost_budget(self, limit_usd: float) -> CostBudget:
        """An AWS Budgets budget on this deployment's real bill (`deployment` tag)."""
        c = self.config
        return CostBudget(
            self,
            "CostBudget",
            limit_usd=limit_usd,
            tag_key="deployment",
            tag_value=c.resolved_stack_name,
            email=c.budget_alarm_email,
            topic_arn=c.budget_alarm_topic_arn,
        )

    def _acknowledge_findings(self) -> None:
        """cdk-nag findings this design accepts on purpose, each at the narrowest scope."""
        if not self.config.db_multi_az:
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
