"""Epoch gates for tests that must control when training runs proceed, whatever the machine's speed.

A test puts this folder on PYTHONPATH and names a gate folder in $TEXT_RECOGNIZER_TEST_EPOCH_GATE for the processes it
starts (and theirs). A training run then waits before each epoch while its gate forbids it: the gate of a run is
the file in the gate folder whose name is the longest prefix of the run's id, holding how many epochs the run may
begin (no such file: no limit). Python imports a sitecustomize module at start-up; this one only hooks the runner's
callbacks as training/train.py is imported, and does nothing without the environment variable.
"""

import importlib.abc
import importlib.util
import os
import sys
import time
from pathlib import Path

GATE_ENV = "TEXT_RECOGNIZER_TEST_EPOCH_GATE"


def epochs_allowed(gate: Path, run_id: str) -> float:
    names = [path.name for path in gate.iterdir() if run_id.startswith(path.name)] if gate.is_dir() else []
    if not names:
        return float("inf")
    return int((gate / max(names, key=len)).read_text())


def gated(make_callbacks, gate: Path):
    """The runner's make_callbacks with a first callback that waits at each epoch's start until the gate opens."""
    import keras

    class EpochGate(keras.callbacks.Callback):
        def __init__(self, run_id: str):
            super().__init__()
            self.run_id = run_id

        def on_epoch_begin(self, epoch: int, logs=None) -> None:
            while epoch >= epochs_allowed(gate, self.run_id):
                time.sleep(0.02)  # SIGTERM still interrupts the run here, as in training

    return lambda model, config, record: [EpochGate(record.run_id), *make_callbacks(model, config, record)]


class HookTrainModule(importlib.abc.MetaPathFinder):
    """Wraps training.train.make_callbacks once that module has been executed."""

    def __init__(self, gate: Path):
        self.gate = gate

    def find_spec(self, name, path, target=None):
        if name != "training.train":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        execute = spec.loader.exec_module

        def exec_module(module):
            execute(module)
            module.make_callbacks = gated(module.make_callbacks, self.gate)

        spec.loader.exec_module = exec_module
        return spec


if os.environ.get(GATE_ENV):
    sys.meta_path.insert(0, HookTrainModule(Path(os.environ[GATE_ENV])))
