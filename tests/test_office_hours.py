"""Office hours: the schedule evaluator (cron fields, time zones, RDS's seven-day restart), the
estimate's hours read from a template's schedules (computed by hand from the catalog's us-east-1
figures quoted in the comments), the construct's template (scheduled actions, RDS stop/start
schedules, least privilege) and the settings' errors. Bare stacks and fixtures; the lean
profile's whole-app synth is in the slow group."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from appsynth import synth
from aws_cdk.assertions import Template

import app as app_module
from constructs.office_hours import OfficeHours, OfficeHoursSchedule, OfficeHoursSettings
from cost.model import money
from cost.pricing.schedules import RDS_AUTO_START, Cron, firings, monthly_firings, replay
from stacks.config import ConfigError, load_config
from tests.barestack import platform
from tests.test_pricing import components, cost_of, estimate, fargate

# us-east-1 catalog figures: Fargate ARM 0.03238 per vCPU-hour and 0.00356 per GB-hour, public
# IPv4 0.005 per hour, RDS MySQL db.t4g.micro Single-AZ 0.016 per hour, gp3 0.115 per GB-month.
ARM_VCPU, ARM_GB, IPV4, T4G_MICRO, GP3 = 0.03238, 0.00356, 0.005, 0.016, 0.115
# The reference year 2027 starts on a Friday: 52 weeks and a Friday, so 261 weekdays.
WEEKDAYS = 261
BERLIN = "Europe/Berlin"


# --- the evaluator ----------------------------------------------------------------------------


def test_cron_fields_are_read_as_aws_writes_them() -> None:
    cron = Cron.parse("0/15 8-17 ? * MON-FRI *")
    assert cron.minutes == {0, 15, 30, 45}
    assert cron.hours == set(range(8, 18))
    assert cron.weekdays == {0, 1, 2, 3, 4} and cron.days is None
    # AWS numbers days 1-7 from Sunday; a range may wrap; months by name.
    assert Cron.parse("0 0 ? * 1 *").weekdays == {6}
    assert Cron.parse("0 0 ? * FRI-MON *").weekdays == {4, 5, 6, 0}
    assert Cron.parse("0 0 1 JAN-MAR ? 2027").months == {1, 2, 3}
    for bad, says in (
        ("0 8 * *", "has 4 fields"),
        ("0 8 L * ? *", "L, W and # are not supported"),
        ("0 24 * * ? *", "outside 0-23"),
        ("0 8 ? * MON#2 *", "not supported"),
    ):
        with pytest.raises(ValueError, match=says):
            firings(f"cron({bad})")


def test_firings_follow_the_time_zone_across_daylight_saving() -> None:
    times = firings("cron(0 8 ? * MON-FRI *)", BERLIN)
    assert len(times) == WEEKDAYS
    # 08:00 in Berlin is 07:00 UTC in winter (CET) and 06:00 UTC in summer (CEST).
    assert datetime(2027, 1, 4, 7, 0, tzinfo=UTC) in times
    assert datetime(2027, 7, 5, 6, 0, tzinfo=UTC) in times
    assert monthly_firings("rate(1 day)") == 365 / 12
    assert firings("at(2027-03-01T09:00:00)", BERLIN) == [datetime(2027, 3, 1, 8, 0, tzinfo=UTC)]
    with pytest.raises(ValueError, match="not an IANA time zone"):
        firings("rate(1 day)", "Mars/Olympus")


def _to(state: str) -> Any:
    return lambda _current: state


def test_a_database_stopped_for_seven_days_is_started_by_rds() -> None:
    # Stopped on the first of every month and never started: RDS starts it 7 days later, so it
    # is stopped 168 of 730 hours.
    stops = [(t, _to("stopped")) for t in firings("cron(0 0 1 * ? *)")]
    hours = replay(stops, "running", restart_after=RDS_AUTO_START)
    assert hours == pytest.approx({"stopped": 168.0, "running": 730 - 168.0})
    # Stopped at half past every hour: each time RDS starts it (7 days after it stopped, at
    # half past, too late for that hour's stop), the next hour's stop puts it back. A cycle is
    # 168 h stopped and 1 h running.
    hourly = [(t, _to("stopped")) for t in firings("cron(30 * * * ? *)")]
    hours = replay(hourly, "running", restart_after=RDS_AUTO_START)
    assert hours["running"] == pytest.approx(730 / 169, rel=0.02)
    assert sum(hours.values()) == pytest.approx(730)


# --- the estimate reads a template's schedules ------------------------------------------------


def _target(*actions: dict[str, Any]) -> dict[str, Any]:
    return {
        "Type": "AWS::ApplicationAutoScaling::ScalableTarget",
        "Properties": {
            "MinCapacity": 1,
            "MaxCapacity": 2,
            "ServiceNamespace": "ecs",
            "ScalableDimension": "ecs:service:DesiredCount",
            "ResourceId": {
                "Fn::Join": [
                    "",
                    ["service/", {"Ref": "Cluster"}, "/", {"Fn::GetAtt": ["Svc", "Name"]}],
                ]
            },
            "ScheduledActions": list(actions),
        },
    }


def _action(expression: str, low: int, high: int, tz: str | None = BERLIN) -> dict[str, Any]:
    action: dict[str, Any] = {
        "Schedule": expression,
        "ScheduledActionName": expression,
        "ScalableTargetAction": {"MinCapacity": low, "MaxCapacity": high},
    }
    if tz:
        action["Timezone"] = tz
    return action


def _service(public: bool = True) -> dict[str, Any]:
    return {
        "Type": "AWS::ECS::Service",
        "Properties": {
            "TaskDefinition": {"Ref": "Task"},
            "DesiredCount": 1,
            "LaunchType": "FARGATE",
            "NetworkConfiguration": {
                "AwsvpcConfiguration": {"AssignPublicIp": "ENABLED" if public else "DISABLED"}
            },
        },
    }


OPEN = _action("cron(0 8 ? * MON-FRI *)", 1, 2)
CLOSE = _action("cron(0 18 ? * MON-FRI *)", 0, 0)


def test_scheduled_scaling_prices_the_hours_with_tasks() -> None:
    resources = {
        "Task": fargate("256", "1024"),
        "Svc": _service(),
        "Target": _target(OPEN, CLOSE),
    }
    stack = estimate(resources)
    # 10 hours on each of 261 weekdays: 2,610 task-hours a year, 217.5 a month.
    hours = WEEKDAYS * 10 / 12
    assert hours == 217.5
    assert components(stack, "Svc") == {
        "Fargate vCPU (ARM64, on-demand, 1 task(s) x 0.25 vCPU; scheduled: 218 h/month)": pytest.approx(
            hours * 0.25 * ARM_VCPU
        ),
        "Fargate memory (ARM64, on-demand, 1 task(s) x 1 GB; scheduled: 218 h/month)": pytest.approx(
            hours * 1 * ARM_GB
        ),
        "Public IPv4 addresses (1 task(s); scheduled: 218 h/month)": pytest.approx(hours * IPV4),
    }
    (line,) = [r for r in stack.resources if r.logical_id == "Svc"]
    assert not any(c.usage_based for c in line.components)
    assert any("scheduled scaling: min 1, max 2 at cron(0 8" in a for a in line.assumptions)


def test_without_scheduled_actions_the_service_runs_all_month() -> None:
    resources = {"Task": fargate("256", "1024"), "Svc": _service(), "Target": _target()}
    assert cost_of(estimate(resources), "Svc") == money(730 * (0.25 * ARM_VCPU + 1 * ARM_GB + IPV4))


def test_an_hours_usage_value_wins_over_the_schedule() -> None:
    resources = {"Task": fargate("256", "1024"), "Svc": _service(), "Target": _target(OPEN, CLOSE)}
    usage = {"resource_type_defaults": {"AWS::ECS::Service": {"hours_per_month": 100}}}
    assert cost_of(estimate(resources, usage=usage), "Svc") == money(
        100 * (0.25 * ARM_VCPU + 1 * ARM_GB + IPV4)
    )


def test_a_schedule_it_cannot_evaluate_is_priced_always_on_and_said() -> None:
    odd = _action("cron(0 8 ? * MON#1 *)", 0, 0)
    resources = {"Task": fargate("256", "1024"), "Svc": _service(), "Target": _target(odd)}
    stack = estimate(resources)
    assert cost_of(stack, "Svc") == money(730 * (0.25 * ARM_VCPU + 1 * ARM_GB + IPV4))
    (line,) = [r for r in stack.resources if r.logical_id == "Svc"]
    assert any("not evaluated" in a and "always on" in a for a in line.assumptions)


def _db(identifier: str | None = None) -> dict[str, Any]:
    props: dict[str, Any] = {
        "Engine": "mysql",
        "DBInstanceClass": "db.t4g.micro",
        "StorageType": "gp3",
        "AllocatedStorage": "20",
    }
    if identifier:
        props["DBInstanceIdentifier"] = identifier
    return {"Type": "AWS::RDS::DBInstance", "Properties": props}


def _rds_schedule(action: str, expression: str, payload: Any) -> dict[str, Any]:
    return {
        "Type": "AWS::Scheduler::Schedule",
        "Properties": {
            "ScheduleExpression": expression,
            "ScheduleExpressionTimezone": BERLIN,
            "FlexibleTimeWindow": {"Mode": "OFF"},
            "Target": {
                "Arn": {
                    "Fn::Join": [
                        "",
                        ["arn:", {"Ref": "AWS::Partition"}, f":scheduler:::aws-sdk:rds:{action}"],
                    ]
                },
                "RoleArn": "arn:aws:iam::123456789012:role/r",
                "Input": payload,
            },
        },
    }


def _ref_input(logical_id: str) -> dict[str, Any]:
    return {"Fn::Join": ["", ['{"DbInstanceIdentifier":"', {"Ref": logical_id}, '"}']]}


def test_a_database_stopped_out_of_hours_is_priced_for_its_running_hours() -> None:
    resources = {
        "Db": _db(),
        "Up": _rds_schedule("startDBInstance", "cron(45 7 ? * MON-FRI *)", _ref_input("Db")),
        "Down": _rds_schedule("stopDBInstance", "cron(15 18 ? * MON-FRI *)", _ref_input("Db")),
        "Weekend": _rds_schedule("stopDBInstance", "cron(30 * ? * SAT,SUN *)", _ref_input("Db")),
    }
    stack = estimate(resources)
    # 07:45-18:15 = 10.5 h on 261 weekdays: 2,740.5 h a year, 228.375 a month; storage all month.
    hours = WEEKDAYS * 10.5 / 12
    assert components(stack, "Db") == {
        "Database instance (db.t4g.micro, MySQL, Single-AZ; scheduled: 228 h/month)": pytest.approx(
            hours * T4G_MICRO
        ),
        "Storage (gp3, 20 GB)": pytest.approx(20 * GP3),
        "Backup storage beyond the free allowance": 0.0,
    }
    # The schedules' own lines: invocations in the free tier, priced 0.
    assert components(stack, "Weekend") == {"Scheduler invocations (208 a month)": 0.0}


def test_a_literal_identifier_matches_and_other_instances_are_untouched() -> None:
    # RDS's API spells the key DBInstanceIdentifier, Scheduler's SDK shapes DbInstanceIdentifier.
    literal = json.dumps({"DBInstanceIdentifier": "MLflow-DB"})
    resources = {
        "Db": _db("mlflow-db"),
        "Other": _db("other"),
        "Down": _rds_schedule("stopDBInstance", "cron(0 0 1 * ? *)", literal),
    }
    stack = estimate(resources)
    # Stopped on the 1st, started by RDS seven days later: 730 - 168 = 562 hours.
    assert components(stack, "Db")[
        "Database instance (db.t4g.micro, MySQL, Single-AZ; scheduled: 562 h/month)"
    ] == pytest.approx(562 * T4G_MICRO)
    assert components(stack, "Other")[
        "Database instance (db.t4g.micro, MySQL, Single-AZ)"
    ] == pytest.approx(730 * T4G_MICRO)


# --- the construct ----------------------------------------------------------------------------


class Bare:
    """Network, database and tracking server with office hours, wired as MlflowStack wires
    them (no nag gate, no estimate aspect)."""

    def __init__(self, settings: OfficeHoursSettings) -> None:
        app = cdk.App(context=app_module.cdk_json_context())
        stack = self.stack = cdk.Stack(app, "Bare", env=cdk.Environment(account="123456789012"))
        built = platform(stack)
        assert built.database is not None
        self.database, server = built.database, built.server
        self.office = OfficeHoursSchedule(
            stack,
            "OfficeHours",
            settings=settings,
            scaling=server.scaling,
            min_tasks=1,
            max_tasks=2,
            database=self.database.instance,
        )
        self.json: dict[str, Any] = Template.from_stack(stack).to_json()
        self.db_id = stack.get_logical_id(self.database.instance.node.default_child)  # type: ignore[arg-type]

    def of_type(self, rtype: str) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.json["Resources"].items() if v["Type"] == rtype}

    def schedule(self, name: str) -> dict[str, Any]:
        schedule = self.office.schedules[name]
        return self.json["Resources"][self.stack.get_logical_id(schedule)]["Properties"]


@pytest.fixture(scope="module")
def bare() -> Bare:
    return Bare(
        OfficeHoursSettings(
            schedule="Mon-Fri 08:00-18:00 Europe/Berlin", schedule_closed_until="2027-01-04"
        )
    )


def test_the_service_scales_to_zero_after_hours_and_back_in_the_morning(bare: Bare) -> None:
    (target,) = bare.of_type("AWS::ApplicationAutoScaling::ScalableTarget").values()
    actions = {a["ScheduledActionName"]: a for a in target["Properties"]["ScheduledActions"]}
    opening, closing = actions["OfficeHoursOpen"], actions["OfficeHoursClose"]
    assert opening["Schedule"] == "cron(0 8 ? * MON,TUE,WED,THU,FRI *)"
    assert opening["ScalableTargetAction"] == {"MinCapacity": 1, "MaxCapacity": 2}
    assert opening["Timezone"] == BERLIN and opening["StartTime"].startswith("2027-01-04T00:00")
    assert closing["Schedule"] == "cron(0 18 ? * MON,TUE,WED,THU,FRI *)"
    assert closing["ScalableTargetAction"] == {"MinCapacity": 0, "MaxCapacity": 0}
    assert "StartTime" not in closing


def test_the_database_starts_first_and_stops_after_the_tasks(bare: Bare) -> None:
    start, stop = bare.schedule("DatabaseStart"), bare.schedule("DatabaseStop")
    assert start["ScheduleExpression"] == "cron(45 7 ? * MON,TUE,WED,THU,FRI *)"  # 15 min lead
    assert start["StartDate"] == "2027-01-04T00:00:00Z" and "StartDate" not in stop
    assert stop["ScheduleExpression"] == "cron(15 18 ? * MON,TUE,WED,THU,FRI *)"
    for props, action in ((start, "startDBInstance"), (stop, "stopDBInstance")):
        assert props["ScheduleExpressionTimezone"] == BERLIN
        target = props["Target"]
        assert target["Arn"]["Fn::Join"][1][-1] == f":scheduler:::aws-sdk:rds:{action}"
        assert {"Ref": bare.db_id} in target["Input"]["Fn::Join"][1]
        assert target["RetryPolicy"]["MaximumRetryAttempts"] == 0


def test_the_database_is_stopped_again_every_hour_outside_the_window(bare: Bare) -> None:
    weekdays = bare.schedule("DatabaseKeepStopped1")["ScheduleExpression"]
    weekend = bare.schedule("DatabaseKeepStopped2")["ScheduleExpression"]
    # 07:30 is before the 07:45 start; 18:30 after the 18:15 stop; nothing in between.
    assert weekdays == "cron(30 0,1,2,3,4,5,6,7,18,19,20,21,22,23 ? * MON,TUE,WED,THU,FRI *)"
    assert weekend == "cron(30 * ? * SAT,SUN *)"
    assert len(bare.office.schedules) == 4


def test_the_scheduler_may_only_stop_and_start_this_database(bare: Bare) -> None:
    (role,) = [
        r
        for r in bare.of_type("AWS::IAM::Role").values()
        if "scheduler.amazonaws.com" in json.dumps(r["Properties"]["AssumeRolePolicyDocument"])
    ]
    trust = role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}
    statements = [
        s
        for p in bare.of_type("AWS::IAM::Policy").values()
        for s in p["Properties"]["PolicyDocument"]["Statement"]
        if "rds:StopDBInstance" in json.dumps(s)
    ]
    (statement,) = statements
    assert sorted(statement["Action"]) == ["rds:StartDBInstance", "rds:StopDBInstance"]
    assert bare.db_id in json.dumps(statement["Resource"])


def test_the_bare_stacks_estimate_carries_the_scheduled_hours(bare: Bare) -> None:
    stack = estimate(bare.json["Resources"])
    assert not stack.unsupported
    db_lines = components(stack, bare.db_id)
    (instance,) = [k for k in db_lines if k.startswith("Database instance")]
    assert instance.endswith("; scheduled: 228 h/month)")
    assert db_lines[instance] == pytest.approx(WEEKDAYS * 10.5 / 12 * 0.032)  # db.t4g.small 0.032/h


def test_office_hours_read_day_lists_ranges_and_times() -> None:
    hours = OfficeHours.parse("mon-thu,sat 07:30-19:00 America/New_York")
    assert hours.days == (0, 1, 2, 3, 5)
    assert (hours.opens.hour, hours.opens.minute, hours.closes.hour) == (7, 30, 19)
    assert hours.week_days == "MON,TUE,WED,THU,SAT" and hours.closed_days == "FRI,SUN"
    assert OfficeHours.parse("daily 09:00-17:00 UTC").closed_days == ""
    assert OfficeHours.parse("Fri-Mon 09:00-17:00 UTC").days == (0, 4, 5, 6)


def test_a_scheduled_task_must_run_within_office_hours() -> None:
    hours = OfficeHours.parse("Mon-Fri 08:00-18:00 Europe/Berlin")
    assert hours.covers("cron(0 11 ? * MON-FRI *)")  # 11:00 UTC is 12:00 or 13:00 in Berlin
    assert not hours.covers("cron(0 17 ? * MON-FRI *)")  # 19:00 in Berlin in summer
    assert not hours.covers("rate(1 day)")


# --- settings ---------------------------------------------------------------------------------


def _problems(**context: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(context)
    return caught.value.problems


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("Mon-Fri 8-18 UTC", "is not office hours"),
        ("Mon-Fry 08:00-18:00 UTC", "has days 'Mon-Fry', which are not day names"),
        ("Mon-Fri 18:00-08:00 UTC", "closes at 08:00, not after it opens at 18:00"),
        ("Mon-Fri 08:00-25:00 UTC", "has 25:00, which is not a time of day"),
        ("Mon-Fri 08:00-18:00 Mars/Base", "has time zone 'Mars/Base'"),
    ],
)
def test_a_bad_schedule_names_the_field_the_value_and_what_is_allowed(
    value: str, says: str
) -> None:
    (problem,) = _problems(schedule=value)
    assert problem.startswith(f"schedule={value!r} {says}")
    assert "allowed: 'DAYS HH:MM-HH:MM ZONE'" in problem


def test_the_database_must_start_and_stop_on_the_same_day() -> None:
    (problem,) = _problems(schedule="Mon-Fri 00:10-18:00 UTC")
    assert "schedule_db_lead_minutes=15" in problem and "another day" in problem
    (problem,) = _problems(schedule="Mon-Fri 08:00-23:50 UTC")
    assert "closing before 23:45" in problem
    (problem,) = _problems(schedule_closed_until="2027-02-30")
    assert (
        problem == "schedule_closed_until='2027-02-30' is not a calendar date; allowed: YYYY-MM-DD"
    )


def test_scheduled_tasks_that_need_the_database_run_in_office_hours() -> None:
    (problem,) = _problems(
        schedule="Mon-Fri 08:00-18:00 UTC",
        retention="true",
        retention_policy="docs/retention-policy.example.yml",
    )
    assert problem.startswith("retention_schedule='rate(7 days)' runs outside schedule=")
    config = load_config(
        {
            "schedule": "Mon-Fri 08:00-18:00 UTC",
            "run_costs": "true",
            "run_costs_schedule": "cron(0 12 ? * MON-FRI *)",
        }
    )
    assert config.run_costs.run_costs


def test_the_lean_profile_is_the_smallest_secure_deployment() -> None:
    lean = load_config({"profile": "lean"})
    assert lean.office_hours.schedule == "Mon-Fri 08:00-18:00 UTC"
    assert (lean.server.task_cpu, lean.server.task_memory_mib, lean.server.server_workers) == (
        256,
        1024,
        1,
    )
    assert lean.database.db_instance_class == "db.t4g.micro" and not lean.database.db_multi_az
    assert lean.database.db_deletion_protection and lean.database.db_backup_retention_days >= 7
    assert lean.server.auth == "basic" and lean.network.network_mode == "public"


@pytest.mark.slow
def test_the_lean_profile_costs_at_most_40_with_the_schedules_in_the_template() -> None:
    s = synth(profile="lean")
    report = json.loads((Path(s.assembly.directory) / "cost-report.json").read_text())
    assert report["totalMonthlyCost"] <= 40
    (stack,) = report["stacks"]
    scheduled = [
        c["name"] for r in stack["resources"] for c in r["components"] if "scheduled:" in c["name"]
    ]
    assert any(n.startswith("Database instance") for n in scheduled)
    assert any(n.startswith("Fargate vCPU") for n in scheduled)
    assert len(s.resources("AWS::Scheduler::Schedule")) == 4
