"""The cost estimate inside a CDK app: one line to add, a report after synth.

    estimate = CostEstimate.attach(app, usage_file="usage.yml")
    assembly = app.synth()
    report = estimate.finish(assembly)      # writes cost-report.json/.md, returns the report

`attach` adds an aspect that, for every L1 resource of a priced type, resolves its properties,
prices it and sets the tag `cost:monthly-usd` (a plain decimal such as `16.43`) on it.
Free and unsupported resources are identified from the synthesized templates, where they
cost nothing to find; unsupported types also get a warning annotation with the ID
`cost:unsupported-<Service>-<Type>` that a user can acknowledge.

After synth, `finish` prices every template (which includes property overrides the aspect
cannot see), checks that each resource's tag equals its report line, and writes the report.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsii
from aws_cdk import (
    Annotations,
    AspectPriority,
    Aspects,
    CfnResource,
    IAspect,
    IStableNumberProducer,
    Lazy,
    Stack,
    TagManager,
    Token,
    cx_api,
)

from constructs import IConstruct, IValidation
from cost.catalog import PriceCatalog, default_catalog
from cost.estimate import DEFAULT_REGION, Estimator, load_template, resolve_region
from cost.model import CostReport, ResourceCost, StackCost, money
from cost.policy import Policy, check_budget, evaluate_policies, load_policies
from cost.pricing import PRICERS, Resource, free_reason, referenced_types
from cost.pricing.usage import Usage
from cost.report.render import summary, to_json, to_markdown

COST_TAG = "cost:monthly-usd"
REPORT_JSON = "cost-report.json"
REPORT_MARKDOWN = "cost-report.md"

# Types a pricing function may look up by reference (from the declarations).
REFERENCED_TYPES = referenced_types()


class CaseInsensitiveProperties(dict[str, Any]):
    """Resolved L1 properties with CloudFormation-style access.

    `stack.resolve(node._cfn_properties)` gives camelCase keys (`dbInstanceClass`); CDK derives
    them from the CloudFormation names by changing case only, so a case-insensitive lookup
    finds `DBInstanceClass`. Nested objects and lists are wrapped the same way.
    """

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__({k.lower(): _wrap(v) for k, v in data.items()})

    def get(self, key: str, default: Any = None) -> Any:
        return super().get(key.lower(), default)

    def __getitem__(self, key: str) -> Any:
        return super().__getitem__(key.lower())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and super().__contains__(key.lower())


def _wrap(value: Any) -> Any:
    if isinstance(value, dict):
        # Intrinsic functions keep their exact keys ({"Ref": ...}, {"Fn::GetAtt": ...}).
        if (len(value) == 1 and "Ref" in value) or any(k.startswith("Fn::") for k in value):
            return value
        return CaseInsensitiveProperties(value)
    if isinstance(value, list):
        return [_wrap(v) for v in value]
    return value


def resource_type_of(node: CfnResource) -> str:
    """The CloudFormation type; generated L1 classes carry it as a class constant (no jsii call)."""
    constant = getattr(type(node), "CFN_RESOURCE_TYPE_NAME", None)
    return constant if isinstance(constant, str) else node.cfn_resource_type


class _StackIndex:
    """ResourceIndex over one stack's L1 constructs, resolved on demand and cached."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self._nodes: dict[str, CfnResource] | None = None
        self._by_type: dict[str, list[str]] = {}
        self._resolved: dict[str, Resource] = {}

    def _scan(self) -> dict[str, CfnResource]:
        if self._nodes is None:
            self._nodes = {}
            for child in self.stack.node.find_all():
                if isinstance(child, CfnResource):
                    rtype = resource_type_of(child)
                    if rtype in REFERENCED_TYPES and Stack.of(child) is self.stack:
                        logical_id = self.stack.get_logical_id(child)
                        self._nodes[logical_id] = child
                        self._by_type.setdefault(rtype, []).append(logical_id)
        return self._nodes

    def resolve(self, node: CfnResource, logical_id: str, rtype: str) -> Resource:
        cached = self._resolved.get(logical_id)
        if cached is None:
            resolved = self.stack.resolve(node._cfn_properties) or {}
            cached = Resource(
                logical_id, rtype, CaseInsensitiveProperties(resolved), node.node.path
            )
            self._resolved[logical_id] = cached
        return cached

    def get(self, logical_id: str) -> Resource | None:
        if logical_id in self._resolved:
            return self._resolved[logical_id]
        node = self._scan().get(logical_id)
        if node is None:
            return None
        return self.resolve(node, logical_id, resource_type_of(node))

    def of_type(self, resource_type: str) -> list[Resource]:
        self._scan()
        found = [self.get(i) for i in self._by_type.get(resource_type, [])]
        return [r for r in found if r is not None]


@dataclass
class _StackState:
    name: str
    region: str
    region_source: str
    index: _StackIndex
    tags: dict[str, str] = field(default_factory=dict)


@jsii.implements(IAspect)
class CostTagAspect:
    """Prices and tags each L1 resource of a priced type. Free types are skipped here."""

    def __init__(self, estimate: CostEstimate) -> None:
        self.estimate = estimate

    def visit(self, node: IConstruct) -> None:
        if not isinstance(node, CfnResource):
            return
        rtype = resource_type_of(node)
        if rtype not in PRICERS:
            if free_reason(rtype) is None:
                self.estimate.warn_unsupported(node, rtype)
            return
        self.estimate.price_and_tag(node, rtype)


@jsii.implements(IValidation)
class _Guardrails:
    """Runs after the aspects (CDK's validation phase): budget warning, policy errors."""

    def __init__(self, estimate: CostEstimate) -> None:
        self.estimate = estimate

    def validate(self) -> list[str]:
        est = self.estimate
        total = est.aspect_total()
        over = check_budget(total, est.budget)
        # Validation runs on every synth of the app (assertions re-synthesize): warn once.
        if over is not None and est._stacks and not est.budget_warned:
            est.budget_warned = True
            first = next(iter(est._stacks.values())).index.stack
            Annotations.of(first).add_warning_v2("cost:over-budget", over.message)
        if not est.policies:
            return []
        items = [(resource, line.monthly_cost) for _, resource, line in est.priced]
        violations = evaluate_policies(est.policies, items, total, profile=est.profile or "")
        return [v.message for v in violations]


@jsii.implements(IStableNumberProducer)
class _LimitProducer:
    def __init__(self, estimate: CostEstimate, stack_name: str | None, factor: float) -> None:
        self.estimate, self.stack_name, self.factor = estimate, stack_name, factor

    def produce(self) -> float:
        return max(1.0, money(self.estimate.aspect_total(self.stack_name) * self.factor))


class CostEstimate:
    """Facade: attach to an app, then `finish(assembly)` after `app.synth()`."""

    def __init__(
        self,
        *,
        usage: Usage | None = None,
        catalog: PriceCatalog | None = None,
        region: str | None = None,
        budget: float | None = None,
        policies: list[Policy] | None = None,
        profile: str | None = None,
    ) -> None:
        self.estimator = Estimator(catalog or default_catalog(), usage or Usage.empty())
        self.region_override = region
        self.budget = budget
        self.policies = policies or []
        self.profile = profile
        self.budget_warned = False
        self._stacks: dict[int, _StackState] = {}
        #: (stack name, resource, line) for every resource the aspect priced.
        self.priced: list[tuple[str, Resource, ResourceCost]] = []

    @classmethod
    def attach(
        cls,
        scope: IConstruct,
        *,
        usage_file: str | Path | None = None,
        region: str | None = None,
        budget: float | None = None,
        policy_file: str | Path | None = None,
        profile: str | None = None,
    ) -> CostEstimate:
        """Add the cost aspect (and guardrails) to `scope`, usually the App.

        Fails early on a bad region, usage file or policy file.
        """
        usage = Usage.from_file(usage_file) if usage_file else Usage.empty()
        if not scope.node.children:
            # Templates then carry each resource's construct path (usage entries match paths).
            scope.node.set_context("aws:cdk:enable-path-metadata", True)
        policies = load_policies(policy_file, profile or "") if policy_file else []
        estimate = cls(
            usage=usage, region=region, budget=budget, policies=policies, profile=profile
        )
        if region:
            estimate.estimator.catalog.check_region(region)
        Aspects.of(scope).add(CostTagAspect(estimate), priority=AspectPriority.READONLY)
        scope.node.add_validation(_Guardrails(estimate))
        return estimate

    def aspect_total(self, stack_name: str | None = None) -> float:
        """Total of the aspect's prices (all stacks, or one); final after the aspects ran."""
        return money(
            sum(
                line.monthly_cost
                for name, _, line in self.priced
                if stack_name is None or name == stack_name
            )
        )

    def monthly_limit(self, stack: Stack, factor: float) -> float:
        """A token for (this stack's estimate x factor), resolved when the template is written.

        Used for an AWS Budgets limit: the estimate at synth becomes an alarm on the real bill.
        """
        return Lazy.number(_LimitProducer(self, stack.stack_name, factor))

    def _stack_state(self, node: CfnResource) -> _StackState:
        stack = node.stack
        key = id(stack)
        state = self._stacks.get(key)
        if state is None:
            region: str | None = self.region_override or stack.region
            if region is not None and Token.is_unresolved(region):
                region = None
            pricing_region, source = resolve_region(region)
            self.estimator.catalog.check_region(pricing_region)
            state = _StackState(stack.stack_name, pricing_region, source, _StackIndex(stack))
            self._stacks[key] = state
        return state

    def price_and_tag(self, node: CfnResource, rtype: str) -> None:
        state = self._stack_state(node)
        stack = state.index.stack
        logical_id = stack.get_logical_id(node)
        resource = state.index.resolve(node, logical_id, rtype)
        kind, line = self.estimator.price_resource(resource, state.region, state.index)
        if kind != "priced":
            return
        assert isinstance(line, ResourceCost)
        self.priced.append((state.name, resource, line))
        value = f"{line.monthly_cost:.2f}"
        if TagManager.is_taggable(node):
            # L1s that are taggable expose a TagManager as `tags` (ITaggable).
            node.tags.set_tag(COST_TAG, value, 1000, True)  # type: ignore[attr-defined]
            state.tags[logical_id] = value

    def warn_unsupported(self, node: CfnResource, rtype: str) -> None:
        warning_id = "cost:unsupported-" + rtype.replace("::", "-")
        Annotations.of(node).add_warning_v2(
            warning_id,
            f"The cost estimate cannot price {rtype.replace('::', ' ')} resources; they are "
            "listed as unsupported in the cost report and left out of the total.",
        )

    def finish(
        self,
        assembly: cx_api.CloudAssembly,
        *,
        out_dir: str | Path | None = None,
        print_summary: bool = True,
    ) -> CostReport:
        """Price the synthesized templates, check the tags, write and summarize the report."""
        directory = Path(out_dir or assembly.directory)
        stacks: list[StackCost] = []
        warnings: list[str] = []
        states = {s.name: s for s in self._stacks.values()}
        for artifact in assembly.stacks_recursively:
            template = load_template(Path(artifact.template_full_path))
            region = self.region_override or artifact.environment.region
            stack_cost = self.estimator.estimate_template(
                template, name=artifact.stack_name, region=region
            )
            stacks.append(stack_cost)
            warnings.extend(_check_tags(stack_cost, template, states.get(artifact.stack_name)))
        report = self.estimator.report(stacks, warnings)
        over = check_budget(report.monthly_cost, self.budget)
        if over is not None:
            report.warnings.append(over.message)
        write_report(report, directory)
        if print_summary:
            sys.stderr.write(summary(report, report_dir=str(directory)))
        return report


def _check_tags(stack: StackCost, template: dict[str, Any], state: _StackState | None) -> list[str]:
    """Every priced, taggable resource's tag must equal its report line."""
    problems: list[str] = []
    resources = template.get("Resources") or {}
    for line in stack.resources:
        body = resources.get(line.logical_id) or {}
        props = body.get("Properties") or {}
        tags = props.get("Tags", props.get("HostedZoneTags"))
        value = _tag_value(tags)
        expected = f"{line.monthly_cost:.2f}"
        if value is None:
            if state is not None and line.logical_id in state.tags:
                problems.append(f"{stack.name}/{line.logical_id}: cost tag missing in template")
            continue
        line.cost_tag = value
        if value != expected:
            problems.append(
                f"{stack.name}/{line.logical_id}: tag {COST_TAG}={value} differs from the "
                f"report line {expected} (a property override changed its price)"
            )
    return problems


def _tag_value(tags: Any) -> str | None:
    if isinstance(tags, list):
        for tag in tags:
            if isinstance(tag, dict) and tag.get("Key") == COST_TAG:
                value = tag.get("Value")
                return value if isinstance(value, str) else None
    if isinstance(tags, dict):  # map-style tags (e.g. some serverless resources)
        value = tags.get(COST_TAG)
        return value if isinstance(value, str) else None
    return None


def write_report(report: CostReport, directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / REPORT_JSON).write_text(to_json(report), encoding="utf-8")
    (directory / REPORT_MARKDOWN).write_text(to_markdown(report), encoding="utf-8")


__all__ = ["COST_TAG", "DEFAULT_REGION", "CostEstimate", "CostTagAspect", "write_report"]
