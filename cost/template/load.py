"""Reading a CloudFormation template from text or a file: JSON or YAML, into plain data.

YAML short forms (``!Ref``, ``!Sub``, ``!GetAtt a.b``, ``!If`` ...) become their long
``{"Fn::X": ...}`` forms. Dates stay strings (``AWSTemplateFormatVersion: 2010-09-09``), as
CloudFormation reads them. A UTF-8 byte-order mark is skipped; JSON may be indented with tabs.
Syntax errors, duplicate keys, several YAML documents, tags CloudFormation does not know and
nesting beyond `limits.MAX_DEPTH` raise `TemplateError` with the line and column.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError

from cost.template.errors import TemplateError
from cost.template.limits import MAX_DEPTH

#: Short-form tags: the condition and intrinsic functions CloudFormation's YAML accepts,
#: the functions of the LanguageExtensions transform and those of the Rules section.
_FUNCTION_TAGS = frozenset(
    {
        "And",
        "Base64",
        "Cidr",
        "Contains",
        "EachMemberEquals",
        "EachMemberIn",
        "Equals",
        "FindInMap",
        "GetAtt",
        "GetAZs",
        "If",
        "ImportValue",
        "Join",
        "Length",
        "Not",
        "Or",
        "RefAll",
        "Select",
        "Split",
        "Sub",
        "ToJsonString",
        "Transform",
        "ValueOf",
        "ValueOfAll",
    }
)
_OTHER_TAGS = frozenset({"Ref", "Condition"})
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
#: Standard YAML types with no JSON equivalent: CloudFormation rejects them.
_UNSUPPORTED_YAML_TAGS = ("binary", "omap", "pairs", "set", "timestamp")


class _CfnLoader(yaml.SafeLoader):
    """SafeLoader without timestamps, with CloudFormation's tags, rejecting duplicate keys."""

    # Dates are strings in CloudFormation (the template version is a date).
    yaml_implicit_resolvers = {  # noqa: RUF012 - PyYAML's own class attribute
        first: [entry for entry in entries if entry[0] != _TIMESTAMP]
        for first, entries in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def construct_mapping(self, node: yaml.Node, deep: bool = False) -> dict[Any, Any]:
        if not isinstance(node, yaml.MappingNode):
            raise ConstructorError(
                None, None, f"expected a mapping, found {type(node).__name__}", node.start_mark
            )
        self.flatten_mapping(node)
        mapping: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag.startswith("!"):
                raise ConstructorError(
                    "while reading a mapping",
                    node.start_mark,
                    "a key must be a plain value",
                    key_node.start_mark,
                )
            # Keys are strings as written: `80:` stays "80", `Yes:` stays "Yes".
            text = key_node.value
            if text in mapping:
                raise ConstructorError(
                    "while reading a mapping",
                    node.start_mark,
                    f"duplicate key {text!r}",
                    key_node.start_mark,
                )
            mapping[text] = self.construct_object(value_node, deep=deep)
        return mapping


def _intrinsic(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    if suffix in _OTHER_TAGS:
        name = suffix
    elif suffix in _FUNCTION_TAGS:
        name = f"Fn::{suffix}"
    else:
        known = ", ".join(f"!{tag}" for tag in sorted(_FUNCTION_TAGS | _OTHER_TAGS))
        raise ConstructorError(
            None, None, f"unknown tag !{suffix}; CloudFormation knows {known}", node.start_mark
        )
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if name == "Fn::GetAtt" and isinstance(value, str):
            # !GetAtt Db.Endpoint.Address: the attribute name may itself contain dots.
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    elif isinstance(node, yaml.MappingNode):
        value = loader.construct_mapping(node, deep=True)
    else:
        raise ConstructorError(None, None, f"cannot read !{suffix} here", node.start_mark)
    return {name: value}


def _unsupported(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    raise ConstructorError(
        None,
        None,
        f"the YAML type {node.tag} has no CloudFormation equivalent",
        node.start_mark,
    )


_CfnLoader.add_multi_constructor("!", _intrinsic)
for _tag in _UNSUPPORTED_YAML_TAGS:
    _CfnLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _unsupported)


class _DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


def _parse_json(text: str, source: str) -> Any:
    try:
        return json.loads(text, object_pairs_hook=_json_object)
    except json.JSONDecodeError as err:
        raise TemplateError(
            f"JSON syntax error: {err.msg}", source=source, line=err.lineno, column=err.colno
        ) from None
    except _DuplicateKey as err:
        raise TemplateError(f"duplicate key {err.key!r} in a JSON object", source=source) from None


def _parse_yaml(text: str, source: str) -> Any:
    try:
        return yaml.load(text, Loader=_CfnLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        parts = [part for part in (err.context, err.problem) if part]
        message = "YAML syntax error: " + ", ".join(parts)
        raise TemplateError(
            message,
            source=source,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        ) from None
    except yaml.reader.ReaderError as err:
        line, column = _position(text, err.position)
        raise TemplateError(
            f"YAML syntax error: {err.reason} (character {err.character!r})",
            source=source,
            line=line,
            column=column,
        ) from None
    except yaml.YAMLError as err:
        raise TemplateError(f"YAML syntax error: {err}", source=source) from None


def _position(text: str, offset: int) -> tuple[int, int]:
    before = text[:offset]
    line = before.count("\n") + 1
    return line, offset - (before.rfind("\n") + 1) + 1


def check_structure(data: Any, source: str) -> dict[str, Any]:
    """The template as a mapping with a Resources mapping, every value plain JSON data."""
    if not isinstance(data, dict):
        kind = "empty" if data is None else f"a {type(data).__name__}"
        raise TemplateError(
            f"not a CloudFormation template: the document is {kind}, not a mapping with a "
            "Resources section",
            source=source,
        )
    if "Resources" not in data:
        raise TemplateError("not a CloudFormation template: no Resources section", source=source)
    if not isinstance(data["Resources"], dict):
        raise TemplateError(
            "Resources must be a mapping of logical IDs to resources, got "
            f"{_kind(data['Resources'])}",
            source=source,
            path="Resources",
        )
    _check_values(data, source)
    return data


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    names = {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean"}
    return names.get(type(value), f"a {type(value).__name__}")


def _check_values(data: Any, source: str) -> None:
    """Plain JSON types only, nested at most MAX_DEPTH deep (iterative: no recursion).

    A mapping or list seen before (a YAML alias) is checked once: aliases can stand for
    exponentially many values.
    """
    stack: list[tuple[Any, int, str]] = [(data, 0, "")]
    seen: set[int] = set()
    while stack:
        value, depth, path = stack.pop()
        if isinstance(value, (dict, list)):
            if id(value) in seen:
                continue
            seen.add(id(value))
        if depth > MAX_DEPTH:
            raise TemplateError(
                f"nested more than {MAX_DEPTH} levels deep", source=source, path=path or None
            )
        if isinstance(value, dict):
            for key, item in value.items():
                if not isinstance(key, str):
                    raise TemplateError(
                        f"mapping key {key!r} is not a string", source=source, path=path or None
                    )
                stack.append((item, depth + 1, f"{path}.{key}" if path else key))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                stack.append((item, depth + 1, f"{path}[{index}]"))
        elif value is not None and not isinstance(value, (str, int, float, bool)):
            raise TemplateError(
                f"value of type {type(value).__name__} is not JSON data",
                source=source,
                path=path or None,
            )


def parse_data(text: str, source: str) -> Any:
    """JSON (if the text starts with '{' or '[') or YAML with CloudFormation's tags."""
    text = text.removeprefix("\ufeff")
    try:
        if text.lstrip().startswith(("{", "[")):
            return _parse_json(text, source)
        return _parse_yaml(text, source)
    except RecursionError:
        raise TemplateError(f"nested more than {MAX_DEPTH} levels deep", source=source) from None


def load_template_text(text: str, source: str = "<template>") -> dict[str, Any]:
    """Parse a template; `source` names it in errors. JSON if it starts with '{', else YAML."""
    return check_structure(parse_data(text, source), source)


def read_text(path: str | Path) -> str:
    """A UTF-8 file's text (a byte-order mark skipped); unreadable files are TemplateErrors."""
    source = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as err:
        raise TemplateError(f"cannot read the file: {err.strerror or err}", source=source) from None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise TemplateError("the file is UTF-16; expected UTF-8 text", source=source)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        before = raw[: err.start]
        raise TemplateError(
            f"not UTF-8 text (byte 0x{raw[err.start]:02x})",
            source=source,
            line=before.count(b"\n") + 1,
            column=err.start - (before.rfind(b"\n") + 1) + 1,
        ) from None


def load_template_file(path: str | Path) -> dict[str, Any]:
    """Read and parse a template file (UTF-8, with or without a byte-order mark)."""
    return load_template_text(read_text(path), str(path))
