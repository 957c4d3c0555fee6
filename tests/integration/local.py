"""`make local`: the tracking server in its production configuration on this machine, no AWS.

    .venv/bin/python tests/integration/local.py run  [--port N] [--db-port N] [--s3-port N]
                                                     [--dir DIR]
    .venv/bin/python tests/integration/local.py stop [--dir DIR]

`run` starts, with the integration suite's harness (harness.py, not a copy of it):

- MariaDB standing in for RDS (TLS required, utf8mb4_bin, an application user that must use
  TLS), with a random password for that user;
- moto's S3 server standing in for the artifact bucket;
- `container/entrypoint.py` from `.venv-server` with the environment the ECS task definition
  gives it (harness.server_env): TLS to the database verified against the local CA, basic auth
  with a random admin password, the Host check allowing `localhost:PORT` and `127.0.0.1:PORT`,
  artifacts proxied to the bucket.

It writes DIR/state.json (DIR defaults to `.local/` in the repository) and DIR/admin-password
(mode 0600; the password is never printed), prints the URL, the admin user name and the password
file's path, and runs until Ctrl-C (SIGINT), SIGTERM or SIGHUP, or until `stop` from another
terminal. Stopping stops every process and deletes the run's directory and files: nothing
persists between runs (moto keeps S3 objects only in memory, so a kept database would point at
artifacts that no longer exist). Two runs one after the other each start empty; a second `run`
while one is running is refused.

Every process of a run carries MLFLOW_LOCAL_RUN=<run id> in its environment, so `stop` also
finds what a runner killed with SIGKILL left behind. The one deliberate difference from the task
definition: gunicorn binds 127.0.0.1 instead of 0.0.0.0 (GUNICORN_CMD_ARGS, which gunicorn reads
after its config file), so the server is not reachable from the network this machine is on.

Exit codes: 0 stopped on request; 1 another run is already running; 2 bad input (a port that is
not a number or is in use); 3 a part failed to start or died (its log is printed).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import secrets
import shutil
import signal
import socket
import sys
import tempfile
import time
import types
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness as h

DEFAULT_DIR = h.ROOT / ".local"
STATE_FILE = "state.json"
PASSWORD_FILE = "admin-password"
BUCKET = "mlflow-local"
ARTIFACT_PREFIX = "mlflow-artifacts"
# The schema names the stack gives the task (constructs/database.py: DATABASE_NAME, and
# "<name>_auth" in constructs/tracking_server.py).
DB_NAME = "mlflow"
AUTH_DB_NAME = "mlflow_auth"
ADMIN_USERNAME = "admin"
# The config's default (server_workers/server_threads in stacks/config.py).
WORKERS = 2
THREADS = 2
MARKER = "MLFLOW_LOCAL_RUN"
SERVER_READY_SECONDS = 240
STOP_WAIT_SECONDS = 90

EXIT_STOPPED = 0
EXIT_ALREADY_RUNNING = 1
EXIT_BAD_INPUT = 2
EXIT_FAILED = 3


class BadInput(Exception):
    """A command-line value that cannot be used: exit 2 with the message."""


class _Stop(BaseException):
    """Raised by the signal handler: unwinds start-up or the wait loop into the clean-up."""


# --- processes -------------------------------------------------------------------------------


def start_ticks(pid: int) -> int | None:
    """The process's start time in clock ticks since boot (field 22 of /proc/PID/stat), or None
    if there is no such process. With the PID it identifies a process across PID reuse."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat[stat.rindex(")") + 2 :].split()[19])


def alive(pid: int, ticks: int | None) -> bool:
    """Whether the process that had this PID and start time still runs (zombies count as
    gone: they hold no port, file or memory worth waiting for)."""
    if ticks is None or start_ticks(pid) != ticks:
        return False
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def marked_processes(run_id: str) -> list[int]:
    """PIDs of every live process whose environment carries this run's marker."""
    needle = f"{MARKER}={run_id}".encode()
    found: list[int] = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            environ = Path(f"/proc/{entry}/environ").read_bytes()
        except OSError:
            continue
        if needle in environ.split(b"\0") and alive(int(entry), start_ticks(int(entry))):
            found.append(int(entry))
    return found


def kill_marked(run_id: str, grace: float = 10) -> list[int]:
    """SIGTERM, then SIGKILL after `grace` seconds, every process of the run; return the PIDs
    that were found (empty after a clean stop)."""
    pids = marked_processes(run_id)
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
        left = marked_processes(run_id)
        if not left:
            break
        for pid in left:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, sig)
        deadline = time.monotonic() + wait
        while marked_processes(run_id) and time.monotonic() < deadline:
            time.sleep(0.2)
    return pids


def port_in_use(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def parse_port(name: str, value: str | None) -> int | None:
    """A port from the command line (None: pick a free one); BadInput names the make variable."""
    if value is None or value == "":
        return None
    if not value.isdigit() or not 1 <= int(value) <= 65535:
        raise BadInput(
            f"{name}={value!r} is not a port number; allowed: 1-65535, or leave {name} unset "
            "for a free port"
        )
    port = int(value)
    if port_in_use(port):
        raise BadInput(
            f"{name}={port}: port {port} on 127.0.0.1 is in use; pick another or leave {name} "
            "unset for a free port"
        )
    return port


# --- state -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Paths:
    directory: Path

    @property
    def state(self) -> Path:
        return self.directory / STATE_FILE

    @property
    def password(self) -> Path:
        return self.directory / PASSWORD_FILE


def write_state(paths: Paths, state: dict[str, Any]) -> None:
    """Replace state.json atomically: a script polling it never reads half a file."""
    tmp = paths.state.with_name(f".{STATE_FILE}.{os.getpid()}")
    tmp.write_text(json.dumps(state, indent=2, sort_keys=True) + "\n")
    os.replace(tmp, paths.state)


def read_state(paths: Paths) -> dict[str, Any] | None:
    try:
        return dict(json.loads(paths.state.read_text()))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as e:
        raise BadInput(f"{paths.state} is not a state file of make local ({e}); remove it") from e


def runner_alive(state: dict[str, Any]) -> bool:
    return alive(int(state["pids"]["runner"]), state.get("pid_start_ticks", {}).get("runner"))


def clean_up(paths: Paths, state: dict[str, Any]) -> str:
    """Stop whatever is left of the run the state describes, remove its directory and files,
    and say what it found (checked afterwards, not assumed)."""
    run_id = str(state["run_id"])
    killed = kill_marked(run_id)
    runtime = Path(str(state.get("runtime_dir", "")))
    if runtime.name.startswith("mlflow-local-") and runtime.is_dir():
        shutil.rmtree(runtime, ignore_errors=True)
    for path in (paths.password, paths.state):
        path.unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        paths.directory.rmdir()  # only if empty: a directory the user chose may hold more
    remaining = marked_processes(run_id)
    problems = []
    if remaining:
        problems.append(f"processes {remaining} are still running")
    if runtime.exists():
        problems.append(f"{runtime} could not be removed")
    summary = f"killed leftover processes {killed}; " if killed else ""
    if problems:
        return summary + "NOT clean: " + "; ".join(problems)
    return summary + f"no process of this run is left and {runtime} is removed"


def write_password(path: Path) -> str:
    """A random admin password in a new file only this user can read."""
    password = secrets.token_urlsafe(24)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(password + "\n")
    return password


# --- run ---------------------------------------------------------------------------------------


def _say(message: str) -> None:
    """Print from a signal handler: os.write, because print() may be mid-call in the main code."""
    os.write(sys.stdout.fileno(), message.encode())


def _still_stopping(signum: int, frame: types.FrameType | None) -> None:
    _say("make local: still stopping, please wait ...\n")


def _stop_on_signal(signum: int, frame: types.FrameType | None) -> None:
    # Once: a second Ctrl-C must not interrupt the clean-up that the first one started.
    _set_signal_handlers(_still_stopping)
    _say(f"\nmake local: {signal.Signals(signum).name}, stopping ...\n")
    raise _Stop


def _set_signal_handlers(handler: Any) -> None:
    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, handler)


def run(args: argparse.Namespace) -> int:
    paths = Paths(Path(args.dir).resolve())
    port = parse_port("PORT", args.port)
    db_port = parse_port("DB_PORT", args.db_port)
    s3_port = parse_port("S3_PORT", args.s3_port)
    paths.directory.mkdir(mode=0o700, parents=True, exist_ok=True)

    previous = read_state(paths)
    if previous is not None:
        if runner_alive(previous):
            print(
                f"make local: already running (pid {previous['pids']['runner']}) at "
                f"{previous.get('url', '(still starting)')}; stop it with `{_stop_command(paths)}`",
                file=sys.stderr,
            )
            return EXIT_ALREADY_RUNNING
        print(f"make local: a previous run had not stopped: {clean_up(paths, previous)}")
        paths.directory.mkdir(mode=0o700, parents=True, exist_ok=True)

    run_id = uuid.uuid4().hex
    # Inherited by mariadbd and moto_server (started from this process); the server's clean
    # environment gets it explicitly.
    os.environ[MARKER] = run_id
    runtime = Path(tempfile.mkdtemp(prefix="mlflow-local-"))
    started_at = time.monotonic()
    state: dict[str, Any] = {
        "status": "starting",
        "run_id": run_id,
        "runtime_dir": str(runtime),
        "started_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "pids": {"runner": os.getpid()},
        "pid_start_ticks": {"runner": start_ticks(os.getpid())},
    }
    write_state(paths, state)

    def record(name: str, process: Any) -> None:
        pid = int(process.pid)
        state["pids"][name] = pid
        state["pid_start_ticks"][name] = start_ticks(pid)
        write_state(paths, state)

    db = h.MariaDB(runtime / "db", **({"port": db_port} if db_port else {}))
    moto = h.Moto(runtime / "s3", **({"port": s3_port} if s3_port else {}))
    server: h.ServerProcess | None = None
    _set_signal_handlers(_stop_on_signal)
    try:
        print("make local: starting MariaDB (TLS required) ...", flush=True)
        took = db.start()
        record("mariadbd", db.process)
        print(f"make local: MariaDB ready in {took:.1f} s", flush=True)
        db_password = secrets.token_urlsafe(24)
        db.create_app_user(h.DB_USERNAME, db_password)
        print("make local: starting the S3 API stand-in (moto server) ...", flush=True)
        took = moto.start()
        record("moto_server", moto.process)
        print(f"make local: moto ready in {took:.1f} s", flush=True)
        moto.create_bucket(BUCKET)

        port = port or h.free_port()
        allowed_hosts = [f"localhost:{port}", f"127.0.0.1:{port}"]
        # A password file without a live run is a leftover of this tool (state.json went
        # first): replace it rather than fail on O_EXCL.
        paths.password.unlink(missing_ok=True)
        admin_password = write_password(paths.password)
        (runtime / "home").mkdir()
        (runtime / "tmp").mkdir()
        env = h.server_env(
            db,
            moto,
            bucket=BUCKET,
            db_name=DB_NAME,
            auth_db_name=AUTH_DB_NAME,
            port=port,
            prefix=ARTIFACT_PREFIX,
            workers=WORKERS,
            threads=THREADS,
            MLFLOW_ALLOWED_HOSTS=",".join(allowed_hosts),
            MLFLOW_AUTH_ADMIN_USERNAME=ADMIN_USERNAME,
            MLFLOW_DB_PASSWORD=db_password,
            MLFLOW_AUTH_ADMIN_PASSWORD=admin_password,
            MLFLOW_FLASK_SERVER_SECRET_KEY=secrets.token_urlsafe(32),
            # The auth INI's private directory (tempfile.mkdtemp in the entrypoint) and
            # anything else written to HOME or TMPDIR land in the run's directory, which the
            # stop removes.
            HOME=str(runtime / "home"),
            TMPDIR=str(runtime / "tmp"),
            GUNICORN_CMD_ARGS=f"--bind=127.0.0.1:{port}",
            **{MARKER: run_id},
        )
        del admin_password, db_password
        print(
            "make local: starting the tracking server (container/entrypoint.py: migrations, "
            "basic auth, gunicorn) ...",
            flush=True,
        )
        server = h.ServerProcess(env, runtime / "server.log")
        server.start()
        record("server", server.process)
        took = server.wait_healthy(SERVER_READY_SECONDS)
        print(f"make local: tracking server ready in {took:.1f} s", flush=True)

        state.update(
            {
                "status": "running",
                "url": f"http://localhost:{port}",
                "admin_username": ADMIN_USERNAME,
                "admin_password_file": str(paths.password),
                "allowed_hosts": allowed_hosts,
                "bucket": BUCKET,
                "artifacts_destination": f"s3://{BUCKET}/{ARTIFACT_PREFIX}",
                "s3_endpoint_url": moto.endpoint,
                "database": {
                    "host": "127.0.0.1",
                    "port": db.port,
                    "name": DB_NAME,
                    "auth_name": AUTH_DB_NAME,
                    "ca_file": str(db.ca),
                    "socket": str(db.socket_path),
                },
                "logs": {
                    "mariadbd": str(db.log_path),
                    "moto_server": str(moto.log_path),
                    "server": str(server.log_path),
                },
                "ready_seconds": round(time.monotonic() - started_at, 1),
            }
        )
        write_state(paths, state)
        print(banner(state, paths), flush=True)
        return watch(db, moto, server)
    except h.StandInError as e:
        print(f"make local: could not start: {e}", file=sys.stderr, flush=True)
        return EXIT_FAILED
    except _Stop:
        return EXIT_STOPPED
    finally:
        _set_signal_handlers(_still_stopping)
        if server is not None and server.process is not None and server.process.poll() is None:
            print(
                "make local: stopping the tracking server (as on ECS, gunicorn lets open "
                "connections finish within its graceful timeout) ...",
                flush=True,
            )
        # In order: the server first (it would log the database going away), then the stores.
        for part in (server, moto, db):
            if part is not None:
                with contextlib.suppress(Exception):
                    part.stop()
        print(f"make local: stopped: {clean_up(paths, state)}", flush=True)


def _stop_command(paths: Paths) -> str:
    return "make local-stop" + (
        "" if paths.directory == DEFAULT_DIR else f" LOCAL_DIR={paths.directory}"
    )


def banner(state: dict[str, Any], paths: Paths) -> str:
    password_file = state["admin_password_file"]
    stop = _stop_command(paths)
    return f"""
MLflow is running with the production configuration (ready in {state["ready_seconds"]} s):
basic auth, TLS to MariaDB, artifacts proxied to an S3 API stand-in (moto).

  URL        {state["url"]}/
  user       {state["admin_username"]}
  password   in {password_file} (mode 0600)
  state      {paths.state}

  export MLFLOW_TRACKING_URI={state["url"]}
  export MLFLOW_TRACKING_USERNAME={state["admin_username"]}
  export MLFLOW_TRACKING_PASSWORD="$(cat {password_file})"

Stop with Ctrl-C here or `{stop}` in another terminal.
Nothing is kept: the database and the artifacts are deleted when it stops.
"""


def watch(db: h.MariaDB, moto: h.Moto, server: h.ServerProcess) -> int:
    """Wait for a signal; if a part dies on its own, say which, show its log and stop."""
    parts = (
        ("mariadbd", db.process, db.log_path),
        ("moto_server", moto.process, moto.log_path),
        ("the tracking server", server.process, server.log_path),
    )
    while True:
        for name, process, log in parts:
            if process is not None and process.poll() is not None:
                print(
                    f"make local: {name} exited with {process.returncode}\n{h.tail(log)}",
                    file=sys.stderr,
                    flush=True,
                )
                return EXIT_FAILED
        time.sleep(1)


# --- stop --------------------------------------------------------------------------------------


def stop(args: argparse.Namespace) -> int:
    paths = Paths(Path(args.dir).resolve())
    state = read_state(paths)
    if state is None:
        print(f"make local-stop: nothing to stop (no {paths.state})")
        return EXIT_STOPPED
    runner = int(state["pids"]["runner"])
    if runner_alive(state):
        os.kill(runner, signal.SIGTERM)
        deadline = time.monotonic() + STOP_WAIT_SECONDS
        while runner_alive(state) and time.monotonic() < deadline:
            time.sleep(0.2)
    # Whatever the runner did not get to (it was killed, or is stuck): same clean-up.
    print(f"make local-stop: stopped {state.get('url', 'make local')}: {clean_up(paths, state)}")
    return EXIT_STOPPED


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="local.py", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    run_p = sub.add_parser("run", help="start everything and wait for Ctrl-C")
    run_p.add_argument("--port", help="the tracking server's port (default: a free one)")
    run_p.add_argument("--db-port", help="MariaDB's TCP port (default: a free one)")
    run_p.add_argument("--s3-port", help="the S3 stand-in's port (default: a free one)")
    stop_p = sub.add_parser("stop", help="stop the run recorded in DIR/state.json")
    for p in (run_p, stop_p):
        p.add_argument("--dir", default=str(DEFAULT_DIR), help="state directory (.local/)")
    args = parser.parse_args(argv)
    try:
        return run(args) if args.command == "run" else stop(args)
    except BadInput as e:
        print(f"make local: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
