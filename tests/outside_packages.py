"""Running an outside package's own tests, as its author would, from careaudit's tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def own_environment() -> dict[str, str]:
    """This process's environment without what ties it to this test run: the child tests
    on SQLite of its own, never on the PostgreSQL database (or the xdist worker's) this
    run is using, and in an instance folder of its own."""
    return {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("PYTEST_")
        and name not in {"CAREAUDIT_TEST_DATABASE_URL", "CAREAUDIT_INSTANCE_PATH"}
    }


def run_its_tests(package: Path) -> subprocess.CompletedProcess[str]:
    """``python -m pytest`` in ``package``, with careaudit (and its pytest plugin) installed."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=package,
        env=own_environment(),
        capture_output=True,
        text=True,
        timeout=600,
    )
