"""The HDF5 split cache of generated datasets: built once, written whole or not at all."""

import numpy as np
import pytest

from text_recognizer.datasets.base import Dataset
from text_recognizer.datasets.formats import SPLITS
from text_recognizer.datasets.split_cache import load_or_build, write_split
from text_recognizer.errors import DataError


class Generated(Dataset):
    """Stands for a dataset: load_or_build gives it its train/val/test."""

    mapping = ("a", "b")  # the cache's own mapping (4 classes) is the one its labels are checked against


def build(file):
    for offset, split in enumerate(SPLITS):
        write_split(file, split, np.full((2, 3, 4), offset, np.uint8), np.arange(2, dtype=np.uint8) + offset)
    file.attrs["mapping"] = ["a", "b", "c", "d"]  # labels 0 to 3


def test_built_once_then_loaded_from_the_cache(tmp_path):
    path = tmp_path / "cache" / "splits.h5"
    dataset = Generated()
    assert list(load_or_build(dataset, path, build)["mapping"]) == ["a", "b", "c", "d"]
    assert [int(getattr(dataset, split).x[0, 0, 0]) for split in SPLITS] == [0, 1, 2]

    def must_not_run(file):
        raise AssertionError("the cache was built again")

    again = Generated()
    load_or_build(again, path, must_not_run)
    assert np.array_equal(again.test.y, dataset.test.y) and len(again.train) == 2


def test_an_interrupted_build_leaves_nothing_that_looks_like_a_cache(tmp_path):
    path = tmp_path / "splits.h5"

    def interrupted(file):
        write_split(file, "train", np.zeros((2, 3, 4), np.uint8), np.zeros(2, np.uint8))
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        load_or_build(Generated(), path, interrupted)
    assert list(tmp_path.iterdir()) == []
    load_or_build(Generated(), path, build)
    assert [p.name for p in tmp_path.iterdir()] == ["splits.h5"]


def test_labels_outside_the_mapping_are_refused(tmp_path):
    """Without a mapping in the file, labels are checked against the dataset's own mapping."""

    def without_mapping(file):
        for split in SPLITS:
            write_split(file, split, np.zeros((2, 3, 4), np.uint8), np.array([0, 2], np.uint8))

    with pytest.raises(DataError, match="labels run from 0 to 2, outside the mapping's classes 0 to 1"):
        load_or_build(Generated(), tmp_path / "splits.h5", without_mapping)
