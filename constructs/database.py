"""RDS for MySQL: MLflow's metadata store (and, in its own schema, the auth database).

Pinned engine version, gp3 storage with autoscaling up to a cap, encryption, backups,
deletion protection, a snapshot on removal, TLS required, utf8mb4 with a binary collation,
and credentials generated into Secrets Manager. Only the tracking server may connect.
"""

from __future__ import annotations

from aws_cdk import Acknowledgment, Duration, RemovalPolicy, Validations
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_rds as rds
from aws_cdk import aws_secretsmanager as secretsmanager

from constructs import Construct

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


class Database(Construct):
    """A private RDS for MySQL instance with a generated master secret."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        vpc: ec2.IVpc,
        subnets: ec2.SubnetSelection,
        instance_class: str,
        multi_az: bool,
        allocated_storage_gib: int,
        max_allocated_storage_gib: int,
        backup_retention_days: int,
        port: int,
        deletion_protection: bool,
    ) -> None:
        super().__init__(scope, construct_id)
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
            instance_type=ec2.InstanceType(instance_class.removeprefix("db.")),
            vpc=vpc,
            vpc_subnets=subnets,
            security_groups=[self.security_group],
            port=port,
            credentials=rds.Credentials.from_generated_secret(MASTER_USERNAME),
            database_name=DATABASE_NAME,
            parameter_group=parameters,
            multi_az=multi_az,
            storage_type=rds.StorageType.GP3,
            allocated_storage=allocated_storage_gib,
            max_allocated_storage=max_allocated_storage_gib,
            storage_encrypted=True,
            backup_retention=Duration.days(backup_retention_days),
            copy_tags_to_snapshot=True,
            deletion_protection=deletion_protection,
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
