"""Property-based: whatever valid-shaped values a template holds, resolving never crashes.

Hypothesis takes the fixture templates, replaces or deletes values anywhere under Resources,
Conditions, Outputs and Globals with other shapes (every intrinsic function, AWS::NoValue,
lists, mappings, strings, numbers, names of the template's own parameters, resources and
conditions) and supplies random parameter values. `resolve_template` must return a result
or raise `TemplateError`, nothing else; the result must be plain JSON data (no internal marker
leaks out) and, for templates without loops or SAM, list every resource as deployed or not.

Derandomized with a fixed number of examples, so a run is repeatable and stays a few seconds.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cost.template import ResolvedTemplate, TemplateError, load_template_file, resolve_template

FIXTURES = Path(__file__).parent / "fixtures" / "templates"
NAMES = [
    "semantics.yaml",
    "foreach.yaml",
    "sam.yaml",
    "nested_parent.yaml",
    "nested_child.yaml",
    "bom_tabs.json",
]
TEMPLATES = {name: load_template_file(FIXTURES / name) for name in NAMES}
SECTIONS = ("Resources", "Conditions", "Outputs", "Globals")
PSEUDO = [
    "AWS::Region",
    "AWS::AccountId",
    "AWS::StackName",
    "AWS::StackId",
    "AWS::Partition",
    "AWS::URLSuffix",
    "AWS::NotificationARNs",
    "AWS::NoValue",
    "AWS::Bogus",
]

Path_ = tuple[str | int, ...]


def _paths(value: Any, prefix: Path_) -> list[Path_]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found.extend(_paths(item, (*prefix, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(_paths(item, (*prefix, index)))
    return found


def _mutable_paths(template: dict[str, Any]) -> list[Path_]:
    paths: list[Path_] = []
    for section in SECTIONS:
        if isinstance(template.get(section), dict):
            # Not the section itself: its entries and everything inside them.
            paths.extend(path for path in _paths(template[section], (section,)) if len(path) > 1)
    return paths


PATHS = {name: _mutable_paths(template) for name, template in TEMPLATES.items()}
# Mostly property values (what the brief of this test is about); sometimes the structure.
PROPERTY_PATHS = {
    name: [path for path in paths if "Properties" in path[:-1] or path[0] == "Globals"]
    for name, paths in PATHS.items()
}


def _names(template: dict[str, Any], section: str) -> list[str]:
    value = template.get(section)
    return [key for key in value if not key.startswith("Fn::")] if isinstance(value, dict) else []


def _values(template: dict[str, Any]) -> st.SearchStrategy[Any]:
    parameters = _names(template, "Parameters")
    resources = _names(template, "Resources")
    conditions = _names(template, "Conditions") or ["Missing"]
    maps = _names(template, "Mappings") or ["Missing"]
    ref_names = st.sampled_from(parameters + resources + PSEUDO + ["Nowhere"])
    text = st.one_of(
        st.text(max_size=12),
        st.sampled_from(
            [
                "",
                "a,b",
                "10.0.0.0/16",
                "us-east-1",
                "${AWS::Region}",
                "${!Lit}",
                "${Nowhere.Arn}",
                "true",
                "0",
            ]
        ),
        ref_names.map(lambda name: "${" + name + "}"),
        st.sampled_from(resources or ["R"]).map(lambda name: "${" + name + ".Arn}"),
    )
    leaves = st.one_of(
        text,
        st.integers(min_value=-3, max_value=300),
        st.floats(allow_nan=False, allow_infinity=False, width=32),
        st.booleans(),
        st.none(),
        # Simple intrinsics as leaves, so that any argument is often one of them.
        st.just({"Ref": "AWS::NoValue"}),
        st.builds(lambda n: {"Ref": n}, ref_names),
        st.builds(lambda r: {"Fn::GetAtt": [r, "Arn"]}, st.sampled_from(resources or ["R"])),
    )

    def extend(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        small_list = st.lists(inner, max_size=3)
        list_or_function = st.one_of(small_list, inner)
        return st.one_of(
            small_list,
            st.dictionaries(
                st.sampled_from(["A", "B", "Ref", "Fn::Sub", "Key", "Value"]), inner, max_size=2
            ),
            st.builds(lambda n: {"Ref": n}, st.one_of(ref_names, inner)),
            st.builds(
                lambda r, a: {"Fn::GetAtt": [r, a]},
                st.one_of(st.sampled_from(resources or ["R"]), inner),
                st.one_of(st.sampled_from(["Arn", "Endpoint.Address"]), inner),
            ),
            st.builds(
                lambda r: {"Fn::GetAtt": r},
                st.sampled_from(resources or ["R"]).map(lambda r: r + ".Arn"),
            ),
            st.builds(
                lambda c, a, b: {"Fn::If": [c, a, b]}, st.sampled_from(conditions), inner, inner
            ),
            st.builds(
                lambda d, items: {"Fn::Join": [d, items]},
                st.sampled_from(["", ",", "-"]),
                list_or_function,
            ),
            st.builds(
                lambda i, items: {"Fn::Select": [i, items]},
                st.one_of(st.integers(0, 3), st.sampled_from(["0", "1"]), inner),
                list_or_function,
            ),
            st.builds(lambda d, s: {"Fn::Split": [d, s]}, st.sampled_from([",", "-"]), inner),
            st.builds(lambda s: {"Fn::Sub": s}, text),
            st.builds(
                lambda s, v: {"Fn::Sub": [s, {"Var": v}]}, text.map(lambda s: s + "${Var}"), inner
            ),
            st.builds(
                lambda m, a, b: {"Fn::FindInMap": [m, a, b]}, st.sampled_from(maps), inner, inner
            ),
            st.builds(
                lambda m, a, b, d: {"Fn::FindInMap": [m, a, b, {"DefaultValue": d}]},
                st.sampled_from(maps),
                inner,
                inner,
                inner,
            ),
            st.builds(
                lambda r: {"Fn::GetAZs": r},
                st.one_of(st.sampled_from(["", "us-east-1", "eu-west-1"]), inner),
            ),
            st.builds(lambda v: {"Fn::Base64": v}, inner),
            st.builds(
                lambda b, c, n: {"Fn::Cidr": [b, c, n]},
                st.one_of(st.sampled_from(["10.0.0.0/16", "fd00::/56"]), inner),
                st.one_of(st.integers(0, 300), inner),
                st.one_of(st.integers(0, 130), inner),
            ),
            st.builds(lambda v: {"Fn::ImportValue": v}, inner),
            st.builds(lambda v: {"Fn::Length": v}, list_or_function),
            st.builds(lambda v: {"Fn::ToJsonString": v}, inner),
            st.builds(
                lambda v: {"Fn::Transform": {"Name": "AWS::Include", "Parameters": v}}, inner
            ),
            st.builds(lambda v: {"Fn::Equals": [v, v]}, inner),
            st.builds(lambda v: {"Fn::Bogus": v}, inner),
            st.builds(lambda c: {"Condition": c}, st.sampled_from(conditions)),
            st.builds(lambda a, b: {"Fn::Not": [a, b]}, inner, inner),
        )

    return st.recursive(leaves, extend, max_leaves=6)


VALUES = {name: _values(template) for name, template in TEMPLATES.items()}
_DELETE = object()


def _mutate(template: dict[str, Any], path: Path_, value: Any) -> None:
    target: Any = template
    for step in path[:-1]:
        target = target[step]
    last = path[-1]
    if value is _DELETE:
        del target[last]
    else:
        target[last] = value


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, dict[str, Any], dict[str, str]]:
    name = draw(st.sampled_from(NAMES))
    template = copy.deepcopy(TEMPLATES[name])
    values = VALUES[name]
    # Paths are taken from the original: a later mutation may have replaced a parent.
    properties, anywhere = st.sampled_from(PROPERTY_PATHS[name]), st.sampled_from(PATHS[name])
    paths = st.one_of(properties, properties, properties, anywhere)
    for path in draw(st.lists(paths, min_size=1, max_size=3)):
        try:
            _mutate(template, path, draw(st.one_of(values, st.just(_DELETE))))
        except (KeyError, IndexError, TypeError):
            continue
    parameters = _names(TEMPLATES[name], "Parameters")
    supplied: dict[str, str] = {}
    if parameters and draw(st.integers(0, 2)) == 0:
        supplied = draw(
            st.dictionaries(
                st.sampled_from(parameters),
                st.sampled_from(["", "prod", "dev", "1", "2", "a,b", "x" * 30, "10.0.0.0/24"]),
                max_size=2,
            )
        )
    return name, template, supplied


@settings(
    max_examples=400,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(mutated())
def test_resolving_mutated_templates_never_crashes(
    case: tuple[str, dict[str, Any], dict[str, str]],
) -> None:
    name, template, supplied = case
    try:
        resolved = resolve_template(
            template,
            region="us-east-1",
            parameters=supplied,
            availability_zones=["us-east-1a", "us-east-1b"],
            source=name,
        )
    except TemplateError as err:
        assert err.source == name
        return
    _check(name, template, resolved)


def _check(name: str, template: dict[str, Any], resolved: ResolvedTemplate) -> None:
    for resource in resolved.resources.values():
        # Plain JSON data only: json.dumps fails on any internal marker left behind.
        json.dumps(resource.properties)
        assert all(isinstance(text, str) for text in resource.assumptions)
    json.dumps(resolved.outputs)
    plain = "Transform" not in template
    if plain:
        listed = set(resolved.resources) | {item.logical_id for item in resolved.not_deployed}
        assert listed == set(template["Resources"])


def test_the_fixtures_themselves_resolve() -> None:
    for name, template in TEMPLATES.items():
        _check(name, template, resolve_template(template, region="us-east-1", source=name))
