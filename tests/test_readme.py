"""The README stays the truth: every setting, command and acknowledgment it must mention."""

from __future__ import annotations

import re
from pathlib import Path

from stacks.config import SETTING_NAMES

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_in_the_configuration_reference() -> None:
    table = README.split("## Configuration reference", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `([a-z_]+)` \|", table, flags=re.MULTILINE))
    assert documented == set(SETTING_NAMES)


def test_quick_start_commands_and_ci_contract() -> None:
    assert "make synth" in README and "make test" in README
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci


def test_no_unfilled_placeholders() -> None:
    assert not re.findall(r"^[A-Z_]{6,}$", README, flags=re.MULTILINE)


def test_every_make_target_in_the_readme_exists() -> None:
    makefile = (ROOT / "Makefile").read_text()
    targets = set(re.findall(r"^([a-z-]+):", makefile, flags=re.MULTILINE))
    for target in set(re.findall(r"make ([a-z][a-z-]+)", README)):
        assert target in targets, target
