"""The dispatch table: CloudFormation type -> pricing function, and the types known to be free.

A type in neither table is reported as unsupported, by name. Nothing is priced silently at
zero: free types carry the reason they are free.
"""

from __future__ import annotations

from cost.pricing.compute import price_ecs_service, price_lambda_function
from cost.pricing.context import (
    Free,
    PricingContext,
    PricingFunction,
    Resource,
    ResourceIndex,
    Unpriceable,
)
from cost.pricing.database import price_db_instance
from cost.pricing.monitoring import (
    price_alarm,
    price_ecs_cluster,
    price_flow_log,
    price_log_group,
    price_scaling_policy,
)
from cost.pricing.network import (
    price_elastic_ip,
    price_load_balancer,
    price_nat_gateway,
    price_vpc_endpoint,
)
from cost.pricing.security import price_hosted_zone, price_kms_key, price_secret
from cost.pricing.storage import price_bucket

PRICERS: dict[str, PricingFunction] = {
    "AWS::ECS::Service": price_ecs_service,
    "AWS::ECS::Cluster": price_ecs_cluster,
    "AWS::Lambda::Function": price_lambda_function,
    "AWS::RDS::DBInstance": price_db_instance,
    "AWS::S3::Bucket": price_bucket,
    "AWS::ElasticLoadBalancingV2::LoadBalancer": price_load_balancer,
    "AWS::EC2::NatGateway": price_nat_gateway,
    "AWS::EC2::EIP": price_elastic_ip,
    "AWS::EC2::VPCEndpoint": price_vpc_endpoint,
    "AWS::Logs::LogGroup": price_log_group,
    "AWS::EC2::FlowLog": price_flow_log,
    "AWS::CloudWatch::Alarm": price_alarm,
    "AWS::ApplicationAutoScaling::ScalingPolicy": price_scaling_policy,
    "AWS::SecretsManager::Secret": price_secret,
    "AWS::KMS::Key": price_kms_key,
    "AWS::Route53::HostedZone": price_hosted_zone,
}

_NETWORK_PLUMBING = "no charge for the VPC building block itself"
_CONFIG = "configuration only; no charge of its own"

FREE_TYPES: dict[str, str] = {
    "AWS::EC2::VPC": _NETWORK_PLUMBING,
    "AWS::EC2::Subnet": _NETWORK_PLUMBING,
    "AWS::EC2::RouteTable": _NETWORK_PLUMBING,
    "AWS::EC2::Route": _NETWORK_PLUMBING,
    "AWS::EC2::SubnetRouteTableAssociation": _NETWORK_PLUMBING,
    "AWS::EC2::InternetGateway": _NETWORK_PLUMBING,
    "AWS::EC2::VPCGatewayAttachment": _NETWORK_PLUMBING,
    "AWS::EC2::EgressOnlyInternetGateway": _NETWORK_PLUMBING,
    "AWS::EC2::NetworkAcl": _NETWORK_PLUMBING,
    "AWS::EC2::NetworkAclEntry": _NETWORK_PLUMBING,
    "AWS::EC2::SubnetNetworkAclAssociation": _NETWORK_PLUMBING,
    "AWS::EC2::DHCPOptions": _NETWORK_PLUMBING,
    "AWS::EC2::VPCDHCPOptionsAssociation": _NETWORK_PLUMBING,
    "AWS::EC2::SecurityGroup": _NETWORK_PLUMBING,
    "AWS::EC2::SecurityGroupIngress": _NETWORK_PLUMBING,
    "AWS::EC2::SecurityGroupEgress": _NETWORK_PLUMBING,
    "AWS::IAM::Role": "IAM is free",
    "AWS::IAM::Policy": "IAM is free",
    "AWS::IAM::ManagedPolicy": "IAM is free",
    "AWS::IAM::InstanceProfile": "IAM is free",
    "AWS::IAM::ServiceLinkedRole": "IAM is free",
    "AWS::ECS::TaskDefinition": "billed through the ECS service that runs it",
    "AWS::ECS::ClusterCapacityProviderAssociations": _CONFIG,
    "AWS::ElasticLoadBalancingV2::TargetGroup": "billed through the load balancer",
    "AWS::ElasticLoadBalancingV2::Listener": "billed through the load balancer",
    "AWS::ElasticLoadBalancingV2::ListenerRule": "billed through the load balancer",
    "AWS::ElasticLoadBalancingV2::ListenerCertificate": "billed through the load balancer",
    "AWS::ApplicationAutoScaling::ScalableTarget": _CONFIG,
    "AWS::RDS::DBSubnetGroup": _CONFIG,
    "AWS::RDS::DBParameterGroup": _CONFIG,
    "AWS::RDS::DBClusterParameterGroup": _CONFIG,
    "AWS::RDS::OptionGroup": _CONFIG,
    "AWS::SecretsManager::SecretTargetAttachment": _CONFIG,
    "AWS::SecretsManager::ResourcePolicy": _CONFIG,
    "AWS::SecretsManager::RotationSchedule": "the rotation function is priced as a Lambda",
    "AWS::S3::BucketPolicy": _CONFIG,
    "AWS::Logs::ResourcePolicy": _CONFIG,
    "AWS::KMS::Alias": "aliases are free",
    "AWS::Lambda::Permission": _CONFIG,
    "AWS::CertificateManager::Certificate": "public ACM certificates are free",
    "AWS::Route53::RecordSet": "alias records to AWS resources are queried free",
    "AWS::Budgets::Budget": "budgets without actions are free",
    "AWS::SSM::Parameter": "standard parameters are free",
    "AWS::CDK::Metadata": "CDK bookkeeping, not an AWS resource",
    "AWS::CloudFormation::WaitConditionHandle": "CloudFormation bookkeeping",
    "AWS::CloudFormation::WaitCondition": "CloudFormation bookkeeping",
}

#: Custom resources (Custom::X, AWS::CloudFormation::CustomResource) run a provider Lambda that
#: is priced as its own resource.
CUSTOM_RESOURCE_REASON = "deploy-time custom resource; its provider function is priced separately"


def free_reason(resource_type: str) -> str | None:
    if resource_type in FREE_TYPES:
        return FREE_TYPES[resource_type]
    if resource_type.startswith("Custom::") or resource_type == (
        "AWS::CloudFormation::CustomResource"
    ):
        return CUSTOM_RESOURCE_REASON
    return None


__all__ = [
    "FREE_TYPES",
    "PRICERS",
    "Free",
    "PricingContext",
    "PricingFunction",
    "Resource",
    "ResourceIndex",
    "Unpriceable",
    "free_reason",
]
