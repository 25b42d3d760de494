"""Session setup for every test and every notebook run by nbval.

Learner state (progress, hints) goes to a temporary DDB_LAB_HOME, never to the real
``~/.ddb_lab``; nbval's kernels inherit it from this process.
"""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest

_home: str | None = None


def pytest_configure(config: pytest.Config) -> None:
    global _home
    _home = tempfile.mkdtemp(prefix="ddb-lab-home-")
    os.environ["DDB_LAB_HOME"] = _home


def pytest_unconfigure(config: pytest.Config) -> None:
    if _home is not None:
        shutil.rmtree(_home, ignore_errors=True)
