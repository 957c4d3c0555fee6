"""A bare stack with just the network and the tracking server (no database, no cost estimate,
no nag gate): cheap to synthesize, for tests of one construct's output."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk.assertions import Template

import app as app_module
from constructs.network import Network, NetworkSettings
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
