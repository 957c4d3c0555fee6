"""Start-up readiness checks: the database answers (and the schemas exist), the artifact
bucket is reachable.

Both waits run through one helper, `retry_until_deadline`: an attempt either succeeds, raises
`Retry` (a transient failure: refused connection, timeout, DNS) or raises `StartupError` (a
failure retrying cannot fix: wrong password, TLS misconfiguration, missing bucket).
PyMySQL and boto3 are imported inside the functions that need them.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from tracking_contract import EXIT_BUCKET, EXIT_DATABASE
from tracking_settings import Settings, StartupError, database_secret_env

log = logging.getLogger("mlflow-entrypoint")

T = TypeVar("T")


class Retry(Exception):
    """A transient failure: try again while the deadline allows."""


def retry_until_deadline(
    attempt: Callable[[float], T],
    *,
    seconds: float,
    what: str,
    setting: str,
    exit_code: int,
    interval: float = 2.0,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Call `attempt(remaining_seconds)` until it returns, at most every `interval` seconds,
    for at most `seconds` (the setting named `setting`). A `Retry` past the deadline becomes a
    StartupError(exit_code) naming `what`, the setting, the number of attempts and the last
    error; a StartupError from the attempt passes through at once."""
    deadline = clock() + seconds
    attempts = 0
    while True:
        attempts += 1
        try:
            return attempt(max(0.0, deadline - clock()))
        except Retry as exc:
            last = str(exc)
        if clock() >= deadline:
            raise StartupError(
                exit_code,
                f"{what} not reachable within {setting}={seconds:.0f} ({attempts} attempt(s)); "
                f"last error: {last}",
            )
        log.info("waiting for %s (attempt %d): %s", what, attempts, last)
        sleep(min(interval, max(0.0, deadline - clock())))


# MySQL/MariaDB error codes (server and client) that retrying cannot fix.
_FATAL_DB_ERRORS = {
    1044: "access to the database denied for MLFLOW_DB_USERNAME",
    1045: "access denied: MLFLOW_DB_USERNAME / MLFLOW_DB_PASSWORD rejected by the server",
    1129: "this host is blocked by the server (too many connection errors)",
    1251: "the server requires an authentication plugin PyMySQL does not support",
    1698: "access denied: MLFLOW_DB_USERNAME / MLFLOW_DB_PASSWORD rejected by the server",
    3159: "the server requires TLS (require_secure_transport=ON): set MLFLOW_DB_CA_BUNDLE",
}


def classify_db_error(exc: BaseException) -> tuple[bool, str]:
    """(fatal, description) for a connection error."""
    code = exc.args[0] if exc.args and isinstance(exc.args[0], int) else None
    text = str(exc.args[1]) if len(exc.args) > 1 else str(exc)
    if code in _FATAL_DB_ERRORS:
        return True, f"{_FATAL_DB_ERRORS[code]} (MySQL error {code})"
    if "CERTIFICATE_VERIFY_FAILED" in text or "certificate verify failed" in text.lower():
        return True, (
            "TLS verification of the database server failed: its certificate is not signed by "
            f"a CA in MLFLOW_DB_CA_BUNDLE or does not name MLFLOW_DB_HOST ({text})"
        )
    if "SSL" in text and "WRONG_VERSION_NUMBER" in text:
        return True, f"TLS handshake failed: the server does not speak TLS ({text})"
    return False, f"MySQL error {code}: {text}" if code else text


def wait_for_database(settings: Settings) -> None:
    """Connect until it works or MLFLOW_DB_WAIT_SECONDS pass; fail at once when retrying
    cannot help (wrong credentials, TLS misconfiguration)."""
    import pymysql
    from dbconnect import connect_kwargs

    target = f"{settings.db_host}:{settings.db_port}"
    attempts = 0

    def connect(remaining: float) -> None:
        nonlocal attempts
        attempts += 1
        try:
            conn = pymysql.connect(
                **connect_kwargs(
                    database_secret_env(settings), connect_timeout=max(1, min(5, remaining))
                )
            )
        except (pymysql.err.MySQLError, OSError) as exc:
            # OSError: DNS failure, TLS errors raised before PyMySQL wraps them.
            fatal, description = classify_db_error(exc)
            if fatal:
                raise StartupError(EXIT_DATABASE, f"database {target}: {description}") from None
            raise Retry(description) from None
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT VERSION()")
                row = cur.fetchone()
                cur.execute("SHOW STATUS LIKE 'Ssl_cipher'")
                cipher = cur.fetchone()
        finally:
            conn.close()
        tls = cipher[1] if cipher and cipher[1] else "no TLS"
        log.info("database %s is up (%s, %s) after %d attempt(s)", target, row[0], tls, attempts)

    retry_until_deadline(
        connect,
        seconds=settings.db_wait_seconds,
        what=f"database {target}",
        setting="MLFLOW_DB_WAIT_SECONDS",
        exit_code=EXIT_DATABASE,
    )


@contextlib.contextmanager
def db_connection(settings: Settings, database: str | None = None) -> Iterator[Any]:
    """An autocommit PyMySQL connection with the image's credentials and TLS settings."""
    import pymysql
    from dbconnect import connect_kwargs

    kwargs = connect_kwargs(database_secret_env(settings))
    if database:
        kwargs["database"] = database
    conn = pymysql.connect(autocommit=True, **kwargs)
    try:
        yield conn
    finally:
        conn.close()


def ensure_schemas(settings: Settings) -> None:
    """Create the tracking and auth schemas if missing, utf8mb4 with a binary collation (as
    the RDS parameter group sets for the server): case-sensitive names, like MLflow expects."""
    wanted = [settings.db_name] + ([settings.auth_db_name] if settings.auth == "basic" else [])
    with db_connection(settings) as conn, conn.cursor() as cur:
        for schema in wanted:
            cur.execute(
                "SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME "
                "FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = %s",
                (schema,),
            )
            row = cur.fetchone()
            if row is None:
                # The name was validated against [A-Za-z0-9_]{1,64}: safe to quote this way.
                cur.execute(
                    f"CREATE DATABASE IF NOT EXISTS `{schema}` "
                    "CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
                )
                log.info("created schema %s (utf8mb4, utf8mb4_bin)", schema)
            elif row[0] != "utf8mb4":
                log.warning(
                    "schema %s exists with character set %s (not utf8mb4): non-ASCII names "
                    "and values may fail; left as it is",
                    schema,
                    row[0],
                )


def check_bucket(settings: Settings) -> None:
    """List one key under the prefix (what MLflow's artifact listing needs: s3:ListBucket),
    retrying network errors until MLFLOW_BUCKET_CHECK_SECONDS pass."""
    import boto3
    import botocore.exceptions
    from botocore.config import Config

    client = boto3.client(
        "s3",
        region_name=settings.region,
        endpoint_url=settings.s3_endpoint_url,
        config=Config(
            connect_timeout=5, read_timeout=10, retries={"max_attempts": 1, "mode": "standard"}
        ),
    )
    where = f"s3://{settings.bucket}"

    def list_one(_remaining: float) -> None:
        try:
            client.list_objects_v2(
                Bucket=settings.bucket,
                Prefix=f"{settings.prefix}/" if settings.prefix else "",
                MaxKeys=1,
            )
        except botocore.exceptions.ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in ("NoSuchBucket", "404"):
                message = "does not exist (check MLFLOW_ARTIFACTS_DESTINATION)"
            elif code in ("AccessDenied", "403", "AllAccessDisabled"):
                message = "access denied: the task role needs s3:ListBucket on it"
            elif code in ("PermanentRedirect", "AuthorizationHeaderMalformed", "301"):
                message = f"is not in region {settings.region} (check AWS_REGION)"
            elif code in ("InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken"):
                message = f"rejected the credentials ({code}): check the task role"
            else:
                message = f"failed: {code} {exc}"
            raise StartupError(EXIT_BUCKET, f"artifact bucket {where} {message}") from None
        except botocore.exceptions.NoCredentialsError:
            raise StartupError(
                EXIT_BUCKET,
                f"artifact bucket {where}: no AWS credentials found (is a task role attached?)",
            ) from None
        except (botocore.exceptions.BotoCoreError, OSError) as exc:
            raise Retry(str(exc)) from None
        log.info("artifact bucket %s is reachable", where)

    retry_until_deadline(
        list_one,
        seconds=settings.bucket_check_seconds,
        what=f"artifact bucket {where}",
        setting="MLFLOW_BUCKET_CHECK_SECONDS",
        exit_code=EXIT_BUCKET,
    )
