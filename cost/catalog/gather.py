"""Gather the catalog's source files, each at the commit `cost.catalog.sources` names, into the
directory layout `python -m cost.refresh --from-dir` reads.

    python -m cost.catalog.gather DIR [--git OWNER/NAME=GIT_DIR ...] [--only ID,ID]

Each file is read from a local clone when `--git` names one for its repository (`git show
COMMIT:PATH`, no network), else downloaded from raw.githubusercontent.com at that commit.
Per-region families are tried for every commercial region; a region the repository has no
file for, or whose file is the price host's "NoSuchKey" answer, is skipped and listed (AWS
publishes nothing there). A file that is not the price
file it should be (no manifest date, not JSON) stops the run with exit 2, naming it.

Then `python -m cost.refresh --from-dir DIR` rebuilds `cost/catalog/data` from exactly the
data the bundled catalog was built from.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from cost.catalog.regions import LOCATIONS
from cost.catalog.sources import SOURCES, Source

RAW = "https://raw.githubusercontent.com/{repository}/{commit}/{path}"

#: Reads one file of a repository at a commit; None when the commit has no such file.
Reader = Callable[[str, str, str], bytes | None]


class GatherError(Exception):
    pass


def parse_git_dirs(items: Iterable[str]) -> dict[str, Path]:
    """`--git OWNER/NAME=GIT_DIR` values as {repository: git dir}; a bad one is an error."""
    git_dirs: dict[str, Path] = {}
    for item in items:
        repository, sep, git_dir = item.partition("=")
        if not sep or repository.count("/") != 1 or not Path(git_dir).is_dir():
            raise GatherError(
                f"--git {item!r}: expected OWNER/NAME=GIT_DIR with an existing directory"
            )
        git_dirs[repository] = Path(git_dir)
    return git_dirs


def git_reader(git_dirs: dict[str, Path]) -> Reader:
    """Files from local clones (`git --git-dir=G show COMMIT:PATH`), else from GitHub."""

    def read(repository: str, commit: str, path: str) -> bytes | None:
        git_dir = git_dirs.get(repository)
        if git_dir is None:
            return download(repository, commit, path)
        done = subprocess.run(
            ["git", f"--git-dir={git_dir}", "show", f"{commit}:{path}"],
            capture_output=True,
            check=False,
        )
        if done.returncode == 0:
            return done.stdout
        error = done.stderr.decode(errors="replace").strip()
        if "does not exist" in error or "exists on disk, but not in" in error:
            return None
        raise GatherError(f"{repository} at {commit[:12]}: {path}: {error}")

    return read


def download(repository: str, commit: str, path: str) -> bytes | None:
    url = RAW.format(repository=repository, commit=commit, path=path)
    try:
        with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 (fixed https URL)
            body: bytes = response.read()
            return body
    except urllib.error.HTTPError as err:
        if err.code == 404:
            return None
        raise GatherError(f"{url}: HTTP {err.code}") from err
    except urllib.error.URLError as err:
        raise GatherError(f"{url}: {err.reason}") from err


def _no_such_key(body: bytes) -> bool:
    """Whether a vendored file is S3's "NoSuchKey" error document (what AWS's price host
    answers for a location it publishes no file for)."""
    return body.lstrip().startswith(b"<?xml") and b"<Code>NoSuchKey</Code>" in body[:400]


def _check(body: bytes, where: str, source: Source) -> None:
    try:
        data = json.loads(body)
    except ValueError as err:
        raise GatherError(
            f"{where}: not JSON ({err}); a Git LFS pointer or a partial copy?"
        ) from err
    if source.kind == "page" and not str(
        (data.get("manifest") or {}).get("hawkFilePublicationDate", "")
    ):
        raise GatherError(f"{where}: not a pricing-page price file (no manifest date)")


def gather(
    directory: Path,
    read: Reader,
    only: Iterable[str] | None = None,
    sources: Mapping[str, Source] = SOURCES,
) -> tuple[list[Path], list[str]]:
    """Write the source files into `directory`; (files written, "<id> <region>" not found)."""
    wanted = list(only) if only is not None else list(sources)
    unknown = [s for s in wanted if s not in sources]
    if unknown:
        raise GatherError(f"--only: unknown source(s) {unknown}; known: {', '.join(sources)}")
    written: list[Path] = []
    missing: list[str] = []
    for source_id in wanted:
        source = sources[source_id]
        if source.per_region:
            targets = [
                (source.path.format(region=code), directory / source_id / f"{code}.json", code)
                for code in LOCATIONS
            ]
        else:
            targets = [(source.path, directory / f"{source_id}.json", "")]
        found = 0
        for path, target, region in targets:
            body = read(source.repository, source.commit, path)
            where = f"{source.repository}@{source.commit[:12]}:{path}"
            if body is not None and _no_such_key(body):
                body = None  # the repository kept AWS's answer: no file for that location
            if body is None:
                if not source.per_region:
                    raise GatherError(f"{where}: no such file at that commit")
                missing.append(f"{source_id} {region}")
                continue
            _check(body, where, source)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(body)
            written.append(target)
            found += 1
        if source.per_region and not found:
            raise GatherError(f"{source_id}: no region's file at {source.commit[:12]}")
    return written, missing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m cost.catalog.gather",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("directory", metavar="DIR")
    parser.add_argument(
        "--git",
        action="append",
        default=[],
        metavar="OWNER/NAME=GIT_DIR",
        help="read that repository from a local clone (repeatable)",
    )
    parser.add_argument("--only", default="", help="source ids, comma-separated (default: all)")
    args = parser.parse_args(argv)
    try:
        git_dirs = parse_git_dirs(args.git)
    except GatherError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    only = [s for s in args.only.split(",") if s] or None
    try:
        written, missing = gather(Path(args.directory), git_reader(git_dirs), only)
    except GatherError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"{len(written)} files written under {args.directory}")
    if missing:
        print(f"not published (no file at the source's commit): {', '.join(missing)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
