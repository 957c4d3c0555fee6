"""Bounds that keep pathological templates from exhausting time, memory or the stack.

Each is far above what CloudFormation itself accepts (at most 500 resources, a 1 MB template),
so a template that deploys never meets them; one that does gets a `TemplateError` saying which.
"""

from __future__ import annotations

#: Nesting of mappings, lists and intrinsic functions. The deepest of the 270-odd templates
#: of aws-cloudformation-templates nests 16 levels; the limit keeps recursion far from
#: Python's own.
MAX_DEPTH = 100

#: Values visited while expanding and resolving one template. The largest template of
#: aws-cloudformation-templates (58 KB of JSON) needs 1,685; at that rate a 1 MB template, the most
#: CloudFormation accepts, needs some 30,000. YAML aliases can make a small file stand for
#: exponentially many values.
MAX_WORK = 500_000

#: Entries that all Fn::ForEach loops of one template may generate together.
MAX_FOREACH_ENTRIES = 2_000
