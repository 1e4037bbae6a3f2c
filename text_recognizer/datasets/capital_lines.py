"""Synthetic lines written in block capitals, from real handwritten EMNIST capitals, as a corpus of training lines.

The real corpora hold almost no line written all in capitals (4 of Copiste's 3,148 training lines, 10 of IAM's, 8 of
Hooker's), so the line model reads a whole line of capitals as lower case: a Copiste test writer who writes in
capitals was read at a CER of 0.76 (0.23 with case ignored), 16 % of that corpus's errors. Forms and notes are often
written so. These lines teach the shapes of capitals in a line: Brown-corpus snippets in upper case, each character a
random EMNIST glyph of the training part (digits and letters; punctuation drawn in a font), glyphs scaled and shifted
a little each, dark ink on light paper. The folder (`labels.tsv`: file, text, group; `images/`) is written once under
data/processed/capital_lines/ and read like any corpus; its lines only ever train (they have no writers to hold out).
"""

import csv
import shutil
from pathlib import Path

import cv2
import numpy as np

from text_recognizer.datasets.emnist import EmnistDataset
from text_recognizer.datasets.emnist_lines import glyph_pools
from text_recognizer.datasets.formats import GLYPH, PUNCTUATION
from text_recognizer.datasets.sentences import SentenceSampler, brown_text
from text_recognizer.datasets.sources import processed_dir

LINES = 3000
LINES_PER_GROUP = 50
LENGTHS = (12, 60)  # characters per line, drawn uniformly (real lines are ~20-70)
SEED = 1957
CHARACTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 " + PUNCTUATION


def capital_lines_folder(count: int = LINES, seed: int = SEED) -> Path:
    """The corpus folder, written on first use."""
    folder = processed_dir("capital_lines") / f"n{count}_seed{seed}"
    if not (folder / "labels.tsv").is_file():
        write_capital_lines(folder, count, seed)
    return folder


def write_capital_lines(folder: Path, count: int, seed: int) -> None:
    """`count` lines with labels.tsv, written beside `folder` and moved into place whole."""
    rng = np.random.default_rng(seed)
    emnist = EmnistDataset().prepare()
    pools = glyph_pools(emnist.train, emnist.mapping, rng)
    sampler = SentenceSampler(CHARACTERS, brown_text().upper())
    partial = folder.with_name(folder.name + ".part")
    shutil.rmtree(partial, ignore_errors=True)
    (partial / "images").mkdir(parents=True)
    with open(partial / "labels.tsv", "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file, delimiter="\t", quoting=csv.QUOTE_NONE, quotechar=None, lineterminator="\n")
        writer.writerow(["file", "text", "group"])
        for index in range(count):
            text = sampler.sample(int(rng.integers(*LENGTHS)), rng)
            name = f"{index:05d}.png"
            cv2.imwrite(str(partial / "images" / name), 255 - draw_capitals(text, pools, rng))
            writer.writerow([name, text, f"synthetic {index // LINES_PER_GROUP}"])
    shutil.rmtree(folder, ignore_errors=True)
    partial.replace(folder)


def draw_capitals(text: str, pools: dict[str, np.ndarray], rng: np.random.Generator) -> np.ndarray:
    """Light-on-dark glyphs left to right: each scaled by 0.7-1.0, moved up or down by up to 2 pixels, and spaced
    by 0.55-0.85 of a glyph; spaces as wide."""
    height = GLYPH + 8
    step = rng.uniform(0.55, 0.85) * GLYPH
    image = np.zeros((height, int(step * len(text)) + GLYPH + 8), np.uint8)
    x = 4.0
    for char in text:
        if char != " ":
            pool = pools[char]
            size = max(8, round(GLYPH * rng.uniform(0.7, 1.0)))
            glyph = cv2.resize(pool[rng.integers(len(pool))], (size, size), interpolation=cv2.INTER_AREA)
            top = height - 4 - size + int(rng.integers(-2, 3))  # glyphs stand on a common baseline, give or take
            spot = image[top : top + size, int(x) : int(x) + size]
            np.maximum(spot, glyph, out=spot)
        x += step
    return image
