"""Property-based, end to end: whatever valid-shaped values a template holds, the engine prices,
assumes or reports every resource; nothing raises but the documented input error.

Hypothesis takes templates covering every priced type (the registry's cases) and the
CloudFormation-semantics fixtures, replaces or deletes property values with other shapes
(every intrinsic function, AWS::NoValue, lists, mappings, strings, numbers, booleans, None;
the strategy of test_template_fuzz), then runs the whole pipeline: resolve, price, judge
policies and a budget, render JSON, Markdown and the summary. Every resource must come out
exactly once (priced, free, unsupported, not deployed, or a nested stack's line) or the whole
template must be refused with a TemplateError.

Derandomized with a fixed number of examples: repeatable, a few seconds.
"""

from __future__ import annotations

import copy
import json
import os
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_registry import PRICED_CASES, UNPRICED_CASES
from test_template_fuzz import TEMPLATES, _mutable_paths, _values

from cost.catalog import default_catalog
from cost.estimate import Estimator, StackSource
from cost.policy import Policy, judge
from cost.pricing.usage import Usage
from cost.report.render import summary, to_json, to_markdown
from cost.template import TemplateError

CASES = {
    f"{kind}-{i}-{case.type}": {"Resources": copy.deepcopy(case.resources)}
    for kind, cases in (("priced", PRICED_CASES), ("unpriced", UNPRICED_CASES))
    for i, case in enumerate(cases)
}
SAMPLES = {**CASES, **{name: t for name, t in TEMPLATES.items() if "nested" not in name}}
PATHS = {
    name: [p for p in _mutable_paths(t) if "Properties" in p[:-1]] or _mutable_paths(t)
    for name, t in SAMPLES.items()
}
VALUES = {name: _values(t) for name, t in SAMPLES.items()}
POLICIES = [
    Policy(rule="no-nat", type="AWS::EC2::NatGateway", deny=True),
    Policy(rule="db-size", type="AWS::RDS::DBInstance", max_monthly=50),
    Policy(rule="multi-az", type="AWS::RDS::DBInstance", when={"MultiAZ": True}, deny=True),
    Policy(rule="total", max_total_monthly=500),
]
ESTIMATOR = Estimator(default_catalog(), Usage.empty())


def _set(template: dict[str, Any], path: tuple[Any, ...], value: Any, delete: bool) -> None:
    node: Any = template
    for key in path[:-1]:
        node = node[key]
    if delete and isinstance(node, dict):
        node.pop(path[-1], None)
    elif delete and isinstance(node, list):
        node.pop(path[-1])
    else:
        node[path[-1]] = value


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    name = draw(st.sampled_from(sorted(SAMPLES)))
    template = copy.deepcopy(SAMPLES[name])
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        if not PATHS[name]:
            break
        path = draw(st.sampled_from(PATHS[name]))
        try:
            _set(template, path, draw(VALUES[name]), draw(st.booleans()))
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed or replaced this path
    region = draw(st.sampled_from(["us-east-1", "eu-central-1", "ap-southeast-2"]))
    return f"{name}@{region}", template


@settings(
    # FUZZ_EXAMPLES=5000 for a longer hunt; 300 keep `make unit` fast.
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "300")),
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(mutated())
def test_every_resource_is_priced_assumed_or_reported(sample: tuple[str, dict[str, Any]]) -> None:
    label, template = sample
    region = label.rsplit("@", 1)[1]
    try:
        stacks = ESTIMATOR.estimate([StackSource("fuzz", template, region=region)])
    except TemplateError:
        return  # refused as bad input, with where (the CLI exits 2)
    report = ESTIMATOR.report(stacks)
    stack = stacks[0]
    lines = [
        line.logical_id
        for group in (stack.resources, stack.free, stack.unsupported, stack.not_deployed)
        for line in group
    ]
    assert len(lines) == len(set(lines)), f"{label}: a resource listed twice"
    assert set(lines) == set(stack.subjects), f"{label}: a resource went missing"
    for line in stack.resources:
        assert line.monthly_cost >= 0 and all(c.quantity >= 0 for c in line.components), label
    for line in stack.unsupported + stack.free:
        assert line.reason, f"{label}: {line.logical_id} listed without a reason"
    findings = judge(report, policies=POLICIES, profile="fuzz", budget=100)
    assert all(f.message for f in findings)
    json.loads(to_json(report))
    assert to_markdown(report).startswith("## Estimated monthly cost")
    assert summary(report).startswith("Estimated monthly cost")
