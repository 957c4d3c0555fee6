"""Settings declared once: each construct module declares the settings it consumes here.

A settings group is a frozen dataclass whose fields are built with :func:`setting`. One
declaration carries everything about a setting: its type (the annotation, which also picks
the parser for context strings), its default (the `team` profile's value), its `dev` and
`prod` values, the values allowed (one-of, a range, a pattern or a custom check), and the
text the README's configuration table shows. Cross-field rules are a table of
:class:`Rule` (condition, message) on the group (`RULES`), or on the composed configuration
in `stacks/config.py` when they span groups.

Everything else is derived: parsing (:func:`parse_value`), single-field problems
(:func:`field_problems`), profile overlays (:func:`profile_values`) and the table rows
(:func:`markdown_rows`). Nothing here reads context or the environment.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import re
import types
import typing
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Literal, Protocol, TypeVar

from aws_cdk import aws_logs as logs

PROFILES = ("dev", "lean", "team", "prod")
Profile = Literal["dev", "lean", "team", "prod"]

_METADATA_KEY = "mlflow-setting"
_UNSET: Any = object()

T = TypeVar("T")
G = TypeVar("G")

# --- value sets several constructs share --------------------------------------------------

#: Values CloudWatch Logs accepts for RetentionInDays.
LOG_RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731,
    1096, 1827, 2192, 2557, 2922, 3288, 3653,
)  # fmt: skip


def retention(days: int) -> logs.RetentionDays:
    """The RetentionDays member for a number of days (the config validated it).

    RetentionDays lists the same values as LOG_RETENTION_DAYS in the same order (then
    INFINITE); a test checks the synthesized RetentionInDays against the setting.
    """
    members = [m for m in logs.RetentionDays if m.name != "INFINITE"]
    return dict(zip(LOG_RETENTION_DAYS, members, strict=True))[days]


# --- single-field checks ------------------------------------------------------------------


def show(value: Any) -> str:
    """A value as messages show it: booleans as the context spells them, the rest as repr."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


def _number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


class Check(Protocol):
    """One single-field check: what is wrong with a value (or None), and what is allowed."""

    def problem(self, value: Any) -> str | None:
        """The text after `name=value` when the value is not allowed, e.g. 'is out of range;
        allowed: 1 to 32'."""

    def describe(self) -> str:
        """What is allowed, for the README table."""


#: A fixed list of allowed values, or a function returning it (evaluated at validation
#: time, so a catalog can supply the list without being read at import).
AllowedValues = Sequence[Any] | Callable[[], Sequence[Any]]


@dataclass(frozen=True)
class OneOf:
    """The value must be one of a list (fixed, or supplied by a function)."""

    values: AllowedValues
    #: Replaces the listing in messages and docs when the list is long.
    summary: Callable[[Sequence[Any]], str] | None = None
    #: The text after `name=value` (default: 'is not allowed').
    refusal: str = "is not allowed"

    def allowed(self) -> tuple[Any, ...]:
        values = self.values() if callable(self.values) else self.values
        return tuple(values)

    def describe(self) -> str:
        values = self.allowed()
        if self.summary is not None:
            return self.summary(values)
        return ", ".join(_listing(values))

    def problem(self, value: Any) -> str | None:
        if value in self.allowed():
            return None
        return f"{self.refusal}; allowed: {', '.join(_listing(self.allowed()))}"


def _listing(values: Sequence[Any]) -> list[str]:
    return [show(v) if isinstance(v, bool) else str(v) for v in values]


@dataclass(frozen=True)
class Range:
    """A number between two bounds, both included."""

    low: float
    high: float

    def describe(self) -> str:
        return f"{_number(self.low)} to {_number(self.high)}"

    def problem(self, value: Any) -> str | None:
        if self.low <= value <= self.high:
            return None
        return f"is out of range; allowed: {self.describe()}"


@dataclass(frozen=True)
class Matches:
    """Text matching a regular expression (the whole value)."""

    pattern: str
    #: What a matching value is ('an AWS account ID'); None says only 'is not allowed'.
    what: str | None
    allowed: str

    def describe(self) -> str:
        return self.allowed

    def problem(self, value: Any) -> str | None:
        if re.fullmatch(self.pattern, str(value)):
            return None
        return f"is not {self.what or 'allowed'}; allowed: {self.allowed}"


@dataclass(frozen=True)
class Satisfies:
    """A value for which a predicate holds."""

    predicate: Callable[[Any], bool]
    what: str | None
    allowed: str

    def describe(self) -> str:
        return self.allowed

    def problem(self, value: Any) -> str | None:
        if self.predicate(value):
            return None
        return f"is not {self.what or 'allowed'}; allowed: {self.allowed}"


@dataclass(frozen=True)
class Cidr:
    """An IPv4 CIDR block (network address, no host bits) of at most /max_prefix."""

    max_prefix: int = 32

    def describe(self) -> str:
        if self.max_prefix == 32:
            return "IPv4 CIDR blocks"
        return f"an IPv4 CIDR block, /{self.max_prefix} or larger"

    def problem(self, value: Any) -> str | None:
        try:
            network = ipaddress.ip_network(value, strict=True)
        except ValueError as err:
            return f"is not a CIDR block ({err}); allowed: e.g. 10.0.0.0/16"
        if network.version != 4 or network.prefixlen > self.max_prefix:
            return f"is not allowed; allowed: an IPv4 CIDR block /{self.max_prefix} or larger"
        return None


#: An EventBridge Scheduler expression (the scheduled tasks' schedules). `rate(1 day)` but
#: `rate(2 days)`: Scheduler wants the singular for one.
_RATE = r"rate\((?:1 (?:minute|hour|day)|(?:[2-9]|[1-9][0-9]+) (?:minutes|hours|days))\)"
_CRON = r"cron\([^()]+\)"
SCHEDULE_EXPRESSION = Matches(
    f"{_RATE}|{_CRON}",
    what="an EventBridge Scheduler expression",
    allowed="rate(N minutes|hours|days) or cron(minutes hours day month weekday year)",
)


# --- declarations -------------------------------------------------------------------------


@dataclass(frozen=True)
class Setting:
    """Everything declared about one setting except its name, type and default."""

    doc: str
    profiles: Mapping[str, Any]
    checks: tuple[Check, ...]
    #: README text for a default that is computed rather than fixed (e.g. 'the profile').
    default_doc: str | None


def setting(
    default: T,
    *,
    doc: str,
    dev: T = _UNSET,
    lean: T = _UNSET,
    prod: T = _UNSET,
    one_of: OneOf | AllowedValues | None = None,
    between: tuple[float, float] | None = None,
    check: Check | None = None,
    default_doc: str | None = None,
) -> T:
    """Declare a settings-group field: default (= `team`), per-profile values, allowed values.

    A profile without a value of its own takes the default (the `team` value).

    The field's annotation gives the type; a Literal annotation is its own one-of check.
    """
    checks: list[Check] = []
    if one_of is not None:
        checks.append(one_of if isinstance(one_of, OneOf) else OneOf(one_of))
    if between is not None:
        checks.append(Range(*between))
    if check is not None:
        checks.append(check)
    given = (("dev", dev), ("lean", lean), ("prod", prod))
    profiles = {p: v for p, v in given if v is not _UNSET}
    declared = Setting(doc=doc, profiles=profiles, checks=tuple(checks), default_doc=default_doc)
    result: T = dataclasses.field(default=default, metadata={_METADATA_KEY: declared})
    return result


@dataclass(frozen=True)
class Rule(Generic[G]):
    """A cross-field rule: `broken(settings)` says when; `message(settings)` says what.

    `reads` names the fields the rule looks at; it is skipped while one of them already has
    a single-field problem (that problem is the one worth reading).
    """

    reads: tuple[str, ...]
    broken: Callable[[G], bool]
    message: Callable[[G], str]


@dataclass(frozen=True)
class Declared:
    """One declared setting, resolved: name, type, default and the declaration."""

    name: str
    type: Any
    default: Any
    setting: Setting

    def value_for(self, profile: str) -> Any:
        return self.setting.profiles.get(profile, self.default)

    @property
    def checks(self) -> tuple[Check, ...]:
        literal = _literal_values(self.type)
        if literal is not None:
            return (OneOf(literal), *self.setting.checks)
        return self.setting.checks


def declared(group: type) -> tuple[Declared, ...]:
    """The declared settings of a group (a dataclass), in declaration order."""
    hints = typing.get_type_hints(group)
    found = []
    for f in dataclasses.fields(group):
        meta = f.metadata.get(_METADATA_KEY)
        if meta is None:
            raise TypeError(f"{group.__name__}.{f.name} is not declared with setting()")
        found.append(Declared(f.name, hints[f.name], f.default, meta))
    return tuple(found)


def profile_values(group: type[T], profile: str) -> T:
    """The group with a profile's values."""
    return group(**{d.name: d.value_for(profile) for d in declared(group)})


def group_rules(group: type) -> tuple[Rule[Any], ...]:
    rules: tuple[Rule[Any], ...] = getattr(group, "RULES", ())
    return rules


# --- parsing context values by annotation -------------------------------------------------


def _literal_values(annotation: Any) -> tuple[Any, ...] | None:
    if typing.get_origin(annotation) is Literal:
        return typing.get_args(annotation)
    return None


def _optional_inner(annotation: Any) -> Any | None:
    """T for `T | None`, else None."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1 and len(typing.get_args(annotation)) == 2:
            return args[0]
    return None


def _parse_bool(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in ("true", "yes", "on", "1"):
        return True
    if text in ("false", "no", "off", "0"):
        return False
    raise ValueError("is not a boolean; allowed: true/false (also yes/no, on/off)")


def _parse_int(raw: Any) -> int:
    if isinstance(raw, bool):
        raise ValueError("is not a whole number")
    if isinstance(raw, int):
        return raw
    try:
        return int(str(raw).strip())
    except ValueError:
        raise ValueError("is not a whole number") from None


def _parse_float(raw: Any) -> float:
    if isinstance(raw, bool):
        raise ValueError("is not a number")
    try:
        return float(raw)
    except (TypeError, ValueError):
        raise ValueError("is not a number") from None


def _parse_str_tuple(raw: Any) -> tuple[str, ...]:
    if isinstance(raw, (list, tuple)):
        items = [str(x).strip() for x in raw]
    else:
        items = [x.strip() for x in str(raw).split(",")]
    return tuple(x for x in items if x)


def _parse_str(raw: Any) -> str:
    return str(raw).strip()


def parser_for(annotation: Any) -> Callable[[Any], Any]:
    """The context-value parser for a field's type: bool, int, float, str, Literal,
    tuple[str, ...] or any of them | None. Parsers raise ValueError('is not ...')."""
    inner = _optional_inner(annotation)
    if inner is not None:
        parse_inner = parser_for(inner)
        if inner is str:
            return lambda raw: None if raw is None else (_parse_str(raw) or None)
        return lambda raw: None if raw in (None, "", "none", "off") else parse_inner(raw)
    if annotation is bool:
        return _parse_bool
    if annotation is int:
        return _parse_int
    if annotation is float:
        return _parse_float
    if annotation is str or _literal_values(annotation) is not None:
        return _parse_str
    if typing.get_origin(annotation) is tuple and typing.get_args(annotation)[1:] == (...,):
        return _parse_str_tuple
    raise TypeError(f"no context parser for settings of type {annotation!r}")


def parse_value(item: Declared, raw: Any) -> Any:
    """A context value (a string from `-c`, or JSON from cdk.json) as the setting's type."""
    try:
        return parser_for(item.type)(raw)
    except ValueError as err:
        text = str(err) if "allowed:" in str(err) else f"{err}; allowed: {allowed_doc(item)}"
        raise ValueError(f"{item.name}={raw!r} {text}") from None


# --- problems -----------------------------------------------------------------------------


def value_problems(item: Declared, value: Any) -> list[str]:
    """What the declared checks say about a value (each item of a tuple; None passes)."""
    found = []
    for one in value if isinstance(value, tuple) else (value,):
        if one is None:
            continue
        for check in item.checks:
            text = check.problem(one)
            if text:
                found.append(f"{item.name}={show(one)} {text}")
    return found


def field_problems(group: object) -> dict[str, list[str]]:
    """Single-field problems of a group instance: field name -> messages."""
    found: dict[str, list[str]] = {}
    for item in declared(type(group)):
        problems = value_problems(item, getattr(group, item.name))
        if problems:
            found[item.name] = problems
    return found


def rule_problems(
    subject: Any, rules: Sequence[Rule[Any]], already_wrong: Mapping[str, object]
) -> list[str]:
    """Messages of the broken rules, skipping rules that read a field already reported."""
    return [
        rule.message(subject)
        for rule in rules
        if not any(name in already_wrong for name in rule.reads) and rule.broken(subject)
    ]


# --- documentation ------------------------------------------------------------------------


def _doc_value(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return show(value)
    if isinstance(value, (int, float)):
        return _number(value)
    if isinstance(value, tuple):
        return ", ".join(f"`{v}`" for v in value) if value else "none"
    return f"`{value}`"


def _type_doc(annotation: Any) -> str:
    inner = _optional_inner(annotation)
    if inner is not None:
        return f"{_type_doc(inner)}, or empty for none"
    return {
        bool: "true or false",
        int: "a whole number",
        float: "a number",
        str: "text",
    }.get(annotation, "comma-separated values")


def allowed_doc(item: Declared) -> str:
    """What the README says is allowed: the checks, or the type when there are none."""
    described = [c.describe() for c in item.checks]
    if not described:
        return _type_doc(item.type)
    if typing.get_origin(item.type) is tuple:
        described = [f"comma-separated: {d}" for d in described]
    text = "; ".join(described)
    if _optional_inner(item.type) is not None:
        text += "; or empty for none"
    return text


def defaults_doc(item: Declared) -> str:
    """'dev / lean / team / prod' values, or one value when every profile has the same."""
    if item.setting.default_doc is not None:
        return item.setting.default_doc
    values = [_doc_value(item.value_for(p)) for p in PROFILES]
    return values[0] if len(set(values)) == 1 else " / ".join(values)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown_rows(items: Sequence[Declared]) -> Iterator[str]:
    for item in items:
        cells = (f"`{item.name}`", defaults_doc(item), allowed_doc(item), item.setting.doc)
        yield "| " + " | ".join(_cell(c) for c in cells) + " |"


MARKDOWN_HEADER = (
    "| setting | default (dev / lean / team / prod) | allowed | meaning |",
    "|---|---|---|---|",
)
