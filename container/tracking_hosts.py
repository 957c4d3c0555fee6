"""The Host-header rule of the tracking server: which Host values a request may carry.

One rule, two enforcers: serverapp.HostCheck applies `host_allowed` to every request before
MLflow sees it, and MLflow's own Flask security middleware gets the same rule translated into
its pattern language (`mlflow_allowed_hosts`, set as MLFLOW_SERVER_ALLOWED_HOSTS by
tracking_config.py). The entrypoint validates MLFLOW_ALLOWED_HOSTS with `parse_allowed_hosts`
before anything starts.

Standard library only: the running server imports this module, not the start-up code.
"""

from __future__ import annotations

import fnmatch
import re

_HOST_PATTERN_RE = re.compile(r"^[A-Za-z0-9*.\-]+(:[0-9*]+)?$")


def parse_allowed_hosts(value: str) -> tuple[str, ...]:
    """Comma-separated Host header values (host or host:port; '*' wildcards allowed inside a
    pattern such as *.example.com, but not a bare '*', which would disable the check). IPv6
    literals are not supported: a load balancer is addressed by name."""
    hosts = tuple(h.strip() for h in value.split(",") if h.strip())
    if not hosts:
        raise ValueError("must list at least one host name (the load balancer's DNS name)")
    bad = [h for h in hosts if not _HOST_PATTERN_RE.match(h)]
    if bad:
        raise ValueError(
            f"invalid entries {bad}: give bare host names such as "
            "internal-mlflow-123.eu-west-1.elb.amazonaws.com or mlflow.example.com "
            "(no scheme, path or spaces)"
        )
    if any(h.split(":")[0] in ("*", "") for h in hosts):
        raise ValueError("a bare '*' would accept any Host header; list the real host names")
    return hosts


def host_allowed(host_header: str | None, patterns: tuple[str, ...]) -> bool:
    """Whether a request's Host header matches one of the allowed patterns.

    A pattern without a port matches the host with any port (a client may send
    `mlflow.example.com:443`); a pattern with a port matches only that port. Host names compare
    case-insensitively (DNS does); '*' in a pattern is a shell-style wildcard.
    """
    if not host_header:
        return False
    name, _, port = host_header.strip().lower().partition(":")
    for pattern in patterns:
        p_name, _, p_port = pattern.lower().partition(":")
        if not fnmatch.fnmatchcase(name, p_name):
            continue
        if not p_port or fnmatch.fnmatchcase(port, p_port):
            return True
    return False


def mlflow_allowed_hosts(patterns: tuple[str, ...]) -> str:
    """MLFLOW_SERVER_ALLOWED_HOSTS for MLflow's own Flask Host check, equivalent to
    host_allowed(): MLflow compares exactly (or fnmatch with '*'), so add `host:*` for every
    pattern without a port."""
    out: list[str] = []
    for p in patterns:
        out.append(p)
        if ":" not in p:
            out.append(f"{p}:*")
    return ",".join(out)
