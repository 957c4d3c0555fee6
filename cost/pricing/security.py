"""Secrets Manager secrets, KMS keys and Route 53 hosted zones."""

from __future__ import annotations

from cost.model import CostComponent
from cost.pricing.context import PricingContext, Resource, Unpriceable

SECRETS = "AWSSecretsManager"
KMS = "awskms"
ROUTE53 = "AmazonRoute53"
#: The Price List spells the API usage type differently by region (USE1-...APIRequest,
#: EU-...-APIRequests).
SECRETS_API_USAGETYPES = (
    "AWSSecretsManagerAPIRequest",
    "AWSSecretsManager-APIRequests",
    "AWSSecretsManager-APIRequest",
)


def price_secret(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    calls = ctx.usage.get("monthly_api_calls") or 0.0
    replicas = ctx.count_of(resource.properties.get("ReplicaRegions"), 0, "replica regions")
    components = [
        ctx.component(
            f"Secret{f' (+{replicas} replica(s))' if replicas else ''}",
            "secret-months",
            1 + replicas,
            ctx.price(SECRETS, "Secret", "AWSSecretsManager-Secrets"),
        ),
        ctx.component(
            "API calls",
            "requests",
            calls,
            ctx.price_any(SECRETS, "API Request", SECRETS_API_USAGETYPES),
            usage_based=True,
        ),
    ]
    return components


def price_kms_key(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    props = resource.properties
    spec = ctx.text(props.get("KeySpec"), "SYMMETRIC_DEFAULT", "key spec")
    if spec != "SYMMETRIC_DEFAULT":
        raise Unpriceable(f"asymmetric/HMAC key spec {spec} is not in the price catalog")
    requests = ctx.usage.get("monthly_requests") or 0.0
    return [
        ctx.component(
            "Customer managed key", "key-months", 1, ctx.price(KMS, "Encryption Key", "KMS-Keys")
        ),
        ctx.component(
            "Symmetric requests",
            "requests",
            requests,
            ctx.price(KMS, "API Request", "KMS-Requests"),
            usage_based=True,
        ),
    ]


def price_hosted_zone(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    """Route 53 is global: hosted zones cost the same in every region."""
    price = ctx.catalog.lookup(ROUTE53, "global", "DNS Zone", "HostedZone")
    return [ctx.component("Hosted zone", "zone-months", 1, price)]
