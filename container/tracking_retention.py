"""The scheduled retention task (MLFLOW_ROLE=retention, constructs/retention.py): runs
`cost retention apply` in this process against the tracking schema, then exits with its code.

It reaches the database like the server (dbconnect.py installs the credentials into every
SQLAlchemy engine; the tracking URI it hands the command carries none) and works only on a
schema at this image's MLflow head revision: it never initializes or migrates one (a schema
behind, ahead or empty is refused with EXIT_MIGRATION, as a serving task refuses it). It is
given the database credentials and nothing else: no admin password, no Flask key
(tracking_settings.py refuses them for this role).

Every failure is logged as one `retention failed: ...` line (the stack's metric filter counts
them).
"""

from __future__ import annotations

import logging
import os

from tracking_config import database_uri
from tracking_contract import EXIT_MIGRATION
from tracking_migrations import (
    TRACKING_VERSION_TABLE,
    _mlflow_version,
    migration_lock,
    schema_state,
    tracking_revisions,
)
from tracking_readiness import check_bucket, db_connection, wait_for_database
from tracking_settings import Settings, StartupError, database_secret_env

log = logging.getLogger("mlflow-entrypoint")

#: The log line the stack's metric filter counts (constructs/retention.py FAILURE_PATTERN).
FAILURE_MARKER = "retention failed"


def retention_argv(settings: Settings) -> list[str]:
    """`cost retention apply`'s arguments (the contract of cost/retention/command.py main)."""
    uri = database_uri(settings.db_host, settings.db_port, settings.db_name)
    return [
        "apply",
        "--policy-json",
        settings.retention_policy or "",
        "--yes",
        "--tracking-uri",
        uri,
        "--backend-store-uri",
        uri,
        "--artifact-root",
        settings.artifacts_destination,
        "--artifact-listing",
        "s3",
        "--bucket-properties",
        settings.retention_bucket_properties or "",
        "--archive-class",
        settings.retention_archive_class or "",
        "--region",
        settings.region,
        "--log",
        "-",
    ]


def check_schema_at_head(settings: Settings) -> None:
    """Refuse (EXIT_MIGRATION) unless the tracking schema is at this MLflow's head revision.
    Checked under the migration lock, so a migration in progress is waited for, not raced;
    the lock is released before the clean-up runs (servers starting take it too)."""
    version = _mlflow_version()
    with migration_lock(settings), db_connection(settings) as conn, conn.cursor() as cur:
        state = schema_state(cur, settings.db_name, TRACKING_VERSION_TABLE, tracking_revisions())
    log.info("%s (MLflow %s)", state.describe(), version)
    if state.at_head:
        return
    if state.empty:
        why = "the schema is empty (no MLflow server has initialized it yet)"
    elif state.unknown:
        why = (
            f"revision {state.revision} is unknown to MLflow {version} (a newer MLflow migrated it)"
        )
    else:
        why = f"the schema needs a migration to MLflow {version}"
    raise StartupError(
        EXIT_MIGRATION,
        f"{state.describe()}: {why}; the retention task never initializes or migrates a "
        "schema: it runs only on a schema at its MLflow's head (deploy the matching image, "
        "or run the migration task first)",
    )


def run_retention(settings: Settings) -> int:
    """Wait for the database, check the bucket and the schema, then apply the policy."""
    from dbconnect import install_sqlalchemy_credentials

    try:
        wait_for_database(settings)
        check_bucket(settings)
        install_sqlalchemy_credentials(database_secret_env(settings))
        check_schema_at_head(settings)
    except StartupError as exc:
        log.error("%s: %s", FAILURE_MARKER, exc)
        return exc.exit_code
    # No usage telemetry from a production task (and no egress attempts in tests).
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    os.environ.setdefault("DO_NOT_TRACK", "true")
    from cost.retention.command import main

    log.info("schema at head; running cost retention apply")
    code = main(retention_argv(settings))
    if code != 0:
        log.error("%s: cost retention apply exited %d", FAILURE_MARKER, code)
    else:
        log.info("retention done")
    return code
