"""Budgets over run costs: a file of monthly USD limits per team, project, cost centre or
experiment, checked month by month.

    budgets:
      - name: vision-monthly
        team: vision            # or project:, cost-center:, experiment: (name or id)
        monthly_usd: 500
        warn_at: 0.8            # optional: warn at this share of the budget
        allow_unpriced: false   # optional: by default unpriced runs in scope fail the budget

A month's spend is the compute of the runs in scope that started in that month plus what the
artifacts of the runs in scope started by the end of that month cost per month today (the
runs the query found: without `--since`, all of them). Months that `--since`/`--until` cover
only in part are not checked (said so); the current month is checked month to date.
Fail closed: runs in scope whose compute cannot be priced fail the budget, naming how many
and why, unless the budget says `allow_unpriced: true`.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

#: Scope keys: a budget names exactly one. Tag scopes read the run's tag, else its
#: experiment's tag, of the same name.
TAG_SCOPES = ("team", "project", "cost-center")
SCOPES = (*TAG_SCOPES, "experiment")
_FIELDS = {"name", "monthly_usd", "warn_at", "allow_unpriced", *SCOPES}


class BudgetError(ValueError):
    """The budgets file is malformed; the message names the field and what is allowed."""


@dataclass(frozen=True)
class Budget:
    name: str
    scope: str
    value: str
    monthly_usd: float
    warn_at: float | None = None
    allow_unpriced: bool = False

    @property
    def label(self) -> str:
        return f"{self.name} ({self.scope}={self.value})"


@dataclass
class MonthSpend:
    compute_usd: float = 0.0
    storage_usd_month: float = 0.0
    runs: int = 0
    unpriced: int = 0
    reasons: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class BudgetResult:
    budget: Budget
    month: str
    spend_usd: float
    status: str  # ok | warn | over | unpriced | empty
    message: str
    month_to_date: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.budget.name,
            "scope": {self.budget.scope: self.budget.value},
            "month": self.month,
            "month_to_date": self.month_to_date,
            "spend_usd": round(self.spend_usd, 6),
            "monthly_usd": self.budget.monthly_usd,
            "warn_at": self.budget.warn_at,
            "status": self.status,
            "message": self.message,
        }

    @property
    def failed(self) -> bool:
        return self.status in ("over", "unpriced")


def load_budgets(path: str | Path) -> list[Budget]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as err:
        raise BudgetError(f"{path}: {err.strerror or err}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise BudgetError(f"{path}: not valid YAML ({err})") from None
    return parse_budgets(data, str(path))


def parse_budgets_json(text: str) -> list[Budget]:
    try:
        data = json.loads(text)
    except ValueError as err:
        raise BudgetError(f"--budgets-json: not valid JSON ({err})") from None
    return parse_budgets(data, "--budgets-json")


def parse_budgets(data: Any, where: str) -> list[Budget]:
    if not isinstance(data, dict) or not isinstance(data.get("budgets"), list):
        raise BudgetError(f"{where}: needs a top-level 'budgets' list")
    if set(data) - {"budgets"}:
        raise BudgetError(
            f"{where}: unknown key(s) {', '.join(sorted(map(str, set(data) - {'budgets'})))}; "
            "allowed: budgets"
        )
    budgets: list[Budget] = []
    names: set[str] = set()
    for i, item in enumerate(data["budgets"]):
        at = f"{where}: budgets[{i}]"
        if not isinstance(item, dict):
            raise BudgetError(f"{at}: not a mapping")
        unknown = set(item) - _FIELDS
        if unknown:
            raise BudgetError(
                f"{at}: unknown field(s) {', '.join(sorted(map(str, unknown)))}; "
                f"allowed: {', '.join(sorted(_FIELDS))}"
            )
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            raise BudgetError(f"{at}.name: {name!r} is not a non-empty name")
        if name in names:
            raise BudgetError(f"{at}.name: {name!r} is used twice; budget names must be unique")
        names.add(name)
        scopes = [s for s in SCOPES if s in item]
        if len(scopes) != 1:
            raise BudgetError(
                f"{at} ({name}): names {len(scopes)} scopes {scopes or ''}; allowed: exactly "
                f"one of {', '.join(SCOPES)}"
            )
        scope = scopes[0]
        value = item[scope]
        if isinstance(value, bool) or not isinstance(value, (str, int)) or not str(value).strip():
            raise BudgetError(f"{at}.{scope}: {value!r} is not a non-empty name")
        amount = item.get("monthly_usd")
        if (
            isinstance(amount, bool)
            or not isinstance(amount, (int, float))
            or not math.isfinite(amount)
            or amount <= 0
        ):
            raise BudgetError(f"{at}.monthly_usd: {amount!r} is not a positive amount of USD")
        warn = item.get("warn_at")
        if warn is not None and (
            isinstance(warn, bool) or not isinstance(warn, (int, float)) or not 0 < warn < 1
        ):
            raise BudgetError(f"{at}.warn_at: {warn!r} is not a share between 0 and 1 (e.g. 0.8)")
        allow = item.get("allow_unpriced", False)
        if not isinstance(allow, bool):
            raise BudgetError(f"{at}.allow_unpriced: {allow!r} is not true or false")
        budgets.append(
            Budget(name, scope, str(value).strip(), float(amount), warn and float(warn), allow)
        )
    return budgets


def judge(budget: Budget, month: str, spend: MonthSpend, *, month_to_date: bool) -> BudgetResult:
    """The budget's result for one month of spend (compute + storage rate)."""
    total = spend.compute_usd + spend.storage_usd_month
    period = f"{month}{' (month to date)' if month_to_date else ''}"
    figure = f"{total:,.2f} USD of {budget.monthly_usd:,.2f} USD/month"
    if spend.unpriced and not budget.allow_unpriced:
        why = "; ".join(f"{n} x {r}" for r, n in sorted(spend.reasons.items())[:3])
        return BudgetResult(
            budget,
            month,
            total,
            "unpriced",
            f"budget {budget.label}: {period}: {spend.unpriced} of {spend.runs} runs in scope "
            f"could not be priced ({why}); the budget cannot be checked (priced part: "
            f"{figure}); set allow_unpriced: true to accept",
            month_to_date,
        )
    if total > budget.monthly_usd:
        return BudgetResult(
            budget,
            month,
            total,
            "over",
            f"budget {budget.label}: {period}: {figure}, over by "
            f"{total - budget.monthly_usd:,.2f} USD",
            month_to_date,
        )
    if budget.warn_at is not None and total >= budget.warn_at * budget.monthly_usd:
        return BudgetResult(
            budget,
            month,
            total,
            "warn",
            f"budget {budget.label}: {period}: {figure}, at or above its warning share "
            f"{budget.warn_at:.0%}",
            month_to_date,
        )
    return BudgetResult(budget, month, total, "ok", f"budget {budget.label}: {period}: {figure}")
