"""AWS IoT Greengrass (V1) groups: core devices per month, from AWS's Greengrass pricing-page
file ("Greengrass Pay as you go", per core device per month).

A group has one core; its core definition version lists it. The group is the resource priced
(a core belongs to one group), so the definitions and their versions bill nothing themselves.
AWS's volume tiers above the first 10,000 devices are not in the file and not applied.
"""

from __future__ import annotations

from typing import Any

from cost.catalog.spec import Page, PriceSpec
from cost.model import CostComponent
from cost.pricing.context import PricingContext, Resource, Unpriceable
from cost.pricing.registry import free, priced

GREENGRASS = "AWSGreengrass"
CORE_DEVICES = PriceSpec(
    GREENGRASS,
    "Greengrass",
    "CoreDevice-Mo",
    published=Page("greengrass", "Greengrass Pay as you go", "Devices-Mo"),
)


def _cores(version: Any, ctx: PricingContext) -> int | None:
    """The cores a group's core definition version lists, when the template shows them."""
    target = ctx.referenced(version, "AWS::Greengrass::CoreDefinitionVersion")
    if target is not None:
        cores = target.properties.get("Cores")
    else:
        definition = ctx.referenced(version, "AWS::Greengrass::CoreDefinition")
        initial = definition.properties.get("InitialVersion") if definition else None
        cores = initial.get("Cores") if isinstance(initial, dict) else None
    return len(cores) if isinstance(cores, list) else None


@priced(
    "AWS::Greengrass::Group",
    service="IoT Greengrass",
    summary="core devices per month (the cores its core definition version lists; 1 assumed "
    "when the template does not show them)",
    prices=(CORE_DEVICES,),
    reads=("AWS::Greengrass::CoreDefinitionVersion", "AWS::Greengrass::CoreDefinition"),
)
def price_group(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    initial = resource.properties.get("InitialVersion")
    version = initial.get("CoreDefinitionVersionArn") if isinstance(initial, dict) else None
    cores = _cores(version, ctx)
    if cores is None:
        ctx.assume("the group's core definition is not in the template: 1 core device assumed")
        cores = 1
    if cores == 0:
        raise Unpriceable("the group's core definition version lists no cores (Cores is empty)")
    return [
        ctx.component(
            f"Core devices ({cores})",
            "device-months",
            cores,
            ctx.price(GREENGRASS, CORE_DEVICES.family, CORE_DEVICES.usagetype),
        )
    ]


free(
    "Greengrass definitions and their versions bill nothing; core devices are priced on the group",
    "AWS::Greengrass::CoreDefinition",
    "AWS::Greengrass::CoreDefinitionVersion",
    "AWS::Greengrass::FunctionDefinition",
    "AWS::Greengrass::FunctionDefinitionVersion",
    "AWS::Greengrass::SubscriptionDefinition",
    "AWS::Greengrass::SubscriptionDefinitionVersion",
    "AWS::Greengrass::ResourceDefinition",
    "AWS::Greengrass::ResourceDefinitionVersion",
    "AWS::Greengrass::LoggerDefinition",
    "AWS::Greengrass::LoggerDefinitionVersion",
    "AWS::Greengrass::DeviceDefinition",
    "AWS::Greengrass::DeviceDefinitionVersion",
    "AWS::Greengrass::ConnectorDefinition",
    "AWS::Greengrass::ConnectorDefinitionVersion",
    "AWS::Greengrass::GroupVersion",
)
