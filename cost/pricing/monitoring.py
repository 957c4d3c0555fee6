"""CloudWatch: log groups, VPC flow logs, alarms (incl. those target tracking creates),
composite alarms, Synthetics canaries, and Container Insights on ECS clusters."""

from __future__ import annotations

from cost.catalog.spec import Page, PriceSpec
from cost.model import CostComponent
from cost.pricing.context import Free, PricingContext, Resource, Unpriceable, ref_target
from cost.pricing.registry import UsageKey, priced
from cost.pricing.schedules import monthly_firings, schedule_interval_seconds

CW = "AmazonCloudWatch"
_TB = 1024
LOG_INGESTION = PriceSpec(
    CW,
    "Data Payload",
    "DataProcessing-Bytes",
    published=Page("cloudwatch", "Logs Collected Data Ingestion", "GB"),
)
LOG_STORAGE = PriceSpec(
    CW,
    "Storage Snapshot",
    "TimedStorage-ByteHrs",
    published=Page("cloudwatch", "Stored Data", "GB-Mo"),
)
VENDED_LOGS = PriceSpec(
    CW,
    "Data Payload",
    "VendedLog-Bytes",
    published=Page(
        "cloudwatch",
        unit="GB",
        tiers=(
            (0, "Vended Logs First 10TB"),
            (10 * _TB, "Vended Logs Next 20TB"),
            (30 * _TB, "Vended Logs Next Next 20TB"),
            (50 * _TB, "Vended Logs over 50TB"),
        ),
    ),
)
METRICS = PriceSpec(
    CW,
    "Metric",
    "CW:MetricMonitorUsage",
    published=Page(
        "cloudwatch",
        unit="Metrics",
        tiers=(
            (0, "Metric for the first 10000"),
            (10_000, "Metric for the next 240000"),
            (250_000, "Metric for the next 750000"),
            (1_000_000, "Metric for over 1000000"),
        ),
    ),
)
ALARMS = PriceSpec(
    CW, "Alarm", "CW:AlarmMonitorUsage", published=Page("cloudwatch", "Alarm Standard", "Alarms")
)
COMPOSITE_ALARMS = PriceSpec(
    CW, "Composite Alarm", None, published=Page("cloudwatch", "Alarm Composite", "Alarms")
)
CANARY_RUNS = PriceSpec(
    CW, "Canary Run", None, published=Page("cloudwatch", "Canaries per Runs", "Runs")
)
#: A canary whose schedule is not known at synth time.
DEFAULT_CANARY_SCHEDULE = "rate(5 minutes)"
NEVER_EXPIRE_MONTHS = 12
INSIGHTS_METRICS_PER_CLUSTER = 11
INSIGHTS_METRICS_PER_SERVICE = 22


def _flow_logs_into(group: Resource, ctx: PricingContext) -> list[Resource]:
    """Flow logs that deliver into this log group (their ingestion is billed as vended logs)."""
    found = []
    for flow in ctx.index.of_type("AWS::EC2::FlowLog"):
        props = flow.properties
        dest = props.get("LogGroupName") or props.get("LogDestination")
        named = group.properties.get("LogGroupName")
        if ref_target(dest) == group.logical_id or (isinstance(dest, str) and dest == named):
            found.append(flow)
    return found


@priced(
    "AWS::Logs::LogGroup",
    service="CloudWatch",
    summary="ingestion (unless vended flow logs deliver into it) and storage by retention",
    usage=(
        UsageKey("monthly_ingested_gb", 1, "log data ingested per month, GB"),
        UsageKey(
            "stored_gb",
            None,
            "log data stored, GB (default: monthly ingestion x retention in months, at most "
            "12 months for never-expiring groups; no compression assumed)",
        ),
    ),
    prices=(LOG_INGESTION, LOG_STORAGE),
    reads=("AWS::EC2::FlowLog",),
)
def price_log_group(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    props = resource.properties
    log_class = ctx.text(props.get("LogGroupClass"), "STANDARD", "log group class")
    if log_class != "STANDARD":
        raise Unpriceable(f"log group class {log_class} is not in the price catalog")
    ingested = ctx.usage.get("monthly_ingested_gb") or 0.0
    retention_days = props.get("RetentionInDays")
    if retention_days is None:
        months = float(NEVER_EXPIRE_MONTHS)
        retention_label = f"never expires; {NEVER_EXPIRE_MONTHS} months assumed"
    else:
        months = ctx.number(retention_days, 30, "RetentionInDays") / 30
        retention_label = f"{ctx.number(retention_days, 30, 'RetentionInDays'):g}-day retention"
    stored = ctx.usage.get("stored_gb")
    if stored is None:
        stored = ingested * months
    components: list[CostComponent] = []
    vended = _flow_logs_into(resource, ctx)
    if vended:
        ctx.assume(
            "ingestion of the flow logs delivered here is billed on the flow log (vended logs)"
        )
    else:
        components.append(
            ctx.component(
                "Log ingestion",
                "GB",
                ingested,
                ctx.price(CW, "Data Payload", "DataProcessing-Bytes"),
                usage_based=True,
            )
        )
    components.append(
        ctx.component(
            f"Log storage ({retention_label})",
            "GB-months",
            stored,
            ctx.price(CW, "Storage Snapshot", "TimedStorage-ByteHrs"),
            usage_based=True,
        )
    )
    return components


@priced(
    "AWS::EC2::FlowLog",
    service="CloudWatch",
    summary="vended-log delivery to CloudWatch Logs, tiered",
    usage=(UsageKey("monthly_log_gb", 1, "flow log data delivered per month, GB"),),
    prices=(VENDED_LOGS,),
)
def price_flow_log(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    props = resource.properties
    destination = ctx.text(
        props.get("LogDestinationType"), "cloud-watch-logs", "flow log destination type"
    )
    if destination != "cloud-watch-logs":
        raise Unpriceable(f"flow logs delivered to {destination} are not in the price catalog")
    gb = ctx.usage.get("monthly_log_gb") or 0.0
    return [
        ctx.component(
            "Vended log delivery to CloudWatch Logs",
            "GB",
            gb,
            ctx.price(CW, "Data Payload", "VendedLog-Bytes"),
            usage_based=True,
            tiered=True,
        )
    ]


@priced(
    "AWS::CloudWatch::Alarm",
    service="CloudWatch",
    summary="standard-resolution alarm metric-months (a metric-math alarm per metric it "
    "reads, not per expression)",
    prices=(ALARMS,),
)
def price_alarm(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    props = resource.properties
    period = ctx.number(props.get("Period"), 60, "alarm period")
    if period < 60:
        raise Unpriceable("high-resolution alarms are not in the price catalog")
    # A metric-math alarm is billed per metric it reads (entries with a MetricStat); the
    # expressions that combine them are not metrics.
    metrics = props.get("Metrics")
    count = 1
    if isinstance(metrics, list) and metrics:
        count = sum(1 for m in metrics if isinstance(m, dict) and "MetricStat" in m)
        if count == 0:
            raise Unpriceable("metric-math alarm without a MetricStat: nothing to bill known")
    return [
        ctx.component(
            "Standard-resolution alarm" + (f" ({count} metrics)" if count > 1 else ""),
            "alarm-metric-months",
            count,
            ctx.price(CW, "Alarm", "CW:AlarmMonitorUsage"),
        )
    ]


@priced(
    "AWS::CloudWatch::CompositeAlarm",
    service="CloudWatch",
    summary="composite alarm-months",
    prices=(COMPOSITE_ALARMS,),
)
def price_composite_alarm(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    # The alarms its rule combines are priced as alarms of their own.
    return [
        ctx.component(
            "Composite alarm",
            "alarm-months",
            1,
            ctx.price(CW, COMPOSITE_ALARMS.family, None),
        )
    ]


def _canary_runs(expression: str) -> float:
    """Runs per month of a Synthetics schedule; ValueError when it is not evaluated."""
    interval = schedule_interval_seconds(expression)
    if interval == 0:
        return 1.0  # rate(0 minute): the canary runs once, when it is started
    return monthly_firings(expression)


@priced(
    "AWS::Synthetics::Canary",
    service="CloudWatch",
    summary="canary runs per month from Schedule.Expression (rate() or cron()); the Lambda "
    "function and S3 artifacts it uses bill separately",
    usage=(
        UsageKey(
            "monthly_runs",
            None,
            "canary runs per month (default: the runs Schedule.Expression makes in an "
            "average month)",
        ),
    ),
    prices=(CANARY_RUNS,),
)
def price_canary(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    props = resource.properties
    schedule = props.get("Schedule")
    expression = schedule.get("Expression") if isinstance(schedule, dict) else None
    runs = ctx.usage.get("monthly_runs")
    label = "from usage"
    if runs is None:
        if not isinstance(expression, str):
            ctx.assume(
                f"Schedule.Expression is not known at synth time; {DEFAULT_CANARY_SCHEDULE} assumed"
            )
            expression = DEFAULT_CANARY_SCHEDULE
        try:
            runs = _canary_runs(expression)
        except ValueError as why:
            raise Unpriceable(
                f"Schedule.Expression {expression!r} is not evaluated ({why}); allowed: "
                "rate(N minutes|hours|days) or a six-field cron()"
            ) from None
        label = expression
        if runs == 1.0 and schedule_interval_seconds(expression) == 0:
            ctx.assume("rate(0 minute): the canary runs once when started; one run priced")
        duration = schedule.get("DurationInSeconds") if isinstance(schedule, dict) else None
        if duration not in (None, 0, "0"):
            ctx.assume(
                "Schedule.DurationInSeconds limits how long the schedule runs; runs priced as "
                "if it ran all month"
            )
    return [
        ctx.component(
            f"Canary runs ({label})",
            "runs",
            runs,
            ctx.price(CW, CANARY_RUNS.family, None),
            usage_based=True,
        )
    ]


@priced(
    "AWS::ApplicationAutoScaling::ScalingPolicy",
    service="CloudWatch",
    summary="the two alarms target tracking creates (step scaling policies are free)",
    prices=(ALARMS,),
)
def price_scaling_policy(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    """Target tracking creates two CloudWatch alarms (scale out, scale in) that are billed."""
    policy_type = ctx.text(resource.properties.get("PolicyType"), "", "scaling policy type")
    if policy_type != "TargetTrackingScaling":
        raise Free("step scaling policies are free; their alarms are separate resources")
    return [
        ctx.component(
            "Alarms created by target tracking (high and low)",
            "alarm-months",
            2,
            ctx.price(CW, "Alarm", "CW:AlarmMonitorUsage"),
        )
    ]


def _insights_enabled(props: dict[str, object], ctx: PricingContext) -> bool:
    settings = props.get("ClusterSettings") or []
    if not isinstance(settings, list):
        ctx.assume("cluster settings are not known at synth time; Container Insights assumed on")
        return True
    for setting in settings:
        if isinstance(setting, dict) and setting.get("Name") == "containerInsights":
            value = setting.get("Value")
            if not isinstance(value, str):
                ctx.assume("Container Insights setting is not known at synth time; assumed on")
                return True
            return value in ("enabled", "enhanced")
    return False


@priced(
    "AWS::ECS::Cluster",
    service="CloudWatch",
    summary="Container Insights metrics and performance log events when on (a cluster itself "
    "is free)",
    usage=(
        UsageKey(
            "container_insights_metrics",
            None,
            "custom metrics Container Insights publishes (default: 11 per cluster plus 22 "
            "per service in the cluster)",
        ),
        UsageKey(
            "container_insights_log_gb",
            0.5,
            "Container Insights performance-log events ingested per month, GB",
        ),
    ),
    prices=(METRICS, LOG_INGESTION),
    reads=("AWS::ECS::Service",),
)
def price_ecs_cluster(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    """A cluster is free; Container Insights publishes billed custom metrics and log events."""
    props = resource.properties
    if not _insights_enabled(props, ctx):
        raise Free("an ECS cluster is free; Container Insights is off")
    metrics = ctx.usage.get("container_insights_metrics")
    if metrics is None:
        services = [
            s
            for s in ctx.index.of_type("AWS::ECS::Service")
            if ref_target(s.properties.get("Cluster")) == resource.logical_id
        ]
        metrics = INSIGHTS_METRICS_PER_CLUSTER + INSIGHTS_METRICS_PER_SERVICE * len(services)
        ctx.assume(
            f"Container Insights: {INSIGHTS_METRICS_PER_CLUSTER} metrics per cluster and "
            f"{INSIGHTS_METRICS_PER_SERVICE} per service ({len(services)} service(s))"
        )
    log_gb = ctx.usage.get("container_insights_log_gb") or 0.0
    return [
        ctx.component(
            f"Container Insights metrics ({metrics:g})",
            "metric-months",
            metrics,
            ctx.price(CW, "Metric", "CW:MetricMonitorUsage"),
            usage_based=True,
            tiered=True,
        ),
        ctx.component(
            "Container Insights performance log events",
            "GB",
            log_gb,
            ctx.price(CW, "Data Payload", "DataProcessing-Bytes"),
            usage_based=True,
        ),
    ]


@priced(
    "AWS::Logs::MetricFilter",
    service="CloudWatch",
    summary="the custom metrics its transformations publish, tiered (one per transformation "
    "unless usage says how many dimension combinations)",
    usage=(
        UsageKey(
            "metrics",
            None,
            "custom metrics the filter publishes (default: one per metric transformation; "
            "each combination of dimension values is a metric of its own)",
        ),
    ),
    prices=(METRICS,),
)
def price_metric_filter(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    """A metric filter is free; the custom metrics it publishes are billed per metric-month."""
    transformations = resource.properties.get("MetricTransformations")
    metrics = ctx.usage.get("metrics")
    if metrics is None:
        metrics = float(ctx.count_of(transformations, 1, "metric transformations"))
        if isinstance(transformations, list) and any(
            isinstance(t, dict) and t.get("Dimensions") for t in transformations
        ):
            ctx.assume(
                "a transformation with dimensions publishes one metric per combination of "
                "values; one assumed (set metrics)"
            )
    return [
        ctx.component(
            f"Custom metrics ({metrics:g})",
            "metric-months",
            metrics,
            ctx.price(CW, "Metric", "CW:MetricMonitorUsage"),
            usage_based=True,
            tiered=True,
        )
    ]


#: One price for every region: the CloudWatch pricing-page file lists it under the location "Any".
DASHBOARD = PriceSpec(
    CW,
    "Dashboard",
    "DashboardsUsageHour",
    published=Page("cloudwatch", "Dashboard Basic Dashboard", "Dashboards"),
    global_service=True,
)


@priced(
    "AWS::CloudWatch::Dashboard",
    service="CloudWatch",
    summary="dashboard-months (the same price in every region)",
    prices=(DASHBOARD,),
)
def price_dashboard(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    ctx.assume("no free tier deducted (the first 3 dashboards a month are free per account)")
    return [
        ctx.component(
            "Dashboard",
            "dashboard-months",
            1,
            ctx.global_price(CW, DASHBOARD.family, DASHBOARD.usagetype),
        )
    ]
