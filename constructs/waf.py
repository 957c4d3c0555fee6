"""An optional AWS WAF web ACL on the load balancer: a rate limit per client address.

The tracking server throttles failed logins itself, but per task: with several tasks behind
the load balancer a client gets each task's allowance. The web ACL's rate-based rule counts a
client address's requests across every task (the load balancer is where they all pass), so
it is the cross-task layer over the per-task throttle.

The rule aggregates on the address the load balancer sees (`IP`), not on `X-Forwarded-For`
(`FORWARDED_IP`), which a client can set to anything. Blocked requests get 429, which MLflow's
client retries with backoff. WAF counts over a sliding window of `waf_rate_window_seconds`
(60, 120, 300 or 600; 300 unless set) and accepts limits from 10 to 2,000,000,000 requests
(AWS WAF's RateBasedStatement; the same bounds are in cfn-lint's resource schema).
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Stack
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_wafv2 as wafv2

from constructs import Construct
from constructs.settings import setting

#: AWS WAF's bounds for a rate-based rule's limit and its evaluation windows (seconds).
RATE_LIMIT_RANGE = (10, 2_000_000_000)
RATE_WINDOWS_SECONDS = (60, 120, 300, 600)


@dataclass(frozen=True, kw_only=True)
class WebAclSettings:
    """The web ACL's settings (context keys are the field names)."""

    waf: bool = setting(
        False,
        doc="an AWS WAF web ACL on the load balancer whose rate-based rule answers 429 to a "
        "client address above `waf_rate_limit` requests per `waf_rate_window_seconds` "
        "(metrics and sampled requests in CloudWatch); billed per web ACL, rule and request",
    )
    waf_rate_limit: int = setting(
        10_000,
        between=RATE_LIMIT_RANGE,
        doc="requests one client address may send per window before WAF blocks it (10,000 "
        "per 5 minutes is about 33 a second; raise it for many users behind one address)",
    )
    waf_rate_window_seconds: int = setting(
        300, one_of=RATE_WINDOWS_SECONDS, doc="the window WAF counts requests over (seconds)"
    )


def _visibility(metric_name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    return wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True,
        metric_name=metric_name,
        sampled_requests_enabled=True,
    )


class RateLimitWebAcl(Construct):
    """A regional web ACL that allows by default, with one rate-based blocking rule, and
    its association with the load balancer."""

    RULE_NAME = "rate-limit-per-client-address"

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: WebAclSettings,
        load_balancer: elbv2.IApplicationLoadBalancer,
    ) -> None:
        super().__init__(scope, construct_id)
        metric_prefix = Stack.of(self).stack_name
        rule = wafv2.CfnWebACL.RuleProperty(
            name=self.RULE_NAME,
            priority=0,
            action=wafv2.CfnWebACL.RuleActionProperty(
                block=wafv2.CfnWebACL.BlockActionProperty(
                    custom_response=wafv2.CfnWebACL.CustomResponseProperty(response_code=429)
                )
            ),
            statement=wafv2.CfnWebACL.StatementProperty(
                rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                    aggregate_key_type="IP",
                    limit=settings.waf_rate_limit,
                    evaluation_window_sec=settings.waf_rate_window_seconds,
                )
            ),
            visibility_config=_visibility(f"{metric_prefix}-{self.RULE_NAME}"),
        )
        self.web_acl = wafv2.CfnWebACL(
            self,
            "Resource",
            scope="REGIONAL",
            description="MLflow load balancer: rate limit per client address",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(
                allow=wafv2.CfnWebACL.AllowActionProperty()
            ),
            rules=[rule],
            visibility_config=_visibility(f"{metric_prefix}-web-acl"),
        )
        self.association = wafv2.CfnWebACLAssociation(
            self,
            "Association",
            resource_arn=load_balancer.load_balancer_arn,
            web_acl_arn=self.web_acl.attr_arn,
        )
