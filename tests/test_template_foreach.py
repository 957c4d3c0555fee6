"""Fn::ForEach: loops expanded as the AWS::LanguageExtensions transform expands them.

Expectations are worked out by hand from tests/fixtures/templates/foreach.yaml.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cost.template import TemplateError, load_template_file, load_template_text, resolve_template

FIXTURES = Path(__file__).parent / "fixtures" / "templates"
FOREACH = load_template_file(FIXTURES / "foreach.yaml")


def test_loops_with_default_collections() -> None:
    resolved = resolve_template(FOREACH, region="us-east-1")
    assert list(resolved.resources) == [
        # Nested loops: Topics (orders, payments) x Tiers (Standard, Priority).
        "ordersStandardQueue",
        "ordersPriorityQueue",
        "paymentsStandardQueue",
        "paymentsPriorityQueue",
        # &{Cidr} drops the dots and slash of 10.0.0.0/24 and 10.0.1.0/24.
        "Subnet1000024",
        "Subnet1001024",
        "Consumer",
        "Settings",
    ]
    queue = resolved.resources["paymentsPriorityQueue"].properties
    assert queue == {
        "QueueName": "payments-Priority-us-east-1",
        "Tags": [{"Key": "topic", "Value": "payments"}],
    }
    assert resolved.resources["Subnet1001024"].properties["CidrBlock"] == "10.0.1.0/24"
    # A loop inside resource properties makes property keys.
    assert resolved.resources["Consumer"].properties["Environment"] == {
        "Variables": {"QUEUE_orders": "orders-Standard", "QUEUE_payments": "payments-Standard"}
    }
    # Fn::ToJsonString and Fn::Length of the Topics list.
    assert resolved.resources["Settings"].properties["Value"] == (
        '{"topics":["orders","payments"],"count":2}'
    )
    # A loop in Conditions and one in Outputs.
    assert resolved.conditions == {"Isorders": True, "Ispayments": False}
    assert resolved.outputs == {
        "ordersQueueArn": {"Fn::GetAtt": ["ordersStandardQueue", "Arn"]},
        "paymentsQueueArn": {"Fn::GetAtt": ["paymentsStandardQueue", "Arn"]},
    }


def test_a_loop_over_an_unknown_collection_says_what_it_leaves_out() -> None:
    resolved = resolve_template(FOREACH, region="us-east-1")
    assert resolved.assumptions == [
        "Resources.Fn::ForEach::ExtraBuckets: its collection is not known offline (parameter "
        "'Extra' has no Default and no value was supplied), so what it generates "
        "(AWS::S3::Bucket) is left out"
    ]
    supplied = resolve_template(FOREACH, region="us-east-1", parameters={"Extra": "logs,data"})
    assert {"Bucketlogs", "Bucketdata"} <= set(supplied.resources)
    assert supplied.assumptions == []


def test_a_supplied_collection_changes_what_is_generated() -> None:
    resolved = resolve_template(FOREACH, region="eu-west-1", parameters={"Topics": "a, b, c"})
    queues = [name for name in resolved.resources if name.endswith("Queue")]
    assert queues == [f"{t}{tier}Queue" for t in "abc" for tier in ("Standard", "Priority")]
    assert resolved.resources["cPriorityQueue"].properties["QueueName"] == "c-Priority-eu-west-1"


def _loop(collection: str, key: str = "Topic${Name}", transform: bool = True) -> str:
    header = "Transform: AWS::LanguageExtensions\n" if transform else ""
    return (
        header + "Resources:\n"
        "  Fn::ForEach::Loop:\n"
        "    - Name\n"
        f"    - {collection}\n"
        f"    - '{key}':\n"
        "        Type: AWS::SNS::Topic\n"
        "        Properties:\n"
        "          TopicName: !Ref Name\n"
    )


def test_collection_items_become_strings() -> None:
    resolved = resolve_template(load_template_text(_loop("[1, 2]")), region="us-east-1")
    assert {name: r.properties for name, r in resolved.resources.items()} == {
        "Topic1": {"TopicName": "1"},
        "Topic2": {"TopicName": "2"},
    }


def test_without_the_transform_the_loop_is_expanded_and_that_is_said() -> None:
    resolved = resolve_template(
        load_template_text(_loop("[a]", transform=False)), region="us-east-1"
    )
    assert list(resolved.resources) == ["Topica"]
    assert "without Transform AWS::LanguageExtensions" in resolved.assumptions[0]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (_loop("[a, a]"), "generates the key 'Topica', which is already there"),
        (
            _loop("['10.0.0.0']"),
            "Fn::ForEach makes the logical ID 'Topic10.0.0.0', which is not alphanumeric",
        ),
        (_loop("notalist"), "Fn::ForEach's collection must be a list of strings"),
        (_loop("[[a]]"), "Fn::ForEach's collection must be a list of strings, got an item ['a']"),
        (
            "Resources:\n  Fn::ForEach::Loop: [Name, [a]]\n",
            "Fn::ForEach takes [identifier, collection",
        ),
        (
            "Resources:\n  Fn::ForEach::Loop: [a-b, [a], {X: {Type: T}}]\n",
            "identifier must be alphanumeric",
        ),
        (
            "Resources:\n  Fn::ForEach::Lo-op: [a, [a], {X: {Type: T}}]\n",
            "a loop's name after Fn::ForEach:: must be alphanumeric",
        ),
    ],
)
def test_bad_loops_are_template_errors(text: str, message: str) -> None:
    with pytest.raises(TemplateError) as caught:
        resolve_template(load_template_text(text), region="us-east-1")
    assert message in caught.value.message


def test_huge_expansions_are_capped() -> None:
    text = (
        "Parameters:\n  Names: {Type: CommaDelimitedList}\n"
        "Resources:\n"
        "  Fn::ForEach::Outer:\n"
        "    - Name\n"
        "    - !Ref Names\n"
        "    - Fn::ForEach::Inner:\n"
        "        - Tier\n"
        "        - [A, B]\n"
        "        - ${Name}${Tier}:\n"
        "            Type: AWS::SQS::Queue\n"
    )
    template = load_template_text(text)
    # 1,001 names x 2 tiers is 2,002 queues: past the 2,000 entries all loops may make.
    names = ",".join(f"n{i}" for i in range(1001))
    with pytest.raises(TemplateError, match="generate more than 2,000 entries"):
        resolve_template(template, region="us-east-1", parameters={"Names": names})
    # 1,000 x 2 is exactly the limit.
    names = ",".join(f"n{i}" for i in range(1000))
    resolved = resolve_template(template, region="us-east-1", parameters={"Names": names})
    assert len(resolved.resources) == 2000
