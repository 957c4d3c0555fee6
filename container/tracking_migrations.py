"""Schema migrations at start-up, under a MySQL advisory lock, and the repair of MLflow's
auth migration that fails on MySQL as shipped.

MLflow, SQLAlchemy and PyMySQL are imported inside the functions that need them.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator
from typing import Any

from tracking_config import database_uri
from tracking_contract import EXIT_MIGRATION
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


def run_migrations(settings: Settings) -> None:
    """Migrate the tracking schema, then (basic auth) repair + migrate the auth schema and
    create the admin user, all under the advisory lock."""
    import sqlalchemy as sa
    from dbconnect import install_sqlalchemy_credentials
    from sqlalchemy.pool import NullPool

    install_sqlalchemy_credentials(database_secret_env(settings))
    with migration_lock(settings):
        started = time.monotonic()
        tracking_uri = database_uri(settings.db_host, settings.db_port, settings.db_name)
        # `mlflow db upgrade` (initializes an empty schema, upgrades an existing one).
        from mlflow.db import upgrade as mlflow_db_upgrade

        assert mlflow_db_upgrade.callback is not None
        mlflow_db_upgrade.callback(url=tracking_uri)
        log.info(
            "tracking schema %s is at head (%.1f s)", settings.db_name, time.monotonic() - started
        )

        if settings.auth != "basic":
            return
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
        log.info(
            "auth schema %s migrated, admin user %r present (%.1f s)",
            settings.auth_db_name,
            settings.admin_username,
            time.monotonic() - started,
        )
