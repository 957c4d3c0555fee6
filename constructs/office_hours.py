"""Office hours: the service scales to zero and the database stops outside them.

`schedule="Mon-Fri 08:00-18:00 Europe/Berlin"` (off in dev, team and prod; on in lean) adds:

- two scheduled actions on the service's scalable target: at the opening time the task count
  goes back to `min_tasks`..`max_tasks`, at the closing time to 0..0;
- EventBridge Scheduler schedules with universal targets (no Lambda) that call RDS:
  `startDBInstance` `schedule_db_lead_minutes` before opening (the database first on the way
  up: a task that starts before it cannot migrate or serve), `stopDBInstance` 15 minutes after
  closing (once the tasks have drained), and `stopDBInstance` again at half past every hour
  outside that window. RDS starts a stopped instance by itself after seven days; the hourly
  stop puts it back within the hour, so the database stays stopped across long weekends,
  holidays and `schedule_closed_until`, and is never billed for days nobody works.
- `schedule_closed_until=YYYY-MM-DD`: the opening actions start on that day (a holiday
  closure); the closing and the hourly stops keep running.

The schedules are what the estimate prices: it reads the scheduled actions and the RDS
schedules from the template (cost/pricing/schedules.py) and prices the hours they imply.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import ClassVar

from aws_cdk import Stack, TimeZone
from aws_cdk import aws_applicationautoscaling as appscaling
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_iam as iam
from aws_cdk import aws_rds as rds
from aws_cdk import aws_scheduler as scheduler

from constructs import Construct
from constructs.settings import Rule, Satisfies, setting
from cost.pricing.schedules import firings, zone

DAY_NAMES = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
_SPEC = re.compile(
    r"^\s*(?P<days>[A-Za-z,\-]+)\s+(?P<open>\d\d:\d\d)-(?P<close>\d\d:\d\d)\s+(?P<zone>\S+)\s*$"
)
#: The database stops this long after closing time (the tasks have drained by then).
DB_STOP_DELAY_MINUTES = 15
#: Minute of every hour at which the stopped database is stopped again.
KEEP_STOPPED_MINUTE = 30


@dataclass(frozen=True)
class OfficeHours:
    """A parsed `schedule`: days (0 = Monday), opening and closing time, IANA zone."""

    days: tuple[int, ...]
    opens: time
    closes: time
    zone: str

    @classmethod
    def parse(cls, text: str) -> OfficeHours:
        """ValueError saying what is wrong and what is allowed."""
        match = _SPEC.match(text)
        if match is None:
            raise ValueError("is not office hours")
        days = _days(match["days"])
        opens, closes = _time(match["open"]), _time(match["close"])
        if closes <= opens:
            raise ValueError(
                f"closes at {match['close']}, not after it opens at {match['open']} (office "
                "hours end on the day they start)"
            )
        try:
            zone(match["zone"])
        except ValueError:
            raise ValueError(
                f"has time zone {match['zone']!r}, which is not an IANA time zone name"
            ) from None
        return cls(days, opens, closes, match["zone"])

    @property
    def week_days(self) -> str:
        """The days as a cron day-of-week list (MON,TUE,...)."""
        return ",".join(DAY_NAMES[d] for d in self.days)

    @property
    def closed_days(self) -> str:
        return ",".join(DAY_NAMES[d] for d in range(7) if d not in self.days)

    def covers(self, expression: str, timezone: str | None = None) -> bool:
        """Whether every firing of a schedule expression falls within office hours (a task
        it starts finds the database running). ValueError for an expression not evaluated."""
        tz = zone(self.zone)
        for moment in firings(expression, timezone):
            local = moment.astimezone(tz)
            if local.weekday() not in self.days or not self.opens <= local.time() < self.closes:
                return False
        return True


def _time(text: str) -> time:
    hour, minute = int(text[:2]), int(text[3:])
    if hour > 23 or minute > 59:
        raise ValueError(f"has {text}, which is not a time of day (00:00 to 23:59)")
    return time(hour, minute)


def _days(text: str) -> tuple[int, ...]:
    names = {name.title(): i for i, name in enumerate(DAY_NAMES)}
    if text.lower() == "daily":
        return tuple(range(7))
    found: set[int] = set()
    for part in text.split(","):
        ends = [p.strip().title() for p in part.split("-")]
        if len(ends) > 2 or any(e not in names for e in ends):
            raise ValueError(f"has days {text!r}, which are not day names")
        first, last = names[ends[0]], names[ends[-1]]
        found.update(
            range(first, last + 1) if first <= last else (*range(first, 7), *range(last + 1))
        )
    return tuple(sorted(found))


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


_ALLOWED = (
    "'DAYS HH:MM-HH:MM ZONE' (days Mon..Sun as ranges or lists, or daily; an IANA time "
    "zone), e.g. 'Mon-Fri 08:00-18:00 Europe/Berlin'"
)


@dataclass(frozen=True)
class _ParsesAsOfficeHours:
    """The settings check: the parser's own message, and what is allowed."""

    def describe(self) -> str:
        return _ALLOWED

    def problem(self, value: object) -> str | None:
        try:
            OfficeHours.parse(str(value))
        except ValueError as err:
            return f"{err}; allowed: {_ALLOWED}"
        return None


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


def _lead_problem(s: OfficeHoursSettings) -> bool:
    if s.schedule is None:
        return False
    hours = OfficeHours.parse(s.schedule)
    late = _minutes(hours.closes) + DB_STOP_DELAY_MINUTES >= 24 * 60
    return _minutes(hours.opens) < s.schedule_db_lead_minutes or late


@dataclass(frozen=True, kw_only=True)
class OfficeHoursSettings:
    """When the deployment runs (context keys are the field names)."""

    schedule: str | None = setting(
        None,
        lean="Mon-Fri 08:00-18:00 UTC",
        check=_ParsesAsOfficeHours(),
        doc="office hours: outside them the service scales to zero and the database stops "
        "(see Office hours); empty: always on",
    )
    schedule_db_lead_minutes: int = setting(
        15,
        between=(5, 120),
        doc="the database starts this many minutes before opening time",
    )
    schedule_closed_until: str | None = setting(
        None,
        check=Satisfies(_is_date, what="a calendar date", allowed="YYYY-MM-DD"),
        doc="a closure: the service and database do not open before this date",
    )

    RULES: ClassVar[tuple[Rule[OfficeHoursSettings], ...]] = (
        Rule(
            reads=("schedule", "schedule_db_lead_minutes"),
            broken=_lead_problem,
            message=lambda s: (
                f"schedule={s.schedule!r} with schedule_db_lead_minutes="
                f"{s.schedule_db_lead_minutes}: the database would start or stop on another "
                f"day; allowed: opening at least {s.schedule_db_lead_minutes} minutes after "
                f"midnight, closing before 23:{60 - DB_STOP_DELAY_MINUTES:02d}"
            ),
        ),
    )


def _clock(total_minutes: int) -> tuple[int, int]:
    return divmod(total_minutes, 60)


class OfficeHoursSchedule(Construct):
    """The scheduled actions and the database's stop/start schedules (module docstring)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: OfficeHoursSettings,
        scaling: ecs.ScalableTaskCount,
        min_tasks: int,
        max_tasks: int,
        database: rds.DatabaseInstance,
    ) -> None:
        super().__init__(scope, construct_id)
        assert settings.schedule is not None
        hours = self.hours = OfficeHours.parse(settings.schedule)
        time_zone = TimeZone.of(hours.zone)
        start_time = None
        if settings.schedule_closed_until is not None:
            closed_until = date.fromisoformat(settings.schedule_closed_until)
            start_time = datetime.combine(closed_until, time(), tzinfo=UTC)
        scaling.scale_on_schedule(
            "OfficeHoursOpen",
            schedule=appscaling.Schedule.cron(
                minute=str(hours.opens.minute),
                hour=str(hours.opens.hour),
                week_day=hours.week_days,
            ),
            min_capacity=min_tasks,
            max_capacity=max_tasks,
            time_zone=time_zone,
            start_time=start_time,
        )
        scaling.scale_on_schedule(
            "OfficeHoursClose",
            schedule=appscaling.Schedule.cron(
                minute=str(hours.closes.minute),
                hour=str(hours.closes.hour),
                week_day=hours.week_days,
            ),
            min_capacity=0,
            max_capacity=0,
            time_zone=time_zone,
        )

        role = iam.Role(
            self,
            "SchedulerRole",
            assumed_by=iam.ServicePrincipal(
                "scheduler.amazonaws.com",
                conditions={"StringEquals": {"aws:SourceAccount": Stack.of(self).account}},
            ),
            description="EventBridge Scheduler: stop and start the MLflow database on schedule",
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["rds:StartDBInstance", "rds:StopDBInstance"],
                resources=[database.instance_arn],
            )
        )
        db_start = _minutes(hours.opens) - settings.schedule_db_lead_minutes
        db_stop = _minutes(hours.closes) + DB_STOP_DELAY_MINUTES
        self.schedules = {
            "DatabaseStart": self._rds_call(
                "DatabaseStart",
                "startDBInstance",
                _cron(*_clock(db_start), hours.week_days),
                role,
                database,
                hours.zone,
                settings.schedule_closed_until,
                "start the MLflow database before office hours",
            ),
            "DatabaseStop": self._rds_call(
                "DatabaseStop",
                "stopDBInstance",
                _cron(*_clock(db_stop), hours.week_days),
                role,
                database,
                hours.zone,
                None,
                "stop the MLflow database after office hours",
            ),
        }
        # Outside [start, stop] on open days, and every hour of closed days.
        quiet = [
            h
            for h in range(24)
            if h * 60 + KEEP_STOPPED_MINUTE < db_start or h * 60 + KEEP_STOPPED_MINUTE > db_stop
        ]
        keep_stopped = [(hours.week_days, quiet)] if quiet else []
        if hours.closed_days:
            keep_stopped.append((hours.closed_days, list(range(24))))
        for i, (days, quiet_hours) in enumerate(keep_stopped):
            name = f"DatabaseKeepStopped{i + 1}"
            hour_field = "*" if len(quiet_hours) == 24 else ",".join(map(str, quiet_hours))
            self.schedules[name] = self._rds_call(
                name,
                "stopDBInstance",
                f"cron({KEEP_STOPPED_MINUTE} {hour_field} ? * {days} *)",
                role,
                database,
                hours.zone,
                None,
                "keep the MLflow database stopped out of hours (RDS starts it after 7 days)",
            )

    def _rds_call(
        self,
        construct_id: str,
        action: str,
        expression: str,
        role: iam.Role,
        database: rds.DatabaseInstance,
        time_zone: str,
        start_date: str | None,
        description: str,
    ) -> scheduler.CfnSchedule:
        stack = Stack.of(self)
        return scheduler.CfnSchedule(
            self,
            construct_id,
            description=description,
            schedule_expression=expression,
            schedule_expression_timezone=time_zone,
            flexible_time_window=scheduler.CfnSchedule.FlexibleTimeWindowProperty(mode="OFF"),
            start_date=f"{start_date}T00:00:00Z" if start_date else None,
            target=scheduler.CfnSchedule.TargetProperty(
                arn=f"arn:{stack.partition}:scheduler:::aws-sdk:rds:{action}",
                role_arn=role.role_arn,
                input=stack.to_json_string({"DbInstanceIdentifier": database.instance_identifier}),
                # A stop of a stopped instance fails; nothing to retry.
                retry_policy=scheduler.CfnSchedule.RetryPolicyProperty(
                    maximum_retry_attempts=0, maximum_event_age_in_seconds=300
                ),
            ),
        )


def _cron(hour: int, minute: int, week_days: str) -> str:
    return f"cron({minute} {hour} ? * {week_days} *)"
