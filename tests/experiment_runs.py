"""Helpers for the experiment-runner tests: tiny configs, subprocesses of the entry points, waiting on run records."""

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import REPO

QUIET = {"TF_CPP_MIN_LOG_LEVEL": "3", "WANDB_MODE": "disabled"}


def tiny_config(epochs: int = 2, **changes) -> dict:
    """An MLP on 1% of EMNIST: a real run that trains in about a second per epoch."""
    return {
        "dataset": "EmnistDataset",
        "dataset_args": {"subsample_fraction": 0.01},
        "model": "CharacterModel",
        "network": "mlp",
        "network_args": {"layer_size": 32, "num_layers": 1},
        "train_args": {"epochs": epochs, "batch_size": 64, "early_stopping_patience": 0},
        **changes,
    }


def start(*args: str, env: dict | None = None) -> subprocess.Popen:
    """An entry point of the repository started in the background, as a user would start it."""
    return subprocess.Popen(
        [sys.executable, *args],
        cwd=REPO,
        env={**os.environ, **QUIET, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_for(condition: Callable[[], object], what: str, timeout: float = 300) -> object:
    """Poll until `condition()` is truthy; fail (not hang) when it never is."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(f"Gave up waiting for {what}.")


def status(run: Path) -> dict:
    path = run / "status.json"
    return json.loads(path.read_text()) if path.exists() else {}


def history_epochs(run: Path) -> list[int]:
    """The epoch column of a run's history.csv."""
    lines = (run / "history.csv").read_text().splitlines()[1:]
    return [int(line.split(",")[0]) for line in lines]
