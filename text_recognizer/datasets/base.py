"""What every dataset offers the models: shapes, a mapping and three disjoint splits."""

from dataclasses import dataclass

import numpy as np


@dataclass
class Split:
    """Inputs and targets of one split. Lines of their own widths come as a list of (height, width_i) arrays;
    `weights` says how often each sample is drawn per training epoch (None: once), `corpus` where it comes from."""

    x: np.ndarray | list[np.ndarray]
    y: np.ndarray
    weights: np.ndarray | None = None
    corpus: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.x)


class Dataset:
    """A prepared dataset: `train` and `val` steer training; `test` is only for the final evaluation."""

    mapping: list[str]
    input_shape: tuple[int, ...]
    output_shape: tuple[int, ...]
    train: Split
    val: Split
    test: Split

    def prepare(self) -> "Dataset":
        """Fetch, process and load the data; returns self so calls can chain."""
        raise NotImplementedError

    def card(self) -> dict:
        """What a weights card records about the data the model saw."""
        raise NotImplementedError


def carve_validation(x: np.ndarray, y: np.ndarray, fraction: float, seed: int) -> tuple[Split, Split]:
    """Split a training part into train and validation with a seeded permutation."""
    order = np.random.default_rng(seed).permutation(len(x))
    num_val = round(len(x) * fraction)
    val_idx, train_idx = np.sort(order[:num_val]), np.sort(order[num_val:])
    return Split(x[train_idx], y[train_idx]), Split(x[val_idx], y[val_idx])


def subsample(x: np.ndarray, y: np.ndarray, fraction: float | None, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A seeded random subset of `fraction` of the samples (all of them when fraction is None or 1)."""
    if fraction is None or fraction >= 1:
        return x, y
    keep = np.sort(np.random.default_rng(seed).permutation(len(x))[: max(1, int(len(x) * fraction))])
    return x[keep], y[keep]
