"""Your own handwriting: a folder of line images and a labels file, checked, in the line models' format.

Labels file (`labels`, default: labels.csv or lines.txt in the folder):
  CSV with a header: `filename,text` (columns by those names, else the first two), optionally a `split` column
      (train/val/test) to fix the split; file names are relative to the folder.
  IAM lines.txt format: `a01-000u-00 ok 154 19 408 746 1661 89 A|MOVE|to|stop` for `a01-000u-00.png` anywhere below.
Rows with a missing image, an empty label, characters outside the mapping or too long a label are reported with counts
and skipped (`on_error: "skip"`), or make the dataset refuse to load (`on_error: "reject"`).
"""

import csv
import logging
from pathlib import Path

import numpy as np

from text_recognizer.datasets.iam_text import parse_lines
from text_recognizer.datasets.real_lines import LabelReport, RealLinesDataset, check_label
from text_recognizer.errors import DataError
from text_recognizer.image_utils import IMAGE_SUFFIXES

log = logging.getLogger("text_recognizer")
LABEL_FILES = ("labels.csv", "lines.txt")
SPLITS = ("train", "val", "test")
ON_ERROR = ("skip", "reject")


def read_labels(path: Path, folder: Path) -> list[tuple[Path, str, str | None]]:
    """(image path, text, split or None) of every row of a CSV or IAM lines.txt labels file."""
    if path.suffix.lower() == ".txt":
        found = {p.name: p for p in folder.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES}
        return [(found.get(line.file_name, folder / line.file_name), line.text, None) for line in parse_lines(path)]
    with open(path, newline="", encoding="utf-8-sig") as file:
        rows = list(csv.reader(file))
    if not rows or len(rows[0]) < 2:
        raise DataError(f"{path} is not a labels CSV: expected a header row such as `filename,text`.")
    header = [name.strip().lower() for name in rows[0]]
    name_col = header.index("filename") if "filename" in header else 0
    text_col = header.index("text") if "text" in header else 1
    split_col = header.index("split") if "split" in header else None
    labels = []
    for number, row in enumerate(rows[1:], start=2):
        if len(row) <= max(name_col, text_col, split_col or 0):
            raise DataError(f"{path}:{number} has {len(row)} columns; the header has {len(header)}.")
        split = row[split_col].strip().lower() if split_col is not None else None
        if split is not None and split not in SPLITS:
            raise DataError(f"{path}:{number}: split must be one of {', '.join(SPLITS)}, got {row[split_col]!r}.")
        labels.append((folder / row[name_col].strip(), row[text_col].strip(), split))
    return labels


class LinesFolderDataset(RealLinesDataset):
    """Line images of a folder with their labels; split by the labels file's `split` column or at random (seeded)."""

    def __init__(
        self,
        path: str,
        labels: str | None = None,
        on_error: str = "skip",
        max_length: int = 34,
        width: int = 952,
        fast: bool = False,
        augmentation: dict | None = None,
        validation_fraction: float = 0.1,
        test_fraction: float = 0.1,
        seed: int = 42,
    ):
        super().__init__(max_length, width, fast, augmentation)
        if on_error not in ON_ERROR:
            raise DataError(f"on_error must be one of {', '.join(ON_ERROR)}, got {on_error!r}.")
        if not (0 < validation_fraction < 1 and 0 < test_fraction < 1 and validation_fraction + test_fraction < 1):
            raise DataError("validation_fraction and test_fraction must be in (0, 1) and add up to less than 1.")
        self.folder = Path(path)
        if not self.folder.is_dir():
            raise DataError(f"{self.folder} is not a folder of line images.")
        self.labels_file = self._find_labels(labels)
        self.on_error, self.seed = on_error, seed
        self.fractions = {"val": validation_fraction, "test": test_fraction}

    def _find_labels(self, labels: str | None) -> Path:
        candidates = [Path(labels)] if labels else [self.folder / name for name in LABEL_FILES]
        found = next((path for path in candidates if path.is_file()), None)
        if found is None:
            raise DataError(f"No labels file: looked for {', '.join(str(p) for p in candidates)}. Pass `labels`.")
        return found

    def check(self) -> tuple[list[tuple[Path, str, str | None]], LabelReport]:
        """Usable rows of the labels file and the report of what was wrong with the others."""
        rows = read_labels(self.labels_file, self.folder)
        report = LabelReport(rows=len(rows))
        usable = []
        for image, text, split in rows:
            if not image.is_file():
                report.add("missing image files", image.name)
            elif check_label(text, self.max_length, report, image.name):
                usable.append((image, text, split))
        report.kept = len(usable)
        return usable, report

    def prepare(self) -> "LinesFolderDataset":
        usable, self.report = self.check()
        if self.report.problems:
            if self.on_error == "reject":
                raise DataError(f"{self.labels_file}: {self.report}. Fix these rows, or pass on_error: skip.")
            log.warning("%s: %s; those rows are skipped.", self.labels_file, self.report)
        samples = self._split(usable)
        empty = [name for name in SPLITS if not samples[name]]
        if empty:
            raise DataError(f"{self.labels_file}: no usable rows for split(s) {', '.join(empty)} ({self.report}).")
        self.load(samples, self.folder)
        return self

    def _split(self, usable: list[tuple[Path, str, str | None]]) -> dict[str, list[tuple[Path, str]]]:
        if any(split is not None for _, _, split in usable):
            return {name: [(p, t) for p, t, s in usable if s == name] for name in SPLITS}
        order = np.random.default_rng(self.seed).permutation(len(usable))
        num_val, num_test = (round(len(usable) * self.fractions[name]) for name in ("val", "test"))
        parts = {
            "test": order[:num_test],
            "val": order[num_test : num_test + num_val],
            "train": order[num_test + num_val :],
        }
        return {name: [usable[i][:2] for i in sorted(parts[name])] for name in SPLITS}

    def card(self) -> dict:
        return {
            "source": f"line images in {self.folder} labelled by {self.labels_file.name}",
            "args": {
                "max_length": self.max_length,
                "width": self.width,
                "on_error": self.on_error,
                "seed": self.seed,
                "augmentation": self.augmentation,
            }
            | {f"{k}_fraction": v for k, v in self.fractions.items()},
            "sizes": {name: len(getattr(self, name)) for name in SPLITS},
            "skipped": dict(self.report.problems),
        }
