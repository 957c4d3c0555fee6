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

from cost.pricing import usage_schema
from cost.pricing.registry import UsageKey

#: Every usage key the engine understands, per CloudFormation type, with its default: derived
#: from the pricing declarations (`cost.pricing.registry`).
USAGE_SCHEMA: dict[str, dict[str, UsageKey]] = usage_schema()

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
