"""Data services (cost.pricing.warehouse): Redshift, MSK, Amazon MQ, OpenSearch/Elasticsearch,
DAX and Keyspaces, from AWS's pricing-page files; expected values computed by hand from the
catalog figures read (and quoted) below."""

from __future__ import annotations

from typing import Any

import pytest

from cost.catalog import default_catalog
from cost.estimate import Estimator
from cost.model import StackCost
from cost.pricing.usage import Usage

H = 730


def estimate(
    resources: dict[str, Any], usage: dict[str, Any] | None = None, region: str = "us-east-1"
) -> StackCost:
    estimator = Estimator(default_catalog(), Usage.from_mapping(usage or {}))
    return estimator.estimate_template({"Resources": resources}, name="t", region=region)


def one(rtype: str, **props: Any) -> dict[str, Any]:
    return {"R": {"Type": rtype, "Properties": props}}


def priced(stack: StackCost) -> tuple[float, dict[str, float], list[str]]:
    assert not stack.unsupported, [u.reason for u in stack.unsupported]
    (line,) = stack.resources
    parts = {c.name: round(c.monthly_cost, 6) for c in line.components}
    return line.monthly_cost, parts, line.assumptions


def unsupported(stack: StackCost) -> str:
    assert not stack.resources
    (line,) = stack.unsupported
    return line.reason


def test_the_catalog_figures_used_below() -> None:
    c = default_catalog()

    def usd(service: str, region: str, family: str, source: str, **attrs: str) -> float:
        price = c.lookup(service, region, family, None, **attrs)
        assert price.source == source
        return price.usd

    assert (
        usd("AmazonRedshift", "eu-west-1", "Compute Instance", "redshift", instanceType="dc2.large")
        == 0.3
    )
    assert (
        usd(
            "AmazonRedshift", "us-east-1", "Compute Instance", "redshift", instanceType="ra3.xlplus"
        )
        == 1.086
    )
    assert usd("AmazonRedshift", "ap-southeast-2", "Serverless Compute", "redshift") == 0.419
    assert (
        usd("AmazonMSK", "sa-east-1", "Broker Instance", "msk", instanceType="m7g.large") == 0.3253
    )
    assert usd("AmazonMSK", "sa-east-1", "Broker Storage", "msk") == 0.19
    assert [
        usd("AmazonMSK", "eu-west-1", f"Serverless {name}", "msk")
        for name in ("Cluster", "Partition", "Storage", "Data In", "Data Out")
    ] == [0.8625, 0.001725, 0.115, 0.115, 0.0575]
    mq = "Broker {} {}"
    assert (
        usd(
            "AmazonMQ",
            "eu-west-1",
            mq.format("RABBITMQ", "SINGLE_INSTANCE"),
            "mq",
            instanceType="m5.large",
        )
        == 0.321
    )
    assert (
        usd(
            "AmazonMQ",
            "eu-west-1",
            mq.format("RABBITMQ", "CLUSTER_MULTI_AZ"),
            "mq",
            instanceType="m5.large",
        )
        == 0.963
    )
    assert (
        usd(
            "AmazonMQ",
            "us-east-1",
            mq.format("ACTIVEMQ", "SINGLE_INSTANCE"),
            "mq",
            instanceType="t3.micro",
        )
        == 0.02704
    )
    assert usd("AmazonMQ", "eu-west-1", "Broker Storage EBS", "mq") == 0.11
    assert usd("AmazonMQ", "us-east-1", "Broker Storage EBS", "mq") == 0.10
    es = "es-ondemand"
    assert (
        usd("AmazonES", "ap-southeast-2", "Domain Instance", es, instanceType="m6g.large.search")
        == 0.159
    )
    assert usd("AmazonES", "ap-southeast-2", "EBS Storage io1", es) == 0.186
    assert usd("AmazonES", "ap-southeast-2", "EBS IOPS io1", es) == 0.097
    assert (
        usd("AmazonES", "us-east-1", "Domain Instance", es, instanceType="t3.small.search") == 0.036
    )
    assert (
        usd("AmazonES", "us-east-1", "Domain Instance", es, instanceType="c6g.large.search")
        == 0.113
    )
    assert usd("AmazonES", "us-east-1", "EBS Storage gp3", es) == 0.122
    assert usd("AmazonES", "us-east-1", "EBS Storage magnetic", es) == 0.067
    assert usd("AmazonDAX", "eu-central-1", "DAX Node", "dax", instanceType="t3.small") == 0.045
    assert [
        usd("AmazonMCS", "eu-west-1", family, "mcs")
        for family in (
            "Provisioned Reads",
            "Provisioned Writes",
            "Storage",
            "PITR Storage",
            "TTL Deletes",
        )
    ] == [0.000147, 0.000735, 0.283, 0.22, 3.1e-07]


# --- Redshift ------------------------------------------------------------------------------


def test_a_single_node_redshift_cluster_in_ireland() -> None:
    stack = estimate(
        one("AWS::Redshift::Cluster", NodeType="dc2.large", ClusterType="single-node"),
        region="eu-west-1",
    )
    total, parts, _ = priced(stack)
    # 1 node x 730 h x 0.30
    assert parts == {"Nodes (dc2.large x 1)": 219.0} and total == 219.0


def test_a_multi_node_ra3_cluster_says_managed_storage_is_not_priced() -> None:
    stack = estimate(
        one(
            "AWS::Redshift::Cluster",
            NodeType="ra3.xlplus",
            ClusterType="multi-node",
            NumberOfNodes={"Ref": "Nodes"},
        )
    )
    total, _, assumptions = priced(stack)
    # an unknown count of a multi-node cluster: its minimum, 2 x 730 h x 1.086
    assert total == pytest.approx(2 * H * 1.086, abs=0.005)
    assert any("NumberOfNodes not known at synth time: 2 assumed" in a for a in assumptions)
    assert any("RA3 managed storage" in a and "not priced" in a for a in assumptions)


def test_redshift_bad_values_are_unsupported_and_groups_are_free() -> None:
    reason = unsupported(
        estimate(one("AWS::Redshift::Cluster", NodeType="dc2.large", ClusterType="cluster"))
    )
    assert "ClusterType 'cluster' is not one of SINGLE-NODE, MULTI-NODE" in reason
    reason = unsupported(
        estimate(one("AWS::Redshift::Cluster", NodeType="ds2.xlarge", ClusterType="single-node"))
    )
    assert "instanceType=ds2.xlarge" in reason  # no on-demand row for the retired DS2 nodes
    stack = estimate(one("AWS::Redshift::ClusterSubnetGroup", Description="d", SubnetIds=["a"]))
    assert stack.resources == [] and "cluster's nodes" in stack.free[0].reason


def test_a_serverless_workgroup_defaults_to_128_rpus_in_sydney() -> None:
    stack = estimate(
        one("AWS::RedshiftServerless::Workgroup", WorkgroupName="w"), region="ap-southeast-2"
    )
    total, _, assumptions = priced(stack)
    # 128 RPUs x 730 active hours (the default) x 0.419
    assert total == pytest.approx(128 * H * 0.419, abs=0.005)
    assert any("AWS's default of 128 RPUs" in a for a in assumptions)
    usage = {"resources": {"R": {"active_hours_per_month": 40}}}
    total, _, _ = priced(estimate(one("AWS::RedshiftServerless::Workgroup", BaseCapacity=8), usage))
    assert total == pytest.approx(8 * 40 * 0.375, abs=0.005)
    assert "BaseCapacity (RPUs) 0 is not a number of at least 1" in unsupported(
        estimate(one("AWS::RedshiftServerless::Workgroup", BaseCapacity=0))
    )
    stack = estimate(one("AWS::RedshiftServerless::Namespace", NamespaceName="n"))
    assert stack.resources == [] and "managed storage" in stack.free[0].reason


# --- MSK -----------------------------------------------------------------------------------


def broker_group(**extra: Any) -> dict[str, Any]:
    return {"InstanceType": "kafka.m7g.large", "ClientSubnets": ["a", "b", "c"], **extra}


def test_an_msk_cluster_in_sao_paulo() -> None:
    stack = estimate(
        one(
            "AWS::MSK::Cluster",
            NumberOfBrokerNodes=6,
            BrokerNodeGroupInfo=broker_group(StorageInfo={"EBSStorageInfo": {"VolumeSize": 500}}),
        ),
        region="sa-east-1",
    )
    total, parts, _ = priced(stack)
    # 6 brokers x 730 h x 0.3253 + 6 x 500 GiB x 0.19
    assert parts == {
        "Brokers (kafka.m7g.large x 6)": round(6 * H * 0.3253, 6),
        "Broker storage (500 GiB x 6)": round(6 * 500 * 0.19, 6),
    }
    assert total == pytest.approx(6 * H * 0.3253 + 3000 * 0.19, abs=0.005)


def test_an_msk_cluster_with_unknown_brokers_assumes_one_per_subnet() -> None:
    stack = estimate(
        one(
            "AWS::MSK::Cluster",
            NumberOfBrokerNodes={"Ref": "Brokers"},
            BrokerNodeGroupInfo=broker_group(StorageInfo={"EBSStorageInfo": {"VolumeSize": 100}}),
        )
    )
    total, _, assumptions = priced(stack)
    assert total == pytest.approx(3 * H * 0.204 + 3 * 100 * 0.10, abs=0.005)
    assert any("3 assumed (one per client subnet" in a for a in assumptions)


@pytest.mark.parametrize(
    ("group", "props", "reason"),
    [
        (broker_group(), {}, "VolumeSize is not set"),
        (broker_group(InstanceType="m5.large"), {}, "does not start with 'kafka.'"),
        (
            broker_group(StorageInfo={"EBSStorageInfo": {"VolumeSize": 10}}),
            {"StorageMode": "TIERED"},
            "StorageMode TIERED",
        ),
        (
            broker_group(
                StorageInfo={
                    "EBSStorageInfo": {
                        "VolumeSize": 10,
                        "ProvisionedThroughput": {"Enabled": True, "VolumeThroughput": 250},
                    }
                }
            ),
            {},
            "ProvisionedThroughput is enabled",
        ),
    ],
)
def test_msk_clusters_that_cannot_be_priced(
    group: dict[str, Any], props: dict[str, Any], reason: str
) -> None:
    stack = estimate(
        one("AWS::MSK::Cluster", NumberOfBrokerNodes=3, BrokerNodeGroupInfo=group, **props)
    )
    assert reason in unsupported(stack)


def test_an_msk_serverless_cluster_in_ireland_from_usage() -> None:
    usage = {
        "resources": {
            "R": {"partitions": 50, "storage_gb": 200, "monthly_in_gb": 100, "monthly_out_gb": 300}
        }
    }
    total, _, _ = priced(estimate(one("AWS::MSK::ServerlessCluster"), usage, region="eu-west-1"))
    # 730 h x 0.8625 + 50 x 730 x 0.001725 + 200 GB x 0.115 + 100 GB in x 0.115 + 300 out x 0.0575
    expected = H * 0.8625 + 50 * H * 0.001725 + 200 * 0.115 + 100 * 0.115 + 300 * 0.0575
    assert total == pytest.approx(expected, abs=0.005)
    stack = estimate(one("AWS::MSK::Configuration", ServerProperties="x"))
    assert stack.resources == [] and stack.free


# --- Amazon MQ -----------------------------------------------------------------------------


def broker(engine: str, mode: str, instance: str = "mq.m5.large", **props: Any) -> dict[str, Any]:
    return one(
        "AWS::AmazonMQ::Broker",
        EngineType=engine,
        DeploymentMode=mode,
        HostInstanceType=instance,
        **props,
    )


def test_a_single_instance_rabbitmq_broker_in_ireland() -> None:
    usage = {"resources": {"R": {"storage_gb": 20}}}
    total, parts, _ = priced(estimate(broker("RABBITMQ", "SINGLE_INSTANCE"), usage, "eu-west-1"))
    # 730 h x 0.321 + 20 GB x 0.11 (its EBS volume in one zone)
    assert parts == {
        "Broker (Rabbitmq mq.m5.large, single-instance)": round(H * 0.321, 6),
        "Broker storage (EBS)": 2.2,
    }
    assert total == pytest.approx(H * 0.321 + 2.2, abs=0.005)


def test_a_rabbitmq_cluster_uses_the_files_cluster_row_and_says_storage_is_not_priced() -> None:
    total, parts, assumptions = priced(
        estimate(broker("RABBITMQ", "CLUSTER_MULTI_AZ"), region="eu-west-1")
    )
    # the 3-node cluster row: 730 h x 0.963
    assert list(parts) == ["Broker (Rabbitmq mq.m5.large, 3-node cluster)"]
    assert total == pytest.approx(H * 0.963, abs=0.005)
    assert any("RabbitMQ cluster storage is not priced" in a for a in assumptions)


def test_activemq_storage_types() -> None:
    # EBS, single instance, t3.micro: 730 h x 0.02704 + 1 GB (default) x 0.10
    total, _, _ = priced(
        estimate(broker("ACTIVEMQ", "SINGLE_INSTANCE", "mq.t3.micro", StorageType="EBS"))
    )
    assert total == pytest.approx(H * 0.02704 + 0.10, abs=0.005)
    reason = unsupported(estimate(broker("ACTIVEMQ", "ACTIVE_STANDBY_MULTI_AZ", StorageType="ebs")))
    assert "StorageType EBS serves single-instance ActiveMQ brokers only" in reason
    # AWS's file publishes no EFS storage row for Ireland.
    reason = unsupported(estimate(broker("ACTIVEMQ", "SINGLE_INSTANCE"), region="eu-west-1"))
    assert "no published AmazonMQ 'Broker Storage EFS' price in eu-west-1" in reason
    assert "EngineType 'kafka' is not one of ACTIVEMQ, RABBITMQ" in unsupported(
        estimate(broker("kafka", "SINGLE_INSTANCE"))
    )
    stack = estimate(one("AWS::AmazonMQ::Configuration", Name="c", EngineType="ACTIVEMQ"))
    assert stack.resources == [] and "billed through the broker" in stack.free[0].reason


# --- OpenSearch / Elasticsearch --------------------------------------------------------------


def test_an_opensearch_domain_with_io1_volumes_in_sydney() -> None:
    stack = estimate(
        one(
            "AWS::OpenSearchService::Domain",
            ClusterConfig={"InstanceType": "m6g.large.search", "InstanceCount": 3},
            EBSOptions={"EBSEnabled": True, "VolumeType": "io1", "VolumeSize": 200, "Iops": 1000},
        ),
        region="ap-southeast-2",
    )
    total, parts, _ = priced(stack)
    # 3 x 730 h x 0.159 + 3 x 200 GiB x 0.186 + 3 x 1000 IOPS x 0.097
    assert parts == {
        "Data nodes (m6g.large.search x 3)": round(3 * H * 0.159, 6),
        "EBS storage (io1, 200 GiB x 3 data nodes)": round(600 * 0.186, 6),
        "Provisioned IOPS (io1, 1000 x 3 data nodes)": round(3000 * 0.097, 6),
    }
    assert total == pytest.approx(3 * H * 0.159 + 600 * 0.186 + 3000 * 0.097, abs=0.005)


def test_gp3_at_its_baseline_and_coordinator_nodes() -> None:
    stack = estimate(
        one(
            "AWS::OpenSearchService::Domain",
            ClusterConfig={
                "InstanceType": "t3.small.search",
                "InstanceCount": {"Ref": "Count"},
                "NodeOptions": [
                    {
                        "NodeType": "coordinator",
                        "NodeConfig": {"Enabled": True, "Type": "c6g.large.search", "Count": 2},
                    }
                ],
            },
            EBSOptions={"EBSEnabled": True, "VolumeType": "gp3", "VolumeSize": 20, "Iops": 3000},
        )
    )
    total, parts, assumptions = priced(stack)
    # 1 data node (assumed) x 730 x 0.036 + 2 coordinators x 730 x 0.113 + 20 GiB gp3 x 0.122;
    # IOPS and throughput at the baseline add nothing
    assert list(parts) == [
        "Data nodes (t3.small.search x 1)",
        "Coordinator nodes (c6g.large.search x 2)",
        "EBS storage (gp3, 20 GiB)",
    ]
    assert total == pytest.approx(H * 0.036 + 2 * H * 0.113 + 20 * 0.122, abs=0.005)
    assert any("InstanceCount not known at synth time: 1 assumed" in a for a in assumptions)


def test_an_elasticsearch_domain_is_priced_at_the_opensearch_type() -> None:
    stack = estimate(
        one(
            "AWS::Elasticsearch::Domain",
            ElasticsearchClusterConfig={
                "InstanceType": "t3.small.elasticsearch",
                "InstanceCount": 2,
            },
            EBSOptions={"EBSEnabled": True, "VolumeType": "standard", "VolumeSize": 10},
        )
    )
    total, _, assumptions = priced(stack)
    # 2 x 730 h x 0.036 + 2 x 10 GiB magnetic x 0.067
    assert total == pytest.approx(2 * H * 0.036 + 20 * 0.067, abs=0.005)
    assert any("OpenSearch Service name (t3.small.search)" in a for a in assumptions)


@pytest.mark.parametrize(
    ("config", "reason"),
    [
        ({"InstanceType": "or1.large.search"}, "OR1 instances also bill managed storage"),
        ({"InstanceType": "m5.large"}, "is not an OpenSearch Service instance type"),
        (
            {"InstanceType": "m5.large.search", "ColdStorageOptions": {"Enabled": True}},
            "cold storage",
        ),
        (
            {"InstanceType": "m5.large.search", "InstanceCount": "three"},
            "ClusterConfig.InstanceCount 'three' is not a number",
        ),
    ],
)
def test_domains_that_cannot_be_priced(config: dict[str, Any], reason: str) -> None:
    assert reason in unsupported(
        estimate(one("AWS::OpenSearchService::Domain", ClusterConfig=config))
    )


# --- DAX and Keyspaces -----------------------------------------------------------------------


def test_a_dax_cluster_in_frankfurt() -> None:
    stack = estimate(
        one("AWS::DAX::Cluster", NodeType="dax.t3.small", ReplicationFactor=3, IAMRoleARN="r"),
        region="eu-central-1",
    )
    total, parts, _ = priced(stack)
    # 3 nodes x 730 h x 0.045
    assert parts == {"Nodes (dax.t3.small x 3)": round(3 * H * 0.045, 6)}
    assert total == pytest.approx(3 * H * 0.045, abs=0.005)
    assert "does not start with 'dax.'" in unsupported(
        estimate(one("AWS::DAX::Cluster", NodeType="r5.large", ReplicationFactor=1))
    )
    stack = estimate(one("AWS::DAX::SubnetGroup", SubnetIds=["a"]))
    assert stack.resources == [] and stack.free


def test_a_provisioned_keyspaces_table_with_pitr_and_ttl_in_ireland() -> None:
    usage = {"resources": {"R": {"storage_gb": 50, "monthly_ttl_deletes": 1_000_000}}}
    stack = estimate(
        one(
            "AWS::Cassandra::Table",
            KeyspaceName="k",
            BillingMode={
                "Mode": "PROVISIONED",
                "ProvisionedThroughput": {"ReadCapacityUnits": 10, "WriteCapacityUnits": 5},
            },
            PointInTimeRecoveryEnabled=True,
            DefaultTimeToLive=86400,
        ),
        usage,
        region="eu-west-1",
    )
    total, parts, _ = priced(stack)
    # 10 RCU x 730 x 0.000147 + 5 WCU x 730 x 0.000735 + 50 GB x 0.283 + PITR 50 GB x 0.22
    # + 1e6 TTL deletes x 3.1e-7
    assert list(parts) == [
        "Read capacity (10 RCU)",
        "Write capacity (5 WCU)",
        "Storage",
        "Point-in-time recovery (the table's size)",
        "TTL deletes",
    ]
    expected = 10 * H * 0.000147 + 5 * H * 0.000735 + 50 * 0.283 + 50 * 0.22 + 1e6 * 3.1e-7
    assert total == pytest.approx(expected, abs=0.005)


def test_keyspaces_bad_billing_mode_and_the_free_keyspace() -> None:
    assert "BillingMode.Mode 'SERVERLESS' is not one of ON_DEMAND, PROVISIONED" in unsupported(
        estimate(one("AWS::Cassandra::Table", BillingMode={"Mode": "SERVERLESS"}))
    )
    stack = estimate(one("AWS::Cassandra::Keyspace", KeyspaceName="k"))
    assert stack.resources == [] and "billed through its tables" in stack.free[0].reason
