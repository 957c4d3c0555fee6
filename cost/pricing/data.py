"""Data services: DynamoDB tables and global tables, Kinesis data streams, EFS file systems and
ECR repositories, and the types of these services that bill nothing themselves.

Storage and traffic come from usage keys; provisioned capacity (DynamoDB RCU/WCU, Kinesis
shards, EFS provisioned throughput) from the template. Tiers are applied per resource, not per
account, and no free tier is deducted.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from cost.catalog.spec import Page, PriceSpec
from cost.model import CostComponent
from cost.pricing.context import PricingContext, Resource, Unpriceable, is_unresolved
from cost.pricing.registry import HOURS, UsageKey, free, priced

# --- DynamoDB ---------------------------------------------------------------------------

DDB = "AmazonDynamoDB"
ON_DEMAND = "Amazon DynamoDB PayPerRequest Throughput"
PROVISIONED = "Provisioned IOPS"
REPLICATED = "DDB-Operation-ReplicatedWrite"
STORAGE = "Database Storage"

#: Usage-type prefix per table class; the IA class has its own request, capacity and storage
#: prices.
TABLE_CLASSES = {"STANDARD": "", "STANDARD_INFREQUENT_ACCESS": "IA-"}
_IA = {"": "", "IA-": " IA"}


def _ddb(family: str, usagetype: str, dimension: str, unit: str) -> PriceSpec:
    return PriceSpec(DDB, family, usagetype, published=Page("dynamodb", dimension, unit))


def _ddb_class_specs(prefix: str) -> tuple[PriceSpec, ...]:
    ia = _IA[prefix]
    storage = "Data Storage Indexed - IA GB-Mo" if prefix else "Data Storage Indexed GB-Mo"
    return (
        _ddb(
            ON_DEMAND,
            f"{prefix}ReadRequestUnits",
            f"PayPerRequest Read Request Units{ia}",
            "ReadRequestUnits",
        ),
        _ddb(
            ON_DEMAND,
            f"{prefix}WriteRequestUnits",
            f"PayPerRequest Write Request Units{ia}",
            "WriteRequestUnits",
        ),
        _ddb(
            ON_DEMAND,
            f"{prefix}ReplWriteRequestUnits",
            f"PayPerRequest Replicated Write Request Units{ia}",
            "ReplicatedWriteRequestUnits",
        ),
        _ddb(
            PROVISIONED,
            f"{prefix}ReadCapacityUnit-Hrs",
            f"Provisioned Read Units{ia}",
            "ReadCapacityUnit-Hrs",
        ),
        _ddb(
            PROVISIONED,
            f"{prefix}WriteCapacityUnit-Hrs",
            f"Provisioned Write Units{ia}",
            "WriteCapacityUnit-Hrs",
        ),
        _ddb(
            REPLICATED,
            f"{prefix}ReplWriteCapacityUnit-Hrs",
            f"Provisioned Replicated Write Units{ia}",
            "ReplicatedWriteCapacityUnit-Hrs",
        ),
        _ddb(STORAGE, f"{prefix}TimedStorage-ByteHrs", storage, "GB-Mo"),
    )


DDB_PRICES = (
    *_ddb_class_specs(""),
    *_ddb_class_specs("IA-"),
    _ddb(STORAGE, "TimedPITRStorage-ByteHrs", "PITR Backup Storage GB-Mo", "GB-Mo"),
)
DDB_READS = UsageKey(
    "monthly_read_request_units",
    1_000_000,
    "on-demand read request units per month (one per 4 KB strongly consistent read, half for "
    "eventually consistent), table and indexes together",
)
DDB_WRITES = UsageKey(
    "monthly_write_request_units",
    1_000_000,
    "on-demand write request units per month (one per 1 KB written), table and indexes together",
)
DDB_STORAGE = UsageKey("storage_gb", 1, "table data stored, GB (items and indexes)")


def _table_class(value: Any, ctx: PricingContext) -> str:
    table_class = ctx.text(value, "STANDARD", "table class")
    if table_class not in TABLE_CLASSES:
        raise Unpriceable(f"table class {table_class!r} is not one DynamoDB prices")
    return TABLE_CLASSES[table_class]


def _class_label(prefix: str) -> str:
    return " (Standard-IA)" if prefix else ""


def _billing_mode(value: Any, ctx: PricingContext) -> str:
    mode = ctx.text(value, "PROVISIONED", "billing mode")
    if mode not in ("PROVISIONED", "PAY_PER_REQUEST"):
        raise Unpriceable(f"billing mode {mode!r} is not one DynamoDB prices")
    return mode


def _capacity(value: Any, what: str, ctx: PricingContext) -> tuple[float, float]:
    """(RCU, WCU) of a ProvisionedThroughput property."""
    if not isinstance(value, dict) or is_unresolved(value):
        raise Unpriceable(f"a PROVISIONED table needs ProvisionedThroughput on {what}")
    reads = ctx.number(value.get("ReadCapacityUnits"), 5, f"{what} ReadCapacityUnits")
    writes = ctx.number(value.get("WriteCapacityUnits"), 5, f"{what} WriteCapacityUnits")
    return reads, writes


def _storage_components(
    ctx: PricingContext, prefix: str, pitr: bool, where: str = ""
) -> list[CostComponent]:
    stored = ctx.usage.get("storage_gb") or 0.0
    components = [
        ctx.component(
            f"Data storage{_class_label(prefix)}{where}",
            "GB-months",
            stored,
            ctx.price(DDB, STORAGE, f"{prefix}TimedStorage-ByteHrs"),
            usage_based=True,
        )
    ]
    if pitr:
        ctx.assume("point-in-time recovery storage equals the table's data size")
        components.append(
            ctx.component(
                f"Point-in-time recovery storage{where}",
                "GB-months",
                stored,
                ctx.price(DDB, STORAGE, "TimedPITRStorage-ByteHrs"),
                usage_based=True,
            )
        )
    return components


def _pitr(props: dict[str, Any], ctx: PricingContext) -> bool:
    spec = props.get("PointInTimeRecoverySpecification")
    if not isinstance(spec, dict):
        return False
    return ctx.flag(spec.get("PointInTimeRecoveryEnabled"), False, "point-in-time recovery")


@priced(
    "AWS::DynamoDB::Table",
    service="DynamoDB",
    summary="on-demand read/write request units from usage, or provisioned RCU/WCU hours "
    "(table and GSIs); storage by table class (Standard, Standard-IA); PITR storage",
    usage=(HOURS, DDB_READS, DDB_WRITES, DDB_STORAGE),
    prices=DDB_PRICES,
)
def price_dynamodb_table(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    props = resource.properties
    mode = _billing_mode(props.get("BillingMode"), ctx)
    prefix = _table_class(props.get("TableClass"), ctx)
    label = _class_label(prefix)
    components: list[CostComponent] = []
    if mode == "PAY_PER_REQUEST":
        reads = ctx.usage.get("monthly_read_request_units") or 0.0
        writes = ctx.usage.get("monthly_write_request_units") or 0.0
        components += [
            ctx.component(
                f"Read request units{label}",
                "RRUs",
                reads,
                ctx.price(DDB, ON_DEMAND, f"{prefix}ReadRequestUnits"),
                usage_based=True,
            ),
            ctx.component(
                f"Write request units{label}",
                "WRUs",
                writes,
                ctx.price(DDB, ON_DEMAND, f"{prefix}WriteRequestUnits"),
                usage_based=True,
            ),
        ]
    else:
        rcu, wcu = _capacity(props.get("ProvisionedThroughput"), "the table", ctx)
        indexes = props.get("GlobalSecondaryIndexes") or []
        if not isinstance(indexes, list):
            raise Unpriceable("global secondary indexes are not known at synth time")
        for index in indexes:
            name = index.get("IndexName", "?") if isinstance(index, dict) else "?"
            throughput = index.get("ProvisionedThroughput") if isinstance(index, dict) else None
            index_rcu, index_wcu = _capacity(throughput, f"index {name}", ctx)
            rcu, wcu = rcu + index_rcu, wcu + index_wcu
        hours = ctx.hours
        scope = f" (table and {len(indexes)} GSI(s))" if indexes else ""
        components += [
            ctx.component(
                f"Read capacity, {rcu:g} RCU{scope}{label}",
                "RCU-hours",
                rcu * hours,
                ctx.price(DDB, PROVISIONED, f"{prefix}ReadCapacityUnit-Hrs"),
                usage_based=hours != 730,
            ),
            ctx.component(
                f"Write capacity, {wcu:g} WCU{scope}{label}",
                "WCU-hours",
                wcu * hours,
                ctx.price(DDB, PROVISIONED, f"{prefix}WriteCapacityUnit-Hrs"),
                usage_based=hours != 730,
            ),
        ]
    return components + _storage_components(ctx, prefix, _pitr(props, ctx))


def _min_capacity(settings: Any, what: str, ctx: PricingContext) -> float:
    """A global table's auto-scaled capacity, at its minimum (recorded as an assumption)."""
    if not isinstance(settings, dict) or is_unresolved(settings):
        raise Unpriceable(f"a PROVISIONED global table needs {what} capacity settings")
    if "ReadCapacityUnits" in settings:
        return ctx.number(settings["ReadCapacityUnits"], 5, what)
    scaling = settings.get("WriteCapacityAutoScalingSettings") or settings.get(
        "ReadCapacityAutoScalingSettings"
    )
    if not isinstance(scaling, dict):
        raise Unpriceable(f"a PROVISIONED global table needs {what} capacity settings")
    ctx.assume("auto-scaled global table capacity is priced at its minimum capacity")
    return ctx.number(scaling.get("MinCapacity"), 1, f"{what} MinCapacity")


def _replica_regions(props: dict[str, Any], ctx: PricingContext) -> list[dict[str, Any]]:
    replicas = props.get("Replicas")
    if not isinstance(replicas, list) or is_unresolved(replicas) or not replicas:
        ctx.assume(f"replicas are not known at synth time; one replica in {ctx.region} assumed")
        return [{"Region": ctx.region}]
    found = []
    for replica in replicas:
        if not isinstance(replica, dict):
            raise Unpriceable("a global table replica is not known at synth time")
        region = replica.get("Region")
        if not isinstance(region, str):
            ctx.assume(f"a replica's region is not known at synth time; {ctx.region} assumed")
            replica = {**replica, "Region": ctx.region}
        found.append(replica)
    return found


@priced(
    "AWS::DynamoDB::GlobalTable",
    service="DynamoDB",
    summary="per replica, in its own region: replicated write request units and read "
    "request units from usage (on-demand), or replicated WCU and RCU hours at the auto "
    "scaling minimum (provisioned, incl. GSIs); storage by table class; PITR storage",
    usage=(
        HOURS,
        UsageKey(
            "monthly_read_request_units",
            1_000_000,
            "on-demand read request units per month, in each replica",
        ),
        UsageKey(
            "monthly_write_request_units",
            1_000_000,
            "on-demand write request units per month written by the application (each is "
            "replicated into, and billed in, every replica)",
        ),
        UsageKey("storage_gb", 1, "table data stored, GB, in each replica"),
    ),
    prices=DDB_PRICES,
)
def price_dynamodb_global_table(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    """Every replica bills in its own region; writes are replicated writes in every replica."""
    props = resource.properties
    mode = _billing_mode(props.get("BillingMode"), ctx)
    replicas = _replica_regions(props, ctx)
    indexes = props.get("GlobalSecondaryIndexes") or []
    if not isinstance(indexes, list):
        raise Unpriceable("global secondary indexes are not known at synth time")
    wcu = 0.0
    if mode == "PROVISIONED":
        wcu = _min_capacity(props.get("WriteProvisionedThroughputSettings"), "write", ctx)
        for index in indexes:
            settings = (
                index.get("WriteProvisionedThroughputSettings") if isinstance(index, dict) else None
            )
            wcu += _min_capacity(settings, "index write", ctx)
    components: list[CostComponent] = []
    for replica in replicas:
        region = replica["Region"]
        where = f" ({region})"
        # Each replica is priced in its own region; assumptions are shared with the caller.
        rctx = dataclasses.replace(ctx, region=region)
        prefix = _table_class(replica.get("TableClass"), rctx)
        label = _class_label(prefix)
        if mode == "PAY_PER_REQUEST":
            reads = ctx.usage.get("monthly_read_request_units") or 0.0
            writes = ctx.usage.get("monthly_write_request_units") or 0.0
            components += [
                rctx.component(
                    f"Read request units{label}{where}",
                    "RRUs",
                    reads,
                    rctx.price(DDB, ON_DEMAND, f"{prefix}ReadRequestUnits"),
                    usage_based=True,
                ),
                rctx.component(
                    f"Replicated write request units{label}{where}",
                    "rWRUs",
                    writes,
                    rctx.price(DDB, ON_DEMAND, f"{prefix}ReplWriteRequestUnits"),
                    usage_based=True,
                ),
            ]
        else:
            rcu = _min_capacity(replica.get("ReadProvisionedThroughputSettings"), "read", rctx)
            replica_indexes = {
                i.get("IndexName"): i
                for i in replica.get("GlobalSecondaryIndexes") or []
                if isinstance(i, dict)
            }
            for index in indexes:
                name = index.get("IndexName") if isinstance(index, dict) else None
                settings = (replica_indexes.get(name) or {}).get(
                    "ReadProvisionedThroughputSettings"
                )
                rcu += _min_capacity(settings, f"index {name} read", rctx)
            hours = ctx.hours
            components += [
                rctx.component(
                    f"Read capacity, {rcu:g} RCU{label}{where}",
                    "RCU-hours",
                    rcu * hours,
                    rctx.price(DDB, PROVISIONED, f"{prefix}ReadCapacityUnit-Hrs"),
                    usage_based=hours != 730,
                ),
                rctx.component(
                    f"Replicated write capacity, {wcu:g} rWCU{label}{where}",
                    "rWCU-hours",
                    wcu * hours,
                    rctx.price(DDB, REPLICATED, f"{prefix}ReplWriteCapacityUnit-Hrs"),
                    usage_based=hours != 730,
                ),
            ]
        components += _storage_components(rctx, prefix, _pitr(replica, rctx), where)
    return components


# --- Kinesis Data Streams ----------------------------------------------------------------

KINESIS = "AmazonKinesis"
STREAMS = "Kinesis Streams"


def _kinesis(usagetype: str, dimension: str, unit: str) -> PriceSpec:
    return PriceSpec(KINESIS, STREAMS, usagetype, published=Page("kinesis", dimension, unit))


DEFAULT_RETENTION_HOURS = 24
EXTENDED_RETENTION_HOURS = 168


@priced(
    "AWS::Kinesis::Stream",
    service="Kinesis",
    summary="provisioned: shard-hours, PUT payload units, extended retention (up to 7 days) "
    "shard-hours; on-demand: stream-hours, GB ingested and GB retrieved",
    usage=(
        HOURS,
        UsageKey(
            "monthly_put_payload_units",
            1_000_000,
            "PUT payload units per month, provisioned mode (a record up to 25 KB is one)",
        ),
        UsageKey("monthly_ingested_gb", 10, "data written per month, GB, on-demand mode"),
        UsageKey(
            "monthly_retrieved_gb",
            None,
            "data read per month by shared-throughput consumers, GB, on-demand mode "
            "(default: the data ingested, i.e. one consumer)",
        ),
    ),
    prices=(
        _kinesis("Storage-ShardHour", "Provisioned shard hour per ShardHour", "ShardHour"),
        _kinesis("PutRequestPayloadUnits", "Payload Units per PutRequest", "PutPayloadUnits"),
        _kinesis("Extended-ShardHour", "Addon shard hour per ShardHour", "ShardHour"),
        _kinesis("OnDemand-StreamHour", "OnDemandStreamHr per StreamHr", "StreamHr"),
        _kinesis("OnDemand-BilledIncomingBytes", "OnDemandDataIngested per GB", "GB"),
        _kinesis("OnDemand-BilledOutgoingBytes", "OnDemandDataRetrieval per GB", "GB"),
    ),
)
def price_kinesis_stream(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    props = resource.properties
    details = props.get("StreamModeDetails")
    mode_value = details.get("StreamMode") if isinstance(details, dict) else None
    mode = ctx.text(mode_value, "PROVISIONED", "stream mode")
    retention = ctx.number(
        props.get("RetentionPeriodHours"), DEFAULT_RETENTION_HOURS, "RetentionPeriodHours"
    )
    if retention > EXTENDED_RETENTION_HOURS:
        raise Unpriceable(
            f"retention of {retention:g} hours: long-term retention (beyond 7 days) is billed "
            "per GB stored, which is not modelled"
        )
    hours = ctx.hours
    if mode == "ON_DEMAND":
        if retention > DEFAULT_RETENTION_HOURS:
            raise Unpriceable(
                "extended retention of an on-demand stream is billed per GB stored, which is "
                "not modelled"
            )
        ingested = ctx.usage.get("monthly_ingested_gb") or 0.0
        retrieved = ctx.usage.get("monthly_retrieved_gb")
        if retrieved is None:
            retrieved = ingested
        return [
            ctx.component(
                "On-demand stream",
                "stream-hours",
                hours,
                ctx.price(KINESIS, STREAMS, "OnDemand-StreamHour"),
                usage_based=hours != 730,
            ),
            ctx.component(
                "Data ingested",
                "GB",
                ingested,
                ctx.price(KINESIS, STREAMS, "OnDemand-BilledIncomingBytes"),
                usage_based=True,
            ),
            ctx.component(
                "Data retrieved",
                "GB",
                retrieved,
                ctx.price(KINESIS, STREAMS, "OnDemand-BilledOutgoingBytes"),
                usage_based=True,
            ),
        ]
    if mode != "PROVISIONED":
        raise Unpriceable(f"stream mode {mode!r} is not one Kinesis prices")
    if props.get("ShardCount") is None:
        ctx.assume("ShardCount not set; 1 shard assumed")
    shards = ctx.number(props.get("ShardCount"), 1, "ShardCount")
    payload_units = ctx.usage.get("monthly_put_payload_units") or 0.0
    components = [
        ctx.component(
            f"Shards ({shards:g})",
            "shard-hours",
            shards * hours,
            ctx.price(KINESIS, STREAMS, "Storage-ShardHour"),
            usage_based=hours != 730,
        ),
        ctx.component(
            "PUT payload units",
            "units",
            payload_units,
            ctx.price(KINESIS, STREAMS, "PutRequestPayloadUnits"),
            usage_based=True,
        ),
    ]
    if retention > DEFAULT_RETENTION_HOURS:
        components.append(
            ctx.component(
                f"Extended retention ({retention:g} hours)",
                "shard-hours",
                shards * hours,
                ctx.price(KINESIS, STREAMS, "Extended-ShardHour"),
                usage_based=hours != 730,
            )
        )
    return components


# --- EFS ---------------------------------------------------------------------------------

EFS = "AmazonEFS"


def _efs(family: str, usagetype: str, dimension: str, unit: str) -> PriceSpec:
    return PriceSpec(EFS, family, usagetype, published=Page("efs", dimension, unit))


#: (usage key, label, Regional usage type, One Zone usage type or None: not offered).
EFS_CLASSES = (
    ("standard_storage_gb", "Standard", "TimedStorage-ByteHrs", "TimedStorage-Z-ByteHrs"),
    ("ia_storage_gb", "Infrequent Access", "IATimedStorage-ByteHrs", "IATimedStorage-Z-ByteHrs"),
    ("archive_storage_gb", "Archive", "ArchiveTimedStorage-ByteHrs", None),
)
#: Regional Standard storage, the class a file system AWS creates for you uses (SageMaker
#: domains' home directories).
EFS_STANDARD = _efs("Storage", "TimedStorage-ByteHrs", "General Purpose Storage GB Mo", "GB-Mo")
#: Bursting baseline included with Standard storage: 50 KiB/s per GiB stored.
BASELINE_MIBPS_PER_GB = 50 / 1024


@priced(
    "AWS::EFS::FileSystem",
    service="EFS",
    summary="storage per class (Standard, Infrequent Access, Archive; Regional or One Zone) "
    "from usage; provisioned throughput above the Standard-storage baseline; elastic "
    "throughput reads and writes from usage",
    usage=(
        UsageKey("standard_storage_gb", 10, "data in the Standard (or One Zone) class, GB"),
        UsageKey("ia_storage_gb", 0, "data in the Infrequent Access class, GB"),
        UsageKey("archive_storage_gb", 0, "data in the Archive class, GB (Regional only)"),
        UsageKey("monthly_read_gb", 10, "data read per month, GB (elastic throughput only)"),
        UsageKey("monthly_write_gb", 1, "data written per month, GB (elastic throughput only)"),
    ),
    prices=(
        EFS_STANDARD,
        _efs("Storage", "IATimedStorage-ByteHrs", "Infrequent Access Storage GB Mo", "GB-Mo"),
        _efs("Storage", "ArchiveTimedStorage-ByteHrs", "Archive Storage GB Mo", "GB-Mo"),
        _efs(
            "Storage", "TimedStorage-Z-ByteHrs", "One Zone General Purpose Storage GB Mo", "GB-Mo"
        ),
        _efs(
            "Storage",
            "IATimedStorage-Z-ByteHrs",
            "One Zone Infrequent Access Storage GB Mo",
            "GB-Mo",
        ),
        _efs(
            "Provisioned Throughput", "ProvisionedTP-MiBpsHrs", "Throughput Provisioned", "MiBps-Mo"
        ),
        _efs(
            "Throughput", "ElasticThroughput-Read-Bytes", "EFS Storage Requests Read per GB", "GB"
        ),
        _efs(
            "Throughput", "ElasticThroughput-Write-Bytes", "EFS Storage Requests Write per GB", "GB"
        ),
    ),
)
def price_efs_file_system(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    props = resource.properties
    one_zone = props.get("AvailabilityZoneName") is not None
    components: list[CostComponent] = []
    standard_gb = 0.0
    for key, label, regional, zonal in EFS_CLASSES:
        gb = ctx.usage.get(key) or 0.0
        if key == "standard_storage_gb":
            standard_gb = gb
        if one_zone and zonal is None:
            if gb:
                raise Unpriceable(f"One Zone file systems have no {label} class")
            continue
        usagetype = zonal if one_zone else regional
        assert usagetype is not None
        if gb or key == "standard_storage_gb":
            components.append(
                ctx.component(
                    f"{'One Zone ' if one_zone else ''}{label} storage",
                    "GB-months",
                    gb,
                    ctx.price(EFS, "Storage", usagetype),
                    usage_based=True,
                )
            )
    if ctx.usage.get("ia_storage_gb") or ctx.usage.get("archive_storage_gb"):
        ctx.assume(
            "EFS tiering access charges (per GB read from or moved to IA/Archive) not priced"
        )
    mode = ctx.text(props.get("ThroughputMode"), "bursting", "throughput mode")
    if mode == "provisioned":
        mibps = ctx.number(
            props.get("ProvisionedThroughputInMibps"), 1, "ProvisionedThroughputInMibps"
        )
        billed = max(0.0, mibps - standard_gb * BASELINE_MIBPS_PER_GB)
        ctx.assume(
            "provisioned throughput is billed above the baseline included with Standard storage "
            "(50 KiB/s per GiB)"
        )
        components.append(
            ctx.component(
                f"Provisioned throughput ({mibps:g} MiB/s, {billed:g} billed)",
                "MiBps-months",
                billed,
                ctx.price(EFS, "Provisioned Throughput", "ProvisionedTP-MiBpsHrs"),
            )
        )
    elif mode == "elastic":
        components += [
            ctx.component(
                "Elastic throughput reads",
                "GB",
                ctx.usage.get("monthly_read_gb") or 0.0,
                ctx.price(EFS, "Throughput", "ElasticThroughput-Read-Bytes"),
                usage_based=True,
            ),
            ctx.component(
                "Elastic throughput writes",
                "GB",
                ctx.usage.get("monthly_write_gb") or 0.0,
                ctx.price(EFS, "Throughput", "ElasticThroughput-Write-Bytes"),
                usage_based=True,
            ),
        ]
    elif mode != "bursting":
        raise Unpriceable(f"throughput mode {mode!r} is not one EFS prices")
    return components


# --- ECR ---------------------------------------------------------------------------------

ECR = "AmazonECR"


@priced(
    "AWS::ECR::Repository",
    service="ECR",
    summary="image storage GB-months from usage (data transfer out is not priced)",
    usage=(UsageKey("storage_gb", 1, "image data stored, GB"),),
    prices=(
        PriceSpec(
            ECR,
            "EC2 Container Registry",
            "TimedStorage-ByteHrs",
            published=Page("ecr", "EC2 Container Registry", "GB-Mo"),
        ),
    ),
)
def price_ecr_repository(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    ctx.assume("image pulls within the region are free; transfer out of the region not priced")
    return [
        ctx.component(
            "Image storage",
            "GB-months",
            ctx.usage.get("storage_gb") or 0.0,
            ctx.price(ECR, "EC2 Container Registry", "TimedStorage-ByteHrs"),
            usage_based=True,
        )
    ]


# --- free types --------------------------------------------------------------------------

free(
    "no charge of its own; storage and throughput are billed on the file system",
    "AWS::EFS::MountTarget",
    "AWS::EFS::AccessPoint",
)
free(
    "a registry permission policy; no charge of its own (image storage is billed on the "
    "repositories)",
    "AWS::ECR::RegistryPolicy",
)
