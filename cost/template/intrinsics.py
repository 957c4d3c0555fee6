"""Intrinsic functions and pseudo parameters, resolved as far as they can be offline.

`Resolver.resolve` returns plain data where every input is known. Where one is not (a
resource's Ref or attribute, another stack's export, a parameter with no value, the account
ID), the function stays as an intrinsic with its known arguments already resolved, so
``{"Fn::Join": ["", ["arn:aws:s3:::", {"Ref": "Bucket"}]]}`` keeps pointing at the bucket.
Lists keep their known items (``[{"Ref": "SubnetA"}, "subnet-123"]`` still has two items).

Two kinds of trouble, two outcomes:
- arguments of the wrong shape (``Fn::Select`` of a string, ``Fn::Join`` of a mapping, an
  undefined condition in ``Fn::If``): CloudFormation rejects the template, so this raises
  `TemplateError` with the path;
- a lookup that misses (a mapping key, an index past the end, availability zones not given)
  or a function this module does not know: the value stays unresolved and an assumption says
  so, because the template may still deploy elsewhere or with other values.
"""

from __future__ import annotations

import base64
import copy
import ipaddress
import itertools
import json
import re
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from cost.template.errors import TemplateError
from cost.template.limits import MAX_DEPTH, MAX_WORK
from cost.template.model import ParameterValue
from cost.template.parameters import scalar_text


class _NoValue:
    """AWS::NoValue: the enclosing key or list item is removed."""

    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE: Any = _NoValue()

_URL_SUFFIXES = {
    "aws": "amazonaws.com",
    "aws-cn": "amazonaws.com.cn",
    "aws-us-gov": "amazonaws.com",
}
_SUB_PLACEHOLDER = re.compile(r"(\$\{[^}]*\})")
_FUNCTION_IN_PATH = re.compile(r"\.(?:Fn::|Ref\b)")


def partition_of(region: str) -> str:
    """The partition a region belongs to (the commercial one unless its name says otherwise)."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def is_intrinsic(value: Any) -> bool:
    """A single-key mapping naming Ref or an Fn:: function: a value not resolved."""
    if isinstance(value, dict) and len(value) == 1:
        key: str = next(iter(value))
        return key == "Ref" or key.startswith("Fn::")
    return False


def is_known(value: Any) -> bool:
    """True when no unresolved intrinsic remains anywhere inside `value`."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if is_intrinsic(item):
                return False
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return True


class Notes:
    """Assumptions for one resource (or the template): each sentence once, with where."""

    def __init__(self, prefix: str = "") -> None:
        self._prefix = prefix
        self._where: dict[str, list[str]] = {}

    def add(self, text: str, path: str = "") -> None:
        # The property path, without the functions inside it (".Fn::Join[1][0]...").
        where = _FUNCTION_IN_PATH.split(path, maxsplit=1)[0].removeprefix(self._prefix)
        places = self._where.setdefault(text, [])
        if where and where not in places:
            places.append(where)

    def texts(self) -> list[str]:
        """The sentences alone, in the order first seen."""
        return list(self._where)

    def render(self) -> list[str]:
        rendered = []
        for text, places in self._where.items():
            if places:
                shown = ", ".join(places[:3]) + (", ..." if len(places) > 3 else "")
                rendered.append(f"{text} ({shown})")
            else:
                rendered.append(text)
        return rendered


class Budget:
    """Counts values visited; too many means a pathological template (see limits)."""

    def __init__(self, limit: int = MAX_WORK) -> None:
        self.limit = limit
        self.spent = 0

    def spend(self, path: str) -> None:
        self.spent += 1
        if self.spent > self.limit:
            raise TemplateError(
                f"the template stands for more than {self.limit:,} values once expanded "
                "(YAML aliases or loops); it is too large to resolve",
                path=path or None,
            )


def check_depth(depth: int, path: str) -> None:
    if depth > MAX_DEPTH:
        raise TemplateError(f"nested more than {MAX_DEPTH} levels deep", path=path or None)


class ConditionLookup(Protocol):
    def value(self, name: Any, path: str) -> bool | None: ...

    def reason(self, name: str) -> str: ...


class _NoConditions:
    def value(self, name: Any, path: str) -> bool | None:
        raise TemplateError(f"condition {name!r} is not defined in Conditions", path=path)

    def reason(self, name: str) -> str:
        return ""


Handler = Callable[[Any, str, Notes, int], Any]


def _shape(path: str, function: str, expected: str, got: Any) -> TemplateError:
    shown = json.dumps(got, default=str)
    if len(shown) > 80:
        shown = shown[:77] + "..."
    return TemplateError(f"{function} takes {expected}; got {shown}", path=path)


class Resolver:
    """Resolves values of one template for one region, account and parameter set."""

    def __init__(
        self,
        *,
        region: str,
        account: str | None,
        stack_name: str | None,
        partition: str,
        availability_zones: Sequence[str] | None,
        parameters: dict[str, ParameterValue],
        mappings: dict[str, Any],
        template_notes: Notes,
        budget: Budget,
    ) -> None:
        self.region = region
        self.account = account
        self.stack_name = stack_name
        self.partition = partition
        self.availability_zones = list(availability_zones) if availability_zones else None
        self.parameters = parameters
        self.mappings = mappings
        self.resource_ids: set[str] = set()
        self.conditions: ConditionLookup = _NoConditions()
        self.template_notes = template_notes
        self.budget = budget
        self._functions: dict[str, Handler] = {
            "Fn::Base64": self._base64,
            "Fn::Cidr": self._cidr,
            "Fn::FindInMap": self._find_in_map,
            "Fn::GetAtt": self._get_att,
            "Fn::GetAZs": self._get_azs,
            "Fn::If": self._if,
            "Fn::ImportValue": self._import_value,
            "Fn::Join": self._join,
            "Fn::Length": self._length,
            "Fn::Select": self._select,
            "Fn::Split": self._split,
            "Fn::Sub": self._sub,
            "Fn::ToJsonString": self._to_json_string,
            "Fn::Transform": self._transform,
        }

    # -- the walk -----------------------------------------------------------------------

    def resolve(self, value: Any, path: str, notes: Notes, depth: int = 0) -> Any:
        """`value` with every intrinsic resolved that can be; NO_VALUE if it vanishes."""
        self.budget.spend(path)
        check_depth(depth, path)
        if isinstance(value, dict):
            if is_intrinsic(value):
                key, argument = next(iter(value.items()))
                if key == "Ref":
                    return self._ref(argument, path, notes, depth + 1)
                handler = self._functions.get(key)
                if handler is None:
                    notes.add(
                        f"{key} is not an intrinsic function this tool knows; left as is", path
                    )
                    return {key: self._arg(argument, f"{path}.{key}", notes, depth + 1)}
                return handler(argument, f"{path}.{key}", notes, depth + 1)
            result: dict[str, Any] = {}
            for key, item in value.items():
                resolved = self.resolve(item, f"{path}.{key}", notes, depth + 1)
                if resolved is not NO_VALUE:
                    result[key] = resolved
            return result
        if isinstance(value, list):
            items = []
            for index, item in enumerate(value):
                resolved = self.resolve(item, f"{path}[{index}]", notes, depth + 1)
                if resolved is not NO_VALUE:
                    items.append(resolved)
            return items
        if value is None or isinstance(value, (str, int, float, bool)):
            return value
        raise TemplateError(f"value of type {type(value).__name__} is not JSON data", path=path)

    def _arg(self, value: Any, path: str, notes: Notes, depth: int) -> Any:
        """An intrinsic function's argument, resolved; AWS::NoValue is not one."""
        resolved = self.resolve(value, path, notes, depth)
        if resolved is NO_VALUE:
            raise TemplateError(
                "AWS::NoValue can only leave out a property or a list item, not be an "
                "argument of an intrinsic function",
                path=path,
            )
        return resolved

    def _args(
        self,
        argument: Any,
        path: str,
        notes: Notes,
        depth: int,
        function: str,
        counts: tuple[int, ...],
        expected: str,
    ) -> list[Any]:
        if not isinstance(argument, list) or len(argument) not in counts:
            raise _shape(path, function, expected, argument)
        return [
            self._arg(item, f"{path}[{index}]", notes, depth + 1)
            for index, item in enumerate(argument)
        ]

    # -- Ref and pseudo parameters ------------------------------------------------------

    def _ref(self, name: Any, path: str, notes: Notes, depth: int) -> Any:
        if isinstance(name, dict):
            # AWS::LanguageExtensions allows a function that names what to refer to.
            name = self._arg(name, f"{path}.Ref", notes, depth + 1)
            if not isinstance(name, str):
                notes.add("a Ref whose target is not known offline; left unresolved", path)
                return {"Ref": name}
        if not isinstance(name, str):
            raise _shape(path, "Ref", "the name of a parameter or resource", name)
        if name == "AWS::NoValue":
            return NO_VALUE
        if name.startswith("AWS::"):
            return self._pseudo(name, path, notes)
        parameter = self.parameters.get(name)
        if parameter is not None:
            if parameter.value is None:
                notes.add(parameter.note, path)
                return {"Ref": name}
            return copy.copy(parameter.value)
        if name not in self.resource_ids:
            notes.add(
                f"Ref to {name!r}, which is neither a parameter nor a resource of this "
                "template; left unresolved",
                path,
            )
        return {"Ref": name}

    def _pseudo(self, name: str, path: str, notes: Notes) -> Any:
        if name == "AWS::Region":
            return self.region
        if name == "AWS::Partition":
            return self.partition
        if name == "AWS::AccountId" and self.account is not None:
            return self.account
        if name == "AWS::StackName" and self.stack_name is not None:
            return self.stack_name
        if name == "AWS::URLSuffix" and self.partition in _URL_SUFFIXES:
            return _URL_SUFFIXES[self.partition]
        if name == "AWS::NotificationARNs":
            self.template_notes.add(
                "AWS::NotificationARNs taken as an empty list (no notification topics given)"
            )
            return []
        why = {
            "AWS::AccountId": "no account was given",
            "AWS::StackName": "no stack name was given",
            "AWS::StackId": "it exists only once the stack is created",
            "AWS::URLSuffix": f"partition {self.partition!r} has no known URL suffix",
        }.get(name)
        if why is None:
            notes.add(f"{name} is not a pseudo parameter this tool knows; left unresolved", path)
        else:
            self.template_notes.add(
                f"{name} is not known offline ({why}); values that use it stay unresolved"
            )
        return {"Ref": name}

    # -- functions ----------------------------------------------------------------------

    def _if(self, argument: Any, path: str, notes: Notes, depth: int) -> Any:
        if not (isinstance(argument, list) and len(argument) == 3):
            raise _shape(
                path, "Fn::If", "[condition name, value if true, value if false]", argument
            )
        name = argument[0]
        value = self.conditions.value(name, path)
        if value is None:
            notes.add(
                f"condition {name!r} is not known offline ({self.conditions.reason(name)}); "
                "Fn::If took its true branch",
                path,
            )
            value = True
        branch = 1 if value else 2
        return self.resolve(argument[branch], f"{path}[{branch}]", notes, depth + 1)

    def _join(self, argument: Any, path: str, notes: Notes, depth: int) -> Any:
        delimiter, items = self._args(
            argument, path, notes, depth, "Fn::Join", (2,), "[delimiter, [values]]"
        )
        if is_intrinsic(items) or is_intrinsic(delimiter):
            return {"Fn::Join": [delimiter, items]}
        if not isinstance(delimiter, str):
            raise _shape(path, "Fn::Join", "a string delimiter", delimiter)
        if not isinstance(items, list):
            raise _shape(path, "Fn::Join", "a list of values to join", items)
        # Runs of known items join now: Join(d, [a, b, X]) is Join(d, [a + d + b, X]).
        parts: list[Any] = []
        run: list[str] = []
        for item in items:
            if is_intrinsic(item):
                if run:
                    parts.append(delimiter.join(run))
                    run = []
                parts.append(item)
                continue
            text = scalar_text(item)
            if text is None:
                raise _shape(path, "Fn::Join", "a list of strings", items)
            run.append(text)
        if run:
            parts.append(delimiter.join(run))
        if all(isinstance(part, str) for part in parts):
            return delimiter.join(parts)
        return {"Fn::Join": [delimiter, parts]}

    def _select(self, argument: Any, path: str, notes: Notes, depth: int) -> Any:
        index, items = self._args(argument, path, notes, depth, "Fn::Select", (2,), "[index, list]")
        if is_intrinsic(index) or is_intrinsic(items):
            return {"Fn::Select": [index, items]}
        text = scalar_text(index)
        if text is None or isinstance(index, bool) or not text.isdigit():
            raise _shape(path, "Fn::Select", "an index that is a whole number", index)
        if not isinstance(items, list):
            raise _shape(path, "Fn::Select", "a list to select from", items)
        position = int(text)
        if position >= len(items):
            notes.add(
                f"Fn::Select index {position} is past the end of a list of {len(items)}; "
                "left unresolved",
                path,
            )
            return {"Fn::Select": [index, items]}
        return items[position]

    def _split(self, argument: Any, path: str, notes: Notes, depth: int) -> Any:
        delimiter, source = self._args(
            argument, path, notes, depth, "Fn::Split", (2,), "[delimiter, string]"
        )
        if is_intrinsic(delimiter) or is_intrinsic(source):
            return {"Fn::Split": [delimiter, source]}
        if not isinstance(delimiter, str) or not delimiter:
            raise _shape(path, "Fn::Split", "a non-empty string delimiter", delimiter)
        if not isinstance(source, str):
            raise _shape(path, "Fn::Split", "a string to split", source)
        return source.split(delimiter)

    def _sub(self, argument: Any, path: str, notes: Notes, depth: int) -> Any:
        if isinstance(argument, str):
            text, variables = argument, {}
        elif (
            isinstance(argument, list)
            and len(argument) == 2
            and isinstance(argument[0], str)
            and isinstance(argument[1], dict)
        ):
            text, variables = argument[0], argument[1]
        else:
            raise _shape(path, "Fn::Sub", "a string or [string, {name: value}]", argument)
        resolved_vars = {
            name: self.resolve(value, f"{path}[1].{name}", notes, depth + 1)
            for name, value in variables.items()
        }
        final: list[str] = []  # the text if everything resolves
        residual: list[str] = []  # an Fn::Sub string for what remains otherwise
        needed: dict[str, Any] = {}
        complete = True
        for piece in _SUB_PLACEHOLDER.split(text):
            if not (piece.startswith("${") and piece.endswith("}")):
                final.append(piece)
                residual.append(piece)
                continue
            inner = piece[2:-1]
            if inner.startswith("!"):
                final.append("${" + inner[1:] + "}")
                residual.append(piece)
                continue
            name = inner.strip()
            value = self._sub_value(name, resolved_vars, path, notes, depth)
            known = scalar_text(value) if not is_intrinsic(value) else None
            if known is None and value is NO_VALUE:
                known = ""
            if known is None:
                if not is_intrinsic(value):
                    notes.add(f"Fn::Sub: ${{{name}}} is not a string; left unresolved", path)
                complete = False
                residual.append(piece)
                if name in resolved_vars:
                    needed[name] = resolved_vars[name]
                continue
            final.append(known)
            residual.append(known.replace("${", "${!"))
        if complete:
            return "".join(final)
        remaining = "".join(residual)
        return {"Fn::Sub": [remaining, needed] if needed else remaining}

    def _sub_value(
        self, name: str, variables: dict[str, Any], path: str, notes: Notes, depth: int
    ) -> Any:
        if name in variables:
            return variables[name]
        if "." in name and not name.startswith("AWS::"):
            resource, attribute = name.split(".", 1)
            return self._get_att([resource, attribute], path, notes, depth)
        return self._ref(name, path, notes, depth)

    def _get_att(self, argument: Any, path: str, notes: Notes, depth: int) -> Any:
        if isinstance(argument, str) and "." in argument:
            argument = argument.split(".", 1)
        if not (isinstance(argument, list) and len(argument) == 2):
            raise _shape(
                path, "Fn::GetAtt", "[resource, attribute] or 'resource.attribute'", argument
            )
        resolved = [
            self._arg(item, f"{path}[{index}]", notes, depth + 1)
            for index, item in enumerate(argument)
        ]
        target = resolved[0]
        if isinstance(target, str) and target not in self.resource_ids:
            notes.add(
                f"Fn::GetAtt of {target!r}, which is not a resource of this template; "
                "left unresolved",
                path,
            )
        return {"Fn::GetAtt": resolved}

    def _find_in_map(self, argument: Any, path: str, notes: Notes, depth: int) -> Any:
        expected = "[map, top-level key, second-level key] and optionally {DefaultValue: ...}"
        if not isinstance(argument, list) or len(argument) not in (3, 4):
            raise _shape(path, "Fn::FindInMap", expected, argument)
        keys = [
            self._arg(item, f"{path}[{index}]", notes, depth + 1)
            for index, item in enumerate(argument[:3])
        ]
        default_given = len(argument) == 4
        if default_given and not (
            isinstance(argument[3], dict) and list(argument[3]) == ["DefaultValue"]
        ):
            raise _shape(
                path, "Fn::FindInMap", "{DefaultValue: ...} as its fourth item", argument[3]
            )
        if any(is_intrinsic(key) for key in keys):
            return {"Fn::FindInMap": keys + argument[3:]}
        texts = [scalar_text(key) for key in keys]
        if any(text is None for text in texts):
            raise _shape(path, "Fn::FindInMap", "keys that are strings", keys)
        map_name, top, second = (text or "" for text in texts)
        found = self.mappings.get(map_name, {}).get(top, {})
        if isinstance(found, dict) and second in found:
            return copy.deepcopy(found[second])
        if default_given:
            return self.resolve(
                argument[3]["DefaultValue"], f"{path}[3].DefaultValue", notes, depth + 1
            )
        missing = (
            f"has no mapping {map_name!r}"
            if map_name not in self.mappings
            else f"mapping {map_name!r} has no entry {top!r} / {second!r}"
        )
        notes.add(
            f"Fn::FindInMap: the template {missing} (CloudFormation would fail to create the "
            "stack with these values); left unresolved",
            path,
        )
        return {"Fn::FindInMap": keys}

    def _get_azs(self, argument: Any, path: str, notes: Notes, depth: int) -> Any:
        region = self._arg(argument, path, notes, depth + 1)
        if is_intrinsic(region):
            return {"Fn::GetAZs": region}
        if region is None:
            region = ""
        if not isinstance(region, str):
            raise _shape(path, "Fn::GetAZs", "a region name or ''", region)
        if region not in ("", self.region):
            notes.add(f"Fn::GetAZs of another region ({region}) is not known offline", path)
            return {"Fn::GetAZs": region}
        if self.availability_zones is None:
            notes.add(
                f"Fn::GetAZs: the availability zones of {self.region} are not known offline "
                "(none were given); left unresolved",
                path,
            )
            return {"Fn::GetAZs": region}
        return list(self.availability_zones)

    def _import_value(self, argument: Any, path: str, notes: Notes, depth: int) -> Any:
        name = self._arg(argument, path, notes, depth + 1)
        place = _FUNCTION_IN_PATH.split(path, maxsplit=1)[0]
        notes.add(
            "Fn::ImportValue reads another stack's export, not known offline",
            f"{place} {name!r}" if isinstance(name, str) else place,
        )
        return {"Fn::ImportValue": name}

    def _base64(self, argument: Any, path: str, notes: Notes, depth: int) -> Any:
        value = self._arg(argument, path, notes, depth + 1)
        if is_intrinsic(value):
            return {"Fn::Base64": value}
        text = scalar_text(value)
        if text is None:
            raise _shape(path, "Fn::Base64", "a string", value)
        return base64.b64encode(text.encode("utf-8")).decode("ascii")

    def _cidr(self, argument: Any, path: str, notes: Notes, depth: int) -> Any:
        block, count, bits = self._args(
            argument, path, notes, depth, "Fn::Cidr", (3,), "[ip block, count, cidr bits]"
        )
        if any(is_intrinsic(item) for item in (block, count, bits)):
            return {"Fn::Cidr": [block, count, bits]}
        count_text, bits_text = scalar_text(count), scalar_text(bits)
        try:
            if not isinstance(block, str) or count_text is None or bits_text is None:
                raise ValueError(block)
            network = ipaddress.ip_network(block, strict=False)
            how_many, size_bits = int(count_text), int(bits_text)
        except ValueError:
            raise _shape(
                path, "Fn::Cidr", "[a CIDR block, a whole count, whole cidr bits]", argument
            ) from None
        new_prefix = network.max_prefixlen - size_bits
        if not 1 <= how_many <= 256 or not network.prefixlen <= new_prefix <= network.max_prefixlen:
            notes.add(
                f"Fn::Cidr cannot cut {how_many} blocks of {size_bits} bits from {block}; "
                "left unresolved",
                path,
            )
            return {"Fn::Cidr": [block, count, bits]}
        blocks = [
            str(subnet)
            for subnet in itertools.islice(network.subnets(new_prefix=new_prefix), how_many)
        ]
        if len(blocks) < how_many:
            notes.add(f"Fn::Cidr: only {len(blocks)} blocks fit in {block}; left unresolved", path)
            return {"Fn::Cidr": [block, count, bits]}
        return blocks

    def _length(self, argument: Any, path: str, notes: Notes, depth: int) -> Any:
        value = self._arg(argument, path, notes, depth + 1)
        if isinstance(value, list):
            return len(value)
        if is_intrinsic(value):
            return {"Fn::Length": value}
        raise _shape(path, "Fn::Length", "a list", value)

    def _to_json_string(self, argument: Any, path: str, notes: Notes, depth: int) -> Any:
        value = self._arg(argument, path, notes, depth + 1)
        if not isinstance(value, (dict, list)) or is_intrinsic(value):
            if is_intrinsic(value):
                return {"Fn::ToJsonString": value}
            raise _shape(path, "Fn::ToJsonString", "a mapping or a list", value)
        if not is_known(value):
            return {"Fn::ToJsonString": value}
        return json.dumps(value, separators=(",", ":"))

    def _transform(self, argument: Any, path: str, notes: Notes, depth: int) -> Any:
        name = argument.get("Name") if isinstance(argument, dict) else None
        shown = f" {name!r}" if isinstance(name, str) else ""
        notes.add(f"Fn::Transform{shown} runs a macro at deploy time; not run offline", path)
        return {"Fn::Transform": argument}
