"""Command line: price any CloudFormation template or cdk.out directory, offline.

    python -m cost estimate PATH [--region R] [--usage FILE] [--format json|markdown|table]
                                 [--budget USD] [--policy FILE --profile NAME] [--output FILE]
                                 [--nested-template URL=FILE]... [--nested-templates DIR]...
    python -m cost diff BASE HEAD [--format markdown|json|table] [--budget USD]
                                  [--max-increase USD] [--max-increase-percent P]
    python -m cost runs [--tracking-uri URI] [--experiment NAME_OR_ID]... [--since T]
                        [--until T] [--region R] [--format json|csv|markdown]
                        [--budgets FILE] [--dry-run] ...   (see cost.runs.command)

Exit codes: 0 ok, 1 a guardrail failed (budget, increase, policy), 2 bad input (the message
names the argument and what is allowed; for a template syntax error the file, line and
column), 3 an internal error (a bug: never a traceback, never mistaken for a guardrail).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from cost.catalog import UnknownRegion, default_catalog
from cost.estimate import Estimator, load_sources, parse_nested_templates
from cost.model import CostReport
from cost.policy import (
    PolicyError,
    Violation,
    check_budget,
    check_increase,
    judge,
    load_policies,
)
from cost.pricing.usage import Usage, UsageError
from cost.report import render_diff
from cost.report.diff import diff_reports, load_report
from cost.report.render import to_json, to_markdown, to_table
from cost.retention import command as retention_command
from cost.runs import command as runs_command
from cost.template import TemplateError, parse_parameter_overrides

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
        print(
            f"error: PATH {args.path!r} does not exist; allowed: a template file "
            "(JSON or YAML) or a cdk.out directory",
            file=sys.stderr,
        )
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
    except UsageError as err:
        print(f"error: --usage: {err}", file=sys.stderr)
        return EXIT_INPUT
    except OSError as err:
        print(f"error: --usage {args.usage!r}: {err.strerror or err}", file=sys.stderr)
        return EXIT_INPUT
    policies = []
    if args.policy:
        if not args.profile:
            print("error: --policy needs --profile (which profile's rules apply)", file=sys.stderr)
            return EXIT_INPUT
        try:
            policies = load_policies(args.policy, args.profile)
        except PolicyError as err:
            print(f"error: --policy: {err}", file=sys.stderr)
            return EXIT_INPUT
        except OSError as err:
            print(f"error: --policy {args.policy!r}: {err.strerror or err}", file=sys.stderr)
            return EXIT_INPUT
    try:
        parameters = parse_parameter_overrides(args.parameters or [], base_dir=Path.cwd())
    except TemplateError as err:
        print(f"error: --parameters: {err}", file=sys.stderr)
        return EXIT_INPUT
    try:
        nested = parse_nested_templates(args.nested_template or [], args.nested_templates or [])
    except TemplateError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_INPUT
    try:
        sources = load_sources(path, parameters, nested)
        estimator = Estimator(catalog, usage)
        report = estimator.report(estimator.estimate(sources, region=args.region))
    except UsageError as err:
        print(f"error: --usage: {err}", file=sys.stderr)
        return EXIT_INPUT
    except UnknownRegion as err:
        print(f"error: {err}; pass --region with a commercial region", file=sys.stderr)
        return EXIT_INPUT
    except TemplateError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_INPUT
    except OSError as err:
        print(f"error: {err.filename or args.path}: {err.strerror or err}", file=sys.stderr)
        return EXIT_INPUT
    violations = judge(
        report,
        policies=policies,
        profile=args.profile or "",
        budget=args.budget,
        allow_unpriced=args.allow_unpriced or (),
    )
    report.guardrails = [v.to_json() for v in violations]
    _emit(render(report, args.format), args.output)
    return _report_violations(violations)


def _report_violations(violations: list[Violation]) -> int:
    for violation in violations:
        print(violation.message, file=sys.stderr)
    failed = any(v.severity == "error" for v in violations)
    return EXIT_GUARDRAIL if failed else EXIT_OK


def _diff(args: argparse.Namespace) -> int:
    sides = {}
    for label, value in (("BASE", args.base), ("HEAD", args.head)):
        path = Path(value)
        if not path.exists():
            print(
                f"error: {label} {value!r} does not exist; allowed: a cost-report.json or a "
                "cdk.out directory",
                file=sys.stderr,
            )
            return EXIT_INPUT
        try:
            sides[label] = load_report(path)
        except (ValueError, OSError) as err:
            print(f"error: {label}: {err}", file=sys.stderr)
            return EXIT_INPUT
    diff = diff_reports(sides["BASE"], sides["HEAD"])
    violations = check_increase(
        diff.past_total,
        diff.total,
        max_increase=args.max_increase,
        max_increase_percent=args.max_increase_percent,
    )
    over = check_budget(diff.total, args.budget)
    if over:
        violations.append(over)
    messages = [v.message for v in violations]
    if args.format == "json":
        data = diff.to_json()
        data["guardrails"] = [{"rule": v.rule, "message": v.message} for v in violations]
        text = json.dumps(data, indent=2) + "\n"
    elif args.format == "markdown":
        text = render_diff.to_markdown(diff, guardrail_messages=messages)
    else:
        text = render_diff.to_table(diff)
    _emit(text, args.output)
    return _report_violations(violations)


def _non_negative(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be >= 0")
    return value


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
    est.add_argument(
        "--parameters",
        action="append",
        metavar="KEY=VALUE|FILE",
        help="template parameter values (repeatable): KEY=VALUE, or a file (CloudFormation's "
        "JSON list of ParameterKey/ParameterValue, or a YAML/JSON mapping); parameters not "
        "given take their Default",
    )
    est.add_argument(
        "--nested-template",
        action="append",
        metavar="URL=FILE",
        help="a local copy of the template a nested stack's remote TemplateURL names "
        "(repeatable); the URL as the resolved TemplateURL spells it",
    )
    est.add_argument(
        "--nested-templates",
        action="append",
        metavar="DIR",
        help="a directory of local copies of nested-stack templates, each found by the last "
        "path component of its remote TemplateURL (repeatable; --nested-template wins)",
    )
    est.add_argument("--format", choices=("json", "markdown", "table"), default="table")
    est.add_argument("--output", "-o", help="write to this file instead of standard output")
    est.add_argument("--budget", type=_positive_amount, help="fail (exit 1) above this USD/month")
    est.add_argument("--policy", help="YAML policy file (rules per profile)")
    est.add_argument("--profile", help="which profile's policies apply")
    est.add_argument(
        "--allow-unpriced",
        action="append",
        metavar="TYPE",
        help="accept resources of this CloudFormation type unpriced under --budget "
        "(repeatable); by default a budget over unpriced resources fails",
    )
    est.set_defaults(func=_estimate)

    diff = sub.add_parser("diff", help="cost difference between two reports")
    diff.add_argument("base", help="BASE: cost-report.json or cdk.out directory (before)")
    diff.add_argument("head", help="HEAD: cost-report.json or cdk.out directory (after)")
    diff.add_argument("--format", choices=("markdown", "json", "table"), default="table")
    diff.add_argument("--output", "-o", help="write to this file instead of standard output")
    diff.add_argument("--budget", type=_positive_amount, help="fail (exit 1) if HEAD exceeds it")
    diff.add_argument(
        "--max-increase", type=_non_negative, help="fail if the change adds more USD/month"
    )
    diff.add_argument(
        "--max-increase-percent", type=_non_negative, help="fail if the change adds more percent"
    )
    diff.set_defaults(func=_diff)
    runs_command.add_parser(sub)
    retention_command.add_parser(sub)
    return parser


EXIT_INTERNAL = 3


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        result: int = args.func(args)
    except Exception as err:  # a bug must not read as a guardrail (exit 1) or bad input
        print(
            f"error: internal error ({type(err).__name__}: {err}); this is a bug in the cost "
            "engine, not in your input: please report it with the template",
            file=sys.stderr,
        )
        return EXIT_INTERNAL
    return result


if __name__ == "__main__":
    sys.exit(main())
