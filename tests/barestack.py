"""Bare stacks for tests of one construct's output (no cost estimate, no nag gate): just the
network and the tracking server (`tracking_server_stack`), or the platform a scheduled task or
office hours build on (`platform`: also the artifact store and the database, wired as
MlflowStack wires them)."""

from __future__ import annotations

from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk.assertions import Template

import app as app_module
from constructs.database import Database, DatabaseSettings
from constructs.network import Network, NetworkSettings
from constructs.storage import ArtifactStore, StorageSettings
from constructs.tracking_server import LoadBalancerSettings, ServerSettings, TrackingServer


def tracking_server_stack(
    load_balancer: LoadBalancerSettings | None = None,
    network: NetworkSettings | None = None,
) -> tuple[cdk.Stack, TrackingServer]:
    """A stack holding a Network and a TrackingServer with these settings."""
    app = cdk.App(context=app_module.cdk_json_context())
    stack = cdk.Stack(app, "Bare")
    lb = load_balancer or LoadBalancerSettings()
    net = Network(
        stack,
        "Network",
        settings=network or NetworkSettings(),
        public_load_balancer=not lb.internal_load_balancer,
    )
    server = TrackingServer(
        stack,
        "TrackingServer",
        vpc=net.vpc,
        vpc_cidr=net.cidr,
        service_subnets=net.service_subnets,
        load_balancer_subnets=net.load_balancer_subnets(internal=lb.internal_load_balancer),
        assign_public_ip=net.assign_public_ip,
        database_host="db.example.internal",
        database_port=3307,
        database_name="mlflow",
        database_secret=secretsmanager.Secret(stack, "DatabaseSecret"),
        artifacts_uri="s3://artifact-bucket/artifacts",
        access_log_bucket=s3.Bucket(stack, "Logs"),
        server=ServerSettings(),
        load_balancer=lb,
    )
    return stack, server


def template(stack: cdk.Stack) -> Template:
    return Template.from_stack(stack)


@dataclass
class Platform:
    network: Network
    artifacts: ArtifactStore
    #: None with `database=False`: the server then points at a placeholder host and secret.
    database: Database | None
    server: TrackingServer


def platform(
    stack: cdk.Stack, *, storage: StorageSettings | None = None, database: bool = True
) -> Platform:
    net = Network(stack, "Network", settings=NetworkSettings(), public_load_balancer=True)
    artifacts = ArtifactStore(
        stack,
        "Artifacts",
        settings=storage or StorageSettings(),
        access_log_bucket=s3.Bucket(stack, "Logs"),
    )
    db = None
    if database:
        db = Database(
            stack,
            "Database",
            vpc=net.vpc,
            subnets=net.database_subnets,
            settings=DatabaseSettings(),
        )
        host, port, secret = db.instance.db_instance_endpoint_address, db.port, db.secret
    else:
        host, port = "db.example.internal", 3307
        secret = secretsmanager.Secret(stack, "DatabaseSecret")
    server = TrackingServer(
        stack,
        "TrackingServer",
        vpc=net.vpc,
        vpc_cidr=net.cidr,
        service_subnets=net.service_subnets,
        load_balancer_subnets=net.load_balancer_subnets(internal=False),
        assign_public_ip=net.assign_public_ip,
        database_host=host,
        database_port=port,
        database_name="mlflow",
        database_secret=secret,
        artifacts_uri=artifacts.uri,
        access_log_bucket=s3.Bucket(stack, "AlbLogs"),
        server=ServerSettings(),
        load_balancer=LoadBalancerSettings(),
    )
    if db is not None:
        db.allow_from(server.service, "MySQL from the MLflow tracking server")
    return Platform(net, artifacts, db, server)
