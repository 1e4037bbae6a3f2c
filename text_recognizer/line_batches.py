"""Batches of lines with their own widths: grouped by width, padded on the right, outputs cut back to each line.

Used by training (models/) and by the TensorFlow-free predictors alike.
"""

from collections.abc import Callable

import numpy as np

WIDTH_MULTIPLE = 8  # padded batch widths are multiples of this (the networks' width downsampling divides it)


def pad_batch(images: list[np.ndarray], multiple: int = WIDTH_MULTIPLE) -> np.ndarray:
    """Equal-height images as one float32 batch, right-padded with 0 (background) to a common width."""
    width = -(-max(image.shape[1] for image in images) // multiple) * multiple
    batch = np.zeros((len(images), images[0].shape[0], width), np.float32)
    for row, image in enumerate(images):
        batch[row, :, : image.shape[1]] = image
    return batch


def predict_by_width(
    run: Callable[[np.ndarray], np.ndarray], images: list[np.ndarray], batch_size: int
) -> list[np.ndarray]:
    """Per-step outputs (T_i, C) of each line: lines of similar width batched together, padding's steps cut off."""
    order = np.argsort([image.shape[1] for image in images], kind="stable")
    outputs: list[np.ndarray] = [None] * len(images)
    for start in range(0, len(images), batch_size):
        chosen = order[start : start + batch_size]
        batch = pad_batch([images[i] for i in chosen])
        result = run(batch)
        for row, i in enumerate(chosen):
            steps = max(1, -(-result.shape[1] * images[i].shape[1] // batch.shape[2]))
            outputs[i] = result[row, :steps]
    return outputs
