"""Secrets Manager secrets, KMS keys and Route 53 hosted zones."""

from __future__ import annotations

from cost.catalog.spec import Page, PriceSpec
from cost.model import CostComponent
from cost.pricing.context import PricingContext, Resource, Unpriceable
from cost.pricing.registry import UsageKey, priced

SECRETS = "AWSSecretsManager"
KMS = "awskms"
ROUTE53 = "AmazonRoute53"
#: The Price List spells the API request usage type differently by region (USE1-...APIRequest,
#: EU-...-APIRequests), but each region has exactly one product in the family.
SECRET_PRICES = (
    PriceSpec(
        SECRETS,
        "Secret",
        "AWSSecretsManager-Secrets",
        published=Page("secretsmanager", "Secret", "Secrets-Mo"),
    ),
    PriceSpec(
        SECRETS,
        "API Request",
        None,
        published=Page("secretsmanager", "API Request", "API Requests"),
    ),
)
API_CALLS = UsageKey("monthly_api_calls", 1_000, "GetSecretValue and other API calls per month")


def secret_components(
    ctx: PricingContext, *, label: str = "Secret", replicas: int = 0
) -> list[CostComponent]:
    """One secret (plus replicas) and its API calls (usage key `monthly_api_calls`)."""
    calls = ctx.usage.get("monthly_api_calls") or 0.0
    return [
        ctx.component(
            f"{label}{f' (+{replicas} replica(s))' if replicas else ''}",
            "secret-months",
            1 + replicas,
            ctx.price(SECRETS, "Secret", "AWSSecretsManager-Secrets"),
        ),
        ctx.component(
            f"{label}: API calls" if label != "Secret" else "API calls",
            "requests",
            calls,
            ctx.price(SECRETS, "API Request", None),
            usage_based=True,
        ),
    ]


@priced(
    "AWS::SecretsManager::Secret",
    service="Secrets Manager",
    summary="secret-months (replicas included) and API calls",
    usage=(API_CALLS,),
    prices=SECRET_PRICES,
)
def price_secret(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    replicas = ctx.count_of(resource.properties.get("ReplicaRegions"), 0, "replica regions")
    return secret_components(ctx, replicas=replicas)


@priced(
    "AWS::KMS::Key",
    service="KMS",
    summary="customer managed key-months and symmetric requests",
    usage=(UsageKey("monthly_requests", 10_000, "KMS API requests per month"),),
    prices=(
        PriceSpec(
            KMS, "Encryption Key", "KMS-Keys", published=Page("kms", "Encryption Key", "Keys-Mo")
        ),
        PriceSpec(
            KMS,
            "API Request",
            "KMS-Requests",
            published=Page("kms", "API request - Non Free Tier", "Requests"),
        ),
    ),
)
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


@priced(
    "AWS::Route53::HostedZone",
    service="Route 53",
    summary="hosted zone-months (the same in every region; the first 25 zones' price)",
    prices=(
        PriceSpec(
            ROUTE53,
            "DNS Zone",
            "HostedZone",
            published=Page("route53", "DNS Zone first 25", "HostedZone-Mo"),
            global_service=True,
        ),
    ),
)
def price_hosted_zone(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    """Route 53 is global: hosted zones cost the same in every region."""
    price = ctx.global_price(ROUTE53, "DNS Zone", "HostedZone")
    return [ctx.component("Hosted zone", "zone-months", 1, price)]
