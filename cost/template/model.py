"""What resolving a template produces: resources as CloudFormation would create them.

Property values are plain data where they could be resolved offline; where not, they are
left as the intrinsic function itself (``{"Ref": "Vpc"}``, ``{"Fn::GetAtt": ["Db", "Arn"]}``,
``{"Fn::ImportValue": "..."}``), with any arguments that could be resolved already resolved,
so a reader can still tell which resource a value points at.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

ParameterSource = Literal["supplied", "Default", "unknown"]


@dataclass(frozen=True)
class ParameterValue:
    """A template parameter and the value used for it.

    `value` is a string, a list of strings for the list types, or None when unknown
    (then `note` says why).
    """

    name: str
    type: str
    value: str | list[str] | None
    source: ParameterSource
    no_echo: bool = False
    note: str = ""


@dataclass
class ResolvedResource:
    """One resource that would be deployed (or might be: see `condition_known`)."""

    logical_id: str
    type: str
    properties: dict[str, Any]
    metadata: dict[str, Any] = field(default_factory=dict)
    #: The resource's Condition, if it has one; its value is True or unknown.
    condition: str | None = None
    condition_known: bool = True
    #: Plain sentences: what was assumed to resolve this resource's values.
    assumptions: list[str] = field(default_factory=list)
    #: The AWS::Serverless::* resource this one comes from (its logical ID and type).
    sam_source: tuple[str, str] | None = None

    @property
    def path(self) -> str | None:
        """The CDK construct path (Metadata ``aws:cdk:path``), if any."""
        value = self.metadata.get("aws:cdk:path")
        return value if isinstance(value, str) else None


@dataclass(frozen=True)
class NotDeployed:
    """A resource whose Condition is false: CloudFormation does not create it."""

    logical_id: str
    type: str
    condition: str


@dataclass(frozen=True)
class NestedStack:
    """An AWS::CloudFormation::Stack: the caller may load and resolve its template too.

    `template_url` is resolved as far as possible (a string, or an unresolved intrinsic);
    `asset_path` is the file CDK wrote for it (Metadata ``aws:asset:path``) when present.
    `parameters` are the values passed to the child, resolved as far as possible.
    """

    logical_id: str
    template_url: Any
    parameters: dict[str, Any]
    asset_path: str | None = None

    def local_template(self, base_dir: str | Path) -> Path | None:
        """The child template's file under `base_dir`, if it is a local file that exists.

        Looks at CDK's asset path first, then at a TemplateURL that is a relative path or a
        ``file://`` URL (as ``aws cloudformation package`` takes them).
        """
        base = Path(base_dir)
        candidates: list[str] = []
        if self.asset_path:
            candidates.append(self.asset_path)
        url = self.template_url
        if isinstance(url, str) and "://" not in url:
            candidates.append(url)
        elif isinstance(url, str) and url.startswith("file://"):
            candidates.append(url.removeprefix("file://"))
        for candidate in candidates:
            path = Path(candidate)
            path = path if path.is_absolute() else base / path
            if path.is_file():
                return path
        return None

    def child_parameters(self) -> tuple[dict[str, str], list[str]]:
        """(known values as CloudFormation passes them, names of the unknown ones).

        Pass them to `resolve_template` of the child as ``parameters=`` and
        ``unknown_parameters=``: a value the parent cannot know must not fall back to the
        child's Default.
        """
        known: dict[str, str] = {}
        unknown: list[str] = []
        for name, value in self.parameters.items():
            text = _parameter_text(value)
            if text is None:
                unknown.append(name)
            else:
                known[name] = text
        return known, unknown


def _parameter_text(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    if isinstance(value, list) and all(
        isinstance(item, (str, int, float)) and not isinstance(item, bool) for item in value
    ):
        return ",".join(str(item) for item in value)
    return None


@dataclass
class ResolvedTemplate:
    """A template resolved for one region, account and set of parameter values."""

    region: str
    resources: dict[str, ResolvedResource]
    not_deployed: list[NotDeployed]
    parameters: dict[str, ParameterValue]
    #: Every condition: True, False, or None when not known offline.
    conditions: dict[str, bool | None]
    #: Outputs that would exist, their values resolved as far as possible.
    outputs: dict[str, Any]
    nested_stacks: list[NestedStack]
    transforms: list[str]
    #: Template-wide assumptions (unknown pseudo parameters, transforms not run, ...).
    assumptions: list[str]

    def to_template(self) -> dict[str, Any]:
        """The resolved resources as a template (``{"Resources": {...}}``), for readers of
        plain templates. Resources that are not deployed are left out."""
        resources: dict[str, Any] = {}
        for logical_id, resource in self.resources.items():
            body: dict[str, Any] = {"Type": resource.type, "Properties": resource.properties}
            if resource.metadata:
                body["Metadata"] = resource.metadata
            resources[logical_id] = body
        return {"Resources": resources}
