"""The deployment's configuration: profiles, context overrides and their validation.

`app.py` is the only caller that reads CDK context or the environment; it hands the raw
values to :func:`load_config`, which returns one frozen :class:`PlatformConfig` or raises a
:class:`ConfigError` listing every bad setting at once (name, bad value, what is allowed).
Constructs receive typed values from this object and never read context themselves.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import Any, Literal

NetworkMode = Literal["public", "nat", "endpoints"]
CpuArchitecture = Literal["ARM64", "X86_64"]
AuthMode = Literal["basic", "none"]

PROFILES = ("dev", "team", "prod")
DEFAULT_PROFILE = "team"

# Commercial AWS regions (the partition this app targets). A region outside this list is a typo
# or a partition (GovCloud, China) whose ARNs, endpoints and prices this app does not handle.
AWS_REGIONS = (
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
)

# Values CloudWatch Logs accepts for RetentionInDays.
LOG_RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731,
    1096, 1827, 2192, 2557, 2922, 3288, 3653,
)  # fmt: skip

# Fargate task sizes: CPU units -> allowed memory (MiB).
FARGATE_SIZES: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4096 + 1, 1024)),
    1024: tuple(range(2048, 8192 + 1, 1024)),
    2048: tuple(range(4096, 16384 + 1, 1024)),
    4096: tuple(range(8192, 30720 + 1, 1024)),
    8192: tuple(range(16384, 61440 + 1, 4096)),
    16384: tuple(range(32768, 122880 + 1, 8192)),
}

# RDS for MySQL instance classes this app accepts (and the cost catalog prices).
_BURSTABLE_SIZES = ("micro", "small", "medium", "large", "xlarge", "2xlarge")
_STANDARD_SIZES = ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge")
DB_INSTANCE_CLASSES = tuple(
    [f"db.{family}.{size}" for family in ("t3", "t4g") for size in _BURSTABLE_SIZES]
    + [
        f"db.{family}.{size}"
        for family in ("m5", "m6g", "m6i", "m7g", "r5", "r6g", "r6i", "r7g")
        for size in _STANDARD_SIZES
    ]
)

_DOMAIN_RE = re.compile(
    r"^(?=.{1,253}$)(?!-)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$", re.IGNORECASE
)
_CERT_ARN_RE = re.compile(
    r"^arn:aws:acm:[a-z0-9-]+:\d{12}:certificate/[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$"
)
_HOSTED_ZONE_ID_RE = re.compile(r"^Z[A-Z0-9]{1,31}$")
_TAG_VALUE_RE = re.compile(r"^[\w .:/=+\-@]{0,256}$")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_USERNAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$")
_STACK_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9-]{0,127}$")
_PREFIX_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class ConfigError(ValueError):
    """Raised with every configuration problem found, one per line."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"invalid configuration ({len(problems)} problem(s)):\n{lines}")


@dataclass(frozen=True)
class PlatformConfig:
    """Every choice the app makes, with the `team` profile's values as defaults.

    Field names are the context keys (`-c name=value`). Units are in the names.
    """

    profile: str = DEFAULT_PROFILE
    #: Deployment and pricing region. None keeps the stack environment-agnostic.
    region: str | None = None
    #: AWS account for an environment-specific stack (CDK_DEFAULT_ACCOUNT when region is set).
    account: str | None = None
    stack_name: str | None = None

    # network
    network_mode: NetworkMode = "public"
    vpc_cidr: str = "10.40.0.0/16"
    nat_gateways: int = 1
    flow_log_retention_days: int = 30

    # tracking server
    cpu_architecture: CpuArchitecture = "ARM64"
    # Sized from `make bench-server` (README, "Fargate sizing"): two workers of ~250 MB.
    task_cpu: int = 512
    task_memory_mib: int = 1024
    server_workers: int = 2
    server_threads: int = 2
    desired_count: int = 1
    min_tasks: int = 1
    max_tasks: int = 2
    scale_cpu_percent: int = 70
    scale_requests_per_target: int = 3000
    log_retention_days: int = 30
    container_insights: bool = False
    auth: AuthMode = "basic"
    admin_username: str = "admin"
    auth_default_permission: str = "NO_PERMISSIONS"
    job_execution: bool = False

    # load balancer
    domain_name: str | None = None
    certificate_arn: str | None = None
    hosted_zone_id: str | None = None
    hosted_zone_name: str | None = None
    internal_load_balancer: bool = False
    ingress_cidrs: tuple[str, ...] = ()

    # database
    db_instance_class: str = "db.t4g.small"
    db_multi_az: bool = False
    db_allocated_storage_gib: int = 20
    db_max_allocated_storage_gib: int = 100
    db_backup_retention_days: int = 14
    db_port: int = 3307
    db_deletion_protection: bool = True

    # artifact bucket
    artifact_prefix: str = "artifacts"
    intelligent_tiering_transition_days: int = 0
    intelligent_tiering_archive: bool = False
    noncurrent_version_expiry_days: int = 30
    abort_multipart_upload_days: int = 7
    access_log_expiry_days: int = 365

    # cost estimate and guardrails
    cost: bool = True
    usage_file: str | None = "usage.yml"
    policy_file: str | None = "policies.yml"
    budget: float | None = None

    # cost allocation tags
    tag_project: str = "mlflow"
    tag_team: str | None = None
    tag_cost_center: str | None = None
    tag_environment: str | None = None

    # AWS Budgets budget on the real bill (scoped to the cost-allocation tags)
    budget_alarm: bool = False
    budget_alarm_factor: float = 1.2
    budget_alarm_email: str | None = None
    budget_alarm_topic_arn: str | None = None

    @property
    def https(self) -> bool:
        return self.domain_name is not None and (
            self.certificate_arn is not None or self.hosted_zone_id is not None
        )

    @property
    def resolved_stack_name(self) -> str:
        return self.stack_name or f"mlflow-{self.profile}"

    @property
    def cost_allocation_tags(self) -> dict[str, str]:
        tags = {
            "deployment": self.resolved_stack_name,
            "project": self.tag_project,
            "team": self.tag_team,
            "cost-center": self.tag_cost_center,
            "environment": self.tag_environment or self.profile,
        }
        return {k: v for k, v in tags.items() if v}


# Profile choices, applied over the dataclass defaults (which are the `team` profile).
PROFILE_SETTINGS: dict[str, dict[str, Any]] = {
    "dev": {
        "network_mode": "public",
        "task_cpu": 256,
        "task_memory_mib": 1024,
        "server_workers": 1,
        "server_threads": 2,
        "desired_count": 1,
        "min_tasks": 1,
        "max_tasks": 1,
        "log_retention_days": 7,
        "flow_log_retention_days": 7,
        "db_instance_class": "db.t4g.micro",
        "db_multi_az": False,
        "db_allocated_storage_gib": 20,
        "db_max_allocated_storage_gib": 50,
        "db_backup_retention_days": 7,
        "noncurrent_version_expiry_days": 7,
        "access_log_expiry_days": 90,
    },
    "team": {},
    "prod": {
        "network_mode": "endpoints",
        "task_cpu": 1024,
        "task_memory_mib": 2048,
        "server_workers": 3,
        "server_threads": 2,
        "desired_count": 2,
        "min_tasks": 2,
        "max_tasks": 6,
        "log_retention_days": 90,
        "flow_log_retention_days": 90,
        "container_insights": True,
        "db_instance_class": "db.m7g.large",
        "db_multi_az": True,
        "db_allocated_storage_gib": 50,
        "db_max_allocated_storage_gib": 500,
        "db_backup_retention_days": 30,
        "noncurrent_version_expiry_days": 90,
        "access_log_expiry_days": 730,
    },
}

SETTING_NAMES = tuple(f.name for f in fields(PlatformConfig))


def _is_foreign_context_key(key: str) -> bool:
    """CDK's own keys (feature flags, lookups, CLI-set values) are not ours to validate."""
    return any(ch in key for ch in "@:/") or key.startswith(("aws-cdk", "cdk-", "acknowledged"))


def _parse_bool(name: str, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in ("true", "yes", "on", "1"):
        return True
    if text in ("false", "no", "off", "0"):
        return False
    raise ValueError(f"{name}={raw!r} is not a boolean; allowed: true/false (also yes/no, on/off)")


def _parse_int(name: str, raw: Any) -> int:
    if isinstance(raw, bool):
        raise ValueError(f"{name}={raw!r} is not a whole number")
    if isinstance(raw, int):
        return raw
    try:
        return int(str(raw).strip())
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a whole number") from None


def _parse_float(name: str, raw: Any) -> float:
    if isinstance(raw, bool):
        raise ValueError(f"{name}={raw!r} is not a number")
    try:
        return float(raw)
    except (TypeError, ValueError):
        raise ValueError(f"{name}={raw!r} is not a number") from None


def _parse_str_tuple(name: str, raw: Any) -> tuple[str, ...]:
    if isinstance(raw, (list, tuple)):
        items = [str(x).strip() for x in raw]
    else:
        items = [x.strip() for x in str(raw).split(",")]
    return tuple(x for x in items if x)


def _parse_optional_str(name: str, raw: Any) -> str | None:
    if raw is None:
        return None
    text = str(raw).strip()
    return text or None


def _parser_for(name: str) -> Callable[[str, Any], Any]:
    default = next(f for f in fields(PlatformConfig) if f.name == name).default
    if isinstance(default, bool):
        return _parse_bool
    if isinstance(default, int):
        return _parse_int
    if isinstance(default, float) or name == "budget":
        return lambda n, r: None if r in (None, "", "none", "off") else _parse_float(n, r)
    if isinstance(default, tuple):
        return _parse_str_tuple
    if default is None:
        return _parse_optional_str
    return lambda n, r: str(r).strip()


def load_config(
    context: Mapping[str, Any],
    *,
    default_account: str | None = None,
) -> PlatformConfig:
    """Build and validate the configuration from CDK context values.

    `context` maps context keys to raw values (strings from `-c key=value`, or JSON values
    from cdk.json). Every problem is collected and raised together as a ConfigError.
    """
    problems: list[str] = []

    profile_raw = context.get("profile", DEFAULT_PROFILE)
    profile = str(profile_raw).strip() if profile_raw is not None else DEFAULT_PROFILE
    if profile not in PROFILE_SETTINGS:
        problems.append(f"profile={profile_raw!r} is not a profile; allowed: {', '.join(PROFILES)}")
        profile = DEFAULT_PROFILE

    values: dict[str, Any] = dict(PROFILE_SETTINGS[profile])
    values["profile"] = profile

    unknown: list[str] = []
    for key, raw in context.items():
        if key == "profile":
            continue
        if key not in SETTING_NAMES:
            if not _is_foreign_context_key(key):
                unknown.append(key)
            continue
        try:
            values[key] = _parser_for(key)(key, raw)
        except ValueError as err:
            problems.append(str(err))
    if unknown:
        problems.append(
            f"unknown setting(s) {', '.join(sorted(unknown))}; "
            f"allowed: {', '.join(sorted(SETTING_NAMES))}"
        )

    if values.get("region") and not values.get("account") and default_account:
        values["account"] = default_account

    config = dataclasses.replace(PlatformConfig(), **values)
    problems.extend(validate(config))
    if problems:
        raise ConfigError(problems)
    return config


def _one_of(name: str, value: Any, allowed: tuple[Any, ...]) -> str | None:
    if value in allowed:
        return None
    return f"{name}={value!r} is not allowed; allowed: {', '.join(str(a) for a in allowed)}"


def _in_range(name: str, value: int | float, low: float, high: float) -> str | None:
    if low <= value <= high:
        return None
    return f"{name}={value!r} is out of range; allowed: {low:g} to {high:g}"


def _cidr_problem(name: str, value: str, *, max_prefix: int = 32) -> str | None:
    try:
        network = ipaddress.ip_network(value, strict=True)
    except ValueError as err:
        return f"{name}={value!r} is not a CIDR block ({err}); allowed: e.g. 10.0.0.0/16"
    if network.version != 4 or network.prefixlen > max_prefix:
        return (
            f"{name}={value!r} is not allowed; allowed: an IPv4 CIDR block /{max_prefix} or larger"
        )
    return None


def validate(c: PlatformConfig) -> list[str]:
    """Every rule as (condition -> message); returns all messages for the broken ones."""
    p: list[str | None] = []

    if c.region is not None:
        p.append(_one_of("region", c.region, AWS_REGIONS))
    if c.account is not None and not re.fullmatch(r"\d{12}", c.account):
        p.append(f"account={c.account!r} is not an AWS account ID; allowed: 12 digits")
    if c.stack_name is not None and not _STACK_NAME_RE.match(c.stack_name):
        p.append(
            f"stack_name={c.stack_name!r} is not a CloudFormation stack name; allowed: a letter, "
            "then up to 127 letters, digits or hyphens"
        )

    p.append(_one_of("network_mode", c.network_mode, ("public", "nat", "endpoints")))
    p.append(_cidr_problem("vpc_cidr", c.vpc_cidr, max_prefix=20))
    p.append(_in_range("nat_gateways", c.nat_gateways, 1, 2))
    p.append(_one_of("flow_log_retention_days", c.flow_log_retention_days, LOG_RETENTION_DAYS))

    p.append(_one_of("cpu_architecture", c.cpu_architecture, ("ARM64", "X86_64")))
    if c.task_cpu not in FARGATE_SIZES:
        p.append(_one_of("task_cpu", c.task_cpu, tuple(FARGATE_SIZES)))
    elif c.task_memory_mib not in FARGATE_SIZES[c.task_cpu]:
        allowed = FARGATE_SIZES[c.task_cpu]
        p.append(
            f"task_memory_mib={c.task_memory_mib!r} is not a Fargate size for task_cpu="
            f"{c.task_cpu}; allowed: {allowed[0]} to {allowed[-1]} in steps of "
            f"{allowed[1] - allowed[0] if len(allowed) > 1 else allowed[0]}"
        )
    p.append(_in_range("server_workers", c.server_workers, 1, 32))
    p.append(_in_range("server_threads", c.server_threads, 1, 32))
    if c.job_execution:
        p.append(
            "job_execution=true is not supported by this image: it does not run MLflow's job "
            "runner (about 2 GB more per task; its endpoints were CVE-2026-0545); allowed: false"
        )
    p.append(
        _one_of(
            "auth_default_permission",
            c.auth_default_permission,
            ("NO_PERMISSIONS", "READ", "USE", "EDIT", "MANAGE"),
        )
    )
    p.append(_in_range("min_tasks", c.min_tasks, 1, 100))
    p.append(_in_range("max_tasks", c.max_tasks, 1, 100))
    if c.max_tasks < c.min_tasks:
        p.append(f"max_tasks={c.max_tasks} is below min_tasks={c.min_tasks}; allowed: >= min_tasks")
    if not c.min_tasks <= c.desired_count <= max(c.max_tasks, c.min_tasks):
        p.append(
            f"desired_count={c.desired_count} is outside min_tasks..max_tasks; "
            f"allowed: {c.min_tasks} to {c.max_tasks}"
        )
    p.append(_in_range("scale_cpu_percent", c.scale_cpu_percent, 10, 95))
    p.append(_in_range("scale_requests_per_target", c.scale_requests_per_target, 1, 1_000_000))
    p.append(_one_of("log_retention_days", c.log_retention_days, LOG_RETENTION_DAYS))
    p.append(_one_of("auth", c.auth, ("basic", "none")))
    if not _USERNAME_RE.match(c.admin_username):
        p.append(
            f"admin_username={c.admin_username!r} is not allowed; allowed: a letter, then up to "
            "63 letters, digits, '_', '.' or '-'"
        )

    if c.domain_name is not None and not _DOMAIN_RE.match(c.domain_name):
        p.append(
            f"domain_name={c.domain_name!r} is not a domain name; allowed: e.g. mlflow.example.com"
        )
    if c.certificate_arn is not None:
        if not _CERT_ARN_RE.match(c.certificate_arn):
            p.append(
                f"certificate_arn={c.certificate_arn!r} is not an ACM certificate ARN; allowed: "
                "arn:aws:acm:REGION:ACCOUNT:certificate/UUID"
            )
        elif c.region and f":acm:{c.region}:" not in c.certificate_arn:
            p.append(
                f"certificate_arn={c.certificate_arn!r} is not in region {c.region}; allowed: a "
                "certificate in the load balancer's region"
            )
    if c.hosted_zone_id is not None and not _HOSTED_ZONE_ID_RE.match(c.hosted_zone_id):
        p.append(
            f"hosted_zone_id={c.hosted_zone_id!r} is not a Route 53 hosted zone ID; allowed: "
            "e.g. Z0123456789ABCDEFGHIJ"
        )
    if c.hosted_zone_name is not None and not _DOMAIN_RE.match(c.hosted_zone_name):
        p.append(f"hosted_zone_name={c.hosted_zone_name!r} is not a domain name")
    if (c.hosted_zone_id is None) != (c.hosted_zone_name is None):
        p.append("hosted_zone_id and hosted_zone_name go together; allowed: both set or neither")
    if (c.certificate_arn or c.hosted_zone_id) and c.domain_name is None:
        p.append(
            "domain_name is required when certificate_arn or hosted_zone_id is set; allowed: "
            "the DNS name clients use, e.g. mlflow.example.com"
        )
    if (
        c.domain_name
        and c.hosted_zone_name
        and not (
            c.domain_name.lower() == c.hosted_zone_name.lower()
            or c.domain_name.lower().endswith("." + c.hosted_zone_name.lower())
        )
    ):
        p.append(
            f"domain_name={c.domain_name!r} is not inside hosted_zone_name="
            f"{c.hosted_zone_name!r}; allowed: the zone's name or a subdomain of it"
        )
    if c.domain_name and not (c.certificate_arn or c.hosted_zone_id):
        p.append(
            f"domain_name={c.domain_name!r} needs certificate_arn or hosted_zone_id (to create a "
            "DNS-validated certificate); allowed: either one"
        )
    for cidr in c.ingress_cidrs:
        p.append(_cidr_problem("ingress_cidrs", cidr))

    p.append(_one_of("db_instance_class", c.db_instance_class, DB_INSTANCE_CLASSES))
    p.append(_in_range("db_allocated_storage_gib", c.db_allocated_storage_gib, 20, 65536))
    p.append(_in_range("db_max_allocated_storage_gib", c.db_max_allocated_storage_gib, 20, 65536))
    if c.db_max_allocated_storage_gib <= c.db_allocated_storage_gib:
        p.append(
            f"db_max_allocated_storage_gib={c.db_max_allocated_storage_gib} must exceed "
            f"db_allocated_storage_gib={c.db_allocated_storage_gib} (storage autoscaling cap); "
            f"allowed: > {c.db_allocated_storage_gib}"
        )
    p.append(_in_range("db_backup_retention_days", c.db_backup_retention_days, 7, 35))
    p.append(_in_range("db_port", c.db_port, 1150, 65535))

    if not _PREFIX_RE.match(c.artifact_prefix):
        p.append(
            f"artifact_prefix={c.artifact_prefix!r} is not allowed; allowed: 1-64 letters, "
            "digits, '_', '.' or '-', starting with a letter or digit"
        )
    p.append(
        _in_range(
            "intelligent_tiering_transition_days", c.intelligent_tiering_transition_days, 0, 3650
        )
    )
    p.append(_in_range("noncurrent_version_expiry_days", c.noncurrent_version_expiry_days, 1, 3650))
    p.append(_in_range("abort_multipart_upload_days", c.abort_multipart_upload_days, 1, 365))
    p.append(_in_range("access_log_expiry_days", c.access_log_expiry_days, 1, 3650))

    if c.budget is not None and c.budget <= 0:
        p.append(f"budget={c.budget!r} is not allowed; allowed: a positive amount in USD")
    for name in ("tag_project", "tag_team", "tag_cost_center", "tag_environment"):
        value = getattr(c, name)
        if value is not None and not _TAG_VALUE_RE.match(value):
            p.append(
                f"{name}={value!r} is not a valid tag value; allowed: up to 256 letters, digits, "
                "spaces and _ . : / = + - @"
            )
    p.append(_in_range("budget_alarm_factor", c.budget_alarm_factor, 1.0, 10.0))
    if c.budget_alarm_email is not None and not _EMAIL_RE.match(c.budget_alarm_email):
        p.append(f"budget_alarm_email={c.budget_alarm_email!r} is not an email address")
    if c.budget_alarm_topic_arn is not None and not re.fullmatch(
        r"arn:aws:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}", c.budget_alarm_topic_arn
    ):
        p.append(
            f"budget_alarm_topic_arn={c.budget_alarm_topic_arn!r} is not an SNS topic ARN; "
            "allowed: arn:aws:sns:REGION:ACCOUNT:NAME"
        )
    if c.budget_alarm and not c.cost:
        p.append("budget_alarm=true needs the cost estimate (cost=on) to derive its limit")
    if c.budget_alarm and not (c.budget_alarm_email or c.budget_alarm_topic_arn):
        p.append(
            "budget_alarm=true needs budget_alarm_email or budget_alarm_topic_arn; allowed: "
            "either or both"
        )
    return [x for x in p if x]
