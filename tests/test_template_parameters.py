"""Parameters: defaults, supplied values, their checks, and command-line overrides."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cost.template import (
    ParameterValue,
    TemplateError,
    load_template_file,
    parse_parameter_overrides,
    resolve_template,
)

FIXTURES = Path(__file__).parent / "fixtures" / "templates"
SEMANTICS = load_template_file(FIXTURES / "semantics.yaml")


def _values(**supplied: str) -> dict[str, ParameterValue]:
    return resolve_template(SEMANTICS, region="us-east-1", parameters=supplied).parameters


def test_defaults_types_and_sources() -> None:
    values = _values()
    assert {name: (value.value, value.source) for name, value in values.items()} == {
        "Env": ("dev", "Default"),
        # A Number parameter is a string wherever it is used (Ref gives "512").
        "TaskCpu": ("512", "Default"),
        "DesiredCount": ("3", "Default"),
        "Owner": (None, "unknown"),
        # List types split on commas, each item space-trimmed.
        "AllowedCidrs": (["10.0.0.0/16", "10.1.0.0/16"], "Default"),
        "Subnets": (["subnet-aaa", "subnet-bbb"], "Default"),
        # An SSM parameter's Default is the SSM name, not its value: unknown offline.
        "LatestAmi": (None, "unknown"),
        "BucketPrefix": ("fixture", "Default"),
    }
    assert values["Owner"].note == "parameter 'Owner' has no Default and no value was supplied"
    assert "/aws/service/ami-amazon-linux-latest" in values["LatestAmi"].note


def test_supplied_values_win_and_ssm_values_can_be_supplied() -> None:
    values = _values(Env="prod", Owner="team-a", LatestAmi="ami-0abc", AllowedCidrs="10.9.0.0/16")
    assert values["Env"] == ParameterValue("Env", "String", "prod", "supplied")
    assert values["Owner"].value == "team-a"
    assert values["LatestAmi"].value == "ami-0abc"
    assert values["AllowedCidrs"].value == ["10.9.0.0/16"]
    assert values["TaskCpu"].source == "Default"


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        (
            "Env",
            "staging",
            "parameter 'Env': 'staging' is not one of the AllowedValues: dev, prod (dev or prod)",
        ),
        ("TaskCpu", "128", "parameter 'TaskCpu': 128 is below the MinValue 256"),
        ("TaskCpu", "8192", "parameter 'TaskCpu': 8192 is above the MaxValue 4096"),
        ("TaskCpu", "lots", "parameter 'TaskCpu': 'lots' is not a number"),
        (
            "BucketPrefix",
            "Bad_Name",
            "parameter 'BucketPrefix': 'Bad_Name' does not match the AllowedPattern [a-z][a-z0-9-]*",
        ),
        ("BucketPrefix", "ab", "parameter 'BucketPrefix': 'ab' is shorter than the MinLength 3"),
        (
            "BucketPrefix",
            "a" * 21,
            f"parameter 'BucketPrefix': '{'a' * 21}' is longer than the MaxLength 20",
        ),
    ],
)
def test_a_bad_supplied_value_names_the_parameter_the_value_and_what_is_allowed(
    name: str, value: str, expected: str
) -> None:
    with pytest.raises(TemplateError) as caught:
        resolve_template(SEMANTICS, region="us-east-1", parameters={name: value}, source="t.yaml")
    assert caught.value.message == expected
    assert caught.value.path == f"Parameters.{name}"
    assert caught.value.source == "t.yaml"


def test_supplied_values_that_are_not_strings() -> None:
    numbers: dict[str, Any] = {"TaskCpu": 1024}
    values = resolve_template(SEMANTICS, region="us-east-1", parameters=numbers).parameters
    assert values["TaskCpu"].value == "1024"
    with pytest.raises(TemplateError, match="a value must be a string"):
        resolve_template(SEMANTICS, region="us-east-1", parameters={"Env": {"a": 1}})


def test_an_unknown_parameter_lists_the_template_parameters() -> None:
    with pytest.raises(TemplateError) as caught:
        resolve_template(SEMANTICS, region="us-east-1", parameters={"Stage": "x"})
    assert caught.value.message == (
        "unknown parameter 'Stage'; this template's parameters are: AllowedCidrs, BucketPrefix, "
        "DesiredCount, Env, LatestAmi, Owner, Subnets, TaskCpu"
    )


def test_a_default_that_breaks_its_own_constraints_is_an_assumption() -> None:
    template = {
        "Parameters": {"Size": {"Type": "Number", "Default": 5, "MinValue": 10}},
        "Resources": {"T": {"Type": "AWS::SNS::Topic"}},
    }
    resolved = resolve_template(template, region="us-east-1")
    assert resolved.parameters["Size"].value == "5"
    assert resolved.assumptions == [
        "parameter 'Size': its Default 5 is below the MinValue 10; CloudFormation would reject "
        "the stack unless a value is supplied; the Default was used"
    ]


@pytest.mark.parametrize(
    ("definition", "message"),
    [
        ({"Type": "Integer"}, "Type 'Integer' is not a parameter type"),
        ({"Default": "x"}, "a parameter needs a Type"),
        ("String", "a parameter must be a mapping"),
        ({"Type": "Number", "MinValue": "low"}, "must be a number, got 'low'"),
        ({"Type": "String", "AllowedValues": "a,b"}, "AllowedValues must be a list"),
        ({"Type": "String", "Default": {"a": 1}}, "Default must be a plain value"),
    ],
)
def test_malformed_parameter_definitions(definition: object, message: str) -> None:
    template = {"Parameters": {"P": definition}, "Resources": {"T": {"Type": "AWS::SNS::Topic"}}}
    with pytest.raises(TemplateError, match=message):
        resolve_template(template, region="us-east-1")


def test_aws_specific_and_ssm_types_are_accepted() -> None:
    types = [
        "AWS::EC2::VPC::Id",
        "List<AWS::EC2::Subnet::Id>",
        "AWS::SSM::Parameter::Name",
        "AWS::SSM::Parameter::Value<List<String>>",
        "AWS::SSM::Parameter::Value<CommaDelimitedList>",
        "List<Number>",
    ]
    template = {
        "Parameters": {f"P{i}": {"Type": kind} for i, kind in enumerate(types)},
        "Resources": {"T": {"Type": "AWS::SNS::Topic"}},
    }
    supplied = {f"P{i}": "a,b" for i in range(5)} | {"P5": "1, 2"}
    values = resolve_template(template, region="us-east-1", parameters=supplied).parameters
    assert [values[f"P{i}"].value for i in range(6)] == [
        "a,b",
        ["a", "b"],
        "a,b",
        ["a", "b"],
        ["a", "b"],
        ["1", "2"],
    ]


def test_overrides_from_key_value_items_and_files(tmp_path: Path) -> None:
    cfn_list = tmp_path / "cfn.json"
    cfn_list.write_text(
        json.dumps(
            [
                {"ParameterKey": "Env", "ParameterValue": "prod"},
                {"ParameterKey": "TaskCpu", "ParameterValue": 1024},
            ]
        )
    )
    configuration = tmp_path / "config.json"
    configuration.write_text(json.dumps({"Parameters": {"Owner": "team-a"}, "Tags": {"a": "b"}}))
    mapping = tmp_path / "values.yaml"
    mapping.write_text("Subnets: [subnet-1, subnet-2]\nDesiredCount: 2\nFlag: true\n")
    values = parse_parameter_overrides(
        [
            str(cfn_list),
            f"file://{configuration}",
            "values.yaml",
            "Env=dev",
            "BucketPrefix=a=b",
            "ParameterKey=Extra,ParameterValue=x,y",
        ],
        base_dir=tmp_path,
    )
    assert values == {
        # The later Env=dev overrides the file's prod.
        "Env": "dev",
        "TaskCpu": "1024",
        "Owner": "team-a",
        "Subnets": "subnet-1,subnet-2",
        "DesiredCount": "2",
        "Flag": "true",
        "BucketPrefix": "a=b",
        "Extra": "x,y",
    }


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('[{"ParameterKey": "A", "UsePreviousValue": true}]', "has no ParameterValue"),
        ('[{"Key": "A", "Value": "b"}]', "ParameterKey"),
        ('{"A": {"nested": 1}}', "must be a string, a number, a boolean or a list"),
        ('"just a string"', "a parameters file holds"),
        ("A: [1\n", "YAML syntax error"),
    ],
)
def test_bad_override_files_name_the_item(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_text(content)
    with pytest.raises(TemplateError, match=message) as caught:
        parse_parameter_overrides([str(path)])
    assert caught.value.source == str(path)


@pytest.mark.parametrize("item", ["=value", "no-equals-sign", "Bad-Key=1", "ParameterKey=A"])
def test_bad_override_items_name_the_item(item: str) -> None:
    with pytest.raises(TemplateError) as caught:
        parse_parameter_overrides([item])
    assert caught.value.source == item
