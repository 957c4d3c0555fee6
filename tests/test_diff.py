"""Cost diffs of real synthesized reports, the PR comment, and the guardrail exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from appsynth import Synth, synth

from cost.cli import main as cost_main
from cost.model import money
from cost.report.diff import diff_reports, load_report

pytestmark = pytest.mark.slow  # whole-app synths / CLI subprocesses: `make test` runs them


def _out(s: Synth) -> Path:
    return Path(s.assembly.directory)


@pytest.fixture(scope="module")
def team() -> Synth:
    return synth()


@pytest.fixture(scope="module")
def prod() -> Synth:
    return synth(profile="prod")


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cost_main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_team_to_prod_json_delta_is_the_difference_of_totals(
    team: Synth, prod: Synth, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["diff", str(_out(team)), str(_out(prod)), "--format", "json"], capsys)
    assert code == 0
    data = json.loads(out)
    past = load_report(_out(team))["totalMonthlyCost"]
    now = load_report(_out(prod))["totalMonthlyCost"]
    assert data["pastTotalMonthlyCost"] == past and data["totalMonthlyCost"] == now
    assert data["diffTotalMonthlyCost"] == money(now - past)
    assert data["percentChange"] == money(100 * (now - past) / past)
    changes = {(r["type"], r["change"]) for r in data["resources"]}
    assert ("AWS::RDS::DBInstance", "changed") in changes
    assert ("AWS::EC2::VPCEndpoint", "added") in changes  # prod runs in endpoints mode
    # Per-resource deltas add up to the total delta.
    assert (
        money(sum(r["diffMonthlyCost"] for r in data["resources"])) == data["diffTotalMonthlyCost"]
    )


def test_markdown_comment_summary_line_and_tables(
    team: Synth, prod: Synth, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["diff", str(_out(team)), str(_out(prod)), "--format", "markdown"], capsys)
    assert code == 0
    lines = out.splitlines()
    past = load_report(_out(team))["totalMonthlyCost"]
    now = load_report(_out(prod))["totalMonthlyCost"]
    diff = money(now - past)
    assert lines[0] == (
        f"**Monthly cost: ${past:,.2f} -> ${now:,.2f} (+${diff:,.2f}, "
        f"{100 * (now - past) / past:+.1f}%)**"
    )
    assert "| Change | Resource | Type | Before | After | Delta |" in lines
    db_rows = [line for line in lines if line.startswith("| changed | Database/Instance |")]
    assert len(db_rows) == 1
    assert "<details><summary>Cost components that change</summary>" in lines
    # Assumptions and the catalog date come last, then the hidden marker.
    assert "Price catalog: AWS price data published" in out.split("</details>")[-1]
    assert lines[-1] == "<!-- mlflow-on-aws:cost-diff -->"


def test_changed_instance_class_shows_component_delta(team: Synth) -> None:
    bigger = synth(db_instance_class="db.t4g.medium")
    diff = diff_reports(load_report(_out(team)), load_report(_out(bigger)))
    (db,) = [r for r in diff.resources if r.type == "AWS::RDS::DBInstance"]
    assert db.change == "changed" and db.diff > 0
    names = [c.name for c in db.components]
    assert any("db.t4g.small" in n for n in names) and any("db.t4g.medium" in n for n in names)
    assert money(diff.total - diff.past_total) == db.diff


def test_added_and_removed_resources(team: Synth) -> None:
    nat = synth(network_mode="nat")
    forward = diff_reports(load_report(_out(team)), load_report(_out(nat)))
    added = {r.type for r in forward.resources if r.change == "added"}
    assert {"AWS::EC2::EIP", "AWS::EC2::NatGateway"} <= added
    (nat_stack,) = load_report(_out(nat))["stacks"]
    assert nat_stack["unsupported"] == []
    backward = diff_reports(load_report(_out(nat)), load_report(_out(team)))
    removed = {r.type for r in backward.resources if r.change == "removed"}
    assert {"AWS::EC2::EIP", "AWS::EC2::NatGateway"} <= removed
    assert backward.diff == -forward.diff


def test_budget_below_head_total_fails_with_a_message(
    team: Synth, prod: Synth, capsys: pytest.CaptureFixture[str]
) -> None:
    now = load_report(_out(prod))["totalMonthlyCost"]
    code, _, err = run(["diff", str(_out(team)), str(_out(prod)), "--budget", "100"], capsys)
    assert code == 1
    assert f"over budget: the estimated monthly cost ${now:,.2f} exceeds the budget $100.00" in err


def test_max_increase_guardrails(
    team: Synth, prod: Synth, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(
        ["diff", str(_out(team)), str(_out(prod)), "--max-increase", "10",
         "--max-increase-percent", "5"],
        capsys,
    )  # fmt: skip
    assert code == 1
    assert "max-increase: this change adds $" in err
    assert "max-increase-percent: this change raises the monthly cost by" in err
    code, _, _ = run(["diff", str(_out(prod)), str(_out(team)), "--max-increase", "0"], capsys)
    assert code == 0  # a decrease never trips an increase guardrail


def test_bad_diff_input_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["diff", str(tmp_path / "nope.json"), str(tmp_path)], capsys)
    assert code == 2 and "BASE" in err and "does not exist" in err
    bogus = tmp_path / "bogus.json"
    bogus.write_text("{}")
    code, _, err = run(["diff", str(bogus), str(bogus)], capsys)
    assert code == 2 and "not a cost report" in err
