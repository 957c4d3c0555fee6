"""An AWS Budgets budget on the real bill of this deployment.

Scoped to the deployment's cost-allocation tag and limited to the synthesized estimate times a
factor, with notifications at 80% of actual spend and 100% of forecast spend: the estimate at
synth becomes an alarm on the bill. The tag must be activated as a cost-allocation tag in the
Billing console once (README).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from aws_cdk import aws_budgets as budgets

from constructs import Construct
from constructs.settings import Matches, Rule, setting


@dataclass(frozen=True, kw_only=True)
class CostBudgetSettings:
    """The AWS Budgets budget's settings (context keys are the field names)."""

    budget_alarm: bool = setting(
        False, doc="create an AWS Budgets budget on this deployment's real bill"
    )
    budget_alarm_factor: float = setting(
        1.2, between=(1.0, 10.0), doc="its limit: the synthesized estimate times this"
    )
    budget_alarm_email: str | None = setting(
        None,
        check=Matches(r"[^@\s]+@[^@\s]+\.[^@\s]+", what="an email address", allowed="name@domain"),
        doc="notify this address (80% of actual, 100% of forecast)",
    )
    budget_alarm_topic_arn: str | None = setting(
        None,
        check=Matches(
            r"arn:aws:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}",
            what="an SNS topic ARN",
            allowed="arn:aws:sns:REGION:ACCOUNT:NAME",
        ),
        doc="or this SNS topic",
    )

    RULES: ClassVar[tuple[Rule[CostBudgetSettings], ...]] = (
        Rule(
            reads=(),
            broken=lambda s: (
                s.budget_alarm and not (s.budget_alarm_email or s.budget_alarm_topic_arn)
            ),
            message=lambda s: (
                "budget_alarm=true needs budget_alarm_email or budget_alarm_topic_arn; "
                "allowed: either or both"
            ),
        ),
    )


class CostBudget(Construct):
    """A monthly cost budget filtered on one tag, notifying by email and/or SNS."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        limit_usd: float,
        tag_key: str,
        tag_value: str,
        settings: CostBudgetSettings,
    ) -> None:
        super().__init__(scope, construct_id)
        email, topic_arn = settings.budget_alarm_email, settings.budget_alarm_topic_arn
        subscribers = []
        if email:
            subscribers.append(
                budgets.CfnBudget.SubscriberProperty(subscription_type="EMAIL", address=email)
            )
        if topic_arn:
            subscribers.append(
                budgets.CfnBudget.SubscriberProperty(subscription_type="SNS", address=topic_arn)
            )
        notifications = [
            budgets.CfnBudget.NotificationWithSubscribersProperty(
                notification=budgets.CfnBudget.NotificationProperty(
                    notification_type=kind,
                    comparison_operator="GREATER_THAN",
                    threshold=threshold,
                    threshold_type="PERCENTAGE",
                ),
                subscribers=subscribers,
            )
            for kind, threshold in (("ACTUAL", 80), ("FORECASTED", 100))
        ]
        self.budget = budgets.CfnBudget(
            self,
            "Resource",
            budget=budgets.CfnBudget.BudgetDataProperty(
                budget_type="COST",
                time_unit="MONTHLY",
                budget_limit=budgets.CfnBudget.SpendProperty(amount=limit_usd, unit="USD"),
                cost_filters={"TagKeyValue": [f"user:{tag_key}${tag_value}"]},
            ),
            notifications_with_subscribers=notifications,
        )
