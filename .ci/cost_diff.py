"""`make cost-diff BASE=<git ref>`: synthesize BASE and the working tree, diff their costs.

The same command runs locally and in CI (the GitHub workflow only calls it and posts the
Markdown as a pull-request comment). Both sides are synthesized offline with this checkout's
pinned toolchain (.venv, node_modules/.bin/cdk); BASE is checked out into a temporary git
worktree. Output goes to .cost-diff/: base.out/, head.out/ (cloud assemblies with their cost
reports), cost-diff.md, cost-diff.json. Exit 1 when a guardrail fails, 2 when synth fails.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from cost.cli import main as cost_main

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / ".cost-diff"
EMPTY_REPORT = (
    '{"version": "1.0", "currency": "USD", "region": "none", "hoursPerMonth": 730, '
    '"catalog": {}, "totalMonthlyCost": 0, "stacks": [], "usageAssumptions": {}, '
    '"warnings": ["BASE has no CDK app: its cost is taken as zero"]}\n'
)


def _synth(app_dir: Path, out_dir: Path, context: list[str]) -> None:
    cdk = ROOT / "node_modules" / ".bin" / "cdk"
    python = ROOT / ".venv" / "bin" / "python"
    env = dict(os.environ, JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="20")
    env["CDK_DISABLE_VERSION_CHECK"] = "1"
    command = [
        str(cdk),
        "synth",
        "--quiet",
        "--no-notices",
        "--app",
        f"{python} app.py",
        "--output",
        str(out_dir),
        *context,
    ]
    result = subprocess.run(command, cwd=app_dir, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"cost-diff: synth failed in {app_dir} (exit {result.returncode})")
    if not (out_dir / "cost-report.json").exists():
        raise SystemExit(
            f"cost-diff: {app_dir} wrote no cost report (was it synthesized with -c cost=off?)"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make cost-diff", description=__doc__.split("\n")[0])
    parser.add_argument("--base", required=True, help="git ref of the base (e.g. origin/main)")
    parser.add_argument("context", nargs="*", help="cdk context, e.g. -c profile=prod")
    args, unknown = parser.parse_known_args(argv)
    context = args.context + unknown
    guardrails: list[str] = []
    for variable, flag in (
        ("BUDGET", "--budget"),
        ("MAX_INCREASE", "--max-increase"),
        ("MAX_INCREASE_PERCENT", "--max-increase-percent"),
    ):
        if os.environ.get(variable):
            guardrails += [flag, os.environ[variable]]

    resolved = subprocess.run(
        ["git", "rev-parse", "--verify", f"{args.base}^{{commit}}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if resolved.returncode != 0:
        print(f"cost-diff: BASE={args.base!r} is not a git ref here", file=sys.stderr)
        return 2
    base_commit = resolved.stdout.strip()

    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir()
    with tempfile.TemporaryDirectory(prefix="cost-diff-") as tmp:
        worktree = Path(tmp) / "base"
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(worktree), base_commit],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        try:
            if (worktree / "app.py").exists() and (worktree / "cost").is_dir():
                _synth(worktree, OUT / "base.out", context)
                base_report = OUT / "base.out" / "cost-report.json"
            else:
                base_report = OUT / "base-empty.json"
                base_report.write_text(EMPTY_REPORT, encoding="utf-8")
        finally:
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(worktree)],
                cwd=ROOT,
                capture_output=True,
            )
    _synth(ROOT, OUT / "head.out", context)
    head_report = OUT / "head.out" / "cost-report.json"

    code = cost_main(
        ["diff", str(base_report), str(head_report), "--format", "json",
         "--output", str(OUT / "cost-diff.json"), *guardrails]
    )  # fmt: skip
    with open(os.devnull, "w") as quiet:
        stderr, sys.stderr = sys.stderr, quiet  # the messages were printed once already
        try:
            cost_main(
                ["diff", str(base_report), str(head_report), "--format", "markdown",
                 "--output", str(OUT / "cost-diff.md"), *guardrails]
            )  # fmt: skip
        finally:
            sys.stderr = stderr
    sys.stdout.write((OUT / "cost-diff.md").read_text(encoding="utf-8"))
    print(f"\n(cost-diff: base {base_commit[:12]}; files in {OUT.relative_to(ROOT)}/)")
    return code


if __name__ == "__main__":
    sys.exit(main())
