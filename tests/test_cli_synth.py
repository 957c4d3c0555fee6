"""The real CLI path a user types: `cdk synth` through the pinned CLI, offline.

Slow (about 5 s each): only what needs the CLI is tested here."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from appsynth import ROOT

pytestmark = pytest.mark.slow  # whole-app synths / CLI subprocesses: `make test` runs them

CDK = ROOT / "node_modules" / ".bin" / "cdk"


def run_cdk(*args: str, out: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        {
            "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
            "CDK_DISABLE_VERSION_CHECK": "1",
            # No credentials anywhere: synth must not need them.
            "AWS_ACCESS_KEY_ID": "",
            "AWS_SECRET_ACCESS_KEY": "",
            "AWS_CONFIG_FILE": "/nonexistent",
            "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
        }
    )
    return subprocess.run(
        [str(CDK), "synth", "--quiet", "--no-notices", "--output", str(out), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_unknown_profile_fails_naming_the_setting(tmp_path: Path) -> None:
    result = run_cdk("-c", "profile=nonexistent", out=tmp_path / "out")
    assert result.returncode != 0
    assert "profile='nonexistent'" in result.stderr
    assert "dev, lean, team, prod" in result.stderr


def test_unknown_region_fails_naming_the_setting(tmp_path: Path) -> None:
    result = run_cdk("-c", "region=mars-north-9", out=tmp_path / "out")
    assert result.returncode != 0
    assert "region='mars-north-9'" in result.stderr
    assert "us-east-1" in result.stderr


@pytest.fixture(scope="module")
def synthesized(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    out = tmp_path_factory.mktemp("cdk") / "cdk.out"
    result = run_cdk(out=out)
    return out, result


def test_default_synth_succeeds_offline_and_writes_templates(
    synthesized: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    out, result = synthesized
    assert result.returncode == 0, result.stderr
    template = json.loads((out / "mlflow-team.template.json").read_text())
    assert any(r["Type"] == "AWS::RDS::DBInstance" for r in template["Resources"].values())


def test_synth_prints_the_cost_summary_and_writes_the_report(
    synthesized: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    out, result = synthesized
    assert "Estimated monthly cost: $" in result.stderr + result.stdout
    report = json.loads((out / "cost-report.json").read_text())
    assert report["totalMonthlyCost"] > 0
    assert (out / "cost-report.md").read_text().startswith("## Estimated monthly cost")


def test_synth_is_deterministic(
    tmp_path: Path, synthesized: tuple[Path, subprocess.CompletedProcess[str]]
) -> None:
    first, _ = synthesized
    again = run_cdk(out=tmp_path / "again")
    assert again.returncode == 0, again.stderr
    for name in ("mlflow-team.template.json", "cost-report.json", "cost-report.md"):
        assert (first / name).read_bytes() == (tmp_path / "again" / name).read_bytes(), name
