"""Nested stacks at remote URLs, priced from local copies the user supplies
(`--nested-template URL=FILE`, `--nested-templates DIR`); bad values exit 2 naming them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cost.catalog import default_catalog
from cost.cli import main

URL = "https://s3.amazonaws.com/bucket/infra/network.yaml"
OTHER = "https://s3.amazonaws.com/bucket/infra/other.yaml"
CHILD = """
Parameters:
  Count: {Type: Number, Default: 1}
Conditions:
  Two: !Equals [!Ref Count, 2]
Resources:
  Ip1: {Type: AWS::EC2::EIP}
  Ip2: {Type: AWS::EC2::EIP, Condition: Two}
  Pool: {Type: AWS::GameLift::Fleet}
  Grandchild:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: https://s3.amazonaws.com/bucket/infra/leaf.yaml
"""
LEAF = "Resources:\n  Ip: {Type: AWS::EC2::EIP}\n"
PARENT = f"""
Resources:
  Network:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: {URL}
      Parameters: {{Count: 2}}
  Elsewhere:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: {OTHER}
"""


def ipv4_hourly() -> float:
    price = default_catalog().lookup(
        "AmazonVPC", "us-east-1", "VPC Public IPv4 Address", "PublicIPv4:InUseAddress"
    )
    return price.tiers[0].usd


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict, str]:
    code = main(["estimate", *args, "--region", "us-east-1", "--format", "json"])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out else {}), err


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "parent.yaml").write_text(PARENT)
    copies = tmp_path / "copies"
    copies.mkdir()
    (copies / "network.yaml").write_text(CHILD)
    (copies / "leaf.yaml").write_text(LEAF)
    return tmp_path


def test_a_mapped_child_is_priced_with_its_parameters_and_its_gaps_reported(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report, _ = run(
        capsys,
        str(files / "parent.yaml"),
        "--nested-template",
        f"{URL}={files / 'copies' / 'network.yaml'}",
    )
    assert code == 0
    stacks = {s["name"]: s for s in report["stacks"]}
    assert set(stacks) == {"parent", "parent/Network"}
    child = stacks["parent/Network"]
    # Count=2 from the parent: both EIPs. Public IPv4 is 0.005 USD/h in us-east-1 (catalog):
    # 2 addresses x 730 h x 0.005 = 7.30 USD/month.
    assert ipv4_hourly() == 0.005
    assert child["totalMonthlyCost"] == 7.30
    assert report["totalMonthlyCost"] == 7.30
    # The child's own gaps stay visible: the fleet, and the leaf no option supplies.
    assert {u["logicalId"] for u in child["unsupported"]} == {"Pool", "Grandchild"}
    (grandchild,) = [u for u in child["unsupported"] if u["logicalId"] == "Grandchild"]
    assert "not in --nested-template mappings" in grandchild["reason"]
    # The parent lists the nested stack with its template's total; the other one unsupported.
    (network,) = stacks["parent"]["free"]
    assert network["reason"] == (
        "its resources are priced as stack parent/Network (7.30 USD/month, "
        "2 unsupported resource(s) listed there)"
    )
    (elsewhere,) = stacks["parent"]["unsupported"]
    assert elsewhere["logicalId"] == "Elsewhere" and OTHER in elsewhere["reason"]


def test_a_directory_is_searched_by_the_urls_last_path_component_recursively(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report, _ = run(
        capsys, str(files / "parent.yaml"), "--nested-templates", str(files / "copies")
    )
    assert code == 0
    stacks = {s["name"]: s for s in report["stacks"]}
    assert set(stacks) == {"parent", "parent/Network", "parent/Network/Grandchild"}
    # 2 EIPs in the child + 1 in the leaf: 3 x 730 h x 0.005 USD/h = 10.95 USD/month.
    assert ipv4_hourly() == 0.005
    assert stacks["parent/Network/Grandchild"]["totalMonthlyCost"] == 3.65
    assert report["totalMonthlyCost"] == 10.95
    (elsewhere,) = stacks["parent"]["unsupported"]
    assert f"not in --nested-templates {files / 'copies'}" in elsewhere["reason"]


def test_without_the_options_the_reason_names_them(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report, _ = run(capsys, str(files / "parent.yaml"))
    assert code == 0
    (stack,) = report["stacks"]
    assert len(stack["unsupported"]) == 2
    assert all("--nested-template URL=FILE" in u["reason"] for u in stack["unsupported"])


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [
        ("--nested-template", "network.yaml", "expected URL=FILE"),
        ("--nested-template", "ftp://x/network.yaml=a.yaml", "expected URL=FILE"),
        ("--nested-template", f"{URL}=missing.yaml", "missing.yaml is not a file"),
        ("--nested-template", f"{URL}=broken.yaml", "not a valid template"),
        ("--nested-templates", "missing-dir", "is not a directory"),
    ],
)
def test_bad_values_exit_2_naming_the_option_and_value(
    files: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    option: str,
    value: str,
    expected: str,
) -> None:
    monkeypatch.chdir(files)
    (files / "broken.yaml").write_text("Resources: [unclosed\n")
    code, _, err = run(capsys, "parent.yaml", option, value)
    assert code == 2
    assert err.startswith(f"error: {option}: ") and value.split("=")[-1] in err and expected in err


def test_an_invalid_file_found_in_a_directory_exits_2_naming_it(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (files / "copies" / "network.yaml").write_text("Resources: [unclosed\n")
    code, _, err = run(
        capsys, str(files / "parent.yaml"), "--nested-templates", str(files / "copies")
    )
    assert code == 2
    assert f"--nested-templates {files / 'copies'} (network.yaml)" in err
    assert "Network's TemplateURL" in err and "is not a valid template" in err
