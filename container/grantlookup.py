"""A `resolve_permissions` that reads the user and their grants in one statement.

For every request a non-admin makes on a resource, MLflow 3.17's authorization resolves the
grants through `auth.resolve_permissions`:
`store.list_grants(store.get_user(username).id, workspace, types)`. That is two managed
sessions on the auth database, each a pool checkout (with SQLAlchemy's pre-ping round trip),
a SELECT and a COMMIT: measured (py-spy, one worker, non-admin log-metric) about a third of
the request's time, more than the metric write itself.

`one_query_resolve_permissions` gives the same answer from one SELECT, one round trip:

    users LEFT OUTER JOIN (user_role_assignments JOIN roles JOIN role_permissions)

with exactly `list_grants`'s conditions (the role's workspace, the requested resource types
plus `workspace`) moved into the join, and `_get_user`'s (`users.username = :name`) as the
WHERE. No row: the user does not exist (MLflow's own "not found" error, raised before any
resource-type error as in MLflow's argument order); one row with NULL grant columns: the user
exists and has no grant; two user ids: MLflow's "multiple users" error. The fold is MLflow's
own (`fold_grants_for_key`, `is_workspace_admin_grant`), so nothing about the decision moves
here, and nothing is cached: grants are read at every request.

The SELECT runs (MySQL only; on another database MLflow's function stays) on a small pool of
its own to the database MLflow reads the auth store from (its read replica if one is
configured, else the primary), through the DBAPI cursor with the statement text built once, in
autocommit: no COMMIT, no ROLLBACK, no reset on return and no pre-ping for a single read. A
connection the server dropped (restart, failover, wait_timeout) fails the statement; the
dialect's own disconnect test marks it, it is invalidated and the read is retried once on a
new connection ("optimistic" disconnect handling; the read changes nothing, so retrying is
safe). Errors are translated as MLflow's managed session translates them.

It mirrors code it does not own, so it switches itself on only for the MLflow code it was
checked against (the sources in MIRRORED must hash to REVIEWED_SOURCE); otherwise MLflow's
function stays in place and serverapp logs a warning. tests/integration pins the
equivalence with MLflow's function on MariaDB.
"""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Callable, Sequence
from typing import Any

Resolve = Callable[[str, str, Sequence[Any]], list[Any]]

# (owner, attribute) of what one_query_resolve_permissions reproduces, resolved against the
# auth module: the function itself, the two store methods it calls and the user lookup.
MIRRORED = (
    ("auth", "resolve_permissions"),
    ("store", "get_user"),
    ("store", "_get_user"),
    ("store", "list_grants"),
    ("store", "init_db"),
    ("dbutils", "_get_managed_session_maker"),
    ("dbutils", "create_sqlalchemy_engine"),
)
# sha256 of the concatenated sources in MLflow 3.17.2, first 16 hex digits.
REVIEWED_SOURCE = "a8a0ff4046a24f78"


def mirrored_source_hash(auth: Any) -> str | None:
    try:
        import mlflow.store.db.utils as dbutils
    except ImportError:
        return None
    owners = {"auth": auth, "store": type(getattr(auth, "store", None)), "dbutils": dbutils}
    try:
        source = "".join(
            inspect.getsource(getattr(owners[owner], name)) for owner, name in MIRRORED
        )
    except (AttributeError, OSError, TypeError):
        return None
    return hashlib.sha256(source.encode()).hexdigest()[:16]


def one_query_resolve_permissions(auth: Any) -> Resolve | None:
    """A replacement for `auth.resolve_permissions`, or None if MLflow's code is not the code
    this was checked against or the auth store is not on MySQL."""
    if mirrored_source_hash(auth) != REVIEWED_SOURCE:
        return None
    try:
        from mlflow.exceptions import MlflowException
        from mlflow.protos.databricks_pb2 import INVALID_STATE, RESOURCE_DOES_NOT_EXIST
        from mlflow.server.auth import sqlalchemy_store
        from mlflow.server.auth.db.models import (
            SqlRole,
            SqlRolePermission,
            SqlUser,
            SqlUserRoleAssignment,
        )
        from mlflow.server.auth.permissions import MANAGE, RESOURCE_TYPE_WORKSPACE
        from mlflow.server.auth.requirements import (
            fold_grants_for_key,
            is_workspace_admin_grant,
        )
    except ImportError:
        return None
    auth_store: Any = sqlalchemy_store
    store = auth.store
    source = getattr(store, "read_engine", None) or getattr(store, "engine", None)
    if source is None or source.dialect.name != "mysql":
        return None
    validate_type = auth_store._validate_resource_type
    row_type = auth_store.RoleGrantRow
    read = _reader(source)
    # list_grants's joins and conditions, inside the outer join; _get_user's as the WHERE.
    # Only the mapped table names are interpolated; every value is a DBAPI parameter.
    select = (
        f"SELECT u.id, p.resource_type, p.resource_pattern, p.permission "  # noqa: S608
        f"FROM {SqlUser.__tablename__} AS u LEFT OUTER JOIN "
        f"({SqlUserRoleAssignment.__tablename__} AS a "
        f"JOIN {SqlRole.__tablename__} AS r ON r.id = a.role_id AND r.workspace = %(workspace)s "
        f"JOIN {SqlRolePermission.__tablename__} AS p ON p.role_id = r.id "
        f"AND p.resource_type IN ({{types}})) ON a.user_id = u.id "
        f"WHERE u.username = %(username)s"
    )
    statements: dict[int, str] = {}

    def statement(count: int) -> str:
        if count not in statements:
            placeholders = ", ".join(f"%(type{i})s" for i in range(count))
            statements[count] = select.format(types=placeholders)
        return statements[count]

    def resolve_permissions(username: str, workspace_name: str, keys: Sequence[Any]) -> list[Any]:
        types = {key.resource_type for key in keys}
        type_error: MlflowException | None = None
        try:
            for resource_type in types:
                validate_type(resource_type)
        except MlflowException as e:
            type_error = e  # raised after the user lookup, as in MLflow's argument order
        types.add(RESOURCE_TYPE_WORKSPACE)
        parameters = {"username": username, "workspace": workspace_name}
        parameters.update({f"type{i}": t for i, t in enumerate(sorted(types))})
        rows = read(statement(len(types)), parameters)
        if not rows:
            raise MlflowException(
                f"User with username={username} not found", RESOURCE_DOES_NOT_EXIST
            )
        if len({row[0] for row in rows}) > 1:
            raise MlflowException(f"Found multiple users with username={username}", INVALID_STATE)
        if type_error is not None:
            raise type_error
        found = [row_type(t, pattern, grant) for _, t, pattern, grant in rows if t is not None]
        if any(is_workspace_admin_grant(grant) for grant in found):
            return [MANAGE] * len(keys)
        return [fold_grants_for_key(found, key) for key in keys]

    return resolve_permissions


def _reader(source: Any) -> Callable[[str, dict[str, str]], list[Any]]:
    """`read(sql, parameters) -> rows` on a pool of its own to `source`'s database:
    autocommit, no pre-ping, no reset on return, one retry on a dropped connection; errors
    translated as MLflow's managed session translates them."""
    import mlflow.environment_variables as mlflow_variables
    import sqlalchemy as sa
    from mlflow.exceptions import MlflowException
    from mlflow.protos.databricks_pb2 import BAD_REQUEST, TEMPORARILY_UNAVAILABLE

    # The pool options and TLS files MLflow's `create_sqlalchemy_engine` gives its engines (the
    # same environment variables), but no overflow above a configured pool size: a request
    # thread holds one of these connections at a time, for one statement, and the entrypoint
    # sizes the pool to the thread count. Credentials come from dbconnect at connect time.
    env: Any = mlflow_variables
    options: dict[str, Any] = {}
    for name, variable in (
        ("pool_size", env.MLFLOW_SQLALCHEMYSTORE_POOL_SIZE),
        ("pool_recycle", env.MLFLOW_SQLALCHEMYSTORE_POOL_RECYCLE),
    ):
        if variable.get():
            options[name] = variable.get()
    if "pool_size" in options:
        options["max_overflow"] = 0
    elif env.MLFLOW_SQLALCHEMYSTORE_MAX_OVERFLOW.get():
        options["max_overflow"] = env.MLFLOW_SQLALCHEMYSTORE_MAX_OVERFLOW.get()
    if env.MLFLOW_SQLALCHEMYSTORE_POOLCLASS.get():
        options["poolclass"] = getattr(sa.pool, env.MLFLOW_SQLALCHEMYSTORE_POOLCLASS.get())
    tls = {
        "ssl_ca": env.MLFLOW_MYSQL_SSL_CA.get(),
        "ssl_cert": env.MLFLOW_MYSQL_SSL_CERT.get(),
        "ssl_key": env.MLFLOW_MYSQL_SSL_KEY.get(),
    }
    if any(tls.values()):
        options["connect_args"] = {key: value for key, value in tls.items() if value}
    engine = sa.create_engine(
        source.url,
        isolation_level="AUTOCOMMIT",
        pool_pre_ping=False,
        pool_reset_on_return=None,
        **options,
    )
    dialect = engine.dialect
    dbapi = dialect.loaded_dbapi

    def read(sql: str, parameters: dict[str, str]) -> list[Any]:
        for attempt in (1, 2):
            connection = engine.raw_connection()
            cursor = None
            try:
                cursor = connection.cursor()
                cursor.execute(sql, parameters)
                return list(cursor.fetchall())
            except dbapi.Error as e:
                dropped = dialect.is_disconnect(e, connection.dbapi_connection, cursor)
                if dropped:
                    connection.invalidate(e)  # closing it below then discards it
                if dropped and attempt == 1:
                    continue
                code = TEMPORARILY_UNAVAILABLE if isinstance(e, dbapi.OperationalError) else None
                raise MlflowException(message=e, error_code=code or BAD_REQUEST) from e
            finally:
                # Back to the pool (or discarded, if invalidated) whatever happened.
                connection.close()
        raise AssertionError("unreachable")

    return read
