"""Estimating: one resource, one template, a cdk.out cloud assembly.

`Estimator.price_resource` is the single place a resource becomes a priced line, a free line
or an unsupported line; both the CDK aspect and the template CLI go through it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cost.catalog import PriceCatalog, PriceNotFound, default_catalog
from cost.model import CostReport, ListedResource, ResourceCost, StackCost
from cost.pricing import PRICED, Free, PricingContext, Resource, Unpriceable, free_reason
from cost.pricing.context import ResourceIndex, UsageValues
from cost.pricing.usage import Usage, builtin_defaults_json

DEFAULT_REGION = "us-east-1"
AGNOSTIC_REASON = f"environment-agnostic stack: priced in {DEFAULT_REGION}"

Outcome = tuple[str, ResourceCost | ListedResource]  # ("priced"|"free"|"unsupported", line)


class TemplateIndex:
    """A ResourceIndex over a template's Resources section."""

    def __init__(self, template: dict[str, Any]) -> None:
        self._resources: dict[str, Resource] = {}
        for logical_id, body in (template.get("Resources") or {}).items():
            if not isinstance(body, dict):
                continue
            path = (body.get("Metadata") or {}).get("aws:cdk:path")
            self._resources[logical_id] = Resource(
                logical_id=logical_id,
                type=str(body.get("Type", "")),
                properties=body.get("Properties") or {},
                path=path if isinstance(path, str) else None,
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
            return "unsupported", _with_reason(listed, "no pricing function for this type")
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
        except Free as why:
            return "free", _with_reason(listed, str(why))
        except (Unpriceable, PriceNotFound) as why:
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

    def estimate_template(
        self, template: dict[str, Any], *, name: str, region: str | None
    ) -> StackCost:
        pricing_region, region_source = resolve_region(region)
        self.catalog.check_region(pricing_region)
        stack = StackCost(name=name, region=pricing_region, region_source=region_source)
        index = TemplateIndex(template)
        for resource in index:
            kind, line = self.price_resource(resource, pricing_region, index)
            add_line(stack, kind, line)
        if not self.catalog.covers(pricing_region):
            stack.pricing_gap = (
                f"the price catalog has no prices for {pricing_region}: every resource of a "
                "priced type is listed as unsupported and left out of the total"
            )
        return stack

    def report(self, stacks: list[StackCost], warnings: list[str] | None = None) -> CostReport:
        return CostReport(
            stacks=stacks,
            catalog=dict(self.catalog.meta),
            usage_assumptions={
                "builtinDefaults": builtin_defaults_json(),
                "usageFile": self.usage.to_json(),
            },
            warnings=list(warnings or []),
        )


def _with_reason(listed: ListedResource, reason: str) -> ListedResource:
    return ListedResource(listed.logical_id, listed.type, listed.path, reason)


def add_line(stack: StackCost, kind: str, line: ResourceCost | ListedResource) -> None:
    if kind == "priced":
        assert isinstance(line, ResourceCost)
        stack.resources.append(line)
    elif kind == "free":
        assert isinstance(line, ListedResource)
        stack.free.append(line)
    else:
        assert isinstance(line, ListedResource)
        stack.unsupported.append(line)


def resolve_region(region: str | None) -> tuple[str, str]:
    """The pricing region and where it came from."""
    if region and not region.startswith("unknown-") and "${" not in region:
        return region, "stack"
    return DEFAULT_REGION, AGNOSTIC_REASON


def load_template(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    if path.suffix in (".yaml", ".yml") or not text.lstrip().startswith("{"):
        return _load_yaml_template(text)
    data = json.loads(text)
    if not isinstance(data, dict) or not isinstance(data.get("Resources"), dict):
        raise ValueError(f"{path}: not a CloudFormation template (no Resources section)")
    return data


def _load_yaml_template(text: str) -> dict[str, Any]:
    import yaml

    class CfnLoader(yaml.SafeLoader):
        pass

    def intrinsic(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
        name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
            if name == "Fn::GetAtt" and isinstance(value, str):
                value = value.split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
        return {name: value}

    CfnLoader.add_multi_constructor("!", intrinsic)
    data = yaml.load(text, Loader=CfnLoader)  # noqa: S506 - SafeLoader subclass
    if not isinstance(data, dict) or not isinstance(data.get("Resources"), dict):
        raise ValueError("not a CloudFormation template (no Resources section)")
    return data


def stacks_in_assembly(directory: Path) -> list[tuple[str, Path, str | None]]:
    """(stack name, template path, region or None) for every stack in a cdk.out directory."""
    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    found: list[tuple[str, Path, str | None]] = []
    for artifact_id, artifact in sorted((manifest.get("artifacts") or {}).items()):
        if artifact.get("type") != "aws:cloudformation:stack":
            continue
        props = artifact.get("properties") or {}
        template = directory / props["templateFile"]
        name = props.get("stackName") or artifact_id
        env = str(artifact.get("environment", ""))
        region = env.rsplit("/", 1)[-1] if env.startswith("aws://") else None
        found.append((name, template, region))
    for child in sorted(directory.glob("assembly-*")):
        if (child / "manifest.json").exists():
            found.extend(stacks_in_assembly(child))
    return found


def load_stacks(path: Path) -> list[tuple[str, dict[str, Any], str | None]]:
    """(stack name, template, region or None) for a template file or a cdk.out directory."""
    if not path.is_dir():
        return [(path.stem, load_template(path), None)]
    entries = stacks_in_assembly(path)
    if not entries:
        raise ValueError(f"{path}: no CloudFormation stacks in this cloud assembly")
    return [(name, load_template(tpl), stack_region) for name, tpl, stack_region in entries]


def estimate_stacks(
    stacks: list[tuple[str, dict[str, Any], str | None]],
    *,
    estimator: Estimator,
    region: str | None = None,
) -> CostReport:
    """Price loaded templates; `region` overrides each stack's own."""
    return estimator.report(
        [
            estimator.estimate_template(template, name=name, region=region or stack_region)
            for name, template, stack_region in stacks
        ]
    )


def estimate_path(path: Path, *, estimator: Estimator, region: str | None = None) -> CostReport:
    """Price a template file or every stack of a cdk.out directory."""
    return estimate_stacks(load_stacks(path), estimator=estimator, region=region)
