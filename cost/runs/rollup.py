"""Roll-ups of priced runs: by experiment, attribution tag, user and month, with budgets.

Memory is bounded by the number of groups, not of runs: each run is added and dropped; the
unpriced runs are counted by reason and the first `max_listed` are listed by id.
A run's month is the UTC month it started in. Attribution tags (`team`, `project`,
`cost-center` by default) are read from the run's tags, else its experiment's tags; a run
with neither is grouped under "(untagged)".
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cost.runs.budgets import TAG_SCOPES, Budget, BudgetResult, MonthSpend, judge
from cost.runs.pricing import RunCost

UNTAGGED = "(untagged)"
DEFAULT_GROUP_TAGS = TAG_SCOPES
MAX_REASONS = 200
OTHER_REASONS = "(other reasons)"


@dataclass
class Totals:
    runs: int = 0
    priced: int = 0
    unpriced: int = 0
    running: int = 0
    compute_usd: float = 0.0
    storage_usd_month: float = 0.0
    artifact_bytes: int = 0
    instance_hours: float = 0.0

    def add(self, cost: RunCost) -> None:
        self.runs += 1
        self.running += cost.running
        if cost.compute_usd is None:
            self.unpriced += 1
        else:
            self.priced += 1
            self.compute_usd += cost.compute_usd
            self.instance_hours += cost.instance_hours
        self.storage_usd_month += cost.storage_usd_month
        self.artifact_bytes += cost.artifact_bytes

    def to_json(self) -> dict[str, Any]:
        return {
            "runs": self.runs,
            "priced_runs": self.priced,
            "unpriced_runs": self.unpriced,
            "running_runs": self.running,
            "compute_usd": round(self.compute_usd, 6),
            "storage_usd_month": round(self.storage_usd_month, 6),
            "artifact_bytes": self.artifact_bytes,
            "instance_hours": round(self.instance_hours, 6),
        }


def month_of(ms: int | None) -> str:
    if ms is None:
        return "unknown"
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m")


def _month_bounds(month: str) -> tuple[datetime, datetime]:
    start = datetime.strptime(month, "%Y-%m").replace(tzinfo=UTC)
    end = (
        start.replace(year=start.year + 1, month=1)
        if start.month == 12
        else start.replace(month=start.month + 1)
    )
    return start, end


@dataclass
class TagStats:
    written: int = 0
    unchanged: int = 0
    denied: int = 0
    dry_run: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "written": self.written,
            "unchanged": self.unchanged,
            "denied": self.denied,
            "dry_run": self.dry_run,
        }


@dataclass
class RunsReport:
    now: datetime
    group_tags: tuple[str, ...] = DEFAULT_GROUP_TAGS
    budgets: tuple[Budget, ...] = ()
    since: datetime | None = None
    until: datetime | None = None
    max_listed: int = 100
    #: "all": every month the runs cover is checked; "current": this month only (to date).
    budget_months: str = "all"
    meta: dict[str, Any] = field(default_factory=dict)
    total: Totals = field(default_factory=Totals)
    by: dict[str, dict[str, Totals]] = field(default_factory=dict)
    #: (first group tag's value, month) -> totals: the chart's cost by team per month.
    tag_by_month: dict[tuple[str, str], Totals] = field(default_factory=dict)
    reasons: dict[str, int] = field(default_factory=dict)
    unpriced_runs: list[dict[str, str]] = field(default_factory=list)
    tags: TagStats = field(default_factory=TagStats)
    catalog_dates: set[str] = field(default_factory=set)
    _budget_months: dict[str, dict[str, MonthSpend]] = field(default_factory=dict)

    def dimensions(self) -> list[str]:
        return ["experiment", *self.group_tags, "user", "month"]

    def add(self, cost: RunCost, attribution: Mapping[str, str]) -> None:
        run = cost.run
        month = month_of(run.start_ms)
        self.total.add(cost)
        self.catalog_dates |= cost.catalog_dates
        keys = {
            "experiment": run.experiment_name or run.experiment_id,
            "user": run.user or "(unknown)",
            "month": month,
            **{t: attribution.get(t) or UNTAGGED for t in self.group_tags},
        }
        for dim, key in keys.items():
            self.by.setdefault(dim, {}).setdefault(key, Totals()).add(cost)
        if self.group_tags:
            first = keys[self.group_tags[0]]
            self.tag_by_month.setdefault((first, month), Totals()).add(cost)
        if cost.compute_usd is None:
            reason = _reason_class(cost.unpriced_reason or "")
            if reason not in self.reasons and len(self.reasons) >= MAX_REASONS:
                reason = OTHER_REASONS
            self.reasons[reason] = self.reasons.get(reason, 0) + 1
            if len(self.unpriced_runs) < self.max_listed:
                self.unpriced_runs.append(
                    {
                        "run_id": run.run_id,
                        "experiment": keys["experiment"],
                        "reason": cost.unpriced_reason or "",
                    }
                )
        for budget in self.budgets:
            if _in_scope(budget, cost, attribution):
                spend = self._budget_months.setdefault(budget.name, {}).setdefault(
                    month, MonthSpend()
                )
                spend.runs += 1
                spend.storage_usd_month += cost.storage_usd_month
                if cost.compute_usd is None:
                    spend.unpriced += 1
                    reason = _reason_class(cost.unpriced_reason or "")
                    spend.reasons[reason] = spend.reasons.get(reason, 0) + 1
                else:
                    spend.compute_usd += cost.compute_usd

    # -- budgets -------------------------------------------------------------------------

    def checked_months(self) -> tuple[list[str], list[str]]:
        """(months checked, months skipped because the window covers them only in part)."""
        current = self.now.strftime("%Y-%m")
        months = {current} | {
            m for spends in self._budget_months.values() for m in spends if m != "unknown"
        }
        checked: list[str] = []
        partial: list[str] = []
        for month in sorted(months):
            if month > current:
                continue
            start, end = _month_bounds(month)
            cut_start = self.since is not None and self.since > start
            cut_end = self.until is not None and self.until < min(end, self.now)
            (partial if cut_start or cut_end else checked).append(month)
        if self.budget_months == "current":
            return [m for m in checked if m == current], [m for m in partial if m == current]
        return checked, partial

    def budget_results(self) -> list[BudgetResult]:
        checked, _ = self.checked_months()
        current = self.now.strftime("%Y-%m")
        results: list[BudgetResult] = []
        for budget in self.budgets:
            months = self._budget_months.get(budget.name, {})
            if not months:
                results.append(
                    BudgetResult(
                        budget,
                        current,
                        0.0,
                        "empty",
                        f"budget {budget.label}: no run in scope was found (check the "
                        f"{budget.scope} name)",
                    )
                )
                continue
            running_storage = 0.0
            for month in sorted({*checked, *(m for m in months if m != "unknown")}):
                spend = months.get(month, MonthSpend())
                running_storage += spend.storage_usd_month
                if month not in checked:
                    continue
                view = MonthSpend(
                    compute_usd=spend.compute_usd,
                    storage_usd_month=running_storage,
                    runs=spend.runs,
                    unpriced=spend.unpriced,
                    reasons=spend.reasons,
                )
                results.append(judge(budget, month, view, month_to_date=month == current))
        return results

    # -- output --------------------------------------------------------------------------

    def to_json(self, results: Iterable[BudgetResult] | None = None) -> dict[str, Any]:
        checked, partial = self.checked_months()
        return {
            **self.meta,
            "generated_at": self.now.isoformat(timespec="seconds"),
            "window": {
                "since": self.since.isoformat(timespec="seconds") if self.since else None,
                "until": self.until.isoformat(timespec="seconds") if self.until else None,
            },
            "catalog_dates": sorted(self.catalog_dates),
            "totals": self.total.to_json(),
            "by": {
                dim: [
                    {"key": key, **totals.to_json()}
                    for key, totals in _ordered(dim, self.by.get(dim, {}))
                ]
                for dim in self.dimensions()
            },
            "unpriced": {
                "count": self.total.unpriced,
                "by_reason": dict(sorted(self.reasons.items(), key=lambda kv: -kv[1])),
                "runs": self.unpriced_runs,
                "listed": len(self.unpriced_runs),
            },
            "tags": self.tags.to_json(),
            "budgets": [r.to_json() for r in (results or [])],
            "budget_months": {"checked": checked if self.budgets else [], "partial": partial},
        }


def _ordered(dim: str, groups: Mapping[str, Totals]) -> list[tuple[str, Totals]]:
    if dim == "month":
        return sorted(groups.items())
    return sorted(
        groups.items(), key=lambda kv: (-(kv[1].compute_usd + kv[1].storage_usd_month), kv[0])
    )


def _in_scope(budget: Budget, cost: RunCost, attribution: Mapping[str, str]) -> bool:
    if budget.scope == "experiment":
        return budget.value in (cost.run.experiment_name, cost.run.experiment_id)
    return attribution.get(budget.scope) == budget.value


def _reason_class(reason: str) -> str:
    """The reason as grouped in the report (long ones clipped)."""
    return reason if len(reason) <= 240 else reason[:237] + "..."


COLUMNS = (
    "runs",
    "priced_runs",
    "unpriced_runs",
    "running_runs",
    "compute_usd",
    "storage_usd_month",
    "artifact_bytes",
    "instance_hours",
)


def to_csv(report: RunsReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("dimension", "key", *COLUMNS))
    total = report.total.to_json()
    writer.writerow(("total", "", *(total[c] for c in COLUMNS)))
    for dim in report.dimensions():
        for key, totals in _ordered(dim, report.by.get(dim, {})):
            row = totals.to_json()
            writer.writerow((dim, key, *(row[c] for c in COLUMNS)))
    return out.getvalue()


def to_json_text(report: RunsReport, results: list[BudgetResult]) -> str:
    return json.dumps(report.to_json(results), indent=2) + "\n"


#: Unpriced runs listed by id in the Markdown report (JSON lists up to `max_listed`).
MD_UNPRICED_LISTED = 20


def storage_rate(usd: float) -> str:
    """A storage rate: 4 decimals, 6 below a cent (small artifacts are not shown as 0)."""
    return f"{usd:,.6f}" if 0 < usd < 0.01 else f"{usd:,.4f}"


def _md_table(title: str, rows: list[tuple[str, Totals]], limit: int = 25) -> list[str]:
    lines = [
        f"### {title}",
        "",
        "| | runs | unpriced | compute USD | storage USD/month | artifacts |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for key, t in rows[:limit]:
        lines.append(
            f"| {_md(key)} | {t.runs:,} | {t.unpriced:,} | {t.compute_usd:,.4f} | "
            f"{storage_rate(t.storage_usd_month)} | {_size(t.artifact_bytes)} |"
        )
    if len(rows) > limit:
        lines.append(f"| ... {len(rows) - limit} more | | | | | |")
    return [*lines, ""]


def to_markdown(report: RunsReport, results: list[BudgetResult]) -> str:
    t = report.total
    lines = [
        "## MLflow run costs",
        "",
        f"{t.runs:,} runs: compute **{t.compute_usd:,.4f} USD**, artifact storage "
        f"**{storage_rate(t.storage_usd_month)} USD/month** ({_size(t.artifact_bytes)}); "
        f"{t.unpriced:,} unpriced, {t.running:,} still running (priced up to now). "
        f"Catalog: {', '.join(sorted(report.catalog_dates)) or 'none'}.",
        "",
    ]
    for dim in report.dimensions():
        title = {"experiment": "By experiment", "user": "By user", "month": "By month"}.get(
            dim, f"By {dim}"
        )
        lines += _md_table(title, _ordered(dim, report.by.get(dim, {})))
    if report.reasons:
        lines += ["### Unpriced runs", "", "| reason | runs |", "|---|---:|"]
        for reason, n in sorted(report.reasons.items(), key=lambda kv: -kv[1]):
            lines.append(f"| {_md(reason)} | {n:,} |")
        lines.append("")
        shown = report.unpriced_runs[:MD_UNPRICED_LISTED]
        lines += ["| run | experiment | why |", "|---|---|---|"]
        for run in shown:
            lines.append(f"| {run['run_id']} | {_md(run['experiment'])} | {_md(run['reason'])} |")
        if t.unpriced > len(shown):
            lines.append(f"| ... {t.unpriced - len(shown):,} more (all reasons above) | | |")
        lines.append("")
    if results:
        lines += ["### Budgets", "", "| budget | month | spend USD | budget USD | status |"]
        lines.append("|---|---|---:|---:|---|")
        for r in results:
            month = r.month + (" (to date)" if r.month_to_date else "")
            lines.append(
                f"| {_md(r.budget.label)} | {month} | {r.spend_usd:,.2f} | "
                f"{r.budget.monthly_usd:,.2f} | {r.status} |"
            )
        lines.append("")
    return "\n".join(lines)


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _size(n: float) -> str:
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n:.0f} B"
