"""The bundled price catalog: AWS list prices as data, loaded lazily, looked up like the Price List.

`cost/catalog/data/INDEX.json` lists the services, the regions each has prices for and the
sources (repository, commit, path, publication date); `data/<service>/<region>.json` holds
that service's products in that region (`global.json` for global services), read only when a
lookup first needs them. Each product is keyed the way the Price List keys it: a product
family plus attributes (`regionCode`, `usagetype`, `instanceType`, `deploymentOption`, ...),
with a unit, one or more price dimensions (tiers), the publication date of its data and the
id of its source (`cost.catalog.sources`). `cost.refresh` writes these files.

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
}
INDEX_FILE = "INDEX.json"


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
    note: str
    attributes: tuple[tuple[str, str], ...] = ()

    def attribute(self, name: str) -> str | None:
        return dict(self.attributes).get(name)

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
    """Products indexed by (service, region, product family), loaded per service and region."""

    def __init__(self, directory: Path = CATALOG_DIR, index: Any = None) -> None:
        self.directory = directory
        path = directory / INDEX_FILE
        if index is None:
            try:
                index = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as err:
                raise CatalogError(f"cannot read the catalog index {path}: {err}") from err
        files = index.get("files") if isinstance(index, dict) else None
        if not isinstance(files, dict) or not isinstance(index.get("sources"), dict):
            raise CatalogError(f"{path}: needs 'files' and 'sources' mappings")
        self.index: dict[str, Any] = index
        self.sources: dict[str, dict[str, str]] = index["sources"]
        self._files: dict[str, dict[str, int]] = files
        self._loaded: dict[tuple[str, str], dict[str, list[tuple[Price, dict[str, str]]]]] = {}
        self.regions = sorted({r for regions in files.values() for r in regions} - {"global"})
        dates = [str(s.get("published", "")) for s in self.sources.values()]
        self.meta: dict[str, Any] = {
            "effectiveDateMin": min(dates) if dates else "",
            "effectiveDateMax": max(dates) if dates else "",
            "products": sum(n for regions in files.values() for n in regions.values()),
            "regions": len(self.regions),
            "sources": sorted(self.sources),
        }

    @classmethod
    def from_directory(cls, directory: Path = CATALOG_DIR) -> PriceCatalog:
        return cls(directory)

    @classmethod
    def empty(cls) -> PriceCatalog:
        """A catalog with no prices (every lookup: not published)."""
        return cls(Path("/nonexistent"), {"files": {}, "sources": {}})

    def check_region(self, region: str) -> None:
        """Raise UnknownRegion for a name that is not a commercial region."""
        if region not in COMMERCIAL_REGIONS:
            raise UnknownRegion(region)

    def has_region(self, service: str, region: str) -> bool:
        """Whether the catalog holds any price of `service` for this region."""
        return region in self._files.get(service, {})

    def _families(self, service: str, region: str) -> dict[str, list[tuple[Price, dict[str, str]]]]:
        key = (service, region)
        loaded = self._loaded.get(key)
        if loaded is not None:
            return loaded
        families: dict[str, list[tuple[Price, dict[str, str]]]] = {}
        if self.has_region(service, region):
            path = self.directory / service / f"{region}.json"
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as err:
                raise CatalogError(f"cannot read {path}: {err}") from err
            if not isinstance(data, dict) or not isinstance(data.get("products"), list):
                raise CatalogError(f"{path}: needs a 'products' list")
            for i, raw in enumerate(data["products"]):
                price, attributes = _parse_product(service, raw, f"{path.name} product {i}")
                if price.region != region:
                    raise CatalogError(f"{path} product {i}: region {price.region}")
                if price.source not in self.sources:
                    raise CatalogError(f"{path} product {i}: unknown source {price.source!r}")
                families.setdefault(price.family, []).append((price, attributes))
        self._loaded[key] = families
        return families

    def lookup(
        self,
        service: str,
        region: str,
        family: str,
        usagetype: str | None = None,
        **attributes: str,
    ) -> Price:
        """The one product matching; PriceNotFound if none, CatalogError if several."""
        candidates = self._families(service, region).get(family, [])
        matches = [
            price
            for price, attrs in candidates
            if (usagetype is None or price.usagetype == usagetype)
            and all(attrs.get(k) == v for k, v in attributes.items())
        ]
        if not matches:
            wanted = ", ".join(
                [f"usagetype={usagetype}"] * (usagetype is not None)
                + [f"{k}={v}" for k, v in attributes.items()]
            )
            if not self.has_region(service, region):
                raise PriceNotFound(
                    f"AWS publishes no {service} prices for {region} in the catalog's sources",
                    service,
                    region,
                )
            raise PriceNotFound(
                f"no published {service} '{family}' price{f' for {wanted}' if wanted else ''} "
                f"in {region}",
                service,
                region,
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

    def values(self, service: str, region: str, family: str, attribute: str) -> list[str]:
        """The values `attribute` takes among a family's products (e.g. instance types)."""
        return sorted(
            {
                attrs[attribute]
                for _, attrs in self._families(service, region).get(family, [])
                if attribute in attrs
            }
        )

    def products(self) -> list[Price]:
        """Every product (loads the whole catalog: for checks and reports, not for synth)."""
        return [
            price
            for service, regions in sorted(self._files.items())
            for region in sorted(regions)
            for items in self._families(service, region).values()
            for price, _ in items
        ]


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
        note=str(raw.get("note", "")),
        attributes=tuple(sorted(attributes.items())),
    )
    return price, attributes


@cache
def default_catalog() -> PriceCatalog:
    """The bundled catalog (its index read once per process; prices as lookups need them)."""
    return PriceCatalog(CATALOG_DIR)
