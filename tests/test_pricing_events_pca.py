"""EventBridge API destinations, archives and Pipes (AWS's EventBridge pricing-page file) and
AWS Private CA authorities and certificates (AWS's Private CA file); expected values computed
by hand from the catalog figures read (and quoted) below."""

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


def parts(stack: StackCost, logical_id: str) -> dict[str, float]:
    (line,) = [r for r in stack.resources if r.logical_id == logical_id]
    return {c.name: round(c.monthly_cost, 6) for c in line.components}


def test_the_catalog_figures_used_below() -> None:
    catalog = default_catalog()

    def usd(service: str, family: str, usagetype: str, region: str = "us-east-1") -> float:
        return catalog.lookup(service, region, family, usagetype).usd

    assert usd("AWSEvents", "EventBridge", "ApiDestination-Invocations") == 0.0000002
    assert usd("AWSEvents", "EventBridge", "Archive-Processed-GB") == 0.10
    assert usd("AWSEvents", "EventBridge", "Archive-Storage-GB-Mo") == 0.023
    assert usd("AWSEvents", "EventBridge Pipes", "Pipe-Requests-64K-Chunks") == 0.0000004
    pca = "AWSCertificateManager"
    assert usd(pca, "Private Certificate Authority", "PaidPrivateCA") == 400.0
    assert usd(pca, "Private Certificate Authority", "ShortLivedCertificatePrivateCA") == 50.0
    assert usd(pca, "Private Certificate", "ShortLivedCertificatesIssued") == 0.058
    source = catalog.lookup(pca, "us-east-1", "Private Certificate", "PrivateCertificatesIssued")
    assert source.source == "certificatemanager" and source.effective_date == "2025-08-28"


def test_api_destination_and_pipe_from_usage() -> None:
    usage = {
        "resources": {
            "D": {"monthly_invocations": 25_000_000},
            "P": {"monthly_requests": 10_000_000},
        }
    }
    resources = {
        "D": {"Type": "AWS::Events::ApiDestination", "Properties": {}},
        "P": {"Type": "AWS::Pipes::Pipe", "Properties": {"DesiredState": "RUNNING"}},
        "C": {"Type": "AWS::Events::Connection", "Properties": {}},
    }
    stack = estimate(resources, usage)
    # 25M x 0.0000002 = 5.00; 10M x 0.0000004 = 4.00
    assert parts(stack, "D") == {"API destination invocations": 5.00}
    assert parts(stack, "P") == {"Pipe requests": 4.00}
    (connection,) = stack.free
    assert "included in the API destination's invocation price" in connection.reason


def test_a_stopped_pipe_is_free() -> None:
    stack = estimate({"P": {"Type": "AWS::Pipes::Pipe", "Properties": {"DesiredState": "STOPPED"}}})
    assert stack.resources == [] and "STOPPED" in stack.free[0].reason


def test_an_archive_stores_retention_days_of_events() -> None:
    archive = {"Type": "AWS::Events::Archive", "Properties": {"RetentionDays": 45}}
    stack = estimate({"A": archive}, {"resources": {"A": {"monthly_archived_gb": 20}}})
    # 20 GB x 0.10 = 2.00; 20 GB x 45 / 30 = 30 GB stored x 0.023 = 0.69
    assert parts(stack, "A") == {"Events archived": 2.00, "Archive storage": 0.69}
    usage = {"resources": {"A": {"monthly_archived_gb": 20, "storage_gb": 500}}}
    indefinite = {"Type": "AWS::Events::Archive", "Properties": {}}
    # storage_gb given: 500 x 0.023 = 11.50, whatever the retention
    assert parts(estimate({"A": indefinite}, usage), "A")["Archive storage"] == 11.50


def test_private_ca_modes_and_certificates() -> None:
    resources = {
        "Root": {"Type": "AWS::ACMPCA::CertificateAuthority", "Properties": {"Type": "ROOT"}},
        "Short": {
            "Type": "AWS::ACMPCA::CertificateAuthority",
            "Properties": {"UsageMode": "SHORT_LIVED_CERTIFICATE"},
        },
        "Cert": {
            "Type": "AWS::ACMPCA::Certificate",
            "Properties": {"CertificateAuthorityArn": {"Fn::GetAtt": ["Short", "Arn"]}},
        },
        "Act": {"Type": "AWS::ACMPCA::CertificateAuthorityActivation", "Properties": {}},
    }
    stack = estimate(resources)
    assert parts(stack, "Root") == {"Private CA (general-purpose)": 400.00}
    assert parts(stack, "Short") == {"Private CA (short-lived-certificate)": 50.00}
    # one certificate from the short-lived CA: 0.058, one-time
    assert parts(stack, "Cert") == {
        "Certificate issued (one-time, in the month of issuance)": 0.058
    }
    assert [f.logical_id for f in stack.free] == ["Act"]


def test_a_ca_for_part_of_the_month_and_ocsp_stated() -> None:
    ca = {
        "Type": "AWS::ACMPCA::CertificateAuthority",
        "Properties": {"RevocationConfiguration": {"OcspConfiguration": {"Enabled": True}}},
    }
    stack = estimate({"CA": ca}, {"resources": {"CA": {"hours_per_month": 365}}})
    # 365 / 730 of a month x 400.00 = 200.00
    assert parts(stack, "CA") == {"Private CA (general-purpose)": 200.00}
    (line,) = stack.resources
    assert any("OCSP is enabled" in a for a in line.assumptions)
