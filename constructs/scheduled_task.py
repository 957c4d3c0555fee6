"""What the stack's scheduled Fargate tasks share (the run pricer, the retention task): a log
group and a task definition of the server's architecture, an EventBridge Scheduler schedule
that runs it, and the execution role's one accepted cdk-nag finding.

The constructs are created under the calling construct with the IDs `Logs`, `TaskDefinition`
and `Schedule`, so each task keeps its logical IDs.
"""

from __future__ import annotations

from aws_cdk import Acknowledgment, Duration, Validations
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_logs as logs
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_scheduler_targets as scheduler_targets

from constructs import Construct
from constructs.settings import retention

#: A pass that has not started within an hour waits for the next schedule.
MAX_EVENT_AGE = Duration.hours(1)
#: Scheduler retries a RunTask that failed to start (capacity, throttling) this many times.
RETRY_ATTEMPTS = 2


def task_definition(
    scope: Construct,
    *,
    cpu: int,
    memory_mib: int,
    cpu_architecture: ecs.CpuArchitecture,
    log_retention_days: int,
) -> tuple[logs.LogGroup, ecs.FargateTaskDefinition]:
    """The task's log group and its Linux Fargate task definition."""
    log_group = logs.LogGroup(scope, "Logs", retention=retention(log_retention_days))
    definition = ecs.FargateTaskDefinition(
        scope,
        "TaskDefinition",
        cpu=cpu,
        memory_limit_mib=memory_mib,
        runtime_platform=ecs.RuntimePlatform(
            cpu_architecture=cpu_architecture,
            operating_system_family=ecs.OperatingSystemFamily.LINUX,
        ),
    )
    Validations.of(definition.obtain_execution_role()).acknowledge(
        Acknowledgment(
            id="AwsSolutions-IAM5[Resource::*]",
            reason="ecr:GetAuthorizationToken has no resource-level permissions; it must be "
            "granted on '*' for the task to pull its image.",
        )
    )
    return log_group, definition


def run_on_schedule(
    scope: Construct,
    *,
    expression: str,
    description: str,
    cluster: ecs.ICluster,
    definition: ecs.FargateTaskDefinition,
    security_group: ec2.ISecurityGroup,
    subnets: ec2.SubnetSelection,
    assign_public_ip: bool,
) -> scheduler.Schedule:
    """An EventBridge Scheduler schedule that runs the task definition on the cluster."""
    return scheduler.Schedule(
        scope,
        "Schedule",
        schedule=scheduler.ScheduleExpression.expression(expression),
        description=description,
        target=scheduler_targets.EcsRunFargateTask(
            cluster,
            task_definition=definition,
            security_groups=[security_group],
            vpc_subnets=subnets,
            assign_public_ip=assign_public_ip,
            platform_version=ecs.FargatePlatformVersion.LATEST,
            max_event_age=MAX_EVENT_AGE,
            retry_attempts=RETRY_ATTEMPTS,
        ),
    )
