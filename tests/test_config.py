"""Configuration: profiles, context parsing, and one test per validation rule."""

from __future__ import annotations

import pytest

from stacks.config import (
    DEFAULT_PROFILE,
    PROFILE_SETTINGS,
    ConfigError,
    PlatformConfig,
    load_config,
)


def problems(**context: object) -> list[str]:
    with pytest.raises(ConfigError) as err:
        load_config(context)
    return err.value.problems


def only_problem(**context: object) -> str:
    found = problems(**context)
    assert len(found) == 1, found
    return found[0]


def test_default_profile_is_team() -> None:
    config = load_config({})
    assert config.profile == DEFAULT_PROFILE == "team"
    assert config == PlatformConfig()


@pytest.mark.parametrize("profile", sorted(PROFILE_SETTINGS))
def test_each_profile_applies_its_settings(profile: str) -> None:
    config = load_config({"profile": profile})
    for key, value in PROFILE_SETTINGS[profile].items():
        assert config.value(key) == value, key


# The profile values as they were before the settings were declared per construct (the old
# PROFILE_SETTINGS table over the old PlatformConfig defaults): the declarations must keep them.
_TEAM = {
    "region": None, "account": None, "stack_name": None,
    "network_mode": "public", "vpc_cidr": "10.40.0.0/16", "nat_gateways": 1,
    "flow_log_retention_days": 30, "cpu_architecture": "ARM64", "task_cpu": 512,
    "task_memory_mib": 1024, "server_workers": 2, "server_threads": 2, "desired_count": 1,
    "min_tasks": 1, "max_tasks": 2, "scale_cpu_percent": 70, "scale_requests_per_target": 3000,
    "log_retention_days": 30, "container_insights": False, "auth": "basic",
    "admin_username": "admin", "auth_default_permission": "NO_PERMISSIONS",
    "job_execution": False, "domain_name": None, "certificate_arn": None,
    "hosted_zone_id": None, "hosted_zone_name": None, "internal_load_balancer": False,
    "ingress_cidrs": (), "db_instance_class": "db.t4g.small", "db_multi_az": False,
    "db_allocated_storage_gib": 20, "db_max_allocated_storage_gib": 100,
    "db_backup_retention_days": 14, "db_port": 3307, "db_deletion_protection": True,
    "artifact_prefix": "artifacts", "intelligent_tiering_transition_days": 0,
    "intelligent_tiering_archive": False, "noncurrent_version_expiry_days": 30,
    "abort_multipart_upload_days": 7, "access_log_expiry_days": 365, "cost": True,
    "usage_file": "usage.yml", "policy_file": "policies.yml", "budget": None,
    "tag_project": "mlflow", "tag_team": None, "tag_cost_center": None,
    "tag_environment": None, "budget_alarm": False, "budget_alarm_factor": 1.2,
    "budget_alarm_email": None, "budget_alarm_topic_arn": None,
}  # fmt: skip
_OLD_PROFILES = {
    "dev": {
        "network_mode": "public", "task_cpu": 256, "task_memory_mib": 1024,
        "server_workers": 1, "server_threads": 2, "desired_count": 1, "min_tasks": 1,
        "max_tasks": 1, "log_retention_days": 7, "flow_log_retention_days": 7,
        "db_instance_class": "db.t4g.micro", "db_multi_az": False,
        "db_allocated_storage_gib": 20, "db_max_allocated_storage_gib": 50,
        "db_backup_retention_days": 7, "noncurrent_version_expiry_days": 7,
        "access_log_expiry_days": 90,
    },
    # The lean profile (issue 15): dev's sizes, office hours, team's retention periods.
    "lean": {
        "task_cpu": 256, "server_workers": 1, "max_tasks": 1,
        "db_instance_class": "db.t4g.micro", "db_max_allocated_storage_gib": 50,
        "db_backup_retention_days": 7, "schedule": "Mon-Fri 08:00-18:00 UTC",
    },
    "team": {},
    "prod": {
        "network_mode": "endpoints", "task_cpu": 1024, "task_memory_mib": 2048,
        "server_workers": 3, "server_threads": 2, "desired_count": 2, "min_tasks": 2,
        "max_tasks": 6, "log_retention_days": 90, "flow_log_retention_days": 90,
        "container_insights": True, "db_instance_class": "db.m7g.large", "db_multi_az": True,
        "db_allocated_storage_gib": 50, "db_max_allocated_storage_gib": 500,
        "db_backup_retention_days": 30, "noncurrent_version_expiry_days": 90,
        "access_log_expiry_days": 730,
    },
}  # fmt: skip
_NEW_SINCE = {
    "waf": False, "waf_rate_limit": 10_000, "waf_rate_window_seconds": 300,
    # The scheduled run pricer (issue 13): off in every profile.
    "run_costs": False, "run_costs_schedule": "rate(1 day)", "run_costs_budgets": None,
    "run_costs_alarm_email": None,
    # The scheduled retention task (issue 14): off in every profile.
    "retention": False, "retention_schedule": "rate(7 days)", "retention_policy": None,
    "retention_archive_class": "GLACIER_IR",
    # Office hours (issue 15): off but in lean.
    "schedule": None, "schedule_db_lead_minutes": 15, "schedule_closed_until": None,
}  # fmt: skip


@pytest.mark.parametrize("profile", ["dev", "lean", "team", "prod"])
def test_declared_profile_values_are_the_old_ones(profile: str) -> None:
    expected = {**_TEAM, **_NEW_SINCE, **_OLD_PROFILES[profile]}
    assert PROFILE_SETTINGS[profile] == expected


def test_profiles_differ_where_it_matters() -> None:
    dev, team, prod = (load_config({"profile": p}) for p in ("dev", "team", "prod"))
    assert dev.database.db_instance_class == "db.t4g.micro" and not dev.database.db_multi_az
    assert prod.database.db_multi_az and prod.server.min_tasks >= 2
    assert prod.network.network_mode == "endpoints"
    assert prod.server.container_insights and not team.server.container_insights
    days = [c.server.log_retention_days for c in (dev, team, prod)]
    assert days[0] < days[1] < days[2]
    backups = [c.database.db_backup_retention_days for c in (dev, team, prod)]
    assert 7 <= backups[0] <= backups[1] <= backups[2]


def test_unknown_profile_lists_the_profiles() -> None:
    message = only_problem(profile="staging")
    assert "profile='staging'" in message
    assert "dev, lean, team, prod" in message


def test_context_strings_are_parsed_to_types() -> None:
    config = load_config(
        {
            "task_cpu": "2048",
            "task_memory_mib": "4096",
            "db_multi_az": "true",
            "ingress_cidrs": "10.0.0.0/8, 192.168.0.0/16",
            "budget": "250.5",
        }
    )
    assert config.server.task_cpu == 2048 and config.server.task_memory_mib == 4096
    assert config.database.db_multi_az is True
    assert config.load_balancer.ingress_cidrs == ("10.0.0.0/8", "192.168.0.0/16")
    assert config.cost_estimate.budget == 250.5


def test_overrides_win_over_the_profile() -> None:
    config = load_config({"profile": "prod", "db_multi_az": "false", "min_tasks": "1"})
    assert config.database.db_multi_az is False and config.server.min_tasks == 1
    assert config.database.db_instance_class == PROFILE_SETTINGS["prod"]["db_instance_class"]


def test_all_errors_are_reported_at_once() -> None:
    found = problems(profile="nope", region="mars-north-9", task_cpu="300", log_retention_days="8")
    joined = "\n".join(found)
    for name in ("profile=", "region=", "task_cpu=", "log_retention_days="):
        assert name in joined
    assert len(found) == 4


def test_cdk_feature_flags_and_cli_keys_are_not_settings() -> None:
    config = load_config(
        {"@aws-cdk/aws-s3:createDefaultLoggingPolicy": True, "aws:cdk:enable-path-metadata": True}
    )
    assert config == PlatformConfig()


def test_misspelled_setting_is_an_error() -> None:
    message = only_problem(db_instance="db.t4g.micro")
    assert "unknown setting(s) db_instance" in message
    assert "db_instance_class" in message


@pytest.mark.parametrize(
    ("context", "fragment", "allowed"),
    [
        ({"region": "mars-north-9"}, "region='mars-north-9'", "us-east-1"),
        ({"region": "US-EAST-1"}, "region='US-EAST-1'", "eu-west-1"),
        ({"account": "12345"}, "account='12345'", "12 digits"),
        ({"task_cpu": "300"}, "task_cpu=300", "256, 512, 1024"),
        ({"task_cpu": "lots"}, "task_cpu='lots'", "whole number"),
        ({"task_cpu": "512", "task_memory_mib": "8192"}, "task_memory_mib=8192", "1024 to 4096"),
        ({"task_cpu": "256", "task_memory_mib": "4096"}, "task_memory_mib=4096", "512 to 2048"),
        ({"cpu_architecture": "arm"}, "cpu_architecture='arm'", "ARM64, X86_64"),
        ({"network_mode": "private"}, "network_mode='private'", "public, nat, endpoints"),
        ({"vpc_cidr": "10.0.0.0/33"}, "vpc_cidr='10.0.0.0/33'", "CIDR"),
        ({"vpc_cidr": "10.0.0.1/16"}, "vpc_cidr='10.0.0.1/16'", "CIDR"),
        ({"vpc_cidr": "10.0.0.0/24"}, "vpc_cidr='10.0.0.0/24'", "/20 or larger"),
        ({"ingress_cidrs": "10.0.0.0/8,not-a-cidr"}, "ingress_cidrs='not-a-cidr'", "CIDR"),
        ({"log_retention_days": "8"}, "log_retention_days=8", "1, 3, 5, 7, 14"),
        ({"flow_log_retention_days": "0"}, "flow_log_retention_days=0", "1, 3, 5"),
        ({"db_instance_class": "db.x9.huge"}, "db_instance_class='db.x9.huge'", "db.t4g.micro"),
        ({"db_instance_class": "db.m7g.micro"}, "db_instance_class='db.m7g.micro'", "db.m7g.large"),
        ({"db_backup_retention_days": "3"}, "db_backup_retention_days=3", "7 to 35"),
        ({"db_backup_retention_days": "36"}, "db_backup_retention_days=36", "7 to 35"),
        ({"db_allocated_storage_gib": "10"}, "db_allocated_storage_gib=10", "20 to 65536"),
        ({"db_port": "80"}, "db_port=80", "1150 to 65535"),
        ({"db_multi_az": "maybe"}, "db_multi_az='maybe'", "true/false"),
        ({"min_tasks": "0"}, "min_tasks=0", "1 to 100"),
        ({"min_tasks": "3", "max_tasks": "2", "desired_count": "3"}, "max_tasks=2", ">= min_tasks"),
        ({"desired_count": "5"}, "desired_count=5", "1 to 2"),
        ({"server_workers": "0"}, "server_workers=0", "1 to 32"),
        ({"auth": "oauth"}, "auth='oauth'", "basic, none"),
        ({"admin_username": "1admin"}, "admin_username='1admin'", "a letter"),
        (
            {
                "domain_name": "-bad-.example.com",
                "hosted_zone_id": "Z123",
                "hosted_zone_name": "example.com",
            },
            "domain_name='-bad-.example.com'",
            "domain name",
        ),
        (
            {"domain_name": "mlflow.example.com"},
            "needs certificate_arn or hosted_zone_id",
            "either",
        ),
        (
            {
                "domain_name": "mlflow.example.com",
                "certificate_arn": "arn:aws:acm:us-east-1:123:cert",
            },
            "certificate_arn=",
            "arn:aws:acm:REGION:ACCOUNT:certificate/UUID",
        ),
        (
            {
                "hosted_zone_id": "zone-1",
                "hosted_zone_name": "example.com",
                "domain_name": "a.example.com",
            },
            "hosted_zone_id='zone-1'",
            "Z0123456789ABCDEFGHIJ",
        ),
        (
            {
                "domain_name": "ml.other.org",
                "hosted_zone_id": "Z123",
                "hosted_zone_name": "example.com",
            },
            "is not inside hosted_zone_name",
            "subdomain",
        ),
        ({"artifact_prefix": "/artifacts"}, "artifact_prefix='/artifacts'", "letters"),
        ({"noncurrent_version_expiry_days": "0"}, "noncurrent_version_expiry_days=0", "1 to 3650"),
        ({"budget": "-5"}, "budget=-5.0", "positive"),
        ({"tag_team": "ml$team"}, "tag_team='ml$team'", "_ . : / = + - @"),
        ({"budget_alarm": "true"}, "budget_alarm=true needs", "either or both"),
        ({"budget_alarm_email": "nobody"}, "budget_alarm_email='nobody'", "email"),
        ({"stack_name": "1stack"}, "stack_name='1stack'", "a letter"),
    ],
)
def test_bad_setting_names_field_value_and_allowed(
    context: dict[str, str], fragment: str, allowed: str
) -> None:
    found = problems(**context)
    matching = [p for p in found if fragment in p]
    assert matching, f"no problem mentions {fragment!r}: {found}"
    assert any(allowed in p for p in matching), f"{allowed!r} missing from {matching}"


def test_certificate_must_be_in_the_stack_region() -> None:
    message = only_problem(
        region="eu-west-1",
        domain_name="mlflow.example.com",
        certificate_arn="arn:aws:acm:us-east-1:123456789012:certificate/"
        "12345678-1234-1234-1234-123456789012",
    )
    assert "not in region eu-west-1" in message


def test_https_needs_domain_and_certificate_or_zone() -> None:
    cert = "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012"
    assert load_config({"domain_name": "ml.example.com", "certificate_arn": cert}).https
    assert load_config(
        {
            "domain_name": "ml.example.com",
            "hosted_zone_id": "Z0ABC",
            "hosted_zone_name": "example.com",
        }
    ).https
    assert not load_config({}).https


def test_region_picks_up_the_default_account() -> None:
    config = load_config({"region": "eu-west-1"}, default_account="123456789012")
    assert config.deployment.account == "123456789012"
    assert load_config({}, default_account="123456789012").deployment.account is None


def test_config_is_frozen() -> None:
    config = load_config({})
    with pytest.raises(AttributeError):
        config.profile = "prod"  # type: ignore[misc]
