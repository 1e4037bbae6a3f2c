"""What datasets of real line images share: the line models' format, label checks, image reading, augmentation.

Images become what EmnistLinesDataset gives the line models: uint8 (N, 28, width), light ink on black, left-aligned;
labels uint8 (N, max_length) indices into the line mapping, padded with the blank 0.
"""

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from tqdm import tqdm

from text_recognizer.datasets.base import Dataset, Split
from text_recognizer.datasets.formats import GLYPH, LINE_MAPPING, encode_texts
from text_recognizer.datasets.line_augmentation import augment_lines, augmentation_settings
from text_recognizer.datasets.lmdb_store import LmdbImageStore
from text_recognizer.errors import DataError
from text_recognizer.image_utils import normalize_line, read_image

STORE_NAME = "lmdb"  # where training/create_lmdb.py puts a folder's store


@dataclass
class LabelReport:
    """What was wrong with a labelled set of lines, by kind of problem, and how many rows were kept."""

    rows: int = 0
    kept: int = 0
    problems: Counter = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)
    unknown_characters: Counter = field(default_factory=Counter)

    def add(self, problem: str, example: str) -> None:
        self.problems[problem] += 1
        self.examples.setdefault(problem, example)

    def __str__(self) -> str:
        parts = [f"{count:,} {problem} (e.g. {self.examples[problem]})" for problem, count in self.problems.items()]
        if self.unknown_characters:
            parts.append("unknown characters: " + ", ".join(f"{c!r} x{n}" for c, n in self.unknown_characters.items()))
        return f"{self.rows:,} rows, {self.kept:,} usable" + ("; " + "; ".join(parts) if parts else "")


def check_label(text: str, max_length: int, report: LabelReport, name: str) -> bool:
    """Whether a label can be learned: not empty, not longer than max_length, every character in the mapping."""
    unknown = [c for c in text if c not in LINE_MAPPING[1:]]
    if not text.strip():
        report.add("empty labels", name)
    elif unknown:
        report.add("labels with characters outside the mapping", f"{name}: {text!r}")
        report.unknown_characters.update(unknown)
    elif len(text) > max_length:
        report.add(f"labels longer than max_length={max_length}", f"{name}: {len(text)} characters")
    else:
        return True
    return False


class ImageReader:
    """Reads images by path from files, or by file name from the folder's LMDB store when `fast`."""

    def __init__(self, folder: Path, fast: bool):
        self.store = LmdbImageStore(folder / STORE_NAME) if fast else None

    def __call__(self, path: Path) -> np.ndarray:
        return self.store.read(path.name) if self.store is not None else read_image(path)


class RealLinesDataset(Dataset):
    """Base of datasets of real line images; subclasses fill `samples` (split -> [(path, text)]) in `prepare`."""

    def __init__(self, max_length: int, width: int, fast: bool, augmentation: dict | None):
        if max_length < 1 or width < GLYPH:
            raise DataError("max_length must be at least 1 and width at least 28.")
        self.max_length, self.width, self.fast = max_length, width, fast
        self.augmentation = augmentation_settings(augmentation)
        self.mapping = list(LINE_MAPPING)
        self.input_shape = (GLYPH, width)
        self.output_shape = (max_length, len(LINE_MAPPING))

    def load(self, samples: dict[str, list[tuple[Path, str]]], folder: Path) -> None:
        """Read, normalise and encode each split's (image path, text) samples."""
        read = ImageReader(folder, self.fast)
        splits = {}
        for split, pairs in samples.items():
            x = np.zeros((len(pairs), *self.input_shape), np.uint8)
            for row, (path, _) in enumerate(tqdm(pairs, desc=f"Reading {split} lines", unit="line", mininterval=1)):
                x[row] = normalize_line(read(path), *self.input_shape)
            splits[split] = Split(x, encode_texts([text for _, text in pairs], LINE_MAPPING, self.max_length))
        self.set_splits(splits)

    def augment(self, images):
        """Random distortions of a training batch of images (a tf.Tensor) in the tf.data pipeline; as is when off."""
        return augment_lines(images, self.augmentation) if self.augmentation else images
