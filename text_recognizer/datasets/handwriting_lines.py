"""HandwritingLinesDataset: a weighted mixture of real handwritten line corpora, in the real-line format.

Format: lines scaled to `height` pixels with their own widths (light ink on black, cropped to the ink), so a
split's `x` is a list of (height, width_i) uint8 arrays; batches group lines of similar width and pad them.
Splits are writer-disjoint: each corpus's groups (writers, pages or files) go whole to train, validation or test;
and text-disjoint: a training line whose text is also a validation or test text (Copiste writers copy the same
sentences) is left out and counted, so no held-out figure rewards memorised text.
The charset is built from the training texts; validation and test lines with other characters are counted and left out.

    "dataset_args": {"corpora": {"iam_lines": 3, "copiste_fr": 1}}   # IAM lines drawn three times per epoch
    "dataset_args": {..., "exclude": "training/experiments/unreadable_training_lines.tsv"}

`exclude` names a TSV (columns corpus and file, as `training/audit_lines.py` writes), or a list of them, of training
lines to leave out: lines whose label or crop is wrong. It never touches validation or test lines.
"""

import logging
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from tqdm import tqdm

from text_recognizer.datasets.base import Dataset, Split, check_held_out
from text_recognizer.datasets.formats import (
    BLANK,
    SPLITS,
    check_real_line_format,
    encode_texts,
    real_line_format,
    real_line_image,
)
from text_recognizer.datasets.handwriting_augmentation import augment_line, augmentation_settings
from text_recognizer.datasets.line_corpora import CORPORA, CorpusLine, corpus_weights, read_corpus
from text_recognizer.datasets.tsv import read_tsv
from text_recognizer.errors import DataError

log = logging.getLogger("text_recognizer")
DEFAULT_CORPORA = {"iam_lines": 3.0, "hooker": 0.5, "copiste_fr": 1.0, "names": 0.5}


def split_groups(lines: list[CorpusLine], fractions: dict[str, float], seed: int) -> dict[str, list[CorpusLine]]:
    """Whole groups to test, then validation, until each holds its fraction of the lines; the rest train."""
    sizes = Counter(line.group for line in lines)
    groups = sorted(sizes)
    order = np.random.default_rng(seed).permutation(len(groups))
    assigned, filled, split_index = {}, 0, 0
    targets = [("test", fractions["test"] * len(lines)), ("val", fractions["val"] * len(lines))]
    for index in order:
        group = groups[index]
        if split_index < len(targets) and filled >= targets[split_index][1]:
            split_index, filled = split_index + 1, 0
        assigned[group] = targets[split_index][0] if split_index < len(targets) else "train"
        filled += sizes[group]
    return {name: [line for line in lines if assigned[line.group] == name] for name in SPLITS}


def excluded_lines(paths: list[str]) -> dict[tuple[str, str], str]:
    """The exclusion TSVs' lines: (corpus, image file name) -> the name of the list that leaves it out."""
    rows = [(Path(path).name, read_tsv(Path(path), ("corpus", "file"))) for path in paths]
    return {(row["corpus"], row["file"]): name for name, listed in rows for row in listed}


class HandwritingLinesDataset(Dataset):
    """Real handwritten lines of several corpora, each drawn `corpora[name]` times per training epoch."""

    card_omits = ("paths",)  # where the corpora are on this machine, not what they hold

    def __init__(
        self,
        corpora: dict | None = None,
        height: int = 48,
        max_width: int = 2048,
        max_length: int = 128,
        augmentation: dict | None = None,
        validation_fraction: float = 0.1,
        test_fraction: float = 0.15,
        seed: int = 42,
        paths: dict | None = None,
        exclude: str | list[str] | None = None,
    ):
        self.corpora = corpus_weights(DEFAULT_CORPORA if corpora is None else corpora, "draws per epoch")
        check_real_line_format(height, max_width)
        check_held_out(validation_fraction, test_fraction)
        self.height, self.max_width, self.max_length, self.seed = height, max_width, max_length, seed
        self.augmentation = augmentation_settings(augmentation)
        self.validation_fraction, self.test_fraction = validation_fraction, test_fraction
        self.paths = paths or {}
        self.exclude_lists = [] if exclude is None else [exclude] if isinstance(exclude, str) else exclude
        if not isinstance(self.exclude_lists, list) or not all(isinstance(path, str) for path in self.exclude_lists):
            raise DataError(f"exclude is the path of a TSV or a list of them, not {exclude!r}.")
        for path in self.exclude_lists:
            if not Path(path).is_file():
                raise DataError(
                    f"The exclude list {path} is missing; write one with `python training/audit_lines.py` or leave "
                    "it out of the dataset's exclude argument."
                )
        self.exclude = exclude
        self.input_shape = (height, None)

    @property
    def source(self) -> str:
        return "real handwritten lines: " + "; ".join(CORPORA[name].description for name in self.corpora)

    def corpus_splits(self, train_only_corpora: bool = True) -> dict[str, dict[str, list[CorpusLine]]]:
        """Each corpus's lines by split (writer-disjoint, seeded), before the charset filters them; also for benches.
        Without `train_only_corpora`, those (synthetic lines, which hold no writers out) are not even read."""
        parts, self.reports = {}, {}
        fractions = {"val": self.validation_fraction, "test": self.test_fraction}
        for offset, name in enumerate(self.corpora):
            if CORPORA[name].trains_only and not train_only_corpora:
                continue
            lines, report = read_corpus(name, self.paths.get(name))
            if report.problems:
                log.info("%s: %s; those rows are left out.", name, report)
            self.reports[name] = report
            if CORPORA[name].trains_only:
                parts[name] = {"train": lines, "val": [], "test": []}
            else:
                parts[name] = split_groups(lines, fractions, self.seed + offset)
            held_out = {line.text for split in ("val", "test") for line in parts[name][split]}
            for line in parts[name]["train"]:
                if line.text in held_out:
                    report.add("training lines repeating a validation or test text", line.text)
            parts[name]["train"] = [line for line in parts[name]["train"] if line.text not in held_out]
        excluded = excluded_lines(self.exclude_lists)
        for name, part in parts.items():
            for line in part["train"]:
                if (key := (name, line.image.name)) in excluded:
                    self.reports[name].add(f"training lines {excluded[key]} leaves out", line.image.name)
            part["train"] = [line for line in part["train"] if (name, line.image.name) not in excluded]
        return parts

    def prepare(self) -> "HandwritingLinesDataset":
        parts = self.corpus_splits()
        training_texts = [line.text for part in parts.values() for line in part["train"]]
        self.mapping = [BLANK, *sorted(set("".join(training_texts)))]
        self.output_shape = (self.max_length, len(self.mapping))
        self.outside = Counter()
        for name, part in parts.items():
            for split in SPLITS:
                part[split] = [line for line in part[split] if self._learnable(line, name)]
        self.sizes = {name: {split: len(part[split]) for split in SPLITS} for name, part in parts.items()}
        self.groups = {name: {s: sorted({x.group for x in p[s]}) for s in SPLITS} for name, p in parts.items()}
        splits = {}
        for split in SPLITS:
            lines = [(line, name) for name, part in parts.items() for line in part[split]]
            if not lines:
                raise DataError(f"No usable lines for the {split} split of corpora {', '.join(self.corpora)}.")
            weights = np.array([self.corpora[name] for _, name in lines], np.float32)
            images = self._read_images([line for line, _ in lines], split)
            y = encode_texts([line.text for line, _ in lines], self.mapping, self.max_length)
            splits[split] = Split(images, y, weights=weights, corpus=np.array([name for _, name in lines]))
        self.set_splits(splits)
        if self.outside:
            log.info("Characters outside the training charset (lines left out): %s", dict(self.outside.most_common()))
        return self

    def _learnable(self, line: CorpusLine, corpus: str) -> bool:
        unknown = [char for char in line.text if char not in self.mapping[1:]]
        self.outside.update(unknown)
        if unknown:
            self.reports[corpus].add("validation or test lines with characters outside the charset", line.text)
        elif len(line.text) > self.max_length:
            self.reports[corpus].add(f"lines longer than max_length={self.max_length}", line.text)
        return not unknown and len(line.text) <= self.max_length

    def _read_images(self, lines: list[CorpusLine], split: str) -> list[np.ndarray]:
        """Each line at the format's height, padded to PIXELS_PER_CHARACTER per character (two threads)."""

        def read(line: CorpusLine) -> np.ndarray:
            return real_line_image(line.image, len(line.text), self.height, self.max_width)

        with ThreadPoolExecutor(2) as pool:
            progress = tqdm(total=len(lines), desc=f"Reading {split} lines", unit="line", mininterval=2)
            images = []
            for image in pool.map(read, lines):
                images.append(image)
                progress.update()
            progress.close()
        return images

    def augment_one(self, image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """One training line, randomly distorted (as is when augmentation is off)."""
        return augment_line(image, self.augmentation, rng) if self.augmentation else image

    def card_details(self) -> dict:
        return {
            "format": real_line_format(self.height, self.max_width),
            "sizes": self.sizes,
            "split_groups": self.groups,
            "left_out": {name: dict(report.problems) for name, report in self.reports.items()},
        }
