"""The schema migration a deployment runs before the service update, when the MLflow version
changes (container/tracking_migrations.py has the container's side).

Since MLflow 3.17 a schema upgrade needs every writer stopped and a restorable backup, and
servers of two versions must never share a schema. So an upgrade is a short planned outage:

1. scale the service to zero and wait until no task runs (every writer of the old version
   stopped);
2. take a manual RDS snapshot and wait until it is available (the restorable backup);
3. run the new task definition once with MLFLOW_ROLE=migrate: it refuses while any session
   of the database user is still connected, copies the schemas, migrates, and restores the
   copy if the migration fails;
4. on success the custom resource succeeds and CloudFormation updates the service to the new
   task definition (new tasks, new version, at the desired count); on failure the workflow
   scales the service back to its previous count on the *old* task definition (the old
   version serves again on the restored database) and the custom resource fails, so
   CloudFormation rolls the deployment back.

`Resource` is the Step Functions state machine; `Trigger` the custom resource, whose only
property that changes is the MLflow version: a deployment that does not change MLflow (config,
scaling, image rebuilds of the same version) does not run it and keeps its rolling update.
"""

from __future__ import annotations

import re
from pathlib import Path

from aws_cdk import Acknowledgment, ArnFormat, CustomResource, Duration, Stack, Token, Validations
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from aws_cdk import custom_resources as cr

from constructs import Construct

REQUIREMENTS = Path(__file__).resolve().parents[1] / "container" / "requirements.txt"
#: Upper bound of one upgrade (drain, snapshot, migration); CloudFormation waits this long.
WORKFLOW_TIMEOUT = Duration.hours(2)
POLL = Duration.seconds(30)


def pinned_mlflow_version(requirements: Path = REQUIREMENTS) -> str:
    """The MLflow release the image pins (container/requirements.txt)."""
    match = re.search(r"^mlflow\[auth\]==(\S+)$", requirements.read_text(), re.MULTILINE)
    if match is None:
        raise ValueError(f"{requirements}: no `mlflow[auth]==VERSION` line")
    return match.group(1)


# The custom resource's provider: start the workflow, then report when it has finished.
_PROVIDER_CODE = """
import json, boto3
sfn = boto3.client("stepfunctions")

def on_event(event, context):
    if event["RequestType"] == "Delete":
        return {"PhysicalResourceId": event.get("PhysicalResourceId", "schema-migration")}
    props = event["ResourceProperties"]
    execution = sfn.start_execution(stateMachineArn=props["StateMachineArn"],
                                    input=json.dumps({"mlflow_version": props["MlflowVersion"]}))
    return {"PhysicalResourceId": "schema-migration-" + props["MlflowVersion"],
            "Data": {"ExecutionArn": execution["executionArn"]}}

def is_complete(event, context):
    if event["RequestType"] == "Delete":
        return {"IsComplete": True}
    described = sfn.describe_execution(executionArn=event["Data"]["ExecutionArn"])
    if described["status"] == "RUNNING":
        return {"IsComplete": False}
    if described["status"] != "SUCCEEDED":
        raise RuntimeError("schema migration " + described["status"] + ": "
                           + str(described.get("cause") or described.get("error")))
    return {"IsComplete": True}
"""


class SchemaMigration(Construct):
    """Runs the migration task of `task_definition` with the service stopped, behind an RDS
    snapshot of `db_instance_identifier`, whenever the pinned MLflow version changes. Make
    the service depend on this construct (`service.node.add_dependency(migration)`)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        cluster: ecs.ICluster,
        task_definition: ecs.FargateTaskDefinition,
        subnets: ec2.SubnetSelection,
        security_groups: list[ec2.ISecurityGroup],
        assign_public_ip: bool,
        db_instance_identifier: str,
        mlflow_version: str | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        version = mlflow_version or pinned_mlflow_version()
        container = task_definition.default_container
        if container is None:
            raise ValueError("SchemaMigration: the task definition has no container")
        # The cluster holds the one service; found by listing, since naming the service here
        # would make it depend on this construct's resources and this construct on it.
        service_arn = stack.format_arn(
            service="ecs", resource="service", resource_name=f"{cluster.cluster_name}/*"
        )
        service_ref = sfn.JsonPath.string_at("$.listed.arns[0]")
        list_services = tasks.CallAwsService(
            self,
            "FindService",
            service="ecs",
            action="listServices",
            parameters={"Cluster": cluster.cluster_arn},
            iam_resources=["*"],
            iam_action="ecs:ListServices",
            result_selector={
                "arns": sfn.JsonPath.list_at("$.ServiceArns"),
                "found": sfn.JsonPath.array_length(sfn.JsonPath.list_at("$.ServiceArns")),
            },
            result_path="$.listed",
        )
        describe = tasks.CallAwsService(
            self,
            "DescribeService",
            service="ecs",
            action="describeServices",
            parameters={
                "Cluster": cluster.cluster_arn,
                "Services": sfn.JsonPath.list_at("$.listed.arns"),
            },
            iam_resources=[service_arn],
            result_selector={"desired": sfn.JsonPath.list_at("$.Services[*].DesiredCount")},
            result_path="$.service",
        )
        scale_down = tasks.CallAwsService(
            self,
            "ScaleServiceToZero",
            service="ecs",
            action="updateService",
            parameters={"Cluster": cluster.cluster_arn, "Service": service_ref, "DesiredCount": 0},
            iam_resources=[service_arn],
            result_path=sfn.JsonPath.DISCARD,
        )
        poll_running = tasks.CallAwsService(
            self,
            "CountRunningTasks",
            service="ecs",
            action="describeServices",
            parameters={
                "Cluster": cluster.cluster_arn,
                "Services": sfn.JsonPath.list_at("$.listed.arns"),
            },
            iam_resources=[service_arn],
            result_selector={"running": sfn.JsonPath.number_at("$.Services[0].RunningCount")},
            result_path="$.drain",
        )
        snapshot = tasks.CallAwsService(
            self,
            "SnapshotDatabase",
            service="rds",
            action="createDBSnapshot",
            parameters={
                "DbInstanceIdentifier": db_instance_identifier,
                "DbSnapshotIdentifier": sfn.JsonPath.format(
                    "mlflow-pre-{}-{}",
                    sfn.JsonPath.string_at("$.version_slug"),
                    sfn.JsonPath.string_at("$$.Execution.Name"),
                ),
            },
            iam_resources=["*"],
            result_selector={"id": sfn.JsonPath.string_at("$.DbSnapshot.DbSnapshotIdentifier")},
            result_path="$.snapshot",
        )
        poll_snapshot = tasks.CallAwsService(
            self,
            "SnapshotStatus",
            service="rds",
            action="describeDBSnapshots",
            parameters={"DbSnapshotIdentifier": sfn.JsonPath.string_at("$.snapshot.id")},
            iam_resources=["*"],
            result_selector={"status": sfn.JsonPath.string_at("$.DbSnapshots[0].Status")},
            result_path="$.snapshot_status",
        )
        migrate = tasks.EcsRunTask(
            self,
            "RunMigrationTask",
            integration_pattern=sfn.IntegrationPattern.RUN_JOB,
            cluster=cluster,
            task_definition=task_definition,
            launch_target=tasks.EcsFargateLaunchTarget(
                platform_version=ecs.FargatePlatformVersion.LATEST
            ),
            subnets=subnets,
            security_groups=security_groups,
            assign_public_ip=assign_public_ip,
            container_overrides=[
                tasks.ContainerOverride(
                    container_definition=container,
                    environment=[
                        tasks.TaskEnvironmentVariable(name="MLFLOW_ROLE", value="migrate")
                    ],
                )
            ],
            result_path=sfn.JsonPath.DISCARD,
            task_timeout=sfn.Timeout.duration(Duration.hours(1)),
        )
        restore_count = tasks.CallAwsService(
            self,
            "ScaleOldVersionBack",
            service="ecs",
            action="updateService",
            parameters={
                "Cluster": cluster.cluster_arn,
                "Service": service_ref,
                "DesiredCount": sfn.JsonPath.array_get_item(
                    sfn.JsonPath.list_at("$.service.desired"), 0
                ),
            },
            iam_resources=[service_arn],
            result_path=sfn.JsonPath.DISCARD,
        )
        failed = sfn.Fail(
            self,
            "MigrationFailed",
            cause="the migration task failed; the database was restored and the old version "
            "scaled back (see the task's log)",
        )
        restore_count.next(failed)
        migrate.add_catch(restore_count, result_path="$.error")
        done = sfn.Succeed(self, "Migrated")

        wait_drain = sfn.Wait(self, "WaitForTasksToStop", time=sfn.WaitTime.duration(POLL))
        wait_snapshot = sfn.Wait(self, "WaitForSnapshot", time=sfn.WaitTime.duration(POLL))
        snapshot_chain = (
            snapshot.next(wait_snapshot)
            .next(poll_snapshot)
            .next(
                sfn.Choice(self, "SnapshotAvailable?")
                .when(sfn.Condition.string_equals("$.snapshot_status.status", "available"), migrate)
                .otherwise(wait_snapshot)
            )
        )
        migrate.next(done)
        drained = (
            sfn.Choice(self, "AllTasksStopped?")
            .when(sfn.Condition.number_equals("$.drain.running", 0), snapshot_chain)
            .otherwise(wait_drain)
        )
        wait_drain.next(poll_running).next(drained)
        definition = (
            sfn.Pass(
                self,
                "Start",
                parameters={
                    "version_slug": version.replace(".", "-"),
                },
            )
            .next(list_services)
            .next(
                sfn.Choice(self, "ServiceExists?")
                # First deployment: no service, no writer; the migration task initializes.
                .when(sfn.Condition.number_equals("$.listed.found", 0), snapshot_chain)
                .otherwise(describe.next(scale_down).next(wait_drain))
            )
        )
        self.state_machine = sfn.StateMachine(
            self,
            "Resource",
            definition_body=sfn.DefinitionBody.from_chainable(definition),
            timeout=WORKFLOW_TIMEOUT,
        )
        provider_code = lambda_.Code.from_inline(_PROVIDER_CODE)
        functions = [
            lambda_.Function(
                self,
                name,
                runtime=lambda_.Runtime.PYTHON_3_12,
                handler=f"index.{handler}",
                code=provider_code,
                timeout=Duration.seconds(30),
                memory_size=128,
            )
            for name, handler in (("OnEvent", "on_event"), ("IsComplete", "is_complete"))
        ]
        self.state_machine.grant_start_execution(functions[0])
        functions[1].add_to_role_policy(
            iam.PolicyStatement(
                actions=["states:DescribeExecution"],
                resources=[
                    stack.format_arn(
                        service="states",
                        resource="execution",
                        resource_name=f"{self.state_machine.state_machine_name}:*",
                        arn_format=ArnFormat.COLON_RESOURCE_NAME,
                    )
                ],
            )
        )
        provider = cr.Provider(
            self,
            "Provider",
            on_event_handler=functions[0],
            is_complete_handler=functions[1],
            query_interval=POLL,
            total_timeout=WORKFLOW_TIMEOUT,
        )
        self.trigger = CustomResource(
            self,
            "Trigger",
            service_token=provider.service_token,
            resource_type="Custom::MlflowSchemaMigration",
            properties={
                "StateMachineArn": self.state_machine.state_machine_arn,
                "MlflowVersion": version,
            },
        )
        self._acknowledge_findings(functions, provider, cluster)

    def _acknowledge_findings(
        self, functions: list[lambda_.Function], provider: cr.Provider, cluster: ecs.ICluster
    ) -> None:
        """cdk-nag findings on this construct, each with the reason it is accepted."""
        stack = Stack.of(self)

        def logical(resource: object) -> str:
            return str(stack.resolve(resource)["Fn::GetAtt"][0])

        framework = [f for f in provider.node.find_all() if isinstance(f, lambda_.Function)]
        invoked = [*functions, *framework]

        def shown(value: str, pseudo: str) -> str:
            # How cdk-nag prints an ARN part: the pseudo parameter, or the literal value of a
            # stack with an explicit account/region.
            return f"<AWS::{pseudo}>" if Token.is_unresolved(value) else value

        arn = (
            f"arn:{shown(stack.partition, 'Partition')}:{{}}:{shown(stack.region, 'Region')}:"
            f"{shown(stack.account, 'AccountId')}:"
        )
        machine = logical(self.state_machine.state_machine_name)
        reasons = {
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
            "AWSLambdaBasicExecutionRole]": "CDK's provider functions log with the basic "
            "execution role (CloudWatch Logs only).",
            "AwsSolutions-IAM5[Resource::*]": "RDS snapshot names are made per run and ECS "
            "ListServices has no resource-level permission.",
            f"AwsSolutions-IAM5[Resource::{arn.format('ecs')}"
            f"service/<{stack.resolve(cluster.cluster_name)['Ref']}>/*]": (
                "The workflow scales the cluster's one service, found at run time (naming it "
                "would make the service and this workflow depend on each other)."
            ),
            f"AwsSolutions-IAM5[Resource::{arn.format('states')}execution:<{machine}.Name>:*]": (
                "Executions of this state machine are named at run time."
            ),
            "AwsSolutions-L1": "Python 3.12 provider code with no dependency on newer runtimes; "
            "bumped with CDK.",
            "AwsSolutions-SF1": "Each run's history is kept by Step Functions for 90 days; the "
            "migration task's own log is in the service's log group.",
            "AwsSolutions-SF2": "A few AWS API calls per upgrade: no X-Ray tracing needed.",
        }
        for function in invoked:
            name = logical(function.function_arn)
            reasons[f"AwsSolutions-IAM5[Resource::<{name}.Arn>:*]"] = (
                "CDK's provider framework invokes its functions' versions."
            )
        for finding, reason in reasons.items():
            Validations.of(self).acknowledge(Acknowledgment(id=finding, reason=reason))
