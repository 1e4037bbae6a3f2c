"""Shared fixtures: isolated data/runs/weights folders and the real EMNIST cache the tests read."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SUPPORT = REPO / "tests" / "support"
EMNIST_CACHE = REPO / "data" / "processed" / "emnist" / "byclass.h5"


@pytest.fixture
def emnist_cache() -> Path:
    """The real EMNIST cache; `make data` links it from ../shared/data (see README)."""
    if not EMNIST_CACHE.exists():
        pytest.fail(f"{EMNIST_CACHE} is missing: run `make data` (links ../shared/data) or train once to build it.")
    return EMNIST_CACHE


@pytest.fixture
def isolated_runs(tmp_path, monkeypatch) -> Path:
    """Runs and shipped weights go to a temporary folder instead of the repository."""
    monkeypatch.setenv("TEXT_RECOGNIZER_RUNS_DIR", str(tmp_path / "runs"))
    monkeypatch.setenv("TEXT_RECOGNIZER_WEIGHTS_DIR", str(tmp_path / "weights"))
    return tmp_path


def run_cli(*args: str, env: dict | None = None, timeout: int = 600) -> subprocess.CompletedProcess:
    """Run a Python entry point of the repository as a user would, from the repository root."""
    environment = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", **(env or {})}
    return subprocess.run(
        [sys.executable, *args], cwd=REPO, env=environment, capture_output=True, text=True, timeout=timeout
    )


def copied_into(folder: Path, files) -> Path:
    """A new folder holding copies of the given files (real support images a test may litter around)."""
    folder.mkdir()
    for path in files:
        shutil.copy(path, folder)
    return folder
