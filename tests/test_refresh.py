"""The catalog is built from AWS-published price files (small excerpts in their real formats,
tests/fixtures/pricing) or from the Price List API (botocore's Stubber stands in for AWS: the
client code is what is under test), and the files it writes load as a catalog."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from botocore.stub import ANY, Stubber

from cost import refresh
from cost.catalog import PriceCatalog, PriceNotFound
from cost.catalog.spec import Page, PriceSpec, Table
from cost.pricing import PRICED

FIXTURES = Path(__file__).parent / "fixtures" / "pricing"
ROOT = Path(__file__).resolve().parents[1]

ALB_HOURS = PriceSpec(
    "AWSELB",
    "Load Balancer-Application",
    "LoadBalancerUsage",
    published=Page("elb", "Application Load Balancer Hours", "Hrs"),
)
NLB_LCU = PriceSpec(
    "AWSELB",
    "Load Balancer-Network",
    "LCUUsage",
    published=Page("elb", "Network Load Balancer LCU Hours", "NLCU-Hrs"),
)
FARGATE_CPU = PriceSpec(
    "AmazonECS",
    "Compute",
    "Fargate-vCPU-Hours:perCPU",
    published=Page("ecs", "perCPU per hour", "vCPU-Hours"),
)
MYSQL_SINGLE = PriceSpec(
    "AmazonRDS",
    "Database Instance MySQL Single-AZ",
    None,
    published=Table(
        "rds-mysql-ondemand",
        r"^Database Instance MySQL No license required db \S+ .* Single-AZ (Current|Previous) "
        r"Generation$",
        fields=(("vcpu", "vCPU"),),
    ),
)
TIERED = PriceSpec(
    "AWSELB",
    "Tiered",
    "T",
    published=Page(
        "elb",
        unit="Hrs",
        # Two dimensions with different prices, so a tier mix-up shows.
        tiers=((0, "Application Load Balancer Hours"), (100, "Network Load Balancer LCU Hours")),
    ),
)
UNSOURCED = PriceSpec(
    "AmazonCloudWatch", "Dashboard", "DashboardsUsageHour", unsourced="none known"
)


def build(tmp_path: Path, *specs: PriceSpec) -> PriceCatalog:
    products, published = refresh.from_files(FIXTURES, specs)
    refresh.write(tmp_path, products, published)
    return PriceCatalog.from_directory(tmp_path)


def test_pricing_page_rows_become_one_product_per_published_region(tmp_path: Path) -> None:
    catalog = build(tmp_path, ALB_HOURS, NLB_LCU, UNSOURCED)
    # The figures are the fixture's own (AWS's elb file, published 2025-11-03).
    alb = catalog.lookup(
        "AWSELB", "ap-southeast-2", "Load Balancer-Application", "LoadBalancerUsage"
    )
    assert alb.usd == 0.0252 and alb.unit == "Hrs" and alb.effective_date == "2025-11-03"
    assert alb.source == "elb"
    assert (
        catalog.lookup("AWSELB", "sa-east-1", "Load Balancer-Application", "LoadBalancerUsage").usd
        == 0.034
    )
    assert catalog.lookup("AWSELB", "us-east-1", "Load Balancer-Network", "LCUUsage").usd == 0.006
    # São Paulo does not publish the NLB LCU dimension in this file: no product, said per row.
    with pytest.raises(PriceNotFound, match="no published AWSELB 'Load Balancer-Network'"):
        catalog.lookup("AWSELB", "sa-east-1", "Load Balancer-Network", "LCUUsage")
    # A row without a source is not in the catalog at all.
    with pytest.raises(PriceNotFound, match="AWS publishes no AmazonCloudWatch prices"):
        catalog.lookup("AmazonCloudWatch", "us-east-1", "Dashboard", "DashboardsUsageHour")
    assert catalog.regions == ["ap-southeast-2", "sa-east-1", "us-east-1"]
    source = catalog.sources["elb"]
    assert source["repository"] == "v0rts/aws-price-watcher" and source["path"] == "raw/elb.json"
    assert source["published"] == "2025-11-03"


def test_nat_gateway_rows_come_from_the_natgateway_page_file(tmp_path: Path) -> None:
    # The NAT gateway's own declarations (cost/pricing/network.py) against an excerpt of
    # AWS's natgateway.json (lamngockhuong/aws-price, published 2025-10-28).
    catalog = build(tmp_path, *PRICED["AWS::EC2::NatGateway"].prices)
    hours = catalog.lookup("AmazonEC2", "us-east-1", "NAT Gateway", "NatGateway-Hours")
    data = catalog.lookup("AmazonEC2", "us-east-1", "NAT Gateway", "NatGateway-Bytes")
    assert (hours.usd, hours.unit, data.usd, data.unit) == (0.045, "Hrs", 0.045, "GB")
    assert hours.source == data.source == "natgateway"
    assert hours.effective_date == catalog.sources["natgateway"]["published"] == "2025-10-28"
    sydney = catalog.lookup("AmazonEC2", "ap-southeast-2", "NAT Gateway", "NatGateway-Bytes")
    assert sydney.usd == 0.059
    assert catalog.lookup("AmazonEC2", "sa-east-1", "NAT Gateway", "NatGateway-Hours").usd == 0.093
    # São Paulo's per-GB dimension is cut from the fixture: no product for that row.
    with pytest.raises(PriceNotFound, match="no published AmazonEC2 'NAT Gateway'"):
        catalog.lookup("AmazonEC2", "sa-east-1", "NAT Gateway", "NatGateway-Bytes")
    # GovCloud and the Los Angeles Local Zone are not commercial regions: not in the catalog.
    assert catalog.regions == ["ap-southeast-2", "sa-east-1", "us-east-1"]
    source = catalog.sources["natgateway"]
    assert source["repository"] == "lamngockhuong/aws-price"
    assert source["path"] == "lib/data/pricing/natgateway.json"
    assert source["url"].endswith("/meteredUnitMaps/ec2/USD/current/natgateway.json")


def test_tiers_and_flattened_files(tmp_path: Path) -> None:
    catalog = build(tmp_path, TIERED, FARGATE_CPU)
    tiered = catalog.lookup("AWSELB", "us-east-1", "Tiered", "T")
    assert [(t.begin, t.end, t.usd) for t in tiered.tiers] == [
        (0, 100, 0.0225),
        (100, None, 0.006),
    ]
    # 150 units: 100 at the first tier, 50 at the second.
    assert tiered.tiered_cost(150) == pytest.approx(100 * 0.0225 + 50 * 0.006)
    # São Paulo lacks the second dimension in the fixture: a partial tier set is no price.
    with pytest.raises(PriceNotFound):
        catalog.lookup("AWSELB", "sa-east-1", "Tiered", "T")
    cpu = catalog.lookup("AmazonECS", "ap-southeast-2", "Compute", "Fargate-vCPU-Hours:perCPU")
    assert cpu.usd == 0.04856
    # A flattened file has no manifest: dated by the commit that fetched it.
    assert cpu.effective_date == catalog.sources["ecs"]["published"] == "2025-10-27"


def test_instance_tables_key_products_by_instance_type(tmp_path: Path) -> None:
    catalog = build(tmp_path, MYSQL_SINGLE)
    family = "Database Instance MySQL Single-AZ"
    assert catalog.values("AmazonRDS", "us-east-1", family, "instanceType") == [
        "db.r6i.4xlarge",
        "db.t4g.micro",
    ]
    small = catalog.lookup("AmazonRDS", "ap-southeast-2", family, None, instanceType="db.t4g.micro")
    assert small.usd == 0.025 and small.attribute("vcpu") == "2"
    big = catalog.lookup("AmazonRDS", "us-east-1", family, None, instanceType="db.r6i.4xlarge")
    assert big.usd == 1.92 and big.attribute("vcpu") == "16"


def test_previous_generation_instances_fill_in_after_the_current_generation(
    tmp_path: Path,
) -> None:
    from cost.pricing.instances import LINUX

    catalog = build(tmp_path, LINUX)
    family = "Compute Instance Linux"
    # us-east-1: two rows from each file; sa-east-1: only the previous-generation excerpt.
    assert catalog.values("AmazonEC2", "us-east-1", family, "instanceType") == [
        "g5.xlarge",
        "m3.xlarge",
        "m5.large",
        "t1.micro",
    ]
    current = catalog.lookup("AmazonEC2", "us-east-1", family, None, instanceType="m5.large")
    assert (current.usd, current.source) == (0.096, "ec2-ondemand")
    old = catalog.lookup("AmazonEC2", "us-east-1", family, None, instanceType="m3.xlarge")
    assert (old.usd, old.source, old.effective_date) == (0.266, "ec2-previousgen", "2025-04-04")
    assert old.attribute("vcpu") == "4" and old.attribute("family") == "General purpose"
    tiny = catalog.lookup("AmazonEC2", "us-east-1", family, None, instanceType="t1.micro")
    assert tiny.usd == 0.02 and tiny.attribute("family") == "Micro instances"
    sao_paulo = catalog.lookup("AmazonEC2", "sa-east-1", family, None, instanceType="m3.xlarge")
    assert sao_paulo.usd == 0.381
    with pytest.raises(PriceNotFound):
        catalog.lookup("AmazonEC2", "sa-east-1", family, None, instanceType="m5.large")


def test_a_type_in_both_files_keeps_the_first_files_price(tmp_path: Path) -> None:
    # Two copies of one real row in two files, the second with another price: the first
    # source named wins (a previous-generation row never overrides a current one).
    row = json.loads((FIXTURES / "ec2-ondemand" / "us-east-1.json").read_text())
    (tmp_path / "src" / "ec2-ondemand").mkdir(parents=True)
    (tmp_path / "src" / "ec2-previousgen").mkdir()
    (tmp_path / "src" / "ec2-ondemand" / "us-east-1.json").write_text(json.dumps(row))
    for entry in row["regions"]["US East (N. Virginia)"].values():
        entry["price"] = "9.0"
    (tmp_path / "src" / "ec2-previousgen" / "us-east-1.json").write_text(json.dumps(row))
    spec = PriceSpec(
        "AmazonEC2",
        "Compute Instance Linux",
        None,
        published=Table("ec2-ondemand", r" Linux$", also=(("ec2-previousgen", r" Linux$"),)),
    )
    products, _ = refresh.from_files(tmp_path / "src", [spec])
    assert sorted((p["attributes"]["instanceType"], p["source"]) for p in products) == [
        ("g5.xlarge", "ec2-ondemand"),
        ("m5.large", "ec2-ondemand"),
    ]
    assert {p["priceDimensions"][0]["usd"] for p in products} == {0.096, 1.006}


def test_iot_rules_engine_rows_come_from_the_iot_page_file(tmp_path: Path) -> None:
    from cost.pricing.apps import IOT_ACTIONS_EXECUTED, IOT_RULES_TRIGGERED

    catalog = build(tmp_path, IOT_RULES_TRIGGERED, IOT_ACTIONS_EXECUTED)
    rules = catalog.lookup("AWSIoT", "sa-east-1", "Rules Engine", "RulesTriggered")
    assert rules.usd == 2.25e-07 and rules.effective_date == "2025-07-29"
    actions = catalog.lookup("AWSIoT", "us-east-1", "Rules Engine", "ActionsExecuted")
    assert actions.usd == 1.5e-07 and actions.source == "iot"
    # GovCloud is in the file but is not a commercial region.
    assert catalog.regions == ["sa-east-1", "us-east-1"]


def test_private_ca_certificate_tiers_come_from_the_certificatemanager_file(
    tmp_path: Path,
) -> None:
    from cost.pricing.pki import _ISSUED, _MODES

    catalog = build(tmp_path, *_MODES.values(), *_ISSUED.values())
    general = _ISSUED["GENERAL_PURPOSE"]
    issued = catalog.lookup(general.service, "ap-southeast-2", general.family, general.usagetype)
    assert [(t.begin, t.end, t.usd) for t in issued.tiers] == [
        (0, 1000, 0.75),
        (1000, 10000, 0.35),
        (10000, None, 0.001),
    ]
    ca = _MODES["GENERAL_PURPOSE"]
    paid = catalog.lookup(ca.service, "us-east-1", ca.family, ca.usagetype)
    assert paid.usd == 400.0 and paid.effective_date == "2025-08-28"
    # The short-lived certificate row is not in the excerpt: no product, not a zero.
    short = _ISSUED["SHORT_LIVED_CERTIFICATE"]
    with pytest.raises(PriceNotFound):
        catalog.lookup(short.service, "us-east-1", short.family, short.usagetype)
    assert catalog.regions == ["ap-southeast-2", "us-east-1"]


def test_codecommit_users_are_one_global_tiered_row(tmp_path: Path) -> None:
    from cost.pricing.devtools import ACTIVE_USERS

    catalog = build(tmp_path, ACTIVE_USERS)
    users = catalog.lookup("AWSCodeCommit", "global", "Developer Tools", "Users-ActiveUsers")
    assert [(t.begin, t.end, t.usd) for t in users.tiers] == [(0, 5, 0.0), (5, None, 1.0)]
    assert users.effective_date == "2024-08-26" and catalog.regions == []


def test_network_firewall_rows_come_from_the_networkfirewall_page_file(tmp_path: Path) -> None:
    from cost.pricing.connectivity import NFW, NFW_DATA, NFW_ENDPOINT

    catalog = build(tmp_path, NFW_ENDPOINT, NFW_DATA)
    endpoint = catalog.lookup(NFW, "ap-southeast-2", NFW_ENDPOINT.family, None)
    assert endpoint.usd == 0.395 and endpoint.effective_date == "2025-11-14"
    data = catalog.lookup(NFW, "us-east-1", NFW_DATA.family, None)
    assert data.usd == 0.065 and data.source == "networkfirewall"
    # The "-Advanced" row is not declared; GovCloud is not a commercial region.
    assert catalog.regions == ["ap-southeast-2", "us-east-1"]


def test_transfer_rows_come_from_the_transfer_page_file(tmp_path: Path) -> None:
    from cost.pricing.connectivity import AS2_MESSAGES, TRANSFER, TRANSFER_HOURS, TRANSFER_UPLOAD

    specs = (TRANSFER_HOURS["SFTP"], TRANSFER_HOURS["AS2"], TRANSFER_UPLOAD["SFTP"])
    catalog = build(tmp_path, *specs, AS2_MESSAGES["Inbound"], TRANSFER_HOURS["FTP"])
    sftp = catalog.lookup(TRANSFER, "eu-west-1", TRANSFER_HOURS["SFTP"].family, None)
    assert sftp.usd == 0.30 and sftp.effective_date == "2025-09-16"
    upload = catalog.lookup(TRANSFER, "us-east-1", TRANSFER_UPLOAD["SFTP"].family, None)
    assert upload.usd == 0.04 and upload.source == "transfer"
    inbound = catalog.lookup(TRANSFER, "us-east-1", AS2_MESSAGES["Inbound"].family, None)
    assert inbound.usd == 0.01
    # The excerpt has no FTP rows: no product, so the lookup fails rather than prices at 0.
    with pytest.raises(PriceNotFound):
        catalog.lookup(TRANSFER, "us-east-1", TRANSFER_HOURS["FTP"].family, None)


def test_greengrass_core_devices_come_from_the_greengrass_file(tmp_path: Path) -> None:
    from cost.pricing.greengrass import CORE_DEVICES

    catalog = build(tmp_path, CORE_DEVICES)
    core = catalog.lookup("AWSGreengrass", "ap-southeast-2", "Greengrass", "CoreDevice-Mo")
    assert core.usd == 0.18 and core.effective_date == "2025-07-29"
    assert catalog.regions == ["ap-southeast-2", "us-east-1"]


def test_studio_notebook_rows_are_selected_by_their_component(tmp_path: Path) -> None:
    from cost.pricing.sagemaker import STUDIO_NOTEBOOK

    catalog = build(tmp_path, STUDIO_NOTEBOOK)
    family = STUDIO_NOTEBOOK.family
    # The fixture's rate-code keys say nothing: the rows' Instance field names the type, and
    # the edited ml.m5.large row (Component "Training") is not a Studio notebook price.
    assert catalog.values("AmazonSageMaker", "us-east-1", family, "instanceType") == [
        "ml.g5.xlarge",
        "ml.t3.medium",
    ]
    g5 = catalog.lookup("AmazonSageMaker", "us-east-1", family, None, instanceType="ml.g5.xlarge")
    assert (g5.usd, g5.unit, g5.effective_date) == (1.41, "Hrs", "2025-12-05")
    assert g5.attribute("vcpu") == "4" and g5.attribute("memory") == "16 GiB"
    sao_paulo = catalog.lookup(
        "AmazonSageMaker", "sa-east-1", family, None, instanceType="ml.g5.xlarge"
    )
    assert sao_paulo.usd == 2.394
    assert catalog.regions == ["sa-east-1", "us-east-1"]


def test_data_service_rows_come_from_their_page_files(tmp_path: Path) -> None:
    from cost.pricing import warehouse as w

    catalog = build(
        tmp_path,
        w.REDSHIFT_NODES,
        w.RPU_HOURS,
        w.MSK_BROKERS,
        w.MSK_STORAGE,
        w.MSK_SERVERLESS["Cluster"],
        *w.MQ_BROKERS.values(),
        *w.MQ_STORAGE.values(),
        w.DAX_NODES,
        w.KEYSPACES_READS,
        w.KEYSPACES_WRITES,
        w.KEYSPACES_STORAGE,
        w.ES_INSTANCES,
        w.ES_STORAGE["gp3"],
        w.ES_IOPS["gp3"],
        w.ES_THROUGHPUT,
    )
    # Redshift: the named on-demand rows only (the rate-code and concurrency-scaling rows of
    # ra3.xlplus are not read); Bahrain has nodes but no Serverless row.
    assert catalog.values("AmazonRedshift", "us-east-1", "Compute Instance", "instanceType") == [
        "dc2.large",
        "ra3.xlplus",
    ]
    ra3 = catalog.lookup(
        "AmazonRedshift", "eu-west-1", "Compute Instance", None, instanceType="ra3.xlplus"
    )
    assert (ra3.usd, ra3.source, ra3.effective_date) == (1.202, "redshift", "2025-10-27")
    assert catalog.lookup("AmazonRedshift", "us-east-1", "Serverless Compute", None).usd == 0.375
    assert not catalog.has("AmazonRedshift", "me-south-1", "Serverless Compute", None)
    # MSK: "RunBroker m5.large" keyed by its Compute Family; the computefamily row is not read.
    broker = catalog.lookup(
        "AmazonMSK", "ap-southeast-2", "Broker Instance", None, instanceType="m5.large"
    )
    assert (broker.usd, broker.attribute("vcpu")) == (0.263, "2")
    assert catalog.lookup("AmazonMSK", "us-east-1", "Broker Storage", None).usd == 0.10
    assert catalog.lookup("AmazonMSK", "us-east-1", "Serverless Cluster", None).usd == 0.75
    # Amazon MQ: one table per engine and mode; the CRDR row is not an active/standby broker.
    mq = {
        key: catalog.lookup("AmazonMQ", "us-east-1", spec.family, None, instanceType="m5.large").usd
        for key, spec in w.MQ_BROKERS.items()
    }
    assert mq == {
        ("ACTIVEMQ", "SINGLE_INSTANCE"): 0.288,
        ("ACTIVEMQ", "ACTIVE_STANDBY_MULTI_AZ"): 0.576,
        ("RABBITMQ", "SINGLE_INSTANCE"): 0.288,
        ("RABBITMQ", "CLUSTER_MULTI_AZ"): 0.864,
    }
    assert catalog.lookup("AmazonMQ", "us-east-1", "Broker Storage EFS", None).usd == 0.30
    assert catalog.lookup("AmazonMQ", "eu-west-1", "Broker Storage EBS", None).usd == 0.11
    assert not catalog.has("AmazonMQ", "eu-west-1", "Broker Storage EFS", None)
    # DAX: the "r5.large - Hourly Cost" rows only (not the rate-code r7i.large row).
    assert catalog.values("AmazonDAX", "us-east-1", "DAX Node", "instanceType") == ["r5.large"]
    dax = catalog.lookup("AmazonDAX", "sa-east-1", "DAX Node", None, instanceType="r5.large")
    assert dax.usd == 0.51 and dax.effective_date == "2025-04-30"
    # Keyspaces.
    reads = catalog.lookup("AmazonMCS", "ap-southeast-2", "On-Demand Reads", None)
    assert reads.usd == 1.425e-07 and reads.source == "mcs"
    assert catalog.lookup("AmazonMCS", "us-east-1", "Storage", None).usd == 0.25
    # OpenSearch (the es-ondemand file of 2024-08-28).
    es = catalog.lookup(
        "AmazonES", "ap-southeast-2", "Domain Instance", None, instanceType="r6g.large.search"
    )
    assert (es.usd, es.effective_date) == (0.201, "2024-08-28")
    assert catalog.lookup("AmazonES", "us-east-1", "EBS IOPS gp3", None).usd == 0.008
    assert catalog.lookup("AmazonES", "us-east-1", "EBS Throughput gp3", None).usd == 0.064


def test_global_rows_read_the_location_their_page_names(tmp_path: Path) -> None:
    from cost.pricing import cdn

    specs = [
        cdn._transfer_spec("United States"),
        cdn._requests_spec("United States"),
        cdn._requests_spec("EU"),
    ]
    catalog = build(tmp_path, *specs)
    transfer = catalog.lookup(
        "AmazonCloudFront",
        "global",
        "Data Transfer",
        "DataTransfer-Out-Bytes",
        edgeLocationGroup="United States",
    )
    # The fixture's (AWS's cloudfront file) tiers; each row's "Per Month" is where it ends.
    assert [(t.begin, t.end, t.usd) for t in transfer.tiers] == [
        (0, 10240, 0.085),
        (10240, 51200, 0.08),
        (51200, 153600, 0.06),
        (153600, 512000, 0.04),
        (512000, 1048576, 0.03),
        (1048576, 5242880, 0.025),
        (5242880, None, 0.02),
    ]
    rows = json.loads((FIXTURES / "cloudfront.json").read_text())["regions"][""]
    for begin, name in cdn.TRANSFER_TIERS:
        tier = next(t for t in transfer.tiers if t.begin == begin)
        end = rows[f"Regional DT from United States to Internet {name}"]["Per Month"]
        assert (tier.end if tier.end is not None else "Inf") == (
            "Inf" if end == "Inf" else float(end)
        )
    eu = catalog.lookup(
        "AmazonCloudFront", "global", "Request", "Requests-Tier2-HTTPS", edgeLocationGroup="EU"
    )
    assert eu.usd == 1.2e-06 and eu.effective_date == "2025-07-01"
    assert catalog.regions == []  # global rows only: no region


def test_a_table_can_take_the_instance_type_from_the_key(tmp_path: Path) -> None:
    from cost.pricing.instances import EMR_FEE

    catalog = build(tmp_path, EMR_FEE)
    # The fixture's figures (the repository's flattened EMR file, fetched 2025-11-15).
    assert catalog.values(EMR_FEE.service, "us-east-1", EMR_FEE.family, "instanceType") == [
        "m5.xlarge",
        "m7i-flex.xlarge",
    ]
    fee = catalog.lookup(
        EMR_FEE.service, "sa-east-1", EMR_FEE.family, None, instanceType="m5.xlarge"
    )
    assert fee.usd == 0.048 and fee.effective_date == "2025-11-15"
    # The Outposts and EMR on EKS rows do not match; GovCloud is not a commercial region.
    assert catalog.regions == ["ap-southeast-2", "sa-east-1", "us-east-1"]
    assert catalog.values(EMR_FEE.service, "sa-east-1", EMR_FEE.family, "instanceType") == [
        "m5.xlarge"
    ]


def test_the_bundled_catalog_is_what_the_files_give() -> None:
    # The bundled catalog's figures for the fixture rows are the fixture's (the same files).
    from cost.catalog import default_catalog

    catalog = default_catalog()
    assert (
        catalog.lookup(
            "AWSELB", "ap-southeast-2", "Load Balancer-Application", "LoadBalancerUsage"
        ).usd
        == 0.0252
    )
    assert (
        catalog.lookup(
            "AmazonRDS",
            "ap-southeast-2",
            "Database Instance MySQL Single-AZ",
            None,
            instanceType="db.r6i.4xlarge",
        ).usd
        == 2.28
    )
    nat = catalog.lookup("AmazonEC2", "ap-southeast-2", "NAT Gateway", "NatGateway-Hours")
    assert nat.usd == 0.059 and nat.source == "natgateway"


def test_a_file_that_is_not_a_price_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "elb.json").write_text('{"regions": {}}')
    with pytest.raises(refresh.RefreshError, match="no manifest date"):
        refresh.from_files(tmp_path, [ALB_HOURS])
    (tmp_path / "elb.json").write_text("not json")
    with pytest.raises(refresh.RefreshError, match="is not JSON"):
        refresh.from_files(tmp_path, [ALB_HOURS])
    with pytest.raises(refresh.RefreshError, match="cannot read"):
        refresh.from_files(tmp_path / "nowhere", [ALB_HOURS])


@pytest.mark.slow
def test_cli_bad_directory_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "cost.refresh",
            "--from-dir",
            str(tmp_path / "nope"),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 2 and "--from-dir" in done.stderr and not out.exists()
    assert "Traceback" not in done.stderr


def _api_product(sku: str, usagetype: str, usd: str) -> str:
    dimension = {"unit": "Hrs", "beginRange": "0", "endRange": "Inf", "pricePerUnit": {"USD": usd}}
    return json.dumps(
        {
            "product": {"sku": sku, "attributes": {"usagetype": usagetype}},
            "terms": {
                "OnDemand": {
                    f"{sku}.T": {
                        "effectiveDate": "2026-10-01T00:00:00Z",
                        "priceDimensions": {f"{sku}.T.D": dimension},
                    }
                }
            },
        }
    )


@pytest.fixture
def client() -> object:
    return boto3.client(
        "pricing", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )


def test_api_keeps_the_one_matching_usage_type(client: object, tmp_path: Path) -> None:
    spec = PriceSpec(
        "AmazonECS",
        "Compute",
        "Fargate-GB-Hours",
        published=Page("ecs", "perGB per hour", "GB-Hours"),
    )
    with Stubber(client) as stub:
        stub.add_response(
            "get_products",
            {
                "PriceList": [
                    _api_product("A", "USE2-Fargate-GB-Hours", "0.004445"),
                    _api_product("B", "USE2-Fargate-ARM-GB-Hours", "0.00356"),
                ],
                "FormatVersion": "aws_v1",
            },
            {
                "ServiceCode": "AmazonECS",
                "Filters": ANY,
                "FormatVersion": "aws_v1",
                "MaxResults": 100,
            },
        )
        products, published = refresh.from_api(client, ["us-east-2"], [spec])
    refresh.write(tmp_path, products, published)
    catalog = PriceCatalog.from_directory(tmp_path)
    price = catalog.lookup("AmazonECS", "us-east-2", "Compute", "Fargate-GB-Hours")
    assert price.usd == 0.004445 and price.source == refresh.API_SOURCE
    assert "sku A" in price.note


def test_api_refuses_ambiguous_products(client: object) -> None:
    spec = PriceSpec("AmazonECS", "Compute", "Fargate-GB-Hours")
    with Stubber(client) as stub:
        stub.add_response(
            "get_products",
            {
                "PriceList": [
                    _api_product("A", "USE2-Fargate-GB-Hours", "1"),
                    _api_product("B", "Fargate-GB-Hours", "2"),
                ],
                "FormatVersion": "aws_v1",
            },
        )
        with pytest.raises(refresh.RefreshError, match="2 products"):
            refresh.from_api(client, ["us-east-2"], [spec])


def test_governance_rows_come_from_their_page_files(tmp_path: Path) -> None:
    from cost.pricing import governance as g

    catalog = build(
        tmp_path,
        g.MANAGEMENT_FREE,
        g.MANAGEMENT_PAID,
        g.DATA_EVENTS,
        g.INSIGHTS_EVENTS,
        *g.CONFIG_ITEMS.values(),
        g.RULE_EVALUATIONS,
        g.ATHENA_SCANNED,
        g.GD_CLOUDTRAIL,
        g.GD_FLOW_DNS,
        g.SH_CHECKS,
        g.SH_FINDINGS,
    )
    paid = catalog.lookup("AWSCloudTrail", "eu-west-1", "Management Events (additional copy)")
    assert (paid.usd, paid.source, paid.effective_date) == (0.00002, "cloudtrail", "2025-11-20")
    assert catalog.lookup("AWSCloudTrail", "us-east-1", "Management Events (first copy)").usd == 0
    assert catalog.lookup("AWSCloudTrail", "us-east-1", "Insights Events").usd == 0.0000035
    daily = catalog.lookup("AWSConfig", "sa-east-1", "Configuration Items (daily)")
    assert (daily.usd, daily.effective_date) == (0.012, "2025-09-11")
    rules = catalog.lookup("AWSConfig", "us-east-1", "Rule Evaluations")
    assert [(t.begin, t.end, t.usd) for t in rules.tiers] == [
        (0, 100_000, 0.001),
        (100_000, 500_000, 0.0008),
        (500_000, None, 0.0005),
    ]
    assert catalog.lookup("AmazonAthena", "sa-east-1", "Data Scanned").usd == 9.0
    flow = catalog.lookup("AmazonGuardDuty", "eu-west-1", "VPC Flow Log and DNS Analyzed")
    assert [t.usd for t in flow.tiers] == [1.1, 0.55, 0.28, 0.17]
    assert [t.begin for t in flow.tiers] == [0, 500, 2500, 10_000]
    findings = catalog.lookup("AWSSecurityHub", "eu-central-1", "Finding Ingestion Events")
    assert [(t.begin, t.usd) for t in findings.tiers] == [(0, 0.0), (10_000, 0.00003)]
    checks = catalog.lookup("AWSSecurityHub", "us-east-1", "Security Checks")
    assert [t.usd for t in checks.tiers] == [0.001, 0.0008, 0.0005]


def test_codebuild_build_minutes_are_the_on_demand_rows_by_compute_type(tmp_path: Path) -> None:
    from cost.pricing import governance as g

    catalog = build(tmp_path, g.BUILD_LINUX, g.BUILD_WINDOWS)
    # Only the named on-demand rows: not the reserved, Lambda or rate-code-keyed rows (one
    # of which prices general1.small at 0.00003).
    assert catalog.values("CodeBuild", "us-east-1", "Build Minutes Linux", "computeType") == [
        "arm1.small",
        "general1.small",
    ]
    small = catalog.lookup(
        "CodeBuild", "us-east-1", "Build Minutes Linux", None, computeType="general1.small"
    )
    assert (small.usd, small.source, small.effective_date) == (0.005, "codebuild", "2025-04-22")
    arm = catalog.lookup(
        "CodeBuild", "eu-west-1", "Build Minutes Linux", None, computeType="arm1.small"
    )
    assert arm.usd == 0.00385
    windows = catalog.lookup(
        "CodeBuild", "eu-west-1", "Build Minutes Windows", None, computeType="general1.medium"
    )
    assert windows.usd == 0.018


def test_backup_rows_come_from_the_flattened_backup_file(tmp_path: Path) -> None:
    from cost.pricing import governance as g

    catalog = build(tmp_path, *g.BACKUP_STORAGE.values())
    warm = catalog.lookup("AWSBackup", "sa-east-1", "DynamoDB Backup Storage Warm")
    # A flattened file is dated by the commit that fetched it.
    assert (warm.usd, warm.source, warm.effective_date) == (0.15, "backup", "2025-11-10")
    assert catalog.lookup("AWSBackup", "us-east-1", "S3 Backup Storage Warm").usd == 0.05
    # The fixture has no cold DynamoDB row: no product.
    with pytest.raises(PriceNotFound):
        catalog.lookup("AWSBackup", "us-east-1", "DynamoDB Backup Storage Cold")
