"""The deployment's configuration: the settings groups composed, profiles, context, validation.

Each setting is declared once, in the settings group of the construct that consumes it
(`constructs/*.py`, built with `constructs.settings.setting`); the app-level groups
(deployment, cost estimate, tags) are declared here. This module composes the groups into one
frozen :class:`PlatformConfig`, parses CDK context values by each field's type, applies the
profile, and collects every problem at once (:class:`ConfigError`: name, bad value, what is
allowed). Cross-field rules that span groups are the table `CONFIG_RULES` below.

`app.py` is the only caller that reads CDK context or the environment; constructs receive
their group and never read context themselves. `python -m stacks.config --markdown` prints
the README's configuration table from the declarations (`--update-readme` rewrites it).
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import sys
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from constructs.budget import CostBudgetSettings
from constructs.database import DatabaseSettings
from constructs.network import NetworkSettings
from constructs.office_hours import OfficeHours, OfficeHoursSettings
from constructs.retention import RetentionSettings
from constructs.run_costs import RunCostsSettings
from constructs.settings import (
    MARKDOWN_HEADER,
    PROFILES,
    Declared,
    Matches,
    OneOf,
    Profile,
    Rule,
    Satisfies,
    Setting,
    declared,
    field_problems,
    group_rules,
    markdown_rows,
    parse_value,
    profile_values,
    rule_problems,
    setting,
    value_problems,
)
from constructs.storage import StorageSettings
from constructs.tracking_server import LoadBalancerSettings, ServerSettings
from constructs.waf import WebAclSettings
from cost.catalog.regions import COMMERCIAL_REGIONS

DEFAULT_PROFILE: Profile = "team"

# Commercial AWS regions (the partition this app targets). A region outside this list is a typo
# or a partition (GovCloud, China) whose ARNs, endpoints and prices this app does not handle.
AWS_REGIONS = COMMERCIAL_REGIONS

_TAG_VALUE = Matches(
    r"[\w .:/=+\-@]{0,256}",
    what="a valid tag value",
    allowed="up to 256 letters, digits, spaces and _ . : / = + - @",
)


@dataclass(frozen=True, kw_only=True)
class DeploymentSettings:
    """Where the stack goes and what it is called (app.py consumes these)."""

    region: str | None = setting(
        None,
        one_of=OneOf(AWS_REGIONS, summary=lambda v: f"a commercial AWS region ({len(v)})"),
        default_doc="none (environment-agnostic, priced in us-east-1)",
        doc="deployment and pricing region",
    )
    account: str | None = setting(
        None,
        check=Matches(r"\d{12}", what="an AWS account ID", allowed="12 digits"),
        default_doc="`CDK_DEFAULT_ACCOUNT` when `region` is set",
        doc="AWS account of an environment-specific stack",
    )
    stack_name: str | None = setting(
        None,
        check=Matches(
            r"[A-Za-z][A-Za-z0-9-]{0,127}",
            what="a CloudFormation stack name",
            allowed="a letter, then up to 127 letters, digits or hyphens",
        ),
        default_doc="`mlflow-<profile>`",
        doc="CloudFormation stack name",
    )


@dataclass(frozen=True, kw_only=True)
class CostEstimateSettings:
    """The synth-time cost estimate (app.py hands these to the cost engine)."""

    cost: bool = setting(True, doc="`false` (or `off`) skips the cost estimate (benchmarks)")
    usage_file: str | None = setting(
        "usage.yml", doc="usage assumptions for the estimate (relative to the app directory)"
    )
    policy_file: str | None = setting(
        "policies.yml", doc="cost policies per profile, checked at synth"
    )
    budget: float | None = setting(
        None,
        check=Satisfies(
            lambda v: v > 0 and math.isfinite(v), what=None, allowed="a positive amount in USD"
        ),
        doc="USD/month; an estimate above it prints a warning at synth",
    )


@dataclass(frozen=True, kw_only=True)
class TagSettings:
    """Cost-allocation tags the stack puts on every resource."""

    tag_project: str = setting("mlflow", check=_TAG_VALUE, doc="cost-allocation tag `project`")
    tag_team: str | None = setting(None, check=_TAG_VALUE, doc="cost-allocation tag `team`")
    tag_cost_center: str | None = setting(
        None, check=_TAG_VALUE, doc="cost-allocation tag `cost-center`"
    )
    tag_environment: str | None = setting(
        None,
        check=_TAG_VALUE,
        default_doc="the profile",
        doc="cost-allocation tag `environment`",
    )


#: The profile is read first; it picks every group's values before the other keys override.
PROFILE = Declared(
    name="profile",
    type=Profile,
    default=DEFAULT_PROFILE,
    setting=Setting(
        doc="a complete set of the choices below", profiles={}, checks=(), default_doc=None
    ),
)


@dataclass(frozen=True, kw_only=True)
class PlatformConfig:
    """Every choice the app makes: the profile and one settings group per consumer.

    The groups' field names are the context keys (`-c name=value`); defaults are the `team`
    profile's values. The field order here is the order of the README's table.
    """

    profile: Profile = DEFAULT_PROFILE
    deployment: DeploymentSettings = field(default_factory=DeploymentSettings)
    network: NetworkSettings = field(default_factory=NetworkSettings)
    server: ServerSettings = field(default_factory=ServerSettings)
    office_hours: OfficeHoursSettings = field(default_factory=OfficeHoursSettings)
    load_balancer: LoadBalancerSettings = field(default_factory=LoadBalancerSettings)
    web_acl: WebAclSettings = field(default_factory=WebAclSettings)
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    storage: StorageSettings = field(default_factory=StorageSettings)
    cost_estimate: CostEstimateSettings = field(default_factory=CostEstimateSettings)
    tags: TagSettings = field(default_factory=TagSettings)
    cost_budget: CostBudgetSettings = field(default_factory=CostBudgetSettings)
    run_costs: RunCostsSettings = field(default_factory=RunCostsSettings)
    retention: RetentionSettings = field(default_factory=RetentionSettings)

    @property
    def https(self) -> bool:
        return self.load_balancer.https

    @property
    def resolved_stack_name(self) -> str:
        return self.deployment.stack_name or f"mlflow-{self.profile}"

    @property
    def cost_allocation_tags(self) -> dict[str, str]:
        tags = {
            "deployment": self.resolved_stack_name,
            "project": self.tags.tag_project,
            "team": self.tags.tag_team,
            "cost-center": self.tags.tag_cost_center,
            "environment": self.tags.tag_environment or self.profile,
        }
        return {k: v for k, v in tags.items() if v}

    def value(self, name: str) -> Any:
        """A setting's value by its context key."""
        if name == PROFILE.name:
            return self.profile
        group, _ = SETTINGS[name]
        return getattr(getattr(self, group), name)


#: Settings group attribute of PlatformConfig -> group class, in README order (a new group is
#: one field of PlatformConfig).
GROUPS: dict[str, type] = {
    name: hint
    for name, hint in typing.get_type_hints(PlatformConfig).items()
    if name != PROFILE.name
}


def _index() -> dict[str, tuple[str, Declared]]:
    found: dict[str, tuple[str, Declared]] = {}
    for attr, group in GROUPS.items():
        for item in declared(group):
            if item.name in found or item.name == PROFILE.name:
                raise TypeError(f"setting {item.name} is declared twice")
            found[item.name] = (attr, item)
    return found


#: Context key -> (settings group attribute, declaration).
SETTINGS = _index()
SETTING_NAMES = (PROFILE.name, *SETTINGS)
PROFILE_SETTINGS: dict[str, dict[str, Any]] = {
    profile: {name: item.value_for(profile) for name, (_, item) in SETTINGS.items()}
    for profile in PROFILES
}


def _office_hours_rule(
    task: str,
    enabled: Callable[[PlatformConfig], bool],
    expression: Callable[[PlatformConfig], str],
) -> Rule[PlatformConfig]:
    """A scheduled task that needs the database must run while it is up (office hours)."""

    def outside(c: PlatformConfig) -> bool:
        if c.office_hours.schedule is None or not enabled(c):
            return False
        try:
            return not OfficeHours.parse(c.office_hours.schedule).covers(expression(c))
        except ValueError:
            return True

    return Rule(
        reads=("schedule", task, f"{task}_schedule"),
        broken=outside,
        message=lambda c: (
            f"{task}_schedule={expression(c)!r} runs outside "
            f"schedule={c.office_hours.schedule!r}, when the database is stopped; allowed: a "
            "cron() expression (UTC) that fires only within office hours, e.g. "
            "'cron(0 12 ? * MON-FRI *)'"
        ),
    )


#: Cross-field rules spanning groups, as (reads, condition, message).
CONFIG_RULES: tuple[Rule[PlatformConfig], ...] = (
    Rule(
        reads=("certificate_arn", "region"),
        broken=lambda c: bool(
            c.deployment.region
            and c.load_balancer.certificate_arn
            and f":acm:{c.deployment.region}:" not in c.load_balancer.certificate_arn
        ),
        message=lambda c: (
            f"certificate_arn={c.load_balancer.certificate_arn!r} is not in region "
            f"{c.deployment.region}; allowed: a certificate in the load balancer's region"
        ),
    ),
    Rule(
        reads=(),
        broken=lambda c: c.cost_budget.budget_alarm and not c.cost_estimate.cost,
        message=lambda c: "budget_alarm=true needs the cost estimate (cost=on) to derive its limit",
    ),
    Rule(
        reads=("run_costs", "auth"),
        broken=lambda c: c.run_costs.run_costs and c.server.auth != "basic",
        message=lambda c: (
            f"run_costs=true needs auth=basic (the run pricer logs in as its own MLflow user); "
            f"auth={c.server.auth!r}"
        ),
    ),
    _office_hours_rule(
        "run_costs", lambda c: c.run_costs.run_costs, lambda c: c.run_costs.run_costs_schedule
    ),
    _office_hours_rule(
        "retention", lambda c: c.retention.retention, lambda c: c.retention.retention_schedule
    ),
)


class ConfigError(ValueError):
    """Raised with every configuration problem found, one per line."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"invalid configuration ({len(problems)} problem(s)):\n{lines}")


def _is_foreign_context_key(key: str) -> bool:
    """CDK's own keys (feature flags, lookups, CLI-set values) are not ours to validate."""
    return any(ch in key for ch in "@:/") or key.startswith(("aws-cdk", "cdk-", "acknowledged"))


def load_config(
    context: Mapping[str, Any],
    *,
    default_account: str | None = None,
) -> PlatformConfig:
    """Build and validate the configuration from CDK context values.

    `context` maps context keys to raw values (strings from `-c key=value`, or JSON values
    from cdk.json). Every problem is collected and raised together as a ConfigError.
    """
    problems: list[str] = []

    raw_profile = context.get("profile", DEFAULT_PROFILE)
    profile: Any = DEFAULT_PROFILE if raw_profile is None else parse_value(PROFILE, raw_profile)
    problems.extend(value_problems(PROFILE, profile))
    if problems:
        profile = DEFAULT_PROFILE  # report the rest as if for the default profile

    values = {
        attr: dataclasses.asdict(profile_values(group, profile)) for attr, group in GROUPS.items()
    }
    unknown: list[str] = []
    for key, raw in context.items():
        if key == PROFILE.name:
            continue
        if key not in SETTINGS:
            if not _is_foreign_context_key(key):
                unknown.append(key)
            continue
        attr, item = SETTINGS[key]
        try:
            values[attr][key] = parse_value(item, raw)
        except ValueError as err:
            problems.append(str(err))
    if unknown:
        problems.append(
            f"unknown setting(s) {', '.join(sorted(unknown))}; "
            f"allowed: {', '.join(sorted(SETTING_NAMES))}"
        )

    deployment = values["deployment"]
    if deployment["region"] and not deployment["account"] and default_account:
        deployment["account"] = default_account

    config = PlatformConfig(
        profile=profile, **{attr: GROUPS[attr](**v) for attr, v in values.items()}
    )
    problems.extend(validate(config))
    if problems:
        raise ConfigError(problems)
    return config


def validate(config: PlatformConfig) -> list[str]:
    """Every problem of a configuration: the declared single-field checks of each setting,
    then the cross-field rules of each group and of the whole (skipping a rule whose fields
    already have a problem)."""
    wrong: dict[str, list[str]] = {}
    for attr in GROUPS:
        wrong.update(field_problems(getattr(config, attr)))
    problems = [message for messages in wrong.values() for message in messages]
    for attr, group in GROUPS.items():
        problems.extend(rule_problems(getattr(config, attr), group_rules(group), wrong))
    problems.extend(rule_problems(config, CONFIG_RULES, wrong))
    return problems


# --- the README's configuration table ---------------------------------------------------

TABLE_START = "<!-- settings table: generated by `python -m stacks.config --update-readme` -->"
TABLE_END = "<!-- end of settings table -->"


def markdown_table() -> str:
    """The configuration reference table, one row per setting, from the declarations."""
    items = [PROFILE, *(item for _, item in SETTINGS.values())]
    return "\n".join([*MARKDOWN_HEADER, *markdown_rows(items)]) + "\n"


def readme_table(readme: str) -> str:
    """The generated table's text as it stands in a README (between the markers)."""
    start = readme.index(TABLE_START) + len(TABLE_START)
    return readme[start : readme.index(TABLE_END)].strip("\n") + "\n"


def with_table(readme: str) -> str:
    """The README with its table replaced by the generated one."""
    head, _, rest = readme.partition(TABLE_START)
    _, _, tail = rest.partition(TABLE_END)
    return f"{head}{TABLE_START}\n{markdown_table()}{TABLE_END}{tail}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m stacks.config", description=__doc__)
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--markdown", action="store_true", help="print the settings table")
    action.add_argument(
        "--update-readme",
        metavar="README",
        nargs="?",
        const=str(Path(__file__).resolve().parent.parent / "README.md"),
        help="rewrite the table in README (default: the repository's README.md)",
    )
    args = parser.parse_args(argv)
    if args.markdown:
        sys.stdout.write(markdown_table())
        return 0
    path = Path(args.update_readme)
    text = path.read_text(encoding="utf-8")
    if TABLE_START not in text or TABLE_END not in text:
        print(f"error: {path} has no settings table markers", file=sys.stderr)
        return 2
    path.write_text(with_table(text), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
