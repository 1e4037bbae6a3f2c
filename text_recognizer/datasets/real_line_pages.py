"""Pages assembled from real handwritten lines, for training the line detector on the shapes it meets.

Each page takes consecutive lines of one writer (or page) of a real line corpus, rewraps and places them
(line_page_drawing), and fits the page to a size x size canvas as `line_detection.fit_to_canvas` fits real pages:
light ink on black from the top-left; masks hold 0 background, 1 odd line, 2 even line (SyntheticParagraphsDataset's
format). Lines come from the writer-disjoint splits of HandwritingLinesDataset (its default split, the one the shipped
line model holds apart), so validation and test pages are written by validation and test writers only.

    "dataset_args": {"corpora": {"iam_lines": 2, "hooker": 1, "copiste_fr": 1}, "num_train": 1500}
"""

from pathlib import Path

import numpy as np
from tqdm import tqdm

from text_recognizer.datasets.base import Dataset
from text_recognizer.datasets.formats import MASK_CLASSES, SPLITS, check_pages
from text_recognizer.datasets.handwriting_lines import HandwritingLinesDataset
from text_recognizer.datasets.line_corpora import CORPORA, CorpusLine, corpus_weights
from text_recognizer.datasets.line_page_drawing import clean_line, draw_page, page_lines
from text_recognizer.datasets.sources import processed_dir
from text_recognizer.datasets.split_cache import load_or_build, write_split
from text_recognizer.errors import DataError
from text_recognizer.line_detection import line_boxes

DEFAULT_CORPORA = {"iam_lines": 2.0, "hooker": 1.0, "copiste_fr": 1.0}
TRIES = 20  # drawings of a page before giving up on it (a line lost when shrunk to the canvas: drawn again)


class RealLinePagesDataset(Dataset):
    """Pages of 1 to `max_lines` real lines (a `blank_fraction` of them blank); a page's corpus is drawn with the
    `corpora` weights. x (N, size, size) uint8 pages, y (N, size, size) uint8 masks."""

    card_omits = ("paths",)  # where the corpora are on this machine, not what they hold

    def __init__(
        self,
        num_train: int = 1500,
        num_val: int = 200,
        num_test: int = 200,
        size: int = 256,
        max_lines: int = 14,
        corpora: dict | None = None,
        blank_fraction: float = 0.03,
        seed: int = 42,
        paths: dict | None = None,
    ):
        check_pages(num_train, num_val, num_test, size, max_lines)
        if not 0 <= blank_fraction < 1:
            raise DataError(f"blank_fraction must be in [0, 1), got {blank_fraction}.")
        self.corpora = corpus_weights(DEFAULT_CORPORA if corpora is None else corpora, "shares of the pages")
        self.num_train, self.num_val, self.num_test = num_train, num_val, num_test
        self.size, self.max_lines, self.blank_fraction, self.seed = size, max_lines, blank_fraction, seed
        self.paths = paths or {}
        self.mapping = list(MASK_CLASSES)
        self.input_shape = (size, size)
        self.output_shape = (size, size, len(MASK_CLASSES))

    @property
    def cache_path(self) -> Path:
        counts = f"{self.num_train}-{self.num_val}-{self.num_test}"
        corpora = "-".join(f"{name}{weight:g}" for name, weight in self.corpora.items())
        return processed_dir("real_line_pages") / (
            f"size{self.size}_lines{self.max_lines}_n{counts}_{corpora}_blank{self.blank_fraction:g}_seed{self.seed}.h5"
        )

    def prepare(self) -> "RealLinePagesDataset":
        load_or_build(self, self.cache_path, self._generate)
        return self

    def split_lines(self) -> dict[str, dict[str, list[list[CorpusLine]]]]:
        """Per split and corpus, the lines of each writer (or page) in file order."""
        parts = HandwritingLinesDataset(corpora=dict.fromkeys(self.corpora, 1), paths=self.paths).corpus_splits()
        lines = {}
        for split in SPLITS:
            lines[split] = {}
            for name in self.corpora:
                groups: dict[str, list[CorpusLine]] = {}
                for line in sorted(parts[name][split], key=lambda line: line.image.name):
                    groups.setdefault(line.group, []).append(line)
                if not groups:
                    raise DataError(f"Corpus {name!r} has no {split} lines to draw pages from.")
                lines[split][name] = list(groups.values())
        return lines

    def _generate(self, file) -> None:
        lines = self.split_lines()
        names, weights = list(self.corpora), np.array(list(self.corpora.values()), float)
        for offset, split in enumerate(SPLITS):
            rng = np.random.default_rng([self.seed, offset])
            count = getattr(self, f"num_{split}")
            x = np.zeros((count, self.size, self.size), np.uint8)
            y = np.zeros_like(x)
            for row in tqdm(range(count), desc=f"Drawing {split} pages", unit="page", mininterval=1):
                corpus = lines[split][names[rng.choice(len(names), p=weights / weights.sum())]]
                x[row], y[row] = self.draw(corpus, rng)
            write_split(file, split, x, y)

    def draw(self, groups: list[list[CorpusLine]], rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """One page of consecutive lines of one group (continued from others when it runs out) and its mask."""
        if rng.random() < self.blank_fraction:
            return draw_page([], self.size, rng)
        for _ in range(TRIES):
            count = int(rng.integers(1, self.max_lines + 1))
            group = groups[rng.integers(len(groups))]
            start = int(rng.integers(len(group)))
            chosen = group[start : start + count]
            while len(chosen) < count:
                other = groups[rng.integers(len(groups))]
                chosen += other[: count - len(chosen)]
            cleaned = [line for line in (clean_line(line.image) for line in chosen) if line is not None]
            page = page_lines(cleaned, count, rng)
            image, mask = draw_page(page, self.size, rng)
            if page and len(line_boxes(mask)) == len(page):
                return image, mask
        raise DataError(f"No page of these lines kept all its lines on a {self.size}-pixel canvas in {TRIES} tries.")

    @property
    def source(self) -> str:
        descriptions = "; ".join(CORPORA[name].description for name in self.corpora)
        return f"real handwritten training lines ({descriptions}) assembled into pages"

    def card_details(self) -> dict:
        return {"split": "HandwritingLinesDataset's default writer-disjoint split"}
