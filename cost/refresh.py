"""Build the bundled catalog from AWS-published price files on disk, or from the Price List API.

    python -m cost.refresh --from-dir DIR [--out cost/catalog/data]
    python -m cost.refresh --from-api [--regions us-east-1,eu-west-1] [--out ...]

`--from-dir` reads the price files AWS's pricing pages load, as a user downloads them (or as
public repositories vendor them: `cost.catalog.sources` names each one), from `DIR/<id>.json`
(per-region files from `DIR/<id>/<region>.json`). Every row the pricing declarations list
(`cost.pricing.price_specs()`) that names its source becomes one product per commercial region
the file publishes it for; a region the file does not cover gets no product ("not published").
The data's own publication date (the file's manifest) is each product's effective date.

`--from-api` asks pricing:GetProducts for the same rows (boto3 and AWS credentials needed),
keeps the products whose usage type ends with the wanted suffix and insists on exactly one.

Both write the same files: `INDEX.json` plus `<service>/<region>.json`. Synth never calls this.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from cost.catalog import CATALOG_DIR, INDEX_FILE, usagetype_suffix
from cost.catalog.regions import LOCATIONS
from cost.catalog.sources import SOURCES, Source
from cost.catalog.spec import REQUIRED_REGIONS, Page, PriceSpec, Table

API_SOURCE = "price-list-api"


class RefreshError(RuntimeError):
    pass


Product = dict[str, Any]


# --- price files on disk ---------------------------------------------------------------


def _read(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise RefreshError(f"cannot read {path}: {err.strerror}") from err
    except ValueError as err:
        raise RefreshError(f"{path} is not JSON: {err}") from err


def _published(data: Any, path: Path) -> str:
    manifest = data.get("manifest") if isinstance(data, dict) else None
    date = str((manifest or {}).get("hawkFilePublicationDate", ""))[:10]
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
        raise RefreshError(f"{path}: not a pricing-page price file (no manifest date)")
    if not isinstance(data.get("regions"), dict):
        raise RefreshError(f"{path}: not a pricing-page price file (no 'regions' mapping)")
    return date


class PriceFiles:
    """The source files in a directory, each read once, as {location: {dimension: entry}}."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._pages: dict[str, tuple[dict[str, dict[str, Any]], str]] = {}

    def page(self, source_id: str) -> tuple[dict[str, dict[str, Any]], str]:
        """(entries by location, publication date) of one source."""
        if source_id in self._pages:
            return self._pages[source_id]
        source = SOURCES.get(source_id)
        if source is None:
            raise RefreshError(f"unknown source {source_id!r}; known: {', '.join(SOURCES)}")
        if source.per_region:
            locations: dict[str, dict[str, Any]] = {}
            dates = []
            for code, location in LOCATIONS.items():
                path = self.directory / source_id / f"{code}.json"
                if not path.exists():
                    continue
                data = _read(path)
                dates.append(_published(data, path))
                entries = data["regions"].get(location)
                if isinstance(entries, dict):
                    locations[location] = entries
            if not dates:
                raise RefreshError(f"no files in {self.directory / source_id}")
            result = (locations, max(dates))
        else:
            path = self.directory / f"{source_id}.json"
            data = _read(path)
            if source.kind == "processed":
                result = (_unflatten(data, path), source.fetched)
            else:
                date = _published(data, path)
                result = ({k: v for k, v in data["regions"].items() if isinstance(v, dict)}, date)
        self._pages[source_id] = result
        return result


_QUALIFIED = re.compile(r"^(?P<location>.+?) \((?P<fields>[A-Za-z ]+: .*)\)$")


def _unflatten(data: Any, path: Path) -> dict[str, dict[str, Any]]:
    """A repository's flattened file ({dimension: {location: price}}) as pricing-page entries.

    Instance rows qualify the location with the row's fields, e.g. "US East (Ohio) (Instance
    Type: db.r6g.large, vCPU: 2)": those become the entry's fields."""
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise RefreshError(f"{path}: expected {{dimension: {{location: price}}}}")
    locations: dict[str, dict[str, Any]] = defaultdict(dict)
    for dimension, by_location in data.items():
        for location, price in by_location.items():
            entry: dict[str, Any] = {"price": price}
            qualified = _QUALIFIED.match(location)
            if qualified and qualified["location"] in _LOCATION_NAMES:
                location = qualified["location"]
                for part in qualified["fields"].split(", "):
                    name, _, value = part.partition(": ")
                    entry[name] = value
            locations[location][dimension] = entry
    return locations


_LOCATION_NAMES = frozenset(LOCATIONS.values())


def _price(entry: Any, where: str) -> float:
    try:
        value = float(entry["price"])
    except (KeyError, TypeError, ValueError) as err:
        raise RefreshError(f"{where}: no numeric price") from err
    if value < 0:
        raise RefreshError(f"{where}: negative price {value}")
    return value


def _product(
    spec: PriceSpec, region: str, tiers: list[dict[str, Any]], unit: str, date: str, source: str
) -> Product:
    attributes = {"regionCode": region}
    if spec.usagetype is not None:
        attributes["usagetype"] = spec.usagetype
    attributes.update(spec.attributes)
    return {
        "productFamily": spec.family,
        "attributes": attributes,
        "unit": unit,
        "priceDimensions": tiers,
        "effectiveDate": date,
        "source": source,
    }


def _page_products(spec: PriceSpec, page: Page, files: PriceFiles) -> list[Product]:
    locations, date = files.page(page.source)
    products = []
    regions = ["global"] if spec.global_service else sorted(LOCATIONS)
    if page.location is not None and not spec.global_service:
        raise RefreshError(f"{spec.key}: a Page location is only for global rows")
    for code in regions:
        # Global services (Route 53) publish one price under the location "Any"; CloudFront
        # under its edge-location groups (the row's Page names the location key).
        if spec.global_service:
            entries = locations.get("Any" if page.location is None else page.location)
        else:
            entries = locations.get(LOCATIONS[code])
        if not entries:
            continue
        dims = page.dimensions()
        if not all(name in entries for _, name in dims):
            continue  # not published for this region (a partial tier set is no price either)
        tiers = []
        for i, (begin, name) in enumerate(dims):
            end = dims[i + 1][0] if i + 1 < len(dims) else None
            usd = _price(entries[name], f"{page.source} {code} {name!r}")
            tiers.append({"beginRange": begin, "endRange": end, "usd": usd})
        products.append(_product(spec, code, tiers, page.unit, date, page.source))
    return products


def _table_products(spec: PriceSpec, table: Table, files: PriceFiles) -> list[Product]:
    reads = [(table.source, table.match), *table.also]
    pages = {source: files.page(source) for source, _ in reads}
    products = []
    for code, location in sorted(LOCATIONS.items()):
        rows: dict[str, tuple[float, str, dict[str, str]]] = {}
        for source, match in reads:
            pattern = re.compile(match)
            seen: dict[str, float] = {}
            for key, entry in (pages[source][0].get(location) or {}).items():
                found = pattern.search(key)
                if not found or not isinstance(entry, dict):
                    continue
                if any(entry.get(f) != value for f, value in table.where):
                    continue
                instance = found[table.key_group] if table.key_group else entry.get(table.row_field)
                if not isinstance(instance, str):
                    continue
                usd = _price(entry, f"{source} {code} {key!r}")
                if instance in seen and seen[instance] != usd:
                    raise RefreshError(
                        f"{source} {code}: {instance} matches {match!r} twice "
                        f"({seen[instance]} and {usd})"
                    )
                seen[instance] = usd
                if instance not in rows:
                    fields = {a: str(entry.get(f, "")) for a, f in table.fields}
                    rows[instance] = (usd, source, fields)
        for instance, (usd, source, fields) in sorted(rows.items()):
            product = _product(
                spec,
                code,
                [{"beginRange": 0, "endRange": None, "usd": usd}],
                table.unit,
                pages[source][1],
                source,
            )
            product["attributes"][table.attribute] = instance
            product["attributes"].update(fields)
            products.append(product)
    return products


def from_files(directory: Path, specs: Iterable[PriceSpec]) -> tuple[list[Product], dict[str, str]]:
    """Products for every sourced spec, and the publication date of each source used."""
    files = PriceFiles(directory)
    products: list[Product] = []
    for spec in specs:
        made: list[Product] = []
        if isinstance(spec.published, Page):
            made = _page_products(spec, spec.published, files)
        elif isinstance(spec.published, Table):
            made = _table_products(spec, spec.published, files)
        for product in made:
            product["_service"] = spec.service
        products += made
    used = {p["source"] for p in products}
    return products, {sid: files.page(sid)[1] for sid in sorted(used)}


# --- the Price List API ----------------------------------------------------------------


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


def fetch(client: Any, spec: PriceSpec, region: str) -> Product | None:
    """The catalog product for one spec in one region from the API (None if absent)."""
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
        return None
    if len(items) > 1:
        skus = [i["product"]["sku"] for i in items]
        raise RefreshError(f"{len(items)} products for {spec.key} in {region}: {skus}")
    item = items[0]
    dims, unit, effective = _on_demand(item)
    product = _product(
        spec, "global" if spec.global_service else region, dims, unit, effective, API_SOURCE
    )
    full = item["product"]["attributes"].get("usagetype", "")
    product["note"] = f"sku {item['product']['sku']}, usage type {full}"
    return product


def from_api(
    client: Any, regions: list[str], specs: Iterable[PriceSpec]
) -> tuple[list[Product], dict[str, str]]:
    products = []
    for spec in specs:
        if isinstance(spec.published, Table):
            continue  # instance tables come from price files (one API call per type otherwise)
        if isinstance(spec.published, Page) and spec.published.location is not None:
            continue  # keyed by the pricing-page file's own locations (edge-location groups)
        for region in ["global"] if spec.global_service else regions:
            product = fetch(client, spec, region)
            if product is not None:
                product["_service"] = spec.service
                products.append(product)
    return products, {API_SOURCE: dt.date.today().isoformat()} if products else {}


# --- writing ---------------------------------------------------------------------------


def _source_record(source_id: str, published: str) -> dict[str, str]:
    if source_id == API_SOURCE:
        return {
            "repository": "",
            "commit": "",
            "path": "AWS Price List API GetProducts",
            "url": "https://api.pricing.us-east-1.amazonaws.com",
            "published": published,
        }
    source: Source = SOURCES[source_id]
    return {
        "repository": source.repository,
        "commit": source.commit,
        "path": source.path,
        "url": source.url,
        "published": published,
        "kind": source.kind,
    }


def write(out: Path, products: list[Product], published: dict[str, str]) -> dict[str, int]:
    """Replace the catalog in `out` with these products; counts per service."""
    by_file: dict[tuple[str, str], list[Product]] = defaultdict(list)
    for product in products:
        service = product.pop("_service")
        by_file[(service, product["attributes"]["regionCode"])].append(product)
    seen: set[str] = set()
    for (service, _region), items in by_file.items():
        for p in items:
            key = json.dumps([service, p["productFamily"], p["attributes"]], sort_keys=True)
            if key in seen:
                raise RefreshError(f"two products for {service} {key}")
            seen.add(key)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*/*.json"):
        old.unlink()
    files: dict[str, dict[str, int]] = defaultdict(dict)
    for (service, region), items in sorted(by_file.items()):
        items.sort(key=lambda p: json.dumps([p["productFamily"], p["attributes"]], sort_keys=True))
        path = out / service / f"{region}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            json.dumps(
                {"serviceCode": service, "region": region, "products": items},
                separators=(",", ":"),
                sort_keys=True,
            )
            + "\n",
            encoding="utf-8",
        )
        files[service][region] = len(items)
    index = {
        "files": {s: dict(sorted(r.items())) for s, r in sorted(files.items())},
        "sources": {sid: _source_record(sid, date) for sid, date in sorted(published.items())},
    }
    (out / INDEX_FILE).write_text(
        json.dumps(index, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    (out / "SOURCES.md").write_text(sources_markdown(index), encoding="utf-8")
    return {s: sum(r.values()) for s, r in files.items()}


def sources_markdown(index: dict[str, Any]) -> str:
    """SOURCES.md: where every price in the catalog comes from, generated with it."""
    from cost.pricing import price_specs

    counts: dict[str, int] = defaultdict(int)
    for spec in price_specs():
        if spec.published is not None:
            counts[spec.published.source] += 1
    lines = [
        "# Price catalog sources",
        "",
        "Generated by `python -m cost.refresh` with the catalog; do not edit. Every price is",
        "AWS's own: a price file AWS's pricing pages load (`url`), as vendored by a public",
        "repository at the commit given. `published` is the file's own publication date (its",
        "manifest), or for a repository's flattened copy (`processed`) the date of the commit",
        "that fetched it. A price that is in none of these files is not in the catalog: the",
        "component is reported unsupported, with the reason below.",
        "",
        "| source | repository @ commit : path | AWS file | published | rows declared |",
        "|---|---|---|---|---|",
    ]
    for sid, record in sorted(index["sources"].items()):
        where = f"{record['repository']} @ {record['commit'][:12]} : {record['path']}"
        kind = " (processed)" if record.get("kind") == "processed" else ""
        lines.append(
            f"| `{sid}` | {where}{kind} | {record['url']} | {record['published']} | "
            f"{counts.get(sid, 0)} |"
        )
    lines += ["", "## Regions per service", "", "| service | regions | prices |", "|---|---|---|"]
    for service, by_region in sorted(index["files"].items()):
        lines.append(f"| {service} | {len(by_region)} | {sum(by_region.values())} |")
    lines += ["", "## Rows without an AWS-published source (reported unsupported)", ""]
    for spec in price_specs():
        if spec.published is None:
            lines.append(f"- `{spec.key}`: {spec.unsourced}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    from cost.pricing import price_specs

    parser = argparse.ArgumentParser(
        prog="python -m cost.refresh",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--from-dir", metavar="DIR", help="AWS price files on disk (offline)")
    mode.add_argument("--from-api", action="store_true", help="the AWS Price List API")
    parser.add_argument(
        "--regions",
        default=",".join(REQUIRED_REGIONS),
        help="with --from-api: region codes, comma-separated",
    )
    parser.add_argument("--out", default=str(CATALOG_DIR))
    args = parser.parse_args(argv)
    specs = price_specs()
    try:
        if args.from_dir:
            directory = Path(args.from_dir)
            if not directory.is_dir():
                print(f"error: --from-dir {directory}: not a directory", file=sys.stderr)
                return 2
            products, published = from_files(directory, specs)
        else:
            regions = args.regions.split(",")
            unknown = [r for r in regions if r not in LOCATIONS]
            if unknown:
                print(
                    f"error: --regions: unknown {unknown}; allowed: {', '.join(LOCATIONS)}",
                    file=sys.stderr,
                )
                return 2
            import boto3

            # The Price List API is served from us-east-1 (also eu-central-1, ap-south-1).
            client = boto3.client("pricing", region_name="us-east-1")
            products, published = from_api(client, regions, specs)
        counts = write(Path(args.out), products, published)
    except RefreshError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    for service, count in sorted(counts.items()):
        print(f"{service}: {count} prices")
    print(f"total: {sum(counts.values())} prices from {len(published)} sources")
    return 0


if __name__ == "__main__":
    sys.exit(main())
