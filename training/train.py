"""Carry out a validated experiment: data, model, fit with callbacks, test evaluation, record; ship with --save."""

import logging
import math
import time
from pathlib import Path
from typing import Any

import keras
import tensorflow as tf

from text_recognizer import registry
from text_recognizer.cards import load_card, weights_file
from text_recognizer.datasets.split_cache import splits_problem
from text_recognizer.errors import ConfigError, DataError, UserError
from training import shipping, tracking
from training.callbacks import (
    AtomicCheckpoint,
    FirstStepTime,
    RaiseWhenSignalled,
    StopOnNonFiniteLoss,
    StopWhenAsked,
    Throughput,
    WandbEpochLogger,
)
from training.config import ExperimentConfig
from training.distribute import make_strategy
from training.records import RunRecord
from training.warm_start import load_parent_weights

log = logging.getLogger("text_recognizer")


def build_model(config: ExperimentConfig):
    """Dataset prepared and network bound to it, as the config names them."""
    dataset = registry.resolve("dataset", config.dataset)(**config.dataset_args).prepare()
    problem = splits_problem(dataset)
    if problem:
        raise DataError(f"{config.dataset} cannot be trained on: {problem}.")
    network_fn = registry.resolve("network", config.network)
    try:
        return registry.resolve("model", config.model)(dataset, network_fn, config.network_args)
    except (ValueError, TypeError) as error:
        raise ConfigError(
            f"Network {config.network} could not be built with network_args {config.network_args}: {error}"
        ) from None


def test_metrics(model) -> dict[str, float]:
    """The model's metrics on its dataset's test split, named test_<metric>."""
    return {f"test_{name}": float(value) for name, value in model.evaluate(model.dataset.test).items()}


def initialize_from(model, config: ExperimentConfig) -> dict[str, Any]:
    """Fine-tuning: start from a weights card's weights; it must be of the same network and input shape. Another
    mapping keeps the output weights of the shared characters (training/warm_start.py).
    Returns what the new card records of its parent (the parent's card may be the one this run's --save replaces)."""
    card = load_card(config.init_from)
    ours = {"network": config.network, "input_shape": list(model.dataset.input_shape)}
    for key, value in ours.items():
        if card.get(key) != value:
            raise ConfigError(
                f"init_from {config.init_from!r} was trained with {key} {card.get(key)!r}; this run has {value!r}."
            )
    try:
        fresh = load_parent_weights(model.network, card, model.dataset.mapping)
    except ValueError as error:
        raise ConfigError(
            f"init_from {config.init_from!r}: its weights do not fit network_args {config.network_args}: {error}"
        ) from None
    log.info("Initialised the network from %s%s", card["card_path"], f"; new characters: {fresh}" if fresh else "")
    return {key: card[key] for key in ("run_id", "network_args", "train_args", "metrics", "parent") if key in card}


def make_callbacks(model, config: ExperimentConfig, record: RunRecord) -> list[keras.callbacks.Callback]:
    args = config.train_args
    callbacks = [
        RaiseWhenSignalled(),
        StopOnNonFiniteLoss(),  # before anything that would log or checkpoint the step
        Throughput(model.dataset.train.draws_per_epoch()),
        FirstStepTime(record),
        *model.callbacks(),  # before checkpoints and early stopping, so they can see what these add to the logs
        keras.callbacks.CSVLogger(str(record.history_file), append=True),  # before the epoch is marked saved
        AtomicCheckpoint(record.best_weights, model.monitor, model.monitor_mode),
        AtomicCheckpoint(
            record.last_weights, on_save=lambda epoch, logs: record.set_status("running", epoch=epoch + 1)
        ),
        keras.callbacks.TensorBoard(str(record.path / "tensorboard"), write_graph=False, profile_batch=0),
        StopWhenAsked(record),
    ]
    if args.early_stopping_patience > 0:
        callbacks.append(
            keras.callbacks.EarlyStopping(model.monitor, mode=model.monitor_mode, patience=args.early_stopping_patience)
        )
    if args.lr_schedule == "plateau":
        callbacks.append(
            keras.callbacks.ReduceLROnPlateau(
                model.monitor, mode=model.monitor_mode, factor=0.5, patience=max(1, args.early_stopping_patience // 2)
            )
        )
    return callbacks


def restore(model, record: RunRecord, best: AtomicCheckpoint, initial_epoch: int, steps_per_epoch: int) -> None:
    """Continue a run from its last checkpoint: weights, the optimizer's state, best value so far, schedule position.
    Call within the strategy's scope."""
    model.network.optimizer.build(model.network.trainable_variables)  # else loading skips its moments, saved too
    model.load_weights(record.last_weights)
    values = [row[model.monitor] for row in record.history() if isinstance(row.get(model.monitor), float)]
    values = [value for value in values if not math.isnan(value)]
    if values:
        best.best = max(values) if model.monitor_mode == "max" else min(values)
    model.network.optimizer.iterations.assign(initial_epoch * steps_per_epoch)
    log.info("Resuming %s after epoch %d (best %s so far: %s)", record.run_id, initial_epoch, model.monitor, best.best)


def ship_finished(config: ExperimentConfig, record: RunRecord) -> Path:
    """Ship a finished run's best weights with the test metrics it recorded, as its --save would have."""
    model = build_model(config)
    parent = initialize_from(model, config) if config.init_from else None
    if parent and parent.get("run_id") == record.run_id:
        raise UserError(f"Run {record.run_id} is the one {config.init_from!r} holds already.")
    model.load_weights(record.best_weights)
    return shipping.ship(model, config, record.run_id, record.metrics(), parent)


def run(
    config: ExperimentConfig, record: RunRecord, save: bool, wandb_mode: str | None, initial_epoch: int = 0
) -> dict[str, Any]:
    """Train (from `initial_epoch` when resuming), evaluate on test, write metrics; ship weights with --save."""
    strategy = make_strategy(config.train_args.distribute)  # first: a multi-worker strategy must precede other TF use
    keras.utils.set_random_seed(config.seed)
    tf.config.experimental.enable_op_determinism()
    with strategy.scope():
        model = build_model(config)
        parent = initialize_from(model, config) if config.init_from else None  # before compile: no optimizer state
        steps_per_epoch = math.ceil(model.dataset.train.draws_per_epoch() / config.train_args.batch_size)
        model.compile(config.train_args, steps_per_epoch)
    callbacks = make_callbacks(model, config, record)
    best_checkpoint = next(c for c in callbacks if isinstance(c, AtomicCheckpoint) and c.monitor)
    record.keep_history(initial_epoch)  # an epoch logged but never checkpointed (killed in between) is trained again
    if initial_epoch:
        with strategy.scope():
            restore(model, record, best_checkpoint, initial_epoch, steps_per_epoch)
    wandb_run = None
    if wandb_mode:
        wandb_run = tracking.start(wandb_mode, config.to_dict(), record.run_id, record.path)
        images, truths = tracking.examples(model)
        callbacks.append(WandbEpochLogger(wandb_run, images, truths, lambda x: tracking.predicted_texts(model, x)))
    record.set_status("running", epoch=initial_epoch, monitor=model.monitor, monitor_mode=model.monitor_mode)
    started = time.perf_counter()
    model.fit(config.train_args, config.seed, callbacks, initial_epoch=initial_epoch)
    train_seconds = time.perf_counter() - started
    record.set_status("evaluating", fit_end_at=time.time())

    model.load_weights(record.best_weights)
    epochs = record.history()
    metrics = {
        **test_metrics(model),
        f"best_{model.monitor}": float(best_checkpoint.best),
        "monitor": model.monitor,
        "monitor_mode": model.monitor_mode,
        "epochs": len(epochs),
        "stopped_early": record.stop_reason(),
        "train_seconds": round(train_seconds, 1),
        "samples_per_s": float(sum(row["samples_per_s"] for row in epochs) / max(1, len(epochs))),
        "parameters": model.network.count_params(),
        "replicas": strategy.num_replicas_in_sync,
    }
    record.finish(metrics)
    log.info("Test metrics: %s", {k: round(v, 4) for k, v in metrics.items() if isinstance(v, float)})
    if save:
        card_file = shipping.ship(model, config, record.run_id, metrics, parent)
        log.info("Saved weights and card: %s", card_file)
        if wandb_run is not None:
            tracking.log_model(wandb_run, card_file, weights_file(load_card(card_file)), metrics)
    if wandb_run is not None:
        wandb_run.summary.update(metrics)
        wandb_run.finish()
    return metrics
