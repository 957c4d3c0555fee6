"""S3 buckets: the MLflow artifact store and the access-log bucket beside it.

Secure defaults live in one function per bucket (`default_*_props`); the constructs add
what they must (logging, lifecycle) on top. Both buckets are retained on stack deletion.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3

from constructs import Construct
from constructs.settings import Matches, setting


@dataclass(frozen=True, kw_only=True)
class StorageSettings:
    """The artifact and access-log buckets' settings (context keys are the field names)."""

    artifact_prefix: str = setting(
        "artifacts",
        check=Matches(
            r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}",
            what=None,
            allowed="1-64 letters, digits, '_', '.' or '-', starting with a letter or digit",
        ),
        doc="key prefix of the artifacts in the bucket",
    )
    intelligent_tiering_transition_days: int = setting(
        0, between=(0, 3650), doc="days before objects move to Intelligent-Tiering"
    )
    intelligent_tiering_archive: bool = setting(
        False,
        doc="also use the Archive (90 days) and Deep Archive (180 days) tiers; archived "
        "artifacts must be restored before MLflow can read them",
    )
    noncurrent_version_expiry_days: int = setting(
        30,
        dev=7,
        prod=90,
        between=(1, 3650),
        doc="days a replaced or deleted artifact version is kept",
    )
    abort_multipart_upload_days: int = setting(
        7, between=(1, 365), doc="incomplete multipart uploads are aborted after this many days"
    )
    access_log_expiry_days: int = setting(
        365, dev=90, prod=730, between=(1, 3650), doc="access logs are kept this many days"
    )


def default_bucket_props() -> dict[str, Any]:
    """What every bucket of this app gets: private, encrypted, TLS 1.2+ only, retained."""
    return {
        "block_public_access": s3.BlockPublicAccess.BLOCK_ALL,
        "encryption": s3.BucketEncryption.S3_MANAGED,
        "enforce_ssl": True,
        "minimum_tls_version": 1.2,
        "object_ownership": s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        "removal_policy": RemovalPolicy.RETAIN,
    }


class AccessLogBucket(Construct):
    """Receives the load balancer's access logs and the artifact bucket's server access logs.

    Encrypted with S3-managed keys: ALB access logging supports only SSE-S3.
    """

    def __init__(self, scope: Construct, construct_id: str, *, settings: StorageSettings) -> None:
        super().__init__(scope, construct_id)
        self.bucket = s3.Bucket(
            self,
            "Bucket",
            **default_bucket_props(),
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="expire-access-logs",
                    expiration=Duration.days(settings.access_log_expiry_days),
                    abort_incomplete_multipart_upload_after=Duration.days(1),
                )
            ],
        )


class ArtifactStore(Construct):
    """The bucket MLflow proxies artifacts into, under one key prefix.

    Versioned (noncurrent versions expire), everything moves to Intelligent-Tiering, optional
    archive tiers, incomplete multipart uploads are aborted, access is logged.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: StorageSettings,
        access_log_bucket: s3.IBucket,
    ) -> None:
        super().__init__(scope, construct_id)
        s = settings
        prefix = self.prefix = s.artifact_prefix
        tiering: list[s3.IntelligentTieringConfiguration] = []
        if s.intelligent_tiering_archive:
            # Archive tiers need a restore before MLflow can read an object again: opt-in only.
            tiering.append(
                s3.IntelligentTieringConfiguration(
                    name="archive-after-inactivity",
                    prefix=f"{prefix}/",
                    archive_access_tier_time=Duration.days(90),
                    deep_archive_access_tier_time=Duration.days(180),
                )
            )
        self.bucket = s3.Bucket(
            self,
            "Bucket",
            **default_bucket_props(),
            versioned=True,
            server_access_logs_bucket=access_log_bucket,
            server_access_logs_prefix="s3-artifacts/",
            intelligent_tiering_configurations=tiering or None,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="intelligent-tiering",
                    transitions=[
                        s3.Transition(
                            storage_class=s3.StorageClass.INTELLIGENT_TIERING,
                            transition_after=Duration.days(s.intelligent_tiering_transition_days),
                        )
                    ],
                ),
                s3.LifecycleRule(
                    id="expire-noncurrent-versions",
                    noncurrent_version_expiration=Duration.days(s.noncurrent_version_expiry_days),
                    abort_incomplete_multipart_upload_after=Duration.days(
                        s.abort_multipart_upload_days
                    ),
                ),
                s3.LifecycleRule(
                    id="remove-expired-delete-markers", expired_object_delete_marker=True
                ),
            ],
        )

    @property
    def uri(self) -> str:
        """The artifacts destination MLflow writes to: s3://BUCKET/PREFIX."""
        return f"s3://{self.bucket.bucket_name}/{self.prefix}"

    def grant_artifact_access(self, grantee: iam.IGrantable) -> None:
        """Read, write and delete objects under the prefix; list the bucket. Nothing else."""
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(
                sid="ArtifactObjects",
                actions=[
                    "s3:GetObject",
                    "s3:PutObject",
                    "s3:DeleteObject",
                    "s3:AbortMultipartUpload",
                    "s3:ListMultipartUploadParts",
                ],
                resources=[self.bucket.arn_for_objects(f"{self.prefix}/*")],
            )
        )
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(
                sid="ArtifactBucketList",
                actions=["s3:ListBucket"],
                resources=[self.bucket.bucket_arn],
            )
        )
