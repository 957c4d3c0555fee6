"""The cost estimate inside a CDK app: one call.

    from cost.cdk import CostEstimate

    CostEstimate.attach(app)              # optional: usage_file=, budget=, policy_file=, ...
    app.synth()

`attach` adds two things. A read-only aspect prices every L1 resource of a priced type from its
resolved properties and tags it with `cost:monthly-usd` (a plain decimal such as `16.43`; the
tag must be written before the templates are). A validation plugin then prices the final
templates (every stack of the app: Stages' nested assemblies and nested stacks included), with
the same pricing functions and the same rules as `python -m cost estimate`, writes
`cost-report.json` and `cost-report.md` next to the templates, prints a summary, checks each
tag against its report line, and judges the policies and the budget over that one report: a
policy violation fails synth (like any validation plugin finding; acknowledgeable through
`Validations.of(scope).acknowledge`), a budget overrun is a warning.

Off switch: context `cost-estimate=off` (`cdk synth -c cost-estimate=off`) makes `attach` a
no-op. A region the catalog has no prices for does not fail synth: the report says so, and only
a policy or budget that needs those prices fails (closed).

Requires aws-cdk-lib >= 2.251.0 (the release with `Validations` and the stable validation
plugin interface).
"""

from __future__ import annotations

from importlib import metadata

MIN_CDK_VERSION = (2, 251, 0)


def _check_cdk_version() -> None:
    try:
        installed = metadata.version("aws-cdk-lib")
    except metadata.PackageNotFoundError:
        raise ImportError(
            "cost.cdk needs aws-cdk-lib >= 2.251.0 (install the 'cdk' extra); the template "
            "CLI (python -m cost estimate) works without it"
        ) from None
    parts = tuple(int(p) for p in installed.split(".")[:3] if p.isdigit())
    if parts < MIN_CDK_VERSION:
        raise ImportError(
            f"cost.cdk needs aws-cdk-lib >= 2.251.0 (Validations and the stable validation "
            f"plugin interface); this app has {installed}: upgrade aws-cdk-lib, or price the "
            "synthesized templates with python -m cost estimate cdk.out"
        )


_check_cdk_version()

from cost.cdk.estimate import COST_TAG, REPORT_JSON, REPORT_MARKDOWN, CostEstimate  # noqa: E402

__all__ = ["COST_TAG", "MIN_CDK_VERSION", "REPORT_JSON", "REPORT_MARKDOWN", "CostEstimate"]
