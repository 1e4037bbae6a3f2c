"""IAM lines: real handwritten line images with their text, split writer-independently, in the line models' format.

Reads the official layout in data/raw/iam/ (ascii/lines.txt, lines/a01/a01-000u/a01-000u-00.png, ...; see iam.py).
With `fast`, images come from the LMDB store that `python training/create_lmdb.py --data_dir data/raw/iam` writes.
"""

import logging

from text_recognizer.datasets.iam import SPLIT_ARGUMENTS, IamDataset
from text_recognizer.datasets.real_lines import LabelReport, RealLinesDataset, check_label
from text_recognizer.errors import DataError

log = logging.getLogger("text_recognizer")


class IamLinesDataset(RealLinesDataset):
    """Lines of IAM as (N, 28, width) uint8 images and (N, max_length) labels; lines that do not fit are reported."""

    source = "IAM Handwriting Database lines (official lines.tgz, ascii/lines.txt)"
    card_omits = ("fast", *SPLIT_ARGUMENTS)

    def __init__(
        self,
        max_length: int = 100,
        width: int = 952,
        only_ok: bool = False,
        fast: bool = False,
        augmentation: dict | None = None,
        validation_fraction: float = 0.1,
        test_fraction: float = 0.1,
        seed: int = 42,
        root: str | None = None,
    ):
        super().__init__(max_length, width, fast, augmentation)
        self.only_ok = only_ok
        self.iam = IamDataset(root, validation_fraction, test_fraction, seed)

    def prepare(self) -> "IamLinesDataset":
        self.iam.require("ascii", "lines")  # say first what is missing
        split = self.iam.split()
        self.report = LabelReport(rows=sum(len(lines) for lines in split.values()))
        samples = {
            name: [line for line in lines if (line.ok or not self.only_ok) and self._usable(line)]
            for name, lines in split.items()
        }
        self.report.kept = sum(len(lines) for lines in samples.values())
        empty = [name for name, lines in samples.items() if not lines]
        if empty:
            raise DataError(
                f"No usable IAM lines for split(s) {', '.join(empty)} ({self.iam.split_name}): {self.report}."
            )
        if self.report.problems:
            log.info("IAM lines: %s; those are left out.", self.report)
        paths = self.iam.image_paths("lines", [line.file_name for lines in samples.values() for line in lines])
        self.load(
            {name: [(paths[line.file_name], line.text) for line in lines] for name, lines in samples.items()},
            self.iam.root,
        )
        return self

    def _usable(self, line) -> bool:
        return check_label(line.text, self.max_length, self.report, line.id)

    def card_details(self) -> dict:
        return {"split": self.iam.split_name, "sizes": self.split_sizes(), "skipped": dict(self.report.problems)}
