"""Command line: price any CloudFormation template or cdk.out directory, offline.

    python -m cost estimate PATH [--region R] [--usage FILE] [--format json|markdown|table]
                                 [--budget USD] [--output FILE]

Exit codes: 0 ok, 1 a guardrail failed (e.g. over budget), 2 bad input (the message names it).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cost.catalog import UnknownRegion, default_catalog
from cost.estimate import Estimator, estimate_path
from cost.model import CostReport
from cost.render import to_json, to_markdown, to_table, usd
from cost.usage import Usage, UsageError

EXIT_OK = 0
EXIT_GUARDRAIL = 1
EXIT_INPUT = 2


def render(report: CostReport, fmt: str) -> str:
    if fmt == "json":
        return to_json(report)
    if fmt == "markdown":
        return to_markdown(report)
    return to_table(report)


def _emit(text: str, output: str | None) -> None:
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


def _estimate(args: argparse.Namespace) -> int:
    path = Path(args.path)
    if not path.exists():
        print(f"error: PATH {args.path!r} does not exist; allowed: a template file "
              "(JSON or YAML) or a cdk.out directory", file=sys.stderr)
        return EXIT_INPUT
    catalog = default_catalog()
    if args.region:
        try:
            catalog.check_region(args.region)
        except UnknownRegion as err:
            print(f"error: --region: {err}", file=sys.stderr)
            return EXIT_INPUT
    try:
        usage = Usage.from_file(args.usage) if args.usage else Usage.empty()
        report = estimate_path(path, estimator=Estimator(catalog, usage), region=args.region)
    except UsageError as err:
        print(f"error: --usage: {err}", file=sys.stderr)
        return EXIT_INPUT
    except UnknownRegion as err:
        print(f"error: {err}; pass --region with a catalog region", file=sys.stderr)
        return EXIT_INPUT
    except (ValueError, OSError, KeyError) as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_INPUT
    _emit(render(report, args.format), args.output)
    if args.budget is not None and report.monthly_cost > args.budget:
        print(
            f"over budget: the estimated monthly cost ${usd(report.monthly_cost)} exceeds the "
            f"budget ${usd(args.budget)} by ${usd(report.monthly_cost - args.budget)}",
            file=sys.stderr,
        )
        return EXIT_GUARDRAIL
    return EXIT_OK


def _positive_amount(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of USD") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be a positive amount of USD")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m cost", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    est = sub.add_parser("estimate", help="price a template or a cdk.out directory")
    est.add_argument("path", help="CloudFormation template (JSON/YAML) or cdk.out directory")
    est.add_argument("--region", help="pricing region (default: the stack's, else us-east-1)")
    est.add_argument("--usage", help="YAML usage file (resource_type_defaults, resources)")
    est.add_argument("--format", choices=("json", "markdown", "table"), default="table")
    est.add_argument("--output", "-o", help="write to this file instead of standard output")
    est.add_argument("--budget", type=_positive_amount, help="fail (exit 1) above this USD/month")
    est.set_defaults(func=_estimate)
    try:
        from cost.diff_cli import add_diff_parser
    except ImportError:  # pragma: no cover - diff arrives with the PR tooling
        pass
    else:
        add_diff_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
