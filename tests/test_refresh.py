"""The catalog refresh talks to the Price List API; here the API is botocore's Stubber (the
client is what is under test, not AWS), and the files it writes load as a catalog."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest
from botocore.stub import ANY, Stubber

from cost import refresh as refresh_module
from cost.catalog import PriceCatalog
from cost.catalog.spec import PriceSpec


def _product(sku: str, usagetype: str, usd: str, unit: str = "Hrs", **attrs: str) -> str:
    return json.dumps(
        {
            "product": {"sku": sku, "attributes": {"usagetype": usagetype, **attrs}},
            "terms": {
                "OnDemand": {
                    f"{sku}.T": {
                        "effectiveDate": "2026-10-01T00:00:00Z",
                        "priceDimensions": {
                            f"{sku}.T.D": {
                                "unit": unit,
                                "beginRange": "0",
                                "endRange": "Inf",
                                "pricePerUnit": {"USD": usd},
                            }
                        },
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


def test_fetch_keeps_the_one_matching_usage_type(client: object) -> None:
    spec = PriceSpec("AmazonECS", "Compute", "Fargate-GB-Hours")
    with Stubber(client) as stub:
        stub.add_response(
            "get_products",
            {
                "PriceList": [
                    _product("A", "USE2-Fargate-GB-Hours", "0.004445"),
                    _product("B", "USE2-Fargate-ARM-GB-Hours", "0.00356"),
                    _product("C", "USE2-SpotUsage-Fargate-GB-Hours", "0.0014"),
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
        product = refresh_module.fetch(client, spec, "us-east-2")
    assert product is not None
    assert product["attributes"] == {
        "regionCode": "us-east-2",
        "usagetype": "USE2-Fargate-GB-Hours",
    }
    assert product["priceDimensions"] == [{"beginRange": 0.0, "endRange": None, "usd": 0.004445}]
    assert product["effectiveDate"] == "2026-10-01" and product["confirmed"] is True


def test_fetch_refuses_ambiguous_products(client: object) -> None:
    spec = PriceSpec("AmazonS3", "Storage", "TimedStorage-INT-FA-ByteHrs")
    with Stubber(client) as stub:
        stub.add_response(
            "get_products",
            {"PriceList": [_product("A", "TimedStorage-INT-FA-ByteHrs", "0.023"),
                           _product("B", "TimedStorage-INT-FA-ByteHrs", "0.0")]},
            {"ServiceCode": "AmazonS3", "Filters": ANY, "FormatVersion": "aws_v1", "MaxResults": 100},
        )  # fmt: skip
        with pytest.raises(refresh_module.RefreshError, match="2 products"):
            refresh_module.fetch(client, spec, "us-east-1")


def test_refresh_writes_loadable_catalog_files(
    client: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    specs = (
        PriceSpec("AWSELB", "Load Balancer-Application", "LoadBalancerUsage"),
        PriceSpec("AmazonRoute53", "DNS Zone", "HostedZone", global_service=True),
    )
    with Stubber(client) as stub:
        stub.add_response(
            "get_products",
            {"PriceList": [_product("L", "EU-LoadBalancerUsage", "0.0252")]},
            {"ServiceCode": "AWSELB", "Filters": ANY, "FormatVersion": "aws_v1", "MaxResults": 100},
        )
        stub.add_response(
            "get_products",
            {"PriceList": [_product("Z", "HostedZone", "0.5", unit="HostedZone")]},
            {
                "ServiceCode": "AmazonRoute53",
                "Filters": ANY,
                "FormatVersion": "aws_v1",
                "MaxResults": 100,
            },
        )
        counts = refresh_module.refresh(client, ["eu-west-1"], tmp_path, specs)
    assert counts == {"AWSELB": 1, "AmazonRoute53": 1}
    catalog = PriceCatalog.from_directory(tmp_path)
    price = catalog.lookup("AWSELB", "eu-west-1", "Load Balancer-Application", "LoadBalancerUsage")
    assert price.usd == 0.0252
    assert catalog.lookup("AmazonRoute53", "global", "DNS Zone", "HostedZone").usd == 0.5


FIXTURES = Path(__file__).resolve().parent / "fixtures" / "pricing"


def test_refresh_from_a_pricing_page_file_writes_sourced_products(tmp_path: Path) -> None:
    from cost.refresh import main

    code = main(
        [
            "--pricing-page",
            str(FIXTURES / "waf-sample.json"),
            "--service",
            "awswaf",
            "--source",
            "v0rts/aws-price-watcher@91cf8f2e:raw/waf.json",
            "--out",
            str(tmp_path),
        ]
    )
    assert code == 0
    catalog = PriceCatalog.from_directory(tmp_path)
    # us-east-1 and il-central-1; GovCloud is not a commercial region and is skipped.
    assert catalog.regions == ["il-central-1", "us-east-1"]
    acl = catalog.lookup("awswaf", "us-east-1", "WebACL per month")
    assert acl.usd == 5.0 and acl.unit == "month" and acl.effective_date == "2025-10-03"
    assert "sku PJQM8PKU9GAJ6WKY" in acl.source and "v0rts/aws-price-watcher@91cf8f2e" in acl.source
    assert catalog.lookup("awswaf", "il-central-1", "Web Requests received per Request").usd == 7e-7


def test_the_bundled_waf_prices_are_the_file_s(tmp_path: Path) -> None:
    """The bundled awswaf.json is what the refresh makes of the source file (for the regions the
    fixture holds): the catalog is reproducible from AWS's file."""
    from cost.catalog import default_catalog
    from cost.refresh import from_pricing_page

    data = json.loads((FIXTURES / "waf-sample.json").read_text())
    for product in from_pricing_page(data, "awswaf", "x"):
        region = product["attributes"]["regionCode"]
        bundled = default_catalog().lookup("awswaf", region, product["productFamily"])
        assert bundled.usd == product["priceDimensions"][0]["usd"]
        assert bundled.effective_date == product["effectiveDate"]


def test_refresh_refuses_a_file_that_is_not_a_pricing_page_file(tmp_path: Path) -> None:
    from cost.refresh import main

    bad = tmp_path / "x.json"
    bad.write_text('{"products": []}')
    args = [
        "--pricing-page",
        str(bad),
        "--service",
        "awswaf",
        "--source",
        "s",
        "--out",
        str(tmp_path),
    ]
    assert main(args) == 2
