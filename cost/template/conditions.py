"""The Conditions section: each condition true, false, or unknown offline.

Conditions are evaluated with Kleene's three-valued logic: ``Fn::And`` with one false operand
is false even if another is unknown, ``Fn::Or`` with one true operand is true, ``Fn::Not`` of
unknown is unknown. A condition is unknown when an input of an ``Fn::Equals`` is (a parameter
with no value, the account ID, ...); `reason` says which inputs.

How unknown conditions are used is the caller's policy, applied consistently: a resource under
an unknown condition is kept (assumed deployed), and ``Fn::If`` on it takes the true branch;
both are recorded as assumptions.

An undefined condition name, a condition that refers to itself (directly or through others)
or an expression that is not a condition function is a `TemplateError`.
"""

from __future__ import annotations

from typing import Any

from cost.template.errors import TemplateError
from cost.template.intrinsics import Notes, Resolver, check_depth, is_known
from cost.template.parameters import scalar_text

_FUNCTIONS = "Fn::Equals, Fn::And, Fn::Or, Fn::Not or {Condition: name}"


class ConditionTable:
    """Lazily evaluated, memoized conditions of one template."""

    def __init__(self, section: Any, resolver: Resolver) -> None:
        if section is None:
            section = {}
        if not isinstance(section, dict):
            raise TemplateError(
                "Conditions must be a mapping of names to conditions", path="Conditions"
            )
        self._section: dict[str, Any] = section
        self._resolver = resolver
        self._values: dict[str, bool | None] = {}
        self._reasons: dict[str, str] = {}
        self._evaluating: list[str] = []

    def value(self, name: Any, path: str) -> bool | None:
        """The condition's value; None when it is not known offline."""
        if not isinstance(name, str) or name not in self._section:
            defined = ", ".join(sorted(self._section)) or "none"
            raise TemplateError(
                f"condition {name!r} is not defined in Conditions (defined: {defined})", path=path
            )
        if name in self._values:
            return self._values[name]
        if name in self._evaluating:
            loop = " -> ".join([*self._evaluating[self._evaluating.index(name) :], name])
            raise TemplateError(
                f"conditions refer to each other in a loop: {loop}", path=f"Conditions.{name}"
            )
        self._evaluating.append(name)
        notes = Notes()
        try:
            result = self._evaluate(self._section[name], f"Conditions.{name}", notes, 0)
        finally:
            self._evaluating.pop()
        self._values[name] = result
        if result is None:
            self._reasons[name] = "; ".join(notes.texts()) or "its inputs are not known offline"
        return result

    def reason(self, name: str) -> str:
        """Why an unknown condition is unknown."""
        return self._reasons.get(name, "")

    def all_values(self) -> dict[str, bool | None]:
        return {name: self.value(name, f"Conditions.{name}") for name in self._section}

    def _evaluate(self, expression: Any, path: str, notes: Notes, depth: int) -> bool | None:
        self._resolver.budget.spend(path)
        check_depth(depth, path)
        if isinstance(expression, bool):
            return expression
        if isinstance(expression, str) and expression.lower() in ("true", "false"):
            return expression.lower() == "true"
        if not (isinstance(expression, dict) and len(expression) == 1):
            raise TemplateError(f"a condition must be {_FUNCTIONS}", path=path)
        function, argument = next(iter(expression.items()))
        where = f"{path}.{function}"
        if function == "Condition":
            value = self.value(argument, where)
            if value is None:
                notes.add(f"condition {argument!r}: {self.reason(argument)}")
            return value
        if function == "Fn::Equals":
            if not (isinstance(argument, list) and len(argument) == 2):
                raise TemplateError("Fn::Equals takes [value, value]", path=where)
            left, right = (
                self._resolver.resolve(item, f"{where}[{index}]", notes, depth + 1)
                for index, item in enumerate(argument)
            )
            if not (is_known(left) and is_known(right)):
                return None
            return _same(left, right)
        if function == "Fn::Not":
            if not (isinstance(argument, list) and len(argument) == 1):
                raise TemplateError("Fn::Not takes [condition]", path=where)
            value = self._evaluate(argument[0], f"{where}[0]", notes, depth + 1)
            return None if value is None else not value
        if function in ("Fn::And", "Fn::Or"):
            if not (isinstance(argument, list) and 2 <= len(argument) <= 10):
                raise TemplateError(f"{function} takes a list of 2 to 10 conditions", path=where)
            values = [
                self._evaluate(item, f"{where}[{index}]", notes, depth + 1)
                for index, item in enumerate(argument)
            ]
            decisive: bool = function == "Fn::Or"  # the operand value that decides the result
            if decisive in values:
                return decisive
            if None in values:
                return None
            return not decisive
        raise TemplateError(
            f"{function} is not a condition function; allowed: {_FUNCTIONS}", path=where
        )


def _same(left: Any, right: Any) -> bool:
    """Fn::Equals: scalars compare as the strings CloudFormation sees ("true" == true)."""
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(
            _same(a, b) for a, b in zip(left, right, strict=True)
        )
    if isinstance(left, (dict, list)) or isinstance(right, (dict, list)):
        return bool(left == right)
    return scalar_text(left) == scalar_text(right)
