"""SageMaker Studio Classic apps: KernelGateway apps at AWS's Studio notebook rates (the file
`sagemaker-instances-studionotebook.json`), JupyterServer apps on the free system instance,
the SageMaker types that bill nothing themselves; expected values computed by hand from the
catalog figures read (and quoted) below."""

from __future__ import annotations

from typing import Any

import pytest

from cost.catalog import default_catalog
from cost.estimate import Estimator
from cost.model import StackCost, money
from cost.pricing.usage import Usage

H = 730
# Studio notebook instance-hour prices (AWS's file, published 2025-12-05)
G5_XLARGE_US, G5_XLARGE_SAO_PAULO, T3_MEDIUM_US = 1.41, 2.394, 0.05
M5_XLARGE_SYDNEY, T3_MEDIUM_SYDNEY = 0.288, 0.063
# EFS Standard storage per GB-month (AWS's EFS file): us-east-1 0.30, sa-east-1 0.57
EFS_US, EFS_SAO_PAULO = 0.30, 0.57


def estimate(
    resources: dict[str, Any], usage: dict[str, Any] | None = None, region: str = "us-east-1"
) -> StackCost:
    estimator = Estimator(default_catalog(), Usage.from_mapping(usage or {}))
    return estimator.estimate_template({"Resources": resources}, name="t", region=region)


def app(app_type: str, instance_type: str | None = None, **extra: Any) -> dict[str, Any]:
    props: dict[str, Any] = {
        "AppName": "a",
        "AppType": app_type,
        "DomainId": {"Ref": "Domain"},
        "UserProfileName": "alice",
        **extra,
    }
    if instance_type is not None:
        props["ResourceSpec"] = {"InstanceType": instance_type}
    return {"Type": "AWS::SageMaker::App", "Properties": props}


def domain(default: str | None = None) -> dict[str, Any]:
    settings: dict[str, Any] = {"ExecutionRole": "arn:aws:iam::1:role/r"}
    if default:
        settings["KernelGatewayAppSettings"] = {"DefaultResourceSpec": {"InstanceType": default}}
    return {
        "Type": "AWS::SageMaker::Domain",
        "Properties": {"DomainName": "d", "AuthMode": "IAM", "DefaultUserSettings": settings},
    }


def test_the_catalog_figures_used_below() -> None:
    catalog = default_catalog()

    def hourly(region: str, instance: str) -> float:
        price = catalog.lookup(
            "AmazonSageMaker", region, "Studio Notebook Instance", None, instanceType=instance
        )
        assert price.source == "sagemaker-instances-studionotebook"
        assert price.effective_date == "2025-12-05"
        return price.usd

    assert hourly("us-east-1", "ml.g5.xlarge") == G5_XLARGE_US
    assert hourly("sa-east-1", "ml.g5.xlarge") == G5_XLARGE_SAO_PAULO
    assert hourly("us-east-1", "ml.t3.medium") == T3_MEDIUM_US
    assert hourly("ap-southeast-2", "ml.m5.xlarge") == M5_XLARGE_SYDNEY
    assert hourly("ap-southeast-2", "ml.t3.medium") == T3_MEDIUM_SYDNEY


def test_a_kernel_gateway_app_bills_its_instance_every_hour() -> None:
    (line,) = estimate({"App": app("KernelGateway", "ml.g5.xlarge")}).resources
    assert line.monthly_cost == money(H * G5_XLARGE_US)
    assert line.components[0].name == "Studio notebook instance (ml.g5.xlarge)"
    assert not line.usage_based
    (sao_paulo,) = estimate(
        {"App": app("KernelGateway", "ml.g5.xlarge")}, region="sa-east-1"
    ).resources
    assert sao_paulo.monthly_cost == money(H * G5_XLARGE_SAO_PAULO)
    # Eight hours a day on 22 working days: 176 h from usage.
    usage = {"resources": {"App": {"hours_per_month": 176}}}
    (office,) = estimate({"App": app("KernelGateway", "ml.g5.xlarge")}, usage).resources
    assert office.monthly_cost == money(176 * G5_XLARGE_US) and office.usage_based


def test_the_instance_type_falls_back_to_the_profile_then_the_domain() -> None:
    profile = {
        "Type": "AWS::SageMaker::UserProfile",
        "Properties": {
            "DomainId": {"Ref": "Domain"},
            "UserProfileName": "alice",
            "UserSettings": {
                "KernelGatewayAppSettings": {
                    "DefaultResourceSpec": {"InstanceType": "ml.t3.medium"}
                }
            },
        },
    }
    stack = estimate(
        {"Domain": domain("ml.m5.xlarge"), "Alice": profile, "App": app("KernelGateway")},
        region="ap-southeast-2",
    )
    (line,) = [r for r in stack.resources if r.logical_id == "App"]
    # The user profile's default wins over the domain's: ml.t3.medium in Sydney.
    assert line.monthly_cost == money(H * T3_MEDIUM_SYDNEY)
    assert any("user profile Alice" in a for a in line.assumptions)
    stack = estimate(
        {"Domain": domain("ml.m5.xlarge"), "App": app("KernelGateway")}, region="ap-southeast-2"
    )
    (line,) = [r for r in stack.resources if r.logical_id == "App"]
    assert line.monthly_cost == money(H * M5_XLARGE_SYDNEY)
    assert any("domain Domain" in a for a in line.assumptions)


def test_a_domain_bills_the_efs_volume_of_its_home_directories() -> None:
    catalog = default_catalog()
    for region, usd in (("us-east-1", EFS_US), ("sa-east-1", EFS_SAO_PAULO)):
        assert catalog.lookup("AmazonEFS", region, "Storage", "TimedStorage-ByteHrs").usd == usd
    (line,) = estimate({"Domain": domain()}).resources
    # The default, 10 GB of home directories: 10 x 0.30
    assert line.monthly_cost == money(10 * EFS_US) and line.usage_based
    assert any("EFS Standard" in a for a in line.assumptions)
    usage = {"resources": {"Domain": {"home_storage_gb": 50}}}
    (sao_paulo,) = estimate({"Domain": domain()}, usage, region="sa-east-1").resources
    assert sao_paulo.monthly_cost == money(50 * EFS_SAO_PAULO)


def test_a_jupyter_server_app_is_free_and_said_so() -> None:
    stack = estimate({"App": app("JupyterServer", "system")})
    (line,) = stack.resources
    assert line.monthly_cost == 0.0
    assert any("free system instance" in a for a in line.assumptions)


@pytest.mark.parametrize(
    ("resource", "reason"),
    [
        (app("KernelGateway"), "KernelGateway app without an instance type"),
        (app("KernelGateway", "ml.g99.huge"), "ml.g99.huge"),
        (app("Canvas"), "Canvas AppType: only KernelGateway apps"),
        (app("JupyterServer", "ml.t3.medium"), "JupyterServer app on instance type"),
    ],
)
def test_what_the_catalog_cannot_price_is_unsupported_with_the_reason(
    resource: dict[str, Any], reason: str
) -> None:
    (unsupported,) = estimate({"App": resource}).unsupported
    assert reason in unsupported.reason


def test_sagemaker_types_that_bill_nothing_themselves_are_free_and_the_others_unsupported() -> None:
    stack = estimate(
        {
            "Model": {"Type": "AWS::SageMaker::Model", "Properties": {}},
            "Config": {"Type": "AWS::SageMaker::EndpointConfig", "Properties": {}},
            "Endpoint": {"Type": "AWS::SageMaker::Endpoint", "Properties": {}},
            "Notebook": {
                "Type": "AWS::SageMaker::NotebookInstance",
                "Properties": {"InstanceType": "ml.t3.medium", "RoleArn": "r"},
            },
        }
    )
    assert sorted(f.logical_id for f in stack.free) == ["Config", "Model"]
    # Hosting and notebook-instance prices are in SageMaker files no public repository
    # vendors: unsupported, not priced at the Studio notebook rate.
    assert sorted(u.logical_id for u in stack.unsupported) == ["Endpoint", "Notebook"]
