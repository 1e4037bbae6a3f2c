"""EmnistDataset: the official-format archive path (from a tiny generated matlab.zip), checksums, splits."""

import io
import zipfile

import h5py
import numpy as np
import pytest
import toml
from scipy.io import savemat

from text_recognizer import settings
from text_recognizer.datasets import emnist, sources
from text_recognizer.datasets.emnist import EmnistDataset
from text_recognizer.errors import DataError

MAPPING = "0123456789"


def upright_images(count: int, rng: np.random.Generator) -> np.ndarray:
    """Images whose top-left corner is marked, so a missing or doubled transpose shows."""
    images = rng.integers(0, 50, (count, 28, 28), dtype=np.uint8)
    images[:, 0, 1:6] = 255  # a horizontal bar along the top row
    return images


def official_archive(path, rng) -> tuple[np.ndarray, np.ndarray]:
    """A tiny matlab.zip laid out like NIST's: images stored column-major, labels (N, 1), mapping (classes, 2)."""
    x_train, x_test = upright_images(40, rng), upright_images(10, rng)
    y_train, y_test = rng.integers(0, 10, 40), rng.integers(0, 10, 10)

    def part(x, y):
        return {"images": x.reshape(len(x), -1, order="F").astype(np.uint8), "labels": y.reshape(-1, 1)}

    mapping = np.array([[i, ord(c)] for i, c in enumerate(MAPPING)])
    buffer = io.BytesIO()
    savemat(buffer, {"dataset": {"train": part(x_train, y_train), "test": part(x_test, y_test), "mapping": mapping}})
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(emnist.MAT_MEMBER, buffer.getvalue())
    return x_train, y_train


@pytest.fixture
def offline_source(tmp_path, monkeypatch):
    """An empty data dir, a mirror holding the generated archive, metadata pinning its checksum; the images."""
    rng = np.random.default_rng(0)
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    x_train, _ = official_archive(mirror / "matlab.zip", rng)
    metadata = tmp_path / "metadata.toml"
    digest = sources.sha256_of(mirror / "matlab.zip")
    metadata.write_text(toml.dumps({"emnist": {"filename": "matlab.zip", "url": "http://0.0.0.0/x", "sha256": digest}}))
    monkeypatch.setattr(sources, "METADATA_FILE", metadata)
    monkeypatch.setenv(settings.DATA_DIR_ENV, str(tmp_path / "data"))
    monkeypatch.setenv(settings.MIRROR_ENV, str(mirror))
    return x_train


def test_archive_is_processed_upright_into_the_cache(offline_source):
    x_train = offline_source
    dataset = EmnistDataset(validation_fraction=0.25).prepare()
    assert dataset.mapping == list(MAPPING)
    with h5py.File(emnist.cache_path(), "r") as cache:
        assert cache["x_train"].dtype == np.uint8 and cache["x_train"].shape == (40, 28, 28)
        np.testing.assert_array_equal(cache["x_train"][()], x_train)
        assert (cache["x_train"][:, 0, 1:6] == 255).all()
        assert cache.attrs["mapping"] == MAPPING
    assert (len(dataset.train), len(dataset.val), len(dataset.test)) == (30, 10, 10)
    assert not list(emnist.cache_path().parent.glob("*.part"))


@pytest.mark.usefixtures("offline_source")
def test_checksum_mismatch_is_reported_and_nothing_is_cached():
    metadata = toml.load(sources.METADATA_FILE)
    metadata["emnist"]["sha256"] = "0" * 64
    sources.METADATA_FILE.write_text(toml.dumps(metadata))
    with pytest.raises(DataError, match="corrupt or truncated: its sha256 is"):
        EmnistDataset().prepare()
    assert not emnist.cache_path().exists()


@pytest.mark.usefixtures("offline_source")
def test_missing_source_says_where_to_put_it(monkeypatch):
    monkeypatch.setenv(settings.MIRROR_ENV, "")
    with pytest.raises(DataError, match=r"Place matlab.zip at .*raw/emnist/matlab.zip"):
        EmnistDataset().prepare()


@pytest.mark.usefixtures("offline_source")
def test_truncated_cache_is_reported():
    cache = emnist.cache_path()
    cache.parent.mkdir(parents=True)
    cache.write_bytes(b"\x89HDF\r\n\x1a\n" + b"\0" * 100)
    with pytest.raises(DataError, match=r"corrupt or truncated.*Delete it"):
        EmnistDataset().prepare()


def test_real_cache_splits_are_seeded_and_disjoint(emnist_cache):
    first = EmnistDataset(subsample_fraction=0.05, seed=1).prepare()
    again = EmnistDataset(subsample_fraction=0.05, seed=1).prepare()
    other = EmnistDataset(subsample_fraction=0.05, seed=2).prepare()
    assert len(first.mapping) == 62 and len(first.test) == 16_323
    np.testing.assert_array_equal(first.val.x, again.val.x)
    assert not np.array_equal(first.val.x, other.val.x)
    train_keys = {image.tobytes() for image in first.train.x}
    assert not any(image.tobytes() in train_keys for image in first.val.x)
