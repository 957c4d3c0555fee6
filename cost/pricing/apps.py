"""Application services: Classic Load Balancers, Directory Service, App Runner, Cognito user
pools, AppSync, Data Firehose, CodePipeline, IoT Core rules, OpenSearch Serverless collections
(declared, not yet sourced; domains are priced in `cost.pricing.warehouse`), and the types of
these and neighbouring services that bill nothing themselves.

Requests, users, minutes and data volumes come from usage keys. Tiers are applied per
resource, not per account as AWS bills them, and no free tier is deducted.
"""

from __future__ import annotations

import re
from typing import Any

from cost.catalog.spec import Page, PriceSpec
from cost.model import CostComponent
from cost.pricing.context import Free, PricingContext, Resource, Unpriceable, is_unresolved
from cost.pricing.registry import HOURS, UsageKey, free, priced

# --- Classic Load Balancer ---------------------------------------------------------------

ELB = "AWSELB"
CLASSIC_HOURS = PriceSpec(
    ELB,
    "Load Balancer",
    "LoadBalancerUsage",
    published=Page("elb", "Classic Load Balancer Hours", "Hrs"),
)
CLASSIC_DATA = PriceSpec(
    ELB,
    "Load Balancer",
    "DataProcessing-Bytes",
    published=Page("elb", "Classic Load Balancer Data", "GB"),
)


@priced(
    "AWS::ElasticLoadBalancing::LoadBalancer",
    service="Load balancer",
    summary="Classic Load Balancer hours and GB processed (from usage)",
    usage=(HOURS, UsageKey("data_processed_gb", 10, "data processed per month, GB")),
    prices=(CLASSIC_HOURS, CLASSIC_DATA),
)
def price_classic_load_balancer(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    hours = ctx.hours
    return [
        ctx.component(
            "Classic Load Balancer hours",
            "hours",
            hours,
            ctx.price(ELB, "Load Balancer", "LoadBalancerUsage"),
            usage_based=hours != 730,
        ),
        ctx.component(
            "Data processed",
            "GB",
            ctx.usage.get("data_processed_gb") or 0.0,
            ctx.price(ELB, "Load Balancer", "DataProcessing-Bytes"),
            usage_based=True,
        ),
    ]


# --- Directory Service -------------------------------------------------------------------

DS = "AWSDirectoryService"
MICROSOFT_AD = {
    edition: PriceSpec(
        DS,
        f"Microsoft AD {edition} domain controller",
        None,
        published=Page(
            "directoryservice",
            f"{edition} Domain Controller for Microsoft Active Directory",
            "Hrs",
        ),
    )
    for edition in ("Standard", "Enterprise")
}
SIMPLE_AD = {
    "Small": PriceSpec(
        DS,
        "Simple AD Small",
        None,
        published=Page("directoryservice", "Small Simple AD or AD Connector", "Hrs"),
    ),
    "Large": PriceSpec(
        DS, "Simple AD Large", None, published=Page("directoryservice", "Large Simple AD", "Hrs")
    ),
}
#: A Managed Microsoft AD directory runs two domain controllers (AWS's pricing page), each
#: billed by the hour; the file prices one.
DOMAIN_CONTROLLERS = 2


@priced(
    "AWS::DirectoryService::MicrosoftAD",
    service="Directory Service",
    summary="2 domain controllers x hours, by edition (Enterprise when unset)",
    usage=(HOURS,),
    prices=tuple(MICROSOFT_AD.values()),
)
def price_microsoft_ad(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    edition = ctx.text(resource.properties.get("Edition"), "Enterprise", "Edition")
    if edition not in MICROSOFT_AD:
        raise Unpriceable(f"Microsoft AD edition {edition!r} is not Standard or Enterprise")
    hours = ctx.hours
    return [
        ctx.component(
            f"Domain controllers ({edition} x {DOMAIN_CONTROLLERS})",
            "hours",
            DOMAIN_CONTROLLERS * hours,
            ctx.price(DS, MICROSOFT_AD[edition].family, None),
            usage_based=hours != 730,
        )
    ]


@priced(
    "AWS::DirectoryService::SimpleAD",
    service="Directory Service",
    summary="directory hours by size",
    usage=(HOURS,),
    prices=tuple(SIMPLE_AD.values()),
)
def price_simple_ad(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    size = ctx.text(resource.properties.get("Size"), "Large", "Size")
    if size not in SIMPLE_AD:
        raise Unpriceable(f"Simple AD size {size!r} is not Small or Large")
    hours = ctx.hours
    return [
        ctx.component(
            f"Simple AD ({size})",
            "hours",
            hours,
            ctx.price(DS, SIMPLE_AD[size].family, None),
            usage_based=hours != 730,
        )
    ]


# --- App Runner --------------------------------------------------------------------------

APPRUNNER = "AWSAppRunner"
APPRUNNER_VCPU = PriceSpec(
    APPRUNNER, "Compute vCPU", None, published=Page("apprunner", "Compute vCPU hours", "vCPU-Hours")
)
APPRUNNER_MEMORY = PriceSpec(
    APPRUNNER, "Compute Memory", None, published=Page("apprunner", "Compute GB hours", "GB-Hours")
)
APPRUNNER_PROVISIONED = PriceSpec(
    APPRUNNER,
    "Provisioned Memory",
    None,
    published=Page("apprunner", "Compute Provisioned GB-hours", "GB-Hours"),
)
APPRUNNER_DEPLOYMENT = PriceSpec(
    APPRUNNER,
    "Automatic Deployment",
    None,
    published=Page("apprunner", "Compute AutomaticDeployment", "Apps"),
)


def _size(value: Any, default: float, what: str, per_unit: float, ctx: PricingContext) -> float:
    """ "1 vCPU" / "1024" (CPU units) or "2 GB" / "2048" (MB), as vCPUs or GB."""
    if value is None or is_unresolved(value):
        return ctx.number(value, default, what)
    text = str(value).strip()
    match = re.fullmatch(r"([\d.]+)\s*(vCPU|GB)?", text, re.IGNORECASE)
    if match is None:
        ctx.assume(f"{what}={value!r} is not understood; assumed {default:g}")
        return default
    number = float(match[1])
    return number if match[2] else number / per_unit


@priced(
    "AWS::AppRunner::Service",
    service="App Runner",
    summary="provisioned memory for the idle hours, vCPU and memory for the active hours "
    "(from usage), automatic deployments",
    usage=(
        UsageKey(
            "active_hours_per_month",
            730,
            "hours the instance serves requests per month (730 = always active)",
        ),
        UsageKey("instances", 1, "average provisioned instances", integer=True),
    ),
    prices=(APPRUNNER_VCPU, APPRUNNER_MEMORY, APPRUNNER_PROVISIONED, APPRUNNER_DEPLOYMENT),
)
def price_app_runner(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    props = resource.properties
    config = props.get("InstanceConfiguration")
    config = config if isinstance(config, dict) else {}
    vcpu = _size(config.get("Cpu"), 1, "instance vCPU", 1024, ctx)
    memory = _size(config.get("Memory"), 2, "instance memory (GB)", 1024, ctx)
    instances = ctx.usage.get("instances") or 0.0
    active = min(730.0, ctx.usage.get("active_hours_per_month") or 0.0)
    components = [
        ctx.component(
            f"Active vCPU ({vcpu:g} vCPU x {instances:g})",
            "vCPU-hours",
            vcpu * instances * active,
            ctx.price(APPRUNNER, APPRUNNER_VCPU.family, None),
            usage_based=True,
        ),
        ctx.component(
            f"Active memory ({memory:g} GB x {instances:g})",
            "GB-hours",
            memory * instances * active,
            ctx.price(APPRUNNER, APPRUNNER_MEMORY.family, None),
            usage_based=True,
        ),
        ctx.component(
            "Provisioned memory while idle",
            "GB-hours",
            memory * instances * (730 - active),
            ctx.price(APPRUNNER, APPRUNNER_PROVISIONED.family, None),
            usage_based=True,
        ),
    ]
    source = props.get("SourceConfiguration")
    auto = source.get("AutoDeploymentsEnabled") if isinstance(source, dict) else None
    if auto is None:
        ctx.assume("AutoDeploymentsEnabled not set; assumed on ($1 per application)")
    if ctx.flag(auto, True, "AutoDeploymentsEnabled"):
        components.append(
            ctx.component(
                "Automatic deployments",
                "applications",
                1,
                ctx.price(APPRUNNER, APPRUNNER_DEPLOYMENT.family, None),
            )
        )
    return components


# --- Cognito -----------------------------------------------------------------------------

COGNITO = "AmazonCognito"
COGNITO_LITE = PriceSpec(
    COGNITO,
    "User Pool MAU Lite",
    None,
    published=Page(
        "cognito",
        unit="MAU",
        tiers=(
            (0, "User Pool MAU 0 upto 50000 per Requests"),
            (50_000, "User Pool MAU 50000 upto 950000 per Requests"),
            (950_000, "User Pool MAU 950000 upto 9950000 per Requests"),
            (9_950_000, "User Pool MAU 9950000 upto Inf per Requests"),
        ),
    ),
)
_TIER_UNSOURCED = (
    "the cognito price file's only flat MAU rate is named 'Enterprise MAU', which does not "
    "identify the Essentials or Plus feature plan"
)
COGNITO_PLANS = {
    plan: PriceSpec(COGNITO, f"User Pool MAU {plan.title()}", None, unsourced=_TIER_UNSOURCED)
    for plan in ("ESSENTIALS", "PLUS")
}


@priced(
    "AWS::Cognito::UserPool",
    service="Cognito",
    summary="monthly active users from usage, tiered (Lite plan); Essentials and Plus are "
    "declared without a source",
    usage=(UsageKey("monthly_active_users", 1000, "monthly active users", integer=True),),
    prices=(COGNITO_LITE, *COGNITO_PLANS.values()),
)
def price_user_pool(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    tier = resource.properties.get("UserPoolTier")
    if tier is None:
        ctx.assume("UserPoolTier not set; Cognito defaults to ESSENTIALS")
    plan = ctx.text(tier, "ESSENTIALS", "UserPoolTier").upper()
    if plan == "LITE":
        spec = COGNITO_LITE
    elif plan in COGNITO_PLANS:
        spec = COGNITO_PLANS[plan]
    else:
        raise Unpriceable(f"user pool tier {plan!r} is not LITE, ESSENTIALS or PLUS")
    return [
        ctx.component(
            f"Monthly active users ({plan.title()})",
            "MAU",
            ctx.usage.get("monthly_active_users") or 0.0,
            ctx.price(COGNITO, spec.family, None),
            usage_based=True,
            tiered=True,
        )
    ]


# --- AppSync -----------------------------------------------------------------------------

APPSYNC = "AWSAppSync"
APPSYNC_REQUESTS = PriceSpec(
    APPSYNC,
    "API Request",
    None,
    published=Page("appsync", "API Query and Data Modifications Operations", "Requests"),
)
APPSYNC_UPDATES = PriceSpec(
    APPSYNC,
    "Real-time Update",
    None,
    published=Page("appsync", "RealTime Updates per Messages", "Messages"),
)
APPSYNC_MINUTES = PriceSpec(
    APPSYNC,
    "Real-time Connection",
    None,
    published=Page("appsync", "RealTime Connection per Minutes", "Minutes"),
)


@priced(
    "AWS::AppSync::GraphQLApi",
    service="AppSync",
    summary="query and mutation operations, real-time updates and connection minutes "
    "(all from usage)",
    usage=(
        UsageKey("monthly_requests", 1_000_000, "query and mutation operations per month"),
        UsageKey("monthly_realtime_updates", 0, "real-time updates delivered per month"),
        UsageKey("monthly_connection_minutes", 0, "real-time connection minutes per month"),
    ),
    prices=(APPSYNC_REQUESTS, APPSYNC_UPDATES, APPSYNC_MINUTES),
)
def price_graphql_api(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    return [
        ctx.component(
            "Query and data modification operations",
            "requests",
            ctx.usage.get("monthly_requests") or 0.0,
            ctx.price(APPSYNC, APPSYNC_REQUESTS.family, None),
            usage_based=True,
        ),
        ctx.component(
            "Real-time updates",
            "messages",
            ctx.usage.get("monthly_realtime_updates") or 0.0,
            ctx.price(APPSYNC, APPSYNC_UPDATES.family, None),
            usage_based=True,
        ),
        ctx.component(
            "Real-time connection minutes",
            "minutes",
            ctx.usage.get("monthly_connection_minutes") or 0.0,
            ctx.price(APPSYNC, APPSYNC_MINUTES.family, None),
            usage_based=True,
        ),
    ]


free(
    "billed through the GraphQL API's operations",
    "AWS::AppSync::Resolver",
    "AWS::AppSync::GraphQLSchema",
    "AWS::AppSync::DataSource",
    "AWS::AppSync::ApiKey",
    "AWS::AppSync::FunctionConfiguration",
)

# --- Data Firehose -----------------------------------------------------------------------

FIREHOSE = "AmazonKinesisFirehose"
#: Tier boundaries from AWS's pricing page text (first 500 TB, next 1.5 PB, next 3 PB per
#: month), in GB at 1024 GB per TB; the file names each tier's price.
FIREHOSE_INGESTED = PriceSpec(
    FIREHOSE,
    "Data Ingested",
    None,
    published=Page(
        "kinesisfirehose",
        unit="GB",
        tiers=(
            (0, "Per GB of data ingested first 500TB"),
            (512_000, "Per GB of data ingested Next 1 5PB"),
            (2_048_000, "Per GB of data ingested Next 3PB"),
        ),
    ),
)


@priced(
    "AWS::KinesisFirehose::DeliveryStream",
    service="Data Firehose",
    summary="GB ingested from usage, tiered (Direct PUT and Kinesis stream sources)",
    usage=(UsageKey("monthly_ingested_gb", 100, "data ingested per month, GB (5 KB records)"),),
    prices=(FIREHOSE_INGESTED,),
)
def price_delivery_stream(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    kind = ctx.text(resource.properties.get("DeliveryStreamType"), "DirectPut", "stream type")
    if kind == "MSKAsSource":
        raise Unpriceable("MSK-sourced delivery streams are not modelled")
    return [
        ctx.component(
            "Data ingested",
            "GB",
            ctx.usage.get("monthly_ingested_gb") or 0.0,
            ctx.price(FIREHOSE, FIREHOSE_INGESTED.family, None),
            usage_based=True,
            tiered=True,
        )
    ]


# --- CodePipeline ------------------------------------------------------------------------

CODEPIPELINE = "AWSCodePipeline"
PIPELINE_V1 = PriceSpec(
    CODEPIPELINE,
    "Active Pipeline",
    None,
    published=Page("codepipeline", "Active Pipeline Inf", "Pipelines"),
)
PIPELINE_V2 = PriceSpec(
    CODEPIPELINE,
    "Action Execution Minutes",
    None,
    published=Page("codepipeline", "Action Execution Minutes Inf", "Minutes"),
)


@priced(
    "AWS::CodePipeline::Pipeline",
    service="CodePipeline",
    summary="V1: one active pipeline per month; V2: action execution minutes from usage",
    usage=(UsageKey("monthly_action_minutes", 100, "V2 action execution minutes per month"),),
    prices=(PIPELINE_V1, PIPELINE_V2),
)
def price_pipeline(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    kind = resource.properties.get("PipelineType")
    if kind is None:
        ctx.assume("PipelineType not set; CloudFormation creates a V1 pipeline")
    kind = ctx.text(kind, "V1", "PipelineType")
    if kind == "V1":
        return [
            ctx.component(
                "Active pipeline (V1)",
                "pipelines",
                1,
                ctx.price(CODEPIPELINE, PIPELINE_V1.family, None),
            )
        ]
    if kind == "V2":
        return [
            ctx.component(
                "Action execution minutes (V2)",
                "minutes",
                ctx.usage.get("monthly_action_minutes") or 0.0,
                ctx.price(CODEPIPELINE, PIPELINE_V2.family, None),
                usage_based=True,
            )
        ]
    raise Unpriceable(f"pipeline type {kind!r} is not V1 or V2")


# --- OpenSearch --------------------------------------------------------------------------

OPENSEARCH = "AmazonES"
OCU_HOURS = PriceSpec(
    OPENSEARCH,
    "Serverless OCU",
    "OCU-Hours",
    unsourced="no public repository vendors an OpenSearch Serverless price file",
)


@priced(
    "AWS::OpenSearchServerless::Collection",
    service="OpenSearch",
    summary="the minimum OCUs x hours (declared; no AWS-published source is vendored)",
    usage=(HOURS,),
    prices=(OCU_HOURS,),
)
def price_serverless_collection(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    # AWS's pricing page: with standby replicas a collection runs at least 2 OCUs (indexing
    # and search, 0.5 OCU each in two zones); without, 1 OCU.
    standby = ctx.text(resource.properties.get("StandbyReplicas"), "ENABLED", "StandbyReplicas")
    ocus = 2 if standby == "ENABLED" else 1
    hours = ctx.hours
    return [
        ctx.component(
            f"OCUs (minimum {ocus})",
            "OCU-hours",
            ocus * hours,
            ctx.price(OPENSEARCH, OCU_HOURS.family, "OCU-Hours"),
            usage_based=hours != 730,
        )
    ]


free(
    "configuration only; no charge of its own",
    "AWS::OpenSearchServerless::SecurityPolicy",
    "AWS::OpenSearchServerless::AccessPolicy",
)

# --- IoT Core rules engine ----------------------------------------------------------------

IOT = "AWSIoT"
IOT_RULES_TRIGGERED = PriceSpec(
    IOT, "Rules Engine", "RulesTriggered", published=Page("iot", "RulesTriggered", "Count")
)
IOT_ACTIONS_EXECUTED = PriceSpec(
    IOT, "Rules Engine", "ActionsExecuted", published=Page("iot", "ActionsExecuted", "Count")
)


@priced(
    "AWS::IoT::TopicRule",
    service="IoT Core",
    summary="rules triggered (from usage) and actions executed (each trigger x the rule's "
    "actions); a message over 5 KB bills as one trigger per 5 KB, so the usage counts 5 KB "
    "units",
    usage=(
        UsageKey(
            "monthly_rule_triggers",
            1_000_000,
            "times the rule is triggered per month, counted in 5 KB units of message",
        ),
    ),
    prices=(IOT_RULES_TRIGGERED, IOT_ACTIONS_EXECUTED),
)
def price_topic_rule(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    payload = resource.properties.get("TopicRulePayload")
    payload = payload if isinstance(payload, dict) else {}
    if ctx.flag(payload.get("RuleDisabled"), False, "TopicRulePayload.RuleDisabled"):
        raise Free("the rule is disabled (RuleDisabled: true): a disabled rule is not triggered")
    actions = payload.get("Actions")
    if is_unresolved(actions) or not isinstance(actions, list):
        raise Unpriceable(
            "TopicRulePayload.Actions is not a list in the template: the actions each trigger "
            "executes cannot be counted"
        )
    triggers = ctx.usage.get("monthly_rule_triggers") or 0.0
    return [
        ctx.component(
            "Rules triggered",
            "triggers",
            triggers,
            ctx.price(IOT, "Rules Engine", "RulesTriggered"),
            usage_based=True,
        ),
        ctx.component(
            f"Actions executed ({len(actions)} per trigger; the error action only on errors)",
            "actions",
            triggers * len(actions),
            ctx.price(IOT, "Rules Engine", "ActionsExecuted"),
            usage_based=True,
        ),
    ]


# --- free types --------------------------------------------------------------------------

free("IAM is free", "AWS::IAM::RolePolicy", "AWS::IAM::UserPolicy", "AWS::IAM::GroupPolicy")
free(
    "associating an address bills nothing; the address is priced on the EIP",
    "AWS::EC2::EIPAssociation",
)
free(
    "network interfaces bill nothing; a public IPv4 address on one bills elsewhere (an "
    "Elastic IP is priced on the EIP; an auto-assigned address is not priced here)",
    "AWS::EC2::NetworkInterface",
)
free(
    "IoT registry and policy objects bill nothing; messaging and connectivity are usage",
    "AWS::IoT::Policy",
    "AWS::IoT::PolicyPrincipalAttachment",
    "AWS::IoT::Thing",
    "AWS::IoT::ThingPrincipalAttachment",
)
free(
    "billed through the user pool's monthly active users",
    "AWS::Cognito::UserPoolClient",
    "AWS::Cognito::UserPoolDomain",
    "AWS::Cognito::UserPoolResourceServer",
    "AWS::Cognito::UserPoolUser",
    "AWS::Cognito::UserPoolGroup",
    "AWS::Cognito::IdentityPoolRoleAttachment",
)
free("ingestion and storage are priced on the log group", "AWS::Logs::LogStream")
free("HTTP API VPC links carry no charge", "AWS::ApiGatewayV2::VpcLink")
