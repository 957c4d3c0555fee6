"""Which prices the catalog must hold: one row per Price List product the engine looks up.

The bundled catalog is checked against this table (every required region has every row), and
`python -m cost.refresh` queries the Price List API for exactly these rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Regions every required price must exist in.
REQUIRED_REGIONS = ("us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1")

#: RDS instance classes priced for MySQL (Single-AZ and Multi-AZ).
RDS_CLASSES = (
    "db.t4g.micro",
    "db.t4g.small",
    "db.t4g.medium",
    "db.t4g.large",
    "db.t3.micro",
    "db.t3.small",
    "db.t3.medium",
    "db.t3.large",
    "db.m6g.large",
    "db.m6g.xlarge",
    "db.m7g.large",
    "db.m7g.xlarge",
    "db.m5.large",
    "db.m6i.large",
    "db.r6g.large",
    "db.r7g.large",
)


@dataclass(frozen=True)
class PriceSpec:
    service: str
    family: str
    usagetype: str | None  # suffix, without the region prefix
    attributes: dict[str, str] = field(default_factory=dict)
    required: bool = True  # False: priced when present (e.g. Spot snapshots)
    global_service: bool = False

    @property
    def key(self) -> str:
        attrs = ",".join(f"{k}={v}" for k, v in sorted(self.attributes.items()))
        return f"{self.service}/{self.family}/{self.usagetype or ''}/{attrs}"


def _specs() -> list[PriceSpec]:
    s: list[PriceSpec] = []
    ecs = "AmazonECS"
    for usagetype in (
        "Fargate-vCPU-Hours:perCPU",
        "Fargate-GB-Hours",
        "Fargate-ARM-vCPU-Hours:perCPU",
        "Fargate-ARM-GB-Hours",
        "Fargate-EphemeralStorage-GB-Hours",
    ):
        s.append(PriceSpec(ecs, "Compute", usagetype))
    for usagetype in (
        "SpotUsage-Fargate-vCPU-Hours:perCPU",
        "SpotUsage-Fargate-GB-Hours",
        "SpotUsage-Fargate-ARM-vCPU-Hours:perCPU",
        "SpotUsage-Fargate-ARM-GB-Hours",
    ):
        s.append(PriceSpec(ecs, "Compute", usagetype, required=False))
    rds = "AmazonRDS"
    for cls in RDS_CLASSES:
        for deployment in ("Single-AZ", "Multi-AZ"):
            s.append(
                PriceSpec(
                    rds,
                    "Database Instance",
                    None,
                    {
                        "instanceType": cls,
                        "databaseEngine": "MySQL",
                        "deploymentOption": deployment,
                    },
                )
            )
    for kind in ("GP2-Storage", "GP3-Storage", "PIOPS-Storage"):
        for multi in ("", "Multi-AZ-"):
            s.append(PriceSpec(rds, "Database Storage", f"RDS:{multi}{kind}"))
    for multi in ("", "Multi-AZ-"):
        s.append(PriceSpec(rds, "Provisioned IOPS", f"RDS:{multi}PIOPS"))
        s.append(PriceSpec(rds, "Provisioned IOPS", f"RDS:{multi}GP3-PIOPS"))
        s.append(PriceSpec(rds, "Provisioned Throughput", f"RDS:{multi}GP3-Throughput"))
    s.append(PriceSpec(rds, "Storage Snapshot", "RDS:ChargedBackupUsage"))
    s3 = "AmazonS3"
    for usagetype in (
        "TimedStorage-ByteHrs",
        "TimedStorage-INT-FA-ByteHrs",
        "TimedStorage-INT-IA-ByteHrs",
        "TimedStorage-INT-AIA-ByteHrs",
        "TimedStorage-INT-AA-ByteHrs",
        "TimedStorage-INT-DAA-ByteHrs",
        "TimedStorage-SIA-ByteHrs",
        "TimedStorage-GIR-ByteHrs",
        "TimedStorage-GlacierByteHrs",
        "TimedStorage-GDA-ByteHrs",
    ):
        s.append(PriceSpec(s3, "Storage", usagetype))
    s.append(PriceSpec(s3, "Fee", "Monitoring-Automation-INT"))
    s.append(PriceSpec(s3, "API Request", "Requests-Tier1"))
    s.append(PriceSpec(s3, "API Request", "Requests-Tier2"))
    elb = "AWSELB"
    s.append(PriceSpec(elb, "Load Balancer-Application", "LoadBalancerUsage"))
    s.append(PriceSpec(elb, "Load Balancer-Application", "LCUUsage"))
    ec2 = "AmazonEC2"
    s.append(PriceSpec(ec2, "NAT Gateway", "NatGateway-Hours"))
    s.append(PriceSpec(ec2, "NAT Gateway", "NatGateway-Bytes"))
    vpc = "AmazonVPC"
    s.append(PriceSpec(vpc, "VPC Public IPv4 Address", "PublicIPv4:InUseAddress"))
    s.append(PriceSpec(vpc, "VpcEndpoint", "VpcEndpoint-Hours"))
    s.append(PriceSpec(vpc, "VpcEndpoint", "VpcEndpoint-Bytes"))
    cw = "AmazonCloudWatch"
    s.append(PriceSpec(cw, "Data Payload", "DataProcessing-Bytes"))
    s.append(PriceSpec(cw, "Storage Snapshot", "TimedStorage-ByteHrs"))
    s.append(PriceSpec(cw, "Data Payload", "VendedLog-Bytes"))
    s.append(PriceSpec(cw, "Metric", "CW:MetricMonitorUsage"))
    s.append(PriceSpec(cw, "Alarm", "CW:AlarmMonitorUsage"))
    sm = "AWSSecretsManager"
    s.append(PriceSpec(sm, "Secret", "AWSSecretsManager-Secrets"))
    s.append(PriceSpec(sm, "API Request", None))  # spelled per region; see pricing.security
    kms = "awskms"
    s.append(PriceSpec(kms, "Encryption Key", "KMS-Keys"))
    s.append(PriceSpec(kms, "API Request", "KMS-Requests"))
    lam = "AWSLambda"
    for usagetype in ("Request", "Request-ARM", "Lambda-GB-Second", "Lambda-GB-Second-ARM"):
        s.append(PriceSpec(lam, "Serverless", usagetype))
    s.append(PriceSpec("AmazonRoute53", "DNS Zone", "HostedZone", global_service=True))
    return s


SPECS: tuple[PriceSpec, ...] = tuple(_specs())
