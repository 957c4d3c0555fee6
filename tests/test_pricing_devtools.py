"""CodeCommit repositories (active users, AWS's CodeCommit file, one price for every region) and
the CloudFormation types that deploy or transform other templates; expected values computed by
hand from the catalog figures read (and quoted) below."""

from __future__ import annotations

from typing import Any

from cost.catalog import default_catalog
from cost.estimate import Estimator
from cost.model import StackCost
from cost.pricing.usage import Usage


def estimate(
    resources: dict[str, Any], usage: dict[str, Any] | None = None, region: str = "us-east-1"
) -> StackCost:
    estimator = Estimator(default_catalog(), Usage.from_mapping(usage or {}))
    return estimator.estimate_template({"Resources": resources}, name="t", region=region)


REPO = {"R": {"Type": "AWS::CodeCommit::Repository", "Properties": {"RepositoryName": "r"}}}


def test_the_catalog_figures_used_below() -> None:
    users = default_catalog().lookup(
        "AWSCodeCommit", "global", "Developer Tools", "Users-ActiveUsers"
    )
    assert [(t.begin, t.end, t.usd) for t in users.tiers] == [(0, 5, 0.0), (5, None, 1.0)]
    assert users.source == "codecommit"


def test_active_users_beyond_the_first_five() -> None:
    usage = {"resources": {"R": {"monthly_active_users": 30}}}
    (line,) = estimate(REPO, usage, region="sa-east-1").resources
    # 30 users: 5 x 0.00 + 25 x 1.00 = 25.00, the same in every region
    assert line.monthly_cost == 25.00 and line.usage_based
    # the default, 5 users: all in the free tier, shown (not silently zero)
    (default,) = estimate(REPO).resources
    assert default.monthly_cost == 0.0 and default.components[0].quantity == 5


def test_a_macro_is_free_and_a_stackset_says_where_its_cost_is() -> None:
    stack = estimate(
        {
            "M": {"Type": "AWS::CloudFormation::Macro", "Properties": {"FunctionName": "f"}},
            "S": {"Type": "AWS::CloudFormation::StackSet", "Properties": {}},
        }
    )
    assert [f.logical_id for f in stack.free] == ["M"]
    assert "Lambda function is priced" in stack.free[0].reason
    (unsupported,) = stack.unsupported
    assert unsupported.logical_id == "S" and "StackSet" in unsupported.reason
