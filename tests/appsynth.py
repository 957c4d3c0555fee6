"""Shared helpers: synthesize the real app (cdk.json feature flags, the nag gate, the cost
estimate) once per distinct configuration and share the result across test modules."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

import aws_cdk as cdk  # noqa: E402
from aws_cdk.assertions import Template  # noqa: E402

import app as app_module  # noqa: E402
from stacks.config import PlatformConfig, load_config  # noqa: E402


@dataclass
class Synth:
    config: PlatformConfig
    stack: cdk.Stack
    template: Template
    json: dict[str, Any]
    assembly: Any
    report: Any

    def resources(self, resource_type: str) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.json["Resources"].items() if v["Type"] == resource_type}

    def one(self, resource_type: str) -> tuple[str, dict[str, Any]]:
        found = self.resources(resource_type)
        assert len(found) == 1, f"expected one {resource_type}, found {sorted(found)}"
        return next(iter(found.items()))


@cache
def _synth(items: tuple[tuple[str, str], ...]) -> Synth:
    context = dict(app_module.cdk_json_context())
    context.update(dict(items))
    app = cdk.App(context=context)
    config = load_config(app.node.get_all_context())
    estimate = app_module.attach_cost_estimate(app, config) if config.cost_estimate.cost else None
    stack = app_module.build_app(app, config, estimate)
    assembly = app.synth()
    report = estimate.report if estimate else None
    template = Template.from_stack(stack)
    return Synth(config, stack, template, template.to_json(), assembly, report)


def synth(**context: str) -> Synth:
    """The app synthesized with these context values (strings, as from `-c key=value`)."""
    return _synth(tuple(sorted(context.items())))
