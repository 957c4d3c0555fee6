"""CloudFormation templates as CloudFormation reads them: loading and offline semantics.

Imports only the standard library and PyYAML.

Loading::

    load_template_text(text, source="<template>") -> dict
    load_template_file(path) -> dict

JSON (text starting with ``{``) or YAML with the short-form tags (``!Ref``, ``!Sub``,
``!GetAtt a.b``, ``!If``, ...); a UTF-8 byte-order mark is skipped, JSON may use tabs.

Resolving::

    resolve_template(template, *, region, account=None, stack_name=None, parameters=None,
                     partition=None, availability_zones=None, unknown_parameters=(),
                     source="<template>") -> ResolvedTemplate

`parameters` maps parameter names to the strings CloudFormation would be given (lists
comma-separated); `unknown_parameters` names parameters that are given a value not known
offline (a nested stack's parameter fed from the parent's resources), which must not fall back
to their Default. `partition` defaults to the region's (``aws``, ``aws-cn``, ``aws-us-gov``).
`availability_zones` answers ``Fn::GetAZs`` for `region`; without it ``Fn::GetAZs`` stays
unresolved.

The result (`ResolvedTemplate`) has, per logical ID, a `ResolvedResource`: the resource
type, its properties with every intrinsic function resolved that can be resolved offline
(the others left as the intrinsic itself, e.g. ``{"Ref": "Vpc"}``), its Metadata (``path`` is
``aws:cdk:path``), and its assumptions as plain sentences; `not_deployed` lists resources whose
Condition is false; `parameters` gives each parameter's value and its source (``supplied``,
``Default``, ``unknown``); `conditions` each condition's value (None when unknown);
`nested_stacks` the ``AWS::CloudFormation::Stack`` resources, with `local_template()` and
`child_parameters()` to resolve a local child template the same way; `assumptions` the
template-wide ones. SAM resources are converted as the SAM transform would (``sam_source``
names the SAM resource); Fn::ForEach loops are expanded.

Semantics are documented where they live: parameters (`cost.template.parameters`),
intrinsic functions and pseudo parameters (`cost.template.intrinsics`), conditions
(`cost.template.conditions`: an unknown condition keeps its resources and makes ``Fn::If``
take the true branch, both recorded), loops (`cost.template.foreach`), SAM
(`cost.template.sam`).

Command-line parameter values::

    parse_parameter_overrides(items, *, base_dir=None) -> dict[str, str]

Errors: every problem with the input (syntax, shape, a parameter value the template does not
allow, an unreadable file) is a `TemplateError` (a ValueError) with `source`, `line` and
`column` (syntax errors), `path` (inside the template) and `message`. Nothing else is raised
for any input; pathological inputs are bounded by `cost.template.limits`.
"""

from __future__ import annotations

from cost.template.errors import TemplateError
from cost.template.intrinsics import is_intrinsic, is_known
from cost.template.load import load_template_file, load_template_text
from cost.template.model import (
    NestedStack,
    NotDeployed,
    ParameterValue,
    ResolvedResource,
    ResolvedTemplate,
)
from cost.template.parameters import parse_parameter_overrides
from cost.template.resolve import resolve_template

__all__ = [
    "NestedStack",
    "NotDeployed",
    "ParameterValue",
    "ResolvedResource",
    "ResolvedTemplate",
    "TemplateError",
    "is_intrinsic",
    "is_known",
    "load_template_file",
    "load_template_text",
    "parse_parameter_overrides",
    "resolve_template",
]
