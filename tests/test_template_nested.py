"""Nested stacks: the parent lists them; a local child resolves with what the parent passes."""

from __future__ import annotations

from pathlib import Path

from cost.template import load_template_file, resolve_template

FIXTURES = Path(__file__).parent / "fixtures" / "templates"


def test_a_local_child_template_resolves_with_the_parents_values() -> None:
    parent = resolve_template(
        load_template_file(FIXTURES / "nested_parent.yaml"), region="us-east-1"
    )
    network, remote = parent.nested_stacks
    assert network.logical_id == "Network"
    assert network.template_url == "nested_child.yaml"
    assert network.local_template(FIXTURES) == FIXTURES / "nested_child.yaml"
    assert remote.local_template(FIXTURES) is None  # an https URL is not read
    known, unknown = network.child_parameters()
    # NatCount: Fn::If on IsProd (false with Env=dev) gives "1"; the Join gives one string.
    assert known == {"NatCount": "1", "Env": "dev", "Zones": "us-east-1a,us-east-1b"}
    assert unknown == ["VpcId"]  # a Ref to the parent's VPC

    path = network.local_template(FIXTURES)
    assert path is not None
    child = resolve_template(
        load_template_file(path), region="us-east-1", parameters=known, unknown_parameters=unknown
    )
    # VpcId has a Default, but the parent passes a value: the Default must not be used.
    assert (child.parameters["VpcId"].value, child.parameters["VpcId"].source) == (None, "unknown")
    assert child.conditions == {"TwoNats": False}
    assert [item.logical_id for item in child.not_deployed] == ["NatAddressB"]
    assert child.resources["Subnet"].properties == {
        "VpcId": {"Ref": "VpcId"},
        "AvailabilityZone": "us-east-1b",
        "CidrBlock": "10.0.1.0/24",
        "Tags": [{"Key": "env", "Value": "dev"}],
    }


def test_cdk_nested_stack_assets_are_found_by_their_asset_path(tmp_path: Path) -> None:
    (tmp_path / "ParentNestedStackNetworkABC123.nested.template.json").write_text(
        '{"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}'
    )
    template = {
        "Resources": {
            "Network": {
                "Type": "AWS::CloudFormation::Stack",
                "Metadata": {
                    "aws:asset:path": "ParentNestedStackNetworkABC123.nested.template.json",
                    "aws:asset:property": "TemplateURL",
                },
                "Properties": {
                    "TemplateURL": {
                        "Fn::Join": [
                            "",
                            [
                                "https://s3.",
                                {"Ref": "AWS::Region"},
                                ".",
                                {"Ref": "AWS::URLSuffix"},
                                "/",
                                {
                                    "Fn::Sub": "cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}"
                                },
                                "/abc123.json",
                            ],
                        ]
                    }
                },
            }
        }
    }
    (stack,) = resolve_template(template, region="eu-west-1").nested_stacks
    # Without an account the URL stays partly unresolved, but the asset file is there.
    assert stack.template_url == {
        "Fn::Join": [
            "",
            [
                "https://s3.eu-west-1.amazonaws.com/",
                {"Fn::Sub": "cdk-hnb659fds-assets-${AWS::AccountId}-eu-west-1"},
                "/abc123.json",
            ],
        ]
    }
    assert (
        stack.local_template(tmp_path)
        == tmp_path / "ParentNestedStackNetworkABC123.nested.template.json"
    )
