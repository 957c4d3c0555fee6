"""The tagging aspect: prices each L1 resource of a priced type and tags it.

The aspect only tags (and warns). Reports and guardrails come from the validation plugin,
which prices the final templates; a tag that differs from its report line (a raw property
override the aspect could not see) is a report warning.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import jsii
from aws_cdk import (
    Annotations,
    CfnCondition,
    CfnParameter,
    CfnResource,
    IAspect,
    Stack,
    Stage,
    TagManager,
    Token,
)

from constructs import IConstruct
from cost.estimate import resolve_region
from cost.model import ResourceCost
from cost.pricing import PRICED, Resource, free_reason, referenced_types
from cost.template import TemplateError, resolve_template

if TYPE_CHECKING:
    from cost.cdk.estimate import CostEstimate

COST_TAG = "cost:monthly-usd"
#: cx-api's context flag for path metadata (set by the CDK CLI unless --no-path-metadata)
#: and the metadata key under which each CfnResource then records its construct path
PATH_METADATA_CONTEXT = "aws:cdk:enable-path-metadata"
PATH_METADATA_KEY = "aws:cdk:path"
NESTED_STACK = "AWS::CloudFormation::Stack"


class CaseInsensitiveProperties(dict[str, Any]):
    """Resolved L1 properties with CloudFormation-style access.

    `stack.resolve(node._cfn_properties)` gives camelCase keys (`dbInstanceClass`); CDK derives
    them from the CloudFormation names by changing case only, so a case-insensitive lookup
    finds `DBInstanceClass`. Nested objects and lists are wrapped the same way.
    """

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__({k.lower(): _wrap(v) for k, v in data.items()})

    def get(self, key: str, default: Any = None) -> Any:
        return super().get(key.lower(), default)

    def __getitem__(self, key: str) -> Any:
        return super().__getitem__(key.lower())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and super().__contains__(key.lower())


def _wrap(value: Any) -> Any:
    if isinstance(value, dict):
        # Intrinsic functions keep their exact keys ({"Ref": ...}, {"Fn::GetAtt": ...}).
        if (len(value) == 1 and "Ref" in value) or any(k.startswith("Fn::") for k in value):
            return value
        return CaseInsensitiveProperties(value)
    if isinstance(value, list):
        return [_wrap(v) for v in value]
    return value


#: L1 class -> the generated L1 class it is or derives from (None: a plain CfnResource, whose
#: type is per instance), and that class's CloudFormation type and taggability. The type is
#: a jsii static property (a call to the node process on every read) and taggability is a
#: call too; both are fixed by the generated class, so each class asks once.
_L1_CLASS: dict[type, tuple[str, bool | None] | None] = {}
_TYPE_CONSTANT = "CFN_RESOURCE_TYPE_NAME"


def jsii_ref(construct: IConstruct) -> str:
    """The construct's jsii object reference, read on the Python side (no call). It names the
    JavaScript object: constructs created on the JavaScript side (the L1s inside an L2) come
    back as a new Python object on every read, so identity does not find them again."""
    ref: str = construct.__jsii_ref__.ref  # type: ignore[attr-defined]
    return ref


def _generated(cls: type) -> tuple[str, bool | None] | None:
    """(CloudFormation type, taggability if asked yet) of the generated L1 class in `cls`'s
    MRO (a user's subclass of CfnBucket is a bucket), asked once per class."""
    if cls not in _L1_CLASS:
        owner = next((c for c in cls.__mro__ if _TYPE_CONSTANT in vars(c)), None)
        constant = getattr(owner, _TYPE_CONSTANT, None) if owner is not None else None
        _L1_CLASS[cls] = (constant, None) if isinstance(constant, str) else None
    return _L1_CLASS[cls]


def resource_type_of(node: CfnResource) -> str:
    """The CloudFormation type: the generated L1 class's, read once per class; a plain
    CfnResource reads its own."""
    known = _generated(type(node))
    return known[0] if known is not None else node.cfn_resource_type


def is_taggable(node: CfnResource) -> bool:
    """`TagManager.is_taggable`, asked once per generated L1 class (per node otherwise)."""
    known = _generated(type(node))
    if known is None:
        return TagManager.is_taggable(node)
    rtype, taggable = known
    if taggable is None:
        taggable = TagManager.is_taggable(node)
        _L1_CLASS[type(node)] = (rtype, taggable)
    return taggable


def assembly_key(stack: Stack) -> tuple[str, str]:
    """(cloud-assembly directory id, template file): how the plugin finds this stack again.

    The App's own assembly is "", a Stage's is its artifact id (`assembly-Prod`); nested
    stacks write their templates into their parent's assembly.
    """
    stage = Stage.of(stack)
    directory = stage.artifact_id if stage is not None else ""
    return directory, stack.template_file


class StackIndex:
    """ResourceIndex over one stack's L1 constructs, resolved on demand and cached.

    Properties go through the same CloudFormation semantics as the final templates: the
    stack's CfnParameter defaults, its CfnConditions, pseudo parameters (the pricing region)
    and intrinsic functions, so a tag prices what the report prices. (CfnMapping values are
    not visible to the aspect: a priced value from Fn::FindInMap stays unresolved here, and
    the report then warns that the tag differs from its line.)
    """

    def __init__(self, stack: Stack, region: str) -> None:
        self.stack = stack
        self.region = region
        self._nodes: dict[str, CfnResource] | None = None
        self._by_type: dict[str, list[str]] = {}
        self._resolved: dict[str, Resource | None] = {}
        self._context: dict[str, Any] = {}
        #: jsii object reference -> logical ID of the scanned nodes
        self._ids: dict[str, str] = {}
        self._stack_name: str | None = None
        self._path_metadata: bool | None = None

    @property
    def stack_name(self) -> str:
        if self._stack_name is None:
            self._stack_name = self.stack.stack_name
        return self._stack_name

    def path_of(self, node: CfnResource) -> str:
        """The construct path. With path metadata on (the CDK CLI's default) every L1 carries
        it from its constructor, one call away; else `node.path` (two calls)."""
        if self._path_metadata is None:
            self._path_metadata = bool(self.stack.node.try_get_context(PATH_METADATA_CONTEXT))
        if self._path_metadata:
            path = node.get_metadata(PATH_METADATA_KEY)
            if isinstance(path, str):
                return path
        return node.node.path

    def logical_id(self, node: CfnResource) -> str:
        """The node's logical ID: from the scan when it was scanned, else asked."""
        self._scan()
        found = self._ids.get(jsii_ref(node))
        return found if found is not None else self.stack.get_logical_id(node)

    def _scan(self) -> dict[str, CfnResource]:
        if self._nodes is None:
            self._nodes = {}
            # Priced types (their logical IDs, asked once here) and the types pricing
            # functions read as neighbours.
            wanted = referenced_types() | PRICED.keys()
            parameters: dict[str, Any] = {}
            conditions: dict[str, Any] = {}
            children = self.stack.node.find_all()
            # A construct under this stack belongs to it unless a nested stack sits between
            # them: without nested stacks no Stack.of call is needed.
            nested = any(isinstance(c, Stack) and c is not self.stack for c in children)

            def own(child: IConstruct) -> bool:
                return not nested or Stack.of(child) is self.stack

            for child in children:
                if isinstance(child, CfnResource):
                    rtype = resource_type_of(child)
                    if rtype in wanted and own(child):
                        logical_id = self.stack.get_logical_id(child)
                        self._nodes[logical_id] = child
                        self._ids[jsii_ref(child)] = logical_id
                        self._by_type.setdefault(rtype, []).append(logical_id)
                elif isinstance(child, CfnParameter) and own(child):
                    definition: dict[str, Any] = {"Type": child.type}
                    default = self.stack.resolve(child.default)
                    if default is not None:
                        definition["Default"] = default
                    parameters[self.stack.get_logical_id(child)] = definition
                elif isinstance(child, CfnCondition) and own(child):
                    expression = self.stack.resolve(child.expression)
                    if expression is not None:
                        conditions[self.stack.get_logical_id(child)] = expression
            if parameters:
                self._context["Parameters"] = parameters
            if conditions:
                self._context["Conditions"] = conditions
        return self._nodes

    def scanned_refs(self) -> list[str]:
        """The jsii references of the stack's own resources of priced and neighbour types."""
        self._scan()
        return list(self._ids)

    def resolve(self, node: CfnResource, logical_id: str, rtype: str) -> Resource | None:
        """The resource with resolved properties; None when its Condition is false."""
        if logical_id in self._resolved:
            return self._resolved[logical_id]
        self._scan()
        raw = self.stack.resolve(node._cfn_properties) or {}
        body: dict[str, Any] = {"Type": rtype, "Properties": raw}
        if "Conditions" in self._context:  # no CfnCondition in the stack: no call needed
            condition = node.cfn_options.condition
            if condition is not None:
                body["Condition"] = self.stack.get_logical_id(condition)
        path = self.path_of(node)
        result: Resource | None = Resource(logical_id, rtype, CaseInsensitiveProperties(raw), path)
        try:
            resolved = resolve_template(
                {**self._context, "Resources": {logical_id: body}},
                region=self.region,
                stack_name=self.stack_name,
            )
        except TemplateError:
            # The final templates are judged by the plugin, which reports the problem.
            resolved = None
        if resolved is not None:
            found = resolved.resources.get(logical_id)
            result = (
                None
                if found is None
                else Resource(logical_id, rtype, CaseInsensitiveProperties(found.properties), path)
            )
        self._resolved[logical_id] = result
        return result

    def get(self, logical_id: str) -> Resource | None:
        if logical_id in self._resolved:
            return self._resolved[logical_id]
        node = self._scan().get(logical_id)
        if node is None:
            return None
        return self.resolve(node, logical_id, resource_type_of(node))

    def of_type(self, resource_type: str) -> list[Resource]:
        self._scan()
        found = [self.get(i) for i in self._by_type.get(resource_type, [])]
        return [r for r in found if r is not None]


@dataclass
class StackState:
    """What the aspect learned about one stack: for the plugin's checks and the budget limit."""

    name: str
    region: str
    index: StackIndex
    #: logical ID -> the tag value written
    tags: dict[str, str] = field(default_factory=dict)
    #: logical ID -> (construct path, node): templates synthesized without path metadata
    #: lack the path; the node resolves the final logical ID if an override renamed it.
    nodes: dict[str, tuple[str, CfnResource]] = field(default_factory=dict)
    #: logical ID -> the aspect's priced line
    lines: dict[str, ResourceCost] = field(default_factory=dict)
    #: (service, region) pairs without prices already said (one warning each)
    gaps: set[tuple[str, str]] = field(default_factory=set)


@jsii.implements(IAspect)
class CostTagAspect:
    """Prices and tags each L1 resource of a priced type; warns about the others."""

    def __init__(self, estimate: CostEstimate) -> None:
        self.estimate = estimate
        self._by_stack: dict[str, StackState] = {}
        #: jsii reference of a scanned resource -> its stack's state (no `node.stack` call)
        self._by_node: dict[str, StackState] = {}

    def visit(self, node: IConstruct) -> None:
        if not isinstance(node, CfnResource):
            return
        rtype = resource_type_of(node)
        if rtype in PRICED:
            self._price_and_tag(node, rtype)
        elif rtype != NESTED_STACK and free_reason(rtype) is None:
            state = self._state(node)
            state.nodes[state.index.stack.get_logical_id(node)] = (state.index.path_of(node), node)
            warning_id = "cost:unsupported-" + rtype.replace("::", "-")
            Annotations.of(node).add_warning_v2(
                warning_id,
                f"The cost estimate cannot price {rtype.replace('::', ' ')} resources; they "
                "are listed as unsupported in the cost report and left out of the total.",
            )

    def paths(self, state: StackState, template_ids: set[str]) -> dict[str, str]:
        """Final logical ID -> construct path of every resource the aspect visited."""
        found: dict[str, str] = {}
        for logical_id, (path, node) in state.nodes.items():
            if logical_id not in template_ids:
                # Renamed after the aspect ran (overrideLogicalId): resolve the final ID.
                resolved = state.index.stack.resolve(node.logical_id)
                if isinstance(resolved, str):
                    logical_id = resolved
            found[logical_id] = path
        return found

    def _state(self, node: CfnResource) -> StackState:
        known = self._by_node.get(jsii_ref(node))
        if known is not None:
            return known
        stack = node.stack
        # The stack's jsii reference finds the state without the three calls assembly_key
        # makes.
        cached = self._by_stack.get(jsii_ref(stack))
        if cached is not None:
            return cached
        key = assembly_key(stack)
        state = self.estimate.stack_states.get(key)
        if state is None:
            region: str | None = self.estimate.region_override or stack.region
            if region is not None and Token.is_unresolved(region):
                region = None
            pricing_region, _ = resolve_region(region)
            index = StackIndex(stack, pricing_region)
            state = StackState(index.stack_name, pricing_region, index)
            self.estimate.stack_states[key] = state
        self._by_stack[jsii_ref(stack)] = state
        for ref in state.index.scanned_refs():
            self._by_node.setdefault(ref, state)
        return state

    def _price_and_tag(self, node: CfnResource, rtype: str) -> None:
        state = self._state(node)
        index = state.index
        stack = index.stack
        logical_id = index.logical_id(node)
        resource = index.resolve(node, logical_id, rtype)
        path = resource.path if resource is not None and resource.path else index.path_of(node)
        state.nodes[logical_id] = (path, node)
        if resource is None:
            return  # its Condition is false: not deployed, not tagged
        kind, line = self.estimate.estimator.price_resource(resource, state.region, state.index)
        if kind == "unsupported":
            gap = getattr(line, "price_gap", None)
            if gap and not self.estimate.estimator.catalog.has_region(*gap):
                if gap not in state.gaps:
                    state.gaps.add(gap)
                    Annotations.of(stack).add_warning_v2(
                        f"cost:no-prices-{gap[0]}-{gap[1]}",
                        f"The price catalog has no {gap[0]} prices for {gap[1]}: resources that "
                        "need them are listed as unsupported in the cost report, untagged.",
                    )
                return
            Annotations.of(node).add_warning_v2(
                "cost:unpriced-" + rtype.replace("::", "-"),
                f"The cost estimate could not price this resource: {getattr(line, 'reason', '')}",
            )
            return
        if not isinstance(line, ResourceCost):
            return
        state.lines[logical_id] = line
        if is_taggable(node):
            value = f"{line.monthly_cost:.2f}"
            # L1s that are taggable expose a TagManager as `tags` (ITaggable).
            node.tags.set_tag(COST_TAG, value, 1000, True)  # type: ignore[attr-defined]
            state.tags[logical_id] = value
