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
free(
    "records bill nothing themselves; queries of alias records to AWS resources are free, "
    "other queries are billed per million (not estimated here)",
    "AWS::Route53::RecordSet",
    "AWS::Route53::RecordSetGroup",
)
free("budgets without actions are free", "AWS::Budgets::Budget")
free("standard parameters are free", "AWS::SSM::Parameter")
free(
    "IAM is free",
    "AWS::IAM::User",
    "AWS::IAM::Group",
    "AWS::IAM::AccessKey",
    "AWS::IAM::UserToGroupAddition",
)
free("key pairs bill nothing", "AWS::EC2::KeyPair")
free(
    "a peering connection bills nothing itself; traffic over it is billed as data transfer",
    "AWS::EC2::VPCPeeringConnection",
)
free(
    "an EC2 Instance Connect Endpoint carries no charge (AWS's EC2 documentation)",
    "AWS::EC2::InstanceConnectEndpoint",
)
free(
    "a saved Logs Insights query bills nothing; running it is billed per GB scanned",
    "AWS::Logs::QueryDefinition",
)
free(
    "Service Catalog bills its API calls (per account), not portfolios, products or their "
    "associations",
    "AWS::ServiceCatalog::Portfolio",
    "AWS::ServiceCatalog::PortfolioShare",
    "AWS::ServiceCatalog::PortfolioPrincipalAssociation",
    "AWS::ServiceCatalog::PortfolioProductAssociation",
    "AWS::ServiceCatalog::CloudFormationProduct",
    "AWS::ServiceCatalog::LaunchRoleConstraint",
    "AWS::ServiceCatalog::TagOption",
    "AWS::ServiceCatalog::TagOptionAssociation",
)
free(
    "SSM documents and State Manager associations for EC2 instances bill nothing",
    "AWS::SSM::Document",
    "AWS::SSM::Association",
)
free("resource groups bill nothing", "AWS::ResourceGroups::Group")
free(
    "AppConfig bills configuration requests and configurations received by its clients, not "
    "these objects",
    "AWS::AppConfig::Application",
    "AWS::AppConfig::Environment",
    "AWS::AppConfig::ConfigurationProfile",
    "AWS::AppConfig::DeploymentStrategy",
    "AWS::AppConfig::HostedConfigurationVersion",
    "AWS::AppConfig::Deployment",
)
free(
    "SES identities and configuration sets bill nothing; email is billed per message sent",
    "AWS::SES::EmailIdentity",
    "AWS::SES::ConfigurationSet",
)
free(
    "AWS's API Gateway price file has no VPC link charge; the Network Load Balancer a REST "
    "VPC link targets is priced as its own resource",
    "AWS::ApiGateway::VpcLink",
)
free("CDK bookkeeping, not an AWS resource", "AWS::CDK::Metadata")
free(
    "CloudFormation bookkeeping",
    "AWS::CloudFormation::WaitConditionHandle",
    "AWS::CloudFormation::WaitCondition",
)
free(
    "a macro bills nothing itself; its Lambda function is priced as its own resource",
    "AWS::CloudFormation::Macro",
)

#: Custom resources (Custom::X, AWS::CloudFormation::CustomResource) run a provider Lambda that
#: is priced as its own resource.
CUSTOM_RESOURCE_REASON = "deploy-time custom resource; its provider function is priced separately"
