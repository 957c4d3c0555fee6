"""Types AWS has retired (CloudFormation can no longer create them), and types whose cost
lies in stacks they deploy elsewhere: neither is priced.

Each stays "unsupported" in the report, with the reason (the retirement and where AWS
announced it; where the money is billed instead), rather than the bare "no pricing function
for this type".
"""

from __future__ import annotations

#: How every retirement reason begins (the report and the template-share benchmark read it).
RETIRED_BY_AWS = "retired by AWS: "
IOT_ANALYTICS = (
    RETIRED_BY_AWS + "AWS IoT Analytics reached end of support on 2025-12-15 and its resources "
    "can no longer be created or accessed "
    "(https://docs.aws.amazon.com/iotanalytics/latest/userguide/iotanalytics-end-of-support.html); "
    "not priced"
)

RETIRED_TYPES: dict[str, str] = {
    "AWS::IoTAnalytics::Channel": IOT_ANALYTICS,
    "AWS::IoTAnalytics::Datastore": IOT_ANALYTICS,
    "AWS::IoTAnalytics::Pipeline": IOT_ANALYTICS,
    "AWS::IoTAnalytics::Dataset": IOT_ANALYTICS,
}


#: Types that deploy templates into other accounts or regions: their cost is those stacks'.
ELSEWHERE_TYPES: dict[str, str] = {
    "AWS::CloudFormation::StackSet": (
        "a StackSet deploys its template as stack instances in the target accounts and "
        "regions; the StackSet itself bills nothing, and its instances are not priced here "
        "(estimate the StackSet's template once per target region)"
    ),
}


def retired_reason(resource_type: str) -> str | None:
    """Why a type without a pricing function is unsupported, when it is known."""
    return RETIRED_TYPES.get(resource_type) or ELSEWHERE_TYPES.get(resource_type)
