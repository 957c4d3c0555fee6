"""S3 Express One Zone directory buckets, Glue Data Catalog databases and tables and CloudWatch
dashboards, from the S3, Glue and CloudWatch pricing-page files' rows in the catalog; expected values computed by hand from the
catalog figures read (and quoted) below."""

from __future__ import annotations

from typing import Any

from cost.catalog import default_catalog
from cost.estimate import Estimator
from cost.model import StackCost
from cost.pricing.usage import Usage


def estimate(
    resources: dict[str, Any], usage: dict[str, Any] | None = None, region: str = "us-east-1"
) -> StackCost:
    estimator = Estimator(default_catalog(), Usage.from_mapping(usage or {}))
    return estimator.estimate_template({"Resources": resources}, name="t", region=region)


def usd(service: str, family: str, region: str = "us-east-1") -> float:
    return default_catalog().lookup(service, region, family, None).usd


def test_the_catalog_figures_used_below() -> None:
    assert usd("AmazonS3", "Express One Zone Storage") == 0.11
    assert usd("AmazonS3", "Express One Zone PUT Requests") == 0.00000113
    assert usd("AmazonS3", "Express One Zone GET Requests") == 0.00000003
    assert usd("AmazonS3", "Express One Zone Upload") == 0.0032
    assert usd("AmazonS3", "Express One Zone Retrieval") == 0.0006
    assert usd("AWSGlue", "Data Catalog Storage") == 0.00001
    assert usd("AWSGlue", "Data Catalog Requests") == 0.000001
    glue = default_catalog().lookup("AWSGlue", "us-east-1", "Data Catalog Storage", None)
    assert glue.source == "glue" and glue.effective_date == "2025-12-01"


def test_a_directory_bucket_from_usage() -> None:
    usage = {
        "resources": {
            "B": {
                "storage_gb": 200,
                "monthly_tier1_requests": 2_000_000,
                "monthly_tier2_requests": 50_000_000,
                "monthly_upload_gb": 300,
                "monthly_retrieval_gb": 1000,
            }
        }
    }
    (line,) = estimate({"B": {"Type": "AWS::S3Express::DirectoryBucket"}}, usage).resources
    parts = {c.name: round(c.monthly_cost, 6) for c in line.components}
    # 200 GB x 0.11 = 22.00; 2M PUT x 0.00000113 = 2.26; 50M GET x 0.00000003 = 1.50;
    # 300 GB x 0.0032 = 0.96; 1,000 GB x 0.0006 = 0.60; total 27.32
    assert parts == {
        "Storage (Express One Zone)": 22.00,
        "PUT, COPY, POST, LIST requests": 2.26,
        "GET and other requests": 1.50,
        "Data uploaded, the part of each request above 512 KB": 0.96,
        "Data retrieved, the part of each request above 512 KB": 0.60,
    }
    assert line.monthly_cost == 27.32


def test_glue_objects_and_requests() -> None:
    usage = {"resources": {"T": {"partitions": 199_999, "monthly_requests": 3_000_000}}}
    stack = estimate(
        {"D": {"Type": "AWS::Glue::Database"}, "T": {"Type": "AWS::Glue::Table"}}, usage
    )
    lines = {r.logical_id: r for r in stack.resources}
    # the database: 1 object x 0.00001 = 0.00001 (no free tier deducted: said on the line)
    assert lines["D"].components[0].monthly_cost == 0.00001
    assert any("no Data Catalog free tier deducted" in a for a in lines["D"].assumptions)
    # the table: (1 + 199,999) objects x 0.00001 = 2.00; 3M requests x 0.000001 = 3.00
    assert {c.name: round(c.monthly_cost, 6) for c in lines["T"].components} == {
        "Data Catalog storage (the table and 199999 partitions)": 2.00,
        "Data Catalog requests": 3.00,
    }
    assert lines["T"].monthly_cost == 5.00


def test_a_dashboard_is_the_files_global_price_in_any_region() -> None:
    price = default_catalog().lookup(
        "AmazonCloudWatch", "global", "Dashboard", "DashboardsUsageHour"
    )
    assert price.usd == 3.00 and price.source == "cloudwatch"
    for region in ("us-east-1", "ap-southeast-2", "sa-east-1"):
        (line,) = estimate({"D": {"Type": "AWS::CloudWatch::Dashboard"}}, region=region).resources
        # 1 dashboard-month x 3.00
        assert line.monthly_cost == 3.00
        assert any("first 3 dashboards" in a for a in line.assumptions)
