"""Your own handwriting: a folder of line images and a labels file, checked, in the line models' format.

Labels file (`labels`, default: labels.csv or lines.txt in the folder):
  CSV with a header: `filename,text` (columns by those names, else the first two), optionally a `split` column
      (train/val/test) to fix the split; file names are relative to the folder.
  IAM lines.txt format: `a01-000u-00 ok 154 19 408 746 1661 89 A|MOVE|to|stop` for `a01-000u-00.png` anywhere below.
Labels files are UTF-8 (with or without a byte-order mark) or UTF-16/32 with one; a CSV in another encoding names it
with `labels_encoding` (e.g. "latin-1"). A CSV field is at most 131,072 characters (the csv module's limit).
Rows with a missing, empty or unreadable image, an empty label, characters outside the mapping or too long a label are
reported with counts and skipped (`on_error: "skip"`), or make the dataset refuse to load (`on_error: "reject"`).
"""

import codecs
import csv
import io
import logging
from pathlib import Path

import numpy as np
from tqdm import tqdm

from text_recognizer.datasets.base import check_held_out
from text_recognizer.datasets.formats import SPLITS
from text_recognizer.datasets.iam_text import parse_lines
from text_recognizer.datasets.real_lines import ImageReader, LabelReport, RealLinesDataset, check_label
from text_recognizer.datasets.sources import existing
from text_recognizer.errors import DataError
from text_recognizer.escaping import undecodable_byte
from text_recognizer.image_utils import IMAGE_SUFFIXES

log = logging.getLogger("text_recognizer")
LABEL_FILES = ("labels.csv", "lines.txt")
ON_ERROR = ("skip", "reject")


BYTE_ORDER_MARKS = (  # UTF-32's come first: UTF-32-LE's begins with UTF-16-LE's
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _encoding_by_mark(data: bytes) -> str:
    return next((name for mark, name in BYTE_ORDER_MARKS if data.startswith(mark)), "utf-8")


def detected_encoding(path: Path) -> str:
    """The encoding a labels file's byte-order mark names (utf-8 without one)."""
    with open(path, "rb") as file:
        return _encoding_by_mark(file.read(4))


def labels_text(path: Path, encoding: str | None = None) -> str:
    """The text of a labels file: in `encoding`, else by its byte-order mark, else UTF-8; DataError when it cannot
    be read that way, with what to do about it."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise DataError(f"Cannot read the labels file {path}: {error.strerror or error}.") from None
    chosen = encoding or _encoding_by_mark(data)
    if encoding is None and chosen == "utf-8" and b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise DataError(
            f"{path} holds NUL bytes (first on line {line}): it looks like UTF-16 without a byte-order mark. "
            'Save it as UTF-8, or pass dataset_args labels_encoding: "utf-16-le" (or "utf-16-be").'
        )
    try:
        text = data.decode(chosen).removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        raise DataError(
            f"{path} is not {chosen} text: {undecodable_byte(data, error)} cannot be read. Save it as UTF-8, or name "
            'its encoding with dataset_args labels_encoding, e.g. "latin-1" or "cp1252".'
        ) from None
    if "\x00" in text:
        raise DataError(f"{path} holds NUL characters; a labels file is text. Save it as UTF-8.")
    return text


def read_labels(path: Path, folder: Path, encoding: str | None = None) -> list[tuple[Path, str, str | None]]:
    """(image path, text, split or None) of every row of a CSV or IAM lines.txt labels file."""
    text = labels_text(path, encoding)
    if path.suffix.lower() == ".txt":
        if encoding is not None or detected_encoding(path) != "utf-8":
            raise DataError(
                f"{path}: an IAM lines.txt is read as UTF-8 without a byte-order mark (labels_encoding is for CSV "
                "files); save it so."
            )
        found = {p.name: p for p in folder.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES}
        return [(found.get(line.file_name, folder / line.file_name), line.text, None) for line in parse_lines(path)]
    rows = _csv_rows(path, text)
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


def _csv_rows(path: Path, text: str) -> list[list[str]]:
    """The rows of a CSV text; DataError naming the line where a row could not be read."""
    reader = csv.reader(io.StringIO(text, newline=""))
    rows = []
    while True:
        start = reader.line_num + 1
        try:
            rows.append(next(reader))
        except StopIteration:
            return rows
        except csv.Error as error:
            hint = ""
            if "field larger than field limit" in str(error):
                hint = (
                    f" A field there is longer than {csv.field_size_limit():,} characters, the csv module's limit: "
                    'a quote (") left open, or a label far too long to learn.'
                )
            raise DataError(f"{path}:{start}: not a readable CSV row ({error}).{hint}") from None


class LinesFolderDataset(RealLinesDataset):
    """Line images of a folder with their labels; split by the labels file's `split` column or at random (seeded)."""

    card_omits = ("path", "labels", "fast")  # where and how the files are read, not what they hold

    def __init__(
        self,
        path: str,
        labels: str | None = None,
        labels_encoding: str | None = None,
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
        check_held_out(validation_fraction, test_fraction)
        self.folder = Path(path)
        if not existing(self.folder) or not self.folder.is_dir():
            raise DataError(f"{self.folder} is not a folder of line images.")
        if labels_encoding is not None:
            try:
                "".encode(labels_encoding)  # a text encoding: not an unknown name, nor a bytes codec like "hex"
            except LookupError:
                raise DataError(
                    f'Unknown labels_encoding {labels_encoding!r}; e.g. "utf-8", "latin-1", "cp1252".'
                ) from None
        self.labels_file, self.labels_encoding = self._find_labels(labels), labels_encoding
        self.on_error, self.seed = on_error, seed
        self.validation_fraction, self.test_fraction = validation_fraction, test_fraction

    @property
    def source(self) -> str:
        return f"line images in {self.folder} labelled by {self.labels_file.name}"

    def _find_labels(self, labels: str | None) -> Path:
        candidates = [Path(labels)] if labels else [self.folder / name for name in LABEL_FILES]
        found = next((path for path in candidates if path.is_file()), None)
        if found is None:
            raise DataError(f"No labels file: looked for {', '.join(str(p) for p in candidates)}. Pass `labels`.")
        return found

    def check(self) -> tuple[list[tuple[Path, str, str | None]], LabelReport]:
        """Usable rows of the labels file and the report of what was wrong with the others."""
        rows = read_labels(self.labels_file, self.folder, self.labels_encoding)
        report = LabelReport(rows=len(rows))
        labelled = []
        for image, text, split in rows:
            problem = _file_problem(image)
            if problem:
                report.add(problem, image.name)
            elif check_label(text, self.max_length, report, image.name):
                labelled.append((image, text, split))
        read = ImageReader(self.folder, self.fast)
        usable = []
        for image, text, split in tqdm(labelled, desc="Checking line images", unit="line", mininterval=1):
            try:
                read(image)
            except (DataError, OSError):
                report.add("unreadable image files", image.name)
                continue
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
        num_val, num_test = round(len(usable) * self.validation_fraction), round(len(usable) * self.test_fraction)
        parts = {
            "test": order[:num_test],
            "val": order[num_test : num_test + num_val],
            "train": order[num_test + num_val :],
        }
        return {name: [usable[i][:2] for i in sorted(parts[name])] for name in SPLITS}

    def card_details(self) -> dict:
        return {"sizes": self.split_sizes(), "skipped": dict(self.report.problems)}


def _file_problem(image: Path) -> str | None:
    """Why an image file cannot be there to read (missing or empty), or None."""
    try:
        if not image.is_file():
            return "missing image files"
        if image.stat().st_size == 0:
            return "empty (0-byte) image files"
    except OSError:  # a name too long for the file system, a folder that cannot be entered, ...
        return "missing image files"
    return None
