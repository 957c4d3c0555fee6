"""Pricing: one small pure function per CloudFormation type, declared next to it.

Importing this package imports every pricing module, which declares its types
(`cost.pricing.registry`). The dispatch table, the free list, the usage schema and the
catalog spec below are derived from those declarations.
"""

from __future__ import annotations

from cost.catalog.spec import PriceSpec
from cost.pricing import (
    analytics,
    apps,
    cdn,
    compute,
    connectivity,
    data,
    database,
    devtools,
    firewall,
    free,
    governance,
    greengrass,
    instances,
    managed_data,
    monitoring,
    network,
    pki,
    sagemaker,
    security,
    serverless,
    storage,
    supporting,
    warehouse,
)
from cost.pricing.context import (
    Free,
    PricingContext,
    PricingFunction,
    Resource,
    ResourceIndex,
    UndeclaredUsage,
    Unpriceable,
    UsageValues,
)
from cost.pricing.registry import PricedType, UsageKey, free_types, priced_types

_MODULES = (
    analytics,
    apps,
    cdn,
    compute,
    connectivity,
    data,
    database,
    devtools,
    firewall,
    free,
    greengrass,
    governance,
    instances,
    managed_data,
    monitoring,
    network,
    pki,
    sagemaker,
    security,
    serverless,
    storage,
    supporting,
    warehouse,
)

PRICED: dict[str, PricedType] = priced_types()
PRICERS: dict[str, PricingFunction] = {t: d.price for t, d in PRICED.items()}
FREE_TYPES: dict[str, str] = free_types()
CUSTOM_RESOURCE_REASON = free.CUSTOM_RESOURCE_REASON


def free_reason(resource_type: str) -> str | None:
    if resource_type in FREE_TYPES:
        return FREE_TYPES[resource_type]
    if resource_type.startswith("Custom::") or resource_type == (
        "AWS::CloudFormation::CustomResource"
    ):
        return CUSTOM_RESOURCE_REASON
    return None


def price_specs() -> tuple[PriceSpec, ...]:
    """Every catalog row some pricing function may look up, once each (the catalog spec)."""
    seen: dict[str, PriceSpec] = {}
    for declaration in PRICED.values():
        for spec in declaration.prices:
            seen.setdefault(spec.key, spec)
    return tuple(seen.values())


def usage_schema() -> dict[str, dict[str, UsageKey]]:
    """Usage keys per priced type (the usage file's schema)."""
    return {t: dict(d.usage) for t, d in PRICED.items() if d.usage}


def referenced_types() -> frozenset[str]:
    """Types some pricing function reads as a neighbour."""
    return frozenset(t for d in PRICED.values() for t in d.reads)


__all__ = [
    "FREE_TYPES",
    "PRICED",
    "PRICERS",
    "Free",
    "PricedType",
    "PricingContext",
    "PricingFunction",
    "Resource",
    "ResourceIndex",
    "UndeclaredUsage",
    "Unpriceable",
    "UsageKey",
    "UsageValues",
    "free_reason",
    "price_specs",
    "referenced_types",
    "usage_schema",
]
