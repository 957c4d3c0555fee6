"""The tracking server image's environment contract, as plain data.

Every environment variable the image reads, its default, and every allowed range or value
set is declared here once. The rest of the image derives its checks from these tables
(tracking_settings.py), and the CDK side compares its task definition and its own limits with
them (tests/test_stack_team.py imports this module as `container.tracking_contract`).

Plain data only: no import of any other module of the image and nothing beyond the standard
library, so that it imports anywhere (the CDK unit tests' virtualenv has no MLflow).
"""

from __future__ import annotations

#: Plain (non-secret) environment variables the task definition may set.
PLAIN_ENVIRONMENT: tuple[str, ...] = (
    "MLFLOW_DB_HOST",
    "MLFLOW_DB_PORT",
    "MLFLOW_DB_NAME",
    "MLFLOW_AUTH_DB_NAME",
    "MLFLOW_DB_CA_BUNDLE",
    "MLFLOW_ARTIFACTS_DESTINATION",
    "MLFLOW_ALLOWED_HOSTS",
    "MLFLOW_AUTH",
    "MLFLOW_AUTH_ADMIN_USERNAME",
    "MLFLOW_AUTH_DEFAULT_PERMISSION",
    "MLFLOW_AUTH_CACHE_TTL_SECONDS",
    "MLFLOW_AUTH_LOGIN_WINDOW_SECONDS",
    "MLFLOW_AUTH_MAX_FAILURES_PER_USER",
    "MLFLOW_AUTH_MAX_FAILURES_PER_ADDRESS",
    "MLFLOW_AUTH_MAX_CONCURRENT_HASHES",
    "MLFLOW_AUTH_HASH_WAIT_MS",
    "MLFLOW_WORKERS",
    "MLFLOW_THREADS",
    "MLFLOW_PORT",
    "MLFLOW_SERVER_ENABLE_JOB_EXECUTION",
    "MLFLOW_DB_WAIT_SECONDS",
    "MLFLOW_BUCKET_CHECK_SECONDS",
    "MLFLOW_MIGRATION_LOCK_SECONDS",
    "MLFLOW_ROLE",
    "MLFLOW_RUN_COSTS_USERNAME",
    # The scheduled retention task (MLFLOW_ROLE=retention; constructs/retention.py).
    "MLFLOW_RETENTION_POLICY",
    "MLFLOW_RETENTION_BUCKET_PROPERTIES",
    "MLFLOW_RETENTION_ARCHIVE_CLASS",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
)

#: Plain variables only the retention task's definition sets (MLFLOW_ROLE=retention).
RETENTION_ENVIRONMENT: tuple[str, ...] = (
    "MLFLOW_RETENTION_POLICY",
    "MLFLOW_RETENTION_BUCKET_PROPERTIES",
    "MLFLOW_RETENTION_ARCHIVE_CLASS",
)

#: Secrets, injected by ECS from Secrets Manager as environment variables.
SECRET_ENVIRONMENT: tuple[str, ...] = (
    "MLFLOW_DB_USERNAME",
    "MLFLOW_DB_PASSWORD",
    "MLFLOW_AUTH_ADMIN_PASSWORD",
    "MLFLOW_FLASK_SERVER_SECRET_KEY",
    # The scheduled run pricer's MLflow password (set with MLFLOW_RUN_COSTS_USERNAME): the
    # entrypoint keeps that user in step with it; the workers never see it.
    "MLFLOW_RUN_COSTS_PASSWORD",
)

#: Secrets the task definition sets only when their feature is on (the run pricer: run_costs=true).
OPTIONAL_SECRET_ENVIRONMENT: tuple[str, ...] = ("MLFLOW_RUN_COSTS_PASSWORD",)

#: Read only when set; the integration suite points S3 at moto with it. Never in the task.
TEST_ENVIRONMENT: tuple[str, ...] = ("MLFLOW_S3_ENDPOINT_URL",)

#: Defaults of the plain variables that have one (the others are required or optional).
DEFAULTS: dict[str, str] = {
    "MLFLOW_DB_PORT": "3306",
    "MLFLOW_DB_NAME": "mlflow",
    "MLFLOW_AUTH_DB_NAME": "mlflow_auth",
    "MLFLOW_AUTH": "basic",
    "MLFLOW_AUTH_ADMIN_USERNAME": "admin",
    # Least privilege: a user sees only what an admin granted or what the user created
    # (MLflow grants the creator MANAGE). Teams that want everyone to read everything set READ.
    "MLFLOW_AUTH_DEFAULT_PERMISSION": "NO_PERMISSIONS",
    # Without a credential cache every request re-runs the password hash (tens of ms of CPU):
    # measured throughput fell by an order of magnitude. 60 s bounds how long a changed or
    # deleted password stays usable on the other workers/tasks.
    "MLFLOW_AUTH_CACHE_TTL_SECONDS": "60",
    # Failed-login budgets (tracking_login.py): a user name may fail 10 times, a client address
    # 50 times, then one more attempt each per window/limit seconds; a window without failures
    # restores the whole budget. Per task: with N tasks, N budgets.
    "MLFLOW_AUTH_LOGIN_WINDOW_SECONDS": "300",
    "MLFLOW_AUTH_MAX_FAILURES_PER_USER": "10",
    "MLFLOW_AUTH_MAX_FAILURES_PER_ADDRESS": "50",
    # One password hash (~150-200 ms of one core) at a time per task; a login that finds the
    # slot busy for 0.5 s is told to retry (429), so other requests keep the other cores.
    "MLFLOW_AUTH_MAX_CONCURRENT_HASHES": "1",
    "MLFLOW_AUTH_HASH_WAIT_MS": "500",
    "MLFLOW_WORKERS": "3",
    "MLFLOW_THREADS": "2",
    "MLFLOW_PORT": "5000",
    "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false",
    "MLFLOW_DB_WAIT_SECONDS": "180",
    "MLFLOW_BUCKET_CHECK_SECONDS": "30",
    "MLFLOW_MIGRATION_LOCK_SECONDS": "900",
    # `server` serves and only ever initializes an empty schema; `migrate` is the one-off task
    # that upgrades an existing schema (tracking_migrations.py), then exits; `retention` is the
    # scheduled clean-up task (`cost retention apply` on a schema at head), then exits.
    "MLFLOW_ROLE": "server",
    "MLFLOW_RETENTION_ARCHIVE_CLASS": "GLACIER_IR",
}

#: Inclusive (low, high) of every integer setting. The one table of numeric limits.
LIMITS: dict[str, tuple[int, int]] = {
    "MLFLOW_DB_PORT": (1, 65535),
    "MLFLOW_AUTH_CACHE_TTL_SECONDS": (0, 3600),
    "MLFLOW_AUTH_LOGIN_WINDOW_SECONDS": (1, 86400),
    "MLFLOW_AUTH_MAX_FAILURES_PER_USER": (1, 100000),
    "MLFLOW_AUTH_MAX_FAILURES_PER_ADDRESS": (1, 100000),
    "MLFLOW_AUTH_MAX_CONCURRENT_HASHES": (1, 64),
    "MLFLOW_AUTH_HASH_WAIT_MS": (0, 10000),
    "MLFLOW_WORKERS": (1, 64),
    "MLFLOW_THREADS": (1, 64),
    "MLFLOW_PORT": (1, 65535),
    "MLFLOW_DB_WAIT_SECONDS": (1, 3600),
    "MLFLOW_BUCKET_CHECK_SECONDS": (1, 600),
    "MLFLOW_MIGRATION_LOCK_SECONDS": (1, 86400),
}

#: Allowed values of every enumerated setting (compared after case folding as noted).
AUTH_MODES: tuple[str, ...] = ("basic", "none")  # lower case
PERMISSIONS: tuple[str, ...] = ("READ", "USE", "EDIT", "MANAGE", "NO_PERMISSIONS")  # upper
JOB_EXECUTION_VALUES: tuple[str, ...] = ("false", "0")  # lower case; "true" is refused
ROLES: tuple[str, ...] = ("server", "migrate", "retention")  # lower case
#: Storage classes the retention task archives tagged artifacts into (the bucket's
#: `retention-archive` lifecycle rule; constructs/retention.py declares the setting).
RETENTION_ARCHIVE_CLASSES: tuple[str, ...] = ("GLACIER_IR", "GLACIER", "DEEP_ARCHIVE")  # upper
#: Secrets the retention task must not be given: it touches the database and the bucket,
#: never MLflow's users or sessions.
RETENTION_REFUSED_SECRETS: tuple[str, ...] = (
    "MLFLOW_AUTH_ADMIN_PASSWORD",
    "MLFLOW_FLASK_SERVER_SECRET_KEY",
    "MLFLOW_RUN_COSTS_PASSWORD",
)
CHOICES: dict[str, tuple[str, ...]] = {
    "MLFLOW_AUTH": AUTH_MODES,
    "MLFLOW_AUTH_DEFAULT_PERMISSION": PERMISSIONS,
    "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": JOB_EXECUTION_VALUES,
    "MLFLOW_ROLE": ROLES,
    "MLFLOW_RETENTION_ARCHIVE_CLASS": RETENTION_ARCHIVE_CLASSES,
}

#: Lengths of secrets (MLflow's own password policy is 12, mlflow.utils.validation).
MIN_ADMIN_PASSWORD_LENGTH = 12
MIN_SECRET_KEY_LENGTH = 16

#: What the scheduled run pricer's user (MLFLOW_RUN_COSTS_USERNAME) is granted, as MLflow
#: grants (resource type, pattern, permission): read every experiment (its runs, their
#: artifacts) and edit runs (write and delete its cost.* tags). MLflow has no grant narrower
#: than EDIT that allows setting a run's tags; EDIT does not allow deleting runs or managing
#: permissions (MANAGE). Every other resource type stays at the default permission.
RUN_COSTS_GRANTS: tuple[tuple[str, str, str], ...] = (
    ("experiment", "*", "READ"),
    ("run", "*", "EDIT"),
)

#: Exit codes of the entrypoint, one per start-up step that can fail.
EXIT_CONFIG = 2
EXIT_DATABASE = 3
EXIT_BUCKET = 4
EXIT_MIGRATION = 5
