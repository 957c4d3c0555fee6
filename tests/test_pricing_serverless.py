"""Edge cases of the serverless and data-service pricing functions: the configurations that
are free, the assumptions they record, tiers and billing increments. Expected values are
computed by hand from the staged AWS price files' us-east-1 figures quoted in the comments."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cost import refresh
from cost.catalog import PriceCatalog
from cost.catalog.spec import Page, PriceSpec
from cost.model import money
from cost.pricing import FREE_TYPES, PRICED
from tests.test_pricing import components, cost_of, estimate

H = 730


def res(rtype: str, **props: Any) -> dict[str, Any]:
    return {"Type": rtype, "Properties": props}


def free_reason(resources: dict[str, Any], logical_id: str) -> str:
    stack = estimate(resources)
    (line,) = [f for f in stack.free if f.logical_id == logical_id]
    return line.reason


def unsupported_reason(resources: dict[str, Any], logical_id: str, **kw: Any) -> str:
    stack = estimate(resources, **kw)
    (line,) = [u for u in stack.unsupported if u.logical_id == logical_id]
    return line.reason


@pytest.mark.parametrize(
    ("resource", "fragment"),
    [
        (res("AWS::ApiGateway::Stage", StageName="prod"), "no cache cluster"),
        (res("AWS::ApiGateway::Stage", CacheClusterEnabled=False), "no cache cluster"),
        (res("AWS::ApiGateway::Deployment", RestApiId="x"), "a deployment bills nothing"),
        (
            res("AWS::ApiGateway::Deployment", StageName="p", StageDescription={}),
            "no cache cluster",
        ),
        (
            res("AWS::Events::Rule", ScheduleExpression="rate(1 hour)", Targets=[{"Arn": "x"}]),
            "rules and delivery to targets are not billed",
        ),
        (res("AWS::Lambda::Version", FunctionName="fn"), "no provisioned concurrency"),
        (res("AWS::Lambda::EventSourceMapping", FunctionName="fn"), "invocations are priced"),
        (
            res("AWS::CloudFront::Distribution", DistributionConfig={"Enabled": False}),
            "a disabled distribution",
        ),
    ],
)
def test_priced_types_are_free_in_configurations_that_bill_nothing(
    resource: dict[str, Any], fragment: str
) -> None:
    assert fragment in free_reason({"X": resource}, "X")


def test_the_free_list_covers_the_configuration_types_of_these_services() -> None:
    for resource_type in (
        "AWS::ApiGateway::Method",
        "AWS::ApiGateway::Resource",
        "AWS::ApiGateway::UsagePlan",
        "AWS::ApiGatewayV2::Stage",
        "AWS::ApiGatewayV2::Route",
        "AWS::ApiGatewayV2::Integration",
        "AWS::SNS::Subscription",
        "AWS::SNS::TopicPolicy",
        "AWS::SQS::QueuePolicy",
        "AWS::EFS::MountTarget",
        "AWS::EFS::AccessPoint",
        "AWS::Lambda::LayerVersion",
        "AWS::Logs::SubscriptionFilter",
        "AWS::RDS::EventSubscription",
        "AWS::EC2::LaunchTemplate",
        "AWS::ECS::CapacityProvider",
    ):
        assert resource_type in FREE_TYPES, resource_type
    # Types that bill something are never on the free list.
    for resource_type in ("AWS::CloudWatch::Dashboard", "AWS::Logs::MetricFilter"):
        assert resource_type not in FREE_TYPES and resource_type in PRICED


def test_a_cache_switched_by_a_parameter_is_priced_not_assumed_off() -> None:
    stage = res("AWS::ApiGateway::Stage", CacheClusterEnabled={"Ref": "Cache"})
    stack = estimate({"S": stage})
    # fail closed: 0.5 GB cache, 730 h x 0.02
    assert cost_of(stack, "S") == money(H * 0.02)
    (line,) = stack.resources
    assert any("CacheClusterEnabled is not known at synth time" in a for a in line.assumptions)


def test_express_duration_and_memory_are_billed_in_100_ms_and_64_mb_increments() -> None:
    machine = res("AWS::StepFunctions::StateMachine", StateMachineType="EXPRESS")
    usage = {"resources": {"M": {"average_duration_ms": 150, "memory_mb": 100}}}
    stack = estimate({"M": machine}, usage=usage)
    # 150 ms -> 0.2 s; 100 MB -> 128 MB: 1e5 x 0.2 x 0.125 GB-s x 1.667e-5 + 1e5 x 1e-6
    assert cost_of(stack, "M") == money(1e5 * 0.2 * 0.125 * 1.667e-5 + 1e5 * 1e-6)
    assert "Express duration (0.2 s x 128 MB)" in components(stack, "M")


def test_http_api_requests_are_tiered_per_api() -> None:
    api = res("AWS::ApiGatewayV2::Api", ProtocolType="HTTP")
    stack = estimate({"A": api}, usage={"resources": {"A": {"monthly_requests": 400e6}}})
    # 300e6 x 1.0e-6 + 100e6 x 0.9e-6
    assert cost_of(stack, "A") == money(300e6 * 1e-6 + 100e6 * 0.9e-6)


def test_sns_deliveries_are_grouped_by_price_and_assumed_unfiltered() -> None:
    topic = res(
        "AWS::SNS::Topic",
        Subscription=[
            {"Protocol": "http", "Endpoint": "http://a"},
            {"Protocol": "HTTPS", "Endpoint": "https://b"},
            {"Protocol": "lambda", "Endpoint": "arn"},
        ],
    )
    stack = estimate({"T": topic})
    parts = components(stack, "T")
    # two HTTP/S subscriptions: 2 x 1e6 x 6e-7; Lambda deliveries are free
    assert parts["HTTP/S deliveries (2 subscription(s))"] == pytest.approx(2 * 1e6 * 6e-7)
    assert parts["Lambda deliveries (1 subscription(s))"] == 0
    (line,) = stack.resources
    assert any("no filter policies" in a for a in line.assumptions)


def test_a_subscription_protocol_behind_a_token_cannot_be_priced() -> None:
    resources = {
        "T": res("AWS::SNS::Topic"),
        "S": res("AWS::SNS::Subscription", TopicArn={"Ref": "T"}, Protocol={"Ref": "P"}),
    }
    assert "protocol is not known" in unsupported_reason(resources, "T")


def test_a_global_table_replica_in_a_partition_without_prices_is_unsupported() -> None:
    table = res(
        "AWS::DynamoDB::GlobalTable",
        BillingMode="PAY_PER_REQUEST",
        Replicas=[{"Region": "us-east-1"}, {"Region": "us-gov-west-1"}],
    )
    # GovCloud is another partition: the catalog holds none of its prices.
    reason = unsupported_reason({"G": table}, "G")
    assert "AWS publishes no AmazonDynamoDB prices for us-gov-west-1" in reason


def test_a_global_table_prices_each_replica_in_its_own_region() -> None:
    table = res(
        "AWS::DynamoDB::GlobalTable",
        BillingMode="PAY_PER_REQUEST",
        Replicas=[{"Region": "sa-east-1", "TableClass": "STANDARD_INFREQUENT_ACCESS"}],
    )
    stack = estimate({"G": table})
    parts = components(stack, "G")
    # São Paulo Standard-IA: 1e6 reads x 2.345e-7, 1e6 replicated writes x 1.172e-6 (the IA
    # rWRU figure), 1 GB x 0.15
    assert set(parts) == {
        "Read request units (Standard-IA) (sa-east-1)",
        "Replicated write request units (Standard-IA) (sa-east-1)",
        "Data storage (Standard-IA) (sa-east-1)",
    }
    assert parts["Data storage (Standard-IA) (sa-east-1)"] == pytest.approx(1 * 0.15)
    assert parts["Read request units (Standard-IA) (sa-east-1)"] == pytest.approx(1e6 * 2.345e-7)
    assert parts["Replicated write request units (Standard-IA) (sa-east-1)"] == pytest.approx(
        1e6 * 1.172e-6
    )


def test_an_unresolved_provisioned_throughput_falls_back_to_five_units() -> None:
    table = res(
        "AWS::DynamoDB::Table",
        ProvisionedThroughput={"ReadCapacityUnits": {"Ref": "R"}, "WriteCapacityUnits": 1},
    )
    stack = estimate({"T": table})
    # 5 RCU x 730 x 0.00013 + 1 WCU x 730 x 0.00065 + 1 GB x 0.25
    assert cost_of(stack, "T") == money(5 * H * 0.00013 + 1 * H * 0.00065 + 0.25)
    (line,) = stack.resources
    assert any("ReadCapacityUnits is not known at synth time" in a for a in line.assumptions)


def test_kinesis_on_demand_extended_retention_is_not_guessed() -> None:
    stream = res(
        "AWS::Kinesis::Stream",
        StreamModeDetails={"StreamMode": "ON_DEMAND"},
        RetentionPeriodHours=72,
    )
    assert "billed per GB stored" in unsupported_reason({"S": stream}, "S")


def test_efs_provisioned_throughput_below_the_baseline_bills_nothing_extra() -> None:
    fs = res("AWS::EFS::FileSystem", ThroughputMode="provisioned", ProvisionedThroughputInMibps=1)
    # 100 GB Standard includes 4.88 MiB/s: only storage, 100 x 0.30
    stack = estimate({"F": fs}, usage={"resources": {"F": {"standard_storage_gb": 100}}})
    assert cost_of(stack, "F") == money(100 * 0.30)


def test_efs_infrequent_access_storage_says_access_charges_are_not_priced() -> None:
    stack = estimate(
        {"F": res("AWS::EFS::FileSystem")}, usage={"resources": {"F": {"ia_storage_gb": 100}}}
    )
    # 10 GB x 0.30 + 100 GB x 0.025
    assert cost_of(stack, "F") == money(10 * 0.30 + 100 * 0.025)
    (line,) = stack.resources
    assert any("access charges" in a for a in line.assumptions)


def test_a_metric_filter_with_dimensions_says_it_assumed_one_metric() -> None:
    mf = res(
        "AWS::Logs::MetricFilter",
        MetricTransformations=[
            {"MetricName": "m", "MetricValue": "1", "Dimensions": [{"Key": "k", "Value": "$.k"}]}
        ],
    )
    stack = estimate({"MF": mf})
    assert cost_of(stack, "MF") == money(0.30)
    (line,) = stack.resources
    assert any("one metric per combination" in a for a in line.assumptions)


def test_a_rule_targeting_a_bus_in_the_template_bills_events() -> None:
    resources = {
        "Bus": res("AWS::Events::EventBus", Name="b"),
        "R": res("AWS::Events::Rule", Targets=[{"Id": "1", "Arn": {"Fn::GetAtt": ["Bus", "Arn"]}}]),
    }
    stack = estimate(resources)
    assert cost_of(stack, "R") == money(1e6 * 1e-6)


def test_provisioned_concurrency_of_a_function_outside_the_template_assumes_128_mb() -> None:
    version = res(
        "AWS::Lambda::Version",
        FunctionName="elsewhere",
        ProvisionedConcurrencyConfig={"ProvisionedConcurrentExecutions": 4},
    )
    stack = estimate({"V": version})
    # 4 x 0.125 GB x 730 h x 3600 s x 4.1667e-6
    assert cost_of(stack, "V") == money(4 * 0.125 * H * 3600 * 4.1667e-6)
    (line,) = stack.resources
    assert any("128 MB" in a for a in line.assumptions)


def test_the_same_family_and_usage_type_in_two_services_are_two_products(tmp_path: Path) -> None:
    # EFS and S3 both name their storage "Storage"/"TimedStorage-ByteHrs".
    fixtures = Path(__file__).parent / "fixtures" / "pricing"
    specs = [
        PriceSpec(
            "ServiceA",
            "Storage",
            "TimedStorage-ByteHrs",
            published=Page("elb", "Application Load Balancer Hours", "Hrs"),
        ),
        PriceSpec(
            "ServiceB",
            "Storage",
            "TimedStorage-ByteHrs",
            published=Page("elb", "Application Load Balancer Hours", "Hrs"),
        ),
    ]
    products, published = refresh.from_files(fixtures, specs)
    refresh.write(tmp_path, products, published)
    catalog = PriceCatalog.from_directory(tmp_path)
    for service in ("ServiceA", "ServiceB"):
        assert catalog.lookup(service, "us-east-1", "Storage", "TimedStorage-ByteHrs").usd > 0
