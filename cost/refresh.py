"""Regenerate the bundled catalog from the AWS Price List API or from AWS's price files.

    python -m cost.refresh [--regions us-east-1,eu-west-1] [--out cost/catalog/data]
    python -m cost.refresh --pricing-page waf.json --service awswaf \
        --source "v0rts/aws-price-watcher@91cf8f2e:raw/waf.json"      # offline, one service

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
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from cost.catalog import CATALOG_DIR, usagetype_suffix
from cost.catalog.regions import LOCATIONS
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


def _unit_of(dimension: str) -> str:
    """`WebACL per month` -> `month`: the pricing-page name states its unit after ' per '."""
    return dimension.rsplit(" per ", 1)[1] if " per " in dimension else dimension


def from_pricing_page(
    data: dict[str, Any], service: str, source: str, specs: tuple[PriceSpec, ...] | None = None
) -> list[dict[str, Any]]:
    """Catalog products for `service` from a price file AWS's pricing pages load.

    Those files (`.../pricing/2.0/meteredUnitMaps/<svc>/USD/current/<svc>.json`) key prices
    by location name and dimension name: `regions[<location>][<dimension>] = {"rateCode":
    "<SKU>.<term>.<rate>", "price": "<decimal>"}`. A spec of this kind names the dimension as
    its family (no usage type). Every commercial region whose location is in the file gets a
    product; a region without the dimension gets none (its price is "not published").
    """
    manifest = data.get("manifest") or {}
    published = str(manifest.get("hawkFilePublicationDate", ""))[:10]
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", published):
        raise RefreshError("not a pricing-page price file: no manifest.hawkFilePublicationDate")
    regions = data.get("regions")
    if not isinstance(regions, dict):
        raise RefreshError("not a pricing-page price file: no 'regions' mapping")
    wanted = [
        spec
        for spec in (price_specs() if specs is None else specs)
        if spec.service == service and spec.usagetype is None and not spec.attributes
    ]
    if not wanted:
        raise RefreshError(f"no pricing-page rows are declared for {service}")
    products: list[dict[str, Any]] = []
    for code, location in sorted(LOCATIONS.items()):
        entries = regions.get(location)
        if not isinstance(entries, dict):
            continue
        for spec in wanted:
            entry = entries.get(spec.family)
            if not isinstance(entry, dict):
                continue
            sku = str(entry.get("rateCode", "")).split(".", 1)[0]
            products.append(
                {
                    "productFamily": spec.family,
                    "attributes": {"regionCode": code, "sku": sku},
                    "unit": _unit_of(spec.family),
                    "priceDimensions": [
                        {"beginRange": 0, "endRange": None, "usd": float(entry["price"])}
                    ],
                    "effectiveDate": published,
                    "source": f"{source} (sku {sku}, published {published})",
                    "confirmed": True,
                }
            )
    return products


def write_service(out: Path, service: str, products: list[dict[str, Any]]) -> None:
    products.sort(key=lambda p: (p["attributes"]["regionCode"], p["productFamily"]))
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{service}.json").write_text(
        json.dumps({"serviceCode": service, "products": products}, indent=1) + "\n",
        encoding="utf-8",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cost.refresh", description=__doc__)
    parser.add_argument("--regions", default=",".join(REQUIRED_REGIONS))
    parser.add_argument("--out", default=str(CATALOG_DIR))
    parser.add_argument(
        "--pricing-page",
        metavar="FILE",
        help="build one service's file from a price file AWS's pricing pages load (offline)",
    )
    parser.add_argument("--service", help="with --pricing-page: the Price List service code")
    parser.add_argument(
        "--source", help="with --pricing-page: where the file came from (repository@commit:path)"
    )
    args = parser.parse_args(argv)
    if args.pricing_page:
        if not (args.service and args.source):
            print("error: --pricing-page needs --service and --source", file=sys.stderr)
            return 2
        try:
            data = json.loads(Path(args.pricing_page).read_text(encoding="utf-8"))
            products = from_pricing_page(data, args.service, args.source)
        except (OSError, ValueError) as err:
            print(f"error: --pricing-page {args.pricing_page}: {err}", file=sys.stderr)
            return 2
        except RefreshError as err:
            print(f"error: {err}", file=sys.stderr)
            return 2
        write_service(Path(args.out), args.service, products)
        print(f"{args.service}: {len(products)} prices")
        return 0
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
