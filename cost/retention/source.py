"""The MLflow side of retention: what exists (experiments, runs, logged models, model versions),
and the changes `apply` makes (soft deletes, run tags, S3 object tags, MLflow's gc).

Reads and soft deletes go through MlflowClient with the permissions of the user it runs as (or
straight to the database when the tracking URI is one). Permanent deletion is MLflow's own
`mlflow gc`, which needs the database (`--backend-store-uri`). With `--artifact-root`, proxied
artifact URIs (mlflow-artifacts:/) resolve into that S3 destination for listing and deleting,
as the tracking server itself resolves them, so the scheduled task needs no server at all.
"""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Iterator
from typing import Any

from cost.retention.plan import ARCHIVE_TAG, ARCHIVED_RUN_TAG, LoggedModelRef
from cost.runs.pricing import RunRecord
from cost.runs.source import MlflowSource, SourceError, _record

_PURGED = re.compile(r"^(Run|Logged model|Experiment) with ID (\S+) has been permanently deleted")


def resolve_proxied_artifacts(artifact_root: str) -> None:
    """Make `mlflow-artifacts:/PATH` URIs resolve to ARTIFACT_ROOT/PATH in this process (the
    server's --artifacts-destination), for listing and for MLflow's gc."""
    from mlflow.store.artifact.artifact_repository_registry import (
        _artifact_repository_registry,
        get_artifact_repository,
    )

    root = artifact_root.rstrip("/")

    def factory(uri: str, tracking_uri: str | None = None, registry_uri: str | None = None) -> Any:
        return get_artifact_repository(root + "/" + uri.split(":", 1)[1].lstrip("/"))

    _artifact_repository_registry.register("mlflow-artifacts", factory)  # type: ignore[no-untyped-call]


class RetentionSource(MlflowSource):
    def active_experiments(self) -> list[tuple[str, str, dict[str, str]]]:
        return [(e.experiment_id, e.name, dict(e.tags)) for e in self.experiments([])]

    def active_runs(self, experiment_ids: list[str]) -> Iterator[RunRecord]:
        exps = [e for e in self.experiments([]) if e.experiment_id in set(experiment_ids)]
        for page in self.runs(exps, since_ms=None, until_ms=None):
            yield from page

    def logged_models(self, experiment_ids: list[str]) -> Iterator[LoggedModelRef]:
        for i in range(0, len(experiment_ids), 100):
            token = None
            while True:
                try:
                    page = self.client.search_logged_models(
                        experiment_ids[i : i + 100], max_results=1000, page_token=token
                    )
                except self._errors as err:
                    raise self._fail("searching logged models", err) from None
                except Exception as err:
                    raise self._fail("searching logged models", err) from None
                for model in page:
                    if model.source_run_id:
                        yield LoggedModelRef(
                            model.model_id, model.source_run_id, model.artifact_location
                        )
                token = page.token
                if not token:
                    break

    def registered(self) -> tuple[dict[str, str], set[str]]:
        """Runs behind a registered model version (run id -> why) and the logged models the
        versions use (MLflow 3 versions point at a logged model; its source run is kept too)."""
        runs: dict[str, str] = {}
        models: set[str] = set()
        token = None
        while True:
            try:
                page = self.client.search_model_versions(max_results=10_000, page_token=token)
            except self._errors as err:
                raise self._fail("searching model versions", err) from None
            except Exception as err:
                raise self._fail("searching model versions", err) from None
            for version in page:
                why = f"registered model {version.name} v{version.version}"
                if version.run_id:
                    runs.setdefault(version.run_id, why)
                model_id = getattr(version, "model_id", None)
                if model_id:
                    models.add(model_id)
                    try:
                        source_run = self.client.get_logged_model(model_id).source_run_id
                    except self._errors:
                        source_run = None
                    if source_run:
                        runs.setdefault(source_run, why)
            token = page.token
            if not token:
                return runs, models

    # -- changes ---------------------------------------------------------------------------

    def delete_run(self, run_id: str, models: tuple[str, ...]) -> None:
        try:
            self.client.delete_run(run_id)
            for model_id in models:
                self.client.delete_logged_model(model_id)
        except self._errors as err:
            raise self._fail(f"deleting run {run_id}", err) from None

    def mark_archived(self, run_id: str, value: str) -> None:
        try:
            self.client.set_tag(run_id, ARCHIVED_RUN_TAG, value)
        except self._errors as err:
            raise self._fail(f"tagging run {run_id}", err) from None


class Database:
    """The tracking server's database, for what only it knows (when runs were deleted) and
    for MLflow's gc."""

    def __init__(self, uri: str, artifact_root: str | None) -> None:
        try:
            import sqlalchemy  # noqa: F401
            from mlflow.tracking import _get_store
        except ImportError as err:
            raise SourceError(
                "--backend-store-uri needs the full MLflow package and the database's driver "
                f"(pip install mlflow pymysql), not mlflow-skinny ({err})"
            ) from None
        self.uri = uri
        self.artifact_root = artifact_root
        try:
            self.store = _get_store(uri, artifact_root)  # type: ignore[no-untyped-call]
        except Exception as err:
            text = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            raise SourceError(f"--backend-store-uri: cannot open the database ({text})") from None
        if not hasattr(self.store, "_get_deleted_runs"):
            raise SourceError(
                "--backend-store-uri: not a database store MLflow's gc can hard-delete from"
            )

    def deleted_runs(self, older_than_ms: int) -> list[RunRecord]:
        ids = self.store._get_deleted_runs(older_than=older_than_ms)
        names: dict[str, str] = {}
        found = []
        for run_id in ids:
            run = self.store.get_run(run_id)
            exp_id = run.info.experiment_id
            if exp_id not in names:
                names[exp_id] = self.store.get_experiment(exp_id).name
            found.append(_record(run, names))
        return found

    def deleted_models(self, older_than_ms: int) -> list[tuple[LoggedModelRef, str]]:
        if not hasattr(self.store, "_get_deleted_logged_models"):
            return []
        found = []
        for model_id in self.store._get_deleted_logged_models(older_than=older_than_ms):
            model = self.store.get_logged_model(model_id, allow_deleted=True)
            found.append(
                (
                    LoggedModelRef(
                        model.model_id, model.source_run_id or "", model.artifact_location
                    ),
                    model.experiment_id,
                )
            )
        return found

    def deleted_experiments(self, older_than_ms: int, now_ms: int) -> list[tuple[str, str]]:
        from mlflow.entities import ViewType

        found: list[tuple[str, str]] = []
        token = None
        while True:
            page = self.store.search_experiments(
                view_type=ViewType.DELETED_ONLY,
                filter_string=f"last_update_time < {now_ms - older_than_ms}",
                page_token=token,
            )
            found += [(e.experiment_id, e.name) for e in page]
            token = page.token
            if not token:
                return found

    def gc(
        self, grace_days: int, tracking_uri: str, run_ids: list[str], model_ids: list[str]
    ) -> list[tuple[str, str]]:
        """MLflow's own `mlflow gc --older-than Nd` for exactly these runs and logged models
        (and, as gc always does, deleted experiments older than that). Returns what it
        reported as permanently deleted: (kind, id)."""
        from mlflow.cli import gc

        argv = [
            "--older-than",
            f"{grace_days}d",
            "--backend-store-uri",
            self.uri,
            "--tracking-uri",
            tracking_uri,
        ]
        if self.artifact_root:
            argv += ["--artifacts-destination", self.artifact_root]
        if run_ids:
            argv += ["--run-ids", ",".join(run_ids)]
        if model_ids:
            argv += ["--logged-model-ids", ",".join(model_ids)]
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            gc.main(args=argv, standalone_mode=False)
        done = []
        for line in out.getvalue().splitlines():
            match = _PURGED.match(line.strip())
            if match:
                done.append((match.group(1).lower(), match.group(2)))
        return done


class ArchiveTagger:
    """Adds the archive tag to S3 objects, keeping their other tags."""

    def __init__(self, artifact_root: str | None, client: Any = None) -> None:
        from cost.runs.source import S3Sizes

        self.locator = S3Sizes(artifact_root, client)

    def tag(self, run: RunRecord, paths: tuple[str, ...]) -> int:
        bucket, prefix = self.locator.location(run)
        s3 = self.locator.s3
        key_name, value = ARCHIVE_TAG
        tagged = 0
        try:
            for path in paths:
                key = prefix + path
                current = s3.get_object_tagging(Bucket=bucket, Key=key).get("TagSet", [])
                if any(t["Key"] == key_name and t["Value"] == value for t in current):
                    continue
                tags = [t for t in current if t["Key"] != key_name] + [
                    {"Key": key_name, "Value": value}
                ]
                s3.put_object_tagging(Bucket=bucket, Key=key, Tagging={"TagSet": tags})
                tagged += 1
        except SourceError:
            raise
        except Exception as err:  # botocore's ClientError, credentials, endpoint
            raise SourceError(f"tagging s3://{bucket}/{prefix}: {err}") from None
        return tagged
