"""The default (`team`) profile's template carries every default the platform promises."""

from __future__ import annotations

import json
from typing import Any

import pytest
from appsynth import Synth, synth
from aws_cdk.assertions import Annotations, Match


@pytest.fixture(scope="module")
def team() -> Synth:
    return synth(cost="off")


def _join(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


# ---------------------------------------------------------------- network


def test_vpc_spans_two_azs_with_public_and_isolated_subnets_and_no_nat(team: Synth) -> None:
    subnets = team.resources("AWS::EC2::Subnet")
    assert len(subnets) == 4  # public + isolated in two AZs
    public = [k for k in subnets if "PublicSubnet" in k]
    isolated = [k for k in subnets if "IsolatedSubnet" in k]
    assert len(public) == 2 and len(isolated) == 2
    # Nothing in the public subnets gets a public IP unless it asks for one (the tasks do).
    assert all(s["Properties"]["MapPublicIpOnLaunch"] is False for s in subnets.values())
    team.template.resource_count_is("AWS::EC2::NatGateway", 0)
    team.template.resource_count_is("AWS::EC2::EIP", 0)


def test_flow_logs_capture_all_traffic_into_a_retained_log_group(team: Synth) -> None:
    team.template.has_resource_properties(
        "AWS::EC2::FlowLog",
        {"ResourceType": "VPC", "TrafficType": "ALL", "LogDestinationType": "cloud-watch-logs"},
    )
    team.template.has_resource(
        "AWS::Logs::LogGroup",
        {"Properties": {"RetentionInDays": 30}, "DeletionPolicy": "Retain"},
    )


def test_s3_gateway_endpoint_exists(team: Synth) -> None:
    team.template.has_resource_properties(
        "AWS::EC2::VPCEndpoint",
        {"VpcEndpointType": "Gateway", "ServiceName": Match.object_like({})},
    )


# ---------------------------------------------------------------- database


def test_database_defaults(team: Synth) -> None:
    _, db = team.one("AWS::RDS::DBInstance")
    props = db["Properties"]
    assert props["Engine"] == "mysql"
    assert props["EngineVersion"] == "8.4.7"
    assert props["DBInstanceClass"] == "db.t4g.small"
    assert props["StorageType"] == "gp3"
    assert props["StorageEncrypted"] is True
    assert props["AllocatedStorage"] == "20"
    assert props["MaxAllocatedStorage"] == 100
    assert props["BackupRetentionPeriod"] == 14
    assert props["DeletionProtection"] is True
    assert props["MultiAZ"] is False
    assert props["PubliclyAccessible"] is False
    assert props["Port"] == "3307"
    assert props["DBName"] == "mlflow"
    assert db["DeletionPolicy"] == "Snapshot" and db["UpdateReplacePolicy"] == "Snapshot"
    # Generated credentials: the template references the secret, never a literal password.
    assert "resolve:secretsmanager" in _join(props["MasterUserPassword"])


def test_database_requires_tls_and_uses_utf8mb4_bin(team: Synth) -> None:
    team.template.has_resource_properties(
        "AWS::RDS::DBParameterGroup",
        {
            "Family": "mysql8.4",
            "Parameters": {
                "require_secure_transport": "1",
                "character_set_server": "utf8mb4",
                "collation_server": "utf8mb4_bin",
            },
        },
    )


def test_database_lives_in_isolated_subnets(team: Synth) -> None:
    _, group = team.one("AWS::RDS::DBSubnetGroup")
    subnet_ids = {ref["Ref"] for ref in group["Properties"]["SubnetIds"]}
    assert subnet_ids and all("Isolated" in s for s in subnet_ids)


def test_generated_database_secret(team: Synth) -> None:
    secrets = team.resources("AWS::SecretsManager::Secret")
    db_secret = [s for s in secrets.values() if "username" in _join(s["Properties"])]
    assert len(db_secret) == 1
    generate = db_secret[0]["Properties"]["GenerateSecretString"]
    assert json.loads(generate["SecretStringTemplate"]) == {"username": "mlflow"}
    assert generate["GenerateStringKey"] == "password"


# ---------------------------------------------------------------- artifact bucket


def _artifact_bucket(s: Synth) -> dict[str, Any]:
    buckets = {k: v for k, v in s.resources("AWS::S3::Bucket").items() if "Artifacts" in k}
    assert len(buckets) == 1
    return next(iter(buckets.values()))


def test_artifact_bucket_is_private_encrypted_versioned_retained(team: Synth) -> None:
    bucket = _artifact_bucket(team)
    props = bucket["Properties"]
    assert props["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0][
        "ServerSideEncryptionByDefault"
    ] == {"SSEAlgorithm": "AES256"}
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    assert bucket["DeletionPolicy"] == "Retain"
    assert "LoggingConfiguration" in props
    assert props["LoggingConfiguration"]["LogFilePrefix"] == "s3-artifacts/"


def test_artifact_bucket_lifecycle_rules(team: Synth) -> None:
    rules = {
        r["Id"]: r for r in _artifact_bucket(team)["Properties"]["LifecycleConfiguration"]["Rules"]
    }
    assert rules["intelligent-tiering"]["Transitions"] == [
        {"StorageClass": "INTELLIGENT_TIERING", "TransitionInDays": 0}
    ]
    assert rules["expire-noncurrent-versions"]["NoncurrentVersionExpiration"] == {
        "NoncurrentDays": 30
    }
    assert rules["expire-noncurrent-versions"]["AbortIncompleteMultipartUpload"] == {
        "DaysAfterInitiation": 7
    }
    assert rules["remove-expired-delete-markers"]["ExpiredObjectDeleteMarker"] is True
    assert all(r["Status"] == "Enabled" for r in rules.values())
    # Archive tiers need restores before MLflow can read: off unless asked for.
    assert "IntelligentTieringConfigurations" not in _artifact_bucket(team)["Properties"]


def test_bucket_policies_deny_plain_http_and_old_tls(team: Synth) -> None:
    policies = team.resources("AWS::S3::BucketPolicy")
    assert len(policies) == 2  # artifact bucket and access-log bucket
    for policy in policies.values():
        statements = policy["Properties"]["PolicyDocument"]["Statement"]
        denies = [s for s in statements if s["Effect"] == "Deny"]
        conditions = _join([s["Condition"] for s in denies])
        assert '"aws:SecureTransport": "false"' in conditions
        assert '"s3:TlsVersion": 1.2' in conditions


# ---------------------------------------------------------------- tracking server


def _container(s: Synth) -> dict[str, Any]:
    _, task = s.one("AWS::ECS::TaskDefinition")
    (container,) = task["Properties"]["ContainerDefinitions"]
    return container


def test_task_definition_size_and_architecture(team: Synth) -> None:
    team.template.has_resource_properties(
        "AWS::ECS::TaskDefinition",
        {
            "Cpu": "512",
            "Memory": "1024",
            "RuntimePlatform": {"CpuArchitecture": "ARM64", "OperatingSystemFamily": "LINUX"},
            "RequiresCompatibilities": ["FARGATE"],
        },
    )


def test_environment_and_secrets_match_the_container_contract(team: Synth) -> None:
    from container import tracking_contract as contract

    container = _container(team)
    env_names = {e["Name"] for e in container["Environment"]}
    secret_names = {e["Name"] for e in container["Secrets"]}
    optional = set(contract.OPTIONAL_SECRET_ENVIRONMENT)
    assert secret_names == set(contract.SECRET_ENVIRONMENT) - optional  # run_costs is off
    assert env_names <= set(contract.PLAIN_ENVIRONMENT)
    assert not env_names & secret_names
    env = {e["Name"]: e["Value"] for e in container["Environment"]}
    assert env["MLFLOW_AUTH"] == "basic"
    assert env["MLFLOW_SERVER_ENABLE_JOB_EXECUTION"] == "false"
    assert env["MLFLOW_DB_PORT"] == "3307"
    assert "DNSName" in _join(env["MLFLOW_ALLOWED_HOSTS"])


def test_no_secret_value_in_the_plain_environment(team: Synth) -> None:
    env = {item["Name"] for item in _container(team)["Environment"]}
    assert not env & {
        "MLFLOW_DB_USERNAME",
        "MLFLOW_DB_PASSWORD",
        "MLFLOW_AUTH_ADMIN_PASSWORD",
        "MLFLOW_FLASK_SERVER_SECRET_KEY",
        "MLFLOW_BACKEND_STORE_URI",
    }
    assert not any("PASSWORD" in name for name in env)
    # Each secret is a reference to Secrets Manager, not a value.
    for item in _container(team)["Secrets"]:
        assert "Ref" in _join(item["ValueFrom"])


def test_container_health_check_and_logs(team: Synth) -> None:
    container = _container(team)
    assert "/health" in " ".join(container["HealthCheck"]["Command"])
    assert container["LogConfiguration"]["LogDriver"] == "awslogs"


def test_service_deployment_safety(team: Synth) -> None:
    team.template.has_resource_properties(
        "AWS::ECS::Service",
        {
            "LaunchType": "FARGATE",
            "DesiredCount": 1,
            "DeploymentConfiguration": {
                "DeploymentCircuitBreaker": {"Enable": True, "Rollback": True},
                "MinimumHealthyPercent": 100,
                "MaximumPercent": 200,
            },
            "NetworkConfiguration": {
                "AwsvpcConfiguration": Match.object_like({"AssignPublicIp": "ENABLED"})
            },
        },
    )


def test_autoscaling_on_cpu_and_requests(team: Synth) -> None:
    team.template.has_resource_properties(
        "AWS::ApplicationAutoScaling::ScalableTarget", {"MinCapacity": 1, "MaxCapacity": 2}
    )
    policies = team.resources("AWS::ApplicationAutoScaling::ScalingPolicy")
    metrics = sorted(
        p["Properties"]["TargetTrackingScalingPolicyConfiguration"][
            "PredefinedMetricSpecification"
        ]["PredefinedMetricType"]
        for p in policies.values()
    )
    assert metrics == ["ALBRequestCountPerTarget", "ECSServiceAverageCPUUtilization"]


def test_target_group_checks_health_endpoint(team: Synth) -> None:
    team.template.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::TargetGroup",
        {
            "HealthCheckPath": "/health",
            "Matcher": {"HttpCode": "200"},
            "Port": 5000,
            "TargetType": "ip",
        },
    )


def test_load_balancer_logs_and_drops_invalid_headers(team: Synth) -> None:
    _, lb = team.one("AWS::ElasticLoadBalancingV2::LoadBalancer")
    attrs = {a["Key"]: a["Value"] for a in lb["Properties"]["LoadBalancerAttributes"]}
    assert attrs["routing.http.drop_invalid_header_fields.enabled"] == "true"
    assert attrs["access_logs.s3.enabled"] == "true"
    assert attrs["access_logs.s3.prefix"] == "alb"
    assert lb["Properties"]["Scheme"] == "internet-facing"


def test_http_only_listener_without_a_domain_and_a_warning(team: Synth) -> None:
    listeners = team.resources("AWS::ElasticLoadBalancingV2::Listener")
    assert [x["Properties"]["Protocol"] for x in listeners.values()] == ["HTTP"]
    warnings = Annotations.from_stack(team.stack).find_warning(
        "*", Match.string_like_regexp("plain HTTP")
    )
    assert len(warnings) == 1


def test_outputs_for_logging_in(team: Synth) -> None:
    outputs = team.json["Outputs"]
    names = " ".join(outputs)
    for fragment in ("Url", "AdminSecretArn", "AdminUsername", "ArtifactBucketName"):
        assert fragment in names


def test_cost_allocation_tags_on_resources(team: Synth) -> None:
    _, db = team.one("AWS::RDS::DBInstance")
    tags = {t["Key"]: t["Value"] for t in db["Properties"]["Tags"]}
    assert tags["project"] == "mlflow" and tags["environment"] == "team"
