"""AWS WAF (WAFv2) web ACLs: the web ACL, its rules and the requests it inspects.

Prices from the file AWS's WAF pricing page loads (family = that file's dimension name; see
`cost.refresh --pricing-page`). Managed rule groups with a subscription fee of their own (Bot
Control, Fraud Control account takeover/creation prevention, AWS Marketplace sellers) are not
in the catalog: a web ACL that uses one is reported unsupported rather than priced without it.
"""

from __future__ import annotations

from typing import Any

from cost.catalog.spec import Page, PriceSpec
from cost.model import CostComponent
from cost.pricing.context import PricingContext, Resource, Unpriceable, is_unresolved
from cost.pricing.registry import UsageKey, priced

WAF = "awswaf"
WEB_ACL = "WebACL per month"
RULE = "Rules added per WebACL per month"
REQUESTS = "Web Requests received per Request"

#: AWS managed rule groups billed beyond the rule charge (intelligent threat mitigation).
PAID_AWS_RULE_GROUPS = frozenset(
    {
        "AWSManagedRulesBotControlRuleSet",
        "AWSManagedRulesATPRuleSet",
        "AWSManagedRulesACFPRuleSet",
        "AWSManagedRulesAntiDDoSRuleSet",
    }
)


def _statements(statement: Any) -> list[dict[str, Any]]:
    """Every statement nested in a rule's statement (And/Or/Not, rate-based scope-down)."""
    if not isinstance(statement, dict):
        return []
    found = [statement]
    for key in ("AndStatement", "OrStatement"):
        inner = statement.get(key)
        if isinstance(inner, dict):
            for child in inner.get("Statements") or []:
                found += _statements(child)
    not_statement = statement.get("NotStatement")
    if isinstance(not_statement, dict):
        found += _statements(not_statement.get("Statement"))
    rate = statement.get("RateBasedStatement")
    if isinstance(rate, dict):
        found += _statements(rate.get("ScopeDownStatement"))
    return found


@priced(
    "AWS::WAFv2::WebACL",
    service="WAF",
    summary="web ACL-months, rule-months (one per rule; a rule group counts as one) and "
    "requests inspected; managed rule groups with their own fees are not in the catalog",
    usage=(UsageKey("monthly_requests", 1_000_000, "web requests the web ACL inspects per month"),),
    prices=(
        PriceSpec(WAF, WEB_ACL, None, published=Page("waf", WEB_ACL, "month")),
        PriceSpec(WAF, RULE, None, published=Page("waf", RULE, "month")),
        PriceSpec(WAF, REQUESTS, None, published=Page("waf", REQUESTS, "Request")),
    ),
)
def price_web_acl(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    props = resource.properties
    rules = props.get("Rules")
    if rules is None:
        rules = []
    if not isinstance(rules, list) or is_unresolved(rules):
        raise Unpriceable("its rules are not known at synth time")
    for rule in rules:
        for statement in _statements(rule.get("Statement") if isinstance(rule, dict) else None):
            managed = statement.get("ManagedRuleGroupStatement")
            if not isinstance(managed, dict):
                continue
            vendor, name = managed.get("VendorName"), managed.get("Name")
            if not (isinstance(vendor, str) and isinstance(name, str)):
                raise Unpriceable("a managed rule group is not known at synth time")
            if vendor != "AWS":
                raise Unpriceable(f"managed rule group {vendor}/{name}: seller fees are not priced")
            if name in PAID_AWS_RULE_GROUPS:
                raise Unpriceable(f"managed rule group {name} has fees not in the price catalog")
    if ctx.text(props.get("Scope"), "REGIONAL", "web ACL scope") == "CLOUDFRONT":
        ctx.assume("a CloudFront web ACL is billed at the same rates; priced in the stack's region")
    requests = ctx.usage.get("monthly_requests") or 0.0
    return [
        ctx.component("Web ACL", "web-ACL-months", 1, ctx.price(WAF, WEB_ACL, None)),
        ctx.component(
            f"Rules ({len(rules)})", "rule-months", len(rules), ctx.price(WAF, RULE, None)
        ),
        ctx.component(
            "Requests inspected",
            "requests",
            requests,
            ctx.price(WAF, REQUESTS, None),
            usage_based=True,
        ),
    ]
