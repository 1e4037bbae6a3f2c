"""The data formats datasets share and models read: split names, label encoding, the line mapping built on EMNIST's
characters, real-line constants and the line detector's mask classes. One place, so no dataset imports another for them.
"""

import string

import numpy as np

from text_recognizer.errors import DataError
from text_recognizer.line_fitting import fit_line_to_height

SPLITS = ("train", "val", "test")
BLANK = "<B>"  # CTC blank and padding of fixed-length targets: index 0

GLYPH = 28  # EMNIST characters are GLYPH x GLYPH; the line models' synthetic and real lines are GLYPH high
EMNIST_BYCLASS = string.digits + string.ascii_uppercase + string.ascii_lowercase  # EMNIST ByClass label order
PUNCTUATION = "!\"#&'()*+,-./:;?"  # drawn for synthetic lines (EMNIST lacks it)

PIXELS_PER_CHARACTER = 8  # real lines of their own widths are padded to this many pixels per character (CTC frames)
MASK_CLASSES = ["background", "odd line", "even line"]  # line detection: per-pixel classes of a paragraph


def line_mapping(emnist_mapping: list[str]) -> list[str]:
    """The line models' mapping: blank, space, EMNIST's 62 characters, then punctuation."""
    return [BLANK, " ", *emnist_mapping, *PUNCTUATION]


LINE_MAPPING = line_mapping(list(EMNIST_BYCLASS))


def real_line_format(height: int, max_width: int) -> dict:
    """What a card says about lines of their own widths: what the predictor scales an image to."""
    return {"height": height, "max_width": max_width, "width": "variable", "ink": "light on dark"}


def real_line_image(image: np.ndarray, length: int, height: int, max_width: int) -> np.ndarray:
    """A line image of a text of `length` characters in the real-line format: at `height` (at most max_width wide),
    padded on the right to PIXELS_PER_CHARACTER per character when narrower."""
    image = fit_line_to_height(image, height, max_width)
    short = PIXELS_PER_CHARACTER * length - image.shape[1]
    return np.pad(image, ((0, 0), (0, short))) if short > 0 else image


def check_real_line_format(height: int, max_width: int) -> None:
    """DataError unless lines `height` high and at most `max_width` wide make a format the line networks can read."""
    if not 16 <= height <= 128 or max_width < 4 * height:
        raise DataError("height must be from 16 to 128 pixels and max_width at least 4 times the height.")


def check_pages(num_train: int, num_val: int, num_test: int, size: int, max_lines: int) -> None:
    """Paragraph datasets of the line detector need a page in each split, a line a page and a canvas of 64 pixels."""
    if min(num_train, num_val, num_test) < 1 or max_lines < 1 or size < 64:
        raise DataError("num_train, num_val, num_test and max_lines must be at least 1, and size at least 64.")


def encode_texts(texts: list[str], mapping: list[str], max_length: int) -> np.ndarray:
    """Label indices of each text, padded with the blank 0 to max_length (uint16 when the mapping needs it)."""
    index = {char: i for i, char in enumerate(mapping)}
    labels = np.zeros((len(texts), max_length), np.uint16 if len(mapping) > 256 else np.uint8)
    for row, text in enumerate(texts):
        labels[row, : len(text)] = [index[char] for char in text]
    return labels
