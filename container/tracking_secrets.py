"""Secrets for the gunicorn workers without putting them into any process's environment.

/proc/PID/environ shows the environment a process was exec'd with for as long as it runs,
whatever it later does to os.environ, and every child inherits it. So the entrypoint (which
needs the secrets for its own start-up steps and has them from ECS) does not exec gunicorn with
them: it writes the ones the workers need (WORKER_SECRETS: the database credentials and the
Flask key; never the admin password, used only by the entrypoint's admin bootstrap) into a
pipe and hands gunicorn the pipe's file descriptor number instead (HAND_OVER_VARIABLE).
The gunicorn master reads the pipe once while it loads its configuration (gunicorn_conf.py),
before it forks any worker, and keeps the values in memory only; every worker, forked from it,
finds them with `worker_secrets()`.

Standard library only.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, MutableMapping

#: Set by the entrypoint for gunicorn: the number of the pipe's read end.
HAND_OVER_VARIABLE = "MLFLOW_WORKER_SECRETS_FD"
#: What a worker needs: to connect to MySQL, and the key MLflow signs CSRF tokens with.
WORKER_SECRETS = ("MLFLOW_DB_USERNAME", "MLFLOW_DB_PASSWORD", "MLFLOW_FLASK_SERVER_SECRET_KEY")

_received: dict[str, str] | None = None


def hand_over(values: Mapping[str, str]) -> dict[str, str]:
    """Write `values` (WORKER_SECRETS only) into a new pipe whose read end survives exec;
    return the environment entry that tells gunicorn where to read them."""
    unknown = set(values) - set(WORKER_SECRETS)
    if unknown:
        raise ValueError(f"not a worker secret: {sorted(unknown)}")
    payload = json.dumps(dict(values)).encode()
    read_end, write_end = os.pipe()
    try:
        # A pipe holds 64 KiB without a reader; the payload is a few hundred bytes.
        if os.write(write_end, payload) != len(payload):
            raise OSError("short write to the secrets pipe")
    finally:
        os.close(write_end)
    os.set_inheritable(read_end, True)
    return {HAND_OVER_VARIABLE: str(read_end)}


def receive(environ: MutableMapping[str, str] = os.environ) -> None:
    """In the gunicorn master, before any fork: read the handed-over secrets once and close
    the pipe. A no-op without a hand-over (or when already received)."""
    global _received
    fd_text = environ.pop(HAND_OVER_VARIABLE, None)
    if _received is not None or fd_text is None:
        return
    fd = int(fd_text)
    chunks = []
    try:
        while chunk := os.read(fd, 65536):
            chunks.append(chunk)
    finally:
        os.close(fd)
    values = json.loads(b"".join(chunks) or b"{}")
    _received = {k: v for k, v in values.items() if k in WORKER_SECRETS}


def worker_secrets() -> dict[str, str]:
    """The handed-over secrets (in a worker: inherited from the master by fork)."""
    if _received is None:
        raise RuntimeError(
            f"no secrets were handed over ({HAND_OVER_VARIABLE} was not set when gunicorn "
            "loaded gunicorn_conf.py): start the server through entrypoint.py"
        )
    return dict(_received)
