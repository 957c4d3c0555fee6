"""gunicorn settings for the tracking server (`--config python:gunicorn_conf`).

Values come from the environment the entrypoint validated; see docs/tracking-server.md for
the measurements behind them.
"""

import os

import tracking_secrets

# Runs in the master as gunicorn loads this file, before any worker is forked: take the
# secrets the entrypoint handed over through a pipe (never through the environment).
tracking_secrets.receive()

bind = f"0.0.0.0:{int(os.environ.get('MLFLOW_PORT', '5000'))}"
workers = int(os.environ.get("MLFLOW_WORKERS", "3"))
# gthread: keep-alive connections are parked in a poller instead of holding a worker, and a
# request waiting on MySQL or S3 releases the GIL to the worker's other threads.
worker_class = "gthread"
threads = int(os.environ.get("MLFLOW_THREADS", "2"))
# Longer than the ALB's idle timeout (60 s by default): otherwise the task may close a
# connection the load balancer is about to reuse, which the client sees as a 502.
keepalive = 75
# gthread workers heartbeat from their main loop, so a long artifact upload in a thread does not
# trip this; it only catches a worker whose main loop is stuck.
timeout = 120
# ECS waits stopTimeout (30 s by default) between SIGTERM and SIGKILL.
graceful_timeout = 25
# Heartbeat files on tmpfs: on an overlay filesystem a blocked write can stall a worker.
worker_tmp_dir = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None  # noqa: S108
# Only the load balancer reaches the task (security group): trust its X-Forwarded-Proto. This
# does not touch REMOTE_ADDR (always the socket peer, an ALB node); the login throttle takes the
# client's address from the last X-Forwarded-For entry, the one the ALB appends
# (tracking_login.client_address).
forwarded_allow_ips = "*"
# ...but no header may set SCRIPT_NAME or PATH_INFO (gunicorn's default lets any trusted peer,
# i.e. here any client through the ALB, remap the path that way); nothing here needs it.
forwarder_headers = ""
# gunicorn 25+ opens a control socket under $HOME by default; not needed, and two servers on
# one host (the integration suite) would collide on its path.
control_socket_disable = True
proc_name = "mlflow-server"
# Errors and lifecycle to stderr (CloudWatch); per-request access logs are left to the ALB.
errorlog = "-"
loglevel = "info"
accesslog = None
