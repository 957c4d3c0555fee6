"""Settings declared once: the declaration machinery, the README table generated from it, and
the container accepting every value the declarations allow. Pure tests: no synth."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Literal

import pytest

from constructs.settings import (
    OneOf,
    Range,
    Rule,
    declared,
    field_problems,
    markdown_rows,
    parse_value,
    profile_values,
    rule_problems,
    setting,
)
from constructs.tracking_server import ServerSettings, container_environment
from stacks import config as config_module
from stacks.config import GROUPS, SETTINGS, ConfigError, PlatformConfig, load_config

ROOT = Path(__file__).resolve().parent.parent


# ---------------------------------------------------------------- one declaration is enough

_allowed_colours: list[str] = ["red", "green"]


@dataclass(frozen=True, kw_only=True)
class ToySettings:
    """A group the app does not use: everything below comes from these four declarations."""

    toy_size: int = setting(4, dev=1, prod=8, between=(1, 16), doc="how big")
    toy_shape: Literal["round", "square"] = setting("round", doc="which shape")
    toy_colour: str = setting("red", one_of=lambda: _allowed_colours, doc="which colour")
    toy_limit: int | None = setting(None, doc="optional cap")

    RULES: ClassVar[tuple[Rule[ToySettings], ...]] = (
        Rule(
            reads=("toy_size", "toy_limit"),
            broken=lambda s: s.toy_limit is not None and s.toy_limit < s.toy_size,
            message=lambda s: f"toy_limit={s.toy_limit} is below toy_size={s.toy_size}",
        ),
    )


def _toy(**values: Any) -> ToySettings:
    return dataclasses.replace(ToySettings(), **values)


def test_one_declaration_gives_parsing_by_annotation() -> None:
    by_name = {d.name: d for d in declared(ToySettings)}
    assert parse_value(by_name["toy_size"], " 12 ") == 12
    assert parse_value(by_name["toy_shape"], "square ") == "square"
    assert parse_value(by_name["toy_limit"], "") is None
    assert parse_value(by_name["toy_limit"], "3") == 3
    with pytest.raises(ValueError) as err:
        parse_value(by_name["toy_size"], "big")
    assert str(err.value) == "toy_size='big' is not a whole number; allowed: 1 to 16"


def test_one_declaration_gives_profiles_and_checks() -> None:
    assert [profile_values(ToySettings, p).toy_size for p in ("dev", "team", "prod")] == [1, 4, 8]
    assert field_problems(ToySettings()) == {}
    found = field_problems(_toy(toy_size=17, toy_shape="oval", toy_colour="blue"))
    assert found == {
        "toy_size": ["toy_size=17 is out of range; allowed: 1 to 16"],
        "toy_shape": ["toy_shape='oval' is not allowed; allowed: round, square"],
        "toy_colour": ["toy_colour='blue' is not allowed; allowed: red, green"],
    }


def test_one_declaration_gives_the_documentation_row() -> None:
    rows = list(markdown_rows(declared(ToySettings)))
    # dev / lean / team / prod: a profile without a value of its own takes the team value.
    assert rows[0] == "| `toy_size` | 1 / 4 / 4 / 8 | 1 to 16 | how big |"
    assert rows[1] == "| `toy_shape` | `round` | round, square | which shape |"
    assert rows[3] == "| `toy_limit` | none | a whole number, or empty for none | optional cap |"


def test_allowed_values_can_come_from_a_function_called_at_validation() -> None:
    """The pluggable source (db_instance_class will take the priced classes this way)."""
    assert "toy_colour" in field_problems(_toy(toy_colour="blue"))
    _allowed_colours.append("blue")
    try:
        assert field_problems(_toy(toy_colour="blue")) == {}
    finally:
        _allowed_colours.remove("blue")


def test_rules_are_checked_and_skipped_while_their_fields_are_wrong() -> None:
    rules = ToySettings.RULES
    broken = _toy(toy_size=8, toy_limit=2)
    assert rule_problems(broken, rules, field_problems(broken)) == [
        "toy_limit=2 is below toy_size=8"
    ]
    too_big = _toy(toy_size=40, toy_limit=2)
    assert rule_problems(too_big, rules, field_problems(too_big)) == []


def test_db_instance_class_allows_only_what_the_catalog_prices() -> None:
    # Before: the config accepted 68 RDS classes while the catalog priced 16, so a synth with
    # db.r6i.4xlarge left a 1,500/month database out of a 47/month total. Now the allowed
    # classes are the ones AWS's RDS for MySQL price data lists in every required region.
    from cost.catalog import default_catalog
    from cost.catalog.spec import REQUIRED_REGIONS

    _, item = SETTINGS["db_instance_class"]
    (check,) = item.checks
    assert isinstance(check, OneOf) and callable(check.values)
    allowed = check.allowed()
    assert {"db.t4g.small", "db.r6i.4xlarge", "db.m7g.large"} <= set(allowed)
    assert len(allowed) > 100
    catalog = default_catalog()
    for cls in allowed:
        for region in REQUIRED_REGIONS:
            for deployment in ("Single-AZ", "Multi-AZ"):
                catalog.lookup(
                    "AmazonRDS",
                    region,
                    f"Database Instance MySQL {deployment}",
                    None,
                    instanceType=cls,
                )
    with pytest.raises(ConfigError) as err:
        load_config({"db_instance_class": "db.z9.large"})
    (problem,) = err.value.problems
    assert problem.startswith("db_instance_class='db.z9.large'") and "db.t4g.small" in problem


# ---------------------------------------------------------------- the composed configuration


def test_every_group_field_is_a_declared_setting_with_a_unique_name() -> None:
    names = [d.name for group in GROUPS.values() for d in declared(group)]
    assert len(names) == len(set(names))
    assert set(names) == set(SETTINGS)
    group_fields = [f.name for f in dataclasses.fields(PlatformConfig) if f.name != "profile"]
    assert group_fields == list(GROUPS)
    assert all(dataclasses.is_dataclass(group) for group in GROUPS.values())


def test_a_field_without_a_declaration_is_refused() -> None:
    @dataclass(frozen=True)
    class Undeclared:
        plain: int = 3

    with pytest.raises(TypeError, match=r"Undeclared.plain is not declared with setting\(\)"):
        declared(Undeclared)


def test_every_setting_has_documentation() -> None:
    for name, (_, item) in SETTINGS.items():
        assert item.setting.doc.strip(), name


def test_every_declared_check_is_reported_with_name_value_and_allowed() -> None:
    """Each range in the declarations, one past each end, gives a message naming all three."""
    for name, (_, item) in SETTINGS.items():
        for check in item.checks:
            if not isinstance(check, Range):
                continue
            for bad in (check.low - 1, check.high + 1):
                raw = str(int(bad)) if item.type is int else str(bad)
                with pytest.raises(ConfigError) as err:
                    load_config({name: raw})
                assert any(
                    p.startswith(f"{name}=") and "allowed: " in p for p in err.value.problems
                ), (name, err.value.problems)


def test_misspelled_key_lists_the_keys() -> None:
    with pytest.raises(ConfigError) as err:
        load_config({"server_worker": "2"})
    (message,) = err.value.problems
    assert "unknown setting(s) server_worker" in message and "server_workers" in message


# ---------------------------------------------------------------- the README table


def test_readme_table_is_the_generated_one() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert config_module.readme_table(readme) == config_module.markdown_table()


def test_markdown_command_prints_the_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert config_module.main(["--markdown"]) == 0
    printed = capsys.readouterr().out
    assert printed == config_module.markdown_table()
    assert printed.count("\n") == len(SETTINGS) + 3  # header, rule, profile, settings


def test_update_readme_rewrites_only_the_table(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    stale = f"intro\n{config_module.TABLE_START}\n| `old` | 1 | x | y |\n{config_module.TABLE_END}\nend\n"
    readme.write_text(stale, encoding="utf-8")
    assert config_module.main(["--update-readme", str(readme)]) == 0
    text = readme.read_text(encoding="utf-8")
    assert text.startswith("intro\n") and text.endswith(f"{config_module.TABLE_END}\nend\n")
    assert config_module.readme_table(text) == config_module.markdown_table()


# ---------------------------------------------------------------- the container accepts it


def container_problems(environment: Mapping[str, str]) -> list[str]:
    """The container's verdict on a task environment: its own settings parser
    (container/tracking_settings.py, what the entrypoint runs first)."""
    import importlib
    import sys

    container_dir = str(Path(__file__).resolve().parent.parent / "container")
    if container_dir not in sys.path:
        sys.path.insert(0, container_dir)  # the image runs these as top-level modules
    tracking_settings = importlib.import_module("tracking_settings")
    _, problems = tracking_settings.parse_settings(environment)
    return list(problems)


def _task_environment(server: ServerSettings, db_port: int, ca_bundle: Path) -> dict[str, str]:
    """What the task definition sets for these settings, with literal stand-ins for the
    resources' tokens and the secrets ECS injects."""
    env = container_environment(
        server,
        database_host="db.example.internal",
        database_port=db_port,
        database_name="mlflow",
        artifacts_uri="s3://artifact-bucket/artifacts",
        allowed_hosts="mlflow-123.eu-west-1.elb.amazonaws.com",
        region="eu-west-1",
    )
    env["MLFLOW_DB_CA_BUNDLE"] = str(ca_bundle)  # the image ships the RDS bundle there
    env.update(
        {
            "MLFLOW_DB_USERNAME": "mlflow",
            "MLFLOW_DB_PASSWORD": "database-password",
            "MLFLOW_AUTH_ADMIN_PASSWORD": "admin-password-of-32-characters",
            "MLFLOW_FLASK_SERVER_SECRET_KEY": "flask-secret-key-of-enough-length",
        }
    )
    return env


def _boundaries(name: str) -> Sequence[Any]:
    """The values the declaration allows at its edges (both ends of a range; every value of
    a one-of or Literal)."""
    _, item = SETTINGS[name]
    values: list[Any] = []
    for check in item.checks:
        if isinstance(check, Range):
            values += [int(check.low), int(check.high)]
        elif isinstance(check, OneOf):
            values += list(check.allowed())
    return values or [item.default]


#: Settings the container reads (through container_environment), each checked at its edges.
CONTAINER_SETTINGS = (
    "server_workers",
    "server_threads",
    "auth",
    "auth_default_permission",
    "admin_username",
    "job_execution",
    "db_port",
)


@pytest.mark.parametrize("name", CONTAINER_SETTINGS)
def test_the_container_accepts_every_value_the_config_allows(name: str, tmp_path: Path) -> None:
    ca_bundle = tmp_path / "rds-ca-bundle.pem"
    ca_bundle.write_text("-----BEGIN CERTIFICATE-----\n", encoding="utf-8")
    edges = list(_boundaries(name))
    if name == "admin_username":
        edges += ["a", "A" + "b" * 63]  # the pattern's shortest and longest
    assert edges
    for value in edges:
        config = load_config({name: value if isinstance(value, str) else str(value)})
        env = _task_environment(config.server, config.database.db_port, ca_bundle)
        assert container_problems(env) == [], (name, value)


def test_the_container_check_can_fail() -> None:
    """The adapter reports what the container refuses (so the test above means something)."""
    env = _task_environment(
        dataclasses.replace(ServerSettings(), server_workers=65), 3307, Path(__file__)
    )
    assert any("MLFLOW_WORKERS" in p for p in container_problems(env))
