"""Suite-wide setup: the user cache folder of every test run is a fresh temporary one."""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest


def pytest_configure(config: pytest.Config) -> None:
    # Set before any test imports audit: subprocesses started by tests inherit it too.
    folder = tempfile.mkdtemp(prefix="audit-cache-")
    os.environ["AUDIT_CACHE_DIR"] = folder
    config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))
