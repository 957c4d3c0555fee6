"""Integration suite (a package, so its conftest does not shadow tests/conftest.py as a
top-level `conftest` module). harness.py is also imported as a top-level module, by the test
modules here and by benchmarks/server_bench.py: put this folder on sys.path."""

import sys
from pathlib import Path

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)
