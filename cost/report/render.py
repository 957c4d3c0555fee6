"""Rendering a CostReport: JSON (the contract), Markdown (for pull requests), terminal text."""

from __future__ import annotations

import json
from collections import defaultdict

from cost.model import HOURS_PER_MONTH, CostReport, ResourceCost, money, usd
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


def _label(resource: ResourceCost) -> str:
    if resource.path:
        # Drop the stack name and the trailing "/Resource": the construct path a reader knows.
        parts = resource.path.split("/")[1:]
        if parts and parts[-1] in ("Resource", "Default"):
            parts = parts[:-1]
        return "/".join(parts) or resource.logical_id
    return resource.logical_id


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def _catalog_line(report: CostReport) -> str:
    cat = report.catalog
    dates = cat.get("effectiveDateMin", "?")
    if cat.get("effectiveDateMax") and cat.get("effectiveDateMax") != dates:
        dates = f"{dates} to {cat['effectiveDateMax']}"
    unconfirmed = cat.get("unconfirmedPrices", 0)
    line = f"Price catalog: effective dates {dates}, {cat.get('products', '?')} prices"
    if unconfirmed:
        line += f" ({unconfirmed} marked unconfirmed)"
    return line


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
            lines.append(
                f"| {_md_escape(_label(r))} | `{r.type}` | {usd(r.monthly_cost)} | "
                f"{'yes' if r.usage_based else ''} |"
            )
        lines.append("")
        lines += ["<details><summary>Cost components per resource</summary>", ""]
        for r in ordered:
            lines += [
                f"#### {_md_escape(_label(r))} (`{r.logical_id}`): ${usd(r.monthly_cost)}",
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
                f"- `{u.type}` {u.logical_id}: {_md_escape(u.reason)}" for u in stack.unsupported
            ]
            lines.append("")
        if stack.free:
            lines += [f"<details><summary>Free resources ({len(stack.free)})</summary>", ""]
            for f in sorted(stack.free, key=lambda x: (x.type, x.logical_id)):
                lines.append(f"- `{f.type}` {f.logical_id}: {_md_escape(f.reason)}")
            lines += ["", "</details>", ""]
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
            rows.append((f"{stack.name}/{_label(r)}", r.type, r.monthly_cost))
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
    unsupported = [u for s in report.stacks for u in s.unsupported]
    if unsupported:
        out.append(f"Unsupported (not in the total): {len(unsupported)}")
        out += [f"  {u.type} {u.logical_id}: {u.reason}" for u in unsupported]
    return "\n".join(out) + "\n"


def summary(report: CostReport, *, top: int = 5, report_dir: str | None = None) -> str:
    """The few lines `cdk synth` prints."""
    lines = [f"Estimated monthly cost: ${usd(report.monthly_cost)} USD"]
    for stack in report.stacks:
        where = stack.region if stack.region_source == "stack" else stack.region_source
        lines.append(f"  {stack.name}: ${usd(stack.monthly_cost)} ({where})")
    resources = sorted(
        (r for s in report.stacks for r in s.resources), key=lambda r: -r.monthly_cost
    )
    for r in resources[:top]:
        lines.append(f"    {usd(r.monthly_cost):>10}  {_label(r)}")
    priced = len(resources)
    free = sum(len(s.free) for s in report.stacks)
    unsupported = [u for s in report.stacks for u in s.unsupported]
    tail = f"  {priced} priced, {free} free, {len(unsupported)} unsupported"
    if report_dir:
        tail += f"; report: {report_dir}/cost-report.md"
    lines.append(tail)
    for u in unsupported:
        lines.append(f"  unsupported: {u.type} {u.logical_id}: {u.reason}")
    for warning in report.warnings:
        lines.append(f"  warning: {warning}")
    return "\n".join(lines) + "\n"
