"""Analytics: AWS Glue: the Data Catalog's databases and tables, ETL jobs and crawlers, and
the Glue types that bill nothing themselves.

ETL jobs and crawlers bill DPU-hours (the Glue pricing-page file's "ETL Job run", "ETL Job run
Flex" and "Data catalog crawler run" rows). The Data Catalog bills per object stored per month
(a database, a table, a partition, each one object) and per request; AWS's Glue pricing-page
file publishes both. Objects are counted per resource, not per account, and no free tier (the
first million objects and requests) is deducted.
"""

from __future__ import annotations

from typing import Any

from cost.catalog.spec import Page, PriceSpec
from cost.model import CostComponent
from cost.pricing.context import PricingContext, Resource, Unpriceable, is_unresolved, ref_target
from cost.pricing.registry import UsageKey, free, priced
from cost.pricing.schedules import monthly_firings

GLUE = "AWSGlue"
CATALOG_STORAGE = PriceSpec(
    GLUE,
    "Data Catalog Storage",
    None,
    published=Page("glue", "Data catalog storage", "objects"),
)
CATALOG_REQUESTS = PriceSpec(
    GLUE,
    "Data Catalog Requests",
    None,
    published=Page("glue", "Data catalog requests", "Requests"),
)
REQUESTS = UsageKey(
    "monthly_requests", 0, "Data Catalog API requests about this object per month (Get*, ...)"
)


def _catalog_lines(ctx: PricingContext, objects: float, what: str) -> list[CostComponent]:
    ctx.assume(
        "no Data Catalog free tier deducted (the first million objects and requests a month "
        "are free per account)"
    )
    return [
        ctx.component(
            f"Data Catalog storage ({what})",
            "objects",
            objects,
            ctx.price(GLUE, CATALOG_STORAGE.family, None),
        ),
        ctx.component(
            "Data Catalog requests",
            "requests",
            ctx.usage.get("monthly_requests") or 0.0,
            ctx.price(GLUE, CATALOG_REQUESTS.family, None),
            usage_based=True,
        ),
    ]


@priced(
    "AWS::Glue::Database",
    service="Glue",
    summary="one Data Catalog object stored, Data Catalog requests from usage",
    usage=(REQUESTS,),
    prices=(CATALOG_STORAGE, CATALOG_REQUESTS),
)
def price_glue_database(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    return _catalog_lines(ctx, 1, "the database, 1 object")


@priced(
    "AWS::Glue::Table",
    service="Glue",
    summary="Data Catalog objects stored (the table and its partitions), Data Catalog requests "
    "from usage",
    usage=(
        UsageKey("partitions", 0, "partitions of the table (each a Data Catalog object)"),
        REQUESTS,
    ),
    prices=(CATALOG_STORAGE, CATALOG_REQUESTS),
)
def price_glue_table(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    partitions = ctx.usage.get("partitions") or 0.0
    return _catalog_lines(ctx, 1 + partitions, f"the table and {partitions:g} partitions")


# --- ETL jobs ----------------------------------------------------------------------------

#: The file also lists "ETL Job run All versions" at the same price wherever both rows are
#: published; "ETL Job run" is published in every location the file covers.
JOB_RUN = PriceSpec(GLUE, "ETL Job", None, published=Page("glue", "ETL Job run", "DPU-Hour"))
JOB_RUN_FLEX = PriceSpec(
    GLUE, "ETL Job Flex", None, published=Page("glue", "ETL Job run Flex", "DPU-Hour")
)
CRAWLER_RUN = PriceSpec(
    GLUE, "Crawler", None, published=Page("glue", "Data catalog crawler run", "DPU-Hour")
)
#: DPUs per worker (Glue's WorkerType documentation: G.025X maps to 0.25 DPU, G.1X to 1,
#: G.2X to 2, G.4X to 4, G.8X to 8; a Standard worker is 4 vCPUs and 16 GB, one DPU by the
#: DPU's definition).
WORKER_DPUS = {"Standard": 1.0, "G.025X": 0.25, "G.1X": 1.0, "G.2X": 2.0, "G.4X": 4.0, "G.8X": 8.0}
#: Glue's MaxCapacity documentation: a Python shell job runs with 0.0625 or 1 DPU (default
#: 0.0625); a Spark ETL or streaming job defaults to 10 DPUs.
PYTHON_SHELL_DPUS = (0.0625, 1.0)
SPARK_DEFAULT_DPUS = 10.0
SPARK_COMMANDS = ("glueetl", "gluestreaming")
#: Glue 2.0 and later bill Spark jobs per second with a 1-minute minimum per run (AWS's
#: announcement, https://aws.amazon.com/blogs/aws/aws-glue-version-2-0-featuring-10x-faster-
#: job-start-times-and-1-minute-minimum-billing-duration/).
MINIMUM_MINUTES = 1.0
DEFAULT_RUNS = 30


def _names_job(action: Any, job: Resource) -> bool:
    if not isinstance(action, dict):
        return False
    name = action.get("JobName")
    if ref_target(name) == job.logical_id:
        return True
    own = job.properties.get("Name")
    return isinstance(name, str) and isinstance(own, str) and name == own


def _scheduled_runs(job: Resource, ctx: PricingContext) -> float | None:
    """Runs per month the template's scheduled triggers start this job; None when none does."""
    runs, found = 0.0, False
    for trigger in ctx.index.of_type("AWS::Glue::Trigger"):
        props = trigger.properties
        if props.get("Type") != "SCHEDULED":
            continue
        if not any(_names_job(a, job) for a in props.get("Actions") or []):
            continue
        schedule = props.get("Schedule")
        if not isinstance(schedule, str):
            ctx.assume(f"trigger {trigger.logical_id}'s schedule is not known at synth time")
            continue
        try:
            runs += monthly_firings(schedule)
        except ValueError as why:
            ctx.assume(f"trigger {trigger.logical_id}'s schedule is not evaluated ({why})")
            continue
        found = True
        ctx.assume(f"runs from trigger {trigger.logical_id}: {schedule} (UTC)")
    return runs if found else None


def _version(value: Any) -> float | None:
    try:
        return float(value) if isinstance(value, str | int | float) else None
    except ValueError:
        return None


def _job_dpus(props: dict[str, Any], command: str, ctx: PricingContext) -> tuple[float, str]:
    worker = props.get("WorkerType")
    if command == "pythonshell":
        dpus = ctx.number(props.get("MaxCapacity"), PYTHON_SHELL_DPUS[0], "MaxCapacity")
        if dpus not in PYTHON_SHELL_DPUS:
            raise Unpriceable(
                f"MaxCapacity {dpus:g} is not allowed for a Python shell job (0.0625 or 1)"
            )
        return dpus, f"Python shell, {dpus:g} DPU"
    if worker is not None:
        if is_unresolved(worker) or worker not in WORKER_DPUS:
            raise Unpriceable(
                f"WorkerType {worker!r} is not priced; allowed: {', '.join(WORKER_DPUS)}"
            )
        workers = props.get("NumberOfWorkers")
        if workers is None:
            raise Unpriceable("WorkerType is set without NumberOfWorkers: no DPU count known")
        count = ctx.number(workers, 10, "NumberOfWorkers")
        return WORKER_DPUS[worker] * count, f"{count:g} x {worker}"
    capacity = props.get("MaxCapacity", props.get("AllocatedCapacity"))
    if capacity is None:
        ctx.assume(f"no WorkerType or MaxCapacity: Glue's default {SPARK_DEFAULT_DPUS:g} DPUs")
    dpus = ctx.number(capacity, SPARK_DEFAULT_DPUS, "MaxCapacity")
    return dpus, f"{dpus:g} DPU"


@priced(
    "AWS::Glue::Job",
    service="Glue",
    summary="DPU-hours: runs x minutes per run (from usage; runs from the template's scheduled "
    "triggers) x the DPUs of WorkerType/NumberOfWorkers or MaxCapacity; Flex at its own rate",
    usage=(
        UsageKey(
            "monthly_runs",
            None,
            f"job runs per month (default: what the template's scheduled triggers start, "
            f"else {DEFAULT_RUNS})",
        ),
        UsageKey("minutes_per_run", 10, "minutes each run lasts"),
    ),
    prices=(JOB_RUN, JOB_RUN_FLEX),
    reads=("AWS::Glue::Trigger",),
)
def price_glue_job(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    props = resource.properties
    command_value = props.get("Command")
    name = command_value.get("Name") if isinstance(command_value, dict) else None
    command = ctx.text(name, "glueetl", "Command.Name")
    if command not in (*SPARK_COMMANDS, "pythonshell"):
        raise Unpriceable(
            f"Command.Name {command!r} is not priced; allowed: glueetl, gluestreaming, "
            "pythonshell (Ray jobs are not modelled)"
        )
    dpus, sized = _job_dpus(props, command, ctx)
    flex = ctx.text(props.get("ExecutionClass"), "STANDARD", "ExecutionClass")
    if flex not in ("STANDARD", "FLEX"):
        raise Unpriceable(f"ExecutionClass {flex!r} is not STANDARD or FLEX")
    if flex == "FLEX" and command != "glueetl":
        raise Unpriceable(f"ExecutionClass FLEX is for glueetl jobs, not {command}")
    runs = ctx.usage.get("monthly_runs")
    if runs is None:
        runs = _scheduled_runs(resource, ctx)
        if runs is None:
            runs = float(DEFAULT_RUNS)
            ctx.assume(f"no scheduled trigger starts the job: {DEFAULT_RUNS} runs assumed")
    minutes = ctx.usage.get("minutes_per_run") or 0.0
    version = _version(props.get("GlueVersion"))
    if command in SPARK_COMMANDS and version is not None and version >= 2.0 and runs:
        if minutes < MINIMUM_MINUTES:
            ctx.assume(f"each run billed for at least {MINIMUM_MINUTES:g} minute (Glue 2.0+)")
        minutes = max(minutes, MINIMUM_MINUTES)
    spec = JOB_RUN_FLEX if flex == "FLEX" else JOB_RUN
    return [
        ctx.component(
            f"ETL job ({sized}, {runs:g} runs x {minutes:g} min"
            + (", Flex)" if flex == "FLEX" else ")"),
            "DPU-hours",
            dpus * runs * minutes / 60,
            ctx.price(GLUE, spec.family, None),
            usage_based=True,
        )
    ]


@priced(
    "AWS::Glue::Crawler",
    service="Glue",
    summary="crawler DPU-hours from usage",
    usage=(UsageKey("monthly_dpu_hours", 1, "DPU-hours the crawler's runs use per month"),),
    prices=(CRAWLER_RUN,),
)
def price_glue_crawler(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    return [
        ctx.component(
            "Crawler runs",
            "DPU-hours",
            ctx.usage.get("monthly_dpu_hours") or 0.0,
            ctx.price(GLUE, CRAWLER_RUN.family, None),
            usage_based=True,
        )
    ]


free(
    "triggers, connections and workflows bill nothing themselves; the jobs and crawlers they "
    "start bill DPU-hours",
    "AWS::Glue::Trigger",
    "AWS::Glue::Connection",
    "AWS::Glue::Workflow",
)
