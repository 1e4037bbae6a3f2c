"""The LMDB image store: round trips in both encodings, create_lmdb.py over a folder tree, and refusals (old pickle
stores are refused and never unpickled)."""

import pickle
import shutil
from pathlib import Path

import lmdb
import numpy as np
import pytest

from tests.conftest import run_cli
from text_recognizer.datasets.lmdb_store import ENCODING_KEY, LmdbImageStore, write_store
from text_recognizer.errors import DataError
from text_recognizer.image_utils import read_image

LINES_SAMPLE = Path(__file__).resolve().parents[1] / "data" / "raw" / "iam" / "lines_sample"


@pytest.mark.parametrize("encoding", ["raw", "png"])
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
    assert LmdbImageStore(data / "lmdb").encoding == "raw"


def test_a_missing_store_says_how_to_create_it(tmp_path):
    with pytest.raises(DataError, match=r"python training/create_lmdb\.py --data_dir " + str(tmp_path)):
        LmdbImageStore(tmp_path / "lmdb")


class RunsCode:
    """Unpickling this creates a file: the proof that a store value was executed."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def handmade_store(path: Path, encoding: bytes, values: dict[bytes, bytes]) -> Path:
    """An LMDB written directly, as an old version or an attacker would write it."""
    env = lmdb.open(str(path), map_size=1 << 24)
    with env.begin(write=True) as txn:
        txn.put(ENCODING_KEY, encoding)
        for key, value in values.items():
            txn.put(key, value)
    env.close()
    return path


def test_an_old_pickle_store_is_refused_with_how_to_rebuild_it_and_never_unpickled(tmp_path):
    marker = tmp_path / "code-ran"
    store = handmade_store(tmp_path / "lmdb", b"pickle", {b"a.png": pickle.dumps(RunsCode(marker))})
    with pytest.raises(DataError, match="pickled arrays, which can run code") as refusal:
        LmdbImageStore(store)
    assert f"python training/create_lmdb.py --data_dir {tmp_path}" in str(refusal.value)
    assert not marker.exists()


@pytest.mark.parametrize("encoding", ["raw", "png"])
def test_a_pickle_hidden_under_another_encoding_is_a_data_error_and_never_unpickled(tmp_path, encoding):
    marker = tmp_path / "code-ran"
    store = handmade_store(tmp_path / "lmdb", encoding.encode(), {b"a.png": pickle.dumps(RunsCode(marker))})
    with pytest.raises(DataError, match=r"a\.png in the LMDB store is not a"):
        LmdbImageStore(store).read("a.png")
    assert not marker.exists()


def test_raw_values_of_the_wrong_length_and_unknown_encodings_are_refused(tmp_path):
    image = np.arange(12, dtype=np.uint8).reshape(3, 4)
    write_store(tmp_path / "lmdb", [("a.png", image)], "raw")
    env = lmdb.open(str(tmp_path / "lmdb"), map_size=1 << 24)
    with env.begin(write=True) as txn:
        txn.put(b"short.png", txn.get(b"a.png")[:-1])
    env.close()
    store = LmdbImageStore(tmp_path / "lmdb")
    np.testing.assert_array_equal(store.read("a.png"), image)
    with pytest.raises(DataError, match=r"short\.png in the LMDB store is not a raw image value"):
        store.read("short.png")
    with pytest.raises(DataError, match="an unknown encoding"):
        LmdbImageStore(handmade_store(tmp_path / "other", b"marshal", {}))


def test_only_2d_uint8_images_are_stored(tmp_path):
    with pytest.raises(DataError, match="2-D grayscale uint8"):
        write_store(tmp_path / "lmdb", [("a.png", np.zeros((4, 4, 3), np.uint8))])
    assert list(tmp_path.iterdir()) == []
