"""EC2 capacity: instances, EBS volumes, Auto Scaling groups (from their launch template or
configuration), Cloud9 EC2 environments, EMR clusters (plus the EMR charge), EKS clusters and
managed node groups, ElastiCache nodes, Transit Gateway attachments. Instance prices are AWS's
Linux on-demand prices (shared tenancy)."""

from __future__ import annotations

from typing import Any

from cost.catalog import Price
from cost.catalog.spec import Page, PriceSpec, Table
from cost.model import CostComponent
from cost.pricing.context import PricingContext, Resource, Unpriceable
from cost.pricing.registry import HOURS, UsageKey, free, priced

EC2 = "AmazonEC2"
EKS = "AmazonEKS"
CACHE = "AmazonElastiCache"
VPC = "AmazonVPC"

#: Linux on-demand instances, shared tenancy: AWS's per-region EC2 pricing-page files, the
#: current generation's and then the previous generation's (whose row keys end with the
#: family's name: "m3 xlarge US East N. Virginia Linux General Purpose").
LINUX = PriceSpec(
    EC2,
    "Compute Instance Linux",
    None,
    published=Table(
        "ec2-ondemand",
        r" Linux$",
        fields=(("vcpu", "vCPU"), ("memory", "Memory"), ("family", "Instance Family")),
        also=(("ec2-previousgen", r" Linux [A-Z][A-Za-z ]*$"),),
    ),
)

_GB_MO = "GB-Mo"
_IOPS_MO = "IOPS-Mo"
#: EBS dimensions of AWS's EBS pricing-page file, by volume type.
VOLUME_STORAGE = {
    "gp2": "Storage General Purpose gp2 GB Mo",
    "gp3": "Storage General Purpose gp3 GB Mo",
    "io1": "Storage Provisioned IOPS io1 GB Mo",
    "io2": "Storage Provisioned IOPS io2 GB month",
    "st1": "Storage Throughput Optimized HDD st1 GB Mo",
    "sc1": "Storage Cold HDD sc1 GB Mo",
    "standard": "Storage Magnetic standard GB Mo",
}
EBS_STORAGE = {
    kind: PriceSpec(EC2, "Storage", f"EBS:VolumeUsage.{kind}", published=Page("ebs", dim, _GB_MO))
    for kind, dim in VOLUME_STORAGE.items()
}
EBS_IOPS = {
    "gp3": PriceSpec(
        EC2,
        "System Operation",
        "EBS:VolumeP-IOPS.gp3",
        published=Page("ebs", "Provisioned EBS IOPS gp3 Volumes per IOPS Mo", _IOPS_MO),
    ),
    "io1": PriceSpec(
        EC2,
        "System Operation",
        "EBS:VolumeP-IOPS.piops",
        published=Page("ebs", "Provisioned EBS IOPS io1 Volumes per IOPS Mo", _IOPS_MO),
    ),
    # io2 IOPS tiers as AWS's EBS pricing page states them: up to 32,000, 32,001-64,000, more.
    "io2": PriceSpec(
        EC2,
        "System Operation",
        "EBS:VolumeP-IOPS.io2",
        published=Page(
            "ebs",
            unit=_IOPS_MO,
            tiers=(
                (0, "Provisioned EBS IOPS io2 Volumes per IOPS Mo"),
                (32_000, "Provisioned EBS IOPS Tier 2 io2 Volumes per IOPS Mo"),
                (64_000, "Provisioned EBS IOPS Tier 3 io2 Volumes per IOPS Mo"),
            ),
        ),
    ),
}
GP3_THROUGHPUT = PriceSpec(
    EC2,
    "Provisioned Throughput",
    "EBS:VolumeP-Throughput.gp3",
    published=Page("ebs", "Provisioned Throughput gp3 per GiBps mo", "GiBps-mo"),
)
SNAPSHOTS = PriceSpec(
    EC2,
    "Storage Snapshot",
    "EBS:SnapshotUsage",
    published=Page("ebs", "Storage Snapshot Amazon S3 GB Mo", _GB_MO),
)
EBS_PRICES = (*EBS_STORAGE.values(), *EBS_IOPS.values(), GP3_THROUGHPUT)
#: gp3's included baseline (AWS's EBS documentation): 3,000 IOPS and 125 MiB/s per volume.
GP3_BASE_IOPS, GP3_BASE_MIBPS = 3000, 125
#: A root volume whose size and type come from the AMI (not in the template).
ROOT_VOLUME = (8.0, "gp3")
INSTANCE_USAGE = (HOURS,)


def instance_price(ctx: PricingContext, instance_type: str) -> Price:
    return ctx.price(LINUX.service, LINUX.family, None, instanceType=instance_type)


def _volume_components(
    ctx: PricingContext,
    label: str,
    size: float,
    kind: str,
    iops: Any = None,
    throughput: Any = None,
    count: float = 1,
) -> list[CostComponent]:
    """Storage, IOPS and throughput of `count` volumes of one kind (per month)."""
    if kind not in EBS_STORAGE:
        raise Unpriceable(f"EBS volume type {kind!r} is not one AWS prices")
    spec = EBS_STORAGE[kind]
    each = f" x {count:g}" if count != 1 else ""
    components = [
        ctx.component(
            f"{label} ({kind}, {size:g} GiB{each})",
            "GB-months",
            size * count,
            ctx.price(EC2, spec.family, spec.usagetype),
        )
    ]
    if kind == "gp3":
        wanted = ctx.number(iops, GP3_BASE_IOPS, "gp3 IOPS")
        if wanted > GP3_BASE_IOPS:
            components.append(
                ctx.component(
                    f"gp3 IOPS above the {GP3_BASE_IOPS} baseline",
                    "IOPS-months",
                    (wanted - GP3_BASE_IOPS) * count,
                    ctx.price(EC2, "System Operation", EBS_IOPS["gp3"].usagetype),
                )
            )
        mibps = ctx.number(throughput, GP3_BASE_MIBPS, "gp3 throughput (MiB/s)")
        if mibps > GP3_BASE_MIBPS:
            components.append(
                ctx.component(
                    f"gp3 throughput above {GP3_BASE_MIBPS} MiB/s",
                    "GiBps-months",
                    (mibps - GP3_BASE_MIBPS) / 1024 * count,
                    ctx.price(EC2, "Provisioned Throughput", GP3_THROUGHPUT.usagetype),
                )
            )
    elif kind in ("io1", "io2"):
        provisioned = ctx.number(iops, 100, f"{kind} IOPS")
        components.append(
            ctx.component(
                f"Provisioned IOPS ({kind}, {provisioned:g}{each})",
                "IOPS-months",
                provisioned * count,
                ctx.price(EC2, "System Operation", EBS_IOPS[kind].usagetype),
                tiered=kind == "io2" and count == 1,
            )
        )
    return components


def _block_devices(ctx: PricingContext, mappings: Any, count: float = 1) -> list[CostComponent]:
    """EBS volumes of an instance's block device mappings (the AMI's root volume if none)."""
    if not isinstance(mappings, list) or not mappings:
        size, kind = ROOT_VOLUME
        ctx.assume(
            f"the root volume comes from the AMI: {size:g} GiB {kind} assumed (set "
            "BlockDeviceMappings to price the real one)"
        )
        return _volume_components(ctx, "Root volume", size, kind, count=count)
    components: list[CostComponent] = []
    for mapping in mappings:
        ebs = mapping.get("Ebs") if isinstance(mapping, dict) else None
        if not isinstance(ebs, dict):
            continue  # instance store or NoDevice: no EBS charge
        size = ctx.number(ebs.get("VolumeSize"), ROOT_VOLUME[0], "EBS volume size (GiB)")
        kind = ctx.text(ebs.get("VolumeType"), "gp2", "EBS volume type")
        device = mapping.get("DeviceName") if isinstance(mapping.get("DeviceName"), str) else ""
        components += _volume_components(
            ctx,
            f"EBS volume {device}".strip(),
            size,
            kind,
            ebs.get("Iops"),
            ebs.get("Throughput"),
            count,
        )
    return components


def _instance_line(
    ctx: PricingContext, instance_type: str, count: float, what: str
) -> CostComponent:
    hours = ctx.hours
    price = instance_price(ctx, instance_type)
    family = price.attribute("family") or ""
    gpu_note = f", {family}" if "GPU" in family else ""
    return ctx.component(
        f"{what} ({instance_type}{gpu_note}{f' x {count:g}' if count != 1 else ''})",
        "instance-hours",
        count * hours,
        price,
        usage_based=hours != 730,
    )


def _tenancy(ctx: PricingContext, value: Any) -> None:
    tenancy = ctx.text(value, "default", "tenancy")
    if tenancy != "default":
        raise Unpriceable(f"{tenancy} tenancy instance prices are not in the catalog")


@priced(
    "AWS::EC2::Instance",
    service="EC2",
    summary="Linux on-demand instance hours by type (GPU types included), EBS volumes of its "
    "block device mappings (gp2, gp3 with IOPS/throughput above the baseline, io1, io2, st1, "
    "sc1, magnetic)",
    usage=INSTANCE_USAGE,
    prices=(LINUX, *EBS_PRICES),
)
def price_instance(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    props = resource.properties
    _tenancy(ctx, props.get("Tenancy"))
    template = (
        ctx.referenced(
            (props.get("LaunchTemplate") or {}).get("LaunchTemplateId"), "AWS::EC2::LaunchTemplate"
        )
        if isinstance(props.get("LaunchTemplate"), dict)
        else None
    )
    data = _template_data(template)
    instance_type = ctx.text(
        props.get("InstanceType") or data.get("InstanceType"), "m1.small", "instance type"
    )
    if props.get("InstanceType") is None and not data.get("InstanceType"):
        ctx.assume("InstanceType not set: CloudFormation's default m1.small")
    ctx.assume("Linux AMI assumed (other operating systems are priced differently)")
    mappings = props.get("BlockDeviceMappings") or data.get("BlockDeviceMappings")
    return [_instance_line(ctx, instance_type, 1, "Instance"), *_block_devices(ctx, mappings)]


#: AWS Cloud9's EC2 environments: the root volume AWS's Cloud9 pricing examples bill (10 GB gp2);
#: the template cannot set it.
CLOUD9_VOLUME = (10.0, "gp2")


@priced(
    "AWS::Cloud9::EnvironmentEC2",
    service="EC2",
    summary="no Cloud9 charge: its EC2 instance's Linux on-demand hours (in use, plus the "
    "automatic-stop delay after each session; always on without automatic stop) and its "
    "10 GiB gp2 root volume",
    usage=(
        HOURS,
        UsageKey(
            "active_hours_per_month",
            160,
            "with AutomaticStopTimeMinutes: hours the IDE is in use per month (8 h x 20 days)",
        ),
        UsageKey(
            "sessions_per_month",
            20,
            "with AutomaticStopTimeMinutes: sessions per month, each followed by the stop delay",
        ),
    ),
    prices=(LINUX, EBS_STORAGE[CLOUD9_VOLUME[1]]),
)
def price_cloud9_environment(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    """Cloud9 itself is free; the EC2 instance and EBS volume it creates in the account bill."""
    props = resource.properties
    instance_type = props.get("InstanceType")
    if not isinstance(instance_type, str):
        raise Unpriceable(
            f"InstanceType {instance_type!r} is not known at synth time (a required property)"
        )
    stop = ctx.number(props.get("AutomaticStopTimeMinutes"), 0, "AutomaticStopTimeMinutes")
    if stop > 0:
        active = ctx.usage.get("active_hours_per_month") or 0.0
        sessions = ctx.usage.get("sessions_per_month") or 0.0
        hours = min(active + sessions * stop / 60, 730.0)
        ctx.assume(
            f"stops {stop:g} min after use: {active:g} h in use + {sessions:g} sessions x "
            f"{stop:g} min = {hours:g} instance-hours a month (usage active_hours_per_month, "
            "sessions_per_month)"
        )
    else:
        hours = ctx.hours
        ctx.assume(
            f"no automatic stop (AutomaticStopTimeMinutes not set or 0): {hours:g} "
            "instance-hours a month (usage hours_per_month)"
        )
    size, kind = CLOUD9_VOLUME
    ctx.assume(
        f"the environment's root volume: {size:g} GiB {kind} (AWS's Cloud9 pricing examples); "
        "Linux on-demand instance prices"
    )
    price = instance_price(ctx, instance_type)
    return [
        ctx.component(
            f"Instance ({instance_type})",
            "instance-hours",
            hours,
            price,
            usage_based=True,
        ),
        *_volume_components(ctx, "Root volume", size, kind),
    ]


EMR = "ElasticMapReduce"
#: The EMR charge per instance-hour, on top of the EC2 instance: the EMR pricing-page file as
#: the repository flattens it, one row per instance type.
EMR_FEE = PriceSpec(
    EMR,
    "Elastic Map Reduce Instance",
    None,
    published=Table(
        "elasticmapreduce",
        r"^Instance-instancetype-(?P<instance>[a-z0-9-]+\.[a-z0-9]+)$",
        key_group="instance",
    ),
)
EMR_GROUPS = ("MasterInstanceGroup", "CoreInstanceGroup")


def _emr_group(ctx: PricingContext, group: Any, label: str) -> list[CostComponent]:
    """An EMR instance group: count x hours x (EC2 Linux + EMR fee), and its EBS volumes."""
    if not isinstance(group, dict):
        raise Unpriceable(f"{label} is not known at synth time")
    market = ctx.text(group.get("Market"), "ON_DEMAND", f"{label} Market")
    if market != "ON_DEMAND":
        raise Unpriceable(f"{label} Market {market}: spot prices are not in the catalog")
    instance_type = group.get("InstanceType")
    if not isinstance(instance_type, str):
        raise Unpriceable(f"{label} InstanceType {instance_type!r} is not known at synth time")
    count = ctx.number(group.get("InstanceCount"), 1, f"{label} InstanceCount")
    hours = ctx.hours
    each = f" x {count:g}" if count != 1 else ""
    components = [
        _instance_line(ctx, instance_type, count, f"{label} EC2"),
        ctx.component(
            f"{label} EMR charge ({instance_type}{each})",
            "instance-hours",
            count * hours,
            ctx.price(EMR, EMR_FEE.family, None, instanceType=instance_type),
            usage_based=hours != 730,
        ),
    ]
    ebs = group.get("EbsConfiguration")
    configs = ebs.get("EbsBlockDeviceConfigs") if isinstance(ebs, dict) else None
    if not isinstance(configs, list) or not configs:
        ctx.assume(
            f"{label}: no EbsConfiguration; the EBS volumes EMR attaches by default to "
            "EBS-only instance types are not priced"
        )
        return components
    for config in configs:
        spec = config.get("VolumeSpecification") if isinstance(config, dict) else None
        if not isinstance(spec, dict):
            raise Unpriceable(f"{label} EbsBlockDeviceConfigs entry has no VolumeSpecification")
        per_instance = ctx.number(config.get("VolumesPerInstance"), 1, "VolumesPerInstance")
        components += _volume_components(
            ctx,
            f"{label} EBS",
            ctx.number(spec.get("SizeInGB"), ROOT_VOLUME[0], f"{label} EBS SizeInGB"),
            ctx.text(spec.get("VolumeType"), "gp2", f"{label} EBS VolumeType"),
            spec.get("Iops"),
            spec.get("Throughput"),
            count * per_instance,
        )
    return components


@priced(
    "AWS::EMR::Cluster",
    service="EMR",
    summary="primary and core instance groups: EC2 Linux on-demand hours plus the EMR charge "
    "per instance-hour, and their EbsConfiguration volumes (instance fleets and spot not "
    "priced)",
    usage=INSTANCE_USAGE,
    prices=(LINUX, EMR_FEE, *EBS_PRICES),
)
def price_emr_cluster(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    instances = resource.properties.get("Instances")
    if not isinstance(instances, dict):
        raise Unpriceable("Instances is not known at synth time")
    if instances.get("MasterInstanceFleet") or instances.get("CoreInstanceFleet"):
        raise Unpriceable("instance fleets (several instance types, weighted) are not priced")
    ctx.assume(
        "Linux on-demand EC2 prices plus the EMR charge; task groups are separate "
        "AWS::EMR::InstanceGroupConfig resources, priced on their own"
    )
    components: list[CostComponent] = []
    for key in EMR_GROUPS:
        group = instances.get(key)
        if group is None and key == "CoreInstanceGroup":
            continue  # a single-node cluster
        label = "Primary" if key == "MasterInstanceGroup" else "Core"
        components += _emr_group(ctx, group, label)
    return components


@priced(
    "AWS::EMR::InstanceGroupConfig",
    service="EMR",
    summary="an EMR cluster's added (task) instance group: EC2 Linux on-demand hours plus the "
    "EMR charge per instance-hour, and its EbsConfiguration volumes",
    usage=INSTANCE_USAGE,
    prices=(LINUX, EMR_FEE, *EBS_PRICES),
)
def price_emr_instance_group(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    role = ctx.text(resource.properties.get("InstanceRole"), "TASK", "InstanceRole")
    return _emr_group(ctx, resource.properties, role.capitalize())


def _template_data(template: Resource | None) -> dict[str, Any]:
    if template is None:
        return {}
    data = template.properties.get("LaunchTemplateData")
    return data if isinstance(data, dict) else {}


@priced(
    "AWS::EC2::Volume",
    service="EBS",
    summary="EBS volume GB-months by type, gp3 IOPS/throughput above the baseline, io1/io2 "
    "IOPS, snapshot storage from usage",
    usage=(UsageKey("snapshot_gb", 0, "EBS snapshot data kept for this volume, GB-month"),),
    prices=(*EBS_PRICES, SNAPSHOTS),
)
def price_volume(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    props = resource.properties
    kind = ctx.text(props.get("VolumeType"), "gp2", "EBS volume type")
    if props.get("VolumeType") is None:
        ctx.assume("VolumeType not set: EBS defaults to gp2")
    size = props.get("Size")
    if size is None and props.get("SnapshotId") is not None:
        ctx.assume("size comes from the snapshot: 8 GiB assumed")
    gib = ctx.number(size, 8, "EBS volume size (GiB)")
    components = _volume_components(
        ctx, "Volume", gib, kind, props.get("Iops"), props.get("Throughput")
    )
    snapshot_gb = ctx.usage.get("snapshot_gb") or 0.0
    if snapshot_gb:
        components.append(
            ctx.component(
                "Snapshots",
                "GB-months",
                snapshot_gb,
                ctx.price(EC2, SNAPSHOTS.family, SNAPSHOTS.usagetype),
                usage_based=True,
            )
        )
    return components


def _launch_source(group: Resource, ctx: PricingContext) -> tuple[str, Any, str]:
    """(instance type, block device mappings, where from) of an Auto Scaling group."""
    props = group.properties
    mixed = props.get("MixedInstancesPolicy")
    spec = props.get("LaunchTemplate")
    overrides: Any = None
    if isinstance(mixed, dict):
        launch = mixed.get("LaunchTemplate") or {}
        spec = launch.get("LaunchTemplateSpecification")
        overrides = launch.get("Overrides")
    if isinstance(spec, dict):
        template = ctx.referenced(
            spec.get("LaunchTemplateId") or spec.get("LaunchTemplateName"),
            "AWS::EC2::LaunchTemplate",
        )
        data = _template_data(template)
        instance_type = data.get("InstanceType")
        first = overrides[0] if isinstance(overrides, list) and overrides else None
        if isinstance(first, dict) and first.get("InstanceType"):
            instance_type = first["InstanceType"]
            ctx.assume(
                f"mixed instances policy: priced as its first override ({instance_type}), "
                "all on demand"
            )
        if template is None:
            raise Unpriceable("the launch template is not in this template")
        if not isinstance(instance_type, str):
            raise Unpriceable("the launch template names no instance type")
        return instance_type, data.get("BlockDeviceMappings"), "launch template"
    config = ctx.referenced(
        props.get("LaunchConfigurationName"), "AWS::AutoScaling::LaunchConfiguration"
    )
    if config is not None:
        instance_type = config.properties.get("InstanceType")
        if not isinstance(instance_type, str):
            raise Unpriceable("the launch configuration's instance type is not known")
        return instance_type, config.properties.get("BlockDeviceMappings"), "launch configuration"
    raise Unpriceable("the group's launch template or configuration is not in this template")


@priced(
    "AWS::AutoScaling::AutoScalingGroup",
    service="EC2",
    summary="desired capacity (else the minimum size) x the Linux on-demand price of its launch "
    "template's or launch configuration's instance type, plus their EBS volumes",
    usage=(
        HOURS,
        UsageKey(
            "average_instances",
            None,
            "average running instances (default: DesiredCapacity, else MinSize)",
        ),
    ),
    prices=(LINUX, *EBS_PRICES),
    reads=("AWS::EC2::LaunchTemplate", "AWS::AutoScaling::LaunchConfiguration"),
)
def price_auto_scaling_group(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    props = resource.properties
    instance_type, mappings, source = _launch_source(resource, ctx)
    average = ctx.usage.get("average_instances")
    if average is None:
        desired = props.get("DesiredCapacity")
        count = ctx.number(
            desired if desired is not None else props.get("MinSize"), 1, "desired capacity"
        )
        if desired is None:
            ctx.assume(f"DesiredCapacity not set: the minimum size ({count:g}) assumed")
    else:
        count = average
    ctx.assume(f"instances from the {source}: Linux AMI assumed")
    return [
        _instance_line(ctx, instance_type, count, "Instances"),
        *_block_devices(ctx, mappings, count),
    ]


free(
    "billed through the instances launched from it",
    "AWS::EC2::LaunchTemplate",
    "AWS::AutoScaling::LaunchConfiguration",
    "AWS::AutoScaling::LifecycleHook",
    "AWS::AutoScaling::ScheduledAction",
    "AWS::AutoScaling::ScalingPolicy",
    "AWS::AutoScaling::WarmPool",
)

# --- EKS -------------------------------------------------------------------------------

EKS_CLUSTER = PriceSpec(
    EKS, "Compute", "AmazonEKS-Hours:perCluster", published=Page("eks", "Compute per Hours", "Hrs")
)


@priced(
    "AWS::EKS::Cluster",
    service="EKS",
    summary="cluster hours (standard support; its nodes are priced on their node groups)",
    usage=(HOURS,),
    prices=(EKS_CLUSTER,),
)
def price_eks_cluster(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    hours = ctx.hours
    ctx.assume("a Kubernetes version in standard support (extended support bills more per hour)")
    return [
        ctx.component(
            "EKS cluster",
            "cluster-hours",
            hours,
            ctx.price(EKS, EKS_CLUSTER.family, EKS_CLUSTER.usagetype),
            usage_based=hours != 730,
        )
    ]


@priced(
    "AWS::EKS::Nodegroup",
    service="EC2",
    summary="desired size x the Linux on-demand price of its first instance type (default "
    "t3.medium) plus its disk (default 20 GiB gp2), or of its launch template",
    usage=(HOURS,),
    prices=(LINUX, *EBS_PRICES),
    reads=("AWS::EC2::LaunchTemplate",),
)
def price_nodegroup(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    props = resource.properties
    raw_scaling = props.get("ScalingConfig")
    scaling: dict[str, Any] = raw_scaling if isinstance(raw_scaling, dict) else {}
    desired = scaling.get("DesiredSize", scaling.get("MinSize"))
    count = ctx.number(desired, 2, "node group desired size")
    if desired is None:
        ctx.assume("ScalingConfig not set: EKS's default of 2 nodes assumed")
    if ctx.text(props.get("CapacityType"), "ON_DEMAND", "capacity type") == "SPOT":
        raise Unpriceable("Spot node groups: Spot prices move and are not in the catalog")
    spec = props.get("LaunchTemplate")
    data: dict[str, Any] = {}
    if isinstance(spec, dict):
        data = _template_data(
            ctx.referenced(spec.get("Id") or spec.get("Name"), "AWS::EC2::LaunchTemplate")
        )
    types = props.get("InstanceTypes")
    instance_type = (
        types[0] if isinstance(types, list) and types else data.get("InstanceType") or "t3.medium"
    )
    if not isinstance(instance_type, str):
        raise Unpriceable("the node group's instance type is not known at synth time")
    if data.get("BlockDeviceMappings"):
        volumes = _block_devices(ctx, data["BlockDeviceMappings"], count)
    else:
        disk = ctx.number(props.get("DiskSize"), 20, "node disk size (GiB)")
        volumes = _volume_components(ctx, "Node disk", disk, "gp2", count=count)
    return [_instance_line(ctx, instance_type, count, "Nodes"), *volumes]


free(
    "no charge of its own (pods on Fargate are billed per vCPU and GB on Fargate)",
    "AWS::EKS::FargateProfile",
    "AWS::EKS::Addon",
    "AWS::EKS::AccessEntry",
    "AWS::EKS::PodIdentityAssociation",
    "AWS::EKS::IdentityProviderConfig",
)

# --- ElastiCache -----------------------------------------------------------------------

CACHE_ENGINES = {"redis": "Redis", "valkey": "Valkey", "memcached": "Memcached"}
CACHE_NODES = {
    name: PriceSpec(
        CACHE,
        f"Cache Instance {name}",
        None,
        published=Table("elasticache", rf"^\[OnDemand Cache Instance [A-Za-z ]+ {name} "),
    )
    for name in CACHE_ENGINES.values()
}
CACHE_SERVERLESS = {
    name: (
        PriceSpec(
            CACHE,
            f"Serverless {name} storage",
            None,
            published=Page(
                "elasticache", f"OnDemand ElastiCache Serverless {name} per GB-Hours", "GB-Hours"
            ),
        ),
        PriceSpec(
            CACHE,
            f"Serverless {name} ECPU",
            None,
            published=Page(
                "elasticache",
                f"OnDemand ElastiCache Serverless {name} per ElastiCacheProcessingUnit",
                "ECPU",
            ),
        ),
    )
    for name in CACHE_ENGINES.values()
}


def _cache_nodes(
    ctx: PricingContext, engine_value: Any, node_type: Any, nodes: float, default_engine: str
) -> list[CostComponent]:
    engine = ctx.text(engine_value, default_engine, "cache engine").lower()
    if engine not in CACHE_ENGINES:
        raise Unpriceable(f"cache engine {engine!r} is not one the catalog prices")
    name = CACHE_ENGINES[engine]
    node = ctx.text(node_type, "", "cache node type")
    if not node:
        raise Unpriceable("the cache node type is not known at synth time")
    hours = ctx.hours
    return [
        ctx.component(
            f"Cache nodes ({node}, {name} x {nodes:g})",
            "node-hours",
            nodes * hours,
            ctx.price(CACHE, CACHE_NODES[name].family, None, instanceType=node),
            usage_based=hours != 730,
        )
    ]


@priced(
    "AWS::ElastiCache::CacheCluster",
    service="ElastiCache",
    summary="node hours by node type and engine (Redis OSS, Valkey, Memcached) x nodes",
    usage=(HOURS,),
    prices=tuple(CACHE_NODES.values()),
)
def price_cache_cluster(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    props = resource.properties
    nodes = ctx.number(props.get("NumCacheNodes"), 1, "number of cache nodes")
    return _cache_nodes(ctx, props.get("Engine"), props.get("CacheNodeType"), nodes, "redis")


@priced(
    "AWS::ElastiCache::ReplicationGroup",
    service="ElastiCache",
    summary="node hours by node type and engine x (shards x (replicas + 1), or the number of "
    "cache clusters)",
    usage=(HOURS,),
    prices=tuple(CACHE_NODES.values()),
)
def price_replication_group(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    props = resource.properties
    if props.get("NumNodeGroups") is not None or props.get("ReplicasPerNodeGroup") is not None:
        shards = ctx.number(props.get("NumNodeGroups"), 1, "number of node groups")
        replicas = ctx.number(props.get("ReplicasPerNodeGroup"), 0, "replicas per node group")
        nodes = shards * (replicas + 1)
    else:
        members = props.get("NodeGroupConfiguration")
        if isinstance(members, list) and members:
            nodes = sum(
                ctx.number(m.get("ReplicaCount"), 0, "replica count") + 1
                for m in members
                if isinstance(m, dict)
            )
        else:
            nodes = ctx.number(props.get("NumCacheClusters"), 1, "number of cache clusters")
    return _cache_nodes(ctx, props.get("Engine"), props.get("CacheNodeType"), nodes, "redis")


@priced(
    "AWS::ElastiCache::ServerlessCache",
    service="ElastiCache",
    summary="data stored GB-hours (at least the engine's minimum) and ElastiCache Processing "
    "Units from usage",
    usage=(
        HOURS,
        UsageKey("average_gb", 1, "average data stored, GB"),
        UsageKey("monthly_ecpu", 100_000_000, "ElastiCache Processing Units per month"),
    ),
    prices=tuple(spec for pair in CACHE_SERVERLESS.values() for spec in pair),
)
def price_serverless_cache(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    props = resource.properties
    engine = ctx.text(props.get("Engine"), "", "cache engine").lower()
    if engine not in CACHE_ENGINES:
        raise Unpriceable(f"cache engine {engine or '(unset)'} is not one the catalog prices")
    name = CACHE_ENGINES[engine]
    storage, ecpu = CACHE_SERVERLESS[name]
    # AWS's ElastiCache pricing page: a serverless cache is billed for at least 1 GB
    # (Memcached, Redis OSS) or 100 MB (Valkey) of data.
    minimum = 0.1 if engine == "valkey" else 1.0
    gb = max(ctx.usage.get("average_gb") or 0.0, minimum)
    hours = ctx.hours
    return [
        ctx.component(
            f"Data stored ({gb:g} GB)",
            "GB-hours",
            gb * hours,
            ctx.price(CACHE, storage.family, None),
            usage_based=True,
        ),
        ctx.component(
            "Processing units",
            "ECPUs",
            ctx.usage.get("monthly_ecpu") or 0.0,
            ctx.price(CACHE, ecpu.family, None),
            usage_based=True,
        ),
    ]


free(
    "no charge of its own (billed through the cache nodes)",
    "AWS::ElastiCache::SubnetGroup",
    "AWS::ElastiCache::ParameterGroup",
    "AWS::ElastiCache::SecurityGroup",
    "AWS::ElastiCache::SecurityGroupIngress",
    "AWS::ElastiCache::User",
    "AWS::ElastiCache::UserGroup",
)

# --- Transit Gateway -------------------------------------------------------------------

TGW_HOURS = PriceSpec(
    VPC,
    "Transit Gateway",
    "TransitGatewayVPC-Hours",
    published=Page("vpc", "Hourly charge for Transit Gateway VPC Attachments per hour", "Hrs"),
)
TGW_BYTES = PriceSpec(
    VPC,
    "Transit Gateway",
    "TransitGatewayVPC-Bytes",
    published=Page(
        "vpc",
        "Charge for per GB data processed by AWS Transit Gateways for VPC attachments per "
        "GigaBytes",
        "GB",
    ),
)


def _attachment(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    hours = ctx.hours
    return [
        ctx.component(
            "Transit Gateway VPC attachment",
            "attachment-hours",
            hours,
            ctx.price(VPC, TGW_HOURS.family, TGW_HOURS.usagetype),
            usage_based=hours != 730,
        ),
        ctx.component(
            "Data processed",
            "GB",
            ctx.usage.get("data_processed_gb") or 0.0,
            ctx.price(VPC, TGW_BYTES.family, TGW_BYTES.usagetype),
            usage_based=True,
        ),
    ]


TGW_USAGE = (HOURS, UsageKey("data_processed_gb", 10, "data sent through it per month, GB"))
for _type in ("AWS::EC2::TransitGatewayVpcAttachment", "AWS::EC2::TransitGatewayAttachment"):
    priced(
        _type,
        service="Transit Gateway",
        summary="VPC attachment hours and GB processed",
        usage=TGW_USAGE,
        prices=(TGW_HOURS, TGW_BYTES),
    )(_attachment)

free(
    "billed per attachment and GB processed (on the attachments)",
    "AWS::EC2::TransitGateway",
    "AWS::EC2::TransitGatewayRouteTable",
    "AWS::EC2::TransitGatewayRoute",
    "AWS::EC2::TransitGatewayRouteTableAssociation",
    "AWS::EC2::TransitGatewayRouteTablePropagation",
)
