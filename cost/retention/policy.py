"""Retention policies: which runs to delete, which artifacts to archive, which to never touch.

    grace_days: 7                  # soft-deleted runs are permanently deleted after this
    rules:
      - experiments: ["vision-*"]  # experiment name globs (fnmatch, case-sensitive) ...
        experiment_tags: {team: vision}   # ... and/or experiment tags (all must match)
        delete_runs_older_than_days: 90
        keep_newest: 10            # the newest 10 runs of each experiment are always kept
        keep_tags: [keep, production, "stage=prod"]   # a run tag (any value) or tag=value
        archive_artifacts_older_than_days: 30

An experiment is governed by the first rule that matches it; experiments no rule matches are
not touched. A rule must match on something (`experiments` or `experiment_tags`) and do
something (delete or archive). Ages are counted from the run's end time (its start time if it
has none). Every error names the field, the bad value and what is allowed.
"""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

DEFAULT_GRACE_DAYS = 7
DEFAULT_KEEP_TAGS = ("keep",)
MAX_DAYS = 36_500
_TOP = {"grace_days", "rules"}
_RULE = {
    "name",
    "experiments",
    "experiment_tags",
    "delete_runs_older_than_days",
    "keep_newest",
    "keep_tags",
    "archive_artifacts_older_than_days",
}


class PolicyError(ValueError):
    """The policy is malformed; the message names the field, the value and what is allowed."""


@dataclass(frozen=True)
class KeepTag:
    key: str
    value: str | None = None  # None: any value

    def matches(self, tags: dict[str, str]) -> bool:
        if self.key not in tags:
            return False
        return self.value is None or tags[self.key] == self.value

    def __str__(self) -> str:
        return self.key if self.value is None else f"{self.key}={self.value}"


@dataclass(frozen=True)
class Rule:
    name: str
    experiments: tuple[str, ...] = ()
    experiment_tags: tuple[tuple[str, str], ...] = ()
    delete_after_days: int | None = None
    keep_newest: int = 0
    keep_tags: tuple[KeepTag, ...] = tuple(KeepTag(t) for t in DEFAULT_KEEP_TAGS)
    archive_after_days: int | None = None

    def matches(self, name: str, tags: dict[str, str]) -> bool:
        if self.experiments and not any(fnmatch.fnmatchcase(name, g) for g in self.experiments):
            return False
        return all(tags.get(k) == v for k, v in self.experiment_tags)

    def kept_by_tag(self, tags: dict[str, str]) -> KeepTag | None:
        return next((t for t in self.keep_tags if t.matches(tags)), None)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name}
        if self.experiments:
            out["experiments"] = list(self.experiments)
        if self.experiment_tags:
            out["experiment_tags"] = dict(self.experiment_tags)
        if self.delete_after_days is not None:
            out["delete_runs_older_than_days"] = self.delete_after_days
        if self.keep_newest:
            out["keep_newest"] = self.keep_newest
        out["keep_tags"] = [str(t) for t in self.keep_tags]
        if self.archive_after_days is not None:
            out["archive_artifacts_older_than_days"] = self.archive_after_days
        return out


@dataclass(frozen=True)
class Policy:
    rules: tuple[Rule, ...]
    grace_days: int = DEFAULT_GRACE_DAYS
    source: str = field(default="", compare=False)

    def rule_for(self, name: str, tags: dict[str, str]) -> Rule | None:
        return next((r for r in self.rules if r.matches(name, tags)), None)

    def to_json(self) -> dict[str, Any]:
        return {"grace_days": self.grace_days, "rules": [r.to_json() for r in self.rules]}


def policy_json(policy: Policy) -> str:
    """The policy as compact JSON (what the stack's scheduled task is given); parses back to
    an equal policy."""
    return json.dumps(policy.to_json(), sort_keys=True, separators=(",", ":"))


def load_policy_file(path: str | Path) -> Policy:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as err:
        raise PolicyError(f"{path}: {err.strerror or err}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise PolicyError(f"{path}: not valid YAML ({err})") from None
    return parse_policy(data, str(path))


def parse_policy_json(text: str, where: str = "--policy-json") -> Policy:
    try:
        data = json.loads(text)
    except ValueError as err:
        raise PolicyError(f"{where}: not valid JSON ({err})") from None
    return parse_policy(data, where)


def _days(value: Any, where: str, *, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= MAX_DAYS:
        raise PolicyError(
            f"{where}: {value!r} is not a whole number of days from {minimum} to {MAX_DAYS}"
        )
    return value


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        raise PolicyError(f"{where}: {value!r} is not a non-empty list of strings")
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise PolicyError(f"{where}[{i}]: {item!r} is not a non-empty string")
    return tuple(value)


def parse_policy(data: Any, where: str) -> Policy:
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise PolicyError(f"{where}: needs a top-level 'rules' list (and optionally grace_days)")
    unknown = set(map(str, data)) - _TOP
    if unknown:
        raise PolicyError(
            f"{where}: unknown key(s) {', '.join(sorted(unknown))}; allowed: "
            f"{', '.join(sorted(_TOP))}"
        )
    grace = _days(data.get("grace_days", DEFAULT_GRACE_DAYS), "grace_days")
    if not data["rules"]:
        raise PolicyError(f"{where}: rules: the list is empty; a policy needs at least one rule")
    rules: list[Rule] = []
    names: set[str] = set()
    for i, item in enumerate(data["rules"]):
        rule = _rule(item, f"rules[{i}]")
        if rule.name in names:
            raise PolicyError(f"rules[{i}].name: {rule.name!r} is used by an earlier rule")
        names.add(rule.name)
        rules.append(rule)
    return Policy(tuple(rules), grace, source=where)


def _rule(item: Any, at: str) -> Rule:
    if not isinstance(item, dict):
        raise PolicyError(f"{at}: {item!r} is not a mapping of rule fields")
    unknown = set(map(str, item)) - _RULE
    if unknown:
        raise PolicyError(
            f"{at}: unknown key(s) {', '.join(sorted(unknown))}; allowed: "
            f"{', '.join(sorted(_RULE))}"
        )
    name = item.get("name", at)
    if not isinstance(name, str) or not name.strip():
        raise PolicyError(f"{at}.name: {name!r} is not a non-empty string")
    experiments = (
        _strings(item["experiments"], f"{at}.experiments") if "experiments" in item else ()
    )
    tags: tuple[tuple[str, str], ...] = ()
    if "experiment_tags" in item:
        raw = item["experiment_tags"]
        if not isinstance(raw, dict) or not raw:
            raise PolicyError(
                f"{at}.experiment_tags: {raw!r} is not a non-empty mapping of tag: value"
            )
        for key, value in raw.items():
            if not isinstance(key, str) or not isinstance(value, (str, int, float)):
                raise PolicyError(
                    f"{at}.experiment_tags.{key}: {value!r} is not a tag value (a string)"
                )
        tags = tuple(sorted((k, str(v)) for k, v in raw.items()))
    if not experiments and not tags:
        raise PolicyError(
            f"{at}: matches no experiment; give experiments (name globs) or experiment_tags"
        )
    delete = item.get("delete_runs_older_than_days")
    delete_days = None if delete is None else _days(delete, f"{at}.delete_runs_older_than_days")
    archive = item.get("archive_artifacts_older_than_days")
    archive_days = (
        None if archive is None else _days(archive, f"{at}.archive_artifacts_older_than_days")
    )
    keep_newest = item.get("keep_newest", 0)
    if isinstance(keep_newest, bool) or not isinstance(keep_newest, int) or keep_newest < 0:
        raise PolicyError(f"{at}.keep_newest: {keep_newest!r} is not a whole number >= 0")
    if delete_days is None and archive_days is None:
        raise PolicyError(
            f"{at}: does nothing; give delete_runs_older_than_days or "
            "archive_artifacts_older_than_days"
        )
    if "keep_newest" in item and delete_days is None:
        raise PolicyError(
            f"{at}.keep_newest: only applies with delete_runs_older_than_days (which is missing)"
        )
    keep_tags = tuple(KeepTag(t) for t in DEFAULT_KEEP_TAGS)
    if "keep_tags" in item:
        parsed = []
        listed = item["keep_tags"]
        texts = () if listed == [] else _strings(listed, f"{at}.keep_tags")
        for j, text in enumerate(texts):
            key, eq, value = text.partition("=")
            if not key.strip():
                raise PolicyError(f"{at}.keep_tags[{j}]: {text!r} has no tag name")
            parsed.append(KeepTag(key.strip(), value if eq else None))
        keep_tags = tuple(parsed)
    return Rule(
        name=name,
        experiments=experiments,
        experiment_tags=tags,
        delete_after_days=delete_days,
        keep_newest=keep_newest,
        keep_tags=keep_tags,
        archive_after_days=archive_days,
    )
