"""Shared test fixtures: the read-only corpora in ../shared and a throwaway copy of the workflow."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# ../shared beside the clone, or wherever HUBREUSE_SHARED points (a clone placed elsewhere).
SHARED = Path(os.environ.get("HUBREUSE_SHARED") or REPO.parent / "shared")
WORKFLOW_FILES = ("Snakefile", "config.yaml", "rules", "scripts", "report", "envs", "profiles")


def shared_path(relative: str) -> Path:
    """A file under ../shared: missing fails in CI (CI=true), skips elsewhere with the reason."""
    path = SHARED / relative
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"shared file missing in CI: {path}")
        pytest.skip(f"shared file not available here: {path}")
    return path


def copy_workflow(target: Path) -> Path:
    """A copy of the workflow's files in ``target`` (created), as a user's checkout would have them."""
    target.mkdir(parents=True)
    for name in WORKFLOW_FILES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.exists():
            shutil.copy2(source, target / name)
    return target


@pytest.fixture
def workflow_dir(tmp_path: Path) -> Path:
    """A copy of the workflow in a temporary folder, so tests never touch the repository's results/."""
    return copy_workflow(tmp_path / "wf")


def run_snakemake(workdir: Path, *args: str, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    """Run the workflow's command line exactly as a user would, in ``workdir``."""
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "2", *args],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
