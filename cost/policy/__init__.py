"""Guardrails: a budget, a maximum increase per change, and policies per profile.

Each check returns `Violation`s whose message names the rule, the resource (where there is
one) and the numbers. Callers decide what a violation does: the CLI exits 1, synth fails on a
policy violation and warns when over budget. `judge` is the one function both the CLI and the
CDK validation plugin call on a priced report.

Guardrails fail closed: a rule that governs something the estimate cannot price (a resource
listed as unsupported, a region without prices) or cannot evaluate (a `when` property whose
value is not known) is a violation that says why, never a silent pass. A rule may accept
named types as unpriced with `allow_unpriced: [AWS::Type, ...]`.

A policy file maps profile names to rules:

    profiles:
      dev:
        - rule: no-nat-gateway           # required, lower-case words and hyphens
          type: AWS::EC2::NatGateway     # which resources the rule looks at
          deny: true                     # ... none of them may exist
          description: dev runs without NAT gateways
        - rule: no-multi-az-database
          type: AWS::RDS::DBInstance
          when: {MultiAZ: true}          # property (dotted path) equals value
          deny: true
        - rule: small-database
          type: AWS::RDS::DBInstance
          max_monthly: 30                # per matching resource, USD/month
        - rule: dev-total
          max_total_monthly: 80          # the whole estimate, USD/month
          allow_unpriced: [AWS::SQS::Queue]   # optional: accept these types unpriced
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from cost.model import CostReport, ResourceCost, StackCost, money, resource_label, usd
from cost.pricing.context import Resource, is_unresolved

_RULE_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_RULE_KEYS = {
    "rule",
    "type",
    "when",
    "deny",
    "max_monthly",
    "max_total_monthly",
    "description",
    "allow_unpriced",
}


@dataclass(frozen=True)
class Violation:
    rule: str
    message: str
    #: The resource's display name (construct path or logical ID), when there is one.
    resource: str | None = None
    stack: str | None = None
    logical_id: str | None = None
    template_file: str | None = None
    #: "error" fails (CLI exit 1, synth fails); "warning" is reported only.
    severity: str = "error"

    def __str__(self) -> str:
        return self.message

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"rule": self.rule, "severity": self.severity}
        data["message"] = self.message
        if self.resource:
            data["resource"] = self.resource
        return data


@dataclass(frozen=True)
class Policy:
    rule: str
    type: str | None = None
    when: dict[str, Any] = field(default_factory=dict)
    deny: bool = False
    max_monthly: float | None = None
    max_total_monthly: float | None = None
    description: str = ""
    allow_unpriced: frozenset[str] = frozenset()


class PolicyError(ValueError):
    def __init__(self, problems: list[str], source: str) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"invalid policy file {source} ({len(problems)} problem(s)):\n{lines}")


def check_budget(total: float, budget: float | None) -> Violation | None:
    if budget is None or total <= budget:
        return None
    return Violation(
        "budget",
        f"over budget: the estimated monthly cost ${usd(total)} exceeds the budget "
        f"${usd(budget)} by ${usd(total - budget)}",
    )


def check_increase(
    past_total: float,
    total: float,
    *,
    max_increase: float | None = None,
    max_increase_percent: float | None = None,
) -> list[Violation]:
    found: list[Violation] = []
    increase = money(total - past_total)
    if max_increase is not None and increase > max_increase:
        found.append(
            Violation(
                "max-increase",
                f"max-increase: this change adds ${usd(increase)}/month "
                f"(${usd(past_total)} -> ${usd(total)}), above the allowed ${usd(max_increase)}",
            )
        )
    if max_increase_percent is not None and increase > 0:
        percent = float("inf") if past_total == 0 else 100 * increase / past_total
        if percent > max_increase_percent:
            shown = "from nothing" if past_total == 0 else f"{percent:.1f}%"
            found.append(
                Violation(
                    "max-increase-percent",
                    f"max-increase-percent: this change raises the monthly cost by {shown} "
                    f"(${usd(past_total)} -> ${usd(total)}), above the allowed "
                    f"{max_increase_percent:g}%",
                )
            )
    return found


def load_policies(path: str | Path, profile: str) -> list[Policy]:
    """The rules for `profile` (an unknown profile is an error naming the known ones)."""
    source = str(path)
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as err:
        raise PolicyError([f"not valid YAML: {err}"], source) from None
    profiles = data.get("profiles") if isinstance(data, dict) else None
    if not isinstance(profiles, dict):
        raise PolicyError(["top level needs 'profiles': a mapping of profile to rules"], source)
    problems: list[str] = []
    parsed: dict[str, list[Policy]] = {}
    for name, rules in profiles.items():
        parsed[name] = []
        if not isinstance(rules, list):
            problems.append(f"profiles.{name}: must be a list of rules")
            continue
        for i, raw in enumerate(rules):
            where = f"profiles.{name}[{i}]"
            policy = _parse_rule(raw, where, problems)
            if policy is not None:
                parsed[name].append(policy)
    if profile not in parsed:
        problems.append(
            f"profile {profile!r} has no policies; profiles in the file: {', '.join(parsed)}"
        )
    if problems:
        raise PolicyError(problems, source)
    return parsed[profile]


def _parse_rule(raw: Any, where: str, problems: list[str]) -> Policy | None:
    if not isinstance(raw, dict):
        problems.append(f"{where}: must be a mapping")
        return None
    unknown = set(raw) - _RULE_KEYS
    if unknown:
        problems.append(
            f"{where}: unknown key(s) {', '.join(sorted(unknown))}; allowed: "
            f"{', '.join(sorted(_RULE_KEYS))}"
        )
    rule = raw.get("rule")
    if not isinstance(rule, str) or not _RULE_RE.match(rule):
        problems.append(f"{where}.rule={rule!r}: allowed: lower-case words joined by hyphens")
        return None
    where = f"{where} ({rule})"
    kinds = [k for k in ("deny", "max_monthly", "max_total_monthly") if raw.get(k) is not None]
    if len(kinds) != 1:
        problems.append(f"{where}: needs exactly one of deny, max_monthly, max_total_monthly")
        return None
    if "deny" in kinds and raw["deny"] is not True:
        problems.append(f"{where}.deny={raw['deny']!r}: allowed: true")
    for key in ("max_monthly", "max_total_monthly"):
        value = raw.get(key)
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0
        ):
            problems.append(f"{where}.{key}={value!r}: allowed: a number >= 0 (USD/month)")
    if kinds[0] in ("deny", "max_monthly") and not isinstance(raw.get("type"), str):
        problems.append(f"{where}: {kinds[0]} needs 'type' (a CloudFormation type)")
    when = raw.get("when") or {}
    if not isinstance(when, dict):
        problems.append(f"{where}.when: must map property paths to values")
        when = {}
    allowed = raw.get("allow_unpriced") or []
    if not isinstance(allowed, list) or not all(
        isinstance(t, str) and t.count("::") >= 2 for t in allowed
    ):
        problems.append(
            f"{where}.allow_unpriced={allowed!r}: allowed: a list of CloudFormation types "
            "(e.g. [AWS::SQS::Queue])"
        )
        allowed = []
    return Policy(
        rule=rule,
        type=raw.get("type"),
        when=dict(when),
        deny=raw.get("deny") is True,
        max_monthly=raw.get("max_monthly"),
        max_total_monthly=raw.get("max_total_monthly"),
        description=str(raw.get("description", "")),
        allow_unpriced=frozenset(allowed),
    )


def _property(properties: dict[str, Any], dotted: str) -> Any:
    value: Any = properties
    for part in dotted.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _matches(policy: Policy, resource: Resource) -> bool | str:
    """True, False, or the reason it cannot be told (a `when` value not known)."""
    if policy.type is not None and resource.type != policy.type:
        return False
    for path, expected in policy.when.items():
        actual = _property(resource.properties, path)
        if is_unresolved(actual):
            return f"{path} is not known at synth time ({_short(actual)})"
        if isinstance(expected, bool) and isinstance(actual, str):
            actual = actual.lower() == "true"
        if actual != expected and str(actual) != str(expected):
            return False
    return True


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _name(stack: StackCost, resource: Resource) -> str:
    label = resource_label(resource.path, resource.logical_id, stack.construct_path)
    return f"{stack.name}/{label}"


@dataclass(frozen=True)
class Subject:
    """A resource of the report as a policy sees it."""

    stack: StackCost
    resource: Resource
    kind: str  # priced | free | unsupported | not-deployed
    cost: float | None
    reason: str


def subjects(report: CostReport) -> list[Subject]:
    found: list[Subject] = []
    for stack in report.stacks:
        outcomes = stack.outcomes()
        for logical_id, resource in stack.subjects.items():
            kind, line = outcomes.get(logical_id, ("unsupported", None))
            cost = line.monthly_cost if isinstance(line, ResourceCost) else None
            if kind == "free":
                cost = 0.0
            reason = getattr(line, "reason", "") if line is not None else "not priced"
            found.append(Subject(stack, resource, kind, cost, reason))
    return found


def _violation(policy_rule: str, message: str, subject: Subject | None, severity: str) -> Violation:
    if subject is None:
        return Violation(policy_rule, message, severity=severity)
    return Violation(
        policy_rule,
        message,
        resource=_name(subject.stack, subject.resource),
        stack=subject.stack.name,
        logical_id=subject.resource.logical_id,
        template_file=subject.stack.template_file,
        severity=severity,
    )


def _unpriced(items: list[Subject], allowed: frozenset[str]) -> list[Subject]:
    return [s for s in items if s.kind == "unsupported" and s.resource.type not in allowed]


def _lower_bound(unpriced: list[Subject], total: float) -> str:
    shown = ", ".join(
        f"{_name(s.stack, s.resource)} ({s.resource.type}: {s.reason})" for s in unpriced[:5]
    )
    more = f" and {len(unpriced) - 5} more" if len(unpriced) > 5 else ""
    return (
        f"the estimated ${usd(total)} is a lower bound: {len(unpriced)} resource(s) cannot be "
        f"priced: {shown}{more}"
    )


def judge(
    report: CostReport,
    *,
    policies: Iterable[Policy] = (),
    profile: str = "",
    budget: float | None = None,
    budget_severity: str = "error",
    allow_unpriced: Iterable[str] = (),
) -> list[Violation]:
    """Every policy and the budget over one priced report, failing closed."""
    items = subjects(report)
    total = report.monthly_cost
    found: list[Violation] = []
    for policy in policies:
        why = f" ({policy.description})" if policy.description else ""
        label = f"policy {policy.rule} [{profile}]"
        if policy.max_total_monthly is not None:
            if total > policy.max_total_monthly:
                found.append(
                    _violation(
                        policy.rule,
                        f"{label}: the estimated monthly cost ${usd(total)} exceeds "
                        f"${usd(policy.max_total_monthly)}{why}",
                        None,
                        "error",
                    )
                )
            unpriced = _unpriced(items, policy.allow_unpriced)
            if unpriced:
                found.append(
                    _violation(
                        policy.rule,
                        f"{label}: cannot judge the total against "
                        f"${usd(policy.max_total_monthly)}: {_lower_bound(unpriced, total)}",
                        None,
                        "error",
                    )
                )
            continue
        for item in items:
            if item.kind == "not-deployed":
                continue
            match = _matches(policy, item.resource)
            if match is False:
                continue
            name = f"{_name(item.stack, item.resource)} ({item.resource.type})"
            if isinstance(match, str):
                found.append(
                    _violation(
                        policy.rule,
                        f"{label}: cannot tell whether {name} matches: {match}; "
                        f"failing closed{why}",
                        item,
                        "error",
                    )
                )
                continue
            if policy.deny:
                found.append(
                    _violation(policy.rule, f"{label}: {name} is not allowed{why}", item, "error")
                )
            elif policy.max_monthly is not None:
                if item.cost is None:
                    if item.resource.type in policy.allow_unpriced:
                        continue
                    found.append(
                        _violation(
                            policy.rule,
                            f"{label}: cannot price {name} ({item.reason}), so it cannot be "
                            f"held to ${usd(policy.max_monthly)}/month{why}",
                            item,
                            "error",
                        )
                    )
                elif item.cost > policy.max_monthly:
                    found.append(
                        _violation(
                            policy.rule,
                            f"{label}: {name} costs ${usd(item.cost)}/month, above "
                            f"${usd(policy.max_monthly)}{why}",
                            item,
                            "error",
                        )
                    )
    if budget is not None:
        over = check_budget(total, budget)
        if over is not None:
            found.append(_violation("budget", over.message, None, budget_severity))
        unpriced = _unpriced(items, frozenset(allow_unpriced))
        if unpriced:
            found.append(
                _violation(
                    "budget",
                    f"budget ${usd(budget)}: {_lower_bound(unpriced, total)}",
                    None,
                    budget_severity,
                )
            )
    return found
