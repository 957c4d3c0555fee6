"""RDS DB instances: instance hours by class and deployment, storage, IOPS, throughput, backups."""

from __future__ import annotations

import datetime as dt

from cost.catalog import Price
from cost.catalog.spec import Page, PriceSpec, Table
from cost.model import CostComponent
from cost.pricing.context import Free, PricingContext, Resource, Unpriceable, ref_target
from cost.pricing.registry import HOURS, UsageKey, priced
from cost.pricing.retired import RETIRED_BY_AWS
from cost.pricing.schedules import instance_schedule
from cost.pricing.security import SECRET_PRICES, secret_components

RDS = "AmazonRDS"

DEPLOYMENTS = ("Single-AZ", "Multi-AZ")
#: The pricing-page files AWS's RDS page loads, one per engine (instance rows by class).
ENGINE_SOURCES = {
    "MySQL": "rds-mysql-ondemand",
    "MariaDB": "rds-mariadb-ondemand",
    "PostgreSQL": "rds-postgresql-ondemand",
}

ENGINES = {
    "mysql": "MySQL",
    "mariadb": "MariaDB",
    "postgres": "PostgreSQL",
}

# gp3 on RDS for MySQL/MariaDB/PostgreSQL includes a baseline that depends on volume size.
GP3_SMALL_VOLUME_GIB = 400
GP3_BASELINE = {"small": (3000, 125), "large": (12000, 500)}

# Major versions in RDS Extended Support, with the date it began (AWS's RDS Extended Support
# documentation) and the rate dimensions of the engine's price file for years 1-2 and year 3.
EXTENDED_SUPPORT = {
    "mysql": (
        ("5.7", "2024-03-01", "MySQL Year 1 Year 2 5 7", "MySQL Year 3 5 7"),
        ("8.0", "2026-08-01", "Any Year 1 Year 2 8 0", None),
    ),
    "postgres": (
        ("11", "2024-03-01", "PostgreSQL Year 1 Year 2 11", "PostgreSQL Year 3 11"),
        ("12", "2025-03-01", "PostgreSQL Year 1 Year 2 12", "PostgreSQL Year 3 12"),
        ("13", "2026-03-01", "Any Year 1 Year 2 13", "Any Year 3 13"),
    ),
}
#: The date Extended Support years are counted at: fixed (and moved with each catalog
#: refresh) so that an estimate does not change by itself from one day to the next.
AS_OF_DATE = "2026-12-01"


def _es_family(dimension: str) -> str:
    return f"Extended Support {dimension}"


def _extended_support_prices() -> list[PriceSpec]:
    specs = []
    for engine, versions in EXTENDED_SUPPORT.items():
        name = ENGINES[engine]
        for _, _, *dimensions in versions:
            for dimension in dimensions:
                if dimension:
                    specs.append(
                        PriceSpec(
                            RDS,
                            _es_family(dimension),
                            None,
                            {"databaseEngine": name},
                            published=Page(ENGINE_SOURCES[name], dimension, "vCPU-Hr"),
                        )
                    )
    return specs


def priced_classes(engine: str = "MySQL") -> tuple[str, ...]:
    """The instance classes the bundled catalog prices for `engine`, Single-AZ and Multi-AZ,
    in every region the MLflow app must cover: what a deployment may choose without a
    database the estimate cannot price."""
    from cost.catalog import default_catalog
    from cost.catalog.spec import REQUIRED_REGIONS

    catalog = default_catalog()
    sets = [
        set(catalog.values(RDS, region, f"Database Instance {engine} {deployment}", "instanceType"))
        for region in REQUIRED_REGIONS
        for deployment in DEPLOYMENTS
    ]
    return tuple(sorted(set.intersection(*sets))) if sets else ()


def _storage_usagetype(kind: str, multi_az: bool) -> str:
    return f"RDS:{'Multi-AZ-' if multi_az else ''}{kind}"


def _instance_family(engine: str, deployment: str) -> str:
    return f"Database Instance {engine} {deployment}"


#: Storage dimensions of AWS's RDS storage pricing-page file, by (usage-type kind, Multi-AZ).
STORAGE_DIMENSIONS = {
    "GP2-Storage": "Database Storage {az} General Purpose",
    "GP3-Storage": "Database Storage {az} General Purpose-GP3",
    "PIOPS-Storage": "Database Storage {az} Provisioned IOPS",
    "IO2-Storage": "Database Storage {az} Provisioned IOPS-IO2",
    "StorageUsage": "Database Storage {az} Magnetic",
    "PIOPS": "Provisioned IOPS {az}",
    "GP3-PIOPS": "Provisioned GP3 IOPS {az}",
    "GP3-Throughput": "Provisioned Throughput {az}",
}
STORAGE_FAMILIES = {
    "PIOPS": "Provisioned IOPS",
    "GP3-PIOPS": "Provisioned IOPS",
    "GP3-Throughput": "Provisioned Throughput",
}


#: "aurora" is the engine name of Aurora MySQL 1 (MySQL 5.6 compatible), still in older templates.
AURORA_ENGINES = {"aurora": "MySQL", "aurora-mysql": "MySQL", "aurora-postgresql": "PostgreSQL"}
#: Aurora instance rows by (engine, I/O-Optimized): AWS's Aurora pricing-page data.
AURORA_INSTANCES = {
    (name, io_optimized): PriceSpec(
        RDS,
        f"Aurora {name} instance{' I/O-Optimized' if io_optimized else ''}",
        None,
        published=Table(
            "rds-aurora-ondemand",
            rf"^\[Database Instance Aurora {name} No license required "
            + ("Aurora IO Optimization Mode " if io_optimized else "(?!Aurora IO)")
            + r"[A-Za-z0-9 ]+ Single-AZ (Current|Previous) Generation\]",
        ),
    )
    for name in AURORA_ENGINES.values()
    for io_optimized in (False, True)
}


def _rds_prices() -> list[PriceSpec]:
    specs = [
        PriceSpec(
            RDS,
            _instance_family(engine, deployment),
            None,
            published=Table(
                source,
                rf"^Database Instance {engine} No license required db \S+ .* "
                rf"{deployment} (Current|Previous) Generation$",
                fields=(("vcpu", "vCPU"),),
            ),
        )
        for engine, source in ENGINE_SOURCES.items()
        for deployment in DEPLOYMENTS
    ]
    for multi_az in (False, True):
        az = "Multi AZ" if multi_az else "Single AZ"
        for kind, dimension in STORAGE_DIMENSIONS.items():
            specs.append(
                PriceSpec(
                    RDS,
                    STORAGE_FAMILIES.get(kind, "Database Storage"),
                    _storage_usagetype(kind, multi_az),
                    published=Page("rds-storage", dimension.format(az=az), "GB-Mo"),
                )
            )
    specs.append(
        PriceSpec(
            RDS,
            "Storage Snapshot",
            "RDS:ChargedBackupUsage",
            published=Page("rds-storage", "Storage Snapshot", "GB-Mo"),
        )
    )
    return (
        specs + _extended_support_prices() + list(SECRET_PRICES) + list(AURORA_INSTANCES.values())
    )


@priced(
    "AWS::RDS::DBInstance",
    service="RDS",
    summary="instance hours by class, engine (MySQL, MariaDB, PostgreSQL) and Single-AZ/"
    "Multi-AZ, read replicas, storage (gp2, gp3, io1, io2, magnetic) with gp3 IOPS/throughput "
    "above the baseline and io1/io2 IOPS, backup storage beyond the free allowance, the "
    "RDS-managed master secret, RDS Extended Support per vCPU-hour; instance hours under the "
    "Scheduler schedules that stop and start it (RDS restarts it after 7 days stopped)",
    usage=(
        HOURS,
        UsageKey(
            "backup_storage_gb",
            0,
            "backup storage beyond the free allowance (100% of provisioned storage), GB-month",
        ),
        UsageKey(
            "monthly_api_calls",
            1_000,
            "Secrets Manager API calls per month on the RDS-managed master secret "
            "(ManageMasterUserPassword)",
        ),
    ),
    prices=_rds_prices(),
    reads=("AWS::RDS::DBCluster", "AWS::RDS::DBInstance", "AWS::Scheduler::Schedule"),
)
def price_db_instance(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    props = resource.properties
    if props.get("DBClusterIdentifier") is not None:
        return _cluster_instance(resource, ctx)
    source = ctx.referenced(props.get("SourceDBInstanceIdentifier"), "AWS::RDS::DBInstance")
    replica = props.get("SourceDBInstanceIdentifier") is not None
    engine_value = props.get("Engine")
    if engine_value is None and source is not None:
        engine_value = source.properties.get("Engine")  # a read replica runs its source's engine
    engine = ctx.text(engine_value, "", "database engine").lower()
    if engine not in ENGINES:
        raise Unpriceable(f"engine {engine or '(unset)'} is not in the price catalog")
    engine_name = ENGINES[engine]
    class_value = props.get("DBInstanceClass")
    if class_value is None and source is not None:
        class_value = source.properties.get("DBInstanceClass")
    instance_class = ctx.text(class_value, "", "DB instance class")
    if not instance_class:
        raise Unpriceable("the DB instance class is not known at synth time")
    multi_az = ctx.flag(props.get("MultiAZ"), False, "MultiAZ")
    deployment = "Multi-AZ" if multi_az else "Single-AZ"
    hours = ctx.hours
    when = ""
    if hours == 730:
        hours, when = _scheduled_hours(resource, ctx, hours)

    instance_price = ctx.price(
        RDS, _instance_family(engine_name, deployment), None, instanceType=instance_class
    )
    role = "read replica" if replica else "instance"
    components = [
        ctx.component(
            f"Database {role} ({instance_class}, {engine_name}, {deployment}{when})",
            "hours",
            hours,
            instance_price,
            usage_based=ctx.hours != 730,
        )
    ]

    iops = props.get("Iops")
    storage_type = ctx.text(
        props.get("StorageType"), "io1" if iops is not None else "gp2", "storage type"
    ).lower()
    if props.get("StorageType") is None:
        ctx.assume(f"StorageType not set; RDS defaults to {storage_type}")
    size = ctx.number(props.get("AllocatedStorage"), 20, "allocated storage (GiB)")
    max_size = props.get("MaxAllocatedStorage")
    if max_size is not None:
        ctx.assume(
            f"priced at the allocated {size:g} GB; storage autoscaling may grow it up to "
            f"{ctx.number(max_size, size, 'MaxAllocatedStorage'):g} GB"
        )

    if replica and props.get("AllocatedStorage") is None and source is not None:
        size = ctx.number(source.properties.get("AllocatedStorage"), 20, "source storage (GiB)")
    if storage_type == "gp2":
        components.append(_storage(ctx, "GP2-Storage", "gp2", size, multi_az))
    elif storage_type == "gp3":
        components.append(_storage(ctx, "GP3-Storage", "gp3", size, multi_az))
        base_iops, base_mbps = GP3_BASELINE["small" if size < GP3_SMALL_VOLUME_GIB else "large"]
        wanted_iops = ctx.number(iops, base_iops, "gp3 IOPS")
        if wanted_iops > base_iops:
            components.append(
                ctx.component(
                    f"gp3 IOPS above the {base_iops} baseline",
                    "IOPS-months",
                    wanted_iops - base_iops,
                    ctx.price(RDS, "Provisioned IOPS", _storage_usagetype("GP3-PIOPS", multi_az)),
                )
            )
        throughput = ctx.number(props.get("StorageThroughput"), base_mbps, "gp3 throughput")
        if throughput > base_mbps:
            components.append(
                ctx.component(
                    f"gp3 throughput above the {base_mbps} MB/s baseline",
                    "MBps-months",
                    throughput - base_mbps,
                    ctx.price(
                        RDS,
                        "Provisioned Throughput",
                        _storage_usagetype("GP3-Throughput", multi_az),
                    ),
                )
            )
    elif storage_type in ("io1", "io2"):
        kind = "PIOPS-Storage" if storage_type == "io1" else "IO2-Storage"
        components.append(_storage(ctx, kind, storage_type, size, multi_az))
        components.append(
            ctx.component(
                f"Provisioned IOPS ({storage_type})",
                "IOPS-months",
                ctx.number(iops, 1000, f"{storage_type} IOPS"),
                ctx.price(RDS, "Provisioned IOPS", _storage_usagetype("PIOPS", multi_az)),
            )
        )
    elif storage_type == "standard":
        components.append(_storage(ctx, "StorageUsage", "magnetic", size, multi_az))
    else:
        raise Unpriceable(f"storage type {storage_type} is not in the price catalog")

    backup_gb = ctx.usage.get("backup_storage_gb") or 0.0
    if backup_gb == 0:
        ctx.assume(
            "backups fit in the free allowance (backup storage up to 100% of provisioned "
            "storage); set backup_storage_gb for more"
        )
    components.append(
        ctx.component(
            "Backup storage beyond the free allowance",
            "GB-months",
            backup_gb,
            ctx.price(RDS, "Storage Snapshot", "RDS:ChargedBackupUsage"),
            usage_based=True,
        )
    )

    if ctx.flag(props.get("ManageMasterUserPassword"), False, "ManageMasterUserPassword"):
        # RDS keeps the master password in a Secrets Manager secret billed like any other.
        components += secret_components(ctx, label="RDS-managed master secret")

    version = props.get("EngineVersion")
    if version is None and source is not None:
        version = source.properties.get("EngineVersion")
    if isinstance(version, str):
        components += _extended_support(
            ctx, engine, engine_name, version, instance_price, multi_az, hours
        )
    return components


def _scheduled_hours(instance: Resource, ctx: PricingContext, hours: float) -> tuple[float, str]:
    """(instance hours, label suffix) under the Scheduler schedules that stop and start the
    instance (storage and backups bill all month either way)."""
    try:
        scheduled = instance_schedule(instance, ctx.index)
    except ValueError as err:
        ctx.assume(f"its stop/start schedule is not evaluated ({err}); priced always on")
        return hours, ""
    if scheduled is None:
        return hours, ""
    running = scheduled.hours["running"]
    ctx.assume(
        "scheduled stop and start: " + "; ".join(scheduled.described) + f": running "
        f"{running:,.1f} hours a month (RDS starts an instance stopped for 7 days by itself); "
        "storage and backups are billed while it is stopped"
    )
    return running, f"; scheduled: {running:,.0f} h/month"


def _aurora_cluster(ctx: PricingContext, cluster: Resource | None) -> tuple[str, bool]:
    if cluster is None:
        raise Unpriceable("the instance's DB cluster is not in this template")
    engine = ctx.text(cluster.properties.get("Engine"), "", "cluster engine").lower()
    if engine not in AURORA_ENGINES:
        raise Unpriceable(
            f"instances of a {engine or '(unset)'} DB cluster (Multi-AZ DB clusters) are not "
            "in the catalog"
        )
    storage = ctx.text(cluster.properties.get("StorageType"), "aurora", "cluster storage type")
    return AURORA_ENGINES[engine], storage == "aurora-iopt1"


def _cluster_instance(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    """An instance of an Aurora cluster: its hours by class; storage and I/O are billed on
    the cluster, a db.serverless instance's ACU-hours too."""
    props = resource.properties
    cluster = ctx.referenced(props.get("DBClusterIdentifier"), "AWS::RDS::DBCluster")
    name, io_optimized = _aurora_cluster(ctx, cluster)
    instance_class = ctx.text(props.get("DBInstanceClass"), "", "DB instance class")
    if instance_class == "db.serverless":
        raise Free("Aurora Serverless v2 capacity is billed as ACU-hours on its DB cluster")
    if not instance_class:
        raise Unpriceable("the DB instance class is not known at synth time")
    hours = ctx.hours
    spec = AURORA_INSTANCES[(name, io_optimized)]
    mode = ", I/O-Optimized" if io_optimized else ""
    return [
        ctx.component(
            f"Aurora {name} instance ({instance_class}{mode})",
            "hours",
            hours,
            ctx.price(RDS, spec.family, None, instanceType=instance_class),
            usage_based=hours != 730,
        )
    ]


def _extended_support(
    ctx: PricingContext,
    engine: str,
    engine_name: str,
    version: str,
    instance_price: Price,
    multi_az: bool,
    hours: float,
) -> list[CostComponent]:
    """RDS Extended Support: per vCPU-hour (both AZs of a Multi-AZ instance) on versions past
    the end of standard support, at the rate of the support year at AS_OF_DATE."""
    as_of = AS_OF_DATE
    for prefix, since, years_1_2, year_3 in EXTENDED_SUPPORT.get(engine, ()):
        if not (version == prefix or version.startswith(prefix + ".")):
            continue
        if as_of < since:
            ctx.assume(f"{engine_name} {prefix} enters RDS Extended Support on {since}")
            return []
        start = dt.date.fromisoformat(since)
        third_year = start.replace(year=start.year + 2).isoformat()
        dimension = year_3 if year_3 and as_of >= third_year else years_1_2
        year = "year 3" if dimension == year_3 else "years 1-2"
        vcpus = float(instance_price.attribute("vcpu") or 0)
        if vcpus <= 0:
            raise Unpriceable(f"the catalog has no vCPU count for {engine_name} instances")
        nodes = 2 if multi_az else 1
        return [
            ctx.component(
                f"RDS Extended Support ({engine_name} {prefix} since {since}, {year})",
                "vCPU-hours",
                vcpus * nodes * hours,
                ctx.price(RDS, _es_family(dimension), None, databaseEngine=engine_name),
                note=f"{vcpus:g} vCPU x {nodes} node(s), as of {as_of}",
            )
        ]
    return []


def _storage(
    ctx: PricingContext, kind: str, label: str, size: float, multi_az: bool
) -> CostComponent:
    return ctx.component(
        f"Storage ({label}, {size:g} GB{', Multi-AZ' if multi_az else ''})",
        "GB-months",
        size,
        ctx.price(RDS, "Database Storage", _storage_usagetype(kind, multi_az)),
    )


def _aurora_storage(name: str, io_optimized: bool) -> PriceSpec:
    if io_optimized:
        dimension = f"Aurora {name} IO Optimized Aurora"
        source = "rds-aurora-storage"
    elif name == "MySQL":
        dimension, source = "Database Storage Single AZ General Purpose-Aurora", "rds-storage"
    else:
        dimension = "Database Storage DB Engine Aurora PostgreSQL General Purpose Aurora"
        source = "rds-aurora-storage"
    return PriceSpec(
        RDS,
        f"Aurora {name} storage{' I/O-Optimized' if io_optimized else ''}",
        None,
        published=Page(source, dimension, "GB-Mo"),
    )


AURORA_STORAGE = {
    (name, io): _aurora_storage(name, io)
    for name in AURORA_ENGINES.values()
    for io in (False, True)
}
AURORA_IO = PriceSpec(
    RDS,
    "Aurora I/O",
    None,
    published=Page("rds-aurora-storage", "System Operation Aurora I O Operation", "IOs"),
)
AURORA_BACKUP = {
    name: PriceSpec(
        RDS,
        f"Aurora {name} backup",
        None,
        published=Page("rds-aurora-storage", f"Storage Snapshot Aurora {name}", "GB-Mo"),
    )
    for name in AURORA_ENGINES.values()
}
AURORA_ACU = {
    (name, io): PriceSpec(
        RDS,
        f"Aurora {name} Serverless v2{' I/O-Optimized' if io else ''}",
        None,
        published=Page(
            "rds-aurora-storage",
            f"Aurora {name} ServerlessV2" + (" Aurora IO Optimization Mode" if io else ""),
            "ACU-Hr",
        ),
    )
    for name in AURORA_ENGINES.values()
    for io in (False, True)
}


@priced(
    "AWS::RDS::DBCluster",
    service="RDS",
    summary="Aurora MySQL/PostgreSQL storage (standard or I/O-Optimized), I/O requests "
    "(standard), backup storage beyond the free allowance, Serverless v2 ACU-hours per "
    "db.serverless instance; provisioned instances are priced on the instances",
    usage=(
        HOURS,
        UsageKey("storage_gb", 10, "data stored in the cluster volume, GB"),
        UsageKey("monthly_io_millions", 10, "I/O requests per month, millions (standard only)"),
        UsageKey("backup_storage_gb", 0, "backup storage beyond the free allowance, GB-month"),
        UsageKey(
            "average_acu",
            None,
            "average Aurora capacity units per Serverless v2 instance (default: MinCapacity, "
            "at least 0.5)",
        ),
    ),
    prices=(
        *AURORA_STORAGE.values(),
        AURORA_IO,
        *AURORA_BACKUP.values(),
        *AURORA_ACU.values(),
    ),
    reads=("AWS::RDS::DBInstance",),
)
def price_db_cluster(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    props = resource.properties
    engine = ctx.text(props.get("Engine"), "", "cluster engine").lower()
    if engine not in AURORA_ENGINES:
        raise Unpriceable(
            f"{engine or '(unset)'} DB clusters (Multi-AZ DB clusters, Aurora Serverless v1) "
            "are not in the catalog"
        )
    if ctx.text(props.get("EngineMode"), "provisioned", "engine mode") != "provisioned":
        raise Unpriceable(
            RETIRED_BY_AWS
            + "Aurora Serverless v1 (EngineMode serverless) ended on 2025-03-31 and AWS "
            "no longer creates such clusters (https://docs.aws.amazon.com/AmazonRDS/latest/"
            "AuroraUserGuide/aurora-serverless-v1.how-it-works.html); use Serverless v2 "
            "(EngineMode provisioned, db.serverless instances), which is priced"
        )
    name = AURORA_ENGINES[engine]
    storage = ctx.text(props.get("StorageType"), "aurora", "cluster storage type")
    io_optimized = storage == "aurora-iopt1"
    stored = ctx.usage.get("storage_gb") or 0.0
    mode = "I/O-Optimized" if io_optimized else "standard"
    components = [
        ctx.component(
            f"Cluster storage ({mode}, {stored:g} GB)",
            "GB-months",
            stored,
            ctx.price(RDS, AURORA_STORAGE[(name, io_optimized)].family, None),
            usage_based=True,
        )
    ]
    if not io_optimized:
        components.append(
            ctx.component(
                "I/O requests",
                "requests",
                (ctx.usage.get("monthly_io_millions") or 0.0) * 1e6,
                ctx.price(RDS, AURORA_IO.family, None),
                usage_based=True,
            )
        )
    components.append(
        ctx.component(
            "Backup storage beyond the free allowance",
            "GB-months",
            ctx.usage.get("backup_storage_gb") or 0.0,
            ctx.price(RDS, AURORA_BACKUP[name].family, None),
            usage_based=True,
        )
    )
    scaling = props.get("ServerlessV2ScalingConfiguration")
    if isinstance(scaling, dict):
        members = [
            r
            for r in ctx.index.of_type("AWS::RDS::DBInstance")
            if ref_target(r.properties.get("DBClusterIdentifier")) == resource.logical_id
            and r.properties.get("DBInstanceClass") == "db.serverless"
        ]
        count = len(members) or 1
        if not members:
            ctx.assume("no db.serverless instance of this cluster in the template: one assumed")
        minimum = ctx.number(scaling.get("MinCapacity"), 0.5, "Serverless v2 minimum ACU")
        acu = ctx.usage.get("average_acu")
        if acu is None:
            acu = max(minimum, 0.5)
            ctx.assume(f"Serverless v2 runs at its minimum capacity: {acu:g} ACU (average_acu)")
            if minimum == 0:
                ctx.assume("auto-pause: set hours_per_month to the hours the cluster is active")
        hours = ctx.hours
        components.append(
            ctx.component(
                f"Serverless v2 capacity ({acu:g} ACU x {count} instance(s))",
                "ACU-hours",
                acu * count * hours,
                ctx.price(RDS, AURORA_ACU[(name, io_optimized)].family, None),
                usage_based=True,
            )
        )
    return components
