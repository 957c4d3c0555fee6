"""Types AWS has retired are reported unsupported with the retirement, never priced."""

from __future__ import annotations

from typing import Any

from cost.catalog import default_catalog
from cost.estimate import Estimator
from cost.model import StackCost
from cost.pricing import FREE_TYPES, PRICED
from cost.pricing.retired import ELSEWHERE_TYPES, RETIRED_BY_AWS, RETIRED_TYPES
from cost.pricing.usage import Usage


def estimate(resources: dict[str, Any]) -> StackCost:
    estimator = Estimator(default_catalog(), Usage.from_mapping({}))
    return estimator.estimate_template({"Resources": resources}, name="t", region="us-east-1")


def test_retired_types_are_neither_priced_nor_free() -> None:
    assert RETIRED_TYPES and ELSEWHERE_TYPES
    for types in (RETIRED_TYPES, ELSEWHERE_TYPES):
        assert not set(types) & set(PRICED)
        assert not set(types) & set(FREE_TYPES)


def test_an_iot_analytics_channel_is_unsupported_as_retired() -> None:
    stack = estimate({"C": {"Type": "AWS::IoTAnalytics::Channel", "Properties": {}}})
    assert stack.resources == []
    (line,) = stack.unsupported
    assert line.reason.startswith(RETIRED_BY_AWS)
    assert "end of support on 2025-12-15" in line.reason
    assert "iotanalytics-end-of-support" in line.reason


def test_aurora_serverless_v1_is_unsupported_as_retired() -> None:
    cluster = {"Engine": "aurora-mysql", "EngineMode": "serverless"}
    stack = estimate({"DB": {"Type": "AWS::RDS::DBCluster", "Properties": cluster}})
    (line,) = stack.unsupported
    # Every retirement reason starts alike: the report's reader and the template-share
    # benchmark's retired count find them by it.
    assert line.reason.startswith(RETIRED_BY_AWS) and "Serverless v2" in line.reason
    assert "ended on 2025-03-31" in line.reason


def test_a_stackset_is_unsupported_with_where_its_cost_lies() -> None:
    stack = estimate({"S": {"Type": "AWS::CloudFormation::StackSet", "Properties": {}}})
    (line,) = stack.unsupported
    assert "stack instances in the target accounts" in line.reason
    assert "no pricing function" not in line.reason
