"""Bounds that keep pathological templates from exhausting time, memory or the stack.

Each is far above what CloudFormation itself accepts (at most 500 resources, a 1 MB template),
so a template that deploys never meets them; one that does gets a `TemplateError` saying which.
"""

from __future__ import annotations

#: Nesting of mappings, lists and intrinsic functions. CDK and hand-written templates stay
#: under 20; the limit keeps recursion far from Python's own.
MAX_DEPTH = 100

#: Values visited while expanding and resolving one template (YAML aliases can make a small
#: file stand for an exponentially large one).
MAX_WORK = 1_000_000

#: Entries that all Fn::ForEach loops of one template may generate together.
MAX_FOREACH_ENTRIES = 2_000
