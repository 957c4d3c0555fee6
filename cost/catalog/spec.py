"""A row of the price catalog as a pricing function asks for it, and where rows must exist.

Pricing functions declare the rows they may look up (`cost.pricing.registry`); the union of
those declarations is the catalog spec: `cost.refresh` fetches exactly those rows and a test
checks that the bundled catalog has each required row in every required region.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Regions every required price must exist in.
REQUIRED_REGIONS = ("us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1")


@dataclass(frozen=True)
class PriceSpec:
    """One Price List product: service code, product family, usage-type suffix (without the
    region prefix; None: the family has one product per region) and selecting attributes."""

    service: str
    family: str
    usagetype: str | None
    attributes: dict[str, str] = field(default_factory=dict)
    #: False: priced when the catalog has it, otherwise the component is unsupported.
    required: bool = True
    #: Priced once for all regions (regionCode "global"), e.g. Route 53.
    global_service: bool = False

    @property
    def key(self) -> str:
        attrs = ",".join(f"{k}={v}" for k, v in sorted(self.attributes.items()))
        return f"{self.service}/{self.family}/{self.usagetype or ''}/{attrs}"

    @property
    def shape(self) -> tuple[str, str, str | None, frozenset[str]]:
        return (self.service, self.family, self.usagetype, frozenset(self.attributes))

    def __hash__(self) -> int:
        return hash(self.key)
