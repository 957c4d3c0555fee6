"""What a retention policy would do, priced before anything is touched.

For every active experiment a rule governs, its active runs are sorted newest first and each
gets one decision:

- kept, never touched: still running; behind a registered model version (the version's run,
  or the run that logged the version's model); tagged with one of the rule's keep tags; the
  parent of a run that is kept;
- kept from deletion: among the rule's `keep_newest` newest runs (its artifacts may still be
  archived by age);
- delete: older than `delete_runs_older_than_days` (age from the run's end, else its start);
  its logged models (MLflow 3) that no model version uses are deleted with it;
- archive: older than `archive_artifacts_older_than_days` and not archived yet (the run tag
  `retention.archived`): its artifact objects of 128 KB or more get the S3 object tag
  `mlflow-retention=archive`, which the stack's lifecycle rule moves to the archive class
  (S3 lifecycle does not transition smaller objects).

With the tracking server's database (`--backend-store-uri`), the plan also lists what MLflow's
garbage collection will remove permanently: runs and logged models in the deleted stage for
longer than `grace_days` (whoever deleted them), and deleted experiments older than that.

Savings are monthly storage figures from the run pricer's storage model (the artifact bucket's
rules, the catalog's S3 prices; `cost.runs.pricing`): for a deletion, what the objects cost per
month now; for an archive, that less what they will cost in the archive class.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cost.pricing.storage import BucketRules, Transition
from cost.retention.policy import Policy, Rule, policy_json
from cost.runs.pricing import KB, Artifact, RunPricer, RunRecord, human_bytes
from cost.runs.rollup import storage_rate

#: The S3 object tag the stack's lifecycle rule `retention-archive` filters on.
ARCHIVE_TAG = ("mlflow-retention", "archive")
#: The run tag that records an archive (value: "<class> <UTC date>").
ARCHIVED_RUN_TAG = "retention.archived"
#: S3 lifecycle does not transition objects smaller than this by default.
MIN_TRANSITION_BYTES = 128 * KB
ARCHIVE_CLASSES = ("GLACIER_IR", "GLACIER", "DEEP_ARCHIVE")
DAY_MS = 86_400_000


@dataclass
class Action:
    kind: str  # delete | archive | purge (MLflow gc) | purge-model | purge-experiment
    run_id: str  # the run, logged model or experiment id
    experiment_id: str
    experiment: str
    rule: str
    reason: str
    age_days: float
    artifact_bytes: int = 0
    artifact_objects: int = 0
    usd_month_now: float = 0.0
    usd_month_after: float = 0.0
    logged_models: tuple[str, ...] = ()
    archive_keys: tuple[str, ...] = ()  # artifact paths (under the run's root) to tag
    artifact_uri: str = ""
    sized: bool = True

    @property
    def saving_usd_month(self) -> float:
        return self.usd_month_now - self.usd_month_after

    def to_json(self) -> dict[str, Any]:
        return {
            "action": self.kind,
            "id": self.run_id,
            "experiment_id": self.experiment_id,
            "experiment": self.experiment,
            "rule": self.rule,
            "reason": self.reason,
            "age_days": round(self.age_days, 2),
            "artifact_bytes": self.artifact_bytes if self.sized else None,
            "artifact_objects": self.artifact_objects if self.sized else None,
            "usd_month_now": round(self.usd_month_now, 10),
            "usd_month_after": round(self.usd_month_after, 10),
            "saving_usd_month": round(self.saving_usd_month, 10),
            "logged_models": list(self.logged_models),
        }


@dataclass
class ExperimentTotals:
    name: str
    rule: str
    runs: int = 0
    delete: int = 0
    archive: int = 0
    purge: int = 0
    kept: dict[str, int] = field(default_factory=dict)
    artifact_bytes: int = 0
    saving_usd_month: float = 0.0


@dataclass
class Plan:
    policy: Policy
    archive_class: str
    now: datetime
    actions: list[Action] = field(default_factory=list)
    experiments: dict[str, ExperimentTotals] = field(default_factory=dict)
    kept: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    purge_listed: bool = False

    @property
    def token(self) -> str:
        """Confirms `apply` does what this plan said: a digest of the policy, the archive
        class and every action (kind and id), not of prices or ages."""
        digest = hashlib.sha256()
        digest.update(policy_json(self.policy).encode())
        digest.update(self.archive_class.encode())
        for action in sorted(self.actions, key=lambda a: (a.kind, a.run_id)):
            digest.update(
                f"\n{action.kind} {action.run_id} {','.join(action.logged_models)}".encode()
            )
        return digest.hexdigest()[:16]

    def of(self, kind: str) -> list[Action]:
        return [a for a in self.actions if a.kind == kind]

    @property
    def artifact_bytes(self) -> int:
        return sum(a.artifact_bytes for a in self.actions)

    @property
    def saving_usd_month(self) -> float:
        return sum(a.saving_usd_month for a in self.actions)

    def keep(self, exp: ExperimentTotals, reason: str) -> None:
        exp.kept[reason] = exp.kept.get(reason, 0) + 1
        self.kept[reason] = self.kept.get(reason, 0) + 1

    def to_json(self) -> dict[str, Any]:
        return {
            "generated_at": self.now.isoformat(timespec="seconds"),
            "token": self.token,
            "policy": self.policy.to_json(),
            "archive_class": self.archive_class,
            "totals": {
                "delete": len(self.of("delete")),
                "archive": len(self.of("archive")),
                "purge": len(self.of("purge")),
                "purge_models": len(self.of("purge-model")),
                "purge_experiments": len(self.of("purge-experiment")),
                "artifact_bytes": self.artifact_bytes,
                "saving_usd_month": round(self.saving_usd_month, 10),
                "kept": dict(sorted(self.kept.items())),
            },
            "by_experiment": [
                {
                    "experiment_id": exp_id,
                    "experiment": e.name,
                    "rule": e.rule,
                    "runs": e.runs,
                    "delete": e.delete,
                    "archive": e.archive,
                    "purge": e.purge,
                    "kept": dict(sorted(e.kept.items())),
                    "artifact_bytes": e.artifact_bytes,
                    "saving_usd_month": round(e.saving_usd_month, 10),
                }
                for exp_id, e in sorted(self.experiments.items(), key=lambda kv: kv[1].name)
            ],
            "actions": [a.to_json() for a in self.actions],
            "purge_listed": self.purge_listed,
            "notes": self.notes,
        }


@dataclass(frozen=True)
class LoggedModelRef:
    model_id: str
    source_run_id: str
    artifact_location: str


class Sizes:
    """Artifact listing (the run pricer's MlflowSource or S3Sizes) for any artifact URI."""

    def __init__(self, lister: Any) -> None:
        self.lister = lister

    def of(self, run: RunRecord, uri: str | None = None) -> list[Artifact]:
        record = run if uri is None else _with_uri(run, uri)
        return list(self.lister.artifacts(record))


def _with_uri(run: RunRecord, uri: str) -> RunRecord:
    return RunRecord(
        run_id=run.run_id,
        experiment_id=run.experiment_id,
        experiment_name=run.experiment_name,
        user=run.user,
        status=run.status,
        start_ms=run.start_ms,
        end_ms=run.end_ms,
        params=run.params,
        tags=run.tags,
        artifact_uri=uri,
    )


def age_days(run: RunRecord, now_ms: int) -> float:
    since = run.end_ms or run.start_ms or now_ms
    return max(0.0, (now_ms - since) / DAY_MS)


class Planner:
    """Builds a Plan from what the tracking server (and optionally its database) holds."""

    def __init__(
        self,
        policy: Policy,
        pricer: RunPricer,
        sizes: Sizes,
        *,
        archive_class: str,
        now: datetime | None = None,
        workers: int = 8,
    ) -> None:
        self.workers = workers
        self.policy = policy
        self.pricer = pricer
        self.sizes = sizes
        self.archive_class = archive_class
        self.now = now or datetime.now(UTC)
        self.now_ms = int(self.now.timestamp() * 1000)
        archive = BucketRules((Transition(0.0, archive_class),))
        self.archived_pricer = RunPricer(
            pricer.catalog,
            archive,
            default_region=pricer.default_region,
            now=pricer.now,
            artifact_root=pricer.artifact_root,
        )

    def plan(
        self,
        experiments: Iterable[tuple[str, str, dict[str, str]]],
        runs_of: Any,
        logged_models_of: Any,
        protected: dict[str, str],
        in_use_models: set[str],
    ) -> Plan:
        """`experiments`: (id, name, tags); `runs_of(ids)`: active RunRecords of those
        experiments, any order; `logged_models_of(ids)`: LoggedModelRefs; `protected`:
        run id -> why (registered model versions); `in_use_models`: logged model ids a
        model version uses."""
        plan = Plan(self.policy, self.archive_class, self.now)
        governed: dict[str, tuple[str, Rule]] = {}
        for exp_id, name, tags in experiments:
            rule = self.policy.rule_for(name, tags)
            if rule is not None:
                governed[exp_id] = (name, rule)
                plan.experiments[exp_id] = ExperimentTotals(name, rule.name)
        if not governed:
            plan.notes.append("no experiment matches a rule of the policy: nothing to do")
            return plan
        runs: dict[str, list[RunRecord]] = {}
        for run in runs_of(list(governed)):
            runs.setdefault(run.experiment_id, []).append(run)
        models: dict[str, list[LoggedModelRef]] = {}
        protected = dict(protected)
        for model in logged_models_of(list(governed)):
            models.setdefault(model.source_run_id, []).append(model)
            if model.model_id in in_use_models:
                protected.setdefault(
                    model.source_run_id, f"its logged model {model.model_id} is in use"
                )
        for exp_id, (name, rule) in governed.items():
            self._experiment(
                plan, exp_id, name, rule, runs.get(exp_id, []), models, protected, in_use_models
            )
        return plan

    def _experiment(
        self,
        plan: Plan,
        exp_id: str,
        name: str,
        rule: Rule,
        runs: list[RunRecord],
        models: dict[str, list[LoggedModelRef]],
        protected: dict[str, str],
        in_use_models: set[str],
    ) -> None:
        totals = plan.experiments[exp_id]
        runs = sorted(runs, key=lambda r: (r.start_ms or 0, r.run_id), reverse=True)
        totals.runs = len(runs)
        decisions: dict[str, tuple[str, str]] = {}  # run id -> (kind, reason)
        for index, run in enumerate(runs):
            decisions[run.run_id] = self._decide(rule, run, index, protected)
        # A parent whose child is kept stays, so the child is not orphaned in the UI.
        kept_parents = {
            run.tags.get("mlflow.parentRunId")
            for run in runs
            if decisions[run.run_id][0] != "delete"
        }
        for run in runs:
            kind, reason = decisions[run.run_id]
            if kind == "delete" and run.run_id in kept_parents:
                decisions[run.run_id] = ("keep", "parent of a kept run")
        todo: list[tuple[RunRecord, str, str, tuple[LoggedModelRef, ...]]] = []
        for run in runs:
            kind, reason = decisions[run.run_id]
            if kind == "keep":
                plan.keep(totals, reason)
                continue
            if kind == "keep-newest":
                archive, why = self._archive_decision(rule, run)
                if archive != "archive":
                    plan.keep(totals, reason)
                    continue
                kind, reason = archive, f"{why}; not deleted: {reason}"
            if kind == "none":
                plan.keep(totals, reason)
                continue
            own_models = tuple(
                m for m in models.get(run.run_id, []) if m.model_id not in in_use_models
            )
            todo.append((run, kind, reason, own_models))
        # Listing artifacts is one or more requests per run: in parallel, in order.
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            priced = list(pool.map(lambda t: self._priced(exp_id, name, rule, *t), todo))
        for action in priced:
            plan.actions.append(action)
            kind = action.kind
            totals.artifact_bytes += action.artifact_bytes
            totals.saving_usd_month += action.saving_usd_month
            if kind == "delete":
                totals.delete += 1
            else:
                totals.archive += 1

    def _decide(
        self, rule: Rule, run: RunRecord, index: int, protected: dict[str, str]
    ) -> tuple[str, str]:
        if run.running:
            return "keep", "still running"
        if run.run_id in protected:
            return "keep", protected[run.run_id]
        tag = rule.kept_by_tag(dict(run.tags))
        if tag is not None:
            return "keep", f"tag {tag}"
        age = age_days(run, self.now_ms)
        if rule.delete_after_days is not None and age > rule.delete_after_days:
            if index < rule.keep_newest:
                return "keep-newest", f"among the newest {rule.keep_newest}"
            return "delete", f"{age:.0f} d old (> {rule.delete_after_days} d)"
        return self._archive_decision(rule, run)

    def _archive_decision(self, rule: Rule, run: RunRecord) -> tuple[str, str]:
        age = age_days(run, self.now_ms)
        if rule.archive_after_days is not None and age > rule.archive_after_days:
            if ARCHIVED_RUN_TAG in run.tags:
                return "none", "archived already"
            return "archive", f"{age:.0f} d old (> {rule.archive_after_days} d)"
        return "none", "younger than the rule's ages"

    def _priced(
        self,
        exp_id: str,
        name: str,
        rule: Rule,
        run: RunRecord,
        kind: str,
        reason: str,
        models: tuple[LoggedModelRef, ...],
    ) -> Action:
        action = Action(
            kind=kind,
            run_id=run.run_id,
            experiment_id=exp_id,
            experiment=name,
            rule=rule.name,
            reason=reason,
            age_days=age_days(run, self.now_ms),
            artifact_uri=run.artifact_uri,
        )
        artifacts = self.sizes.of(run) if run.artifact_uri else []
        if kind == "delete":
            action.logged_models = tuple(m.model_id for m in models)
            for model in models:
                artifacts += self.sizes.of(run, model.artifact_location)
            self._size(action, run, artifacts)
            action.usd_month_now = self.pricer.price(run, artifacts).storage_usd_month
        else:
            large = [a for a in artifacts if a.size >= MIN_TRANSITION_BYTES]
            small = [a for a in artifacts if a.size < MIN_TRANSITION_BYTES]
            self._size(action, run, large)
            action.archive_keys = tuple(a.path for a in large)
            action.usd_month_now = self.pricer.price(run, large).storage_usd_month
            action.usd_month_after = self.archived_pricer.price(run, large).storage_usd_month
            if small:
                action.reason += f"; {len(small)} objects under 128 KB stay"
        return action

    @staticmethod
    def _size(action: Action, run: RunRecord, artifacts: list[Artifact]) -> None:
        action.artifact_bytes = sum(a.size for a in artifacts)
        action.artifact_objects = len(artifacts)

    def purge(
        self,
        plan: Plan,
        deleted_runs: Iterable[RunRecord],
        deleted_models: Iterable[tuple[LoggedModelRef, RunRecord | None]],
        deleted_experiments: Iterable[tuple[str, str]],
    ) -> None:
        """What MLflow's gc removes: runs and logged models deleted more than grace_days ago
        (RunRecords from the database) and deleted experiments last updated before then."""
        plan.purge_listed = True
        grace = f"deleted more than {self.policy.grace_days} d ago"
        for run in deleted_runs:
            artifacts = self.sizes.of(run) if run.artifact_uri else []
            action = Action(
                "purge",
                run.run_id,
                run.experiment_id,
                run.experiment_name,
                "gc",
                grace,
                age_days(run, self.now_ms),
            )
            self._size(action, run, artifacts)
            action.usd_month_now = self.pricer.price(run, artifacts).storage_usd_month
            plan.actions.append(action)
            totals = plan.experiments.get(run.experiment_id)
            if totals is not None:
                totals.purge += 1
                totals.artifact_bytes += action.artifact_bytes
                totals.saving_usd_month += action.saving_usd_month
        for model, owner in deleted_models:
            base = owner or RunRecord(model.model_id, "", "", "", "FINISHED", None, None)
            artifacts = self.sizes.of(base, model.artifact_location)
            action = Action(
                "purge-model",
                model.model_id,
                base.experiment_id,
                base.experiment_name,
                "gc",
                grace,
                age_days(base, self.now_ms),
            )
            self._size(action, base, artifacts)
            action.usd_month_now = self.pricer.price(
                _with_uri(base, model.artifact_location), artifacts
            ).storage_usd_month
            plan.actions.append(action)
        for exp_id, name in deleted_experiments:
            plan.actions.append(
                Action(
                    "purge-experiment",
                    exp_id,
                    exp_id,
                    name,
                    "gc",
                    f"experiment {grace}: its deleted runs go with it",
                    0.0,
                    sized=False,
                )
            )
            plan.notes.append(
                f"deleted experiment {name} ({exp_id}) is removed by MLflow's gc; its runs' "
                "artifacts are listed only where those runs are in the deleted stage"
            )


def lines(plan: Plan) -> Iterator[str]:
    """One summary line per kind (stderr)."""
    deletes, archives = plan.of("delete"), plan.of("archive")
    purges = plan.of("purge") + plan.of("purge-model")
    yield (
        f"retention plan {plan.token}: delete {len(deletes):,} runs, archive "
        f"{len(archives):,}, purge {len(purges):,} (gc); {human_bytes(plan.artifact_bytes)}, "
        f"saving {storage_rate(plan.saving_usd_month)} USD/month; kept {sum(plan.kept.values()):,}"
    )


def to_json_text(plan: Plan) -> str:
    return json.dumps(plan.to_json(), indent=2, sort_keys=False) + "\n"
