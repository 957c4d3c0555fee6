"""Template parameters: the value each one takes, checked as CloudFormation checks it.

A parameter takes the value supplied for it, else its Default, else it is unknown (and
values that use it stay unresolved). `AWS::SSM::Parameter::Value<...>` parameters are read
from SSM at deploy time: unknown offline unless a value is supplied, which is then taken as
what the SSM parameter holds. List types (``List<Number>``, ``CommaDelimitedList``,
``List<AWS::EC2::...>``) become lists of strings, each item space-trimmed.

Supplied values are checked against AllowedValues, AllowedPattern, MinLength, MaxLength,
MinValue and MaxValue: a bad one is a `TemplateError` naming the parameter, the value and
what is allowed. A Default that breaks its own constraints becomes an assumption (the stack
would not deploy without a value), not an error.

`parse_parameter_overrides` reads what a user passes on the command line.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

from cost.template.errors import TemplateError
from cost.template.load import parse_data, read_text
from cost.template.model import ParameterValue

_PLAIN_TYPES = ("String", "Number", "List<Number>", "CommaDelimitedList")
_AWS_TYPE = re.compile(r"(List<)?AWS::[A-Za-z0-9]+::[A-Za-z0-9:]+(?(1)>)")
_SSM_VALUE = re.compile(r"AWS::SSM::Parameter::Value<(.+)>")
_NAME = re.compile(r"[A-Za-z0-9]+")
ALLOWED_TYPES = (
    "String, Number, List<Number>, CommaDelimitedList, an AWS-specific type such as "
    "AWS::EC2::Subnet::Id or List<AWS::EC2::Subnet::Id>, AWS::SSM::Parameter::Name, or "
    "AWS::SSM::Parameter::Value<...>"
)


def is_list_type(parameter_type: str) -> bool:
    inner = ssm_inner_type(parameter_type) or parameter_type
    return inner == "CommaDelimitedList" or inner.startswith("List<")


def ssm_inner_type(parameter_type: str) -> str | None:
    """`T` of ``AWS::SSM::Parameter::Value<T>``, else None."""
    match = _SSM_VALUE.fullmatch(parameter_type)
    return match.group(1) if match else None


def _valid_type(parameter_type: str) -> bool:
    inner = ssm_inner_type(parameter_type)
    if inner is not None:
        return inner in _PLAIN_TYPES or inner == "List<String>" or _valid_type(inner)
    return parameter_type in _PLAIN_TYPES or bool(_AWS_TYPE.fullmatch(parameter_type))


def scalar_text(value: Any) -> str | None:
    """A scalar as CloudFormation reads it in a string context, else None."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, str):
        return value
    return None


def _value_text(value: Any) -> str | None:
    """A Default or supplied value as text; a list (allowed for list types) joined."""
    if isinstance(value, list):
        items = [scalar_text(item) for item in value]
        if any(item is None for item in items):
            return None
        return ",".join(item for item in items if item is not None)
    return scalar_text(value)


def split_list(text: str) -> list[str]:
    return [item.strip() for item in text.split(",")]


def _number(value: Any, path: str) -> float:
    text = scalar_text(value)
    try:
        if text is None or isinstance(value, bool):
            raise ValueError(text)
        number = float(text)
    except ValueError:
        raise TemplateError(f"must be a number, got {value!r}", path=path) from None
    if math.isnan(number):
        raise TemplateError(f"must be a number, got {value!r}", path=path)
    return number


class _Check:
    """One parameter's constraints, read once from its definition."""

    def __init__(self, name: str, definition: dict[str, Any], notes: list[str]) -> None:
        self.name = name
        self.type = definition["Type"]
        where = f"Parameters.{name}"
        self.allowed: list[str] | None = None
        allowed = definition.get("AllowedValues")
        if allowed is not None:
            texts = [scalar_text(item) for item in allowed] if isinstance(allowed, list) else None
            if texts is None or any(text is None for text in texts):
                raise TemplateError(
                    "AllowedValues must be a list of plain values",
                    path=f"{where}.AllowedValues",
                )
            self.allowed = [text for text in texts if text is not None]
        self.pattern: re.Pattern[str] | None = None
        self.pattern_text = definition.get("AllowedPattern")
        if self.pattern_text is not None:
            if not isinstance(self.pattern_text, str):
                raise TemplateError(
                    "AllowedPattern must be a string", path=f"{where}.AllowedPattern"
                )
            try:
                self.pattern = re.compile(self.pattern_text)
            except re.error:
                notes.append(
                    f"parameter {name!r}: AllowedPattern {self.pattern_text!r} is not a "
                    "pattern this tool can check; values were not checked against it"
                )
        self.bounds: dict[str, float] = {}
        for key in ("MinLength", "MaxLength", "MinValue", "MaxValue"):
            if definition.get(key) is not None:
                self.bounds[key] = _number(definition[key], f"{where}.{key}")
        self.description = definition.get("ConstraintDescription")

    def problem(self, text: str) -> str | None:
        """Why `text` is not an allowed value, or None if it is."""
        inner = ssm_inner_type(self.type) or self.type
        items = split_list(text) if is_list_type(self.type) else [text]
        numeric = inner in ("Number", "List<Number>")
        for item in items:
            if numeric:
                try:
                    float(item)
                except ValueError:
                    return f"{item!r} is not a number"
            if self.allowed is not None and item not in self.allowed:
                return f"{item!r} is not one of the AllowedValues: {', '.join(self.allowed)}"
            if self.pattern is not None and not self.pattern.fullmatch(item):
                return f"{item!r} does not match the AllowedPattern {self.pattern_text}"
            if numeric:
                number = float(item)
                low, high = self.bounds.get("MinValue"), self.bounds.get("MaxValue")
                if low is not None and number < low:
                    return f"{item} is below the MinValue {low:g}"
                if high is not None and number > high:
                    return f"{item} is above the MaxValue {high:g}"
        if not numeric and not is_list_type(self.type):
            low, high = self.bounds.get("MinLength"), self.bounds.get("MaxLength")
            if low is not None and len(text) < low:
                return f"{text!r} is shorter than the MinLength {low:g}"
            if high is not None and len(text) > high:
                return f"{text!r} is longer than the MaxLength {high:g}"
        return None

    def explain(self, problem: str) -> str:
        tail = f" ({self.description})" if isinstance(self.description, str) else ""
        return f"parameter {self.name!r}: {problem}{tail}"


def _typed(parameter_type: str, text: str) -> str | list[str]:
    return split_list(text) if is_list_type(parameter_type) else text


def parameter_values(
    section: Any,
    supplied: Mapping[str, str],
    unknown: Collection[str],
    notes: list[str],
) -> dict[str, ParameterValue]:
    """Every parameter's value and source; `notes` gets template-wide assumptions."""
    if section is None:
        section = {}
    if not isinstance(section, dict):
        raise TemplateError("Parameters must be a mapping", path="Parameters")
    for name in [*supplied, *unknown]:
        if name not in section:
            names = ", ".join(sorted(section)) or "none"
            raise TemplateError(
                f"unknown parameter {name!r}; this template's parameters are: {names}",
                path="Parameters",
            )
    values: dict[str, ParameterValue] = {}
    for name, definition in section.items():
        where = f"Parameters.{name}"
        if not isinstance(definition, dict):
            raise TemplateError("a parameter must be a mapping with a Type", path=where)
        parameter_type = definition.get("Type")
        if not isinstance(parameter_type, str):
            raise TemplateError("a parameter needs a Type", path=f"{where}.Type")
        if not _valid_type(parameter_type):
            raise TemplateError(
                f"Type {parameter_type!r} is not a parameter type; allowed: {ALLOWED_TYPES}",
                path=f"{where}.Type",
            )
        check = _Check(name, definition, notes)
        no_echo = str(definition.get("NoEcho", "false")).lower() == "true"
        values[name] = _value_of(name, definition, check, supplied, unknown, no_echo, notes)
    return values


def _value_of(
    name: str,
    definition: dict[str, Any],
    check: _Check,
    supplied: Mapping[str, str],
    unknown: Collection[str],
    no_echo: bool,
    notes: list[str],
) -> ParameterValue:
    parameter_type = check.type
    if name in unknown:
        note = f"parameter {name!r} is given a value that is not known offline"
        return ParameterValue(name, parameter_type, None, "unknown", no_echo, note)
    if name in supplied:
        given = supplied[name]
        text = given if isinstance(given, str) else _value_text(given)
        if text is None:
            raise TemplateError(
                f"parameter {name!r}: a value must be a string (lists comma-separated), got "
                f"{given!r}",
                path=f"Parameters.{name}",
            )
        problem = check.problem(text)
        if problem is not None:
            raise TemplateError(check.explain(problem), path=f"Parameters.{name}")
        return ParameterValue(
            name, parameter_type, _typed(parameter_type, text), "supplied", no_echo
        )
    default = definition.get("Default")
    if ssm_inner_type(parameter_type) is not None:
        where = f" {default!r}" if isinstance(default, str) else ""
        note = (
            f"parameter {name!r} ({parameter_type}) reads the SSM parameter{where} at "
            "deploy time; its value is not known offline (supply one to use it)"
        )
        return ParameterValue(name, parameter_type, None, "unknown", no_echo, note)
    if default is None:
        note = f"parameter {name!r} has no Default and no value was supplied"
        return ParameterValue(name, parameter_type, None, "unknown", no_echo, note)
    default_text = _value_text(default)
    if default_text is None:
        raise TemplateError(
            "Default must be a plain value (or a list of them for a list type)",
            path=f"Parameters.{name}.Default",
        )
    problem = check.problem(default_text)
    if problem is not None:
        notes.append(
            check.explain(
                f"its Default {problem}; CloudFormation would reject the stack "
                "unless a value is supplied; the Default was used"
            )
        )
    return ParameterValue(
        name, parameter_type, _typed(parameter_type, default_text), "Default", no_echo
    )


def _override_text(value: Any, item: str, key: str) -> str:
    text = _value_text(value)
    if text is None:
        raise TemplateError(
            f"the value of {key!r} must be a string, a number, a boolean or a list of them",
            source=item,
        )
    return text


def _from_file(item: str, path: Path) -> dict[str, str]:
    data = parse_data(read_text(path), item)
    if isinstance(data, list):
        values: dict[str, str] = {}
        for entry in data:
            if not (isinstance(entry, dict) and isinstance(entry.get("ParameterKey"), str)):
                raise TemplateError(
                    'a list of parameters must hold {"ParameterKey": ..., '
                    '"ParameterValue": ...} objects',
                    source=item,
                )
            key = entry["ParameterKey"]
            if "ParameterValue" not in entry:
                raise TemplateError(
                    f"parameter {key!r} has no ParameterValue (UsePreviousValue needs the "
                    "deployed stack; give the value)",
                    source=item,
                )
            values[key] = _override_text(entry["ParameterValue"], item, key)
        return values
    if isinstance(data, dict):
        if isinstance(data.get("Parameters"), dict):
            data = data["Parameters"]
        return {str(key): _override_text(value, item, str(key)) for key, value in data.items()}
    raise TemplateError(
        'a parameters file holds a JSON list of {"ParameterKey", "ParameterValue"} '
        'objects, a {"Parameters": {...}} object, or a mapping of names to values',
        source=item,
    )


def _shorthand(item: str) -> tuple[str, str]:
    """The AWS CLI's ``ParameterKey=K,ParameterValue=V``."""
    match = re.fullmatch(r"ParameterKey=([A-Za-z0-9]+),ParameterValue=(.*)", item, re.DOTALL)
    if not match:
        raise TemplateError("expected ParameterKey=NAME,ParameterValue=VALUE", source=item)
    return match.group(1), match.group(2)


def parse_parameter_overrides(
    items: Sequence[str], *, base_dir: str | Path | None = None
) -> dict[str, str]:
    """Parameter values from command-line items; later items override earlier ones.

    Each item is ``KEY=VALUE`` (KEY alphanumeric, as parameter names are), the AWS CLI's
    ``ParameterKey=K,ParameterValue=V``, or a file (optionally ``file://``; relative to
    `base_dir`): a JSON list of ``{"ParameterKey", "ParameterValue"}`` as CloudFormation
    takes it, a ``{"Parameters": {...}}`` template configuration file, or a JSON/YAML
    mapping of names to values. List values are joined with commas.
    """
    values: dict[str, str] = {}
    for item in items:
        if item.startswith("ParameterKey="):
            key, value = _shorthand(item)
            values[key] = value
            continue
        key, sep, value = item.partition("=")
        if sep and _NAME.fullmatch(key) and not item.startswith("file://"):
            values[key] = value
            continue
        path = Path(item.removeprefix("file://"))
        if base_dir is not None and not path.is_absolute():
            path = Path(base_dir) / path
        if not path.is_file():
            raise TemplateError(
                "neither KEY=VALUE (KEY alphanumeric) nor an existing parameters file",
                source=item,
            )
        values.update(_from_file(item, path))
    return values
