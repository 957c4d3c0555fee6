"""Benchmark: what the cost estimate adds to synth.

    make bench-synth        (or .venv/bin/python benchmarks/synth_bench.py [--runs 3])

1. The app through the pinned CLI: `cdk synth` with and without `-c cost=off`, wall time,
   median of N runs each (interleaved so drift hits both equally).
2. A generated app with 1,000+ resources, in-process: synth time with and without the
   estimate, overhead per resource.

Goals: the estimate adds at most 15% to `cdk synth` of the app, at most 2 ms per resource.
The in-process figure is almost all jsii round trips to the node process, so the generated
app also reports its calibration (ms per `node.path` read), the per-resource cost in such
reads, and how many calls into the node process (and callbacks from it) synth made with the
estimate on: counts that are the same on any machine and under any load.
Prints a table, then one JSON object as the last line.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
CDK = ROOT / "node_modules" / ".bin" / "cdk"
ENV = dict(
    os.environ,
    JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="20",
    CDK_DISABLE_VERSION_CHECK="1",
)


def cli_synth(cost: str, out: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        [str(CDK), "synth", "--quiet", "--no-notices", "-c", f"cost={cost}", "--output", str(out)],
        cwd=ROOT,
        env=ENV,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def generated(cost: str, services: int) -> dict[str, float]:
    result = subprocess.run(
        [str(PYTHON), str(ROOT / "benchmarks" / "generated_app.py"),
         "--services", str(services), "--cost", cost],
        cwd=ROOT, env=ENV, check=True, capture_output=True, text=True,
    )  # fmt: skip
    data: dict[str, float] = json.loads(result.stdout.strip().splitlines()[-1])
    return data


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--services", type=int, default=80)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        on, off = [], []
        for i in range(args.runs):
            off.append(cli_synth("off", Path(tmp) / f"off{i}"))
            on.append(cli_synth("on", Path(tmp) / f"on{i}"))
    app_on, app_off = statistics.median(on), statistics.median(off)
    app_overhead = (app_on - app_off) / app_off

    gen_on, gen_off = [], []
    resources = 0
    priced = 0
    calibrations: list[float] = []
    calls = callbacks = 0
    for _ in range(args.runs):
        a = generated("off", args.services)
        b = generated("on", args.services)
        gen_off.append(a["synth_s"] + a["build_s"])
        gen_on.append(b["synth_s"] + b["build_s"] + b["report_s"])
        resources, priced = int(b["resources"]), int(b["priced"])
        calls, callbacks = int(b["synth_jsii_calls"]), int(b["synth_jsii_callbacks"])
        calibrations += [a["jsii_get_ms"], b["jsii_get_ms"]]
    g_on, g_off = statistics.median(gen_on), statistics.median(gen_off)
    per_resource_ms = 1000 * (g_on - g_off) / resources
    jsii_ms = statistics.median(calibrations)

    print(
        f"app `cdk synth` (median of {args.runs}): cost off {app_off:.2f} s, on {app_on:.2f} s,"
        f" overhead {100 * app_overhead:+.1f}% (goal <= 15%)"
    )
    print(
        f"generated app, {resources} resources ({priced} priced), in-process build+synth "
        f"(median of {args.runs}): off {g_off:.2f} s, on {g_on:.2f} s, "
        f"{per_resource_ms:.2f} ms per resource (goal <= 2 ms); jsii calibration "
        f"{jsii_ms:.3f} ms per node.path read, so {per_resource_ms / jsii_ms:.1f} reads' worth "
        "per resource"
    )
    print(
        f"generated app, cost on: {calls} calls into the node process during synth "
        f"({calls / resources:.2f} per resource) and {callbacks} callbacks from it "
        f"({callbacks / resources:.2f} per resource); counts, not times, so they compare "
        "across machines and loads"
    )
    print(json.dumps({
        "app_synth_off_s": round(app_off, 3),
        "app_synth_on_s": round(app_on, 3),
        "app_overhead_pct": round(100 * app_overhead, 1),
        "generated_resources": resources,
        "generated_priced": priced,
        "generated_off_s": round(g_off, 3),
        "generated_on_s": round(g_on, 3),
        "generated_ms_per_resource": round(per_resource_ms, 3),
        "jsii_get_ms": round(jsii_ms, 4),
        "per_resource_in_jsii_gets": round(per_resource_ms / jsii_ms, 2),
        "synth_jsii_calls": calls,
        "synth_jsii_callbacks": callbacks,
        "runs": args.runs,
    }))  # fmt: skip
    sys.stdout.flush()


if __name__ == "__main__":
    main()
