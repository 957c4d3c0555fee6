"""The PNG chart of run costs: cost by team (the first attribution tag) per month, stacked,
and the top experiments. Drawn with matplotlib's Agg backend (no display needed)."""

from __future__ import annotations

from cost.runs.rollup import RunsReport, _ordered

TOP_EXPERIMENTS = 10


def write_chart(report: RunsReport, path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    tag = report.group_tags[0] if report.group_tags else "team"
    months = sorted({m for _, m in report.tag_by_month})
    teams = sorted({t for t, _ in report.tag_by_month})
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 5), dpi=100)
    bottom = [0.0] * len(months)
    for team in teams:
        values = [
            (lambda t: t.compute_usd + t.storage_usd_month if t else 0.0)(
                report.tag_by_month.get((team, m))
            )
            for m in months
        ]
        left.bar(months, values, bottom=bottom, label=team)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    left.set_title(f"Run cost by {tag} per month (USD)")
    left.set_ylabel("USD (compute + storage per month)")
    if teams:
        left.legend(fontsize="small")
    top = _ordered("experiment", report.by.get("experiment", {}))[:TOP_EXPERIMENTS]
    names = [k for k, _ in reversed(top)]
    right.barh(names, [t.compute_usd + t.storage_usd_month for _, t in reversed(top)])
    right.set_title(f"Top {len(top)} experiments (USD)")
    right.set_xlabel("USD")
    fig.tight_layout()
    fig.savefig(path, format="png")
    plt.close(fig)
