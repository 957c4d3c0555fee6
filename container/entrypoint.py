"""Entrypoint of the MLflow tracking server image (`python /app/entrypoint.py`, no arguments).

All configuration comes from environment variables (the ECS task definition sets the names in
tracking_contract.PLAIN_ENVIRONMENT and injects SECRET_ENVIRONMENT from Secrets Manager).
Start-up:

1. validate every setting and report every problem at once (exit 2; tracking_settings.py);
2. wait for the database within MLFLOW_DB_WAIT_SECONDS, retrying refused connections and
   timeouts, failing fast on access denied / TLS problems (exit 3); create the tracking and auth
   schemas if missing (tracking_readiness.py);
3. check the artifact bucket is reachable within MLFLOW_BUCKET_CHECK_SECONDS (exit 4);
4. under a MySQL advisory lock (GET_LOCK), so that tasks starting together take turns:
   initialize empty schemas (work around MLflow's auth migration bug on MySQL, create the
   admin user, the run pricer's user) and refuse to serve a schema of another MLflow version;
   a warm start (schemas at head, users as the last bootstrap left them) skips the
   initialization without importing MLflow (tracking_migrations.warm_start); with
   MLFLOW_ROLE=migrate (the one-off migration task) instead upgrade the schemas with every
   writer stopped, behind a backup that a failure restores, and exit (exit 5 on failure;
   tracking_migrations.py);
5. exec gunicorn (gthread workers) serving MLflow's Flask app with basic auth (wsgi.py), behind
   a Host-header check, with no secret in argv or in any file (tracking_config.py).

With MLFLOW_ROLE=retention (the scheduled clean-up task) steps 2 and 3 run, then, instead of
4 and 5, the tracking schema is checked to be at head (never migrated; exit 5 otherwise) and
`cost retention apply` runs in-process; its exit code is the task's (tracking_retention.py).

This module holds the logging set-up and the order of the steps.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping

from tracking_config import (
    gunicorn_argv,
    server_environment,
    worker_secret_values,
    write_auth_config,
)
from tracking_contract import EXIT_CONFIG, EXIT_MIGRATION, SECRET_ENVIRONMENT
from tracking_login import create_shared_state
from tracking_migrations import run_migrations
from tracking_readiness import check_bucket, ensure_schemas, wait_for_database
from tracking_retention import run_retention
from tracking_secrets import hand_over
from tracking_settings import StartupError, parse_settings

log = logging.getLogger("mlflow-entrypoint")


class _RedactSecrets(logging.Filter):
    """Last line of defence: no log record of this process shows a secret's value."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if s and len(s) >= 4]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = message
        for secret in self._secrets:
            redacted = redacted.replace(secret, "***")
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def _configure_logging(env: Mapping[str, str]) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        logging.Formatter("%(asctime)s mlflow-entrypoint %(levelname)s %(message)s")
    )
    handler.addFilter(_RedactSecrets([env.get(name, "") for name in SECRET_ENVIRONMENT]))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)


def main() -> int:
    _configure_logging(os.environ)
    settings, problems = parse_settings(os.environ)
    if settings is None:
        log.error(
            "invalid configuration, %d problem(s):\n%s",
            len(problems),
            "\n".join(f"  - {p}" for p in problems),
        )
        return EXIT_CONFIG
    log.info(
        "starting: db %s:%s/%s (auth schema %s, TLS %s), artifacts %s, auth %s, %d worker(s) x "
        "%d thread(s), port %d, allowed hosts %s",
        settings.db_host,
        settings.db_port,
        settings.db_name,
        settings.auth_db_name,
        "verified" if settings.db_ca_bundle else "NOT verified",
        settings.artifacts_destination,
        settings.auth,
        settings.workers,
        settings.threads,
        settings.port,
        ",".join(settings.allowed_hosts),
    )
    if not settings.db_ca_bundle:
        # PyMySQL then still negotiates TLS when the server offers it, but accepts any
        # certificate: the connection is encrypted, not authenticated.
        log.warning(
            "MLFLOW_DB_CA_BUNDLE is not set: the database's certificate is not verified "
            "(set it to /app/rds-ca-bundle.pem on RDS)"
        )
    if settings.role == "retention":
        return run_retention(settings)
    try:
        wait_for_database(settings)
        ensure_schemas(settings)
        check_bucket(settings)
        auth_config = write_auth_config(settings) if settings.auth == "basic" else None
        env = server_environment(settings, os.environ, auth_config)
        # This process runs MLflow's migrations and auth bootstrap: same configuration as the
        # workers (MLflow reads the auth INI path when mlflow.server.auth is imported).
        os.environ.update(env)
        run_migrations(settings)
        if settings.role == "migrate":
            log.info("migration task done; exiting (MLFLOW_ROLE=migrate serves nothing)")
            return 0
        # The workers' secrets go through a pipe, not the exec'd environment (which
        # /proc/PID/environ shows for the life of the process): tracking_secrets.py.
        env.update(hand_over(worker_secret_values(settings)))
        if settings.auth == "basic":
            # The failed-login throttle's state, shared by all workers (tracking_login.py).
            env.update(create_shared_state())
    except StartupError as exc:
        log.error("start-up failed: %s", exc)
        return exc.exit_code
    except Exception as exc:
        log.exception("start-up failed: %s: %s", type(exc).__name__, exc)
        return EXIT_MIGRATION
    log.info("start-up checks passed; exec gunicorn")
    sys.stdout.flush()
    sys.stderr.flush()
    argv = gunicorn_argv()
    # Replace this process: gunicorn's master becomes the container's PID 1 and gets ECS's
    # SIGTERM directly. Neither argv nor the environment holds a secret.
    os.execve(argv[0], argv, env)  # noqa: S606
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main())
