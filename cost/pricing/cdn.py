"""CloudFront: distributions, and the CloudFront configuration types that bill nothing themselves.

CloudFront bills data transfer out to viewers and requests by the edge-location group that
serves them (United States, EU, Japan, ...), not by the AWS region the template is deployed
in. Where the viewers are is not in the template: the usage keys `edge_share_<group>` say
which share of the traffic each group serves (default: all of it from United States edges),
and each group with a share gets its own lines, at that group's prices. Data transfer is
tiered per group (first 10 TB, next 40 TB, ...); no free tier is deducted.
"""

from __future__ import annotations

from cost.catalog.spec import Page, PriceSpec
from cost.model import CostComponent
from cost.pricing.context import BadUsage, Free, PricingContext, Resource
from cost.pricing.registry import UsageKey, free, priced

CLOUDFRONT = "AmazonCloudFront"
SOURCE = "cloudfront"

#: Usage-key suffix -> the edge-location group as CloudFront's pricing-page file names it.
EDGE_GROUPS = {
    "united_states": "United States",
    "canada": "Canada",
    "eu": "EU",
    "south_america": "South America",
    "south_africa": "South Africa",
    "middle_east": "Middle East",
    "japan": "Japan",
    "india": "India",
    "australia": "Australia",
    "asia_pacific": "Asia Pacific",
}
DEFAULT_GROUP = "united_states"

#: Data transfer tiers (begin in GB, 1 TB = 1024 GB) and the file's names for them.
TRANSFER_TIERS = (
    (0, "First 10 TB"),
    (10 * 1024, "Next 40 TB"),
    (50 * 1024, "next 100 TB"),
    (150 * 1024, "Next 350 TB"),
    (500 * 1024, "next 524 TB"),
    (1024 * 1024, "Next 4 PB"),
    (5 * 1024 * 1024, "Over 5 PB"),
)
HTTPS_REQUESTS = "CloudFront Request-Tier2 HTTPS GET and HEAD requests"
GROUP_ATTRIBUTE = "edgeLocationGroup"


def share_key(suffix: str) -> str:
    return f"edge_share_{suffix}"


def _transfer_spec(group: str) -> PriceSpec:
    return PriceSpec(
        CLOUDFRONT,
        "Data Transfer",
        "DataTransfer-Out-Bytes",
        attributes={GROUP_ATTRIBUTE: group},
        published=Page(
            SOURCE,
            unit="GB",
            tiers=tuple(
                (begin, f"Regional DT from {group} to Internet {name}")
                for begin, name in TRANSFER_TIERS
            ),
            location="",  # the file lists its data transfer rows under an empty location
        ),
        global_service=True,
    )


def _requests_spec(group: str) -> PriceSpec:
    return PriceSpec(
        CLOUDFRONT,
        "Request",
        "Requests-Tier2-HTTPS",
        attributes={GROUP_ATTRIBUTE: group},
        published=Page(SOURCE, HTTPS_REQUESTS, "Requests", location=group),
        global_service=True,
    )


@priced(
    "AWS::CloudFront::Distribution",
    service="CloudFront",
    summary="data transfer out to viewers (tiered) and HTTPS requests, at the prices of the "
    "edge-location groups serving them (`edge_share_*`, default all United States)",
    usage=(
        UsageKey("monthly_data_transfer_gb", 100, "data transferred out to viewers, GB"),
        UsageKey("monthly_https_requests", 1_000_000, "HTTPS requests per month"),
        *(
            UsageKey(
                share_key(suffix),
                1.0 if suffix == DEFAULT_GROUP else 0.0,
                f"share of the traffic served from CloudFront's {group} edge locations "
                "(the edge_share_* keys must sum to 1)",
            )
            for suffix, group in EDGE_GROUPS.items()
        ),
    ),
    prices=tuple(
        spec
        for group in EDGE_GROUPS.values()
        for spec in (_transfer_spec(group), _requests_spec(group))
    ),
)
def price_distribution(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    config = resource.properties.get("DistributionConfig")
    enabled = config.get("Enabled") if isinstance(config, dict) else None
    if not ctx.flag(enabled, True, "distribution Enabled"):
        raise Free("a disabled distribution serves no requests")
    shares = {suffix: ctx.usage.get(share_key(suffix)) or 0.0 for suffix in EDGE_GROUPS}
    total = sum(shares.values())
    if abs(total - 1.0) > 1e-9:
        given = ", ".join(f"{share_key(k)}={v:g}" for k, v in shares.items() if v)
        raise BadUsage(
            f"the edge_share_* keys sum to {total:g} ({given or 'all 0'}); allowed: shares "
            "between 0 and 1 that sum to 1"
        )
    served = ", ".join(f"{EDGE_GROUPS[k]} {v:.0%}" for k, v in shares.items() if v)
    ctx.assume(
        f"traffic served from CloudFront edge-location groups: {served} (usage edge_share_*; "
        "default: all from United States edges); all requests HTTPS, no free tier deducted"
    )
    gb = ctx.usage.get("monthly_data_transfer_gb") or 0.0
    requests = ctx.usage.get("monthly_https_requests") or 0.0
    components = []
    for suffix, share in shares.items():
        if share <= 0:
            continue
        group = EDGE_GROUPS[suffix]
        transfer = ctx.global_price(
            CLOUDFRONT, "Data Transfer", "DataTransfer-Out-Bytes", **{GROUP_ATTRIBUTE: group}
        )
        https = ctx.global_price(
            CLOUDFRONT, "Request", "Requests-Tier2-HTTPS", **{GROUP_ATTRIBUTE: group}
        )
        components += [
            ctx.component(
                f"Data transfer out to viewers ({group} edges)",
                "GB",
                gb * share,
                transfer,
                usage_based=True,
                tiered=True,
            ),
            ctx.component(
                f"HTTPS requests ({group} edges)",
                "requests",
                requests * share,
                https,
                usage_based=True,
            ),
        ]
    return components


free(
    "CloudFront configuration; no charge of its own (traffic is billed on the distribution)",
    "AWS::CloudFront::CloudFrontOriginAccessIdentity",
    "AWS::CloudFront::OriginAccessControl",
    "AWS::CloudFront::CachePolicy",
    "AWS::CloudFront::OriginRequestPolicy",
    "AWS::CloudFront::ResponseHeadersPolicy",
)
