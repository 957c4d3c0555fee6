"""Schedules a template declares, and the hours they imply.

Two kinds of schedule change what a resource runs for:

- scheduled actions of an Application Auto Scaling scalable target (`ScheduledActions` of
  `AWS::ApplicationAutoScaling::ScalableTarget`), which set the minimum and maximum task count
  of an ECS service (to 0 out of hours, back in the morning);
- EventBridge Scheduler schedules (`AWS::Scheduler::Schedule`) whose universal target calls
  RDS's `stopDBInstance` or `startDBInstance` for an instance of the template.

Their expressions (`cron(...)`, `rate(...)`, `at(...)`, each in its time zone) are evaluated
over a reference year (replayed three times, the middle one measured, so that the state at New
Year is the state the schedule leaves at the end of the year), and the hours in each state are
divided by 12: a month here is 730 hours, as everywhere in the estimate. A stopped RDS
instance is started by RDS itself after seven days
(https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_StopInstance.html); the
evaluation applies that rule, so a schedule that stops a database for longer is priced as AWS
would bill it.

AWS cron fields (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html):
minutes, hours, day of month, month, day of week (1-7 = SUN-SAT, or SUN..SAT), year; `*`,
`?`, lists, ranges and `/` steps are evaluated; `L`, `W` and `#` are refused (ValueError), and
the caller prices the resource as always on, saying so.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cost.pricing.context import Resource, ResourceIndex, ref_target

#: The reference year (not a leap year: 365 days = 8,760 hours = 12 x 730).
YEAR = 2027
_YEAR_START = datetime(YEAR, 1, 1, tzinfo=UTC)
_YEAR_HOURS = 8760.0
MONTH_HOURS = _YEAR_HOURS / 12
#: RDS starts an instance that has been stopped for seven days.
RDS_AUTO_START = timedelta(days=7)

_DAY_NAMES = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}
_MONTH_NAMES = {
    name: i + 1
    for i, name in enumerate(
        ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
    )
}
_CRON = re.compile(r"^cron\((.*)\)$")
_RATE = re.compile(r"^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$")
_RATE_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}
_AT = re.compile(r"^at\((\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\)$")


def _field(text: str, low: int, high: int, names: dict[str, int], what: str) -> frozenset[int]:
    """The values one cron field allows; ValueError naming the field when it is not read."""
    values: set[int] = set()
    for part in text.upper().split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/", 1)
            if not step_text.isdigit() or int(step_text) < 1:
                raise ValueError(f"{what} step {step_text!r} is not a positive number")
            step = int(step_text)
        if part in ("*", "?"):
            first, last = low, high
        elif "-" in part:
            a, b = part.split("-", 1)
            first, last = _value(a, names, what), _value(b, names, what)
        else:
            first = _value(part, names, what)
            last = high if step > 1 else first
        if not (low <= first <= high and low <= last <= high):
            raise ValueError(f"{what} {part!r} is outside {low}-{high}")
        if first <= last:
            values.update(range(first, last + 1, step))
        else:  # a range that wraps (FRI-MON)
            values.update(v for v in range(first, high + 1 + last - low + 1, step))
            values = {v if v <= high else v - (high - low + 1) for v in values}
    return frozenset(values)


def _value(text: str, names: dict[str, int], what: str) -> int:
    if text in names:
        return names[text]
    if not text.isdigit():
        raise ValueError(f"{what} {text!r} is not evaluated (L, W and # are not supported)")
    return int(text)


@dataclass(frozen=True)
class Cron:
    """A parsed AWS cron expression."""

    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int] | None  # day of month; None: any ('?' or '*' with a day of week)
    months: frozenset[int]
    weekdays: frozenset[int] | None  # Python weekday() values (0 = Monday); None: any
    years: frozenset[int] | None

    @classmethod
    def parse(cls, body: str) -> Cron:
        fields = body.split()
        if len(fields) != 6:
            raise ValueError(f"cron({body}) has {len(fields)} fields; AWS cron has 6")
        minute, hour, dom, month, dow, year = fields
        days = None if dom in ("?", "*") else _field(dom, 1, 31, {}, "day of month")
        weekdays = None
        if dow not in ("?", "*"):
            aws_days = _field(dow, 1, 7, _DAY_NAMES, "day of week")
            weekdays = frozenset((d - 2) % 7 for d in aws_days)  # SUN=1 -> 6, MON=2 -> 0
        return cls(
            minutes=_field(minute, 0, 59, {}, "minutes"),
            hours=_field(hour, 0, 23, {}, "hours"),
            days=days,
            months=_field(month, 1, 12, _MONTH_NAMES, "month"),
            weekdays=weekdays,
            years=None if year in ("*", "?") else _field(year, 1970, 2199, {}, "year"),
        )

    def local_times(self, year: int) -> Iterator[datetime]:
        """Every firing in a year, as naive local times."""
        if self.years is not None and year not in self.years:
            return
        day = date(year, 1, 1)
        while day.year == year:
            if (
                day.month in self.months
                and (self.days is None or day.day in self.days)
                and (self.weekdays is None or day.weekday() in self.weekdays)
            ):
                for hour in sorted(self.hours):
                    for minute in sorted(self.minutes):
                        yield datetime(year, day.month, day.day, hour, minute)
            day += timedelta(days=1)


def zone(name: str | None) -> ZoneInfo:
    """An IANA time zone (UTC when none is given); ValueError for an unknown name."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"time zone {name!r} is not an IANA time zone name") from None


def firings(expression: str, timezone: str | None = None, year: int = YEAR) -> list[datetime]:
    """When a schedule expression fires during a year, in UTC, sorted.

    ValueError when the expression is not one this module evaluates. Evaluated once per
    expression and zone: a schedule's own line and the lines of what it stops and starts
    read the same firings.
    """
    return list(_firings(expression, timezone, year))


@functools.lru_cache(maxsize=64)
def _firings(expression: str, timezone: str | None, year: int) -> tuple[datetime, ...]:
    text = expression.strip()
    tz = zone(timezone)
    interval = schedule_interval_seconds(text)
    if interval is not None:
        if interval < 60:
            raise ValueError(f"{expression} never fires")
        start = datetime(year, 1, 1, tzinfo=UTC)
        count = int(_YEAR_HOURS * 3600 // interval)
        return tuple(start + timedelta(seconds=interval * i) for i in range(count))
    at = _AT.match(text)
    if at:
        moment = datetime.fromisoformat(at.group(1)).replace(tzinfo=tz).astimezone(UTC)
        return (moment,) if moment.year == year else ()
    cron = _CRON.match(text)
    if cron is None:
        raise ValueError(f"{expression!r} is not a cron(), rate() or at() expression")
    parsed = Cron.parse(cron.group(1))
    return tuple(sorted(t.replace(tzinfo=tz).astimezone(UTC) for t in parsed.local_times(year)))


def schedule_interval_seconds(expression: str) -> float | None:
    """Seconds between the runs of a `rate(...)` expression; None for cron() and at()."""
    match = _RATE.match(expression.strip())
    if match is None:
        return None
    return int(match.group(1)) * _RATE_SECONDS[match.group(2).removesuffix("s")]


def monthly_firings(expression: str, timezone: str | None = None) -> float:
    """How many times a recurring expression fires in an average month."""
    return len(_firings(expression, timezone, YEAR)) / 12


# --- states over time -----------------------------------------------------------------------

#: A schedule's effect: at a moment, the state in force -> the new state.
Event = tuple[datetime, Callable[[Any], Any]]


def replay(
    events: Iterable[Event], initial: Any, *, restart_after: timedelta | None = None
) -> dict[Any, float]:
    """Hours per month in each state, the events replayed over the reference year.

    `initial` is the state before any schedule acts. The year is replayed three times and the
    second pass is measured, so the state at New Year is what the schedule leaves in December.
    With `restart_after`, a state 'stopped' held that long turns 'running' by itself (RDS).
    """
    ordered = sorted(events, key=lambda e: e[0])
    year = timedelta(days=365)
    # Three copies of the year; the middle one is measured (a firing at local midnight on
    # New Year's Day falls in the previous UTC year, and the next copy holds it).
    timeline = [(at + n * year, apply) for n in range(3) for at, apply in ordered]
    measure_from, measure_to = _YEAR_START + year, _YEAR_START + 2 * year
    hours: dict[Any, float] = {}
    state, moment = initial, _YEAR_START
    stopped_since: datetime | None = None

    def add(until: datetime) -> None:
        lo, hi = max(moment, measure_from), min(until, measure_to)
        if hi > lo:
            hours[state] = hours.get(state, 0.0) + (hi - lo).total_seconds() / 3600

    def spend(until: datetime) -> None:
        nonlocal state, moment, stopped_since
        if restart_after is not None and state == "stopped" and stopped_since is not None:
            wake = stopped_since + restart_after
            if wake < until:
                add(max(wake, moment))
                moment, state, stopped_since = max(wake, moment), "running", None
        add(until)
        moment = until

    for at, apply in timeline:
        spend(at)
        new = apply(state)
        if new != state:
            stopped_since = at if new == "stopped" else None
        state = new
    spend(measure_to)
    return {k: v / 12 for k, v in hours.items()}


# --- reading the template ---------------------------------------------------------------------


def referenced_ids(value: Any) -> set[str]:
    """Every logical ID a property value refers to (Ref or Fn::GetAtt, at any depth)."""
    found: set[str] = set()
    target = ref_target(value)
    if target is not None:
        found.add(target)
    if isinstance(value, dict):
        for item in value.values():
            found |= referenced_ids(item)
    elif isinstance(value, list):
        for item in value:
            found |= referenced_ids(item)
    return found


def _literal_text(value: Any) -> str | None:
    """A string, or the literal parts of an Fn::Join joined (references left out)."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and "Fn::Join" in value:
        args = value["Fn::Join"]
        if isinstance(args, list) and len(args) == 2 and isinstance(args[1], list):
            parts = [_literal_text(p) for p in args[1]]
            return str(args[0]).join(p for p in parts if p is not None)
    return None


@dataclass(frozen=True)
class Scheduled:
    """What the schedules of a resource imply: hours per month in each state, and what the
    report says about them."""

    hours: dict[Any, float]
    described: tuple[str, ...]


def _describe(expression: str, timezone: str | None) -> str:
    return f"{expression} ({timezone or 'UTC'})"


# ECS services: scheduled actions of their scalable target --------------------------------------


def _targets_service(target: Resource, service: Resource) -> bool:
    props = target.properties
    if props.get("ServiceNamespace") != "ecs":
        return False
    if props.get("ScalableDimension") != "ecs:service:DesiredCount":
        return False
    resource_id = props.get("ResourceId")
    if service.logical_id in referenced_ids(resource_id):
        return True
    name = service.properties.get("ServiceName")
    text = _literal_text(resource_id)
    return isinstance(name, str) and text is not None and text.endswith("/" + name)


def service_schedule(service: Resource, index: ResourceIndex, desired: float) -> Scheduled | None:
    """Hours per month at each task count of an ECS service whose scalable target has
    scheduled actions; None when it has none. ValueError for an expression not evaluated.

    Application Auto Scaling keeps the desired count within the minimum and maximum in force:
    a scheduled action that sets them clamps the count then (0 out of hours; back to the
    minimum in the morning). Target tracking between the bounds is not modelled: the count
    stays where the last action left it.
    """
    targets = [
        t
        for t in index.of_type("AWS::ApplicationAutoScaling::ScalableTarget")
        if _targets_service(t, service)
    ]
    actions = [a for t in targets for a in (t.properties.get("ScheduledActions") or [])]
    if not actions:
        return None
    events: list[Event] = []
    described = []
    for action in actions:
        if not isinstance(action, dict):
            raise ValueError("a scheduled action is not known at synth time")
        expression, timezone = action.get("Schedule"), action.get("Timezone")
        if not isinstance(expression, str) or not (timezone is None or isinstance(timezone, str)):
            raise ValueError("a scheduled action's schedule is not known at synth time")
        bounds = action.get("ScalableTargetAction") or {}
        low, high = bounds.get("MinCapacity"), bounds.get("MaxCapacity")
        if not all(v is None or isinstance(v, int | float) for v in (low, high)):
            raise ValueError("a scheduled action's capacity is not known at synth time")
        described.append(f"min {low}, max {high} at {_describe(expression, timezone)}")
        events += [(moment, _clamp(low, high)) for moment in firings(expression, timezone)]
    return Scheduled(replay(events, desired), tuple(described))


def _clamp(low: float | None, high: float | None) -> Any:
    def apply(count: float) -> float:
        if low is not None:
            count = max(count, low)
        if high is not None:
            count = min(count, high)
        return count

    return apply


# RDS instances: Scheduler schedules calling stopDBInstance / startDBInstance --------------------

RDS_ACTIONS = {"stopDBInstance": "stopped", "startDBInstance": "running"}


def _rds_action(schedule: Resource, instance: Resource) -> str | None:
    """'stopped' / 'running' when the schedule stops / starts this instance, else None."""
    props = schedule.properties
    if props.get("State") == "DISABLED":
        return None
    target = props.get("Target")
    if not isinstance(target, dict):
        return None
    arn = _literal_text(target.get("Arn")) or ""
    action = next((a for a in RDS_ACTIONS if arn.endswith(f"aws-sdk:rds:{a}")), None)
    if action is None:
        return None
    payload = target.get("Input")
    if instance.logical_id in referenced_ids(payload):
        return RDS_ACTIONS[action]
    name = instance.properties.get("DBInstanceIdentifier")
    if isinstance(payload, str) and isinstance(name, str):
        try:
            fields = {k.lower(): v for k, v in json.loads(payload).items()}
        except (ValueError, AttributeError):
            return None
        # Scheduler's SDK shapes spell it DbInstanceIdentifier; RDS's API DBInstanceIdentifier.
        given = fields.get("dbinstanceidentifier")
        if isinstance(given, str) and given.lower() == name.lower():
            return RDS_ACTIONS[action]
    return None


def instance_schedule(instance: Resource, index: ResourceIndex) -> Scheduled | None:
    """Hours per month an RDS instance runs ('running') and is stopped ('stopped') under the
    Scheduler schedules that stop and start it; None when none does. ValueError for an
    expression not evaluated."""
    events: list[Event] = []
    described = []
    for schedule in index.of_type("AWS::Scheduler::Schedule"):
        state = _rds_action(schedule, instance)
        if state is None:
            continue
        props = schedule.properties
        expression = props.get("ScheduleExpression")
        timezone = props.get("ScheduleExpressionTimezone")
        if not isinstance(expression, str) or not (timezone is None or isinstance(timezone, str)):
            raise ValueError("a schedule expression is not known at synth time")
        verb = "stop" if state == "stopped" else "start"
        described.append(f"{verb} at {_describe(expression, timezone)}")
        events += [(moment, _to(state)) for moment in firings(expression, timezone)]
    if not described:
        return None
    hours = replay(events, "running", restart_after=RDS_AUTO_START)
    return Scheduled({"running": 0.0, "stopped": 0.0} | hours, tuple(described))


def _to(state: str) -> Any:
    return lambda _current: state
