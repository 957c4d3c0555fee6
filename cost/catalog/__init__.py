"""The bundled price catalog: AWS list prices as data, loaded once, looked up like the Price List.

Files in `cost/catalog/data/` hold one AWS Price List service code each (`AmazonRDS.json`, ...).
Each product is keyed the way the Price List API keys it: a product family plus attributes
(`regionCode`, `usagetype` with its region prefix, `instanceType`, `deploymentOption`, ...),
with a unit, one or more price dimensions (tiers), an effective date, a source and whether the
price was confirmed. `cost.refresh` regenerates the same files from the Price List API.

A lookup names the service, region, product family, the usage-type suffix (without the
region prefix) and any further attributes; it must match exactly one product.
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from cost.catalog.regions import COMMERCIAL_REGIONS

CATALOG_DIR = Path(__file__).resolve().parent / "data"

# Usage types carry a region prefix such as "USE2-", "EU-", "EUC1-" (us-east-1 often none);
# KMS uses the region name itself ("eu-west-1-KMS-Keys").
_REGION_PREFIX = re.compile(r"^(?:[A-Z]{2,4}[0-9]?|[a-z]{2}(?:-[a-z]+)+-[0-9])-")

REQUIRED_PRODUCT_KEYS = {
    "productFamily",
    "attributes",
    "unit",
    "priceDimensions",
    "effectiveDate",
    "source",
    "confirmed",
}


class CatalogError(Exception):
    """The catalog files are malformed or a lookup is ambiguous (a catalog bug)."""


class PriceNotFound(LookupError):
    """No product matches: the catalog does not price this in this region."""

    def __init__(self, message: str, service: str = "", region: str = "") -> None:
        super().__init__(message)
        self.service = service
        self.region = region


class UnknownRegion(ValueError):
    """Not an AWS commercial region name (a typo, or another partition)."""

    def __init__(self, region: str) -> None:
        super().__init__(
            f"region {region!r} is not an AWS commercial region; allowed: "
            f"{', '.join(COMMERCIAL_REGIONS)}"
        )
        self.region = region


def usagetype_suffix(usagetype: str) -> str:
    return _REGION_PREFIX.sub("", usagetype, count=1)


@dataclass(frozen=True)
class Tier:
    begin: float
    end: float | None
    usd: float


@dataclass(frozen=True)
class Price:
    service: str
    family: str
    region: str
    usagetype: str
    unit: str
    tiers: tuple[Tier, ...]
    effective_date: str
    source: str
    confirmed: bool
    note: str

    @property
    def usd(self) -> float:
        """The first tier's price (the only one for flat prices)."""
        return self.tiers[0].usd

    @property
    def ref(self) -> str:
        return f"{self.service}/{self.region}/{self.usagetype or self.family}"

    def tiered_cost(self, quantity: float) -> float:
        """Cost of `quantity` units across the tiers (ranges in the price's unit)."""
        total = 0.0
        for tier in self.tiers:
            if quantity <= tier.begin:
                break
            upper = quantity if tier.end is None else min(quantity, tier.end)
            total += (upper - tier.begin) * tier.usd
        return total


class PriceCatalog:
    """Products indexed by (service, region, product family)."""

    def __init__(self, products: list[tuple[Price, dict[str, str]]], meta: dict[str, Any]) -> None:
        self.meta = meta
        self._products = [price for price, _ in products]
        self._index: dict[tuple[str, str, str], list[tuple[Price, dict[str, str]]]] = {}
        for price, attributes in products:
            key = (price.service, price.region, price.family)
            self._index.setdefault(key, []).append((price, attributes))
        self.regions = sorted({p.region for p in self._products} - {"global"})
        self._service_regions = {(p.service, p.region) for p in self._products}

    @classmethod
    def from_directory(cls, directory: Path = CATALOG_DIR) -> PriceCatalog:
        products: list[tuple[Price, dict[str, str]]] = []
        dates: set[str] = set()
        sources: set[str] = set()
        unconfirmed = 0
        files = sorted(directory.glob("*.json"))
        if not files:
            raise CatalogError(f"no catalog files in {directory}")
        for path in files:
            data = json.loads(path.read_text(encoding="utf-8"))
            service = data.get("serviceCode")
            if not isinstance(service, str) or not isinstance(data.get("products"), list):
                raise CatalogError(f"{path.name}: needs 'serviceCode' and a 'products' list")
            for i, raw in enumerate(data["products"]):
                price, attributes = _parse_product(service, raw, f"{path.name} product {i}")
                products.append((price, attributes))
                dates.add(price.effective_date)
                sources.add(price.source)
                unconfirmed += not price.confirmed
        meta = {
            "effectiveDateMin": min(dates),
            "effectiveDateMax": max(dates),
            "products": len(products),
            "unconfirmedPrices": unconfirmed,
            "sources": sorted(sources),
        }
        return cls(products, meta)

    def check_region(self, region: str) -> None:
        """Raise UnknownRegion for a name that is not a commercial region."""
        if region not in COMMERCIAL_REGIONS:
            raise UnknownRegion(region)

    def has_region(self, service: str, region: str) -> bool:
        """Whether the catalog holds any price of `service` for this region."""
        return (service, region) in self._service_regions

    def lookup(
        self,
        service: str,
        region: str,
        family: str,
        usagetype: str | None = None,
        **attributes: str,
    ) -> Price:
        """The one product matching; PriceNotFound if none, CatalogError if several."""
        candidates = self._index.get((service, region, family), [])
        matches = [
            price
            for price, attrs in candidates
            if (usagetype is None or usagetype_suffix(price.usagetype) == usagetype)
            and all(attrs.get(k) == v for k, v in attributes.items())
        ]
        if not matches:
            wanted = ", ".join(
                [f"usagetype={usagetype}"] * (usagetype is not None)
                + [f"{k}={v}" for k, v in attributes.items()]
            )
            if not self.has_region(service, region):
                raise PriceNotFound(
                    f"the price catalog has no {service} prices for {region}", service, region
                )
            raise PriceNotFound(
                f"no {service} '{family}' price for {wanted} in {region}", service, region
            )
        if len(matches) > 1:
            raise CatalogError(
                f"{len(matches)} {service} '{family}' products match {usagetype} {attributes} "
                f"in {region}: {[m.usagetype for m in matches]}"
            )
        return matches[0]

    def has(
        self, service: str, region: str, family: str, usagetype: str | None, **attrs: str
    ) -> bool:
        try:
            self.lookup(service, region, family, usagetype, **attrs)
        except PriceNotFound:
            return False
        return True

    def products(self) -> list[Price]:
        return list(self._products)


def _parse_product(service: str, raw: Any, where: str) -> tuple[Price, dict[str, str]]:
    if not isinstance(raw, dict):
        raise CatalogError(f"{where}: not an object")
    missing = REQUIRED_PRODUCT_KEYS - raw.keys()
    if missing:
        raise CatalogError(f"{where}: missing {sorted(missing)}")
    attributes = raw["attributes"]
    if not isinstance(attributes, dict) or not all(isinstance(v, str) for v in attributes.values()):
        raise CatalogError(f"{where}: attributes must map names to strings")
    if "regionCode" not in attributes:
        raise CatalogError(f"{where}: attributes need 'regionCode'")
    tiers: list[Tier] = []
    dims = raw["priceDimensions"]
    if not isinstance(dims, list) or not dims:
        raise CatalogError(f"{where}: priceDimensions must be a non-empty list")
    for dim in dims:
        usd = dim.get("usd")
        begin = dim.get("beginRange", 0)
        end = dim.get("endRange")
        if not isinstance(usd, (int, float)) or isinstance(usd, bool) or usd < 0:
            raise CatalogError(f"{where}: price {usd!r} is not a non-negative number")
        if not isinstance(begin, (int, float)) or (end is not None and end <= begin):
            raise CatalogError(f"{where}: bad tier range {begin!r}..{end!r}")
        tiers.append(Tier(float(begin), None if end is None else float(end), float(usd)))
    tiers.sort(key=lambda t: t.begin)
    if tiers[0].begin != 0 or any(a.end != b.begin for a, b in itertools.pairwise(tiers)):
        raise CatalogError(f"{where}: tiers must start at 0 and be contiguous")
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(raw["effectiveDate"])):
        raise CatalogError(f"{where}: effectiveDate {raw['effectiveDate']!r} is not YYYY-MM-DD")
    if not isinstance(raw["confirmed"], bool):
        raise CatalogError(f"{where}: confirmed must be true or false")
    price = Price(
        service=service,
        family=str(raw["productFamily"]),
        region=attributes["regionCode"],
        # Products from pricing-page files have no usage type: the family names the price.
        usagetype=attributes.get("usagetype", ""),
        unit=str(raw["unit"]),
        tiers=tuple(tiers),
        effective_date=str(raw["effectiveDate"]),
        source=str(raw["source"]),
        confirmed=raw["confirmed"],
        note=str(raw.get("note", "")),
    )
    return price, attributes


@cache
def default_catalog() -> PriceCatalog:
    """The bundled catalog, parsed once per process."""
    return PriceCatalog.from_directory(CATALOG_DIR)
