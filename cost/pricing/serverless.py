"""Serverless and messaging: API Gateway (REST, HTTP, WebSocket, stage caches), Step
Functions, SNS, SQS, EventBridge (and EventBridge Scheduler schedules with the Fargate tasks
they start), Lambda provisioned concurrency, and the types of these services that bill nothing
themselves.

Requests and messages come from usage keys. Request tiers are applied per resource, not per
account and region as AWS bills them, and no free tier is deducted.
"""

from __future__ import annotations

import math
from typing import Any

from cost.catalog.spec import Page, PriceSpec
from cost.model import CostComponent
from cost.pricing.compute import fargate_prices, fargate_task_hours
from cost.pricing.context import (
    Free,
    PricingContext,
    Resource,
    Unpriceable,
    is_unresolved,
    ref_target,
)
from cost.pricing.monitoring import CW, METRICS
from cost.pricing.registry import HOURS, UsageKey, free, priced
from cost.pricing.schedules import monthly_firings, schedule_interval_seconds

# --- API Gateway -------------------------------------------------------------------------

APIGW = "AmazonApiGateway"
REST_REQUESTS = PriceSpec(
    APIGW,
    "API Calls",
    "ApiGatewayRequest",
    published=Page(
        "apigateway",
        unit="Requests",
        tiers=(
            (0, "API Calls Number of up to 333 million"),
            (333e6, "API Calls Number of Request Next 667 million"),
            (1e9, "API Calls Number of Request Next 19 billion"),
            (20e9, "API Calls Number of Request Over 20 billion"),
        ),
    ),
)
HTTP_REQUESTS = PriceSpec(
    APIGW,
    "API Calls",
    "ApiGatewayHttpRequest",
    published=Page(
        "apigateway",
        unit="Requests",
        tiers=(
            (0, "ApiGatewayHttpApi First 300 million"),
            (300e6, "ApiGatewayHttpApi more than 300 million"),
        ),
    ),
)
WEBSOCKET_MESSAGES = PriceSpec(
    APIGW,
    "WebSocket",
    "ApiGatewayMessage",
    published=Page(
        "apigateway",
        unit="Messages",
        tiers=(
            (0, "WebSocket Messages Messages first 1 billion"),
            (1e9, "WebSocket Messages Messages over 1 billion"),
        ),
    ),
)
WEBSOCKET_MINUTES = PriceSpec(
    APIGW,
    "WebSocket",
    "ApiGatewayMinute",
    published=Page("apigateway", "WebSocket Connection Minutes", "Minutes"),
)
CACHE = "Amazon API Gateway Cache"
#: CacheClusterSize (GB) -> the pricing page's dimension name ("." written as " ").
CACHE_SIZES = ("0.5", "1.6", "6.1", "13.5", "28.4", "58.2", "118", "237")
CACHE_PRICES = tuple(
    PriceSpec(
        APIGW,
        CACHE,
        None,
        {"cacheMemorySizeGb": size},
        published=Page("apigateway", f"Caching Memory Size {size.replace('.', ' ')}", "Hrs"),
    )
    for size in CACHE_SIZES
)
API_REQUESTS = UsageKey("monthly_requests", 1_000_000, "API requests per month")


@priced(
    "AWS::ApiGateway::RestApi",
    service="API Gateway",
    summary="REST API requests from usage, tiered (caches are priced on the stage)",
    usage=(API_REQUESTS,),
    prices=(REST_REQUESTS,),
)
def price_rest_api(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    requests = ctx.usage.get("monthly_requests") or 0.0
    return [
        ctx.component(
            "REST API requests",
            "requests",
            requests,
            ctx.price(APIGW, "API Calls", "ApiGatewayRequest"),
            usage_based=True,
            tiered=True,
        )
    ]


def _cache(settings: dict[str, Any], ctx: PricingContext, what: str) -> list[CostComponent]:
    enabled = settings.get("CacheClusterEnabled")
    # Fail closed: a cache switched by a parameter is priced (and said so), not assumed off.
    default = is_unresolved(enabled)
    if not ctx.flag(enabled, default, f"{what} CacheClusterEnabled"):
        raise Free(f"{what} has no cache cluster; requests are priced on the API")
    size = settings.get("CacheClusterSize", "0.5")
    if isinstance(size, (int, float)) and not isinstance(size, bool):
        size = f"{size:g}"
    size = ctx.text(size, "0.5", "CacheClusterSize")
    if size not in CACHE_SIZES:
        raise Unpriceable(f"cache cluster size {size!r} is not one API Gateway offers")
    hours = ctx.hours
    return [
        ctx.component(
            f"Cache cluster ({size} GB)",
            "hours",
            hours,
            ctx.price(APIGW, CACHE, None, cacheMemorySizeGb=size),
            usage_based=hours != 730,
        )
    ]


@priced(
    "AWS::ApiGateway::Stage",
    service="API Gateway",
    summary="cache cluster hours by size when CacheClusterEnabled (otherwise free)",
    usage=(HOURS,),
    prices=CACHE_PRICES,
)
def price_rest_stage(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    return _cache(resource.properties, ctx, "the stage")


@priced(
    "AWS::ApiGateway::Deployment",
    service="API Gateway",
    summary="cache cluster hours of the stage its StageDescription creates, when caching is "
    "on (otherwise free)",
    usage=(HOURS,),
    prices=CACHE_PRICES,
)
def price_rest_deployment(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    """A deployment bills nothing, unless its StageDescription creates a cached stage."""
    description = resource.properties.get("StageDescription")
    if resource.properties.get("StageName") is None or not isinstance(description, dict):
        raise Free("a deployment bills nothing; requests are priced on the API")
    return _cache(description, ctx, "the stage this deployment creates")


@priced(
    "AWS::ApiGatewayV2::Api",
    service="API Gateway",
    summary="HTTP API requests, tiered; WebSocket messages, tiered, and connection minutes "
    "(all from usage)",
    usage=(
        UsageKey("monthly_requests", 1_000_000, "HTTP API requests per month (per 512 KB)"),
        UsageKey("monthly_messages", 1_000_000, "WebSocket messages per month (per 32 KB)"),
        UsageKey(
            "monthly_connection_minutes",
            1_000_000,
            "WebSocket connection minutes per month (about 23 connections always open)",
        ),
    ),
    prices=(HTTP_REQUESTS, WEBSOCKET_MESSAGES, WEBSOCKET_MINUTES),
)
def price_api_v2(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    protocol = ctx.text(resource.properties.get("ProtocolType"), "HTTP", "ProtocolType")
    if protocol == "HTTP":
        return [
            ctx.component(
                "HTTP API requests",
                "requests",
                ctx.usage.get("monthly_requests") or 0.0,
                ctx.price(APIGW, "API Calls", "ApiGatewayHttpRequest"),
                usage_based=True,
                tiered=True,
            )
        ]
    if protocol == "WEBSOCKET":
        return [
            ctx.component(
                "WebSocket messages",
                "messages",
                ctx.usage.get("monthly_messages") or 0.0,
                ctx.price(APIGW, "WebSocket", "ApiGatewayMessage"),
                usage_based=True,
                tiered=True,
            ),
            ctx.component(
                "WebSocket connection minutes",
                "minutes",
                ctx.usage.get("monthly_connection_minutes") or 0.0,
                ctx.price(APIGW, "WebSocket", "ApiGatewayMinute"),
                usage_based=True,
            ),
        ]
    raise Unpriceable(f"protocol type {protocol!r} is not one API Gateway prices")


free(
    "configuration of an API; no charge of its own (requests are priced on the API, caches "
    "on the stage)",
    "AWS::ApiGateway::Resource",
    "AWS::ApiGateway::Method",
    "AWS::ApiGateway::Model",
    "AWS::ApiGateway::Authorizer",
    "AWS::ApiGateway::RequestValidator",
    "AWS::ApiGateway::BasePathMapping",
    "AWS::ApiGateway::BasePathMappingV2",
    "AWS::ApiGateway::GatewayResponse",
    "AWS::ApiGateway::UsagePlan",
    "AWS::ApiGateway::UsagePlanKey",
    "AWS::ApiGateway::ApiKey",
    "AWS::ApiGateway::Account",
    "AWS::ApiGateway::DocumentationPart",
    "AWS::ApiGateway::DocumentationVersion",
    "AWS::ApiGatewayV2::Stage",
    "AWS::ApiGatewayV2::Route",
    "AWS::ApiGatewayV2::RouteResponse",
    "AWS::ApiGatewayV2::Integration",
    "AWS::ApiGatewayV2::IntegrationResponse",
    "AWS::ApiGatewayV2::Deployment",
    "AWS::ApiGatewayV2::Authorizer",
    "AWS::ApiGatewayV2::Model",
    "AWS::ApiGatewayV2::ApiMapping",
)

# --- Step Functions ----------------------------------------------------------------------

STATES = "AmazonStates"
SFN = "AWS Step Functions"
EXPRESS_BILLING_MS = 100
EXPRESS_MEMORY_MB = 64


@priced(
    "AWS::StepFunctions::StateMachine",
    service="Step Functions",
    summary="Standard: state transitions from usage; Express: requests and GB-seconds "
    "(64 MB, 100 ms increments), tiered",
    usage=(
        UsageKey("monthly_executions", 100_000, "workflow executions per month"),
        UsageKey(
            "state_transitions_per_execution",
            5,
            "state transitions per execution, Standard workflows",
        ),
        UsageKey("average_duration_ms", 1_000, "average execution duration, ms, Express workflows"),
        UsageKey(
            "memory_mb", 64, "memory an execution uses, MB, Express workflows (billed per 64 MB)"
        ),
    ),
    prices=(
        PriceSpec(STATES, SFN, "StateTransition", published=Page("states", SFN, "Transitions")),
        PriceSpec(
            STATES,
            SFN,
            "StepFunctions-Request",
            published=Page("states", "Number of Workflow Requests", "Requests"),
        ),
        # Tiers in GB-seconds: the first 1,000 GB-hours, the next 4,000, then the rest.
        PriceSpec(
            STATES,
            SFN,
            "StepFunctions-GB-Second",
            published=Page(
                "states",
                unit="GB-Second",
                tiers=(
                    (0, "Duration of Workflows from 0 to 3600000"),
                    (3_600_000, "Duration of Workflows from 3600000 to 18000000"),
                    (18_000_000, "Duration of Workflows over 18000000"),
                ),
            ),
        ),
    ),
)
def price_state_machine(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    kind = ctx.text(resource.properties.get("StateMachineType"), "STANDARD", "StateMachineType")
    executions = ctx.usage.get("monthly_executions") or 0.0
    if kind == "STANDARD":
        per_execution = ctx.usage.get("state_transitions_per_execution") or 0.0
        return [
            ctx.component(
                f"State transitions ({per_execution:g} per execution)",
                "transitions",
                executions * per_execution,
                ctx.price(STATES, SFN, "StateTransition"),
                usage_based=True,
            )
        ]
    if kind != "EXPRESS":
        raise Unpriceable(f"state machine type {kind!r} is not one Step Functions prices")
    duration_ms = ctx.usage.get("average_duration_ms") or 0.0
    billed_s = math.ceil(duration_ms / EXPRESS_BILLING_MS) * EXPRESS_BILLING_MS / 1000
    memory_mb = ctx.usage.get("memory_mb") or 0.0
    billed_gb = math.ceil(memory_mb / EXPRESS_MEMORY_MB) * EXPRESS_MEMORY_MB / 1024
    return [
        ctx.component(
            "Express requests",
            "requests",
            executions,
            ctx.price(STATES, SFN, "StepFunctions-Request"),
            usage_based=True,
        ),
        ctx.component(
            f"Express duration ({billed_s:g} s x {billed_gb * 1024:g} MB)",
            "GB-seconds",
            executions * billed_s * billed_gb,
            ctx.price(STATES, SFN, "StepFunctions-GB-Second"),
            usage_based=True,
            tiered=True,
        ),
    ]


# --- SNS ---------------------------------------------------------------------------------

SNS = "AmazonSNS"


def _sns(family: str, usagetype: str, dimension: str, unit: str) -> PriceSpec:
    return PriceSpec(SNS, family, usagetype, published=Page("sns", dimension, unit))


#: Subscription protocol -> (usage type, label) of its delivery price (standard topics).
SNS_DELIVERIES = {
    "http": ("DeliveryAttempts-HTTP", "HTTP/S"),
    "https": ("DeliveryAttempts-HTTP", "HTTP/S"),
    "email": ("DeliveryAttempts-SMTP", "email"),
    "email-json": ("DeliveryAttempts-SMTP", "email"),
    "sqs": ("DeliveryAttempts-SQS", "SQS"),
    "lambda": ("DeliveryAttempts-LAMBDA", "Lambda"),
    "firehose": ("DeliveryAttempts-FIREHOSE", "Firehose"),
}
_GB_PER_KB = 1 / (1024 * 1024)


def _subscriptions(topic: Resource, ctx: PricingContext) -> list[str]:
    """Protocols of the topic's subscriptions: inline ones and AWS::SNS::Subscription."""
    found = []
    inline = topic.properties.get("Subscription") or []
    if isinstance(inline, list):
        found += [s.get("Protocol") for s in inline if isinstance(s, dict)]
    for sub in ctx.index.of_type("AWS::SNS::Subscription"):
        if ref_target(sub.properties.get("TopicArn")) == topic.logical_id:
            found.append(sub.properties.get("Protocol"))
    protocols = []
    for protocol in found:
        if not isinstance(protocol, str):
            raise Unpriceable("a subscription's protocol is not known at synth time")
        protocols.append(protocol.lower())
    return protocols


@priced(
    "AWS::SNS::Topic",
    service="SNS",
    summary="publish requests and deliveries per subscription protocol from usage (SQS and "
    "Lambda deliveries free; SMS and mobile push not priced); FIFO: requests, payload and "
    "subscription messages",
    usage=(
        UsageKey("monthly_requests", 1_000_000, "publish requests per month (per 64 KB)"),
        UsageKey("average_message_kb", 1, "average message size, KB (FIFO payload charges)"),
    ),
    prices=(
        _sns("API Request", "Requests-Tier1", "Amazon SNS API Requests", "Requests"),
        _sns("Message Delivery", "DeliveryAttempts-HTTP", "HTTP Notifications", "Notifications"),
        _sns(
            "Message Delivery",
            "DeliveryAttempts-SMTP",
            "SNS Email and Email JSON Notifications",
            "Notifications",
        ),
        _sns(
            "Message Delivery", "DeliveryAttempts-SQS", "Amazon SQS Notifications", "Notifications"
        ),
        _sns(
            "Message Delivery",
            "DeliveryAttempts-LAMBDA",
            "AWS Lambda Notifications",
            "Notifications",
        ),
        _sns(
            "Message Delivery",
            "DeliveryAttempts-FIREHOSE",
            "Amazon Kinesis Data Firehose Messages",
            "Notifications",
        ),
        _sns(
            "API Request",
            "F-Request-Tier1",
            "Amazon SNS FIFO API Requests per Requests",
            "Requests",
        ),
        _sns("API Request", "F-Ingress-Bytes", "SNS FIFO Publish Payload per GB", "GB"),
        _sns(
            "Message Delivery",
            "F-DeliveryAttempts",
            "Amazon SNS FIFO Subscription Messages per Messages",
            "Messages",
        ),
        _sns(
            "Message Delivery",
            "F-Egress-Bytes",
            "Amazon SNS FIFO Subscription Messages Payload per GB",
            "GB",
        ),
    ),
    reads=("AWS::SNS::Subscription",),
)
def price_sns_topic(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    """Publishes, and one delivery per publish to every subscription (no filter policies)."""
    requests = ctx.usage.get("monthly_requests") or 0.0
    protocols = _subscriptions(resource, ctx)
    if protocols:
        ctx.assume("every message is delivered to every subscription (no filter policies)")
    if ctx.flag(resource.properties.get("FifoTopic"), False, "FifoTopic"):
        payload_gb = requests * (ctx.usage.get("average_message_kb") or 0.0) * _GB_PER_KB
        deliveries = requests * len(protocols)
        return [
            ctx.component(
                "FIFO publish requests",
                "requests",
                requests,
                ctx.price(SNS, "API Request", "F-Request-Tier1"),
                usage_based=True,
            ),
            ctx.component(
                "FIFO publish payload",
                "GB",
                payload_gb,
                ctx.price(SNS, "API Request", "F-Ingress-Bytes"),
                usage_based=True,
            ),
            ctx.component(
                f"FIFO subscription messages ({len(protocols)} subscription(s))",
                "messages",
                deliveries,
                ctx.price(SNS, "Message Delivery", "F-DeliveryAttempts"),
                usage_based=True,
            ),
            ctx.component(
                "FIFO subscription payload",
                "GB",
                payload_gb * len(protocols),
                ctx.price(SNS, "Message Delivery", "F-Egress-Bytes"),
                usage_based=True,
            ),
        ]
    components = [
        ctx.component(
            "Publish requests",
            "requests",
            requests,
            ctx.price(SNS, "API Request", "Requests-Tier1"),
            usage_based=True,
        )
    ]
    counts: dict[str, int] = {}
    for protocol in protocols:
        if protocol not in SNS_DELIVERIES:
            raise Unpriceable(
                f"{protocol} deliveries are not in the price catalog (SMS is priced per "
                "destination country, mobile push per platform)"
            )
        counts[protocol] = counts.get(protocol, 0) + 1
    by_usagetype: dict[str, tuple[str, int]] = {}
    for protocol, count in counts.items():
        usagetype, label = SNS_DELIVERIES[protocol]
        _, seen = by_usagetype.get(usagetype, (label, 0))
        by_usagetype[usagetype] = (label, seen + count)
    for usagetype, (label, count) in sorted(by_usagetype.items()):
        components.append(
            ctx.component(
                f"{label} deliveries ({count} subscription(s))",
                "notifications",
                requests * count,
                ctx.price(SNS, "Message Delivery", usagetype),
                usage_based=True,
            )
        )
    return components


free(
    "no charge of its own; deliveries are priced on the topic",
    "AWS::SNS::Subscription",
    "AWS::SNS::TopicPolicy",
    "AWS::SNS::TopicInlinePolicy",
)

# --- SQS ---------------------------------------------------------------------------------

SQS = "AWSQueueService"


def _sqs(usagetype: str, prefix: str) -> PriceSpec:
    # Tier boundaries as AWS's SQS pricing page states them (the file only numbers the
    # tiers): up to 100 billion requests a month, the next 100 billion, then the rest.
    return PriceSpec(
        SQS,
        "API Request",
        usagetype,
        published=Page(
            "queueservice",
            unit="Requests",
            tiers=(
                (0, f"{prefix} per Requests"),
                (100e9, f"{prefix} per Requests Tier2"),
                (200e9, f"{prefix} per Requests Tier3"),
            ),
        ),
    )


@priced(
    "AWS::SQS::Queue",
    service="SQS",
    summary="requests (send, receive, delete, ...) from usage, standard or FIFO, tiered",
    usage=(
        UsageKey(
            "monthly_requests",
            3_000_000,
            "API requests per month, per 64 KB chunk (default: 1 million messages sent, "
            "received and deleted)",
        ),
    ),
    prices=(_sqs("Requests-RBP", "Standard"), _sqs("Requests-FIFO-RBP", "FIFO first-in first-out")),
)
def price_sqs_queue(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    fifo = ctx.flag(resource.properties.get("FifoQueue"), False, "FifoQueue")
    return [
        ctx.component(
            "FIFO requests" if fifo else "Standard requests",
            "requests",
            ctx.usage.get("monthly_requests") or 0.0,
            ctx.price(SQS, "API Request", "Requests-FIFO-RBP" if fifo else "Requests-RBP"),
            usage_based=True,
            tiered=True,
        )
    ]


free(
    "no charge of its own; requests are priced on the queue",
    "AWS::SQS::QueuePolicy",
    "AWS::SQS::QueueInlinePolicy",
)

# --- EventBridge -------------------------------------------------------------------------

EVENTS = "AWSEvents"
CUSTOM_EVENTS = PriceSpec(
    EVENTS,
    "EventBridge",
    "Event-64K-Chunks",
    published=Page("events", "CloudWatch Events Custom Event", "Events"),
)


@priced(
    "AWS::Events::EventBus",
    service="EventBridge",
    summary="custom or partner events published to the bus, from usage",
    usage=(UsageKey("monthly_events", 1_000_000, "events published per month (per 64 KB)"),),
    prices=(CUSTOM_EVENTS,),
)
def price_event_bus(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    return [
        ctx.component(
            "Events published",
            "events",
            ctx.usage.get("monthly_events") or 0.0,
            ctx.price(EVENTS, "EventBridge", "Event-64K-Chunks"),
            usage_based=True,
        )
    ]


def _bus_targets(rule: Resource, ctx: PricingContext) -> int:
    targets = rule.properties.get("Targets") or []
    if not isinstance(targets, list):
        return 0
    count = 0
    for target in targets:
        arn = target.get("Arn") if isinstance(target, dict) else None
        named = isinstance(arn, str) and ":event-bus/" in arn
        if named or ctx.referenced(arn, "AWS::Events::EventBus") is not None:
            count += 1
    return count


@priced(
    "AWS::Events::Rule",
    service="EventBridge",
    summary="events delivered to another event bus, from usage (a rule and delivery to "
    "other targets are free)",
    usage=(
        UsageKey(
            "monthly_events",
            1_000_000,
            "events the rule matches per month (billed only when delivered to an event bus)",
        ),
    ),
    prices=(CUSTOM_EVENTS,),
    reads=("AWS::Events::EventBus",),
)
def price_event_rule(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    """Rules and delivery to targets are free; sending to an event bus is billed as events."""
    buses = _bus_targets(resource, ctx)
    if buses == 0:
        raise Free(
            "rules and delivery to targets are not billed (events are billed where they are "
            "published)"
        )
    ctx.assume("events sent to another event bus are billed as custom events")
    return [
        ctx.component(
            f"Events sent to {buses} event bus(es)",
            "events",
            (ctx.usage.get("monthly_events") or 0.0) * buses,
            ctx.price(EVENTS, "EventBridge", "Event-64K-Chunks"),
            usage_based=True,
        )
    ]


API_DESTINATION_INVOCATIONS = PriceSpec(
    EVENTS,
    "EventBridge",
    "ApiDestination-Invocations",
    published=Page("events", "CloudWatch Events APIDestination", "Invocations"),
)
ARCHIVE_PROCESSED = PriceSpec(
    EVENTS,
    "EventBridge",
    "Archive-Processed-GB",
    published=Page("events", "CloudWatch Events Archive Event", "GB"),
)
ARCHIVE_STORAGE = PriceSpec(
    EVENTS,
    "EventBridge",
    "Archive-Storage-GB-Mo",
    published=Page("events", "CloudWatch Events Event Storage", "GB-Mo"),
)
PIPE_REQUESTS = PriceSpec(
    EVENTS,
    "EventBridge Pipes",
    "Pipe-Requests-64K-Chunks",
    published=Page("events", "Pipe Request per 64K-Chunks", "Requests"),
)


@priced(
    "AWS::Events::ApiDestination",
    service="EventBridge",
    summary="invocations of the HTTP endpoint, from usage (the connection's secret is "
    "included, per AWS's Secrets Manager documentation)",
    usage=(UsageKey("monthly_invocations", 1_000_000, "invocations per month"),),
    prices=(API_DESTINATION_INVOCATIONS,),
)
def price_api_destination(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    return [
        ctx.component(
            "API destination invocations",
            "invocations",
            ctx.usage.get("monthly_invocations") or 0.0,
            ctx.price(EVENTS, "EventBridge", API_DESTINATION_INVOCATIONS.usagetype),
            usage_based=True,
        )
    ]


@priced(
    "AWS::Events::Archive",
    service="EventBridge",
    summary="events archived (GB processed) and archive storage (GB-months), from usage",
    usage=(
        UsageKey("monthly_archived_gb", 1, "GB of events archived per month"),
        UsageKey(
            "storage_gb",
            None,
            "GB kept in the archive (default: a month's events x "
            "RetentionDays / 30, capped at none when retention is indefinite)",
        ),
    ),
    prices=(ARCHIVE_PROCESSED, ARCHIVE_STORAGE),
)
def price_event_archive(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    monthly = ctx.usage.get("monthly_archived_gb") or 0.0
    stored = ctx.usage.get("storage_gb")
    if stored is None:
        days = resource.properties.get("RetentionDays")
        if days is None or days == 0:
            raise Unpriceable(
                "RetentionDays is unset or 0 (events are kept indefinitely): the storage grows "
                "without bound; set the usage key storage_gb to price it"
            )
        retention = ctx.number(days, 0, "RetentionDays")
        if retention <= 0:
            raise Unpriceable(f"RetentionDays {days!r} is not a positive number of days")
        stored = monthly * retention / 30
        ctx.assume(
            f"storage = {monthly:g} GB a month x {retention:g} retention days / 30 (set "
            "storage_gb to override)"
        )
    return [
        ctx.component(
            "Events archived",
            "GB",
            monthly,
            ctx.price(EVENTS, "EventBridge", ARCHIVE_PROCESSED.usagetype),
            usage_based=True,
        ),
        ctx.component(
            "Archive storage",
            "GB-months",
            stored,
            ctx.price(EVENTS, "EventBridge", ARCHIVE_STORAGE.usagetype),
            usage_based=True,
        ),
    ]


@priced(
    "AWS::Pipes::Pipe",
    service="EventBridge Pipes",
    summary="requests (per 64 KB chunk of each event) after the source's filtering, from "
    "usage; the source, enrichment and target bill as their own resources",
    usage=(
        UsageKey(
            "monthly_requests",
            1_000_000,
            "events that pass the pipe's filter per month, counted in 64 KB chunks",
        ),
    ),
    prices=(PIPE_REQUESTS,),
)
def price_pipe(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    state = resource.properties.get("DesiredState")
    if isinstance(state, str) and state.upper() == "STOPPED":
        raise Free("the pipe's DesiredState is STOPPED: a stopped pipe processes no requests")
    return [
        ctx.component(
            "Pipe requests",
            "requests",
            ctx.usage.get("monthly_requests") or 0.0,
            ctx.price(EVENTS, "EventBridge Pipes", PIPE_REQUESTS.usagetype),
            usage_based=True,
        )
    ]


free(
    "connections and event bus policies bill nothing; an API destination's connection secret "
    "is included in the API destination's invocation price (AWS's Secrets Manager "
    "documentation)",
    "AWS::Events::Connection",
    "AWS::Events::EventBusPolicy",
)


# --- EventBridge Scheduler ------------------------------------------------------------------

#: AWS publishes the Scheduler's invocations in the EventBridge price file as two tiers: the
#: first 14 million a month at 0 (always free, not the retired 12-month free tier), then per
#: invocation. Tiers are applied per schedule (as every tier here: per resource).
SCHEDULER_INVOCATIONS = PriceSpec(
    EVENTS,
    "EventBridge Scheduler",
    "Scheduler-Invocations",
    published=Page(
        "events",
        unit="Invocations",
        tiers=(
            (0, "Scheduled Invocation for 0 to 14000000 Invocations"),
            (14_000_000, "Scheduled Invocation for 14000000 to Inf Invocations"),
        ),
    ),
)
_MONTH_SECONDS = 730 * 3600


def _invocations(props: dict[str, Any], ctx: PricingContext) -> tuple[float, bool]:
    """(invocations per month, from usage?)."""
    stated = ctx.usage.get("monthly_invocations")
    if stated is not None:
        return stated, True
    expression = props.get("ScheduleExpression")
    if not isinstance(expression, str):
        raise Unpriceable("the schedule expression is not known at synth time")
    if expression.startswith("at("):
        ctx.assume("a one-time at() schedule: one invocation")
        return 1.0, False
    interval = schedule_interval_seconds(expression)
    if interval is not None:
        return _MONTH_SECONDS / interval, False
    timezone = props.get("ScheduleExpressionTimezone")
    try:
        if timezone is not None and not isinstance(timezone, str):
            raise ValueError("its time zone is not known at synth time")
        return monthly_firings(expression, timezone), False
    except ValueError as err:
        raise Unpriceable(
            f"how often {expression} runs is not evaluated ({err}); set usage monthly_invocations"
        ) from None


@priced(
    "AWS::Scheduler::Schedule",
    service="EventBridge Scheduler",
    summary="invocations (from the rate() or cron() expression in its time zone, else usage; "
    "the first 14 million a month are priced 0 in AWS's published tiers) and, for an ECS "
    "RunTask target, the Fargate task-hours it starts (runs x tasks x minutes per run, the "
    "task definition's size) and the custom metrics the task publishes",
    usage=(
        UsageKey(
            "monthly_invocations",
            None,
            "invocations per month (default: derived from the schedule expression)",
        ),
        UsageKey("minutes_per_run", 10, "how long each task an ECS target starts runs, minutes"),
        UsageKey(
            "custom_metrics",
            0,
            "custom CloudWatch metrics the target publishes (PutMetricData; each combination "
            "of dimension values is one metric)",
        ),
    ),
    prices=(SCHEDULER_INVOCATIONS, *fargate_prices(), METRICS),
    reads=("AWS::ECS::TaskDefinition",),
)
def price_schedule(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    props = resource.properties
    if ctx.text(props.get("State"), "ENABLED", "schedule state") == "DISABLED":
        raise Free("a disabled schedule invokes nothing")
    invocations, from_usage = _invocations(props, ctx)
    components = [
        ctx.component(
            f"Scheduler invocations ({invocations:g} a month)",
            "invocations",
            invocations,
            ctx.price(EVENTS, "EventBridge Scheduler", "Scheduler-Invocations"),
            usage_based=from_usage,
            tiered=True,
        )
    ]
    target = props.get("Target")
    ecs_parameters = target.get("EcsParameters") if isinstance(target, dict) else None
    if isinstance(ecs_parameters, dict):
        components += _scheduled_tasks(ecs_parameters, invocations, ctx)
    metrics = ctx.usage.get("custom_metrics") or 0.0
    if metrics > 0:
        components.append(
            ctx.component(
                f"Custom metrics the target publishes ({metrics:g})",
                "metric-months",
                metrics,
                ctx.price(CW, "Metric", "CW:MetricMonitorUsage"),
                usage_based=True,
                tiered=True,
            )
        )
    return components


def _scheduled_tasks(
    parameters: dict[str, Any], invocations: float, ctx: PricingContext
) -> list[CostComponent]:
    """The Fargate tasks an ECS RunTask target starts: runs x tasks x minutes per run."""
    task_def = ctx.referenced(parameters.get("TaskDefinitionArn"), "AWS::ECS::TaskDefinition")
    if task_def is None:
        raise Unpriceable("its ECS target's task definition is not in this template")
    launch_type = ctx.text(parameters.get("LaunchType"), "", "launch type") or None
    strategy = parameters.get("CapacityProviderStrategy")
    if launch_type == "EC2":
        ctx.assume("the ECS target runs on the EC2 launch type: its tasks are billed there")
        return []
    if strategy or launch_type not in (None, "FARGATE"):
        raise Unpriceable("only ECS targets with the FARGATE launch type are priced")
    if launch_type is None:
        ctx.assume("no launch type on the ECS target: the cluster's default assumed Fargate")
    count = ctx.number(parameters.get("TaskCount"), 1, "task count")
    minutes = ctx.usage.get("minutes_per_run") or 0.0
    network = parameters.get("NetworkConfiguration")
    awsvpc = network.get("AwsvpcConfiguration") if isinstance(network, dict) else None
    public_ip = isinstance(awsvpc, dict) and awsvpc.get("AssignPublicIp") == "ENABLED"
    return fargate_task_hours(
        task_def,
        ctx,
        task_hours=invocations * count * minutes / 60,
        what=f"the scheduled task ({invocations:g} runs x {count:g} x {minutes:g} min)",
        public_ip=public_ip,
    )


# --- Lambda provisioned concurrency --------------------------------------------------------

LAMBDA = "AWSLambda"
PROVISIONED_CONCURRENCY = {
    False: PriceSpec(
        LAMBDA,
        "Serverless",
        "Lambda-Provisioned-Concurrency",
        published=Page("lambda", "Lambda Provisioned-Concurrency", "Lambda-GB-Second"),
    ),
    True: PriceSpec(
        LAMBDA,
        "Serverless",
        "Lambda-Provisioned-Concurrency-ARM",
        published=Page("lambda", "Lambda Provisioned-Concurrency-ARM", "Lambda-GB-Second"),
    ),
}
_SECONDS_PER_HOUR = 3600


def _function_of(resource: Resource, ctx: PricingContext) -> Resource | None:
    function = ctx.referenced(resource.properties.get("FunctionName"), "AWS::Lambda::Function")
    if function is not None:
        return function
    version = ctx.referenced(resource.properties.get("FunctionVersion"), "AWS::Lambda::Version")
    if version is not None:
        return ctx.referenced(version.properties.get("FunctionName"), "AWS::Lambda::Function")
    return None


def _provisioned_concurrency(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    config = resource.properties.get("ProvisionedConcurrencyConfig")
    if not isinstance(config, dict):
        raise Free("no provisioned concurrency; invocations are priced on the function")
    executions = ctx.number(
        config.get("ProvisionedConcurrentExecutions"), 1, "ProvisionedConcurrentExecutions"
    )
    function = _function_of(resource, ctx)
    if function is None:
        ctx.assume("the function is not in the template; 128 MB x86 assumed")
        props: dict[str, Any] = {}
    else:
        props = function.properties
    memory_gb = ctx.number(props.get("MemorySize"), 128, "Lambda memory (MB)") / 1024
    archs = props.get("Architectures")
    arm = isinstance(archs, list) and archs == ["arm64"]
    spec = PROVISIONED_CONCURRENCY[arm]
    ctx.assume(
        "invocations are priced on the function at on-demand duration rates (provisioned "
        "concurrency lowers them: an overestimate)"
    )
    hours = ctx.hours
    return [
        ctx.component(
            f"Provisioned concurrency ({executions:g} x {memory_gb * 1024:g} MB)",
            "GB-seconds",
            executions * memory_gb * hours * _SECONDS_PER_HOUR,
            ctx.price(spec.service, spec.family, spec.usagetype),
            usage_based=hours != 730,
        )
    ]


for _type, _what in (("AWS::Lambda::Version", "version"), ("AWS::Lambda::Alias", "alias")):
    priced(
        _type,
        service="Lambda",
        summary=f"provisioned concurrency GB-seconds configured on the {_what} (otherwise free)",
        usage=(HOURS,),
        prices=tuple(PROVISIONED_CONCURRENCY.values()),
        reads=("AWS::Lambda::Function", "AWS::Lambda::Version"),
    )(_provisioned_concurrency)

POLLER_UNSOURCED = (
    "AWS's Lambda pricing-page file publishes no event poller unit price (provisioned mode "
    "of event source mappings)"
)


@priced(
    "AWS::Lambda::EventSourceMapping",
    service="Lambda",
    summary="event poller units in provisioned mode (otherwise free: invocations are priced "
    "on the function, the pollers' requests on the queue)",
    usage=(HOURS,),
    prices=(
        PriceSpec(LAMBDA, "Serverless", "Lambda-Event-Poller-Unit-Hrs", unsourced=POLLER_UNSOURCED),
    ),
)
def price_event_source_mapping(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    """Free in the default mode; provisioned pollers bill event poller unit hours."""
    config = resource.properties.get("ProvisionedPollerConfig")
    if not isinstance(config, dict):
        raise Free(
            "no charge of its own; invocations are priced on the function (and the requests "
            "its pollers make on the queue)"
        )
    pollers = ctx.number(config.get("MinimumPollers"), 1, "MinimumPollers")
    hours = ctx.hours
    return [
        ctx.component(
            f"Event pollers ({pollers:g}, at the minimum)",
            "poller-hours",
            pollers * hours,
            ctx.price(LAMBDA, "Serverless", "Lambda-Event-Poller-Unit-Hrs"),
        )
    ]


free(
    "no charge of its own; invocations are priced on the function", "AWS::Lambda::EventInvokeConfig"
)
free(
    "layers are not billed (they count toward the account's code storage quota)",
    "AWS::Lambda::LayerVersion",
    "AWS::Lambda::LayerVersionPermission",
)
free("function URLs are free; invocations are priced on the function", "AWS::Lambda::Url")
