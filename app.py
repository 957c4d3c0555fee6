#!/usr/bin/env python3
"""CDK app entry point: the only module that reads CDK context or the environment.

It builds one validated, frozen PlatformConfig, the MLflow stack, the cdk-nag security gate
and (unless `-c cost=off`) the synth-time cost estimate, then synthesizes and writes the
cost report next to the templates.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks

from stacks.config import ConfigError, PlatformConfig, load_config
from stacks.mlflow_stack import MlflowStack

APP_DIR = Path(__file__).resolve().parent


def build_app(app: cdk.App, config: PlatformConfig) -> MlflowStack:
    """Add the stack and the security gate to `app` (tests use this too)."""
    env = None
    if config.region:
        env = cdk.Environment(account=config.account, region=config.region)
    stack = MlflowStack(
        app,
        config.resolved_stack_name,
        config=config,
        env=env,
        description=f"MLflow tracking server on ECS Fargate, RDS for MySQL and S3 "
        f"(profile {config.profile})",
    )
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app, verbose=True))
    return stack


def usage_path(config: PlatformConfig) -> Path | None:
    if not config.usage_file:
        return None
    path = Path(config.usage_file)
    return path if path.is_absolute() else APP_DIR / path


def cdk_json_context() -> dict[str, object]:
    """The feature flags and settings in cdk.json, for runs outside the CDK CLI (tests,
    benchmarks, `python app.py`): only the CLI passes them to the app by itself."""
    with open(APP_DIR / "cdk.json", encoding="utf-8") as f:
        context: dict[str, object] = json.load(f).get("context", {})
    return context


def main() -> int:
    launched_by_cli = any(k in os.environ for k in ("CDK_CONTEXT_JSON", "CDK_OUTDIR"))
    app = cdk.App(context=None if launched_by_cli else cdk_json_context())
    try:
        config = load_config(
            app.node.get_all_context(),
            default_account=os.environ.get("CDK_DEFAULT_ACCOUNT"),
        )
    except ConfigError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1

    estimate = None
    if config.cost:
        from cost.catalog import UnknownRegion
        from cost.cdk import CostEstimate
        from cost.usage import UsageError

        try:
            estimate = CostEstimate.attach(
                app, usage_file=usage_path(config), region=config.region
            )
        except (UnknownRegion, UsageError) as err:
            print(f"error: cost estimate: {err}\n  (-c cost=off synthesizes without it)",
                  file=sys.stderr)
            return 1

    build_app(app, config)
    assembly = app.synth()
    if estimate is not None:
        estimate.finish(assembly)
    return 0


if __name__ == "__main__":
    sys.exit(main())
