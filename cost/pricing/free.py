"""Types that bill nothing themselves, each with the reason the report shows.

A type in neither this list nor a `priced` declaration is reported as unsupported, by name:
nothing is priced silently at zero.
"""

from __future__ import annotations

from cost.pricing.registry import free

free(
    "no charge for the VPC building block itself",
    "AWS::EC2::VPC",
    "AWS::EC2::Subnet",
    "AWS::EC2::RouteTable",
    "AWS::EC2::Route",
    "AWS::EC2::SubnetRouteTableAssociation",
    "AWS::EC2::InternetGateway",
    "AWS::EC2::VPCGatewayAttachment",
    "AWS::EC2::EgressOnlyInternetGateway",
    "AWS::EC2::NetworkAcl",
    "AWS::EC2::NetworkAclEntry",
    "AWS::EC2::SubnetNetworkAclAssociation",
    "AWS::EC2::DHCPOptions",
    "AWS::EC2::VPCDHCPOptionsAssociation",
    "AWS::EC2::SecurityGroup",
    "AWS::EC2::SecurityGroupIngress",
    "AWS::EC2::SecurityGroupEgress",
)
free(
    "IAM is free",
    "AWS::IAM::Role",
    "AWS::IAM::Policy",
    "AWS::IAM::ManagedPolicy",
    "AWS::IAM::InstanceProfile",
    "AWS::IAM::ServiceLinkedRole",
)
free("billed through the ECS service that runs it", "AWS::ECS::TaskDefinition")
free(
    "billed through the load balancer",
    "AWS::ElasticLoadBalancingV2::TargetGroup",
    "AWS::ElasticLoadBalancingV2::Listener",
    "AWS::ElasticLoadBalancingV2::ListenerRule",
    "AWS::ElasticLoadBalancingV2::ListenerCertificate",
)
free(
    "configuration only; no charge of its own",
    "AWS::ECS::ClusterCapacityProviderAssociations",
    "AWS::ApplicationAutoScaling::ScalableTarget",
    "AWS::RDS::DBSubnetGroup",
    "AWS::RDS::DBParameterGroup",
    "AWS::RDS::DBClusterParameterGroup",
    "AWS::RDS::OptionGroup",
    "AWS::SecretsManager::SecretTargetAttachment",
    "AWS::SecretsManager::ResourcePolicy",
    "AWS::S3::BucketPolicy",
    "AWS::Logs::ResourcePolicy",
    "AWS::Lambda::Permission",
    "AWS::WAFv2::WebACLAssociation",
    "AWS::WAFv2::IPSet",
    "AWS::WAFv2::RegexPatternSet",
)
free("the rotation function is priced as a Lambda", "AWS::SecretsManager::RotationSchedule")
free("aliases are free", "AWS::KMS::Alias")
free("public ACM certificates are free", "AWS::CertificateManager::Certificate")
free("alias records to AWS resources are queried free", "AWS::Route53::RecordSet")
free("budgets without actions are free", "AWS::Budgets::Budget")
free(
    "standard workflows bill per state transition with 4,000 free each month, never expiring; "
    "the schema-migration workflow makes about 20-60 per MLflow upgrade",
    "AWS::StepFunctions::StateMachine",
)
free("standard parameters are free", "AWS::SSM::Parameter")
free("CDK bookkeeping, not an AWS resource", "AWS::CDK::Metadata")
free(
    "CloudFormation bookkeeping",
    "AWS::CloudFormation::WaitConditionHandle",
    "AWS::CloudFormation::WaitCondition",
)

#: Custom resources (Custom::X, AWS::CloudFormation::CustomResource) run a provider Lambda that
#: is priced as its own resource.
CUSTOM_RESOURCE_REASON = "deploy-time custom resource; its provider function is priced separately"
