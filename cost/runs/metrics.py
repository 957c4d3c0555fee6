"""CloudWatch metrics of the run costs, for the stack's budget alarms (`--publish-metrics`).

In the namespace given: `BudgetSpendUSD` (dimension `Budget`: this month's spend of each
budget, month to date), `MonthToDateUSD` (dimension `Team`, the first attribution tag:
the compute of runs started this month plus
the storage rate of their artifacts), `RunsPriced` and `RunsUnpriced` (this pass).
Sent with boto3 in the region boto3 resolves (the task's AWS_REGION).
"""

from __future__ import annotations

from typing import Any

from cost.runs.budgets import BudgetResult
from cost.runs.rollup import RunsReport

BUDGET_SPEND = "BudgetSpendUSD"
TEAM_SPEND = "MonthToDateUSD"
RUNS_PRICED = "RunsPriced"
RUNS_UNPRICED = "RunsUnpriced"


class PublishError(Exception):
    """The metrics could not be sent (the report was written; the command exits 2)."""


def metric_data(report: RunsReport, results: list[BudgetResult]) -> list[dict[str, Any]]:
    current = report.now.strftime("%Y-%m")
    data: list[dict[str, Any]] = [
        {"MetricName": RUNS_PRICED, "Value": float(report.total.priced), "Unit": "Count"},
        {"MetricName": RUNS_UNPRICED, "Value": float(report.total.unpriced), "Unit": "Count"},
    ]
    for result in results:
        if result.month == current and result.status != "empty":
            data.append(
                {
                    "MetricName": BUDGET_SPEND,
                    "Dimensions": [{"Name": "Budget", "Value": result.budget.name}],
                    "Value": round(result.spend_usd, 6),
                    "Unit": "None",
                }
            )
    if report.group_tags:
        for (team, month), totals in sorted(report.tag_by_month.items()):
            if month == current:
                data.append(
                    {
                        "MetricName": TEAM_SPEND,
                        "Dimensions": [{"Name": "Team", "Value": team}],
                        "Value": round(totals.compute_usd + totals.storage_usd_month, 6),
                        "Unit": "None",
                    }
                )
    return data


def publish(namespace: str, data: list[dict[str, Any]], client: Any = None) -> int:
    """Send the metric data (in batches of 500, PutMetricData's limit); returns the count."""
    if client is None:
        import boto3

        client = boto3.client("cloudwatch")
    for i in range(0, len(data), 500):
        try:
            client.put_metric_data(Namespace=namespace, MetricData=data[i : i + 500])
        except Exception as err:  # botocore's ClientError, no credentials, no endpoint
            raise PublishError(
                f"--publish-metrics {namespace!r}: CloudWatch refused or was unreachable after "
                f"{i:,} of {len(data):,} data points: {err}"
            ) from None
    return len(data)
