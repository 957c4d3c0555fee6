"""RDS DB instances: instance hours by class and deployment, storage, IOPS, throughput, backups."""

from __future__ import annotations

from cost.catalog.spec import PriceSpec
from cost.model import CostComponent
from cost.pricing.context import PricingContext, Resource, Unpriceable
from cost.pricing.registry import HOURS, UsageKey, priced
from cost.pricing.security import SECRET_PRICES, secret_components

RDS = "AmazonRDS"

#: RDS for MySQL instance classes the catalog prices (Single-AZ and Multi-AZ).
RDS_CLASSES = (
    "db.t4g.micro",
    "db.t4g.small",
    "db.t4g.medium",
    "db.t4g.large",
    "db.t3.micro",
    "db.t3.small",
    "db.t3.medium",
    "db.t3.large",
    "db.m6g.large",
    "db.m6g.xlarge",
    "db.m7g.large",
    "db.m7g.xlarge",
    "db.m5.large",
    "db.m6i.large",
    "db.r6g.large",
    "db.r7g.large",
)
DEPLOYMENTS = ("Single-AZ", "Multi-AZ")

ENGINES = {
    "mysql": "MySQL",
    "mariadb": "MariaDB",
    "postgres": "PostgreSQL",
}

# gp3 on RDS for MySQL/MariaDB/PostgreSQL includes a baseline that depends on volume size.
GP3_SMALL_VOLUME_GIB = 400
GP3_BASELINE = {"small": (3000, 125), "large": (12000, 500)}

# Versions in RDS Extended Support (billed per vCPU-hour on top): not priced, said out loud.
EXTENDED_SUPPORT = {
    "mysql": (("5.7", "2024-03-01"), ("8.0", "2026-08-01")),
    "postgres": (("11", "2024-03-01"), ("12", "2025-03-01")),
}


def priced_classes(engine: str = "MySQL") -> tuple[str, ...]:
    """The instance classes the bundled catalog prices for `engine`, Single-AZ and Multi-AZ,
    in every region the catalog must cover: what a deployment may choose without a database
    the estimate cannot price."""
    from cost.catalog import default_catalog
    from cost.catalog.spec import REQUIRED_REGIONS

    catalog = default_catalog()
    return tuple(
        cls
        for cls in RDS_CLASSES
        if all(
            catalog.has(
                RDS,
                region,
                "Database Instance",
                None,
                instanceType=cls,
                databaseEngine=engine,
                deploymentOption=deployment,
            )
            for region in REQUIRED_REGIONS
            for deployment in DEPLOYMENTS
        )
    )


def _storage_usagetype(kind: str, multi_az: bool) -> str:
    return f"RDS:{'Multi-AZ-' if multi_az else ''}{kind}"


def _rds_prices() -> list[PriceSpec]:
    specs = [
        PriceSpec(
            RDS,
            "Database Instance",
            None,
            {"instanceType": cls, "databaseEngine": "MySQL", "deploymentOption": deployment},
        )
        for cls in RDS_CLASSES
        for deployment in DEPLOYMENTS
    ]
    for multi_az in (False, True):
        for kind in ("GP2-Storage", "GP3-Storage", "PIOPS-Storage"):
            specs.append(PriceSpec(RDS, "Database Storage", _storage_usagetype(kind, multi_az)))
        specs.append(PriceSpec(RDS, "Provisioned IOPS", _storage_usagetype("PIOPS", multi_az)))
        specs.append(PriceSpec(RDS, "Provisioned IOPS", _storage_usagetype("GP3-PIOPS", multi_az)))
        specs.append(
            PriceSpec(RDS, "Provisioned Throughput", _storage_usagetype("GP3-Throughput", multi_az))
        )
    specs.append(PriceSpec(RDS, "Storage Snapshot", "RDS:ChargedBackupUsage"))
    return specs + list(SECRET_PRICES)


@priced(
    "AWS::RDS::DBInstance",
    service="RDS",
    summary="instance hours by class and Single-AZ/Multi-AZ SKU (MySQL classes in the "
    "catalog), storage (gp2, gp3, io1) with gp3 IOPS/throughput above the baseline and io1 "
    "IOPS, backup storage beyond the free allowance, the RDS-managed master secret; Extended "
    "Support versions flagged",
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
)
def price_db_instance(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    props = resource.properties
    if props.get("DBClusterIdentifier") is not None:
        raise Unpriceable("instances of an Aurora/Multi-AZ DB cluster are not in the catalog")
    engine = ctx.text(props.get("Engine"), "", "database engine").lower()
    if engine not in ENGINES:
        raise Unpriceable(f"engine {engine or '(unset)'} is not in the price catalog")
    engine_name = ENGINES[engine]
    instance_class = ctx.text(props.get("DBInstanceClass"), "", "DB instance class")
    if not instance_class:
        raise Unpriceable("the DB instance class is not known at synth time")
    multi_az = ctx.flag(props.get("MultiAZ"), False, "MultiAZ")
    deployment = "Multi-AZ" if multi_az else "Single-AZ"
    hours = ctx.hours

    components = [
        ctx.component(
            f"Database instance ({instance_class}, {engine_name}, {deployment})",
            "hours",
            hours,
            ctx.price(
                RDS,
                "Database Instance",
                None,
                instanceType=instance_class,
                databaseEngine=engine_name,
                deploymentOption=deployment,
            ),
            usage_based=hours != 730,
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
    elif storage_type == "io1":
        components.append(_storage(ctx, "PIOPS-Storage", "io1", size, multi_az))
        components.append(
            ctx.component(
                "Provisioned IOPS (io1)",
                "IOPS-months",
                ctx.number(iops, 1000, "io1 IOPS"),
                ctx.price(RDS, "Provisioned IOPS", _storage_usagetype("PIOPS", multi_az)),
            )
        )
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
    if isinstance(version, str):
        for prefix, since in EXTENDED_SUPPORT.get(engine, ()):
            if version == prefix or version.startswith(prefix + "."):
                ctx.assume(
                    f"{engine_name} {prefix} is in RDS Extended Support since {since}: an extra "
                    "per-vCPU-hour charge applies that this estimate does not include"
                )
    return components


def _storage(
    ctx: PricingContext, kind: str, label: str, size: float, multi_az: bool
) -> CostComponent:
    return ctx.component(
        f"Storage ({label}, {size:g} GB{', Multi-AZ' if multi_az else ''})",
        "GB-months",
        size,
        ctx.price(RDS, "Database Storage", _storage_usagetype(kind, multi_az)),
    )
