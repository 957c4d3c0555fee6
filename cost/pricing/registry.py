"""One declaration per priced CloudFormation type, made next to its pricing function.

A declaration says everything the engine and its documentation need to know about a type:

- the CloudFormation type and the service it is billed under (the report's grouping label);
- what is priced, in one line (the README's "What is priced" table);
- the usage keys the function reads, each with its default and meaning (the usage-file schema
  and the README's usage table); reading a key that is not declared is an error;
- the catalog rows the function may look up (the catalog spec that `cost.refresh` fetches and
  a test checks in every required region); looking up a row of an undeclared shape is an
  error;
- the neighbouring resource types it reads (the CDK aspect resolves only those on demand).

    @priced(
        "AWS::EC2::NatGateway",
        service="NAT gateway",
        summary="hours and GB processed",
        usage=(HOURS, UsageKey("data_processed_gb", 10, "data processed per month, GB")),
        prices=(PriceSpec("AmazonEC2", "NAT Gateway", "NatGateway-Hours"), ...),
    )
    def price_nat_gateway(resource, ctx): ...

Free types are declared with `free(reason, *types)`. Everything else (dispatch, usage schema,
catalog spec, labels, README tables) is derived from `priced_types()` and `free_types()`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cost.catalog.spec import PriceSpec

if TYPE_CHECKING:
    from cost.pricing.context import PricingFunction


class RegistryError(Exception):
    """A declaration is inconsistent (a programming error in a pricing module)."""


@dataclass(frozen=True)
class UsageKey:
    """A usage assumption a pricing function reads: name, built-in default and meaning.

    `default` None means "derived from the resource" (the description says how).
    """

    name: str
    default: float | None
    description: str
    integer: bool = False


#: Shared by every type billed by the hour.
HOURS = UsageKey("hours_per_month", 730, "hours the resource runs per month (730 = always on)")


@dataclass(frozen=True)
class PricedType:
    resource_type: str
    service: str
    summary: str
    price: PricingFunction
    usage: dict[str, UsageKey] = field(default_factory=dict)
    prices: tuple[PriceSpec, ...] = ()
    reads: frozenset[str] = frozenset()

    @property
    def price_shapes(self) -> frozenset[tuple[str, str, str | None, frozenset[str]]]:
        """(service, family, usage type, attribute names) of every declared row: a lookup
        must have one of these shapes (its values may still be missing from the catalog)."""
        return frozenset(spec.shape for spec in self.prices)


_PRICED: dict[str, PricedType] = {}
_FREE: dict[str, str] = {}


_Shape = tuple[str, str, str | None, frozenset[str]]
#: shape -> why it has no source, built on first use (declarations register at import).
_UNSOURCED: dict[_Shape, str] | None = None


def unsourced_reason(shape: _Shape) -> str | None:
    """Why a declared row has no AWS-published source (None: it has one, or is undeclared)."""
    global _UNSOURCED
    if _UNSOURCED is None:
        _UNSOURCED = {
            spec.shape: spec.unsourced or "no AWS-published source is known"
            for declaration in _PRICED.values()
            for spec in declaration.prices
            if spec.published is None
        }
    return _UNSOURCED.get(shape)


def priced(
    resource_type: str,
    *,
    service: str,
    summary: str,
    usage: Iterable[UsageKey] = (),
    prices: Iterable[PriceSpec] = (),
    reads: Iterable[str] = (),
) -> Callable[[PricingFunction], PricingFunction]:
    """Declare `resource_type` as priced by the decorated function."""

    def register(function: PricingFunction) -> PricingFunction:
        if resource_type in _PRICED or resource_type in _FREE:
            raise RegistryError(f"{resource_type} is declared twice")
        keys: dict[str, UsageKey] = {}
        for key in usage:
            if key.name in keys:
                raise RegistryError(f"{resource_type}: usage key {key.name} declared twice")
            keys[key.name] = key
        global _UNSOURCED
        _UNSOURCED = None  # a new declaration: rebuild the index on next use
        _PRICED[resource_type] = PricedType(
            resource_type=resource_type,
            service=service,
            summary=summary,
            price=function,
            usage=keys,
            prices=tuple(prices),
            reads=frozenset(reads),
        )
        return function

    return register


def free(reason: str, *resource_types: str) -> None:
    """Declare types that bill nothing themselves, with the reason (shown in the report)."""
    for resource_type in resource_types:
        if resource_type in _PRICED or resource_type in _FREE:
            raise RegistryError(f"{resource_type} is declared twice")
        _FREE[resource_type] = reason


def priced_types() -> dict[str, PricedType]:
    """Every priced type's declaration (importing cost.pricing registers them all)."""
    _load()
    return dict(_PRICED)


def free_types() -> dict[str, str]:
    _load()
    return dict(_FREE)


def _load() -> None:
    # The pricing modules declare their types when imported; cost.pricing imports them all.
    import cost.pricing  # noqa: F401


__all__ = [
    "HOURS",
    "PricedType",
    "RegistryError",
    "UsageKey",
    "free",
    "free_types",
    "priced",
    "priced_types",
]
