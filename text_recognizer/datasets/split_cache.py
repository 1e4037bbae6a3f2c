"""Datasets built once into an HDF5 file (written whole or not at all) of `x_<split>` / `y_<split>` arrays, then
loaded from it."""

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from text_recognizer.datasets.base import Dataset, Split
from text_recognizer.datasets.formats import SPLITS
from text_recognizer.datasets.sources import existing
from text_recognizer.errors import DataError


def load_or_build(dataset: Dataset, path: Path, build: Callable[[h5py.File], None]) -> dict[str, Any]:
    """Give the dataset (`set_splits`) the train/val/test of the cache at `path`; `build(file)` writes the cache first
    when it is missing. Labels are checked against the file's "mapping" attribute, else the dataset's mapping.

    Returns the file's attributes.
    """
    if not existing(path):
        write_h5_atomically(path, build)
    try:
        with h5py.File(path, "r") as file:
            missing = [key for split in SPLITS for key in (f"x_{split}", f"y_{split}") if key not in file]
            if missing:
                raise DataError(
                    f"{path} is not a complete cache: it lacks {', '.join(missing)}. Delete it to rebuild it."
                )
            splits = {split: Split(file[f"x_{split}"][()], file[f"y_{split}"][()]) for split in SPLITS}
            attributes = dict(file.attrs)
    except OSError as error:
        raise DataError(f"{path} is corrupt or truncated ({error}). Delete it to rebuild it.") from None
    mapping = attributes.get("mapping")
    classes = len(dataset.mapping if mapping is None else mapping)
    problem = next(filter(None, (split_problem(name, split, classes) for name, split in splits.items())), None)
    if problem:
        raise DataError(f"{path} is not a usable cache: {problem}. Delete it to rebuild it.")
    dataset.set_splits(splits)
    return attributes


def splits_problem(dataset: Any, classes: int | None = None) -> str | None:
    """What is wrong with a dataset's train, val and test splits, if anything (see split_problem)."""
    for name in SPLITS:
        split = getattr(dataset, name, None)
        problem = f"it has no {name} split" if split is None else split_problem(name, split, classes)
        if problem:
            return problem
    return None


def split_problem(name: str, split: Split, classes: int | None = None) -> str | None:
    """What is wrong with one split, if anything: inputs and targets of different lengths, or integer targets
    outside 0..classes-1 (when `classes` is given)."""
    if len(split.x) != len(split.y):
        return f"its {name} split has {len(split.x):,} inputs but {len(split.y):,} targets"
    y = np.asarray(split.y)
    if classes is not None and y.size and np.issubdtype(y.dtype, np.integer):
        low, high = int(y.min()), int(y.max())
        if low < 0 or high >= classes:
            return f"its {name} labels run from {low} to {high}, outside the mapping's classes 0 to {classes - 1}"
    return None


def write_h5_atomically(path: Path, build: Callable[[h5py.File], None]) -> None:
    """`build(file)` writes an HDF5 file under a temporary name, renamed to `path` once complete and removed if the
    build fails, so an interrupted build never leaves a file that looks whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    try:
        with h5py.File(partial, "w") as file:
            build(file)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, path)


def write_split(file: h5py.File, split: str, x: np.ndarray, y: np.ndarray) -> None:
    """One split's inputs and targets, gzip level 1 (fast to write and read; these arrays are mostly zeros)."""
    file.create_dataset(f"x_{split}", data=x, compression="gzip", compression_opts=1)
    file.create_dataset(f"y_{split}", data=y, compression="gzip", compression_opts=1)
