"""The cost engine's layers: no module imports a layer above its own, and the template and
pricing layers stay free of the CDK (the library installs with PyYAML alone)."""

from __future__ import annotations

import ast
from pathlib import Path

COST = Path(__file__).resolve().parent.parent / "cost"

#: Bottom to top; a module may import its own layer and the layers below.
#: `runs` (the MLflow run pricer) sits above the report layer: it reads the catalog, the pricing
#: functions' storage model and templates, and talks to MLflow and CloudWatch itself.
#: `retention` (plan and apply retention policies) prices with the run pricer's storage model.
LAYERS = [
    "model", "catalog", "template", "pricing", "estimate", "policy", "report", "runs",
    "retention", "cdk", "app",
]  # fmt: skip
#: Top-level modules of the package: the entry points.
ENTRY = {"cli", "refresh", "__main__", "__init__"}
#: Layers that must import only the standard library, PyYAML and lower layers.
PURE = {"model", "catalog", "template", "pricing", "estimate", "policy", "report"}


def layer_of(module: str) -> str:
    """cost.pricing.compute -> pricing; cost.cli -> app."""
    parts = module.split(".")
    name = parts[1] if len(parts) > 1 else "__init__"
    return "app" if name in ENTRY else name


def imports(path: Path) -> list[str]:
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
    return found


def modules(root: Path = COST) -> list[tuple[str, Path]]:
    out = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root.parent).with_suffix("")
        name = ".".join(relative.parts)
        out.append((name.removesuffix(".__init__"), path))
    return out


def test_every_module_is_in_a_known_layer() -> None:
    for name, _ in modules():
        assert layer_of(name) in LAYERS, name


def upward_imports(root: Path = COST) -> list[str]:
    upward = []
    for name, path in modules(root):
        own = LAYERS.index(layer_of(name))
        for target in imports(path):
            inside = target == "cost" or target.startswith("cost.")
            if inside and LAYERS.index(layer_of(target)) > own:
                upward.append(f"{name} imports {target}")
    return upward


def test_no_import_runs_upward() -> None:
    assert upward_imports() == []


def test_the_check_finds_an_upward_import(tmp_path: Path) -> None:
    (tmp_path / "cost" / "model").mkdir(parents=True)
    (tmp_path / "cost" / "model" / "__init__.py").write_text("from cost.report import render\n")
    (tmp_path / "cost" / "report").mkdir()
    (tmp_path / "cost" / "report" / "render.py").write_text("from cost.model import money\n")
    assert upward_imports(tmp_path / "cost") == ["cost.model imports cost.report"]


def test_lower_layers_do_not_need_the_cdk_or_boto3() -> None:
    offending = []
    for name, path in modules():
        if layer_of(name) not in PURE:
            continue
        for target in imports(path):
            if target.split(".")[0] in ("aws_cdk", "constructs", "jsii", "boto3", "botocore"):
                offending.append(f"{name} imports {target}")
    assert not offending
