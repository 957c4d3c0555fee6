"""A leaner `SqlAlchemyStore.log_metric` for the one case that dominates tracking traffic.

A training loop calls log-metric once per metric per step. MLflow 3.17's store method does
this through the ORM: it loads the whole `runs` row as an entity, flushes a `SqlMetric`
through the unit of work, loads `SqlLatestMetric` entities and flushes an update. Measured on
the benchmark (py-spy, one worker): three quarters of a log-metric request's server CPU, most
of it in the ORM's bookkeeping rather than in the database.

`lean_log_metric` issues the same statements, in the same order, in one transaction, through
the same managed session (so the same error translation and deadlock retry), but as Core
statements on the mapped tables:

1. read the run's lifecycle stage (missing run / inactive run: MLflow's own errors);
2. insert the metric row;
3. read whether the run has a latest value for the key, and only if it does, lock that row
   (`SELECT ... FOR UPDATE`, MLflow's way of avoiding gap locks) and update it when the new
   value is more recent by (step, timestamp, value); otherwise insert it.

It handles only a plain metric (no model id) logged to the base `SqlAlchemyStore` on MySQL
with a string run id and integer timestamp and step. Anything else, and every conflict (the
same metric logged twice, two first values for one key racing), goes to MLflow's own method
after this transaction is rolled back, so those outcomes are MLflow's by construction.
tests/integration pins the equivalence on MariaDB: the rows left in `metrics` and
`latest_metrics` and the errors raised are the same as with MLflow's method.

It mirrors code it does not own, so it only switches itself on for the MLflow code it was
checked against: the source of the store methods it mirrors must hash to REVIEWED_SOURCE.
After an MLflow upgrade it stays off (MLflow's method serves, a warning says so) until
someone re-reads those methods, re-runs the equivalence test and updates the hash.
"""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

LogMetric = Callable[[Any, str, Any], None]

# The SqlAlchemyStore methods whose behaviour lean_log_metric reproduces, and the hash of
# their source in MLflow 3.17.2 (sha256 of the concatenated sources, first 16 hex digits).
MIRRORED = (
    "log_metric",
    "_log_metrics",
    "_log_metrics_once",
    "_update_latest_metrics_if_necessary",
    "_get_run",
    "_check_run_is_active",
    "sanitize_metric_value",
)
REVIEWED_SOURCE = "7176b403effa20dd"


def mirrored_source_hash(store_cls: Any) -> str | None:
    try:
        source = "".join(inspect.getsource(getattr(store_cls, name)) for name in MIRRORED)
    except (AttributeError, OSError, TypeError):
        return None
    return hashlib.sha256(source.encode()).hexdigest()[:16]


def lean_log_metric(store_cls: Any) -> LogMetric | None:
    """A replacement for `store_cls.log_metric`, or None if MLflow's code is not the code
    this was checked against."""
    original = getattr(store_cls, "log_metric", None)
    if not callable(original) or not callable(getattr(store_cls, "_run_with_deadlock_retry", None)):
        return None
    if mirrored_source_hash(store_cls) != REVIEWED_SOURCE:
        return None
    try:
        import sqlalchemy as sa
        from mlflow.exceptions import MlflowException
        from mlflow.protos.databricks_pb2 import RESOURCE_DOES_NOT_EXIST
        from mlflow.store.db.db_types import MYSQL
        from mlflow.store.tracking.dbmodels.models import SqlLatestMetric, SqlMetric, SqlRun
        from mlflow.utils.validation import _validate_metric as validate_metric
    except ImportError:
        return None

    validate: Any = validate_metric  # untyped in MLflow
    runs: Any = SqlRun.__table__
    metrics: Any = SqlMetric.__table__
    latest: Any = SqlLatestMetric.__table__
    columns = ("key", "value", "timestamp", "step", "is_nan", "run_uuid")
    if any(c not in metrics.c or c not in latest.c for c in columns) or (
        "lifecycle_stage" not in runs.c or "run_uuid" not in runs.c
    ):
        return None

    read_stage = sa.select(runs.c.lifecycle_stage).where(
        runs.c.run_uuid == sa.bindparam("run_uuid")
    )
    insert_metric = metrics.insert()
    latest_row = (latest.c.run_uuid == sa.bindparam("run_uuid")) & (
        latest.c.key == sa.bindparam("key")
    )
    has_latest = sa.select(latest.c.key).where(latest_row)
    lock_latest = (
        sa.select(latest.c.step, latest.c.timestamp, latest.c.value)
        .where(latest_row)
        .with_for_update()
    )
    update_latest = (
        latest.update()
        .where(
            (latest.c.run_uuid == sa.bindparam("b_run_uuid"))
            & (latest.c.key == sa.bindparam("b_key"))
        )
        .values(
            value=sa.bindparam("value"),
            timestamp=sa.bindparam("timestamp"),
            step=sa.bindparam("step"),
            is_nan=sa.bindparam("is_nan"),
        )
    )
    insert_latest = latest.insert()

    def write(store: Any, run_id: str, row: dict[str, Any]) -> bool:
        """One transaction; False if a conflict sent the metric to MLflow's own method."""
        with store.ManagedSessionMaker(read_only=False) as session:
            # Core statements on the session's connection: same transaction, no ORM layer.
            conn = session.connection()
            stage = conn.execute(read_stage, {"run_uuid": run_id}).scalar()
            if stage is None:
                raise MlflowException(f"Run with id={run_id} not found", RESOURCE_DOES_NOT_EXIST)
            store._check_run_is_active(SimpleNamespace(run_uuid=run_id, lifecycle_stage=stage))
            try:
                conn.execute(insert_metric, row)
                key = {"run_uuid": run_id, "key": row["key"]}
                if conn.execute(has_latest, key).first() is None:
                    conn.execute(insert_latest, row)
                else:
                    current = conn.execute(lock_latest, key).one()
                    if (row["step"], row["timestamp"], row["value"]) > tuple(current):
                        conn.execute(
                            update_latest, {**row, "b_run_uuid": run_id, "b_key": row["key"]}
                        )
            except sa.exc.IntegrityError:
                session.rollback()
                return False
        return True

    def log_metric(self: Any, run_id: str, metric: Any) -> None:
        if (
            type(self) is not store_cls
            or getattr(self, "db_type", None) != MYSQL
            or metric.model_id is not None
            or not isinstance(run_id, str)
            or type(metric.timestamp) is not int
            or type(metric.step) is not int
        ):
            original(self, run_id, metric)
            return
        validate(metric.key, metric.value, metric.timestamp, metric.step, path="")
        is_nan, value = self.sanitize_metric_value(metric.value)
        row = {
            "run_uuid": run_id,
            "key": metric.key,
            "value": value,
            "timestamp": metric.timestamp,
            "step": metric.step,
            "is_nan": is_nan,
        }
        if not self._run_with_deadlock_retry(write, self, run_id, row):
            original(self, run_id, metric)

    log_metric.__doc__ = original.__doc__
    return log_metric
