"""Analytics: the AWS Glue Data Catalog's databases and tables.

The Data Catalog bills per object stored per month (a database, a table, a partition, each one
object) and per request; AWS's Glue pricing-page file publishes both. Objects are counted per
resource, not per account, and no free tier (the first million objects and requests) is
deducted.
"""

from __future__ import annotations

from cost.catalog.spec import Page, PriceSpec
from cost.model import CostComponent
from cost.pricing.context import PricingContext, Resource
from cost.pricing.registry import UsageKey, priced

GLUE = "AWSGlue"
CATALOG_STORAGE = PriceSpec(
    GLUE,
    "Data Catalog Storage",
    None,
    published=Page("glue", "Data catalog storage", "objects"),
)
CATALOG_REQUESTS = PriceSpec(
    GLUE,
    "Data Catalog Requests",
    None,
    published=Page("glue", "Data catalog requests", "Requests"),
)
REQUESTS = UsageKey(
    "monthly_requests", 0, "Data Catalog API requests about this object per month (Get*, ...)"
)


def _catalog_lines(ctx: PricingContext, objects: float, what: str) -> list[CostComponent]:
    ctx.assume(
        "no Data Catalog free tier deducted (the first million objects and requests a month "
        "are free per account)"
    )
    return [
        ctx.component(
            f"Data Catalog storage ({what})",
            "objects",
            objects,
            ctx.price(GLUE, CATALOG_STORAGE.family, None),
        ),
        ctx.component(
            "Data Catalog requests",
            "requests",
            ctx.usage.get("monthly_requests") or 0.0,
            ctx.price(GLUE, CATALOG_REQUESTS.family, None),
            usage_based=True,
        ),
    ]


@priced(
    "AWS::Glue::Database",
    service="Glue",
    summary="one Data Catalog object stored, Data Catalog requests from usage",
    usage=(REQUESTS,),
    prices=(CATALOG_STORAGE, CATALOG_REQUESTS),
)
def price_glue_database(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    return _catalog_lines(ctx, 1, "the database, 1 object")


@priced(
    "AWS::Glue::Table",
    service="Glue",
    summary="Data Catalog objects stored (the table and its partitions), Data Catalog requests "
    "from usage",
    usage=(
        UsageKey("partitions", 0, "partitions of the table (each a Data Catalog object)"),
        REQUESTS,
    ),
    prices=(CATALOG_STORAGE, CATALOG_REQUESTS),
)
def price_glue_table(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    partitions = ctx.usage.get("partitions") or 0.0
    return _catalog_lines(ctx, 1 + partitions, f"the table and {partitions:g} partitions")
