"""Regenerate the bundled catalog from the AWS Price List API (needs AWS credentials).

    python -m cost.refresh [--regions us-east-1,eu-west-1] [--out cost/catalog/data]

For every row the pricing declarations list (`cost.pricing.price_specs()`) and region it
calls pricing:GetProducts with the product family and the selecting attributes, keeps the
products whose usage type ends with the wanted suffix, insists on exactly one, and writes the
same JSON files the engine reads (one per service code), each price with its unit, tiers,
effective date and source. Synth never calls it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from cost.catalog import CATALOG_DIR, usagetype_suffix
from cost.catalog.spec import REQUIRED_REGIONS, PriceSpec
from cost.pricing import price_specs

SOURCE = "AWS Price List API GetProducts"


class RefreshError(RuntimeError):
    pass


def _filters(spec: PriceSpec, region: str) -> list[dict[str, str]]:
    filters = [{"Type": "TERM_MATCH", "Field": "productFamily", "Value": spec.family}]
    if not spec.global_service:
        filters.append({"Type": "TERM_MATCH", "Field": "regionCode", "Value": region})
    for name, value in spec.attributes.items():
        filters.append({"Type": "TERM_MATCH", "Field": name, "Value": value})
    return filters


def _on_demand(item: dict[str, Any]) -> tuple[list[dict[str, Any]], str, str]:
    terms = item["terms"]["OnDemand"]
    if len(terms) != 1:
        raise RefreshError(f"{item['product']['sku']}: {len(terms)} OnDemand terms")
    term = next(iter(terms.values()))
    dims: list[dict[str, Any]] = []
    units = set()
    for dim in term["priceDimensions"].values():
        end = dim.get("endRange", "Inf")
        dims.append(
            {
                "beginRange": float(dim.get("beginRange", 0)),
                "endRange": None if end == "Inf" else float(end),
                "usd": float(dim["pricePerUnit"]["USD"]),
            }
        )
        units.add(dim["unit"])
    if len(units) != 1:
        raise RefreshError(f"{item['product']['sku']}: mixed units {units}")
    dims.sort(key=lambda d: float(d["beginRange"] or 0))
    return dims, units.pop(), str(term["effectiveDate"])[:10]


def fetch(client: Any, spec: PriceSpec, region: str) -> dict[str, Any] | None:
    """The catalog product for one spec in one region (None if absent and not required)."""
    items: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        kwargs: dict[str, Any] = {
            "ServiceCode": spec.service,
            "Filters": _filters(spec, region),
            "FormatVersion": "aws_v1",
            "MaxResults": 100,
        }
        if token:
            kwargs["NextToken"] = token
        page = client.get_products(**kwargs)
        items += [json.loads(p) if isinstance(p, str) else p for p in page["PriceList"]]
        token = page.get("NextToken")
        if not token:
            break
    if spec.usagetype is not None:
        items = [
            i
            for i in items
            if usagetype_suffix(i["product"]["attributes"].get("usagetype", "")) == spec.usagetype
        ]
    if not items:
        if spec.required:
            raise RefreshError(f"no product for {spec.key} in {region}")
        return None
    if len(items) > 1:
        skus = [i["product"]["sku"] for i in items]
        raise RefreshError(f"{len(items)} products for {spec.key} in {region}: {skus}")
    item = items[0]
    dims, unit, effective = _on_demand(item)
    attrs = item["product"]["attributes"]
    attributes = {"regionCode": "global" if spec.global_service else region}
    attributes["usagetype"] = attrs["usagetype"]
    attributes.update(spec.attributes)
    return {
        "productFamily": spec.family,
        "attributes": attributes,
        "unit": unit,
        "priceDimensions": dims,
        "effectiveDate": effective,
        "source": f"{SOURCE} (sku {item['product']['sku']}), {dt.date.today().isoformat()}",
        "confirmed": True,
    }


def refresh(
    client: Any, regions: list[str], out: Path, specs: tuple[PriceSpec, ...] | None = None
) -> dict[str, int]:
    """Fetch every spec row (default: every row the pricing declarations list)."""
    products: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for spec in price_specs() if specs is None else specs:
        for region in ["global"] if spec.global_service else regions:
            product = fetch(client, spec, region)
            if product is not None:
                products[spec.service].append(product)
    out.mkdir(parents=True, exist_ok=True)
    counts = {}
    for service, items in sorted(products.items()):
        items.sort(key=lambda p: json.dumps(p["attributes"], sort_keys=True))
        path = out / f"{service}.json"
        path.write_text(
            json.dumps({"serviceCode": service, "products": items}, indent=1) + "\n",
            encoding="utf-8",
        )
        counts[service] = len(items)
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cost.refresh", description=__doc__)
    parser.add_argument("--regions", default=",".join(REQUIRED_REGIONS))
    parser.add_argument("--out", default=str(CATALOG_DIR))
    args = parser.parse_args(argv)
    import boto3

    # The Price List API is served from us-east-1 (also eu-central-1, ap-south-1).
    client = boto3.client("pricing", region_name="us-east-1")
    try:
        counts = refresh(client, args.regions.split(","), Path(args.out))
    except RefreshError as err:
        print(f"refresh failed: {err}", file=sys.stderr)
        return 1
    for service, count in counts.items():
        print(f"{service}: {count} prices")
    return 0


if __name__ == "__main__":
    sys.exit(main())
