"""One run's cost: compute from what the run states, storage from its artifacts.

Compute: the instance type's Linux on-demand price in the run's region (the catalog's
`AmazonEC2 / Compute Instance Linux`, the price the estimate uses for EC2 instances) x the
instance count x billable hours, less a stated spot discount. A SageMaker `ml.*` type is
priced when the run states it ran in a Studio notebook (`sagemaker_component:
studio-notebook`), at AWS's Studio notebook price (`AmazonSageMaker / Studio Notebook
Instance`, the price the estimate uses for Studio KernelGateway apps); SageMaker's training,
processing and hosting prices are not in the catalog, so such runs are unpriced, said so.
Billable hours are the `billable_seconds` the run states, else its end time minus its start
time; a run still running is priced up to now and marked so.

Storage: each artifact object in the class the artifact bucket's rules put it in at its age
(days since the run ended, or started if it has not ended), at the class's first-tier price
per GB-month (GB = 2^30 bytes, as S3 bills), plus the Intelligent-Tiering monitoring fee per
object of 128 KB or more. The bucket's rules are the same model the estimate prices
(`cost.pricing.storage.read_bucket_rules`), here applied object by object with keys and sizes.
S3 rules applied per object (AWS's S3 pricing page): Standard-IA and Glacier Instant
Retrieval bill objects under 128 KB as 128 KB; Glacier Flexible Retrieval and Deep Archive
add 40 KB per object (8 KB at Standard, 32 KB at the class's price); objects under 128 KB in
Intelligent-Tiering stay in Frequent Access and pay no monitoring fee.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from cost.catalog import Price, PriceCatalog, PriceNotFound
from cost.catalog.regions import COMMERCIAL_REGIONS
from cost.pricing.instances import LINUX
from cost.pricing.sagemaker import STUDIO_NOTEBOOK
from cost.pricing.storage import (
    MIN_MONITORED_OBJECT_KB,
    S3,
    STORAGE_USAGETYPES,
    BucketRules,
)
from cost.runs.convention import (
    PRICED_SAGEMAKER_COMPONENT,
    PURCHASE_OPTIONS,
    SAGEMAKER_COMPONENTS,
    Convention,
    Stated,
)

GB = 1024**3
KB = 1024
#: Classes that bill a small object as this many bytes (AWS's S3 pricing page).
MIN_BILLABLE_BYTES = {"STANDARD_IA": 128 * KB, "GLACIER_IR": 128 * KB}
#: Classes that add per-object metadata: (bytes at Standard, bytes at the class's price).
ARCHIVE_OVERHEAD_BYTES = {"GLACIER": (8 * KB, 32 * KB), "DEEP_ARCHIVE": (8 * KB, 32 * KB)}
SAGEMAKER_UNSOURCED = (
    "SageMaker's {component} prices are not in the catalog: none of its sources vendors "
    "AWS's SageMaker price file for them (only Studio notebook prices are vendored)"
)
_SECONDS_PER_HOUR = 3600.0


@dataclass(frozen=True)
class RunRecord:
    """What the pricer needs of an MLflow run (independent of the MLflow client's types)."""

    run_id: str
    experiment_id: str
    experiment_name: str
    user: str
    status: str
    start_ms: int | None
    end_ms: int | None
    params: Mapping[str, str] = field(default_factory=dict)
    tags: Mapping[str, str] = field(default_factory=dict)
    artifact_uri: str = ""

    @property
    def running(self) -> bool:
        return self.end_ms is None and self.status in ("RUNNING", "SCHEDULED")


@dataclass(frozen=True)
class Artifact:
    """One artifact object: its key under the run's artifact root, and its size in bytes."""

    path: str
    size: int


@dataclass
class RunCost:
    """One run's priced figures, or why its compute could not be priced."""

    run: RunRecord
    region: str
    compute_usd: float | None = None
    compute_basis: str = ""
    unpriced_reason: str | None = None
    hours: float = 0.0
    instance_hours: float = 0.0
    running: bool = False
    storage_usd_month: float = 0.0
    storage_basis: str = ""
    artifact_bytes: int = 0
    artifact_objects: int = 0
    catalog_dates: set[str] = field(default_factory=set)

    @property
    def priced(self) -> bool:
        return self.compute_usd is not None

    @property
    def basis(self) -> str:
        dates = ", ".join(sorted(self.catalog_dates)) or "none"
        compute = self.compute_basis if self.priced else f"unpriced: {self.unpriced_reason}"
        return f"compute: {compute}; storage: {self.storage_basis}; catalog: {dates}"


class RunPricer:
    """Prices runs from the catalog, the artifact bucket's rules and a fixed `now`."""

    def __init__(
        self,
        catalog: PriceCatalog,
        rules: BucketRules,
        *,
        default_region: str,
        now: datetime | None = None,
        convention: Convention | None = None,
        artifact_root: str | None = None,
    ) -> None:
        self.catalog = catalog
        self.rules = rules
        self.default_region = default_region
        self.now = now or datetime.now(UTC)
        self.now_ms = int(self.now.timestamp() * 1000)
        self.convention = convention or Convention()
        self.artifact_root = artifact_root.rstrip("/") if artifact_root else None

    def object_prefix(self, run: RunRecord) -> str | None:
        """The S3 key prefix of the run's artifacts, for prefix-scoped lifecycle rules: from
        an s3:// artifact URI, or a proxied mlflow-artifacts:/ URI under `artifact_root`
        (the server's artifacts destination); None when not known."""
        uri = run.artifact_uri
        if uri.startswith("mlflow-artifacts:") and self.artifact_root:
            uri = self.artifact_root + "/" + uri.split(":", 1)[1].lstrip("/")
        if uri.startswith("s3://"):
            _, _, key = uri[len("s3://") :].partition("/")
            return key.rstrip("/") + "/" if key else ""
        return None

    # -- compute -------------------------------------------------------------------------

    def price(self, run: RunRecord, artifacts: Iterable[Artifact] | None) -> RunCost:
        stated = self.convention.read(run.params, run.tags)
        region_stated = stated.get("region")
        region = region_stated.value if region_stated else self.default_region
        cost = RunCost(run=run, region=region, running=run.running)
        try:
            self._compute(run, stated, cost)
        except _Unpriced as err:
            cost.unpriced_reason = str(err)
        self._storage(run, artifacts, cost)
        return cost

    def _compute(self, run: RunRecord, stated: dict[str, Stated], cost: RunCost) -> None:
        region = cost.region
        if region not in COMMERCIAL_REGIONS:
            raise _Unpriced(
                f"region {stated['region']} is not an AWS commercial region"
                if "region" in stated
                else f"region {region!r} is not an AWS commercial region"
            )
        kind = stated.get("instance_type")
        if kind is None:
            names = "/".join(self.convention.names["instance_type"])
            raise _Unpriced(f"no instance type: the run has no param or tag {names}")
        spec, what = LINUX, "Linux on-demand"
        if kind.value.startswith("ml."):
            spec, what = STUDIO_NOTEBOOK, "SageMaker Studio notebook"
            _studio_notebook(kind, stated.get("sagemaker_component"))
        elif "sagemaker_component" in stated:
            raise _Unpriced(
                f"sagemaker_component {stated['sagemaker_component']} with instance type "
                f"{kind}, which is not a SageMaker (ml.*) type"
            )
        count = _count(stated.get("instance_count"))
        option, discount = _purchase(stated.get("purchase_option"), stated.get("spot_discount"))
        seconds, how = self._seconds(run, stated.get("billable_seconds"))
        try:
            price = self.catalog.lookup(
                spec.service, region, spec.family, None, instanceType=kind.value
            )
        except PriceNotFound as err:
            if not self.catalog.has_region(spec.service, region):
                raise _Unpriced(f"{err}") from None
            raise _Unpriced(
                f"instance type {kind} has no {what} price in {region} in the catalog"
            ) from None
        hours = seconds / _SECONDS_PER_HOUR
        unit = price.usd * (1 - discount)
        cost.hours = hours
        cost.instance_hours = hours * count
        cost.compute_usd = unit * count * hours
        cost.catalog_dates.add(price.effective_date)
        spot = f" less {discount:.0%} spot discount" if option == "spot" else ""
        cost.compute_basis = (
            f"{count:g} x {kind.value} {what} {region} @ {price.usd:g} USD/h{spot} "
            f"x {hours:.4f} h ({how})"
        )

    def _seconds(self, run: RunRecord, billable: Stated | None) -> tuple[float, str]:
        if billable is not None:
            seconds = _number(billable, "billable_seconds", minimum=0.0)
            return seconds, f"billable_seconds {billable.where}"
        if run.start_ms is None:
            raise _Unpriced("the run has no start time and states no billable_seconds")
        if run.end_ms is None:
            if not run.running:
                raise _Unpriced(
                    f"the run ended ({run.status}) without an end time and states no "
                    "billable_seconds"
                )
            end, how = self.now_ms, "running: start to now"
        else:
            end, how = run.end_ms, "end - start"
        if end < run.start_ms:
            raise _Unpriced("the run's end time is before its start time")
        return (end - run.start_ms) / 1000.0, how

    # -- storage -------------------------------------------------------------------------

    def _storage(self, run: RunRecord, artifacts: Iterable[Artifact] | None, cost: RunCost) -> None:
        if artifacts is None:
            cost.storage_basis = "artifacts not listed"
            return
        since = run.end_ms or run.start_ms or self.now_ms
        age_days = max(0.0, (self.now_ms - since) / 86_400_000)
        by_class: dict[str, int] = {}
        monitored = 0
        total = 0.0
        prefix = self.object_prefix(run)
        for artifact in artifacts:
            cost.artifact_objects += 1
            cost.artifact_bytes += artifact.size
            key = None if prefix is None else prefix + artifact.path
            tier = self.rules.tier(age_days, key, artifact.size)
            billed = max(artifact.size, MIN_BILLABLE_BYTES.get(tier, 0))
            standard, extra = ARCHIVE_OVERHEAD_BYTES.get(tier, (0, 0))
            by_class[tier] = by_class.get(tier, 0) + billed + extra
            if standard:
                by_class["STANDARD"] = by_class.get("STANDARD", 0) + standard
            if tier.startswith("INT_") and artifact.size >= MIN_MONITORED_OBJECT_KB * KB:
                monitored += 1
        parts = []
        region = cost.region if cost.region in COMMERCIAL_REGIONS else self.default_region
        for tier, size in sorted(by_class.items()):
            price = self._s3(region, "Storage", STORAGE_USAGETYPES[tier][1])
            total += size / GB * price.usd
            cost.catalog_dates.add(price.effective_date)
            parts.append(f"{human_bytes(size)} {tier} @ {price.usd:g} USD/GB-Mo")
        if monitored:
            fee = self._s3(region, "Fee", "Monitoring-Automation-INT")
            total += monitored * fee.usd
            cost.catalog_dates.add(fee.effective_date)
            parts.append(f"{_plural(monitored, 'object')} monitored @ {fee.usd:g} USD/object-Mo")
        cost.storage_usd_month = total
        objects = f"{_plural(cost.artifact_objects, 'object')}, {human_bytes(cost.artifact_bytes)}"
        where = f", age {age_days:.0f} d, {region}" if cost.artifact_objects else ""
        if (
            cost.artifact_objects
            and prefix is None
            and any(t.prefix for t in self.rules.transitions)
        ):
            where += ", keys not known: prefix rules assumed to apply"
        cost.storage_basis = f"{objects}{where}" + (f": {'; '.join(parts)}" if parts else "")

    def _s3(self, region: str, family: str, usagetype: str) -> Price:
        try:
            return self.catalog.lookup(S3, region, family, usagetype)
        except PriceNotFound as err:  # every commercial region has S3 prices in the catalog
            raise StoragePriceMissing(str(err)) from None


class StoragePriceMissing(LookupError):
    """The catalog has no S3 price the storage model needs (a catalog gap, not bad input)."""


class _Unpriced(Exception):
    pass


def _studio_notebook(kind: Stated, component: Stated | None) -> None:
    """An `ml.*` run is priced only as a Studio notebook, and only when it says so."""
    if component is None:
        raise _Unpriced(
            f"instance type {kind} is a SageMaker type: state sagemaker_component "
            f"'{PRICED_SAGEMAKER_COMPONENT}' for a run in a Studio notebook (the only SageMaker "
            "prices in the catalog); "
            + SAGEMAKER_UNSOURCED.format(component="training and hosting")
        )
    value = component.value.lower()
    if value not in SAGEMAKER_COMPONENTS:
        raise _Unpriced(
            f"sagemaker_component {component} is not one of {', '.join(SAGEMAKER_COMPONENTS)}"
        )
    if value != PRICED_SAGEMAKER_COMPONENT:
        raise _Unpriced(f"instance type {kind}: " + SAGEMAKER_UNSOURCED.format(component=value))


def _number(stated: Stated, key: str, *, minimum: float) -> float:
    try:
        value = float(stated.value)
    except ValueError:
        raise _Unpriced(f"{key} {stated} is not a number") from None
    if not math.isfinite(value) or value < minimum:
        raise _Unpriced(f"{key} {stated} must be a number >= {minimum:g}")
    return value


def _count(stated: Stated | None) -> float:
    if stated is None:
        return 1.0
    value = _number(stated, "instance_count", minimum=1.0)
    if value != int(value):
        raise _Unpriced(f"instance_count {stated} is not a whole number")
    return value


_PERCENT = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*%\s*$")


def _purchase(option: Stated | None, discount: Stated | None) -> tuple[str, float]:
    name = (option.value.lower().replace("_", "-") if option else "on-demand").strip()
    if name == "ondemand":
        name = "on-demand"
    if name not in PURCHASE_OPTIONS:
        raise _Unpriced(f"purchase_option {option} is not one of {', '.join(PURCHASE_OPTIONS)}")
    if name == "on-demand":
        return name, 0.0
    if discount is None:
        raise _Unpriced(
            "purchase_option spot needs a spot_discount (e.g. 0.7 or 70%): spot prices move, "
            "the catalog holds none"
        )
    match = _PERCENT.match(discount.value)
    try:
        value = float(match.group(1)) / 100 if match else float(discount.value)
    except ValueError:
        raise _Unpriced(f"spot_discount {discount} is not a fraction or a percentage") from None
    if not 0 <= value < 1:
        raise _Unpriced(f"spot_discount {discount} must be at least 0 and below 1 (100%)")
    return name, value


def human_bytes(size: float) -> str:
    for unit, scale in (("GB", GB), ("MB", 1024**2), ("KB", KB)):
        if size >= scale:
            return f"{size / scale:.2f} {unit}"
    return f"{size:.0f} B"


def _plural(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")
