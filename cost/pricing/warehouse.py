"""Data services: Redshift clusters and Serverless workgroups, MSK clusters (provisioned and
serverless), Amazon MQ brokers, OpenSearch Service and Elasticsearch domains, DAX clusters and
Amazon Keyspaces tables, and the types of these services that bill nothing themselves.

Every price is a row of AWS's pricing-page file for the service (`cost.catalog.sources`:
redshift, msk, mq, es-ondemand, dax, mcs) that names what it prices. Rows the files price only
under an opaque rate code (Redshift managed storage, MSK Express brokers, Amazon MQ and DAX
instance families missing from the named rows) are not used: the lines that need them are
unsupported, or, where the rest of the resource can be priced, said not to be.
"""

from __future__ import annotations

from typing import Any

from cost.catalog import Price
from cost.catalog.spec import Page, PriceSpec, Table
from cost.model import CostComponent
from cost.pricing.context import PricingContext, Resource, Unpriceable, is_unresolved
from cost.pricing.registry import HOURS, UsageKey, free, priced

# --- property readers ----------------------------------------------------------------------


def _section(props: dict[str, Any], name: str) -> dict[str, Any]:
    """A nested property block, {} when unset; Unpriceable when it is not a mapping."""
    value = props.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict) or is_unresolved(value):
        raise Unpriceable(f"{name} is {value!r}, not a mapping known at synth time")
    return value


def _name(value: Any, what: str, prefix: str = "") -> str:
    """A required type name (a node type, an instance type), without AWS's `prefix`."""
    if value is None:
        raise Unpriceable(f"{what} is not set: the type is needed to price it")
    if not isinstance(value, str) or is_unresolved(value):
        raise Unpriceable(f"{what} {value!r} is not known at synth time")
    if prefix and not value.startswith(prefix):
        raise Unpriceable(f"{what} {value!r} does not start with {prefix!r}")
    return value[len(prefix) :]


def _count(
    ctx: PricingContext, value: Any, what: str, default: float | None, *, minimum: float = 1
) -> float:
    """A count or size: `default` (stated) when unset or unresolved; Unpriceable when there
    is no default or the value is not a number of at least `minimum`."""
    if value is None or is_unresolved(value):
        if default is None:
            state = "not set" if value is None else "not known at synth time"
            raise Unpriceable(f"{what} is {state} and has no default to assume")
        state = "not set" if value is None else "not known at synth time"
        ctx.assume(f"{what} {state}: {default:g} assumed")
        return default
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise Unpriceable(f"{what} {value!r} is not a number") from None
    if isinstance(value, bool) or number < minimum:
        raise Unpriceable(f"{what} {value!r} is not a number of at least {minimum:g}")
    return number


def _choice(value: Any, default: str | None, what: str, allowed: tuple[str, ...]) -> str:
    """An enumerated property (case-insensitive), Unpriceable when not one of `allowed`."""
    if value is None:
        if default is None:
            raise Unpriceable(f"{what} is not set (one of {', '.join(allowed)})")
        return default
    if not isinstance(value, str) or is_unresolved(value):
        raise Unpriceable(f"{what} {value!r} is not known at synth time")
    text = value.upper()
    if text not in allowed:
        raise Unpriceable(f"{what} {value!r} is not one of {', '.join(allowed)}")
    return text


def _hours_line(
    ctx: PricingContext, name: str, count: float, price: Price, unit: str = "node-hours"
) -> CostComponent:
    hours = ctx.hours
    return ctx.component(name, unit, count * hours, price, usage_based=hours != 730)


# --- Redshift ------------------------------------------------------------------------------

REDSHIFT = "AmazonRedshift"
#: On-demand node prices: the file's named rows ("ra3 xlplus OnDemand Compute Instance Current
#: Generation"); its rate-code rows repeat them and are not read.
REDSHIFT_NODES = PriceSpec(
    REDSHIFT,
    "Compute Instance",
    None,
    published=Table(
        "redshift",
        r" OnDemand Compute Instance Current Generation$",
        fields=(("vcpu", "vCPU"), ("memory", "Memory"), ("storage", "Storage")),
    ),
)
RPU_HOURS = PriceSpec(
    REDSHIFT,
    "Serverless Compute",
    None,
    published=Page("redshift", "Redshift Serverless compute charges per RPU-Hr", "RPU-Hr"),
)
#: AWS's Redshift management guide (docs.aws.amazon.com/redshift/latest/mgmt/
#: serverless-capacity.html): "The default base capacity for Amazon Redshift Serverless is 128
#: RPUs."
DEFAULT_BASE_RPUS = 128
_RMS = (
    "the redshift price file names no managed-storage (RMS) row; its rows for it carry only "
    "rate codes"
)


@priced(
    "AWS::Redshift::Cluster",
    service="Redshift",
    summary="on-demand node hours by node type x nodes (single-node: 1); RA3 managed storage "
    "not priced (the file names no row for it)",
    usage=(HOURS,),
    prices=(REDSHIFT_NODES,),
)
def price_redshift_cluster(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    props = resource.properties
    node = _name(props.get("NodeType"), "NodeType")
    kind = props.get("ClusterType")
    if kind is None:
        kind = "multi-node" if props.get("NumberOfNodes") not in (None, 1, "1") else "single-node"
        ctx.assume(f"ClusterType not set: {kind} assumed from NumberOfNodes")
    kind = _choice(kind, None, "ClusterType", ("SINGLE-NODE", "MULTI-NODE")).lower()
    if kind == "single-node":
        nodes = 1.0
    else:
        # A multi-node cluster has at least 2 nodes (fewer is a single-node cluster).
        nodes = _count(ctx, props.get("NumberOfNodes"), "NumberOfNodes", 2, minimum=2)
    if node.startswith("ra3."):
        ctx.assume(f"RA3 managed storage (billed per GB-month) is not priced: {_RMS}")
    return [
        _hours_line(
            ctx,
            f"Nodes ({node} x {nodes:g})",
            nodes,
            ctx.price(REDSHIFT, REDSHIFT_NODES.family, None, instanceType=node),
        )
    ]


@priced(
    "AWS::RedshiftServerless::Workgroup",
    service="Redshift",
    summary="RPU-hours: base capacity (default 128 RPUs) x hours queries run (from usage); "
    "scaling above the base capacity not modelled",
    usage=(
        UsageKey(
            "active_hours_per_month",
            730,
            "hours per month the workgroup runs queries, at its base capacity (730 = busy all "
            "month; idle time bills no compute)",
        ),
    ),
    prices=(RPU_HOURS,),
)
def price_serverless_workgroup(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    props = resource.properties
    base = props.get("BaseCapacity")
    if base is None:
        ctx.assume(f"BaseCapacity not set: AWS's default of {DEFAULT_BASE_RPUS} RPUs")
    rpus = _count(ctx, base, "BaseCapacity (RPUs)", DEFAULT_BASE_RPUS)
    active = min(730.0, ctx.usage.get("active_hours_per_month") or 0.0)
    ctx.assume(
        "compute billed at the base capacity while queries run; scaling above it (up to "
        "MaxCapacity) bills more"
    )
    return [
        ctx.component(
            f"Compute ({rpus:g} RPUs x {active:g} active hours)",
            "RPU-hours",
            rpus * active,
            ctx.price(REDSHIFT, RPU_HOURS.family, None),
            usage_based=True,
        )
    ]


free(
    "no charge of its own: compute bills on the workgroup, stored data as Redshift managed "
    f"storage per GB-month (not priced: {_RMS})",
    "AWS::RedshiftServerless::Namespace",
)
free(
    "configuration only; billed through the cluster's nodes",
    "AWS::Redshift::ClusterSubnetGroup",
    "AWS::Redshift::ClusterParameterGroup",
)

# --- MSK -----------------------------------------------------------------------------------

MSK = "AmazonMSK"
#: Standard brokers: the file's named rows "RunBroker m5.large" (its "RunBroker-computefamily-"
#: rows repeat the prices without the row fields and are not read).
MSK_BROKERS = PriceSpec(
    MSK,
    "Broker Instance",
    None,
    published=Table(
        "msk",
        r"^RunBroker \S+$",
        row_field="Compute Family",
        fields=(("vcpu", "vCPU"), ("memory", "Memory (GiB)")),
    ),
)
MSK_STORAGE = PriceSpec(
    MSK, "Broker Storage", None, published=Page("msk", "RunVolume GP2", "GB-Mo")
)
#: MSK Serverless. AWS's MSK pricing page bills storage in GB-months (GB stored each hour,
#: summed and divided by the hours of the month); the file calls the row "Storage-hours".
MSK_SERVERLESS = {
    name: PriceSpec(MSK, f"Serverless {name}", None, published=Page("msk", dimension, unit))
    for name, dimension, unit in (
        ("Cluster", "Serverless Cluster-hours", "Hrs"),
        ("Partition", "Serverless Partition-hours", "Hrs"),
        ("Storage", "Serverless Storage-hours", "GB-Mo"),
        ("Data In", "Serverless Per-GB data ingressed", "GB"),
        ("Data Out", "Serverless Per-GB data egressed", "GB"),
    )
}


def _brokers(ctx: PricingContext, props: dict[str, Any], group: dict[str, Any]) -> float:
    value = props.get("NumberOfBrokerNodes")
    if is_unresolved(value):
        subnets = group.get("ClientSubnets")
        if isinstance(subnets, list) and not is_unresolved(subnets) and subnets:
            # Brokers are a multiple of the client subnets (one per zone): at least one each.
            ctx.assume(
                f"NumberOfBrokerNodes is not known at synth time: {len(subnets)} assumed (one "
                "per client subnet, the minimum)"
            )
            return float(len(subnets))
    return _count(ctx, value, "NumberOfBrokerNodes", None)


@priced(
    "AWS::MSK::Cluster",
    service="MSK",
    summary="standard broker hours by instance type x brokers, and each broker's EBS storage "
    "GB-months (Express brokers, tiered storage and provisioned storage throughput not priced)",
    usage=(HOURS,),
    prices=(MSK_BROKERS, MSK_STORAGE),
)
def price_msk_cluster(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    props = resource.properties
    group = _section(props, "BrokerNodeGroupInfo")
    instance = group.get("InstanceType")
    if isinstance(instance, str) and instance.startswith("express."):
        raise Unpriceable(
            f"Express brokers ({instance}): the msk file prices them only under rate codes, "
            "not named rows"
        )
    broker = _name(instance, "BrokerNodeGroupInfo.InstanceType", "kafka.")
    if _choice(props.get("StorageMode"), "LOCAL", "StorageMode", ("LOCAL", "TIERED")) == "TIERED":
        raise Unpriceable("StorageMode TIERED: tiered storage is not modelled")
    brokers = _brokers(ctx, props, group)
    storage = _section(group, "StorageInfo")
    ebs = _section(storage, "EBSStorageInfo") or _section(storage, "EbsStorageInfo")
    throughput = _section(ebs, "ProvisionedThroughput")
    if throughput.get("Enabled") is True or str(throughput.get("Enabled")).lower() == "true":
        raise Unpriceable(
            "ProvisionedThroughput is enabled: the msk file does not name its storage-throughput "
            "row"
        )
    size = ebs.get("VolumeSize")
    if size is None:
        raise Unpriceable(
            "BrokerNodeGroupInfo.StorageInfo.EBSStorageInfo.VolumeSize is not set: each "
            "broker's EBS volume size is needed (AWS's CloudFormation reference states no "
            "default)"
        )
    gib = _count(ctx, size, "EBSStorageInfo.VolumeSize (GiB)", None)
    return [
        _hours_line(
            ctx,
            f"Brokers (kafka.{broker} x {brokers:g})",
            brokers,
            ctx.price(MSK, MSK_BROKERS.family, None, instanceType=broker),
            "broker-hours",
        ),
        ctx.component(
            f"Broker storage ({gib:g} GiB x {brokers:g})",
            "GB-months",
            gib * brokers,
            ctx.price(MSK, MSK_STORAGE.family, None),
        ),
    ]


@priced(
    "AWS::MSK::ServerlessCluster",
    service="MSK",
    summary="cluster-hours, partition-hours, storage GB-months and GB in and out (partitions, "
    "storage and traffic from usage)",
    usage=(
        HOURS,
        UsageKey("partitions", 10, "partitions the cluster holds", integer=True),
        UsageKey("storage_gb", 10, "data stored, GB-month"),
        UsageKey("monthly_in_gb", 10, "data produced into the cluster per month, GB"),
        UsageKey("monthly_out_gb", 10, "data consumed from the cluster per month, GB"),
    ),
    prices=tuple(MSK_SERVERLESS.values()),
)
def price_msk_serverless(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    hours = ctx.hours
    partitions = ctx.usage.get("partitions") or 0.0

    def price(name: str) -> Price:
        return ctx.price(MSK, MSK_SERVERLESS[name].family, None)

    return [
        _hours_line(ctx, "Cluster", 1, price("Cluster"), "cluster-hours"),
        ctx.component(
            f"Partitions ({partitions:g})",
            "partition-hours",
            partitions * hours,
            price("Partition"),
            usage_based=True,
        ),
        ctx.component(
            "Storage",
            "GB-months",
            ctx.usage.get("storage_gb") or 0.0,
            price("Storage"),
            usage_based=True,
        ),
        ctx.component(
            "Data in",
            "GB",
            ctx.usage.get("monthly_in_gb") or 0.0,
            price("Data In"),
            usage_based=True,
        ),
        ctx.component(
            "Data out",
            "GB",
            ctx.usage.get("monthly_out_gb") or 0.0,
            price("Data Out"),
            usage_based=True,
        ),
    ]


free(
    "configuration only; billed through the cluster's brokers",
    "AWS::MSK::Configuration",
    "AWS::MSK::BatchScramSecret",
    "AWS::MSK::ClusterPolicy",
)

# --- Amazon MQ -----------------------------------------------------------------------------

MQ = "AmazonMQ"
#: Broker prices by engine and deployment mode: the file's named rows, keyed by instance type
#: without AWS's "mq." prefix. ActiveMQ's "Active Standby" rows price the pair of brokers (each
#: is twice the single-instance row); RabbitMQ's "Active Standby" rows are its only multi-AZ
#: rows, the three-node cluster deployment (each is three times the single-instance row).
MQ_BROKERS = {
    (engine, mode): PriceSpec(
        MQ,
        f"Broker {engine} {mode}",
        None,
        published=Table(
            "mq", rf"^{prefix} mq (?P<instance>[a-z0-9]+\.[a-z0-9]+)$", key_group="instance"
        ),
    )
    for engine, mode, prefix in (
        ("ACTIVEMQ", "SINGLE_INSTANCE", "Single Instance"),
        ("ACTIVEMQ", "ACTIVE_STANDBY_MULTI_AZ", "Active Standby"),
        ("RABBITMQ", "SINGLE_INSTANCE", "RabbitMQ Single Instance"),
        ("RABBITMQ", "CLUSTER_MULTI_AZ", "RabbitMQ Active Standby"),
    )
}
#: Broker storage. AWS's Amazon MQ developer guide (broker-storage): ActiveMQ brokers use
#: Amazon EFS by default, replicated across zones; Amazon EBS keeps its data in a single zone
#: (so it does not serve active/standby brokers). The file's rows: "Broker Storage GB Mo"
#: (EFS) and "Broker Storage Single AZ GB-Mo" (EBS). A RabbitMQ single-instance broker keeps
#: its data on one EBS volume in one zone (the guide's RabbitMQ broker architecture).
MQ_STORAGE = {
    "EFS": PriceSpec(
        MQ, "Broker Storage EFS", None, published=Page("mq", "Broker Storage GB Mo", "GB-Mo")
    ),
    "EBS": PriceSpec(
        MQ,
        "Broker Storage EBS",
        None,
        published=Page("mq", "Broker Storage Single AZ GB-Mo", "GB-Mo"),
    ),
}
_MQ_MODES = {
    "ACTIVEMQ": ("SINGLE_INSTANCE", "ACTIVE_STANDBY_MULTI_AZ"),
    "RABBITMQ": ("SINGLE_INSTANCE", "CLUSTER_MULTI_AZ"),
}


@priced(
    "AWS::AmazonMQ::Broker",
    service="Amazon MQ",
    summary="broker hours by engine, deployment mode and instance type, and ActiveMQ (EFS or "
    "EBS) or single-instance RabbitMQ storage GB-months from usage",
    usage=(HOURS, UsageKey("storage_gb", 1, "message data stored, GB-month")),
    prices=(*MQ_BROKERS.values(), *MQ_STORAGE.values()),
)
def price_mq_broker(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    props = resource.properties
    engine = _choice(props.get("EngineType"), None, "EngineType", ("ACTIVEMQ", "RABBITMQ"))
    mode = _choice(props.get("DeploymentMode"), None, "DeploymentMode", _MQ_MODES[engine])
    instance = _name(props.get("HostInstanceType"), "HostInstanceType", "mq.")
    label = {
        "SINGLE_INSTANCE": "single-instance",
        "ACTIVE_STANDBY_MULTI_AZ": "active/standby pair",
        "CLUSTER_MULTI_AZ": "3-node cluster",
    }[mode]
    components = [
        _hours_line(
            ctx,
            f"Broker ({engine.title()} mq.{instance}, {label})",
            1,
            ctx.price(MQ, MQ_BROKERS[(engine, mode)].family, None, instanceType=instance),
            "broker-hours",
        )
    ]
    if engine == "ACTIVEMQ":
        kind = _choice(props.get("StorageType"), "EFS", "StorageType", ("EFS", "EBS"))
        if kind == "EBS" and mode != "SINGLE_INSTANCE":
            raise Unpriceable("StorageType EBS serves single-instance ActiveMQ brokers only")
    elif mode == "SINGLE_INSTANCE":
        kind = "EBS"
    else:
        ctx.assume(
            "RabbitMQ cluster storage is not priced: the mq file's storage rows (EFS, and EBS in "
            "a single zone) do not say how a three-zone cluster's volumes bill"
        )
        return components
    components.append(
        ctx.component(
            f"Broker storage ({kind})",
            "GB-months",
            ctx.usage.get("storage_gb") or 0.0,
            ctx.price(MQ, MQ_STORAGE[kind].family, None),
            usage_based=True,
        )
    )
    return components


free(
    "configuration only; billed through the broker",
    "AWS::AmazonMQ::Configuration",
    "AWS::AmazonMQ::ConfigurationAssociation",
)

# --- OpenSearch Service / Elasticsearch domains --------------------------------------------

ES = "AmazonES"
#: On-demand instance prices, every node role alike (the file's "m5 large.search - OnDemand -
#: General purpose - Current Generation" rows).
ES_INSTANCES = PriceSpec(
    ES,
    "Domain Instance",
    None,
    published=Table(
        "es-ondemand",
        r" - OnDemand - .+ - Current Generation$",
        fields=(("vcpu", "vCPU"), ("memory", "Memory (GiB)"), ("storage", "Storage")),
    ),
)


def _es_page(family: str, dimension: str, unit: str) -> PriceSpec:
    return PriceSpec(ES, family, None, published=Page("es-ondemand", dimension, unit))


#: EBS storage per GB-month by volume type. The file names io1 ("Provisioned IOPS" SSD) by two
#: rows, "EBS Volume Provisioned Storage" (its GB-month) and "EBS Volume Provisioned IOPS" (its
#: IOPS-month), and gp3's two rows besides its storage "EBS Volume GP3-Provisioned Storage"
#: (provisioned IOPS) and "EBS Volume GP3-ThroughPut-Storage" (throughput, per MiB/s-month).
ES_STORAGE = {
    "gp2": _es_page("EBS Storage gp2", "EBS Volume General Purpose", "GB-Mo"),
    "gp3": _es_page("EBS Storage gp3", "EBS Volume GP3", "GB-Mo"),
    "io1": _es_page("EBS Storage io1", "EBS Volume Provisioned Storage", "GB-Mo"),
    "standard": _es_page("EBS Storage magnetic", "EBS Volume Magnetic", "GB-Mo"),
}
ES_IOPS = {
    "gp3": _es_page("EBS IOPS gp3", "EBS Volume GP3-Provisioned Storage", "IOPS-Mo"),
    "io1": _es_page("EBS IOPS io1", "EBS Volume Provisioned IOPS", "IOPS-Mo"),
}
ES_THROUGHPUT = _es_page("EBS Throughput gp3", "EBS Volume GP3-ThroughPut-Storage", "MiBps-Mo")
ULTRAWARM = PriceSpec(
    ES,
    "UltraWarm Instance",
    None,
    unsourced="the vendored es-ondemand file has no UltraWarm node or managed-storage rows",
)
ES_PRICES = (ES_INSTANCES, *ES_STORAGE.values(), *ES_IOPS.values(), ES_THROUGHPUT, ULTRAWARM)
#: gp3's included baseline per volume, as EBS documents it (cost.pricing.instances): 3,000 IOPS
#: and 125 MiB/s; only what a domain provisions above it is charged.
GP3_BASE_IOPS, GP3_BASE_MIBPS = 3000, 125
#: Dedicated master nodes when DedicatedMasterCount is not set: OpenSearch Service's
#: recommendation of three (its developer guide, "Dedicated master nodes").
DEFAULT_MASTERS = 3


def _node_type(ctx: PricingContext, value: Any, what: str, elasticsearch: bool) -> str:
    name = _name(value, what)
    if elasticsearch and name.endswith(".elasticsearch"):
        name = name[: -len(".elasticsearch")] + ".search"
        ctx.assume(f"{what}: the Elasticsearch type priced as its OpenSearch Service name ({name})")
    if not name.endswith(".search"):
        raise Unpriceable(f"{what} {value!r} is not an OpenSearch Service instance type")
    if name.startswith("or1."):
        raise Unpriceable(
            f"{what} {value!r}: OR1 instances also bill managed storage, which the es-ondemand "
            "file does not price"
        )
    return name


def _es_ebs(ctx: PricingContext, ebs: dict[str, Any], nodes: float) -> list[CostComponent]:
    """Each data node's EBS volume: storage, and gp3/io1 provisioned performance."""
    enabled = ebs.get("EBSEnabled")
    if not ebs or enabled is False or str(enabled).lower() == "false":
        ctx.assume("no EBS volumes (EBSOptions not enabled): instance storage only")
        return []
    kind = ebs.get("VolumeType")
    if kind is None:
        ctx.assume("EBSOptions.VolumeType not set: gp2 assumed")
    kind = _choice(kind, "GP2", "EBSOptions.VolumeType", ("GP2", "GP3", "IO1", "STANDARD"))
    kind = kind.lower()
    size = _count(ctx, ebs.get("VolumeSize"), "EBSOptions.VolumeSize (GiB)", None)
    each = f" x {nodes:g} data nodes" if nodes != 1 else ""
    components = [
        ctx.component(
            f"EBS storage ({kind}, {size:g} GiB{each})",
            "GB-months",
            size * nodes,
            ctx.price(ES, ES_STORAGE[kind].family, None),
        )
    ]
    if kind == "gp3":
        iops = _count(ctx, ebs.get("Iops"), "EBSOptions.Iops", GP3_BASE_IOPS, minimum=0)
        if iops > GP3_BASE_IOPS:
            components.append(
                ctx.component(
                    f"gp3 IOPS above the {GP3_BASE_IOPS} baseline{each}",
                    "IOPS-months",
                    (iops - GP3_BASE_IOPS) * nodes,
                    ctx.price(ES, ES_IOPS["gp3"].family, None),
                )
            )
        mibps = _count(
            ctx, ebs.get("Throughput"), "EBSOptions.Throughput (MiB/s)", GP3_BASE_MIBPS, minimum=0
        )
        if mibps > GP3_BASE_MIBPS:
            components.append(
                ctx.component(
                    f"gp3 throughput above {GP3_BASE_MIBPS} MiB/s{each}",
                    "MiB/s-months",
                    (mibps - GP3_BASE_MIBPS) * nodes,
                    ctx.price(ES, ES_THROUGHPUT.family, None),
                )
            )
    elif kind == "io1":
        iops = _count(ctx, ebs.get("Iops"), "EBSOptions.Iops (io1)", None)
        components.append(
            ctx.component(
                f"Provisioned IOPS (io1, {iops:g}{each})",
                "IOPS-months",
                iops * nodes,
                ctx.price(ES, ES_IOPS["io1"].family, None),
            )
        )
    return components


def _domain(ctx: PricingContext, props: dict[str, Any], config_key: str) -> list[CostComponent]:
    elasticsearch = config_key == "ElasticsearchClusterConfig"
    config = _section(props, config_key)

    def instance(name: str) -> Price:
        return ctx.price(ES, ES_INSTANCES.family, None, instanceType=name)

    data = _node_type(ctx, config.get("InstanceType"), f"{config_key}.InstanceType", elasticsearch)
    nodes = _count(ctx, config.get("InstanceCount"), f"{config_key}.InstanceCount", 1)
    components = [_hours_line(ctx, f"Data nodes ({data} x {nodes:g})", nodes, instance(data))]
    if ctx.flag(config.get("DedicatedMasterEnabled"), False, "DedicatedMasterEnabled"):
        master = _node_type(
            ctx,
            config.get("DedicatedMasterType"),
            f"{config_key}.DedicatedMasterType",
            elasticsearch,
        )
        masters = _count(
            ctx, config.get("DedicatedMasterCount"), "DedicatedMasterCount", DEFAULT_MASTERS
        )
        components.append(
            _hours_line(
                ctx, f"Dedicated master nodes ({master} x {masters:g})", masters, instance(master)
            )
        )
    options = config.get("NodeOptions")
    for option in options if isinstance(options, list) else []:
        node = option.get("NodeConfig") if isinstance(option, dict) else None
        if not isinstance(node, dict) or not ctx.flag(node.get("Enabled"), False, "NodeConfig"):
            continue
        role = str(option.get("NodeType", "node"))
        kind = _node_type(ctx, node.get("Type"), f"NodeOptions {role} Type", elasticsearch)
        count = _count(ctx, node.get("Count"), f"NodeOptions {role} Count", None)
        components.append(
            _hours_line(ctx, f"{role.title()} nodes ({kind} x {count:g})", count, instance(kind))
        )
    if ctx.flag(config.get("WarmEnabled"), False, "WarmEnabled"):
        ctx.price(ES, ULTRAWARM.family, None)  # unsourced: reported unsupported, with why
    cold = _section(config, "ColdStorageOptions")
    if ctx.flag(cold.get("Enabled"), False, "ColdStorageOptions.Enabled"):
        raise Unpriceable("cold storage: the es-ondemand file has no cold-storage row")
    return components + _es_ebs(ctx, _section(props, "EBSOptions"), nodes)


_DOMAIN_SUMMARY = (
    "data, dedicated master and coordinator node hours by instance type x count, and each "
    "data node's EBS volume (gp2, gp3 with IOPS and throughput above the baseline, io1 with "
    "its IOPS, magnetic); UltraWarm, cold storage and OR1 not priced"
)


@priced(
    "AWS::OpenSearchService::Domain",
    service="OpenSearch",
    summary=_DOMAIN_SUMMARY,
    usage=(HOURS,),
    prices=ES_PRICES,
)
def price_opensearch_domain(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    return _domain(ctx, resource.properties, "ClusterConfig")


@priced(
    "AWS::Elasticsearch::Domain",
    service="OpenSearch",
    summary=_DOMAIN_SUMMARY + " (Elasticsearch instance types at their OpenSearch price)",
    usage=(HOURS,),
    prices=ES_PRICES,
)
def price_elasticsearch_domain(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    return _domain(ctx, resource.properties, "ElasticsearchClusterConfig")


# --- DAX -----------------------------------------------------------------------------------

DAX = "AmazonDAX"
#: The file's named rows ("r5.large - Hourly Cost"), keyed by node type without "dax.".
DAX_NODES = PriceSpec(
    DAX,
    "DAX Node",
    None,
    published=Table(
        "dax",
        r"^[a-z0-9]+\.[a-z0-9]+ - Hourly Cost$",
        fields=(("vcpu", "vCPU"), ("memory", "Memory")),
    ),
)


@priced(
    "AWS::DAX::Cluster",
    service="DAX",
    summary="node hours by node type x replication factor (nodes)",
    usage=(HOURS,),
    prices=(DAX_NODES,),
)
def price_dax_cluster(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    props = resource.properties
    node = _name(props.get("NodeType"), "NodeType", "dax.")
    nodes = _count(ctx, props.get("ReplicationFactor"), "ReplicationFactor", None)
    return [
        _hours_line(
            ctx,
            f"Nodes (dax.{node} x {nodes:g})",
            nodes,
            ctx.price(DAX, DAX_NODES.family, None, instanceType=node),
        )
    ]


free(
    "configuration only; billed through the cluster's nodes",
    "AWS::DAX::SubnetGroup",
    "AWS::DAX::ParameterGroup",
)

# --- Amazon Keyspaces ----------------------------------------------------------------------

KEYSPACES = "AmazonMCS"


def _mcs(family: str, dimension: str, unit: str) -> PriceSpec:
    return PriceSpec(KEYSPACES, family, None, published=Page("mcs", dimension, unit))


KEYSPACES_READS = _mcs("On-Demand Reads", "MCS-ReadUnits", "ReadRequestUnits")
KEYSPACES_WRITES = _mcs("On-Demand Writes", "MCS-WriteUnits", "WriteRequestUnits")
KEYSPACES_RCU = _mcs("Provisioned Reads", "Provisioned Read Units", "ReadCapacityUnit-Hrs")
KEYSPACES_WCU = _mcs("Provisioned Writes", "Provisioned Write Units", "WriteCapacityUnit-Hrs")
KEYSPACES_STORAGE = _mcs("Storage", "AmazonMCS - Indexed DataStore per GB-Mo", "GB-Mo")
KEYSPACES_PITR = _mcs(
    "PITR Storage", "Point-In-Time-Restore PITR Backup Storage per GB-Mo", "GB-Mo"
)
KEYSPACES_TTL = _mcs("TTL Deletes", "Time to Live", "Deletes")


@priced(
    "AWS::Cassandra::Table",
    service="Keyspaces",
    summary="on-demand read and write request units (from usage) or provisioned capacity "
    "unit-hours, storage GB-months, point-in-time recovery storage, TTL deletes (from usage)",
    usage=(
        HOURS,
        UsageKey("monthly_read_units", 1_000_000, "on-demand read request units per month"),
        UsageKey("monthly_write_units", 1_000_000, "on-demand write request units per month"),
        UsageKey("storage_gb", 1, "data stored, GB-month"),
        UsageKey("monthly_ttl_deletes", 0, "rows expired by Time to Live per month"),
    ),
    prices=(
        KEYSPACES_READS,
        KEYSPACES_WRITES,
        KEYSPACES_RCU,
        KEYSPACES_WCU,
        KEYSPACES_STORAGE,
        KEYSPACES_PITR,
        KEYSPACES_TTL,
    ),
)
def price_keyspaces_table(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    props = resource.properties
    billing = _section(props, "BillingMode")
    mode = _choice(
        billing.get("Mode"), "ON_DEMAND", "BillingMode.Mode", ("ON_DEMAND", "PROVISIONED")
    )

    def price(spec: PriceSpec) -> Price:
        return ctx.price(KEYSPACES, spec.family, None)

    if mode == "ON_DEMAND":
        components = [
            ctx.component(
                "Reads (on-demand)",
                "read request units",
                ctx.usage.get("monthly_read_units") or 0.0,
                price(KEYSPACES_READS),
                usage_based=True,
            ),
            ctx.component(
                "Writes (on-demand)",
                "write request units",
                ctx.usage.get("monthly_write_units") or 0.0,
                price(KEYSPACES_WRITES),
                usage_based=True,
            ),
        ]
    else:
        throughput = _section(billing, "ProvisionedThroughput")
        if not throughput:
            raise Unpriceable("BillingMode PROVISIONED needs BillingMode.ProvisionedThroughput")
        reads = _count(ctx, throughput.get("ReadCapacityUnits"), "ReadCapacityUnits", None)
        writes = _count(ctx, throughput.get("WriteCapacityUnits"), "WriteCapacityUnits", None)
        components = [
            _hours_line(
                ctx, f"Read capacity ({reads:g} RCU)", reads, price(KEYSPACES_RCU), "RCU-hours"
            ),
            _hours_line(
                ctx, f"Write capacity ({writes:g} WCU)", writes, price(KEYSPACES_WCU), "WCU-hours"
            ),
        ]
    stored = ctx.usage.get("storage_gb") or 0.0
    components.append(
        ctx.component("Storage", "GB-months", stored, price(KEYSPACES_STORAGE), usage_based=True)
    )
    if ctx.flag(props.get("PointInTimeRecoveryEnabled"), False, "PointInTimeRecoveryEnabled"):
        components.append(
            ctx.component(
                "Point-in-time recovery (the table's size)",
                "GB-months",
                stored,
                price(KEYSPACES_PITR),
                usage_based=True,
            )
        )
    deletes = ctx.usage.get("monthly_ttl_deletes") or 0.0
    if deletes or props.get("DefaultTimeToLive") not in (None, 0, "0"):
        components.append(
            ctx.component("TTL deletes", "deletes", deletes, price(KEYSPACES_TTL), usage_based=True)
        )
    return components


free("no charge of its own; billed through its tables", "AWS::Cassandra::Keyspace")
