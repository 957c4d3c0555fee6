"""Resolving a template offline: conditions, intrinsic functions, pseudo parameters.

The expected values are worked out by hand from tests/fixtures/templates/semantics.yaml.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from cost.template import (
    NotDeployed,
    ResolvedTemplate,
    TemplateError,
    is_known,
    load_template_file,
    load_template_text,
    resolve_template,
)

FIXTURES = Path(__file__).parent / "fixtures" / "templates"
SEMANTICS = load_template_file(FIXTURES / "semantics.yaml")
OWNER_UNKNOWN = "parameter 'Owner' has no Default and no value was supplied"


def _resolve(**kwargs: Any) -> ResolvedTemplate:
    kwargs.setdefault("region", "us-east-1")
    return resolve_template(SEMANTICS, **kwargs)


def _props(resolved: ResolvedTemplate, logical_id: str) -> dict[str, Any]:
    return resolved.resources[logical_id].properties


def test_conditions_with_defaults() -> None:
    resolved = _resolve()
    assert resolved.conditions == {
        "IsProd": False,  # Env defaults to dev
        "IsDev": True,
        "InUsEast1": True,
        "ProdOrUsEast1": True,
        "DevInUsEast1": True,
        "HasOwner": None,  # Owner has no Default
        "ProdAndOwner": False,  # false And unknown is false
        "DevOrOwner": True,  # true Or unknown is true
        "DevAndOwner": None,  # true And unknown is unknown
    }
    assert resolved.not_deployed == [NotDeployed("ProdDatabase", "AWS::RDS::DBInstance", "IsProd")]
    # Deployed because its condition is true; kept with an assumption when unknown.
    assert "NatAddress" in resolved.resources
    topic = resolved.resources["OwnerTopic"]
    assert (topic.condition, topic.condition_known) == ("HasOwner", False)
    assert topic.assumptions[0] == (
        f"condition 'HasOwner' is not known offline ({OWNER_UNKNOWN}); assumed deployed"
    )


def test_values_with_defaults() -> None:
    resolved = _resolve(stack_name="fixture-stack", availability_zones=["us-east-1a", "us-east-1b"])
    task = _props(resolved, "TaskDefinition")
    assert task["Cpu"] == "512"
    assert task["Memory"] == "1024"  # Sizes/dev/Memory
    assert "RuntimePlatform" not in task  # Fn::If false branch is AWS::NoValue
    container = task["ContainerDefinitions"][0]
    # The account is unknown: the Sub keeps ${AWS::AccountId} and resolves the rest.
    assert container["Image"] == {
        "Fn::Sub": "${AWS::AccountId}.dkr.ecr.us-east-1.amazonaws.com/app:latest"
    }
    # Environment: STAGE from Sub with a variable map (Select 1 of a,b,c is b); the DEBUG item
    # is an Fn::If whose false branch removes it from the list; OWNER stays a Ref.
    assert container["Environment"] == [
        {"Name": "STAGE", "Value": "dev-b"},
        {"Name": "OWNER", "Value": {"Ref": "Owner"}},
    ]
    assert resolved.resources["TaskDefinition"].path == "Fixture/TaskDefinition/Resource"

    service = _props(resolved, "Service")
    assert service["DesiredCount"] == "3"  # Fn::If false branch: Ref DesiredCount
    network = service["NetworkConfiguration"]["AwsvpcConfiguration"]
    assert network["AssignPublicIp"] == "ENABLED"  # DevInUsEast1 is true
    assert network["Subnets"] == ["subnet-aaa", "subnet-bbb"]
    # References to resources and other stacks stay as they are, for pricing to follow.
    assert service["Cluster"] == {"Ref": "Cluster"}
    assert network["SecurityGroups"] == [
        {"Fn::GetAtt": ["ServiceSecurityGroup", "GroupId"]},
        {"Fn::ImportValue": "shared-sg"},
    ]

    group = _props(resolved, "ServiceSecurityGroup")
    assert group["GroupDescription"] == "service dev in us-east-1"
    assert group["VpcId"] == {"Fn::ImportValue": "dev-vpc"}
    assert [rule["CidrIp"] for rule in group["SecurityGroupIngress"]] == [
        "10.0.0.0/16",
        "10.1.0.0/16",
    ]

    bucket = _props(resolved, "ArtifactBucket")
    assert bucket["BucketName"] == "fixture-us-east-1-fixture-stack"
    assert bucket["LifecycleConfiguration"]["Rules"][0]["Transitions"] == [
        {"StorageClass": "STANDARD_IA", "TransitionInDays": 30},
        {"StorageClass": "GLACIER", "TransitionInDays": 180},
    ]
    assert bucket["Tags"] == [
        {"Key": "owner", "Value": {"Ref": "Owner"}},  # unknown condition: the true branch
        {"Key": "zone", "Value": "us-east-1a"},
        {"Key": "literal", "Value": "${NotAVariable} dev"},
    ]

    instance = _props(resolved, "Instance")
    assert instance == {
        "ImageId": {"Ref": "LatestAmi"},
        "InstanceType": "t3.micro",  # the FindInMap DefaultValue: Sizes/dev has no InstanceType
        "UserData": "ZWNobyBoaQ==",  # base64 of "echo hi"
        "SubnetId": "subnet-aaa",
    }
    # Fn::Cidr 10.0.0.0/16 into 4 blocks of 8 bits: 10.0.0.0/24 ... 10.0.3.0/24; the third.
    assert _props(resolved, "Subnet")["CidrBlock"] == "10.0.2.0/24"
    assert resolved.outputs == {
        "BucketArn": {"Fn::GetAtt": ["ArtifactBucket", "Arn"]},
        "Stage": "dev",
    }


def test_supplied_values_flip_conditions_and_branches() -> None:
    resolved = _resolve(parameters={"Env": "prod", "Owner": "team-a"}, account="111122223333")
    assert resolved.conditions["IsProd"] is True
    assert resolved.conditions["HasOwner"] is True
    assert resolved.conditions["DevInUsEast1"] is False
    assert resolved.not_deployed == []
    assert _props(resolved, "ProdDatabase") == {
        "DBInstanceClass": "db.r6g.large",
        "Engine": "mysql",
    }
    task = _props(resolved, "TaskDefinition")
    assert task["Memory"] == "4096"
    assert task["RuntimePlatform"] == {"CpuArchitecture": "ARM64"}
    container = task["ContainerDefinitions"][0]
    assert container["Image"] == "111122223333.dkr.ecr.us-east-1.amazonaws.com/app:latest"
    assert container["Environment"] == [
        {"Name": "STAGE", "Value": "prod-b"},
        {"Name": "DEBUG", "Value": "false"},
        {"Name": "OWNER", "Value": "team-a"},
    ]
    service = _props(resolved, "Service")
    assert service["DesiredCount"] == 6
    assert service["NetworkConfiguration"]["AwsvpcConfiguration"]["AssignPublicIp"] == "DISABLED"
    assert _props(resolved, "OwnerTopic") == {"DisplayName": "alerts-team-a"}
    bucket = _props(resolved, "ArtifactBucket")
    assert bucket["LifecycleConfiguration"]["Rules"][0]["Transitions"] == [
        {"StorageClass": "GLACIER", "TransitionInDays": 90}
    ]
    assert "DatabaseEndpoint" in resolved.outputs


def test_another_region_changes_region_conditions() -> None:
    resolved = _resolve(region="eu-west-1")
    assert resolved.conditions["InUsEast1"] is False
    assert resolved.conditions["ProdOrUsEast1"] is False
    assert [item.logical_id for item in resolved.not_deployed] == ["ProdDatabase", "NatAddress"]
    network = _props(resolved, "Service")["NetworkConfiguration"]["AwsvpcConfiguration"]
    assert network["AssignPublicIp"] == "DISABLED"


def test_assumptions_say_what_is_unknown_and_where() -> None:
    resolved = _resolve()
    assert resolved.assumptions == [
        "AWS::AccountId is not known offline (no account was given); values that use it stay "
        "unresolved",
        "AWS::StackName is not known offline (no stack name was given); values that use it stay "
        "unresolved",
    ]
    assert resolved.resources["ArtifactBucket"].assumptions == [
        f"condition 'HasOwner' is not known offline ({OWNER_UNKNOWN}); Fn::If took its true "
        "branch (Properties.Tags[0].Value)",
        f"{OWNER_UNKNOWN} (Properties.Tags[0].Value)",
        "Fn::GetAZs: the availability zones of us-east-1 are not known offline (none were "
        "given); left unresolved (Properties.Tags[1].Value)",
    ]
    assert resolved.resources["Service"].assumptions == [
        "Fn::ImportValue reads another stack's export, not known offline "
        "(Properties.NetworkConfiguration.AwsvpcConfiguration.SecurityGroups[1] 'shared-sg')"
    ]
    assert resolved.resources["Cluster"].assumptions == []
    # Without availability zones, the zone tag stays the intrinsic it was.
    assert _props(resolved, "ArtifactBucket")["Tags"][1]["Value"] == {
        "Fn::Select": [0, {"Fn::GetAZs": ""}]
    }


def _one(properties: str, **kwargs: Any) -> ResolvedTemplate:
    text = (
        "Parameters:\n"
        "  Known: {Type: String, Default: k}\n"
        "  Unknown: {Type: String}\n"
        "  Names: {Type: CommaDelimitedList, Default: 'a,b'}\n"
        "Conditions:\n"
        "  Always: !Equals [1, '1']\n"
        "  Maybe: !Equals [!Ref Unknown, x]\n"
        "Resources:\n"
        "  Other: {Type: AWS::SNS::Topic}\n"
        "  R:\n"
        "    Type: AWS::SNS::Topic\n"
        "    Properties:\n" + "".join(f"      {line}\n" for line in properties.splitlines())
    )
    return resolve_template(load_template_text(text), region="us-east-1", **kwargs)


@pytest.mark.parametrize(
    ("properties", "expected"),
    [
        # Partial resolution: known items resolve, unknown ones stay.
        (
            "P: [!Ref Known, !Ref Unknown, !Ref Other]",
            [["k", {"Ref": "Unknown"}, {"Ref": "Other"}]],
        ),
        (
            "P: !Join ['-', [!Ref Known, !Ref Other]]",
            [{"Fn::Join": ["-", ["k", {"Ref": "Other"}]]}],
        ),
        # Fn::Select of a list with unknown items still picks a known item.
        ("P: !Select [0, [!Ref Known, !Ref Unknown]]", ["k"]),
        ("P: !Select [1, [!Ref Known, !Ref Unknown]]", [{"Ref": "Unknown"}]),
        ("P: !Select [5, [a, b]]", [{"Fn::Select": [5, ["a", "b"]]}]),
        ("P: !Split [',', !Ref Unknown]", [{"Fn::Split": [",", {"Ref": "Unknown"}]}]),
        # Fn::Sub: known placeholders are filled in, escaped so the rest stays a valid Sub.
        ("P: !Sub '${Known}-${Other.Arn}-${!Lit}'", [{"Fn::Sub": "k-${Other.Arn}-${!Lit}"}]),
        (
            "P: !Sub ['${A}${B}', {A: !Ref Known, B: !Ref Other}]",
            [{"Fn::Sub": ["k${B}", {"B": {"Ref": "Other"}}]}],
        ),
        ("P: !Sub ['${A}', {A: '${x}'}]", ["${x}"]),
        ("P: !Sub ['${A}-${Other}', {A: '${x}'}]", [{"Fn::Sub": "${!x}-${Other}"}]),
        (
            "P: !Sub '${AWS::Region}/${AWS::Partition}/${AWS::URLSuffix}'",
            ["us-east-1/aws/amazonaws.com"],
        ),
        ("P: !Ref AWS::NotificationARNs", [[]]),
        ("P: !Ref AWS::StackId", [{"Ref": "AWS::StackId"}]),
        ("P: !Join [',', !Ref Names]", ["a,b"]),
        ("P: !If [Always, !Ref AWS::NoValue, x]", []),
        ("P: [a, !If [Always, !Ref AWS::NoValue, x], b]", [["a", "b"]]),
        ("P: !If [Maybe, big, small]", ["big"]),
        ("P: !Cidr ['10.0.0.0/24', 2, 6]", [["10.0.0.0/26", "10.0.0.64/26"]]),
        ("P: !Cidr ['10.0.0.0/30', 2, 8]", [{"Fn::Cidr": ["10.0.0.0/30", 2, 8]}]),
        ("P: {Fn::Length: !Ref Names}", [2]),
        ("P: {Fn::Length: [!Ref Unknown, b, c]}", [3]),
        ("P: {Fn::ToJsonString: {a: [1, true]}}", ['{"a":[1,true]}']),
        ("P: {Fn::ToJsonString: {a: !Ref Other}}", [{"Fn::ToJsonString": {"a": {"Ref": "Other"}}}]),
        ("P: !FindInMap [Nope, a, b]", [{"Fn::FindInMap": ["Nope", "a", "b"]}]),
        ("P: {Fn::Frobnicate: [!Ref Known]}", [{"Fn::Frobnicate": ["k"]}]),
        ("P: !Ref Nowhere", [{"Ref": "Nowhere"}]),
        ("P: !GetAtt Nowhere.Arn", [{"Fn::GetAtt": ["Nowhere", "Arn"]}]),
        ("P: {Ref: !Join ['', [Kno, wn]]}", ["k"]),
        ("P: !Base64 {Ref: Unknown}", [{"Fn::Base64": {"Ref": "Unknown"}}]),
        # A list parameter is not a string: Fn::Sub cannot use it.
        ("P: !Sub 'x-${Names}'", [{"Fn::Sub": "x-${Names}"}]),
        # A mapping with Ref among other keys is plain data (IAM conditions use such keys).
        ("P: {Ref: a, Other: b}", [{"Ref": "a", "Other": "b"}]),
    ],
)
def test_intrinsic_functions(properties: str, expected: list[Any]) -> None:
    resolved = _one(properties)
    value = resolved.resources["R"].properties
    assert list(value.values()) == expected


@pytest.mark.parametrize(
    ("properties", "assumption"),
    [
        (
            "P: !Select [5, [a, b]]",
            "Fn::Select index 5 is past the end of a list of 2; left unresolved (Properties.P)",
        ),
        (
            "P: !If [Maybe, big, small]",
            "condition 'Maybe' is not known offline (parameter 'Unknown' has no Default and no value was supplied); Fn::If took its true branch (Properties.P)",
        ),
        (
            "P: !FindInMap [Nope, a, b]",
            "Fn::FindInMap: the template has no mapping 'Nope' (CloudFormation would fail to create the stack with these values); left unresolved (Properties.P)",
        ),
        (
            "P: {Fn::Frobnicate: 1}",
            "Fn::Frobnicate is not an intrinsic function this tool knows; left as is (Properties.P)",
        ),
        (
            "P: !Ref Nowhere",
            "Ref to 'Nowhere', which is neither a parameter nor a resource of this template; left unresolved (Properties.P)",
        ),
        (
            "P: !Sub 'x-${Names}'",
            "Fn::Sub: ${Names} is not a string; left unresolved (Properties.P)",
        ),
        (
            "P: !Cidr ['10.0.0.0/30', 2, 8]",
            "Fn::Cidr cannot cut 2 blocks of 8 bits from 10.0.0.0/30; left unresolved (Properties.P)",
        ),
    ],
)
def test_what_cannot_be_resolved_is_said(properties: str, assumption: str) -> None:
    assert _one(properties).resources["R"].assumptions == [assumption]


@pytest.mark.parametrize(
    ("properties", "message"),
    [
        ("P: !Select [a, [x]]", "Fn::Select takes an index that is a whole number"),
        ("P: !Select [0, notalist]", "Fn::Select takes a list to select from"),
        ("P: !Join [',', notalist]", "Fn::Join takes a list of values to join"),
        ("P: !Join [',', [[nested]]]", "Fn::Join takes a list of strings"),
        ("P: !Join [a, b, c]", "Fn::Join takes [delimiter, [values]]"),
        ("P: !Sub [1, 2, 3]", "Fn::Sub takes a string or [string, {name: value}]"),
        ("P: !If [Always, a]", "Fn::If takes [condition name, value if true, value if false]"),
        (
            "P: !If [Undefined, a, b]",
            "condition 'Undefined' is not defined in Conditions (defined: Always, Maybe)",
        ),
        ("P: !Split ['', abc]", "Fn::Split takes a non-empty string delimiter"),
        (
            "P: !Cidr [notacidr, 2, 8]",
            "Fn::Cidr takes [a CIDR block, a whole count, whole cidr bits]",
        ),
        ("P: !Ref [a, b]", "Ref takes the name of a parameter or resource"),
        ("P: !GetAtt [a, b, c]", "Fn::GetAtt takes [resource, attribute]"),
        ("P: !FindInMap [a, b]", "Fn::FindInMap takes [map, top-level key, second-level key]"),
        ("P: {Fn::Length: notalist}", "Fn::Length takes a list"),
    ],
)
def test_malformed_arguments_are_template_errors(properties: str, message: str) -> None:
    with pytest.raises(TemplateError, match=re.escape(message)) as caught:
        _one(properties)
    assert caught.value.path is not None and caught.value.path.startswith(
        "Resources.R.Properties.P"
    )


@pytest.mark.parametrize(
    ("conditions", "message"),
    [
        (
            "A: !Condition B\n  B: !Not [!Condition A]",
            "conditions refer to each other in a loop: A -> B -> A",
        ),
        ("A: !Condition A", "conditions refer to each other in a loop: A -> A"),
        ("A: !Ref Known", "Ref is not a condition function"),
        ("A: [x]", "a condition must be Fn::Equals"),
        ("A: !Equals [x]", "Fn::Equals takes [value, value]"),
        ("A: !And [!Equals [a, a]]", "Fn::And takes a list of 2 to 10 conditions"),
        ("A: !Condition Missing", "condition 'Missing' is not defined"),
    ],
)
def test_malformed_conditions(conditions: str, message: str) -> None:
    text = (
        "Parameters:\n  Known: {Type: String, Default: k}\n"
        f"Conditions:\n  {conditions}\n"
        "Resources:\n  R: {Type: AWS::SNS::Topic}\n"
    )
    with pytest.raises(TemplateError, match=re.escape(message)):
        resolve_template(load_template_text(text), region="us-east-1")


def test_equals_compares_as_cloudformation_does() -> None:
    text = (
        "Parameters:\n  Flag: {Type: String, Default: 'true'}\n  Count: {Type: Number, Default: 2}\n"
        "Conditions:\n"
        "  BoolAndString: !Equals [!Ref Flag, true]\n"
        "  NumberAndString: !Equals [!Ref Count, 2]\n"
        "  Lists: !Equals [[a, b], !Split [',', 'a,b']]\n"
        "  Different: !Equals [a, b]\n"
        "Resources:\n  R: {Type: AWS::SNS::Topic, Condition: Different}\n"
    )
    resolved = resolve_template(load_template_text(text), region="us-east-1")
    assert resolved.conditions == {
        "BoolAndString": True,
        "NumberAndString": True,
        "Lists": True,
        "Different": False,
    }
    assert resolved.resources == {}


@pytest.mark.parametrize(
    ("body", "message", "path"),
    [
        ("R: notamapping", "a resource must be a mapping with a Type", "Resources.R"),
        ("R: {Properties: {}}", "a resource needs a Type", "Resources.R.Type"),
        (
            "R: {Type: AWS::SNS::Topic, Properties: [a]}",
            "Properties must be a mapping",
            "Resources.R.Properties",
        ),
        (
            "R: {Type: AWS::SNS::Topic, Condition: Nope}",
            "condition 'Nope' is not defined",
            "Resources.R.Condition",
        ),
    ],
)
def test_malformed_resources(body: str, message: str, path: str) -> None:
    with pytest.raises(TemplateError, match=message) as caught:
        resolve_template(
            load_template_text(f"Resources:\n  {body}\n"), region="us-east-1", source="x.yaml"
        )
    assert (caught.value.path, caught.value.source) == (path, "x.yaml")


def test_partitions_follow_the_region() -> None:
    text = "Resources:\n  R:\n    Type: AWS::SNS::Topic\n    Properties:\n      P: !Sub '${AWS::Partition} ${AWS::URLSuffix}'\n"
    template = load_template_text(text)
    for region, expected in [
        ("cn-north-1", "aws-cn amazonaws.com.cn"),
        ("us-gov-west-1", "aws-us-gov amazonaws.com"),
        ("eu-central-1", "aws amazonaws.com"),
    ]:
        resolved = resolve_template(template, region=region)
        assert resolved.resources["R"].properties == {"P": expected}


def test_a_template_is_not_modified() -> None:
    before = repr(SEMANTICS)
    _resolve(parameters={"Env": "prod"})
    assert repr(SEMANTICS) == before


def test_is_known() -> None:
    assert is_known({"a": [1, "b", {"c": None}]})
    assert not is_known({"a": [1, {"Ref": "X"}]})
    assert not is_known([{"Fn::GetAtt": ["A", "B"]}])


def test_rules_are_named_as_not_evaluated_unless_only_cdks_bootstrap_check() -> None:
    base: dict[str, Any] = {"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}
    cdk_only = {**base, "Rules": {"CheckBootstrapVersion": {"Assertions": []}}}
    assert resolve_template(cdk_only, region="us-east-1").assumptions == []
    own = {**base, "Rules": {"ProdNeedsLarge": {"Assertions": []}}}
    assert resolve_template(own, region="us-east-1").assumptions == [
        "the Rules section (assertions about parameter values) is not evaluated offline"
    ]
