"""A row of the price catalog as a pricing function asks for it, and where AWS publishes it.

Pricing functions declare the rows they may look up (`cost.pricing.registry`); the union of
those declarations is the catalog spec. Each row names where AWS publishes its price: a
dimension of a price file AWS's pricing pages load (`Page`), or, for instance prices, every
matching row of such a file (`Table`). `cost.refresh` builds the catalog from exactly those
declarations; a row that names no source is not in the catalog, and the component that needs
it is reported unsupported.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Regions the MLflow app's own prices must exist in (a test checks them).
REQUIRED_REGIONS = ("us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1")


@dataclass(frozen=True)
class Page:
    """A price in a pricing-page file (`cost.catalog.sources`): one dimension, or tiers.

    `tiers` are (begin, dimension) pairs in ascending order; each tier ends where the next
    begins, the last is open-ended. `unit` is the price's unit as AWS states it. `location`
    (global rows only) names the file's location key when it is not "Any"."""

    source: str
    dimension: str | None = None
    unit: str = ""
    tiers: tuple[tuple[float, str], ...] = ()
    #: For a global row: the file's location key to read instead of "Any" (CloudFront keys
    #: request prices by edge-location group, "United States", and data transfer under "").
    location: str | None = None

    def dimensions(self) -> tuple[tuple[float, str], ...]:
        if self.tiers:
            return self.tiers
        assert self.dimension is not None, "a Page needs a dimension or tiers"
        return ((0.0, self.dimension),)


@dataclass(frozen=True)
class Table:
    """Instance prices: every row of the source whose key matches `match` (a regex) becomes a
    product whose `attribute` is the row's "Instance Type" field."""

    source: str
    match: str
    unit: str = "Hrs"
    attribute: str = "instanceType"
    #: Further fields of the row kept as product attributes: {attribute: row field}.
    fields: tuple[tuple[str, str], ...] = ()
    #: The row field naming the instance type (MemoryDB's file says "Instance").
    row_field: str = "Instance Type"
    #: Take the instance type from this named group of `match` instead of a row field (a
    #: flattened file whose keys name the type: EMR's "Instance-instancetype-m5.xlarge").
    key_group: str | None = None
    #: Row fields that must hold these values ({row field: value}) for the row to count: a
    #: file whose keys are rate codes is selected by its rows' own fields.
    where: tuple[tuple[str, str], ...] = ()
    #: Further (source, match) pairs in the same row format, read after `source`: their rows
    #: add the instance types it lacks (AWS's previous-generation EC2 file); a type already
    #: found keeps its first price and source.
    also: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class PriceSpec:
    """One product: service code, product family, usage-type suffix (None: the family names
    the price), selecting attributes, and where AWS publishes it (`published`; None: no
    AWS-published source is known, so the catalog cannot hold it)."""

    service: str
    family: str
    usagetype: str | None
    attributes: dict[str, str] = field(default_factory=dict)
    published: Page | Table | None = None
    #: Why there is no source (required when `published` is None).
    unsourced: str = ""
    #: Priced once for all regions (regionCode "global"), e.g. Route 53.
    global_service: bool = False

    @property
    def key(self) -> str:
        attrs = ",".join(f"{k}={v}" for k, v in sorted(self.attributes.items()))
        return f"{self.service}/{self.family}/{self.usagetype or ''}/{attrs}"

    @property
    def lookup_attributes(self) -> frozenset[str]:
        """The attribute names a lookup of this row passes."""
        extra = {self.published.attribute} if isinstance(self.published, Table) else set()
        return frozenset(self.attributes) | extra

    @property
    def shape(self) -> tuple[str, str, str | None, frozenset[str]]:
        return (self.service, self.family, self.usagetype, self.lookup_attributes)

    def __hash__(self) -> int:
        return hash(self.key)
