"""HTTPS: with a domain and a certificate (or a hosted zone to create one) the load balancer
serves HTTPS only, redirects HTTP, uses a modern TLS policy and accepts the domain as Host."""

from __future__ import annotations

import json

import pytest
from appsynth import Synth, synth

CERT = "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012"


@pytest.fixture(scope="module")
def with_cert() -> Synth:
    return synth(domain_name="mlflow.example.com", certificate_arn=CERT, cost="off")


@pytest.fixture(scope="module")
def with_zone() -> Synth:
    return synth(
        domain_name="mlflow.example.com",
        hosted_zone_id="Z0123456789ABCDEFGHIJ",
        hosted_zone_name="example.com",
        cost="off",
    )


def _listeners(s: Synth) -> dict[int, dict]:
    return {
        v["Properties"]["Port"]: v["Properties"]
        for v in s.resources("AWS::ElasticLoadBalancingV2::Listener").values()
    }


@pytest.mark.parametrize("variant", ["with_cert", "with_zone"])
def test_https_listener_and_redirect(variant: str, request: pytest.FixtureRequest) -> None:
    s: Synth = request.getfixturevalue(variant)
    listeners = _listeners(s)
    assert sorted(listeners) == [80, 443]
    https = listeners[443]
    assert https["Protocol"] == "HTTPS"
    assert https["SslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    assert https["DefaultActions"][0]["Type"] == "forward"
    redirect = listeners[80]["DefaultActions"][0]
    assert redirect["Type"] == "redirect"
    assert redirect["RedirectConfig"]["Protocol"] == "HTTPS"
    assert redirect["RedirectConfig"]["Port"] == "443"
    # Port 80 only ever redirects: nothing reaches the tasks over plain HTTP.
    assert all(a["Type"] == "redirect" for a in listeners[80]["DefaultActions"])


def test_given_certificate_is_used(with_cert: Synth) -> None:
    https = _listeners(with_cert)[443]
    assert https["Certificates"] == [{"CertificateArn": CERT}]
    with_cert.template.resource_count_is("AWS::CertificateManager::Certificate", 0)


def test_hosted_zone_gives_a_dns_validated_certificate_and_alias(with_zone: Synth) -> None:
    with_zone.template.has_resource_properties(
        "AWS::CertificateManager::Certificate",
        {
            "DomainName": "mlflow.example.com",
            "ValidationMethod": "DNS",
            "DomainValidationOptions": [
                {"DomainName": "mlflow.example.com", "HostedZoneId": "Z0123456789ABCDEFGHIJ"}
            ],
        },
    )
    with_zone.template.has_resource_properties(
        "AWS::Route53::RecordSet",
        {"Name": "mlflow.example.com.", "Type": "A", "HostedZoneId": "Z0123456789ABCDEFGHIJ"},
    )


def test_domain_is_an_allowed_host_and_the_url(with_cert: Synth) -> None:
    _, task = with_cert.one("AWS::ECS::TaskDefinition")
    env = {
        e["Name"]: e["Value"] for e in task["Properties"]["ContainerDefinitions"][0]["Environment"]
    }
    hosts = json.dumps(env["MLFLOW_ALLOWED_HOSTS"])
    assert "mlflow.example.com" in hosts and "DNSName" in hosts
    outputs = {k: v for k, v in with_cert.json["Outputs"].items() if "Url" in k}
    assert [o["Value"] for o in outputs.values()] == ["https://mlflow.example.com"]


def test_no_http_warning_when_https(with_cert: Synth) -> None:
    from aws_cdk.assertions import Annotations, Match

    assert not Annotations.from_stack(with_cert.stack).find_warning(
        "*", Match.string_like_regexp("plain HTTP")
    )
