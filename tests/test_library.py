"""`cost/` as a library of its own: the wheel installs into a clean virtualenv with PyYAML as
its only dependency and prices a template through its console script; the CDK integration
works at the lowest aws-cdk-lib it declares. Slow (a wheel build, two virtualenvs)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
MIN_CDK = "2.251.0"
CDK_MIN_VENV = ROOT / ".venv-cdk-min"
PIP = ["--quiet", "--disable-pip-version-check"]

TEMPLATE = {
    "Parameters": {"Size": {"Type": "String", "Default": "gp3"}},
    "Resources": {
        "Nat": {"Type": "AWS::EC2::NatGateway", "Properties": {}},
        "Ip": {"Type": "AWS::EC2::EIP", "Properties": {}},
        "Ep": {
            "Type": "AWS::EC2::VPCEndpoint",
            "Properties": {"VpcEndpointType": "Interface", "SubnetIds": ["a", "b"]},
        },
    },
}


def run(*command: str | Path, cwd: Path | None = None, timeout: float = 900) -> str:
    result = subprocess.run(
        [str(c) for c in command], cwd=cwd, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, f"{command}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Build from a copy: a build writes build/ and *.egg-info beside the sources.
    source = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "cost", source / "cost", ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path_factory.mktemp("dist")
    run(sys.executable, "-m", "pip", "wheel", *PIP, "--no-deps", "-w", out, source)
    (built,) = out.glob("cfn_cost_estimate-*.whl")
    return built


def test_wheel_holds_the_library_and_its_catalog_only(wheel: Path) -> None:
    import zipfile

    names = zipfile.ZipFile(wheel).namelist()
    top = {n.split("/")[0] for n in names if not n.startswith("cfn_cost_estimate-")}
    assert top == {"cost"}
    assert "cost/catalog/data/INDEX.json" in names
    assert "cost/catalog/data/AmazonRDS/ap-southeast-2.json" in names
    assert not any(n.startswith(("cost/tests", "stacks", "constructs")) for n in names)


def test_wheel_installs_in_a_clean_virtualenv_and_prices_a_template(
    wheel: Path, tmp_path: Path
) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    run(python, "-m", "pip", "install", *PIP, wheel)
    installed = run(python, "-m", "pip", "list", "--format=json")
    names = {p["name"].lower() for p in json.loads(installed)}
    # PyYAML and tzdata (the IANA zones of schedule expressions, where the system has none) are
    # the only dependencies (pip itself and setuptools aside).
    assert names - {"pip", "setuptools"} == {"cfn-cost-estimate", "pyyaml", "tzdata"}
    template = tmp_path / "t.json"
    template.write_text(json.dumps(TEMPLATE))
    out = run(env_dir / "bin" / "cfn-cost", "estimate", template, "--format", "json")
    report = json.loads(out)
    # us-east-1: NAT gateway 730 h x 0.045 + 10 GB x 0.045 = 33.30; public IPv4 730 h x 0.005
    # = 3.65; interface endpoint 2 AZ x 730 h x 0.01 + 10 GB x 0.01 = 14.70
    assert report["totalMonthlyCost"] == 51.65
    assert report["stacks"][0]["unsupported"] == []
    same = run(python, "-m", "cost", "estimate", template, "--format", "json")
    assert json.loads(same)["totalMonthlyCost"] == 51.65
    # The CDK part names what it needs instead of failing obscurely.
    result = subprocess.run(
        [str(python), "-c", "import cost.cdk"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0 and "needs aws-cdk-lib >= 2.251.0" in result.stderr


def _cdk_min_python() -> Path:
    """.venv-cdk-min: aws-cdk-lib at the declared lower bound (cached by a stamp)."""
    wanted = f"aws-cdk-lib=={MIN_CDK}\nconstructs==10.8.1\nPyYAML==6.0.3\n"
    python = CDK_MIN_VENV / "bin" / "python"
    stamp = CDK_MIN_VENV / ".installed"
    if not (stamp.exists() and stamp.read_text() == wanted and python.exists()):
        venv.create(CDK_MIN_VENV, with_pip=True, clear=True)
        requirements = CDK_MIN_VENV / "requirements.txt"
        requirements.write_text(wanted)
        run(python, "-m", "pip", "install", *PIP, "-r", requirements)
        stamp.write_text(wanted)
    return python


APP = """
import json, sys
import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from cost.cdk import CostEstimate

app = cdk.App(outdir=sys.argv[1])
estimate = CostEstimate.attach(app, print_summary=False)
stage = cdk.Stage(app, "Prod")
stack = cdk.Stack(stage, "Net")
ec2.CfnEIP(stack, "Ip")
app.synth()
stack_cost = estimate.report.stacks[0]
print(json.dumps({"total": estimate.report.monthly_cost, "tag": stack_cost.resources[0].cost_tag}))
"""


def test_the_cdk_integration_at_the_lowest_supported_aws_cdk_lib(tmp_path: Path) -> None:
    python = _cdk_min_python()
    version = run(
        python, "-c", "from importlib.metadata import version; print(version('aws-cdk-lib'))"
    )
    assert version.strip() == MIN_CDK
    script = tmp_path / "app.py"
    script.write_text(APP)
    env = {
        "PYTHONPATH": str(ROOT),
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [str(python), str(script), str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    data = json.loads(result.stdout.strip().splitlines()[-1])
    # public IPv4 730 h x 0.005, in a Stage, tagged
    assert data == {"total": 3.65, "tag": "3.65"}
