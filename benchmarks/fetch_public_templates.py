#!/usr/bin/env python3
"""Fetch the public templates `template_share.py` prices, each at the commit
`benchmarks/public_templates/manifest.csv` names, into the work directory's templates/.

    .venv/bin/python benchmarks/fetch_public_templates.py [--workdir DIR]
        [--git OWNER/NAME=GIT_DIR ...] [--record] [--manifest CSV]

Each file is read from a local clone when `--git` names one for its repository (`git show
COMMIT:PATH`, no network), else downloaded from raw.githubusercontent.com at that commit. The
manifest's sha256 column pins each file's content: a file whose hash differs stops the run
(exit 2) and is not written. `--record` writes the hashes of what was fetched into the
manifest instead (once, when a row is added). `--manifest
benchmarks/public_templates/heldout.csv --workdir .bench/heldout` fetches the held-out set.
Exit 0 when every row was fetched.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cost.catalog.gather import GatherError, git_reader, parse_git_dirs  # noqa: E402

MANIFEST = ROOT / "benchmarks" / "public_templates" / "manifest.csv"
FIELDS = ["name", "repository", "commit", "path", "sha256"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workdir", default=str(ROOT / ".bench" / "public-templates"))
    ap.add_argument("--git", action="append", default=[], metavar="OWNER/NAME=GIT_DIR")
    ap.add_argument("--record", action="store_true", help="write the fetched files' sha256")
    ap.add_argument("--manifest", default=str(MANIFEST), help="default: manifest.csv")
    args = ap.parse_args(argv)
    try:
        git_dirs = parse_git_dirs(args.git)
    except GatherError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    manifest = Path(args.manifest)
    with manifest.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    read = git_reader(git_dirs)
    out = Path(args.workdir) / "templates"
    out.mkdir(parents=True, exist_ok=True)
    bodies: dict[str, bytes] = {}
    for row in rows:
        where = f"{row['repository']}@{row['commit'][:12]}:{row['path']}"
        try:
            body = read(row["repository"], row["commit"], row["path"])
        except GatherError as err:
            print(f"error: {err}", file=sys.stderr)
            return 2
        if body is None:
            print(f"error: {where}: no such file at that commit", file=sys.stderr)
            return 2
        digest = hashlib.sha256(body).hexdigest()
        if not args.record and row.get("sha256") and row["sha256"] != digest:
            print(
                f"error: {where}: sha256 {digest}, the manifest pins {row['sha256']}; "
                "nothing written for it",
                file=sys.stderr,
            )
            return 2
        bodies[row["name"]] = body
        row["sha256"] = digest
    for name, body in bodies.items():
        (out / name).write_bytes(body)
    if args.record:
        with manifest.open("w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=FIELDS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    print(f"{len(bodies)} templates in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
