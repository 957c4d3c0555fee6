"""Managed data services beside RDS: DocumentDB and Neptune clusters and instances, MemoryDB
clusters, DMS replication instances, and the types of these services that bill nothing.

Instance prices are the on-demand rows of the services' flattened pricing-page files (one row
per instance type); storage and I/O come from usage keys. No free tier is deducted.
"""

from __future__ import annotations

from cost.catalog.spec import Page, PriceSpec, Table
from cost.model import CostComponent
from cost.pricing.context import PricingContext, Resource, Unpriceable
from cost.pricing.registry import HOURS, UsageKey, free, priced

STORAGE = UsageKey("storage_gb", 50, "cluster storage, GB-months")
IO_MILLIONS = UsageKey("monthly_io_millions", 10, "I/O requests per month, millions")
BACKUP = UsageKey("backup_storage_gb", 0, "backup storage beyond the free allowance, GB-months")


def _io_optimized(ctx: PricingContext, cluster: Resource | None) -> bool:
    """DocumentDB and Neptune clusters say StorageType "iopt1" for I/O-Optimized."""
    if cluster is None:
        return False
    storage = ctx.text(cluster.properties.get("StorageType"), "standard", "cluster storage type")
    return storage.lower() == "iopt1"


def _instance_hours(
    ctx: PricingContext, service: str, family: str, instance_class: str, what: str
) -> CostComponent:
    hours = ctx.hours
    return ctx.component(
        f"{what} ({instance_class})",
        "hours",
        hours,
        ctx.price(service, family, None, instanceType=instance_class),
        usage_based=hours != 730,
    )


def _cluster_storage(
    ctx: PricingContext,
    service: str,
    storage: PriceSpec,
    io: PriceSpec | None,
    backup: PriceSpec,
    mode: str,
) -> list[CostComponent]:
    stored = ctx.usage.get("storage_gb") or 0.0
    components = [
        ctx.component(
            f"Cluster storage ({mode}, {stored:g} GB)",
            "GB-months",
            stored,
            ctx.price(service, storage.family, None),
            usage_based=True,
        )
    ]
    if io is not None:
        components.append(
            ctx.component(
                "I/O requests",
                "requests",
                (ctx.usage.get("monthly_io_millions") or 0.0) * 1e6,
                ctx.price(service, io.family, None),
                usage_based=True,
            )
        )
    components.append(
        ctx.component(
            "Backup storage beyond the free allowance",
            "GB-months",
            ctx.usage.get("backup_storage_gb") or 0.0,
            ctx.price(service, backup.family, None),
            usage_based=True,
        )
    )
    return components


# --- DocumentDB --------------------------------------------------------------------------

DOCDB = "AmazonDocDB"
#: Standard rows are "[Memory optimized OnDemand] ..." (r8g only in the bare family row);
#: I/O-Optimized rows carry "IO-Optimized-DocDB" in the family, which the pattern excludes.
DOCDB_INSTANCES = {
    False: PriceSpec(
        DOCDB, "Database Instance", None, published=Table("docdb", r"^\[[A-Za-z ]+ OnDemand\]")
    ),
    True: PriceSpec(
        DOCDB,
        "Database Instance I/O-Optimized",
        None,
        published=Table("docdb", r"^\[[A-Za-z ]+ OnDemand IO-Optimized-DocDB\]"),
    ),
}
DOCDB_STORAGE = {
    False: PriceSpec(
        DOCDB, "Database Storage", None, published=Page("docdb", "Database Storage", "GB-Mo")
    ),
    True: PriceSpec(
        DOCDB,
        "Database Storage I/O-Optimized",
        None,
        published=Page("docdb", "Database Storage IO-Optimized-DocDB", "GB-Mo"),
    ),
}
# The file names the per-I/O price "1 million IO requests"; its figure (0.0000002) is per I/O.
DOCDB_IO = PriceSpec(
    DOCDB, "System Operation", None, published=Page("docdb", "1 million IO requests", "IOs")
)
DOCDB_BACKUP = PriceSpec(
    DOCDB, "Storage Snapshot", None, published=Page("docdb", "Storage Snapshot", "GB-Mo")
)


@priced(
    "AWS::DocDB::DBCluster",
    service="DocumentDB",
    summary="storage, I/O (standard storage only) and backup storage, from usage; instances "
    "are priced on the DB instances",
    usage=(STORAGE, IO_MILLIONS, BACKUP),
    prices=(*DOCDB_STORAGE.values(), DOCDB_IO, DOCDB_BACKUP),
)
def price_docdb_cluster(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    io_optimized = _io_optimized(ctx, resource)
    return _cluster_storage(
        ctx,
        DOCDB,
        DOCDB_STORAGE[io_optimized],
        None if io_optimized else DOCDB_IO,
        DOCDB_BACKUP,
        "I/O-Optimized" if io_optimized else "standard",
    )


@priced(
    "AWS::DocDB::DBInstance",
    service="DocumentDB",
    summary="instance hours by class (the I/O-Optimized rate when its cluster is iopt1)",
    usage=(HOURS,),
    prices=tuple(DOCDB_INSTANCES.values()),
    reads=("AWS::DocDB::DBCluster",),
)
def price_docdb_instance(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    props = resource.properties
    instance_class = ctx.text(props.get("DBInstanceClass"), "", "DB instance class")
    if not instance_class:
        raise Unpriceable("the DB instance class is not known at synth time")
    cluster = ctx.referenced(props.get("DBClusterIdentifier"), "AWS::DocDB::DBCluster")
    family = DOCDB_INSTANCES[_io_optimized(ctx, cluster)].family
    return [_instance_hours(ctx, DOCDB, family, instance_class, "DocumentDB instance")]


free(
    "configuration only; no charge of its own",
    "AWS::DocDB::DBClusterParameterGroup",
    "AWS::DocDB::DBSubnetGroup",
)

# --- Neptune -----------------------------------------------------------------------------

NEPTUNE = "AmazonNeptune"
_NEPTUNE_ROW = r"^\[Neptune [A-Za-z ]+ Current Generation\] Neptune "
NEPTUNE_INSTANCES = {
    False: PriceSpec(
        NEPTUNE,
        "Database Instance",
        None,
        published=Table("neptune", _NEPTUNE_ROW + r"(?!IO optimized)"),
    ),
    True: PriceSpec(
        NEPTUNE,
        "Database Instance I/O-Optimized",
        None,
        published=Table("neptune", _NEPTUNE_ROW + "IO optimized "),
    ),
}
NEPTUNE_STORAGE = {
    False: PriceSpec(
        NEPTUNE, "Database Storage", None, published=Page("neptune", "Storage Rate", "GB-Mo")
    ),
    True: PriceSpec(
        NEPTUNE,
        "Database Storage I/O-Optimized",
        None,
        published=Page("neptune", "IO optimized Storage Rate General Purpose-Aurora", "GB-Mo"),
    ),
}
NEPTUNE_IO = PriceSpec(
    NEPTUNE, "System Operation", None, published=Page("neptune", "IO Rate", "IOs")
)
NEPTUNE_BACKUP = PriceSpec(
    NEPTUNE,
    "Storage Snapshot",
    None,
    published=Page("neptune", "Storage Snapshot Rate", "GB-Mo"),
)


@priced(
    "AWS::Neptune::DBCluster",
    service="Neptune",
    summary="storage, I/O (standard storage only) and backup storage, from usage; instances "
    "are priced on the DB instances",
    usage=(STORAGE, IO_MILLIONS, BACKUP),
    prices=(*NEPTUNE_STORAGE.values(), NEPTUNE_IO, NEPTUNE_BACKUP),
)
def price_neptune_cluster(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    io_optimized = _io_optimized(ctx, resource)
    return _cluster_storage(
        ctx,
        NEPTUNE,
        NEPTUNE_STORAGE[io_optimized],
        None if io_optimized else NEPTUNE_IO,
        NEPTUNE_BACKUP,
        "I/O-Optimized" if io_optimized else "standard",
    )


@priced(
    "AWS::Neptune::DBInstance",
    service="Neptune",
    summary="instance hours by class (the I/O-Optimized rate when its cluster is iopt1)",
    usage=(HOURS,),
    prices=tuple(NEPTUNE_INSTANCES.values()),
    reads=("AWS::Neptune::DBCluster",),
)
def price_neptune_instance(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    props = resource.properties
    instance_class = ctx.text(props.get("DBInstanceClass"), "", "DB instance class")
    if not instance_class:
        raise Unpriceable("the DB instance class is not known at synth time")
    if instance_class == "db.serverless":
        raise Unpriceable("Neptune Serverless (NCU-hours) is not modelled")
    cluster = ctx.referenced(props.get("DBClusterIdentifier"), "AWS::Neptune::DBCluster")
    family = NEPTUNE_INSTANCES[_io_optimized(ctx, cluster)].family
    return [_instance_hours(ctx, NEPTUNE, family, instance_class, "Neptune instance")]


free(
    "configuration only; no charge of its own",
    "AWS::Neptune::DBClusterParameterGroup",
    "AWS::Neptune::DBParameterGroup",
    "AWS::Neptune::DBSubnetGroup",
)

# --- MemoryDB ----------------------------------------------------------------------------

MEMORYDB = "AmazonMemoryDB"
MEMORYDB_ENGINES = {"redis": "Redis", "valkey": "Valkey"}
#: Redis node rows are "[Memory optimized Nodes] db r7g.large ...;db r7g.large Redis ..." and
#: the bare "[... Redis Nodes]" families; Valkey rows "[... Valkey Nodes] ...". The file
#: names the node type in the row's "Instance" field. Data-tiering (r6gd) rows are not read.
MEMORYDB_NODES = {
    "Redis": PriceSpec(
        MEMORYDB,
        "Node Redis",
        None,
        published=Table(
            "memorydb",
            r"^\[[A-Za-z ]+ (Redis )?Nodes\]( db [^;]+;db \S+ Redis |$)",
            row_field="Instance",
        ),
    ),
    "Valkey": PriceSpec(
        MEMORYDB,
        "Node Valkey",
        None,
        published=Table("memorydb", r"^\[[A-Za-z ]+ Valkey Nodes\]", row_field="Instance"),
    ),
}
MEMORYDB_WRITES = PriceSpec(
    MEMORYDB,
    "Data Written Redis",
    None,
    published=Page("memorydb", "Data Written per GB Redis 0 to Inf", "GB"),
)


@priced(
    "AWS::MemoryDB::Cluster",
    service="MemoryDB",
    summary="node hours by type x shards x (replicas + 1); Redis data written from usage",
    usage=(HOURS, UsageKey("data_written_gb", 10, "data written per month, GB (Redis OSS)")),
    prices=(*MEMORYDB_NODES.values(), MEMORYDB_WRITES),
)
def price_memorydb_cluster(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    props = resource.properties
    engine = ctx.text(props.get("Engine"), "redis", "MemoryDB engine").lower()
    if engine not in MEMORYDB_ENGINES:
        raise Unpriceable(f"MemoryDB engine {engine!r} is not one the catalog prices")
    name = MEMORYDB_ENGINES[engine]
    node = ctx.text(props.get("NodeType"), "", "node type")
    if not node:
        raise Unpriceable("the MemoryDB node type is not known at synth time")
    shards = ctx.number(props.get("NumShards"), 1, "NumShards")
    replicas = ctx.number(props.get("NumReplicasPerShard"), 1, "NumReplicasPerShard")
    nodes = shards * (replicas + 1)
    hours = ctx.hours
    components = [
        ctx.component(
            f"Nodes ({node}, {name}, {shards:g} shard(s) x {replicas + 1:g})",
            "node-hours",
            nodes * hours,
            ctx.price(MEMORYDB, MEMORYDB_NODES[name].family, None, instanceType=node),
            usage_based=hours != 730,
        )
    ]
    if name == "Redis":
        components.append(
            ctx.component(
                "Data written",
                "GB",
                ctx.usage.get("data_written_gb") or 0.0,
                ctx.price(MEMORYDB, MEMORYDB_WRITES.family, None),
                usage_based=True,
            )
        )
    return components


free(
    "configuration only; no charge of its own",
    "AWS::MemoryDB::SubnetGroup",
    "AWS::MemoryDB::ParameterGroup",
    "AWS::MemoryDB::ACL",
    "AWS::MemoryDB::User",
)

# --- Database Migration Service ----------------------------------------------------------

DMS = "AWSDatabaseMigrationSvc"
DMS_INSTANCES = {
    multi_az: PriceSpec(
        DMS,
        f"Replication Server {label}",
        None,
        published=Table("databasemigrationsvc", rf"^\[DMS Replication Server {label}\]"),
    )
    for multi_az, label in ((False, "Single AZ"), (True, "Multiple AZ"))
}
DMS_STORAGE = {
    multi_az: PriceSpec(
        DMS,
        f"Replication Storage {label}",
        None,
        published=Page("databasemigrationsvc", f"DMS Storage Replication Storage {label}", "GB-Mo"),
    )
    for multi_az, label in ((False, "Single AZ"), (True, "Multiple AZ"))
}


def _dms_included_gb(instance_type: str) -> float:
    # AWS's DMS pricing page: each instance includes 50 GB of gp2 storage for T2/T3 classes
    # and 100 GB for the others; only storage beyond that is billed.
    return 50.0 if instance_type.startswith(("t2.", "t3.")) else 100.0


@priced(
    "AWS::DMS::ReplicationInstance",
    service="Database Migration Service",
    summary="replication instance hours by class (Single-AZ or Multi-AZ) and storage beyond "
    "the included allowance",
    usage=(HOURS,),
    prices=(*DMS_INSTANCES.values(), *DMS_STORAGE.values()),
)
def price_dms_instance(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    props = resource.properties
    instance_class = ctx.text(props.get("ReplicationInstanceClass"), "", "replication class")
    if not instance_class:
        raise Unpriceable("the replication instance class is not known at synth time")
    instance_type = instance_class.removeprefix("dms.")
    multi_az = ctx.flag(props.get("MultiAZ"), False, "MultiAZ")
    allocated = ctx.number(props.get("AllocatedStorage"), 50, "AllocatedStorage (GB)")
    billed = max(0.0, allocated - _dms_included_gb(instance_type))
    hours = ctx.hours
    mode = "Multi-AZ" if multi_az else "Single-AZ"
    return [
        ctx.component(
            f"Replication instance ({instance_class}, {mode})",
            "hours",
            hours,
            ctx.price(DMS, DMS_INSTANCES[multi_az].family, None, instanceType=instance_type),
            usage_based=hours != 730,
        ),
        ctx.component(
            f"Storage beyond the included {_dms_included_gb(instance_type):g} GB",
            "GB-months",
            billed,
            ctx.price(DMS, DMS_STORAGE[multi_az].family, None),
        ),
    ]


free(
    "instance-based DMS bills on the replication instance",
    "AWS::DMS::ReplicationSubnetGroup",
    "AWS::DMS::Endpoint",
    "AWS::DMS::ReplicationTask",
)
