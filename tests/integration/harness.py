"""Local stand-ins for the AWS data stores and a driver for the real server entrypoint.

- MariaDB (Debian's packages) stands in for RDS for MySQL, configured like the RDS parameter
  group: TLS with require_secure_transport=ON, utf8mb4 / utf8mb4_bin.
- moto's server mode stands in for S3.
- ServerProcess runs `.venv-server/bin/python container/entrypoint.py` with the ECS task
  definition's environment (server_env builds it, with the names tracking_contract.py
  declares).

Used by the integration suite's fixtures and by benchmarks/server_bench.py. Every wait has a
deadline and prints the process's log when it runs out; every process is stopped by its owner.
"""

from __future__ import annotations

import contextlib
import datetime
import ipaddress
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CONTAINER = ROOT / "container"
SERVER_VENV = ROOT / ".venv-server"
SERVER_PYTHON = SERVER_VENV / "bin" / "python"
PREV_VENV = ROOT / ".venv-server-prev"
PREV_REQUIREMENTS = Path(__file__).resolve().parent / "requirements-previous.txt"
# The previous two minor releases of the upgrade matrix: release line -> (requirements, venv).
# requirements-previous.txt is the newest of them.
PREVIOUS_RELEASES: dict[str, tuple[Path, Path]] = {
    "previous": (PREV_REQUIREMENTS, PREV_VENV),
    "before-previous": (
        Path(__file__).resolve().parent / "requirements-previous-2.txt",
        ROOT / ".venv-server-prev2",
    ),
}
CLIENT_BIN = Path(sys.executable).parent  # .venv/bin: moto_server lives next to pytest's python

sys.path.insert(0, str(CONTAINER))
# Standard-library-only modules of the image: the env contract and the URI helpers.
import tracking_config  # noqa: E402
import tracking_contract as contract  # noqa: E402

sys.path.remove(str(CONTAINER))

# A password with every URL-reserved character (and quotes and a space) the RDS generator or
# an operator could produce: a naive URI would break on it.
DB_PASSWORD = "Pw%:#?&+=@/ 'q\"[x]$!;,~"
DB_USERNAME = "mlflow_master"
ADMIN_PASSWORD = "admin-Pa55word-%#?"
SECRET_KEY = "flask-secret-key-shared-by-all-tasks"
#: The scheduled run pricer's MLflow user and password (constructs/run_costs.py).
RUN_COSTS_USERNAME = "cost-pricer"
RUN_COSTS_PASSWORD = "pricer-Pa55word-%#?&"
REGION = "eu-west-1"
ALB_HOST = "internal-mlflow-1234567890.eu-west-1.elb.amazonaws.com"
DOMAIN_HOST = "mlflow.example.com"
FAKE_AWS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
# mariadbd runs as, and its socket-authenticated admin account is, the user running the suite
# (root on CI; a developer's own user for `make local`: mariadb-install-db cannot chown the
# datadir to root without being root).
OS_USER = pwd.getpwuid(os.getuid()).pw_name


def unique(prefix: str) -> str:
    """A fresh schema/object name for one test."""
    import uuid

    return f"{prefix}_{uuid.uuid4().hex[:8]}"


class StandInError(RuntimeError):
    """A stand-in could not be started: the suite fails with this reason (never skips)."""


class ProcessExited(StandInError):
    """The process being waited for has exited: waiting longer cannot help."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(
    check: Callable[[], bool], timeout: float, what: str, logs: Callable[[], str] = lambda: ""
) -> float:
    """Poll `check` until true; return the seconds it took, raise with the logs on timeout."""
    started = time.monotonic()
    while True:
        try:
            if check():
                return time.monotonic() - started
        except ProcessExited:
            raise
        except Exception:  # noqa: S110 - not ready yet; the deadline decides
            pass
        if time.monotonic() - started > timeout:
            raise StandInError(f"{what}: not ready within {timeout:.0f} s\n--- log ---\n{logs()}")
        time.sleep(0.1)


def tail(path: Path, chars: int = 6000) -> str:
    try:
        return path.read_text(errors="replace")[-chars:]
    except OSError as e:
        return f"(no log: {e})"


def _which(tool: str) -> str:
    found = shutil.which(tool) or shutil.which(tool, path="/usr/sbin:/sbin:/usr/bin")
    if not found:
        raise StandInError(
            f"{tool} not found: run `make integration-deps` (bash tests/integration/install-deps.sh)"
        )
    return found


# --- TLS material ----------------------------------------------------------------------------


def make_tls(directory: Path) -> dict[str, Path]:
    """A throwaway CA and a server certificate for 127.0.0.1/localhost signed by it."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)

    def key() -> rsa.RSAPrivateKey:
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)

    ca_key = key()
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "integration-test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    server_key = key()
    server = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(server_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                    x509.DNSName("localhost"),
                ]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    directory.mkdir(parents=True, exist_ok=True)
    paths = {
        "ca": directory / "ca.pem",
        "cert": directory / "server-cert.pem",
        "key": directory / "server-key.pem",
    }
    paths["ca"].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths["cert"].write_bytes(server.public_bytes(serialization.Encoding.PEM))
    paths["key"].write_bytes(
        server_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    return paths


def make_foreign_ca(directory: Path) -> Path:
    """A CA that did not sign the server's certificate (for the TLS-verification test)."""
    return make_tls(directory)["ca"]


# --- MariaDB -----------------------------------------------------------------------------------


@dataclass
class MariaDB:
    """A private mariadbd: own datadir, 127.0.0.1 on a free port, TLS required, utf8mb4_bin.

    OS_USER (root on CI) reaches it over the unix socket (socket authentication, exempt from
    the TLS rule); the application user DB_USERNAME needs TLS, like RDS's master user behind
    the parameter group's require_secure_transport=ON.
    """

    base: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def datadir(self) -> Path:
        return self.base / "data"

    @property
    def socket_path(self) -> Path:
        return self.base / "mysqld.sock"

    @property
    def log_path(self) -> Path:
        return self.base / "mariadbd.log"

    @property
    def ca(self) -> Path:
        return self.base / "tls" / "ca.pem"

    def install(self) -> None:
        self.base.mkdir(parents=True, exist_ok=True)
        self.tls = make_tls(self.base / "tls")
        result = subprocess.run(
            [
                _which("mariadb-install-db"),
                "--no-defaults",
                f"--user={OS_USER}",
                f"--datadir={self.datadir}",
                "--auth-root-authentication-method=socket",
                "--skip-test-db",
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
        if result.returncode != 0:
            raise StandInError(
                f"mariadb-install-db failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
            )

    def start(self, timeout: float = 60) -> float:
        """Start mariadbd; return the seconds until it answered `SELECT 1`."""
        if not self.datadir.exists():
            self.install()
        log = open(self.log_path, "ab")  # noqa: SIM115 - owned by the process
        self.process = subprocess.Popen(
            [
                _which("mariadbd"),
                "--no-defaults",
                f"--user={OS_USER}",
                f"--datadir={self.datadir}",
                f"--socket={self.socket_path}",
                f"--port={self.port}",
                "--bind-address=127.0.0.1",
                f"--pid-file={self.base / 'mariadbd.pid'}",
                # The RDS parameter group's settings.
                "--require-secure-transport=ON",
                "--character-set-server=utf8mb4",
                "--collation-server=utf8mb4_bin",
                f"--ssl-ca={self.tls['ca']}",
                f"--ssl-cert={self.tls['cert']}",
                f"--ssl-key={self.tls['key']}",
                # Frugal: this is a test box.
                "--innodb-buffer-pool-size=64M",
                "--innodb-log-file-size=48M",
                "--innodb-flush-log-at-trx-commit=2",
                "--skip-name-resolve",
                "--max-connections=500",
                "--log-error=" + str(self.log_path),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()

        def ready() -> bool:
            if self.process is not None and self.process.poll() is not None:
                raise StandInError(
                    f"mariadbd exited with {self.process.returncode}\n{tail(self.log_path)}"
                )
            return (
                subprocess.run(
                    [
                        _which("mariadb"),
                        "--no-defaults",
                        "-S",
                        str(self.socket_path),
                        "-u",
                        OS_USER,
                        "-e",
                        "SELECT 1",
                    ],
                    capture_output=True,
                    timeout=10,
                ).returncode
                == 0
            )

        took = wait_until(ready, timeout, "mariadbd", lambda: tail(self.log_path))
        return took

    def stop(self, timeout: float = 30) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.process = None

    def root(self, database: str | None = None) -> Any:
        import pymysql

        return pymysql.connect(
            unix_socket=str(self.socket_path),
            user=OS_USER,
            database=database,
            autocommit=True,
            charset="utf8mb4",
        )

    def sql(self, statement: str, args: Any = None, database: str | None = None) -> list[Any]:
        with contextlib.closing(self.root(database)) as conn, conn.cursor() as cur:
            cur.execute(statement, args)
            return list(cur.fetchall())

    def create_app_user(self, username: str = DB_USERNAME, password: str = DB_PASSWORD) -> None:
        """Like RDS's master user: all privileges on every schema, TLS required."""
        self.sql(
            "CREATE USER IF NOT EXISTS %s@'127.0.0.1' IDENTIFIED BY %s REQUIRE SSL",
            (username, password),
        )
        self.sql(f"GRANT ALL PRIVILEGES ON *.* TO `{username}`@'127.0.0.1' WITH GRANT OPTION")

    def drop_schemas(self, *names: str) -> None:
        for name in names:
            self.sql(f"DROP DATABASE IF EXISTS `{name}`")

    def tables(self, schema: str) -> set[str]:
        return {
            r[0]
            for r in self.sql(
                "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = %s",
                (schema,),
            )
        }

    def uri(self, schema: str) -> str:
        """A complete URI (test credentials) for tools that need one; TLS verified."""
        base = tracking_config.database_uri_with_credentials(
            DB_USERNAME, DB_PASSWORD, "127.0.0.1", self.port, schema
        )
        return f"{base}&ssl_ca={self.ca}&ssl_check_hostname=true"


# --- moto (S3) ---------------------------------------------------------------------------------


@contextlib.contextmanager
def running_mariadb(datadir: Path) -> Iterator[MariaDB]:
    """A MariaDB with the application user, stopped afterwards even when a test fails."""
    db = MariaDB(datadir)
    try:
        db.start()
        db.create_app_user()
        yield db
    finally:
        db.stop()


@dataclass
class Moto:
    base: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.base / "moto.log"

    def start(self, timeout: float = 60) -> float:
        self.base.mkdir(parents=True, exist_ok=True)
        moto_server = CLIENT_BIN / "moto_server"
        if not moto_server.exists():
            raise StandInError(f"{moto_server} missing: run `make deps` (moto[server])")
        log = open(self.log_path, "ab")  # noqa: SIM115 - owned by the process
        self.process = subprocess.Popen(
            [str(moto_server), "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()

        def ready() -> bool:
            if self.process is not None and self.process.poll() is not None:
                raise StandInError(f"moto_server exited\n{tail(self.log_path)}")
            with urllib.request.urlopen(self.endpoint + "/", timeout=2) as r:  # noqa: S310
                return bool(r.status == 200)

        return wait_until(ready, timeout, "moto_server", lambda: tail(self.log_path))

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.process = None

    def s3(self) -> Any:
        import boto3

        return boto3.client(
            "s3",
            region_name=REGION,
            endpoint_url=self.endpoint,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def create_bucket(self, name: str) -> None:
        self.s3().create_bucket(
            Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION}
        )

    def objects(self, bucket: str, prefix: str = "") -> dict[str, int]:
        """key -> size of every object under the prefix."""
        out: dict[str, int] = {}
        paginator = self.s3().get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
            for obj in page.get("Contents", []):
                out[obj["Key"]] = obj["Size"]
        return out


# --- the server under test -----------------------------------------------------------------------


def server_env(
    db: MariaDB,
    moto: Moto,
    *,
    bucket: str,
    db_name: str,
    auth_db_name: str,
    port: int,
    prefix: str = "mlflow-artifacts",
    workers: int = 2,
    threads: int = 2,
    **overrides: str | None,
) -> dict[str, str]:
    """The environment the ECS task definition gives the container, pointed at the stand-ins.

    Only the names of contract.PLAIN_ENVIRONMENT and SECRET_ENVIRONMENT are set (plus the
    test-only S3 endpoint and moto's dummy credentials standing in for the task role). An
    override of None removes a variable.
    """
    plain = {
        "MLFLOW_DB_HOST": "127.0.0.1",
        "MLFLOW_DB_PORT": str(db.port),
        "MLFLOW_DB_NAME": db_name,
        "MLFLOW_AUTH_DB_NAME": auth_db_name,
        "MLFLOW_DB_CA_BUNDLE": str(db.ca),
        "MLFLOW_ARTIFACTS_DESTINATION": f"s3://{bucket}/{prefix}",
        "MLFLOW_ALLOWED_HOSTS": f"{ALB_HOST},{DOMAIN_HOST},127.0.0.1",
        "MLFLOW_AUTH": "basic",
        "MLFLOW_AUTH_ADMIN_USERNAME": "admin",
        "MLFLOW_AUTH_DEFAULT_PERMISSION": "NO_PERMISSIONS",
        "MLFLOW_AUTH_CACHE_TTL_SECONDS": "60",
        "MLFLOW_AUTH_LOGIN_WINDOW_SECONDS": "300",
        "MLFLOW_AUTH_MAX_FAILURES_PER_USER": "10",
        "MLFLOW_AUTH_MAX_FAILURES_PER_ADDRESS": "50",
        "MLFLOW_AUTH_MAX_CONCURRENT_HASHES": "1",
        "MLFLOW_AUTH_HASH_WAIT_MS": "500",
        "MLFLOW_WORKERS": str(workers),
        "MLFLOW_THREADS": str(threads),
        "MLFLOW_PORT": str(port),
        "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false",
        "MLFLOW_DB_WAIT_SECONDS": "60",
        "MLFLOW_BUCKET_CHECK_SECONDS": "15",
        "MLFLOW_MIGRATION_LOCK_SECONDS": "300",
        "MLFLOW_ROLE": "server",
        # The scheduled run pricer's user (run_costs=true): every server start keeps it.
        "MLFLOW_RUN_COSTS_USERNAME": RUN_COSTS_USERNAME,
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
    }
    secrets = {
        "MLFLOW_DB_USERNAME": DB_USERNAME,
        "MLFLOW_DB_PASSWORD": DB_PASSWORD,
        "MLFLOW_AUTH_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "MLFLOW_FLASK_SERVER_SECRET_KEY": SECRET_KEY,
        "MLFLOW_RUN_COSTS_PASSWORD": RUN_COSTS_PASSWORD,
    }
    # Everything the server's task definition sets (the retention task's own variables aside).
    expected = set(contract.PLAIN_ENVIRONMENT) - set(contract.RETENTION_ENVIRONMENT)
    assert set(plain) == expected, "harness env drifted from contract"
    assert set(secrets) == set(contract.SECRET_ENVIRONMENT)
    env = {
        # A clean environment: nothing of the developer's shell (no AWS profile, no MLflow
        # settings) leaks into the server.
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": tempfile.gettempdir(),
        "LANG": "C.UTF-8",
        **plain,
        **secrets,
        "MLFLOW_S3_ENDPOINT_URL": moto.endpoint,
        **FAKE_AWS,
    }
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


@dataclass
class ServerProcess:
    """`.venv-server/bin/python container/entrypoint.py` with a given environment."""

    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    # The image's virtualenv; a previous release's for the "old version" of an upgrade.
    python: Path = SERVER_PYTHON

    @property
    def port(self) -> int:
        return int(self.env["MLFLOW_PORT"])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ServerProcess:
        if not self.python.exists():
            raise StandInError(f"{self.python} missing: run `make server-venv previous-venvs`")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")  # noqa: SIM115 - owned by the process
        self.process = subprocess.Popen(
            [str(self.python), str(CONTAINER / "entrypoint.py")],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stop() reaches the workers
        )
        log.close()
        return self

    def logs(self) -> str:
        return tail(self.log_path, 12000)

    def healthy(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise ProcessExited(f"server exited with {self.process.returncode}\n{self.logs()}")
        with urllib.request.urlopen(self.url + "/health", timeout=2) as r:  # noqa: S310
            return bool(r.status == 200)

    def wait_healthy(self, timeout: float = 120) -> float:
        return wait_until(self.healthy, timeout, f"server on {self.url}", self.logs)

    def wait_exit(self, timeout: float) -> int:
        assert self.process is not None
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.stop()
            raise StandInError(f"server did not exit within {timeout} s\n{self.logs()}") from None

    def stop(self, timeout: float = 30) -> None:
        """SIGTERM to the process group (what ECS sends), SIGKILL after the timeout."""
        if self.process is None:
            return
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        # Workers that outlived the master (should not happen) go too.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process = None

    def kill(self) -> None:
        """SIGKILL the whole process group: a crashed task, nothing flushed or finished."""
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)
        self.process = None

    def tree_rss_mb(self) -> float:
        """Sum of RSS over the server's process tree (gunicorn master + workers)."""
        assert self.process is not None
        return process_tree_rss_mb(self.process.pid)


#: The `make_server` fixture's type: keyword arguments as in conftest.make_server.
ServerFactory = Callable[..., ServerProcess]


def process_group(pgid: int) -> list[int]:
    """PIDs of a process group (a ServerProcess: the gunicorn master and its workers)."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.getpgid(int(entry)) == pgid:
                    pids.append(int(entry))
            except (ProcessLookupError, PermissionError):
                continue
    return sorted(pids)


def process_tree_rss_mb(root_pid: int) -> float:
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
            fields = stat[stat.rindex(")") + 2 :].split()
            ppid = int(fields[1])
            rss_pages = int(fields[21])
        except (OSError, ValueError, IndexError):
            continue
        pid = int(entry)
        children.setdefault(ppid, []).append(pid)
        rss[pid] = rss_pages
    total, stack = 0, [root_pid]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total * os.sysconf("SC_PAGE_SIZE") / 1024 / 1024


# --- the previous MLflow release ---------------------------------------------------------------


def previous_release_python(release: str = "previous", timeout: float = 900) -> Path:
    """The virtualenv of one of PREVIOUS_RELEASES with its requirements installed (cached
    by a stamp; `make server-venv` installs them all beforehand)."""
    requirements, venv = PREVIOUS_RELEASES[release]
    python = venv / "bin" / "python"
    stamp = venv / ".installed"
    wanted = requirements.read_text()
    if stamp.exists() and stamp.read_text() == wanted and python.exists():
        return python
    base_python = shutil.which("python3") or sys.executable
    steps = [
        [base_python, "-m", "venv", "--clear", str(venv)],
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-r",
            str(requirements),
        ],
    ]
    for step in steps:
        result = subprocess.run(step, capture_output=True, text=True, timeout=timeout)
        if result.returncode != 0:
            raise StandInError(
                f"installing a previous MLflow release failed: {' '.join(step)}\n"
                f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
            )
    stamp.write_text(wanted)
    return python


def run_python(python: Path, code: str, env: Mapping[str, str], timeout: float = 300) -> str:
    result = subprocess.run(
        [str(python), "-c", code], env=dict(env), capture_output=True, text=True, timeout=timeout
    )
    if result.returncode != 0:
        raise AssertionError(
            f"{python} failed ({result.returncode}):\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
        )
    return result.stdout


@contextlib.contextmanager
def serving(env: dict[str, str], log_path: Path, timeout: float = 180) -> Iterator[ServerProcess]:
    """A started, healthy server for the body of a `with` (a module fixture's), stopped after."""
    process = ServerProcess(env, log_path)
    try:
        process.start()
        process.wait_healthy(timeout)
        yield process
    finally:
        process.stop(timeout=5)


@contextlib.contextmanager
def started(*things: Any) -> Iterator[None]:
    """Stop every given stand-in/server on the way out, even when the body failed."""
    try:
        yield
    finally:
        for thing in reversed(things):
            with contextlib.suppress(Exception):
                thing.stop()


# --- REST helpers (the tests' view of the server, as a client behind the ALB sees it) ---------


def call(
    server: ServerProcess,
    method: str,
    path: str,
    *,
    auth: tuple[str, str] | None = ("admin", ADMIN_PASSWORD),
    host: str = ALB_HOST,
    json: Any = None,
    params: Any = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = 30,
) -> Any:
    import requests

    with requests.Session() as session:
        return session.request(
            method,
            server.url + path,
            auth=auth,
            json=json,
            params=params,
            headers={"Host": host, **(headers or {})},
            timeout=timeout,
        )


def ok(response: Any) -> Any:
    assert response.status_code == 200, f"{response.status_code}: {response.text[:500]}"
    return response.json()


def create_user(server: ServerProcess, username: str, password: str) -> None:
    ok(
        call(
            server,
            "POST",
            "/api/2.0/mlflow/users/create",
            json={"username": username, "password": password},
        )
    )


def create_experiment(server: ServerProcess, name: str, auth: tuple[str, str] | None = None) -> str:
    response = call(
        server,
        "POST",
        "/api/2.0/mlflow/experiments/create",
        json={"name": name},
        **({"auth": auth} if auth else {}),
    )
    return str(ok(response)["experiment_id"])


def schema_revision(db: MariaDB, schema: str, table: str = "alembic_version") -> str | None:
    rows = db.sql(f"SELECT version_num FROM `{schema}`.`{table}`")  # noqa: S608 - test names
    return rows[0][0] if rows else None


def server_head_revisions() -> dict[str, str]:
    """The tracking and auth Alembic heads of the image's MLflow (asked of .venv-server)."""
    import json as _json

    code = (
        "import json\n"
        "from mlflow.store.db.utils import _get_latest_schema_revision\n"
        "from alembic.script import ScriptDirectory\n"
        "from mlflow.server.auth.db.utils import _get_alembic_config\n"
        "auth = ScriptDirectory.from_config(_get_alembic_config('')).get_current_head()\n"
        "print(json.dumps({'tracking': _get_latest_schema_revision(), 'auth': auth}))\n"
    )
    out = run_python(SERVER_PYTHON, code, {"PATH": os.environ.get("PATH", "")})
    return dict(_json.loads(out.strip().splitlines()[-1]))


# --- the MLflow client as users set it up ------------------------------------------------------

#: The stack's artifact bucket rule: everything to Intelligent-Tiering on day 0.
TIERING = json.dumps(
    {
        "LifecycleConfiguration": {
            "Rules": [
                {
                    "Id": "intelligent-tiering",
                    "Status": "Enabled",
                    "Transitions": [{"StorageClass": "INTELLIGENT_TIERING", "TransitionInDays": 0}],
                }
            ]
        }
    }
)


def client_env(
    server: ServerProcess, user: tuple[str, str] = ("admin", ADMIN_PASSWORD)
) -> dict[str, str]:
    """This process's environment without MLflow settings, plus the server and a user."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    env.update(
        MLFLOW_TRACKING_URI=f"http://127.0.0.1:{server.port}",
        MLFLOW_TRACKING_USERNAME=user[0],
        MLFLOW_TRACKING_PASSWORD=user[1],
        MLFLOW_HTTP_REQUEST_MAX_RETRIES="0",
    )
    return env


@contextlib.contextmanager
def client(server: ServerProcess) -> Iterator[Any]:
    """The real MLflow client as admin (its credentials from the environment, as users set
    them), the environment restored afterwards."""
    from mlflow.tracking import MlflowClient

    saved = dict(os.environ)
    os.environ.update(client_env(server))
    try:
        yield MlflowClient(f"http://127.0.0.1:{server.port}")
    finally:
        os.environ.clear()
        os.environ.update(saved)
