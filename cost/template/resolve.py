"""From a loaded template to the resources CloudFormation would create, offline.

The order is CloudFormation's: parameter values first, then the LanguageExtensions transform
(Fn::ForEach), then SAM, then conditions, then every deployed resource's properties.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from cost.template import sam
from cost.template.conditions import ConditionTable
from cost.template.errors import TemplateError
from cost.template.foreach import Expander
from cost.template.intrinsics import NO_VALUE, Budget, Notes, Resolver, is_intrinsic, partition_of
from cost.template.load import check_structure
from cost.template.model import NestedStack, NotDeployed, ResolvedResource, ResolvedTemplate
from cost.template.parameters import parameter_values

LANGUAGE_EXTENSIONS = "AWS::LanguageExtensions"
_BUILTIN_TRANSFORMS = (LANGUAGE_EXTENSIONS, sam.TRANSFORM)
_LOGICAL_ID = re.compile(r"[A-Za-z0-9]{1,255}")
NESTED_STACK = "AWS::CloudFormation::Stack"


def resolve_template(
    template: dict[str, Any],
    *,
    region: str,
    account: str | None = None,
    stack_name: str | None = None,
    parameters: Mapping[str, str] | None = None,
    partition: str | None = None,
    availability_zones: Sequence[str] | None = None,
    unknown_parameters: Collection[str] = (),
    source: str = "<template>",
) -> ResolvedTemplate:
    """Resolve a loaded template for `region` (see the package docstring)."""
    try:
        return _resolve(
            template,
            region=region,
            account=account,
            stack_name=stack_name,
            parameters=dict(parameters or {}),
            partition=partition or partition_of(region),
            availability_zones=availability_zones,
            unknown_parameters=list(unknown_parameters),
            source=source,
        )
    except TemplateError as err:
        if err.source != source:
            raise err.with_source(source) from None
        raise


def _transforms(value: Any, notes: Notes) -> list[str]:
    if value is None:
        return []
    names: list[str] = []
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, str):
            names.append(item)
        elif isinstance(item, dict) and isinstance(item.get("Name"), str):
            names.append(item["Name"])
        else:
            raise TemplateError(
                "Transform must be a transform name or a list of them", path="Transform"
            )
    for name in names:
        if name not in _BUILTIN_TRANSFORMS:
            notes.add(
                f"the transform {name!r} runs at deploy time and is not run offline: what it "
                "adds or changes is not seen"
            )
    return names


def _mappings(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise TemplateError("Mappings must be a mapping", path="Mappings")
    for name, mapping in value.items():
        if not isinstance(mapping, dict):
            raise TemplateError(
                "a mapping must be a mapping of keys to mappings", path=f"Mappings.{name}"
            )
        for key, entry in mapping.items():
            if not isinstance(entry, dict):
                raise TemplateError(
                    "a mapping's second level must be a mapping of keys to values",
                    path=f"Mappings.{name}.{key}",
                )
    return value


def _resolve(
    template: dict[str, Any],
    *,
    region: str,
    account: str | None,
    stack_name: str | None,
    parameters: dict[str, str],
    partition: str,
    availability_zones: Sequence[str] | None,
    unknown_parameters: list[str],
    source: str,
) -> ResolvedTemplate:
    check_structure(template, source)
    notes = Notes()
    transforms = _transforms(template.get("Transform"), notes)
    parameter_notes: list[str] = []
    values = parameter_values(
        template.get("Parameters"), parameters, unknown_parameters, parameter_notes
    )
    for text in parameter_notes:
        notes.add(text)
    resolver = Resolver(
        region=region,
        account=account,
        stack_name=stack_name,
        partition=partition,
        availability_zones=availability_zones,
        parameters=values,
        mappings=_mappings(template.get("Mappings")),
        template_notes=notes,
        budget=Budget(),
    )

    expander = Expander(resolver, notes)
    resources = expander.expand(template["Resources"], "Resources")
    conditions_section = expander.expand(template.get("Conditions"), "Conditions")
    outputs_section = expander.expand(template.get("Outputs"), "Outputs")
    if expander.used and LANGUAGE_EXTENSIONS not in transforms:
        notes.add(
            "Fn::ForEach is used without Transform AWS::LanguageExtensions (CloudFormation "
            "would reject the template); the loops were expanded anyway"
        )
    for logical_id in resources:
        if logical_id not in template["Resources"] and not _LOGICAL_ID.fullmatch(logical_id):
            raise TemplateError(
                f"Fn::ForEach makes the logical ID {logical_id!r}, which is not alphanumeric; "
                "use &{identifier} to leave out other characters",
                path="Resources",
            )

    sam_result = sam.SamResult(resources=resources)
    if sam.uses_sam(resources):
        if sam.TRANSFORM not in transforms:
            notes.add(
                f"AWS::Serverless::* resources without Transform {sam.TRANSFORM} (CloudFormation "
                "would reject them); converted as SAM would"
            )
        sam_result = sam.transform(resources, template.get("Globals"), resolver, notes)
        resources = sam_result.resources

    resolver.resource_ids = set(resources)
    table = ConditionTable(conditions_section, resolver)
    resolver.conditions = table
    condition_values = table.all_values()

    resolved: dict[str, ResolvedResource] = {}
    not_deployed: list[NotDeployed] = []
    nested: list[NestedStack] = []
    for logical_id, body in resources.items():
        where = f"Resources.{logical_id}"
        if not isinstance(body, dict):
            raise TemplateError("a resource must be a mapping with a Type", path=where)
        kind = body.get("Type")
        if not isinstance(kind, str) or not kind:
            raise TemplateError("a resource needs a Type (a string)", path=f"{where}.Type")
        resource_notes = Notes(prefix=f"{where}.")
        condition = body.get("Condition")
        known = True
        if condition is not None:
            value = table.value(condition, f"{where}.Condition")
            if value is False:
                not_deployed.append(NotDeployed(logical_id, kind, condition))
                continue
            if value is None:
                known = False
                resource_notes.add(
                    f"condition {condition!r} is not known offline ({table.reason(condition)}); "
                    "assumed deployed"
                )
        for text in sam_result.notes.get(logical_id, []):
            resource_notes.add(text)
        properties = _properties(body.get("Properties"), where, resolver, resource_notes)
        metadata = body.get("Metadata")
        metadata = metadata if isinstance(metadata, dict) else {}
        resolved[logical_id] = ResolvedResource(
            logical_id=logical_id,
            type=kind,
            properties=properties,
            metadata=metadata,
            condition=condition,
            condition_known=known,
            assumptions=resource_notes.render(),
            sam_source=sam_result.sources.get(logical_id),
        )
        if kind == NESTED_STACK:
            passed = properties.get("Parameters")
            asset = metadata.get("aws:asset:path")
            nested.append(
                NestedStack(
                    logical_id=logical_id,
                    template_url=properties.get("TemplateURL"),
                    parameters=passed
                    if isinstance(passed, dict) and not is_intrinsic(passed)
                    else {},
                    asset_path=asset if isinstance(asset, str) else None,
                )
            )

    outputs = _outputs(outputs_section, resolver, table)
    rules = template.get("Rules")
    # CDK adds CheckBootstrapVersion to every stack; it says nothing about the resources.
    if isinstance(rules, dict) and set(rules) - {"CheckBootstrapVersion"}:
        notes.add("the Rules section (assertions about parameter values) is not evaluated offline")
    return ResolvedTemplate(
        region=region,
        resources=resolved,
        not_deployed=not_deployed,
        parameters=values,
        conditions=condition_values,
        outputs=outputs,
        nested_stacks=nested,
        transforms=transforms,
        assumptions=notes.render(),
    )


def _properties(raw: Any, where: str, resolver: Resolver, notes: Notes) -> dict[str, Any]:
    if raw is None:
        return {}
    properties = resolver.resolve(raw, f"{where}.Properties", notes)
    if properties is NO_VALUE or properties is None:
        return {}
    if is_intrinsic(properties):
        notes.add("its Properties are not known offline", f"{where}.Properties")
        return {}
    if not isinstance(properties, dict):
        raise TemplateError("Properties must be a mapping", path=f"{where}.Properties")
    return properties


def _outputs(section: Any, resolver: Resolver, table: ConditionTable) -> dict[str, Any]:
    if section is None:
        return {}
    if not isinstance(section, dict):
        raise TemplateError("Outputs must be a mapping", path="Outputs")
    outputs: dict[str, Any] = {}
    for name, body in section.items():
        where = f"Outputs.{name}"
        if not isinstance(body, dict):
            raise TemplateError("an output must be a mapping with a Value", path=where)
        condition = body.get("Condition")
        if condition is not None and table.value(condition, f"{where}.Condition") is False:
            continue
        value = resolver.resolve(body.get("Value"), f"{where}.Value", Notes())
        if value is not NO_VALUE:
            outputs[name] = value
    return outputs
