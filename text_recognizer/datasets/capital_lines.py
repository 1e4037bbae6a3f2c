"""Synthetic lines written in block capitals, from real handwritten EMNIST capitals, as a corpus of training lines.

The real corpora hold almost no line written all in capitals (4 of Copiste's 3,148 training lines, 10 of IAM's, 8 of
Hooker's), so the line model reads a whole line of capitals as lower case: a Copiste test writer who writes in
capitals was read at a CER of 0.76 (0.23 with case ignored), 16 % of that corpus's errors. Forms and notes are often
written so. These lines teach the shapes of capitals in a line: Brown-corpus snippets in upper case, each character a
random EMNIST glyph of the training part (digits and letters; punctuation drawn in a font), glyphs scaled and shifted
a little each, dark ink on light paper. Half the lines are in small capitals, as many people write capitals: each
word's first letter tall, the others about half to two thirds as tall on the same baseline (a small capital is the
size of a lower-case letter, and only its shape says it is a capital). Some lines have thinner strokes. The folder
(`labels.tsv`: file, text, group; `images/`) is written once under data/processed/capital_lines/ and read like any
corpus; its lines only ever train (they have no writers to hold out).
"""

import shutil
from pathlib import Path

import cv2
import numpy as np

from text_recognizer.datasets.emnist import EmnistDataset
from text_recognizer.datasets.emnist_lines import glyph_pools
from text_recognizer.datasets.formats import GLYPH, PUNCTUATION
from text_recognizer.datasets.sentences import SentenceSampler, brown_text
from text_recognizer.datasets.sources import processed_dir
from text_recognizer.datasets.tsv import tsv_writer

LINES = 3000
LINES_PER_GROUP = 50
LENGTHS = (12, 60)  # characters per line, drawn uniformly (real lines are ~20-70)
SEED = 1957
STYLE = 2  # bumped whenever the drawing changes, so a folder written by older code is never read as current
SMALL_CAPITALS = 0.5  # share of lines in small capitals
THIN_STROKES = 0.4  # share of lines whose strokes are thinned
CHARACTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 " + PUNCTUATION


def capital_lines_folder(count: int = LINES, seed: int = SEED) -> Path:
    """The corpus folder, written on first use."""
    folder = processed_dir("capital_lines") / f"style{STYLE}_n{count}_seed{seed}"
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
        writer = tsv_writer(file)
        writer.writerow(["file", "text", "group"])
        for index in range(count):
            text = sampler.sample(int(rng.integers(*LENGTHS)), rng)
            name = f"{index:05d}.png"
            image = draw_capitals(text, pools, rng, small_capitals=rng.random() < SMALL_CAPITALS)
            if rng.random() < THIN_STROKES:
                image = cv2.erode(image, np.ones((2, 2), np.uint8))
            cv2.imwrite(str(partial / "images" / name), 255 - image)
            writer.writerow([name, text, f"synthetic {index // LINES_PER_GROUP}"])
    shutil.rmtree(folder, ignore_errors=True)
    partial.replace(folder)


def draw_capitals(
    text: str, pools: dict[str, np.ndarray], rng: np.random.Generator, small_capitals: bool = False
) -> np.ndarray:
    """Light-on-dark glyphs left to right on a common baseline, each moved up or down by up to 2 pixels and followed
    by 0.55-0.85 of its size (a space: of a full glyph). Glyphs are scaled by 0.7-1.0; in small capitals a word's
    first glyph by 0.9-1.0 and the others by 0.5-0.68."""
    height = GLYPH + 8
    advance = rng.uniform(0.55, 0.85)
    image = np.zeros((height, int(advance * GLYPH * len(text)) + GLYPH + 8), np.uint8)
    x = 4.0
    for position, char in enumerate(text):
        if char == " ":
            x += advance * GLYPH
            continue
        scale = (0.7, 1.0)
        if small_capitals:
            scale = (0.9, 1.0) if position == 0 or text[position - 1] == " " else (0.5, 0.68)
        size = max(8, round(GLYPH * rng.uniform(*scale)))
        pool = pools[char]
        glyph = cv2.resize(pool[rng.integers(len(pool))], (size, size), interpolation=cv2.INTER_AREA)
        top = height - 4 - size + int(rng.integers(-2, 3))
        spot = image[top : top + size, int(x) : int(x) + size]
        np.maximum(spot, glyph, out=spot)
        x += advance * size
    return image
