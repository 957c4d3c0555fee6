"""`python -m cost retention plan|apply`: what a retention policy deletes and archives, priced
first; then doing it.

    plan  --policy FILE [--format markdown|json] [--output FILE]
    apply --policy FILE (--token TOKEN | --yes) [--backend-store-uri DB] [--log FILE]

Both take the tracking server as `cost runs` does (`--tracking-uri` or MLFLOW_TRACKING_URI and
the MLflow credentials), the artifact bucket's rules (`--artifact-bucket` or
`--bucket-properties`), `--artifact-root`/`--artifact-listing`, `--region` and
`--archive-class`. `apply` recomputes the plan and refuses (exit 2) unless `--token` equals
the plan's token or `--yes` is given; it soft-deletes through the MLflow API, tags archived
objects, then runs MLflow's gc for what was deleted more than the grace period ago. Every
change goes to the log (JSON lines) as it is made.

Exit codes: 0 done, 2 bad input or a refusal (the message names the option), 3 internal error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from cost.catalog import UnknownRegion, default_catalog
from cost.retention.plan import (
    ARCHIVE_CLASSES,
    DAY_MS,
    Action,
    Plan,
    Planner,
    Sizes,
    lines,
    to_json_text,
)
from cost.retention.policy import PolicyError, load_policy_file, parse_policy_json
from cost.runs.bucket import BucketError
from cost.runs.command import DEFAULT_REGION, InputError, _bucket_rules
from cost.runs.pricing import RunPricer, RunRecord, StoragePriceMissing, human_bytes
from cost.runs.rollup import storage_rate
from cost.runs.source import S3Sizes, SourceError

EXIT_OK, EXIT_INPUT, EXIT_INTERNAL = 0, 2, 3
#: Tracking URIs that are the database itself (MLflow's SQLAlchemy store).
DATABASE_SCHEMES = ("mysql", "postgresql", "sqlite", "mssql")


def main(argv: list[str]) -> int:
    """`python -m cost retention ARGV...` in-process (the stack's scheduled task calls it):
    the same parser and exit codes, 3 for an internal error (a bug), never a traceback."""
    parser = argparse.ArgumentParser(prog="python -m cost")
    add_parser(parser.add_subparsers(dest="command", required=True))
    try:
        args = parser.parse_args(["retention", *argv])
    except SystemExit as exit_:  # argparse's usage errors exit 2 (help exits 0)
        return int(exit_.code or 0)
    try:
        result: int = args.func(args)
    except Exception as err:
        print(f"error: internal error ({type(err).__name__}: {err})", file=sys.stderr)
        return EXIT_INTERNAL
    return result


def add_parser(sub: Any) -> None:
    retention = sub.add_parser(
        "retention",
        help="plan and apply a retention policy: delete old runs, archive artifacts",
        description="Price what a retention policy would delete or archive, then do it.",
    )
    verbs = retention.add_subparsers(dest="verb", required=True, metavar="{plan,apply}")
    for verb, text in (
        ("plan", "list what the policy would delete, archive and purge, with the saving"),
        ("apply", "do what the plan lists (needs its --token or --yes)"),
    ):
        p = verbs.add_parser(verb, help=text, description=text)
        policy = p.add_mutually_exclusive_group(required=True)
        policy.add_argument("--policy", metavar="FILE", help="the YAML retention policy")
        policy.add_argument("--policy-json", metavar="JSON", help="the policy as JSON text")
        p.add_argument(
            "--tracking-uri", help="tracking server (default: MLFLOW_TRACKING_URI, as MLflow does)"
        )
        p.add_argument(
            "--backend-store-uri",
            metavar="DB_URI",
            default=os.environ.get("MLFLOW_BACKEND_STORE_URI"),
            help="the tracking server's database (SQLAlchemy URI; default "
            "MLFLOW_BACKEND_STORE_URI, which keeps a password out of the process list): lists "
            "what MLflow's gc will purge; apply needs it for permanent deletion",
        )
        p.add_argument(
            "--region",
            default=DEFAULT_REGION,
            help=f"the bucket's region for S3 prices (default {DEFAULT_REGION})",
        )
        bucket = p.add_mutually_exclusive_group()
        bucket.add_argument("--artifact-bucket", metavar="PATH[#LOGICAL_ID]")
        bucket.add_argument("--bucket-properties", metavar="JSON")
        p.add_argument(
            "--artifact-root",
            metavar="s3://BUCKET/PREFIX",
            help="the server's artifacts destination: proxied (mlflow-artifacts:/) artifacts "
            "are listed, tagged and deleted there directly",
        )
        p.add_argument("--artifact-listing", choices=("mlflow", "s3"), default="mlflow")
        p.add_argument(
            "--archive-class",
            choices=ARCHIVE_CLASSES,
            default="GLACIER_IR",
            help="the class the stack's retention-archive lifecycle rule moves tagged "
            "objects to (default GLACIER_IR)",
        )
        p.add_argument(
            "--workers", type=int, default=8, help="parallel MLflow and S3 calls (default 8)"
        )
        if verb == "plan":
            p.add_argument("--format", choices=("markdown", "json"), default="markdown")
            p.add_argument("--output", "-o", help="write the plan to this file")
        else:
            confirm = p.add_mutually_exclusive_group()
            confirm.add_argument("--token", help="the token `plan` printed")
            confirm.add_argument("--yes", action="store_true", help="apply without a token")
            p.add_argument(
                "--soft-delete-only",
                action="store_true",
                help="no permanent deletion (no --backend-store-uri needed)",
            )
            p.add_argument(
                "--log",
                metavar="FILE",
                help="JSON lines of what was changed ('-': standard output; default "
                "retention-log-<UTC time>.jsonl)",
            )
        p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    now = datetime.now(UTC)
    try:
        return _run(args, now)
    except (InputError, BucketError, PolicyError, SourceError) as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_INPUT
    except UnknownRegion as err:
        print(f"error: --region: {err}", file=sys.stderr)
        return EXIT_INPUT


def _policy(args: argparse.Namespace) -> Any:
    if args.policy:
        return load_policy_file(args.policy)
    return parse_policy_json(args.policy_json)


def _run(args: argparse.Namespace, now: datetime) -> int:
    policy = _policy(args)
    catalog = default_catalog()
    catalog.check_region(args.region)
    rules, _ = _bucket_rules(args)
    from cost.retention.source import Database, RetentionSource, resolve_proxied_artifacts

    if args.artifact_root:
        if not args.artifact_root.startswith("s3://"):
            raise InputError(
                f"--artifact-root {args.artifact_root!r}: allowed: s3://BUCKET[/PREFIX]"
            )
        resolve_proxied_artifacts(args.artifact_root)
    source = RetentionSource(args.tracking_uri)
    database = None
    scheme = source.tracking_uri.split(":", 1)[0]
    db_uri = args.backend_store_uri or (
        source.tracking_uri if scheme.startswith(DATABASE_SCHEMES) else None
    )
    if db_uri:
        database = Database(db_uri, args.artifact_root)
    if args.verb == "apply" and database is None and not args.soft_delete_only:
        raise InputError(
            "apply: permanent deletion (MLflow's gc) needs the tracking server's database: "
            "give --backend-store-uri, or --soft-delete-only to only soft-delete"
        )
    lister: Any = S3Sizes(args.artifact_root) if args.artifact_listing == "s3" else source
    pricer = RunPricer(
        catalog, rules, default_region=args.region, now=now, artifact_root=args.artifact_root
    )
    if not 1 <= args.workers <= 64:
        raise InputError(f"--workers {args.workers}: allowed 1 to 64")
    planner = Planner(
        policy,
        pricer,
        Sizes(lister),
        archive_class=args.archive_class,
        now=now,
        workers=args.workers,
    )
    try:
        plan = _plan(planner, source, database, now)
    except StoragePriceMissing as err:
        raise SourceError(str(err)) from None
    if args.verb == "plan":
        text = to_json_text(plan) if args.format == "json" else to_markdown(plan)
        if args.output:
            Path(args.output).write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
        for line in lines(plan):
            print(line, file=sys.stderr)
        if plan.actions:
            print(
                f"to apply: python -m cost retention apply ... --token {plan.token}",
                file=sys.stderr,
            )
        return EXIT_OK
    return _apply(args, plan, source, database, now)


def _plan(planner: Planner, source: Any, database: Any, now: datetime) -> Plan:
    protected, in_use = source.registered()
    plan = planner.plan(
        source.active_experiments(),
        source.active_runs,
        source.logged_models,
        protected,
        in_use,
    )
    if database is not None:
        grace_ms = planner.policy.grace_days * DAY_MS
        runs = database.deleted_runs(grace_ms)
        by_id = {r.run_id: r for r in runs}
        models = []
        for model, exp_id in database.deleted_models(grace_ms):
            run = by_id.get(model.source_run_id) or RunRecord(
                model.model_id, exp_id, exp_id, "", "FINISHED", None, None
            )
            models.append((model, run))
        now_ms = int(now.timestamp() * 1000)
        planner.purge(plan, runs, models, database.deleted_experiments(grace_ms, now_ms))
    else:
        plan.notes.append(
            "runs already deleted are not listed: what MLflow's gc will purge needs "
            "--backend-store-uri"
        )
    return plan


def _apply(args: argparse.Namespace, plan: Plan, source: Any, database: Any, now: datetime) -> int:
    for line in lines(plan):
        print(line, file=sys.stderr)
    if not plan.actions:
        print("nothing to do", file=sys.stderr)
        return EXIT_OK
    if not args.yes and args.token != plan.token:
        if args.token:
            raise InputError(
                f"--token {args.token!r} does not match the plan (now {plan.token}): what the "
                "policy selects changed since that plan; run `plan` again and review it"
            )
        raise InputError(
            f"apply changes {len(plan.actions):,} runs, models or experiments: review "
            f"`python -m cost retention plan` and pass its --token ({plan.token}), or --yes"
        )
    archives = plan.of("archive")
    tagger = None
    if archives:
        from cost.retention.source import ArchiveTagger

        tagger = ArchiveTagger(args.artifact_root)
        for action in archives:  # every location resolves before anything changes
            tagger.locator.location(_stub(action))
    stamp = f"{plan.archive_class} {now.date().isoformat()}"

    def delete(action: Action) -> Action:
        source.delete_run(action.run_id, action.logged_models)
        return action

    def archive(action: Action) -> tuple[Action, int]:
        assert tagger is not None
        tagged = tagger.tag(_stub(action), action.archive_keys)
        source.mark_archived(action.run_id, stamp)
        return action, tagged

    log = _Log(args.log, now)
    try:
        # One request or a few per run: in parallel; logged in plan order as each is done.
        with ThreadPoolExecutor(max_workers=args.workers) as pool:
            for done in pool.map(delete, plan.of("delete")):
                log.write("soft-delete", done)
            for done, tagged in pool.map(archive, archives):
                log.write("archive", done, objects_tagged=tagged)
        purged: list[tuple[str, str]] = []
        if database is not None and not getattr(args, "soft_delete_only", False):
            runs = [a.run_id for a in plan.of("purge")]
            if plan.policy.grace_days == 0:
                runs += [a.run_id for a in plan.of("delete")]
            models = [a.run_id for a in plan.of("purge-model")]
            if plan.policy.grace_days == 0:
                models += [m for a in plan.of("delete") for m in a.logged_models]
            if runs or models or plan.of("purge-experiment"):
                purged = database.gc(plan.policy.grace_days, source.tracking_uri, runs, models)
            by_id = {a.run_id: a for a in plan.actions}
            for kind, ident in purged:
                log.write("purge", by_id.get(ident), kind=kind, id=ident)
    finally:
        log.close()
    print(
        f"applied {plan.token}: soft-deleted {len(plan.of('delete')):,} runs, archived "
        f"{len(archives):,}, purged {len(purged):,} (MLflow gc); log: {log.where}",
        file=sys.stderr,
    )
    return EXIT_OK


def _stub(action: Action) -> RunRecord:
    """What locating an action's objects in S3 needs of its run."""
    return RunRecord(
        action.run_id,
        action.experiment_id,
        action.experiment,
        "",
        "FINISHED",
        None,
        None,
        artifact_uri=action.artifact_uri,
    )


class _Log:
    def __init__(self, path: str | None, now: datetime) -> None:
        self.where = path or f"retention-log-{now.strftime('%Y%m%dT%H%M%SZ')}.jsonl"
        self.file: IO[str]
        if self.where == "-":
            self.file = sys.stdout
            self.where = "standard output"
        else:
            self.file = open(self.where, "a", encoding="utf-8")  # noqa: SIM115

    def write(self, what: str, action: Action | None, **extra: Any) -> None:
        entry: dict[str, Any] = {
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "event": what,
        }
        if action is not None:
            entry.update(action.to_json())
        entry.update(extra)
        self.file.write(json.dumps(entry, sort_keys=True) + "\n")
        self.file.flush()

    def close(self) -> None:
        if self.file is not sys.stdout:
            self.file.close()


def to_markdown(plan: Plan) -> str:
    out = [
        "# Retention plan",
        "",
        f"Token `{plan.token}` (apply with `--token {plan.token}`); generated "
        f"{plan.now.isoformat(timespec='seconds')}; grace {plan.policy.grace_days} d; archive "
        f"class {plan.archive_class}.",
        "",
        f"**Delete {len(plan.of('delete')):,} runs, archive {len(plan.of('archive')):,}, "
        f"purge {len(plan.of('purge')) + len(plan.of('purge-model')):,} (MLflow gc): "
        f"{human_bytes(plan.artifact_bytes)}, saving {storage_rate(plan.saving_usd_month)} "
        "USD/month.**",
        "",
        "| Experiment | Rule | Runs | Delete | Archive | Purge | Kept | Artifacts "
        "| Saving USD/month |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for exp in sorted(plan.experiments.values(), key=lambda e: e.name):
        out.append(
            f"| {exp.name} | {exp.rule} | {exp.runs:,} | {exp.delete:,} | {exp.archive:,} | "
            f"{exp.purge:,} | {sum(exp.kept.values()):,} | {human_bytes(exp.artifact_bytes)} | "
            f"{storage_rate(exp.saving_usd_month)} |"
        )
    if plan.kept:
        out += ["", "Kept: " + "; ".join(f"{n:,} {why}" for why, n in sorted(plan.kept.items()))]
    if plan.actions:
        out += [
            "",
            "| Action | Id | Experiment | Why | Objects | Bytes | Saving USD/month |",
            "|---|---|---|---|---:|---:|---:|",
        ]
        for a in plan.actions:
            objects = f"{a.artifact_objects:,}" if a.sized else "not sized"
            size = f"{a.artifact_bytes:,}" if a.sized else "not sized"
            out.append(
                f"| {a.kind} | `{a.run_id}` | {a.experiment} | {a.reason} | {objects} | {size} | "
                f"{a.saving_usd_month:.6f} |"
            )
    for note in plan.notes:
        out += ["", f"Note: {note}"]
    return "\n".join(out) + "\n"
