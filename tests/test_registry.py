"""The pricing declarations: every priced type has a priced case and a cannot-price case, a
pricing function cannot read an undeclared usage key or price, and everything derived from
the declarations (dispatch, usage schema, catalog spec, labels, README tables) agrees.

Expected costs are computed by hand from the us-east-1 catalog figures in the comments
(cost/catalog/data/*.json).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from cost.catalog import PriceCatalog, default_catalog
from cost.estimate import Estimator
from cost.model import StackCost, money
from cost.pricing import PRICED, PRICERS, UndeclaredUsage, price_specs, usage_schema
from cost.pricing.context import PricingContext, Resource, UsageValues
from cost.pricing.usage import Usage

H = 730
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Case:
    type: str
    resources: dict[str, Any]
    #: The expected monthly cost (priced case) or a fragment of the reason (cannot-price).
    expected: float | str
    usage: dict[str, Any] = field(default_factory=dict)
    region: str = "us-east-1"
    catalog: str = "bundled"  # or "empty": a catalog without this price

    @property
    def subject(self) -> str:
        return next(k for k, v in self.resources.items() if v["Type"] == self.type)


def res(rtype: str, **props: Any) -> dict[str, Any]:
    return {"Type": rtype, "Properties": props}


TASK = res(
    "AWS::ECS::TaskDefinition",
    Cpu="512",
    Memory="1024",
    RequiresCompatibilities=["FARGATE"],
    RuntimePlatform={"CpuArchitecture": "ARM64", "OperatingSystemFamily": "LINUX"},
)
RATE_RULE = {
    "Name": "rate",
    "Priority": 0,
    "Action": {"Block": {}},
    "Statement": {"RateBasedStatement": {"AggregateKeyType": "IP", "Limit": 1000}},
}
SERVICE = {
    "TaskDefinition": {"Ref": "Task"},
    "DesiredCount": 2,
    "NetworkConfiguration": {"AwsvpcConfiguration": {"AssignPublicIp": "ENABLED"}},
}

PRICED_CASES = [
    # EC2 m5.large Linux 730 h x 0.096 + the AMI's root volume, 8 GiB gp3 x 0.08
    Case(
        "AWS::EC2::Instance",
        {"I": res("AWS::EC2::Instance", InstanceType="m5.large")},
        H * 0.096 + 8 * 0.08,
    ),
    # Sydney: 500 GiB gp3 x 0.096 + (6000 - 3000) IOPS x 0.006 + (250 - 125) MiB/s / 1024 x
    # 49.152 per GiBps-month + 100 GB snapshots x 0.055
    Case(
        "AWS::EC2::Volume",
        {"V": res("AWS::EC2::Volume", VolumeType="gp3", Size=500, Iops=6000, Throughput=250)},
        500 * 0.096 + 3000 * 0.006 + 125 / 1024 * 49.152 + 100 * 0.055,
        usage={"resources": {"V": {"snapshot_gb": 100}}},
        region="ap-southeast-2",
    ),
    # 3 x g5.xlarge (GPU) 730 h x 1.006 + 3 x 100 GiB gp3 x 0.08, from the launch template
    Case(
        "AWS::AutoScaling::AutoScalingGroup",
        {
            "Lt": res(
                "AWS::EC2::LaunchTemplate",
                LaunchTemplateData={
                    "InstanceType": "g5.xlarge",
                    "BlockDeviceMappings": [
                        {"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 100, "VolumeType": "gp3"}}
                    ],
                },
            ),
            "Asg": res(
                "AWS::AutoScaling::AutoScalingGroup",
                MinSize="1",
                MaxSize="5",
                DesiredCapacity="3",
                LaunchTemplate={"LaunchTemplateId": {"Ref": "Lt"}, "Version": "1"},
            ),
        },
        3 * H * 1.006 + 3 * 100 * 0.08,
    ),
    # EKS cluster 730 h x 0.10
    Case("AWS::EKS::Cluster", {"C": res("AWS::EKS::Cluster", RoleArn="r")}, H * 0.10),
    # São Paulo: 2 nodes (the default) x t3.medium 730 h x 0.0672 + 2 x 20 GiB gp2 x 0.19
    Case(
        "AWS::EKS::Nodegroup",
        {"N": res("AWS::EKS::Nodegroup", ClusterName="c", NodeRole="r", Subnets=["a"])},
        2 * H * 0.0672 + 2 * 20 * 0.19,
        region="sa-east-1",
    ),
    # 2 x cache.t4g.micro Redis OSS 730 h x 0.016
    Case(
        "AWS::ElastiCache::CacheCluster",
        {
            "C": res(
                "AWS::ElastiCache::CacheCluster",
                Engine="redis",
                CacheNodeType="cache.t4g.micro",
                NumCacheNodes=2,
            )
        },
        2 * H * 0.016,
    ),
    # Sydney: 2 shards x (1 replica + 1) x cache.r7g.large Valkey 730 h x 0.2104
    Case(
        "AWS::ElastiCache::ReplicationGroup",
        {
            "R": res(
                "AWS::ElastiCache::ReplicationGroup",
                Engine="valkey",
                CacheNodeType="cache.r7g.large",
                NumNodeGroups=2,
                ReplicasPerNodeGroup=1,
                ReplicationGroupDescription="d",
            )
        },
        4 * H * 0.2104,
        region="ap-southeast-2",
    ),
    # Valkey serverless: 1 GB x 730 h x 0.084 + 100,000,000 ECPU x 0.0000000023
    Case(
        "AWS::ElastiCache::ServerlessCache",
        {"S": res("AWS::ElastiCache::ServerlessCache", Engine="valkey", ServerlessCacheName="s")},
        H * 0.084 + 1e8 * 2.3e-9,
    ),
    # Transit Gateway VPC attachment: 730 h x 0.05 + 10 GB x 0.02
    Case(
        "AWS::EC2::TransitGatewayVpcAttachment",
        {
            "A": res(
                "AWS::EC2::TransitGatewayVpcAttachment",
                TransitGatewayId="t",
                VpcId="v",
                SubnetIds=["a"],
            )
        },
        H * 0.05 + 10 * 0.02,
    ),
    Case(
        "AWS::EC2::TransitGatewayAttachment",
        {
            "A": res(
                "AWS::EC2::TransitGatewayAttachment",
                TransitGatewayId="t",
                VpcId="v",
                SubnetIds=["a"],
            )
        },
        H * 0.07 + 10 * 0.02,
        region="ap-southeast-2",
    ),
    # Aurora PostgreSQL standard: 10 GB x 0.10 + 10 million I/Os x 0.0000002 + Serverless v2
    # at its 0.5 ACU minimum x 1 db.serverless instance x 730 h x 0.12
    Case(
        "AWS::RDS::DBCluster",
        {
            "C": res(
                "AWS::RDS::DBCluster",
                Engine="aurora-postgresql",
                ServerlessV2ScalingConfiguration={"MinCapacity": 0.5, "MaxCapacity": 4},
            ),
            "W": res(
                "AWS::RDS::DBInstance",
                Engine="aurora-postgresql",
                DBInstanceClass="db.serverless",
                DBClusterIdentifier={"Ref": "C"},
            ),
        },
        10 * 0.10 + 10e6 * 2e-7 + 0.5 * H * 0.12,
    ),
    # 730 h x 0.0225 + 1 LCU x 730 h x 0.008 + 2 AZ x 730 h x 0.005 (public IPv4)
    Case(
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        {"Lb": res("AWS::ElasticLoadBalancingV2::LoadBalancer", Subnets=["a", "b"])},
        H * 0.0225 + H * 0.008 + 2 * H * 0.005,
    ),
    # NAT gateway (natgateway.json, us-east-1): 730 h x 0.045 + 10 GB processed x 0.045
    Case("AWS::EC2::NatGateway", {"Nat": res("AWS::EC2::NatGateway")}, H * 0.045 + 10 * 0.045),
    # 730 h x 0.005
    Case("AWS::EC2::EIP", {"Ip": res("AWS::EC2::EIP")}, H * 0.005),
    # 2 AZ x 730 h x 0.01 + 10 GB x 0.01
    Case(
        "AWS::EC2::VPCEndpoint",
        {"E": res("AWS::EC2::VPCEndpoint", VpcEndpointType="Interface", SubnetIds=["a", "b"])},
        2 * H * 0.01 + 10 * 0.01,
    ),
    # ARM64: 2 tasks x 0.5 vCPU x 730 h x 0.03238 + 2 x 1 GB x 730 h x 0.00356 + 2 IPs x 730 x 0.005
    Case(
        "AWS::ECS::Service",
        {"Task": TASK, "Svc": res("AWS::ECS::Service", LaunchType="FARGATE", **SERVICE)},
        2 * 0.5 * H * 0.03238 + 2 * 1 * H * 0.00356 + 2 * H * 0.005,
    ),
    # 1e6 requests x 2e-7 + 1e6 x 0.1 s x 0.5 GB x 1.66667e-05
    Case(
        "AWS::Lambda::Function",
        {"Fn": res("AWS::Lambda::Function", MemorySize=512)},
        1e6 * 2e-7 + 1e6 * 0.1 * 0.5 * 1.66667e-05,
        usage={"resources": {"Fn": {"monthly_requests": 1e6, "average_duration_ms": 100}}},
    ),
    # 0.40 per secret + 2,000 calls x 5e-6
    Case(
        "AWS::SecretsManager::Secret",
        {"S": res("AWS::SecretsManager::Secret")},
        0.4 + 2000 * 5e-6,
        usage={"resources": {"S": {"monthly_api_calls": 2000}}},
    ),
    # 1.00 per key + 10,000 requests x 3e-6
    Case("AWS::KMS::Key", {"K": res("AWS::KMS::Key")}, 1 + 10_000 * 3e-6),
    # Cloud9 is free; t2.micro 0.0116/h x (160 h in use + 20 sessions x 30 min = 170 h) +
    # the 10 GiB gp2 root volume x 0.10
    Case(
        "AWS::Cloud9::EnvironmentEC2",
        {
            "C9": res(
                "AWS::Cloud9::EnvironmentEC2", InstanceType="t2.micro", AutomaticStopTimeMinutes=30
            )
        },
        170 * 0.0116 + 10 * 0.10,
    ),
    # S3 Express One Zone: 50 GB x 0.11 + 100,000 PUT x 0.00000113 + 1,000,000 GET x 3e-8
    # (no GB above 512 KB per request by default)
    Case(
        "AWS::S3Express::DirectoryBucket",
        {"B": res("AWS::S3Express::DirectoryBucket", DataRedundancy="SingleAvailabilityZone")},
        50 * 0.11 + 100_000 * 0.00000113 + 1_000_000 * 3e-8,
    ),
    # Glue Data Catalog: 1 object x 0.00001 (+ 0 requests by default)
    Case("AWS::Glue::Database", {"D": res("AWS::Glue::Database")}, 0.00001),
    # the table and 99 partitions: 100 objects x 0.00001 + 50,000 requests x 0.000001
    Case(
        "AWS::Glue::Table",
        {"T": res("AWS::Glue::Table")},
        100 * 0.00001 + 50_000 * 0.000001,
        usage={"resources": {"T": {"partitions": 99, "monthly_requests": 50_000}}},
    ),
    # 3.00 per dashboard-month (the same in every region: the file's "Any" location)
    Case(
        "AWS::CloudWatch::Dashboard",
        {"D": res("AWS::CloudWatch::Dashboard", DashboardBody="{}")},
        3.00,
        region="sa-east-1",
    ),
    # EMR: 1 primary + 2 core m5.xlarge, 3 x 730 h x (EC2 0.192 + EMR 0.048), and the core
    # group's 2 x 2 gp3 volumes of 64 GiB x 0.08
    Case(
        "AWS::EMR::Cluster",
        {
            "C": res(
                "AWS::EMR::Cluster",
                Instances={
                    "MasterInstanceGroup": {"InstanceCount": 1, "InstanceType": "m5.xlarge"},
                    "CoreInstanceGroup": {
                        "InstanceCount": 2,
                        "InstanceType": "m5.xlarge",
                        "EbsConfiguration": {
                            "EbsBlockDeviceConfigs": [
                                {
                                    "VolumeSpecification": {"SizeInGB": 64, "VolumeType": "gp3"},
                                    "VolumesPerInstance": 2,
                                }
                            ]
                        },
                    },
                },
            )
        },
        3 * H * (0.192 + 0.048) + 4 * 64 * 0.08,
    ),
    # a task group of 4 m5.xlarge for 100 h: 4 x 100 h x (EC2 0.192 + EMR 0.048)
    Case(
        "AWS::EMR::InstanceGroupConfig",
        {
            "G": res(
                "AWS::EMR::InstanceGroupConfig",
                InstanceRole="TASK",
                InstanceCount=4,
                InstanceType="m5.xlarge",
                JobFlowId="j-1",
            )
        },
        4 * 100 * (0.192 + 0.048),
        usage={"resources": {"G": {"hours_per_month": 100}}},
    ),
    # 0.50 per hosted zone (global)
    Case("AWS::Route53::HostedZone", {"Z": res("AWS::Route53::HostedZone", Name="x.com")}, 0.5),
    # United States edges (the default): 100 GB x 0.085 (first 10 TB) + 1M HTTPS x 1e-6
    Case(
        "AWS::CloudFront::Distribution",
        {"D": res("AWS::CloudFront::Distribution", DistributionConfig={"Enabled": True})},
        100 * 0.085 + 1_000_000 * 1e-6,
    ),
    # db.t4g.micro MySQL Single-AZ 0.016/h x 730 + 20 GB gp3 x 0.115, plus the RDS-managed
    # master secret 0.40 + 2,000 calls x 5e-6
    Case(
        "AWS::RDS::DBInstance",
        {
            "Db": res(
                "AWS::RDS::DBInstance",
                Engine="mysql",
                DBInstanceClass="db.t4g.micro",
                StorageType="gp3",
                AllocatedStorage="20",
                ManageMasterUserPassword=True,
            )
        },
        H * 0.016 + 20 * 0.115 + 0.4 + 2000 * 5e-6,
        usage={"resources": {"Db": {"monthly_api_calls": 2000}}},
    ),
    # 1 GB ingested x 0.50 + 1 GB x (30/30) months stored x 0.03
    Case(
        "AWS::Logs::LogGroup",
        {"L": res("AWS::Logs::LogGroup", RetentionInDays=30)},
        1 * 0.5 + 1 * 0.03,
    ),
    # 1 GB vended logs x 0.50 (first tier)
    Case("AWS::EC2::FlowLog", {"F": res("AWS::EC2::FlowLog")}, 0.5),
    # a metric-math alarm reading two metrics: 2 x 0.10 (the expression is not a metric)
    Case(
        "AWS::CloudWatch::Alarm",
        {
            "A": res(
                "AWS::CloudWatch::Alarm",
                Metrics=[
                    {"Id": "m1", "MetricStat": {"Period": 60}},
                    {"Id": "m2", "MetricStat": {"Period": 60}},
                    {"Id": "e1", "Expression": "m1 + m2"},
                ],
            )
        },
        2 * 0.10,
    ),
    # target tracking: two alarms x 0.10
    Case(
        "AWS::ApplicationAutoScaling::ScalingPolicy",
        {
            "P": res(
                "AWS::ApplicationAutoScaling::ScalingPolicy", PolicyType="TargetTrackingScaling"
            )
        },
        2 * 0.10,
    ),
    # Container Insights, no services: 11 metrics x 0.30 + 0.5 GB log events x 0.50
    Case(
        "AWS::ECS::Cluster",
        {
            "C": res(
                "AWS::ECS::Cluster",
                ClusterSettings=[{"Name": "containerInsights", "Value": "enabled"}],
            )
        },
        11 * 0.30 + 0.5 * 0.50,
    ),
    # no lifecycle: 50 GB Standard x 0.023 + 100,000 x 5e-6 + 1,000,000 x 4e-7
    Case("AWS::S3::Bucket", {"B": res("AWS::S3::Bucket")}, 50 * 0.023 + 1e5 * 5e-6 + 1e6 * 4e-7),
    # Tel Aviv: web ACL 5.00 + one rule 1.00 + 1,000,000 requests x 7e-7 (awswaf.json)
    Case(
        "AWS::WAFv2::WebACL",
        {"Acl": res("AWS::WAFv2::WebACL", Scope="REGIONAL", Rules=[RATE_RULE])},
        5.0 + 1.0 + 1e6 * 7e-7,
        region="il-central-1",
    ),
    # --- data services (us-east-1 unless stated; figures from the staged AWS price files) ---
    # on-demand: 1e6 reads x 1.25e-7 + 1e6 writes x 6.25e-7 + 1 GB x 0.25
    Case(
        "AWS::DynamoDB::Table",
        {"T": res("AWS::DynamoDB::Table", BillingMode="PAY_PER_REQUEST")},
        1e6 * 1.25e-7 + 1e6 * 6.25e-7 + 1 * 0.25,
    ),
    # Sydney, provisioned Standard-IA, table 5/5 + one GSI 5/5: 10 RCU x 730 x 0.0001855
    # + 10 WCU x 730 x 0.00093 + 1 GB x 0.114 + PITR 1 GB x 0.228
    Case(
        "AWS::DynamoDB::Table",
        {
            "T": res(
                "AWS::DynamoDB::Table",
                TableClass="STANDARD_INFREQUENT_ACCESS",
                ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
                GlobalSecondaryIndexes=[
                    {
                        "IndexName": "byDate",
                        "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
                    }
                ],
                PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
            )
        },
        10 * H * 0.0001855 + 10 * H * 0.00093 + 1 * 0.114 + 1 * 0.228,
        region="ap-southeast-2",
    ),
    # replicas in us-east-1 and Sydney, each: reads + replicated writes + storage
    # us-east-1: 1e6 x 1.25e-7 + 1e6 x 6.25e-7 + 0.25; Sydney: 1e6 x 1.425e-7 + 1e6 x 7.1e-7 + 0.285
    Case(
        "AWS::DynamoDB::GlobalTable",
        {
            "G": res(
                "AWS::DynamoDB::GlobalTable",
                BillingMode="PAY_PER_REQUEST",
                Replicas=[{"Region": "us-east-1"}, {"Region": "ap-southeast-2"}],
            )
        },
        (1e6 * 1.25e-7 + 1e6 * 6.25e-7 + 0.25) + (1e6 * 1.425e-7 + 1e6 * 7.1e-7 + 0.285),
    ),
    # provisioned, one replica: write auto scaling min 10 rWCU x 730 x 0.00065 + 5 RCU x 730
    # x 0.00013 + 1 GB x 0.25
    Case(
        "AWS::DynamoDB::GlobalTable",
        {
            "G": res(
                "AWS::DynamoDB::GlobalTable",
                WriteProvisionedThroughputSettings={
                    "WriteCapacityAutoScalingSettings": {"MinCapacity": 10, "MaxCapacity": 100}
                },
                Replicas=[
                    {
                        "Region": "us-east-1",
                        "ReadProvisionedThroughputSettings": {"ReadCapacityUnits": 5},
                    }
                ],
            )
        },
        10 * H * 0.00065 + 5 * H * 0.00013 + 0.25,
    ),
    # São Paulo, 2 shards, 48 h retention: 2 x 730 x 0.03 + 1e6 payload units x 2.8e-8
    # + extended retention 2 x 730 x 0.04
    Case(
        "AWS::Kinesis::Stream",
        {"S": res("AWS::Kinesis::Stream", ShardCount=2, RetentionPeriodHours=48)},
        2 * H * 0.03 + 1e6 * 2.8e-8 + 2 * H * 0.04,
        region="sa-east-1",
    ),
    # on-demand: 730 stream-hours x 0.04 + 10 GB in x 0.08 + 10 GB out x 0.04
    Case(
        "AWS::Kinesis::Stream",
        {"S": res("AWS::Kinesis::Stream", StreamModeDetails={"StreamMode": "ON_DEMAND"})},
        H * 0.04 + 10 * 0.08 + 10 * 0.04,
    ),
    # bursting: 10 GB Standard x 0.30
    Case("AWS::EFS::FileSystem", {"F": res("AWS::EFS::FileSystem")}, 10 * 0.30),
    # provisioned 10 MiB/s with 100 GB Standard: baseline 100 x 50/1024 MiB/s is included,
    # (10 - 4.8828125) x 6.00 + 100 GB x 0.30
    Case(
        "AWS::EFS::FileSystem",
        {
            "F": res(
                "AWS::EFS::FileSystem",
                ThroughputMode="provisioned",
                ProvisionedThroughputInMibps=10,
            )
        },
        (10 - 100 * 50 / 1024) * 6.0 + 100 * 0.30,
        usage={"resources": {"F": {"standard_storage_gb": 100}}},
    ),
    # Sydney One Zone, elastic: 10 GB x 0.192 + 10 GB read x 0.04 + 1 GB written x 0.07
    Case(
        "AWS::EFS::FileSystem",
        {
            "F": res(
                "AWS::EFS::FileSystem",
                AvailabilityZoneName="ap-southeast-2a",
                ThroughputMode="elastic",
            )
        },
        10 * 0.192 + 10 * 0.04 + 1 * 0.07,
        region="ap-southeast-2",
    ),
    # 1 GB x 0.10
    Case("AWS::ECR::Repository", {"R": res("AWS::ECR::Repository")}, 1 * 0.10),
    # --- serverless ---
    # 1e6 REST requests x 3.5e-6
    Case("AWS::ApiGateway::RestApi", {"A": res("AWS::ApiGateway::RestApi")}, 1e6 * 3.5e-6),
    # tiers: 333e6 x 3.5e-6 + 67e6 x 2.8e-6
    Case(
        "AWS::ApiGateway::RestApi",
        {"A": res("AWS::ApiGateway::RestApi")},
        333e6 * 3.5e-6 + 67e6 * 2.8e-6,
        usage={"resources": {"A": {"monthly_requests": 400e6}}},
    ),
    # 6.1 GB cache: 730 h x 0.20
    Case(
        "AWS::ApiGateway::Stage",
        {"S": res("AWS::ApiGateway::Stage", CacheClusterEnabled=True, CacheClusterSize="6.1")},
        H * 0.20,
    ),
    # São Paulo, default 0.5 GB cache: 730 h x 0.028
    Case(
        "AWS::ApiGateway::Stage",
        {"S": res("AWS::ApiGateway::Stage", CacheClusterEnabled="true")},
        H * 0.028,
        region="sa-east-1",
    ),
    # a deployment whose StageDescription creates a 0.5 GB cached stage: 730 h x 0.02
    Case(
        "AWS::ApiGateway::Deployment",
        {
            "D": res(
                "AWS::ApiGateway::Deployment",
                StageName="prod",
                StageDescription={"CacheClusterEnabled": True, "CacheClusterSize": 0.5},
            )
        },
        H * 0.02,
    ),
    # São Paulo HTTP API: 1e6 x 1.59e-6
    Case(
        "AWS::ApiGatewayV2::Api",
        {"A": res("AWS::ApiGatewayV2::Api", ProtocolType="HTTP")},
        1e6 * 1.59e-6,
        region="sa-east-1",
    ),
    # WebSocket: 1e6 messages x 1e-6 + 1e6 connection minutes x 2.5e-7
    Case(
        "AWS::ApiGatewayV2::Api",
        {"A": res("AWS::ApiGatewayV2::Api", ProtocolType="WEBSOCKET")},
        1e6 * 1e-6 + 1e6 * 2.5e-7,
    ),
    # Standard: 100,000 executions x 5 transitions x 2.5e-5
    Case(
        "AWS::StepFunctions::StateMachine",
        {"M": res("AWS::StepFunctions::StateMachine")},
        1e5 * 5 * 2.5e-5,
    ),
    # Express: 100,000 x 1e-6 + 100,000 x 1 s x 64/1024 GB x 1.667e-5
    Case(
        "AWS::StepFunctions::StateMachine",
        {"M": res("AWS::StepFunctions::StateMachine", StateMachineType="EXPRESS")},
        1e5 * 1e-6 + 1e5 * 1.0 * 64 / 1024 * 1.667e-5,
    ),
    # 1e6 publishes x 5e-7 + HTTPS deliveries 1e6 x 6e-7 + SQS deliveries free
    Case(
        "AWS::SNS::Topic",
        {
            "T": res(
                "AWS::SNS::Topic", Subscription=[{"Protocol": "https", "Endpoint": "https://x"}]
            ),
            "Sub": res("AWS::SNS::Subscription", TopicArn={"Ref": "T"}, Protocol="sqs"),
        },
        1e6 * 5e-7 + 1e6 * 6e-7 + 0.0,
    ),
    # Sydney FIFO, one SQS subscription, 1 KB messages: 1e6 x 3.9e-7 + payload 1e6 KB in GB
    # x 0.0221 + 1e6 messages x 1.3e-8 + payload out x 0.0013
    Case(
        "AWS::SNS::Topic",
        {
            "T": res("AWS::SNS::Topic", FifoTopic=True),
            "Sub": res("AWS::SNS::Subscription", TopicArn={"Ref": "T"}, Protocol="sqs"),
        },
        1e6 * 3.9e-7 + 1e6 / 1024**2 * 0.0221 + 1e6 * 1.3e-8 + 1e6 / 1024**2 * 0.0013,
        region="ap-southeast-2",
    ),
    # 3e6 requests x 4e-7
    Case("AWS::SQS::Queue", {"Q": res("AWS::SQS::Queue")}, 3e6 * 4e-7),
    # FIFO in Sydney: 3e6 x 5e-7
    Case(
        "AWS::SQS::Queue",
        {"Q": res("AWS::SQS::Queue", FifoQueue=True)},
        3e6 * 5e-7,
        region="ap-southeast-2",
    ),
    # 1e6 custom events x 1e-6
    Case("AWS::Events::EventBus", {"B": res("AWS::Events::EventBus", Name="b")}, 1e6 * 1e-6),
    # a rule forwarding to another bus: 1e6 events x 1e-6
    Case(
        "AWS::Events::Rule",
        {
            "R": res(
                "AWS::Events::Rule",
                EventPattern={"source": ["app"]},
                Targets=[{"Id": "b", "Arn": "arn:aws:events:eu-west-1:111111111111:event-bus/x"}],
            )
        },
        1e6 * 1e-6,
    ),
    # a daily schedule starting a 1 vCPU / 2 GB x86 Fargate task for 30 min: 730/24 runs x
    # 0.5 h x (0.04048 per vCPU-h + 2 x 0.004445 per GB-h); invocations in the 0 tier
    Case(
        "AWS::Scheduler::Schedule",
        {
            "Task": res("AWS::ECS::TaskDefinition", Cpu="1024", Memory="2048"),
            "S": res(
                "AWS::Scheduler::Schedule",
                ScheduleExpression="rate(1 day)",
                Target={
                    "Arn": "arn",
                    "RoleArn": "role",
                    "EcsParameters": {
                        "TaskDefinitionArn": {"Ref": "Task"},
                        "LaunchType": "FARGATE",
                    },
                },
            ),
        },
        H / 24 * 0.5 * (0.04048 + 2 * 0.004445),
        usage={"resources": {"S": {"minutes_per_run": 30}}},
    ),
    # provisioned concurrency 2 x 1 GB x 730 h x 3600 s x 4.1667e-6
    Case(
        "AWS::Lambda::Version",
        {
            "Fn": res("AWS::Lambda::Function", MemorySize=1024),
            "V": res(
                "AWS::Lambda::Version",
                FunctionName={"Ref": "Fn"},
                ProvisionedConcurrencyConfig={"ProvisionedConcurrentExecutions": 2},
            ),
        },
        2 * 1 * H * 3600 * 4.1667e-6,
    ),
    # an alias of an Arm version, 512 MB, 1 x 0.5 GB x 730 h x 3600 s x 3.3334e-6
    Case(
        "AWS::Lambda::Alias",
        {
            "Fn": res("AWS::Lambda::Function", MemorySize=512, Architectures=["arm64"]),
            "V": res("AWS::Lambda::Version", FunctionName={"Ref": "Fn"}),
            "A": res(
                "AWS::Lambda::Alias",
                FunctionName="fn",
                FunctionVersion={"Fn::GetAtt": ["V", "Version"]},
                Name="live",
                ProvisionedConcurrencyConfig={"ProvisionedConcurrentExecutions": 1},
            ),
        },
        1 * 0.5 * H * 3600 * 3.3334e-6,
    ),
    # one metric transformation: 1 custom metric x 0.30
    Case(
        "AWS::Logs::MetricFilter",
        {
            "MF": res(
                "AWS::Logs::MetricFilter",
                FilterPattern="ERROR",
                MetricTransformations=[{"MetricName": "errors", "MetricValue": "1"}],
            )
        },
        1 * 0.30,
    ),
    # Classic Load Balancer, Sydney: 730 h x 0.028 + 10 GB (default) x 0.008
    Case(
        "AWS::ElasticLoadBalancing::LoadBalancer",
        {"L": res("AWS::ElasticLoadBalancing::LoadBalancer", Listeners=[])},
        H * 0.028 + 10 * 0.008,
        region="ap-southeast-2",
    ),
    # DocumentDB cluster, Ireland: 50 GB (default) x 0.11 + 10 M I/Os x 2.2e-7 + 0 backup
    Case(
        "AWS::DocDB::DBCluster",
        {"C": res("AWS::DocDB::DBCluster")},
        50 * 0.11 + 10e6 * 2.2e-7,
        region="eu-west-1",
    ),
    # DocumentDB db.r6g.large, Ireland: 730 h x 0.2907
    Case(
        "AWS::DocDB::DBInstance",
        {"I": res("AWS::DocDB::DBInstance", DBInstanceClass="db.r6g.large")},
        H * 0.2907,
        region="eu-west-1",
    ),
    # Neptune cluster: 50 GB x 0.10 + 10 M I/Os x 2e-7
    Case("AWS::Neptune::DBCluster", {"C": res("AWS::Neptune::DBCluster")}, 50 * 0.10 + 2.0),
    # Neptune db.r5.large in an I/O-Optimized cluster: 730 h x 0.469
    Case(
        "AWS::Neptune::DBInstance",
        {
            "C": res("AWS::Neptune::DBCluster", StorageType="iopt1"),
            "I": res(
                "AWS::Neptune::DBInstance",
                DBInstanceClass="db.r5.large",
                DBClusterIdentifier={"Ref": "C"},
            ),
        },
        H * 0.469,
    ),
    # MemoryDB Redis, 2 shards x (1 replica + 1) x db.r7g.large 730 h x 0.309 + 10 GB x 0.20
    Case(
        "AWS::MemoryDB::Cluster",
        {
            "M": res(
                "AWS::MemoryDB::Cluster",
                NodeType="db.r7g.large",
                NumShards=2,
                ACLName="open-access",
            )
        },
        4 * H * 0.309 + 10 * 0.20,
    ),
    # DMS dms.c5.large Multi-AZ, Ireland: 730 h x 0.35; 100 GB allocated = the included 100 GB
    Case(
        "AWS::DMS::ReplicationInstance",
        {
            "R": res(
                "AWS::DMS::ReplicationInstance",
                ReplicationInstanceClass="dms.c5.large",
                MultiAZ=True,
                AllocatedStorage=100,
            )
        },
        H * 0.35,
        region="eu-west-1",
    ),
    # Managed Microsoft AD Standard, Ireland: 2 domain controllers x 730 h x 0.063
    Case(
        "AWS::DirectoryService::MicrosoftAD",
        {"D": res("AWS::DirectoryService::MicrosoftAD", Edition="Standard", Name="a.b")},
        2 * H * 0.063,
        region="eu-west-1",
    ),
    # Simple AD Small: 730 h x 0.05
    Case(
        "AWS::DirectoryService::SimpleAD",
        {"D": res("AWS::DirectoryService::SimpleAD", Size="Small", Name="a.b")},
        H * 0.05,
    ),
    # App Runner 1 vCPU / 2 GB always active: 730 x 0.064 + 2 x 730 x 0.007 + $1 auto deploy
    Case(
        "AWS::AppRunner::Service",
        {
            "S": res(
                "AWS::AppRunner::Service",
                InstanceConfiguration={"Cpu": "1 vCPU", "Memory": "2 GB"},
                SourceConfiguration={"AutoDeploymentsEnabled": True},
            )
        },
        H * 0.064 + 2 * H * 0.007 + 1.0,
    ),
    # Cognito Lite, Ireland: 60,000 MAU = 50,000 x 0.0055 + 10,000 x 0.0046
    Case(
        "AWS::Cognito::UserPool",
        {"P": res("AWS::Cognito::UserPool", UserPoolTier="LITE")},
        50_000 * 0.0055 + 10_000 * 0.0046,
        usage={"resources": {"P": {"monthly_active_users": 60_000}}},
        region="eu-west-1",
    ),
    # AppSync, Sydney: 1 M operations (default) x 4e-6
    Case(
        "AWS::AppSync::GraphQLApi",
        {"G": res("AWS::AppSync::GraphQLApi", Name="g", AuthenticationType="API_KEY")},
        1e6 * 4e-6,
        region="ap-southeast-2",
    ),
    # EventBridge API destination, Sydney: 1 M invocations (default) x 0.00000024
    Case(
        "AWS::Events::ApiDestination",
        {"D": res("AWS::Events::ApiDestination", HttpMethod="POST", InvocationEndpoint="u")},
        1e6 * 0.00000024,
        region="ap-southeast-2",
    ),
    # EventBridge archive, São Paulo: 1 GB a month (default) x 0.20 + 1 x 90 / 30 = 3 GB
    # stored x 0.0405
    Case(
        "AWS::Events::Archive",
        {"A": res("AWS::Events::Archive", SourceArn="arn", RetentionDays=90)},
        1 * 0.20 + 3 * 0.0405,
        region="sa-east-1",
    ),
    # EventBridge pipe, São Paulo: 1 M requests (default) x 0.00000069
    Case(
        "AWS::Pipes::Pipe",
        {"P": res("AWS::Pipes::Pipe", Source="s", Target="t", RoleArn="r")},
        1e6 * 0.00000069,
        region="sa-east-1",
    ),
    # Private CA, short-lived certificate mode: 50.00 a month
    Case(
        "AWS::ACMPCA::CertificateAuthority",
        {
            "CA": res(
                "AWS::ACMPCA::CertificateAuthority",
                Type="ROOT",
                KeyAlgorithm="RSA_2048",
                SigningAlgorithm="SHA256WITHRSA",
                Subject={"CommonName": "x"},
                UsageMode="SHORT_LIVED_CERTIFICATE",
            )
        },
        50.0,
    ),
    # A certificate from a general-purpose CA in the template: one at the first tier, 0.75
    Case(
        "AWS::ACMPCA::Certificate",
        {
            "CA": res("AWS::ACMPCA::CertificateAuthority", Type="ROOT"),
            "C": res(
                "AWS::ACMPCA::Certificate",
                CertificateAuthorityArn={"Ref": "CA"},
                CertificateSigningRequest="csr",
                SigningAlgorithm="SHA256WITHRSA",
                Validity={"Type": "DAYS", "Value": 90},
            ),
        },
        0.75,
    ),
    # CodeCommit, 12 active users: the first 5 free, 7 x 1.00
    Case(
        "AWS::CodeCommit::Repository",
        {"R": res("AWS::CodeCommit::Repository", RepositoryName="r")},
        7 * 1.0,
        usage={"resources": {"R": {"monthly_active_users": 12}}},
    ),
    # SageMaker Studio Classic KernelGateway app, São Paulo: ml.t3.medium Studio notebook
    # 0.081 USD/h x 730 h
    Case(
        "AWS::SageMaker::App",
        {
            "A": res(
                "AWS::SageMaker::App",
                AppName="a",
                AppType="KernelGateway",
                DomainId="d-1",
                UserProfileName="u",
                ResourceSpec={"InstanceType": "ml.t3.medium"},
            )
        },
        730 * 0.081,
        region="sa-east-1",
    ),
    # SageMaker domain, Sydney: 10 GB (default) of EFS Standard home directories x 0.36
    Case(
        "AWS::SageMaker::Domain",
        {"D": res("AWS::SageMaker::Domain", DomainName="d", AuthMode="IAM")},
        10 * 0.36,
        region="ap-southeast-2",
    ),
    # Greengrass group, Sydney, one core in its core definition version: 1 x 0.18
    Case(
        "AWS::Greengrass::Group",
        {
            "V": res("AWS::Greengrass::CoreDefinitionVersion", Cores=[{"Id": "c"}]),
            "G": res(
                "AWS::Greengrass::Group",
                Name="g",
                InitialVersion={"CoreDefinitionVersionArn": {"Ref": "V"}},
            ),
        },
        0.18,
        region="ap-southeast-2",
    ),
    # IoT Core rule, São Paulo: 1 M triggers (default) x 0.000000225 + 2 actions x 1 M x
    # 0.000000225
    Case(
        "AWS::IoT::TopicRule",
        {
            "R": res(
                "AWS::IoT::TopicRule",
                TopicRulePayload={"Sql": "SELECT * FROM 't'", "Actions": [{"Lambda": {}}, {}]},
            )
        },
        1e6 * 0.000000225 + 2 * 1e6 * 0.000000225,
        region="sa-east-1",
    ),
    # Firehose, Ireland: 100 GB (default) x 0.031
    Case(
        "AWS::KinesisFirehose::DeliveryStream",
        {"F": res("AWS::KinesisFirehose::DeliveryStream")},
        100 * 0.031,
        region="eu-west-1",
    ),
    # CodePipeline V2: 100 action minutes (default) x 0.002
    Case(
        "AWS::CodePipeline::Pipeline",
        {"P": res("AWS::CodePipeline::Pipeline", PipelineType="V2", RoleArn="r", Stages=[])},
        100 * 0.002,
    ),
    # Site-to-Site VPN, Tokyo: 730 h x 0.048 (no transit gateway)
    Case(
        "AWS::EC2::VPNConnection",
        {
            "V": res(
                "AWS::EC2::VPNConnection", CustomerGatewayId="c", Type="ipsec.1", VpnGatewayId="g"
            )
        },
        H * 0.048,
        region="ap-northeast-1",
    ),
    # Client VPN endpoint: 160 connection-hours (default) x 0.05
    Case(
        "AWS::EC2::ClientVpnEndpoint",
        {"E": res("AWS::EC2::ClientVpnEndpoint", ClientCidrBlock="10.0.0.0/22")},
        160 * 0.05,
    ),
    # Client VPN association, Sydney: 730 h x 0.15
    Case(
        "AWS::EC2::ClientVpnTargetNetworkAssociation",
        {
            "A": res(
                "AWS::EC2::ClientVpnTargetNetworkAssociation", ClientVpnEndpointId="e", SubnetId="s"
            )
        },
        H * 0.15,
        region="ap-southeast-2",
    ),
    # Network Firewall: 2 endpoints x 730 h x 0.395 + 10 GB (default) x 0.065
    Case(
        "AWS::NetworkFirewall::Firewall",
        {
            "F": res(
                "AWS::NetworkFirewall::Firewall",
                FirewallName="f",
                FirewallPolicyArn="arn",
                VpcId="v",
                SubnetMappings=[{"SubnetId": "a"}, {"SubnetId": "b"}],
            )
        },
        2 * H * 0.395 + 10 * 0.065,
    ),
    # Route 53 health check (global), non-AWS endpoint: 0.75 + 1 feature (HTTPS) x 2.00
    Case(
        "AWS::Route53::HealthCheck",
        {
            "C": res(
                "AWS::Route53::HealthCheck",
                HealthCheckConfig={"Type": "HTTPS", "FullyQualifiedDomainName": "example.com"},
            )
        },
        0.75 + 2.00,
    ),
    # Resolver endpoint, Ireland: 2 IP addresses x 730 h x 0.125 + 1 M queries (default) x 4e-7
    Case(
        "AWS::Route53Resolver::ResolverEndpoint",
        {
            "R": res(
                "AWS::Route53Resolver::ResolverEndpoint",
                Direction="INBOUND",
                SecurityGroupIds=["sg"],
                IpAddresses=[{"SubnetId": "a"}, {"SubnetId": "b"}],
            )
        },
        2 * H * 0.125 + 1e6 * 4e-7,
        region="eu-west-1",
    ),
    # Transfer Family, SFTP (default): 730 h x 0.30 + 10 GB up x 0.04 + 10 GB down x 0.04
    Case(
        "AWS::Transfer::Server",
        {"S": res("AWS::Transfer::Server")},
        H * 0.30 + 10 * 0.04 + 10 * 0.04,
    ),
    # --- data services (cost.pricing.warehouse) ---
    # Redshift multi-node: 3 x ra3.xlplus 730 h x 1.086 (RA3 managed storage not priced)
    Case(
        "AWS::Redshift::Cluster",
        {
            "R": res(
                "AWS::Redshift::Cluster",
                NodeType="ra3.xlplus",
                ClusterType="multi-node",
                NumberOfNodes=3,
            )
        },
        3 * H * 1.086,
    ),
    # Redshift Serverless: 32 RPUs x 100 active hours x 0.375 per RPU-hour
    Case(
        "AWS::RedshiftServerless::Workgroup",
        {"W": res("AWS::RedshiftServerless::Workgroup", WorkgroupName="w", BaseCapacity=32)},
        32 * 100 * 0.375,
        usage={"resources": {"W": {"active_hours_per_month": 100}}},
    ),
    # MSK: 3 x kafka.m5.large 730 h x 0.21 + 3 brokers x 100 GiB x 0.10
    Case(
        "AWS::MSK::Cluster",
        {
            "K": res(
                "AWS::MSK::Cluster",
                ClusterName="k",
                KafkaVersion="3.6.0",
                NumberOfBrokerNodes=3,
                BrokerNodeGroupInfo={
                    "InstanceType": "kafka.m5.large",
                    "ClientSubnets": ["a", "b", "c"],
                    "StorageInfo": {"EBSStorageInfo": {"VolumeSize": 100}},
                },
            )
        },
        3 * H * 0.21 + 3 * 100 * 0.10,
    ),
    # MSK Serverless, default usage: 730 h x 0.75 + 10 partitions x 730 h x 0.0015 + 10 GB
    # stored x 0.10 + 10 GB in x 0.10 + 10 GB out x 0.05
    Case(
        "AWS::MSK::ServerlessCluster",
        {"S": res("AWS::MSK::ServerlessCluster", ClusterName="s")},
        H * 0.75 + 10 * H * 0.0015 + 10 * 0.10 + 10 * 0.10 + 10 * 0.05,
    ),
    # ActiveMQ active/standby mq.m5.large (the pair's row) 730 h x 0.576 + 1 GB EFS x 0.30
    Case(
        "AWS::AmazonMQ::Broker",
        {
            "B": res(
                "AWS::AmazonMQ::Broker",
                EngineType="ACTIVEMQ",
                DeploymentMode="ACTIVE_STANDBY_MULTI_AZ",
                HostInstanceType="mq.m5.large",
            )
        },
        H * 0.576 + 1 * 0.30,
    ),
    # OpenSearch: 2 x r6g.large.search 730 h x 0.167 + 3 masters m6g.large.search x 730 h x
    # 0.128 + per data node gp3 100 GiB x 0.122, (4000 - 3000) IOPS x 0.008, (250 - 125)
    # MiB/s x 0.064
    Case(
        "AWS::OpenSearchService::Domain",
        {
            "D": res(
                "AWS::OpenSearchService::Domain",
                ClusterConfig={
                    "InstanceType": "r6g.large.search",
                    "InstanceCount": 2,
                    "DedicatedMasterEnabled": True,
                    "DedicatedMasterType": "m6g.large.search",
                    "DedicatedMasterCount": 3,
                },
                EBSOptions={
                    "EBSEnabled": True,
                    "VolumeType": "gp3",
                    "VolumeSize": 100,
                    "Iops": 4000,
                    "Throughput": 250,
                },
            )
        },
        2 * H * 0.167 + 3 * H * 0.128 + 2 * 100 * 0.122 + 2 * 1000 * 0.008 + 2 * 125 * 0.064,
    ),
    # Elasticsearch m5.large.elasticsearch (priced as m5.large.search) 730 h x 0.142 + 10 GiB
    # gp2 x 0.135
    Case(
        "AWS::Elasticsearch::Domain",
        {
            "D": res(
                "AWS::Elasticsearch::Domain",
                ElasticsearchClusterConfig={"InstanceType": "m5.large.elasticsearch"},
                EBSOptions={"EBSEnabled": True, "VolumeType": "gp2", "VolumeSize": 10},
            )
        },
        H * 0.142 + 10 * 0.135,
    ),
    # DAX: 3 x dax.r5.large 730 h x 0.255
    Case(
        "AWS::DAX::Cluster",
        {
            "X": res(
                "AWS::DAX::Cluster", NodeType="dax.r5.large", ReplicationFactor=3, IAMRoleARN="r"
            )
        },
        3 * H * 0.255,
    ),
    # Keyspaces on-demand, default usage: 1e6 reads x 1.25e-7 + 1e6 writes x 6.25e-7 + 1 GB x
    # 0.25
    Case(
        "AWS::Cassandra::Table",
        {"T": res("AWS::Cassandra::Table", KeyspaceName="k", PartitionKeyColumns=[])},
        1e6 * 1.25e-7 + 1e6 * 6.25e-7 + 1 * 0.25,
    ),
    # CloudTrail, two trails: the second pays for its copy, 1 M management events (default)
    # x 0.00002
    Case(
        "AWS::CloudTrail::Trail",
        {
            # B (the subject) sorts after A: B's copy is the additional one.
            "B": res("AWS::CloudTrail::Trail", IsLogging=True, S3BucketName="b"),
            "A": res("AWS::CloudTrail::Trail", IsLogging=True, S3BucketName="b"),
        },
        1e6 * 0.00002,
    ),
    # Config recorder, daily recording: 1,000 items (default) x 0.012
    Case(
        "AWS::Config::ConfigurationRecorder",
        {
            "R": res(
                "AWS::Config::ConfigurationRecorder",
                RecordingMode={"RecordingFrequency": "DAILY"},
            )
        },
        1000 * 0.012,
    ),
    # Config rule, Ireland: 200,000 evaluations = 100,000 x 0.001 + 100,000 x 0.0008
    Case(
        "AWS::Config::ConfigRule",
        {"C": res("AWS::Config::ConfigRule", Source={"Owner": "AWS"})},
        100_000 * 0.001 + 100_000 * 0.0008,
        usage={"resources": {"C": {"monthly_rule_evaluations": 200_000}}},
        region="eu-west-1",
    ),
    # Conformance pack: 10,000 evaluations (default) x 0.001
    Case(
        "AWS::Config::ConformancePack",
        {"P": res("AWS::Config::ConformancePack")},
        10_000 * 0.001,
    ),
    # Composite alarm, São Paulo: one alarm-month x 0.675
    Case(
        "AWS::CloudWatch::CompositeAlarm",
        {"A": res("AWS::CloudWatch::CompositeAlarm", AlarmRule="ALARM(a)")},
        0.675,
        region="sa-east-1",
    ),
    # Canary, rate(10 minutes): 52,560 runs a year / 12 = 4,380 x 0.0012
    Case(
        "AWS::Synthetics::Canary",
        {"C": res("AWS::Synthetics::Canary", Schedule={"Expression": "rate(10 minutes)"})},
        4380 * 0.0012,
    ),
    # Glue job, Sydney: 2 x G.1X, 30 runs (default) x 10 min (default) = 10 DPU-hours x 0.44
    Case(
        "AWS::Glue::Job",
        {
            "J": res(
                "AWS::Glue::Job",
                Command={"Name": "glueetl"},
                GlueVersion="4.0",
                WorkerType="G.1X",
                NumberOfWorkers=2,
            )
        },
        2 * 30 * 10 / 60 * 0.44,
        region="ap-southeast-2",
    ),
    # Glue crawler: 1 DPU-hour (default) x 0.44
    Case("AWS::Glue::Crawler", {"C": res("AWS::Glue::Crawler")}, 0.44),
    # Athena workgroup, São Paulo: 0.1 TB (default) x 9.00
    Case(
        "AWS::Athena::WorkGroup",
        {"W": res("AWS::Athena::WorkGroup")},
        0.1 * 9.0,
        region="sa-east-1",
    ),
    # GuardDuty: 1 M CloudTrail events (default) x 0.000004 + 10 GB (default) x 1.00
    Case(
        "AWS::GuardDuty::Detector",
        {"D": res("AWS::GuardDuty::Detector", Enable=True)},
        1e6 * 0.000004 + 10 * 1.0,
    ),
    # Security Hub: 10,000 checks (default) x 0.001 + (20,000 - 10,000 free) findings x 0.00003
    Case("AWS::SecurityHub::Hub", {"H": res("AWS::SecurityHub::Hub")}, 10.0 + 10_000 * 0.00003),
    # CodeBuild, Linux general1.medium: 100 minutes (default) x 0.01
    Case(
        "AWS::CodeBuild::Project",
        {
            "P": res(
                "AWS::CodeBuild::Project",
                Environment={"Type": "LINUX_CONTAINER", "ComputeType": "BUILD_GENERAL1_MEDIUM"},
            )
        },
        100 * 0.01,
    ),
    # Backup vault: 100 GB DynamoDB warm x 0.10
    Case(
        "AWS::Backup::BackupVault",
        {"V": res("AWS::Backup::BackupVault")},
        100 * 0.10,
        usage={"resources": {"V": {"dynamodb_warm_gb": 100}}},
    ),
]

# No prices at all: the generic cannot-price case (every service, every region).
NONE = "AWS publishes no"

UNPRICED_CASES = [
    Case(
        "AWS::EC2::Instance",
        {"I": res("AWS::EC2::Instance", InstanceType="m5.large", Tenancy="dedicated")},
        "dedicated tenancy",
    ),
    Case(
        "AWS::EC2::Volume",
        {"V": res("AWS::EC2::Volume", VolumeType="io2", Size=10)},
        "no published AmazonEC2 'Storage' price",
        region="sa-east-1",
    ),
    Case(
        "AWS::AutoScaling::AutoScalingGroup",
        {
            "Asg": res(
                "AWS::AutoScaling::AutoScalingGroup",
                MinSize="1",
                MaxSize="2",
                LaunchTemplate={"LaunchTemplateId": "lt-123", "Version": "1"},
            )
        },
        "launch template is not in this template",
    ),
    Case("AWS::EKS::Cluster", {"C": res("AWS::EKS::Cluster")}, NONE, catalog="empty"),
    Case(
        "AWS::EKS::Nodegroup",
        {"N": res("AWS::EKS::Nodegroup", CapacityType="SPOT")},
        "Spot node groups",
    ),
    Case(
        "AWS::ElastiCache::CacheCluster",
        {
            "C": res(
                "AWS::ElastiCache::CacheCluster",
                Engine="redis",
                CacheNodeType="cache.z9.huge",
                NumCacheNodes=1,
            )
        },
        "instanceType=cache.z9.huge",
    ),
    Case(
        "AWS::ElastiCache::ReplicationGroup",
        {"R": res("AWS::ElastiCache::ReplicationGroup", Engine="redis")},
        "cache node type is not known",
    ),
    Case(
        "AWS::ElastiCache::ServerlessCache",
        {"S": res("AWS::ElastiCache::ServerlessCache", Engine="mongo")},
        "cache engine mongo",
    ),
    Case(
        "AWS::EC2::TransitGatewayVpcAttachment",
        {"A": res("AWS::EC2::TransitGatewayVpcAttachment")},
        NONE,
        catalog="empty",
    ),
    Case(
        "AWS::EC2::TransitGatewayAttachment",
        {"A": res("AWS::EC2::TransitGatewayAttachment")},
        NONE,
        catalog="empty",
    ),
    Case(
        "AWS::RDS::DBCluster",
        {"C": res("AWS::RDS::DBCluster", Engine="mysql", DBClusterInstanceClass="db.m5d.large")},
        "Multi-AZ DB clusters",
    ),
    Case(
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        {"Lb": res("AWS::ElasticLoadBalancingV2::LoadBalancer", Type="classic")},
        "load balancer type 'classic' is not one AWS prices",
    ),
    Case("AWS::EC2::NatGateway", {"Nat": res("AWS::EC2::NatGateway")}, NONE, catalog="empty"),
    Case(
        "AWS::EC2::NatGateway",
        {"Nat": res("AWS::EC2::NatGateway", AvailabilityMode="regional")},
        "regional NAT gateways are not in the catalog",
    ),
    # AWS publishes no WAF prices for Auckland (the pricing-page file has no such location).
    Case(
        "AWS::WAFv2::WebACL",
        {"Acl": res("AWS::WAFv2::WebACL", Scope="REGIONAL", Rules=[])},
        "AWS publishes no awswaf prices for ap-southeast-6",
        region="ap-southeast-6",
    ),
    Case("AWS::EC2::EIP", {"Ip": res("AWS::EC2::EIP")}, NONE, catalog="empty"),
    Case(
        "AWS::EC2::VPCEndpoint",
        {"E": res("AWS::EC2::VPCEndpoint", VpcEndpointType="GatewayLoadBalancer")},
        "GatewayLoadBalancer endpoints are not in the price catalog",
    ),
    Case(
        "AWS::ECS::Service",
        {
            "Task": TASK,
            "Svc": res(
                "AWS::ECS::Service",
                CapacityProviderStrategy=[{"CapacityProvider": "FARGATE_SPOT", "Weight": 1}],
                **SERVICE,
            ),
        },
        "SpotUsage-Fargate-ARM-vCPU-Hours",
    ),
    Case("AWS::Lambda::Function", {"Fn": res("AWS::Lambda::Function")}, NONE, catalog="empty"),
    Case(
        "AWS::SecretsManager::Secret",
        {"S": res("AWS::SecretsManager::Secret")},
        NONE,
        catalog="empty",
    ),
    Case(
        "AWS::KMS::Key",
        {"K": res("AWS::KMS::Key", KeySpec="RSA_2048")},
        "key spec RSA_2048 is not in the price catalog",
    ),
    Case(
        "AWS::Route53::HostedZone",
        {"Z": res("AWS::Route53::HostedZone", Name="x.com")},
        "no AmazonRoute53 prices",
        catalog="empty",
    ),
    Case(
        "AWS::S3Express::DirectoryBucket",
        {"B": res("AWS::S3Express::DirectoryBucket", DataRedundancy="SingleLocalZone")},
        "DataRedundancy SingleLocalZone (a directory bucket in a Local Zone)",
    ),
    # Not offered in São Paulo: the S3 file publishes no Express One Zone price there.
    Case(
        "AWS::S3Express::DirectoryBucket",
        {"B": res("AWS::S3Express::DirectoryBucket")},
        "no published AmazonS3 'Express One Zone Storage' price in sa-east-1",
        region="sa-east-1",
    ),
    Case("AWS::Glue::Database", {"D": res("AWS::Glue::Database")}, NONE, catalog="empty"),
    Case("AWS::Glue::Table", {"T": res("AWS::Glue::Table")}, NONE, catalog="empty"),
    Case(
        "AWS::EMR::Cluster",
        {
            "C": res(
                "AWS::EMR::Cluster",
                Instances={"MasterInstanceFleet": {"InstanceTypeConfigs": []}},
            )
        },
        "instance fleets",
    ),
    Case(
        "AWS::EMR::InstanceGroupConfig",
        {
            "G": res(
                "AWS::EMR::InstanceGroupConfig",
                InstanceRole="TASK",
                InstanceCount=4,
                InstanceType="m5.xlarge",
                Market="SPOT",
            )
        },
        "Task Market SPOT: spot prices are not in the catalog",
    ),
    Case(
        "AWS::Cloud9::EnvironmentEC2",
        {"C9": res("AWS::Cloud9::EnvironmentEC2", InstanceType={"Ref": "Size"})},
        "InstanceType {'Ref': 'Size'} is not known at synth time",
    ),
    Case(
        "AWS::RDS::DBInstance",
        {"Db": res("AWS::RDS::DBInstance", Engine="mysql", DBInstanceClass="db.z9.large")},
        "instanceType=db.z9.large",
    ),
    Case(
        "AWS::Logs::LogGroup",
        {"L": res("AWS::Logs::LogGroup", LogGroupClass="INFREQUENT_ACCESS")},
        "log group class INFREQUENT_ACCESS",
    ),
    Case(
        "AWS::EC2::FlowLog",
        {"F": res("AWS::EC2::FlowLog", LogDestinationType="s3")},
        "flow logs delivered to s3",
    ),
    Case(
        "AWS::CloudWatch::Alarm",
        {"A": res("AWS::CloudWatch::Alarm", Period=10)},
        "high-resolution alarms",
    ),
    Case(
        "AWS::ApplicationAutoScaling::ScalingPolicy",
        {
            "P": res(
                "AWS::ApplicationAutoScaling::ScalingPolicy", PolicyType="TargetTrackingScaling"
            )
        },
        NONE,
        catalog="empty",
    ),
    Case(
        "AWS::ECS::Cluster",
        {
            "C": res(
                "AWS::ECS::Cluster",
                ClusterSettings=[{"Name": "containerInsights", "Value": "enabled"}],
            )
        },
        NONE,
        catalog="empty",
    ),
    Case(
        "AWS::S3::Bucket",
        {
            "B": res(
                "AWS::S3::Bucket",
                LifecycleConfiguration={
                    "Rules": [
                        {
                            "Status": "Enabled",
                            "Transitions": [{"StorageClass": "ONEZONE_IA", "TransitionInDays": 30}],
                        }
                    ]
                },
            )
        },
        "storage class ONEZONE_IA is not in the price catalog",
    ),
    Case(
        "AWS::WAFv2::WebACL",
        {
            "Acl": res(
                "AWS::WAFv2::WebACL",
                Rules=[
                    RATE_RULE,
                    {
                        "Name": "bots",
                        "Statement": {
                            "ManagedRuleGroupStatement": {
                                "VendorName": "AWS",
                                "Name": "AWSManagedRulesBotControlRuleSet",
                            }
                        },
                    },
                ],
            )
        },
        "AWSManagedRulesBotControlRuleSet has fees not in the price catalog",
    ),
    Case(
        "AWS::DynamoDB::Table",
        {"T": res("AWS::DynamoDB::Table")},
        "a PROVISIONED table needs ProvisionedThroughput on the table",
    ),
    Case(
        "AWS::DynamoDB::Table",
        {"T": res("AWS::DynamoDB::Table", BillingMode="PAY_PER_REQUEST", TableClass="COLD")},
        "table class 'COLD' is not one DynamoDB prices",
    ),
    Case(
        "AWS::DynamoDB::GlobalTable",
        {"G": res("AWS::DynamoDB::GlobalTable", Replicas=[{"Region": "us-east-1"}])},
        "a PROVISIONED global table needs write capacity settings",
    ),
    Case(
        "AWS::Kinesis::Stream",
        {"S": res("AWS::Kinesis::Stream", ShardCount=1, RetentionPeriodHours=8760)},
        "long-term retention (beyond 7 days)",
    ),
    Case(
        "AWS::EFS::FileSystem",
        {"F": res("AWS::EFS::FileSystem", AvailabilityZoneName="us-east-1a")},
        "One Zone file systems have no Archive class",
        usage={"resources": {"F": {"archive_storage_gb": 5}}},
    ),
    Case("AWS::ECR::Repository", {"R": res("AWS::ECR::Repository")}, NONE, catalog="empty"),
    Case("AWS::ApiGateway::RestApi", {"A": res("AWS::ApiGateway::RestApi")}, NONE, catalog="empty"),
    Case(
        "AWS::ApiGateway::Stage",
        {"S": res("AWS::ApiGateway::Stage", CacheClusterEnabled=True, CacheClusterSize="3")},
        "cache cluster size '3' is not one API Gateway offers",
    ),
    Case(
        "AWS::ApiGateway::Deployment",
        {
            "D": res(
                "AWS::ApiGateway::Deployment",
                StageName="prod",
                StageDescription={"CacheClusterEnabled": True},
            )
        },
        NONE,
        catalog="empty",
    ),
    Case(
        "AWS::ApiGatewayV2::Api",
        {"A": res("AWS::ApiGatewayV2::Api", ProtocolType="GRPC")},
        "protocol type 'GRPC' is not one API Gateway prices",
    ),
    Case(
        "AWS::StepFunctions::StateMachine",
        {"M": res("AWS::StepFunctions::StateMachine")},
        NONE,
        catalog="empty",
    ),
    Case(
        "AWS::SNS::Topic",
        {"T": res("AWS::SNS::Topic", Subscription=[{"Protocol": "sms", "Endpoint": "+1555"}])},
        "sms deliveries are not in the price catalog",
    ),
    Case("AWS::SQS::Queue", {"Q": res("AWS::SQS::Queue")}, NONE, catalog="empty"),
    Case("AWS::Events::EventBus", {"B": res("AWS::Events::EventBus")}, NONE, catalog="empty"),
    Case(
        "AWS::Events::Rule",
        {
            "Bus": res("AWS::Events::EventBus", Name="b"),
            "R": res(
                "AWS::Events::Rule", Targets=[{"Id": "b", "Arn": {"Fn::GetAtt": ["Bus", "Arn"]}}]
            ),
        },
        NONE,
        catalog="empty",
    ),
    Case(
        "AWS::Scheduler::Schedule",
        {"S": res("AWS::Scheduler::Schedule", ScheduleExpression="cron(0 3 ? * 2#1 *)")},
        "set usage monthly_invocations",
    ),
    Case(
        "AWS::Lambda::Version",
        {
            "V": res(
                "AWS::Lambda::Version",
                FunctionName="fn",
                ProvisionedConcurrencyConfig={"ProvisionedConcurrentExecutions": 1},
            )
        },
        NONE,
        catalog="empty",
    ),
    Case(
        "AWS::Lambda::Alias",
        {
            "A": res(
                "AWS::Lambda::Alias",
                FunctionName="fn",
                FunctionVersion="1",
                Name="live",
                ProvisionedConcurrencyConfig={"ProvisionedConcurrentExecutions": 1},
            )
        },
        NONE,
        catalog="empty",
    ),
    # No AWS-published source: unsupported, with the reason.
    Case(
        "AWS::Lambda::EventSourceMapping",
        {
            "M": res(
                "AWS::Lambda::EventSourceMapping",
                FunctionName="fn",
                ProvisionedPollerConfig={"MinimumPollers": 2},
            )
        },
        "publishes no event poller unit price",
    ),
    Case(
        "AWS::CloudFront::Distribution",
        {"D": res("AWS::CloudFront::Distribution", DistributionConfig={"Enabled": True})},
        "no AmazonCloudFront prices",
        catalog="empty",
    ),
    Case(
        "AWS::CloudWatch::Dashboard",
        {"D": res("AWS::CloudWatch::Dashboard", DashboardBody="{}")},
        "no AmazonCloudWatch prices",
        catalog="empty",
    ),
    Case(
        "AWS::Logs::MetricFilter",
        {"MF": res("AWS::Logs::MetricFilter", MetricTransformations=[])},
        NONE,
        catalog="empty",
    ),
    Case(
        "AWS::ElasticLoadBalancing::LoadBalancer",
        {"L": res("AWS::ElasticLoadBalancing::LoadBalancer")},
        NONE,
        catalog="empty",
    ),
    Case("AWS::DocDB::DBCluster", {"C": res("AWS::DocDB::DBCluster")}, NONE, catalog="empty"),
    Case(
        "AWS::DocDB::DBInstance",
        {"I": res("AWS::DocDB::DBInstance", DBInstanceClass="db.z9.huge")},
        "instanceType=db.z9.huge",
    ),
    Case("AWS::Neptune::DBCluster", {"C": res("AWS::Neptune::DBCluster")}, NONE, catalog="empty"),
    Case(
        "AWS::Neptune::DBInstance",
        {"I": res("AWS::Neptune::DBInstance", DBInstanceClass="db.serverless")},
        "Neptune Serverless",
    ),
    Case(
        "AWS::MemoryDB::Cluster",
        {"M": res("AWS::MemoryDB::Cluster", NodeType={"Ref": "NodeType"})},
        "node type is not known",
    ),
    Case(
        "AWS::DMS::ReplicationInstance",
        {"R": res("AWS::DMS::ReplicationInstance", ReplicationInstanceClass="dms.z9.huge")},
        "instanceType=z9.huge",
    ),
    Case(
        "AWS::DirectoryService::MicrosoftAD",
        {"D": res("AWS::DirectoryService::MicrosoftAD", Edition="Premium")},
        "edition 'Premium'",
    ),
    Case(
        "AWS::DirectoryService::SimpleAD",
        {"D": res("AWS::DirectoryService::SimpleAD", Size="Small")},
        NONE,
        catalog="empty",
    ),
    Case(
        "AWS::AppRunner::Service",
        {"S": res("AWS::AppRunner::Service")},
        NONE,
        catalog="empty",
    ),
    Case(
        "AWS::Cognito::UserPool",
        {"P": res("AWS::Cognito::UserPool")},
        "does not identify the Essentials or Plus feature plan",
    ),
    Case(
        "AWS::AppSync::GraphQLApi",
        {"G": res("AWS::AppSync::GraphQLApi")},
        NONE,
        catalog="empty",
    ),
    Case(
        "AWS::CodeCommit::Repository",
        {"R": res("AWS::CodeCommit::Repository")},
        NONE,
        catalog="empty",
    ),
    Case(
        "AWS::SageMaker::App",
        {"A": res("AWS::SageMaker::App", AppType="KernelGateway", ResourceSpec={})},
        "without an instance type",
    ),
    Case(
        "AWS::SageMaker::Domain",
        {"D": res("AWS::SageMaker::Domain")},
        NONE,
        catalog="empty",
    ),
    Case(
        "AWS::Greengrass::Group",
        {
            "V": res("AWS::Greengrass::CoreDefinitionVersion", Cores=[]),
            "G": res(
                "AWS::Greengrass::Group", InitialVersion={"CoreDefinitionVersionArn": {"Ref": "V"}}
            ),
        },
        "lists no cores",
    ),
    Case(
        "AWS::Events::ApiDestination",
        {"D": res("AWS::Events::ApiDestination")},
        NONE,
        catalog="empty",
    ),
    Case(
        "AWS::Events::Archive",
        {"A": res("AWS::Events::Archive", SourceArn="arn")},
        "RetentionDays is unset or 0",
    ),
    Case("AWS::Pipes::Pipe", {"P": res("AWS::Pipes::Pipe")}, NONE, catalog="empty"),
    Case(
        "AWS::ACMPCA::CertificateAuthority",
        {"CA": res("AWS::ACMPCA::CertificateAuthority", UsageMode="FOREVER")},
        "UsageMode 'FOREVER' is not one of GENERAL_PURPOSE, SHORT_LIVED_CERTIFICATE",
    ),
    Case(
        "AWS::ACMPCA::Certificate",
        {
            "CA": res("AWS::ACMPCA::CertificateAuthority", UsageMode="FOREVER"),
            "C": res("AWS::ACMPCA::Certificate", CertificateAuthorityArn={"Ref": "CA"}),
        },
        "the issuing CA's UsageMode 'FOREVER'",
    ),
    Case(
        "AWS::IoT::TopicRule",
        {"R": res("AWS::IoT::TopicRule", TopicRulePayload={"Actions": {"Ref": "A"}})},
        "TopicRulePayload.Actions is not a list",
    ),
    Case(
        "AWS::KinesisFirehose::DeliveryStream",
        {"F": res("AWS::KinesisFirehose::DeliveryStream", DeliveryStreamType="MSKAsSource")},
        "MSK-sourced",
    ),
    Case(
        "AWS::CodePipeline::Pipeline",
        {"P": res("AWS::CodePipeline::Pipeline", PipelineType="V3")},
        "pipeline type 'V3'",
    ),
    Case(
        "AWS::OpenSearchServerless::Collection",
        {"C": res("AWS::OpenSearchServerless::Collection", Name="c")},
        "OpenSearch Serverless price file",
    ),
    Case(
        "AWS::Redshift::Cluster",
        {"R": res("AWS::Redshift::Cluster", ClusterType="single-node")},
        "NodeType is not set",
    ),
    Case(
        "AWS::RedshiftServerless::Workgroup",
        {"W": res("AWS::RedshiftServerless::Workgroup", BaseCapacity="lots")},
        "BaseCapacity (RPUs) 'lots' is not a number",
    ),
    Case(
        "AWS::MSK::Cluster",
        {
            "K": res(
                "AWS::MSK::Cluster",
                NumberOfBrokerNodes=3,
                BrokerNodeGroupInfo={"InstanceType": "express.m7g.large"},
            )
        },
        "Express brokers",
    ),
    Case(
        "AWS::MSK::ServerlessCluster",
        {"S": res("AWS::MSK::ServerlessCluster")},
        NONE,
        catalog="empty",
    ),
    Case(
        "AWS::AmazonMQ::Broker",
        {
            "B": res(
                "AWS::AmazonMQ::Broker",
                EngineType="RABBITMQ",
                DeploymentMode="ACTIVE_STANDBY_MULTI_AZ",
                HostInstanceType="mq.m5.large",
            )
        },
        "is not one of SINGLE_INSTANCE, CLUSTER_MULTI_AZ",
    ),
    Case(
        "AWS::OpenSearchService::Domain",
        {
            "D": res(
                "AWS::OpenSearchService::Domain",
                ClusterConfig={
                    "InstanceType": "r6g.large.search",
                    "WarmEnabled": True,
                    "WarmType": "ultrawarm1.medium.search",
                    "WarmCount": 2,
                },
            )
        },
        "no UltraWarm node or managed-storage rows",
    ),
    Case(
        "AWS::Elasticsearch::Domain",
        {"D": res("AWS::Elasticsearch::Domain")},
        "ElasticsearchClusterConfig.InstanceType is not set",
    ),
    Case(
        "AWS::DAX::Cluster",
        {"X": res("AWS::DAX::Cluster", NodeType="dax.r5.large")},
        "ReplicationFactor is not set",
    ),
    Case(
        "AWS::Cassandra::Table",
        {"T": res("AWS::Cassandra::Table", BillingMode={"Mode": "PROVISIONED"})},
        "needs BillingMode.ProvisionedThroughput",
    ),
    Case(
        "AWS::EC2::VPNConnection",
        {"V": res("AWS::EC2::VPNConnection", CustomerGatewayId="c", EnableAcceleration=True)},
        "accelerated VPN connection",
    ),
    Case(
        "AWS::EC2::ClientVpnEndpoint",
        {"E": res("AWS::EC2::ClientVpnEndpoint")},
        NONE,
        catalog="empty",
    ),
    Case(
        "AWS::EC2::ClientVpnTargetNetworkAssociation",
        {"A": res("AWS::EC2::ClientVpnTargetNetworkAssociation")},
        NONE,
        catalog="empty",
    ),
    Case(
        "AWS::NetworkFirewall::Firewall",
        {"F": res("AWS::NetworkFirewall::Firewall", SubnetMappings=[])},
        "SubnetMappings is empty",
    ),
    Case(
        "AWS::Route53::HealthCheck",
        {"C": res("AWS::Route53::HealthCheck", HealthCheckConfig={"Type": "PING"})},
        "HealthCheckConfig.Type 'PING'",
    ),
    Case(
        "AWS::Route53Resolver::ResolverEndpoint",
        {"R": res("AWS::Route53Resolver::ResolverEndpoint", Protocols=["DoT"])},
        "Protocols entry 'DoT'",
    ),
    Case(
        "AWS::Transfer::Server",
        {"S": res("AWS::Transfer::Server", Protocols=["SCP"])},
        "Protocols entry 'SCP'",
    ),
    Case("AWS::CloudTrail::Trail", {"T": res("AWS::CloudTrail::Trail")}, NONE, catalog="empty"),
    Case(
        "AWS::Config::ConfigurationRecorder",
        {
            "R": res(
                "AWS::Config::ConfigurationRecorder",
                RecordingMode={"RecordingFrequency": "WEEKLY"},
            )
        },
        "'WEEKLY' is not CONTINUOUS or DAILY",
    ),
    Case(
        "AWS::Config::ConfigRule",
        {"C": res("AWS::Config::ConfigRule", EvaluationModes=[{"Mode": "LATER"}])},
        "is not DETECTIVE or PROACTIVE",
    ),
    Case(
        "AWS::Config::ConformancePack",
        {"P": res("AWS::Config::ConformancePack")},
        NONE,
        catalog="empty",
    ),
    Case(
        "AWS::CloudWatch::CompositeAlarm",
        {"A": res("AWS::CloudWatch::CompositeAlarm")},
        NONE,
        catalog="empty",
    ),
    Case(
        "AWS::Synthetics::Canary",
        {"C": res("AWS::Synthetics::Canary", Schedule={"Expression": "every day"})},
        "is not evaluated",
    ),
    Case(
        "AWS::Glue::Job",
        {"J": res("AWS::Glue::Job", Command={"Name": "glueray"})},
        "Ray jobs are not modelled",
    ),
    Case("AWS::Glue::Crawler", {"C": res("AWS::Glue::Crawler")}, NONE, catalog="empty"),
    Case(
        "AWS::Athena::WorkGroup",
        {
            "W": res(
                "AWS::Athena::WorkGroup",
                WorkGroupConfiguration={
                    "EngineVersion": {"SelectedEngineVersion": "PySpark engine version 3"}
                },
            )
        },
        "Apache Spark workgroups",
    ),
    Case(
        "AWS::GuardDuty::Detector",
        {"D": res("AWS::GuardDuty::Detector", Enable=True)},
        NONE,
        catalog="empty",
    ),
    Case("AWS::SecurityHub::Hub", {"H": res("AWS::SecurityHub::Hub")}, NONE, catalog="empty"),
    Case(
        "AWS::CodeBuild::Project",
        {
            "P": res(
                "AWS::CodeBuild::Project",
                Environment={"Type": "MAC_ARM", "ComputeType": "BUILD_GENERAL1_MEDIUM"},
            )
        },
        "Environment.Type 'MAC_ARM'",
    ),
    Case(
        "AWS::Backup::BackupVault",
        {"V": res("AWS::Backup::BackupVault")},
        NONE,
        catalog="empty",
    ),
]


def _estimate(case: Case) -> StackCost:
    catalog = default_catalog() if case.catalog == "bundled" else PriceCatalog.empty()
    estimator = Estimator(catalog, Usage.from_mapping(case.usage))
    return estimator.estimate_template({"Resources": case.resources}, name="t", region=case.region)


def _id(case: Case) -> str:
    return case.type.split("::", 1)[1]


def test_every_priced_type_has_a_priced_and_a_cannot_price_case() -> None:
    # A type none of whose rows has an AWS-published source has no priced case.
    sourceless = {t for t, d in PRICED.items() if all(s.published is None for s in d.prices)}
    assert sourceless == {
        "AWS::Lambda::EventSourceMapping",
        "AWS::OpenSearchServerless::Collection",
    }
    assert {c.type for c in PRICED_CASES} == set(PRICED) - sourceless
    assert {c.type for c in UNPRICED_CASES} == set(PRICED)


@pytest.mark.parametrize("case", PRICED_CASES, ids=_id)
def test_priced_case(case: Case) -> None:
    stack = _estimate(case)
    lines = [r for r in stack.resources if r.logical_id == case.subject]
    assert lines, f"not priced: {[u.reason for u in stack.unsupported]}"
    assert isinstance(case.expected, float)
    assert lines[0].monthly_cost == money(case.expected)


@pytest.mark.parametrize("case", UNPRICED_CASES, ids=_id)
def test_cannot_price_case_is_reported_with_the_reason(case: Case) -> None:
    stack = _estimate(case)
    assert case.subject not in {r.logical_id for r in stack.resources}
    (line,) = [u for u in stack.unsupported if u.logical_id == case.subject]
    assert isinstance(case.expected, str)
    assert case.expected in line.reason
    if case.expected.startswith("AWS publishes no") and case.catalog == "bundled":
        assert stack.pricing_gap and case.region in stack.pricing_gap


def _context(resource_type: str) -> PricingContext:
    declaration = PRICED[resource_type]
    defaults = {k: v.default for k, v in declaration.usage.items()}
    return PricingContext(
        region="us-east-1",
        catalog=default_catalog(),
        usage=UsageValues(resource_type, defaults),
        index=_NoIndex(),
        price_shapes=declaration.price_shapes,
    )


class _NoIndex:
    def get(self, logical_id: str) -> Resource | None:
        return None

    def of_type(self, resource_type: str) -> list[Resource]:
        return []


def test_reading_an_undeclared_usage_key_is_an_error() -> None:
    ctx = _context("AWS::EC2::NatGateway")
    assert ctx.usage.get("data_processed_gb") == 10
    with pytest.raises(UndeclaredUsage, match="storage_gb"):
        ctx.usage.get("storage_gb")
    # hours are a usage key too: a type that does not declare them cannot read them.
    with pytest.raises(UndeclaredUsage, match="hours_per_month"):
        _ = _context("AWS::S3::Bucket").hours


def test_looking_up_an_undeclared_price_is_an_error() -> None:
    ctx = _context("AWS::EC2::EIP")
    assert ctx.price("AmazonVPC", "VPC Public IPv4 Address", "PublicIPv4:InUseAddress").usd > 0
    with pytest.raises(UndeclaredUsage, match="a price its type's declaration does not list"):
        ctx.price("AmazonVPC", "VpcEndpoint", "VpcEndpoint-Hours")


def test_derived_tables_come_from_the_declarations() -> None:
    assert set(PRICERS) == set(PRICED)
    schema = usage_schema()
    assert schema["AWS::S3::Bucket"]["storage_gb"].default == 50
    assert all(set(schema[t]) == set(PRICED[t].usage) for t in schema)
    keys = {spec.key for spec in price_specs()}
    assert len(keys) == len(price_specs())
    assert all(spec.key in keys for d in PRICED.values() for spec in d.prices)


#: Rows no public repository vendors AWS's data for (reported unsupported, with the reason).
UNSOURCED = {
    "AmazonECS/Compute/SpotUsage-Fargate-vCPU-Hours:perCPU/",
    "AmazonECS/Compute/SpotUsage-Fargate-GB-Hours/",
    "AmazonECS/Compute/SpotUsage-Fargate-ARM-vCPU-Hours:perCPU/",
    "AmazonECS/Compute/SpotUsage-Fargate-ARM-GB-Hours/",
    "AWSLambda/Serverless/Lambda-Event-Poller-Unit-Hrs/",
    "AmazonCognito/User Pool MAU Essentials//",
    "AmazonCognito/User Pool MAU Plus//",
    "AmazonES/Serverless OCU/OCU-Hours/",
    "AmazonES/UltraWarm Instance//",
    "CodeBuild/Lambda Compute//",
}


def test_every_row_names_its_aws_source_or_says_why_not() -> None:
    from cost.catalog.sources import SOURCES

    for spec in price_specs():
        if spec.published is None:
            assert spec.unsourced, spec.key
        else:
            assert spec.published.source in SOURCES, spec.key
    assert {s.key for s in price_specs() if s.published is None} == UNSOURCED


#: Rows of services AWS does not offer in every required region (Simple AD is not offered in
#: Ohio or Frankfurt; the file publishes no price there).
NOT_OFFERED = {
    "AWSDirectoryService/Simple AD Small// in us-east-2",
    "AWSDirectoryService/Simple AD Small// in eu-central-1",
    "AWSDirectoryService/Simple AD Large// in us-east-2",
    "AWSDirectoryService/Simple AD Large// in eu-central-1",
    # S3 Express One Zone is published for 7 regions, not Frankfurt.
    *(
        f"AmazonS3/Express One Zone {what}// in eu-central-1"
        for what in ("Storage", "PUT Requests", "GET Requests", "Upload", "Retrieval")
    ),
    # The mq file publishes no EFS broker-storage row for Ireland (only the single-AZ one).
    "AmazonMQ/Broker Storage EFS// in eu-west-1",
}


def test_every_sourced_row_is_in_every_required_region() -> None:
    from cost.catalog.spec import REQUIRED_REGIONS, Table

    catalog = default_catalog()
    missing = []
    for spec in price_specs():
        if spec.published is None:
            continue
        for region in ["global"] if spec.global_service else REQUIRED_REGIONS:
            if isinstance(spec.published, Table):
                attribute = spec.published.attribute
                found = bool(catalog.values(spec.service, region, spec.family, attribute))
            else:
                found = catalog.has(
                    spec.service, region, spec.family, spec.usagetype, **spec.attributes
                )
            if not found:
                missing.append(f"{spec.key} in {region}")
    assert set(missing) == NOT_OFFERED


def test_readme_tables_are_the_generated_ones() -> None:
    from cost.pricing.docs import replace_blocks

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert replace_blocks(readme) == readme, (
        "run: .venv/bin/python -m cost.pricing.docs --write README.md"
    )
