"""`careaudit new-theme` writes a package that meets careaudit's own ruff rules."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from plugins.themed_audits.skeleton import MAX_NAME_LENGTH, write_skeleton

ROOT = Path(__file__).resolve().parents[3]


def ruff(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args], cwd=cwd, capture_output=True, text=True
    )


@pytest.mark.parametrize("name", ["Missing education", "x" * MAX_NAME_LENGTH])
def test_the_skeleton_passes_careaudits_ruff_check_and_format(tmp_path: Path, name: str):
    """Checked with careaudit's pyproject.toml and with the skeleton's own, as its author would."""
    package = write_skeleton(name, tmp_path)
    for config in (["--config", str(ROOT / "pyproject.toml")], []):
        checked = ruff("check", "--no-cache", *config, ".", cwd=package)
        assert checked.returncode == 0, checked.stdout + checked.stderr
        formatted = ruff("format", "--check", "--no-cache", *config, ".", cwd=package)
        assert formatted.returncode == 0, formatted.stdout + formatted.stderr


def test_the_skeletons_ruff_rules_are_careaudits(tmp_path: Path):
    ours = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["ruff"]
    package = write_skeleton("Missing education", tmp_path)
    theirs = tomllib.loads((package / "pyproject.toml").read_text())["tool"]["ruff"]
    assert theirs["line-length"] == ours["line-length"]
    assert theirs["target-version"] == ours["target-version"]
    assert theirs["lint"]["select"] == ours["lint"]["select"]
    assert theirs["lint"]["ignore"] == ours["lint"]["ignore"]


def test_a_name_too_long_for_the_line_length_is_refused(tmp_path: Path, runner):
    name = "x" * (MAX_NAME_LENGTH + 1)
    result = runner.invoke(args=["new-theme", name, "--directory", str(tmp_path)])
    assert result.exit_code != 0
    assert f"use a name of {MAX_NAME_LENGTH} characters or fewer" in result.output
    assert not any(tmp_path.iterdir())
