"""The scheduled run pricer in the stack (run_costs=true): the schedule and its Fargate task of
the server's image, the exact command line (the artifact bucket's own storage rules, the
budgets), the pricer's MLflow user and secret, least privilege, the alarms, the settings and
budgets-file errors, and the estimate's pricing of a schedule (computed by hand from the
catalog's us-east-1 figures quoted in the comments). Bare stacks: no database, no nag gate."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from appsynth import Synth, synth
from aws_cdk import aws_ecr_assets as ecr_assets
from aws_cdk import aws_ecs as ecs
from aws_cdk.assertions import Template

import app as app_module
from constructs import run_costs as rc
from constructs import tracking_server as ts
from constructs.storage import StorageSettings
from cost.model import money
from cost.runs import metrics as runs_metrics
from cost.runs.budgets import Budget
from stacks.config import ConfigError, load_config
from tests.barestack import platform
from tests.test_pricing import components, cost_of, estimate, fargate

H = 730
BUDGETS = (
    Budget("vision-monthly", "team", "vision", 500.0, 0.8),
    Budget("llm-exp", "experiment", "llm-finetune", 120.0),
)


class Bare:
    def __init__(self, settings: rc.RunCostsSettings, budgets: tuple[Budget, ...]) -> None:
        self.app = cdk.App(context=app_module.cdk_json_context())
        stack = self.stack = cdk.Stack(self.app, "Bare")
        built = platform(
            stack, storage=StorageSettings(intelligent_tiering_archive=True), database=False
        )
        net, self.artifacts, self.server = built.network, built.artifacts, built.server
        self.run_costs = rc.RunCosts(
            stack,
            "RunCosts",
            settings=settings,
            budgets=budgets,
            cluster=self.server.cluster,
            vpc=net.vpc,
            subnets=net.service_subnets,
            assign_public_ip=net.assign_public_ip,
            image=self.server.image,
            cpu_architecture=ecs.CpuArchitecture.ARM64,
            log_retention_days=30,
            tracking_uri=self.server.url,
            listener_port=80,
            load_balancer_security_group=self.server.load_balancer_security_group,
            artifact_bucket=self.artifacts.bucket,
            artifacts_uri=self.artifacts.uri,
        )
        self.server.add_run_costs_user(self.run_costs.username, self.run_costs.secret)
        self.template = Template.from_stack(stack)
        self.json: dict[str, Any] = self.template.to_json()

    def of_type(self, rtype: str) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.json["Resources"].items() if v["Type"] == rtype}

    def logical(self, construct: Any) -> str:
        return str(self.stack.get_logical_id(construct.node.default_child))


@pytest.fixture(scope="module")
def bare() -> Bare:
    return Bare(
        rc.RunCostsSettings(run_costs=True, run_costs_alarm_email="finops@example.com"), BUDGETS
    )


@pytest.fixture(scope="module")
def command(bare: Bare) -> rc.ScheduledCommand:
    return rc.scheduled_task_command(bare.json)


def _option(argv: list[str], name: str) -> str:
    return argv[argv.index(name) + 1]


# --- off by default ---------------------------------------------------------------------------


def test_off_in_every_profile_and_adds_nothing_to_the_app() -> None:
    for profile in ("dev", "team", "prod"):
        assert load_config({"profile": profile}).run_costs.run_costs is False
    team: Synth = synth(cost="off")  # shared with test_schema_migration
    assert not team.resources("AWS::Scheduler::Schedule")
    assert not [k for k in team.json["Resources"] if k.startswith("RunCosts")]
    (_, task) = team.one("AWS::ECS::TaskDefinition")
    names = {e["Name"] for e in task["Properties"]["ContainerDefinitions"][0]["Environment"]}
    names |= {e["Name"] for e in task["Properties"]["ContainerDefinitions"][0]["Secrets"]}
    assert not {n for n in names if "RUN_COSTS" in n}


# --- the schedule and the task ----------------------------------------------------------------


def test_the_schedule_runs_the_pricer_task_daily_on_the_cluster_in_fargate(bare: Bare) -> None:
    (schedule,) = bare.of_type("AWS::Scheduler::Schedule").values()
    props = schedule["Properties"]
    assert props["ScheduleExpression"] == "rate(1 day)"
    target = props["Target"]
    assert target["Arn"] == {"Fn::GetAtt": [bare.logical(bare.server.cluster), "Arn"]}
    ecs_params = target["EcsParameters"]
    assert ecs_params["TaskDefinitionArn"] == {"Ref": bare.logical(bare.run_costs.task_definition)}
    assert ecs_params["LaunchType"] == "FARGATE"
    network = ecs_params["NetworkConfiguration"]["AwsvpcConfiguration"]
    assert network["SecurityGroups"] == [
        {"Fn::GetAtt": [bare.logical(bare.run_costs.security_group), "GroupId"]}
    ]
    assert network["AssignPublicIp"] == "ENABLED"  # the default `public` network mode


def test_same_image_as_the_server_with_the_cost_engine_entrypoint(bare: Bare) -> None:
    tasks = bare.of_type("AWS::ECS::TaskDefinition")
    server = tasks[bare.logical(bare.server.task_definition)]["Properties"]
    pricer = tasks[bare.logical(bare.run_costs.task_definition)]["Properties"]
    (server_container,) = server["ContainerDefinitions"]
    (pricer_container,) = pricer["ContainerDefinitions"]
    assert pricer_container["Image"] == server_container["Image"]
    assert pricer_container["EntryPoint"] == ["python", "-m", "cost"]
    assert pricer["RuntimePlatform"]["CpuArchitecture"] == "ARM64"
    assert (pricer["Cpu"], pricer["Memory"]) == ("512", "1024")


def test_the_image_context_holds_only_the_container_and_the_cost_engine(tmp_path: Path) -> None:
    """The server's image asset, staged as `cdk synth` stages it (tests turn staging off)."""
    asset_app = cdk.App(outdir=str(tmp_path))
    stack = cdk.Stack(asset_app, "Image")
    ecr_assets.DockerImageAsset(
        stack,
        "Image",
        directory=str(ts.REPO_ROOT),
        file="container/Dockerfile",
        exclude=list(ts.IMAGE_EXCLUDE),
        ignore_mode=cdk.IgnoreMode.DOCKER,
    )
    (context,) = Path(asset_app.synth().directory).glob("asset.*")
    assert sorted(p.name for p in context.iterdir()) == ["container", "cost"]
    assert (context / "container" / "Dockerfile").is_file()
    assert not (context / "container" / "Dockerfile.dockerignore").exists()
    assert (context / "cost" / "catalog" / "data" / "INDEX.json").is_file()
    assert not list(context.rglob("__pycache__"))
    # The server's image is that asset.
    source = Path(ts.__file__).read_text()
    assert "exclude=list(IMAGE_EXCLUDE)" in source and 'file="container/Dockerfile"' in source


def test_the_command_line_is_the_cli_contract(bare: Bare, command: rc.ScheduledCommand) -> None:
    argv = command.argv
    assert argv[:4] == ["python", "-m", "cost", "runs"]
    assert _option(argv, "--tracking-uri").startswith("http://${")  # the load balancer's name
    assert _option(argv, "--region") == "${AWS::Region}"
    assert "--since" not in argv  # every run: old artifacts' storage counts too
    assert _option(argv, "--budget-months") == rc.BUDGET_MONTHS == "current"
    assert _option(argv, "--format") == "json"
    assert _option(argv, "--output") == rc.REPORT_PATH
    assert _option(argv, "--publish-metrics") == bare.run_costs.namespace == "MLflow/Bare/RunCosts"
    assert _option(argv, "--artifact-root").endswith("/artifacts")
    assert argv[-1] == "--no-progress"
    assert command.with_option("--tracking-uri", "http://127.0.0.1:5000")[5] == (
        "http://127.0.0.1:5000"
    )


def test_the_bucket_properties_are_the_artifact_buckets_own_rules(
    bare: Bare, command: rc.ScheduledCommand
) -> None:
    bucket = bare.json["Resources"][bare.logical(bare.artifacts.bucket)]["Properties"]
    passed = json.loads(_option(command.argv, "--bucket-properties"))
    assert passed == {
        "LifecycleConfiguration": bucket["LifecycleConfiguration"],
        "IntelligentTieringConfigurations": bucket["IntelligentTieringConfigurations"],
    }
    assert {r["Id"] for r in passed["LifecycleConfiguration"]["Rules"]} == {
        "intelligent-tiering",
        "expire-noncurrent-versions",
        "remove-expired-delete-markers",
    }


def test_the_budgets_are_passed_in_the_budgets_file_schema(command: rc.ScheduledCommand) -> None:
    assert json.loads(_option(command.argv, "--budgets-json")) == {
        "budgets": [
            {"name": "vision-monthly", "team": "vision", "monthly_usd": 500.0, "warn_at": 0.8},
            {"name": "llm-exp", "experiment": "llm-finetune", "monthly_usd": 120.0},
        ]
    }


def test_without_budgets_no_budgets_option_and_only_the_two_health_alarms() -> None:
    bare = Bare(rc.RunCostsSettings(run_costs=True, run_costs_schedule="rate(6 hours)"), ())
    assert "--budgets-json" not in rc.scheduled_task_command(bare.json).argv
    alarms = bare.of_type("AWS::CloudWatch::Alarm")
    assert len(alarms) == 2
    silent = next(a["Properties"] for k, a in alarms.items() if "PricerSilent" in k)
    assert (silent["EvaluationPeriods"], silent["DatapointsToAlarm"]) == (12, 12)  # 2 x 6 h
    assert not bare.of_type("AWS::SNS::Subscription")


# --- the MLflow user and its secret -----------------------------------------------------------


def test_the_password_is_an_ecs_secret_never_plain_environment(
    bare: Bare, command: rc.ScheduledCommand
) -> None:
    secret_ref = {"Ref": bare.logical(bare.run_costs.secret)}
    assert command.environment["MLFLOW_TRACKING_USERNAME"] == rc.PRICER_USERNAME == "cost-pricer"
    assert command.secrets == {"MLFLOW_TRACKING_PASSWORD": secret_ref}
    assert not [k for k in command.environment if "PASSWORD" in k]
    assert "PASSWORD" not in " ".join(command.argv)
    # The server's entrypoint keeps the user: the same secret, also as a secret.
    tasks = bare.of_type("AWS::ECS::TaskDefinition")
    (server,) = tasks[bare.logical(bare.server.task_definition)]["Properties"][
        "ContainerDefinitions"
    ]
    env = {e["Name"]: e["Value"] for e in server["Environment"]}
    secrets = {e["Name"]: e["ValueFrom"] for e in server["Secrets"]}
    assert env["MLFLOW_RUN_COSTS_USERNAME"] == "cost-pricer"
    assert secrets["MLFLOW_RUN_COSTS_PASSWORD"] == secret_ref


# --- least privilege --------------------------------------------------------------------------


def _policies_of(bare: Bare, role: Any) -> list[dict[str, Any]]:
    role_id = bare.logical(role)
    return [
        statement
        for policy in bare.of_type("AWS::IAM::Policy").values()
        if {"Ref": role_id} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def test_the_task_role_may_only_put_metrics_into_its_namespace(bare: Bare) -> None:
    assert _policies_of(bare, bare.run_costs.task_definition.task_role) == [
        {
            "Action": "cloudwatch:PutMetricData",
            "Condition": {"StringEquals": {"cloudwatch:namespace": "MLflow/Bare/RunCosts"}},
            "Effect": "Allow",
            "Resource": "*",
            "Sid": "PublishRunCostMetrics",
        }
    ]


def test_the_execution_role_pulls_logs_and_reads_only_the_pricer_secret(bare: Bare) -> None:
    statements = _policies_of(bare, bare.run_costs.task_definition.obtain_execution_role())
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
    assert secret_resources == [{"Ref": bare.logical(bare.run_costs.secret)}]
    assert not [a for a in actions if a.startswith(("s3:", "rds", "kms:"))]


def test_the_task_security_group_is_egress_only(bare: Bare) -> None:
    group = bare.json["Resources"][bare.logical(bare.run_costs.security_group)]["Properties"]
    assert "SecurityGroupIngress" not in group
    ports = sorted(rule["FromPort"] for rule in group["SecurityGroupEgress"])
    assert ports == [80, 443]


# --- alarms -----------------------------------------------------------------------------------


def _alarms(bare: Bare) -> dict[str, dict[str, Any]]:
    return {k: v["Properties"] for k, v in bare.of_type("AWS::CloudWatch::Alarm").items()}


def test_an_alarm_per_budget_at_its_limit_and_its_warning_share(bare: Bare) -> None:
    budget_alarms = {
        (a["Dimensions"][0]["Value"], a["Threshold"], a["ComparisonOperator"])
        for a in _alarms(bare).values()
        if a["MetricName"] == rc.BUDGET_SPEND_METRIC
    }
    assert budget_alarms == {
        ("vision-monthly", 500, "GreaterThanThreshold"),
        ("vision-monthly", 400, "GreaterThanOrEqualToThreshold"),
        ("llm-exp", 120, "GreaterThanThreshold"),
    }
    topic = {"Ref": bare.logical(bare.run_costs.topic)}
    for alarm in _alarms(bare).values():
        assert alarm["Namespace"] == "MLflow/Bare/RunCosts"
        assert alarm["AlarmActions"] == [topic] and alarm["OKActions"] == [topic]


def test_a_silent_pricer_alarms_instead_of_looking_under_budget(bare: Bare) -> None:
    (silent,) = [a for a in _alarms(bare).values() if a["MetricName"] == rc.RUNS_PRICED_METRIC]
    assert silent["TreatMissingData"] == "breaching"
    assert silent["Statistic"] == "SampleCount" and silent["Threshold"] == 1
    assert silent["ComparisonOperator"] == "LessThanThreshold"
    # Daily schedule: two periods are capped at CloudWatch's one-day evaluation range.
    assert (silent["Period"], silent["EvaluationPeriods"], silent["DatapointsToAlarm"]) == (
        3600,
        24,
        24,
    )
    (unpriced,) = [a for a in _alarms(bare).values() if a["MetricName"] == rc.RUNS_UNPRICED_METRIC]
    assert unpriced["Threshold"] == 0 and unpriced["ComparisonOperator"] == "GreaterThanThreshold"


def test_the_alarm_topic_is_kms_encrypted_and_mails_the_address(bare: Bare) -> None:
    (topic,) = bare.of_type("AWS::SNS::Topic").values()
    assert topic["Properties"]["KmsMasterKeyId"] == {
        "Fn::GetAtt": [bare.logical(bare.run_costs.topic.master_key), "Arn"]
    }
    (subscription,) = bare.of_type("AWS::SNS::Subscription").values()
    assert subscription["Properties"]["Protocol"] == "email"
    assert subscription["Properties"]["Endpoint"] == "finops@example.com"


def test_metric_names_match_the_pricers() -> None:
    assert rc.BUDGET_SPEND_METRIC == runs_metrics.BUDGET_SPEND
    assert rc.TEAM_SPEND_METRIC == runs_metrics.TEAM_SPEND
    assert rc.RUNS_PRICED_METRIC == runs_metrics.RUNS_PRICED
    assert rc.RUNS_UNPRICED_METRIC == runs_metrics.RUNS_UNPRICED


@pytest.mark.parametrize(
    ("expression", "hours"),
    [
        ("rate(1 day)", 24),
        ("rate(6 hours)", 12),
        ("rate(10 minutes)", 1),
        ("cron(0 3 * * ? *)", 24),
    ],
)
def test_the_silence_window_is_two_periods_within_a_day(expression: str, hours: int) -> None:
    assert rc.silence_window_hours(expression) == hours


# --- settings and the budgets file ------------------------------------------------------------


def test_the_schedule_setting_accepts_rate_and_cron_only() -> None:
    for good in ("rate(1 day)", "rate(12 hours)", "cron(0 3 * * ? *)"):
        load_config({"run_costs": "true", "run_costs_schedule": good})
    with pytest.raises(ConfigError, match=r"run_costs_schedule='rate\(1 days\)' is not an Event"):
        load_config({"run_costs": "true", "run_costs_schedule": "rate(1 days)"})


def test_run_costs_needs_basic_auth() -> None:
    with pytest.raises(ConfigError, match="run_costs=true needs auth=basic"):
        load_config({"run_costs": "true", "auth": "none"})


def _budgets_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "budgets.yml"
    path.write_text(text)
    return path


def test_a_budgets_file_is_read_with_the_pricers_own_schema(tmp_path: Path) -> None:
    path = _budgets_file(
        tmp_path,
        "budgets:\n  - {name: a, team: vision, monthly_usd: 10, warn_at: 0.5}\n"
        "  - {name: b, experiment: '7', monthly_usd: 2.5}\n",
    )
    assert rc.load_budgets_file(path) == (
        Budget("a", "team", "vision", 10.0, 0.5),
        Budget("b", "experiment", "7", 2.5),
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("budgets:\n  - {name: a, team: x, monthly_usd: -5}\n", r"budgets\[0\]\.monthly_usd: -5"),
        (
            "budgets:\n  - {name: a, team: x, monthly_usd: 5, warn_at: 2}\n",
            r"budgets\[0\]\.warn_at",
        ),
        ("budgets:\n  - {name: a, monthly_usd: 5}\n", r"budgets\[0\] \(a\): names 0 scopes"),
        ("budgets:\n  - {name: a, owner: x, monthly_usd: 5}\n", r"unknown field\(s\) owner"),
        (
            "budgets:\n  - {name: a, team: x, monthly_usd: 5}\n  - {name: a, team: y, monthly_usd: 5}\n",
            "used twice",
        ),
        ("nope: []\n", "top-level 'budgets' list"),
    ],
)
def test_a_bad_budgets_file_names_the_setting_and_the_field(
    tmp_path: Path, text: str, message: str
) -> None:
    path = _budgets_file(tmp_path, text)
    with pytest.raises(ValueError, match=message) as err:
        rc.load_budgets_file(path)
    assert str(err.value).startswith(f"run_costs_budgets={str(path)!r}: ")


def test_the_app_reads_the_budgets_file_only_with_run_costs_on(tmp_path: Path) -> None:
    path = _budgets_file(tmp_path, "budgets:\n  - {name: a, team: x, monthly_usd: 0}\n")
    config = load_config({"run_costs": "true", "run_costs_budgets": str(path)})
    with pytest.raises(ConfigError, match=r"budgets\[0\]\.monthly_usd: 0 is not a positive"):
        app_module.run_cost_budgets(config)
    with pytest.raises(ConfigError, match="needs run_costs=true"):
        app_module.run_cost_budgets(load_config({"run_costs_budgets": str(path)}))


# --- the estimate -----------------------------------------------------------------------------


def _schedule(expression: str, **target: Any) -> dict[str, Any]:
    return {
        "Type": "AWS::Scheduler::Schedule",
        "Properties": {
            "ScheduleExpression": expression,
            "FlexibleTimeWindow": {"Mode": "OFF"},
            "Target": {"Arn": "arn", "RoleArn": "role", **target},
        },
    }


def _ecs_target(public_ip: bool = False) -> dict[str, Any]:
    return {
        "EcsParameters": {
            "TaskDefinitionArn": {"Ref": "Task"},
            "LaunchType": "FARGATE",
            "NetworkConfiguration": {
                "AwsvpcConfiguration": {"AssignPublicIp": "ENABLED" if public_ip else "DISABLED"}
            },
        }
    }


def test_a_daily_schedule_prices_its_invocations_in_the_free_tier() -> None:
    # AWSEvents us-east-1 Scheduler invocations: 0 for the first 14,000,000 a month, then
    # 0.000001 each. rate(1 day): 730 h / 24 h = 30.42 invocations.
    stack = estimate({"S": _schedule("rate(1 day)")})
    assert components(stack, "S") == {"Scheduler invocations (30.4167 a month)": 0.0}
    (line,) = stack.resources
    assert line.components[0].quantity == pytest.approx(730 / 24)


def test_invocations_beyond_the_free_tier_are_billed() -> None:
    # rate(1 minute): 43,800 a month, all in the free tier; 20 million from usage: 6 million
    # above 14 million x 0.000001 = 6.00.
    usage = {"resource_type_defaults": {"AWS::Scheduler::Schedule": {"monthly_invocations": 20e6}}}
    stack = estimate({"S": _schedule("rate(1 minute)")}, usage=usage)
    assert cost_of(stack, "S") == money(6e6 * 1e-6)


def test_an_ecs_target_prices_the_fargate_task_hours_it_starts() -> None:
    # ARM64 us-east-1: 0.03238/vCPU-h, 0.00356/GB-h; public IPv4 0.005/h; custom metrics
    # 0.30 per metric-month (first 10,000). rate(12 hours): 60.83 runs x 6 min = 6.083 h.
    usage = {
        "resource_type_defaults": {
            "AWS::Scheduler::Schedule": {"minutes_per_run": 6, "custom_metrics": 4}
        }
    }
    resources = {
        "Task": fargate("512", "1024"),
        "S": _schedule("rate(12 hours)", **_ecs_target(public_ip=True)),
    }
    stack = estimate(resources, usage=usage)
    task_hours = (730 / 12) * 6 / 60
    expected = task_hours * 0.5 * 0.03238 + task_hours * 1 * 0.00356 + task_hours * 0.005 + 4 * 0.30
    assert cost_of(stack, "S") == money(expected)


def test_a_cron_schedule_fires_as_its_expression_says_in_its_time_zone() -> None:
    # Every day at 03:00 over the reference year 2027 (365 days): 365 / 12 a month.
    stack = estimate({"S": _schedule("cron(0 3 * * ? *)")})
    assert components(stack, "S") == {"Scheduler invocations (30.4167 a month)": 0.0}
    # Weekdays only, in Berlin: 2027 has 261 weekdays (365 days = 52 weeks + Friday 1 Jan).
    weekdays = _schedule("cron(0 7 ? * MON-FRI *)")
    weekdays["Properties"]["ScheduleExpressionTimezone"] = "Europe/Berlin"
    stack = estimate({"S": weekdays})
    assert components(stack, "S") == {"Scheduler invocations (21.75 a month)": 0.0}


def test_a_cron_schedule_it_cannot_evaluate_needs_its_invocations_from_usage() -> None:
    stack = estimate({"S": _schedule("cron(0 3 L * ? *)")})
    (unsupported,) = stack.unsupported
    assert "set usage monthly_invocations" in unsupported.reason
    assert "L, W and # are not supported" in unsupported.reason
    assert not stack.resources


def test_the_apps_run_costs_lines_are_all_priced(bare: Bare) -> None:
    """The synthesized pricer's resources in the estimate: nothing unsupported."""
    resources = {
        k: v
        for k, v in bare.json["Resources"].items()
        if k.startswith(("RunCosts", "TrackingServerCluster"))
    }
    stack = estimate(resources)
    assert not stack.unsupported, [u.reason for u in stack.unsupported]
    priced = {r.logical_id for r in stack.resources}
    for construct in (
        bare.run_costs.schedule,
        bare.run_costs.secret,
        bare.run_costs.log_group,
        bare.run_costs.topic,
        *bare.run_costs.alarms,
    ):
        assert bare.logical(construct) in priced
