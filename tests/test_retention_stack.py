"""The scheduled retention task in the stack (retention=true): the schedule and its Fargate task
of the server's image in the retention role, its environment (the policy, the bucket's own
rules, the archive class) and secrets (the database's only), least privilege (IAM statements,
the database security group rule), the artifact bucket's lifecycle rules (small objects stay in
Standard; the archive rule only with retention), the settings errors, and the estimate's lines
computed by hand from the catalog's us-east-1 figures quoted in the comments. Bare stacks: no
nag gate, no estimate aspect."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Template

import app as app_module
from constructs import retention as rt
from constructs.storage import ArtifactStore, StorageSettings
from constructs.tracking_server import (
    RDS_CA_BUNDLE_PATH,
)
from container import tracking_contract as contract
from cost.model import money
from cost.retention.plan import ARCHIVE_CLASSES, ARCHIVE_TAG
from cost.retention.policy import load_policy_file, policy_json
from stacks.config import ConfigError, load_config
from tests.barestack import platform
from tests.test_pricing import components, cost_of, estimate

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_POLICY = REPO / "docs" / "retention-policy.example.yml"


class Bare:
    """Network, artifact store, database and tracking server, plus the retention task when
    `settings.retention` (wired as MlflowStack wires it)."""

    def __init__(self, settings: rt.RetentionSettings) -> None:
        self.app = cdk.App(context=app_module.cdk_json_context())
        stack = self.stack = cdk.Stack(self.app, "Bare")
        built = platform(stack)
        net, self.artifacts, self.server = built.network, built.artifacts, built.server
        assert built.database is not None
        self.database = built.database
        self.retention: rt.Retention | None = None
        if settings.retention:
            self.artifacts.add_archive_rule(settings.retention_archive_class)
            self.retention = rt.Retention(
                stack,
                "Retention",
                settings=settings,
                policy=load_policy_file(EXAMPLE_POLICY),
                cluster=self.server.cluster,
                vpc=net.vpc,
                subnets=net.service_subnets,
                assign_public_ip=net.assign_public_ip,
                image=self.server.image,
                cpu_architecture=ecs.CpuArchitecture.ARM64,
                log_retention_days=30,
                database_host=self.database.instance.db_instance_endpoint_address,
                database_port=self.database.port,
                database_name="mlflow",
                database_secret=self.database.secret,
                ca_bundle=RDS_CA_BUNDLE_PATH,
                artifact_bucket=self.artifacts.bucket,
                artifact_prefix="artifacts",
                artifacts_uri=self.artifacts.uri,
            )
            self.database.allow_from(self.retention.security_group, "MySQL from retention")
        self.json: dict[str, Any] = Template.from_stack(stack).to_json()

    @property
    def task(self) -> rt.Retention:
        assert self.retention is not None
        return self.retention

    def of_type(self, rtype: str) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.json["Resources"].items() if v["Type"] == rtype}

    def logical(self, construct: Any) -> str:
        return str(self.stack.get_logical_id(construct.node.default_child))

    def rules(self) -> dict[str, dict[str, Any]]:
        bucket = self.json["Resources"][self.logical(self.artifacts.bucket)]["Properties"]
        return {r["Id"]: r for r in bucket["LifecycleConfiguration"]["Rules"]}


@pytest.fixture(scope="module")
def bare() -> Bare:
    return Bare(rt.RetentionSettings(retention=True, retention_policy=str(EXAMPLE_POLICY)))


@pytest.fixture(scope="module")
def without() -> Bare:
    return Bare(rt.RetentionSettings())


@pytest.fixture(scope="module")
def container(bare: Bare) -> dict[str, Any]:
    return rt.task_environment(bare.json)


# --- off by default ---------------------------------------------------------------------------


def test_off_in_every_profile_and_adds_nothing(without: Bare) -> None:
    for profile in ("dev", "team", "prod"):
        settings = load_config({"profile": profile}).retention
        assert settings == rt.RetentionSettings()
        assert (settings.retention, settings.retention_schedule) == (False, "rate(7 days)")
        assert settings.retention_archive_class == "GLACIER_IR"
    assert not without.of_type("AWS::Scheduler::Schedule")
    assert "retention-archive" not in without.rules()


# --- the artifact bucket's rules --------------------------------------------------------------


def test_small_objects_stay_in_standard_the_tiering_rule_takes_objects_over_128_kib(
    without: Bare,
) -> None:
    rule = without.rules()["intelligent-tiering"]
    # CloudFormation types the filter as a string; S3 moves objects *larger* than it.
    assert rule["ObjectSizeGreaterThan"] == "131072" == str(128 * 1024)
    assert rule["Transitions"] == [{"StorageClass": "INTELLIGENT_TIERING", "TransitionInDays": 0}]


def test_the_archive_rule_moves_tagged_objects_at_once_only_with_retention(bare: Bare) -> None:
    assert bare.rules()["retention-archive"] == {
        "Id": "retention-archive",
        "Status": "Enabled",
        "TagFilters": [{"Key": "mlflow-retention", "Value": "archive"}],
        "Transitions": [{"StorageClass": "GLACIER_IR", "TransitionInDays": 0}],
    }
    assert ARCHIVE_TAG == ("mlflow-retention", "archive")  # what the command tags


@pytest.mark.parametrize("archive_class", ["GLACIER", "DEEP_ARCHIVE"])
def test_the_archive_class_is_a_setting(archive_class: str) -> None:
    config = load_config(
        {
            "retention": "true",
            "retention_policy": str(EXAMPLE_POLICY),
            "retention_archive_class": archive_class,
        }
    )
    stack = cdk.Stack(cdk.App(), "S")
    store = ArtifactStore(
        stack, "Artifacts", settings=StorageSettings(), access_log_bucket=s3.Bucket(stack, "L")
    )
    store.add_archive_rule(config.retention.retention_archive_class)
    resources = Template.from_stack(stack).to_json()["Resources"]
    bucket = resources[stack.get_logical_id(store.bucket.node.default_child)]  # type: ignore[arg-type]
    (archive,) = [
        r
        for r in bucket["Properties"]["LifecycleConfiguration"]["Rules"]
        if r["Id"] == "retention-archive"
    ]
    assert archive["Transitions"][0]["StorageClass"] == archive_class


def test_the_archive_classes_are_the_commands_and_the_containers() -> None:
    assert (
        ARCHIVE_CLASSES
        == contract.RETENTION_ARCHIVE_CLASSES
        == contract.CHOICES["MLFLOW_RETENTION_ARCHIVE_CLASS"]
    )
    assert "retention" in contract.ROLES
    assert contract.DEFAULTS["MLFLOW_RETENTION_ARCHIVE_CLASS"] == "GLACIER_IR"


# --- the schedule and the task ----------------------------------------------------------------


def test_the_schedule_runs_the_task_weekly_on_the_cluster_in_fargate(bare: Bare) -> None:
    (schedule,) = bare.of_type("AWS::Scheduler::Schedule").values()
    props = schedule["Properties"]
    assert props["ScheduleExpression"] == "rate(7 days)"
    target = props["Target"]
    assert target["Arn"] == {"Fn::GetAtt": [bare.logical(bare.server.cluster), "Arn"]}
    ecs_params = target["EcsParameters"]
    assert ecs_params["TaskDefinitionArn"] == {"Ref": bare.logical(bare.task.task_definition)}
    assert ecs_params["LaunchType"] == "FARGATE"
    network = ecs_params["NetworkConfiguration"]["AwsvpcConfiguration"]
    assert network["SecurityGroups"] == [
        {"Fn::GetAtt": [bare.logical(bare.task.security_group), "GroupId"]}
    ]
    assert network["AssignPublicIp"] == "ENABLED"  # the service's (`public` mode)


def test_the_servers_image_and_entrypoint_in_the_retention_role(
    bare: Bare, container: dict[str, Any]
) -> None:
    tasks = bare.of_type("AWS::ECS::TaskDefinition")
    server = tasks[bare.logical(bare.server.task_definition)]["Properties"]
    task = tasks[bare.logical(bare.task.task_definition)]["Properties"]
    (server_container,) = server["ContainerDefinitions"]
    (task_container,) = task["ContainerDefinitions"]
    assert task_container["Image"] == server_container["Image"]
    assert "EntryPoint" not in task_container and "Command" not in task_container
    assert (task["Cpu"], task["Memory"]) == ("512", "1024")
    assert task["RuntimePlatform"]["CpuArchitecture"] == "ARM64"
    assert container["environment"]["MLFLOW_ROLE"] == "retention"


def test_the_environment_is_the_containers_contract(bare: Bare, container: dict[str, Any]) -> None:
    env = container["environment"]
    assert set(env) <= set(contract.PLAIN_ENVIRONMENT)
    assert set(contract.RETENTION_ENVIRONMENT) <= set(env)
    assert env["MLFLOW_DB_PORT"] == "3307"
    assert env["MLFLOW_DB_NAME"] == "mlflow"
    assert env["MLFLOW_DB_CA_BUNDLE"] == RDS_CA_BUNDLE_PATH
    assert env["MLFLOW_RETENTION_ARCHIVE_CLASS"] == "GLACIER_IR"
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == {"Ref": "AWS::Region"}
    assert env["MLFLOW_RETENTION_POLICY"] == policy_json(load_policy_file(EXAMPLE_POLICY))
    assert "MLFLOW_ALLOWED_HOSTS" not in env  # it serves nothing
    assert not [name for name in env if "PASSWORD" in name or "SECRET" in name]


def test_the_bucket_properties_are_the_artifact_buckets_own_rules(
    bare: Bare, container: dict[str, Any]
) -> None:
    bucket = bare.json["Resources"][bare.logical(bare.artifacts.bucket)]["Properties"]
    passed = json.loads(container["environment"]["MLFLOW_RETENTION_BUCKET_PROPERTIES"])
    assert passed == {"LifecycleConfiguration": bucket["LifecycleConfiguration"]}
    assert "retention-archive" in {r["Id"] for r in passed["LifecycleConfiguration"]["Rules"]}


def test_the_secrets_are_the_databases_only(bare: Bare, container: dict[str, Any]) -> None:
    tasks = bare.of_type("AWS::ECS::TaskDefinition")
    (server,) = tasks[bare.logical(bare.server.task_definition)]["Properties"][
        "ContainerDefinitions"
    ]
    server_secrets = {s["Name"]: s["ValueFrom"] for s in server["Secrets"]}
    assert container["secrets"] == {
        "MLFLOW_DB_USERNAME": server_secrets["MLFLOW_DB_USERNAME"],
        "MLFLOW_DB_PASSWORD": server_secrets["MLFLOW_DB_PASSWORD"],
    }
    assert not set(container["secrets"]) & set(contract.RETENTION_REFUSED_SECRETS)


# --- least privilege --------------------------------------------------------------------------


def _policies_of(bare: Bare, role: Any) -> list[dict[str, Any]]:
    role_id = bare.logical(role)
    return [
        statement
        for policy in bare.of_type("AWS::IAM::Policy").values()
        if {"Ref": role_id} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def test_the_task_role_lists_the_prefix_and_gets_deletes_and_tags_objects_under_it(
    bare: Bare,
) -> None:
    bucket_arn = {"Fn::GetAtt": [bare.logical(bare.artifacts.bucket), "Arn"]}
    assert _policies_of(bare, bare.task.task_definition.task_role) == [
        {
            "Action": "s3:ListBucket",
            "Condition": {"StringLike": {"s3:prefix": ["artifacts/*"]}},
            "Effect": "Allow",
            "Resource": bucket_arn,
            "Sid": "RetentionListArtifacts",
        },
        {
            "Action": [
                "s3:DeleteObject",
                "s3:GetObject",
                "s3:GetObjectTagging",
                "s3:PutObjectTagging",
            ],
            "Effect": "Allow",
            "Resource": {"Fn::Join": ["", [bucket_arn, "/artifacts/*"]]},
            "Sid": "RetentionArtifactObjects",
        },
    ]


def test_the_execution_role_pulls_logs_and_reads_only_the_database_secret(bare: Bare) -> None:
    statements = _policies_of(bare, bare.task.task_definition.obtain_execution_role())
    actions = {
        a
        for s in statements
        for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    }
    assert actions <= {
        "ecr:BatchCheckLayerAvailability",
        "ecr:GetDownloadUrlForLayer",
        "ecr:BatchGetImage",
        "ecr:GetAuthorizationToken",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "secretsmanager:GetSecretValue",
        "secretsmanager:DescribeSecret",
    }
    secret_resources = [
        s["Resource"] for s in statements if "secretsmanager:GetSecretValue" in s["Action"]
    ]
    assert secret_resources == [{"Ref": bare.logical(bare.database.secret)}]


def test_the_security_group_reaches_the_database_port_and_https_only(bare: Bare) -> None:
    group_id = {"Fn::GetAtt": [bare.logical(bare.task.security_group), "GroupId"]}
    database_group = bare.database.instance.connections.security_groups[0]
    database_group_id = {"Fn::GetAtt": [bare.logical(database_group), "GroupId"]}
    group = bare.json["Resources"][bare.logical(bare.task.security_group)]["Properties"]
    assert "SecurityGroupIngress" not in group
    assert [
        (r["IpProtocol"], r["FromPort"], r["CidrIp"]) for r in group["SecurityGroupEgress"]
    ] == [("tcp", 443, "0.0.0.0/0")]
    ingress = [
        r["Properties"]
        for r in bare.of_type("AWS::EC2::SecurityGroupIngress").values()
        if r["Properties"].get("SourceSecurityGroupId") == group_id
    ]
    assert len(ingress) == 1
    assert ingress[0]["GroupId"] == database_group_id
    port = {"Fn::GetAtt": [bare.logical(bare.database.instance), "Endpoint.Port"]}  # 3307
    assert (ingress[0]["FromPort"], ingress[0]["ToPort"]) == (port, port)
    egress = [
        r["Properties"]
        for r in bare.of_type("AWS::EC2::SecurityGroupEgress").values()
        if r["Properties"]["GroupId"] == group_id
    ]
    assert [(e["DestinationSecurityGroupId"], e["FromPort"]) for e in egress] == [
        (database_group_id, port)
    ]


# --- logs and the failure alarm ---------------------------------------------------------------


def test_logs_with_the_retention_setting_and_an_alarm_on_failed_lines(bare: Bare) -> None:
    group = bare.json["Resources"][bare.logical(bare.task.log_group)]["Properties"]
    assert group["RetentionInDays"] == 30
    (metric_filter,) = bare.of_type("AWS::Logs::MetricFilter").values()
    assert metric_filter["Properties"]["FilterPattern"] == '"retention failed"'
    (alarm,) = [
        a["Properties"]
        for k, a in bare.of_type("AWS::CloudWatch::Alarm").items()
        if k.startswith("Retention")
    ]
    assert alarm["MetricName"] == rt.FAILURE_METRIC
    assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (0, "GreaterThanThreshold")
    source = (REPO / "container" / "tracking_retention.py").read_text()
    assert f'FAILURE_MARKER = "{rt.FAILURE_PATTERN}"' in source


# --- settings errors --------------------------------------------------------------------------


def test_retention_without_a_policy_is_a_config_error_naming_the_setting() -> None:
    with pytest.raises(ConfigError, match="retention=true needs retention_policy"):
        load_config({"retention": "true"})
    with pytest.raises(ConfigError, match=r"retention_policy='p.yml' needs retention=true"):
        load_config({"retention_policy": "p.yml"})
    with pytest.raises(ConfigError, match="retention_schedule='weekly'"):
        load_config({"retention_schedule": "weekly"})
    with pytest.raises(ConfigError, match="retention_archive_class='STANDARD_IA'"):
        load_config({"retention_archive_class": "STANDARD_IA"})


def test_a_bad_policy_file_fails_synth_naming_the_field(tmp_path: Path) -> None:
    path = tmp_path / "policy.yml"
    path.write_text("rules:\n  - experiments: [a]\n    delete_runs_older_than_days: -1\n")
    config = load_config({"retention": "true", "retention_policy": str(path)})
    with pytest.raises(ConfigError, match=r"retention_policy=.*rules\[0\]\.delete_runs_older"):
        app_module.retention_policy(config)
    good = load_config({"retention": "true", "retention_policy": str(EXAMPLE_POLICY)})
    assert app_module.retention_policy(good) == load_policy_file(EXAMPLE_POLICY)


# --- the estimate -----------------------------------------------------------------------------


def test_the_retention_lines_computed_by_hand(bare: Bare) -> None:
    # rate(7 days): 730 / 168 = 4.345 runs a month; usage.yml: 10 minutes each of 0.5 vCPU
    # ARM64 (0.03238/vCPU-h) and 1 GB (0.00356/GB-h), a public IPv4 (0.005/h); invocations
    # free (first 14 million). Logs 0.01 GB at 0.50/GB ingested and 0.03/GB-month stored
    # (30 days: one month); the metric filter's one custom metric 0.30; the alarm 0.10.
    usage = {
        "resources": {
            bare.logical(bare.task.schedule): {"minutes_per_run": 10},
            bare.logical(bare.task.log_group): {"monthly_ingested_gb": 0.01},
        }
    }
    resources = {k: v for k, v in bare.json["Resources"].items() if k.startswith("Retention")}
    stack = estimate(resources, usage=usage)
    assert not stack.unsupported, [u.reason for u in stack.unsupported]
    hours = 730 / (7 * 24) * 10 / 60
    schedule = hours * 0.5 * 0.03238 + hours * 1 * 0.00356 + hours * 0.005
    assert cost_of(stack, bare.logical(bare.task.schedule)) == money(schedule) == 0.02
    parts = components(stack, bare.logical(bare.task.schedule))
    assert parts["Scheduler invocations (4.34524 a month)"] == 0
    assert cost_of(stack, bare.logical(bare.task.log_group)) == money(0.01 * 0.5 + 0.01 * 0.03)
    filter_id = next(iter(bare.of_type("AWS::Logs::MetricFilter")))
    assert cost_of(stack, filter_id) == money(0.30)
    assert cost_of(stack, bare.logical(bare.task.alarm)) == money(0.10)


def test_the_archive_rule_is_priced_as_covering_no_data(bare: Bare, without: Bare) -> None:
    # The tagged share is unknown: the bucket costs the same with the archive rule as without,
    # and the estimate says why. 50 GB (built-in default), tiering from day 0.
    bucket_id = bare.logical(bare.artifacts.bucket)
    with_rule = estimate({bucket_id: bare.json["Resources"][bucket_id]})
    without_rule = estimate({bucket_id: without.json["Resources"][bucket_id]})
    assert cost_of(with_rule, bucket_id) == cost_of(without_rule, bucket_id)
    (line,) = with_rule.resources
    assert (
        "lifecycle rule retention-archive moves only objects tagged mlflow-retention=archive: "
        "the tagged share is not known, so it is priced as covering no data"
    ) in line.assumptions
    assert not [c for c in components(with_rule, bucket_id) if "Glacier" in c]
