"""Fn::ForEach (the AWS::LanguageExtensions transform): loops expanded before anything else.

``Fn::ForEach::Name: [Identifier, Collection, {OutputKey: OutputValue}]`` may stand in
Conditions, Resources (resource properties included) and Outputs, and loops nest. For each
item of the collection (a list, or a Ref to a CommaDelimitedList parameter, or anything that
resolves to a list of strings), the fragment is copied with ``${Identifier}`` replaced by the
item in keys and in ``Fn::Sub`` strings, ``&{Identifier}`` replaced by the item without its
non-alphanumeric characters, and ``{"Ref": Identifier}`` replaced by the item. Plain strings
are left alone, as CloudFormation leaves them.

A loop whose collection is not known offline generates nothing and says so (the entries it
would have made are named by type). Duplicate generated keys, and more than
`limits.MAX_FOREACH_ENTRIES` generated entries in all, are `TemplateError`s.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from cost.template.errors import TemplateError
from cost.template.intrinsics import Notes, Resolver, check_depth, is_known
from cost.template.limits import MAX_FOREACH_ENTRIES
from cost.template.parameters import scalar_text

PREFIX = "Fn::ForEach::"
_LOOP_NAME = re.compile(r"Fn::ForEach::[A-Za-z0-9]+")
_IDENTIFIER = re.compile(r"[A-Za-z0-9]+")
_NOT_ALPHANUMERIC = re.compile(r"[^0-9A-Za-z]")
_SHAPE = "[identifier, collection, {OutputKey: OutputValue}]"


def substitute(text: str, bindings: dict[str, str]) -> str:
    for identifier, value in bindings.items():
        text = text.replace("${" + identifier + "}", value)
        text = text.replace("&{" + identifier + "}", _NOT_ALPHANUMERIC.sub("", value))
    return text


class Expander:
    """Expands every Fn::ForEach of one template."""

    def __init__(self, resolver: Resolver, notes: Notes) -> None:
        self._resolver = resolver
        self._notes = notes
        self.generated = 0
        self.used = False

    def expand(
        self, value: Any, path: str, bindings: dict[str, str] | None = None, depth: int = 0
    ) -> Any:
        """`value` with its loops expanded and loop identifiers in `bindings` replaced."""
        bindings = bindings or {}
        self._resolver.budget.spend(path)
        check_depth(depth, path)
        if isinstance(value, list):
            return [
                self.expand(item, f"{path}[{index}]", bindings, depth + 1)
                for index, item in enumerate(value)
            ]
        if not isinstance(value, dict):
            return value
        if bindings and len(value) == 1:
            key, argument = next(iter(value.items()))
            if key == "Ref" and isinstance(argument, str) and argument in bindings:
                return bindings[argument]
            if key == "Fn::Sub":
                return {"Fn::Sub": self._sub(argument, f"{path}.Fn::Sub", bindings, depth + 1)}
        result: dict[str, Any] = {}
        for key, item in value.items():
            if key.startswith(PREFIX):
                for new_key, new_value in self._loop(
                    key, item, f"{path}.{key}", bindings, depth + 1
                ):
                    if new_key in result:
                        raise TemplateError(
                            f"{key} generates the key {new_key!r}, which is already there",
                            path=path,
                        )
                    result[new_key] = new_value
                continue
            new_key = substitute(key, bindings) if bindings else key
            if new_key in result:
                raise TemplateError(
                    f"the key {new_key!r} appears twice once loops are expanded", path=path
                )
            result[new_key] = self.expand(item, f"{path}.{key}", bindings, depth + 1)
        return result

    def _sub(self, argument: Any, path: str, bindings: dict[str, str], depth: int) -> Any:
        if isinstance(argument, str):
            return substitute(argument, bindings)
        if isinstance(argument, list) and len(argument) == 2 and isinstance(argument[0], str):
            return [
                substitute(argument[0], bindings),
                self.expand(argument[1], f"{path}[1]", bindings, depth),
            ]
        return self.expand(argument, path, bindings, depth)

    def _loop(
        self, key: str, spec: Any, path: str, bindings: dict[str, str], depth: int
    ) -> Iterator[tuple[str, Any]]:
        self.used = True
        if not _LOOP_NAME.fullmatch(key):
            raise TemplateError("a loop's name after Fn::ForEach:: must be alphanumeric", path=path)
        if not (isinstance(spec, list) and len(spec) == 3 and isinstance(spec[2], dict)):
            raise TemplateError(f"Fn::ForEach takes {_SHAPE}", path=path)
        identifier = spec[0]
        if not (isinstance(identifier, str) and _IDENTIFIER.fullmatch(identifier)):
            raise TemplateError(
                f"Fn::ForEach's identifier must be alphanumeric, got {identifier!r}",
                path=f"{path}[0]",
            )
        raw = self.expand(spec[1], f"{path}[1]", bindings, depth + 1)
        why = Notes()
        collection = self._resolver.resolve(raw, f"{path}[1]", why, depth + 1)
        if not (isinstance(collection, list) and is_known(collection)):
            if not is_known(collection):
                reason = "; ".join(why.texts()) or "it is not known offline"
                self._notes.add(
                    f"{path}: its collection is not known offline ({reason}), so what it "
                    f"generates ({_described(spec[2])}) is left out"
                )
                return
            raise TemplateError(
                "Fn::ForEach's collection must be a list of strings", path=f"{path}[1]"
            )
        # Entries this loop makes itself; those of loops nested in it count in those loops.
        own_entries = sum(1 for name in spec[2] if not name.startswith(PREFIX))
        for item in collection:
            text = scalar_text(item)
            if text is None:
                raise TemplateError(
                    f"Fn::ForEach's collection must be a list of strings, got an item {item!r}",
                    path=f"{path}[1]",
                )
            self.generated += own_entries
            if self.generated > MAX_FOREACH_ENTRIES:
                raise TemplateError(
                    f"Fn::ForEach loops generate more than {MAX_FOREACH_ENTRIES:,} entries "
                    "(CloudFormation allows at most 500 resources in a stack)",
                    path=path,
                )
            expanded = self.expand(spec[2], f"{path}[2]", {**bindings, identifier: text}, depth + 1)
            yield from expanded.items()


def _described(fragment: dict[str, Any]) -> str:
    types = sorted(
        {
            body["Type"]
            for body in fragment.values()
            if isinstance(body, dict) and isinstance(body.get("Type"), str)
        }
    )
    return ", ".join(types) if types else ", ".join(fragment)
