"""Types that only configure resources priced elsewhere, for services whose priced types live
in other modules. Each reason says where the money is billed instead."""

from __future__ import annotations

from cost.pricing.registry import free

free(
    "no charge of its own; consumers pay for their interface endpoints, the provider for its "
    "load balancer",
    "AWS::EC2::VPCEndpointService",
    "AWS::EC2::VPCEndpointServicePermissions",
)
free(
    "no charge of its own; notifications are billed on the SNS topic",
    "AWS::RDS::EventSubscription",
)
free(
    "no charge of its own; the instances of its Auto Scaling group are priced there",
    "AWS::ECS::CapacityProvider",
)
free(
    "no charge of its own; the delivered log events are billed by the destination (stream, "
    "function or Firehose)",
    "AWS::Logs::SubscriptionFilter",
)
