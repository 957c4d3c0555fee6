"""Compute: ECS services on Fargate (the task definitions are free) and Lambda functions."""

from __future__ import annotations

from typing import Any

from cost.catalog.spec import Page, PriceSpec
from cost.model import CostComponent
from cost.pricing.context import Free, PricingContext, Resource, Unpriceable, ref_target
from cost.pricing.network import PUBLIC_IPV4, public_ipv4
from cost.pricing.registry import HOURS, UsageKey, priced
from cost.pricing.schedules import service_schedule

ECS = "AmazonECS"
FREE_EPHEMERAL_GB = 20


def _mapping(value: Any, ctx: PricingContext, what: str) -> dict[str, Any]:
    """A property that should be an object; {} (with an assumption) when it is not known."""
    if value is None:
        return {}
    if isinstance(value, dict) and not any(k == "Ref" or k.startswith("Fn::") for k in value):
        return value
    ctx.assume(f"the {what} is not known at synth time; its defaults assumed")
    return {}


def _fargate_usagetypes(arm: bool, spot: bool) -> tuple[str, str]:
    arch = "ARM-" if arm else ""
    spot_prefix = "SpotUsage-" if spot else ""
    return (
        f"{spot_prefix}Fargate-{arch}vCPU-Hours:perCPU",
        f"{spot_prefix}Fargate-{arch}GB-Hours",
    )


def _split_capacity(
    strategy: list[dict[str, object]], tasks: float, ctx: PricingContext
) -> dict[str, float]:
    """Tasks per capacity provider: `base` tasks first, the rest by weight (ECS's rule)."""
    items = [
        (
            ctx.text(item.get("CapacityProvider"), "FARGATE", "capacity provider"),
            ctx.number(item.get("Base"), 0, "capacity provider base"),
            ctx.number(item.get("Weight"), 0, "capacity provider weight"),
        )
        for item in strategy
    ]
    counts: dict[str, float] = {}
    remaining = tasks
    for provider, base, _ in items:
        take = min(base, remaining)
        counts[provider] = counts.get(provider, 0) + take
        remaining -= take
    weights: dict[str, float] = {}
    for provider, _, weight in items:
        weights[provider] = weights.get(provider, 0) + weight
    total_weight = sum(weights.values())
    if remaining > 0:
        if total_weight <= 0:
            raise Unpriceable("capacity provider strategy has no positive weight")
        for provider, weight in weights.items():
            counts[provider] = counts.get(provider, 0) + remaining * weight / total_weight
    return counts


#: Fargate on-demand dimensions of AWS's Fargate pricing-page data (Linux), by architecture.
FARGATE_DIMENSIONS = {
    False: ("perCPU per hour", "perGB per hour"),
    True: ("ARM perCPU per hour", "ARM perGB per hour"),
}
SPOT_UNSOURCED = (
    "Fargate Spot prices are published in a separate, frequently changing feed that no "
    "public repository known to this project vendors with its date"
)


def fargate_prices() -> list[PriceSpec]:
    specs = []
    for arm in (False, True):
        for usagetype, dimension in zip(
            _fargate_usagetypes(arm, False), FARGATE_DIMENSIONS[arm], strict=True
        ):
            unit = "vCPU-Hours" if "CPU" in dimension else "GB-Hours"
            specs.append(
                PriceSpec(ECS, "Compute", usagetype, published=Page("ecs", dimension, unit))
            )
        specs += [
            PriceSpec(ECS, "Compute", u, unsourced=SPOT_UNSOURCED)
            for u in _fargate_usagetypes(arm, True)
        ]
    specs.append(
        PriceSpec(
            ECS,
            "Compute",
            "Fargate-EphemeralStorage-GB-Hours",
            published=Page("ecs", "Storage per GB-Hours", "GB-Hours"),
        )
    )
    return [*specs, PUBLIC_IPV4]


def _cluster_default_strategy(service: Resource, ctx: PricingContext) -> Any:
    """The cluster's default capacity provider strategy (ECS uses it when a service names
    neither a launch type nor a strategy); None when the cluster has none, `...` (Ellipsis)
    when the cluster is not in this template."""
    cluster_ref = service.properties.get("Cluster")
    if cluster_ref is None:
        # The account's `default` cluster: not in any template.
        return ...
    cluster = ctx.referenced(cluster_ref, "AWS::ECS::Cluster")
    if cluster is None:
        return ...
    for association in ctx.index.of_type("AWS::ECS::ClusterCapacityProviderAssociations"):
        target = association.properties.get("Cluster")
        if ref_target(target) == cluster.logical_id or (
            isinstance(target, str) and target == cluster.properties.get("ClusterName")
        ):
            strategy = association.properties.get("DefaultCapacityProviderStrategy")
            if strategy:
                return strategy
    return cluster.properties.get("DefaultCapacityProviderStrategy") or None


@priced(
    "AWS::ECS::Service",
    service="Fargate (ECS)",
    summary="vCPU and memory hours of `DesiredCount` x the task definition's size, x86 or ARM64 "
    "from its runtime platform, Fargate Spot by the capacity provider strategy, ephemeral "
    "storage above 20 GB, public IPv4 per task when `AssignPublicIp`; the hours the scheduled "
    "actions of its scalable target imply (office hours: scaled to 0 and back)",
    usage=(
        HOURS,
        UsageKey(
            "task_count",
            None,
            "average number of running tasks (default: the service's DesiredCount)",
        ),
    ),
    prices=fargate_prices(),
    reads=("AWS::ECS::TaskDefinition", "AWS::ApplicationAutoScaling::ScalableTarget"),
)
def price_ecs_service(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    """Fargate tasks: desired count x task CPU and memory, per architecture and capacity type.

    A service on the EC2 launch type (or on EC2 capacity providers) bills nothing itself:
    its tasks run on container instances, priced as those instances.
    """
    props = resource.properties
    launch_type = ctx.text(props.get("LaunchType"), "", "launch type") or None
    strategy = props.get("CapacityProviderStrategy")
    if launch_type == "EC2":
        raise Free("EC2 launch type: its tasks run on container instances, billed there")
    if launch_type == "EXTERNAL":
        raise Unpriceable("ECS Anywhere (EXTERNAL) instance hours are not in the price catalog")
    if launch_type not in (None, "FARGATE"):
        raise Unpriceable(f"launch type {launch_type} is not in the price catalog")
    task_def = ctx.referenced(props.get("TaskDefinition"), "AWS::ECS::TaskDefinition")
    if task_def is None:
        raise Unpriceable("its task definition is not in this template, so its size is unknown")
    td = task_def.properties
    compat = td.get("RequiresCompatibilities")
    if launch_type is None and not strategy:
        # Neither set: ECS uses the cluster's default capacity provider strategy, else EC2.
        default = _cluster_default_strategy(resource, ctx)
        fargate_only = isinstance(compat, list) and compat == ["FARGATE"]
        if default is ...:
            if not fargate_only:
                raise Free(
                    "no launch type or capacity provider strategy and a cluster outside this "
                    "template: ECS uses the EC2 launch type (tasks billed on container "
                    "instances) unless that cluster's default strategy says otherwise"
                )
            ctx.assume(
                "no launch type or capacity provider strategy: the Fargate-only task "
                "definition needs the cluster's default strategy to be Fargate; assumed so"
            )
        elif default is None:
            raise Free(
                "no launch type, no capacity provider strategy and no cluster default: ECS "
                "uses the EC2 launch type; its tasks are billed on the container instances"
            )
        else:
            strategy = default
            ctx.assume("capacity provider strategy: the cluster's default")

    platform = _mapping(td.get("RuntimePlatform"), ctx, "runtime platform")
    os_family = ctx.text(platform.get("OperatingSystemFamily"), "LINUX", "operating system")
    if os_family != "LINUX":
        raise Unpriceable(f"Fargate on {os_family} is not in the price catalog")
    arch = ctx.text(platform.get("CpuArchitecture"), "X86_64", "CPU architecture")
    arm = arch == "ARM64"
    vcpu = ctx.number(td.get("Cpu"), 1024, "task CPU units") / 1024
    memory_gb = ctx.number(td.get("Memory"), 2048, "task memory (MiB)") / 1024
    ephemeral = _mapping(td.get("EphemeralStorage"), ctx, "ephemeral storage").get("SizeInGiB")
    ephemeral_gb = ctx.number(ephemeral, FREE_EPHEMERAL_GB, "ephemeral storage (GiB)")

    usage_count = ctx.usage.get("task_count")
    if usage_count is not None:
        tasks = usage_count
        count_from_usage = True
    else:
        tasks = ctx.number(props.get("DesiredCount"), 1, "DesiredCount")
        count_from_usage = False
        if props.get("DesiredCount") is None:
            ctx.assume("DesiredCount not set; ECS starts 1 task")
    hours = ctx.hours
    usage_based = count_from_usage or hours != 730
    when = ""
    if not usage_based:
        tasks, hours, when = _scheduled_hours(resource, ctx, tasks, hours)

    if strategy:
        if not isinstance(strategy, list):
            raise Unpriceable("capacity provider strategy is not known at synth time")
        split = _split_capacity(strategy, tasks, ctx)
    else:
        split = {"FARGATE": tasks}
    on_instances = sorted(set(split) - {"FARGATE", "FARGATE_SPOT"})
    for provider in on_instances:
        ctx.assume(
            f"{split[provider]:g} task(s) on capacity provider {provider} run on its EC2 "
            "instances, billed as those instances"
        )
    if all(split.get(p, 0) <= 0 for p in ("FARGATE", "FARGATE_SPOT")):
        raise Free("every task runs on EC2 capacity providers: billed as their instances")

    label = "ARM64" if arm else "x86_64"
    components: list[CostComponent] = []
    for provider in ("FARGATE", "FARGATE_SPOT"):
        count = split.get(provider, 0)
        if count <= 0:
            continue
        spot = provider == "FARGATE_SPOT"
        kind = "Spot" if spot else "on-demand"
        cpu_type, mem_type = _fargate_usagetypes(arm, spot)
        components.append(
            ctx.component(
                f"Fargate vCPU ({label}, {kind}, {count:g} task(s) x {vcpu:g} vCPU{when})",
                "vCPU-hours",
                count * vcpu * hours,
                ctx.price(ECS, "Compute", cpu_type),
                usage_based=usage_based,
            )
        )
        components.append(
            ctx.component(
                f"Fargate memory ({label}, {kind}, {count:g} task(s) x {memory_gb:g} GB{when})",
                "GB-hours",
                count * memory_gb * hours,
                ctx.price(ECS, "Compute", mem_type),
                usage_based=usage_based,
            )
        )
        if spot:
            ctx.assume("Fargate Spot prices vary; the catalog holds a snapshot")
    if ephemeral_gb > FREE_EPHEMERAL_GB:
        extra = ephemeral_gb - FREE_EPHEMERAL_GB
        components.append(
            ctx.component(
                f"Ephemeral storage above {FREE_EPHEMERAL_GB} GB ({extra:g} GB per task{when})",
                "GB-hours",
                tasks * extra * hours,
                ctx.price(ECS, "Compute", "Fargate-EphemeralStorage-GB-Hours"),
                usage_based=usage_based,
            )
        )
    network_config = _mapping(props.get("NetworkConfiguration"), ctx, "network configuration")
    network = _mapping(network_config.get("AwsvpcConfiguration"), ctx, "awsvpc configuration")
    assign = network.get("AssignPublicIp")
    if assign is not None and not isinstance(assign, str):
        ctx.assume("AssignPublicIp is not known at synth time; assumed DISABLED (no public IPv4)")
    if assign == "ENABLED":
        components.append(
            ctx.component(
                f"Public IPv4 addresses ({tasks:g} task(s){when})",
                "IP-hours",
                tasks * hours,
                public_ipv4(ctx),
                usage_based=usage_based,
            )
        )
    return components


def _scheduled_hours(
    service: Resource, ctx: PricingContext, tasks: float, hours: float
) -> tuple[float, float, str]:
    """(tasks, hours, label suffix) under the scheduled actions of the service's scalable
    target: the task count they leave in office hours, and the hours that gives the task-hours
    they imply. Unchanged (and no suffix) without scheduled actions."""
    try:
        scheduled = service_schedule(service, ctx.index, tasks)
    except ValueError as err:
        ctx.assume(f"its scheduled scaling is not evaluated ({err}); priced always on")
        return tasks, hours, ""
    if scheduled is None:
        return tasks, hours, ""
    task_hours = sum(count * h for count, h in scheduled.hours.items())
    running = sum(h for count, h in scheduled.hours.items() if count > 0)
    peak = max((count for count, h in scheduled.hours.items() if h > 0), default=0.0)
    ctx.assume(
        "scheduled scaling: " + "; ".join(scheduled.described) + f": {task_hours:,.1f} "
        f"task-hours a month, {running:,.1f} hours with tasks running"
    )
    if peak <= 0:
        return tasks, 0.0, "; scheduled: 0 h/month"
    return peak, task_hours / peak, f"; scheduled: {running:,.0f} h/month"


LAMBDA = "AWSLambda"


@priced(
    "AWS::Lambda::Function",
    service="Lambda",
    summary="requests and GB-seconds from usage (x86 or ARM64), tiered",
    usage=(
        UsageKey("monthly_requests", 0, "invocations per month"),
        UsageKey("average_duration_ms", 1_000, "average duration per invocation, ms"),
    ),
    prices=[
        PriceSpec(
            LAMBDA, "Serverless", "Request", published=Page("lambda", "Lambda Requests", "Requests")
        ),
        PriceSpec(
            LAMBDA,
            "Serverless",
            "Request-ARM",
            published=Page("lambda", "Lambda Requests-ARM", "Requests"),
        ),
        # Tier boundaries as AWS's Lambda pricing page states them: x86 first 6 billion
        # GB-seconds a month, next 9 billion, over 15 billion; Arm 7.5, 11.25, over 18.75.
        PriceSpec(
            LAMBDA,
            "Serverless",
            "Lambda-GB-Second",
            published=Page(
                "lambda",
                unit="Lambda-GB-Second",
                tiers=(
                    (0, "Lambda Duration"),
                    (6e9, "Lambda Duration Tier2"),
                    (15e9, "Lambda Duration Tier3"),
                ),
            ),
        ),
        PriceSpec(
            LAMBDA,
            "Serverless",
            "Lambda-GB-Second-ARM",
            published=Page(
                "lambda",
                unit="Lambda-GB-Second",
                tiers=(
                    (0, "Lambda Duration-ARM"),
                    (7.5e9, "Lambda Duration-ARM Tier2"),
                    (18.75e9, "Lambda Duration-ARM Tier3"),
                ),
            ),
        ),
    ],
)
def price_lambda_function(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    """Requests and GB-seconds from usage (a function costs nothing when not invoked)."""
    props = resource.properties
    archs = props.get("Architectures")
    arm = isinstance(archs, list) and archs == ["arm64"]
    memory_gb = ctx.number(props.get("MemorySize"), 128, "Lambda memory (MB)") / 1024
    requests = ctx.usage.get("monthly_requests") or 0.0
    duration_s = (ctx.usage.get("average_duration_ms") or 0.0) / 1000
    if requests == 0:
        ctx.assume(
            "no invocations assumed (set monthly_requests); e.g. a deploy-time custom "
            "resource handler runs only during deployments"
        )
    suffix = "-ARM" if arm else ""
    return [
        ctx.component(
            "Requests",
            "requests",
            requests,
            ctx.price(LAMBDA, "Serverless", f"Request{suffix}"),
            usage_based=True,
        ),
        ctx.component(
            f"Duration ({memory_gb * 1024:g} MB)",
            "GB-seconds",
            requests * duration_s * memory_gb,
            ctx.price(LAMBDA, "Serverless", f"Lambda-GB-Second{suffix}"),
            usage_based=True,
            tiered=True,
        ),
    ]


def fargate_task_hours(
    task_def: Resource,
    ctx: PricingContext,
    *,
    task_hours: float,
    what: str,
    public_ip: bool,
) -> list[CostComponent]:
    """On-demand Fargate components for `task_hours` hours of one task of `task_def` (tasks
    started by a schedule or a workflow rather than kept running by a service)."""
    td = task_def.properties
    platform = _mapping(td.get("RuntimePlatform"), ctx, "runtime platform")
    os_family = ctx.text(platform.get("OperatingSystemFamily"), "LINUX", "operating system")
    if os_family != "LINUX":
        raise Unpriceable(f"Fargate on {os_family} is not in the price catalog")
    arm = ctx.text(platform.get("CpuArchitecture"), "X86_64", "CPU architecture") == "ARM64"
    vcpu = ctx.number(td.get("Cpu"), 1024, "task CPU units") / 1024
    memory_gb = ctx.number(td.get("Memory"), 2048, "task memory (MiB)") / 1024
    ephemeral = _mapping(td.get("EphemeralStorage"), ctx, "ephemeral storage").get("SizeInGiB")
    ephemeral_gb = ctx.number(ephemeral, FREE_EPHEMERAL_GB, "ephemeral storage (GiB)")
    label = "ARM64" if arm else "x86_64"
    cpu_type, mem_type = _fargate_usagetypes(arm, False)
    components = [
        ctx.component(
            f"Fargate vCPU of {what} ({label}, {vcpu:g} vCPU)",
            "vCPU-hours",
            vcpu * task_hours,
            ctx.price(ECS, "Compute", cpu_type),
            usage_based=True,
        ),
        ctx.component(
            f"Fargate memory of {what} ({label}, {memory_gb:g} GB)",
            "GB-hours",
            memory_gb * task_hours,
            ctx.price(ECS, "Compute", mem_type),
            usage_based=True,
        ),
    ]
    if ephemeral_gb > FREE_EPHEMERAL_GB:
        components.append(
            ctx.component(
                f"Ephemeral storage of {what} above {FREE_EPHEMERAL_GB} GB",
                "GB-hours",
                (ephemeral_gb - FREE_EPHEMERAL_GB) * task_hours,
                ctx.price(ECS, "Compute", "Fargate-EphemeralStorage-GB-Hours"),
                usage_based=True,
            )
        )
    if public_ip:
        components.append(
            ctx.component(
                f"Public IPv4 address of {what}",
                "IP-hours",
                task_hours,
                public_ipv4(ctx),
                usage_based=True,
            )
        )
    return components
