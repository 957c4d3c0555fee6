"""Types AWS has retired: CloudFormation can no longer create them, so they are not priced.

Each stays "unsupported" in the report (a template that declares one cannot be deployed as
written), with the retirement and where AWS announced it, instead of the bare "no pricing
function for this type".
"""

from __future__ import annotations

IOT_ANALYTICS = (
    "retired by AWS: AWS IoT Analytics reached end of support on 2025-12-15 and its resources "
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


def retired_reason(resource_type: str) -> str | None:
    return RETIRED_TYPES.get(resource_type)
