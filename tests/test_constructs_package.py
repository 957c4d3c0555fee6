"""The design card's top-level `constructs/` folder must not shadow the `constructs` library.

It has no __init__.py: the library's package calls pkgutil.extend_path, so our modules import
as constructs.<name> beside `from constructs import Construct`. These tests pin that.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_folder_has_no_init_file() -> None:
    assert not (ROOT / "constructs" / "__init__.py").exists()


def test_library_and_project_modules_import_side_by_side() -> None:
    code = (
        "import aws_cdk, constructs\n"
        "from constructs import Construct, IConstruct\n"
        "from constructs.database import Database\n"
        "from constructs.network import Network\n"
        "from constructs.storage import ArtifactStore\n"
        "from constructs.tracking_server import TrackingServer\n"
        "assert issubclass(Database, Construct)\n"
        "print(constructs.__file__)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "site-packages" in result.stdout  # the library's package, not our folder


def test_no_module_name_clashes_with_the_library() -> None:
    import constructs

    library_dir = Path(constructs.__file__).parent
    ours = {p.stem for p in (ROOT / "constructs").glob("*.py")}
    theirs = {p.stem for p in library_dir.iterdir()}
    assert not ours & theirs, ours & theirs
