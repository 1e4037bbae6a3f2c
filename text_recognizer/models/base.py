"""The Model: dataset + network + loss/metrics + tf.data pipelines + fit/evaluate + weights."""

import os
import sys
from collections.abc import Callable
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from text_recognizer.datasets.base import Dataset, Split
from text_recognizer.line_batches import predict_by_width
from text_recognizer.models.width_buckets import bucketed_pipeline


class Model:
    """Base class: subclasses say how targets are encoded, which loss and metrics apply and what to monitor."""

    monitor = "val_loss"
    monitor_mode = "min"

    def __init__(self, dataset: Dataset, network_fn: Callable[..., keras.Model], network_args: dict | None = None):
        self.dataset = dataset
        self.network_args = network_args or {}
        self.network = network_fn(dataset.input_shape, dataset.output_shape, **self.network_args)

    @property
    def name(self) -> str:
        return type(self).__name__

    def loss(self, train_args) -> keras.losses.Loss:
        raise NotImplementedError

    def metrics(self) -> list:
        return []

    def encode_targets(self, y: tf.Tensor) -> tf.Tensor:
        return y

    def callbacks(self) -> list[keras.callbacks.Callback]:
        """Extra callbacks, e.g. ones that add validation metrics to the logs each epoch."""
        return []

    def pipeline(self, split: Split, batch_size: int, shuffle_seed: int | None = None) -> tf.data.Dataset:
        """A batched, prefetched tf.data pipeline over a split; shuffled with the seed when one is given.

        Only indices go through tf.data one by one; each batch is then gathered from the arrays in one vectorised
        step, which costs far less CPU (taken from training itself on a small machine) than batching single images.
        Lines of their own widths (a list) are batched by width instead (models/width_buckets.py).
        """
        if isinstance(split.x, list):
            augment_one = self.dataset.augment_one if self.dataset.augmentation is not None else None
            return bucketed_pipeline(split, batch_size, self.encode_targets, shuffle_seed, augment_one)
        x, y = tf.constant(split.x), tf.constant(split.y)
        data = tf.data.Dataset.range(len(split))
        if shuffle_seed is not None:
            data = data.shuffle(len(split), seed=shuffle_seed, reshuffle_each_iteration=True)
        data = data.batch(batch_size).map(
            lambda indices: (tf.cast(tf.gather(x, indices), tf.float32), self.encode_targets(tf.gather(y, indices))),
            num_parallel_calls=tf.data.AUTOTUNE,
        )
        if shuffle_seed is not None and self.dataset.augmentation is not None:  # training batches only
            data = data.map(lambda x, y: (self.dataset.augment(x), y), num_parallel_calls=tf.data.AUTOTUNE)
        return data.prefetch(tf.data.AUTOTUNE)

    def compile(self, train_args, steps_per_epoch: int) -> None:
        self.network.compile(
            optimizer=make_optimizer(train_args, steps_per_epoch),
            loss=self.loss(train_args),
            metrics=self.metrics(),
        )

    def fit(self, train_args, seed: int, callbacks: list, initial_epoch: int = 0) -> keras.callbacks.History:
        train = self.pipeline(self.dataset.train, train_args.batch_size, shuffle_seed=seed)
        val = self.pipeline(self.dataset.val, train_args.validation_batch_size or train_args.batch_size)
        return self.network.fit(
            train,
            validation_data=val,
            epochs=train_args.epochs,
            callbacks=callbacks,
            initial_epoch=initial_epoch,
            shuffle=False,
            verbose="auto" if sys.stdout.isatty() else 2,
        )

    def evaluate(self, split: Split, batch_size: int = 512) -> dict[str, float]:
        """Metrics on a split, named as Keras names them (loss, accuracy, ...)."""
        return self.network.evaluate(self.pipeline(split, batch_size), verbose=0, return_dict=True)

    def decode(self, probabilities: np.ndarray) -> list[str]:
        """The text of each output: its most likely class (line models decode whole sequences)."""
        return [self.labels_to_text(labels) for labels in probabilities.argmax(axis=-1)]

    def labels_to_text(self, labels) -> str:
        """Target labels (one class, or one per position) as text."""
        return "".join(self.dataset.mapping[int(label)] for label in np.atleast_1d(labels))

    def predict_probabilities(self, x: np.ndarray | list[np.ndarray], batch_size: int = 512) -> np.ndarray | list:
        """Network outputs of a batch; for lines of their own widths, one (steps, classes) array per line."""
        if isinstance(x, list):
            infer = tf.function(lambda batch: self.network(batch, training=False), reduce_retracing=True)
            return predict_by_width(lambda batch: infer(tf.constant(batch)).numpy(), x, min(batch_size, 32))
        return self.network.predict(x.astype(np.float32), batch_size=batch_size, verbose=0)

    def load_weights(self, path: Path) -> None:
        self.network.load_weights(path)

    def save_weights(self, path: Path) -> None:
        """Write the network's current weights, atomically (training/shipping.py ships them with card and ONNX).

        Only the layers' weights are written: a compiled network's own save_weights would add the optimizer's state
        (twice the weights again for Adam), which inference never needs.
        """
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name.removesuffix(".weights.h5") + ".part.weights.h5")
        keras.Model(self.network.inputs, self.network.outputs).save_weights(partial)
        os.replace(partial, path)


def make_optimizer(train_args, steps_per_epoch: int) -> keras.optimizers.Optimizer:
    learning_rate = train_args.learning_rate
    if train_args.lr_schedule == "cosine":
        total = max(1, train_args.epochs * steps_per_epoch)
        warmup = min(total // 10, steps_per_epoch)
        learning_rate = keras.optimizers.schedules.CosineDecay(
            0.0, decay_steps=total - warmup, warmup_target=train_args.learning_rate, warmup_steps=warmup
        )
    optimizers = {
        "adam": lambda: keras.optimizers.Adam(learning_rate),
        "adamw": lambda: keras.optimizers.AdamW(learning_rate, weight_decay=train_args.weight_decay),
        "sgd": lambda: keras.optimizers.SGD(learning_rate, momentum=0.9, nesterov=True),
        "rmsprop": lambda: keras.optimizers.RMSprop(learning_rate),
    }
    return optimizers[train_args.optimizer]()
