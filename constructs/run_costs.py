"""The scheduled run pricer (issue 13): an EventBridge Scheduler schedule that runs
`python -m cost runs` as a one-off Fargate task of the tracking server's own image, prices the
MLflow runs of the last weeks, writes their cost.* tags, and publishes per-budget and per-team
spend as CloudWatch metrics; alarms on those metrics mail an SNS topic.

- Same image as the server (built from container/ with the cost engine at /app/cost); the task
  definition overrides the entrypoint with `python -m cost` (no database, no server start-up).
- It authenticates as its own non-admin MLflow user (`cost-pricer`), whose generated password
  lives in Secrets Manager: ECS injects it into this task as MLFLOW_TRACKING_PASSWORD and into
  the tracking server's entrypoint as MLFLOW_RUN_COSTS_PASSWORD, which creates the user (or
  sets its password) on every start and grants it READ on experiments and EDIT on runs
  (container/tracking_contract.py RUN_COSTS_GRANTS). The server's workers never see it.
- It reaches MLflow where clients do: the server's URL (the HTTPS domain, else the load
  balancer's DNS name over HTTP), a Host header the server accepts.
- Least privilege: the task role may only `cloudwatch:PutMetricData` into its one namespace;
  the execution role pulls the image, writes the log group and reads the pricer's secret. No
  database access, no bucket access (artifacts are listed through the MLflow API).
- Fail closed: besides the budget alarms, an alarm fires when the pricer stops reporting
  (missing `RunsPriced` is breaching) and when runs could not be priced (`RunsUnpriced` > 0).

The metric names and dimensions below are the contract with `cost/runs` (`--publish-metrics`).
`scheduled_task_command` reads the exact command line and environment back from a template.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aws_cdk import Acknowledgment, Duration, Stack, Validations
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions

from constructs import Construct, scheduled_task
from constructs.settings import SCHEDULE_EXPRESSION, Matches, setting
from constructs.storage import storage_model_json
from cost.pricing.schedules import schedule_interval_seconds
from cost.runs.budgets import Budget, BudgetError, load_budgets
from cost.runs.rollup import DEFAULT_GROUP_TAGS

# --- the metrics contract with cost/runs (`--publish-metrics NAMESPACE`) --------------------

#: This month's spend of each budget, month to date (USD); dimension BUDGET_DIMENSION.
BUDGET_SPEND_METRIC = "BudgetSpendUSD"
BUDGET_DIMENSION = "Budget"
#: Month-to-date spend per team (the first attribution tag, USD); dimension TEAM_DIMENSION.
TEAM_SPEND_METRIC = "MonthToDateUSD"
TEAM_DIMENSION = "Team"
#: Runs priced / not priced by one pass (no dimensions).
RUNS_PRICED_METRIC = "RunsPriced"
RUNS_UNPRICED_METRIC = "RunsUnpriced"

# --- the task -------------------------------------------------------------------------------

#: The MLflow user the pricer runs as (non-admin; see RUN_COSTS_GRANTS in the container).
PRICER_USERNAME = "cost-pricer"
CONTAINER_NAME = "pricer"
#: `python -m cost` from the image's WORKDIR (/app), instead of the server's entrypoint.
ENTRY_POINT = ("python", "-m", "cost")
#: Every pass prices every run (no --since): artifacts change storage class as they age, so
#: old runs' tags are kept current, and a budget's month-to-date spend includes the storage
#: of all its artifacts, however old the runs; budgets are checked for this month only.
BUDGET_MONTHS = "current"
REPORT_PATH = "/tmp/run-costs.json"  # noqa: S108 (the task's own scratch space)
#: One pass imports MLflow and prices a few thousand runs: well within 0.5 vCPU / 1 GiB.
TASK_CPU = 512
TASK_MEMORY_MIB = 1024


@dataclass(frozen=True, kw_only=True)
class RunCostsSettings:
    """The scheduled run pricer (context keys are the field names). Off in every profile."""

    run_costs: bool = setting(
        False,
        doc="schedule the run pricer (`python -m cost runs` as a Fargate task of the server's "
        "image): cost.* tags on MLflow runs, spend metrics, budget alarms",
    )
    run_costs_schedule: str = setting(
        "rate(1 day)",
        check=SCHEDULE_EXPRESSION,
        doc="when the run pricer runs (EventBridge Scheduler, UTC)",
    )
    run_costs_budgets: str | None = setting(
        None,
        doc="YAML budgets file (`budgets: [{name, team|project|cost-center|experiment, "
        "monthly_usd, warn_at}]`, relative to the app directory): an alarm per budget at "
        "`monthly_usd` and at `warn_at` x `monthly_usd`",
    )
    run_costs_alarm_email: str | None = setting(
        None,
        check=Matches(
            r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}", what="an e-mail address", allowed="a@example.com"
        ),
        doc="e-mail address subscribed to the run-cost alarms' SNS topic (confirm the "
        "subscription mail)",
    )


def load_budgets_file(path: Path) -> tuple[Budget, ...]:
    """The budgets of `run_costs_budgets`, validated as `cost runs` validates them (the same
    parser), plus what the alarms need. Raises ValueError naming the setting and the field."""
    try:
        budgets = load_budgets(path)
    except BudgetError as err:
        raise ValueError(f"run_costs_budgets={str(path)!r}: {err}") from None
    problems = []
    for i, budget in enumerate(budgets):
        if budget.scope != "experiment" and budget.scope not in DEFAULT_GROUP_TAGS:
            problems.append(
                f"budgets[{i}] ({budget.name}): scope {budget.scope} is not an attribution tag "
                f"the pricer rolls up by; allowed: {', '.join(DEFAULT_GROUP_TAGS)}, experiment"
            )
        if len(budget.name) > 200 or not budget.name.isascii():
            problems.append(
                f"budgets[{i}].name: {budget.name!r} is not a CloudWatch dimension value the "
                "alarms can use; allowed: up to 200 ASCII characters"
            )
    if problems:
        raise ValueError(f"run_costs_budgets={str(path)!r}: " + "; ".join(problems))
    return tuple(budgets)


def metrics_namespace(stack: Stack) -> str:
    """The CloudWatch namespace of one deployment's run-cost metrics."""
    return f"MLflow/{stack.stack_name}/RunCosts"


def silence_window_hours(expression: str) -> int:
    """How long without a `RunsPriced` data point means the pricer stopped: two schedule
    periods, within CloudWatch's one-day limit on an alarm's evaluation range (a cron
    schedule, whose period is not fixed, gets the whole day)."""
    interval = schedule_interval_seconds(expression)
    if interval is None:
        return 24
    return max(1, min(24, math.ceil(2 * interval / 3600)))


class RunCosts(Construct):
    """Schedule, task definition, the pricer's secret and security group, alarm topic and
    alarms. `budgets` come from `load_budgets_file`."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: RunCostsSettings,
        budgets: Sequence[Budget],
        cluster: ecs.ICluster,
        vpc: ec2.IVpc,
        subnets: ec2.SubnetSelection,
        assign_public_ip: bool,
        image: ecs.ContainerImage,
        cpu_architecture: ecs.CpuArchitecture,
        log_retention_days: int,
        tracking_uri: str,
        listener_port: int,
        load_balancer_security_group: ec2.ISecurityGroup,
        artifact_bucket: s3.Bucket,
        artifacts_uri: str,
    ) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        self.namespace = metrics_namespace(stack)
        self.username = PRICER_USERNAME
        self.secret = secretsmanager.Secret(
            self,
            "Password",
            description="MLflow password of the scheduled run pricer (user cost-pricer)",
            generate_secret_string=secretsmanager.SecretStringGenerator(
                password_length=32, exclude_characters="\"'\\`"
            ),
        )
        self.log_group, self.task_definition = scheduled_task.task_definition(
            self,
            cpu=TASK_CPU,
            memory_mib=TASK_MEMORY_MIB,
            cpu_architecture=cpu_architecture,
            log_retention_days=log_retention_days,
        )
        self.task_definition.add_to_task_role_policy(
            iam.PolicyStatement(
                sid="PublishRunCostMetrics",
                actions=["cloudwatch:PutMetricData"],
                resources=["*"],
                conditions={"StringEquals": {"cloudwatch:namespace": self.namespace}},
            )
        )
        command = [
            "runs",
            "--tracking-uri",
            tracking_uri,
            "--region",
            stack.region,
            "--budget-months",
            BUDGET_MONTHS,
            "--format",
            "json",
            "--output",
            REPORT_PATH,
            "--bucket-properties",
            storage_model_json(artifact_bucket),
            "--artifact-root",
            artifacts_uri,
            "--publish-metrics",
            self.namespace,
        ]
        if budgets:
            command += ["--budgets-json", budgets_json(budgets)]
        command.append("--no-progress")
        self.container = self.task_definition.add_container(
            CONTAINER_NAME,
            image=image,
            essential=True,
            entry_point=list(ENTRY_POINT),
            command=command,
            environment={
                "MLFLOW_TRACKING_USERNAME": self.username,
                "AWS_REGION": stack.region,
                "AWS_DEFAULT_REGION": stack.region,
            },
            secrets={"MLFLOW_TRACKING_PASSWORD": ecs.Secret.from_secrets_manager(self.secret)},
            logging=ecs.LogDrivers.aws_logs(stream_prefix="run-costs", log_group=self.log_group),
            stop_timeout=Duration.seconds(30),
        )
        self.security_group = ec2.SecurityGroup(
            self,
            "SecurityGroup",
            vpc=vpc,
            description="MLflow run pricer: HTTPS to AWS APIs and to the tracking server listener",
            allow_all_outbound=False,
        )
        self.security_group.add_egress_rule(
            ec2.Peer.any_ipv4(), ec2.Port.tcp(443), "HTTPS to AWS APIs and the tracking server"
        )
        if listener_port != 443:
            self.security_group.add_egress_rule(
                ec2.Peer.any_ipv4(), ec2.Port.tcp(listener_port), "the tracking server's listener"
            )
        # An internal load balancer is reached inside the VPC: let the pricer in by its group.
        load_balancer_security_group.add_ingress_rule(
            self.security_group, ec2.Port.tcp(listener_port), "MLflow run pricer"
        )
        self.schedule = scheduled_task.run_on_schedule(
            self,
            expression=settings.run_costs_schedule,
            description="MLflow run pricer: python -m cost runs",
            cluster=cluster,
            definition=self.task_definition,
            security_group=self.security_group,
            subnets=subnets,
            assign_public_ip=assign_public_ip,
        )
        self.topic = self._build_topic(settings)
        self.alarms = self._build_alarms(settings, budgets)
        self._acknowledge_findings()

    def metric(
        self, name: str, dimensions: Mapping[str, str] | None = None, statistic: str = "Maximum"
    ) -> cloudwatch.Metric:
        return cloudwatch.Metric(
            namespace=self.namespace,
            metric_name=name,
            dimensions_map=dict(dimensions or {}),
            statistic=statistic,
            period=Duration.hours(1),
        )

    def _build_topic(self, settings: RunCostsSettings) -> sns.Topic:
        key = kms.Key(
            self,
            "AlarmKey",
            description="Encrypts the MLflow run-cost alarm topic",
            enable_key_rotation=True,
        )
        # CloudWatch publishes alarm notifications into the encrypted topic.
        key.add_to_resource_policy(
            iam.PolicyStatement(
                actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                resources=["*"],
            )
        )
        topic = sns.Topic(
            self,
            "AlarmTopic",
            display_name="MLflow run costs",
            master_key=key,
            enforce_ssl=True,
        )
        if settings.run_costs_alarm_email:
            topic.add_subscription(subscriptions.EmailSubscription(settings.run_costs_alarm_email))
        return topic

    def _build_alarms(
        self, settings: RunCostsSettings, budgets: Sequence[Budget]
    ) -> list[cloudwatch.Alarm]:
        alarms: list[cloudwatch.Alarm] = []
        window = silence_window_hours(settings.run_costs_schedule)
        alarms.append(
            cloudwatch.Alarm(
                self,
                "PricerSilent",
                alarm_description=f"The MLflow run pricer published no {RUNS_PRICED_METRIC} "
                f"for {window} hour(s): it is not running or failing, so the budget alarms "
                "below see no spend (fail closed: missing data is breaching).",
                metric=self.metric(RUNS_PRICED_METRIC, statistic="SampleCount"),
                threshold=1,
                comparison_operator=cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
                evaluation_periods=window,
                datapoints_to_alarm=window,
                treat_missing_data=cloudwatch.TreatMissingData.BREACHING,
            )
        )
        alarms.append(
            cloudwatch.Alarm(
                self,
                "RunsUnpriced",
                alarm_description="The MLflow run pricer could not price some runs (their "
                "compute or storage is missing from the price catalog or their params): spend "
                "is understated; see the task's log.",
                metric=self.metric(RUNS_UNPRICED_METRIC),
                threshold=0,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                evaluation_periods=1,
                treat_missing_data=cloudwatch.TreatMissingData.IGNORE,
            )
        )
        for index, budget in enumerate(budgets):
            spend = self.metric(BUDGET_SPEND_METRIC, {BUDGET_DIMENSION: budget.name})
            levels: list[tuple[str, float, cloudwatch.ComparisonOperator, str]] = [
                (
                    "Over",
                    budget.monthly_usd,
                    cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                    f"over its {budget.monthly_usd:g} USD/month",
                )
            ]
            if budget.warn_at is not None:
                levels.append(
                    (
                        "Warn",
                        budget.warn_at * budget.monthly_usd,
                        cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                        f"at {budget.warn_at:.0%} of its {budget.monthly_usd:g} USD/month",
                    )
                )
            for level, threshold, operator, what in levels:
                alarms.append(
                    cloudwatch.Alarm(
                        self,
                        f"Budget{index}{level}",
                        alarm_description=f"MLflow run-cost budget {budget.label}: month-to-date "
                        f"spend {what}.",
                        metric=spend,
                        threshold=threshold,
                        comparison_operator=operator,
                        evaluation_periods=1,
                        # One data point per pass: between passes the alarm keeps its state.
                        treat_missing_data=cloudwatch.TreatMissingData.IGNORE,
                    )
                )
        action = cloudwatch_actions.SnsAction(self.topic)
        for alarm in alarms:
            alarm.add_alarm_action(action)
            alarm.add_ok_action(action)
        return alarms

    def _acknowledge_findings(self) -> None:
        Validations.of(self.secret).acknowledge(
            Acknowledgment(
                id="AwsSolutions-SMG4",
                reason="The tracking server sets the pricer's MLflow password from this secret "
                "when it starts; a new value takes effect with the next deployment, so it is "
                "rotated by changing it and redeploying, not by a rotation Lambda.",
            )
        )
        Validations.of(self.task_definition).acknowledge(
            Acknowledgment(
                id="AwsSolutions-ECS2",
                reason="The plain environment holds the MLflow user name and the region; the "
                "password arrives as an ECS secret from Secrets Manager.",
            )
        )
        Validations.of(self.task_definition.task_role).acknowledge(
            Acknowledgment(
                id="AwsSolutions-IAM5[Resource::*]",
                reason="cloudwatch:PutMetricData has no resource-level permissions; the "
                "cloudwatch:namespace condition limits it to this deployment's run-cost "
                "namespace.",
            )
        )


def budgets_json(budgets: Sequence[Budget]) -> str:
    """The budgets as `--budgets-json` text (the budgets file's schema, as JSON)."""
    items: list[dict[str, Any]] = []
    for budget in budgets:
        item: dict[str, Any] = {
            "name": budget.name,
            budget.scope: budget.value,
            "monthly_usd": budget.monthly_usd,
        }
        if budget.warn_at is not None:
            item["warn_at"] = budget.warn_at
        if budget.allow_unpriced:
            item["allow_unpriced"] = True
        items.append(item)
    return json.dumps({"budgets": items}, separators=(",", ":"))


# --- reading the scheduled task back from a synthesized template ----------------------------


@dataclass(frozen=True)
class ScheduledCommand:
    """The pricer task as a template defines it: argv (entry point + command), the plain
    environment and the secrets (name -> the secret's reference, never a value). Tokens are
    shown as `${Logical.Attribute}` / `${Ref}` placeholders."""

    argv: list[str]
    environment: dict[str, str]
    secrets: dict[str, Any]

    def with_option(self, option: str, value: str) -> list[str]:
        """argv with `option`'s value replaced (e.g. --tracking-uri for a local server)."""
        argv = list(self.argv)
        at = argv.index(option)
        argv[at + 1] = value
        return argv


def _render(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return str(separator).join(_render(p) for p in parts)
    if isinstance(value, dict) and "Ref" in value:
        return "${" + str(value["Ref"]) + "}"
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        return "${" + ".".join(map(str, value["Fn::GetAtt"])) + "}"
    return json.dumps(value, sort_keys=True)


def scheduled_task_command(template: Mapping[str, Any]) -> ScheduledCommand:
    """The exact command and environment the run pricer's schedule starts, from a synthesized
    template (`Template.from_stack(stack).to_json()` or cdk.out/*.template.json)."""
    resources = template["Resources"]
    schedules = [r for r in resources.values() if r["Type"] == "AWS::Scheduler::Schedule"]
    if len(schedules) != 1:
        raise ValueError(f"expected one AWS::Scheduler::Schedule, found {len(schedules)}")
    arn = schedules[0]["Properties"]["Target"]["EcsParameters"]["TaskDefinitionArn"]
    task = resources[arn["Ref"]]
    (container,) = [
        c for c in task["Properties"]["ContainerDefinitions"] if c["Name"] == CONTAINER_NAME
    ]
    argv = [_render(p) for p in (*container.get("EntryPoint", []), *container.get("Command", []))]
    environment = {e["Name"]: _render(e["Value"]) for e in container.get("Environment", [])}
    secrets = {s["Name"]: s["ValueFrom"] for s in container.get("Secrets", [])}
    return ScheduledCommand(argv, environment, secrets)
