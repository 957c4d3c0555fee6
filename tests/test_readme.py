"""The README stays the truth: every setting, command and acknowledgment it must mention."""

from __future__ import annotations

import json
import re
import struct
from pathlib import Path

import pytest

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


def _png_text_chunks(png: bytes) -> dict[str, str]:
    """keyword -> text of a PNG's tEXt chunks."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    chunks: dict[str, str] = {}
    pos = 8
    while pos + 8 <= len(png):
        length, kind = struct.unpack(">I4s", png[pos : pos + 8])
        if kind == b"tEXt":
            keyword, _, text = png[pos + 8 : pos + 8 + length].partition(b"\0")
            chunks[keyword.decode("latin-1")] = text.decode("latin-1")
        pos += 12 + length
    return chunks


@pytest.mark.parametrize(
    ("image", "test"),
    [
        ("local-ui.png", "test_browser_logs_in_and_sees_the_experiment_and_run"),
        ("run-costs.png", "test_browser_shows_the_run_costs_in_the_runs_table"),
    ],
)
def test_the_readme_screenshots_show_the_pinned_mlflow(image: str, test: str) -> None:
    """docs/img/*.png come from the browser tests of `make local`, stamped with the MLflow
    version the page showed; after an MLflow upgrade `make local-screenshot` refreshes them."""
    assert f"(docs/img/{image})" in README
    png = (ROOT / "docs" / "img" / image).read_bytes()
    stamp = json.loads(_png_text_chunks(png)["mlflow-on-aws"])
    requirements = (ROOT / "container" / "requirements.txt").read_text()
    pinned = re.search(r"^mlflow\[auth\]==(\S+)$", requirements, flags=re.MULTILINE)
    assert pinned, "no mlflow[auth] pin in container/requirements.txt"
    assert stamp["mlflow"] == pinned.group(1), "stale screenshot: run `make local-screenshot`"
    assert stamp["test"] == f"tests/integration/test_local.py::{test}"
