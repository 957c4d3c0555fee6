#!/usr/bin/env python3
"""CDK app entry point: the only module that reads CDK context or the environment.

It builds one validated, frozen PlatformConfig, the MLflow stack, the cdk-nag security gate
and (unless `-c cost=off`) the synth-time cost estimate, which writes the cost report next to
the templates while the app synthesizes.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks

from constructs.retention import load_retention_policy
from constructs.run_costs import load_budgets_file
from cost.cdk import CostEstimate
from cost.retention.policy import Policy
from cost.runs.budgets import Budget
from stacks.config import ConfigError, PlatformConfig, load_config
from stacks.mlflow_stack import MlflowStack

APP_DIR = Path(__file__).resolve().parent


def build_app(
    app: cdk.App, config: PlatformConfig, estimate: CostEstimate | None = None
) -> MlflowStack:
    """Add the stack and the security gate to `app` (tests use this too)."""
    env = None
    deployment = config.deployment
    if deployment.region:
        env = cdk.Environment(account=deployment.account, region=deployment.region)
    stack = MlflowStack(
        app,
        config.resolved_stack_name,
        config=config,
        run_cost_budgets=run_cost_budgets(config),
        retention_policy=retention_policy(config),
        env=env,
        description=f"MLflow tracking server on ECS Fargate, RDS for MySQL and S3 "
        f"(profile {config.profile})",
    )
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app, verbose=True))
    alarm = config.cost_budget
    if alarm.budget_alarm and estimate is not None:
        stack.add_cost_budget(estimate.monthly_limit(stack, alarm.budget_alarm_factor))
    return stack


def run_cost_budgets(config: PlatformConfig) -> tuple[Budget, ...]:
    """The run pricer's budgets file (`run_costs_budgets`), read and validated at synth."""
    path = app_path(config.run_costs.run_costs_budgets)
    if path is None:
        return ()
    if not config.run_costs.run_costs:
        raise ConfigError([f"run_costs_budgets={str(path)!r} needs run_costs=true"])
    try:
        return load_budgets_file(path)
    except ValueError as err:
        raise ConfigError([str(err)]) from None


def retention_policy(config: PlatformConfig) -> Policy | None:
    """The retention task's policy file (`retention_policy`), read and validated at synth."""
    path = app_path(config.retention.retention_policy)
    if path is None or not config.retention.retention:
        return None  # the config's rules report a policy without retention=true
    try:
        return load_retention_policy(path)
    except ValueError as err:
        raise ConfigError([str(err)]) from None


def attach_cost_estimate(app: cdk.App, config: PlatformConfig) -> CostEstimate:
    """The synth-time estimate with this app's usage file, budget and profile policies."""
    settings = config.cost_estimate
    return CostEstimate.attach(
        app,
        usage_file=app_path(settings.usage_file),
        region=config.deployment.region,
        budget=settings.budget,
        policy_file=app_path(settings.policy_file),
        profile=config.profile,
    )


def app_path(name: str | None) -> Path | None:
    """A configured file, relative to the app directory unless absolute."""
    if not name:
        return None
    path = Path(name)
    return path if path.is_absolute() else APP_DIR / path


def cdk_json_context() -> dict[str, object]:
    """The feature flags and settings in cdk.json, for runs outside the CDK CLI (tests,
    benchmarks, `python app.py`): only the CLI passes them to the app by itself."""
    with open(APP_DIR / "cdk.json", encoding="utf-8") as f:
        context: dict[str, object] = json.load(f).get("context", {})
    # Outside the CLI nothing deploys these assets: hash them in place instead of copying the
    # image's build context (container/ and the cost engine's ~1,000 catalog files) into every
    # synth's output (`cdk synth --no-staging` does the same). The template is identical.
    context.setdefault("aws:cdk:disable-asset-staging", True)
    return context


def main() -> int:
    launched_by_cli = any(k in os.environ for k in ("CDK_CONTEXT_JSON", "CDK_OUTDIR"))
    app = cdk.App(context=None if launched_by_cli else cdk_json_context())
    try:
        config = load_config(
            app.node.get_all_context(),
            default_account=os.environ.get("CDK_DEFAULT_ACCOUNT"),
        )
        # The estimate reports, tags and judges policies during synth (a validation plugin).
        estimate = attach_cost_estimate(app, config) if config.cost_estimate.cost else None
        build_app(app, config, estimate)
    except ConfigError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2  # bad input (1 is for a guardrail)
    app.synth()
    return 0


if __name__ == "__main__":
    sys.exit(main())
