"""Rendering a CostDiff: the pull-request comment (Markdown), JSON, a terminal table."""

from __future__ import annotations

import json

from cost.model import usd
from cost.report.diff import CostDiff, ResourceDelta

#: Hidden marker the CI workflow uses to find and update its one comment.
COMMENT_MARKER = "<!-- mlflow-on-aws:cost-diff -->"


def signed_usd(value: float) -> str:
    sign = "+" if value > 0 else "-" if value < 0 else "±"
    return f"{sign}${usd(abs(value))}"


def percent_text(diff: CostDiff) -> str:
    if diff.percent is None:
        return "new cost" if diff.total > 0 else "no change"
    # From the totals, not from `percent` (already rounded to 2 places): rounding twice turns
    # 465.851 into 465.85 and then 465.8.
    return f"{100 * (diff.total - diff.past_total) / diff.past_total:+.1f}%"


def summary_line(diff: CostDiff) -> str:
    return (
        f"Monthly cost: ${usd(diff.past_total)} -> ${usd(diff.total)} "
        f"({signed_usd(diff.diff)}, {percent_text(diff)})"
    )


def _label(r: ResourceDelta) -> str:
    if r.path:
        parts = r.path.split("/")[1:]
        if parts and parts[-1] in ("Resource", "Default"):
            parts = parts[:-1]
        if parts:
            return "/".join(parts)
    return r.logical_id


def _esc(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def _quantity(value: float | None) -> str:
    return "-" if value is None else f"{value:,.4g}"


def to_markdown(diff: CostDiff, *, guardrail_messages: list[str] | None = None) -> str:
    lines = [f"**{summary_line(diff)}**", ""]
    for message in guardrail_messages or []:
        lines += [f"> :x: {_esc(message)}", ""]
    if diff.resources:
        lines += [
            f"{len(diff.resources)} resource(s) change cost; {diff.unchanged} unchanged.",
            "",
            "| Change | Resource | Type | Before | After | Delta |",
            "|---|---|---|---:|---:|---:|",
        ]
        for r in diff.resources:
            lines.append(
                f"| {r.change} | {_esc(_label(r))} | `{r.type}` | ${usd(r.past_cost)} | "
                f"${usd(r.cost)} | {signed_usd(r.diff)} |"
            )
        lines += ["", "<details><summary>Cost components that change</summary>", ""]
        for r in diff.resources:
            lines += [
                f"#### {r.change}: {_esc(_label(r))} (`{r.stack}/{r.logical_id}`)",
                "",
                "| Component | Quantity before | Quantity after | Before | After | Delta |",
                "|---|---:|---:|---:|---:|---:|",
            ]
            for c in r.components:
                lines.append(
                    f"| {_esc(c.name)} | {_quantity(c.past_quantity)} | {_quantity(c.quantity)} "
                    f"| ${usd(c.past_cost)} | ${usd(c.cost)} | {signed_usd(c.diff)} |"
                )
            lines.append("")
        lines += ["</details>", ""]
    else:
        lines += [f"No resource changes cost ({diff.unchanged} resources compared).", ""]
    added, removed = diff.unsupported_changes()
    if added:
        lines.append(
            "Unsupported resources added (not priced): " + ", ".join(f"`{a}`" for a in added)
        )
        lines.append("")
    if removed:
        lines.append("Unsupported resources removed: " + ", ".join(f"`{r}`" for r in removed))
        lines.append("")
    past, now = diff.past_report, diff.report
    lines += [
        "<sub>",
        f"Before: ${usd(diff.past_total)} ({past.get('region')}); after: ${usd(diff.total)} "
        f"({now.get('region')}). On-Demand list prices, USD, 730 hours/month. ",
        f"Usage assumptions: {_usage(now)}. Price catalog: {_catalog(now)}.",
        "</sub>",
        "",
        COMMENT_MARKER,
        "",
    ]
    return "\n".join(lines)


def _usage(report: dict) -> str:  # type: ignore[type-arg]
    source = ((report.get("usageAssumptions") or {}).get("usageFile") or {}).get("source")
    return (
        f"`{source.rsplit('/', 1)[-1]}` plus built-in defaults" if source else "built-in defaults"
    )


def _catalog(report: dict) -> str:  # type: ignore[type-arg]
    cat = report.get("catalog") or {}
    low, high = cat.get("effectiveDateMin", "?"), cat.get("effectiveDateMax", "?")
    return f"AWS price data published {low}" + (f" to {high}" if high != low else "")


def to_json(diff: CostDiff) -> str:
    return json.dumps(diff.to_json(), indent=2) + "\n"


def to_table(diff: CostDiff) -> str:
    lines = [summary_line(diff)]
    if diff.resources:
        width = max(len(f"{r.stack}/{_label(r)}") for r in diff.resources)
        lines.append(
            f"{'change':<8} {'resource':<{width}} {'before':>12} {'after':>12} {'delta':>13}"
        )
        for r in diff.resources:
            lines.append(
                f"{r.change:<8} {r.stack + '/' + _label(r):<{width}} {usd(r.past_cost):>12} "
                f"{usd(r.cost):>12} {signed_usd(r.diff):>13}"
            )
    lines.append(f"{diff.unchanged} unchanged resource(s)")
    return "\n".join(lines) + "\n"
