"""`python -m cost runs`: price the runs of an MLflow tracking server, tag them, roll them up,
check budgets.

Exit codes: 0 ok (budget warnings are printed), 1 a budget failed (over, or runs in its scope
could not be priced), 2 bad input (the message names the option and what is allowed; also an
unreachable server or refused credentials), 3 an internal error.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

from cost.catalog import UnknownRegion, default_catalog
from cost.pricing.storage import BucketRules
from cost.runs import tags as run_tags
from cost.runs.bucket import BucketError, rules_from_properties, rules_from_template
from cost.runs.budgets import BudgetError, BudgetResult, load_budgets, parse_budgets_json
from cost.runs.convention import Convention, MappingError
from cost.runs.pricing import RunCost, RunPricer, RunRecord, StoragePriceMissing
from cost.runs.rollup import DEFAULT_GROUP_TAGS, RunsReport, to_csv, to_json_text, to_markdown
from cost.runs.source import Experiment, MlflowSource, S3Sizes, SourceError

EXIT_OK, EXIT_BUDGET, EXIT_INPUT = 0, 1, 2
DEFAULT_REGION = "us-east-1"
_RELATIVE = re.compile(r"^(\d+)([dh])$")
RUN_COLUMNS = (
    "run_id",
    "experiment",
    "user",
    "status",
    "start_time",
    "month",
    "region",
    "compute_usd",
    "instance_hours",
    "storage_usd_month",
    "artifact_bytes",
    "artifact_objects",
    "unpriced_reason",
)


class InputError(ValueError):
    pass


def parse_time(text: str, option: str, now: datetime) -> datetime:
    """YYYY-MM-DD, an ISO 8601 date-time (UTC unless it says), or Nd / Nh before now."""
    relative = _RELATIVE.match(text.strip())
    if relative:
        amount, unit = int(relative.group(1)), relative.group(2)
        return now - (timedelta(days=amount) if unit == "d" else timedelta(hours=amount))
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InputError(
            f"{option} {text!r} is not a time; allowed: YYYY-MM-DD, an ISO 8601 date-time, "
            "or a duration before now such as 30d or 12h"
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def add_parser(sub: Any) -> None:
    runs = sub.add_parser(
        "runs",
        help="price the runs of an MLflow tracking server, tag them, roll them up",
        description="Price each MLflow run's compute (from its instance params or tags) and "
        "artifact storage, write cost.* tags, roll up by experiment, team, project, cost "
        "centre, user and month, and check budgets.",
    )
    runs.add_argument(
        "--tracking-uri", help="tracking server (default: MLFLOW_TRACKING_URI, as MLflow does)"
    )
    runs.add_argument(
        "--experiment",
        action="append",
        metavar="NAME_OR_ID",
        help="price this experiment's runs (repeatable; default: every active experiment)",
    )
    runs.add_argument("--since", help="runs started at or after: YYYY-MM-DD, ISO time, 30d, 12h")
    runs.add_argument("--until", help="runs started before: YYYY-MM-DD, ISO time, 30d, 12h")
    runs.add_argument(
        "--region",
        default=DEFAULT_REGION,
        help=f"region of runs that state none (default {DEFAULT_REGION})",
    )
    runs.add_argument("--format", choices=("json", "csv", "markdown"), default="markdown")
    runs.add_argument("--output", "-o", help="write the report to this file, not standard output")
    runs.add_argument("--budgets", metavar="FILE", help="YAML budgets file (see the README)")
    runs.add_argument("--budgets-json", metavar="JSON", help="the budgets as JSON text")
    runs.add_argument(
        "--budget-months",
        choices=("all", "current"),
        default="all",
        help="check budgets in every month the runs cover (default) or this month only",
    )
    runs.add_argument("--dry-run", action="store_true", help="price and report; write no tag")
    runs.add_argument("--mapping", metavar="FILE", help="YAML file mapping your param names")
    bucket = runs.add_mutually_exclusive_group()
    bucket.add_argument(
        "--artifact-bucket",
        metavar="PATH[#LOGICAL_ID]",
        help="the artifact bucket's rules from a template or cdk.out (default: S3 Standard)",
    )
    bucket.add_argument(
        "--bucket-properties",
        metavar="JSON",
        help="the artifact bucket's LifecycleConfiguration and IntelligentTieringConfigurations "
        "as CloudFormation JSON",
    )
    runs.add_argument(
        "--artifact-root",
        metavar="s3://BUCKET/PREFIX",
        help="the server's artifacts destination, to apply prefix-scoped lifecycle rules to "
        "proxied (mlflow-artifacts:/) runs",
    )
    runs.add_argument(
        "--artifact-listing",
        choices=("mlflow", "s3"),
        default="mlflow",
        help="read artifact sizes through the MLflow API (default; the user's permissions) "
        "or from the bucket with boto3 (faster; needs s3:ListBucket and --artifact-root for "
        "proxied artifacts)",
    )
    runs.add_argument(
        "--group-by-tag",
        action="append",
        metavar="TAG",
        help="attribution tags to roll up by (repeatable; default: team, project, cost-center)",
    )
    runs.add_argument("--chart", metavar="FILE.png", help="write a PNG chart (needs matplotlib)")
    runs.add_argument("--runs-output", metavar="FILE.csv", help="write one CSV row per run")
    runs.add_argument(
        "--publish-metrics", metavar="NAMESPACE", help="send CloudWatch metrics (boto3)"
    )
    runs.add_argument("--workers", type=int, default=8, help="parallel MLflow calls (default 8)")
    runs.add_argument("--no-progress", action="store_true", help="no progress line on stderr")
    runs.set_defaults(func=run)


def _bucket_rules(args: argparse.Namespace) -> tuple[BucketRules, str]:
    if args.bucket_properties:
        return rules_from_properties(args.bucket_properties), "--bucket-properties"
    if args.artifact_bucket:
        rules, chosen = rules_from_template(args.artifact_bucket)
        return rules, f"bucket {chosen} of {args.artifact_bucket.partition('#')[0]}"
    return BucketRules(), "S3 Standard (no --artifact-bucket given)"


def run(args: argparse.Namespace) -> int:
    now = datetime.now(UTC)
    try:
        return _run(args, now)
    except (InputError, BucketError, BudgetError, MappingError, SourceError) as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_INPUT
    except UnknownRegion as err:
        print(f"error: --region: {err}", file=sys.stderr)
        return EXIT_INPUT


def _run(args: argparse.Namespace, now: datetime) -> int:
    catalog = default_catalog()
    catalog.check_region(args.region)
    since = parse_time(args.since, "--since", now) if args.since else None
    until = parse_time(args.until, "--until", now) if args.until else None
    if since and until and since >= until:
        raise InputError(f"--since {args.since!r} is not before --until {args.until!r}")
    if args.workers < 1 or args.workers > 64:
        raise InputError(f"--workers {args.workers}: allowed 1 to 64")
    if args.budgets and args.budgets_json:
        raise InputError("--budgets and --budgets-json: give one of them")
    budgets = (
        load_budgets(args.budgets)
        if args.budgets
        else parse_budgets_json(args.budgets_json)
        if args.budgets_json
        else []
    )
    convention = Convention.from_file(args.mapping) if args.mapping else Convention()
    rules, rules_source = _bucket_rules(args)
    group_tags = tuple(dict.fromkeys(args.group_by_tag or DEFAULT_GROUP_TAGS))
    for tag in group_tags:
        if not tag.strip():
            raise InputError("--group-by-tag: an empty tag name; allowed: a tag name")
    for budget in budgets:
        if budget.scope != "experiment" and budget.scope not in group_tags:
            raise InputError(
                f"budget {budget.name}: scope {budget.scope} is not among the attribution "
                f"tags {', '.join(group_tags)} (--group-by-tag)"
            )
    if args.chart:
        _check_chart_support(args.chart)
    source = MlflowSource(args.tracking_uri)
    sizes: MlflowSource | S3Sizes = source
    if args.artifact_listing == "s3":
        sizes = S3Sizes(args.artifact_root)
    experiments = source.experiments(args.experiment or [])
    pricer = RunPricer(catalog, rules, default_region=args.region, now=now, convention=convention)
    report = RunsReport(
        now=now,
        group_tags=group_tags,
        budgets=tuple(budgets),
        since=since,
        until=until,
        budget_months=args.budget_months,
        meta={
            "tracking_uri": source.tracking_uri,
            "default_region": args.region,
            "storage_model": rules_source,
            "experiments": len(experiments),
        },
    )
    report.tags.dry_run = args.dry_run
    priced_at = now.isoformat(timespec="seconds")
    progress = _Progress(enabled=not args.no_progress and sys.stderr.isatty())
    runs_out = _RunsWriter(args.runs_output)
    by_id = {e.experiment_id: e for e in experiments}
    try:
        with ThreadPoolExecutor(max_workers=args.workers) as pool:
            for page in source.runs(
                experiments,
                since_ms=_ms(since),
                until_ms=_ms(until),
            ):
                for cost, wrote in pool.map(
                    lambda r: _one(source, sizes, pricer, r, priced_at, args.dry_run), page
                ):
                    report.add(cost, _attribution(cost.run, by_id, group_tags))
                    _count_tags(report, wrote)
                    runs_out.write(cost)
                progress.show(report)
    finally:
        runs_out.close()
        progress.done(report)
    results = report.budget_results()
    text = _render(report, results, args.format)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    if args.chart:
        from cost.runs.chart import write_chart

        write_chart(report, args.chart)
    if args.publish_metrics:
        from cost.runs.metrics import PublishError, metric_data, publish

        try:
            sent = publish(args.publish_metrics, metric_data(report, results))
        except PublishError as err:
            _budget_exit(report, results)
            raise SourceError(str(err)) from None
        print(f"published {sent:,} metric data points to {args.publish_metrics}", file=sys.stderr)
    return _budget_exit(report, results)


def _one(
    source: MlflowSource,
    sizes: MlflowSource | S3Sizes,
    pricer: RunPricer,
    run: RunRecord,
    priced_at: str,
    dry_run: bool,
) -> tuple[RunCost, str]:
    artifacts = sizes.artifacts(run)
    try:
        cost = pricer.price(run, artifacts)
    except StoragePriceMissing as err:
        raise SourceError(f"run {run.run_id}: {err}") from None
    change = run_tags.change(run.tags, cost, priced_at)
    if change.empty:
        return cost, "unchanged"
    if dry_run:
        return cost, "would-write"
    return cost, "written" if source.write_tags(run.run_id, change.set, change.delete) else "denied"


def _count_tags(report: RunsReport, wrote: str) -> None:
    if wrote == "unchanged":
        report.tags.unchanged += 1
    elif wrote == "denied":
        report.tags.denied += 1
    else:
        report.tags.written += 1


def _attribution(
    run: RunRecord, experiments: dict[str, Experiment], group_tags: tuple[str, ...]
) -> dict[str, str]:
    exp = experiments.get(run.experiment_id)
    found: dict[str, str] = {}
    for tag in group_tags:
        value = run.tags.get(tag) or (exp.tags.get(tag) if exp else None)
        if value:
            found[tag] = value
    return found


def _render(report: RunsReport, results: list[BudgetResult], fmt: str) -> str:
    if fmt == "json":
        return to_json_text(report, results)
    if fmt == "csv":
        return to_csv(report)
    return to_markdown(report, results)


def _budget_exit(report: RunsReport, results: list[BudgetResult]) -> int:
    for line in _summary(report):
        print(line, file=sys.stderr)
    failed = False
    for result in results:
        if result.failed:
            failed = True
            print(f"error: {result.message}", file=sys.stderr)
        elif result.status in ("warn", "empty"):
            print(f"warning: {result.message}", file=sys.stderr)
    return EXIT_BUDGET if failed else EXIT_OK


def _summary(report: RunsReport) -> Iterator[str]:
    t = report.total
    tags = report.tags
    verb = "would write" if tags.dry_run else "wrote"
    yield (
        f"priced {t.priced:,} of {t.runs:,} runs: compute {t.compute_usd:,.2f} USD, storage "
        f"{t.storage_usd_month:,.4f} USD/month; {t.unpriced:,} unpriced; tags: {verb} "
        f"{tags.written:,}, unchanged {tags.unchanged:,}"
        + (f", not allowed {tags.denied:,}" if tags.denied else "")
    )
    _, partial = report.checked_months()
    if report.budgets and partial:
        yield f"budgets: months covered only in part, not checked: {', '.join(partial)}"


def _check_chart_support(path: str) -> None:
    if not path.endswith(".png"):
        raise InputError(f"--chart {path!r}: allowed: a file name ending in .png")
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise InputError("--chart needs matplotlib (pip install matplotlib)") from None


def _ms(value: datetime | None) -> int | None:
    return None if value is None else int(value.timestamp() * 1000)


class _RunsWriter:
    def __init__(self, path: str | None) -> None:
        self.file: IO[str] | None = None
        if path:
            self.file = open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115
            self.writer = csv.writer(self.file, lineterminator="\n")
            self.writer.writerow(RUN_COLUMNS)

    def write(self, cost: RunCost) -> None:
        if self.file is None:
            return
        run = cost.run
        start = (
            datetime.fromtimestamp(run.start_ms / 1000, UTC).isoformat(timespec="seconds")
            if run.start_ms is not None
            else ""
        )
        self.writer.writerow(
            (
                run.run_id,
                run.experiment_name,
                run.user,
                run.status,
                start,
                start[:7],
                cost.region,
                "" if cost.compute_usd is None else run_tags.usd(cost.compute_usd),
                f"{cost.instance_hours:.6f}",
                run_tags.usd(cost.storage_usd_month),
                cost.artifact_bytes,
                cost.artifact_objects,
                cost.unpriced_reason or "",
            )
        )

    def close(self) -> None:
        if self.file is not None:
            self.file.close()


class _Progress:
    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled
        self.start = time.monotonic()

    def show(self, report: RunsReport) -> None:
        if not self.enabled:
            return
        rate = report.total.runs / max(time.monotonic() - self.start, 1e-6)
        sys.stderr.write(
            f"\rpriced {report.total.runs:,} runs ({report.total.unpriced:,} unpriced), "
            f"{rate:,.0f} runs/s"
        )
        sys.stderr.flush()

    def done(self, report: RunsReport) -> None:
        if self.enabled:
            self.show(report)
            sys.stderr.write("\n")
