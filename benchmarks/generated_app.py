"""A generated CDK app with many resources, for the cost-estimate benchmark.

    python benchmarks/generated_app.py --services 80 [--cost on|off]

Each "service" block adds a realistic mix (about 18 CloudFormation resources): a Fargate
service with its task definition, roles and log group, a bucket with lifecycle rules, a secret,
a KMS key, security groups, alarms and an SNS-free budget of plumbing. Prints one JSON line
with the resource count and timings.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

import aws_cdk as cdk  # noqa: E402
import jsii  # noqa: E402
from aws_cdk import Duration  # noqa: E402
from aws_cdk import aws_cloudwatch as cloudwatch  # noqa: E402
from aws_cdk import aws_ec2 as ec2  # noqa: E402
from aws_cdk import aws_ecs as ecs  # noqa: E402
from aws_cdk import aws_kms as kms  # noqa: E402
from aws_cdk import aws_logs as logs  # noqa: E402
from aws_cdk import aws_s3 as s3  # noqa: E402
from aws_cdk import aws_secretsmanager as secretsmanager  # noqa: E402

SERVICES_PER_STACK = 20  # CloudFormation allows 500 resources per stack


def build(app: cdk.App, services: int) -> list[cdk.Stack]:
    stacks = []
    for first in range(0, services, SERVICES_PER_STACK):
        count = min(SERVICES_PER_STACK, services - first)
        stacks.append(_build_stack(app, f"GeneratedBench{first // SERVICES_PER_STACK}", count))
    return stacks


def _build_stack(app: cdk.App, name: str, services: int) -> cdk.Stack:
    stack = cdk.Stack(app, name)
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=1)
    cluster = ecs.Cluster(stack, "Cluster", vpc=vpc)
    for i in range(services):
        task = ecs.FargateTaskDefinition(
            stack,
            f"Task{i}",
            cpu=512,
            memory_limit_mib=1024,
            runtime_platform=ecs.RuntimePlatform(
                cpu_architecture=ecs.CpuArchitecture.ARM64 if i % 2 else ecs.CpuArchitecture.X86_64
            ),
        )
        group = logs.LogGroup(stack, f"Logs{i}", retention=logs.RetentionDays.ONE_MONTH)
        task.add_container(
            "app",
            image=ecs.ContainerImage.from_registry("public.ecr.aws/docker/library/busybox:1"),
            logging=ecs.LogDrivers.aws_logs(stream_prefix="app", log_group=group),
        )
        service = ecs.FargateService(
            stack,
            f"Service{i}",
            cluster=cluster,
            task_definition=task,
            desired_count=1 + i % 3,
            min_healthy_percent=100,
        )
        bucket = s3.Bucket(
            stack,
            f"Bucket{i}",
            lifecycle_rules=[
                s3.LifecycleRule(
                    transitions=[
                        s3.Transition(
                            storage_class=s3.StorageClass.INFREQUENT_ACCESS,
                            transition_after=Duration.days(30),
                        )
                    ]
                )
            ],
        )
        bucket.grant_read(task.task_role)
        secretsmanager.Secret(stack, f"Secret{i}")
        kms.Key(stack, f"Key{i}")
        cloudwatch.Alarm(
            stack,
            f"Alarm{i}",
            metric=service.metric_cpu_utilization(),
            threshold=80,
            evaluation_periods=3,
        )
        ec2.SecurityGroup(stack, f"Extra{i}", vpc=vpc)
    return stack


def jsii_calibration_ms(calls: int = 1000) -> float:
    """The machine's jsii round trip: ms per `construct.node.path` read (two calls to the
    node process), which the aspect's per-resource cost scales with."""
    app = cdk.App()
    bucket = s3.CfnBucket(cdk.Stack(app, "Calibration"), "B")
    started = time.perf_counter()
    for _ in range(calls):
        bucket.node.path  # noqa: B018 (the read is the measurement)
    return 1000 * (time.perf_counter() - started) / calls


class JsiiCalls:
    """Counts the calls Python makes into the node process while `active` (jsii's module
    functions, which every generated binding calls) and the callbacks the node process makes
    into Python (an aspect's `visit`, a plugin's `validate`): figures that do not depend on
    how busy the machine is. The one `App.synth` call that starts synthesis counts too."""

    NAMES = ("get", "set", "invoke", "sget", "sset", "sinvoke", "create")

    def __init__(self) -> None:
        self.count = 0
        self.callbacks = 0
        self.active = False
        for name in self.NAMES:
            setattr(jsii, name, self._counted(getattr(jsii, name), "count"))
        kernel = jsii._kernel
        kernel._handle_callback = self._counted(kernel._handle_callback, "callbacks")

    def _counted(self, function: Any, counter: str) -> Any:
        def counted(*args: Any, **kwargs: Any) -> Any:
            if self.active:
                setattr(self, counter, getattr(self, counter) + 1)
            return function(*args, **kwargs)

        return counted


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--services", type=int, default=80)
    parser.add_argument("--cost", choices=("on", "off"), default="on")
    args = parser.parse_args()
    calibration = jsii_calibration_ms()
    calls = JsiiCalls()
    started = time.perf_counter()
    from app import cdk_json_context

    app = cdk.App(context=cdk_json_context())
    estimate = None
    if args.cost == "on":
        from cost.cdk import CostEstimate

        estimate = CostEstimate.attach(app, print_summary=False)
    stacks = build(app, args.services)
    built = time.perf_counter()
    # The estimate tags during synth and reports in its validation plugin, within synth().
    calls.active = True
    assembly = app.synth()
    calls.active = False
    synthesized = time.perf_counter()
    report = estimate.report if estimate else None
    finished = time.perf_counter()
    resources = sum(
        len(json.loads(Path(assembly.directory, s.template_file).read_text())["Resources"])
        for s in stacks
    )
    print(
        json.dumps(
            {
                "cost": args.cost,
                "resources": resources,
                "priced": sum(len(s.resources) for s in report.stacks) if report else None,
                "build_s": round(built - started, 3),
                "synth_s": round(synthesized - built, 3),
                "report_s": round(finished - synthesized, 3),
                "total_s": round(finished - started, 3),
                "jsii_get_ms": round(calibration, 4),
                "synth_jsii_calls": calls.count,
                "synth_jsii_callbacks": calls.callbacks,
            }
        )
    )


if __name__ == "__main__":
    main()
