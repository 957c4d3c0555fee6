"""Stateful resources keep their logical IDs: a refactor that changes one would make
CloudFormation replace the database or the bucket (and lose their data)."""

from __future__ import annotations

import pytest
from appsynth import synth

PINNED = {
    "AWS::RDS::DBInstance": {"DatabaseInstanceAA8A5FDE"},
    "AWS::RDS::DBSubnetGroup": {"DatabaseInstanceSubnetGroupDE121BB6"},
    "AWS::RDS::DBParameterGroup": {"DatabaseParametersB8AC9B07"},
    "AWS::S3::Bucket": {"ArtifactsBucket88671897", "AccessLogsBucketCD784A59"},
}


@pytest.mark.parametrize("profile", ["dev", "team", "prod"])
def test_stateful_logical_ids_are_pinned(profile: str) -> None:
    s = synth(profile=profile, cost="off")
    for resource_type, ids in PINNED.items():
        assert set(s.resources(resource_type)) == ids, resource_type


def test_stateful_resources_survive_stack_deletion() -> None:
    s = synth(cost="off")
    for logical_id in PINNED["AWS::S3::Bucket"]:
        assert s.json["Resources"][logical_id]["DeletionPolicy"] == "Retain"
    db = s.json["Resources"]["DatabaseInstanceAA8A5FDE"]
    assert db["DeletionPolicy"] == "Snapshot"
    assert db["Properties"]["DeletionProtection"] is True
