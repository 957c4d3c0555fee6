"""Operations and governance types: CloudTrail, AWS Config, CloudWatch composite alarms and
Synthetics canaries, Glue jobs and crawlers, Athena, GuardDuty, Security Hub, CodeBuild and
Backup (each from its AWS pricing-page file); expected values computed by hand from the
catalog figures read (and quoted) below."""

from __future__ import annotations

from typing import Any

import pytest

from cost.catalog import default_catalog
from cost.estimate import Estimator
from cost.model import StackCost
from cost.pricing.usage import Usage


def estimate(
    resources: dict[str, Any], usage: dict[str, Any] | None = None, region: str = "us-east-1"
) -> StackCost:
    estimator = Estimator(default_catalog(), Usage.from_mapping(usage or {}))
    return estimator.estimate_template({"Resources": resources}, name="t", region=region)


def res(rtype: str, **props: Any) -> dict[str, Any]:
    return {"Type": rtype, "Properties": props}


def parts(stack: StackCost, logical_id: str) -> dict[str, float]:
    (line,) = [r for r in stack.resources if r.logical_id == logical_id]
    return {c.name: round(c.monthly_cost, 6) for c in line.components}


def usage_for(logical_id: str, **values: float) -> dict[str, Any]:
    return {"resources": {logical_id: values}}


def test_the_catalog_figures_used_below() -> None:
    c = default_catalog()

    def usd(service: str, family: str, region: str = "us-east-1", **kw: str) -> list[float]:
        price = c.lookup(service, region, family, None, **kw)
        return [t.usd for t in price.tiers]

    assert usd("AWSCloudTrail", "Management Events (first copy)") == [0.0]
    assert usd("AWSCloudTrail", "Management Events (additional copy)") == [0.00002]
    assert usd("AWSCloudTrail", "Data Events") == [0.000001]
    assert usd("AWSCloudTrail", "Insights Events") == [0.0000035]
    assert c.lookup("AWSCloudTrail", "us-east-1", "Data Events").source == "cloudtrail"
    assert usd("AWSConfig", "Configuration Items (continuous)") == [0.003]
    assert usd("AWSConfig", "Configuration Items (daily)") == [0.012]
    assert usd("AWSConfig", "Rule Evaluations") == [0.001, 0.0008, 0.0005]
    assert usd("AWSConfig", "Proactive Rule Evaluations") == [0.001, 0.0008, 0.0005]
    assert usd("AWSConfig", "Conformance Pack Evaluations") == [0.001, 0.0008, 0.0005]
    rules = c.lookup("AWSConfig", "us-east-1", "Rule Evaluations")
    assert [(t.begin, t.end) for t in rules.tiers] == [
        (0, 100_000),
        (100_000, 500_000),
        (500_000, None),
    ]
    assert usd("AmazonCloudWatch", "Composite Alarm") == [0.5]
    assert usd("AmazonCloudWatch", "Canary Run") == [0.0012]
    assert usd("AmazonCloudWatch", "Canary Run", "eu-west-1") == [0.0014]
    assert usd("AWSGlue", "ETL Job") == [0.44]
    assert usd("AWSGlue", "ETL Job Flex") == [0.29]
    assert usd("AWSGlue", "Crawler") == [0.44]
    assert usd("AWSGlue", "ETL Job", "sa-east-1") == [0.69]
    assert usd("AmazonAthena", "Data Scanned") == [5.0]
    assert usd("AmazonAthena", "Data Scanned", "sa-east-1") == [9.0]
    assert usd("AmazonGuardDuty", "CloudTrail Management Events Analyzed") == [0.000004]
    assert usd("AmazonGuardDuty", "VPC Flow Log and DNS Analyzed") == [1.0, 0.5, 0.25, 0.15]
    assert usd("AmazonGuardDuty", "VPC Flow Log and DNS Analyzed", "eu-west-1") == [
        1.1,
        0.55,
        0.28,
        0.17,
    ]
    assert usd("AWSSecurityHub", "Security Checks") == [0.001, 0.0008, 0.0005]
    assert usd("AWSSecurityHub", "Finding Ingestion Events") == [0.0, 0.00003]
    assert usd("CodeBuild", "Build Minutes Linux", computeType="general1.small") == [0.005]
    assert usd("CodeBuild", "Build Minutes Linux", computeType="arm1.small") == [0.0034]
    assert usd("CodeBuild", "Build Minutes Windows", computeType="general1.medium") == [0.018]
    assert usd("CodeBuild", "Build Minutes Linux", "eu-west-1", computeType="arm1.small") == [
        0.00385
    ]
    backup = c.lookup("AWSBackup", "us-east-1", "DynamoDB Backup Storage Warm")
    assert (backup.usd, backup.source, backup.effective_date) == (0.1, "backup", "2025-11-10")
    assert usd("AWSBackup", "DynamoDB Backup Storage Cold") == [0.03]
    assert usd("AWSBackup", "S3 Backup Storage Warm") == [0.05]


# --- CloudTrail ------------------------------------------------------------------------------


def trail(**props: Any) -> dict[str, Any]:
    return res("AWS::CloudTrail::Trail", **{"IsLogging": True, "S3BucketName": "b", **props})


def test_a_lone_trail_is_the_free_first_copy_and_says_so() -> None:
    stack = estimate({"T": trail()})
    assert parts(stack, "T") == {"Management events (first copy, free)": 0.0}
    (line,) = stack.resources
    assert any("first copy" in a for a in line.assumptions)


def test_a_second_trail_pays_for_its_copy_of_management_events() -> None:
    usage = usage_for("TB", monthly_management_events=2_000_000)
    stack = estimate({"TA": trail(), "TB": trail()}, usage)
    assert parts(stack, "TA") == {"Management events (first copy, free)": 0.0}
    # 2,000,000 x 0.00002 = 40.00 ($2.00 per 100,000)
    assert parts(stack, "TB") == {"Management events (additional copy)": 40.0}


def test_data_events_and_insights_from_usage_in_ireland() -> None:
    selectors = [{"IncludeManagementEvents": True, "DataResources": [{"Type": "AWS::S3::Object"}]}]
    insights = [{"InsightType": "ApiCallRateInsight"}, {"InsightType": "ApiErrorRateInsight"}]
    t = trail(EventSelectors=selectors, InsightSelectors=insights)
    stack = estimate({"T": t}, usage_for("T", monthly_management_events=500_000), "eu-west-1")
    # data events default 1,000,000 x 0.000001 = 1.00; Insights 2 types x 500,000 analyzed
    # = 1,000,000 x 0.0000035 = 3.50; management events the free first copy
    assert parts(stack, "T") == {
        "Management events (first copy, free)": 0.0,
        "Data events": 1.0,
        "Insights events analyzed (2 Insights types)": 3.5,
    }


def test_a_data_only_trail_and_a_stopped_trail() -> None:
    advanced = [{"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Data"]}]}]
    stack = estimate(
        {"T": trail(AdvancedEventSelectors=advanced)}, usage_for("T", monthly_data_events=3e6)
    )
    assert parts(stack, "T") == {"Data events": 3.0}  # 3,000,000 x 0.000001
    stack = estimate({"T": trail(IsLogging=False)})
    assert stack.resources == [] and "IsLogging" in stack.free[0].reason


# --- AWS Config --------------------------------------------------------------------------


def test_config_recorder_continuous_and_daily() -> None:
    stack = estimate({"R": res("AWS::Config::ConfigurationRecorder", RoleARN="r")})
    # default 1,000 items x 0.003
    assert parts(stack, "R") == {"Configuration items recorded (continuous)": 3.0}
    daily = res("AWS::Config::ConfigurationRecorder", RecordingMode={"RecordingFrequency": "DAILY"})
    stack = estimate({"R": daily}, usage_for("R", monthly_configuration_items=500), "eu-west-1")
    assert parts(stack, "R") == {"Configuration items recorded (daily)": 6.0}  # 500 x 0.012
    bad = res("AWS::Config::ConfigurationRecorder", RecordingMode={"RecordingFrequency": "HOURLY"})
    (line,) = estimate({"R": bad}).unsupported
    assert "'HOURLY' is not CONTINUOUS or DAILY" in line.reason


def test_config_rule_evaluations_are_tiered() -> None:
    rule = res("AWS::Config::ConfigRule", Source={"Owner": "AWS"})
    stack = estimate({"C": rule}, usage_for("C", monthly_rule_evaluations=600_000))
    # 100,000 x 0.001 + 400,000 x 0.0008 + 100,000 x 0.0005 = 100 + 320 + 50 = 470
    assert parts(stack, "C") == {"Rule evaluations": 470.0}


def test_a_proactive_rule_and_a_bad_mode() -> None:
    modes = [{"Mode": "DETECTIVE"}, {"Mode": "PROACTIVE"}]
    rule = res("AWS::Config::ConfigRule", EvaluationModes=modes)
    usage = usage_for("C", monthly_rule_evaluations=1000, monthly_proactive_evaluations=2000)
    assert parts(estimate({"C": rule}, usage, "ap-southeast-2"), "C") == {
        "Rule evaluations": 1.0,  # 1,000 x 0.001
        "Proactive rule evaluations": 2.0,  # 2,000 x 0.001
    }
    bad = res("AWS::Config::ConfigRule", EvaluationModes=[{"Mode": "PREVENTIVE"}])
    (line,) = estimate({"C": bad}).unsupported
    assert "PREVENTIVE" in line.reason


def test_conformance_pack_and_free_delivery_channel() -> None:
    stack = estimate(
        {
            "P": res("AWS::Config::ConformancePack", ConformancePackName="p"),
            "D": res("AWS::Config::DeliveryChannel", S3BucketName="b"),
        }
    )
    assert parts(stack, "P") == {"Conformance pack evaluations": 10.0}  # 10,000 x 0.001
    assert [f.logical_id for f in stack.free] == ["D"]


# --- CloudWatch: composite alarms and canaries -----------------------------------------------


def test_a_composite_alarm_is_one_alarm_month() -> None:
    alarm = res("AWS::CloudWatch::CompositeAlarm", AlarmRule="ALARM(a) OR ALARM(b)")
    assert parts(estimate({"A": alarm}), "A") == {"Composite alarm": 0.5}
    assert parts(estimate({"A": alarm}, region="sa-east-1"), "A") == {"Composite alarm": 0.675}


def canary(expression: Any) -> dict[str, Any]:
    return res("AWS::Synthetics::Canary", Schedule={"Expression": expression})


def test_canary_runs_come_from_the_schedule() -> None:
    # rate(5 minutes): 105,120 runs a year / 12 = 8,760 a month x 0.0012 = 10.512
    assert parts(estimate({"C": canary("rate(5 minutes)")}), "C") == {
        "Canary runs (rate(5 minutes))": 10.512
    }
    # cron(0 * * * ? *): hourly, 8,760 / 12 = 730 runs x 0.0014 (Ireland) = 1.022
    assert parts(estimate({"C": canary("cron(0 * * * ? *)")}, region="eu-west-1"), "C") == {
        "Canary runs (cron(0 * * * ? *))": 1.022
    }


def test_canary_edge_cases() -> None:
    # rate(0 minute): one run when started
    assert parts(estimate({"C": canary("rate(0 minute)")}), "C") == {
        "Canary runs (rate(0 minute))": 0.0012
    }
    # usage wins over the schedule: 1,000 runs x 0.0012
    stack = estimate({"C": canary("rate(1 minute)")}, usage_for("C", monthly_runs=1000))
    assert parts(stack, "C") == {"Canary runs (from usage)": 1.2}
    # a Ref: the stated default rate(5 minutes)
    (line,) = estimate({"C": canary({"Ref": "S"})}).resources
    assert any("rate(5 minutes) assumed" in a for a in line.assumptions)
    (bad,) = estimate({"C": canary("cron(0 12 L * ? *)")}).unsupported
    assert "is not evaluated" in bad.reason


# --- Glue --------------------------------------------------------------------------------


def job(**props: Any) -> dict[str, Any]:
    return res("AWS::Glue::Job", Role="r", **props)


SPARK = {"Name": "glueetl", "ScriptLocation": "s3://b/s.py"}


def test_a_spark_job_from_workers_and_usage() -> None:
    j = job(Command=SPARK, GlueVersion="4.0", WorkerType="G.2X", NumberOfWorkers=5)
    stack = estimate({"J": j}, usage_for("J", monthly_runs=60, minutes_per_run=30))
    # 5 x 2 DPU = 10 DPU x 60 runs x 0.5 h = 300 DPU-hours x 0.44 = 132.00
    assert parts(stack, "J") == {"ETL job (5 x G.2X, 60 runs x 30 min)": 132.0}


def test_a_flex_job_with_the_one_minute_minimum_in_sao_paulo() -> None:
    j = job(
        Command=SPARK,
        GlueVersion="4.0",
        WorkerType="G.1X",
        NumberOfWorkers=2,
        ExecutionClass="FLEX",
    )
    stack = estimate({"J": j}, usage_for("J", monthly_runs=30, minutes_per_run=0.5), "sa-east-1")
    # billed 1 minute per run: 2 DPU x 30 x 1/60 h = 1 DPU-hour x 0.45 (Flex, São Paulo)
    assert parts(stack, "J") == {"ETL job (2 x G.1X, 30 runs x 1 min, Flex)": 0.45}


def test_a_python_shell_job_runs_at_its_own_dpu() -> None:
    j = job(Command={"Name": "pythonshell", "ScriptLocation": "s3://b/s.py"})
    # 0.0625 DPU x 30 runs (default) x 10 min (default) = 0.3125 DPU-hours x 0.44 = 0.1375
    assert parts(estimate({"J": j}), "J") == {
        "ETL job (Python shell, 0.0625 DPU, 30 runs x 10 min)": 0.1375
    }
    bad = job(Command={"Name": "pythonshell"}, MaxCapacity=2)
    (line,) = estimate({"J": bad}).unsupported
    assert "MaxCapacity 2 is not allowed" in line.reason


def test_job_runs_come_from_a_scheduled_trigger() -> None:
    trigger = res(
        "AWS::Glue::Trigger",
        Type="SCHEDULED",
        Schedule="cron(0 2 * * ? *)",
        Actions=[{"JobName": {"Ref": "J"}}],
    )
    stack = estimate({"J": job(Command=SPARK, MaxCapacity=10), "T": trigger})
    # daily: 365 / 12 = 30.4167 runs x 10 min x 10 DPU / 60 = 50.6944 DPU-hours x 0.44
    assert parts(stack, "J") == {
        "ETL job (10 DPU, 30.4167 runs x 10 min)": round(365 / 12 * 10 * 10 / 60 * 0.44, 6)
    }
    assert [f.logical_id for f in stack.free] == ["T"]


def test_glue_jobs_that_cannot_be_priced() -> None:
    ray = job(Command={"Name": "glueray"})
    assert "Ray jobs are not modelled" in estimate({"J": ray}).unsupported[0].reason
    worker = job(Command=SPARK, WorkerType="Z.2X", NumberOfWorkers=2)
    assert "WorkerType 'Z.2X'" in estimate({"J": worker}).unsupported[0].reason
    flex = job(Command={"Name": "pythonshell"}, ExecutionClass="FLEX")
    assert "FLEX is for glueetl" in estimate({"J": flex}).unsupported[0].reason


def test_a_crawler_and_the_free_glue_types() -> None:
    stack = estimate(
        {
            "C": res("AWS::Glue::Crawler", Role="r", DatabaseName="d", Targets={}),
            "W": res("AWS::Glue::Workflow"),
            "N": res("AWS::Glue::Connection", CatalogId="1", ConnectionInput={}),
        },
        usage_for("C", monthly_dpu_hours=5),
    )
    assert parts(stack, "C") == {"Crawler runs": 2.2}  # 5 DPU-hours x 0.44
    assert sorted(f.logical_id for f in stack.free) == ["N", "W"]


# --- Athena, GuardDuty, Security Hub ----------------------------------------------------------


def test_athena_workgroup_scanned_tb() -> None:
    w = res("AWS::Athena::WorkGroup", Name="w")
    assert parts(estimate({"W": w}), "W") == {"Data scanned by queries": 0.5}  # 0.1 TB x 5
    stack = estimate({"W": w}, usage_for("W", monthly_scanned_tb=2), "sa-east-1")
    assert parts(stack, "W") == {"Data scanned by queries": 18.0}  # 2 TB x 9.00
    off = estimate({"W": res("AWS::Athena::WorkGroup", Name="w", State="DISABLED")})
    assert off.resources == [] and "DISABLED" in off.free[0].reason
    spark = res(
        "AWS::Athena::WorkGroup",
        WorkGroupConfiguration={
            "EngineVersion": {"SelectedEngineVersion": "PySpark engine version 3"}
        },
    )
    assert "Apache Spark workgroups" in estimate({"W": spark}).unsupported[0].reason


def test_guardduty_detector_foundational_dimensions() -> None:
    d = res("AWS::GuardDuty::Detector", Enable=True)
    # 1,000,000 events x 0.000004 = 4.00; 10 GB x 1.00 = 10.00
    assert parts(estimate({"D": d}), "D") == {
        "CloudTrail management events analyzed": 4.0,
        "VPC flow log and DNS logs analyzed": 10.0,
    }
    usage = usage_for("D", monthly_cloudtrail_events=0, monthly_flow_dns_gb=3000)
    # Ireland: 500 x 1.10 + 2,000 x 0.55 + 500 x 0.28 = 550 + 1,100 + 140 = 1,790
    assert parts(estimate({"D": d}, usage, "eu-west-1"), "D")[
        "VPC flow log and DNS logs analyzed"
    ] == pytest.approx(1790.0)
    features = res("AWS::GuardDuty::Detector", Enable=True, Features=[{"Name": "S3_DATA_EVENTS"}])
    (line,) = estimate({"D": features}).resources
    assert any("S3_DATA_EVENTS" in a and "not priced" in a for a in line.assumptions)
    off = estimate({"D": res("AWS::GuardDuty::Detector", Enable=False)})
    assert off.resources == [] and "Enable: false" in off.free[0].reason


def test_security_hub_checks_and_findings() -> None:
    hub = res("AWS::SecurityHub::Hub")
    # 10,000 checks x 0.001 = 10.00; 20,000 findings: 10,000 free + 10,000 x 0.00003 = 0.30
    assert parts(estimate({"H": hub}), "H") == {
        "Security checks": 10.0,
        "Finding ingestion events": 0.3,
    }
    usage = usage_for("H", monthly_security_checks=200_000, monthly_finding_events=5000)
    # 100,000 x 0.001 + 100,000 x 0.0008 = 180.00; 5,000 findings in the free tier
    assert parts(estimate({"H": hub}, usage, "eu-central-1"), "H") == {
        "Security checks": 180.0,
        "Finding ingestion events": 0.0,
    }
    std = estimate({"S": res("AWS::SecurityHub::Standard", StandardsArn="a")})
    assert [f.logical_id for f in std.free] == ["S"]


# --- CodeBuild and Backup ------------------------------------------------------------------


def project(kind: Any, compute: Any, **env: Any) -> dict[str, Any]:
    environment = {"Type": kind, "ComputeType": compute, "Image": "i", **env}
    return res("AWS::CodeBuild::Project", Environment=environment, Source={}, Artifacts={})


def test_codebuild_minutes_by_environment() -> None:
    stack = estimate({"P": project("LINUX_CONTAINER", "BUILD_GENERAL1_SMALL")})
    # 100 minutes (default) x 0.005
    assert parts(stack, "P") == {"Build minutes (LINUX_CONTAINER, general1.small)": 0.5}
    usage = usage_for("P", monthly_build_minutes=1000)
    stack = estimate({"P": project("ARM_CONTAINER", "BUILD_GENERAL1_SMALL")}, usage, "eu-west-1")
    # 1,000 x 0.00385
    assert parts(stack, "P") == {"Build minutes (ARM_CONTAINER, arm1.small)": 3.85}
    stack = estimate({"P": project("WINDOWS_SERVER_2019_CONTAINER", "BUILD_GENERAL1_MEDIUM")})
    # 100 x 0.018
    assert parts(stack, "P") == {
        "Build minutes (WINDOWS_SERVER_2019_CONTAINER, general1.medium)": 1.8
    }


def test_codebuild_projects_that_cannot_be_priced() -> None:
    lam = project("LINUX_LAMBDA_CONTAINER", "BUILD_LAMBDA_1GB")
    assert "do not state the unit" in estimate({"P": lam}).unsupported[0].reason
    small_windows = project("WINDOWS_CONTAINER", "BUILD_GENERAL1_SMALL")
    assert "no published CodeBuild" in estimate({"P": small_windows}).unsupported[0].reason
    fleet = project("LINUX_CONTAINER", "BUILD_GENERAL1_SMALL", Fleet={"FleetArn": "a"})
    assert "reserved-capacity fleet" in estimate({"P": fleet}).unsupported[0].reason
    odd = project("LINUX_CONTAINER", "BUILD_GENERAL1_HUGE")
    assert "ComputeType 'BUILD_GENERAL1_HUGE'" in estimate({"P": odd}).unsupported[0].reason


def test_backup_vault_storage_from_usage() -> None:
    vault = res("AWS::Backup::BackupVault", BackupVaultName="v")
    usage = usage_for("V", dynamodb_warm_gb=100, dynamodb_cold_gb=200, s3_warm_gb=50)
    # 100 x 0.10 + 200 x 0.03 + 50 x 0.05 = 10 + 6 + 2.5
    assert parts(estimate({"V": vault}, usage), "V") == {
        "DynamoDB backups, warm storage": 10.0,
        "DynamoDB backups, cold storage": 6.0,
        "S3 backups, warm storage": 2.5,
    }
    stack = estimate(
        {
            "V": vault,
            "P": res("AWS::Backup::BackupPlan", BackupPlan={}),
            "S": res("AWS::Backup::BackupSelection", BackupPlanId="p", BackupSelection={}),
        },
        usage_for("V", s3_warm_gb=10),
        "sa-east-1",
    )
    assert parts(stack, "V")["S3 backups, warm storage"] == 0.7  # 10 x 0.07
    assert sorted(f.logical_id for f in stack.free) == ["P", "S"]
