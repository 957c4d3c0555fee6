"""RDS for MySQL: MLflow's metadata store (and, in its own schema, the auth database).

Pinned engine version, gp3 storage with autoscaling up to a cap, encryption, backups,
deletion protection, a snapshot on removal, TLS required, utf8mb4 with a binary collation,
and credentials generated into Secrets Manager. Only the tracking server may connect.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from aws_cdk import Acknowledgment, Duration, RemovalPolicy, Validations
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_rds as rds
from aws_cdk import aws_secretsmanager as secretsmanager

from constructs import Construct
from constructs.settings import OneOf, Rule, setting

#: Pinned full version. MySQL 8.0 left RDS standard support on 2026-07-31 (extended support is
#: billed per vCPU-hour), so the 8.4 LTS line is the one to run.
ENGINE_VERSION = rds.MysqlEngineVersion.VER_8_4_7

#: The schema RDS creates; the entrypoint creates the auth schema beside it.
DATABASE_NAME = "mlflow"
MASTER_USERNAME = "mlflow"

#: utf8mb4 with a binary collation: MySQL's default (accent/case-insensitive) collation makes
#: MLflow keys that differ only in case collide ("lr" vs "LR" as params of one run), unlike
#: MLflow's other backends.
CHARACTER_SET = "utf8mb4"
COLLATION = "utf8mb4_bin"


def accepted_instance_classes() -> Sequence[str]:
    """The classes `db_instance_class` accepts: those the cost estimate's catalog prices for
    MySQL (Single-AZ and Multi-AZ, every catalog region), so no choice is unpriceable. Called
    at validation time, not at import."""
    from cost.pricing.database import priced_classes

    return priced_classes("MySQL")


def _families(classes: Sequence[str]) -> str:
    families = dict.fromkeys(c.split(".")[1] for c in classes)
    return f"one of {len(classes)} classes (db.FAMILY.SIZE) of the families {', '.join(families)}"


@dataclass(frozen=True, kw_only=True)
class DatabaseSettings:
    """The RDS instance's settings (context keys are the field names)."""

    db_instance_class: str = setting(
        "db.t4g.small",
        dev="db.t4g.micro",
        lean="db.t4g.micro",
        prod="db.m7g.large",
        one_of=OneOf(accepted_instance_classes, summary=_families),
        doc="RDS instance class",
    )
    db_multi_az: bool = setting(False, prod=True, doc="Multi-AZ standby")
    db_allocated_storage_gib: int = setting(
        20, prod=50, between=(20, 65536), doc="initial gp3 storage (GiB)"
    )
    db_max_allocated_storage_gib: int = setting(
        100,
        dev=50,
        lean=50,
        prod=500,
        between=(20, 65536),
        doc="storage autoscaling cap (GiB, above the allocation)",
    )
    db_backup_retention_days: int = setting(
        14, dev=7, lean=7, prod=30, between=(7, 35), doc="automated backups (days)"
    )
    db_port: int = setting(3307, between=(1150, 65535), doc="MySQL port (not the default 3306)")
    db_deletion_protection: bool = setting(True, doc="RDS deletion protection")

    RULES: ClassVar[tuple[Rule[DatabaseSettings], ...]] = (
        Rule(
            reads=("db_allocated_storage_gib", "db_max_allocated_storage_gib"),
            broken=lambda s: s.db_max_allocated_storage_gib <= s.db_allocated_storage_gib,
            message=lambda s: (
                f"db_max_allocated_storage_gib={s.db_max_allocated_storage_gib} must exceed "
                f"db_allocated_storage_gib={s.db_allocated_storage_gib} (storage autoscaling "
                f"cap); allowed: > {s.db_allocated_storage_gib}"
            ),
        ),
    )


class Database(Construct):
    """A private RDS for MySQL instance with a generated master secret."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        vpc: ec2.IVpc,
        subnets: ec2.SubnetSelection,
        settings: DatabaseSettings,
    ) -> None:
        super().__init__(scope, construct_id)
        s = settings
        port = s.db_port
        engine = rds.DatabaseInstanceEngine.mysql(version=ENGINE_VERSION)

        self.security_group = ec2.SecurityGroup(
            self,
            "SecurityGroup",
            vpc=vpc,
            description="MLflow metadata database: MySQL from the tracking server only",
            allow_all_outbound=False,
        )
        parameters = rds.ParameterGroup(
            self,
            "Parameters",
            engine=engine,
            description="MLflow: TLS required, utf8mb4 with binary collation",
            parameters={
                "require_secure_transport": "1",
                "character_set_server": CHARACTER_SET,
                "collation_server": COLLATION,
            },
        )
        self.instance = rds.DatabaseInstance(
            self,
            "Instance",
            engine=engine,
            instance_type=ec2.InstanceType(s.db_instance_class.removeprefix("db.")),
            vpc=vpc,
            vpc_subnets=subnets,
            security_groups=[self.security_group],
            port=port,
            credentials=rds.Credentials.from_generated_secret(MASTER_USERNAME),
            database_name=DATABASE_NAME,
            parameter_group=parameters,
            multi_az=s.db_multi_az,
            storage_type=rds.StorageType.GP3,
            allocated_storage=s.db_allocated_storage_gib,
            max_allocated_storage=s.db_max_allocated_storage_gib,
            storage_encrypted=True,
            backup_retention=Duration.days(s.db_backup_retention_days),
            copy_tags_to_snapshot=True,
            deletion_protection=s.db_deletion_protection,
            removal_policy=RemovalPolicy.SNAPSHOT,
            # The version is pinned in code; upgrades are deliberate changes, not drift.
            auto_minor_version_upgrade=False,
            publicly_accessible=False,
            ca_certificate=rds.CaCertificate.RDS_CA_RSA2048_G1,
        )
        secret = self.instance.secret
        assert secret is not None  # from_generated_secret always creates one
        self.secret: secretsmanager.ISecret = secret
        # instance.secret is the secret's attachment; acknowledge on the secret itself.
        Validations.of(self.instance.node.find_child("Secret")).acknowledge(
            Acknowledgment(
                id="AwsSolutions-SMG4",
                reason="ECS injects the password into tasks only when they start, so automatic "
                "rotation would break new connections of running tasks. Rotate on purpose: "
                "rotate the secret, then force a new deployment of the service (README).",
            )
        )
        self.port = port

    def allow_from(self, peer: ec2.IConnectable, description: str) -> None:
        self.instance.connections.allow_default_port_from(peer, description)
