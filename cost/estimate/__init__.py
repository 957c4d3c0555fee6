"""Estimating: one resource, one stack (with its nested stacks), a cloud assembly.

`Estimator.price_resource` is the single place a resource becomes a priced line, a free line
or an unsupported line; the CDK aspect (tags), the CDK validation plugin (report and
guardrails) and the template CLI all go through it.

A stack comes in as a `StackSource`: its template, the region, parameter values, where its
nested-stack templates live, and (for CDK apps whose templates carry no path metadata) the
construct path of each logical ID. `Estimator.estimate` returns one `StackCost` per stack,
nested stacks included, each named after its parent (`Parent/NestedLogicalId`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cost.catalog import PriceCatalog, PriceNotFound, default_catalog
from cost.model import CostReport, ListedResource, ResourceCost, StackCost, money
from cost.pricing import PRICED, Free, PricingContext, Resource, Unpriceable, free_reason
from cost.pricing.context import BadUsage, ResourceIndex, UsageValues
from cost.pricing.retired import retired_reason
from cost.pricing.usage import Usage, UsageError, builtin_defaults_json
from cost.template import (
    NestedStack,
    ResolvedResource,
    ResolvedTemplate,
    TemplateError,
    load_template_file,
    resolve_template,
)

DEFAULT_REGION = "us-east-1"
AGNOSTIC_REASON = f"environment-agnostic stack: priced in {DEFAULT_REGION}"
NESTED_STACK = "AWS::CloudFormation::Stack"
#: How deep nested stacks are followed (CloudFormation itself allows deeper, rarely used).
MAX_NESTING = 10

Outcome = tuple[str, ResourceCost | ListedResource]  # ("priced"|"free"|"unsupported", line)
REMOTE_SCHEMES = ("http://", "https://", "s3://")
NESTED_TEMPLATE_OPTION = "--nested-template"
NESTED_DIRECTORY_OPTION = "--nested-templates"


@dataclass(frozen=True)
class NestedTemplates:
    """Local copies of nested-stack templates that CloudFormation would read from a remote
    `TemplateURL` (the CLI's `--nested-template URL=FILE` and `--nested-templates DIR`).

    An exact URL mapping wins; else each directory, in order, is searched for the URL's last
    path component (`https://bucket.s3.amazonaws.com/infra/vpc.yaml` -> `DIR/vpc.yaml`).
    Nothing is fetched: a URL neither option covers stays unsupported with the reason.
    """

    by_url: Mapping[str, Path] = field(default_factory=dict)
    directories: tuple[Path, ...] = ()

    def find(self, url: str) -> tuple[Path, str] | None:
        """The local file for `url` and the option (with its value) that supplied it."""
        if url in self.by_url:
            path = self.by_url[url]
            return path, f"{NESTED_TEMPLATE_OPTION} {url}={path}"
        name = url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
        for directory in self.directories:
            candidate = directory / name
            if name and candidate.is_file():
                return candidate, f"{NESTED_DIRECTORY_OPTION} {directory} ({name})"
        return None

    def describe(self) -> str:
        """What was searched, for the reason of a URL not covered."""
        searched = [f"{NESTED_TEMPLATE_OPTION} mappings"] if self.by_url else []
        searched += [f"{NESTED_DIRECTORY_OPTION} {d}" for d in self.directories]
        return ", ".join(searched)


def parse_nested_templates(mappings: list[str], directories: list[str]) -> NestedTemplates:
    """The CLI's nested-template options, checked: a TemplateError names the option and value
    (a mapping that is not URL=FILE, a file that is missing or not a template, a directory
    that is not one)."""
    by_url: dict[str, Path] = {}
    for value in mappings:
        url, sep, file = value.partition("=")
        if not sep or not url.startswith(REMOTE_SCHEMES) or not file:
            raise TemplateError(
                f"{value!r}: expected URL=FILE, the remote TemplateURL (http://, https:// or "
                "s3://) and the local template file that stands in for it",
                source=NESTED_TEMPLATE_OPTION,
            )
        if url in by_url and by_url[url] != Path(file):
            raise TemplateError(
                f"{url} is mapped twice ({by_url[url]} and {file}); allowed: one file per URL",
                source=NESTED_TEMPLATE_OPTION,
            )
        path = Path(file)
        if not path.is_file():
            raise TemplateError(
                f"{value!r}: {file} is not a file; allowed: a template file (JSON or YAML)",
                source=NESTED_TEMPLATE_OPTION,
            )
        try:
            load_template(path)
        except (OSError, ValueError) as err:
            raise TemplateError(
                f"{value!r}: not a valid template ({err})", source=NESTED_TEMPLATE_OPTION
            ) from None
        by_url[url] = path
    for value in directories:
        if not Path(value).is_dir():
            raise TemplateError(
                f"{value!r} is not a directory; allowed: a directory of template files named "
                "as the last path component of their TemplateURL",
                source=NESTED_DIRECTORY_OPTION,
            )
    return NestedTemplates(by_url, tuple(Path(d) for d in directories))


class TemplateIndex:
    """A ResourceIndex over a template's Resources section."""

    def __init__(self, template: Mapping[str, Any], paths: Mapping[str, str] | None = None) -> None:
        self._resources: dict[str, Resource] = {}
        resources = template.get("Resources")
        for logical_id, body in (resources if isinstance(resources, dict) else {}).items():
            if not isinstance(body, dict):
                continue
            metadata = body.get("Metadata")
            path = metadata.get("aws:cdk:path") if isinstance(metadata, dict) else None
            if not isinstance(path, str):
                path = (paths or {}).get(str(logical_id))
            properties = body.get("Properties")
            self._resources[str(logical_id)] = Resource(
                logical_id=str(logical_id),
                type=str(body.get("Type", "")),
                properties=properties if isinstance(properties, dict) else {},
                path=path,
            )
        self._by_type: dict[str, list[Resource]] = {}
        for resource in self._resources.values():
            self._by_type.setdefault(resource.type, []).append(resource)

    def get(self, logical_id: str) -> Resource | None:
        return self._resources.get(logical_id)

    def of_type(self, resource_type: str) -> list[Resource]:
        return list(self._by_type.get(resource_type, []))

    def __iter__(self) -> Iterator[Resource]:
        return iter(self._resources.values())


@dataclass
class StackSource:
    """A stack to price: its template and what CloudFormation would deploy it with."""

    name: str
    template: dict[str, Any]
    region: str | None = None
    account: str | None = None
    parameters: dict[str, str] = field(default_factory=dict)
    #: Where nested-stack templates are looked up (cdk.out, or the template's folder).
    directory: Path | None = None
    #: The template's file name in its cloud assembly (joins CDK tags to report lines).
    template_file: str | None = None
    #: Logical ID -> construct path, for templates synthesized without path metadata.
    paths: dict[str, str] = field(default_factory=dict)
    #: The stack's construct path in its CDK app (the manifest's displayName).
    construct_path: str | None = None
    #: Parameters given a value that is not known offline (a nested stack's, from its parent).
    unknown_parameters: list[str] = field(default_factory=list)
    #: Local stand-ins for nested-stack templates at remote URLs (passed down to children).
    nested_templates: NestedTemplates = field(default_factory=NestedTemplates)


@dataclass
class Estimator:
    catalog: PriceCatalog
    usage: Usage

    @classmethod
    def create(cls, usage_file: str | Path | None = None) -> Estimator:
        usage = Usage.from_file(usage_file) if usage_file else Usage.empty()
        return cls(default_catalog(), usage)

    def price_resource(self, resource: Resource, region: str, index: ResourceIndex) -> Outcome:
        listed = ListedResource(resource.logical_id, resource.type, resource.path)
        reason = free_reason(resource.type)
        if reason is not None:
            return "free", _with_reason(listed, reason)
        declaration = PRICED.get(resource.type)
        if declaration is None:
            retired = retired_reason(resource.type)
            return "unsupported", _with_reason(
                listed, retired or "no pricing function for this type"
            )
        values, applied = self.usage.for_resource(resource.type, resource.logical_id, resource.path)
        ctx = PricingContext(
            region=region,
            catalog=self.catalog,
            usage=UsageValues(resource.type, values),
            index=index,
            price_shapes=declaration.price_shapes,
        )
        try:
            components = declaration.price(resource, ctx)
        except (AttributeError, TypeError, ValueError, KeyError, IndexError) as err:
            # A property of a shape the function does not read (a string where CloudFormation
            # wants a list, an unresolved value inside a list): reported, never a traceback.
            reason = (
                f"a property has a shape the pricing function cannot read "
                f"({type(err).__name__}: {err}); not priced"
            )
            return "unsupported", _with_reason(listed, reason)
        except BadUsage as why:
            raise UsageError(
                [f"{resource.type} {resource.logical_id}: {why}"],
                self.usage.source or "built-in usage defaults",
            ) from None
        except Free as why:
            return "free", _with_reason(listed, str(why))
        except PriceNotFound as why:
            return "unsupported", _with_reason(listed, str(why), why.service, why.region)
        except Unpriceable as why:
            return "unsupported", _with_reason(listed, str(why))
        assumptions = list(ctx.assumptions)
        if applied:
            assumptions.append(f"usage from usage file entries: {', '.join(applied)}")
        usage_used = {k: v for k, v in values.items() if v is not None}
        return "priced", ResourceCost(
            logical_id=resource.logical_id,
            type=resource.type,
            path=resource.path,
            components=components,
            assumptions=assumptions,
            usage=usage_used,
        )

    def estimate(self, sources: list[StackSource], *, region: str | None = None) -> list[StackCost]:
        """Every stack of `sources` and their nested stacks; `region` overrides theirs."""
        stacks: list[StackCost] = []
        for source in sources:
            stacks += self._estimate_stack(source, region or source.region, depth=0)
        return stacks

    def estimate_template(
        self, template: dict[str, Any], *, name: str, region: str | None
    ) -> StackCost:
        """One template without nested stacks (tests and simple callers)."""
        return self._estimate_stack(StackSource(name, template), region, depth=MAX_NESTING)[0]

    def _estimate_stack(
        self, source: StackSource, region: str | None, *, depth: int
    ) -> list[StackCost]:
        pricing_region, region_source = resolve_region(region)
        self.catalog.check_region(pricing_region)
        stack = StackCost(
            name=source.name,
            region=pricing_region,
            region_source=region_source,
            template_file=source.template_file,
            construct_path=source.construct_path,
        )
        # CloudFormation semantics: parameters (supplied, else Default), pseudo parameters
        # (the pricing region), conditions, intrinsic functions, Fn::ForEach, SAM.
        resolved = resolve_template(
            source.template,
            region=pricing_region,
            account=source.account,
            stack_name=source.name,
            parameters=source.parameters,
            unknown_parameters=source.unknown_parameters,
            source=source.template_file or source.name,
        )
        stack.assumptions = _stack_assumptions(resolved)
        index = TemplateIndex(resolved.to_template(), source.paths)
        nested_by_id = {n.logical_id: n for n in resolved.nested_stacks}
        nested: list[StackCost] = []
        for resource in index:
            stack.subjects[resource.logical_id] = resource
            if resource.type == NESTED_STACK:
                children, line = self._nested(
                    source, resource, nested_by_id.get(resource.logical_id), pricing_region, depth
                )
                nested += children
                add_line(stack, "free" if children else "unsupported", line)
                continue
            kind, outcome = self.price_resource(resource, pricing_region, index)
            notes = resolved.resources[resource.logical_id]
            if isinstance(outcome, ResourceCost):
                outcome.assumptions[:0] = _resource_assumptions(notes)
            add_line(stack, kind, outcome)
        for skipped in resolved.not_deployed:
            path = _metadata(source.template, skipped.logical_id).get("aws:cdk:path")
            listed = ListedResource(
                skipped.logical_id,
                skipped.type,
                path if isinstance(path, str) else source.paths.get(skipped.logical_id),
                f"not deployed: Condition {skipped.condition} is false",
            )
            add_line(stack, "not-deployed", listed)
            stack.subjects[skipped.logical_id] = Resource(
                skipped.logical_id, skipped.type, {}, listed.path
            )
        missing = sorted(
            {
                line.price_gap[0]
                for line in stack.unsupported
                if line.price_gap and not self.catalog.has_region(*line.price_gap)
            }
        )
        if missing:
            stack.pricing_gap = (
                f"the price catalog has no {', '.join(missing)} prices for {pricing_region}: "
                "the resources that need them are listed as unsupported, out of the total"
            )
        return [stack, *nested]

    def _nested(
        self,
        parent: StackSource,
        resource: Resource,
        declared: NestedStack | None,
        region: str,
        depth: int,
    ) -> tuple[list[StackCost], ListedResource]:
        """Price a nested stack whose template is local; else list it with the reason."""
        listed = ListedResource(resource.logical_id, resource.type, resource.path)
        if depth >= MAX_NESTING:
            return [], _with_reason(listed, f"nested deeper than {MAX_NESTING} levels: not priced")
        location = nested_template_path(parent, resource)
        if isinstance(location, str):
            return [], _with_reason(listed, location)
        url = resource.properties.get("TemplateURL")
        supplied = parent.nested_templates.find(url) if isinstance(url, str) else None
        try:
            template = load_template(location)
        except (OSError, ValueError) as err:
            if supplied is not None and supplied[0] == location:
                # The user named this file: bad input (exit 2), never a silent gap.
                raise TemplateError(
                    f"{location} (for {resource.logical_id}'s TemplateURL) is not a valid "
                    f"template: {err}",
                    source=supplied[1],
                ) from None
            return [], _with_reason(listed, f"nested template {location.name} unreadable: {err}")
        known, unknown = declared.child_parameters() if declared else ({}, [])
        child = StackSource(
            name=f"{parent.name}/{resource.logical_id}",
            template=template,
            region=region,
            account=parent.account,
            parameters=known,
            unknown_parameters=unknown,
            directory=location.parent,
            template_file=location.name,
            construct_path=f"{parent.construct_path}/{resource.logical_id}"
            if parent.construct_path
            else None,
            nested_templates=parent.nested_templates,
        )
        stacks = self._estimate_stack(child, region, depth=depth + 1)
        # The nested stack's cost is its template's (children included), counted once: on
        # the child stacks' lines, so the parent lists the resource with that total.
        total = money(sum(s.monthly_cost for s in stacks))
        unsupported = sum(len(s.unsupported) for s in stacks)
        gaps = f", {unsupported} unsupported resource(s) listed there" if unsupported else ""
        reason = f"its resources are priced as stack {child.name} ({total:.2f} USD/month{gaps})"
        return stacks, _with_reason(listed, reason)

    def report(self, stacks: list[StackCost], warnings: list[str] | None = None) -> CostReport:
        notes = list(warnings or [])
        for stack in stacks:
            if stack.pricing_gap:
                notes.append(f"{stack.name}: {stack.pricing_gap}")
        return CostReport(
            stacks=stacks,
            catalog=dict(self.catalog.meta),
            usage_assumptions={
                "builtinDefaults": builtin_defaults_json(),
                "usageFile": self.usage.to_json(),
            },
            warnings=notes,
        )


def _stack_assumptions(resolved: ResolvedTemplate) -> list[str]:
    notes: list[str] = []
    for parameter in resolved.parameters.values():
        if parameter.source == "unknown":
            notes.append(f"parameter {parameter.name}: {parameter.note or 'value not known'}")
        elif parameter.no_echo:
            notes.append(f"parameter {parameter.name}: {parameter.source} value (NoEcho)")
        else:
            value = parameter.value
            shown = ",".join(value) if isinstance(value, list) else value
            notes.append(f"parameter {parameter.name} = {shown!r} ({parameter.source})")
    for name, known in resolved.conditions.items():
        state = "not known offline" if known is None else str(known).lower()
        notes.append(f"condition {name} is {state}")
    notes += resolved.assumptions
    return notes


def _resource_assumptions(resource: ResolvedResource) -> list[str]:
    notes = list(resource.assumptions)
    if resource.sam_source:
        notes.append(
            f"created by the SAM transform from {resource.sam_source[1]} {resource.sam_source[0]}"
        )
    if resource.condition and not resource.condition_known:
        notes.append(f"its Condition {resource.condition} is not known offline: assumed deployed")
    return notes


def nested_template_path(parent: StackSource, resource: Resource) -> Path | str:
    """The local template of a nested stack, or why there is none.

    CDK writes nested-stack templates into the cloud assembly and names the file in the
    resource's `aws:asset:path` metadata; an unpackaged template names a local file in
    `TemplateURL`. An https:// (S3) URL is not fetched: synth and the CLI stay offline; the
    user may supply a local copy (`StackSource.nested_templates`).
    """
    directory = parent.directory
    candidates: list[str] = []
    body_metadata = _metadata(parent.template, resource.logical_id)
    asset = body_metadata.get("aws:asset:path")
    if isinstance(asset, str):
        candidates.append(asset)
    url = resource.properties.get("TemplateURL")
    if directory is not None and not isinstance(url, str):
        # Without asset metadata (an app synthesized outside the CLI), the URL still names
        # the template's asset hash, which the asset manifests beside the template resolve.
        text = json.dumps(url)
        for digest, source in _file_assets(directory).items():
            if digest in text:
                candidates.append(source)
    if isinstance(url, str) and not url.startswith(REMOTE_SCHEMES):
        candidates.append(url)
    if directory is not None:
        for candidate in candidates:
            path = (directory / candidate).resolve()
            if path.is_file():
                return path
    if isinstance(url, str) and url.startswith(REMOTE_SCHEMES):
        supplied = parent.nested_templates.find(url)
        if supplied is not None:
            return supplied[0]
        searched = parent.nested_templates.describe()
        if searched:
            return f"nested template at {url} is not local and not in {searched}: not priced"
        return (
            f"nested template at {url} is not local: not priced (synth stays offline; "
            f"{NESTED_TEMPLATE_OPTION} URL=FILE or {NESTED_DIRECTORY_OPTION} DIR supplies a copy)"
        )
    if candidates:
        return f"nested template {candidates[0]} not found next to the parent template"
    return "nested template location is not known at synth time: not priced"


def _file_assets(directory: Path) -> dict[str, str]:
    """Asset hash -> source file of every file asset in the cloud assembly's asset manifests."""
    found: dict[str, str] = {}
    for manifest in sorted(directory.glob("*.assets.json")):
        try:
            files = json.loads(manifest.read_text(encoding="utf-8")).get("files") or {}
        except (OSError, ValueError, AttributeError):
            continue
        for digest, entry in files.items() if isinstance(files, dict) else ():
            source = (entry or {}).get("source") or {}
            if isinstance(source.get("path"), str):
                found[str(digest)] = source["path"]
    return found


def _metadata(template: Mapping[str, Any], logical_id: str) -> dict[str, Any]:
    resources = template.get("Resources")
    body = resources.get(logical_id) if isinstance(resources, dict) else None
    metadata = body.get("Metadata") if isinstance(body, dict) else None
    return metadata if isinstance(metadata, dict) else {}


def _with_reason(
    listed: ListedResource, reason: str, missing_service: str = "", missing_region: str = ""
) -> ListedResource:
    gap = (missing_service, missing_region) if missing_region else None
    return ListedResource(listed.logical_id, listed.type, listed.path, reason, gap)


def add_line(stack: StackCost, kind: str, line: ResourceCost | ListedResource) -> None:
    if kind == "priced":
        assert isinstance(line, ResourceCost)
        stack.resources.append(line)
    elif kind == "free":
        assert isinstance(line, ListedResource)
        stack.free.append(line)
    elif kind == "not-deployed":
        assert isinstance(line, ListedResource)
        stack.not_deployed.append(line)
    else:
        assert isinstance(line, ListedResource)
        stack.unsupported.append(line)


def resolve_region(region: str | None) -> tuple[str, str]:
    """The pricing region and where it came from."""
    if region and not region.startswith("unknown-") and "${" not in region:
        return region, "stack"
    return DEFAULT_REGION, AGNOSTIC_REASON


def load_template(path: Path) -> dict[str, Any]:
    """A template file (JSON or YAML with short-form intrinsics); TemplateError (a ValueError)
    names the file, and line and column for syntax errors."""
    return load_template_file(path)


@dataclass(frozen=True)
class AssemblyStack:
    """A stack artifact of a cloud assembly (nested assemblies of Stages included)."""

    name: str
    template_path: Path
    region: str | None
    account: str | None
    #: The stack's construct path (`Prod/Network`), the manifest's displayName.
    display_name: str | None = None


def _environment(artifact: Mapping[str, Any]) -> tuple[str | None, str | None]:
    env = str(artifact.get("environment", ""))
    if not env.startswith("aws://"):
        return None, None
    account, _, region = env[len("aws://") :].partition("/")
    return (
        None if account.startswith("unknown-") else account,
        None if region.startswith("unknown-") else region,
    )


def _manifest(directory: Path) -> dict[str, Any]:
    path = directory / "manifest.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as err:
        raise TemplateError(f"not a cloud assembly manifest: {err}", source=str(path)) from None
    if not isinstance(data, dict) or not isinstance(data.get("artifacts", {}), dict):
        raise TemplateError("not a cloud assembly manifest (no artifacts)", source=str(path))
    return data


def stacks_in_assembly(directory: Path) -> list[AssemblyStack]:
    """Every stack of a cdk.out directory, Stages' nested assemblies included."""
    if not (directory / "manifest.json").is_file():
        raise TemplateError(
            "a directory must be a cdk.out cloud assembly (no manifest.json)", source=str(directory)
        )
    manifest = _manifest(directory)
    found: list[AssemblyStack] = []
    artifacts = manifest.get("artifacts") or {}
    for artifact_id, artifact in sorted(artifacts.items()):
        kind = artifact.get("type")
        props = artifact.get("properties") or {}
        if kind == "aws:cloudformation:stack":
            if not isinstance(props.get("templateFile"), str):
                raise TemplateError(
                    f"stack artifact {artifact_id} names no templateFile",
                    source=str(directory / "manifest.json"),
                )
            account, region = _environment(artifact)
            found.append(
                AssemblyStack(
                    name=props.get("stackName") or artifact_id,
                    template_path=directory / props["templateFile"],
                    region=region,
                    account=account,
                    display_name=artifact.get("displayName"),
                )
            )
        elif kind == "cdk:cloud-assembly" and props.get("directoryName"):
            child = directory / props["directoryName"]
            if (child / "manifest.json").exists():
                found.extend(stacks_in_assembly(child))
    return found


def stack_of_template(template_path: Path) -> AssemblyStack:
    """The stack artifact whose template this is (looked up in the manifest beside it)."""
    directory = template_path.parent
    manifest = _manifest(directory)
    for artifact_id, artifact in (manifest.get("artifacts") or {}).items():
        props = artifact.get("properties") or {}
        if artifact.get("type") == "aws:cloudformation:stack" and (
            props.get("templateFile") == template_path.name
        ):
            account, region = _environment(artifact)
            return AssemblyStack(
                props.get("stackName") or artifact_id,
                template_path,
                region,
                account,
                artifact.get("displayName"),
            )
    return AssemblyStack(template_path.name.split(".")[0], template_path, None, None)


def load_sources(
    path: Path,
    parameters: Mapping[str, str] | None = None,
    nested_templates: NestedTemplates | None = None,
) -> list[StackSource]:
    """The stacks of a template file or of a cdk.out directory, ready to price.

    `parameters` apply to every stack that declares them; a key that no stack declares is a
    TemplateError naming it and the parameters the templates have. `nested_templates` stand in
    for nested-stack templates at remote URLs.
    """
    sources = _load_sources(path)
    given = dict(parameters or {})
    declared: set[str] = set()
    for source in sources:
        if nested_templates is not None:
            source.nested_templates = nested_templates
        names = source.template.get("Parameters")
        names = set(names) if isinstance(names, dict) else set()
        declared |= names
        source.parameters = {k: v for k, v in given.items() if k in names}
    unknown = sorted(set(given) - declared)
    if unknown:
        raise TemplateError(
            f"--parameters {', '.join(unknown)}: not a parameter of "
            f"{'this template' if len(sources) == 1 else 'any of these stacks'}; "
            f"allowed: {', '.join(sorted(declared)) or 'none (the template has no Parameters)'}",
            source=str(path),
        )
    return sources


def _load_sources(path: Path) -> list[StackSource]:
    if not path.is_dir():
        return [
            StackSource(
                name=path.stem,
                template=load_template(path),
                directory=path.resolve().parent,
                template_file=path.name,
            )
        ]
    entries = stacks_in_assembly(path)
    if not entries:
        raise TemplateError("no CloudFormation stacks in this cloud assembly", source=str(path))
    return [
        StackSource(
            name=entry.name,
            template=load_template(entry.template_path),
            region=entry.region,
            account=entry.account,
            directory=entry.template_path.parent,
            template_file=entry.template_path.name,
            construct_path=entry.display_name,
        )
        for entry in entries
    ]


def estimate_path(
    path: Path,
    *,
    estimator: Estimator,
    region: str | None = None,
    parameters: Mapping[str, str] | None = None,
) -> CostReport:
    """Price a template file or every stack of a cdk.out directory."""
    return estimator.report(estimator.estimate(load_sources(path, parameters), region=region))
