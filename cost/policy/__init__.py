"""Guardrails: a budget, a maximum increase per change, and policies per profile.

Each check returns `Violation`s whose message names the rule, the resource (where there is
one) and the numbers. Callers decide what a violation does: the CLI exits 1, synth fails on a
policy violation and warns when over budget.

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
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from cost.model import money, usd
from cost.pricing.context import Resource, is_unresolved

_RULE_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_RULE_KEYS = {"rule", "type", "when", "deny", "max_monthly", "max_total_monthly", "description"}


@dataclass(frozen=True)
class Violation:
    rule: str
    message: str
    resource: str | None = None

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Policy:
    rule: str
    type: str | None = None
    when: dict[str, Any] = field(default_factory=dict)
    deny: bool = False
    max_monthly: float | None = None
    max_total_monthly: float | None = None
    description: str = ""


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
    return Policy(
        rule=rule,
        type=raw.get("type"),
        when=dict(when),
        deny=raw.get("deny") is True,
        max_monthly=raw.get("max_monthly"),
        max_total_monthly=raw.get("max_total_monthly"),
        description=str(raw.get("description", "")),
    )


def _property(properties: dict[str, Any], dotted: str) -> Any:
    value: Any = properties
    for part in dotted.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _matches(policy: Policy, resource: Resource) -> bool:
    if policy.type is not None and resource.type != policy.type:
        return False
    for path, expected in policy.when.items():
        actual = _property(resource.properties, path)
        if is_unresolved(actual):
            return False
        if isinstance(expected, bool) and isinstance(actual, str):
            actual = actual.lower() == "true"
        if actual != expected and str(actual) != str(expected):
            return False
    return True


def _name(resource: Resource) -> str:
    return resource.path or resource.logical_id


def evaluate_policies(
    policies: Iterable[Policy],
    resources: Iterable[tuple[Resource, float | None]],
    total: float,
    *,
    profile: str,
) -> list[Violation]:
    """`resources`: every resource with its monthly cost (None when not priced)."""
    items = list(resources)
    found: list[Violation] = []
    for policy in policies:
        why = f" ({policy.description})" if policy.description else ""
        if policy.max_total_monthly is not None:
            if total > policy.max_total_monthly:
                found.append(
                    Violation(
                        policy.rule,
                        f"policy {policy.rule} [{profile}]: the estimated monthly cost "
                        f"${usd(total)} exceeds ${usd(policy.max_total_monthly)}{why}",
                    )
                )
            continue
        for resource, cost in items:
            if not _matches(policy, resource):
                continue
            if policy.deny:
                found.append(
                    Violation(
                        policy.rule,
                        f"policy {policy.rule} [{profile}]: {_name(resource)} ({resource.type}) "
                        f"is not allowed{why}",
                        _name(resource),
                    )
                )
            elif policy.max_monthly is not None and cost is not None and cost > policy.max_monthly:
                found.append(
                    Violation(
                        policy.rule,
                        f"policy {policy.rule} [{profile}]: {_name(resource)} ({resource.type}) "
                        f"costs ${usd(cost)}/month, above ${usd(policy.max_monthly)}{why}",
                        _name(resource),
                    )
                )
    return found
