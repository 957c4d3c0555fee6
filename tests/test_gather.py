"""`cost.catalog.gather` copies each source file at its commit into the layout `cost.refresh
--from-dir` reads: from a real local git repository made here (no network), with the fixture
price files as content."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from cost import refresh
from cost.catalog import PriceCatalog
from cost.catalog.gather import GatherError, gather, git_reader, main
from cost.catalog.sources import Source
from cost.pricing.apps import IOT_RULES_TRIGGERED
from cost.pricing.instances import LINUX

FIXTURES = Path(__file__).parent / "fixtures" / "pricing"
NO_SUCH_KEY = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code><Message>The '
    b"specified key does not exist.</Message></Error>"
)


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True
    ).stdout.strip()


@pytest.fixture()
def repo(tmp_path: Path) -> tuple[Path, str]:
    """A repository whose first commit holds the price files; a later commit changes them."""
    root = tmp_path / "vendor"
    root.mkdir()
    git(root, "init", "-q")
    git(root, "config", "user.email", "t@example.com")
    git(root, "config", "user.name", "t")
    (root / "raw").mkdir()
    (root / "ec2").mkdir()
    (root / "raw" / "iot.json").write_bytes((FIXTURES / "iot.json").read_bytes())
    for name in ("us-east-1", "sa-east-1"):
        src = FIXTURES / "ec2-previousgen" / f"{name}.json"
        (root / "ec2" / f"{name}-previousgen.json").write_bytes(src.read_bytes())
    (root / "ec2" / "ap-south-2-previousgen.json").write_bytes(NO_SUCH_KEY)
    (root / "ec2" / "us-east-1-ondemand.json").write_bytes(
        (FIXTURES / "ec2-ondemand" / "us-east-1.json").read_bytes()
    )
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "prices")
    first = git(root, "rev-parse", "HEAD")
    (root / "raw" / "iot.json").write_text('{"changed": true}')
    git(root, "commit", "-q", "-am", "later")
    return root / ".git", first


def sources(commit: str) -> dict[str, Source]:
    return {
        "iot": Source("o/vendor", commit, "raw/iot.json", "https://example/iot.json"),
        "ec2-previousgen": Source(
            "o/vendor", commit, "ec2/{region}-previousgen.json", "u", per_region=True
        ),
        "ec2-ondemand": Source(
            "o/vendor", commit, "ec2/{region}-ondemand.json", "u", per_region=True
        ),
    }


def test_files_are_copied_at_the_commit_and_rebuild_the_catalog(
    repo: tuple[Path, str], tmp_path: Path
) -> None:
    git_dir, commit = repo
    out = tmp_path / "src"
    written, missing = gather(out, git_reader({"o/vendor": git_dir}), sources=sources(commit))
    assert (out / "iot.json").read_bytes() == (FIXTURES / "iot.json").read_bytes()
    assert sorted(p.relative_to(out).as_posix() for p in written) == [
        "ec2-ondemand/us-east-1.json",
        "ec2-previousgen/sa-east-1.json",
        "ec2-previousgen/us-east-1.json",
        "iot.json",
    ]
    # The NoSuchKey answer the repository kept is "not published", like a missing file.
    assert "ec2-previousgen ap-south-2" in missing and "ec2-previousgen eu-west-1" in missing
    assert not (out / "ec2-previousgen" / "ap-south-2.json").exists()
    products, published = refresh.from_files(out, [LINUX, IOT_RULES_TRIGGERED])
    refresh.write(tmp_path / "catalog", products, published)
    catalog = PriceCatalog.from_directory(tmp_path / "catalog")
    m3 = catalog.lookup(
        "AmazonEC2", "sa-east-1", "Compute Instance Linux", None, instanceType="m3.xlarge"
    )
    assert m3.usd == 0.381


def test_a_file_that_is_not_a_price_file_stops_the_run(
    repo: tuple[Path, str], tmp_path: Path
) -> None:
    git_dir, _ = repo
    later = git(git_dir.parent, "rev-parse", "HEAD")  # iot.json is {"changed": true} there
    with pytest.raises(GatherError, match=r"raw/iot\.json: not a pricing-page price file"):
        gather(tmp_path / "src", git_reader({"o/vendor": git_dir}), ["iot"], sources(later))
    with pytest.raises(GatherError, match=r"unknown source\(s\) \['nope'\]"):
        gather(tmp_path / "src", git_reader({"o/vendor": git_dir}), ["nope"], sources(later))


def test_a_missing_single_file_is_an_error(repo: tuple[Path, str], tmp_path: Path) -> None:
    git_dir, commit = repo
    missing = {"iot": Source("o/vendor", commit, "raw/absent.json", "u")}
    with pytest.raises(GatherError, match=r"raw/absent\.json: no such file at that commit"):
        gather(tmp_path / "src", git_reader({"o/vendor": git_dir}), sources=missing)


def test_cli_bad_git_option_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path), "--git", "no-equals-sign"]) == 2
    err = capsys.readouterr().err
    assert "--git 'no-equals-sign'" in err and "OWNER/NAME=GIT_DIR" in err
    assert main([str(tmp_path), "--git", f"a/b={tmp_path}", "--only", "nope"]) == 2
    assert "unknown source(s) ['nope']" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())
