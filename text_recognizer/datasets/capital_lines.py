"""Synthetic lines written in block capitals, from real handwritten EMNIST capitals, as a corpus of training lines.

The real corpora hold almost no line written all in capitals (4 of Copiste's 3,148 training lines, 10 of IAM's, 8 of
Hooker's), so the line model reads a whole line of capitals as lower case: a Copiste test writer who writes in
capitals was read at a CER of 0.76 (0.23 with case ignored), 16 % of that corpus's errors. Forms and notes are often
written so. These lines teach the shapes of capitals in a line: Brown-corpus snippets in upper case, each character a
random EMNIST glyph of the training part (digits and letters; punctuation drawn in a font), glyphs scaled and shifted
a little each, dark ink on light paper. Half the lines are French instead: words drawn by frequency from the French
word list, elisions joined (`L'ORIGINE`), accented capitals drawn as the EMNIST letter with its mark added in ink
(É, È, À, Ç, Î, Ô: those of the shipped charset; other accents are dropped from text and image alike). Most lines are
in small capitals, as many people write capitals: each word's first letter tall, the others about half to two thirds
as tall on the same baseline (a small capital is the size of a lower-case letter, and only its shape says it is a
capital). Some lines have thinner strokes, some are underlined, as forms and copied texts often are. The folder
(`labels.tsv`: file, text, group; `images/`) is written once under data/processed/capital_lines/ and read like any
corpus; its lines only ever train (they have no writers to hold out).
"""

import re
import shutil
import unicodedata
from pathlib import Path

import cv2
import numpy as np

from text_recognizer.datasets.emnist import EmnistDataset
from text_recognizer.datasets.emnist_lines import glyph_pools
from text_recognizer.datasets.formats import GLYPH, PUNCTUATION
from text_recognizer.datasets.sentences import SentenceSampler, brown_text
from text_recognizer.datasets.sources import processed_dir
from text_recognizer.datasets.tsv import tsv_writer
from text_recognizer.errors import DataError

LINES = 3000
LINES_PER_GROUP = 50
LENGTHS = (12, 70)  # characters per line, drawn uniformly (real lines are ~20-70)
SEED = 1957
STYLE = 3  # bumped whenever the drawing changes, so a folder written by older code is never read as current
FRENCH = 0.5  # share of lines of French words
SMALL_CAPITALS = 0.6  # share of lines in small capitals
THIN_STROKES = 0.4  # share of lines whose strokes are thinned
UNDERLINED = 0.3  # share of lines underlined
ACCENTED = "ÀÇÈÉÎÔ"  # accented capitals drawn (those the shipped charset has)
CHARACTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 " + PUNCTUATION
FRENCH_WORDS = Path(__file__).resolve().parents[2] / "training" / "lexicons" / "french_wordfreq_50k.txt"
ELIDED = {"C", "D", "J", "L", "M", "N", "QU", "S", "T"}  # written joined to the next word by an apostrophe
DANGLING_ELISIONS = re.compile(r"(?:[^\s']+')+$")  # elided words at a snippet's end, with nothing to join
TOP = 6  # pixels above a full-size glyph, room for accents


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
    french = FrenchWords(FRENCH_WORDS)
    partial = folder.with_name(folder.name + ".part")
    shutil.rmtree(partial, ignore_errors=True)
    (partial / "images").mkdir(parents=True)
    with open(partial / "labels.tsv", "w", newline="", encoding="utf-8") as file:
        writer = tsv_writer(file)
        writer.writerow(["file", "text", "group"])
        for index in range(count):
            length = int(rng.integers(*LENGTHS))
            text = french.sample(length, rng) if rng.random() < FRENCH else sampler.sample(length, rng)
            name = f"{index:05d}.png"
            image = draw_capitals(text, pools, rng, small_capitals=rng.random() < SMALL_CAPITALS)
            if rng.random() < UNDERLINED:
                underline(image, rng)
            if rng.random() < THIN_STROKES:
                image = cv2.erode(image, np.ones((2, 2), np.uint8))
            cv2.imwrite(str(partial / "images" / name), 255 - image)
            writer.writerow([name, text, f"synthetic {index // LINES_PER_GROUP}"])
    shutil.rmtree(folder, ignore_errors=True)
    partial.replace(folder)


class FrenchWords:
    """Upper-case French snippets: words drawn with Zipf weights by their rank in a frequency list, elisions joined,
    accents outside ACCENTED dropped."""

    def __init__(self, path: Path):
        try:
            words = path.read_text(encoding="utf-8").split()
        except OSError as error:
            raise DataError(
                f"cannot read the French word list {path} ({error}); it comes with the repository"
            ) from None
        self.words = [word for word in map(_capitals, words) if word]
        weights = 1 / np.arange(1, len(self.words) + 1)
        self.weights = weights / weights.sum()

    def sample(self, max_length: int, rng: np.random.Generator) -> str:
        text = ""
        while True:
            word = self.words[rng.choice(len(self.words), p=self.weights)]
            joined = text + ("" if not text or text.endswith("'") else " ") + word
            if len(joined) > max_length:
                return DANGLING_ELISIONS.sub("", text).strip() or word[:max_length]
            text = joined + ("'" if word in ELIDED else "")


def _capitals(word: str) -> str:
    """A word in capitals of the corpus's characters: accents outside ACCENTED dropped, other characters removed."""
    kept = []
    for char in word.upper():
        if char not in ACCENTED:
            char = unicodedata.normalize("NFD", char)[0]
        if char in ACCENTED or (char in CHARACTERS and char != " "):
            kept.append(char)
    return "".join(kept)


def draw_capitals(
    text: str, pools: dict[str, np.ndarray], rng: np.random.Generator, small_capitals: bool = False
) -> np.ndarray:
    """Light-on-dark glyphs left to right on a common baseline, each moved up or down by up to 2 pixels and followed
    by 0.55-0.85 of its size (a space: of a full glyph). Glyphs are scaled by 0.7-1.0; in small capitals a word's
    first glyph by 0.9-1.0 and the others by 0.5-0.68. An accented capital is its letter with the mark drawn on."""
    height = GLYPH + 8 + TOP
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
        letter, *marks = unicodedata.normalize("NFD", char)
        pool = pools[letter]
        glyph = cv2.resize(pool[rng.integers(len(pool))], (size, size), interpolation=cv2.INTER_AREA)
        top = height - 4 - size + int(rng.integers(-2, 3))
        spot = image[top : top + size, int(x) : int(x) + size]
        np.maximum(spot, glyph, out=spot)
        for mark in marks:
            draw_mark(image, mark, int(x), top, size)
        x += advance * size
    return image


def draw_mark(image: np.ndarray, mark: str, left: int, top: int, size: int) -> None:
    """An accent (acute, grave, circumflex) above a glyph's ink, or a cedilla below it, in light ink."""
    middle, ink_top, ink_bottom, stroke = left + size // 2, top + size // 7, top + size - size // 7, max(2, size // 10)
    above = max(1, ink_top - 2)
    if mark == "\u0301":  # acute
        cv2.line(image, (middle - 1, above), (middle + 3, above - 4), 255, stroke)
    elif mark == "\u0300":  # grave
        cv2.line(image, (middle - 3, above - 4), (middle + 1, above), 255, stroke)
    elif mark == "\u0302":  # circumflex
        cv2.polylines(
            image, [np.array([(middle - 4, above), (middle, above - 4), (middle + 4, above)])], False, 255, stroke
        )
    elif mark == "\u0327":  # cedilla
        cv2.polylines(
            image,
            [np.array([(middle, ink_bottom), (middle + 2, ink_bottom + 2), (middle - 2, ink_bottom + 4)])],
            False,
            255,
            stroke,
        )


def underline(image: np.ndarray, rng: np.random.Generator) -> None:
    """A thin, slightly sloping line under the glyphs, from the first column of ink to the last."""
    columns = np.flatnonzero(image.max(axis=0))
    if not len(columns):
        return
    y = image.shape[0] - 3 + int(rng.integers(-1, 2))
    slope = int(rng.integers(-2, 3))
    cv2.line(
        image,
        (int(columns[0]), y),
        (int(columns[-1]), min(image.shape[0] - 1, y + slope)),
        255,
        int(rng.integers(1, 3)),
    )
