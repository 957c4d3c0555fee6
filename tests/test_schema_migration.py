"""The schema-migration workflow in the synthesized stack: the service waits for it, it runs
the task definition with MLFLOW_ROLE=migrate behind an RDS snapshot, scales the service back on
failure, and only a change of the pinned MLflow version re-runs it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from appsynth import Synth, synth

from constructs.schema_migration import pinned_mlflow_version


@pytest.fixture(scope="module")
def team() -> Synth:
    return synth(cost="off")


def _definition(s: Synth) -> dict[str, Any]:
    machines = s.resources("AWS::StepFunctions::StateMachine")
    (_logical, machine) = next(
        (k, v)
        for k, v in machines.items()
        if k.startswith("SchemaMigration") and "Provider" not in k
    )
    parts = machine["Properties"]["DefinitionString"]["Fn::Join"][1]
    text = "".join(p if isinstance(p, str) else "0" for p in parts)
    return dict(json.loads(text))


def test_the_service_waits_for_the_migration_trigger(team: Synth) -> None:
    (trigger, props) = team.one("Custom::MlflowSchemaMigration")
    assert props["Properties"]["MlflowVersion"] == pinned_mlflow_version()
    # Only the version changes between deployments: config changes do not re-run it.
    assert set(props["Properties"]) == {"ServiceToken", "StateMachineArn", "MlflowVersion"}
    (_, service) = team.one("AWS::ECS::Service")
    assert trigger in service["DependsOn"]


def test_the_workflow_drains_snapshots_migrates_and_scales_back_on_failure(team: Synth) -> None:
    states = _definition(team)["States"]
    assert states["ScaleServiceToZero"]["Parameters"]["DesiredCount"] == 0
    assert states["SnapshotDatabase"]["Resource"].endswith("rds:createDBSnapshot")
    run = states["RunMigrationTask"]
    assert run["Resource"].endswith("ecs:runTask.sync")
    overrides = run["Parameters"]["Overrides"]["ContainerOverrides"][0]["Environment"]
    assert overrides == [{"Name": "MLFLOW_ROLE", "Value": "migrate"}]
    assert run["Catch"][0]["Next"] == "ScaleOldVersionBack"
    assert states["ScaleOldVersionBack"]["Next"] == "MigrationFailed"
    # Snapshot only after no task runs; the migration only after the snapshot is available.
    assert states["AllTasksStopped?"]["Choices"][0]["Next"] == "SnapshotDatabase"
    assert states["SnapshotAvailable?"]["Choices"][0]["Next"] == "RunMigrationTask"


def test_the_serving_task_definition_never_migrates(team: Synth) -> None:
    (_, task) = team.one("AWS::ECS::TaskDefinition")
    env = {
        e["Name"]: e["Value"] for e in task["Properties"]["ContainerDefinitions"][0]["Environment"]
    }
    assert env["MLFLOW_ROLE"] == "server"


def test_pinned_version_is_read_from_the_container_requirements(tmp_path: Path) -> None:
    good = tmp_path / "requirements.txt"
    good.write_text("# header\nmlflow[auth]==9.8.7\nPyMySQL==1\n")
    assert pinned_mlflow_version(good) == "9.8.7"
    bad = tmp_path / "bad.txt"
    bad.write_text("mlflow>=3\n")
    with pytest.raises(ValueError, match="mlflow\\[auth\\]==VERSION"):
        pinned_mlflow_version(bad)
