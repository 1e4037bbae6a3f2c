"""tf.data pipelines over lines of their own widths: each batch holds lines of similar width, padded to the widest.

Training epochs draw each line as often as its split weight says, jitter the width order so batches differ between
epochs, shuffle the batches and distort each line with the dataset's `augment_one` as the batch is assembled.
"""

from collections.abc import Callable, Iterator

import numpy as np
import tensorflow as tf

from text_recognizer.datasets.base import Split
from text_recognizer.line_batches import pad_batch


def epoch_batches(split: Split, batch_size: int, rng: np.random.Generator | None) -> list[np.ndarray]:
    """Index batches of one epoch: weighted draws grouped by jittered width, in random order (in order: no rng)."""
    widths = np.array([image.shape[1] for image in split.x], np.float32)
    indices = np.arange(len(split))
    if rng is not None:
        weights = split.weights if split.weights is not None else np.ones(len(split), np.float32)
        draws = np.floor(weights).astype(int) + (rng.random(len(split)) < weights % 1)
        indices = np.repeat(indices, draws)
        widths = widths[indices] * rng.uniform(0.85, 1.15, len(indices))
    else:
        widths = widths[indices]
    ordered = indices[np.argsort(widths, kind="stable")]
    batches = [ordered[start : start + batch_size] for start in range(0, len(ordered), batch_size)]
    if rng is not None:
        batches = [batches[i] for i in rng.permutation(len(batches))]
    return batches


def bucketed_pipeline(
    split: Split,
    batch_size: int,
    encode_targets: Callable,
    shuffle_seed: int | None = None,
    augment_one: Callable[[np.ndarray, np.random.Generator], np.ndarray] | None = None,
) -> tf.data.Dataset:
    """Padded (batch, height, width) float32 images and their targets; shuffled and augmented when seeded."""
    epoch = [0]

    def generate() -> Iterator[tuple[np.ndarray, np.ndarray]]:
        rng = None if shuffle_seed is None else np.random.default_rng([shuffle_seed, epoch[0]])
        epoch[0] += 1
        for batch in epoch_batches(split, batch_size, rng):
            images = [split.x[i] for i in batch]
            if rng is not None and augment_one is not None:
                images = [augment_one(image, rng) for image in images]
            yield pad_batch(images), split.y[batch]

    height = split.x[0].shape[0]
    signature = (
        tf.TensorSpec((None, height, None), tf.float32),
        tf.TensorSpec((None, split.y.shape[1]), tf.as_dtype(split.y.dtype)),
    )
    data = tf.data.Dataset.from_generator(generate, output_signature=signature)
    return data.map(lambda x, y: (x, encode_targets(y))).prefetch(4)
