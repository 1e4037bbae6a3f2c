"""The LMDB image store: round trips in both encodings, create_lmdb.py over a folder tree, and refusals."""

import shutil
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import run_cli
from text_recognizer.datasets.lmdb_store import LmdbImageStore, write_store
from text_recognizer.errors import DataError
from text_recognizer.image_utils import read_image

LINES_SAMPLE = Path(__file__).resolve().parents[1] / "data" / "raw" / "iam" / "lines_sample"


@pytest.mark.parametrize("encoding", ["pickle", "png"])
def test_images_come_back_unchanged(tmp_path, encoding):
    rng = np.random.default_rng(0)
    images = {f"{i}.png": rng.integers(0, 256, (20 + i, 50), dtype=np.uint8) for i in range(5)}
    assert write_store(tmp_path / "lmdb", images.items(), encoding) == 5
    store = LmdbImageStore(tmp_path / "lmdb")
    assert len(store) == 5 and store.encoding == encoding and "3.png" in store and "9.png" not in store
    for name, image in images.items():
        np.testing.assert_array_equal(store.read(name), image)
    with pytest.raises(DataError, match=r"9\.png is not in the LMDB store"):
        store.read("9.png")


def test_duplicate_names_are_refused_and_leave_nothing_behind(tmp_path):
    image = np.zeros((4, 4), np.uint8)
    with pytest.raises(DataError, match=r"Two images are named a\.png"):
        write_store(tmp_path / "lmdb", [("a.png", image), ("a.png", image)])
    assert list(tmp_path.iterdir()) == []


def test_create_lmdb_stores_every_image_by_file_name_and_never_overwrites(tmp_path):
    data = tmp_path / "iam"
    (data / "lines" / "a01").mkdir(parents=True)
    for path in LINES_SAMPLE.glob("*.png"):
        shutil.copy(path, data / "lines" / "a01")
    (data / "notes.txt").write_text("not an image")
    done = run_cli("training/create_lmdb.py", "--data_dir", str(data))
    assert done.returncode == 0, done.stderr
    assert "Stored 3 images" in done.stdout
    store = LmdbImageStore(data / "lmdb")
    np.testing.assert_array_equal(store.read("a01-007-04.png"), read_image(LINES_SAMPLE / "a01-007-04.png"))
    again = run_cli("training/create_lmdb.py", "--data_dir", str(data), "--encoding", "png")
    assert again.returncode == 2 and "already exists" in again.stderr
    assert LmdbImageStore(data / "lmdb").encoding == "pickle"


def test_a_missing_store_says_how_to_create_it(tmp_path):
    with pytest.raises(DataError, match=r"python training/create_lmdb\.py --data_dir " + str(tmp_path)):
        LmdbImageStore(tmp_path / "lmdb")
