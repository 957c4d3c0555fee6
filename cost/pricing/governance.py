"""Operations and governance: CloudTrail trails, AWS Config (recorder, rules, conformance
packs), Athena workgroups, GuardDuty detectors, Security Hub, CodeBuild projects and Backup
vaults, and the types of these services that bill nothing themselves.

Every price is a dimension of the service's AWS pricing-page file (`cost.catalog.sources`).
Events, evaluations, checks, minutes and volumes come from usage keys. Tiers are applied per
resource, not per account as AWS bills them, and no free tier is deducted unless the file
prices it as a tier of its own (Security Hub's first 10,000 finding ingestion events).
"""

from __future__ import annotations

from typing import Any

from cost.catalog.spec import Page, PriceSpec, Table
from cost.model import CostComponent
from cost.pricing.context import Free, PricingContext, Resource, Unpriceable, is_unresolved
from cost.pricing.registry import UsageKey, free, priced

# --- CloudTrail --------------------------------------------------------------------------

CLOUDTRAIL = "AWSCloudTrail"
#: The first copy of management events a region delivers is free ("Free Events Recorded"),
#: each further copy is billed ("Management Paid Events Recorded"); the file prices events
#: one by one (its figures are per event: 0.00002 is $2.00 per 100,000).
MANAGEMENT_FREE = PriceSpec(
    CLOUDTRAIL,
    "Management Events (first copy)",
    None,
    published=Page("cloudtrail", "Free Events Recorded", "Events"),
)
MANAGEMENT_PAID = PriceSpec(
    CLOUDTRAIL,
    "Management Events (additional copy)",
    None,
    published=Page("cloudtrail", "Management Paid Events Recorded", "Events"),
)
DATA_EVENTS = PriceSpec(
    CLOUDTRAIL, "Data Events", None, published=Page("cloudtrail", "Data Events Recorded", "Events")
)
INSIGHTS_EVENTS = PriceSpec(
    CLOUDTRAIL, "Insights Events", None, published=Page("cloudtrail", "Insights Events", "Events")
)
#: Data events a trail that selects them records per month when usage does not say.
DEFAULT_DATA_EVENTS = 1_000_000


def _selectors(props: dict[str, Any], name: str) -> list[dict[str, Any]]:
    value = props.get(name)
    return [s for s in value if isinstance(s, dict)] if isinstance(value, list) else []


def _advanced_categories(props: dict[str, Any]) -> set[str]:
    """The eventCategory values the trail's advanced event selectors name."""
    found: set[str] = set()
    for selector in _selectors(props, "AdvancedEventSelectors"):
        for field in selector.get("FieldSelectors") or []:
            if isinstance(field, dict) and field.get("Field") == "eventCategory":
                found |= {v for v in field.get("Equals") or [] if isinstance(v, str)}
    return found


def _records_management(props: dict[str, Any]) -> bool:
    """A trail records management events unless its selectors leave them out (a trail
    without selectors records them all)."""
    if props.get("AdvancedEventSelectors"):
        return "Management" in _advanced_categories(props)
    basic = _selectors(props, "EventSelectors")
    if basic:
        return any(s.get("IncludeManagementEvents") is not False for s in basic)
    return True


def _records_data(props: dict[str, Any]) -> bool:
    if props.get("AdvancedEventSelectors"):
        return "Data" in _advanced_categories(props)
    return any(s.get("DataResources") for s in _selectors(props, "EventSelectors"))


def _logging(resource: Resource, ctx: PricingContext) -> bool:
    return ctx.flag(resource.properties.get("IsLogging"), True, "IsLogging")


@priced(
    "AWS::CloudTrail::Trail",
    service="CloudTrail",
    summary="management events (the region's first copy free, further trails of the template "
    "recording them paid), data events and Insights events analyzed, from usage",
    usage=(
        UsageKey("monthly_management_events", 1_000_000, "management events recorded per month"),
        UsageKey(
            "monthly_data_events",
            None,
            f"data events recorded per month (default: {DEFAULT_DATA_EVENTS:,} when the trail "
            "selects data events, else 0)",
        ),
        UsageKey(
            "monthly_insights_events",
            None,
            "events analyzed by CloudTrail Insights per month (default: the management events "
            "x the Insights types selected, when InsightSelectors are set, else 0)",
        ),
    ),
    prices=(MANAGEMENT_FREE, MANAGEMENT_PAID, DATA_EVENTS, INSIGHTS_EVENTS),
    reads=("AWS::CloudTrail::Trail",),
)
def price_trail(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    props = resource.properties
    if not _logging(resource, ctx):
        raise Free("the trail is not logging (IsLogging: false): it records no events")
    components: list[CostComponent] = []
    management = ctx.usage.get("monthly_management_events") or 0.0
    if _records_management(props):
        earlier = sorted(
            t.logical_id
            for t in ctx.index.of_type("AWS::CloudTrail::Trail")
            if t.logical_id < resource.logical_id
            and t.properties.get("IsLogging") not in (False, "false")
            and _records_management(t.properties)
        )
        if earlier:
            ctx.assume(
                f"an additional copy of management events: trail {earlier[0]} of this "
                "template records them too (the region's first copy is free)"
            )
            components.append(
                ctx.component(
                    "Management events (additional copy)",
                    "events",
                    management,
                    ctx.price(CLOUDTRAIL, MANAGEMENT_PAID.family, None),
                    usage_based=True,
                )
            )
        else:
            ctx.assume(
                "assumed to be the region's first copy of management events (free): no other "
                "trail recording them is known"
            )
            components.append(
                ctx.component(
                    "Management events (first copy, free)",
                    "events",
                    management,
                    ctx.price(CLOUDTRAIL, MANAGEMENT_FREE.family, None),
                    usage_based=True,
                )
            )
    data = ctx.usage.get("monthly_data_events")
    if data is None:
        data = float(DEFAULT_DATA_EVENTS) if _records_data(props) else 0.0
    if data or _records_data(props):
        components.append(
            ctx.component(
                "Data events",
                "events",
                data,
                ctx.price(CLOUDTRAIL, DATA_EVENTS.family, None),
                usage_based=True,
            )
        )
    insight_types = {
        s.get("InsightType")
        for s in _selectors(props, "InsightSelectors")
        if isinstance(s.get("InsightType"), str)
    }
    insights = ctx.usage.get("monthly_insights_events")
    if insights is None:
        insights = management * len(insight_types)
    if insights or insight_types:
        components.append(
            ctx.component(
                f"Insights events analyzed ({len(insight_types)} Insights types)",
                "events",
                insights,
                ctx.price(CLOUDTRAIL, INSIGHTS_EVENTS.family, None),
                usage_based=True,
            )
        )
    if not components:
        raise Free("the trail's selectors record no management or data events")
    return components


# --- AWS Config --------------------------------------------------------------------------

CONFIG = "AWSConfig"
#: The config file names its configuration-item rows "Config" (continuous recording),
#: "Config configurationItemRecordedDaily" (daily recording) and "Config Custom" (custom
#: configuration items, not modelled here).
CONFIG_ITEMS = {
    "CONTINUOUS": PriceSpec(
        CONFIG,
        "Configuration Items (continuous)",
        None,
        published=Page("config", "Config", "ConfigurationItemRecorded"),
    ),
    "DAILY": PriceSpec(
        CONFIG,
        "Configuration Items (daily)",
        None,
        published=Page("config", "Config configurationItemRecordedDaily", "ConfigurationItem"),
    ),
}


def _config_tiers(prefix: str, last: str) -> tuple[tuple[float, str], ...]:
    """The file's three evaluation tiers: first 100,000, next 400,000, then the rest."""
    return (
        (0, f"{prefix} first 100000"),
        (100_000, f"{prefix} next 400000"),
        (500_000, f"{prefix} {last}"),
    )


RULE_EVALUATIONS = PriceSpec(
    CONFIG,
    "Rule Evaluations",
    None,
    published=Page(
        "config", unit="Evaluations", tiers=_config_tiers("Config Rules", "500001 and more")
    ),
)
PROACTIVE_EVALUATIONS = PriceSpec(
    CONFIG,
    "Proactive Rule Evaluations",
    None,
    published=Page(
        "config",
        unit="Evaluations",
        tiers=_config_tiers("Config Rules ProactiveConfigRuleEvaluation", "500001 and more"),
    ),
)
PACK_EVALUATIONS = PriceSpec(
    CONFIG,
    "Conformance Pack Evaluations",
    None,
    published=Page(
        "config",
        unit="Evaluations",
        tiers=_config_tiers("Config Conformance Packs", "500001 and more"),
    ),
)


@priced(
    "AWS::Config::ConfigurationRecorder",
    service="Config",
    summary="configuration items recorded (from usage), at the continuous or daily rate of "
    "the recording mode",
    usage=(
        UsageKey("monthly_configuration_items", 1000, "configuration items recorded per month"),
    ),
    prices=tuple(CONFIG_ITEMS.values()),
)
def price_configuration_recorder(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    mode = resource.properties.get("RecordingMode")
    mode = mode if isinstance(mode, dict) else {}
    frequency = ctx.text(mode.get("RecordingFrequency"), "CONTINUOUS", "RecordingFrequency")
    if frequency not in CONFIG_ITEMS:
        raise Unpriceable(
            f"RecordingMode.RecordingFrequency {frequency!r} is not CONTINUOUS or DAILY"
        )
    if mode.get("RecordingModeOverrides"):
        ctx.assume(
            f"recording-mode overrides are not modelled: every item priced at the {frequency} rate"
        )
    return [
        ctx.component(
            f"Configuration items recorded ({frequency.lower()})",
            "items",
            ctx.usage.get("monthly_configuration_items") or 0.0,
            ctx.price(CONFIG, CONFIG_ITEMS[frequency].family, None),
            usage_based=True,
        )
    ]


@priced(
    "AWS::Config::ConfigRule",
    service="Config",
    summary="rule evaluations from usage, tiered (proactive evaluations too when the rule's "
    "evaluation modes include PROACTIVE)",
    usage=(
        UsageKey("monthly_rule_evaluations", 1000, "detective rule evaluations per month"),
        UsageKey("monthly_proactive_evaluations", 0, "proactive rule evaluations per month"),
    ),
    prices=(RULE_EVALUATIONS, PROACTIVE_EVALUATIONS),
)
def price_config_rule(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    modes_value = resource.properties.get("EvaluationModes")
    modes: set[str] = {"DETECTIVE"}
    if isinstance(modes_value, list) and modes_value:
        modes = {str(m.get("Mode")) for m in modes_value if isinstance(m, dict)}
        unknown = modes - {"DETECTIVE", "PROACTIVE"}
        if unknown:
            raise Unpriceable(
                f"EvaluationModes Mode {sorted(unknown)} is not DETECTIVE or PROACTIVE"
            )
    components = []
    if "DETECTIVE" in modes:
        components.append(
            ctx.component(
                "Rule evaluations",
                "evaluations",
                ctx.usage.get("monthly_rule_evaluations") or 0.0,
                ctx.price(CONFIG, RULE_EVALUATIONS.family, None),
                usage_based=True,
                tiered=True,
            )
        )
    if "PROACTIVE" in modes:
        components.append(
            ctx.component(
                "Proactive rule evaluations",
                "evaluations",
                ctx.usage.get("monthly_proactive_evaluations") or 0.0,
                ctx.price(CONFIG, PROACTIVE_EVALUATIONS.family, None),
                usage_based=True,
                tiered=True,
            )
        )
    return components


@priced(
    "AWS::Config::ConformancePack",
    service="Config",
    summary="conformance pack evaluations from usage, tiered",
    usage=(UsageKey("monthly_evaluations", 10_000, "conformance pack evaluations per month"),),
    prices=(PACK_EVALUATIONS,),
)
def price_conformance_pack(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    return [
        ctx.component(
            "Conformance pack evaluations",
            "evaluations",
            ctx.usage.get("monthly_evaluations") or 0.0,
            ctx.price(CONFIG, PACK_EVALUATIONS.family, None),
            usage_based=True,
            tiered=True,
        )
    ]


free(
    "AWS Config bills nothing for delivery; the S3 bucket and SNS topic it delivers to bill "
    "their storage and notifications",
    "AWS::Config::DeliveryChannel",
)

# --- Athena ------------------------------------------------------------------------------

ATHENA = "AmazonAthena"
ATHENA_SCANNED = PriceSpec(
    ATHENA, "Data Scanned", None, published=Page("athena", "Athena Queries", "Terabytes")
)


@priced(
    "AWS::Athena::WorkGroup",
    service="Athena",
    summary="TB scanned by SQL queries (from usage)",
    usage=(UsageKey("monthly_scanned_tb", 0.1, "data scanned by queries per month, TB"),),
    prices=(ATHENA_SCANNED,),
)
def price_workgroup(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    props = resource.properties
    state = ctx.text(props.get("State"), "ENABLED", "State")
    if state == "DISABLED":
        raise Free("the workgroup is disabled (State: DISABLED): no query runs in it")
    config = props.get("WorkGroupConfiguration")
    engine = config.get("EngineVersion") if isinstance(config, dict) else None
    selected = engine.get("SelectedEngineVersion") if isinstance(engine, dict) else None
    if isinstance(selected, str) and "spark" in selected.lower():
        raise Unpriceable(
            f"SelectedEngineVersion {selected!r}: Apache Spark workgroups (DPU-hours) are not "
            "modelled; SQL engine workgroups are"
        )
    ctx.assume("no per-query minimum (10 MB scanned) applied")
    return [
        ctx.component(
            "Data scanned by queries",
            "TB",
            ctx.usage.get("monthly_scanned_tb") or 0.0,
            ctx.price(ATHENA, ATHENA_SCANNED.family, None),
            usage_based=True,
        )
    ]


free(
    "saved queries, statements and catalog registrations bill nothing; queries bill on the "
    "workgroup they run in",
    "AWS::Athena::NamedQuery",
    "AWS::Athena::PreparedStatement",
    "AWS::Athena::DataCatalog",
)

# --- GuardDuty ---------------------------------------------------------------------------

GUARDDUTY = "AmazonGuardDuty"
GD_CLOUDTRAIL = PriceSpec(
    GUARDDUTY,
    "CloudTrail Management Events Analyzed",
    None,
    published=Page("guardduty", "CloudTrail Events Processed per Events", "Events"),
)
GD_FLOW_DNS = PriceSpec(
    GUARDDUTY,
    "VPC Flow Log and DNS Analyzed",
    None,
    published=Page(
        "guardduty",
        unit="GB",
        tiers=(
            (0, "VPC Flow Log and DNS Processed per First 500 GB"),
            (500, "VPC Flow Log and DNS Processed per Next 2000 GB"),
            (2_500, "VPC Flow Log and DNS Processed per Next 7500 GB"),
            (10_000, "VPC Flow Log and DNS Processed per Over 10000 GB"),
        ),
    ),
)


@priced(
    "AWS::GuardDuty::Detector",
    service="GuardDuty",
    summary="foundational threat detection: CloudTrail management events and VPC flow log "
    "and DNS GB analyzed (tiered), from usage; protection plans are not priced",
    usage=(
        UsageKey("monthly_cloudtrail_events", 1_000_000, "CloudTrail management events analyzed"),
        UsageKey("monthly_flow_dns_gb", 10, "VPC flow log and DNS query logs analyzed, GB"),
    ),
    prices=(GD_CLOUDTRAIL, GD_FLOW_DNS),
)
def price_detector(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    props = resource.properties
    if not ctx.flag(props.get("Enable"), True, "Enable"):
        raise Free("the detector is disabled (Enable: false): nothing is analyzed")
    features = [
        f.get("Name")
        for f in props.get("Features") or []
        if isinstance(f, dict) and f.get("Status") != "DISABLED"
    ]
    if features or props.get("DataSources"):
        named = ", ".join(str(f) for f in features) or "DataSources"
        ctx.assume(f"protection plans enabled ({named}) are not priced")
    return [
        ctx.component(
            "CloudTrail management events analyzed",
            "events",
            ctx.usage.get("monthly_cloudtrail_events") or 0.0,
            ctx.price(GUARDDUTY, GD_CLOUDTRAIL.family, None),
            usage_based=True,
        ),
        ctx.component(
            "VPC flow log and DNS logs analyzed",
            "GB",
            ctx.usage.get("monthly_flow_dns_gb") or 0.0,
            ctx.price(GUARDDUTY, GD_FLOW_DNS.family, None),
            usage_based=True,
            tiered=True,
        ),
    ]


# --- Security Hub ------------------------------------------------------------------------

SECURITYHUB = "AWSSecurityHub"
#: The file lists the check tiers twice, "per Security Checks" and "per Compliance Checks",
#: at the same prices in every location; the security-check rows are read.
SH_CHECKS = PriceSpec(
    SECURITYHUB,
    "Security Checks",
    None,
    published=Page(
        "securityhub",
        unit="Checks",
        tiers=(
            (0, "ComplianceCheck first 100000 per Security Checks"),
            (100_000, "ComplianceCheck next 400000 per Security Checks"),
            (500_000, "ComplianceCheck over 500000 per Security Checks"),
        ),
    ),
)
SH_FINDINGS = PriceSpec(
    SECURITYHUB,
    "Finding Ingestion Events",
    None,
    published=Page(
        "securityhub",
        unit="Events",
        tiers=(
            (0, "FindingsIngestion first 10000 FREE per Event"),
            (10_000, "FindingsIngestion per Event"),
        ),
    ),
)


@priced(
    "AWS::SecurityHub::Hub",
    service="Security Hub",
    summary="security checks (tiered) and finding ingestion events (the first 10,000 free), "
    "from usage",
    usage=(
        UsageKey("monthly_security_checks", 10_000, "security checks run per month"),
        UsageKey("monthly_finding_events", 20_000, "finding ingestion events per month"),
    ),
    prices=(SH_CHECKS, SH_FINDINGS),
)
def price_security_hub(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    return [
        ctx.component(
            "Security checks",
            "checks",
            ctx.usage.get("monthly_security_checks") or 0.0,
            ctx.price(SECURITYHUB, SH_CHECKS.family, None),
            usage_based=True,
            tiered=True,
        ),
        ctx.component(
            "Finding ingestion events",
            "events",
            ctx.usage.get("monthly_finding_events") or 0.0,
            ctx.price(SECURITYHUB, SH_FINDINGS.family, None),
            usage_based=True,
            tiered=True,
        ),
    ]


free(
    "enabling a standard bills nothing itself; its security checks bill on the hub",
    "AWS::SecurityHub::Standard",
)

# --- CodeBuild ---------------------------------------------------------------------------

CODEBUILD = "CodeBuild"
#: On-demand EC2 compute, per build minute, by the file's compute type ("general1.small",
#: "arm1.large", "gpu1.small"), one table per operating system.
BUILD_LINUX = PriceSpec(
    CODEBUILD,
    "Build Minutes Linux",
    None,
    published=Table(
        "codebuild",
        r"^OnDemand-EC2 Linux-computetype-",
        unit="Minutes",
        attribute="computeType",
        row_field="Compute Type",
    ),
)
BUILD_WINDOWS = PriceSpec(
    CODEBUILD,
    "Build Minutes Windows",
    None,
    published=Table(
        "codebuild",
        r"^OnDemand-EC2 Windows-computetype-",
        unit="Minutes",
        attribute="computeType",
        row_field="Compute Type",
    ),
)
BUILD_LAMBDA = PriceSpec(
    CODEBUILD,
    "Lambda Compute",
    None,
    unsourced="the codebuild file's Lambda compute rows do not state the unit they are billed in",
)
#: Environment.Type -> (table, the file's compute-type family).
_ENVIRONMENTS = {
    "LINUX_CONTAINER": (BUILD_LINUX, "general1"),
    "LINUX_EC2": (BUILD_LINUX, "general1"),
    "ARM_CONTAINER": (BUILD_LINUX, "arm1"),
    "ARM_EC2": (BUILD_LINUX, "arm1"),
    "LINUX_GPU_CONTAINER": (BUILD_LINUX, "gpu1"),
    "WINDOWS_CONTAINER": (BUILD_WINDOWS, "general1"),
    "WINDOWS_SERVER_2019_CONTAINER": (BUILD_WINDOWS, "general1"),
    "WINDOWS_SERVER_2022_CONTAINER": (BUILD_WINDOWS, "general1"),
    "WINDOWS_EC2": (BUILD_WINDOWS, "general1"),
}
_SIZES = {
    "BUILD_GENERAL1_SMALL": "small",
    "BUILD_GENERAL1_MEDIUM": "medium",
    "BUILD_GENERAL1_LARGE": "large",
    "BUILD_GENERAL1_XLARGE": "xlarge",
    "BUILD_GENERAL1_2XLARGE": "2xlarge",
}


@priced(
    "AWS::CodeBuild::Project",
    service="CodeBuild",
    summary="on-demand build minutes (from usage) at the rate of the environment's type and "
    "compute type",
    usage=(UsageKey("monthly_build_minutes", 100, "build minutes per month"),),
    prices=(BUILD_LINUX, BUILD_WINDOWS, BUILD_LAMBDA),
)
def price_codebuild_project(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    environment = resource.properties.get("Environment")
    if not isinstance(environment, dict):
        raise Unpriceable("Environment is not known at synth time: no compute type to price")
    if environment.get("Fleet"):
        raise Unpriceable("builds on a reserved-capacity fleet are billed on the fleet")
    kind, compute = environment.get("Type"), environment.get("ComputeType")
    if is_unresolved(kind) or is_unresolved(compute):
        raise Unpriceable("Environment.Type or ComputeType is not known at synth time")
    if kind in ("LINUX_LAMBDA_CONTAINER", "ARM_LAMBDA_CONTAINER"):
        ctx.price(CODEBUILD, BUILD_LAMBDA.family, None)  # unsourced: says why
    if kind not in _ENVIRONMENTS:
        raise Unpriceable(
            f"Environment.Type {kind!r} is not priced; allowed: {', '.join(_ENVIRONMENTS)}"
        )
    if compute not in _SIZES:
        raise Unpriceable(
            f"Environment.ComputeType {compute!r} is not priced; allowed: {', '.join(_SIZES)}"
        )
    spec, family = _ENVIRONMENTS[kind]
    compute_type = f"{family}.{_SIZES[compute]}"
    return [
        ctx.component(
            f"Build minutes ({kind}, {compute_type})",
            "minutes",
            ctx.usage.get("monthly_build_minutes") or 0.0,
            ctx.price(CODEBUILD, spec.family, None, computeType=compute_type),
            usage_based=True,
        )
    ]


free(
    "source credentials and report groups bill nothing; builds bill on the project",
    "AWS::CodeBuild::SourceCredential",
    "AWS::CodeBuild::ReportGroup",
)

# --- Backup ------------------------------------------------------------------------------

BACKUP = "AWSBackup"
#: The backup file names storage rows by resource type ("DDB ...", "S3 ..."); its rows without
#: a resource type ("Backup Storage Warm per GB-month") do not say which resources they
#: cover, so they are not read.
BACKUP_STORAGE = {
    "dynamodb_warm_gb": PriceSpec(
        BACKUP,
        "DynamoDB Backup Storage Warm",
        None,
        published=Page("backup", "DDB Backup Storage Warm per GB-month", "GB-Mo"),
    ),
    "dynamodb_cold_gb": PriceSpec(
        BACKUP,
        "DynamoDB Backup Storage Cold",
        None,
        published=Page("backup", "DDB Backup Storage Cold per GB-month", "GB-Mo"),
    ),
    "s3_warm_gb": PriceSpec(
        BACKUP,
        "S3 Backup Storage Warm",
        None,
        published=Page("backup", "S3 Backup Storage Warm per GB-month", "GB-Mo"),
    ),
}
_BACKUP_LABELS = {
    "dynamodb_warm_gb": "DynamoDB backups, warm storage",
    "dynamodb_cold_gb": "DynamoDB backups, cold storage",
    "s3_warm_gb": "S3 backups, warm storage",
}


@priced(
    "AWS::Backup::BackupVault",
    service="Backup",
    summary="backup storage GB-months from usage, for the resource types the file names "
    "(DynamoDB warm and cold, S3 warm)",
    usage=tuple(
        UsageKey(key, 0, f"{label} held in the vault, GB-months")
        for key, label in _BACKUP_LABELS.items()
    ),
    prices=tuple(BACKUP_STORAGE.values()),
)
def price_backup_vault(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    ctx.assume(
        "storage of other resource types (EBS, EFS, RDS, ...) is not priced: the file does "
        "not name their rows"
    )
    return [
        ctx.component(
            label,
            "GB-months",
            ctx.usage.get(key) or 0.0,
            ctx.price(BACKUP, BACKUP_STORAGE[key].family, None),
            usage_based=True,
        )
        for key, label in _BACKUP_LABELS.items()
    ]


free(
    "backup plans and selections bill nothing; the recovery points they create bill as "
    "storage in their vault",
    "AWS::Backup::BackupPlan",
    "AWS::Backup::BackupSelection",
)
