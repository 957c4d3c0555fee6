"""The cost model: components, priced/free/unsupported resources, stacks and the report.

Pure data. Pricing functions produce `CostComponent`s; the estimator groups them per
resource and per stack; renderers (`cost.report.render`) turn a `CostReport` into JSON,
Markdown or a terminal table. `to_json()` is the report contract documented in the README.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

HOURS_PER_MONTH = 730
CURRENCY = "USD"
REPORT_VERSION = "1.0"


def money(value: float, places: int = 2) -> float:
    """Round half away from zero (not banker's rounding) so 0.125 -> 0.13 as on a bill."""
    factor = 10**places
    scaled = abs(value) * factor + 1e-9
    rounded: float = int(scaled + 0.5) / factor
    return rounded if value >= 0 else -rounded


def usd(value: float) -> str:
    """`1,234.56`: two decimals and thousands separators."""
    return f"{money(value):,.2f}"


def resource_label(path: str | None, logical_id: str, stack_path: str | None = None) -> str:
    """What a reader knows a resource by: its construct path inside the stack (without the
    stack's own path and a trailing `/Resource`), else its logical ID."""
    if not path:
        return logical_id
    if stack_path and path.startswith(stack_path + "/"):
        parts = path[len(stack_path) + 1 :].split("/")
    else:
        parts = path.split("/")[1:]
    if parts and parts[-1] in ("Resource", "Default"):
        parts = parts[:-1]
    return "/".join(parts) or logical_id


@dataclass(frozen=True)
class CostComponent:
    """One billable dimension of a resource: quantity x unit price per month."""

    name: str
    unit: str
    quantity: float
    unit_price: float
    usage_based: bool = False
    #: Where the price came from (catalog key) and anything worth saying about it.
    price_ref: str = ""
    note: str = ""

    @property
    def monthly_cost(self) -> float:
        return self.quantity * self.unit_price

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": self.name,
            "unit": self.unit,
            "quantity": round(self.quantity, 6),
            "unitPrice": self.unit_price,
            "monthlyCost": money(self.monthly_cost, 4),
            "usageBased": self.usage_based,
        }
        if self.price_ref:
            data["priceRef"] = self.price_ref
        if self.note:
            data["note"] = self.note
        return data


@dataclass
class ResourceCost:
    """A priced resource and the components it is billed by."""

    logical_id: str
    type: str
    path: str | None
    components: list[CostComponent]
    assumptions: list[str] = field(default_factory=list)
    usage: dict[str, Any] = field(default_factory=dict)
    #: The `cost:monthly-usd` tag found on the resource in the template (None: untaggable).
    cost_tag: str | None = None

    @property
    def monthly_cost(self) -> float:
        """Rounded to cents: the value of the resource's cost tag and its report line."""
        return money(sum(c.monthly_cost for c in self.components))

    @property
    def usage_based(self) -> bool:
        return any(c.usage_based for c in self.components)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"logicalId": self.logical_id}
        if self.path:
            data["path"] = self.path
        data.update(
            {
                "type": self.type,
                "monthlyCost": self.monthly_cost,
                "costTag": self.cost_tag,
                "components": [c.to_json() for c in self.components],
            }
        )
        if self.assumptions:
            data["assumptions"] = list(self.assumptions)
        if self.usage:
            data["usage"] = dict(sorted(self.usage.items()))
        return data


@dataclass(frozen=True)
class ListedResource:
    """A resource that is free, or whose type the engine cannot price (said out loud)."""

    logical_id: str
    type: str
    path: str | None = None
    reason: str = ""
    #: (service, region) of a missing price, when that is why it is unsupported.
    price_gap: tuple[str, str] | None = field(default=None, compare=False)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"logicalId": self.logical_id, "type": self.type}
        if self.path:
            data["path"] = self.path
        if self.reason:
            data["reason"] = self.reason
        return data


@dataclass
class StackCost:
    name: str
    region: str
    #: "stack" when the stack names its region, else why this region was used.
    region_source: str
    resources: list[ResourceCost] = field(default_factory=list)
    free: list[ListedResource] = field(default_factory=list)
    unsupported: list[ListedResource] = field(default_factory=list)
    #: Resources whose Condition is false: CloudFormation does not create them.
    not_deployed: list[ListedResource] = field(default_factory=list)
    #: Set when the catalog has no prices for the stack's region (said in the report).
    pricing_gap: str | None = None
    #: The template's file name in its cloud assembly, when it came from one.
    template_file: str | None = None
    #: The stack's construct path in a CDK app (`Prod/Network`), when known.
    construct_path: str | None = None

    def label(self, line: ResourceCost | ListedResource) -> str:
        """`stack/construct/path` of one of its lines (logical ID when no path is known)."""
        return f"{self.name}/{resource_label(line.path, line.logical_id, self.construct_path)}"

    #: Stack-level assumptions (parameters used, conditions evaluated, transforms).
    assumptions: list[str] = field(default_factory=list)
    #: Every resource as priced (resolved properties), by logical ID, for policy rules that
    #: look at properties. Not part of the report's JSON.
    subjects: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def outcomes(self) -> dict[str, tuple[str, ResourceCost | ListedResource]]:
        """Logical ID -> ("priced" | "free" | "unsupported" | "not-deployed", its line)."""
        found: dict[str, tuple[str, ResourceCost | ListedResource]] = {}
        groups: tuple[tuple[str, list[Any]], ...] = (
            ("priced", self.resources),
            ("free", self.free),
            ("unsupported", self.unsupported),
            ("not-deployed", self.not_deployed),
        )
        for kind, lines in groups:
            for line in lines:
                found[line.logical_id] = (kind, line)
        return found

    @property
    def monthly_cost(self) -> float:
        return money(sum(r.monthly_cost for r in self.resources))

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": self.name,
            "region": self.region,
            "regionSource": self.region_source,
            "totalMonthlyCost": self.monthly_cost,
            "resources": [r.to_json() for r in self.resources],
            "free": [r.to_json() for r in self.free],
            "unsupported": [r.to_json() for r in self.unsupported],
            "notDeployed": [r.to_json() for r in self.not_deployed],
        }
        if self.assumptions:
            data["assumptions"] = list(self.assumptions)
        if self.pricing_gap:
            data["pricingGap"] = self.pricing_gap
        return data


@dataclass
class CostReport:
    stacks: list[StackCost]
    catalog: dict[str, Any]
    usage_assumptions: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
    #: Guardrail findings: {"rule", "severity" ("error" | "warning"), "message", "resource"}.
    guardrails: list[dict[str, Any]] = field(default_factory=list)

    @property
    def monthly_cost(self) -> float:
        return money(sum(s.monthly_cost for s in self.stacks))

    @property
    def unsupported_count(self) -> int:
        return sum(len(s.unsupported) for s in self.stacks)

    @property
    def regions(self) -> list[str]:
        return sorted({s.region for s in self.stacks})

    @property
    def region(self) -> str:
        regions = self.regions
        return regions[0] if len(regions) == 1 else ("mixed" if regions else "none")

    def to_json(self) -> dict[str, Any]:
        return {
            "version": REPORT_VERSION,
            "currency": CURRENCY,
            "region": self.region,
            "hoursPerMonth": HOURS_PER_MONTH,
            "catalog": self.catalog,
            "totalMonthlyCost": self.monthly_cost,
            "stacks": [s.to_json() for s in self.stacks],
            "usageAssumptions": self.usage_assumptions,
            "warnings": list(self.warnings),
            "guardrails": list(self.guardrails),
        }
