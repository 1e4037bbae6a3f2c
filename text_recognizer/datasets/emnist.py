"""EMNIST ByClass characters (62 classes, 0-9A-Za-z): official NIST release -> HDF5 cache -> seeded splits."""

import io
import zipfile
from pathlib import Path

import h5py
import numpy as np

from text_recognizer.datasets.base import Dataset, Split, carve_validation, subsample
from text_recognizer.datasets.character_augmentation import CharacterAugmentation, augmentation_settings
from text_recognizer.datasets.formats import GLYPH
from text_recognizer.datasets.sources import existing, fetch, processed_dir, source_metadata
from text_recognizer.datasets.split_cache import split_problem, write_h5_atomically
from text_recognizer.errors import DataError

SOURCE = "emnist"
MAT_MEMBER = "matlab/emnist-byclass.mat"
CACHE_KEYS = ("x_train", "y_train", "x_test", "y_test")


def cache_path() -> Path:
    return processed_dir(SOURCE) / "byclass.h5"


class EmnistDataset(Dataset):
    """Real handwritten characters, 28x28 uint8, white on black, upright; `augmentation` rotates and shifts training
    batches (datasets/character_augmentation.py)."""

    def __init__(
        self,
        subsample_fraction: float | None = None,
        validation_fraction: float = 0.1,
        seed: int = 42,
        augmentation: dict | None = None,
    ):
        if subsample_fraction is not None and not 0 < subsample_fraction <= 1:
            raise DataError(f"subsample_fraction must be in (0, 1], got {subsample_fraction}.")
        if not 0 < validation_fraction < 1:
            raise DataError(f"validation_fraction must be in (0, 1), got {validation_fraction}.")
        self.subsample_fraction = subsample_fraction
        self.validation_fraction = validation_fraction
        self.seed = seed
        self.augmentation = augmentation_settings(augmentation)
        self.distort = CharacterAugmentation(self.augmentation) if self.augmentation is not None else None
        self.input_shape = (GLYPH, GLYPH)

    @property
    def source(self) -> str:
        return source_metadata(SOURCE)["url"]

    def prepare(self) -> "EmnistDataset":
        x_train, y_train, x_test, y_test, mapping = load_cache(ensure_cache())
        self.mapping = list(mapping)
        self.output_shape = (len(self.mapping),)
        x_train, y_train = subsample(x_train, y_train, self.subsample_fraction, self.seed)
        train, val = carve_validation(x_train, y_train, self.validation_fraction, self.seed)
        self.set_splits({"train": train, "val": val, "test": Split(x_test, y_test)})
        return self

    def augment(self, images):
        return self.distort(images) if self.distort is not None else images

    def card_details(self) -> dict:
        return {"sizes": self.split_sizes()}


def ensure_cache() -> Path:
    """The processed HDF5 cache, built from the raw NIST archive when it is not there yet."""
    path = cache_path()
    if not existing(path):
        build_cache(fetch(SOURCE), path)
    return path


def load_cache(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, str]:
    """Arrays and mapping of a cache file, with a clear message when it is not a valid cache."""
    try:
        with h5py.File(path, "r") as file:
            missing = [key for key in CACHE_KEYS if key not in file]
            if missing or "mapping" not in file.attrs:
                raise DataError(
                    f"{path} is not an EMNIST cache: it lacks {missing or ['attrs[mapping]']}. "
                    "Delete it to rebuild it from the raw data."
                )
            arrays = [file[key][()] for key in CACHE_KEYS]
            mapping = str(file.attrs["mapping"])
    except OSError as error:
        raise DataError(
            f"{path} is corrupt or truncated ({error}). Delete it to rebuild it from the raw data."
        ) from None
    for name, x, y in (("train", *arrays[:2]), ("test", *arrays[2:])):
        problem = split_problem(name, Split(x, y), len(mapping))
        if problem:
            raise DataError(
                f"{path} is not a usable EMNIST cache: {problem}. Delete it to rebuild it from the raw data."
            )
    return (*arrays, mapping)


def read_official_archive(archive: Path) -> dict[str, np.ndarray | str]:
    """The ByClass arrays of NIST's matlab.zip, transposed upright (NIST stores each image column-major)."""
    from scipy.io import loadmat

    try:
        with zipfile.ZipFile(archive) as zipped:
            mat = loadmat(io.BytesIO(zipped.read(MAT_MEMBER)))["dataset"]
    except (zipfile.BadZipFile, KeyError, ValueError) as error:
        raise DataError(
            f"{archive} is not the official EMNIST matlab.zip ({error}). "
            "Delete it and run again, or place a good copy there."
        ) from None

    def images(split: str) -> np.ndarray:
        flat = mat[split][0, 0]["images"][0, 0]
        return flat.reshape(-1, 28, 28, order="F").astype(np.uint8)

    def labels(split: str) -> np.ndarray:
        return mat[split][0, 0]["labels"][0, 0].ravel().astype(np.uint8)

    codes = mat["mapping"][0, 0][:, 1]
    return {
        "x_train": images("train"),
        "y_train": labels("train"),
        "x_test": images("test"),
        "y_test": labels("test"),
        "mapping": "".join(chr(int(code)) for code in codes),
    }


def build_cache(archive: Path, path: Path) -> None:
    """Write the HDF5 cache from the official archive (under a temporary name until complete)."""
    data = read_official_archive(archive)

    def write(file: h5py.File) -> None:
        for key in CACHE_KEYS:
            file.create_dataset(key, data=data[key], compression="gzip", compression_opts=4)
        file.attrs["mapping"] = data["mapping"]
        file.attrs["source"] = str(archive.name)

    write_h5_atomically(path, write)
