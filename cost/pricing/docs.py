"""The README's cost tables, generated from the pricing declarations.

    python -m cost.pricing.docs            # print the generated blocks
    python -m cost.pricing.docs --write README.md   # replace them in place

Each block sits between `<!-- generated:NAME -->` and `<!-- /generated:NAME -->` markers in the
README; a test checks that the README holds exactly what this module generates.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from pathlib import Path

from cost.pricing import FREE_TYPES, PRICED


def _default(value: float | None) -> str:
    if value is None:
        return "derived"
    return f"{value:g}" if value < 1e6 else f"{value:,.0f}"


def usage_table() -> str:
    lines = ["| type | key | default | meaning |", "|---|---|---|---|"]
    for rtype, declaration in sorted(PRICED.items()):
        for key in declaration.usage.values():
            lines.append(
                f"| `{rtype}` | `{key.name}` | {_default(key.default)} | {key.description} |"
            )
    return "\n".join(lines)


def priced_table() -> str:
    lines = ["| type | billed as | components |", "|---|---|---|"]
    for rtype, declaration in sorted(PRICED.items()):
        lines.append(f"| `{rtype}` | {declaration.service} | {declaration.summary} |")
    return "\n".join(lines)


def free_list() -> str:
    by_reason: dict[str, list[str]] = defaultdict(list)
    for rtype, reason in FREE_TYPES.items():
        by_reason[reason].append(rtype)
    lines = []
    for reason, types in by_reason.items():
        lines.append(f"- {reason}: {', '.join(f'`{t}`' for t in types)}")
    lines.append(
        "- deploy-time custom resources (`Custom::*`, `AWS::CloudFormation::CustomResource`): "
        "their provider function is priced separately"
    )
    return "\n".join(lines)


BLOCKS = {
    "cost-usage-keys": usage_table,
    "cost-priced-types": priced_table,
    "cost-free-types": free_list,
}


def block(name: str) -> str:
    return f"<!-- generated:{name} -->\n{BLOCKS[name]()}\n<!-- /generated:{name} -->"


def replace_blocks(text: str) -> str:
    """`text` with every generated block replaced by its current content."""
    for name in BLOCKS:
        pattern = re.compile(
            rf"<!-- generated:{re.escape(name)} -->.*?<!-- /generated:{re.escape(name)} -->",
            re.DOTALL,
        )
        if not pattern.search(text):
            raise ValueError(f"no generated:{name} block in the text")
        start, end = pattern.search(text).span()  # type: ignore[union-attr]
        text = text[:start] + block(name) + text[end:]
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cost.pricing.docs", description=__doc__)
    parser.add_argument("--write", metavar="FILE", help="replace the generated blocks in FILE")
    args = parser.parse_args(argv)
    if args.write:
        path = Path(args.write)
        path.write_text(replace_blocks(path.read_text(encoding="utf-8")), encoding="utf-8")
        return 0
    sys.stdout.write("\n\n".join(block(name) for name in BLOCKS) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
