"""Synthetic handwritten lines: Brown-corpus snippets drawn with real EMNIST glyphs, overlapping at random.

Training lines use glyphs from EMNIST's training part only; validation and test lines use the held-apart
validation and test parts, so no test glyph is ever seen in training.
"""

from pathlib import Path

import numpy as np
from tqdm import tqdm

from text_recognizer.datasets.base import Dataset, Split
from text_recognizer.datasets.emnist import EmnistDataset
from text_recognizer.datasets.formats import GLYPH, PUNCTUATION, SPLITS, encode_texts, line_mapping
from text_recognizer.datasets.punctuation import render_punctuation
from text_recognizer.datasets.sentences import SentenceSampler
from text_recognizer.datasets.sources import processed_dir
from text_recognizer.datasets.split_cache import load_or_build, write_split
from text_recognizer.errors import DataError

PUNCTUATION_GLYPHS_PER_CHARACTER = 300


def glyph_pools(split: Split, emnist_mapping: list[str], rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Glyph images by character: one EMNIST split's examples, plus freshly drawn punctuation."""
    pools = {char: split.x[split.y == index] for index, char in enumerate(emnist_mapping)}
    for char in PUNCTUATION:
        pools[char] = np.stack([render_punctuation(char, rng) for _ in range(PUNCTUATION_GLYPHS_PER_CHARACTER)])
    return {char: pool for char, pool in pools.items() if len(pool)}


def render_line(text: str, pools: dict[str, np.ndarray], overlap: float, width: int, rng) -> np.ndarray:
    """Paste one random glyph per character left to right, each `overlap` of a glyph over the previous one."""
    image = np.zeros((GLYPH, width), np.uint8)
    step = round(GLYPH * (1 - overlap))
    for position, char in enumerate(text):
        if char == " ":
            continue
        pool = pools[char]
        x = position * step
        np.maximum(image[:, x : x + GLYPH], pool[rng.integers(len(pool))], out=image[:, x : x + GLYPH])
    return image


class EmnistLinesDataset(Dataset):
    """Lines of up to `max_length` characters, 28 x 28*max_length, with labels padded by the blank index 0."""

    source = "Brown corpus sentences drawn with EMNIST ByClass glyphs (train/val/test glyphs disjoint)"

    def __init__(
        self,
        max_length: int = 34,
        min_overlap: float = 0.0,
        max_overlap: float = 0.33,
        num_train: int = 10000,
        num_val: int = 1000,
        num_test: int = 1000,
        seed: int = 42,
    ):
        if not 0 <= min_overlap <= max_overlap < 1:
            raise DataError(f"Need 0 <= min_overlap <= max_overlap < 1, got {min_overlap} and {max_overlap}.")
        if max_length < 1 or min(num_train, num_val, num_test) < 1:
            raise DataError("max_length, num_train, num_val and num_test must be at least 1.")
        self.max_length, self.min_overlap, self.max_overlap = max_length, min_overlap, max_overlap
        self.num_train, self.num_val, self.num_test, self.seed = num_train, num_val, num_test, seed
        self.input_shape = (GLYPH, GLYPH * max_length)

    @property
    def cache_path(self) -> Path:
        key = (
            f"len{self.max_length}_overlap{self.min_overlap}-{self.max_overlap}_"
            f"n{self.num_train}-{self.num_val}-{self.num_test}_seed{self.seed}"
        )
        return processed_dir("emnist_lines") / f"{key}.h5"

    def emnist(self) -> EmnistDataset:
        """The character source; its train/val/test parts feed the train/val/test lines."""
        return EmnistDataset(seed=self.seed).prepare()

    def prepare(self) -> "EmnistLinesDataset":
        attributes = load_or_build(self, self.cache_path, self._generate)
        self.mapping = [str(c) for c in attributes["mapping"]]
        self.output_shape = (self.max_length, len(self.mapping))
        return self

    def _generate(self, file) -> None:
        emnist = self.emnist()
        mapping = line_mapping(emnist.mapping)
        sampler = SentenceSampler("".join(mapping[1:]))
        for offset, split in enumerate(SPLITS):
            rng = np.random.default_rng([self.seed, offset])
            pools = glyph_pools(getattr(emnist, split), emnist.mapping, rng)
            count = getattr(self, f"num_{split}")
            x = np.zeros((count, *self.input_shape), np.uint8)
            texts = []
            for row in tqdm(range(count), desc=f"Generating {split} lines", unit="line", mininterval=1):
                texts.append(sampler.sample(self.max_length, rng))
                overlap = rng.uniform(self.min_overlap, self.max_overlap)
                x[row] = render_line(texts[-1], pools, overlap, self.input_shape[1], rng)
            write_split(file, split, x, encode_texts(texts, mapping, self.max_length))
        file.attrs["mapping"] = mapping
