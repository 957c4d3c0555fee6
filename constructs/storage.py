"""S3 buckets: the MLflow artifact store and the access-log bucket beside it.

Secure defaults live in one function per bucket (`default_*_props`); the constructs add
what they must (logging, lifecycle) on top. Both buckets are retained on stack deletion.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import jsii
from aws_cdk import Duration, IStableStringProducer, Lazy, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3

from constructs import Construct
from constructs.settings import Matches, setting
from cost.pricing.storage import SMALL_OBJECT_BYTES
from cost.retention.plan import ARCHIVE_TAG

#: The bucket's rule that moves what the retention command (`python -m cost retention apply`)
#: tagged for archiving (cost.retention.plan.ARCHIVE_TAG) to the archive class.
ARCHIVE_RULE_ID = "retention-archive"


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
                # S3 moves only objects larger than 128 KB into Intelligent-Tiering and would not
                # tier smaller ones there (nor charge them the monitoring fee): MLflow's many
                # small files (MLmodel, requirements.txt, conda.yaml) stay in Standard. Stated
                # in the rule, not left to the bucket's default minimum, so that the estimate
                # and the run pricer see it.
                s3.LifecycleRule(
                    id="intelligent-tiering",
                    object_size_greater_than=SMALL_OBJECT_BYTES,
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

        # CloudFormation types ObjectSizeGreaterThan as a string; the L2 renders a number.
        cfn = self.bucket.node.default_child
        assert isinstance(cfn, s3.CfnBucket)
        cfn.add_property_override(
            "LifecycleConfiguration.Rules.0.ObjectSizeGreaterThan", str(SMALL_OBJECT_BYTES)
        )

    def add_archive_rule(self, storage_class: str) -> None:
        """Move objects tagged `mlflow-retention=archive` (by the retention command) to
        `storage_class` at once (a lifecycle transition after 0 days runs within a day or two)."""
        self.bucket.add_lifecycle_rule(
            id=ARCHIVE_RULE_ID,
            tag_filters=dict([ARCHIVE_TAG]),
            transitions=[
                s3.Transition(
                    storage_class=s3.StorageClass(storage_class),
                    transition_after=Duration.days(0),
                )
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


@jsii.implements(IStableStringProducer)
class _BucketStorageModel:
    """A bucket's lifecycle and Intelligent-Tiering configuration as the CloudFormation
    properties the template holds, rendered at synth (the L2 bucket fills them lazily), so
    the scheduled tasks (`cost runs`, `cost retention`) price artifacts with the bucket's own
    rules."""

    def __init__(self, bucket: s3.CfnBucket) -> None:
        self.bucket = bucket

    def produce(self) -> str:
        stack = Stack.of(self.bucket)
        rendered = self.bucket._render_properties(stack.resolve(self.bucket._cfn_properties))
        model = {
            key: rendered[key]
            for key in ("LifecycleConfiguration", "IntelligentTieringConfigurations")
            if key in rendered
        }
        # As the template holds them: CloudFormation types the size filters as strings (the
        # artifact bucket overrides the L2's number, ArtifactStore above).
        lifecycle = model.get("LifecycleConfiguration")
        for rule in lifecycle.get("Rules", []) if isinstance(lifecycle, dict) else []:
            for key in ("ObjectSizeGreaterThan", "ObjectSizeLessThan"):
                if isinstance(rule.get(key), (int, float)):
                    rule[key] = str(int(rule[key]))
        text = json.dumps(model, sort_keys=True, separators=(",", ":"))
        if '"Ref"' in text or '"Fn::' in text:
            raise ValueError("the artifact bucket's storage rules hold tokens: cannot pass them")
        return text


def storage_model_json(bucket: s3.Bucket) -> str:
    """The bucket's storage-class model as `--bucket-properties` JSON (a token resolved at
    synth, after every lifecycle rule is added)."""
    child = bucket.node.default_child
    assert isinstance(child, s3.CfnBucket)
    return Lazy.string(_BucketStorageModel(child))
