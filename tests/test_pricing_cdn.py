"""CloudFront distributions priced per edge-location group (usage `edge_share_*`), from the
CloudFront pricing-page file's rows in the catalog; expected values computed by hand from the
catalog figures read (and quoted) below."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cost.catalog import Price, default_catalog
from cost.cli import main
from cost.estimate import Estimator
from cost.model import StackCost
from cost.pricing.usage import Usage

DISTRIBUTION = {"Type": "AWS::CloudFront::Distribution", "Properties": {"DistributionConfig": {}}}


def catalog_row(usagetype: str, group: str) -> Price:
    family = "Data Transfer" if usagetype == "DataTransfer-Out-Bytes" else "Request"
    return default_catalog().lookup(
        "AmazonCloudFront", "global", family, usagetype, edgeLocationGroup=group
    )


def estimate(usage: dict[str, Any]) -> StackCost:
    estimator = Estimator(default_catalog(), Usage.from_mapping(usage))
    return estimator.estimate_template(
        {"Resources": {"D": DISTRIBUTION}}, name="t", region="eu-west-1"
    )


def test_the_catalog_holds_the_files_group_prices() -> None:
    us = catalog_row("DataTransfer-Out-Bytes", "United States")
    assert [(t.begin, t.usd) for t in us.tiers[:2]] == [(0, 0.085), (10240, 0.08)]
    assert catalog_row("DataTransfer-Out-Bytes", "EU").tiers[0].usd == 0.085
    assert catalog_row("DataTransfer-Out-Bytes", "Japan").tiers[0].usd == 0.114
    assert catalog_row("Requests-Tier2-HTTPS", "United States").usd == 1e-06
    assert catalog_row("Requests-Tier2-HTTPS", "EU").usd == 1.2e-06
    assert catalog_row("Requests-Tier2-HTTPS", "Japan").usd == 1.2e-06
    assert us.source == "cloudfront" and us.effective_date == "2025-07-01"


def test_default_is_all_united_states_edges_whatever_the_region() -> None:
    (line,) = estimate({}).resources
    # 100 GB x 0.085 + 1,000,000 x 0.000001 = 8.50 + 1.00 = 9.50 (eu-west-1 changes nothing)
    assert line.monthly_cost == 9.50
    assert any("United States 100%" in a and "default" in a for a in line.assumptions)


def test_a_mix_of_groups_is_tiered_per_group() -> None:
    usage = {
        "resources": {
            "D": {
                "monthly_data_transfer_gb": 20_000,
                "monthly_https_requests": 10_000_000,
                "edge_share_united_states": 0.6,
                "edge_share_eu": 0.4,
            }
        }
    }
    (line,) = estimate(usage).resources
    parts = {c.name: c.monthly_cost for c in line.components}
    # US: 12,000 GB = 10,240 x 0.085 + 1,760 x 0.080 = 870.40 + 140.80 = 1,011.20
    # EU: 8,000 GB x 0.085 = 680.00 (within its own first 10 TB)
    # requests: 6M x 0.000001 = 6.00 (US); 4M x 0.0000012 = 4.80 (EU)
    assert parts == {
        "Data transfer out to viewers (United States edges)": 1011.20,
        "HTTPS requests (United States edges)": 6.00,
        "Data transfer out to viewers (EU edges)": 680.00,
        "HTTPS requests (EU edges)": 4.80,
    }
    assert line.monthly_cost == 1702.00


def test_one_other_group() -> None:
    usage = {
        "resource_type_defaults": {
            "AWS::CloudFront::Distribution": {
                "edge_share_united_states": 0,
                "edge_share_japan": 1,
            }
        }
    }
    (line,) = estimate(usage).resources
    # 100 GB x 0.114 + 1,000,000 x 0.0000012 = 11.40 + 1.20 = 12.60
    assert line.monthly_cost == 12.60


def test_shares_that_do_not_sum_to_1_exit_2_naming_the_keys(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = tmp_path / "t.json"
    template.write_text('{"Resources": {"D": {"Type": "AWS::CloudFront::Distribution"}}}')
    usage = tmp_path / "usage.yml"
    usage.write_text("resources:\n  D:\n    edge_share_eu: 0.5\n")
    code = main(["estimate", str(template), "--usage", str(usage)])
    err = capsys.readouterr().err
    assert code == 2
    assert "AWS::CloudFront::Distribution D: the edge_share_* keys sum to 1.5" in err
    assert "edge_share_united_states=1, edge_share_eu=0.5" in err
    assert "allowed: shares between 0 and 1 that sum to 1" in err
