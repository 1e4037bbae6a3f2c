"""Batches of lines with their own widths: grouped by width, padded on the right, outputs cut back to each line; and
running a network one batch ahead of the Python work on its outputs.

Used by training (models/) and by the TensorFlow-free predictors alike.
"""

from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import numpy as np

WIDTH_MULTIPLE = 8  # padded batch widths are multiples of this (the networks' width downsampling divides it)
Batch = TypeVar("Batch")


def pad_batch(images: list[np.ndarray], multiple: int = WIDTH_MULTIPLE) -> np.ndarray:
    """Equal-height images as one float32 batch, right-padded with 0 (background) to a common width."""
    width = -(-max(image.shape[1] for image in images) // multiple) * multiple
    batch = np.zeros((len(images), images[0].shape[0], width), np.float32)
    for row, image in enumerate(images):
        batch[row, :, : image.shape[1]] = image
    return batch


def batches_by_width(
    run: Callable[[np.ndarray], np.ndarray], images: list[np.ndarray], batch_size: int
) -> Iterator[tuple[Sequence[int], list[np.ndarray]]]:
    """(indices, per-step outputs (T_i, C)) of each batch: lines of similar width together, padding's steps cut off."""
    order = np.argsort([image.shape[1] for image in images], kind="stable")
    for start in range(0, len(images), batch_size):
        chosen = order[start : start + batch_size]
        batch = pad_batch([images[i] for i in chosen])
        result = run(batch)
        steps = [max(1, -(-result.shape[1] * images[i].shape[1] // batch.shape[2])) for i in chosen]
        yield chosen, [result[row, :count] for row, count in enumerate(steps)]


def in_order(batches: Iterable[tuple[Sequence[int], list]], count: int) -> list:
    """The items of (indices, items) batches, each at its index."""
    ordered: list = [None] * count
    for chosen, items in batches:
        for index, item in zip(chosen, items, strict=True):
            ordered[index] = item
    return ordered


def predict_by_width(
    run: Callable[[np.ndarray], np.ndarray], images: list[np.ndarray], batch_size: int
) -> list[np.ndarray]:
    """Per-step outputs (T_i, C) of each line, lines of similar width batched together (batches_by_width)."""
    return in_order(batches_by_width(run, images, batch_size), len(images))


def one_ahead(batches: Iterator[Batch]) -> Iterator[Batch]:
    """The items of `batches`, the next one made in a worker thread while the caller works on this one: the network
    runs in native code that releases the GIL, so decoding its last outputs in Python overlaps it."""
    done = object()
    with ThreadPoolExecutor(1) as worker:
        pending = worker.submit(next, batches, done)
        while (batch := pending.result()) is not done:
            pending = worker.submit(next, batches, done)
            yield batch
