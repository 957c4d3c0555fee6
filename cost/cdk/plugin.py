"""The validation plugin: the one pricing pass over the final templates, at every synth.

CDK calls `validate` after it has written every template of the app (the App's and every
Stage's nested assembly). The plugin prices them exactly as `python -m cost estimate` does,
checks the aspect's tags against the report lines, writes the report, and judges policies and
the budget over that report (`cost.policy.judge`, the CLI's function).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jsii
from aws_cdk import (
    IPolicyValidationContext,
    IPolicyValidationPlugin,
    PolicyValidationPluginReport,
    PolicyViolatingResource,
    PolicyViolation,
)

from cost.cdk.aspect import COST_TAG
from cost.estimate import StackSource, load_template, stack_of_template
from cost.model import CostReport, StackCost
from cost.policy import Violation, judge
from cost.report.render import summary, to_json, to_markdown

if TYPE_CHECKING:
    from cost.cdk.estimate import CostEstimate

PLUGIN_NAME = "cost-estimate"
REPORT_JSON = "cost-report.json"
REPORT_MARKDOWN = "cost-report.md"


@jsii.implements(IPolicyValidationPlugin)
class CostPlugin:
    def __init__(self, estimate: CostEstimate) -> None:
        self.estimate = estimate

    @property
    def name(self) -> str:
        return PLUGIN_NAME

    @property
    def version(self) -> str:
        return "1.0.0"

    @property
    def rule_ids(self) -> list[str]:
        return [p.rule for p in self.estimate.policies] + ["budget"]

    def validate(self, context: IPolicyValidationContext) -> PolicyValidationPluginReport:
        est = self.estimate
        if est.problems:
            anchor = _first_resource([Path(p) for p in context.template_paths])
            return PolicyValidationPluginReport(
                success=False,
                violations=[
                    PolicyViolation(
                        rule_name="setup",
                        description=problem,
                        violating_resources=[anchor] if anchor else [],
                        severity="error",
                    )
                    for problem in est.problems
                ],
            )
        out_dir = Path(est.out_dir())
        stacks: list[StackCost] = []
        #: (assembly directory id, template file) -> template path, nested stacks included
        templates: dict[tuple[str, str], Path] = {}
        warnings: list[str] = []
        for raw in context.template_paths:
            path = Path(raw)
            artifact = stack_of_template(path)
            directory_id = _directory_id(path, out_dir)
            state = est.stack_states.get((directory_id, path.name))
            template = load_template(path)
            resources = template.get("Resources")
            ids = set(resources) if isinstance(resources, dict) else set()
            source = StackSource(
                name=artifact.name,
                template=template,
                region=est.region_override or artifact.region,
                account=artifact.account,
                parameters=dict(est.parameters),
                directory=path.parent,
                template_file=path.name,
                paths=est.aspect.paths(state, ids) if state else {},
                construct_path=artifact.display_name,
            )
            for stack in est.estimator.estimate([source]):
                key = (directory_id, stack.template_file or path.name)
                templates[key] = path.parent / key[1]
                warnings += _check_tags(stack, est, key)
                stacks.append(stack)
        report = est.estimator.report(stacks, warnings)
        violations = judge(
            report,
            policies=est.policies,
            profile=est.profile or "",
            budget=est.budget,
            budget_severity="warning",
        )
        report.guardrails = [v.to_json() for v in violations]
        est.report = report
        est.violations = violations
        # Written once synth returns (CostEstimate's synth hook): aws-cdk-lib before 2.262
        # fails synth if a validation plugin adds a file to the cloud assembly.
        est.pending_report_dir = out_dir
        if est.print_summary:
            text = summary(report, report_dir=str(out_dir))
            if text != est.printed:
                sys.stderr.write(text)
                est.printed = text
        anchor = _anchor(stacks, templates) or _first_resource(list(templates.values()))
        return PolicyValidationPluginReport(
            success=not any(v.severity == "error" for v in violations),
            violations=[_violation(v, templates, anchor) for v in violations],
        )


def _directory_id(template_path: Path, out_dir: Path) -> str:
    """ "" for the App's assembly, else the nested assembly's directory name."""
    parent = template_path.resolve().parent
    return "" if parent == out_dir.resolve() else parent.name


def _check_tags(stack: StackCost, est: CostEstimate, key: tuple[str, str]) -> list[str]:
    """Every priced, taggable resource's tag (read from the final template) must equal its
    report line; a stack the aspect never visited is said to be untagged."""
    problems: list[str] = []
    if key not in est.stack_states:
        if stack.resources:
            problems.append(
                f"{stack.name}: not tagged (the cost aspect did not visit this stack: it is in "
                "a Stage created after CostEstimate.attach and synthesized without app.synth())"
            )
        return problems
    for line in stack.resources:
        resource = stack.subjects.get(line.logical_id)
        value = tag_value(resource.properties if resource is not None else {})
        line.cost_tag = value
        expected = f"{line.monthly_cost:.2f}"
        if value is not None and value != expected:
            problems.append(
                f"{stack.name}/{line.logical_id}: tag {COST_TAG}={value} differs from the "
                f"report line {expected} (a property override changed its price)"
            )
    return problems


def tag_value(properties: Any) -> str | None:
    """The cost tag in a resource's template properties (list- or map-style tags)."""
    tags = properties.get("Tags", properties.get("HostedZoneTags"))
    if isinstance(tags, list):
        for tag in tags:
            if isinstance(tag, dict) and tag.get("Key") == COST_TAG:
                value = tag.get("Value")
                return value if isinstance(value, str) else None
    if isinstance(tags, dict):
        value = tags.get(COST_TAG)
        return value if isinstance(value, str) else None
    return None


def _anchor(
    stacks: list[StackCost], templates: dict[tuple[str, str], Path]
) -> PolicyViolatingResource | None:
    """The most expensive resource: where a finding about a total is shown.

    CDK prints (and fails synth on) only findings that name a resource, so a finding about
    the whole estimate is attached to its largest line; its message stands on its own.
    """
    lines = [(line.monthly_cost, s, line) for s in stacks for line in s.resources]
    if not lines:
        return None
    _, stack, line = max(lines, key=lambda item: item[0])
    path = next((p for (_, name), p in templates.items() if name == stack.template_file), None)
    if path is None:
        return None
    return PolicyViolatingResource(
        resource_logical_id=line.logical_id, template_path=str(path), locations=[]
    )


def _first_resource(paths: list[Path]) -> PolicyViolatingResource | None:
    for path in paths:
        try:
            resources = load_template(path).get("Resources") or {}
        except (OSError, ValueError):
            continue
        for logical_id in resources:
            return PolicyViolatingResource(
                resource_logical_id=str(logical_id), template_path=str(path), locations=[]
            )
    return None


def _violation(
    v: Violation,
    templates: dict[tuple[str, str], Path],
    anchor: PolicyViolatingResource | None,
) -> PolicyViolation:
    resources: list[PolicyViolatingResource] = []
    if v.logical_id and v.template_file:
        path = next((p for (_, name), p in templates.items() if name == v.template_file), None)
        if path is not None:
            resources.append(
                PolicyViolatingResource(
                    resource_logical_id=v.logical_id, template_path=str(path), locations=[]
                )
            )
    if not resources and anchor is not None:
        resources.append(anchor)
    return PolicyViolation(
        rule_name=v.rule,
        description=v.message,
        violating_resources=resources,
        severity=v.severity,
    )


def write_report(report: CostReport, directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / REPORT_JSON).write_text(to_json(report), encoding="utf-8")
    (directory / REPORT_MARKDOWN).write_text(to_markdown(report), encoding="utf-8")
