"""Schema migrations, under a MySQL advisory lock, and the repair of MLflow's auth migration
that fails on MySQL as shipped.

Since MLflow 3.17 a schema upgrade needs every writer stopped and a restorable backup; a
server of one MLflow version must never run against a schema migrated by another. So the
work is split by role (MLFLOW_ROLE):

- `server` (every serving task) initializes an *empty* schema (a fresh install: nothing to
  lose, and no other version can be serving it) and otherwise only checks: a schema behind
  this MLflow's head, or at a revision this MLflow does not know (a newer MLflow migrated it),
  stops the start with exit 5. A serving task never upgrades a schema.
- `migrate` (the one-off task the deployment runs before the service update, with the new
  image) upgrades: it refuses while any other session of the database user is connected to
  the tracking or auth schema (a writer of any version still running), copies both schemas
  into backup schemas, migrates, checks the heads, and on any failure restores both schemas
  from the copies (tables, rows, AUTO_INCREMENT counters) before failing with exit 5. The
  deployment takes an RDS snapshot before it starts this task; the in-database copy is what
  makes the rollback automatic.

MLflow, SQLAlchemy and PyMySQL are imported inside the functions that need them.
"""

from __future__ import annotations

import ast
import contextlib
import hashlib
import importlib.metadata
import json
import logging
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from tracking_config import database_uri, mlflow_package_dir
from tracking_contract import EXIT_MIGRATION, RUN_COSTS_GRANTS
from tracking_readiness import db_connection
from tracking_settings import Settings, StartupError, database_secret_env

log = logging.getLogger("mlflow-entrypoint")


@contextlib.contextmanager
def migration_lock(settings: Settings) -> Iterator[None]:
    """Hold a MySQL advisory lock for the migrations: tasks starting together take turns, and
    the server releases the lock by itself if the holder dies (its connection closes)."""
    name = f"mlflow-migrations:{settings.db_name}"
    with db_connection(settings) as conn, conn.cursor() as cur:
        started = time.monotonic()
        cur.execute("SELECT GET_LOCK(%s, %s)", (name, settings.migration_lock_seconds))
        (got,) = cur.fetchone()
        if got != 1:
            raise StartupError(
                EXIT_MIGRATION,
                f"could not take the migration lock {name!r} within "
                f"MLFLOW_MIGRATION_LOCK_SECONDS={settings.migration_lock_seconds} (another task "
                "is still migrating, or hung while holding it)",
            )
        waited = time.monotonic() - started
        log.info("holding migration lock %r (waited %.1f s)", name, waited)
        try:
            yield
        finally:
            cur.execute("SELECT RELEASE_LOCK(%s)", (name,))


# The auth store's initial migration (8606fa83a998) names the foreign keys of two tables
# `fk_user_id`. MySQL/MariaDB scope constraint names to the schema, so the second CREATE TABLE
# fails with errno 121 (upstream mlflow#9642, #10964), after the first tables were created:
# MySQL DDL commits implicitly, so a failed attempt leaves users/experiment_permissions (and an
# empty alembic_version_auth) behind, and every later start fails again on "table exists".
# Workaround: while no Alembic revision is recorded, create whichever of the initial tables are
# missing, exactly as that migration does but with schema-unique constraint names, and record
# the initial revision; MLflow's own migrations then take the schema to head. Existing tables
# and rows are never dropped. The integration suite reproduces the upstream failure for real.
AUTH_INITIAL_REVISION = "8606fa83a998"
AUTH_VERSION_TABLE = "alembic_version_auth"


def auth_initial_tables() -> Any:
    """SQLAlchemy tables of auth revision 8606fa83a998 with schema-unique constraint names."""
    import sqlalchemy as sa

    metadata = sa.MetaData()
    sa.Table(
        "users",
        metadata,
        sa.Column("id", sa.Integer(), nullable=False, primary_key=True),
        sa.Column("username", sa.String(length=255), nullable=True),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("is_admin", sa.Boolean(), nullable=True),
        sa.UniqueConstraint("username"),
    )
    sa.Table(
        "experiment_permissions",
        metadata,
        sa.Column("id", sa.Integer(), nullable=False, primary_key=True),
        sa.Column("experiment_id", sa.String(length=255), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("permission", sa.String(length=255), nullable=True),
        # Upstream's name, kept: this is the first of the two and is created fine.
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_user_id"),
        sa.UniqueConstraint("experiment_id", "user_id", name="unique_experiment_user"),
    )
    sa.Table(
        "registered_model_permissions",
        metadata,
        sa.Column("id", sa.Integer(), nullable=False, primary_key=True),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("permission", sa.String(length=255), nullable=True),
        # Upstream says fk_user_id here too, which MySQL rejects (errno 121).
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_rm_perm_user_id"),
        sa.UniqueConstraint("name", "user_id", name="unique_name_user"),
    )
    return metadata


def repair_auth_schema(engine: Any) -> str:
    """Bring an auth schema whose initial migration never completed to revision 8606fa83a998.
    Returns what was done (for the log)."""
    import sqlalchemy as sa

    with engine.begin() as conn:
        existing = set(sa.inspect(conn).get_table_names())
        if AUTH_VERSION_TABLE in existing:
            revision = conn.execute(
                sa.text(f"SELECT version_num FROM {AUTH_VERSION_TABLE}")  # noqa: S608 - constant
            ).scalar()
            if revision:
                return f"auth schema at revision {revision}"
        metadata = auth_initial_tables()
        missing = [t for t in metadata.sorted_tables if t.name not in existing]
        metadata.create_all(conn, tables=missing, checkfirst=True)
        conn.execute(
            sa.text(
                f"CREATE TABLE IF NOT EXISTS {AUTH_VERSION_TABLE} (version_num VARCHAR(32) NOT "
                f"NULL, CONSTRAINT {AUTH_VERSION_TABLE}_pkc PRIMARY KEY (version_num))"
            )
        )
        conn.execute(sa.text(f"DELETE FROM {AUTH_VERSION_TABLE}"))  # noqa: S608 - constant
        conn.execute(
            sa.text(f"INSERT INTO {AUTH_VERSION_TABLE} (version_num) VALUES (:rev)"),  # noqa: S608
            {"rev": AUTH_INITIAL_REVISION},
        )
    kept = sorted(t.name for t in metadata.sorted_tables if t.name in existing)
    created = [t.name for t in missing]
    return (
        f"auth schema had no recorded revision: created {created or 'nothing'}, kept existing "
        f"{kept or 'nothing'}, recorded revision {AUTH_INITIAL_REVISION}"
    )


# NO PAD binary collations (trailing spaces count, case counts): MySQL 8.0.17+ and MariaDB 10.2+
# each have one of these, under different names.
NO_PAD_COLLATIONS = ("utf8mb4_0900_bin", "utf8mb4_nopad_bin")


def no_pad_collation(cur: Any) -> str:
    """The first of NO_PAD_COLLATIONS this server has and that really compares exactly
    ('a' <> 'a ', 'a' <> 'A'): asked of the server, not assumed from its version."""
    import pymysql

    for name in NO_PAD_COLLATIONS:
        try:
            cur.execute(
                f"SELECT _utf8mb4'a' COLLATE {name} = _utf8mb4'a ' COLLATE {name}, "
                f"_utf8mb4'a' COLLATE {name} = _utf8mb4'A' COLLATE {name}"
            )
        except pymysql.err.MySQLError:
            continue  # unknown collation (error 1273) on this server
        if tuple(cur.fetchone()) == (0, 0):
            return name
    raise StartupError(
        EXIT_MIGRATION,
        f"the database server has none of the NO PAD binary collations {NO_PAD_COLLATIONS}: "
        "user names would compare ignoring trailing spaces (MySQL 8.0.17+ or MariaDB 10.2+ "
        "needed)",
    )


def ensure_exact_user_names(settings: Settings) -> str:
    """Give the auth schema's `users.username` a NO PAD binary collation.

    utf8mb4_bin is PAD SPACE: `admin ` (trailing space) compared equal to `admin`, so the
    admin's password logged in as `admin `. With a NO PAD collation every comparison of user
    names in SQL (login, grants, updates, deletes) is exact. Converting never creates
    duplicates (the unique index already held under the looser rule). Idempotent; runs after
    every migration, since a later MLflow migration could rebuild the column. Returns what was
    done (for the log)."""
    with db_connection(settings, settings.auth_db_name) as conn, conn.cursor() as cur:
        collation = no_pad_collation(cur)
        cur.execute(
            "SELECT COLLATION_NAME, COLUMN_TYPE, IS_NULLABLE FROM information_schema.COLUMNS "
            "WHERE TABLE_SCHEMA = %s AND TABLE_NAME = 'users' AND COLUMN_NAME = 'username'",
            (settings.auth_db_name,),
        )
        row = cur.fetchone()
        if row is None:
            raise StartupError(
                EXIT_MIGRATION, f"auth schema {settings.auth_db_name}: no users.username column"
            )
        current, column_type, nullable = row
        if current == collation:
            return f"users.username already compares exactly ({collation})"
        null = "NULL" if nullable == "YES" else "NOT NULL"
        # column_type comes from the server's catalog (e.g. varchar(255)), the collation from
        # the constant list above: nothing user-supplied is interpolated.
        cur.execute(
            f"ALTER TABLE `users` MODIFY `username` {column_type} "
            f"CHARACTER SET utf8mb4 COLLATE {collation} {null}"
        )
        return f"users.username: collation {current} -> {collation} (exact comparison)"


# --- schema state ---------------------------------------------------------------------------

TRACKING_VERSION_TABLE = "alembic_version"


@dataclass(frozen=True)
class SchemaState:
    """Where one schema stands relative to this image's MLflow."""

    schema: str
    revision: str | None  # recorded Alembic revision, None when none is recorded
    head: str  # this MLflow's head revision for the schema
    known: frozenset[str]  # every revision this MLflow's migrations know
    tables: frozenset[str]
    # Tables without a recorded revision: the auth schema's half-failed initial migration,
    # which repair_auth_schema completes (an initialization), or a tracking schema of a
    # pre-Alembic MLflow (an upgrade).
    unrecorded_is_initial: bool = False

    @property
    def empty(self) -> bool:
        return not self.tables

    @property
    def at_head(self) -> bool:
        return self.revision == self.head

    @property
    def unknown(self) -> bool:
        """Recorded at a revision this MLflow does not know: a newer MLflow migrated it."""
        return self.revision is not None and self.revision not in self.known

    @property
    def behind(self) -> bool:
        if self.revision is None and self.unrecorded_is_initial:
            return False
        return not self.empty and not self.at_head and not self.unknown

    def describe(self) -> str:
        if self.empty:
            return f"{self.schema}: empty"
        return f"{self.schema}: revision {self.revision or '(none recorded)'}, head {self.head}"


#: Where MLflow keeps each schema's Alembic migrations, inside the mlflow package.
TRACKING_MIGRATIONS = "store/db_migrations/versions"
AUTH_MIGRATIONS = "server/auth/db/migrations/versions"
_ASSIGNMENT = re.compile(r"^(revision|down_revision)\s*(?::[^=]*)?=\s*(.+?)\s*$", re.MULTILINE)


def migration_revisions(relative: str) -> tuple[str, frozenset[str]]:
    """(head, known revisions) of one of MLflow's migration directories, read from the
    migration files' `revision` / `down_revision` lines.

    Asking Alembic's ScriptDirectory means importing MLflow, seconds of CPU at every task start
    (most of a warm start on a 0.25 vCPU task); this reads the same facts from ~70 small files.
    An integration test pins the result to Alembic's. More than one head (a branch MLflow
    never ships) is refused."""
    directory = mlflow_package_dir() / relative
    known: set[str] = set()
    parents: set[str] = set()
    for path in sorted(directory.glob("*.py")):
        found = dict(_ASSIGNMENT.findall(path.read_text(encoding="utf-8")))
        if "revision" not in found:
            continue
        known.add(str(ast.literal_eval(found["revision"])))
        down = ast.literal_eval(found.get("down_revision", "None"))
        parents.update((down,) if isinstance(down, str) else tuple(down or ()))
    heads = known - parents
    if len(heads) != 1:
        raise StartupError(
            EXIT_MIGRATION, f"MLflow's migrations in {directory} have heads {sorted(heads)}"
        )
    return heads.pop(), frozenset(known)


def tracking_revisions() -> tuple[str, frozenset[str]]:
    """(head, known revisions) of this MLflow's tracking-schema migrations."""
    return migration_revisions(TRACKING_MIGRATIONS)


def auth_revisions() -> tuple[str, frozenset[str]]:
    """(head, known revisions) of this MLflow's auth-schema migrations."""
    return migration_revisions(AUTH_MIGRATIONS)


def schema_state(
    cur: Any,
    schema: str,
    version_table: str,
    revisions: tuple[str, frozenset[str]],
    unrecorded_is_initial: bool = False,
) -> SchemaState:
    cur.execute(
        "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = %s "
        "AND TABLE_TYPE = 'BASE TABLE'",
        (schema,),
    )
    tables = frozenset(row[0] for row in cur.fetchall())
    revision = None
    if version_table in tables:
        # The schema name was validated against [A-Za-z0-9_]{1,64}, the table is a constant.
        cur.execute(f"SELECT version_num FROM `{schema}`.`{version_table}`")  # noqa: S608
        row = cur.fetchone()
        revision = row[0] if row else None
    head, known = revisions
    return SchemaState(schema, revision, head, known, tables, unrecorded_is_initial)


def refuse_unservable(state: SchemaState, mlflow_version: str) -> None:
    """What a serving task (role `server`) checks: it never upgrades a schema."""
    if state.unknown:
        raise StartupError(
            EXIT_MIGRATION,
            f"{state.describe()}: revision {state.revision} is unknown to MLflow "
            f"{mlflow_version}, so a newer MLflow has migrated this schema; this image must "
            "not serve it (deploy the newer image, or restore the pre-migration snapshot)",
        )
    if state.behind:
        raise StartupError(
            EXIT_MIGRATION,
            f"{state.describe()}: the schema needs a migration to MLflow {mlflow_version}; a "
            "serving task never migrates (tasks of the old version may still be serving it): "
            "run the one-off migration task (MLFLOW_ROLE=migrate) with all servers stopped",
        )


# --- writers, backup, restore --------------------------------------------------------------


def other_sessions(cur: Any, schemas: tuple[str, ...]) -> list[tuple[Any, ...]]:
    """Other sessions of this database user connected to one of `schemas`: servers (of any
    version: the check needs no cooperation from old images) that still hold a connection.
    Sessions waiting for the migration lock are not writers and are left out."""
    marks = ", ".join(["%s"] * len(schemas))
    cur.execute(
        "SELECT ID, HOST, DB, COMMAND, TIME FROM information_schema.PROCESSLIST "  # noqa: S608
        "WHERE ID <> CONNECTION_ID() AND USER = SUBSTRING_INDEX(CURRENT_USER(), '@', 1) "
        f"AND DB IN ({marks}) AND NOT (COMMAND = 'Query' AND STATE = 'User lock')",
        schemas,
    )
    return [tuple(row) for row in cur.fetchall()]


BACKUP_DDL_TABLE = "_mlflow_backup_ddl"


def backup_schema_name(schema: str, stamp: str) -> str:
    """`<schema>_bak_<UTC timestamp>`, within MySQL's 64 characters."""
    return f"{schema[:40]}_bak_{stamp}"


def _quoted(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise ValueError(f"not a plain schema/table name: {name!r}")
    return f"`{name}`"


def _keep_zero_ids(cur: Any) -> None:
    """Copy AUTO_INCREMENT columns as they are: MLflow's Default experiment has id 0, which
    MySQL would otherwise replace by the next counter value."""
    cur.execute("SET SESSION sql_mode = CONCAT(@@SESSION.sql_mode, ',NO_AUTO_VALUE_ON_ZERO')")


def copy_schema(cur: Any, schema: str, backup: str) -> int:
    """Copy every table of `schema` (rows, and its full DDL for the restore) into a new
    schema `backup`. Returns the number of rows copied."""
    src, dst = _quoted(schema), _quoted(backup)
    _keep_zero_ids(cur)
    cur.execute(f"CREATE DATABASE {dst} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
    cur.execute(
        f"CREATE TABLE {dst}.{BACKUP_DDL_TABLE} (position INT NOT NULL PRIMARY KEY, "
        "table_name VARCHAR(64) NOT NULL, ddl LONGTEXT NOT NULL)"
    )
    cur.execute(
        "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = %s "
        "AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME",
        (schema,),
    )
    rows = 0
    for position, (table,) in enumerate(list(cur.fetchall())):
        name = _quoted(table)
        cur.execute(f"SHOW CREATE TABLE {src}.{name}")
        ddl = cur.fetchone()[1]
        cur.execute(
            f"INSERT INTO {dst}.{BACKUP_DDL_TABLE} VALUES (%s, %s, %s)",  # noqa: S608
            (position, table, ddl),
        )
        cur.execute(f"CREATE TABLE {dst}.{name} LIKE {src}.{name}")
        rows += cur.execute(f"INSERT INTO {dst}.{name} SELECT * FROM {src}.{name}")  # noqa: S608
    return rows


def restore_schema(cur: Any, schema: str, backup: str) -> None:
    """Make `schema` what it was when `copy_schema` copied it: every table it has now is
    dropped, every table it had is recreated from its recorded DDL (foreign keys and
    AUTO_INCREMENT counters included) and refilled from the copy."""
    src, dst = _quoted(backup), _quoted(schema)
    _keep_zero_ids(cur)
    cur.execute("SET SESSION FOREIGN_KEY_CHECKS = 0")
    try:
        cur.execute(
            "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = %s "
            "AND TABLE_TYPE = 'BASE TABLE'",
            (schema,),
        )
        for (table,) in list(cur.fetchall()):
            cur.execute(f"DROP TABLE {dst}.{_quoted(table)}")
        cur.execute(
            f"SELECT table_name, ddl FROM {src}.{BACKUP_DDL_TABLE} ORDER BY position"  # noqa: S608
        )
        recorded = list(cur.fetchall())
        cur.execute(f"USE {dst}")
        for table, ddl in recorded:
            cur.execute(ddl)
            cur.execute(
                f"INSERT INTO {dst}.{_quoted(table)} SELECT * FROM {src}.{_quoted(table)}"  # noqa: S608
            )
    finally:
        cur.execute("SET SESSION FOREIGN_KEY_CHECKS = 1")


# --- the two roles ---------------------------------------------------------------------------


def _mlflow_version() -> str:
    """The installed MLflow's version, from its metadata (importing MLflow takes seconds)."""
    return importlib.metadata.version("mlflow")


def _upgrade_tracking(settings: Settings) -> None:
    """`mlflow db upgrade` (initializes an empty schema, upgrades an existing one)."""
    from mlflow.db import upgrade as mlflow_db_upgrade

    assert mlflow_db_upgrade.callback is not None
    mlflow_db_upgrade.callback(
        url=database_uri(settings.db_host, settings.db_port, settings.db_name)
    )


def _upgrade_auth(settings: Settings) -> None:
    """Repair (MySQL) + migrate the auth schema to head and create the admin if missing."""
    import sqlalchemy as sa
    from sqlalchemy.pool import NullPool

    auth_uri = database_uri(settings.db_host, settings.db_port, settings.auth_db_name)
    engine = sa.create_engine(auth_uri, poolclass=NullPool)
    try:
        from mlflow.server.auth.db.utils import INITIAL_REVISION

        if INITIAL_REVISION != AUTH_INITIAL_REVISION:
            raise StartupError(
                EXIT_MIGRATION,
                f"MLflow's initial auth revision is {INITIAL_REVISION}, this image's "
                f"MySQL workaround mirrors {AUTH_INITIAL_REVISION}: update "
                "tracking_migrations.py",
            )
        log.info(repair_auth_schema(engine))
    finally:
        engine.dispose()
    # MLflow's own bootstrap (what `mlflow server --app-name basic-auth` runs before it
    # starts workers): migrate the auth schema to head, create the admin user if missing.
    from mlflow.server.auth import bootstrap_admin_user

    bootstrap_admin_user()
    log.info(ensure_exact_user_names(settings))
    if settings.run_costs_username and settings.run_costs_password:
        from mlflow.server.auth import store

        log.info(
            ensure_run_costs_user(store, settings.run_costs_username, settings.run_costs_password)
        )


def ensure_run_costs_user(store: Any, username: str, password: str) -> str:
    """The scheduled run pricer's user: a non-admin with exactly RUN_COSTS_GRANTS, and the
    password of its secret (set on every full bootstrap; a new secret value always makes one,
    see bootstrap_fingerprint, so it takes effect with the next deployment). Refuses an admin
    of that name rather than demoting it silently."""
    if not callable(getattr(store, "grant_user_permission", None)):
        raise StartupError(
            EXIT_MIGRATION,
            "MLflow's auth store has no grant_user_permission (added in 3.17): cannot grant the "
            "run pricer's permissions; review tracking_migrations.py against this MLflow version",
        )
    if store.has_user(username, use_primary=True):
        if store.get_user(username).is_admin:
            raise StartupError(
                EXIT_MIGRATION,
                f"MLFLOW_RUN_COSTS_USERNAME={username!r} names an admin user; the run pricer "
                "must run as a non-admin: pick another name or demote that user",
            )
        store.update_user(username, password=password)
        done = "password set"
    else:
        store.create_user(username, password, is_admin=False)
        done = "created"
    for resource_type, pattern, permission in RUN_COSTS_GRANTS:
        store.grant_user_permission(username, resource_type, pattern, permission)
    grants = ", ".join(f"{p} on {t} {pat}" for t, pat, p in RUN_COSTS_GRANTS)
    return f"run pricer user {username!r} {done} (non-admin; {grants})"


def _states(settings: Settings, cur: Any) -> list[SchemaState]:
    states = [schema_state(cur, settings.db_name, TRACKING_VERSION_TABLE, tracking_revisions())]
    if settings.auth == "basic":
        states.append(
            schema_state(cur, settings.auth_db_name, AUTH_VERSION_TABLE, auth_revisions(), True)
        )
    return states


def _bring_up(settings: Settings, states: list[SchemaState]) -> None:
    """Initialize empty schemas, no-op on schemas at head: the part both roles share."""
    started = time.monotonic()
    tracking = states[0]
    if not tracking.at_head:
        _upgrade_tracking(settings)
    log.info("tracking schema %s is at head (%.1f s)", settings.db_name, time.monotonic() - started)
    if settings.auth != "basic":
        return
    _upgrade_auth(settings)
    log.info(
        "auth schema %s migrated, admin user %r present (%.1f s)",
        settings.auth_db_name,
        settings.admin_username,
        time.monotonic() - started,
    )


# --- warm starts ------------------------------------------------------------------------------

#: One row in the auth schema: what the last complete bootstrap of a server task did.
BOOTSTRAP_TABLE = "mlflow_task_bootstrap"


def bootstrap_fingerprint(settings: Settings, version: str, states: list[SchemaState]) -> str:
    """A digest of everything the bootstrap acts on: MLflow's version, the schemas' heads, the
    admin's and the run pricer's names and the pricer's password (its secret, hashed once more
    inside the digest; the secret is Secrets Manager's random 32 characters). A rotated secret,
    a renamed user or another MLflow gives another digest, hence a full bootstrap."""
    password = hashlib.sha256((settings.run_costs_password or "").encode()).hexdigest()
    facts = [
        version,
        [s.head for s in states],
        settings.admin_username,
        settings.run_costs_username or "",
        password,
    ]
    return hashlib.sha256(json.dumps(facts).encode()).hexdigest()


def warm_start(cur: Any, settings: Settings, states: list[SchemaState], digest: str) -> bool:
    """Whether the bootstrap has nothing to do: both schemas at head, the last bootstrap's
    digest is this one, the admin is an admin, the run pricer a non-admin, and user names
    compare exactly. Checked in SQL, under the lock, without importing MLflow (seconds of CPU
    on a small task, paid again by every worker). Anything else: the full bootstrap."""
    if settings.auth != "basic" or not all(s.at_head for s in states):
        return False
    auth = states[1]
    if BOOTSTRAP_TABLE not in auth.tables or "users" not in auth.tables:
        return False
    # Schema names were validated against [A-Za-z0-9_]{1,64}; the tables are constants.
    cur.execute(f"SELECT fingerprint FROM `{auth.schema}`.`{BOOTSTRAP_TABLE}` WHERE id = 1")  # noqa: S608
    row = cur.fetchone()
    if row is None or row[0] != digest:
        return False
    names = (settings.admin_username, settings.run_costs_username or settings.admin_username)
    cur.execute(
        f"SELECT username, is_admin FROM `{auth.schema}`.`users` WHERE username IN (%s, %s)",  # noqa: S608
        names,
    )
    admin = {name: bool(is_admin) for name, is_admin in cur.fetchall()}
    if not admin.get(settings.admin_username):
        return False
    if settings.run_costs_username and admin.get(settings.run_costs_username, True):
        return False
    cur.execute(
        "SELECT COLLATION_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = %s "
        "AND TABLE_NAME = 'users' AND COLUMN_NAME = 'username'",
        (auth.schema,),
    )
    row = cur.fetchone()
    return row is not None and row[0] in NO_PAD_COLLATIONS


def record_bootstrap(cur: Any, settings: Settings, digest: str) -> None:
    cur.execute(
        f"CREATE TABLE IF NOT EXISTS `{settings.auth_db_name}`.`{BOOTSTRAP_TABLE}` "
        "(id TINYINT PRIMARY KEY, fingerprint CHAR(64) NOT NULL, done_at DATETIME NOT NULL)"
    )
    cur.execute(
        f"REPLACE INTO `{settings.auth_db_name}`.`{BOOTSTRAP_TABLE}` "  # noqa: S608
        "VALUES (1, %s, UTC_TIMESTAMP())",
        (digest,),
    )


def run_migrations(settings: Settings) -> None:
    """Role `server`: initialize empty schemas, refuse any other migration; skip the
    bootstrap on a warm start (warm_start). Role `migrate`: upgrade with every writer
    stopped, behind a backup that a failure restores. Both under the advisory lock."""
    version = _mlflow_version()
    with migration_lock(settings), db_connection(settings) as conn, conn.cursor() as cur:
        states = _states(settings, cur)
        for state in states:
            log.info("%s (MLflow %s)", state.describe(), version)
        if settings.role == "server":
            for state in states:
                refuse_unservable(state, version)
            digest = bootstrap_fingerprint(settings, version, states)
            if warm_start(cur, settings, states, digest):
                log.info(
                    "warm start: schemas at head, users as the last bootstrap left them "
                    "(bootstrap skipped)"
                )
                return
            _install_credentials(settings)
            _bring_up(settings, states)
            if settings.auth == "basic":
                record_bootstrap(cur, settings, digest)
            return
        _install_credentials(settings)
        _migrate(settings, cur, states, version)


def _install_credentials(settings: Settings) -> None:
    from dbconnect import install_sqlalchemy_credentials

    install_sqlalchemy_credentials(database_secret_env(settings))


def _migrate(settings: Settings, cur: Any, states: list[SchemaState], version: str) -> None:
    """The one-off migration task's work, under the lock."""
    for state in states:
        if state.unknown:
            raise StartupError(
                EXIT_MIGRATION,
                f"{state.describe()}: unknown to MLflow {version} (a newer MLflow migrated it); "
                "refusing to migrate it",
            )
    pending = [s for s in states if s.behind]
    if not pending:
        log.info("migration: nothing to upgrade (schemas empty or at head)")
        _bring_up(settings, states)
        return
    schemas = tuple(s.schema for s in states)
    writers = other_sessions(cur, schemas)
    if writers:
        raise StartupError(
            EXIT_MIGRATION,
            f"migration refused: {len(writers)} other session(s) of this database user are "
            f"connected to {', '.join(schemas)} (servers still running: stop every task of "
            f"the service first); sessions (id, host, schema, command, seconds): {writers}",
        )
    stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime())
    backups = {s.schema: backup_schema_name(s.schema, stamp) for s in states}
    started = time.monotonic()
    for state in states:
        rows = copy_schema(cur, state.schema, backups[state.schema])
        log.info("backup: %s -> %s (%d rows)", state.schema, backups[state.schema], rows)
    log.info("backup taken in %.1f s", time.monotonic() - started)
    started = time.monotonic()
    try:
        _bring_up(settings, states)
        after = _states(settings, cur)
        stale = [s.describe() for s in after if not s.at_head]
        if stale:
            raise RuntimeError(f"not at head after the migration: {stale}")
    except Exception as exc:
        log.error("migration failed (%s: %s): restoring from the backup", type(exc).__name__, exc)
        for state in states:
            restore_schema(cur, state.schema, backups[state.schema])
        restored = _states(settings, cur)
        raise StartupError(
            EXIT_MIGRATION,
            f"migration to MLflow {version} failed ({type(exc).__name__}: {exc}); the schemas "
            f"were restored from {', '.join(backups.values())} "
            f"({'; '.join(s.describe() for s in restored)}); the previous version can keep "
            "serving",
        ) from exc
    log.info(
        "migration to MLflow %s done in %.1f s (%s)",
        version,
        time.monotonic() - started,
        "; ".join(f"{s.schema}: {s.revision} -> {s.head}" for s in pending),
    )
    for backup in backups.values():
        cur.execute(f"DROP DATABASE {_quoted(backup)}")
    log.info("dropped the in-database backups %s (the RDS snapshot stays)", list(backups.values()))
