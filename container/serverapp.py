"""The tracking server's WSGI application, built by wsgi.py for gunicorn.

MLflow's Flask app, with basic auth (`mlflow.server.auth.create_app`, the factory behind
`mlflow server --app-name basic-auth`) unless MLFLOW_AUTH=none, wrapped in a Host-header check.

Why not `mlflow server`: its default uvicorn server showed a ~44 ms floor per request on
kept-alive connections with more than one worker, and `--gunicorn-opts` refuses
`--allowed-hosts`. Serving the Flask app under gunicorn gthread workers ourselves is several
times faster. Host checking: MLflow's Flask security middleware is applied when
`mlflow.server` is imported inside a gunicorn process and reads MLFLOW_SERVER_ALLOWED_HOSTS
(set by the entrypoint); tracking_hosts.HostCheck enforces the same rule independently of
that, so a change in when MLflow applies its middleware cannot open the server to foreign Host
headers.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from typing import Any

from tracking_hosts import HostCheck, OriginCheck, parse_allowed_hosts
from tracking_login import LoginGate, LoginGuard, guard_from_environment
from tracking_secrets import worker_secrets

log = logging.getLogger("mlflow-wsgi")

FLASK_KEY = "MLFLOW_FLASK_SERVER_SECRET_KEY"


def _cached_admin_check(auth: Any) -> Callable[[], bool] | None:
    """A `sender_is_admin` that reads the admin flag from MLflow's credential cache.

    MLflow's `_before_request` authenticates (served from the credential cache when
    auth_cache_ttl_seconds > 0) and then calls `sender_is_admin()`, which queries the users
    table again on every request: about a fifth of a log-metric request's CPU, measured. The
    cached `User` the authentication step returns already carries `is_admin`, with exactly the
    staleness MLflow documents for that cache (admin-flag changes reach other workers within
    the TTL; the worker that handled the change drops its entry at once).

    This relies on two MLflow internals; tests/integration pins them. If they change, the
    stock `sender_is_admin` stays in place (correct, just slower) and a warning is logged.
    """
    authenticate = getattr(auth, "authenticate_request", None)
    cached = getattr(auth, "_authenticate_cached", None)
    stock: Any = getattr(auth, "sender_is_admin", None)
    if (
        not callable(authenticate)
        or not callable(cached)
        or not callable(getattr(auth, "sender_is_admin", None))
        or getattr(auth, "_USER_AUTH_CACHE", None) is None
    ):
        return None

    def sender_is_admin() -> bool:
        authorization = authenticate()
        if not authorization.password:
            # MLflow 3.18's Assistant delegation credential authenticates a user without a
            # password: the credential cache cannot answer, MLflow's own lookup does.
            return bool(stock())
        user = cached(authorization.username, authorization.password)
        # On a cache miss `cached` verifies the password and fills the cache; a failed
        # verification (password changed meanwhile) means "not an admin".
        return bool(user is not None and user.is_admin)

    return sender_is_admin


RunRequirement = tuple[tuple[str, str], list[Any]] | None


def _light_run_requirement(auth: Any) -> Callable[[str, str], RunRequirement] | None:
    """A `_run_requirement` that reads only the run's experiment id, not the whole run.

    For a non-admin request that names a run (log-metric, log-batch, set-tag, get-run, ...)
    MLflow's authorization calls `_run_requirement`, which loads the run through
    `store.get_run`: the run row plus its params, tags, latest metrics, dataset inputs and
    model inputs/outputs, only to read `run.info.experiment_id`. Measured (py-spy, one worker):
    about 45 % of a non-admin log-metric request's time, growing with the run's size.

    This replacement asks the same store for the same row through the same method the store
    itself uses (`SqlAlchemyStore._get_run`: workspace scoping and "not found" included) without
    the eager loads, and builds the same requirements. A run never changes experiment (MLflow
    has no call that moves one), so the run -> experiment id answer is kept per worker, the way
    MLflow keeps its resource -> workspace answers (`_RESOURCE_WORKSPACE_CACHE`: same size and
    TTL settings, keyed by the request's workspace when workspaces are on); only runs that were
    found are kept. One consequence, for a run purged by `mlflow gc` within that TTL: a user
    allowed in its experiment gets the handler's "not found" instead of "permission denied".
    The permission decision itself is untouched: grants are still resolved on every request.
    Any other store type, or a run id that is not a string, goes to MLflow's own function.

    tests/integration pins the equivalence with MLflow's function (same result for existing,
    deleted and missing runs) and the internals this relies on; if they are missing, the stock
    function stays in place and a warning is logged.
    """
    original = getattr(auth, "_run_requirement", None)
    needed = ("_get_tracking_store", "Requirement", "RESOURCE_TYPE_EXPERIMENT", "RESOURCE_TYPE_RUN")
    if not callable(original) or any(getattr(auth, name, None) is None for name in needed):
        return None
    from mlflow.exceptions import MlflowException
    from mlflow.protos.databricks_pb2 import RESOURCE_DOES_NOT_EXIST, ErrorCode
    from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore

    if not callable(getattr(SqlAlchemyStore, "_get_run", None)):
        return None
    config = getattr(auth, "auth_config", None)
    size = getattr(config, "workspace_cache_max_size", None)
    ttl = getattr(config, "workspace_cache_ttl_seconds", None)
    if not isinstance(size, int) or not isinstance(ttl, int):
        return None
    import mlflow.environment_variables as mlflow_variables
    from cachetools import TTLCache
    from mlflow.utils import workspace_context

    workspaces: Any = mlflow_variables.MLFLOW_ENABLE_WORKSPACES
    not_found = ErrorCode.Name(RESOURCE_DOES_NOT_EXIST)
    experiments: TTLCache[tuple[str | None, str], str] | None = (
        TTLCache(maxsize=size, ttl=ttl) if size > 0 and ttl > 0 else None
    )
    lock = threading.Lock()

    def experiment_of(store: Any, run_id: str) -> str:
        scope = workspace_context.get_request_workspace() if workspaces.get() else None
        if experiments is not None:
            with lock:
                known = experiments.get((scope, run_id))
            if known is not None:
                return known
        with store.ManagedSessionMaker() as session:
            get_run_row: Any = store._get_run  # eager=False: the runs row only
            experiment_id = str(get_run_row(session=session, run_uuid=run_id).experiment_id)
        if experiments is not None:
            with lock:
                experiments[(scope, run_id)] = experiment_id
        return experiment_id

    def run_requirement(run_id: str, action: str) -> RunRequirement:
        store = auth._get_tracking_store()
        if not isinstance(store, SqlAlchemyStore) or not isinstance(run_id, str):
            stock: RunRequirement = original(run_id, action)
            return stock
        try:
            experiment_id = experiment_of(store, run_id)
        except MlflowException as e:
            # Same as MLflow's `_fetch_or_none`: a missing run denies (no existence oracle);
            # any other store failure propagates.
            if e.error_code == not_found:
                return None
            raise
        experiment = (auth.RESOURCE_TYPE_EXPERIMENT, experiment_id)
        run_type, experiment_type = auth.RESOURCE_TYPE_RUN, auth.RESOURCE_TYPE_EXPERIMENT
        return experiment, [
            auth.Requirement(experiment_type, experiment_id, "read"),
            auth.Requirement(run_type, "*", action, fallback_if_no_grant=(experiment,)),
        ]

    return run_requirement


def _equal_work_authentication(
    store: Any, guard: LoginGuard | None = None
) -> Callable[..., bool] | None:
    """A `store.authenticate_user` that does the same work whether or not the user exists.

    MLflow's version looks the user up and, only if found, checks the password hash (werkzeug's
    default, scrypt: ~150-200 ms of CPU here): a wrong password answered in ~9 ms meant "no such
    user", ~200 ms "this user exists". This one hashes against a dummy hash made the way MLflow
    makes real ones (`generate_password_hash` with its defaults) when the user is missing, and
    checks the hash after the database session is closed (MLflow's keeps a pooled connection
    checked out for the whole hash). Same answers as MLflow's: True only for an existing user
    and a matching password. Relies on `store.ManagedSessionMaker` and
    `SqlAlchemyStore._get_user(session, username)` (raising MlflowException when missing);
    None when they are not there.

    With a `guard` (tracking_login.LoginGuard) the hash runs in one of the task's hash slots
    and a failure counts against the user name and the client address.
    """
    get_user = getattr(type(store), "_get_user", None)
    if not callable(get_user) or not callable(getattr(store, "ManagedSessionMaker", None)):
        return None
    import secrets

    from mlflow.exceptions import MlflowException
    from werkzeug.security import check_password_hash, generate_password_hash

    dummy_hash = generate_password_hash(secrets.token_urlsafe(32))

    def authenticate_user(username: str, password: str, *, use_primary: bool = False) -> bool:
        stored: str | None
        with store.ManagedSessionMaker(read_only=not use_primary) as session:
            try:
                stored = get_user(session, username).password_hash
            except MlflowException:
                stored = None

        def verify() -> bool:
            matched = check_password_hash(stored or dummy_hash, password)
            return stored is not None and bool(matched)

        if guard is None:
            return verify()
        return guard.check_password(verify, username, password)

    return authenticate_user


def _pad_space_grant_matching() -> tuple[Any, Callable[[str, str, str | None], bool]] | None:
    """(module, `matches`) making MLflow's grant matching compare names as the store does.

    The tracking store's names (registered models, prompts, ...) live in utf8mb4_bin columns,
    a PAD SPACE collation: `rm-x ` and `rm-x` are one model (creating the second is refused,
    reading it returns the first). MLflow's authorization loads a user's grants and matches
    their resource patterns to the requested name in Python, exactly: a request naming `rm-x `
    found no grant and fell back to the default permission, so a DENY (or a lower grant) on
    `rm-x` was bypassed by adding a space. This `matches` also accepts a per-id grant whose
    pattern equals the id up to trailing spaces (MySQL's PAD SPACE rule: only U+0020), never
    turning a pattern into the wildcard. Relies on `requirements.fold_grants_for_key` calling
    the module's `matches` and on `permissions.TYPE`/`PatternKind`; None when not so.
    """
    import inspect

    import mlflow.server.auth.permissions as permissions
    import mlflow.server.auth.requirements as requirements

    original = getattr(requirements, "matches", None)
    fold = getattr(requirements, "fold_grants_for_key", None)
    kinds, id_kind = getattr(permissions, "TYPE", None), getattr(permissions, "PatternKind", None)
    if not callable(original) or not callable(fold) or kinds is None or id_kind is None:
        return None
    if "matches(grant.resource_pattern" not in inspect.getsource(fold):
        return None

    def matches(resource_pattern: str, resource_type: str, resource_id: str | None) -> bool:
        if original(resource_pattern, resource_type, resource_id):
            return True
        return (
            resource_id is not None
            and resource_pattern != "*"
            and id_kind.ID in kinds.get(resource_type, ())
            and resource_pattern.rstrip(" ") == resource_id.rstrip(" ")
        )

    return requirements, matches


def _require(owner: Any, name: str, replacement: object | None, what: str) -> None:
    """Like `_replace` for a replacement that closes a security hole: without it the worker
    refuses to start (gunicorn then stops; the deployment fails visibly) instead of serving."""
    if replacement is None:
        raise RuntimeError(
            f"MLflow's internals are not what serverapp.py was checked against: cannot install "
            f"{what}; review serverapp.py against this MLflow version"
        )
    setattr(owner, name, replacement)


def _replace(owner: Any, name: str, replacement: object | None, if_missing: str) -> None:
    """Put `replacement` in place of `owner.name`; None means MLflow's internals are not what
    the replacement was checked against: keep MLflow's own and say so (`if_missing`)."""
    if replacement is None:
        log.warning("%s (slower)", if_missing)
    else:
        setattr(owner, name, replacement)


def create_application() -> HostCheck:
    """The WSGI app of one worker: HostCheck -> OriginCheck -> LoginGate (basic auth) ->
    MLflow's Flask app."""
    from dbconnect import install_sqlalchemy_credentials
    from grantlookup import one_query_resolve_permissions

    secrets = worker_secrets()
    # Before MLflow creates any engine. read_timeout bounds a query on a dead connection.
    install_sqlalchemy_credentials({**os.environ, **secrets}, read_timeout=300)
    from metricwrite import lean_log_metric
    from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore

    _replace(
        SqlAlchemyStore,
        "log_metric",
        lean_log_metric(SqlAlchemyStore),
        "MLflow's store code is not the version metricwrite.py was checked against: "
        "keeping MLflow's own log_metric",
    )
    patterns = parse_allowed_hosts(os.environ["MLFLOW_ALLOWED_HOSTS"])
    if os.environ.get("MLFLOW_AUTH", "basic") == "basic":
        import mlflow.server.auth as auth

        # MLflow reads the Flask key from the environment in create_app only: put it there for
        # that call alone (os.environ changes never reach /proc/PID/environ, and without it
        # there a subprocess could not inherit it either).
        os.environ[FLASK_KEY] = secrets[FLASK_KEY]
        try:
            flask_app = auth.create_app()
        finally:
            del os.environ[FLASK_KEY]
        guard = guard_from_environment(os.environ)
        _require(
            auth.store,
            "authenticate_user",
            _equal_work_authentication(auth.store, guard),
            "the equal-work password check (no user-name enumeration by timing)",
        )
        padded = _pad_space_grant_matching()
        _require(
            padded[0] if padded else None,
            "matches",
            padded[1] if padded else None,
            "grant matching that treats names as the store does (trailing spaces)",
        )
        _replace(
            auth,
            "sender_is_admin",
            _cached_admin_check(auth),
            "MLflow's auth internals changed or the credential cache is off: keeping the "
            "stock per-request admin lookup",
        )
        _replace(
            auth,
            "resolve_permissions",
            one_query_resolve_permissions(auth),
            "MLflow's grant resolution is not the code grantlookup.py was checked against: "
            "keeping the stock two-session user and grants lookup",
        )
        _replace(
            auth,
            "_run_requirement",
            _light_run_requirement(auth),
            "MLflow's auth internals changed: keeping the stock run lookup for run "
            "permission checks (loads the whole run)",
        )
        return HostCheck(OriginCheck(LoginGate(flask_app, guard), patterns), patterns)
    from mlflow.server import app as flask_app

    return HostCheck(OriginCheck(flask_app, patterns), patterns)
