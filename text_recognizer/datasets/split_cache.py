"""Datasets built once into an HDF5 file (written whole or not at all) of `x_<split>` / `y_<split>` arrays, then
loaded from it."""

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from text_recognizer.datasets.base import Split

SPLITS = ("train", "val", "test")


def load_or_build(dataset: Any, path: Path, build: Callable[[h5py.File], None]) -> dict[str, Any]:
    """Set the dataset's train/val/test from the cache at `path`; `build(file)` writes it first when it is missing.

    Returns the file's attributes.
    """
    if not path.exists():
        write_h5_atomically(path, build)
    with h5py.File(path, "r") as file:
        for split in SPLITS:
            setattr(dataset, split, Split(file[f"x_{split}"][()], file[f"y_{split}"][()]))
        return dict(file.attrs)


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
