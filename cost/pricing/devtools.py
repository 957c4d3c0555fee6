"""CodeCommit repositories: active users per month, from AWS's CodeCommit pricing-page file
(one price for every region, the file's "Any" location).

AWS bills CodeCommit per account: the first 5 active users a month are free, each further one
costs the file's monthly price, and a user active in several repositories counts once. The
tiers are applied per repository here (as every tier in this engine: per resource), so the
usage key is the users the repository adds to the account's count. The storage and Git
requests each active user brings beyond the included amounts are not in the file and not
estimated.
"""

from __future__ import annotations

from cost.catalog.spec import Page, PriceSpec
from cost.model import CostComponent
from cost.pricing.context import PricingContext, Resource
from cost.pricing.registry import UsageKey, priced

CODECOMMIT = "AWSCodeCommit"
ACTIVE_USERS = PriceSpec(
    CODECOMMIT,
    "Developer Tools",
    "Users-ActiveUsers",
    published=Page(
        "codecommit",
        unit="Users",
        tiers=((0, "AWSCodeCommit StartingRange 0 5"), (5, "AWSCodeCommit StartingRange 5 Inf")),
    ),
    global_service=True,
)


@priced(
    "AWS::CodeCommit::Repository",
    service="CodeCommit",
    summary="active users per month from usage (the first 5 free, tiered per repository); "
    "extra storage and Git requests not estimated",
    usage=(
        UsageKey(
            "monthly_active_users",
            5,
            "users who push, pull or browse the repository in a month",
            integer=True,
        ),
    ),
    prices=(ACTIVE_USERS,),
)
def price_repository(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    return [
        ctx.component(
            "Active users (first 5 free)",
            "users",
            ctx.usage.get("monthly_active_users") or 0.0,
            ctx.global_price(CODECOMMIT, ACTIVE_USERS.family, ACTIVE_USERS.usagetype),
            usage_based=True,
            tiered=True,
        )
    ]
