"""What a pricing function sees: the resource, its usage values, prices, and its neighbours.

Pricing functions are pure: given a `Resource` and a `PricingContext` they return cost
components, and record assumptions on the context. They never raise for unresolvable values
(tokens, parameters): they fall back to usage values or defaults and say so. They raise
`Unpriceable` when the resource cannot be priced (reported as unsupported, with the reason).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from cost.catalog import Price, PriceCatalog
from cost.model import CostComponent
from cost.pricing.registry import unsourced_reason


class Unpriceable(Exception):
    """This resource (or this configuration of it) cannot be priced; the message says why."""


class Free(Exception):
    """This resource costs nothing in this configuration; the message says why."""


class BadUsage(Exception):
    """Usage values that cannot hold together (shares that do not sum to 1): bad input, which
    the estimator reports as a usage error naming the keys (exit 2), never as a gap."""


class UndeclaredUsage(Exception):
    """A pricing function read a usage key or looked up a price its declaration does not
    list: a programming error in the pricing module, never caught as "unsupported"."""


class UsageValues(Mapping[str, float | None]):
    """The usage values of one resource, readable only by the keys its type declares."""

    def __init__(self, resource_type: str, values: Mapping[str, float | None]) -> None:
        self.resource_type = resource_type
        self._values = dict(values)

    def __getitem__(self, key: str) -> float | None:
        if key not in self._values:
            raise UndeclaredUsage(
                f"{self.resource_type} reads usage key {key!r}, which its declaration does not "
                f"list (declared: {', '.join(sorted(self._values)) or 'none'})"
            )
        return self._values[key]

    def get(self, key: str, default: Any = None) -> Any:
        value = self[key]
        return default if value is None else value

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


@dataclass(frozen=True)
class Resource:
    logical_id: str
    type: str
    properties: dict[str, Any]
    path: str | None = None


class ResourceIndex(Protocol):
    """The other resources of the same template/stack, for references between resources."""

    def get(self, logical_id: str) -> Resource | None: ...

    def of_type(self, resource_type: str) -> list[Resource]: ...


def ref_target(value: Any) -> str | None:
    """The logical ID a {"Ref": X} or {"Fn::GetAtt": [X, ...]} points at, else None."""
    if isinstance(value, dict) and len(value) == 1:
        if "Ref" in value and isinstance(value["Ref"], str):
            return value["Ref"]
        getatt = value.get("Fn::GetAtt")
        if isinstance(getatt, list) and getatt and isinstance(getatt[0], str):
            return getatt[0]
        if isinstance(getatt, str):
            return getatt.split(".", 1)[0]
    return None


def is_unresolved(value: Any) -> bool:
    """Intrinsic functions and parameters cannot be read at synth time."""
    return isinstance(value, dict) and any(k == "Ref" or k.startswith("Fn::") for k in value)


@dataclass
class PricingContext:
    region: str
    catalog: PriceCatalog
    usage: UsageValues
    index: ResourceIndex
    assumptions: list[str] = field(default_factory=list)
    #: (service, family, usage type, attribute names) the type declared; None: unchecked.
    price_shapes: frozenset[tuple[str, str, str | None, frozenset[str]]] | None = None

    @property
    def hours(self) -> float:
        value = self.usage["hours_per_month"]
        assert value is not None
        return value

    def assume(self, text: str) -> None:
        if text not in self.assumptions:
            self.assumptions.append(text)

    def price(self, service: str, family: str, usagetype: str | None, **attrs: str) -> Price:
        self._check_declared(service, family, usagetype, attrs)
        self._check_sourced(service, family, usagetype, attrs)
        return self.catalog.lookup(service, self.region, family, usagetype, **attrs)

    def _check_sourced(
        self, service: str, family: str, usagetype: str | None, attrs: Mapping[str, str]
    ) -> None:
        reason = unsourced_reason((service, family, usagetype, frozenset(attrs)))
        if reason is not None:
            raise Unpriceable(f"{family} {usagetype or ''} is not in the catalog: {reason}")

    def global_price(self, service: str, family: str, usagetype: str | None, **attrs: str) -> Price:
        """A price that is the same in every region (Route 53, CloudFront's edge groups)."""
        self._check_declared(service, family, usagetype, attrs)
        self._check_sourced(service, family, usagetype, attrs)
        return self.catalog.lookup(service, "global", family, usagetype, **attrs)

    def _check_declared(
        self, service: str, family: str, usagetype: str | None, attrs: Mapping[str, str]
    ) -> None:
        shape = (service, family, usagetype, frozenset(attrs))
        if self.price_shapes is not None and shape not in self.price_shapes:
            raise UndeclaredUsage(
                f"looked up {service} '{family}' {usagetype or ''} {sorted(attrs)}, a price "
                "its type's declaration does not list"
            )

    def component(
        self,
        name: str,
        unit: str,
        quantity: float,
        price: Price,
        *,
        usage_based: bool = False,
        note: str = "",
        tiered: bool = False,
    ) -> CostComponent:
        """A component at the price's first tier, or blended across tiers if `tiered`."""
        unit_price = price.usd
        if tiered and quantity > 0:
            unit_price = price.tiered_cost(quantity) / quantity
            note = note or "tiered price, blended"
        return CostComponent(
            name=name,
            unit=unit,
            quantity=quantity,
            unit_price=unit_price,
            usage_based=usage_based,
            price_ref=price.ref,
            note=note,
        )

    def referenced(self, value: Any, expected_type: str | None = None) -> Resource | None:
        target = ref_target(value)
        if target is None:
            return None
        resource = self.index.get(target)
        if resource is None or (expected_type and resource.type != expected_type):
            return None
        return resource

    def number(
        self, value: Any, default: float, what: str, *, convert: Callable[[Any], float] = float
    ) -> float:
        """A numeric property, or `default` (recorded as an assumption) when missing/unresolved."""
        if value is None:
            return default
        if is_unresolved(value):
            self.assume(f"{what} is not known at synth time; assumed {default:g}")
            return default
        try:
            return convert(value)
        except (TypeError, ValueError):
            self.assume(f"{what}={value!r} is not a number; assumed {default:g}")
            return default

    def flag(self, value: Any, default: bool, what: str) -> bool:
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        self.assume(f"{what} is not known at synth time; assumed {str(default).lower()}")
        return default

    def text(self, value: Any, default: str, what: str) -> str:
        if value is None:
            return default
        if isinstance(value, str):
            return value
        self.assume(f"{what} is not known at synth time; assumed {default}")
        return default

    def count_of(self, value: Any, default: int, what: str) -> int:
        """Length of a list property (e.g. subnets), `default` when unresolved."""
        if isinstance(value, list) and not is_unresolved(value):
            return len(value)
        if value is None:
            return default
        self.assume(f"number of {what} is not known at synth time; assumed {default}")
        return default


PricingFunction = Callable[[Resource, PricingContext], list[CostComponent]]
