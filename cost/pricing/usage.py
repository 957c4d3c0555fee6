"""Usage assumptions: documented built-in defaults plus an optional YAML usage file.

A usage file has two sections, both optional:

    resource_type_defaults:          # keyed by CloudFormation type
      AWS::S3::Bucket:
        storage_gb: 200
    resources:                       # keyed by logical ID or construct path (globs allowed)
      "*/AccessLogs/Bucket":
        storage_gb: 5

For a resource, values come from (later wins): the built-in default, the type default, then
every `resources` entry whose key equals its logical ID or matches its path. Every key, type
and value is validated when the file is read; errors name the key, the value and what is
allowed, all at once.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


@dataclass(frozen=True)
class UsageKey:
    name: str
    default: float | None
    description: str
    integer: bool = False


def _keys(*keys: UsageKey) -> dict[str, UsageKey]:
    return {k.name: k for k in keys}


HOURS = UsageKey("hours_per_month", 730, "hours the resource runs per month (730 = always on)")

#: Every usage key the engine understands, per CloudFormation type, with its default.
USAGE_SCHEMA: dict[str, dict[str, UsageKey]] = {
    "AWS::ECS::Service": _keys(
        HOURS,
        UsageKey(
            "task_count",
            None,
            "average number of running tasks (default: the service's DesiredCount)",
        ),
    ),
    "AWS::RDS::DBInstance": _keys(
        HOURS,
        UsageKey(
            "backup_storage_gb",
            0,
            "backup storage beyond the free allowance (100% of provisioned storage), GB-month",
        ),
    ),
    "AWS::S3::Bucket": _keys(
        UsageKey("storage_gb", 50, "average stored data (current versions), GB"),
        UsageKey("noncurrent_storage_gb", 0, "average noncurrent-version data, GB"),
        UsageKey("monthly_tier1_requests", 100_000, "PUT, COPY, POST and LIST requests per month"),
        UsageKey("monthly_tier2_requests", 1_000_000, "GET and other requests per month"),
        UsageKey(
            "average_object_mb", 4, "average object size, MB (Intelligent-Tiering object count)"
        ),
        UsageKey(
            "data_age_days",
            365,
            "data is written evenly over this many days; lifecycle transitions and "
            "Intelligent-Tiering tiers follow from object age",
        ),
    ),
    "AWS::ElasticLoadBalancingV2::LoadBalancer": _keys(
        HOURS, UsageKey("lcu", 1, "average load balancer capacity units consumed per hour")
    ),
    "AWS::EC2::NatGateway": _keys(
        HOURS, UsageKey("data_processed_gb", 10, "data processed per month, GB")
    ),
    "AWS::EC2::VPCEndpoint": _keys(
        HOURS, UsageKey("data_processed_gb", 10, "data processed per month, GB (interface only)")
    ),
    "AWS::EC2::EIP": _keys(HOURS),
    "AWS::Logs::LogGroup": _keys(
        UsageKey("monthly_ingested_gb", 1, "log data ingested per month, GB"),
        UsageKey(
            "stored_gb",
            None,
            "log data stored, GB (default: monthly ingestion x retention in months, at most "
            "12 months for never-expiring groups; no compression assumed)",
        ),
    ),
    "AWS::EC2::FlowLog": _keys(
        UsageKey("monthly_log_gb", 1, "flow log data delivered per month, GB")
    ),
    "AWS::SecretsManager::Secret": _keys(
        UsageKey("monthly_api_calls", 1_000, "GetSecretValue and other API calls per month")
    ),
    "AWS::KMS::Key": _keys(UsageKey("monthly_requests", 10_000, "KMS API requests per month")),
    "AWS::Lambda::Function": _keys(
        UsageKey("monthly_requests", 0, "invocations per month"),
        UsageKey("average_duration_ms", 1_000, "average duration per invocation, ms"),
    ),
    "AWS::ECS::Cluster": _keys(
        UsageKey(
            "container_insights_metrics",
            None,
            "custom metrics Container Insights publishes (default: 11 per cluster plus 22 "
            "per service in the cluster)",
        ),
        UsageKey(
            "container_insights_log_gb",
            0.5,
            "Container Insights performance-log events ingested per month, GB",
        ),
    ),
}

ALL_KEYS = sorted({k for keys in USAGE_SCHEMA.values() for k in keys})


class UsageError(ValueError):
    def __init__(self, problems: list[str], source: str = "usage file") -> None:
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"invalid {source} ({len(problems)} problem(s)):\n{lines}")


def _check_value(where: str, value: Any, key: UsageKey | None = None) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"{where}={value!r} is not a number; allowed: a number >= 0"
    if value < 0:
        return f"{where}={value!r} is negative; allowed: a number >= 0"
    if key is not None and key.integer and int(value) != value:
        return f"{where}={value!r} is not a whole number"
    return None


@dataclass
class Usage:
    """The usage assumptions in force: type defaults and per-resource overrides."""

    type_defaults: dict[str, dict[str, float]]
    resources: dict[str, dict[str, float]]
    source: str | None = None

    @classmethod
    def empty(cls) -> Usage:
        return cls({}, {}, None)

    @classmethod
    def from_file(cls, path: str | Path) -> Usage:
        text = Path(path).read_text(encoding="utf-8")
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as err:
            raise UsageError([f"not valid YAML: {err}"], str(path)) from None
        return cls.from_mapping(data or {}, source=str(path))

    @classmethod
    def from_mapping(cls, data: Any, *, source: str = "usage file") -> Usage:
        problems: list[str] = []
        if not isinstance(data, dict):
            raise UsageError(["top level must be a mapping"], source)
        for section in data:
            if section not in ("resource_type_defaults", "resources", "version"):
                problems.append(
                    f"{section}: unknown section; allowed: resource_type_defaults, resources"
                )
        type_defaults: dict[str, dict[str, float]] = {}
        raw_types = data.get("resource_type_defaults") or {}
        if not isinstance(raw_types, dict):
            problems.append("resource_type_defaults: must map CloudFormation types to keys")
            raw_types = {}
        for rtype, values in raw_types.items():
            where = f"resource_type_defaults.{rtype}"
            schema = USAGE_SCHEMA.get(rtype)
            if schema is None:
                problems.append(
                    f"{where}: no usage keys for this type; types with usage: "
                    f"{', '.join(sorted(USAGE_SCHEMA))}"
                )
                continue
            if not isinstance(values, dict):
                problems.append(f"{where}: must map usage keys to numbers")
                continue
            for key, value in values.items():
                if key not in schema:
                    problems.append(
                        f"{where}.{key}: unknown key; allowed: {', '.join(sorted(schema))}"
                    )
                    continue
                problem = _check_value(f"{where}.{key}", value, schema[key])
                if problem:
                    problems.append(problem)
            type_defaults[rtype] = {
                k: float(v)
                for k, v in values.items()
                if k in schema and _check_value("", v) is None
            }
        resources: dict[str, dict[str, float]] = {}
        raw_resources = data.get("resources") or {}
        if not isinstance(raw_resources, dict):
            problems.append("resources: must map logical IDs or paths to keys")
            raw_resources = {}
        for name, values in raw_resources.items():
            where = f"resources.{name}"
            if not isinstance(values, dict):
                problems.append(f"{where}: must map usage keys to numbers")
                continue
            for key, value in values.items():
                if key not in ALL_KEYS:
                    problems.append(f"{where}.{key}: unknown key; allowed: {', '.join(ALL_KEYS)}")
                    continue
                problem = _check_value(f"{where}.{key}", value)
                if problem:
                    problems.append(problem)
            resources[str(name)] = {
                k: float(v)
                for k, v in values.items()
                if k in ALL_KEYS and _check_value("", v) is None
            }
        if problems:
            raise UsageError(problems, source)
        return cls(type_defaults, resources, source)

    def for_resource(
        self, resource_type: str, logical_id: str, path: str | None
    ) -> tuple[dict[str, float | None], list[str]]:
        """Usage values for one resource, and the names of the overrides that applied.

        Raises UsageError when a per-resource entry sets a key this type does not have.
        """
        schema = USAGE_SCHEMA.get(resource_type, {})
        values: dict[str, float | None] = {k: v.default for k, v in schema.items()}
        values.update(self.type_defaults.get(resource_type, {}))
        applied: list[str] = []
        for name, overrides in self.resources.items():
            if name == logical_id or (path is not None and fnmatch.fnmatchcase(path, name)):
                bad = [k for k in overrides if k not in schema]
                if bad:
                    raise UsageError(
                        [
                            f"resources.{name}.{k}: not a usage key of {resource_type} "
                            f"({logical_id}); allowed: {', '.join(sorted(schema)) or 'none'}"
                            for k in bad
                        ],
                        self.source or "usage file",
                    )
                values.update(overrides)
                applied.append(name)
        return values, applied

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "resourceTypeDefaults": self.type_defaults,
            "resources": self.resources,
        }


def builtin_defaults_json() -> dict[str, dict[str, Any]]:
    """The built-in defaults, for the report and the README."""
    return {
        rtype: {k.name: k.default for k in keys.values()} for rtype, keys in USAGE_SCHEMA.items()
    }
