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
        assert getattr(config, key) == value, key


def test_profiles_differ_where_it_matters() -> None:
    dev, team, prod = (load_config({"profile": p}) for p in ("dev", "team", "prod"))
    assert dev.db_instance_class == "db.t4g.micro" and not dev.db_multi_az
    assert prod.db_multi_az and prod.min_tasks >= 2 and prod.network_mode == "endpoints"
    assert prod.container_insights and not team.container_insights
    assert dev.log_retention_days < team.log_retention_days < prod.log_retention_days
    assert 7 <= dev.db_backup_retention_days <= team.db_backup_retention_days
    assert team.db_backup_retention_days <= prod.db_backup_retention_days


def test_unknown_profile_lists_the_profiles() -> None:
    message = only_problem(profile="staging")
    assert "profile='staging'" in message
    assert "dev, team, prod" in message


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
    assert config.task_cpu == 2048 and config.task_memory_mib == 4096
    assert config.db_multi_az is True
    assert config.ingress_cidrs == ("10.0.0.0/8", "192.168.0.0/16")
    assert config.budget == 250.5


def test_overrides_win_over_the_profile() -> None:
    config = load_config({"profile": "prod", "db_multi_az": "false", "min_tasks": "1"})
    assert config.db_multi_az is False and config.min_tasks == 1
    assert config.db_instance_class == PROFILE_SETTINGS["prod"]["db_instance_class"]


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
    assert config.account == "123456789012"
    assert load_config({}, default_account="123456789012").account is None


def test_config_is_frozen() -> None:
    config = load_config({})
    with pytest.raises(AttributeError):
        config.profile = "prod"  # type: ignore[misc]
