"""The MLflow side of the run pricer: experiments, runs (page by page), artifact sizes, tags.

Reached with the standard MLflow client settings (`MLFLOW_TRACKING_URI`,
`MLFLOW_TRACKING_USERNAME`/`MLFLOW_TRACKING_PASSWORD`, `MLFLOW_TRACKING_TOKEN`, TLS
settings) or an explicit tracking URI; everything goes through the MLflow API with the
permissions of the user it runs as. MLflow (the client, `mlflow-skinny` is enough) is
imported only here, when the `runs` command needs it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from cost.runs.pricing import Artifact, RunRecord


class S3Sizes:
    """Artifact sizes read from the bucket directly (`--artifact-listing s3`): one
    ListObjectsV2 per run prefix, with the credentials boto3 finds. For proxied runs
    (mlflow-artifacts:/) the key is under `artifact_root`, the server's destination."""

    def __init__(self, artifact_root: str | None, client: Any = None) -> None:
        self.root = artifact_root.rstrip("/") if artifact_root else None
        if client is None:
            import boto3

            client = boto3.client("s3")
        self.s3 = client

    def location(self, run: RunRecord) -> tuple[str, str]:
        uri = run.artifact_uri
        if uri.startswith("mlflow-artifacts:"):
            if not self.root:
                raise SourceError(
                    f"run {run.run_id}: its artifacts are proxied ({uri}); "
                    "--artifact-listing s3 needs --artifact-root s3://BUCKET/PREFIX"
                )
            uri = self.root + "/" + uri.split(":", 1)[1].lstrip("/")
        if not uri.startswith("s3://"):
            raise SourceError(
                f"run {run.run_id}: artifact URI {uri!r} is not in S3; use --artifact-listing "
                "mlflow"
            )
        bucket, _, key = uri[len("s3://") :].partition("/")
        return bucket, key.rstrip("/") + "/"

    def artifacts(self, run: RunRecord) -> list[Artifact]:
        if not run.artifact_uri:
            return []
        bucket, prefix = self.location(run)
        found: list[Artifact] = []
        try:
            pages = self.s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
            for page in pages:
                for item in page.get("Contents", []):
                    found.append(Artifact(item["Key"][len(prefix) :], int(item["Size"])))
        except Exception as err:  # botocore's ClientError, credentials, endpoint
            raise SourceError(f"listing s3://{bucket}/{prefix}: {err}") from None
        return found


class SourceError(Exception):
    """The tracking server refused or could not be reached; the message says which and why."""


@dataclass(frozen=True)
class Experiment:
    experiment_id: str
    name: str
    tags: Mapping[str, str]


def _client_errors() -> tuple[type[BaseException], ...]:
    from mlflow.exceptions import MlflowException

    return (MlflowException,)


def _code(err: BaseException) -> str:
    return str(getattr(err, "error_code", "") or "")


class MlflowSource:
    """Experiments, runs, artifacts and tags of one tracking server, through MlflowClient."""

    def __init__(self, tracking_uri: str | None) -> None:
        try:
            from mlflow.tracking import MlflowClient
        except ImportError as err:  # pragma: no cover - depends on the installation
            raise SourceError(
                "the runs command needs the MLflow client: pip install 'cfn-cost-estimate[runs]' "
                f"(or mlflow-skinny) ({err})"
            ) from None
        import os

        if not tracking_uri and not os.environ.get("MLFLOW_TRACKING_URI"):
            raise SourceError(
                "no tracking server: pass --tracking-uri or set MLFLOW_TRACKING_URI (an "
                "http(s):// URL of the MLflow server)"
            )
        try:
            self.client = MlflowClient(tracking_uri)
        except Exception as err:  # an unsupported URI scheme
            raise SourceError(f"--tracking-uri {tracking_uri!r}: {err}") from None
        self.tracking_uri = self.client.tracking_uri
        self._errors = _client_errors()

    def _fail(self, what: str, err: BaseException) -> SourceError:
        code = _code(err)
        text = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        if code in ("UNAUTHENTICATED",) or "401" in text:
            hint = "; set MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD"
        elif code == "PERMISSION_DENIED":
            hint = "; the user this runs as may not read it"
        else:
            hint = ""
        return SourceError(f"{what} at {self.tracking_uri}: {text}{hint}")

    def experiments(self, selectors: list[str]) -> list[Experiment]:
        """The named experiments (name or id; every one must exist), or all active ones."""
        try:
            if selectors:
                found: list[Experiment] = []
                for selector in selectors:
                    try:
                        exp = self.client.get_experiment_by_name(selector)
                        if exp is None and selector.isdigit():
                            exp = self.client.get_experiment(selector)
                    except self._errors as err:
                        if _code(err) == "PERMISSION_DENIED" or "403" in str(err):
                            raise SourceError(
                                f"--experiment {selector!r}: the user this runs as may not "
                                f"read it at {self.tracking_uri} (permission denied)"
                            ) from None
                        if _code(err) != "RESOURCE_DOES_NOT_EXIST":
                            raise
                        exp = None
                    if exp is None:
                        raise SourceError(
                            f"--experiment {selector!r}: no experiment of that name or id at "
                            f"{self.tracking_uri} (or the user this runs as may not read it)"
                        )
                    found.append(Experiment(exp.experiment_id, exp.name, dict(exp.tags)))
                return list({e.experiment_id: e for e in found}.values())
            listed: list[Experiment] = []
            token = None
            while True:
                page = self.client.search_experiments(max_results=1000, page_token=token)
                listed += [Experiment(e.experiment_id, e.name, dict(e.tags)) for e in page]
                token = page.token
                if not token:
                    return listed
        except SourceError:
            raise
        except self._errors as err:
            raise self._fail("listing experiments", err) from None
        except Exception as err:  # requests' connection errors, TLS errors
            raise self._fail("listing experiments", err) from None

    def runs(
        self,
        experiments: list[Experiment],
        *,
        since_ms: int | None,
        until_ms: int | None,
        page_size: int = 1000,
    ) -> Iterator[list[RunRecord]]:
        """Active runs started in [since, until), page by page, ordered by start time."""
        names = {e.experiment_id: e.name for e in experiments}
        clauses = []
        if since_ms is not None:
            clauses.append(f"attributes.start_time >= {since_ms}")
        if until_ms is not None:
            clauses.append(f"attributes.start_time < {until_ms}")
        ids = list(names)
        for i in range(0, len(ids), 100):
            batch = ids[i : i + 100]
            token = None
            while True:
                try:
                    page = self.client.search_runs(
                        batch,
                        filter_string=" and ".join(clauses),
                        max_results=page_size,
                        order_by=["attributes.start_time ASC"],
                        page_token=token,
                    )
                except self._errors as err:
                    raise self._fail(f"searching runs of experiments {batch}", err) from None
                except Exception as err:
                    raise self._fail("searching runs", err) from None
                yield [_record(run, names) for run in page]
                token = page.token
                if not token:
                    break

    def artifacts(self, run: RunRecord) -> list[Artifact]:
        """Every artifact object of the run, recursively, with its size: listed through the
        artifact repository of the run's artifact URI (for proxied artifacts, the server's
        mlflow-artifacts API), as MlflowClient.list_artifacts does, without fetching the run
        again."""
        from mlflow.store.artifact.artifact_repository_registry import get_artifact_repository

        if not run.artifact_uri:
            return []
        found: list[Artifact] = []
        try:
            repo = get_artifact_repository(run.artifact_uri, tracking_uri=self.tracking_uri)
            pending: list[str | None] = [None]
            while pending:
                path = pending.pop()
                for info in repo.list_artifacts(path):
                    if info.is_dir:
                        pending.append(info.path)
                    else:
                        found.append(Artifact(info.path, int(info.file_size or 0)))
        except self._errors as err:
            raise self._fail(f"listing the artifacts of run {run.run_id}", err) from None
        except Exception as err:  # a repository's own client errors (requests, boto3)
            raise self._fail(f"listing the artifacts of run {run.run_id}", err) from None
        return found

    def write_tags(self, run_id: str, tags: Mapping[str, str], delete: tuple[str, ...]) -> bool:
        """Set and delete tags; False if the user this runs as may not edit the run."""
        from mlflow.entities import RunTag

        try:
            if tags:
                self.client.log_batch(run_id, tags=[RunTag(k, v) for k, v in tags.items()])
            for key in delete:
                self.client.delete_tag(run_id, key)
        except self._errors as err:
            if _code(err) == "PERMISSION_DENIED":
                return False
            raise self._fail(f"writing tags of run {run_id}", err) from None
        return True


def _record(run: Any, names: Mapping[str, str]) -> RunRecord:
    info = run.info
    return RunRecord(
        run_id=info.run_id,
        experiment_id=info.experiment_id,
        experiment_name=names.get(info.experiment_id, info.experiment_id),
        # MLflow records the client's user as the `mlflow.user` tag (the fluent API sets it);
        # RunInfo.user_id is what the creating call passed.
        user=run.data.tags.get("mlflow.user") or info.user_id or "",
        status=info.status,
        start_ms=info.start_time,
        end_ms=info.end_time,
        params=dict(run.data.params),
        tags=dict(run.data.tags),
        artifact_uri=info.artifact_uri or "",
    )
