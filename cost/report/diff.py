"""Cost difference between two reports: what a change does to the monthly bill.

Resources are matched by (stack name, logical ID). A resource is `added`, `removed` or
`changed` (its monthly cost or a component differs); unchanged ones are counted, not listed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cost.model import CURRENCY, money


@dataclass(frozen=True)
class ComponentDelta:
    name: str
    unit: str
    past_quantity: float | None
    quantity: float | None
    past_cost: float
    cost: float

    @property
    def diff(self) -> float:
        return self.cost - self.past_cost

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "unit": self.unit,
            "pastQuantity": self.past_quantity,
            "quantity": self.quantity,
            "pastMonthlyCost": money(self.past_cost, 4),
            "monthlyCost": money(self.cost, 4),
            "diffMonthlyCost": money(self.diff, 4),
        }


@dataclass
class ResourceDelta:
    stack: str
    logical_id: str
    type: str
    path: str | None
    change: str  # added | removed | changed
    past_cost: float
    cost: float
    components: list[ComponentDelta] = field(default_factory=list)

    @property
    def diff(self) -> float:
        return money(self.cost - self.past_cost)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "stack": self.stack,
            "logicalId": self.logical_id,
            "type": self.type,
            "change": self.change,
            "pastMonthlyCost": money(self.past_cost),
            "monthlyCost": money(self.cost),
            "diffMonthlyCost": self.diff,
            "components": [c.to_json() for c in self.components],
        }
        if self.path:
            data["path"] = self.path
        return data


@dataclass
class CostDiff:
    past_total: float
    total: float
    resources: list[ResourceDelta]
    unchanged: int
    past_report: dict[str, Any]
    report: dict[str, Any]

    @property
    def diff(self) -> float:
        return money(self.total - self.past_total)

    @property
    def percent(self) -> float | None:
        if self.past_total == 0:
            return None
        return money(100 * (self.total - self.past_total) / self.past_total, 2)

    def unsupported_changes(self) -> tuple[list[str], list[str]]:
        """Unsupported resources that appear / disappear with the change."""
        past = _unsupported_keys(self.past_report)
        now = _unsupported_keys(self.report)
        return sorted(now - past), sorted(past - now)

    def to_json(self) -> dict[str, Any]:
        added, removed = self.unsupported_changes()
        return {
            "version": "1.0",
            "currency": CURRENCY,
            "pastTotalMonthlyCost": money(self.past_total),
            "totalMonthlyCost": money(self.total),
            "diffTotalMonthlyCost": self.diff,
            "percentChange": self.percent,
            "resources": [r.to_json() for r in self.resources],
            "unchangedResources": self.unchanged,
            "unsupportedAdded": added,
            "unsupportedRemoved": removed,
            "past": _summary(self.past_report),
            "current": _summary(self.report),
        }


def _summary(report: dict[str, Any]) -> dict[str, Any]:
    return {
        "region": report.get("region"),
        "catalog": report.get("catalog", {}),
        "usageFile": ((report.get("usageAssumptions") or {}).get("usageFile") or {}).get("source"),
        "stacks": {s["name"]: s["totalMonthlyCost"] for s in report.get("stacks", [])},
    }


def _unsupported_keys(report: dict[str, Any]) -> set[str]:
    return {
        f"{s['name']}/{u['logicalId']} ({u['type']})"
        for s in report.get("stacks", [])
        for u in s.get("unsupported", [])
    }


def _resources(report: dict[str, Any], single: bool) -> dict[tuple[str, str], dict[str, Any]]:
    """Resources keyed by (stack, logical ID); with one stack on each side, by logical ID
    alone, so the same app under another stack name (e.g. another profile) still matches."""
    return {
        ("" if single else stack["name"], r["logicalId"]): r
        for stack in report.get("stacks", [])
        for r in stack.get("resources", [])
    }


def _component_deltas(
    past: dict[str, Any] | None, now: dict[str, Any] | None
) -> list[ComponentDelta]:
    past_components = {c["name"]: c for c in (past or {}).get("components", [])}
    now_components = {c["name"]: c for c in (now or {}).get("components", [])}
    deltas: list[ComponentDelta] = []
    for name in list(past_components) + [n for n in now_components if n not in past_components]:
        a, b = past_components.get(name), now_components.get(name)
        delta = ComponentDelta(
            name=name,
            unit=(b or a or {}).get("unit", ""),
            past_quantity=a["quantity"] if a else None,
            quantity=b["quantity"] if b else None,
            past_cost=a["monthlyCost"] if a else 0.0,
            cost=b["monthlyCost"] if b else 0.0,
        )
        if (
            a is None
            or b is None
            or a["monthlyCost"] != b["monthlyCost"]
            or a["quantity"] != b["quantity"]
        ):
            deltas.append(delta)
    return deltas


def diff_reports(past: dict[str, Any], current: dict[str, Any]) -> CostDiff:
    single = len(past.get("stacks", [])) == 1 and len(current.get("stacks", [])) == 1
    before, after = _resources(past, single), _resources(current, single)
    single_name = current["stacks"][0]["name"] if single else ""
    deltas: list[ResourceDelta] = []
    unchanged = 0
    for key in sorted(set(before) | set(after)):
        a, b = before.get(key), after.get(key)
        body = b or a or {}
        components = _component_deltas(a, b)
        if a is None:
            change = "added"
        elif b is None:
            change = "removed"
        elif a["monthlyCost"] != b["monthlyCost"] or components:
            change = "changed"
        else:
            unchanged += 1
            continue
        deltas.append(
            ResourceDelta(
                stack=key[0] or single_name,
                logical_id=key[1],
                type=body.get("type", ""),
                path=body.get("path"),
                change=change,
                past_cost=a["monthlyCost"] if a else 0.0,
                cost=b["monthlyCost"] if b else 0.0,
                components=components,
            )
        )
    deltas.sort(key=lambda d: (-abs(d.diff), d.stack, d.logical_id))
    return CostDiff(
        past_total=float(past.get("totalMonthlyCost", 0.0)),
        total=float(current.get("totalMonthlyCost", 0.0)),
        resources=deltas,
        unchanged=unchanged,
        past_report=past,
        report=current,
    )


def load_report(path: Path) -> dict[str, Any]:
    """A cost-report.json, or a cdk.out directory (its cost-report.json, else priced anew)."""
    if path.is_dir():
        candidate = path / "cost-report.json"
        if candidate.exists():
            path = candidate
        else:
            from cost.estimate import Estimator, estimate_path

            return estimate_path(path, estimator=Estimator.create()).to_json()
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or "totalMonthlyCost" not in data or "stacks" not in data:
        raise ValueError(f"{path}: not a cost report (no totalMonthlyCost/stacks)")
    return data
