"""Callbacks the runner adds to every fit: atomic checkpoints, throughput timing, progress in the run status."""

import math
import os
import time
from pathlib import Path

import keras

from text_recognizer.errors import UserError
from training import signals


class DivergedError(UserError):
    """The training loss stopped being a number; the run fails (its last checkpoint is from before)."""


class StopOnNonFiniteLoss(keras.callbacks.Callback):
    """Fails the run at the first training step whose loss is NaN or infinite, instead of training on garbage and
    finishing as if all were well (Keras's TerminateOnNaN only stops, and the run would still count as finished)."""

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self.epoch = epoch

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(float(loss)):
            raise DivergedError(
                f"The training loss became {float(loss)} at epoch {getattr(self, 'epoch', 0) + 1}, step {batch + 1}: "
                "training diverged. Lower train_args learning_rate, or look for broken inputs or labels; "
                "the run is recorded as failed."
            )


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


class StopWhenAsked(keras.callbacks.Callback):
    """Stops training at the end of an epoch once the run's stop file appears (a sweep's early termination)."""

    def __init__(self, record):
        super().__init__()
        self.record = record

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        reason = self.record.stop_reason()
        if reason:
            print(f"Stopping after epoch {epoch + 1}: {reason}", flush=True)
            self.model.stop_training = True


class FirstStepTime(keras.callbacks.Callback):
    """Records in the run status when the first training step finished (the runner's start-up overhead)."""

    def __init__(self, record):
        super().__init__()
        self.record, self.done = record, False

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if not self.done:
            self.done = True
            self.record.set_status("running", first_step_at=time.time())


class WandbEpochLogger(keras.callbacks.Callback):
    """Logs each epoch's metrics to W&B under their Keras names, with a few test images captioned by prediction."""

    def __init__(self, run, images, truths: list[str], predict):
        super().__init__()
        self.run, self.images, self.truths, self.predict = run, images, truths, predict

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        import wandb

        predictions = self.predict(self.images)
        examples = [
            wandb.Image(image, caption=f"{predicted!r} (true {truth!r})")
            for image, predicted, truth in zip(self.images, predictions, self.truths, strict=True)
        ]
        self.run.log({**(logs or {}), "epoch": epoch + 1, "examples": examples}, step=epoch + 1)


class RaiseWhenSignalled(keras.callbacks.Callback):
    """Raises Interrupted at the next step once SIGTERM or SIGINT arrived, should the signal's own raise be lost."""

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        signals.raise_if_received()

    def on_test_batch_end(self, batch: int, logs: dict | None = None) -> None:
        signals.raise_if_received()
