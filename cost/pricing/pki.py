"""AWS Private Certificate Authority: certificate authorities (a monthly price by usage mode)
and the certificates they issue (a one-time price per certificate, tiered by the month's
count), from AWS's Private CA pricing-page file (`certificatemanager.json`).

A certificate is billed once, when it is issued; a template's certificate is issued when the
stack creates (or replaces) it, so its line is a one-time charge counted in the month of
issuance and says so. OCSP responses are usage the template does not show and are stated as
not included when OCSP is enabled. AWS's free trial for an account's first CA is not deducted.
"""

from __future__ import annotations

from typing import Any

from cost.catalog.spec import Page, PriceSpec
from cost.model import CostComponent
from cost.pricing.context import PricingContext, Resource, Unpriceable
from cost.pricing.registry import HOURS, free, priced

ACMPCA = "AWSCertificateManager"
_MODES = {
    "GENERAL_PURPOSE": PriceSpec(
        ACMPCA,
        "Private Certificate Authority",
        "PaidPrivateCA",
        published=Page("certificatemanager", "Certificate Authority Paid", "Mo"),
    ),
    "SHORT_LIVED_CERTIFICATE": PriceSpec(
        ACMPCA,
        "Private Certificate Authority",
        "ShortLivedCertificatePrivateCA",
        published=Page("certificatemanager", "Short lived Certificate Authority", "Mo"),
    ),
}
_ISSUED = {
    # The file's tiers: 0-1,000, 1,000-10,000, over 10,000 certificates a month.
    "GENERAL_PURPOSE": PriceSpec(
        ACMPCA,
        "Private Certificate",
        "PrivateCertificatesIssued",
        published=Page(
            "certificatemanager",
            unit="Certificates",
            tiers=(
                (0, "Certificate Issued from 0 to 1000"),
                (1000, "Certificate Issued from 1000 to 10000"),
                (10000, "Certificate Issued from 10001 and above"),
            ),
        ),
    ),
    "SHORT_LIVED_CERTIFICATE": PriceSpec(
        ACMPCA,
        "Private Certificate",
        "ShortLivedCertificatesIssued",
        published=Page("certificatemanager", "Short lived Certificate Issued", "Certificates"),
    ),
}


def _mode(value: Any, ctx: PricingContext, what: str) -> str:
    mode = ctx.text(value, "GENERAL_PURPOSE", what).upper()
    if mode not in _MODES:
        raise Unpriceable(f"{what} {mode!r} is not one of {', '.join(_MODES)}")
    return mode


@priced(
    "AWS::ACMPCA::CertificateAuthority",
    service="Private CA",
    summary="the CA's monthly price by UsageMode (general-purpose or short-lived "
    "certificates), pro-rated by the hours it exists; OCSP responses not included",
    usage=(HOURS,),
    prices=tuple(_MODES.values()),
)
def price_certificate_authority(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    mode = _mode(resource.properties.get("UsageMode"), ctx, "UsageMode")
    revocation = resource.properties.get("RevocationConfiguration")
    ocsp = revocation.get("OcspConfiguration") if isinstance(revocation, dict) else None
    if isinstance(ocsp, dict) and ctx.flag(ocsp.get("Enabled"), True, "OCSP Enabled"):
        ctx.assume("OCSP is enabled: its responses are billed per use and are not included")
    spec = _MODES[mode]
    return [
        ctx.component(
            f"Private CA ({mode.lower().replace('_', '-')})",
            "CA-months",
            ctx.hours / 730,
            ctx.price(ACMPCA, spec.family, spec.usagetype),
            usage_based=ctx.hours != 730,
        )
    ]


@priced(
    "AWS::ACMPCA::Certificate",
    service="Private CA",
    summary="one certificate issued (a one-time charge, counted in the month it is issued), "
    "at the issuing CA's usage mode's price",
    prices=tuple(_ISSUED.values()),
    reads=("AWS::ACMPCA::CertificateAuthority",),
)
def price_private_certificate(resource: Resource, ctx: PricingContext) -> list[CostComponent]:
    ca = ctx.referenced(
        resource.properties.get("CertificateAuthorityArn"), "AWS::ACMPCA::CertificateAuthority"
    )
    if ca is None:
        ctx.assume("the issuing CA is not in this template: a general-purpose CA assumed")
        mode = "GENERAL_PURPOSE"
    else:
        mode = _mode(ca.properties.get("UsageMode"), ctx, "the issuing CA's UsageMode")
    spec = _ISSUED[mode]
    return [
        ctx.component(
            "Certificate issued (one-time, in the month of issuance)",
            "certificates",
            1,
            ctx.price(ACMPCA, spec.family, spec.usagetype),
            tiered=mode == "GENERAL_PURPOSE",
        )
    ]


free(
    "activating a CA and granting permissions bill nothing; the CA is priced on its resource",
    "AWS::ACMPCA::CertificateAuthorityActivation",
    "AWS::ACMPCA::Permission",
)
