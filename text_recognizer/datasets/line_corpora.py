"""Corpora of real handwritten lines: each read from its folder into (image, natural text, writer group) lines,
with the rows that cannot be learned counted by reason.

A corpus folder holds `labels.tsv` (UTF-8, tab-separated, one header row, no quoting) and `images/`:
  iam_lines   file, text, form_id, writer_id, ...   IAM's tokenised text (`presto !`, `You 're`) made natural
  hooker      file, text, page, ...                 19th-century English letters; grouped by page
  copiste_fr  file, text, page, writer, ...         contemporary French; grouped by writer; headers and
                                                    struck-out (`>text<`) or unreadable (`><`) lines left out
  names       written_name_validation_v2.csv (FILENAME,IDENTITY) and validation_v2/: block-capital names by file
  capitals    file, text, group: synthetic lines in block capitals (capital_lines.py), written on first use; they
              only ever train
"""

import csv
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from text_recognizer.datasets.capital_lines import capital_lines_folder
from text_recognizer.datasets.iam_text import detokenize_forms
from text_recognizer.datasets.real_lines import LabelReport
from text_recognizer.datasets.sources import raw_dir
from text_recognizer.datasets.tsv import read_tsv
from text_recognizer.errors import DataError


@dataclass(frozen=True)
class CorpusLine:
    """One line image, its text, and the group (writer or page) that splits keep together."""

    image: Path
    text: str
    group: str


def _lines(folder: Path, rows: list[dict[str, str]], texts: list[str], groups: list[str], report: LabelReport):
    """CorpusLines of rows whose image exists and whose text is kept (None: left out, counted by the caller)."""
    lines = []
    for row, text, group in zip(rows, texts, groups, strict=True):
        image = folder / "images" / row["file"]
        if text is None:
            continue
        if not image.is_file():
            report.add("missing image files", row["file"])
        elif not text.strip():
            report.add("empty labels", row["file"])
        else:
            lines.append(CorpusLine(image, text, group))
    return lines


def read_iam_lines(folder: Path, report: LabelReport) -> list[CorpusLine]:
    """IAM lines grouped by writer; texts detokenised across the lines of each form."""
    rows = read_tsv(folder / "labels.tsv", ("file", "text", "form_id", "writer_id"))
    rows.sort(key=lambda row: row["file"])
    texts = detokenize_forms([(row["form_id"], row["text"].split(" ")) for row in rows])
    return _lines(folder, rows, texts, [f"writer {row['writer_id']}" for row in rows], report)


EDITORIAL = re.compile(r"\^|\[\.\.\.\]")


def read_hooker(folder: Path, report: LabelReport) -> list[CorpusLine]:
    """Hooker's letters grouped by page; lines with editorial marks (`^`, `[...]`) left out."""
    rows = read_tsv(folder / "labels.tsv", ("file", "text", "page"))
    texts = []
    for row in rows:
        marked = EDITORIAL.search(row["text"])
        if marked:
            report.add("lines with editorial marks", f"{row['file']}: {row['text']!r}")
        texts.append(None if marked else row["text"].strip())
    return _lines(folder, rows, texts, [f"page {row['page']}" for row in rows], report)


HEADER = re.compile(r"^\s*(nom de r[ée]f[ée]rence|(imp_)?wikitexte_\d+)", re.IGNORECASE)
STRUCK = re.compile(r">[^<]*<")


def read_copiste(folder: Path, report: LabelReport) -> list[CorpusLine]:
    """Copiste lines grouped by writer; the volunteers' reference headers and struck-out text left out."""
    rows = read_tsv(folder / "labels.tsv", ("file", "text", "writer"))
    texts = []
    for row in rows:
        text = row["text"].strip()
        if HEADER.match(text):
            report.add("reference headers", f"{row['file']}: {text!r}")
            text = None
        elif STRUCK.search(text):
            report.add("struck-out or unreadable text", f"{row['file']}: {text!r}")
            text = None
        texts.append(text)
    return _lines(folder, rows, texts, [f"writer {row['writer']}" for row in rows], report)


NAMES_LABELS = "written_name_validation_v2.csv"
UNUSABLE_NAMES = {"UNREADABLE", "EMPTY", ""}


def read_names(folder: Path, report: LabelReport) -> list[CorpusLine]:
    """Handwritten block-capital names, one group per image; only rows whose image is present are read."""
    path = folder / NAMES_LABELS
    if not path.is_file():
        raise DataError(f"{path} is missing.")
    images = folder / "validation_v2"
    present = {p.name for p in images.iterdir()} if images.is_dir() else set()
    with open(path, newline="", encoding="utf-8") as file:
        rows = [row for row in csv.DictReader(file) if row.get("FILENAME") in present]
    lines = []
    for row in rows:
        text = (row.get("IDENTITY") or "").strip()
        if text in UNUSABLE_NAMES:
            report.add("unreadable or empty names", f"{row['FILENAME']}: {text!r}")
        else:
            lines.append(CorpusLine(images / row["FILENAME"], text, f"file {row['FILENAME']}"))
    return lines


def read_capital_lines(folder: Path, report: LabelReport) -> list[CorpusLine]:
    """Synthetic block-capital lines, in groups of fifty."""
    rows = read_tsv(folder / "labels.tsv", ("file", "text", "group"))
    return _lines(folder, rows, [row["text"] for row in rows], [row["group"] for row in rows], report)


@dataclass(frozen=True)
class Corpus:
    """How to find and read one corpus; `trains_only`: every line trains (a synthetic corpus has no writers to hold
    out, and a figure on it would say nothing of real handwriting)."""

    reader: Callable[[Path, LabelReport], list[CorpusLine]]
    folder: Callable[[], Path]
    description: str
    trains_only: bool = False


CORPORA = {
    "iam_lines": Corpus(read_iam_lines, lambda: raw_dir("real_lines") / "iam_lines", "IAM lines, split by writer"),
    "hooker": Corpus(read_hooker, lambda: raw_dir("real_lines") / "hooker", "J. D. Hooker's letters, by page"),
    "copiste_fr": Corpus(read_copiste, lambda: raw_dir("real_lines") / "copiste_fr", "Copiste French, by writer"),
    "names": Corpus(read_names, lambda: raw_dir("handwritten_names"), "handwritten names, by image"),
    "capitals": Corpus(read_capital_lines, capital_lines_folder, "synthetic block-capital lines", trains_only=True),
}


def read_corpus(name: str, folder: str | Path | None = None) -> tuple[list[CorpusLine], LabelReport]:
    """The usable lines of a corpus (from its default folder under data/raw, or `folder`) and what was left out."""
    if name not in CORPORA:
        raise DataError(f"Unknown corpus {name!r}; valid: {', '.join(CORPORA)}.")
    path = Path(folder) if folder else CORPORA[name].folder()
    if not path.is_dir():
        raise DataError(
            f"Corpus {name!r} is not at {path}: put its folder there (see data/metadata.toml, [{name}]), "
            "link an offline copy with tasks/use_shared_data.sh, or pass its folder in `paths`."
        )
    report = LabelReport()
    lines = CORPORA[name].reader(path, report)
    report.rows, report.kept = len(lines) + sum(report.problems.values()), len(lines)
    return lines, report


def corpus_weights(corpora: dict, meaning: str) -> dict:
    """The corpora of a mixture checked: known names, weights positive numbers (`meaning` says what they weigh)."""
    unknown = sorted(set(corpora) - CORPORA.keys())
    if unknown or not corpora:
        raise DataError(f"Unknown corpus {unknown[0] if unknown else None!r}; valid: {', '.join(CORPORA)}.")
    if any(not isinstance(w, int | float) or isinstance(w, bool) or w <= 0 for w in corpora.values()):
        raise DataError(f"corpora weights must be positive numbers ({meaning}), got {corpora}.")
    return dict(corpora)
