"""The scheduled retention task (issue 14): an EventBridge Scheduler schedule that runs the
tracking server's own image as a one-off Fargate task with MLFLOW_ROLE=retention, which applies
the retention policy (`cost retention apply`: soft-delete old runs, tag artifacts to archive,
garbage-collect runs deleted longer ago than the grace period) straight on the tracking
database and the artifact bucket, then exits.

- Same image and entrypoint as the server (container/tracking_retention.py): it validates its
  environment, waits for the database, checks the bucket, and refuses (exit 5) a tracking
  schema that is not at its MLflow's head revision: it never migrates.
- The policy file (`retention_policy`) is validated at synth with the command's own parser
  and handed over as JSON (MLFLOW_RETENTION_POLICY); the bucket's lifecycle and
  Intelligent-Tiering rules go along (MLFLOW_RETENTION_BUCKET_PROPERTIES) so the command
  prices what it saves with the bucket's own storage model.
- Artifacts it tags `mlflow-retention=archive` move to `retention_archive_class` by the
  bucket's `retention-archive` lifecycle rule (constructs/storage.py), added with this task.
- Least privilege: the database port (an ingress rule on the database's group) and HTTPS
  egress; the execution role pulls the image, writes the log group and reads the database
  secret (the server's MLFLOW_DB_USERNAME/PASSWORD, never the admin password or the Flask
  key); the task role may list the artifact prefix and get, delete and tag objects under it.
- A failed pass (a `retention failed` log line) sets off an alarm on a metric filter.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from aws_cdk import Acknowledgment, Duration, Stack, Validations
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager

from constructs import Construct, scheduled_task
from constructs.settings import SCHEDULE_EXPRESSION, Rule, setting
from constructs.storage import storage_model_json
from cost.retention.plan import ARCHIVE_CLASSES
from cost.retention.policy import Policy, PolicyError, load_policy_file, policy_json

#: The tracking server container's role for this task (container/tracking_contract.py ROLES).
ROLE = "retention"
CONTAINER_NAME = "retention"
#: A pass lists the artifact prefix and deletes or tags a few thousand objects through boto3,
#: and MLflow's store on the database: the run pricer's size is ample.
TASK_CPU = 512
TASK_MEMORY_MIB = 1024
#: What container/tracking_retention.py logs on every failure (FAILURE_MARKER there).
FAILURE_PATTERN = "retention failed"
FAILURE_METRIC = "RetentionFailures"


@dataclass(frozen=True, kw_only=True)
class RetentionSettings:
    """The scheduled retention task (context keys are the field names). Off in every profile."""

    retention: bool = setting(
        False,
        doc="schedule the retention task (`cost retention apply` as a Fargate task of the "
        "server's image): deletes old runs and archives old artifacts per `retention_policy`",
    )
    retention_schedule: str = setting(
        "rate(7 days)",
        check=SCHEDULE_EXPRESSION,
        doc="when the retention task runs (EventBridge Scheduler, UTC)",
    )
    retention_policy: str | None = setting(
        None,
        doc="YAML retention policy (`grace_days`, `rules: [{experiments, experiment_tags, "
        "delete_runs_older_than_days, keep_newest, keep_tags, "
        "archive_artifacts_older_than_days}]`, relative to the app directory; example: "
        "`docs/retention-policy.example.yml`); required with `retention=true`",
    )
    retention_archive_class: str = setting(
        "GLACIER_IR",
        one_of=ARCHIVE_CLASSES,
        doc="storage class the bucket moves artifacts tagged `mlflow-retention=archive` to "
        "(GLACIER_IR: MLflow still reads them at once; GLACIER, DEEP_ARCHIVE: a restore first)",
    )

    RULES: ClassVar[tuple[Rule[RetentionSettings], ...]] = (
        Rule(
            reads=("retention", "retention_policy"),
            broken=lambda s: s.retention and not s.retention_policy,
            message=lambda s: (
                "retention=true needs retention_policy (a YAML policy file, e.g. "
                "docs/retention-policy.example.yml)"
            ),
        ),
        Rule(
            reads=("retention", "retention_policy"),
            broken=lambda s: bool(s.retention_policy) and not s.retention,
            message=lambda s: f"retention_policy={s.retention_policy!r} needs retention=true",
        ),
    )


def load_retention_policy(path: Path) -> Policy:
    """The policy of `retention_policy`, validated by the command's own parser. Raises
    ValueError naming the setting and the field."""
    try:
        return load_policy_file(path)
    except PolicyError as err:
        raise ValueError(f"retention_policy={str(path)!r}: {err}") from None


def retention_environment(
    *,
    database_host: str,
    database_port: int,
    database_name: str,
    ca_bundle: str,
    artifacts_uri: str,
    region: str,
    policy: str,
    bucket_properties: str,
    archive_class: str,
) -> dict[str, str]:
    """The task's plain environment (container/tracking_contract.py): where the database and
    the bucket are, and what to apply. No secret: ECS injects the database credentials."""
    return {
        "MLFLOW_ROLE": ROLE,
        "MLFLOW_DB_HOST": database_host,
        "MLFLOW_DB_PORT": str(database_port),
        "MLFLOW_DB_NAME": database_name,
        "MLFLOW_DB_CA_BUNDLE": ca_bundle,
        "MLFLOW_ARTIFACTS_DESTINATION": artifacts_uri,
        "MLFLOW_RETENTION_POLICY": policy,
        "MLFLOW_RETENTION_BUCKET_PROPERTIES": bucket_properties,
        "MLFLOW_RETENTION_ARCHIVE_CLASS": archive_class,
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
    }


class Retention(Construct):
    """Schedule, task definition, security group, log group and failure alarm."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: RetentionSettings,
        policy: Policy,
        cluster: ecs.ICluster,
        vpc: ec2.IVpc,
        subnets: ec2.SubnetSelection,
        assign_public_ip: bool,
        image: ecs.ContainerImage,
        cpu_architecture: ecs.CpuArchitecture,
        log_retention_days: int,
        database_host: str,
        database_port: int,
        database_name: str,
        database_secret: secretsmanager.ISecret,
        ca_bundle: str,
        artifact_bucket: s3.Bucket,
        artifact_prefix: str,
        artifacts_uri: str,
    ) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        self.log_group, self.task_definition = scheduled_task.task_definition(
            self,
            cpu=TASK_CPU,
            memory_mib=TASK_MEMORY_MIB,
            cpu_architecture=cpu_architecture,
            log_retention_days=log_retention_days,
        )
        self._grant_artifacts(artifact_bucket, artifact_prefix)
        self.container = self.task_definition.add_container(
            CONTAINER_NAME,
            image=image,
            essential=True,
            # The image's own ENTRYPOINT (container/entrypoint.py), in the retention role.
            environment=retention_environment(
                database_host=database_host,
                database_port=database_port,
                database_name=database_name,
                ca_bundle=ca_bundle,
                artifacts_uri=artifacts_uri,
                region=stack.region,
                policy=policy_json(policy),
                bucket_properties=storage_model_json(artifact_bucket),
                archive_class=settings.retention_archive_class,
            ),
            secrets={
                "MLFLOW_DB_USERNAME": ecs.Secret.from_secrets_manager(database_secret, "username"),
                "MLFLOW_DB_PASSWORD": ecs.Secret.from_secrets_manager(database_secret, "password"),
            },
            logging=ecs.LogDrivers.aws_logs(stream_prefix="retention", log_group=self.log_group),
            stop_timeout=Duration.seconds(30),
        )
        self.security_group = ec2.SecurityGroup(
            self,
            "SecurityGroup",
            vpc=vpc,
            description="MLflow retention task: the database and HTTPS to AWS APIs only",
            allow_all_outbound=False,
        )
        # S3 (through the gateway endpoint), ECR, CloudWatch Logs and Secrets Manager (through
        # the interface endpoints in `endpoints` mode, else the internet gateway or NAT).
        self.security_group.add_egress_rule(
            ec2.Peer.any_ipv4(), ec2.Port.tcp(443), "HTTPS to AWS APIs"
        )
        self.schedule = scheduled_task.run_on_schedule(
            self,
            expression=settings.retention_schedule,
            description="MLflow retention: cost retention apply (MLFLOW_ROLE=retention)",
            cluster=cluster,
            definition=self.task_definition,
            security_group=self.security_group,
            subnets=subnets,
            assign_public_ip=assign_public_ip,
        )
        self.alarm = self._build_failure_alarm(stack)
        self._acknowledge_findings()

    def _grant_artifacts(self, bucket: s3.IBucket, prefix: str) -> None:
        """List the artifact prefix; read, delete and tag the objects under it. Nothing else
        (no PutObject: the task never writes an artifact)."""
        role = self.task_definition.task_role
        role.add_to_principal_policy(
            iam.PolicyStatement(
                sid="RetentionListArtifacts",
                actions=["s3:ListBucket"],
                resources=[bucket.bucket_arn],
                conditions={"StringLike": {"s3:prefix": [f"{prefix}/*"]}},
            )
        )
        role.add_to_principal_policy(
            iam.PolicyStatement(
                sid="RetentionArtifactObjects",
                actions=[
                    "s3:GetObject",
                    "s3:DeleteObject",
                    "s3:GetObjectTagging",
                    "s3:PutObjectTagging",
                ],
                resources=[bucket.arn_for_objects(f"{prefix}/*")],
            )
        )

    def _build_failure_alarm(self, stack: Stack) -> cloudwatch.Alarm:
        metric_filter = self.log_group.add_metric_filter(
            "Failures",
            filter_pattern=logs.FilterPattern.literal(f'"{FAILURE_PATTERN}"'),
            metric_namespace=f"MLflow/{stack.stack_name}/Retention",
            metric_name=FAILURE_METRIC,
            metric_value="1",
        )
        return cloudwatch.Alarm(
            self,
            "Failed",
            alarm_description="The MLflow retention task failed (a 'retention failed' line in "
            "its log): nothing was deleted or archived after the error; see the log group.",
            metric=metric_filter.metric(statistic="Sum", period=Duration.hours(1)),
            threshold=0,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluation_periods=1,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )

    def _acknowledge_findings(self) -> None:
        Validations.of(self.task_definition).acknowledge(
            Acknowledgment(
                id="AwsSolutions-ECS2",
                reason="The plain environment holds the database host, schema, bucket, region "
                "and the retention policy; the database credentials arrive as ECS secrets from "
                "Secrets Manager.",
            )
        )

    def acknowledge_object_wildcard(self, objects_arn: str, prefix: str) -> None:
        """The task role's object statement is on the artifact prefix's wildcard (the stack
        names the bucket's logical ID for cdk-nag)."""
        Validations.of(self.task_definition.task_role).acknowledge(
            Acknowledgment(
                id=f"AwsSolutions-IAM5[Resource::<{objects_arn}.Arn>/{prefix}/*]",
                reason="Object access is scoped to the artifact prefix; the runs' artifacts "
                "under it are what the policy deletes and tags.",
            )
        )


def task_environment(template: dict[str, Any]) -> dict[str, Any]:
    """The retention container's plain environment and secrets from a synthesized template
    (for tests and for reading a deployment back)."""
    for resource in template["Resources"].values():
        if resource["Type"] != "AWS::ECS::TaskDefinition":
            continue
        for container in resource["Properties"]["ContainerDefinitions"]:
            if container["Name"] == CONTAINER_NAME:
                return {
                    "environment": {e["Name"]: e["Value"] for e in container["Environment"]},
                    "secrets": {s["Name"]: s["ValueFrom"] for s in container["Secrets"]},
                    "entry_point": container.get("EntryPoint"),
                }
    raise ValueError("no retention container in the template")
