"""Rendering a CostReport: JSON (the contract), Markdown (for pull requests), terminal text."""

from __future__ import annotations

import json
from collections import defaultdict

from cost.model import HOURS_PER_MONTH, CostReport, money, resource_label, usd
from cost.pricing import PRICED


def service_of(resource_type: str) -> str:
    """The service a priced type is billed under (its declaration's label)."""
    declaration = PRICED.get(resource_type)
    return declaration.service if declaration else resource_type


def to_json(report: CostReport) -> str:
    return json.dumps(report.to_json(), indent=2, sort_keys=False) + "\n"


def by_service(report: CostReport) -> list[tuple[str, float]]:
    totals: dict[str, float] = defaultdict(float)
    for stack in report.stacks:
        for resource in stack.resources:
            totals[service_of(resource.type)] += resource.monthly_cost
    return sorted(((k, money(v)) for k, v in totals.items()), key=lambda kv: (-kv[1], kv[0]))


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def _catalog_line(report: CostReport) -> str:
    cat = report.catalog
    dates = cat.get("effectiveDateMin", "?")
    if cat.get("effectiveDateMax") and cat.get("effectiveDateMax") != dates:
        dates = f"{dates} to {cat['effectiveDateMax']}"
    return (
        f"Price catalog: AWS price data published {dates}, {cat.get('products', '?')} prices "
        f"from {len(cat.get('sources', ())) or '?'} sources"
    )


def to_markdown(report: CostReport, *, title: str = "Estimated monthly cost") -> str:
    priced = sum(len(s.resources) for s in report.stacks)
    free = sum(len(s.free) for s in report.stacks)
    unsupported = sum(len(s.unsupported) for s in report.stacks)
    lines = [
        f"## {title}: ${usd(report.monthly_cost)} USD",
        "",
        f"Region **{report.region}** · {HOURS_PER_MONTH} hours/month · {priced} resources "
        f"priced · {free} free · {unsupported} unsupported",
        "",
    ]
    for stack in report.stacks:
        if stack.region_source != "stack":
            lines += [f"> **{stack.name}**: {stack.region_source}.", ""]
    services = [(name, cost) for name, cost in by_service(report) if cost > 0]
    if services:
        lines += ["### Where the money goes", "", "```mermaid", "pie showData"]
        lines.append("    title Monthly cost by service (USD)")
        lines += [f'    "{name}" : {cost:.2f}' for name, cost in services]
        lines += ["```", ""]
    for stack in report.stacks:
        lines += [
            f"### Stack `{stack.name}`: ${usd(stack.monthly_cost)}",
            "",
            "| Resource | Type | Monthly (USD) | Usage-based |",
            "|---|---|---:|:---:|",
        ]
        ordered = sorted(stack.resources, key=lambda r: (-r.monthly_cost, r.logical_id))
        for r in ordered:
            label = resource_label(r.path, r.logical_id, stack.construct_path)
            lines.append(
                f"| {_md_escape(label)} | `{r.type}` | {usd(r.monthly_cost)} | "
                f"{'yes' if r.usage_based else ''} |"
            )
        lines.append("")
        lines += ["<details><summary>Cost components per resource</summary>", ""]
        for r in ordered:
            lines += [
                f"#### {_md_escape(resource_label(r.path, r.logical_id, stack.construct_path))} "
                f"(`{r.logical_id}`): ${usd(r.monthly_cost)}",
                "",
                "| Component | Quantity | Unit | Unit price | Monthly | Usage-based |",
                "|---|---:|---|---:|---:|:---:|",
            ]
            for c in r.components:
                lines.append(
                    f"| {_md_escape(c.name)} | {c.quantity:,.4g} | {c.unit} | "
                    f"{c.unit_price:.10g} | {usd(c.monthly_cost)} | "
                    f"{'yes' if c.usage_based else ''} |"
                )
            if r.assumptions:
                lines.append("")
                lines += [f"- {_md_escape(a)}" for a in r.assumptions]
            lines.append("")
        lines += ["</details>", ""]
        if stack.unsupported:
            lines += [f"**Unsupported ({len(stack.unsupported)}), not in the total:**", ""]
            lines += [
                f"- `{u.type}` {_md_escape(stack.label(u))}: {_md_escape(u.reason)}"
                for u in stack.unsupported
            ]
            lines.append("")
        if stack.not_deployed:
            lines += [
                f"**Not deployed ({len(stack.not_deployed)}): their Condition is false.**",
                "",
            ]
            lines += [
                f"- `{u.type}` {_md_escape(stack.label(u))}: {_md_escape(u.reason)}"
                for u in stack.not_deployed
            ]
            lines.append("")
        if stack.pricing_gap:
            lines += [f"> {_md_escape(stack.pricing_gap)}", ""]
        if stack.assumptions:
            lines += ["Stack assumptions:", ""]
            lines += [f"- {_md_escape(a)}" for a in stack.assumptions]
            lines.append("")
        if stack.free:
            lines += [f"<details><summary>Free resources ({len(stack.free)})</summary>", ""]
            for f in sorted(stack.free, key=lambda x: (x.type, x.logical_id)):
                lines.append(f"- `{f.type}` {f.logical_id}: {_md_escape(f.reason)}")
            lines += ["", "</details>", ""]
    if report.guardrails:
        lines += ["### Guardrails", ""]
        lines += [
            f"- **{f['severity']}** `{f['rule']}`: {_md_escape(f['message'])}"
            for f in report.guardrails
        ]
        lines.append("")
    lines += ["### Assumptions", ""]
    usage_file = report.usage_assumptions.get("usageFile", {}).get("source")
    lines.append(
        f"- Usage file: `{usage_file}`" if usage_file else "- Usage file: none (built-in defaults)"
    )
    lines.append(
        "- Usage-based lines follow the usage assumptions (README: cost report); fixed lines "
        "are list prices for always-on resources."
    )
    lines.append("- On-Demand list prices in USD; no free tier, credits, Savings Plans or taxes.")
    lines.append(f"- {_catalog_line(report)}.")
    for warning in report.warnings:
        lines.append(f"- Warning: {_md_escape(warning)}")
    lines.append("")
    return "\n".join(lines)


def to_table(report: CostReport, *, top: int | None = None) -> str:
    rows: list[tuple[str, str, float]] = []
    for stack in report.stacks:
        for r in stack.resources:
            rows.append((stack.label(r), r.type, r.monthly_cost))
    rows.sort(key=lambda x: -x[2])
    if top is not None:
        rows = rows[:top]
    width = max([len(r[0]) for r in rows] + [8])
    type_width = max([len(r[1]) for r in rows] + [4])
    out = [f"{'Resource':<{width}}  {'Type':<{type_width}}  {'Monthly USD':>12}"]
    out += [
        f"{name:<{width}}  {rtype:<{type_width}}  {usd(cost):>12}" for name, rtype, cost in rows
    ]
    out.append(f"{'Total':<{width}}  {'':<{type_width}}  {usd(report.monthly_cost):>12}")
    unsupported = [(s, u) for s in report.stacks for u in s.unsupported]
    if unsupported:
        out.append(f"Unsupported (not in the total): {len(unsupported)}")
        out += [f"  {s.label(u)} ({u.type}): {u.reason}" for s, u in unsupported]
    return "\n".join(out) + "\n"


def summary(report: CostReport, *, top: int = 5, report_dir: str | None = None) -> str:
    """The few lines `cdk synth` prints."""
    lines = [f"Estimated monthly cost: ${usd(report.monthly_cost)} USD"]
    for stack in report.stacks:
        where = stack.region if stack.region_source == "stack" else stack.region_source
        lines.append(f"  {stack.name}: ${usd(stack.monthly_cost)} ({where})")
    resources = sorted(
        ((s, r) for s in report.stacks for r in s.resources), key=lambda sr: -sr[1].monthly_cost
    )
    for stack, r in resources[:top]:
        lines.append(f"    {usd(r.monthly_cost):>10}  {stack.label(r)}")
    priced = len(resources)
    free = sum(len(s.free) for s in report.stacks)
    unsupported = [(s, u) for s in report.stacks for u in s.unsupported]
    not_deployed = sum(len(s.not_deployed) for s in report.stacks)
    tail = f"  {priced} priced, {free} free, {len(unsupported)} unsupported"
    if not_deployed:
        tail += f", {not_deployed} not deployed (condition false)"
    if report_dir:
        tail += f"; report: {report_dir}/cost-report.md"
    lines.append(tail)
    for stack, u in unsupported:
        lines.append(f"  unsupported: {stack.label(u)} ({u.type}): {u.reason}")
    for finding in report.guardrails:
        lines.append(f"  {finding['severity']}: {finding['message']}")
    for warning in report.warnings:
        lines.append(f"  warning: {warning}")
    return "\n".join(lines) + "\n"
