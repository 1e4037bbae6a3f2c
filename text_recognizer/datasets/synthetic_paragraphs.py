"""Synthetic paragraphs for training the line detector: stacked EMNIST-glyph lines and their per-pixel line masks.

Paragraph images are size x size, light ink on black from the top-left corner (as `line_detection.fit_to_canvas`
prepares real pages); masks hold 0 background, 1 odd line, 2 even line. Glyphs of each split come from the matching
EMNIST split, so test paragraphs use no training glyph.
"""

from pathlib import Path

import numpy as np
from tqdm import tqdm

from text_recognizer.datasets.base import Dataset
from text_recognizer.datasets.emnist import EmnistDataset
from text_recognizer.datasets.emnist_lines import glyph_pools
from text_recognizer.datasets.formats import MASK_CLASSES, SPLITS, check_pages, line_mapping
from text_recognizer.datasets.paragraph_rendering import draw_paragraph
from text_recognizer.datasets.sentences import SentenceSampler
from text_recognizer.datasets.sources import processed_dir
from text_recognizer.datasets.split_cache import load_or_build, write_split


class SyntheticParagraphsDataset(Dataset):
    """Paragraphs of 1 to `max_lines` lines; x (N, size, size) uint8 images, y (N, size, size) uint8 masks."""

    source = "Brown corpus lines drawn with EMNIST ByClass glyphs, stacked into paragraphs"

    def __init__(
        self,
        num_train: int = 3000,
        num_val: int = 300,
        num_test: int = 300,
        size: int = 256,
        max_lines: int = 14,
        seed: int = 42,
    ):
        check_pages(num_train, num_val, num_test, size, max_lines)
        self.num_train, self.num_val, self.num_test = num_train, num_val, num_test
        self.size, self.max_lines, self.seed = size, max_lines, seed
        self.mapping = list(MASK_CLASSES)
        self.input_shape = (size, size)
        self.output_shape = (size, size, len(MASK_CLASSES))

    @property
    def cache_path(self) -> Path:
        counts = f"{self.num_train}-{self.num_val}-{self.num_test}"
        return (
            processed_dir("synthetic_paragraphs")
            / f"size{self.size}_lines{self.max_lines}_n{counts}_seed{self.seed}.h5"
        )

    def prepare(self) -> "SyntheticParagraphsDataset":
        load_or_build(self, self.cache_path, self._generate)
        return self

    def _generate(self, file) -> None:
        emnist = EmnistDataset(seed=self.seed).prepare()
        sampler = SentenceSampler("".join(line_mapping(emnist.mapping)[1:]))
        for offset, split in enumerate(SPLITS):
            rng = np.random.default_rng([self.seed, offset])
            pools = glyph_pools(getattr(emnist, split), emnist.mapping, rng)
            count = getattr(self, f"num_{split}")
            x = np.zeros((count, self.size, self.size), np.uint8)
            y = np.zeros_like(x)
            for row in tqdm(range(count), desc=f"Drawing {split} paragraphs", unit="page", mininterval=1):
                x[row], y[row] = draw_paragraph(sampler, pools, self.size, self.max_lines, rng)
            write_split(file, split, x, y)
