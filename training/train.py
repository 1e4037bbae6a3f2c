"""Carry out a validated experiment: data, model, fit with callbacks, test evaluation, record and weights."""

import logging
import math
import time
from typing import Any

import keras
import tensorflow as tf

from text_recognizer import registry
from text_recognizer.cards import load_card, weights_file
from text_recognizer.errors import ConfigError
from training import tracking
from training.callbacks import AtomicCheckpoint, Throughput
from training.config import ExperimentConfig
from training.records import RunRecord

log = logging.getLogger("text_recognizer")


def build_model(config: ExperimentConfig):
    """Dataset prepared and network bound to it, as the config names them."""
    dataset = registry.resolve("dataset", config.dataset)(**config.dataset_args).prepare()
    network_fn = registry.resolve("network", config.network)
    try:
        return registry.resolve("model", config.model)(dataset, network_fn, config.network_args)
    except (ValueError, TypeError) as error:
        raise ConfigError(
            f"Network {config.network} could not be built with network_args {config.network_args}: {error}"
        ) from None


def initialize_from(model, config: ExperimentConfig) -> None:
    """Fine-tuning: start from a weights card's weights; it must be of the same network, input shape and mapping."""
    card = load_card(config.init_from)
    ours = {"network": config.network, "input_shape": list(model.dataset.input_shape), "mapping": model.dataset.mapping}
    for key, value in ours.items():
        if card.get(key) != value:
            raise ConfigError(
                f"init_from {config.init_from!r} was trained with {key} {card.get(key)!r}; this run has {value!r}."
            )
    try:
        model.network.load_weights(weights_file(card))
    except ValueError as error:
        raise ConfigError(
            f"init_from {config.init_from!r}: its weights do not fit network_args {config.network_args}: {error}"
        ) from None
    log.info("Initialised the network from %s", card["card_path"])


def make_callbacks(model, config: ExperimentConfig, record: RunRecord) -> list[keras.callbacks.Callback]:
    args = config.train_args
    callbacks = [
        Throughput(len(model.dataset.train)),
        *model.callbacks(),  # before checkpoints and early stopping, so they can see what these add to the logs
        AtomicCheckpoint(record.best_weights, model.monitor, model.monitor_mode),
        AtomicCheckpoint(
            record.last_weights, on_save=lambda epoch, logs: record.set_status("running", epoch=epoch + 1)
        ),
        keras.callbacks.CSVLogger(str(record.history_file), append=True),
        keras.callbacks.TensorBoard(str(record.path / "tensorboard"), write_graph=False, profile_batch=0),
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


def run(config: ExperimentConfig, record: RunRecord, save: bool, wandb_mode: str | None) -> dict[str, Any]:
    """Train, evaluate on the test split, write metrics (and ship weights with --save); returns the metrics."""
    keras.utils.set_random_seed(config.seed)
    tf.config.experimental.enable_op_determinism()
    model = build_model(config)
    steps_per_epoch = math.ceil(len(model.dataset.train) / config.train_args.batch_size)
    model.compile(config.train_args, steps_per_epoch)
    if config.init_from:
        initialize_from(model, config)
    callbacks = make_callbacks(model, config, record)
    best_checkpoint = next(c for c in callbacks if isinstance(c, AtomicCheckpoint) and c.monitor)
    wandb_run = None
    if wandb_mode:
        wandb_run, logger = tracking.start(wandb_mode, config.to_dict(), record.run_id, record.path)
        callbacks.append(logger)
    record.set_status("running", epoch=0)
    started = time.perf_counter()
    history = model.fit(config.train_args, config.seed, callbacks)
    train_seconds = time.perf_counter() - started

    model.load_weights(record.best_weights)
    test = model.evaluate(model.dataset.test)
    epochs = history.history
    metrics = {
        **{f"test_{name}": float(value) for name, value in test.items()},
        f"best_{model.monitor}": float(best_checkpoint.best),
        "epochs": len(epochs.get("loss", [])),
        "train_seconds": round(train_seconds, 1),
        "samples_per_s": float(sum(epochs["samples_per_s"]) / len(epochs["samples_per_s"])),
        "parameters": model.network.count_params(),
    }
    record.finish(metrics)
    log.info("Test metrics: %s", {k: round(v, 4) for k, v in metrics.items() if isinstance(v, float)})
    if save:
        card = {**config.to_dict(), "run_id": record.run_id, "metrics": metrics, "data": model.dataset.card()}
        card_file = model.save(record.best_weights, card)
        log.info("Saved weights and card: %s", card_file)
    if wandb_run is not None:
        wandb_run.summary.update(metrics)
        wandb_run.finish()
    return metrics
