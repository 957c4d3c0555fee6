"""An AWS Budgets budget on the real bill of this deployment.

Scoped to the deployment's cost-allocation tag and limited to the synthesized estimate times a
factor, with notifications at 80% of actual spend and 100% of forecast spend: the estimate at
synth becomes an alarm on the bill. The tag must be activated as a cost-allocation tag in the
Billing console once (README).
"""

from __future__ import annotations

from aws_cdk import aws_budgets as budgets

from constructs import Construct


class CostBudget(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        limit_usd: float,
        tag_key: str,
        tag_value: str,
        email: str | None,
        topic_arn: str | None,
    ) -> None:
        super().__init__(scope, construct_id)
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
