"""Amazon SageMaker AI: Studio notebook instances, from AWS's SageMaker pricing-page file for
Studio notebooks (`sagemaker-instances-studionotebook.json`, every row's Component
"Studio-Notebook", one hourly price per `ml.*` instance type and region).

In a Studio Classic domain the instance that hosts a user's JupyterServer app is free (the
"system" instance); each KernelGateway app bills its instance by the hour while it is in
service, at the Studio notebook price. A template's KernelGateway app runs until the stack
deletes it, so it is priced for every hour of the month unless usage says otherwise.

A domain's own bill is the Amazon EFS volume SageMaker creates with it for the users' home
directories (AWS's CloudFormation reference for AWS::SageMaker::Domain): its Standard storage,
from usage, at the EFS price the estimate uses for file systems.

SageMaker's other instance prices (training jobs, processing, real-time endpoints, batch
transform, notebook instances) come from other SageMaker files that no public repository
vendors: those resources are reported unsupported, and runs that used them are unpriced.
"""

from __future__ import annotations

from typing import Any

from cost.catalog import Price
from cost.catalog.spec import PriceSpec, Table
from cost.model import CostComponent
from cost.pricing.context import PricingContext, Resource, Unpriceable
from cost.pricing.data import EFS, EFS_STANDARD
from cost.pricing.registry import HOURS, UsageKey, free, priced

SAGEMAKER = "AmazonSageMaker"
#: The component name AWS's file gives each row (a run states it as `sagemaker_component`,
#: in any case: `studio-notebook`).
STUDIO_NOTEBOOK_COMPONENT = "Studio-Notebook"
STUDIO_NOTEBOOK = PriceSpec(
    SAGEMAKER,
    "Studio Notebook Instance",
    None,
    published=Table(
        "sagemaker-instances-studionotebook",
        r".",
        row_field="Instance",
        where=(("Component", STUDIO_NOTEBOOK_COMPONENT),),
        fields=(("vcpu", "VCPU"), ("memory", "Memory")),
    ),
)
#: Studio Classic's JupyterServer app runs on this free instance type.
SYSTEM_INSTANCE = "system"
_PRICED_APPS = ("KernelGateway", "JupyterServer")


def studio_notebook_price(ctx: PricingContext, instance_type: str) -> Price:
    return ctx.price(SAGEMAKER, STUDIO_NOTEBOOK.family, None, instanceType=instance_type)


def _spec_instance(spec: Any) -> Any:
    """A ResourceSpec's InstanceType, if set."""
    return spec.get("InstanceType") if isinstance(spec, dict) else None


def _default_instance(settings: Any) -> Any:
    """KernelGatewayAppSettings.DefaultResourceSpec.InstanceType of user settings, if set."""
    kernel = settings.get("KernelGatewayAppSettings") if isinstance(settings, dict) else None
    return _spec_instance(kernel.get("DefaultResourceSpec") if isinstance(kernel, dict) else None)


def _profile(ctx: PricingContext, name: Any) -> Resource | None:
    """The template's user profile the app names (a reference, or the same literal name)."""
    found = ctx.referenced(name, "AWS::SageMaker::UserProfile")
    if found is not None or not isinstance(name, str):
        return found
    for profile in ctx.index.of_type("AWS::SageMaker::UserProfile"):
        if profile.properties.get("UserProfileName") == name:
            return profile
    return None


def _instance_type(resource: Resource, ctx: PricingContext) -> str:
    """The app's instance type: its ResourceSpec, else the user profile's default for
    KernelGateway apps, else the domain's (the defaults AWS applies to an app that names no
    instance type)."""
    props = resource.properties
    stated = _spec_instance(props.get("ResourceSpec"))
    if stated is not None:
        return ctx.text(stated, "", "ResourceSpec.InstanceType")
    defaults = (
        ("user profile", _profile(ctx, props.get("UserProfileName")), "UserSettings"),
        (
            "domain",
            ctx.referenced(props.get("DomainId"), "AWS::SageMaker::Domain"),
            "DefaultUserSettings",
        ),
    )
    for what, owner, settings in defaults:
        default = _default_instance(owner.properties.get(settings)) if owner else None
        if owner is not None and default is not None:
            ctx.assume(f"instance type from {what} {owner.logical_id}'s default")
            return ctx.text(default, "", f"{what} default instance type")
    raise Unpriceable(
        "KernelGateway app without an instance type: set ResourceSpec.InstanceType (or the "
        "user profile's or domain's KernelGatewayAppSettings.DefaultResourceSpec)"
    )


@priced(
    "AWS::SageMaker::App",
    service="SageMaker",
    summary="Studio Classic KernelGateway apps: Studio notebook instance hours by ml.* type "
    "(ResourceSpec, else the user profile's or domain's default); JupyterServer apps run on "
    "the free system instance",
    usage=(HOURS,),
    prices=(STUDIO_NOTEBOOK,),
    reads=("AWS::SageMaker::UserProfile", "AWS::SageMaker::Domain"),
)
def price_app(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    app_type = ctx.text(resource.properties.get("AppType"), "", "AppType")
    if app_type not in _PRICED_APPS:
        raise Unpriceable(
            f"{app_type or 'an unset'} AppType: only KernelGateway apps (priced at the Studio "
            "notebook rates) and JupyterServer apps (free) are in the catalog"
        )
    if app_type == "JupyterServer":
        stated = _spec_instance(resource.properties.get("ResourceSpec"))
        if stated not in (None, SYSTEM_INSTANCE):
            raise Unpriceable(
                f"JupyterServer app on instance type {stated!r}: Studio Classic runs it on "
                f"the free {SYSTEM_INSTANCE!r} instance, and no other price is in the catalog"
            )
        ctx.assume("a JupyterServer app runs on Studio Classic's free system instance")
        return []
    instance_type = _instance_type(resource, ctx)
    hours = ctx.hours
    return [
        ctx.component(
            f"Studio notebook instance ({instance_type})",
            "instance-hours",
            hours,
            studio_notebook_price(ctx, instance_type),
            usage_based=hours != HOURS.default,
        )
    ]


@priced(
    "AWS::SageMaker::Domain",
    service="SageMaker",
    summary="the EFS volume SageMaker creates for the users' home directories: Standard "
    "storage from usage (apps and spaces bill apart)",
    usage=(UsageKey("home_storage_gb", 10, "data in the domain's EFS home directories, GB"),),
    prices=(EFS_STANDARD,),
)
def price_domain(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    ctx.assume(
        "the EFS volume SageMaker creates for the domain keeps its data in EFS Standard "
        "(no lifecycle to Infrequent Access); its apps and spaces are priced apart"
    )
    return [
        ctx.component(
            "Home directories (EFS Standard storage)",
            "GB-months",
            ctx.usage.get("home_storage_gb") or 0.0,
            ctx.price(EFS, EFS_STANDARD.family, EFS_STANDARD.usagetype),
            usage_based=True,
        )
    ]


free(
    "no charge for the SageMaker resource itself: the jobs, endpoints or apps that use it bill",
    "AWS::SageMaker::UserProfile",
    "AWS::SageMaker::Model",
    "AWS::SageMaker::EndpointConfig",
    "AWS::SageMaker::NotebookInstanceLifecycleConfig",
    "AWS::SageMaker::AppImageConfig",
    "AWS::SageMaker::Image",
    "AWS::SageMaker::ImageVersion",
    "AWS::SageMaker::CodeRepository",
    "AWS::SageMaker::ModelPackageGroup",
    "AWS::SageMaker::ModelPackage",
    "AWS::SageMaker::ModelCard",
    "AWS::SageMaker::Pipeline",
    "AWS::SageMaker::DataQualityJobDefinition",
    "AWS::SageMaker::ModelQualityJobDefinition",
    "AWS::SageMaker::ModelBiasJobDefinition",
    "AWS::SageMaker::ModelExplainabilityJobDefinition",
)
