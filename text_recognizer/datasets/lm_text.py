"""Training and validation text for the character language model, kept apart from every line a model is measured on.

Sources (units are lines, or line-length pieces of running text):
  brown           Brown corpus sentences, cut at word boundaries into pieces of handwritten-line length
  french-prose    the fr-corpus package's 100,000 French sentences (french_prose.py), cut into pieces the same way
  iam-train       IAM lines.txt text of the lines in the RWTH *training* list only
  copiste-train   Copiste transcriptions of the line model's training writers only
  hooker-train    Hooker letters' transcriptions of the line model's training pages only
  names-train     handwritten names of the line model's training images only (capitals, French names)
  a file path     a UTF-8 text file of the user's own (each non-empty line a unit): text of the domain to be read
Held out: every IAM line of the RWTH test and validation lists, the validation and test lines of the line model's
real-line corpora, and the lines of the four IAM paragraphs pages are measured on (RWTH training forms). A training
unit that repeats a held-out line, or shares a run of HELD_OUT_WORDS words with one, is dropped (Copiste's writers
copied the same Wikipedia texts, so train and test writers share lines; IAM's forms share LOB texts too).
"""

import json
import re
from pathlib import Path

import numpy as np

from text_recognizer.datasets.french_prose import french_sentences
from text_recognizer.datasets.iam_splits import rwth_lists
from text_recognizer.datasets.iam_text import parse_lines
from text_recognizer.datasets.sentences import brown_sentences
from text_recognizer.datasets.sources import raw_dir
from text_recognizer.errors import DataError

REAL_LINE_SOURCES = {"copiste-train": "copiste_fr", "hooker-train": "hooker", "names-train": "names"}
SOURCES = ("brown", "french-prose", "iam-train", *REAL_LINE_SOURCES)
HELD_OUT_WORDS = 5
WORD = re.compile(r"[^\W_]+")
PIECE_LENGTHS = (25, 65)  # Brown pieces: this many characters, drawn uniformly (IAM and Copiste lines are ~20-70)


def words(text: str) -> list[str]:
    """Lower-case words (letters and digits) of a text, punctuation ignored: what overlap is measured on."""
    return WORD.findall(text.lower())


class HeldOut:
    """Texts no training unit may repeat, or share a run of HELD_OUT_WORDS words with."""

    def __init__(self, texts: list[str]):
        self.lines = {" ".join(words(text)) for text in texts if words(text)}
        self.runs = {run for text in texts for run in _runs(words(text))}

    def overlaps(self, text: str) -> bool:
        tokens = words(text)
        return " ".join(tokens) in self.lines or any(run in self.runs for run in _runs(tokens))


def _runs(tokens: list[str]) -> set[tuple[str, ...]]:
    return {tuple(tokens[i : i + HELD_OUT_WORDS]) for i in range(len(tokens) - HELD_OUT_WORDS + 1)}


def rwth_folder(folder: str | Path | None = None) -> Path:
    """Where the RWTH split lists are: the given folder, else data/raw/iam/ or data/raw/iam/splits_rwth/."""
    candidates = [Path(folder)] if folder else [raw_dir("iam"), raw_dir("iam") / "splits_rwth"]
    for candidate in candidates:
        if rwth_lists(candidate) is not None:
            return candidate
    raise DataError(
        f"The RWTH split lists (trainset.txt, validationset1.txt, validationset2.txt, testset.txt) are not in "
        f"{' or '.join(map(str, candidates))}: without them the IAM training forms are unknown. Pass their folder "
        "(--rwth-lists ../shared/data/iam/splits_rwth)."
    )


def iam_lines_by_split(lists_folder: str | Path | None = None) -> dict[str, list[str]]:
    """Texts of the IAM lines.txt lines in the RWTH train, val (both validation lists) and test lists."""
    lists = rwth_lists(rwth_folder(lists_folder))
    lines = parse_lines(raw_dir("iam") / "ascii" / "lines.txt")
    return {split: [line.text for line in lines if line.id in ids or line.form in ids] for split, ids in lists.items()}


def brown_pieces(seed: int = 0) -> list[str]:
    """The Brown corpus as line-length pieces cut at word boundaries (seeded, so the same every time)."""
    return line_pieces(brown_sentences(), seed)


def line_pieces(sentences: list[str], seed: int = 0) -> list[str]:
    """Running text cut at word boundaries into pieces of PIECE_LENGTHS characters, as handwritten lines are cut."""
    rng = np.random.default_rng(seed)
    pieces, current = [], ""
    limit = rng.integers(*PIECE_LENGTHS)
    for word in " ".join(sentences).split(" "):
        if current and len(current) + 1 + len(word) > limit:
            pieces.append(current)
            current, limit = word, rng.integers(*PIECE_LENGTHS)
        else:
            current = f"{current} {word}" if current else word
    return [*pieces, current] if current else pieces


def capitals(text: str) -> str:
    """`text` in capitals, keeping each character whose capital is not one character (ß)."""
    return "".join(upper if len(upper := char.upper()) == 1 else char for char in text)


def real_line_splits(config: dict) -> dict[str, dict[str, list]]:
    """Lines (CorpusLine: image, text, group) of each real-line corpus by split, as the line model (card or
    experiment config) split them; a card whose recorded writers differ from the split made now is an error.
    Train-only corpora (synthetic lines) are left out: they hold no writers out and no text a language model learns."""
    from text_recognizer.datasets.handwriting_lines import HandwritingLinesDataset

    args = config.get("data", {}).get("args") or config.get("dataset_args")
    if config.get("dataset") != "HandwritingLinesDataset" or args is None:
        raise DataError("The splits come from a HandwritingLinesDataset card or experiment config; this is neither.")
    parts = HandwritingLinesDataset(**args).corpus_splits(train_only_corpora=False)
    recorded = config.get("data", {}).get("split_groups", {})
    for corpus, part in parts.items():
        for split, lines in part.items():
            groups = {line.group for line in lines}
            if corpus in recorded and not groups >= set(recorded[corpus].get(split, [])):
                raise DataError(f"The {corpus} {split} writers of the card differ from the dataset's; data changed?")
    return parts


def held_out_groups(real: dict[str, dict[str, list]]) -> dict[str, list[str]]:
    """The validation and test writers (or pages) of each corpus that has any (a train-only corpus has none): what a
    language model must be kept apart from."""
    splits = ("val", "test")
    groups = {corpus: {line.group for split in splits for line in part[split]} for corpus, part in real.items()}
    return {corpus: sorted(held_out) for corpus, held_out in groups.items() if held_out}


def paragraph_texts() -> list[str]:
    """The lines of the IAM paragraphs that page reading is measured on (bench/paragraphs.py), where they are."""
    path = raw_dir("iam") / "paragraphs_sample" / "data_by_file_id.json"
    if not path.exists():
        return []
    return [line for page in json.loads(path.read_text()).values() for line in page["ground_truth_text"].splitlines()]


def held_out_texts(iam: dict[str, list[str]], real: dict[str, dict[str, list]]) -> list[str]:
    """Every text a model is validated or tested on: RWTH val and test lines, real-line val and test lines, and the
    lines of the paragraphs pages are measured on."""
    texts = iam["val"] + iam["test"] + paragraph_texts()
    return texts + [line.text for part in real.values() for split in ("val", "test") for line in part[split]]


def training_units(
    sources: dict[str, int], iam: dict[str, list[str]], real: dict[str, dict[str, list]]
) -> tuple[list[str], dict[str, dict[str, int]]]:
    """Units of the named sources (each repeated `weight` times) without held-out overlap, and counts per source."""
    held_out = HeldOut(held_out_texts(iam, real))
    units, report = [], {}
    for source, weight in sources.items():
        texts = source_texts(source, iam, real)
        kept = [text for text in texts if not held_out.overlaps(text)]
        report[source] = {"units": len(texts), "dropped_overlapping_held_out": len(texts) - len(kept), "weight": weight}
        units += kept * weight
    return units, report


def source_texts(source: str, iam: dict[str, list[str]], real: dict[str, dict[str, list]]) -> list[str]:
    """The units of one source: a name of SOURCES, or a text file's non-empty lines."""
    if source == "brown":
        return brown_pieces()
    if source == "french-prose":
        return line_pieces(french_sentences())
    if source == "iam-train":
        return iam["train"]
    if source in REAL_LINE_SOURCES:
        return [line.text for line in real[REAL_LINE_SOURCES[source]]["train"]]
    path = Path(source)
    if not path.is_file():
        raise DataError(
            f"Unknown language model corpus {source!r}: neither one of {', '.join(SOURCES)} nor a text file."
        )
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise DataError(f"{path} is not UTF-8 text ({error.reason} at byte {error.start}); save it as UTF-8.") from None
    return [line.strip() for line in text.splitlines() if line.strip()]


def validation_texts(real: dict[str, dict[str, list]], corpora: tuple[str, ...] = ("iam_lines", "copiste_fr")):
    """Texts of the line model's validation writers (never test) per corpus: what the order is chosen on."""
    return {corpus: [line.text for line in real[corpus]["val"]] for corpus in corpora if corpus in real}
