"""Usage files: validation that names the key, and the order in which values apply."""

from __future__ import annotations

from pathlib import Path

import pytest

from cost.pricing.usage import USAGE_SCHEMA, Usage, UsageError


def errors(data: object) -> list[str]:
    with pytest.raises(UsageError) as err:
        Usage.from_mapping(data)
    return err.value.problems


def test_builtin_defaults_apply_without_a_file() -> None:
    values, applied = Usage.empty().for_resource("AWS::S3::Bucket", "B", None)
    assert values["storage_gb"] == USAGE_SCHEMA["AWS::S3::Bucket"]["storage_gb"].default
    assert applied == []


def test_type_default_then_resource_override_by_id_and_path_glob() -> None:
    usage = Usage.from_mapping(
        {
            "resource_type_defaults": {"AWS::S3::Bucket": {"storage_gb": 200}},
            "resources": {
                "LogsBucket": {"monthly_tier1_requests": 5},
                "*/Artifacts/Bucket/Resource": {"storage_gb": 900},
            },
        }
    )
    plain, _ = usage.for_resource("AWS::S3::Bucket", "Other", "stack/Other/Resource")
    assert plain["storage_gb"] == 200
    by_id, applied = usage.for_resource("AWS::S3::Bucket", "LogsBucket", None)
    assert by_id["storage_gb"] == 200 and by_id["monthly_tier1_requests"] == 5
    assert applied == ["LogsBucket"]
    by_path, applied = usage.for_resource(
        "AWS::S3::Bucket", "ArtifactsBucket1", "mlflow-team/Artifacts/Bucket/Resource"
    )
    assert by_path["storage_gb"] == 900 and applied == ["*/Artifacts/Bucket/Resource"]


def test_unknown_key_is_named_with_allowed_keys() -> None:
    (problem,) = errors({"resource_type_defaults": {"AWS::S3::Bucket": {"storage_gigs": 1}}})
    assert "resource_type_defaults.AWS::S3::Bucket.storage_gigs: unknown key" in problem
    assert "storage_gb" in problem


def test_wrong_type_and_negative_are_named() -> None:
    found = errors(
        {
            "resource_type_defaults": {
                "AWS::S3::Bucket": {"storage_gb": "lots"},
                "AWS::Logs::LogGroup": {"monthly_ingested_gb": -1},
            },
            "resources": {"MyLb": {"lcu": True}},
        }
    )
    joined = "\n".join(found)
    assert "AWS::S3::Bucket.storage_gb='lots' is not a number" in joined
    assert "AWS::Logs::LogGroup.monthly_ingested_gb=-1 is negative" in joined
    assert "resources.MyLb.lcu=True is not a number" in joined
    assert len(found) == 3


def test_unknown_type_and_section() -> None:
    found = errors({"resource_type_defaults": {"AWS::Foo::Bar": {"x": 1}}, "extra": {}})
    assert any("AWS::Foo::Bar: no usage keys for this type" in p for p in found)
    assert any("extra: unknown section" in p for p in found)


def test_resource_entry_with_a_key_of_another_type_fails_when_applied() -> None:
    usage = Usage.from_mapping({"resources": {"MyBucket": {"lcu": 2}}})
    with pytest.raises(
        UsageError, match=r"resources.MyBucket.lcu: not a usage key of AWS::S3::Bucket"
    ):
        usage.for_resource("AWS::S3::Bucket", "MyBucket", None)


def test_bad_yaml_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "usage.yml"
    path.write_text("resources: [unclosed\n")
    with pytest.raises(UsageError, match="not valid YAML"):
        Usage.from_file(path)


def test_project_usage_file_is_valid() -> None:
    root = Path(__file__).resolve().parent.parent
    usage = Usage.from_file(root / "usage.yml")
    assert usage.resources
