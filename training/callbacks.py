"""Callbacks the runner adds to every fit: atomic checkpoints, throughput timing, progress in the run status."""

import math
import os
import time
from pathlib import Path

import keras


class AtomicCheckpoint(keras.callbacks.Callback):
    """Save weights each epoch (or only on improvement) under a temporary name, then rename over the old file."""

    def __init__(self, path: Path, monitor: str | None = None, mode: str = "min", on_save=None):
        super().__init__()
        self.path, self.monitor, self.mode, self.on_save = path, monitor, mode, on_save
        self.best = math.inf if mode == "min" else -math.inf

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if self.monitor is not None:
            value = (logs or {}).get(self.monitor)
            if value is None or math.isnan(value):
                return
            if (value >= self.best) if self.mode == "min" else (value <= self.best):
                return
            self.best = value
        partial = self.path.with_name(self.path.name.replace(".weights.h5", ".part.weights.h5"))
        self.model.save_weights(partial)
        os.replace(partial, self.path)
        if self.on_save:
            self.on_save(epoch, logs or {})


class Throughput(keras.callbacks.Callback):
    """Adds training samples/s of each epoch (fit time only, validation excluded) to the logs."""

    def __init__(self, num_samples: int):
        super().__init__()
        self.num_samples = num_samples

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self.start = time.perf_counter()

    def on_test_begin(self, logs: dict | None = None) -> None:
        self.train_seconds = time.perf_counter() - self.start

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        seconds = getattr(self, "train_seconds", time.perf_counter() - self.start)
        if logs is not None:
            logs["samples_per_s"] = self.num_samples / seconds
