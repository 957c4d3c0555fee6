"""The artifact bucket's storage-class model for the run pricer: from a template (the
bucket's lifecycle rules and Intelligent-Tiering configurations), from the same properties
as JSON (what the stack's scheduled task is given), or S3's default (everything Standard)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cost.pricing.storage import BucketRules, read_bucket_rules
from cost.template import TemplateError
from cost.template.load import load_template_file

BUCKET = "AWS::S3::Bucket"


class BucketError(ValueError):
    """The bucket's rules cannot be read; the message names the option and the value."""


class StrictReader:
    """Reads bucket properties that must be concrete: bad values raise BucketError; what the
    estimate would assume is collected in `notes`."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.notes: list[str] = []

    def number(self, value: Any, default: float, what: str) -> float:
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise BucketError(f"{self.where}: {what} {value!r} is not a number")
        try:
            return float(value)
        except ValueError:
            raise BucketError(f"{self.where}: {what} {value!r} is not a number") from None

    def text(self, value: Any, default: str, what: str) -> str:
        if value is None:
            return default
        if not isinstance(value, str):
            raise BucketError(f"{self.where}: {what} {value!r} is not a string")
        return value

    def assume(self, text: str) -> None:
        if "scoped" not in text:  # the run pricer applies prefixes and sizes object by object
            self.notes.append(text)


def rules_from_properties(text: str, where: str = "--bucket-properties") -> BucketRules:
    try:
        props = json.loads(text)
    except ValueError as err:
        raise BucketError(f"{where}: not valid JSON ({err})") from None
    if not isinstance(props, dict):
        raise BucketError(
            f"{where}: must be a JSON object of AWS::S3::Bucket properties "
            "(LifecycleConfiguration, IntelligentTieringConfigurations)"
        )
    return read_bucket_rules(props, StrictReader(where))


def rules_from_template(spec: str) -> tuple[BucketRules, str]:
    """PATH[#LOGICAL_ID]: a template file or a cdk.out directory; without an id, the one
    bucket with lifecycle transitions. Returns the rules and which bucket they came from."""
    path_text, _, wanted = spec.partition("#")
    path = Path(path_text)
    if not path.exists():
        raise BucketError(
            f"--artifact-bucket {spec!r}: {path_text} does not exist; allowed: a template file "
            "or a cdk.out directory, optionally followed by #LOGICAL_ID"
        )
    files = sorted(path.glob("*.template.json")) if path.is_dir() else [path]
    candidates: dict[str, dict[str, Any]] = {}
    for file in files:
        try:
            template = load_template_file(file)
        except (TemplateError, OSError) as err:
            raise BucketError(f"--artifact-bucket {spec!r}: {err}") from None
        for logical_id, resource in (template.get("Resources") or {}).items():
            if isinstance(resource, dict) and resource.get("Type") == BUCKET:
                candidates[logical_id] = resource.get("Properties") or {}
    if wanted:
        if wanted not in candidates:
            raise BucketError(
                f"--artifact-bucket {spec!r}: no bucket {wanted!r}; buckets: "
                f"{', '.join(sorted(candidates)) or 'none'}"
            )
        chosen = wanted
    else:
        with_transitions = [lid for lid, props in candidates.items() if _has_transitions(props)]
        if len(with_transitions) != 1:
            raise BucketError(
                f"--artifact-bucket {spec!r}: {len(with_transitions)} buckets have lifecycle "
                f"transitions ({', '.join(sorted(with_transitions)) or 'none'}); name one as "
                f"PATH#LOGICAL_ID (buckets: {', '.join(sorted(candidates)) or 'none'})"
            )
        chosen = with_transitions[0]
    return read_bucket_rules(
        candidates[chosen], StrictReader(f"--artifact-bucket {chosen}")
    ), chosen


def _has_transitions(props: dict[str, Any]) -> bool:
    rules = (props.get("LifecycleConfiguration") or {}).get("Rules") or []
    return any(isinstance(r, dict) and (r.get("Transitions") or r.get("Transition")) for r in rules)
