"""Fixtures of the workbench tests (helpers live in serve_helpers.py)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from serve_helpers import server_factory, township_files  # noqa: E402,F401
