"""CloudFront: distributions (reported unsupported with the reason: the price file AWS's
pricing page loads does not publish its prices in a form the catalog can key by region), and
the CloudFront configuration types that bill nothing themselves."""

from __future__ import annotations

from cost.catalog.spec import PriceSpec
from cost.model import CostComponent
from cost.pricing.context import Free, PricingContext, Resource
from cost.pricing.registry import UsageKey, free, priced

CLOUDFRONT = "AmazonCloudFront"
TRANSFER_UNSOURCED = (
    "the CloudFront pricing-page file publishes data transfer prices only under unnamed SKU "
    "codes with no location, so none can be matched to an edge location by name"
)
REQUESTS_UNSOURCED = (
    "the CloudFront pricing-page file publishes request prices per edge-location group "
    "(United States, EU, ...), not per AWS region, and where viewers are is not in the template"
)


@priced(
    "AWS::CloudFront::Distribution",
    service="CloudFront",
    summary="data transfer out and HTTPS requests (no AWS-published source the catalog can "
    "use: reported unsupported)",
    usage=(
        UsageKey("monthly_data_transfer_gb", 100, "data transferred out to viewers, GB"),
        UsageKey("monthly_https_requests", 1_000_000, "HTTPS requests per month"),
    ),
    prices=(
        PriceSpec(
            CLOUDFRONT, "Data Transfer", "DataTransfer-Out-Bytes", unsourced=TRANSFER_UNSOURCED
        ),
        PriceSpec(CLOUDFRONT, "Request", "Requests-Tier2-HTTPS", unsourced=REQUESTS_UNSOURCED),
    ),
)
def price_distribution(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    config = resource.properties.get("DistributionConfig")
    enabled = config.get("Enabled") if isinstance(config, dict) else None
    if not ctx.flag(enabled, True, "distribution Enabled"):
        raise Free("a disabled distribution serves no requests")
    return [
        ctx.component(
            "Data transfer out to viewers",
            "GB",
            ctx.usage.get("monthly_data_transfer_gb") or 0.0,
            ctx.price(CLOUDFRONT, "Data Transfer", "DataTransfer-Out-Bytes"),
            usage_based=True,
        ),
        ctx.component(
            "HTTPS requests",
            "requests",
            ctx.usage.get("monthly_https_requests") or 0.0,
            ctx.price(CLOUDFRONT, "Request", "Requests-Tier2-HTTPS"),
            usage_based=True,
        ),
    ]


free(
    "CloudFront configuration; no charge of its own (traffic is billed on the distribution)",
    "AWS::CloudFront::CloudFrontOriginAccessIdentity",
    "AWS::CloudFront::OriginAccessControl",
    "AWS::CloudFront::CachePolicy",
    "AWS::CloudFront::OriginRequestPolicy",
    "AWS::CloudFront::ResponseHeadersPolicy",
)
