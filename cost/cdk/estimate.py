"""`CostEstimate.attach(app)`: the only call a CDK app makes (see cost.cdk)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsii
from aws_cdk import (
    Annotations,
    AspectPriority,
    Aspects,
    IStableNumberProducer,
    Lazy,
    Stack,
    Stage,
    Validations,
)

from constructs import IConstruct
from cost.catalog import PriceCatalog, UnknownRegion, default_catalog
from cost.cdk.aspect import COST_TAG, CostTagAspect, StackState
from cost.cdk.plugin import REPORT_JSON, REPORT_MARKDOWN, CostPlugin, write_report
from cost.estimate import Estimator
from cost.model import CostReport, money
from cost.policy import Policy, PolicyError, Violation, load_policies
from cost.pricing.usage import Usage, UsageError

#: `cdk synth -c cost-estimate=off` turns the estimate off without touching the app's code.
OFF_SWITCH = "cost-estimate"
_OFF_VALUES = ("off", "false", "0", "no")


@jsii.implements(IStableNumberProducer)
class _LimitProducer:
    def __init__(self, estimate: CostEstimate, stack_name: str | None, factor: float) -> None:
        self.estimate, self.stack_name, self.factor = estimate, stack_name, factor

    def produce(self) -> float:
        return max(1.0, money(self.estimate.aspect_total(self.stack_name) * self.factor))


class CostEstimate:
    """Facade: `attach` to an app; after synth, `report` holds the cost report."""

    def __init__(
        self,
        *,
        usage: Usage | None = None,
        catalog: PriceCatalog | None = None,
        region: str | None = None,
        budget: float | None = None,
        policies: list[Policy] | None = None,
        profile: str | None = None,
        parameters: dict[str, str] | None = None,
        print_summary: bool = True,
    ) -> None:
        self.estimator = Estimator(catalog or default_catalog(), usage or Usage.empty())
        self.region_override = region
        self.budget = budget
        self.policies = policies or []
        self.profile = profile
        self.parameters = dict(parameters or {})
        self.print_summary = print_summary
        self.enabled = True
        #: Why `attach` could not set the estimate up (each names the argument).
        self.problems: list[str] = []
        self.stage: Stage | None = None
        #: (assembly directory id, template file) -> what the aspect did in that stack
        self.stack_states: dict[tuple[str, str], StackState] = {}
        #: The last synth's report and guardrail findings (None before synth).
        self.report: CostReport | None = None
        self.violations: list[Violation] = []
        self.printed = ""
        #: Where the last report is to be written when synth returns (see write_pending).
        self.pending_report_dir: Path | None = None
        self.aspect = CostTagAspect(self)
        self._covered: set[str] = set()

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
        print_summary: bool = True,
    ) -> CostEstimate:
        """Price every stack under `scope` (usually the App) at each synth.

        Works before or after the stacks are defined, with or without a usage file. A bad
        argument (a usage or policy file that is missing or invalid, a region name that is
        not a commercial region) is reported as a synth error naming it, not an exception.
        """
        estimate = cls(region=region, budget=budget, profile=profile, print_summary=print_summary)
        off = scope.node.try_get_context(OFF_SWITCH)
        if off is not None and str(off).strip().lower() in _OFF_VALUES:
            estimate.enabled = False
            return estimate
        problems: list[str] = []
        if usage_file:
            try:
                estimate.estimator.usage = Usage.from_file(usage_file)
            except UsageError as err:
                problems.append(f"usage_file: {err}")
            except OSError as err:
                problems.append(f"usage_file={str(usage_file)!r}: {err.strerror or err}")
        if policy_file:
            try:
                estimate.policies = load_policies(policy_file, profile or "")
            except PolicyError as err:
                problems.append(f"policy_file: {err}")
            except OSError as err:
                problems.append(f"policy_file={str(policy_file)!r}: {err.strerror or err}")
        if region:
            try:
                estimate.estimator.catalog.check_region(region)
            except UnknownRegion as err:
                problems.append(f"region: {err}")
        stage = scope if isinstance(scope, Stage) else Stage.of(scope)
        if stage is None:
            raise ValueError("CostEstimate.attach needs a scope inside an App or a Stage")
        estimate.stage = stage
        if problems:
            # Synth fails naming the argument: an error annotation for the CLI's output, and
            # the plugin fails the synth in-process too. Nothing is priced.
            estimate.enabled = False
            estimate.problems = [f"cost estimate: {p}" for p in problems]
            for problem in estimate.problems:
                Annotations.of(scope).add_error(problem)
            Validations.of(stage).add_plugins(CostPlugin(estimate))
            return estimate
        Aspects.of(scope).add(estimate.aspect, priority=AspectPriority.READONLY)
        estimate._covered.add(scope.node.path)
        estimate.cover_stages(scope)
        Validations.of(stage).add_plugins(CostPlugin(estimate))
        _hook_synth(stage, estimate, scope)
        return estimate

    def cover_stages(self, scope: IConstruct) -> None:
        """Aspects do not cross Stage boundaries: add the aspect to every Stage below.

        Stages live in Apps, Stages and plain constructs, never inside a Stack, so the walk
        stops at stacks (a few calls instead of one per construct of the app).
        """
        pending = list(scope.node.children)
        while pending:
            node = pending.pop()
            if isinstance(node, Stack):
                continue
            if isinstance(node, Stage) and node.node.path not in self._covered:
                Aspects.of(node).add(self.aspect, priority=AspectPriority.READONLY)
                self._covered.add(node.node.path)
            pending.extend(node.node.children)

    def write_pending(self) -> Path | None:
        """Write the last synth's report into its cloud assembly; returns the directory."""
        directory = self.pending_report_dir
        if self.report is None or directory is None:
            return None
        write_report(self.report, directory)
        self.pending_report_dir = None
        return directory

    def out_dir(self) -> str:
        assert self.stage is not None
        return str(self.stage.outdir)

    def aspect_total(self, stack_name: str | None = None) -> float:
        """Total of the aspect's prices (all stacks, or one); final after the aspects ran."""
        return money(
            sum(
                line.monthly_cost
                for state in self.stack_states.values()
                if stack_name is None or state.name == stack_name
                for line in state.lines.values()
            )
        )

    def monthly_limit(self, stack: Stack, factor: float) -> Any:
        """A token for (this stack's estimate x factor), resolved when the template is written.

        Used for an AWS Budgets limit: the estimate at synth becomes an alarm on the real bill.
        """
        return Lazy.number(_LimitProducer(self, stack.stack_name, factor))


def _hook_synth(stage: Stage, estimate: CostEstimate, scope: IConstruct) -> None:
    """The app's `synth()` covers Stages defined after `attach` first (nested Stages
    synthesize before the App's own aspects run), and writes the report afterwards."""
    original = stage.synth

    def synth(*args: Any, **kwargs: Any) -> Any:
        estimate.cover_stages(scope)
        try:
            return original(*args, **kwargs)
        finally:
            # Also when a policy failed synth: the report says why.
            estimate.write_pending()

    stage.synth = synth  # type: ignore[method-assign]


__all__ = ["COST_TAG", "OFF_SWITCH", "REPORT_JSON", "REPORT_MARKDOWN", "CostEstimate"]
