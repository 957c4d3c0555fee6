"""`python -m cost estimate` on plain templates (JSON and YAML), exit codes and messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cost.cli import main

YAML_TEMPLATE = """
Parameters:
  Size: {Type: Number}
Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: mysql
      DBInstanceClass: db.t4g.micro
      StorageType: gp3
      AllocatedStorage: !Ref Size
  Ip:
    Type: AWS::EC2::EIP
    Properties:
      InstanceId: !GetAtt Server.InstanceId
  Pool:
    Type: AWS::GameLift::Fleet
"""


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def template(tmp_path: Path) -> Path:
    path = tmp_path / "template.yaml"
    path.write_text(YAML_TEMPLATE)
    return path


def test_yaml_template_with_short_form_intrinsics(
    template: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        ["estimate", str(template), "--region", "eu-west-1", "--format", "json"], capsys
    )
    assert code == 0
    report = json.loads(out)
    assert report["region"] == "eu-west-1"
    (stack,) = report["stacks"]
    assert {r["logicalId"] for r in stack["resources"]} == {"Db", "Ip"}
    assert stack["unsupported"] == [
        {
            "logicalId": "Pool",
            "type": "AWS::GameLift::Fleet",
            "reason": "no pricing function for this type",
        }
    ]
    (db,) = [r for r in stack["resources"] if r["logicalId"] == "Db"]
    assert any("not known at synth time" in a for a in db["assumptions"])


def test_table_and_markdown_formats(template: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["estimate", str(template)], capsys)
    assert code == 0 and "Total" in out and "Unsupported (not in the total): 1" in out
    code, out, _ = run(["estimate", str(template), "--format", "markdown"], capsys)
    assert code == 0 and out.startswith("## Estimated monthly cost: $")


def test_budget_exit_code(template: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["estimate", str(template), "--budget", "5"], capsys)
    assert code == 1 and "over budget" in err and "$5.00" in err


def test_bad_usage_file_names_the_key(
    template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    usage = tmp_path / "usage.yml"
    usage.write_text(
        "resource_type_defaults:\n  AWS::EC2::NatGateway:\n    data_processed_gib: 5\n"
    )
    code, _, err = run(["estimate", str(template), "--usage", str(usage)], capsys)
    assert code == 2
    assert "resource_type_defaults.AWS::EC2::NatGateway.data_processed_gib: unknown key" in err


def test_unknown_region_lists_catalog_regions(
    template: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["estimate", str(template), "--region", "mars-north-9"], capsys)
    assert code == 2 and "mars-north-9" in err and "us-east-1" in err


def test_policy_check_on_a_template(template: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = Path(__file__).resolve().parent.parent
    code, _, err = run(
        ["estimate", str(template), "--policy", str(root / "policies.yml"), "--profile", "dev"],
        capsys,
    )
    assert code == 1
    assert "no-nat-gateway" not in err  # the template has none
    # The user pool cannot be priced, so the dev total cannot be vouched for: closed, said so.
    assert "policy dev-monthly-total [dev]: cannot judge the total" in err
    assert "template/Pool (AWS::GameLift::Fleet" in err


def test_missing_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["estimate", str(tmp_path / "none.json")], capsys)
    assert code == 2 and "does not exist" in err
