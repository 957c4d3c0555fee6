"""The run tags the pricer writes, so the MLflow UI shows the costs with no custom UI.

    cost.compute_usd        compute cost of the run, USD (absent when unpriced)
    cost.storage_usd_month  what the run's artifacts cost per month now, USD
    cost.priced_at          when these figures were computed (UTC, ISO 8601)
    cost.basis              what was priced, at which unit prices, catalog dates
    cost.unpriced           why the compute could not be priced (absent when priced)

Idempotent: a pass writes only when a figure, the basis or the reason changed (then
`cost.priced_at` too); otherwise nothing. Values are rounded to 6 decimals (USD).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from cost.runs.pricing import RunCost

COMPUTE = "cost.compute_usd"
STORAGE = "cost.storage_usd_month"
PRICED_AT = "cost.priced_at"
BASIS = "cost.basis"
UNPRICED = "cost.unpriced"
ALL = (COMPUTE, STORAGE, PRICED_AT, BASIS, UNPRICED)
#: MLflow's limit on a tag value (mlflow.utils.validation MAX_TAG_VAL_LENGTH).
MAX_VALUE = 8000


@dataclass(frozen=True)
class TagChange:
    set: dict[str, str]
    delete: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not self.set and not self.delete


def usd(value: float) -> str:
    return f"{value:.6f}"


def _clip(text: str) -> str:
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 3] + "..."


def wanted(cost: RunCost) -> dict[str, str]:
    """The cost tags this run should carry (without `cost.priced_at`)."""
    tags = {STORAGE: usd(cost.storage_usd_month), BASIS: _clip(cost.basis)}
    if cost.compute_usd is not None:
        tags[COMPUTE] = usd(cost.compute_usd)
    else:
        tags[UNPRICED] = _clip(cost.unpriced_reason or "")
    return tags


def change(existing: Mapping[str, str], cost: RunCost, priced_at: str) -> TagChange:
    """What to write so the run carries `wanted(cost)`: nothing if it already does."""
    target = wanted(cost)
    stale = tuple(k for k in (COMPUTE, UNPRICED) if k in existing and k not in target)
    if not stale and all(existing.get(k) == v for k, v in target.items()):
        return TagChange({}, ())
    return TagChange({**target, PRICED_AT: priced_at}, stale)
